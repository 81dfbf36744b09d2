// genesis.h — the consortium's starting point: organisations, keys, roles, validators, params.
//
// JSON form (network-configs/*/genesis.json; keys are 64 lowercase hex digits):
//   {
//     "chain_id": "tidemark-local",
//     "genesis_time_ms": 1767225600000,
//     "orgs": [
//       {"id": "brand-a", "name": "Brand A", "roles": ["BRAND", "MANUFACTURER"],
//        "admin_keys": ["<hex>"], "validator_key": "<hex>", "service_key": "<hex>"}
//     ],
//     "params": {"prov.scan_max_per_block": 5}
//   }
// validator_key and service_key are optional; params values are JSON integers, strings, booleans,
// lists or maps (no floats). Every org with a validator_key runs a validator; the genesis
// validator set (epoch 0) lists them sorted by org id.
//
//   TM_ASSIGN_OR_RETURN(Genesis g, Genesis::FromJson(json));
//   MemStateView state;
//   TM_RETURN_IF_ERROR(WriteGenesisState(g, state));   // height 0 state
//   ValidatorSet validators = g.Validators();
//
// Thread safety: value type; functions are pure.
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "tidemark/contracts/identity.h"

namespace tidemark::contracts {

struct Genesis {
  std::string chain_id;
  uint64_t genesis_time_ms = 0;
  std::vector<OrgRecord> orgs;
  std::map<std::string, Value> params;

  // Validates ids, keys, roles, duplicates, at least one validator.
  static Result<Genesis> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
  Status Validate() const;
  // Epoch 0, sorted by org id.
  ValidatorSet Validators() const;
};

// Writes the organisations, their admin / service keys and roles, the validator set and the params
// into `state`. Fails on an invalid genesis or a non-empty identity namespace.
Status WriteGenesisState(const Genesis& genesis, StateView& state);

}  // namespace tidemark::contracts
