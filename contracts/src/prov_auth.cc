#include "prov_auth.h"

#include "prov_internal.h"

namespace tidemark::contracts::prov {

namespace {

bool IsOneOf(const std::string& s, std::initializer_list<const char*> set) {
  for (const char* e : set) {
    if (s == e) return true;
  }
  return false;
}

std::string Who(const std::string& org) { return org.empty() ? "nobody" : "org " + org; }

}  // namespace

Status Deny(const std::string& rule, const std::string& why) {
  return Status::PermissionDenied("rule " + rule + ": " + why);
}

Status WithRuleContext(const Status& st, const std::string& context) {
  const std::string& m = st.message();
  size_t colon = m.find(": ");
  if (st.code() != Code::kPermissionDenied || m.rfind("rule ", 0) != 0 ||
      colon == std::string::npos) {
    return st.WithContext(context);
  }
  return Status::PermissionDenied(m.substr(0, colon) + ": " + context + m.substr(colon));
}

Result<bool> IsDelegate(const StateView& view, const std::string& scope, const std::string& org,
                        const std::string& act) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> rec, Load(view, keys::Deleg(scope, org)));
  if (!rec) return false;
  const Value* acts = rec->Find("acts");
  if (acts == nullptr || !acts->is_list()) return false;
  for (const auto& a : acts->as_list()) {
    if (a.is_string() && a.as_string() == act) return true;
  }
  return false;
}

Result<std::string> GtinOwner(const StateView& view, const std::string& gtin14) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> product, Load(view, keys::Product(gtin14)));
  return product ? S(*product, "owner") : std::string();
}

Status RequireGtinOwner(const StateView& view, const std::string& gtin14, const std::string& org,
                        const std::string& act, bool allow_unregistered) {
  TM_ASSIGN_OR_RETURN(std::string owner, GtinOwner(view, gtin14));
  if (owner.empty()) {
    if (allow_unregistered) return Status::Ok();
    return Deny("gtin-owner", "GTIN " + gtin14 +
                                  " has no registered product; its brand registers it first "
                                  "(prov.register_product)");
  }
  if (owner == org) return Status::Ok();
  TM_ASSIGN_OR_RETURN(bool delegate, IsDelegate(view, GtinScope(gtin14), org, act));
  if (delegate) return Status::Ok();
  const std::string what = act == "lot"          ? "register lots"
                           : act == "commission" ? "commission serials"
                                                 : act;
  return Deny("gtin-owner", "GTIN " + gtin14 + " belongs to org " + owner + "; org " + org +
                                " may " + what + " under it only as its delegate (prov.delegate)");
}

Status RequireLocationAccess(const StateView& view, const std::string& canonical,
                             const std::string& org, const std::string& field) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> loc, Load(view, keys::Location(canonical)));
  if (!loc) return Status::Ok();  // nobody registered it: observational, allowed
  const std::string owner = S(*loc, "owner");
  if (owner == org) return Status::Ok();
  TM_ASSIGN_OR_RETURN(bool delegate, IsDelegate(view, canonical, org, "event"));
  if (delegate) return Status::Ok();
  return Deny("location-owner", field + ": location " + canonical + " belongs to org " + owner +
                                    "; org " + org +
                                    " may record events there only as its delegate "
                                    "(prov.delegate)");
}

Result<std::string> ObjectOwner(const StateView& view, const Value& obj) {
  const std::string gtin = S(obj, "gtin");
  if (!gtin.empty()) {
    TM_ASSIGN_OR_RETURN(std::string owner, GtinOwner(view, gtin));
    if (!owner.empty()) return owner;
  }
  std::string owner = S(obj, "owner");
  return owner.empty() ? S(obj, "custody") : owner;
}

bool TakesCustody(const std::string& target) {
  return IsOneOf(target, {"RECEIVED", "STORED", "IN_BONDED_WAREHOUSE", "ON_SHELF", "RETURNED"});
}

Result<bool> SignerHolds(const StateView& view, const KeyRecord& signer, Role role) {
  if (!signer.HasRole(role)) return false;
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(view, signer.org));
  return org && org->HasRole(role);
}

Status RequireCustomsEngagement(const StateView& view, const Value& obj,
                                const std::string& broker_org) {
  std::string holder = S(obj, "custody");
  if (holder.empty()) {
    TM_ASSIGN_OR_RETURN(holder, ObjectOwner(view, obj));
  }
  if (holder == broker_org) return Status::Ok();
  TM_ASSIGN_OR_RETURN(bool engaged, IsDelegate(view, HolderScope(holder), broker_org, "customs"));
  if (engaged) return Status::Ok();
  return Deny("customs-engagement",
              "item " + S(obj, "id") + " is held by " + Who(holder) + "; org " + broker_org +
                  " may declare it only if its holder engaged it (prov.delegate {holder: " +
                  holder + ", org: " + broker_org + ", acts: [customs]})");
}

bool UnderCustomsControl(const Value& obj) {
  return IsOneOf(S(obj, "state"), {"CUSTOMS_HOLD", "INSPECTED", "CUSTOMS_REJECTED"});
}

Status AuthoriseEvent(const StateView& view, const Value& obj, const std::string& target,
                      const Actor& actor) {
  const std::string id = S(obj, "id");
  std::string holder = S(obj, "custody");
  if (holder.empty()) {
    TM_ASSIGN_OR_RETURN(holder, ObjectOwner(view, obj));
  }
  const bool customs = actor.customs && UnderCustomsControl(obj);
  if (target == "DESTROYED" || target == "RECALLED") {
    const bool destroy = target == "DESTROYED";
    if (actor.regulator || (destroy && (actor.org == holder || customs))) return Status::Ok();
    TM_ASSIGN_OR_RETURN(std::string owner, ObjectOwner(view, obj));
    if (actor.org == owner) return Status::Ok();
    const std::string gtin = S(obj, "gtin");
    const std::string act = destroy ? "destroy" : "recall";
    if (!gtin.empty()) {
      TM_ASSIGN_OR_RETURN(bool delegate, IsDelegate(view, GtinScope(gtin), actor.org, act));
      if (delegate) return Status::Ok();
    }
    return Deny(act, "item " + id + " belongs to " + Who(owner) + " and is held by " + Who(holder) +
                         "; org " + actor.org + " may not " + act + " it (" +
                         (destroy ? "the holder, the owner or its delegate, a REGULATOR, or "
                                    "CUSTOMS under customs control may"
                                  : "the owner or its delegate, or a REGULATOR may") +
                         ")");
  }
  if (actor.org == holder) return Status::Ok();
  if (TakesCustody(target)) {
    const Value* h = obj.Find("handover");
    if (h != nullptr && h->is_map() && S(*h, "to") == actor.org) return Status::Ok();
    return Deny("custody-handover",
                "item " + id + " is held by " + Who(holder) + "; org " + actor.org +
                    " may take custody only by a handover addressed to it (a shipping event "
                    "by the holder naming it in destinationList, or prov.transfer_custody)");
  }
  if (customs) return Status::Ok();
  return Deny("holder", "item " + id + " is held by " + Who(holder) + "; org " + actor.org +
                            " may not record events that act on it");
}

}  // namespace tidemark::contracts::prov
