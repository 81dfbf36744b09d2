#include "tidemark/contracts/governance.h"

#include <algorithm>

#include "args.h"
#include "tidemark/contracts/identity.h"
#include "tidemark/state_keys/governance.h"

namespace tidemark::contracts {

namespace {

// The keys (state_keys/governance.h) as the StateView calls take them.
std::string CurrentSetKey() { return std::string(state_keys::gov::kValidators); }
std::string PendingSetKey() { return std::string(state_keys::gov::kValidatorsPending); }
std::string NextProposalKey() { return std::string(state_keys::gov::kNextProposal); }

std::string ProposalKey(int64_t id) { return state_keys::gov::Proposal(static_cast<uint64_t>(id)); }

Value SetToValue(const ValidatorSet& set) {
  Value::List l;
  for (const auto& v : set.validators) {
    l.push_back(Value::Map{{"org", v.org}, {"key", v.key.Hex()}});
  }
  return Value::Map{{"epoch", static_cast<int64_t>(set.epoch)}, {"validators", Value(l)}};
}

// The set that the next change applies to: the pending one if any, else the current one.
Result<ValidatorSet> BaseSet(const StateView& view) {
  TM_ASSIGN_OR_RETURN(std::optional<ValidatorSet> pending, PendingValidatorSet(view));
  if (pending) return *pending;
  TM_ASSIGN_OR_RETURN(ValidatorSet cur, CurrentValidatorSet(view));
  cur.epoch += 1;
  return cur;
}

void SortSet(ValidatorSet& set) {
  std::sort(set.validators.begin(), set.validators.end(),
            [](const Validator& a, const Validator& b) {
              return a.org != b.org ? a.org < b.org : a.key < b.key;
            });
}

Status StorePending(StateView& view, ValidatorSet set, EventSink& events) {
  SortSet(set);
  if (set.validators.empty())
    return Status::FailedPrecondition("the validator set cannot be empty");
  view.Put(PendingSetKey(), set.Encode());
  events.Emit("gov.ValidatorSetChanged", SetToValue(set));
  return Status::Ok();
}

Status AddValidator(StateView& view, const std::string& org, const PublicKey& key,
                    EventSink& events) {
  TM_ASSIGN_OR_RETURN(ValidatorSet set, BaseSet(view));
  if (set.IndexOf(key)) return Status::AlreadyExists("key " + key.Hex() + " is a validator");
  for (const auto& v : set.validators) {
    if (v.org == org) return Status::AlreadyExists("org " + org + " already runs a validator");
  }
  if (set.size() >= kMaxValidators) return Status::ResourceExhausted("too many validators");
  set.validators.push_back(Validator{.key = key, .org = org});
  return StorePending(view, std::move(set), events);
}

Status RemoveValidator(StateView& view, const std::string& org, EventSink& events,
                       bool must_exist) {
  TM_ASSIGN_OR_RETURN(ValidatorSet set, BaseSet(view));
  auto it = std::remove_if(set.validators.begin(), set.validators.end(),
                           [&](const Validator& v) { return v.org == org; });
  if (it == set.validators.end()) {
    return must_exist ? Status::NotFound("org " + org + " runs no validator") : Status::Ok();
  }
  set.validators.erase(it, set.validators.end());
  return StorePending(view, std::move(set), events);
}

// Checks a proposal's payload; returns the normalised payload to store.
Result<Value> ValidateProposal(const StateView& view, const Value& args) {
  TM_ASSIGN_OR_RETURN(std::string kind, internal::Str(args, "kind"));
  Value::Map p{{"kind", kind}};
  if (kind == "add_org") {
    const Value* org = args.Find("org");
    if (org == nullptr) return Status::Invalid("org: required");
    auto rec = OrgRecord::FromValue(*org);
    if (!rec.ok()) return rec.status().WithContext("org");
    TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> existing, LoadOrg(view, rec->id));
    if (existing) return Status::AlreadyExists("org " + rec->id + " already exists");
    if (rec->admin_keys.empty()) return Status::Invalid("org.admin_keys: needs at least one key");
    p["org"] = rec->ToValue();
  } else if (kind == "remove_org" || kind == "remove_validator" || kind == "add_validator") {
    TM_ASSIGN_OR_RETURN(std::string org_id, internal::Str(args, "org_id"));
    TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(view, org_id));
    if (!org || !org->active) return Status::NotFound("no active org " + org_id);
    p["org_id"] = org_id;
    if (kind == "add_validator") {
      const Value* k = args.Find("key");
      if (k == nullptr) return Status::Invalid("key: required");
      TM_ASSIGN_OR_RETURN(PublicKey key, KeyFromValue(*k, "key"));
      p["key"] = key.Hex();
    }
  } else if (kind == "set_param") {
    TM_ASSIGN_OR_RETURN(std::string name, internal::Str(args, "name"));
    const Value* value = args.Find("value");
    if (value == nullptr) return Status::Invalid("value: required");
    p["name"] = name;
    p["value"] = *value;
  } else {
    return Status::Invalid("kind: unknown proposal kind '" + kind + "'");
  }
  return Value(std::move(p));
}

