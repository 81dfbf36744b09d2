// The provenance contract: master data, customs, certificates, recalls, scans, dispatch.
#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "args.h"
#include "prov_auth.h"
#include "prov_internal.h"
#include "prov_lifecycle.h"
#include "prov_methods.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/governance.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/contracts/provenance.h"

namespace tidemark::contracts {
namespace prov {

namespace {

constexpr size_t kMaxRecallReach = 5000;

bool IsCountry(const std::string& c) {
  return c.size() == 2 &&
         std::all_of(c.begin(), c.end(), [](char x) { return x >= 'A' && x <= 'Z'; });
}

// A record id chosen by a caller: 1..64 of [A-Za-z0-9._/-].
Status CheckRecordId(const std::string& id, const std::string& field) {
  bool ok = !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
  });
  return ok ? Status::Ok() : Status::Invalid(field + ": 1 to 64 of A-Z a-z 0-9 . _ / -");
}

Result<std::string> DateArg(const Value& args, const std::string& field, bool required) {
  TM_ASSIGN_OR_RETURN(std::string d, internal::OptStr(args, field));
  if (d.empty()) {
    if (required) return Status::Invalid(field + ": required");
    return d;
  }
  auto day = ParseDate(d);
  if (!day.ok()) return day.status().WithContext(field);
  return d;
}

Value Entry(const TxContext& ctx, const std::string& org, const std::string& type,
            const std::string& what) {
  return Value::Map{{"type", type},
                    {"action", what},
                    {"org", org},
                    {"tx", ctx.tx_id.Hex()},
                    {"height", static_cast<int64_t>(ctx.height)},
                    {"eventTime", FormatEpcisTime(static_cast<int64_t>(ctx.block_time_ms))}};
}

Result<Value> LoadOrNewLot(const StateView& view, const std::string& gtin, const std::string& lot) {
  std::string id = LotKey(gtin, lot);
  TM_ASSIGN_OR_RETURN(std::optional<Value> rec, Load(view, keys::Lot(id)));
  if (rec) return *rec;
  return Value(Value::Map{{"id", id},
                          {"gtin", gtin},
                          {"lot", lot},
                          {"production_date", ""},
                          {"expiry_date", ""},
                          {"conformance", ""},
                          {"certificates", Value::List{}},
                          {"recalled", Value()}});
}

Result<Gs1Id> LotArg(const Value& args, const std::string& field) {
  TM_ASSIGN_OR_RETURN(std::string raw, internal::Str(args, field));
  auto id = ParseIdentifier(raw);
  if (!id.ok()) return id.status().WithContext(field);
  if (id->kind != IdKind::kLgtin) return Status::Invalid(field + ": not a lot (GTIN + AI 10)");
  return *id;
}

Status SetCustomsState(StateView& view, const std::vector<std::string>& ids,
                       const std::string& state, const std::string& status, const Value& entry) {
  for (const auto& id : ids) {
    TM_ASSIGN_OR_RETURN(std::optional<Value> obj, Load(view, keys::Obj(id)));
    if (!obj || S(*obj, "state") == "DESTROYED") continue;
    Value::Map& m = M(*obj);
    m["state"] = state;
    m["customs_status"] = status;
    Value e = entry;
    M(e)["state"] = state;
    m["timeline"].as_list().push_back(std::move(e));
    PutValue(view, keys::Obj(id), *obj);
  }
  return Status::Ok();
}

constexpr int64_t kCustomsFutureMs = 10 * 60 * 1000;  // a customs time may lead the block by 10 min

// A customs record's own time (docs/provenance.md "Customs clearance", rule prov-customs-time):
// args[field] in EPCIS time syntax, else the block time; at most 10 minutes after the block time
// and at most prov.customs_time_max_age_days (default 400) before it.
Result<std::pair<std::string, int64_t>> CustomsTime(const TxContext& ctx, const StateView& view,
                                                    const Value& args, const std::string& field) {
  const int64_t block = static_cast<int64_t>(ctx.block_time_ms);
  TM_ASSIGN_OR_RETURN(std::string given, internal::OptStr(args, field));
  if (given.empty()) return std::make_pair(FormatEpcisTime(block), block);
  auto ms = ParseEpcisTime(given);
  if (!ms.ok()) {
    return Status::Invalid(field + ": an ISO 8601 time with zone, e.g. 2026-02-08T20:05:00+08:00");
  }
  const int64_t max_age_days = GetIntParam(view, "prov.customs_time_max_age_days", 400);
  if (*ms > block + kCustomsFutureMs) {
    return Status::FailedPrecondition("rule prov-customs-time: " + field + " " + given +
                                      " is more than 10 minutes after the block time " +
                                      FormatEpcisTime(block));
  }
  if (*ms < block - max_age_days * 86400000) {
    return Status::FailedPrecondition("rule prov-customs-time: " + field + " " + given +
                                      " is more than " + std::to_string(max_age_days) +
                                      " days before the block time " + FormatEpcisTime(block));
  }
  return std::make_pair(given, *ms);
}

// Whether `child` was inside `container` at time `t_ms`: its latest AggregationEvent ADD / DELETE
// with that container (by eventTime; ties by record order) at or before t_ms is an ADD.
bool InsideAt(const Value& child, const std::string& container, int64_t t_ms) {
  const Value* tl = child.Find("timeline");
  if (tl == nullptr || !tl->is_list()) return false;
  bool inside = false, seen = false;
  int64_t best = 0;
  for (const auto& e : tl->as_list()) {
    if (S(e, "type") != "AggregationEvent" || S(e, "via") != container) continue;
    const std::string action = S(e, "action");
    if (action != "ADD" && action != "DELETE") continue;
    auto ms = ParseEpcisTime(S(e, "eventTime"));
    if (!ms.ok() || *ms > t_ms) continue;
    if (!seen || *ms >= best) {
      seen = true;
      best = *ms;
      inside = action == "ADD";
    }
  }
  return inside;
}

// Tracked objects `id` covers at time t_ms (rule customs-coverage): itself and, for a container,
// what it held at t_ms (recursively), each once.
Status CoveredAt(const StateView& view, const std::string& id, int64_t t_ms,
                 std::vector<std::string>& out, int depth) {
  if (depth > 8) return Status::FailedPrecondition("containers nested deeper than 8 at " + id);
  TM_ASSIGN_OR_RETURN(std::optional<Value> obj, Load(view, keys::Obj(id)));
  if (!obj) return Status::Ok();
  if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  if (S(*obj, "kind") != "container") return Status::Ok();
  for (const auto& kid : Edges(view, "has", id)) {
    TM_ASSIGN_OR_RETURN(std::optional<Value> child, Load(view, keys::Obj(kid)));
    if (!child || !InsideAt(*child, id, t_ms)) continue;
    TM_RETURN_IF_ERROR(CoveredAt(view, kid, t_ms, out, depth + 1));
  }
  return Status::Ok();
}

}  // namespace

