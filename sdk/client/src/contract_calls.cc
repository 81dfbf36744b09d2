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

}  // namespace tidemark::client
