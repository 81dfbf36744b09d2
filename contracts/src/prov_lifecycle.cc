#include "prov_lifecycle.h"

#include <algorithm>

#include "prov_auth.h"
#include "prov_internal.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/state_keys/pledge.h"

namespace tidemark::contracts::prov {

namespace {

bool In(const std::string& s, std::initializer_list<const char*> set) {
  for (const char* e : set) {
    if (s == e) return true;
  }
  return false;
}

Status Refuse(const Value& obj, const std::string& rule) {
  return Status::FailedPrecondition("item " + S(obj, "id") + ": " + rule);
}

bool IsRecalled(const Value& obj, const std::optional<Value>& lot) {
  const Value* r = obj.Find("recalled");
  if (r != nullptr && !r->is_null()) return true;
  if (lot) {
    const Value* lr = lot->Find("recalled");
    if (lr != nullptr && !lr->is_null()) return true;
  }
  return false;
}

// Rules for putting on sale and selling.
Status CheckSale(const StateView& view, const Value& obj, const Step& step) {
  std::optional<Value> lot;
  std::string lot_id = S(obj, "lot_id");
  if (!lot_id.empty()) {
    auto l = Load(view, keys::Lot(lot_id));
    if (!l.ok()) return l.status();
    lot = *l;
  }
  const std::string what = step.target == "SOLD" ? "sale" : "putting on sale";
  std::string mode = S(obj, "import_mode");
  if ((mode == "1210" || mode == "1239" || mode == "9610") &&
      S(obj, "customs_status") != "RELEASED") {
    return Refuse(obj, "no " + what + " before customs release of a " + mode +
                           " import (declaration " + S(obj, "customs") + " is " +
                           S(obj, "customs_status") + ")");
  }
  if (IsRecalled(obj, lot)) return Refuse(obj, "no " + what + " of a recalled item or lot");
  if (lot && S(*lot, "conformance") == "non_conformant") {
    return Refuse(obj, "no " + what + " of a non-conformant lot (" + lot_id + ")");
  }
  if (step.target == "SOLD" && lot && step.has_event_day && !S(*lot, "expiry_date").empty() &&
      I(*lot, "expiry_day") < step.event_day) {
    return Refuse(obj, "no sale of an expired lot (expired " + S(*lot, "expiry_date") + ")");
  }
  return Status::Ok();
}

Status RefuseRule(const Value& obj, const std::string& rule, const std::string& why) {
  return Status::FailedPrecondition("rule " + rule + ": item " + S(obj, "id") + ": " + why);
}

// Rules prov-bonded-unreleased and prov-before-release for a step with a target.
Status CheckCustomsOrder(const Value& obj, const Step& step) {
  const std::string& t = step.target;
  const bool selling = t == "SOLD" || t == "ON_SHELF";
  const std::string what = t == "SOLD" ? "sold" : t == "ON_SHELF" ? "put on sale" : "shipped";
  if (UnderBondedControl(obj)) {
    const Value& b = *obj.Find("bonded");
    if (selling || (t == "IN_TRANSIT" && !step.dest_bonded)) {
      return RefuseRule(obj, "prov-bonded-unreleased",
                        "is under customs control since it entered bonded location " +
                            S(b, "location") + " (" + S(b, "eventTime") + "); it cannot be " +
                            what + (t == "IN_TRANSIT" ? " to a place that is not bonded" : "") +
                            " before a customs release covers it");
    }
  }
  const Value* r = obj.Find("released");
  if (r == nullptr || !r->is_map() || !step.has_event_ms) return Status::Ok();
  const int64_t release_ms = I(*r, "release_ms"), declared_ms = I(*r, "declared_ms");
  if (step.event_ms >= release_ms) return Status::Ok();
  const bool was_bonded = r->Find("was_bonded") != nullptr && r->Find("was_bonded")->is_bool() &&
                          r->Find("was_bonded")->as_bool();
  if (selling ||
      (t == "IN_TRANSIT" && (step.event_ms >= declared_ms || (was_bonded && !step.dest_bonded)))) {
    return RefuseRule(obj, "prov-before-release",
                      "an event dated " + S(step.entry, "eventTime") + " cannot have it " + what +
                          " before its customs release at " + S(*r, "release_time") +
                          " (declaration " + S(*r, "declaration_no") + ")");
  }
  return Status::Ok();
}

}  // namespace

bool UnderBondedControl(const Value& obj) {
  const Value* b = obj.Find("bonded");
  return b != nullptr && b->is_map();
}

Result<bool> IsBondedLocation(const StateView& view, const std::string& canonical) {
  if (canonical.empty()) return false;
  TM_ASSIGN_OR_RETURN(std::optional<Value> loc, Load(view, keys::Location(canonical)));
  if (!loc) return false;
  if (In(S(*loc, "kind"), {"bonded_warehouse", "bonded_zone", "bonded"})) return true;
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(view, S(*loc, "owner")));
  return org && org->HasRole(Role::kBondedWarehouse);
}

