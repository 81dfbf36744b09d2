// prov.delegate / revoke_delegation / transfer_custody / accept_custody: delegation of products and
// locations by their owner, a holder's engagement of a customs broker, and the explicit two-sided
// custody handover (docs/provenance.md).
#include <algorithm>

#include "args.h"
#include "prov_auth.h"
#include "prov_internal.h"
#include "prov_lifecycle.h"
#include "prov_methods.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/gs1.h"

namespace tidemark::contracts::prov {

namespace {

const std::vector<std::string> kGtinActs = {"commission", "destroy", "lot", "recall"};
const std::vector<std::string> kLocationActs = {"event"};
const std::vector<std::string> kHolderActs = {"customs"};

struct Scope {
  std::string id;     // "/01/<gtin14>", the location's canonical id, or "/org/<holder>"
  std::string kind;   // "gtin" | "location" | "holder"
  std::string owner;  // the org that registered it (for a holder scope: that org itself)
  const std::vector<std::string>* acts;
};

// The delegated object named by exactly one of args.gtin / args.location (it must be registered)
// / args.holder (an active organisation: everything it holds, for the act "customs").
Result<Scope> ScopeArg(const StateView& view, const Value& args) {
  const bool has_gtin = args.Find("gtin") != nullptr, has_loc = args.Find("location") != nullptr;
  const bool has_holder = args.Find("holder") != nullptr;
  if (int{has_gtin} + int{has_loc} + int{has_holder} != 1) {
    return Status::Invalid("gtin, location or holder: exactly one is required");
  }
  if (has_holder) {
    TM_ASSIGN_OR_RETURN(std::string org, internal::Str(args, "holder"));
    TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> rec, LoadOrg(view, org));
    if (!rec || !rec->active) return Status::NotFound("holder: no active organisation " + org);
    return Scope{HolderScope(org), "holder", org, &kHolderActs};
  }
  if (has_gtin) {
    TM_ASSIGN_OR_RETURN(std::string raw, internal::Str(args, "gtin"));
    auto gtin = NormaliseGtin(raw);
    if (!gtin.ok()) return gtin.status().WithContext("gtin");
    TM_ASSIGN_OR_RETURN(std::string owner, GtinOwner(view, *gtin));
    if (owner.empty()) return Status::NotFound("gtin: no product " + *gtin + " is registered");
    return Scope{GtinScope(*gtin), "gtin", owner, &kGtinActs};
  }
  TM_ASSIGN_OR_RETURN(std::string raw, internal::Str(args, "location"));
  auto canonical = CanonicalLocationId(raw);
  if (!canonical.ok()) return canonical.status().WithContext("location");
  auto id = ParseIdentifier(*canonical);
  if (!id.ok()) return id.status().WithContext("location");
  if (id->kind != IdKind::kSgln) return Status::Invalid("location: not a GLN");
  TM_ASSIGN_OR_RETURN(std::optional<Value> loc, Load(view, keys::Location(id->canonical)));
  if (!loc) return Status::NotFound("location: " + id->canonical + " is not registered");
  return Scope{id->canonical, "location", S(*loc, "owner"), &kLocationActs};
}

Result<KeyRecord> ScopeOwner(const StateView& view, const TxContext& ctx, const Scope& scope,
                             const std::string& what) {
  TM_ASSIGN_OR_RETURN(KeyRecord signer, ActiveSigner(view, ctx.signer));
  if (signer.org != scope.owner && scope.kind == "holder") {
    return Deny("delegation", "only org " + scope.owner + " may " + what +
                                  " its engagements of customs brokers; org " + signer.org +
                                  " may not");
  }
  if (signer.org != scope.owner) {
    return Deny("delegation", scope.kind + " " + scope.id + " belongs to org " + scope.owner +
                                  "; only it may " + what + " it");
  }
  return signer;
}

Result<std::string> OrgArg(const StateView& view, const Value& args, const std::string& field) {
  TM_ASSIGN_OR_RETURN(std::string org, internal::Str(args, field));
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> rec, LoadOrg(view, org));
  if (!rec || !rec->active) return Status::NotFound(field + ": no active organisation " + org);
  return org;
}