Status ApplyInspection(StateView& view, const std::vector<std::string>& ids,
                       const std::vector<std::string>& lots, const std::string& result,
                       const Value& entry) {
  std::vector<std::string> lot_ids = lots, covered;
  for (const auto& id : ids) TM_RETURN_IF_ERROR(Covered(view, id, covered, 0));
  for (const auto& id : covered) {
    TM_ASSIGN_OR_RETURN(std::optional<Value> obj, Load(view, keys::Obj(id)));
    const std::string lot = obj ? S(*obj, "lot_id") : std::string();
    if (!lot.empty() && std::find(lot_ids.begin(), lot_ids.end(), lot) == lot_ids.end()) {
      lot_ids.push_back(lot);
    }
  }
  for (const auto& lot_id : lot_ids) {
    auto lot = ParseIdentifier(lot_id);
    if (!lot.ok() || lot->kind != IdKind::kLgtin) continue;
    TM_ASSIGN_OR_RETURN(Value rec, LoadOrNewLot(view, lot->gtin, lot->lot));
    M(rec)["conformance"] = result;
    if (rec.Find("inspections") == nullptr) M(rec)["inspections"] = Value::List{};
    M(rec)
    ["inspections"].as_list().push_back(Value::Map{{"eventID", S(entry, "eventID")},
                                                   {"result", result},
                                                   {"org", S(entry, "org")},
                                                   {"eventTime", S(entry, "eventTime")},
                                                   {"height", I(entry, "height")}});
    PutValue(view, keys::Lot(lot->canonical), rec);
  }
  return Status::Ok();
}

// Tracked objects an id covers: itself (if tracked) and, for containers, everything inside.
Status Covered(const StateView& view, const std::string& id, std::vector<std::string>& out,
               int depth) {
  if (depth > 8) return Status::FailedPrecondition("containers nested deeper than 8 at " + id);
  TM_ASSIGN_OR_RETURN(std::optional<Value> obj, Load(view, keys::Obj(id)));
  if (!obj) return Status::Ok();
  if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  if (const Value* kids = obj->Find("children"); kids != nullptr && kids->is_list()) {
    for (const auto& k : kids->as_list())
      TM_RETURN_IF_ERROR(Covered(view, k.as_string(), out, depth + 1));
  }
  return Status::Ok();
}

