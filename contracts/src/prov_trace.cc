// Trace: the consumer / explorer answer for one code, from single readable records.
#include <set>

#include "prov_internal.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/contracts/provenance.h"
#include "tidemark/trace_answer.h"

namespace tidemark::contracts {

using namespace prov;

namespace {

struct TraceReader {
  const StateView& view;
  Value::List keys;                               // state keys read that exist
  std::map<std::string, nlohmann::json> records;  // their records, as the verifier sees them
  std::map<std::string, Value> values;            // the same, as read

  Result<std::optional<Value>> Read(const std::string& key) {
    if (auto it = values.find(key); it != values.end()) return std::optional<Value>(it->second);
    TM_ASSIGN_OR_RETURN(std::optional<Value> v, Load(view, key));
    if (v) {
      keys.push_back(key);
      records[key] = v->ToJson();
      values.emplace(key, *v);
    }
    return v;
  }
};

// The registered master record of a place (bizLocation or readPoint id): the location itself,
// else the GLN it is a sub-location of. Unregistered places and non-GS1 ids read nothing.
Status ReadPlace(TraceReader& r, const std::string& raw) {
  if (raw.empty()) return Status::Ok();
  auto id = ParseIdentifier(raw);
  if (!id.ok() || id->kind != IdKind::kSgln) return Status::Ok();
  TM_ASSIGN_OR_RETURN(std::optional<Value> loc, r.Read(keys::Location(id->canonical)));
  if (!loc && !id->gln_ext.empty()) {
    TM_RETURN_IF_ERROR(r.Read(keys::Location("/414/" + id->gln)).status());
  }
  return Status::Ok();
}

// At most this many records in one trace answer from its route (events and places), so that the
// answer stays provable in one bundle (kMaxMultiProofKeys) with room for the item's own records.
constexpr size_t kMaxRouteKeys = 192;

// The records of the item's own EPCIS events (read point, ILMD) and of the places they name, so
// the page's route and origin are proven (docs/proofs.md "What is proven"): the commissioning
// event first (the origin), then the others oldest first while kMaxRouteKeys allows; an event
// left out shows on the page without its read point.
Status ReadRoute(TraceReader& r, const Value& obj) {
  const size_t limit = r.keys.size() + kMaxRouteKeys;
  TM_RETURN_IF_ERROR(ReadPlace(r, S(obj, "location")));
  for (bool commissioning : {true, false}) {
    for (const Value& e : obj.Find("timeline")->as_list()) {
      if (r.keys.size() + 3 > limit) return Status::Ok();  // an event and its two places
      if (!e.is_map() || (S(e, "bizStep") == "commissioning") != commissioning) continue;
      const Value* seq = e.Find("seq");
      if (seq == nullptr || !seq->is_int() || seq->as_int() <= 0) continue;
      TM_ASSIGN_OR_RETURN(std::optional<Value> rec,
                          r.Read(keys::Event(static_cast<uint64_t>(seq->as_int()))));
      TM_RETURN_IF_ERROR(ReadPlace(r, S(e, "location")));
      const Value* ev = rec ? rec->Find("event") : nullptr;
      if (ev == nullptr || !ev->is_map()) continue;
      for (const char* f : {"bizLocation", "readPoint"}) {
        const Value* place = ev->Find(f);
        if (place != nullptr && place->is_map()) TM_RETURN_IF_ERROR(ReadPlace(r, S(*place, "id")));
      }
    }
  }
  return Status::Ok();
}

Value::List FromIndex(const StateView& view, const Gs1Id& gs1) {
  const std::string& id = gs1.canonical;
  Value::List out;
  EventQuery q;
  if (gs1.kind == IdKind::kLgtin || gs1.kind == IdKind::kGtin) {
    q.match_epc_class = {id};
  } else {
    q.match_any_epc = {id};
  }
  q.event_count_limit = 100;
  auto events = QueryEvents(view, q);
  if (!events.ok()) return out;
  for (const auto& rec : *events) {
    const Value& ev = *rec.Find("event");
    const Value* loc = ev.Find("bizLocation");
    out.push_back(Value::Map{{"seq", I(rec, "seq")},
                             {"eventID", S(rec, "eventID")},
                             {"type", S(ev, "type")},
                             {"action", S(ev, "action")},
                             {"bizStep", NormaliseBizStep(S(ev, "bizStep"))},
                             {"disposition", NormaliseDisposition(S(ev, "disposition"))},
                             {"eventTime", S(ev, "eventTime")},
                             {"location", loc != nullptr ? S(*loc, "id") : ""},
                             {"org", S(rec, "org")},
                             {"tx", S(rec, "tx")},
                             {"height", I(rec, "height")}});
  }
  return out;
}

Value::List ToList(const std::vector<std::string>& v) { return Value::List(v.begin(), v.end()); }

}  // namespace

Result<Value> Trace(const StateView& view, const std::string& code, int64_t as_of_ms) {
  auto parsed = ParseIdentifier(code);
  if (!parsed.ok()) return parsed.status().WithContext("code");
  Gs1Id id = *parsed;
  TraceReader r{view, {}, {}, {}};
  Value::Map out{{"id", id.canonical}};
  TM_ASSIGN_OR_RETURN(std::optional<Value> obj, r.Read(keys::Obj(id.canonical)));
  std::optional<Value> product, lot, customs, scans;
  if (!id.gtin.empty()) {
    TM_ASSIGN_OR_RETURN(product, r.Read(keys::Product(id.gtin)));
  }
  std::string lot_id = obj ? S(*obj, "lot_id") : "";
  if (lot_id.empty()) lot_id = id.kind == IdKind::kLgtin ? id.canonical : id.LotId();
  if (!lot_id.empty()) {
    TM_ASSIGN_OR_RETURN(lot, r.Read(keys::Lot(lot_id)));
  }
  if (obj && !S(*obj, "customs").empty()) {
    TM_ASSIGN_OR_RETURN(customs, r.Read(keys::Customs(S(*obj, "customs"))));
  }
  TM_ASSIGN_OR_RETURN(scans, r.Read(keys::Scan(id.canonical)));
  if (obj && id.lot.empty()) id.lot = S(*obj, "lot");
  out["digital_link"] = ToDigitalLink(id);
  out["tracked"] = obj.has_value();
  out["product"] = product ? *product : Value();
  out["lot"] = lot ? *lot : Value();
  out["customs"] = customs ? *customs : Value();
  out["scans"] = scans ? *scans : Value();
  Value::List certs;
  if (lot) {
    for (const auto& c : lot->Find("certificates")->as_list()) {
      TM_ASSIGN_OR_RETURN(std::optional<Value> cert, r.Read(keys::Cert(c.as_string())));
      if (cert) certs.push_back(*cert);
    }
  }
  out["certificates"] = Value(certs);
  if (obj) {
    for (const char* f :
         {"state", "custody", "location", "parent", "import_mode", "customs_status"}) {
      out[f] = S(*obj, f);
    }
    out["timeline"] = *obj->Find("timeline");
    if (const Value* kids = obj->Find("children")) out["children"] = *kids;
    TM_RETURN_IF_ERROR(ReadRoute(r, *obj));
  } else {
    out["timeline"] = FromIndex(view, id);
  }
  // Warnings and origin by the verifier's own rules over the records read, so that an honest
  // answer never disagrees with its proof (sdk trace_answer.h).
  out["origin_country"] = DeriveOrigin(id.canonical, r.records);
  auto warnings = Value::FromJson(DeriveTraceWarnings(id.canonical, r.records, as_of_ms));
  if (!warnings.ok()) return warnings.status().WithContext("warnings");
  out["warnings"] = *warnings;
  out["as_of_ms"] = as_of_ms;
  out["contained_in"] = ToList(Edges(view, "in", id.canonical));
  out["made_from"] = ToList(Edges(view, "from", id.canonical));
  out["made_into"] = ToList(Edges(view, "made", id.canonical));
  out["state_keys"] = Value(r.keys);
  if (!obj && !product && !lot && out["timeline"].as_list().empty()) {
    return Status::NotFound("nothing on the ledger names " + id.canonical);
  }
  return Value(std::move(out));
}

}  // namespace tidemark::contracts
