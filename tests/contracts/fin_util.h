// fin_util.h — helpers for the finance tests: a consortium with creditors, a debtor, banks and a
// stranger, argument builders for fin.register, and a snapshot of the fin/ state.
#pragma once

#include <map>
#include <string>

#include "prov_util.h"
#include "tidemark/contracts/finance.h"
#include "tidemark/fin_fingerprint.h"
#include "tidemark/state_keys/finance.h"

namespace tidemark::contracts::testing {

// supplier (creditor) invoices platform (debtor, core enterprise); trucker is a lower-tier
// supplier; bank1 and bank2 finance; stranger and regulator are nobody's party.
inline void FinConsortium(Chain& c) {
  c.Init({{"supplier", {Role::kBondedWarehouse}},
          {"platform", {Role::kPlatform, Role::kRetailer}},
          {"trucker", {Role::kForwarder}},
          {"bank1", {Role::kBank}},
          {"bank2", {Role::kBank}},
          {"stranger", {Role::kRetailer, Role::kBrand}},
          {"regulator", {Role::kRegulator}}});
}

inline std::string Hex64(char ch) { return std::string(64, ch); }

inline Value Inv(const std::string& number, int64_t amount,
                 const std::string& date = "2026-11-30") {
  return Value::Map{
      {"number", number}, {"amount", amount}, {"tax", 0}, {"date", date}, {"hash", Hex64('a')}};
}

inline Value RegArgs(Value::List invoices, const std::string& debtor = "platform",
                     const std::string& issue = "2026-12-01",
                     const std::string& due = "2027-03-01") {
  return Value::Map{{"debtor", debtor},
                    {"currency", "CNY"},
                    {"contract", Value::Map{{"number", "C-2026-7"}, {"hash", Hex64('c')}}},
                    {"invoices", Value(std::move(invoices))},
                    {"issue_date", issue},
                    {"due_date", due}};
}

inline Value With(Value v, const std::string& key, Value x) {
  v.as_map()[key] = std::move(x);
  return v;
}

inline Value Without(Value v, const std::string& key) {
  v.as_map().erase(key);
  return v;
}

inline std::string IdOf(const Receipt& r) { return ReceivableIdFor(r.tx_id); }

inline Receipt Fin(Chain& c, const std::string& signer, const std::string& method,
                   const Value& args) {
  return c.Call(signer, "fin", method, args);
}

inline Value Record(Chain& c, const std::string& id) {
  auto r = LoadReceivable(c.state, id);
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  return **r;
}

inline Value PartOf(Chain& c, const std::string& part) {
  Value rec = Record(c, ReceivableOfPart(part));
  return rec.Find("parts")->as_map().at(part);
}

inline std::string Str(const Value& v, const std::string& k) {
  const Value* x = v.Find(k);
  return x != nullptr && x->is_string() ? x->as_string() : std::string();
}

// Every fin/ entry of the state.
inline std::map<std::string, Bytes> FinState(const Chain& c) {
  std::map<std::string, Bytes> out;
  for (const auto& [k, v] : c.state.entries()) {
    if (k.rfind("fin/", 0) == 0) out.emplace(k, v);
  }
  return out;
}

inline InvoiceHashes HashesOf(const std::string& creditor, const std::string& debtor,
                              const std::string& number, int64_t amount,
                              const std::string& date = "2026-11-30") {
  auto h = InvoiceFingerprint(
      {.creditor = creditor, .debtor = debtor, .number = number, .amount = amount, .date = date});
  REQUIRE(h.ok());
  return *h;
}

// A receiving event captured by `signer` naming `biz_tx` in its bizTransactionList.
inline Receipt Receive(Chain& c, const std::string& signer, const std::string& biz_tx,
                       const std::string& biz_step = "receiving") {
  auto ev = Ev("ObjectEvent", "OBSERVE", biz_step, {"urn:epc:id:sgtin:0614141.107346.2018"});
  ev["bizTransactionList"] = {{{"type", "po"}, {"bizTransaction", biz_tx}}};
  return Capture(c, signer, {ev});
}

}  // namespace tidemark::contracts::testing
