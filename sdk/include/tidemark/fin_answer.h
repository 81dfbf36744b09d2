// fin_answer.h — checks the node's finance answers without trusting the node (docs/finance.md
// §10): a bank's check of an invoice by fingerprint (GET /v1/fin/check, "is it financed anywhere
// on this ledger?") and a party's read of a receivable (GET /v1/fin/receivables/{id}). For each:
// the bundle verifies from the trust anchor, it proves exactly the keys that were asked — no
// fewer (an unproven claim), no more, no other (a proof for another invoice) — and what the
// answer claims equals what is proven: an absent fingerprint or invoice key is "free" (an
// absence proof), a present one has the proven record's state; a receivable's record is the
// proven one byte for byte (re-encoded canonically), `overdue` follows from it and the
// certified block time, and `as_of` is the certified header. The JS twins are
// verifyFinCheckAnswer / verifyReceivableAnswer (sdk/js/src/finance.js); both pass the
// "fin_answers" of tests/vectors/proof_vectors.json.
//
//   TM_ASSIGN_OR_RETURN(InvoiceHashes h, InvoiceFingerprint(fields));   // fin_fingerprint.h
//   TM_ASSIGN_OR_RETURN(VerifiedFinCheck c,
//                       VerifyFinCheckAnswer(answer, trust, h.fingerprint, h.invoice_key));
//   if (c.state == "free") { /* proven: registered nowhere on this ledger at c.proof.height */ }
//
//   TM_ASSIGN_OR_RETURN(VerifiedReceivable r, VerifyReceivableAnswer(answer, trust, id));
//   r.record["parts"], r.overdue
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/proof_bundle.h"

namespace tidemark {

// The states of a fingerprint or invoice key (docs/finance.md §4); absent = free.
inline constexpr std::string_view kFinFree = "free";

struct FinKeyState {
  std::string key;                       // "fin/fp/<hex>" or "fin/ik/<hex>"
  std::string state;                     // free / registered / encumbered / closed
  std::optional<nlohmann::json> record;  // the proven record (nullopt when free)
};

struct VerifiedFinCheck {
  VerifiedState proof;  // header, signers, proven entries
  FinKeyState fingerprint;
  FinKeyState invoice_key;
  // The invoice's standing: "free" iff both are free, else the first that applies of
  // encumbered, registered, closed (the same invoice under another amount is not free).
  std::string state;
  std::vector<std::string> checked;  // what was compared
};

struct VerifiedReceivable {
  VerifiedState proof;
  nlohmann::json record;  // the proven receivable record (docs/finance.md §5)
  bool overdue = false;   // CONFIRMED and the certified block time is past the due date
  std::vector<std::string> checked;
};

// True iff a receivable in `record` is overdue at block time `time_ms`: its state is CONFIRMED
// and time_ms is at or after 00:00 UTC of the day after its due_date.
bool FinOverdueAt(const nlohmann::json& record, uint64_t time_ms);

// kUnauthenticated with the reason when anything does not hold; kInvalidArgument when what was
// asked is malformed.
Result<VerifiedFinCheck> VerifyFinCheckAnswer(const nlohmann::json& answer,
                                              const TrustAnchor& trust, const Hash256& fingerprint,
                                              const Hash256& invoice_key);
Result<VerifiedReceivable> VerifyReceivableAnswer(const nlohmann::json& answer,
                                                  const TrustAnchor& trust, std::string_view id);

}  // namespace tidemark
