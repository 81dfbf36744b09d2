#include "tidemark/client/contract_calls.h"

namespace tidemark::client {

namespace {

Value Strings(const std::vector<std::string>& v) { return Value(Value::List(v.begin(), v.end())); }

// Adds `value` under `key` unless it is empty (optional arguments).
void Opt(Value::Map& m, const char* key, const std::string& value) {
  if (!value.empty()) m[key] = value;
}

}  // namespace

Result<TxOutcome> EnrolKey(LedgerClient& c, const KeyPair& admin, const PublicKey& member,
                           const std::vector<std::string>& roles, const std::string& label) {
  Value::Map m{{"key", member.Hex()}, {"roles", Strings(roles)}};
  Opt(m, "label", label);
  return c.Call(admin, "identity", "enrol_key", Value(m));
}

Result<TxOutcome> RevokeKey(LedgerClient& c, const KeyPair& admin, const PublicKey& key) {
  return c.Call(admin, "identity", "revoke_key", Value::MakeMap({{"key", key.Hex()}}));
}

Result<TxOutcome> SetServiceKey(LedgerClient& c, const KeyPair& admin, const PublicKey& key) {
  return c.Call(admin, "identity", "set_service_key", Value::MakeMap({{"key", key.Hex()}}));
}

Result<TxOutcome> Propose(LedgerClient& c, const KeyPair& admin, const Value& proposal) {
  return c.Call(admin, "gov", "propose", proposal);
}

Result<TxOutcome> Vote(LedgerClient& c, const KeyPair& admin, int64_t proposal, bool yes) {
  return c.Call(admin, "gov", "vote", Value::MakeMap({{"proposal", proposal}, {"yes", yes}}));
}

Result<TxOutcome> RegisterProduct(LedgerClient& c, const KeyPair& key, const Product& p) {
  Value::Map m{{"gtin", p.gtin}, {"name", p.name}, {"origin_country", p.origin_country}};
  Opt(m, "brand", p.brand);
  Opt(m, "description", p.description);
  if (p.company_prefix_length > 0) m["company_prefix_length"] = p.company_prefix_length;
  return c.Call(key, "prov", "register_product", Value(m));
}

Result<TxOutcome> RegisterLot(LedgerClient& c, const KeyPair& key, const Lot& l) {
  Value::Map m{{"gtin", l.gtin}, {"lot", l.lot}};
  Opt(m, "production_date", l.production_date);
  Opt(m, "expiry_date", l.expiry_date);
  return c.Call(key, "prov", "register_lot", Value(m));
}

Result<TxOutcome> RegisterLocation(LedgerClient& c, const KeyPair& key, const Location& l) {
  Value::Map m{{"gln", l.gln}, {"name", l.name}};
  Opt(m, "country", l.country);
  Opt(m, "kind", l.kind);
  return c.Call(key, "prov", "register_location", Value(m));
}

Result<TxOutcome> RegisterParty(LedgerClient& c, const KeyPair& key, const std::string& id,
                                const std::string& name, const std::string& country) {
  Value::Map m{{"id", id}, {"name", name}};
  Opt(m, "country", country);
  return c.Call(key, "prov", "register_party", Value(m));
}

Result<TxOutcome> CaptureEvents(LedgerClient& c, const KeyPair& key,
                                const std::vector<Value>& events) {
  return c.Call(key, "prov", "capture",
                Value::MakeMap({{"events", Value(Value::List(events.begin(), events.end()))}}));
}

Result<TxOutcome> CustomsDeclare(LedgerClient& c, const KeyPair& broker, const Declaration& d) {
  Value::Map m{{"declaration_no", d.declaration_no},
               {"mode", d.mode},
               {"order_no", d.order_no},
               {"payment_no", d.payment_no},
               {"waybill_no", d.waybill_no},
               {"items", Strings(d.items)}};
  Opt(m, "origin_country", d.origin_country);
  return c.Call(broker, "prov", "customs_declare", Value(m));
}

Result<TxOutcome> CustomsDecide(LedgerClient& c, const KeyPair& customs, const std::string& verb,
                                const std::string& declaration_no) {
  if (verb != "inspect" && verb != "release" && verb != "return") {
    return Status::Invalid("customs decision: inspect, release or return, not '" + verb + "'");
  }
  return c.Call(customs, "prov", "customs_" + verb,
                Value::MakeMap({{"declaration_no", declaration_no}}));
}

Result<TxOutcome> CustomsReject(LedgerClient& c, const KeyPair& customs,
                                const std::string& declaration_no, const std::string& reason) {
  return c.Call(customs, "prov", "customs_reject",
                Value::MakeMap({{"declaration_no", declaration_no}, {"reason", reason}}));
}

Result<TxOutcome> Certify(LedgerClient& c, const KeyPair& inspector, const Certificate& cert) {
  return c.Call(inspector, "prov", "certify",
                Value::MakeMap({{"certificate_id", cert.certificate_id},
                                {"result", cert.result},
                                {"report_sha256", cert.report_sha256},
                                {"issue_date", cert.issue_date},
                                {"expiry_date", cert.expiry_date},
                                {"lots", Strings(cert.lots)}}));
}

Result<TxOutcome> Recall(LedgerClient& c, const KeyPair& key, const std::string& lot,
                         const std::string& reason, const std::string& recall_id) {
  Value::Map m{{"lot", lot}, {"reason", reason}};
  Opt(m, "recall_id", recall_id);
  return c.Call(key, "prov", "recall", Value(m));
}

namespace {

Value::Map ScopeArgs(const DelegationScope& s) {
  Value::Map m{{"org", s.org}};
  Opt(m, "gtin", s.gtin);
  Opt(m, "location", s.location);
  Opt(m, "holder", s.holder);
  return m;
}

}  // namespace

Result<TxOutcome> Delegate(LedgerClient& c, const KeyPair& owner, const DelegationScope& scope,
                           const std::vector<std::string>& acts) {
  Value::Map m = ScopeArgs(scope);
  if (!acts.empty()) m["acts"] = Strings(acts);
  return c.Call(owner, "prov", "delegate", Value(m));
}

Result<TxOutcome> RevokeDelegation(LedgerClient& c, const KeyPair& owner,
                                   const DelegationScope& scope) {
  return c.Call(owner, "prov", "revoke_delegation", Value(ScopeArgs(scope)));
}

Result<TxOutcome> TransferCustody(LedgerClient& c, const KeyPair& holder,
                                  const std::vector<std::string>& items,
                                  const std::string& to_org) {
  return c.Call(holder, "prov", "transfer_custody",
                Value::MakeMap({{"items", Strings(items)}, {"to", to_org}}));
}

Result<TxOutcome> AcceptCustody(LedgerClient& c, const KeyPair& receiver,
                                const std::vector<std::string>& items) {
  return c.Call(receiver, "prov", "accept_custody", Value::MakeMap({{"items", Strings(items)}}));
}

Value FinRegisterArgs(const FinReceivable& r) {
  Value::List invoices;
  for (const FinInvoice& i : r.invoices) {
    invoices.push_back(Value::MakeMap({{"number", i.number},
                                       {"amount", i.amount},
                                       {"tax", i.tax},
                                       {"date", i.date},
                                       {"hash", i.hash}}));
  }
  Value::Map m{
      {"debtor", r.debtor},
      {"currency", r.currency},
      {"contract", Value::MakeMap({{"number", r.contract_number}, {"hash", r.contract_hash}})},
      {"invoices", Value(invoices)},
      {"issue_date", r.issue_date},
      {"due_date", r.due_date}};
  if (!r.refs.empty()) {
    Value::List refs;
    for (const FinRef& ref : r.refs) {
      refs.push_back(Value::MakeMap({{"type", ref.type}, {"id", ref.id}}));
    }
    m["refs"] = Value(refs);
  }
  if (r.require_delivery) m["require_delivery"] = true;
  return Value(m);
}

std::string ReceivableIdOf(const Hash256& register_tx) {
  return "rcv_" + register_tx.Hex().substr(0, 20);
}

Result<TxOutcome> FinRegister(LedgerClient& c, const KeyPair& creditor, const FinReceivable& r) {
  return c.Call(creditor, "fin", "register", FinRegisterArgs(r));
}

namespace {

Result<TxOutcome> FinById(LedgerClient& c, const KeyPair& key, const char* method,
                          const std::string& id) {
  return c.Call(key, "fin", method, Value::MakeMap({{"id", id}}));
}

Result<TxOutcome> FinByPart(LedgerClient& c, const KeyPair& key, const char* method,
                            const std::string& part) {
  return c.Call(key, "fin", method, Value::MakeMap({{"part", part}}));
}

}  // namespace

Result<TxOutcome> FinConfirm(LedgerClient& c, const KeyPair& debtor, const std::string& id) {
  return FinById(c, debtor, "confirm", id);
}

Result<TxOutcome> FinDispute(LedgerClient& c, const KeyPair& debtor, const std::string& id,
                             const std::string& reason_hash) {
  return c.Call(debtor, "fin", "dispute",
                Value::MakeMap({{"id", id}, {"reason_hash", reason_hash}}));
}

Result<TxOutcome> FinResolve(LedgerClient& c, const KeyPair& creditor, const std::string& id) {
  return FinById(c, creditor, "resolve", id);
}

Result<TxOutcome> FinReject(LedgerClient& c, const KeyPair& debtor, const std::string& id,
                            const std::string& reason_hash) {
  return c.Call(debtor, "fin", "reject",
                Value::MakeMap({{"id", id}, {"reason_hash", reason_hash}}));
}

Result<TxOutcome> FinCancel(LedgerClient& c, const KeyPair& creditor, const std::string& id) {
  return FinById(c, creditor, "cancel", id);
}

Result<TxOutcome> FinSplit(LedgerClient& c, const KeyPair& holder, const std::string& part,
                           const std::vector<int64_t>& amounts) {
  Value::List l(amounts.begin(), amounts.end());
  return c.Call(holder, "fin", "split", Value::MakeMap({{"part", part}, {"amounts", Value(l)}}));
}

Result<TxOutcome> FinTransfer(LedgerClient& c, const KeyPair& holder, const std::string& part,
                              const std::string& to_org) {
  return c.Call(holder, "fin", "transfer", Value::MakeMap({{"part", part}, {"to", to_org}}));
}

Result<TxOutcome> FinOfferFinance(LedgerClient& c, const KeyPair& holder, const std::string& part,
                                  const std::string& bank, const std::string& kind,
                                  int64_t amount) {
  return c.Call(
      holder, "fin", "offer_finance",
      Value::MakeMap({{"part", part}, {"bank", bank}, {"kind", kind}, {"amount", amount}}));
}

Result<TxOutcome> FinWithdrawOffer(LedgerClient& c, const KeyPair& holder,
                                   const std::string& part) {
  return FinByPart(c, holder, "withdraw_offer", part);
}

Result<TxOutcome> FinAcceptFinance(LedgerClient& c, const KeyPair& bank, const std::string& part) {
  return FinByPart(c, bank, "accept_finance", part);
}

Result<TxOutcome> FinRelease(LedgerClient& c, const KeyPair& financier, const std::string& part) {
  return FinByPart(c, financier, "release", part);
}

Result<TxOutcome> FinSettle(LedgerClient& c, const KeyPair& debtor, const std::string& id) {
  return FinById(c, debtor, "settle", id);
}

std::string PlgIdOf(const std::string& prefix, const Hash256& tx) {
  return prefix + tx.Hex().substr(0, 20);
}

namespace {

void PutIf(Value::Map& m, const char* k, const std::string& v) {
  if (!v.empty()) m[k] = v;
}

Result<TxOutcome> Plg(LedgerClient& c, const KeyPair& key, const char* method, Value args) {
  return c.Call(key, "plg", method, std::move(args));
}

Value ByPledge(const std::string& pledge) { return Value::MakeMap({{"pledge", pledge}}); }
Value ByReceipt(const std::string& r) { return Value::MakeMap({{"receipt", r}}); }

}  // namespace

Value IpAssetRegisterArgs(const IpAsset& a) {
  Value::Map m{{"kind", a.kind},
               {"number", a.number},
               {"title", a.title},
               {"owners", Strings(a.owners)},
               {"filing_date", a.filing_date},
               {"expiry_date", a.expiry_date},
               {"status", a.status}};
  PutIf(m, "grant_date", a.grant_date);
  PutIf(m, "annuity_paid_until", a.annuity_paid_until);
  return Value(m);
}

Value IpAssetUpdateArgs(const IpAssetChange& u) {
  Value::Map m{{"asset", u.asset}};
  PutIf(m, "status", u.status);
  PutIf(m, "annuity_paid_until", u.annuity_paid_until);
  PutIf(m, "expiry_date", u.expiry_date);
  PutIf(m, "grant_date", u.grant_date);
  return Value(m);
}

Value IpApplyArgs(const IpApplication& a) {
  return Value::MakeMap({{"asset", a.asset},
                         {"pledgee", a.pledgee},
                         {"debt_amount", a.debt_amount},
                         {"currency", a.currency},
                         {"debt_start", a.debt_start},
                         {"debt_due", a.debt_due},
                         {"contract_hash", a.contract_hash}});
}

Value PlgChangeArgs(const PlgChange& ch) {
  Value::Map m{{"pledge", ch.pledge}, {"application_hash", ch.application_hash}};
  if (ch.debt_amount) m["debt_amount"] = *ch.debt_amount;
  if (ch.amount) m["amount"] = *ch.amount;
  PutIf(m, "debt_due", ch.debt_due);
  return Value(m);
}

Value EqHoldingArgs(const EqHoldingRecord& h) {
  return Value::MakeMap({{"org", h.org},
                         {"uscc", h.uscc},
                         {"company", h.company},
                         {"listed", h.listed},
                         {"amount", h.amount}});
}

Value EqApplyArgs(const EqApplication& a) {
  return Value::MakeMap({{"uscc", a.uscc},
                         {"pledgee", a.pledgee},
                         {"amount", a.amount},
                         {"debt_amount", a.debt_amount},
                         {"currency", a.currency},
                         {"debt_due", a.debt_due},
                         {"contract_hash", a.contract_hash}});
}

Value WrIssueArgs(const WrIssuance& w) {
  Value::Map m{{"items", Strings(w.items)}};
  PutIf(m, "depositor", w.depositor);
  PutIf(m, "description", w.description);
  return Value(m);
}

Value WrOfferArgs(const WrPledgeOffer& o) {
  return Value::MakeMap({{"receipt", o.receipt},
                         {"bank", o.bank},
                         {"amount", o.amount},
                         {"currency", o.currency},
                         {"debt_due", o.debt_due}});
}

Value WrReleaseArgs(const std::string& receipt, const std::vector<std::string>& items,
                    int64_t quantity) {
  Value::Map m{{"receipt", receipt}};
  if (!items.empty()) {
    m["items"] = Strings(items);
  } else if (quantity > 0) {
    m["quantity"] = quantity;
  }
  return Value(m);
}

Result<TxOutcome> IpAssetRegister(LedgerClient& c, const KeyPair& registry, const IpAsset& a) {
  return Plg(c, registry, "ip_asset_register", IpAssetRegisterArgs(a));
}
Result<TxOutcome> IpAssetUpdate(LedgerClient& c, const KeyPair& registry, const IpAssetChange& u) {
  return Plg(c, registry, "ip_asset_update", IpAssetUpdateArgs(u));
}
Result<TxOutcome> IpTransfer(LedgerClient& c, const KeyPair& owner, const std::string& asset,
                             const std::vector<std::string>& to) {
  return Plg(c, owner, "ip_transfer", Value::MakeMap({{"asset", asset}, {"to", Strings(to)}}));
}
Result<TxOutcome> IpLicence(LedgerClient& c, const KeyPair& owner, const std::string& asset,
                            const std::string& licensee, const std::string& contract_hash) {
  return Plg(
      c, owner, "ip_licence",
      Value::MakeMap({{"asset", asset}, {"licensee", licensee}, {"contract_hash", contract_hash}}));
}
Result<TxOutcome> IpPledgeeConsent(LedgerClient& c, const KeyPair& pledgee,
                                   const std::string& pledge, const std::string& action,
                                   const std::string& to) {
  return Plg(c, pledgee, "ip_pledgee_consent",
             Value::MakeMap({{"pledge", pledge}, {"action", action}, {"to", to}}));
}
Result<TxOutcome> IpApply(LedgerClient& c, const KeyPair& pledgor, const IpApplication& a) {
  return Plg(c, pledgor, "ip_apply", IpApplyArgs(a));
}
Result<TxOutcome> IpAccept(LedgerClient& c, const KeyPair& bank, const std::string& pledge,
                           bool acknowledge_invalidation) {
  Value::Map m{{"pledge", pledge}};
  if (acknowledge_invalidation) m["acknowledge_invalidation"] = true;
  return Plg(c, bank, "ip_accept", Value(m));
}
Result<TxOutcome> IpConsent(LedgerClient& c, const KeyPair& co_owner, const std::string& pledge) {
  return Plg(c, co_owner, "ip_consent", ByPledge(pledge));
}
Result<TxOutcome> IpRegister(LedgerClient& c, const KeyPair& registry, const std::string& pledge,
                             const std::string& registration_no) {
  return Plg(c, registry, "ip_register",
             Value::MakeMap({{"pledge", pledge}, {"registration_no", registration_no}}));
}
Result<TxOutcome> IpChange(LedgerClient& c, const KeyPair& registry, const PlgChange& ch) {
  return Plg(c, registry, "ip_change", PlgChangeArgs(ch));
}
Result<TxOutcome> IpObject(LedgerClient& c, const KeyPair& party, const std::string& pledge,
                           const std::string& reason_hash) {
  return Plg(c, party, "ip_object",
             Value::MakeMap({{"pledge", pledge}, {"reason_hash", reason_hash}}));
}
Result<TxOutcome> IpResolveObjection(LedgerClient& c, const KeyPair& registry,
                                     const std::string& pledge, bool upheld) {
  return Plg(c, registry, "ip_resolve_objection",
             Value::MakeMap({{"pledge", pledge}, {"upheld", upheld}}));
}
Result<TxOutcome> IpRelease(LedgerClient& c, const KeyPair& pledgee, const std::string& pledge) {
  return Plg(c, pledgee, "ip_release", ByPledge(pledge));
}
Result<TxOutcome> IpEnforce(LedgerClient& c, const KeyPair& registry, const std::string& pledge,
                            const std::vector<std::string>& to) {
  return Plg(c, registry, "ip_enforce", Value::MakeMap({{"pledge", pledge}, {"to", Strings(to)}}));
}
Result<TxOutcome> IpExpire(LedgerClient& c, const KeyPair& registry, const std::string& pledge) {
  return Plg(c, registry, "ip_expire", ByPledge(pledge));
}
Result<TxOutcome> IpWithdraw(LedgerClient& c, const KeyPair& pledgor, const std::string& pledge) {
  return Plg(c, pledgor, "ip_withdraw", ByPledge(pledge));
}
Result<TxOutcome> PlgReview(LedgerClient& c, const KeyPair& key, const std::string& subject) {
  return Plg(c, key, "review", Value::MakeMap({{"subject", subject}}));
}

Result<TxOutcome> EqHolding(LedgerClient& c, const KeyPair& registrar, const EqHoldingRecord& h) {
  return Plg(c, registrar, "eq_holding", EqHoldingArgs(h));
}
Result<TxOutcome> EqApply(LedgerClient& c, const KeyPair& pledgor, const EqApplication& a) {
  return Plg(c, pledgor, "eq_apply", EqApplyArgs(a));
}
Result<TxOutcome> EqAccept(LedgerClient& c, const KeyPair& bank, const std::string& pledge) {
  return Plg(c, bank, "eq_accept", ByPledge(pledge));
}
Result<TxOutcome> EqRegister(LedgerClient& c, const KeyPair& registrar, const std::string& pledge,
                             const std::string& registration_no) {
  return Plg(c, registrar, "eq_register",
             Value::MakeMap({{"pledge", pledge}, {"registration_no", registration_no}}));
}
Result<TxOutcome> EqChange(LedgerClient& c, const KeyPair& registrar, const PlgChange& ch) {
  return Plg(c, registrar, "eq_change", PlgChangeArgs(ch));
}
Result<TxOutcome> EqRelease(LedgerClient& c, const KeyPair& pledgee, const std::string& pledge) {
  return Plg(c, pledgee, "eq_release", ByPledge(pledge));
}
// The holding itself is not moved: the registrar records the new holdings with eq_holding (§14).
Result<TxOutcome> EqEnforce(LedgerClient& c, const KeyPair& registrar, const std::string& pledge) {
  return Plg(c, registrar, "eq_enforce", ByPledge(pledge));
}
Result<TxOutcome> EqWithdraw(LedgerClient& c, const KeyPair& pledgor, const std::string& pledge) {
  return Plg(c, pledgor, "eq_withdraw", ByPledge(pledge));
}

Result<TxOutcome> WrIssue(LedgerClient& c, const KeyPair& warehouse, const WrIssuance& w) {
  return Plg(c, warehouse, "wr_issue", WrIssueArgs(w));
}
Result<TxOutcome> WrOffer(LedgerClient& c, const KeyPair& holder, const WrPledgeOffer& o) {
  return Plg(c, holder, "wr_offer", WrOfferArgs(o));
}
Result<TxOutcome> WrAccept(LedgerClient& c, const KeyPair& bank, const std::string& receipt) {
  return Plg(c, bank, "wr_accept", ByReceipt(receipt));
}
Result<TxOutcome> WrRelease(LedgerClient& c, const KeyPair& bank, const std::string& receipt,
                            const std::vector<std::string>& items, int64_t quantity) {
  return Plg(c, bank, "wr_release", WrReleaseArgs(receipt, items, quantity));
}
Result<TxOutcome> WrCancel(LedgerClient& c, const KeyPair& issuer, const std::string& receipt) {
  return Plg(c, issuer, "wr_cancel", ByReceipt(receipt));
}
Result<TxOutcome> WrTransfer(LedgerClient& c, const KeyPair& holder, const std::string& receipt,
                             const std::string& to) {
  return Plg(c, holder, "wr_transfer", Value::MakeMap({{"receipt", receipt}, {"to", to}}));
}

}  // namespace tidemark::client