Result<ItemsArg> ExpandItemsArg(const StateView& view, const Value& args, bool require_tracked) {
  TM_ASSIGN_OR_RETURN(Value::List items, internal::List(args, "items"));
  if (items.empty() || items.size() > 1000) return Status::Invalid("items: 1 to 1000 identifiers");
  ItemsArg out;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string at = "items[" + std::to_string(i) + "]";
    if (!items[i].is_string()) return Status::Invalid(at + ": must be an identifier");
    auto id = CanonicalId(items[i].as_string());
    if (!id.ok()) return id.status().WithContext(at);
    out.given.push_back(*id);
    size_t before = out.covered.size();
    TM_RETURN_IF_ERROR(Covered(view, *id, out.covered, 0));
    if (require_tracked && out.covered.size() == before) {
      // Nothing new: either untracked, or already covered through an earlier container.
      TM_ASSIGN_OR_RETURN(std::optional<Value> obj, Load(view, keys::Obj(*id)));
      if (!obj) return Status::NotFound(at + ": " + *id + " is not tracked on the ledger");
    }
  }
  return out;
}

Status RegisterProduct(const TxContext& ctx, const Value& args, StateView& view,
                       EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord signer,
                      RequireRole(view, ctx, {Role::kBrand, Role::kManufacturer}));
  TM_ASSIGN_OR_RETURN(std::string raw, internal::Str(args, "gtin"));
  auto gtin = NormaliseGtin(raw);
  if (!gtin.ok()) return gtin.status().WithContext("gtin");
  TM_ASSIGN_OR_RETURN(std::string name, internal::Str(args, "name"));
  TM_ASSIGN_OR_RETURN(std::string country, internal::Str(args, "origin_country"));
  if (!IsCountry(country)) return Status::Invalid("origin_country: ISO 3166 alpha-2 code, e.g. FR");
  int64_t cpl = internal::IntOr(args, "company_prefix_length", 0);
  if (cpl != 0 && (cpl < 6 || cpl > 12)) return Status::Invalid("company_prefix_length: 6 to 12");
  TM_ASSIGN_OR_RETURN(std::optional<Value> existing, Load(view, keys::Product(*gtin)));
  if (existing && S(*existing, "owner") != signer.org) {
    return Status::AlreadyExists("gtin: product " + *gtin + " is registered by " +
                                 S(*existing, "owner"));
  }
  Value rec = Value::Map{{"gtin", *gtin},
                         {"name", name},
                         {"brand", internal::StrOr(args, "brand")},
                         {"origin_country", country},
                         {"company_prefix_length", cpl},
                         {"description", internal::StrOr(args, "description")},
                         {"owner", signer.org},
                         {"height", static_cast<int64_t>(ctx.height)}};
  PutValue(view, keys::Product(*gtin), rec);
  events.Emit("prov.ProductRegistered", Value::Map{{"gtin", *gtin}, {"org", signer.org}});
  return Status::Ok();
}

Status RegisterLot(const TxContext& ctx, const Value& args, StateView& view, EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord signer,
                      RequireRole(view, ctx, {Role::kBrand, Role::kManufacturer}));
  TM_ASSIGN_OR_RETURN(std::string raw, internal::Str(args, "gtin"));
  auto gtin = NormaliseGtin(raw);
  if (!gtin.ok()) return gtin.status().WithContext("gtin");
  TM_ASSIGN_OR_RETURN(std::string lot, internal::Str(args, "lot"));
  auto lot_id = ParseIdentifier(LotKey(*gtin, lot));
  if (!lot_id.ok()) return lot_id.status().WithContext("lot");
  TM_RETURN_IF_ERROR(
      RequireGtinOwner(view, *gtin, signer.org, "lot", /*allow_unregistered=*/false));
  TM_ASSIGN_OR_RETURN(std::string prod, DateArg(args, "production_date", false));
  TM_ASSIGN_OR_RETURN(std::string exp, DateArg(args, "expiry_date", false));
  if (!prod.empty() && !exp.empty() && exp < prod) {
    return Status::Invalid("expiry_date: before production_date");
  }
  TM_ASSIGN_OR_RETURN(Value rec, LoadOrNewLot(view, *gtin, lot));
  if (!S(rec, "owner").empty()) {
    return Status::AlreadyExists("lot " + S(rec, "id") + " is already registered by " +
                                 S(rec, "owner"));
  }
  Value::Map& m = M(rec);
  m["owner"] = signer.org;
  m["production_date"] = prod;
  m["expiry_date"] = exp;
  if (!exp.empty()) m["expiry_day"] = *ParseDate(exp);
  m["height"] = static_cast<int64_t>(ctx.height);
  PutValue(view, keys::Lot(S(rec, "id")), rec);
  events.Emit("prov.LotRegistered", Value::Map{{"lot", S(rec, "id")}, {"org", signer.org}});
  return Status::Ok();
}