Result<bool> InBondedRegime(const StateView& view, const std::string& org) {
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> rec, LoadOrg(view, org));
  if (!rec) return false;
  for (Role r : {Role::kBondedWarehouse, Role::kPlatform, Role::kForwarder, Role::kCustomsBroker,
                 Role::kCustoms}) {
    if (rec->HasRole(r)) return true;
  }
  return false;
}

Status CheckBondedTransfer(const StateView& view, const Value& obj, const std::string& to) {
  if (!UnderBondedControl(obj)) return Status::Ok();
  TM_ASSIGN_OR_RETURN(bool ok, InBondedRegime(view, to));
  if (ok) return Status::Ok();
  return RefuseRule(obj, "prov-bonded-unreleased",
                    "is under customs control (bonded since " +
                        S(*obj.Find("bonded"), "eventTime") + "); its custody cannot pass to org " +
                        to +
                        ", which holds no role of the bonded regime, before a customs release");
}

std::string TargetState(const std::string& type, const std::string& action, const std::string& step,
                        const std::string& disp, bool bonded) {
  if ((type == "ObjectEvent" && action == "DELETE") ||
      In(step, {"decommissioning", "destroying"}) || In(disp, {"destroyed", "inactive"})) {
    return "DESTROYED";
  }
  if (disp == "retail_sold") return "SOLD";
  if (step == "recalling" || disp == "recalled") return "RECALLED";
  if (step == "returning" || In(disp, {"returned"})) return "RETURNED";
  if (In(step, {"stocking", "retail_selling"})) return "ON_SHELF";
  if (step == "storing") return bonded ? "IN_BONDED_WAREHOUSE" : "STORED";
  if (In(step, {"shipping", "departing", "transporting", "loading"}) || disp == "in_transit") {
    return "IN_TRANSIT";
  }
  if (In(step, {"receiving", "arriving", "accepting", "unloading"})) return "RECEIVED";
  if (type == "AggregationEvent" && action == "ADD") return "PACKED";
  if (step == "packing") return "PACKED";
  return "";
}

Status CheckNotPledged(const StateView& view, const std::string& id) {
  auto row = Load(view, tidemark::state_keys::plg::ReceiptItem(id));
  if (!row.ok()) return row.status();
  if (!*row) return Status::Ok();
  const std::string receipt = S(**row, "receipt");
  std::string state = S(**row, "state");
  auto rec = Load(view, tidemark::state_keys::plg::Receipt(receipt));
  if (!rec.ok()) return rec.status();
  if (*rec) state = S(**rec, "state");
  if (state != "ISSUED" && state != "PLEDGED") return Status::Ok();
  return Status::FailedPrecondition("rule prov-pledged: " + id + " is under warehouse receipt " +
                                    receipt + " (" + state + ")");
}

Status CheckStep(const StateView& view, const Value& obj, const Step& step) {
  const std::string state = S(obj, "state");
  if ((!step.target.empty() && !In(step.target, {"RECEIVED", "STORED", "IN_BONDED_WAREHOUSE"})) ||
      !step.handover_to.empty()) {
    TM_RETURN_IF_ERROR(CheckNotPledged(view, S(obj, "id")));
  }
  if (state == "DESTROYED") {
    return Refuse(obj, "was destroyed at height " + std::to_string(I(obj, "destroyed_height")) +
                           "; no event may follow");
  }
  const std::string& t = step.target;
  if (t.empty() && step.verdict) return Status::Ok();  // an inspector inspects whoever holds it
  if (t.empty()) return AuthoriseEvent(view, obj, t, Actor{step.org, step.customs, step.regulator});
  if (In(state, {"CUSTOMS_HOLD", "INSPECTED"})) {
    return Refuse(obj, "is under customs control (declaration " + S(obj, "customs") +
                           "); it cannot become " + t + " before release");
  }
  if (state == "CUSTOMS_REJECTED" && !In(t, {"RETURNED", "DESTROYED"})) {
    return Refuse(obj, "was rejected by customs; it can only be returned or destroyed");
  }
  if (state == "SOLD" && t == "SOLD") {
    return Refuse(obj, "was already sold at height " + std::to_string(I(obj, "sold_height")) +
                           "; no second sale");
  }
  if (state == "SOLD" && In(t, {"ON_SHELF", "PACKED", "IN_BONDED_WAREHOUSE"})) {
    return Refuse(obj, "was sold; it must be returned before it becomes " + t);
  }
  TM_RETURN_IF_ERROR(CheckCustomsOrder(obj, step));
  if (In(t, {"SOLD", "ON_SHELF"})) TM_RETURN_IF_ERROR(CheckSale(view, obj, step));
  return AuthoriseEvent(view, obj, t, Actor{step.org, step.customs, step.regulator});
}

