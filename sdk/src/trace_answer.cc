#include "tidemark/trace_answer.h"

#include <algorithm>

#include "tidemark/state_keys/provenance.h"
#include "tidemark/value.h"

namespace tidemark {
namespace {

using nlohmann::json;

Status Unauth(const std::string& m) { return Status::Unauthenticated(m); }

std::string Str(const json& rec, const char* f) {
  return rec.is_object() && rec.contains(f) && rec[f].is_string() ? rec[f].get<std::string>() : "";
}

const json* FindPrefix(const std::map<std::string, json>& records, std::string_view prefix) {
  for (const auto& [k, v] : records) {
    if (state_keys::HasPrefix(k, prefix)) return &v;
  }
  return nullptr;
}

const json* Find(const std::map<std::string, json>& records, const std::string& key) {
  auto it = records.find(key);
  return it == records.end() ? nullptr : &it->second;
}

int64_t Int(const json& rec, const char* f) {
  return rec.is_object() && rec.contains(f) && rec[f].is_number_integer() ? rec[f].get<int64_t>()
                                                                          : 0;
}

const json& Timeline(const json* item) {
  static const json kEmpty = json::array();
  if (item == nullptr || !item->contains("timeline") || !(*item)["timeline"].is_array()) {
    return kEmpty;
  }
  return (*item)["timeline"];
}

// The eventTime of the timeline entry that last moved the item into `state` (later entries that
// leave it there, such as a recall of a sold item, do not count).
std::string TimeOfState(const json* item, const std::string& state) {
  std::string t, prev;
  for (const auto& e : Timeline(item)) {
    if (Str(e, "state") == state && prev != state) t = Str(e, "eventTime");
    prev = Str(e, "state");
  }
  return t;
}

json Warning(const char* kind, json params) {
  return json{{"kind", kind}, {"params", std::move(params)}};
}

// A canonical form of a warnings list for comparison: each as compact JSON text (sorted keys).
std::vector<std::string> Texts(const json& list) {
  std::vector<std::string> out;
  if (list.is_array()) {
    for (const auto& w : list) out.push_back(w.dump());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

json DeriveTraceWarnings(const std::string& id, const std::map<std::string, json>& records,
                         int64_t as_of_ms) {
  namespace keys = state_keys::prov;
  const json* item = Find(records, keys::Obj(id));
  const json* lot = FindPrefix(records, keys::kLotPrefix);
  const json* scans = Find(records, keys::Scan(id));
  json out = json::array();
  const json* item_recall = item && (*item).contains("recalled") && (*item)["recalled"].is_object()
                                ? &(*item)["recalled"]
                                : nullptr;
  const json* lot_recall = lot && (*lot).contains("recalled") && (*lot)["recalled"].is_object()
                               ? &(*lot)["recalled"]
                               : nullptr;
  if (item_recall != nullptr) {
    out.push_back(Warning("recalled", {{"recall_id", Str(*item_recall, "recall_id")},
                                       {"lot", Str(*item_recall, "lot")},
                                       {"reason", lot_recall ? Str(*lot_recall, "reason") : ""}}));
  } else if (lot_recall != nullptr) {
    out.push_back(Warning("recalled", {{"recall_id", Str(*lot_recall, "recall_id")},
                                       {"lot", Str(*lot, "id")},
                                       {"reason", Str(*lot_recall, "reason")}}));
  }
  if (item != nullptr) {
    const std::string state = Str(*item, "state"), mode = Str(*item, "import_mode");
    const std::string status = Str(*item, "customs_status");
    // Under customs control until a release covers it: held or inspected, rejected, or stored
    // bonded (or imported under 1210 / 9610) with no release.
    bool held = state == "CUSTOMS_HOLD" || state == "INSPECTED" || state == "CUSTOMS_REJECTED" ||
                ((state == "IN_BONDED_WAREHOUSE" || mode == "1210" || mode == "9610") &&
                 status != "RELEASED");
    if (held) {
      out.push_back(Warning("customs_hold", {{"declaration", Str(*item, "customs")},
                                             {"status", status.empty() ? state : status}}));
    }
    if (state == "SOLD") out.push_back(Warning("sold", {{"time", TimeOfState(item, "SOLD")}}));
    if (state == "DESTROYED") {
      out.push_back(Warning("destroyed", {{"time", TimeOfState(item, "DESTROYED")}}));
    }
  }
  if (lot != nullptr) {
    if (Str(*lot, "conformance") == "non_conformant") {
      out.push_back(Warning("non_conformant", {{"lot", Str(*lot, "id")}}));
    }
    if (as_of_ms > 0 && !Str(*lot, "expiry_date").empty() && lot->contains("expiry_day") &&
        (Int(*lot, "expiry_day") + 1) * 86400000 <= as_of_ms) {
      out.push_back(Warning("expired", {{"expiry_date", Str(*lot, "expiry_date")}}));
    }
  }
  if (scans != nullptr) {
    out.push_back(Warning(
        "scanned", {{"count", Int(*scans, "count")}, {"first_time", Str(*scans, "first_time")}}));
  }
  return out;
}

std::string DeriveOrigin(const std::string& id, const std::map<std::string, json>& records) {
  namespace keys = state_keys::prov;
  for (const auto& e : Timeline(Find(records, keys::Obj(id)))) {
    if (Str(e, "bizStep") != "commissioning" || Int(e, "seq") <= 0) continue;
    const json* rec = Find(records, keys::Event(static_cast<uint64_t>(Int(e, "seq"))));
    if (rec == nullptr || !rec->contains("event") || !(*rec)["event"].is_object()) continue;
    const json& ev = (*rec)["event"];
    if (!ev.contains("ilmd") || !ev["ilmd"].is_object()) continue;
    for (const auto& [k, v] : ev["ilmd"].items()) {
      bool named = k == "countryOfOrigin" || k.ends_with(":countryOfOrigin") ||
                   k.ends_with("#countryOfOrigin");
      if (named && v.is_string() && !v.get<std::string>().empty()) return v.get<std::string>();
    }
  }
  const json* product = FindPrefix(records, keys::kProductPrefix);
  const json* customs = FindPrefix(records, keys::kCustomsPrefix);
  std::string origin = product ? Str(*product, "origin_country") : "";
  if (origin.empty() && customs) origin = Str(*customs, "origin_country");
  return origin;
}

Result<TrustAnchor> TrustFromGenesisJson(const json& g) {
  if (!g.is_object() || !g.contains("chain_id") || !g["chain_id"].is_string() ||
      !g.contains("validator_set") || !g["validator_set"].is_string()) {
    return Status::Invalid("genesis: expected {chain_id, validator_set}");
  }
  TM_ASSIGN_OR_RETURN(Bytes raw, FromHex(g["validator_set"].get<std::string>()));
  TM_ASSIGN_OR_RETURN(ValidatorSet vs, ValidatorSet::Decode(raw));
  return TrustAnchor{.chain_id = g["chain_id"].get<std::string>(), .genesis = std::move(vs)};
}

Result<VerifiedTrace> VerifyTraceAnswer(const json& a, const TrustAnchor& trust, int64_t as_of_ms) {
  if (!a.is_object()) return Unauth("answer: not an object");
  if (!a.contains("proof") || !a["proof"].is_object() || !a["proof"].contains("bundle") ||
      !a["proof"]["bundle"].is_string()) {
    return Unauth("answer: carries no proof bundle (ask with ?proof=true)");
  }
  auto raw = FromHex(a["proof"]["bundle"].get<std::string>());
  if (!raw.ok()) return Unauth("bundle: " + raw.status().message());
  auto bundle = StateBundle::Decode(*raw);
  if (!bundle.ok()) return Unauth("bundle: " + bundle.status().message());
  VerifiedTrace out;
  TM_ASSIGN_OR_RETURN(out.state, VerifyStateBundle(trust, *bundle));
  out.checked = {"certificate", "state_root"};

  std::vector<std::string> wanted;
  if (a.contains("state_keys") && a["state_keys"].is_array()) {
    for (const auto& k : a["state_keys"]) {
      if (!k.is_string()) return Unauth("answer: state_keys must be strings");
      wanted.push_back(k.get<std::string>());
    }
  }
  for (const std::string& k : wanted) {
    const MultiStateProof::Entry* e = out.state.Find(k);
    if (e == nullptr) return Unauth("answer: state key " + k + " is not proven");
    if (!e->present()) return Unauth("answer: state key " + k + " is proven absent");
  }
  if (out.state.entries.size() != wanted.size()) {
    return Unauth("answer: the bundle proves keys the answer does not name");
  }
  out.checked.push_back("state_keys");
  // Records: decoded from the bundle's values, or (hash-only bundles) the answer's "records"
  // re-encoded canonically and matched against the proven hashes.
  const json* shipped = a.contains("records") && a["records"].is_object() ? &a["records"] : nullptr;
  for (const auto& e : out.state.entries) {
    std::string key(e.key.begin(), e.key.end());
    Bytes bytes;
    if (e.value) {
      bytes = *e.value;
    } else {
      if (shipped == nullptr || !shipped->contains(key)) {
        return Unauth("answer: no record shipped for " + key);
      }
      auto v = Value::FromJson((*shipped)[key]);
      if (!v.ok()) return Unauth("answer: record " + key + " is not a Value");
      bytes = v->Encode();
    }
    if (!e.MatchesValue(bytes)) return Unauth("answer: record " + key + " is not the proven one");
    auto v = Value::Decode(bytes);
    if (!v.ok()) return Unauth("answer: a record is not a canonical Value");
    out.records[key] = v->ToJson();
  }
  if (shipped != nullptr) out.checked.push_back("records");
  auto expect = [&](const std::string& field, bool ok) -> Status {
    if (!ok) return Unauth("answer: " + field + " differs from the proven record");
    out.checked.push_back(field);
    return Status::Ok();
  };
  std::string id = a.contains("id") && a["id"].is_string() ? a["id"].get<std::string>() : "";
  namespace keys = state_keys::prov;
  auto item = out.records.find(keys::Obj(id));
  if (a.value("tracked", false) && item == out.records.end()) {
    return Unauth("answer: claims a tracked item but its record is not proven");
  }
  if (item != out.records.end()) {
    for (const char* f :
         {"state", "custody", "location", "parent", "import_mode", "customs_status"}) {
      TM_RETURN_IF_ERROR(expect(f, Str(a, f) == Str(item->second, f)));
    }
    TM_RETURN_IF_ERROR(
        expect("timeline", a.value("timeline", json()) == item->second.value("timeline", json())));
  }
  const std::pair<const char*, const json*> parts[] = {
      {"product", FindPrefix(out.records, keys::kProductPrefix)},
      {"lot", FindPrefix(out.records, keys::kLotPrefix)},
      {"customs", FindPrefix(out.records, keys::kCustomsPrefix)},
      {"scans", out.records.count(keys::Scan(id)) ? &out.records[keys::Scan(id)] : nullptr}};
  for (const auto& [field, rec] : parts) {
    if (rec != nullptr) TM_RETURN_IF_ERROR(expect(field, a.value(field, json()) == *rec));
  }
  std::vector<json> mine, theirs;
  for (const auto& [k, v] : out.records) {
    if (state_keys::HasPrefix(k, keys::kCertPrefix)) mine.push_back(v);
  }
  if (a.contains("certificates") && a["certificates"].is_array()) {
    for (const auto& c : a["certificates"]) theirs.push_back(c);
  }
  auto by_text = [](const json& x, const json& y) { return x.dump() < y.dump(); };
  std::sort(mine.begin(), mine.end(), by_text);
  std::sort(theirs.begin(), theirs.end(), by_text);
  TM_RETURN_IF_ERROR(expect("certificates", mine == theirs));
  // Derived from the proven records; the answer's own (unproven) summary is only compared.
  int64_t answer_as_of = a.contains("as_of_ms") && a["as_of_ms"].is_number_integer()
                             ? a["as_of_ms"].get<int64_t>()
                             : 0;
  out.warnings = DeriveTraceWarnings(id, out.records, as_of_ms > 0 ? as_of_ms : answer_as_of);
  out.origin_country = DeriveOrigin(id, out.records);
  json node_view = DeriveTraceWarnings(id, out.records, answer_as_of > 0 ? answer_as_of : as_of_ms);
  json claimed = a.contains("warnings") ? a["warnings"] : json::array();
  if (Texts(claimed) != Texts(node_view) || !claimed.is_array()) {
    out.disagreements.push_back(
        json{{"field", "warnings"}, {"answer", claimed}, {"proven", node_view}});
  }
  if (Str(a, "origin_country") != out.origin_country) {
    out.disagreements.push_back(json{{"field", "origin_country"},
                                     {"answer", a.value("origin_country", json())},
                                     {"proven", out.origin_country}});
  }
  if (item != out.records.end()) {
    json kids = item->second.value("children", json());
    if (a.value("children", json()) != kids) {
      out.disagreements.push_back(
          json{{"field", "children"}, {"answer", a.value("children", json())}, {"proven", kids}});
    }
  }
  if (a["proof"].contains("height") && (!a["proof"]["height"].is_number_unsigned() ||
                                        a["proof"]["height"].get<uint64_t>() != out.state.height)) {
    return Unauth("answer: proof.height differs from the certified header");
  }
  return out;
}

}  // namespace tidemark