Status RegisterLocation(const TxContext& ctx, const Value& args, StateView& view,
                        EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord signer, ActiveSigner(view, ctx.signer));
  TM_ASSIGN_OR_RETURN(std::string raw, internal::Str(args, "gln"));
  auto canonical = CanonicalLocationId(raw);  // any GS1 location form (docs: Identifiers)
  if (!canonical.ok()) return canonical.status().WithContext("gln");
  auto id = ParseIdentifier(*canonical);
  if (!id.ok()) return id.status().WithContext("gln");
  if (id->kind != IdKind::kSgln) return Status::Invalid("gln: not a GLN");
  TM_ASSIGN_OR_RETURN(std::string name, internal::Str(args, "name"));
  std::string country = internal::StrOr(args, "country");
  if (!country.empty() && !IsCountry(country)) return Status::Invalid("country: ISO 3166 alpha-2");
  TM_ASSIGN_OR_RETURN(std::optional<Value> existing, Load(view, keys::Location(id->canonical)));
  if (existing && S(*existing, "owner") != signer.org) {
    return Status::AlreadyExists("gln: location registered by " + S(*existing, "owner"));
  }
  PutValue(view, keys::Location(id->canonical),
           Value::Map{{"id", id->canonical},
                      {"gln", id->gln},
                      {"name", name},
                      {"country", country},
                      {"kind", internal::StrOr(args, "kind")},
                      {"owner", signer.org}});
  events.Emit("prov.LocationRegistered", Value::Map{{"id", id->canonical}});
  return Status::Ok();
}

Status RegisterParty(const TxContext& ctx, const Value& args, StateView& view, EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord signer, ActiveSigner(view, ctx.signer));
  TM_ASSIGN_OR_RETURN(std::string raw, internal::Str(args, "id"));
  // A party in any GS1 form (GLN, PGLN URN, /417/ Digital Link) is kept as its canonical
  // /417/<gln>; any other id is a record id.
  auto canonical = CanonicalPartyId(raw);
  if (!canonical.ok()) return canonical.status().WithContext("id");
  const std::string id = *canonical;
  if (id.rfind("/417/", 0) != 0) TM_RETURN_IF_ERROR(CheckRecordId(id, "id"));
  TM_ASSIGN_OR_RETURN(std::string name, internal::Str(args, "name"));
  TM_ASSIGN_OR_RETURN(std::optional<Value> existing, Load(view, keys::Party(id)));
  if (existing && S(*existing, "owner") != signer.org) {
    return Status::AlreadyExists("id: party registered by " + S(*existing, "owner"));
  }
  PutValue(view, keys::Party(id),
           Value::Map{{"id", id},
                      {"name", name},
                      {"country", internal::StrOr(args, "country")},
                      {"owner", signer.org}});
  events.Emit("prov.PartyRegistered", Value::Map{{"id", id}});
  return Status::Ok();
}