Result<Value::List> ActsArg(const Value& args, const std::vector<std::string>& allowed) {
  const Value* v = args.Find("acts");
  std::vector<std::string> acts;
  if (v == nullptr || v->is_null()) {
    acts = allowed;
  } else {
    if (!v->is_list() || v->as_list().empty()) return Status::Invalid("acts: a non-empty list");
    for (size_t i = 0; i < v->as_list().size(); ++i) {
      const Value& a = v->as_list()[i];
      std::string at = "acts[" + std::to_string(i) + "]";
      std::string known;
      for (const auto& x : allowed) known += (known.empty() ? "" : ", ") + x;
      if (!a.is_string() ||
          std::find(allowed.begin(), allowed.end(), a.as_string()) == allowed.end())
        return Status::Invalid(at + ": one of " + known);
      if (std::find(acts.begin(), acts.end(), a.as_string()) != acts.end())
        return Status::Invalid(at + ": duplicate " + a.as_string());
      acts.push_back(a.as_string());
    }
    std::sort(acts.begin(), acts.end());
  }
  return Value::List(acts.begin(), acts.end());
}

Value CustodyEntry(const TxContext& ctx, const std::string& org, const std::string& action,
                   const Value& obj) {
  return Value::Map{{"type", "custody"},
                    {"action", action},
                    {"org", org},
                    {"state", S(obj, "state")},
                    {"tx", ctx.tx_id.Hex()},
                    {"height", static_cast<int64_t>(ctx.height)},
                    {"eventTime", FormatEpcisTime(static_cast<int64_t>(ctx.block_time_ms))}};
}

}  // namespace

Status Delegate(const TxContext& ctx, const Value& args, StateView& view, EventSink& events) {
  TM_ASSIGN_OR_RETURN(Scope scope, ScopeArg(view, args));
  TM_ASSIGN_OR_RETURN(KeyRecord signer, ScopeOwner(view, ctx, scope, "delegate"));
  TM_ASSIGN_OR_RETURN(std::string org, OrgArg(view, args, "org"));
  if (org == signer.org) return Status::Invalid("org: " + org + " already owns " + scope.id);
  TM_ASSIGN_OR_RETURN(Value::List acts, ActsArg(args, *scope.acts));
  PutValue(view, keys::Deleg(scope.id, org),
           Value::Map{{"scope", scope.id},
                      {"kind", scope.kind},
                      {"org", org},
                      {"acts", Value(acts)},
                      {"by", signer.org},
                      {"height", static_cast<int64_t>(ctx.height)},
                      {"tx", ctx.tx_id.Hex()}});
  events.Emit("prov.Delegated",
              Value::Map{{"scope", scope.id}, {"org", org}, {"by", signer.org}, {"acts", acts}});
  return Status::Ok();
}

Status RevokeDelegation(const TxContext& ctx, const Value& args, StateView& view,
                        EventSink& events) {
  TM_ASSIGN_OR_RETURN(Scope scope, ScopeArg(view, args));
  TM_ASSIGN_OR_RETURN(KeyRecord signer, ScopeOwner(view, ctx, scope, "revoke delegations of"));
  TM_ASSIGN_OR_RETURN(std::string org, internal::Str(args, "org"));
  TM_ASSIGN_OR_RETURN(std::optional<Value> rec, Load(view, keys::Deleg(scope.id, org)));
  if (!rec) return Status::NotFound("org: " + org + " holds no delegation of " + scope.id);
  view.Delete(keys::Deleg(scope.id, org));
  events.Emit("prov.DelegationRevoked",
              Value::Map{{"scope", scope.id}, {"org", org}, {"by", signer.org}});
  return Status::Ok();
}

