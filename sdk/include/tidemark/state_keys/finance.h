// state_keys/finance.h — the state layout of the supply-chain finance contract ("fin/…";
// contracts/finance.h; docs/finance.md §4 says what each record holds). Fingerprints and invoice
// keys are lower-case hex (tidemark/fin_fingerprint.h). A space separates the parts of composite
// keys: it cannot occur in an org id, a receivable id or hex, so a prefix scan never runs into a
// longer id.
//
//   GetValue(view, state_keys::fin::Receivable("rcv_0a1b2c3d4e5f60718293"));
//   view.Scan(state_keys::fin::PartyPrefix("acme"), ...);   // the receivables acme is a party of
//
// Thread safety: constants and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tidemark/state_keys/parts.h"

namespace tidemark::state_keys::fin {

inline constexpr std::string_view kPrefix = "fin/";

// The receivable record (parts, encumbrances, settlement), by receivable id.
inline constexpr std::string_view kReceivablePrefix = "fin/rcv/";
inline std::string Receivable(std::string_view id) { return Cat({kReceivablePrefix, id}); }
// {state} of an invoice fingerprint / invoice key (absent: free).
inline constexpr std::string_view kFingerprintPrefix = "fin/fp/";
inline std::string Fingerprint(std::string_view fp_hex) {
  return Cat({kFingerprintPrefix, fp_hex});
}
inline constexpr std::string_view kInvoiceKeyPrefix = "fin/ik/";
inline std::string InvoiceKey(std::string_view ik_hex) { return Cat({kInvoiceKeyPrefix, ik_hex}); }
// {receivable} registered under a fingerprint (party-only).
inline constexpr std::string_view kFingerprintIdPrefix = "fin/fpid/";
inline std::string FingerprintId(std::string_view fp_hex) {
  return Cat({kFingerprintIdPrefix, fp_hex});
}
// "" — the org is or was a party of the receivable.
inline constexpr std::string_view kPartyPrefix = "fin/party/";
inline std::string PartyPrefix(std::string_view org) { return Cat({kPartyPrefix, org, " "}); }
inline std::string Party(std::string_view org, std::string_view id) {
  return Cat({kPartyPrefix, org, " ", id});
}
// History entries of a receivable, in order.
inline constexpr std::string_view kHistoryPrefix = "fin/hist/";
inline std::string HistoryPrefix(std::string_view id) { return Cat({kHistoryPrefix, id, " "}); }
inline std::string History(std::string_view id, uint64_t seq) {
  return Cat({kHistoryPrefix, id, " ", SeqPart(seq)});
}
// A refused re-registration of a fingerprint (audit; docs/finance.md §7).
inline constexpr std::string_view kAttemptPrefix = "fin/attempt/";
inline std::string AttemptPrefix(std::string_view fp_hex) {
  return Cat({kAttemptPrefix, fp_hex, " "});
}
std::string Attempt(std::string_view fp_hex, uint64_t height, uint32_t index);

}  // namespace tidemark::state_keys::fin