Status CustomsDeclare(const TxContext& ctx, const Value& args, StateView& view, EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord signer,
                      RequireRole(view, ctx, {Role::kCustomsBroker, Role::kPlatform}));
  TM_ASSIGN_OR_RETURN(std::string no, internal::Str(args, "declaration_no"));
  TM_RETURN_IF_ERROR(CheckRecordId(no, "declaration_no"));
  TM_ASSIGN_OR_RETURN(std::string mode, internal::Str(args, "mode"));
  if (mode != "0110" && mode != "1210" && mode != "1239" && mode != "9610" && mode != "9710" &&
      mode != "9810") {
    return Status::Invalid("mode: must be 0110, 1210, 1239, 9610, 9710 or 9810");
  }
  TM_ASSIGN_OR_RETURN(auto declared, CustomsTime(ctx, view, args, "declared_time"));
  Value::Map rec{{"declaration_no", no},
                 {"mode", mode},
                 {"status", "DECLARED"},
                 {"broker", signer.org},
                 {"declared_height", static_cast<int64_t>(ctx.height)},
                 {"declared_time", declared.first},
                 {"declared_ms", declared.second}};
  for (const char* f : {"order_no", "payment_no", "waybill_no"}) {
    TM_ASSIGN_OR_RETURN(std::string v, internal::Str(args, f));
    rec[f] = v;
  }
  rec["origin_country"] = internal::StrOr(args, "origin_country");
  TM_ASSIGN_OR_RETURN(std::optional<Value> existing, Load(view, keys::Customs(no)));
  if (existing) return Status::AlreadyExists("declaration_no: " + no + " is already declared");
  // Rule customs-coverage: a container covers what it held at the declaration's own time.
  TM_ASSIGN_OR_RETURN(Value::List raw_items, internal::List(args, "items"));
  if (raw_items.empty() || raw_items.size() > 1000) {
    return Status::Invalid("items: 1 to 1000 identifiers");
  }
  Value::List given;
  std::vector<std::string> covered;
  for (size_t i = 0; i < raw_items.size(); ++i) {
    std::string at = "items[" + std::to_string(i) + "]";
    if (!raw_items[i].is_string()) return Status::Invalid(at + ": must be an identifier");
    auto id = CanonicalId(raw_items[i].as_string());
    if (!id.ok()) return id.status().WithContext(at);
    given.push_back(*id);
    if (args.Find("declared_time") != nullptr) {
      TM_RETURN_IF_ERROR(CoveredAt(view, *id, declared.second, covered, 0));
    } else {  // declared now: what the containers hold as recorded at this block
      TM_RETURN_IF_ERROR(Covered(view, *id, covered, 0));
    }
  }
  // Rule customs-engagement: every covered item, before anything is written.
  for (const auto& id : covered) TM_RETURN_IF_ERROR(CheckNotPledged(view, id));
  for (const auto& id : covered) {
    TM_ASSIGN_OR_RETURN(std::optional<Value> obj, Load(view, keys::Obj(id)));
    TM_RETURN_IF_ERROR(RequireCustomsEngagement(view, *obj, signer.org));
  }
  for (const auto& id : covered) {
    TM_ASSIGN_OR_RETURN(std::optional<Value> obj, Load(view, keys::Obj(id)));
    std::string state = S(*obj, "state");
    if (state == "DESTROYED") return Status::FailedPrecondition("item " + id + ": was destroyed");
    if (state == "SOLD") return Status::FailedPrecondition("item " + id + ": was sold");
    if (state == "CUSTOMS_HOLD" || state == "INSPECTED") {
      return Status::FailedPrecondition("item " + id + ": is already under declaration " +
                                        S(*obj, "customs"));
    }
    const bool bonded = UnderBondedControl(*obj);
    if ((mode == "1210" || mode == "1239") && !bonded) {
      return Status::FailedPrecondition(
          "rule prov-1210-bonded: item " + id + ": a " + mode +
          " bonded import declares goods stored under bonded control; it was never received or "
          "stored at a bonded location");
    }
    if (mode == "9610" && bonded) {
      return Status::FailedPrecondition("rule prov-9610-direct: item " + id +
                                        ": is stored under bonded control; bonded goods clear "
                                        "under 1210, not as a direct 9610 import");
    }
    M(*obj)["customs"] = no;
    M(*obj)["import_mode"] = mode;
    PutValue(view, keys::Obj(id), *obj);
  }
  Value::List cov(covered.begin(), covered.end());
  rec["items"] = Value(given);
  rec["covered"] = Value(cov);
  rec["history"] = Value::List{Value::Map{{"status", "DECLARED"},
                                          {"org", signer.org},
                                          {"height", static_cast<int64_t>(ctx.height)},
                                          {"tx", ctx.tx_id.Hex()}}};
  PutValue(view, keys::Customs(no), Value(rec));
  Value entry = Entry(ctx, signer.org, "customs", "DECLARED");
  M(entry)["declaration_no"] = no;
  M(entry)["eventTime"] = declared.first;
  TM_RETURN_IF_ERROR(SetCustomsState(view, covered, "CUSTOMS_HOLD", "DECLARED", entry));
  events.Emit("prov.CustomsDeclared", Value::Map{{"declaration_no", no},
                                                 {"mode", mode},
                                                 {"items", static_cast<int64_t>(covered.size())}});
  return Status::Ok();
}

