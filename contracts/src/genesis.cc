#include "tidemark/contracts/genesis.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "tidemark/contracts/governance.h"
#include "tidemark/state_keys/identity.h"
#include "tidemark/state_keys/system.h"

namespace tidemark::contracts {

namespace {

Result<Genesis> FromJsonUnchecked(const nlohmann::json& j) {
  if (!j.is_object()) return Status::Invalid("genesis: must be a JSON object");
  Genesis g;
  if (!j.contains("chain_id") || !j["chain_id"].is_string()) {
    return Status::Invalid("genesis.chain_id: required string");
  }
  g.chain_id = j["chain_id"].get<std::string>();
  if (!j.contains("genesis_time_ms") || !j["genesis_time_ms"].is_number_unsigned()) {
    return Status::Invalid("genesis.genesis_time_ms: required non-negative integer");
  }
  g.genesis_time_ms = j["genesis_time_ms"].get<uint64_t>();
  if (!j.contains("orgs") || !j["orgs"].is_array())
    return Status::Invalid("genesis.orgs: required list");
  for (size_t i = 0; i < j["orgs"].size(); ++i) {
    std::string at = "genesis.orgs[" + std::to_string(i) + "]";
    auto v = Value::FromJson(j["orgs"][i]);
    if (!v.ok()) return v.status().WithContext(at);
    auto org = OrgRecord::FromValue(*v);
    if (!org.ok()) return org.status().WithContext(at);
    org->active = true;
    g.orgs.push_back(std::move(*org));
  }
  if (j.contains("params")) {
    if (!j["params"].is_object()) return Status::Invalid("genesis.params: must be an object");
    for (const auto& [name, value] : j["params"].items()) {
      auto v = Value::FromJson(value);
      if (!v.ok()) return v.status().WithContext("genesis.params." + name);
      g.params[name] = std::move(*v);
    }
  }
  return g;
}

}  // namespace

Result<Genesis> Genesis::FromJson(const nlohmann::json& j) {
  Result<Genesis> g = Status::Internal("unset");
  try {
    g = FromJsonUnchecked(j);
  } catch (const nlohmann::json::exception& e) {
    return Status::Invalid(std::string("genesis: ") + e.what());
  }
  if (!g.ok()) return g;
  TM_RETURN_IF_ERROR(g->Validate());
  return g;
}

nlohmann::json Genesis::ToJson() const {
  nlohmann::json orgs_json = nlohmann::json::array();
  for (const auto& o : orgs) {
    nlohmann::json oj{{"id", o.id}, {"name", o.name}};
    oj["roles"] = nlohmann::json::array();
    for (Role r : o.roles) oj["roles"].push_back(std::string(RoleName(r)));
    oj["admin_keys"] = nlohmann::json::array();
    for (const auto& k : o.admin_keys) oj["admin_keys"].push_back(k.Hex());
    if (o.validator_key) oj["validator_key"] = o.validator_key->Hex();
    if (o.service_key) oj["service_key"] = o.service_key->Hex();
    orgs_json.push_back(std::move(oj));
  }
  nlohmann::json params_json = nlohmann::json::object();
  for (const auto& [name, v] : params) params_json[name] = v.ToJson();
  return nlohmann::json{{"chain_id", chain_id},
                        {"genesis_time_ms", genesis_time_ms},
                        {"orgs", orgs_json},
                        {"params", params_json}};
}

Status Genesis::Validate() const {
  if (chain_id.empty() || chain_id.size() > kMaxChainIdLen) {
    return Status::Invalid("genesis.chain_id: 1 to 64 characters");
  }
  if (orgs.empty()) return Status::Invalid("genesis.orgs: at least one organisation");
  std::set<std::string> ids;
  std::set<PublicKey> keys;
  size_t validators = 0;
  for (const auto& o : orgs) {
    std::string at = "genesis org " + o.id;
    if (!IsValidOrgId(o.id)) return Status::Invalid(at + ": id must match [a-z0-9_-]{1,64}");
    if (!ids.insert(o.id).second) return Status::Invalid(at + ": duplicate org id");
    if (o.admin_keys.empty()) return Status::Invalid(at + ": needs at least one admin key");
    std::vector<PublicKey> all = o.admin_keys;
    if (o.service_key) all.push_back(*o.service_key);
    if (o.validator_key) {
      all.push_back(*o.validator_key);
      ++validators;
    }
    for (const auto& k : all) {
      if (!keys.insert(k).second) return Status::Invalid(at + ": key " + k.Hex() + " used twice");
    }
  }
  if (validators == 0) return Status::Invalid("genesis: at least one org needs a validator_key");
  if (validators > kMaxValidators) return Status::Invalid("genesis: too many validators");
  return Status::Ok();
}

ValidatorSet Genesis::Validators() const {
  ValidatorSet set;
  for (const auto& o : orgs) {
    if (o.validator_key) set.validators.push_back(Validator{.key = *o.validator_key, .org = o.id});
  }
  std::sort(set.validators.begin(), set.validators.end(),
            [](const Validator& a, const Validator& b) { return a.org < b.org; });
  return set;
}

Status WriteGenesisState(const Genesis& genesis, StateView& state) {
  TM_RETURN_IF_ERROR(genesis.Validate());
  bool empty = true;
  state.Scan(std::string(state_keys::identity::kPrefix),
             [&](const std::string&, const Bytes&) { return empty = false; });
  if (!empty) return Status::FailedPrecondition("genesis: identity state is not empty");
  for (const auto& org : genesis.orgs) TM_RETURN_IF_ERROR(RegisterOrg(state, org, 0));
  StoreCurrentValidatorSet(state, genesis.Validators());
  for (const auto& [name, value] : genesis.params) SetParam(state, name, value);
  PutValue(state, std::string(state_keys::sys::kGenesis),
           Value::Map{{"chain_id", genesis.chain_id},
                      {"genesis_time_ms", static_cast<int64_t>(genesis.genesis_time_ms)}});
  return Status::Ok();
}

}  // namespace tidemark::contracts