Status TransferCustody(const TxContext& ctx, const Value& args, StateView& view,
                       EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord signer, ActiveSigner(view, ctx.signer));
  TM_ASSIGN_OR_RETURN(std::string to, OrgArg(view, args, "to"));
  if (to == signer.org) return Status::Invalid("to: org " + to + " is the signer's own");
  TM_ASSIGN_OR_RETURN(ItemsArg items, ExpandItemsArg(view, args, /*require_tracked=*/true));
  const std::vector<std::string>& covered = items.covered;
  for (const auto& id : covered) {
    TM_RETURN_IF_ERROR(CheckNotPledged(view, id));
    TM_ASSIGN_OR_RETURN(std::optional<Value> obj, Load(view, keys::Obj(id)));
    const std::string state = S(*obj, "state");
    if (state == "DESTROYED") {
      return Status::FailedPrecondition("item " + id + ": was destroyed at height " +
                                        std::to_string(I(*obj, "destroyed_height")) +
                                        "; no event may follow");
    }
    if (state == "CUSTOMS_HOLD" || state == "INSPECTED") {
      return Status::FailedPrecondition("item " + id + ": is under customs control (declaration " +
                                        S(*obj, "customs") + "); its custody cannot move");
    }
    std::string holder = S(*obj, "custody");
    if (holder.empty()) {
      TM_ASSIGN_OR_RETURN(holder, ObjectOwner(view, *obj));
    }
    if (holder != signer.org) {
      return Deny("holder", "item " + id + " is held by org " + holder + "; org " + signer.org +
                                " may not offer its custody");
    }
    TM_RETURN_IF_ERROR(CheckBondedTransfer(view, *obj, to));
    M(*obj)
    ["handover"] = Value::Map{{"to", to},
                              {"from", signer.org},
                              {"via", "transfer_custody"},
                              {"tx", ctx.tx_id.Hex()},
                              {"height", static_cast<int64_t>(ctx.height)}};
    Value entry = CustodyEntry(ctx, signer.org, "OFFERED", *obj);
    M(entry)["to"] = to;
    M(*obj)["timeline"].as_list().push_back(std::move(entry));
    PutValue(view, keys::Obj(id), *obj);
  }
  events.Emit("prov.CustodyOffered", Value::Map{{"from", signer.org},
                                                {"to", to},
                                                {"items", static_cast<int64_t>(covered.size())}});
  return Status::Ok();
}

Status AcceptCustody(const TxContext& ctx, const Value& args, StateView& view, EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord signer, ActiveSigner(view, ctx.signer));
  TM_ASSIGN_OR_RETURN(ItemsArg items, ExpandItemsArg(view, args, /*require_tracked=*/true));
  const std::vector<std::string>& covered = items.covered;
  std::string from;
  for (const auto& id : covered) {
    TM_ASSIGN_OR_RETURN(std::optional<Value> obj, Load(view, keys::Obj(id)));
    if (S(*obj, "state") == "DESTROYED") {
      return Status::FailedPrecondition("item " + id + ": was destroyed at height " +
                                        std::to_string(I(*obj, "destroyed_height")) +
                                        "; no event may follow");
    }
    const Value* h = obj->Find("handover");
    if (h == nullptr || !h->is_map() || S(*h, "to") != signer.org) {
      return Deny("custody-handover", "item " + id + " is held by org " + S(*obj, "custody") +
                                          "; no handover to org " + signer.org + " is pending");
    }
    from = S(*obj, "custody");
    Value::Map& m = M(*obj);
    m["custody"] = signer.org;
    m["handover"] = Value();
    Value entry = CustodyEntry(ctx, signer.org, "ACCEPTED", *obj);
    M(entry)["from"] = from;
    m["timeline"].as_list().push_back(std::move(entry));
    PutValue(view, keys::Obj(id), *obj);
  }
  events.Emit("prov.CustodyAccepted", Value::Map{{"org", signer.org},
                                                 {"from", from},
                                                 {"items", static_cast<int64_t>(covered.size())}});
  return Status::Ok();
}

}  // namespace tidemark::contracts::prov