Status CustomsDecide(const TxContext& ctx, std::string_view method, const Value& args,
                     StateView& view, EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord signer, RequireRole(view, ctx, {Role::kCustoms}));
  TM_ASSIGN_OR_RETURN(std::string no, internal::Str(args, "declaration_no"));
  TM_ASSIGN_OR_RETURN(std::optional<Value> rec, Load(view, keys::Customs(no)));
  if (!rec) return Status::NotFound("declaration_no: no declaration " + no);
  std::string from = S(*rec, "status");
  std::string to, item_state;
  std::vector<std::string> allowed;
  if (method == "customs_inspect") {
    to = "INSPECTING", item_state = "INSPECTED", allowed = {"DECLARED"};
  } else if (method == "customs_release") {
    to = "RELEASED", item_state = "RELEASED", allowed = {"DECLARED", "INSPECTING"};
  } else if (method == "customs_reject") {
    to = "REJECTED", item_state = "CUSTOMS_REJECTED", allowed = {"DECLARED", "INSPECTING"};
  } else {
    to = "RETURNED", item_state = "RETURNED", allowed = {"DECLARED", "INSPECTING", "REJECTED"};
  }
  if (std::find(allowed.begin(), allowed.end(), from) == allowed.end()) {
    return Status::FailedPrecondition("declaration " + no + " is " + from + "; it cannot become " +
                                      to);
  }
  std::string reason = internal::StrOr(args, "reason");
  if (to == "REJECTED" && reason.empty()) return Status::Invalid("reason: required to reject");
  std::vector<std::string> covered;
  for (const auto& v : rec->Find("covered")->as_list()) covered.push_back(v.as_string());
  std::pair<std::string, int64_t> release;
  if (to == "RELEASED") {
    TM_ASSIGN_OR_RETURN(release, CustomsTime(ctx, view, args, "release_time"));
    const int64_t declared_ms = rec->Find("declared_ms") != nullptr
                                    ? I(*rec, "declared_ms")
                                    : ParseEpcisTime(S(*rec, "declared_time")).value_or(0);
    if (release.second < declared_ms) {
      return Status::FailedPrecondition("rule prov-customs-time: release_time " + release.first +
                                        " is before the declaration's time " +
                                        S(*rec, "declared_time"));
    }
    // Rule prov-non-conformant: no release of goods whose lot failed inspection.
    for (const auto& id : covered) {
      TM_ASSIGN_OR_RETURN(std::optional<Value> obj, Load(view, keys::Obj(id)));
      if (!obj || S(*obj, "lot_id").empty()) continue;
      TM_ASSIGN_OR_RETURN(std::optional<Value> lot, Load(view, keys::Lot(S(*obj, "lot_id"))));
      if (lot && S(*lot, "conformance") == "non_conformant") {
        return Status::FailedPrecondition("rule prov-non-conformant: item " + id + ": its lot " +
                                          S(*obj, "lot_id") +
                                          " is non-conformant; customs cannot release it");
      }
    }
    for (const auto& id : covered) {
      TM_ASSIGN_OR_RETURN(std::optional<Value> obj, Load(view, keys::Obj(id)));
      if (!obj || S(*obj, "state") == "DESTROYED") continue;
      Value::Map& om = M(*obj);
      om["released"] = Value::Map{{"declaration_no", no},
                                  {"mode", S(*rec, "mode")},
                                  {"release_time", release.first},
                                  {"release_ms", release.second},
                                  {"declared_ms", declared_ms},
                                  {"was_bonded", UnderBondedControl(*obj)},
                                  {"height", static_cast<int64_t>(ctx.height)}};
      om["bonded"] = Value();
      PutValue(view, keys::Obj(id), *obj);
    }
  }
  Value::Map& m = M(*rec);
  m["status"] = to;
  if (to == "RELEASED") {
    m["released_height"] = static_cast<int64_t>(ctx.height);
    m["released_time"] = release.first;
    m["released_ms"] = release.second;
  }
  m["history"].as_list().push_back(Value::Map{{"status", to},
                                              {"org", signer.org},
                                              {"height", static_cast<int64_t>(ctx.height)},
                                              {"tx", ctx.tx_id.Hex()},
                                              {"reason", reason}});
  PutValue(view, keys::Customs(no), *rec);
  Value entry = Entry(ctx, signer.org, "customs", to);
  if (to == "RELEASED") M(entry)["eventTime"] = release.first;
  M(entry)["declaration_no"] = no;
  TM_RETURN_IF_ERROR(SetCustomsState(view, covered, item_state, to, entry));
  events.Emit("prov.Customs" + std::string(to == "INSPECTING" ? "Inspecting"
                                           : to == "RELEASED" ? "Released"
                                           : to == "REJECTED" ? "Rejected"
                                                              : "Returned"),
              Value::Map{{"declaration_no", no}, {"status", to}});
  return Status::Ok();
}

Status Certify(const TxContext& ctx, const Value& args, StateView& view, EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord signer, RequireRole(view, ctx, {Role::kInspector}));
  TM_ASSIGN_OR_RETURN(std::string id, internal::Str(args, "certificate_id"));
  TM_RETURN_IF_ERROR(CheckRecordId(id, "certificate_id"));
  TM_ASSIGN_OR_RETURN(std::string result, internal::Str(args, "result"));
  if (result != "conformant" && result != "non_conformant") {
    return Status::Invalid("result: must be conformant or non_conformant");
  }
  TM_ASSIGN_OR_RETURN(std::string sha, internal::Str(args, "report_sha256"));
  auto hash = Hash256::FromHex(sha);
  if (!hash.ok()) return hash.status().WithContext("report_sha256");
  TM_ASSIGN_OR_RETURN(std::string issued, DateArg(args, "issue_date", true));
  TM_ASSIGN_OR_RETURN(std::string expires, DateArg(args, "expiry_date", true));
  if (expires < issued) return Status::Invalid("expiry_date: before issue_date");
  TM_ASSIGN_OR_RETURN(std::optional<Value> existing, Load(view, keys::Cert(id)));
  if (existing) return Status::AlreadyExists("certificate_id: " + id + " exists");
  TM_ASSIGN_OR_RETURN(Value::List lots, internal::List(args, "lots"));
  if (lots.empty() || lots.size() > 100) return Status::Invalid("lots: 1 to 100 lot identifiers");
  Value::List lot_ids;
  for (size_t i = 0; i < lots.size(); ++i) {
    std::string at = "lots[" + std::to_string(i) + "]";
    TM_ASSIGN_OR_RETURN(Gs1Id lot, LotArg(Value::Map{{at, lots[i]}}, at));
    TM_ASSIGN_OR_RETURN(Value rec, LoadOrNewLot(view, lot.gtin, lot.lot));
    M(rec)["conformance"] = result;
    M(rec)["certificates"].as_list().push_back(id);
    PutValue(view, keys::Lot(lot.canonical), rec);
    lot_ids.push_back(lot.canonical);
  }
  PutValue(view, keys::Cert(id),
           Value::Map{{"certificate_id", id},
                      {"inspector", signer.org},
                      {"result", result},
                      {"report_sha256", hash->Hex()},
                      {"issue_date", issued},
                      {"expiry_date", expires},
                      {"lots", Value(lot_ids)},
                      {"height", static_cast<int64_t>(ctx.height)},
                      {"tx", ctx.tx_id.Hex()}});
  events.Emit("prov.Certified", Value::Map{{"certificate_id", id}, {"result", result}});
  return Status::Ok();
}

