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

}  // namespace

Result<TrustAnchor> TrustFromGenesisJson(const json& g) {
  if (!g.is_object() || !g.contains("chain_id") || !g["chain_id"].is_string() ||
      !g.contains("validator_set") || !g["validator_set"].is_string()) {
    return Status::Invalid("genesis: expected {chain_id, validator_set}");
  }
  TM_ASSIGN_OR_RETURN(Bytes raw, FromHex(g["validator_set"].get<std::string>()));
  TM_ASSIGN_OR_RETURN(ValidatorSet vs, ValidatorSet::Decode(raw));
  return TrustAnchor{.chain_id = g["chain_id"].get<std::string>(), .genesis = std::move(vs)};
}

Result<VerifiedTrace> VerifyTraceAnswer(const json& a, const TrustAnchor& trust) {
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
  const json* product = FindPrefix(out.records, keys::kProductPrefix);
  const json* customs = FindPrefix(out.records, keys::kCustomsPrefix);
  std::string origin = product ? Str(*product, "origin_country") : "";
  if (origin.empty() && customs) origin = Str(*customs, "origin_country");
  if (!origin.empty())
    TM_RETURN_IF_ERROR(expect("origin_country", Str(a, "origin_country") == origin));
  if (a["proof"].contains("height") && (!a["proof"]["height"].is_number_unsigned() ||
                                        a["proof"]["height"].get<uint64_t>() != out.state.height)) {
    return Unauth("answer: proof.height differs from the certified header");
  }
  return out;
}

}  // namespace tidemark
