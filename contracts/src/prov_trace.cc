// Trace: the consumer / explorer answer for one code, from single readable records.
#include "prov_internal.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/contracts/provenance.h"

namespace tidemark::contracts {

using namespace prov;

namespace {

struct TraceReader {
  const StateView& view;
  Value::List keys;  // state keys read that exist

  Result<std::optional<Value>> Read(const std::string& key) {
    TM_ASSIGN_OR_RETURN(std::optional<Value> v, Load(view, key));
    if (v) keys.push_back(key);
    return v;
  }
};

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
  TraceReader r{view, {}};
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
  std::string origin = product ? S(*product, "origin_country") : "";
  if (origin.empty() && customs) origin = S(*customs, "origin_country");
  out["origin_country"] = origin;
  Value::List certs;
  if (lot) {
    for (const auto& c : lot->Find("certificates")->as_list()) {
      TM_ASSIGN_OR_RETURN(std::optional<Value> cert, r.Read(keys::Cert(c.as_string())));
      if (cert) certs.push_back(*cert);
    }
  }
  out["certificates"] = Value(certs);
  Value::List warnings;
  if (obj) {
    for (const char* f :
         {"state", "custody", "location", "parent", "import_mode", "customs_status"}) {
      out[f] = S(*obj, f);
    }
    out["timeline"] = *obj->Find("timeline");
    if (const Value* kids = obj->Find("children")) out["children"] = *kids;
    const Value* rec = obj->Find("recalled");
    if (rec != nullptr && !rec->is_null()) {
      warnings.push_back("recalled: recall " + S(*rec, "recall_id") + " of lot " + S(*rec, "lot"));
    }
    std::string mode = S(*obj, "import_mode");
    if ((mode == "1210" || mode == "9610") && S(*obj, "customs_status") != "RELEASED") {
      warnings.push_back("not released: customs declaration " + S(*obj, "customs") + " is " +
                         S(*obj, "customs_status"));
    }
    if (S(*obj, "state") == "SOLD") {
      warnings.push_back("already sold at height " + std::to_string(I(*obj, "sold_height")));
    }
    if (S(*obj, "state") == "DESTROYED") warnings.push_back("destroyed");
  } else {
    out["timeline"] = FromIndex(view, id);
  }
  if (lot) {
    const Value* rec = lot->Find("recalled");
    if (rec != nullptr && !rec->is_null() && !(obj && !obj->Find("recalled")->is_null())) {
      warnings.push_back("recalled: lot " + lot_id + " (" + S(*rec, "reason") + ")");
    }
    if (S(*lot, "conformance") == "non_conformant") warnings.push_back("non-conformant lot");
    if (as_of_ms > 0 && !S(*lot, "expiry_date").empty() &&
        (I(*lot, "expiry_day") + 1) * 86400000 <= as_of_ms) {
      warnings.push_back("expired on " + S(*lot, "expiry_date"));
    }
  }
  if (scans) {
    int64_t n = I(*scans, "count");
    warnings.push_back("scanned " + (n == 1 ? std::string("once") : std::to_string(n) + " times") +
                       ", first at " + S(*scans, "first_time"));
  }
  out["warnings"] = Value(warnings);
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