void ApplyStep(Value& obj, const Step& step, const std::string& via) {
  Value::Map& m = M(obj);
  if (!step.target.empty()) {
    m["state"] = step.target;
    if (step.target == "SOLD") m["sold_height"] = I(step.entry, "height");
    if (step.target == "DESTROYED") m["destroyed_height"] = I(step.entry, "height");
    if (TakesCustody(step.target)) {
      // The holder keeps it, or the addressee of the pending handover takes it over.
      const Value* h = obj.Find("handover");
      bool to_me = h != nullptr && h->is_map() && S(*h, "to") == step.org;
      if (S(obj, "custody") != step.org || to_me) {
        m["handover"] = Value();
      }
      m["custody"] = step.org;
    }
  }
  if (!step.handover_to.empty() && step.handover_to != S(obj, "custody")) {
    m["handover"] = Value::Map{{"to", step.handover_to},
                               {"from", step.org},
                               {"via", "shipping"},
                               {"eventID", S(step.entry, "eventID")},
                               {"height", I(step.entry, "height")}};
  }
  if (!step.location.empty()) m["location"] = step.location;
  // Goods taking custody at a bonded location (or stored by a bonded warehouse) come under
  // customs control until a release covers them.
  const Value* released = obj.Find("released");
  if ((step.target == "IN_BONDED_WAREHOUSE" ||
       (step.bonded_place && In(step.target, {"RECEIVED", "STORED"}))) &&
      !UnderBondedControl(obj) && (released == nullptr || !released->is_map())) {
    m["bonded"] = Value::Map{{"location", step.location},
                             {"eventID", S(step.entry, "eventID")},
                             {"eventTime", S(step.entry, "eventTime")},
                             {"height", I(step.entry, "height")}};
  }
  Value entry = step.entry;
  M(entry)["state"] = m["state"];
  if (!via.empty()) M(entry)["via"] = via;
  m["timeline"].as_list().push_back(std::move(entry));
}

Status StepObject(StateView& view, const std::string& id, const Step& step, const std::string& via,
                  int depth) {
  if (depth > 8) return Status::FailedPrecondition("containers nested deeper than 8 at " + id);
  TM_ASSIGN_OR_RETURN(std::optional<Value> obj, Load(view, keys::Obj(id)));
  if (!obj) return Status::Ok();  // not tracked on the ledger: the event is only recorded
  TM_RETURN_IF_ERROR(CheckStep(view, *obj, step));
  ApplyStep(*obj, step, via);
  PutValue(view, keys::Obj(id), *obj);
  const Value* children = obj->Find("children");
  if (children == nullptr || !children->is_list()) return Status::Ok();
  for (const auto& c : children->as_list()) {
    TM_RETURN_IF_ERROR(StepObject(view, c.as_string(), step, via.empty() ? id : via, depth + 1));
  }
  return Status::Ok();
}

namespace {

// The fields every tracked object (item or container) starts with.
Value::Map NewObject(const std::string& id, const char* kind, const char* state, uint64_t height) {
  return Value::Map{{"id", id},
                    {"kind", kind},
                    {"state", state},
                    {"custody", ""},
                    {"handover", Value()},
                    {"location", ""},
                    {"parent", ""},
                    {"customs", ""},
                    {"import_mode", ""},
                    {"customs_status", ""},
                    {"recalled", Value()},
                    {"timeline", Value::List{}},
                    {"created_height", static_cast<int64_t>(height)}};
}

}  // namespace

Value NewItem(const std::string& id, const std::string& gtin, const std::string& lot,
              const std::string& serial, uint64_t height) {
  Value::Map m = NewObject(id, "item", "COMMISSIONED", height);
  m["gtin"] = gtin;
  m["lot"] = lot;
  m["serial"] = serial;
  m["lot_id"] = lot.empty() ? std::string() : LotKey(gtin, lot);
  return Value(std::move(m));
}

Value NewContainer(const std::string& id, uint64_t height) {
  Value::Map m = NewObject(id, "container", "PACKED", height);
  m["children"] = Value::List{};
  return Value(std::move(m));
}

}  // namespace tidemark::contracts::prov
