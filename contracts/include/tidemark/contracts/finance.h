// finance.h — the "fin" contract: receivables registered from invoices, confirmed by the debtor
// (optionally only against delivery evidence on the ledger), split and transferred down the
// supply chain, financed by one bank at a time, settled at maturity; plus the pure reads the
// node's REST layer serves. docs/finance.md is the specification: the record (§5), the state
// machines (§6), every method with its caller and the rule behind each refusal (§7), the
// invariants (§8). State keys are built only by tidemark/state_keys/finance.h; fingerprints by
// tidemark/fin_fingerprint.h.
//
// Writes (contract "fin"; args are Value maps; amounts are integers in minor units):
//   register       {debtor, currency, contract:{number,hash}, invoices:[{number, amount, tax,
//                   date, hash}], issue_date, due_date, refs?:[{type,id}], require_delivery?}
//                                                       any key of the creditor (= signer's) org
//   confirm {id} | dispute {id, reason_hash} | reject {id, reason_hash} | settle {id}   debtor
//   resolve {id} | cancel {id}                                                        creditor
//   split {part, amounts:[..]} | transfer {part, to} | offer_finance {part, bank, kind, amount}
//   | withdraw_offer {part}                                                 holder of the part
//   accept_finance {part}                              a BANK key of the offered bank's org
//   release {part}                                     the financier of the active encumbrance
// Every refusal is INVALID_ARGUMENT / PERMISSION_DENIED / FAILED_PRECONDITION whose message
// starts with "rule fin-<name>: " and changes nothing — except that a registration refused by
// fin-duplicate leaves an audit record (fin/attempt/..., event fin.duplicate_attempt; framework.h
// AuditSink). Identity of the caller is the signer's organisation; block time comes from
// TxContext only.
//
// Reads (pure, over any StateView; what GET /v1/fin/... calls after its own access check):
//   TM_ASSIGN_OR_RETURN(std::optional<Value> rec, LoadReceivable(view,
//   "rcv_0a1b2c3d4e5f60718293")); if (rec && IsFinParty(*rec, reader_org)) ...
//   TM_ASSIGN_OR_RETURN(std::string st, FinStateOfFingerprint(view, fp_hex));  // "free", ...
//
// Thread safety: the contract object is immutable; reads take a const view.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/contracts/framework.h"

namespace tidemark::contracts {

class FinanceContract : public Contract {
 public:
  std::string_view name() const override { return "fin"; }
  Status Execute(const TxContext& ctx, std::string_view method, const Value& args, StateView& state,
                 EventSink& events) const override;
};

// Receivable states (record "state", docs/finance.md §6).
inline constexpr std::string_view kRcvRegistered = "REGISTERED";
inline constexpr std::string_view kRcvConfirmed = "CONFIRMED";
inline constexpr std::string_view kRcvDisputed = "DISPUTED";
inline constexpr std::string_view kRcvRejected = "REJECTED";
inline constexpr std::string_view kRcvCancelled = "CANCELLED";
inline constexpr std::string_view kRcvSettled = "SETTLED";
// Part states.
inline constexpr std::string_view kPartActive = "ACTIVE";
inline constexpr std::string_view kPartSplit = "SPLIT";
inline constexpr std::string_view kPartSettled = "SETTLED";
inline constexpr std::string_view kPartCancelled = "CANCELLED";
// Encumbrance states.
inline constexpr std::string_view kEncActive = "ACTIVE";
inline constexpr std::string_view kEncReleased = "RELEASED";
inline constexpr std::string_view kEncSettled = "SETTLED";
// States of a fingerprint / invoice key ("free": absent).
inline constexpr std::string_view kFpFree = "free";
inline constexpr std::string_view kFpRegistered = "registered";
inline constexpr std::string_view kFpEncumbered = "encumbered";
inline constexpr std::string_view kFpClosed = "closed";

inline constexpr size_t kMaxFinParts = 256;     // parts of one receivable, root included
inline constexpr size_t kMaxFinSplitWays = 16;  // children of one split
// A part id ("rcv_…" + ".k" per level) is at most this long, which bounds the record's size
// (and so the state value, ≤ kMaxStateValueLen) whatever the splits.
inline constexpr size_t kMaxFinPartIdLen = 128;
inline constexpr size_t kMaxFinInvoices = 64;    // invoices of one receivable
inline constexpr size_t kMaxFinRefs = 16;        // delivery references of one receivable
inline constexpr int64_t kMaxFinTermDays = 366;  // due_date - issue_date

// "rcv_" + the first 20 hex digits of the registering tx id.
std::string ReceivableIdFor(const Hash256& tx_id);
// The receivable id a part id belongs to ("rcv_x.2.1" -> "rcv_x"); "" if not a part id.
std::string ReceivableOfPart(std::string_view part_id);

// The receivable record (docs/finance.md §5), or nullopt. Callers serving it must check
// IsFinParty (or the REGULATOR role) first.
Result<std::optional<Value>> LoadReceivable(const StateView& view, std::string_view id);
// Whether `org` is or was a party of the record (creditor, debtor, a holder, an offered bank or
// financier): the orgs that may read it.
bool IsFinParty(const Value& record, std::string_view org);
// The ids of the receivables `org` is or was a party of (fin/party rows), ascending, those after
// `after` (exclusive; "" from the first), at most `limit`: a borrower's view, a cursor page.
std::vector<std::string> ReceivablesOfParty(const StateView& view, std::string_view org,
                                            std::string_view after = "", size_t limit = 1000);
// The history entries of a receivable, oldest first: {seq, height, time_ms, tx, action, org,
// signer, args, ...} (args as the tx gave them: a replay of these calls rebuilds the record).
Result<std::vector<Value>> LoadFinHistory(const StateView& view, std::string_view id);
// "free" (absent), "registered", "encumbered" or "closed": what any BANK may learn.
Result<std::string> FinStateOfFingerprint(const StateView& view, std::string_view fp_hex);
Result<std::string> FinStateOfInvoiceKey(const StateView& view, std::string_view ik_hex);
// The receivable registered under a fingerprint or invoice key (party-only), or nullopt.
Result<std::optional<std::string>> ReceivableOfFingerprint(const StateView& view,
                                                           std::string_view hex);
// The state a receivable record gives its fingerprints: closed / encumbered / registered.
std::string FingerprintStateOf(const Value& record);
// CONFIRMED and `now_ms` (a block time) is on a day after the due date.
bool IsOverdue(const Value& record, int64_t now_ms);
// Who would be paid what if the receivable settled now: [{part, org, amount, as}] for every
// ACTIVE leaf, in part-id order (as: holder / factor / pledgee). Their amounts add up to the
// record's amount when the record is CONFIRMED.
Value::List SettlementPayees(const Value& record);

}  // namespace tidemark::contracts
