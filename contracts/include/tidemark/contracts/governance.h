// governance.h — consortium governance: proposals voted by organisations, validator set, params.
//
// Any org admin proposes; each active organisation votes once through one of its admin keys; a
// proposal passes when strictly more than 2/3 of the active organisations voted yes
// (yes * 3 > 2 * orgs: 3 of 4 passes, 2 of 4 does not) and is executed in the same transaction. It
// is rejected as soon as enough orgs voted no that it can no longer pass.
//
// Methods of the "gov" contract:
//   propose {kind: "add_org", org: {id, name, roles, admin_keys, validator_key?, service_key?}}
//   propose {kind: "remove_org", org_id}
//   propose {kind: "add_validator", org_id, key}       (the org's validator node key)
//   propose {kind: "remove_validator", org_id}
//   propose {kind: "set_param", name, value}
//   vote    {proposal: <id>, yes: true|false}
// propose emits "gov.Proposed" {id}; a decided proposal emits "gov.ProposalPassed" / "...Rejected".
//
// Validator-set changes (adding / removing an org with a validator key, add/remove_validator) do
// not change the running set: they record the next set as *pending* and emit
// "gov.ValidatorSetChanged" {epoch, validators}. After executing each block the node calls
// PendingValidatorSet(view); if one is pending (and no earlier change is still taking effect) it
// calls ActivatePendingValidatorSet(view) in the same block's state batch. Consensus switches to
// the activated set (epoch + 1) after the first committed block whose header certifies a state
// holding it, so that header, signed by the old set, proves the new one to light clients
// (node/app/executor.h, Ledger::ValidatorsAfter, docs/consensus.md):
//
//   if (auto next = PendingValidatorSet(view); next.ok() && next->has_value()) {
//     TM_RETURN_IF_ERROR(ActivatePendingValidatorSet(view));  // part of the block's changes
//   }
//
// State (keys built by tidemark/state_keys/governance.h): "gov/next_proposal" int,
//        "gov/proposal/<16-digit id>" record, "gov/param/<name>" Value, "gov/validators"
//        ValidatorSet encoding (current), "gov/validators_pending" (next).
// Thread safety: stateless functions; the contract object is immutable.
#pragma once

#include <optional>
#include <string>

#include "tidemark/contracts/framework.h"

namespace tidemark::contracts {

// The validator set the ledger currently runs with (written by genesis).
Result<ValidatorSet> CurrentValidatorSet(const StateView& view);
// The next validator set decided by governance and not yet activated.
Result<std::optional<ValidatorSet>> PendingValidatorSet(const StateView& view);
// Makes the pending set current (deterministic; the node calls it after the deciding block).
Status ActivatePendingValidatorSet(StateView& view);
void StoreCurrentValidatorSet(StateView& view, const ValidatorSet& set);

// Governance parameters (genesis "params", changed by set_param proposals).
Result<std::optional<Value>> GetParam(const StateView& view, const std::string& name);
int64_t GetIntParam(const StateView& view, const std::string& name, int64_t fallback);
void SetParam(StateView& view, const std::string& name, const Value& value);

// A proposal's record (as stored), or NOT_FOUND.
Result<Value> GetProposal(const StateView& view, int64_t id);

class GovernanceContract : public Contract {
 public:
  std::string_view name() const override { return "gov"; }
  Status Execute(const TxContext& ctx, std::string_view method, const Value& args, StateView& state,
                 EventSink& events) const override;
};

}  // namespace tidemark::contracts
