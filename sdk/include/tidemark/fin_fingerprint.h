// fin_fingerprint.h — the fingerprint and invoice key of an invoice (docs/finance.md §3): what
// makes one invoice registrable once ledger-wide, computed alike by the `fin` contract, the CLI,
// the SDKs and a bank that never uploads the invoice. The JS twin is sdk/js/src/finance.js; both
// pass the "fin_fingerprints" vectors of tests/vectors/vectors.json.
//
//   InvoiceFields f{.creditor = "bondedwh", .debtor = "platform", .number = "INV-2026/0001",
//                   .amount = 1250000, .date = "2026-11-30"};
//   TM_ASSIGN_OR_RETURN(InvoiceHashes h, InvoiceFingerprint(f));   // h.fingerprint, h.invoice_key
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tidemark/hash.h"
#include "tidemark/status.h"

namespace tidemark {

inline constexpr std::string_view kFingerprintDomain = "tidemark/fin/fingerprint/v1";
inline constexpr std::string_view kInvoiceKeyDomain = "tidemark/fin/invoice/v1";
inline constexpr int64_t kMaxFinAmount = 1'000'000'000'000'000;  // 10^15 minor units

struct InvoiceFields {
  std::string creditor;  // org id
  std::string debtor;    // org id
  std::string number;    // as printed; normalised by NormaliseInvoiceNumber
  int64_t amount = 0;    // minor units, 1..kMaxFinAmount
  std::string date;      // YYYY-MM-DD
};

struct InvoiceHashes {
  Hash256 fingerprint;
  Hash256 invoice_key;
};

// Trim, upper-case ASCII letters, drop " -_/."; then 1..64 of [A-Z0-9] or kInvalidArgument.
Result<std::string> NormaliseInvoiceNumber(std::string_view number);
// True iff `date` is a valid calendar date written YYYY-MM-DD (years 1900..9999).
bool IsIsoDate(std::string_view date);
// Days since 1970-01-01 of a valid YYYY-MM-DD date (IsIsoDate must hold).
int64_t IsoDateToDays(std::string_view date);
// kInvalidArgument naming the field if any input is malformed.
Result<InvoiceHashes> InvoiceFingerprint(const InvoiceFields& f);

}  // namespace tidemark
