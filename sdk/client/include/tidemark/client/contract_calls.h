// contract_calls.h — one typed call per contract operation, over LedgerClient::Call (sign at the
// next nonce, submit, wait for the final receipt). The node's contracts validate everything; the
// CLI (cli/) checks arguments before calling.
//
//   LedgerClient c(url, "");
//   TM_ASSIGN_OR_RETURN(TxOutcome o, RegisterProduct(c, brand_key,
//       {.gtin = "09421234100013", .name = "Stage 1 800 g", .origin_country = "NZ"}));
//   if (o.status != "committed") ...   // o.reason says why
//   TM_ASSIGN_OR_RETURN(o, CustomsDecide(c, customs_key, "release", "D-1"));
//
//   // Supply-chain finance (docs/finance.md §7): register an invoice, the debtor confirms.
//   FinReceivable r{.debtor = "platform", .currency = "CNY", .contract_number = "C-1",
//                   .contract_hash = hex64, .invoices = {{"INV-1", 1250000, 0, "2026-11-30",
//                   hex64}}, .issue_date = "2026-11-30", .due_date = "2027-05-30"};
//   TM_ASSIGN_OR_RETURN(o, FinRegister(c, creditor_key, r));
//   std::string id = ReceivableIdOf(o.id);            // "rcv_" + 20 hex digits of the tx id
//   TM_ASSIGN_OR_RETURN(o, FinConfirm(c, debtor_key, id));
//
// Thread safety: like LedgerClient, one thread at a time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tidemark/client/ledger_client.h"