Status ExecuteProposal(const TxContext& ctx, const Value& p, StateView& view, EventSink& events) {
  std::string kind = internal::StrOr(p, "kind");
  if (kind == "add_org") {
    TM_ASSIGN_OR_RETURN(OrgRecord org, OrgRecord::FromValue(*p.Find("org")));
    TM_RETURN_IF_ERROR(RegisterOrg(view, org, ctx.height));
    if (org.validator_key)
      TM_RETURN_IF_ERROR(AddValidator(view, org.id, *org.validator_key, events));
    return Status::Ok();
  }
  std::string org_id = internal::StrOr(p, "org_id");
  if (kind == "remove_org") {
    TM_RETURN_IF_ERROR(DeactivateOrg(view, org_id, ctx.height));
    return RemoveValidator(view, org_id, events, /*must_exist=*/false);
  }
  if (kind == "add_validator") {
    TM_ASSIGN_OR_RETURN(PublicKey key, KeyFromValue(*p.Find("key"), "key"));
    TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(view, org_id));
    if (!org) return Status::NotFound("no org " + org_id);
    org->validator_key = key;
    StoreOrg(view, *org);
    return AddValidator(view, org_id, key, events);
  }
  if (kind == "remove_validator") return RemoveValidator(view, org_id, events, true);
  if (kind == "set_param") {
    SetParam(view, internal::StrOr(p, "name"), *p.Find("value"));
    return Status::Ok();
  }
  return Status::Internal("stored proposal of unknown kind " + kind);
}

Status Propose(const TxContext& ctx, const Value& args, StateView& state, EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord admin, RequireAdmin(state, ctx));
  TM_ASSIGN_OR_RETURN(Value payload, ValidateProposal(state, args));
  TM_ASSIGN_OR_RETURN(std::optional<Value> next, GetValue(state, NextProposalKey()));
  int64_t id = next && next->is_int() ? next->as_int() : 1;
  PutValue(state, NextProposalKey(), Value(id + 1));
  Value::Map rec{{"id", id},
                 {"proposal", payload},
                 {"proposer", admin.org},
                 {"status", "OPEN"},
                 {"votes", Value::Map{}},
                 {"created_height", static_cast<int64_t>(ctx.height)}};
  PutValue(state, ProposalKey(id), Value(std::move(rec)));
  events.Emit("gov.Proposed",
              Value::Map{{"id", id}, {"proposer", admin.org}, {"proposal", payload}});
  return Status::Ok();
}