Status Recall(const TxContext& ctx, const Value& args, StateView& view, EventSink& events) {
  TM_ASSIGN_OR_RETURN(
      KeyRecord signer,
      RequireRole(view, ctx, {Role::kBrand, Role::kManufacturer, Role::kRegulator}));
  TM_ASSIGN_OR_RETURN(Gs1Id lot, LotArg(args, "lot"));
  TM_ASSIGN_OR_RETURN(std::string reason, internal::Str(args, "reason"));
  TM_ASSIGN_OR_RETURN(bool regulator, SignerHolds(view, signer, Role::kRegulator));
  if (!regulator) {
    TM_ASSIGN_OR_RETURN(std::string owner, GtinOwner(view, lot.gtin));
    bool delegate = false;
    if (!owner.empty() && owner != signer.org) {
      TM_ASSIGN_OR_RETURN(delegate, IsDelegate(view, GtinScope(lot.gtin), signer.org, "recall"));
    }
    if (owner.empty() || (owner != signer.org && !delegate)) {
      return Deny("recall", "lot " + lot.canonical + " belongs to " +
                                (owner.empty() ? "no registered product" : "org " + owner) +
                                "; org " + signer.org +
                                " may not recall it (its owner, a delegate or a REGULATOR may)");
    }
  }
  std::string recall_id =
      internal::StrOr(args, "recall_id", "recall-" + ctx.tx_id.Hex().substr(0, 16));
  TM_RETURN_IF_ERROR(CheckRecordId(recall_id, "recall_id"));
  TM_ASSIGN_OR_RETURN(std::optional<Value> existing, Load(view, keys::Recall(recall_id)));
  if (existing) return Status::AlreadyExists("recall_id: " + recall_id + " exists");
  // Breadth-first over "packed with" (in / has) and "made from" (made) edges.
  std::map<std::string, std::string> via;  // reached node -> the node it was reached from
  std::deque<std::string> queue;
  auto reach = [&](const std::string& n, const std::string& from) {
    if (via.count(n) != 0) return;
    via[n] = from;
    queue.push_back(n);
  };
  reach(lot.canonical, "");
  for (const auto& item : Edges(view, "lotitem", lot.canonical)) reach(item, lot.canonical);
  while (!queue.empty()) {
    if (via.size() > kMaxRecallReach) {
      return Status::ResourceExhausted("recall reaches more than " +
                                       std::to_string(kMaxRecallReach) + " identifiers");
    }
    std::string n = queue.front();
    queue.pop_front();
    for (const char* rel : {"in", "has", "made"}) {
      for (const auto& m : Edges(view, rel, n)) reach(m, n);
    }
  }
  Value::List affected;
  Value entry = Entry(ctx, signer.org, "recall", "RECALLED");
  M(entry)["recall_id"] = recall_id;
  for (const auto& [id, from] : via) {
    TM_ASSIGN_OR_RETURN(std::optional<Value> obj, Load(view, keys::Obj(id)));
    if (!obj) continue;
    affected.push_back(id);
    Value::Map& m = M(*obj);
    m["recalled"] = Value::Map{{"recall_id", recall_id},
                               {"lot", lot.canonical},
                               {"via", from},
                               {"height", static_cast<int64_t>(ctx.height)}};
    std::string state = S(*obj, "state");
    if (state != "SOLD" && state != "DESTROYED") m["state"] = "RECALLED";
    Value e = entry;
    M(e)["state"] = m["state"];
    M(e)["via"] = from;
    m["timeline"].as_list().push_back(std::move(e));
    PutValue(view, keys::Obj(id), *obj);
  }
  TM_ASSIGN_OR_RETURN(Value lot_rec, LoadOrNewLot(view, lot.gtin, lot.lot));
  M(lot_rec)
  ["recalled"] = Value::Map{
      {"recall_id", recall_id}, {"reason", reason}, {"height", static_cast<int64_t>(ctx.height)}};
  PutValue(view, keys::Lot(lot.canonical), lot_rec);
  PutValue(view, keys::Recall(recall_id),
           Value::Map{{"recall_id", recall_id},
                      {"lot", lot.canonical},
                      {"reason", reason},
                      {"org", signer.org},
                      {"height", static_cast<int64_t>(ctx.height)},
                      {"tx", ctx.tx_id.Hex()},
                      {"affected", Value(affected)}});
  events.Emit("prov.Recalled", Value::Map{{"recall_id", recall_id},
                                          {"lot", lot.canonical},
                                          {"affected", static_cast<int64_t>(affected.size())}});
  return Status::Ok();
}

