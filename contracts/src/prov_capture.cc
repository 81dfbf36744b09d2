// prov.capture: stores EPCIS events with their indexes and drives the item lifecycle.
#include <algorithm>
#include <set>

#include "args.h"
#include "prov_auth.h"
#include "prov_internal.h"
#include "prov_lifecycle.h"
#include "prov_methods.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/event_hash.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/contracts/provenance.h"

namespace tidemark::contracts::prov {

namespace {

struct Capture {
  const TxContext& ctx;
  StateView& view;
  KeyRecord signer;
  bool bonded = false;
  bool customs = false;
  bool regulator = false;
  bool inspector = false;
  Value context;                       // the document's @context entries (a list), or null
  uint64_t first_seq = 0;              // the capture's first event record, which holds `context`
  const Value* doc_context = nullptr;  // args.context: the document's @context prefix maps
};

uint64_t NextSeq(StateView& view) {
  auto v = GetValue(view, std::string(keys::kNextSeq));
  uint64_t seq =
      v.ok() && v->has_value() && (*v)->is_int() ? static_cast<uint64_t>((*v)->as_int()) : 1;
  PutValue(view, std::string(keys::kNextSeq), Value(static_cast<int64_t>(seq + 1)));
  return seq;
}

std::string LotOf(const Value& ev, const Gs1Id& id) {
  if (!id.lot.empty()) return id.lot;
  if (const Value* ilmd = ev.Find("ilmd")) {
    for (const char* k : {"cbvmda:lotNumber", "lotNumber", "gs1:lotNumber"}) {
      std::string lot = S(*ilmd, k);
      if (!lot.empty()) return lot;
    }
  }
  return "";
}

void Index(StateView& view, const std::string& index, const std::string& value, uint64_t seq) {
  if (!value.empty()) view.Put(keys::Index(index, value, seq), {});
}

void IndexEvent(StateView& view, const Value& ev, const EventIds& ids, int64_t time_ms,
                uint64_t seq) {
  for (const auto& e : ids.epcs) Index(view, "epc", e, seq);
  for (const auto& e : ids.AnyEpc()) Index(view, "any", e, seq);
  for (const auto& c : ids.classes) Index(view, "class", c, seq);
  Index(view, "parent", ids.parent, seq);
  Index(view, "type", S(ev, "type"), seq);
  Index(view, "step", NormaliseBizStep(S(ev, "bizStep")), seq);
  Index(view, "disp", NormaliseDisposition(S(ev, "disposition")), seq);
  if (const Value* loc = ev.Find("bizLocation")) {
    auto c = CanonicalId(S(*loc, "id"));
    if (c.ok()) Index(view, "loc", *c, seq);
  }
  Index(view, "time", state_keys::TimePart(time_ms), seq);
  // The PO / despatch advice ids a receivable's delivery evidence is found by (fin.confirm); ids
  // longer than 256 bytes (which no receivable can reference) are not indexed.
  if (const Value* btl = ev.Find("bizTransactionList"); btl != nullptr && btl->is_list()) {
    for (const auto& bt : btl->as_list()) {
      const std::string id = S(bt, "bizTransaction");
      const size_t b = id.find_first_not_of(" \t\r\n"), e = id.find_last_not_of(" \t\r\n");
      if (b != std::string::npos && e - b < 256) {
        Index(view, "biztx", id.substr(b, e - b + 1), seq);
      }
    }
  }
}

// Creates items for the SGTINs an event commissions. `strict`: an item commissioned twice fails.
Status Commission(Capture& c, const Value& ev, const std::vector<std::string>& raw_ids,
                  bool strict) {
  for (const auto& raw : raw_ids) {
    TM_ASSIGN_OR_RETURN(Gs1Id id, ParseIdentifier(raw));
    if (id.kind != IdKind::kSgtin) continue;
    TM_RETURN_IF_ERROR(RequireGtinOwner(c.view, id.gtin, c.signer.org, "commission",
                                        /*allow_unregistered=*/true));
    TM_ASSIGN_OR_RETURN(std::optional<Value> existing, Load(c.view, keys::Obj(id.canonical)));
    if (existing) {
      if (!strict) continue;
      return Status::AlreadyExists("item " + id.canonical + ": already commissioned at height " +
                                   std::to_string(I(*existing, "created_height")));
    }
    std::string lot = LotOf(ev, id);
    Value item = NewItem(id.canonical, id.gtin, lot, id.serial, c.ctx.height);
    M(item)["custody"] = c.signer.org;
    M(item)["owner"] = c.signer.org;  // its product's owner, once registered, owns it (prov_auth.h)
    PutValue(c.view, keys::Obj(id.canonical), item);
    if (!lot.empty()) PutEdge(c.view, "lotitem", LotKey(id.gtin, lot), id.canonical);
  }
  return Status::Ok();
}

std::vector<std::string> RawList(const Value& ev, const char* field) {
  std::vector<std::string> out;
  if (const Value* l = ev.Find(field); l != nullptr && l->is_list()) {
    for (const auto& e : l->as_list()) out.push_back(e.as_string());
  }
  return out;
}

Status Aggregate(Capture& c, const Value& ev, const EventIds& ids, const Step& step) {
  const std::string action = S(ev, "action");
  const std::string& parent = ids.parent;
  if (parent.empty()) return Status::Ok();  // OBSERVE without a parent
  TM_ASSIGN_OR_RETURN(std::optional<Value> cont, Load(c.view, keys::Obj(parent)));
  if (action == "ADD") {
    if (!cont) {
      cont = NewContainer(parent, c.ctx.height);
      M(*cont)["custody"] = c.signer.org;  // whoever packs a new container holds and owns it
      M(*cont)["owner"] = c.signer.org;
    }
    if (cont->Find("children") == nullptr) M(*cont)["children"] = Value::List{};
    Step observe = step;
    observe.target = "";
    observe.handover_to = "";
    TM_RETURN_IF_ERROR(CheckStep(c.view, *cont, observe));
    std::vector<std::string> kids = ids.epcs;
    for (const auto& cls : ids.classes) {  // lot-level packing links the lot to the container
      PutEdge(c.view, "has", parent, cls);
      PutEdge(c.view, "in", cls, parent);
    }
    for (const auto& kid : kids) {
      if (kid == parent) return Status::Invalid("parentID cannot be its own child");
      PutEdge(c.view, "has", parent, kid);
      PutEdge(c.view, "in", kid, parent);
      auto& list = M(*cont)["children"].as_list();
      if (std::find(list.begin(), list.end(), Value(kid)) == list.end()) list.push_back(kid);
      TM_ASSIGN_OR_RETURN(std::optional<Value> child, Load(c.view, keys::Obj(kid)));
      if (!child) continue;
      std::string cur = S(*child, "parent");
      if (!cur.empty() && cur != parent) {
        return Status::FailedPrecondition("item " + kid + ": is packed in " + cur +
                                          "; unpack it before packing it into " + parent);
      }
      TM_RETURN_IF_ERROR(CheckStep(c.view, *child, step));
      ApplyStep(*child, step, parent);
      M(*child)["parent"] = parent;
      PutValue(c.view, keys::Obj(kid), *child);
    }
    ApplyStep(*cont, observe, "");
    PutValue(c.view, keys::Obj(parent), *cont);
    return Status::Ok();
  }
  // The tracked objects an unpacking or observation names must be the signer's to write about,
  // even where the container is untracked (its event is then only recorded).
  const Actor actor{c.signer.org, c.customs, c.regulator};
  for (const auto& kid : ids.epcs) {
    TM_ASSIGN_OR_RETURN(std::optional<Value> child, Load(c.view, keys::Obj(kid)));
    if (child) {
      TM_RETURN_IF_ERROR(
          AuthoriseEvent(c.view, *child, action == "DELETE" ? "" : step.target, actor));
    }
  }
  if (!cont) return Status::Ok();  // an untracked container: recorded only
  if (cont->Find("children") == nullptr) M(*cont)["children"] = Value::List{};
  if (action == "DELETE") {
    Step observe = step;
    observe.target = "";
    observe.handover_to = "";
    TM_RETURN_IF_ERROR(CheckStep(c.view, *cont, observe));
    auto& list = M(*cont)["children"].as_list();
    std::vector<std::string> removed = ids.epcs;
    if (removed.empty()) {
      for (const auto& v : list) removed.push_back(v.as_string());
    }
    // Rule prov-pledged: unpacking moves goods out of a receipt's reach.
    TM_RETURN_IF_ERROR(CheckNotPledged(c.view, parent));
    for (const auto& kid : removed) TM_RETURN_IF_ERROR(CheckNotPledged(c.view, kid));
    for (const auto& kid : removed) {
      list.erase(std::remove(list.begin(), list.end(), Value(kid)), list.end());
      TM_ASSIGN_OR_RETURN(std::optional<Value> child, Load(c.view, keys::Obj(kid)));
      if (!child) continue;
      TM_RETURN_IF_ERROR(CheckStep(c.view, *child, observe));
      ApplyStep(*child, observe, parent);
      if (S(*child, "parent") == parent) M(*child)["parent"] = "";
      PutValue(c.view, keys::Obj(kid), *child);
    }
    ApplyStep(*cont, observe, "");
    PutValue(c.view, keys::Obj(parent), *cont);
    return Status::Ok();
  }
  // OBSERVE: the container and its content take the step.
  return StepObject(c.view, parent, step, "");
}

Status Transform(Capture& c, const Value& ev, const EventIds& ids, const Step& step) {
  std::vector<std::string> ins = ids.inputs, outs = ids.outputs;
  ins.insert(ins.end(), ids.input_classes.begin(), ids.input_classes.end());
  outs.insert(outs.end(), ids.output_classes.begin(), ids.output_classes.end());
  if (ins.size() * outs.size() > 10000) {
    return Status::ResourceExhausted("transformation links more than 10000 input/output pairs");
  }
  Step consume = step;
  consume.target = "";
  consume.handover_to = "";
  Value bonded;  // rule prov-bonded-unreleased: what is made of bonded goods stays bonded
  for (const auto& in : ins) {
    TM_ASSIGN_OR_RETURN(std::optional<Value> input, Load(c.view, keys::Obj(in)));
    if (input && bonded.is_null() && UnderBondedControl(*input)) bonded = *input->Find("bonded");
    TM_RETURN_IF_ERROR(StepObject(c.view, in, consume, ""));
    for (const auto& out : outs) {
      PutEdge(c.view, "made", in, out);
      PutEdge(c.view, "from", out, in);
    }
  }
  TM_RETURN_IF_ERROR(Commission(c, ev, RawList(ev, "outputEPCList"), /*strict=*/false));
  for (const auto& out : ids.outputs) {
    TM_RETURN_IF_ERROR(StepObject(c.view, out, step, ""));
    if (bonded.is_null()) continue;
    TM_ASSIGN_OR_RETURN(std::optional<Value> made, Load(c.view, keys::Obj(out)));
    if (!made || UnderBondedControl(*made)) continue;
    const Value* released = made->Find("released");
    if (released != nullptr && released->is_map()) continue;
    M(*made)["bonded"] = bonded;
    PutValue(c.view, keys::Obj(out), *made);
  }
  return Status::Ok();
}

Status CheckRoles(Capture& c, const std::string& type, const std::string& action,
                  const std::string& biz_step, const std::string& target) {
  if ((type == "ObjectEvent" && action == "ADD" && biz_step == "commissioning") ||
      (type == "TransformationEvent" && biz_step == "commissioning")) {
    return RequireRole(c.view, c.ctx, {Role::kBrand, Role::kManufacturer}).status();
  }
  if (target == "SOLD")
    return RequireRole(c.view, c.ctx, {Role::kRetailer, Role::kPlatform}).status();
  return Status::Ok();
}

// A CBV source/destination type in any form ("owning_party", "urn:epcglobal:cbv:sdt:location",
// "https://ref.gs1.org/cbv/SDT-possessing_party") as its bare term.
std::string SdtTerm(std::string t) {
  size_t p = t.find_last_of(":/");
  if (p != std::string::npos) t = t.substr(p + 1);
  if (t.rfind("SDT-", 0) == 0) t = t.substr(4);
  return t;
}

// The organisation a shipping event addresses through its destinationList: a possessing, else an
// owning party registered with prov.register_party, else a registered location; "" if none.
Result<std::string> Addressee(const StateView& view, const Value& ev) {
  const Value* list = ev.Find("destinationList");
  if (list == nullptr || !list->is_list()) return std::string();
  for (const std::string want : {"possessing_party", "owning_party", "location"}) {
    for (const auto& d : list->as_list()) {
      if (!d.is_map() || SdtTerm(S(d, "type")) != want) continue;
      const std::string dest = S(d, "destination");
      std::optional<Value> rec;
      if (want == "location") {
        const std::string canonical = CanonicalLocationId(dest).value_or(dest);
        TM_ASSIGN_OR_RETURN(rec, Load(view, keys::Location(canonical)));
      } else {
        const std::string canonical = CanonicalPartyId(dest).value_or(dest);
        TM_ASSIGN_OR_RETURN(rec, Load(view, keys::Party(dest)));
        if (!rec) {
          TM_ASSIGN_OR_RETURN(rec, Load(view, keys::Party(canonical)));
        }
      }
      if (rec && !S(*rec, "owner").empty()) return S(*rec, "owner");
    }
  }
  return std::string();
}

// Whether a shipping event goes to a bonded place: a destinationList location that is bonded, or
// an addressee organisation (`to`) that operates a bonded warehouse.
Result<bool> BondedDestination(const StateView& view, const Value& ev, const std::string& to) {
  if (!to.empty()) {
    TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(view, to));
    if (org && org->HasRole(Role::kBondedWarehouse)) return true;
  }
  const Value* list = ev.Find("destinationList");
  if (list == nullptr || !list->is_list()) return false;
  for (const auto& d : list->as_list()) {
    if (!d.is_map() || SdtTerm(S(d, "type")) != "location") continue;
    auto canonical = CanonicalId(S(d, "destination"));
    if (!canonical.ok()) continue;
    TM_ASSIGN_OR_RETURN(bool bonded, IsBondedLocation(view, *canonical));
    if (bonded) return true;
  }
  return false;
}

// An inspection verdict (docs/provenance.md "Inspection certificates"): bizStep inspecting with
// disposition conformant / non_conformant, by INSPECTOR or CUSTOMS only (rule prov-inspector).
bool IsVerdict(const std::string& biz_step, const std::string& disp) {
  return biz_step == "inspecting" && (disp == "conformant" || disp == "non_conformant");
}

Status CheckVerdict(const Capture& c, const std::string& biz_step, const std::string& disp) {
  if (!IsVerdict(biz_step, disp) || c.inspector || c.customs) return Status::Ok();
  return Deny("prov-inspector", "an inspection verdict (" + disp +
                                    ") may be recorded only by an INSPECTOR or CUSTOMS; org " +
                                    c.signer.org + " may not");
}

Status Inspection(Capture& c, const EventIds& ids, const std::string& biz_step,
                  const std::string& disp, const Value& entry) {
  if (!IsVerdict(biz_step, disp)) return Status::Ok();
  std::vector<std::string> subjects = ids.epcs;
  if (!ids.parent.empty()) subjects.push_back(ids.parent);
  std::vector<std::string> lots;
  for (const auto& cls : ids.classes) {
    auto id = ParseIdentifier(cls);
    if (id.ok() && id->kind == IdKind::kLgtin) lots.push_back(id->canonical);
  }
  return ApplyInspection(c.view, subjects, lots, disp, entry);
}

// Rule location-owner: an event at a registered location (bizLocation, and readPoint where it is
// one) needs the location's organisation or its delegate.
Status CheckLocations(const Capture& c, const Value& ev) {
  for (const char* field : {"bizLocation", "readPoint"}) {
    const Value* loc = ev.Find(field);
    if (loc == nullptr || !loc->is_map()) continue;
    auto canonical = CanonicalLocationId(S(*loc, "id"));
    if (!canonical.ok()) continue;
    TM_RETURN_IF_ERROR(RequireLocationAccess(c.view, *canonical, c.signer.org, field));
  }
  return Status::Ok();
}

Status CaptureOne(Capture& c, const Value& ev_in, size_t i, std::vector<Value>& summary) {
  const std::string path = "events[" + std::to_string(i) + "]";
  TM_RETURN_IF_ERROR(ValidateEpcisEvent(ev_in, path));
  TM_RETURN_IF_ERROR(WithRuleContext(CheckLocations(c, ev_in), path));
  Value ev = ev_in;
  std::string event_id = S(ev, "eventID");
  if (event_id.empty())
    event_id = "urn:tidemark:event:" + c.ctx.tx_id.Hex() + ":" + std::to_string(i);
  const Value* err_decl = ev.Find("errorDeclaration");
  // Rule epcis-event-hash: an eventID that is a CBV 2.0 event hash must be this event's hash
  // (an error declaration's, with or without its errorDeclaration).
  const std::string event_hash = EventHashId(ev, c.doc_context);
  if (IsEventHashId(event_id)) {
    Status st = CheckEventHashId(ev, event_id, c.doc_context);
    if (!st.ok() && err_decl != nullptr) {
      Value bare = ev;
      bare.as_map().erase("errorDeclaration");
      if (CheckEventHashId(bare, event_id, c.doc_context).ok()) st = Status::Ok();
    }
    if (!st.ok()) return Deny("epcis-event-hash", path + ".eventID: " + st.message());
  }
  TM_ASSIGN_OR_RETURN(std::optional<Value> prior, Load(c.view, keys::EventId(event_id)));
  if (prior && err_decl == nullptr) {
    return Status::AlreadyExists(path + ".eventID: event " + event_id + " was already captured");
  }
  if (prior && !c.regulator) {
    // Rule event-owner: only the organisation that recorded an event declares it erroneous.
    TM_ASSIGN_OR_RETURN(std::optional<Value> original,
                        Load(c.view, keys::Event(static_cast<uint64_t>(prior->as_int()))));
    if (original && S(*original, "org") != c.signer.org) {
      return Deny("event-owner", path + ": event " + event_id + " was recorded by org " +
                                     S(*original, "org") + "; only it (or a REGULATOR) may " +
                                     "declare it erroneous");
    }
  }
  uint64_t seq = NextSeq(c.view);
  int64_t time_ms = *ParseEpcisTime(S(ev, "eventTime"));
  Value::Map rec{{"event", ev},
                 {"eventID", event_id},
                 {"eventHash", event_hash},
                 {"seq", static_cast<int64_t>(seq)},
                 {"eventTimeMs", time_ms},
                 {"recordTime", FormatEpcisTime(static_cast<int64_t>(c.ctx.block_time_ms))},
                 {"tx", c.ctx.tx_id.Hex()},
                 {"height", static_cast<int64_t>(c.ctx.height)},
                 {"org", c.signer.org},
                 {"signer", c.ctx.signer.Hex()}};
  if (err_decl != nullptr) rec["errorDeclared"] = true;
  // The document's namespace declarations, once per capture: on its first event record, which
  // the others name (queries answer with them, docs/provenance.md "Query").
  if (c.context.is_list()) {
    if (c.first_seq == 0) {
      c.first_seq = seq;
      rec["context"] = c.context;
    } else {
      rec["contextSeq"] = static_cast<int64_t>(c.first_seq);
    }
  }
  PutValue(c.view, keys::Event(seq), Value(rec));
  if (!prior) PutValue(c.view, keys::EventId(event_id), Value(static_cast<int64_t>(seq)));
  // The event is found by its hash too (EQ_eventID, GET /events/{eventID}); the first event
  // with that content keeps the hash.
  if (event_hash != event_id) {
    TM_ASSIGN_OR_RETURN(std::optional<Value> by_hash, Load(c.view, keys::EventId(event_hash)));
    if (!by_hash) PutValue(c.view, keys::EventId(event_hash), Value(static_cast<int64_t>(seq)));
  }
  EventIds ids = IdsOf(ev);
  IndexEvent(c.view, ev, ids, time_ms, seq);
  summary.push_back(Value::Map{{"eventID", event_id}, {"seq", static_cast<int64_t>(seq)}});
  if (err_decl != nullptr) {
    // An error declaration records that the event was wrong; it never rewrites history and has
    // no lifecycle effect. Corrective events (correctiveEventIDs) carry the fix.
    PutValue(c.view, keys::Err(event_id),
             Value::Map{{"seq", static_cast<int64_t>(seq)},
                        {"declaration", *err_decl},
                        {"height", static_cast<int64_t>(c.ctx.height)}});
    return Status::Ok();
  }
  const std::string type = S(ev, "type"), action = S(ev, "action");
  const std::string biz_step = NormaliseBizStep(S(ev, "bizStep"));
  const std::string disp = NormaliseDisposition(S(ev, "disposition"));
  Step step;
  step.target = TargetState(type, action, biz_step, disp, c.bonded);
  step.org = c.signer.org;
  step.customs = c.customs;
  step.regulator = c.regulator;
  if (step.target == "IN_TRANSIT") {
    auto to = Addressee(c.view, ev);
    if (!to.ok()) return to.status().WithContext(path);
    if (*to != c.signer.org) step.handover_to = *to;
    auto dest = BondedDestination(c.view, ev, *to);
    if (!dest.ok()) return dest.status().WithContext(path);
    step.dest_bonded = *dest;
  }
  if (const Value* loc = ev.Find("bizLocation"))
    step.location = CanonicalLocationId(S(*loc, "id")).value_or("");
  auto bonded_place = IsBondedLocation(c.view, step.location);
  if (!bonded_place.ok()) return bonded_place.status().WithContext(path);
  step.bonded_place = *bonded_place;
  step.event_ms = time_ms;
  step.has_event_ms = true;
  auto day = ParseDate(S(ev, "eventTime").substr(0, 10));
  step.has_event_day = day.ok();
  step.event_day = day.value_or(0);
  step.entry = Value::Map{{"seq", static_cast<int64_t>(seq)},
                          {"eventID", event_id},
                          {"type", type},
                          {"action", action},
                          {"bizStep", biz_step},
                          {"disposition", disp},
                          {"eventTime", S(ev, "eventTime")},
                          {"location", step.location},
                          {"org", c.signer.org},
                          {"tx", c.ctx.tx_id.Hex()},
                          {"height", static_cast<int64_t>(c.ctx.height)}};
  Status st = CheckRoles(c, type, action, biz_step, step.target);
  if (st.ok()) st = CheckVerdict(c, biz_step, disp);
  step.verdict = IsVerdict(biz_step, disp);
  if (st.ok()) {
    if (type == "ObjectEvent" && action == "ADD" && biz_step == "commissioning") {
      st = Commission(c, ev, RawList(ev, "epcList"), /*strict=*/true);
      if (st.ok()) step.target = "COMMISSIONED";
    }
  }
  if (st.ok()) {
    if (type == "AggregationEvent") {
      st = Aggregate(c, ev, ids, step);
    } else if (type == "TransformationEvent") {
      st = Transform(c, ev, ids, step);
    } else {
      std::vector<std::string> subjects = ids.epcs;
      if (!ids.parent.empty()) subjects.push_back(ids.parent);
      for (const auto& id : subjects) {
        st = StepObject(c.view, id, step, "");
        if (!st.ok()) break;
      }
    }
  }
  if (st.ok()) st = Inspection(c, ids, biz_step, disp, step.entry);
  return WithRuleContext(st, path);
}

}  // namespace