Status Vote(const TxContext& ctx, const Value& args, StateView& state, EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord admin, RequireAdmin(state, ctx));
  TM_ASSIGN_OR_RETURN(int64_t id, internal::Int(args, "proposal"));
  const Value* yes_v = args.Find("yes");
  if (yes_v == nullptr || !yes_v->is_bool()) return Status::Invalid("yes: must be true or false");
  TM_ASSIGN_OR_RETURN(Value rec, GetProposal(state, id));
  if (internal::StrOr(rec, "status") != "OPEN") {
    return Status::FailedPrecondition("proposal " + std::to_string(id) + " is " +
                                      internal::StrOr(rec, "status"));
  }
  Value::Map& votes = rec.as_map()["votes"].as_map();
  if (votes.count(admin.org) != 0) {
    return Status::AlreadyExists("org " + admin.org + " already voted on proposal " +
                                 std::to_string(id));
  }
  votes[admin.org] = Value(yes_v->as_bool());
  TM_ASSIGN_OR_RETURN(std::vector<OrgRecord> orgs, ListOrgs(state));
  int64_t n = 0, yes = 0, no = 0;
  for (const auto& o : orgs) {
    if (!o.active) continue;
    ++n;
    auto it = votes.find(o.id);
    if (it == votes.end()) continue;
    (it->second.as_bool() ? yes : no) += 1;
  }
  std::string outcome;
  if (yes * 3 > 2 * n) {
    outcome = "PASSED";
  } else if ((n - no) * 3 <= 2 * n) {
    outcome = "REJECTED";
  }
  events.Emit("gov.Voted", Value::Map{{"id", id}, {"org", admin.org}, {"yes", yes_v->as_bool()}});
  if (!outcome.empty()) {
    rec.as_map()["status"] = outcome;
    rec.as_map()["decided_height"] = static_cast<int64_t>(ctx.height);
    if (outcome == "PASSED") {
      // A proposal that can no longer be executed (e.g. its org id was taken since) is closed
      // as FAILED with the reason; the vote still counts and nothing else changes.
      OverlayStateView exec(state);
      EventSink exec_events;
      Status st = ExecuteProposal(ctx, *rec.Find("proposal"), exec, exec_events);
      if (st.ok()) {
        exec.Commit();
        for (const auto& e : exec_events.events()) {
          auto data = Value::Decode(e.data);
          events.Emit(e.type, data.ok() ? *data : Value());
        }
      } else {
        outcome = "FAILED";
        rec.as_map()["status"] = outcome;
        rec.as_map()["failure"] = st.ToString();
      }
    }
    events.Emit(outcome == "PASSED"   ? "gov.ProposalPassed"
                : outcome == "FAILED" ? "gov.ProposalFailed"
                                      : "gov.ProposalRejected",
                Value::Map{{"id", id}, {"yes", yes}, {"no", no}, {"orgs", n}});
  }
  PutValue(state, ProposalKey(id), rec);
  return Status::Ok();
}

}  // namespace

Result<ValidatorSet> CurrentValidatorSet(const StateView& view) {
  std::optional<Bytes> raw = view.Get(CurrentSetKey());
  if (!raw) return Status::NotFound("no validator set in state (genesis not applied)");
  auto set = ValidatorSet::Decode(*raw);
  if (!set.ok()) return Status::Corruption(CurrentSetKey() + ": " + set.status().message());
  return *set;
}

Result<std::optional<ValidatorSet>> PendingValidatorSet(const StateView& view) {
  std::optional<Bytes> raw = view.Get(PendingSetKey());
  if (!raw) return std::optional<ValidatorSet>();
  auto set = ValidatorSet::Decode(*raw);
  if (!set.ok()) return Status::Corruption(PendingSetKey() + ": " + set.status().message());
  return std::optional<ValidatorSet>(std::move(*set));
}

Status ActivatePendingValidatorSet(StateView& view) {
  std::optional<Bytes> raw = view.Get(PendingSetKey());
  if (!raw) return Status::NotFound("no pending validator set");
  view.Put(CurrentSetKey(), std::move(*raw));
  view.Delete(PendingSetKey());
  return Status::Ok();
}

void StoreCurrentValidatorSet(StateView& view, const ValidatorSet& set) {
  view.Put(CurrentSetKey(), set.Encode());
}

Result<std::optional<Value>> GetParam(const StateView& view, const std::string& name) {
  return GetValue(view, state_keys::gov::Param(name));
}

int64_t GetIntParam(const StateView& view, const std::string& name, int64_t fallback) {
  auto v = GetParam(view, name);
  if (!v.ok() || !v->has_value() || !(*v)->is_int()) return fallback;
  return (*v)->as_int();
}

void SetParam(StateView& view, const std::string& name, const Value& value) {
  PutValue(view, state_keys::gov::Param(name), value);
}

Result<Value> GetProposal(const StateView& view, int64_t id) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> rec, GetValue(view, ProposalKey(id)));
  if (!rec) return Status::NotFound("no proposal " + std::to_string(id));
  return *rec;
}

Status GovernanceContract::Execute(const TxContext& ctx, std::string_view method, const Value& args,
                                   StateView& state, EventSink& events) const {
  TM_RETURN_IF_ERROR(internal::NeedMap(args, "args"));
  if (method == "propose") return Propose(ctx, args, state, events);
  if (method == "vote") return Vote(ctx, args, state, events);
  return Status::Invalid("gov: unknown method '" + std::string(method) + "'");
}

}  // namespace tidemark::contracts