Status Scan(const TxContext& ctx, const Value& args, StateView& view, EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord signer, RequireServiceKey(view, ctx));
  TM_ASSIGN_OR_RETURN(std::string code, CanonicalArg(args, "code"));
  int64_t max_per_block = GetIntParam(view, "prov.scan_max_per_block", 3);
  TM_ASSIGN_OR_RETURN(std::optional<Value> rec, Load(view, keys::Scan(code)));
  int64_t h = static_cast<int64_t>(ctx.height);
  if (!rec) {
    rec = Value::Map{{"code", code},
                     {"count", 0},
                     {"first_time", FormatEpcisTime(static_cast<int64_t>(ctx.block_time_ms))},
                     {"first_height", h},
                     {"first_org", signer.org},
                     {"last_height", 0},
                     {"in_block", 0}};
  }
  Value::Map& m = M(*rec);
  int64_t in_block = I(*rec, "last_height") == h ? I(*rec, "in_block") : 0;
  if (in_block >= max_per_block) {
    return Status::ResourceExhausted("code " + code + " was scanned " + std::to_string(in_block) +
                                     " times in this block (limit)");
  }
  m["count"] = I(*rec, "count") + 1;
  m["last_height"] = h;
  m["in_block"] = in_block + 1;
  m["last_time"] = FormatEpcisTime(static_cast<int64_t>(ctx.block_time_ms));
  PutValue(view, keys::Scan(code), *rec);
  events.Emit("prov.Scanned", Value::Map{{"code", code}, {"count", m["count"]}});
  return Status::Ok();
}

}  // namespace prov

Status ProvenanceContract::Execute(const TxContext& ctx, std::string_view method, const Value& args,
                                   StateView& state, EventSink& events) const {
  TM_RETURN_IF_ERROR(internal::NeedMap(args, "args"));
  if (method == "capture") return prov::CaptureEvents(ctx, args, state, events);
  if (method == "register_product") return prov::RegisterProduct(ctx, args, state, events);
  if (method == "register_lot") return prov::RegisterLot(ctx, args, state, events);
  if (method == "register_location") return prov::RegisterLocation(ctx, args, state, events);
  if (method == "register_party") return prov::RegisterParty(ctx, args, state, events);
  if (method == "customs_declare") return prov::CustomsDeclare(ctx, args, state, events);
  if (method == "customs_inspect" || method == "customs_release" || method == "customs_reject" ||
      method == "customs_return") {
    return prov::CustomsDecide(ctx, method, args, state, events);
  }
  if (method == "certify") return prov::Certify(ctx, args, state, events);
  if (method == "recall") return prov::Recall(ctx, args, state, events);
  if (method == "scan") return prov::Scan(ctx, args, state, events);
  if (method == "delegate") return prov::Delegate(ctx, args, state, events);
  if (method == "revoke_delegation") return prov::RevokeDelegation(ctx, args, state, events);
  if (method == "transfer_custody") return prov::TransferCustody(ctx, args, state, events);
  if (method == "accept_custody") return prov::AcceptCustody(ctx, args, state, events);
  return Status::Invalid("prov: unknown method '" + std::string(method) + "'");
}

Result<std::optional<Value>> GetObject(const StateView& view, const std::string& id) {
  auto c = CanonicalId(id);
  if (!c.ok()) return c.status();
  return prov::Load(view, prov::keys::Obj(*c));
}

Result<std::optional<Value>> GetLot(const StateView& view, const std::string& lot_id) {
  auto c = CanonicalId(lot_id);
  if (!c.ok()) return c.status();
  return prov::Load(view, prov::keys::Lot(*c));
}

Result<std::optional<Value>> GetCustoms(const StateView& view, const std::string& no) {
  return prov::Load(view, prov::keys::Customs(no));
}

}  // namespace tidemark::contracts
