// prov_util.h — helpers for the provenance tests: a consortium and EPCIS event builders.
#pragma once

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/provenance.h"

namespace tidemark::contracts::testing {

inline void Consortium(Chain& c) {
  c.Init({{"brand", {Role::kBrand, Role::kManufacturer}},
          {"forwarder", {Role::kForwarder, Role::kExporter}},
          {"broker", {Role::kCustomsBroker}},
          {"customs", {Role::kCustoms}},
          {"inspector", {Role::kInspector}},
          {"warehouse", {Role::kBondedWarehouse}},
          {"retail", {Role::kRetailer}},
          {"regulator", {Role::kRegulator}}});
}

inline nlohmann::json Ev(const std::string& type, const std::string& action,
                         const std::string& biz_step, std::vector<std::string> epcs,
                         const std::string& time = "2024-03-01T10:00:00Z") {
  nlohmann::json e = {{"type", type},
                      {"eventTime", time},
                      {"eventTimeZoneOffset", "+00:00"},
                      {"bizStep", biz_step}};
  if (!action.empty()) e["action"] = action;
  if (type == "AggregationEvent") {
    e["childEPCs"] = epcs;
  } else if (!epcs.empty()) {
    e["epcList"] = epcs;
  }
  return e;
}

inline Receipt Capture(Chain& c, const std::string& signer,
                       const std::vector<nlohmann::json>& evs) {
  Value::List list;
  for (size_t i = 0; i < evs.size(); ++i) {
    auto v = ParseEpcisEvent(evs[i]);
    if (!v.ok()) {
      Receipt r;
      r.status = TxStatus::kRejected;
      r.reason = "PARSE: " + v.status().message();
      return r;
    }
    list.push_back(*v);
  }
  return c.Call(signer, "prov", "capture", Value::Map{{"events", Value(list)}});
}

// The legitimate custody handover: `from` (a key of the holder) offers `items` to org `to`, whose
// admin accepts. Returns the first receipt that failed, or the acceptance.
inline Receipt Handover(Chain& c, const std::string& from, const std::string& to,
                        const std::vector<std::string>& items) {
  Value::List l(items.begin(), items.end());
  Receipt offer =
      c.Call(from, "prov", "transfer_custody", Value::Map{{"items", Value(l)}, {"to", to}});
  if (offer.status != TxStatus::kCommitted) return offer;
  return c.Call(to + "/admin", "prov", "accept_custody", Value::Map{{"items", Value(l)}});
}

// The holder `holder_org` engages the customs broker `broker_org` to declare the goods it holds.
inline Receipt EngageBroker(Chain& c, const std::string& holder_org,
                            const std::string& broker_org) {
  return c.Call(
      holder_org + "/admin", "prov", "delegate",
      Value::Map{{"holder", holder_org}, {"org", broker_org}, {"acts", Value::List{"customs"}}});
}

inline std::string CustodyOf(Chain& c, const std::string& id) {
  auto obj = GetObject(c.state, id);
  if (!obj.ok() || !obj->has_value()) return "<none>";
  return (*obj)->Find("custody")->as_string();
}

// Every state entry except the signers' nonces (which any tx that reaches a contract spends).
inline std::map<std::string, Bytes> Snapshot(const Chain& c) {
  std::map<std::string, Bytes> out = c.state.entries();
  for (auto it = out.begin(); it != out.end();) {
    it = it->first.rfind("sys/nonce/", 0) == 0 ? out.erase(it) : std::next(it);
  }
  return out;
}

inline std::string StateOf(Chain& c, const std::string& id) {
  auto obj = GetObject(c.state, id);
  if (!obj.ok() || !obj->has_value()) return "<none>";
  return (*obj)->Find("state")->as_string();
}

}  // namespace tidemark::contracts::testing