Status CaptureEvents(const TxContext& ctx, const Value& args, StateView& view, EventSink& events) {
  TM_ASSIGN_OR_RETURN(
      KeyRecord signer,
      RequireRole(view, ctx,
                  {Role::kBrand, Role::kManufacturer, Role::kPlatform, Role::kExporter,
                   Role::kForwarder, Role::kCustomsBroker, Role::kCustoms, Role::kInspector,
                   Role::kBondedWarehouse, Role::kRetailer, Role::kRegulator}));
  TM_ASSIGN_OR_RETURN(Value::List list, internal::List(args, "events"));
  if (list.empty()) return Status::Invalid("events: empty");
  if (list.size() > kMaxEventsPerCapture) return Status::Invalid("events: too many");
  Capture c{.ctx = ctx, .view = view, .signer = signer};
  if (const Value* context = args.Find("context"); context != nullptr && !context->is_null()) {
    TM_RETURN_IF_ERROR(CheckCaptureContext(*context));
    if (!context->as_list().empty()) c.context = *context;
  }
  c.doc_context = args.Find("context");
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(view, signer.org));
  c.bonded = org && org->HasRole(Role::kBondedWarehouse) && signer.HasRole(Role::kBondedWarehouse);
  c.customs = org && org->HasRole(Role::kCustoms) && signer.HasRole(Role::kCustoms);
  c.regulator = org && org->HasRole(Role::kRegulator) && signer.HasRole(Role::kRegulator);
  c.inspector = org && org->HasRole(Role::kInspector) && signer.HasRole(Role::kInspector);
  std::vector<Value> summary;
  for (size_t i = 0; i < list.size(); ++i) TM_RETURN_IF_ERROR(CaptureOne(c, list[i], i, summary));
  Value::List ids;
  for (auto& s : summary) ids.push_back(*s.Find("eventID"));
  if (ids.size() > 50) ids.resize(50);
  events.Emit("prov.Captured", Value::Map{{"count", static_cast<int64_t>(summary.size())},
                                          {"first_seq", *summary.front().Find("seq")},
                                          {"eventIDs", Value(ids)},
                                          {"org", signer.org}});
  return Status::Ok();
}

}  // namespace tidemark::contracts::prov