namespace tidemark::client {

// identity: org admins manage their org's member keys.
Result<TxOutcome> EnrolKey(LedgerClient& c, const KeyPair& admin, const PublicKey& member,
                           const std::vector<std::string>& roles, const std::string& label = "");
Result<TxOutcome> RevokeKey(LedgerClient& c, const KeyPair& admin, const PublicKey& key);
Result<TxOutcome> SetServiceKey(LedgerClient& c, const KeyPair& admin, const PublicKey& key);

// gov: `proposal` is {kind: add_org | remove_org | add_validator | remove_validator | set_param,
// ...} as in contracts/governance.h.
Result<TxOutcome> Propose(LedgerClient& c, const KeyPair& admin, const Value& proposal);
Result<TxOutcome> Vote(LedgerClient& c, const KeyPair& admin, int64_t proposal, bool yes);

// prov master data.
struct Product {
  std::string gtin, name, origin_country, brand, description;
  int company_prefix_length = 0;  // 0: not given
};
Result<TxOutcome> RegisterProduct(LedgerClient& c, const KeyPair& key, const Product& p);
struct Lot {
  std::string gtin, lot, production_date, expiry_date;  // dates YYYY-MM-DD or ""
};
Result<TxOutcome> RegisterLot(LedgerClient& c, const KeyPair& key, const Lot& l);
struct Location {
  std::string gln, name, country, kind;
};
Result<TxOutcome> RegisterLocation(LedgerClient& c, const KeyPair& key, const Location& l);

Result<TxOutcome> RegisterParty(LedgerClient& c, const KeyPair& key, const std::string& id,
                                const std::string& name, const std::string& country = "");

// prov.capture of parsed EPCIS events (contracts::ParseEpcisEvent / ParseEpcisDocumentText).
Result<TxOutcome> CaptureEvents(LedgerClient& c, const KeyPair& key,
                                const std::vector<Value>& events);

// Customs clearance.
struct Declaration {
  std::string declaration_no, mode, order_no, payment_no, waybill_no, origin_country;
  std::vector<std::string> items;
};
Result<TxOutcome> CustomsDeclare(LedgerClient& c, const KeyPair& broker, const Declaration& d);
// verb: "inspect", "release" or "return".
Result<TxOutcome> CustomsDecide(LedgerClient& c, const KeyPair& customs, const std::string& verb,
                                const std::string& declaration_no);
Result<TxOutcome> CustomsReject(LedgerClient& c, const KeyPair& customs,
                                const std::string& declaration_no, const std::string& reason);

// Inspection certificates and recalls.
struct Certificate {
  std::string certificate_id, result, report_sha256, issue_date, expiry_date;
  std::vector<std::string> lots;
};
Result<TxOutcome> Certify(LedgerClient& c, const KeyPair& inspector, const Certificate& cert);
Result<TxOutcome> Recall(LedgerClient& c, const KeyPair& key, const std::string& lot,
                         const std::string& reason, const std::string& recall_id = "");

// Ownership and custody (docs/provenance.md, "Who may do what to whose object"). A delegation's
// scope is a GTIN, a location, or `holder` (the signer's own org: engaging the customs broker
// `org` for the goods it holds, act "customs") — exactly one non-empty; empty `acts` delegates
// every act.
struct DelegationScope {
  std::string gtin, location, org, holder;
};
Result<TxOutcome> Delegate(LedgerClient& c, const KeyPair& owner, const DelegationScope& scope,
                           const std::vector<std::string>& acts = {});
Result<TxOutcome> RevokeDelegation(LedgerClient& c, const KeyPair& owner,
                                   const DelegationScope& scope);
// The holder offers `items` (containers bring their contents) to `to_org`; the addressee accepts.
Result<TxOutcome> TransferCustody(LedgerClient& c, const KeyPair& holder,
                                  const std::vector<std::string>& items, const std::string& to_org);
Result<TxOutcome> AcceptCustody(LedgerClient& c, const KeyPair& receiver,
                                const std::vector<std::string>& items);

// Supply-chain finance: the `fin` contract's methods (docs/finance.md §7), args exactly as its
// table says. Amounts are minor units; dates YYYY-MM-DD; hashes 64 hex (SHA-256 of the document).
struct FinInvoice {
  std::string number;
  int64_t amount = 0;
  int64_t tax = 0;
  std::string date, hash;
};
struct FinRef {
  std::string type, id;  // EPCIS bizTransaction: type po, desadv, inv...; id as in the event
};
struct FinReceivable {
  std::string debtor, currency, contract_number, contract_hash;
  std::vector<FinInvoice> invoices;
  std::string issue_date, due_date;
  std::vector<FinRef> refs;  // sent only when not empty
  bool require_delivery = false;
};
// The `register` args of `r` (shared by FinRegister and the CLI, so both send the same).
Value FinRegisterArgs(const FinReceivable& r);
// The id of the receivable a `register` tx creates: "rcv_" + the first 20 hex digits of its id.
std::string ReceivableIdOf(const Hash256& register_tx);

inline constexpr const char* kFinKinds[] = {"pledge", "factoring_recourse",
                                            "factoring_nonrecourse"};

Result<TxOutcome> FinRegister(LedgerClient& c, const KeyPair& creditor, const FinReceivable& r);
Result<TxOutcome> FinConfirm(LedgerClient& c, const KeyPair& debtor, const std::string& id);
Result<TxOutcome> FinDispute(LedgerClient& c, const KeyPair& debtor, const std::string& id,
                             const std::string& reason_hash);
Result<TxOutcome> FinResolve(LedgerClient& c, const KeyPair& creditor, const std::string& id);
Result<TxOutcome> FinReject(LedgerClient& c, const KeyPair& debtor, const std::string& id,
                            const std::string& reason_hash);
Result<TxOutcome> FinCancel(LedgerClient& c, const KeyPair& creditor, const std::string& id);
// `amounts` (2..16 of them) add up to the part's amount; the children are part.1 .. part.k.
Result<TxOutcome> FinSplit(LedgerClient& c, const KeyPair& holder, const std::string& part,
                           const std::vector<int64_t>& amounts);
Result<TxOutcome> FinTransfer(LedgerClient& c, const KeyPair& holder, const std::string& part,
                              const std::string& to_org);
// kind: one of kFinKinds.
Result<TxOutcome> FinOfferFinance(LedgerClient& c, const KeyPair& holder, const std::string& part,
                                  const std::string& bank, const std::string& kind, int64_t amount);
Result<TxOutcome> FinWithdrawOffer(LedgerClient& c, const KeyPair& holder, const std::string& part);
Result<TxOutcome> FinAcceptFinance(LedgerClient& c, const KeyPair& bank, const std::string& part);
Result<TxOutcome> FinRelease(LedgerClient& c, const KeyPair& financier, const std::string& part);
Result<TxOutcome> FinSettle(LedgerClient& c, const KeyPair& debtor, const std::string& id);

// Pledge registry: the `plg` contract's methods (docs/finance.md §13-§15), args exactly as its
// tables say. Optional args: an empty string / absent optional is not sent.
// The id of the record a creating tx makes: prefix ("ipp_", "eqp_", "wr_") + the first 20 hex
// digits of the tx id.
std::string PlgIdOf(const std::string& prefix, const Hash256& tx);

struct IpAsset {
  std::string kind, number, title;
  std::vector<std::string> owners;
  std::string filing_date, grant_date, expiry_date, annuity_paid_until, status;
};
Value IpAssetRegisterArgs(const IpAsset& a);
struct IpAssetChange {
  // "" = unchanged; grant_date records a later grant (docs/finance.md §13 choices).
  std::string asset, status, annuity_paid_until, expiry_date, grant_date;
};
Value IpAssetUpdateArgs(const IpAssetChange& u);
struct IpApplication {
  std::string asset, pledgee;
  int64_t debt_amount = 0;
  std::string currency, debt_start, debt_due, contract_hash;
};
Value IpApplyArgs(const IpApplication& a);
struct PlgChange {
  std::string pledge;
  std::optional<int64_t> debt_amount;  // ip: debt_amount; eq: amount is `amount`
  std::optional<int64_t> amount;       // eq only
  std::string debt_due, application_hash;
};
Value PlgChangeArgs(const PlgChange& c);
struct EqHoldingRecord {
  std::string org, uscc, company;
  bool listed = false;
  int64_t amount = 0;
};
Value EqHoldingArgs(const EqHoldingRecord& h);
struct EqApplication {
  std::string uscc, pledgee;
  int64_t amount = 0, debt_amount = 0;
  std::string currency, debt_due, contract_hash;
};
Value EqApplyArgs(const EqApplication& a);
struct WrIssuance {
  std::vector<std::string> items;
  std::string depositor, description;
};
Value WrIssueArgs(const WrIssuance& w);
struct WrPledgeOffer {
  std::string receipt, bank;
  int64_t amount = 0;
  std::string currency, debt_due;
};
Value WrOfferArgs(const WrPledgeOffer& o);
// items non-empty: those; else quantity > 0: the first n; else the whole receipt.
Value WrReleaseArgs(const std::string& receipt, const std::vector<std::string>& items,
                    int64_t quantity);

inline constexpr const char* kIpKinds[] = {"invention", "utility_model", "design",
                                           "trademark", "copyright",     "software_copyright"};
inline constexpr const char* kIpStatuses[] = {"valid",   "fee_unpaid", "invalidation_pending",
                                              "invalid", "expired",    "preservation"};

Result<TxOutcome> IpAssetRegister(LedgerClient& c, const KeyPair& registry, const IpAsset& a);
Result<TxOutcome> IpAssetUpdate(LedgerClient& c, const KeyPair& registry, const IpAssetChange& u);
Result<TxOutcome> IpTransfer(LedgerClient& c, const KeyPair& owner, const std::string& asset,
                             const std::vector<std::string>& to);
Result<TxOutcome> IpLicence(LedgerClient& c, const KeyPair& owner, const std::string& asset,
                            const std::string& licensee, const std::string& contract_hash);
// action: "transfer" (to: the new owners joined by ",", sorted) or "licence" (to: the licensee).
Result<TxOutcome> IpPledgeeConsent(LedgerClient& c, const KeyPair& pledgee,
                                   const std::string& pledge, const std::string& action,
                                   const std::string& to);
Result<TxOutcome> IpApply(LedgerClient& c, const KeyPair& pledgor, const IpApplication& a);
Result<TxOutcome> IpAccept(LedgerClient& c, const KeyPair& bank, const std::string& pledge,
                           bool acknowledge_invalidation = false);
Result<TxOutcome> IpConsent(LedgerClient& c, const KeyPair& co_owner, const std::string& pledge);
Result<TxOutcome> IpRegister(LedgerClient& c, const KeyPair& registry, const std::string& pledge,
                             const std::string& registration_no);
Result<TxOutcome> IpChange(LedgerClient& c, const KeyPair& registry, const PlgChange& ch);
Result<TxOutcome> IpObject(LedgerClient& c, const KeyPair& party, const std::string& pledge,
                           const std::string& reason_hash);
Result<TxOutcome> IpResolveObjection(LedgerClient& c, const KeyPair& registry,
                                     const std::string& pledge, bool upheld);
Result<TxOutcome> IpRelease(LedgerClient& c, const KeyPair& pledgee, const std::string& pledge);
Result<TxOutcome> IpEnforce(LedgerClient& c, const KeyPair& registry, const std::string& pledge,
                            const std::vector<std::string>& to);
Result<TxOutcome> IpExpire(LedgerClient& c, const KeyPair& registry, const std::string& pledge);
Result<TxOutcome> IpWithdraw(LedgerClient& c, const KeyPair& pledgor, const std::string& pledge);
// review {subject} (§16): any active key; subject an IP asset id; re-evaluates the time-based
// alerts.
Result<TxOutcome> PlgReview(LedgerClient& c, const KeyPair& key, const std::string& subject);

Result<TxOutcome> EqHolding(LedgerClient& c, const KeyPair& registrar, const EqHoldingRecord& h);
Result<TxOutcome> EqApply(LedgerClient& c, const KeyPair& pledgor, const EqApplication& a);
Result<TxOutcome> EqAccept(LedgerClient& c, const KeyPair& bank, const std::string& pledge);
Result<TxOutcome> EqRegister(LedgerClient& c, const KeyPair& registrar, const std::string& pledge,
                             const std::string& registration_no);
Result<TxOutcome> EqChange(LedgerClient& c, const KeyPair& registrar, const PlgChange& ch);
Result<TxOutcome> EqRelease(LedgerClient& c, const KeyPair& pledgee, const std::string& pledge);
Result<TxOutcome> EqEnforce(LedgerClient& c, const KeyPair& registrar, const std::string& pledge);
Result<TxOutcome> EqWithdraw(LedgerClient& c, const KeyPair& pledgor, const std::string& pledge);

Result<TxOutcome> WrIssue(LedgerClient& c, const KeyPair& warehouse, const WrIssuance& w);
Result<TxOutcome> WrOffer(LedgerClient& c, const KeyPair& holder, const WrPledgeOffer& o);
Result<TxOutcome> WrAccept(LedgerClient& c, const KeyPair& bank, const std::string& receipt);
Result<TxOutcome> WrRelease(LedgerClient& c, const KeyPair& bank, const std::string& receipt,
                            const std::vector<std::string>& items = {}, int64_t quantity = 0);
Result<TxOutcome> WrCancel(LedgerClient& c, const KeyPair& issuer, const std::string& receipt);
Result<TxOutcome> WrTransfer(LedgerClient& c, const KeyPair& holder, const std::string& receipt,
                             const std::string& to);

}  // namespace tidemark::client
