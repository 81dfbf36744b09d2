// The CBV 2.0 event hash: see event_hash.h for the pre-hash rules.
#include "tidemark/contracts/event_hash.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/hash.h"

namespace tidemark::contracts {

namespace {

using Namespaces = std::map<std::string, std::string>;

// Which CBV vocabulary a value belongs to ("" if none).
enum class Vocab { kNone, kBizStep, kDisp, kBtt, kSdt, kEr };

struct Ctx {
  PreHashForm form;
  Namespaces ns;
  mutable std::string undeclared;  // a prefix used but not declared, "" if none
};

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "+007.50" -> "7.5", "-0.0" -> "0", "12" -> "12"; "" if `s` is not a plain decimal.
std::string CanonDecimal(std::string_view s) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  std::string whole, frac;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') whole.push_back(s[i++]);
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') frac.push_back(s[i++]);
  }
  if (i != s.size() || (whole.empty() && frac.empty())) return "";
  whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size()));
  if (whole.empty()) whole = "0";
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  std::string out = whole + (frac.empty() ? "" : "." + frac);
  if (neg && out != "0") out = "-" + out;
  return out;
}

// A CBV term in any of its forms -> the bare term, or "" if `v` is not one of `vocab`'s forms.
std::string BareTerm(const std::string& v, Vocab vocab) {
  struct Forms {
    Vocab vocab;
    const char* urn;
    const char* web;
  };
  static const Forms kForms[] = {
      {Vocab::kBizStep, "urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"},
      {Vocab::kDisp, "urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"},
      {Vocab::kBtt, "urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"},
      {Vocab::kSdt, "urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"},
      {Vocab::kEr, "urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"},
  };
  for (const Forms& f : kForms) {
    if (StartsWith(v, f.urn)) return v.substr(std::string_view(f.urn).size());
    if (StartsWith(v, f.web)) return v.substr(std::string_view(f.web).size());
    if (f.vocab == vocab && v.find(':') == std::string::npos && !v.empty()) return v;
  }
  return "";
}

std::string VocabForm(const std::string& term, const std::string& v, Vocab vocab, PreHashForm f) {
  // Which vocabulary the term came from: its own prefix wins over the field's.
  Vocab which = vocab;
  if (StartsWith(v, "urn:epcglobal:cbv:bizstep:") ||
      StartsWith(v, "https://ref.gs1.org/cbv/BizStep-"))
    which = Vocab::kBizStep;
  if (StartsWith(v, "urn:epcglobal:cbv:disp:") || StartsWith(v, "https://ref.gs1.org/cbv/Disp-"))
    which = Vocab::kDisp;
  if (StartsWith(v, "urn:epcglobal:cbv:btt:") || StartsWith(v, "https://ref.gs1.org/cbv/BTT-"))
    which = Vocab::kBtt;
  if (StartsWith(v, "urn:epcglobal:cbv:sdt:") || StartsWith(v, "https://ref.gs1.org/cbv/SDT-"))
    which = Vocab::kSdt;
  if (StartsWith(v, "urn:epcglobal:cbv:er:") || StartsWith(v, "https://ref.gs1.org/cbv/ER-"))
    which = Vocab::kEr;
  static const std::map<Vocab, std::pair<const char*, const char*>> kPrefix = {
      {Vocab::kBizStep, {"urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"}},
      {Vocab::kDisp, {"urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"}},
      {Vocab::kBtt, {"urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"}},
      {Vocab::kSdt, {"urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"}},
      {Vocab::kEr, {"urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"}},
  };
  auto it = kPrefix.find(which);
  if (it == kPrefix.end()) return v;
  return std::string(f == PreHashForm::kCbv20 ? it->second.second : it->second.first) + term;
}

// A compact "prefix:local" name or value expanded with the event's namespaces.
std::string Expand(const std::string& name, const Ctx& c) {
  size_t colon = name.find(':');
  if (colon == std::string::npos || colon == 0) return name;
  auto it = c.ns.find(name.substr(0, colon));
  if (it == c.ns.end()) {
    c.undeclared = name.substr(0, colon);
    return name;
  }
  return it->second + name.substr(colon + 1);
}

bool IsTimeField(const std::string& name) {
  std::string l = Lower(name);
  size_t t = l.find("time");
  return t != std::string::npos && t > 0 && l.find("offset") == std::string::npos;
}

std::string CanonScalar(const std::string& name, const Value& v, Vocab vocab, const Ctx& c) {
  if (v.is_int()) return std::to_string(v.as_int());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  if (!v.is_string()) return "";
  std::string s = Trim(v.as_string());
  if (s.empty()) return s;
  if (IsTimeField(name)) {
    auto ms = ParseEpcisTime(s);
    if (ms.ok()) return FormatEpcisTime(*ms);
  }
  if (std::string term = BareTerm(s, vocab); !term.empty())
    return VocabForm(term, s, vocab, c.form);
  if (std::string d = CanonDecimal(s); !d.empty()) return d;
  if (c.form == PreHashForm::kCbv20) {
    auto id = ParseIdentifier(s);
    if (id.ok() && id->kind != IdKind::kOther) return "https://id.gs1.org" + id->canonical;
  }
  return s;
}

std::string Element(const std::string& name, const Value& v, Vocab vocab, const Ctx& c);

// Every field of a map not named in `skip`, each as an element, sorted.
std::vector<std::string> Generic(const Value::Map& m, const std::vector<std::string>& skip,
                                 const Ctx& c) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : m) {
    if (std::find(skip.begin(), skip.end(), k) != skip.end()) continue;
    if (!k.empty() && k[0] == '@') continue;  // JSON-LD keywords and XML attributes
    if (k == "#text") continue;
    const std::string name = Expand(k, c);
    if (v.is_list()) {
      for (const Value& item : v.as_list()) {
        std::string e = Element(name, item, Vocab::kNone, c);
        if (!e.empty()) parts.push_back(e);
      }
    } else {
      std::string e = Element(name, v, Vocab::kNone, c);
      if (!e.empty()) parts.push_back(e);
    }
  }
  std::sort(parts.begin(), parts.end());
  return parts;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += p;
  return out;
}

// name=value for a scalar, name + children for a map ("#text" as its value).
std::string Element(const std::string& name, const Value& v, Vocab vocab, const Ctx& c) {
  if (v.is_map()) {
    std::string text;
    if (const Value* t = v.Find("#text")) text = CanonScalar(name, *t, vocab, c);
    std::string kids = Join(Generic(v.as_map(), {}, c));
    if (text.empty() && kids.empty()) return "";
    return name + (text.empty() ? "" : "=" + text) + kids;
  }
  if (v.is_list()) {
    std::vector<std::string> parts;
    for (const Value& item : v.as_list()) {
      std::string e = Element(name, item, vocab, c);
      if (!e.empty()) parts.push_back(e);
    }
    std::sort(parts.begin(), parts.end());
    return Join(parts);
  }
  std::string s = CanonScalar(name, v, vocab, c);
  return s.empty() ? "" : name + "=" + s;
}

// Children of a map in a fixed order, then its other fields sorted.
std::string Ordered(const Value& m, const std::vector<std::pair<std::string, Vocab>>& order,
                    const Ctx& c) {
  if (!m.is_map()) return "";
  std::string out;
  std::vector<std::string> skip;
  for (const auto& [field, vocab] : order) {
    skip.push_back(field);
    if (const Value* v = m.Find(field)) out += Element(field, *v, vocab, c);
  }
  return out + Join(Generic(m.as_map(), skip, c));
}

std::string EpcList(const std::string& field, const Value* v, const Ctx& c) {
  if (v == nullptr || !v->is_list()) return "";
  std::vector<std::string> parts;
  for (const Value& e : v->as_list()) {
    std::string p = Element("epc", e, Vocab::kNone, c);
    if (!p.empty()) parts.push_back(p);
  }
  if (parts.empty()) return "";
  std::sort(parts.begin(), parts.end());
  return field + Join(parts);
}

std::string QuantityList(const std::string& field, const Value* v, const Ctx& c) {
  if (v == nullptr || !v->is_list()) return "";
  std::vector<std::string> parts;
  for (const Value& q : v->as_list()) {
    std::string p = Ordered(
        q, {{"epcClass", Vocab::kNone}, {"quantity", Vocab::kNone}, {"uom", Vocab::kNone}}, c);
    if (!p.empty()) parts.push_back("quantityElement" + p);
  }
  if (parts.empty()) return "";
  std::sort(parts.begin(), parts.end());
  return field + Join(parts);
}

// bizTransactionList / sourceList / destinationList: each entry's fields sorted, entries sorted.
std::string TypedList(const std::string& field, const Value* v, Vocab type_vocab, const Ctx& c) {
  if (v == nullptr || !v->is_list()) return "";
  std::vector<std::string> parts;
  for (const Value& e : v->as_list()) {
    if (!e.is_map()) continue;
    std::vector<std::string> kids;
    for (const auto& [k, kv] : e.as_map()) {
      if (!k.empty() && k[0] == '@') continue;
      std::string p = Element(Expand(k, c), kv, k == "type" ? type_vocab : Vocab::kNone, c);
      if (!p.empty()) kids.push_back(p);
    }
    std::sort(kids.begin(), kids.end());
    if (!kids.empty()) parts.push_back(Join(kids));
  }
  if (parts.empty()) return "";
  std::sort(parts.begin(), parts.end());
  return field + Join(parts);
}

std::string Sensors(const Value* v, const Ctx& c) {
  if (v == nullptr || !v->is_list()) return "";
  static const std::vector<std::pair<std::string, Vocab>> kMeta = {
      {"time", Vocab::kNone},
      {"startTime", Vocab::kNone},
      {"endTime", Vocab::kNone},
      {"deviceID", Vocab::kNone},
      {"deviceMetadata", Vocab::kNone},
      {"rawData", Vocab::kNone},
      {"dataProcessingMethod", Vocab::kNone},
      {"bizRules", Vocab::kNone}};
  static const std::vector<std::pair<std::string, Vocab>> kReport = {
      {"type", Vocab::kNone},
      {"exception", Vocab::kNone},
      {"deviceID", Vocab::kNone},
      {"deviceMetadata", Vocab::kNone},
      {"rawData", Vocab::kNone},
      {"dataProcessingMethod", Vocab::kNone},
      {"time", Vocab::kNone},
      {"microorganism", Vocab::kNone},
      {"chemicalSubstance", Vocab::kNone},
      {"value", Vocab::kNone},
      {"component", Vocab::kNone},
      {"stringValue", Vocab::kNone},
      {"booleanValue", Vocab::kNone},
      {"hexBinaryValue", Vocab::kNone},
      {"uriValue", Vocab::kNone},
      {"minValue", Vocab::kNone},
      {"maxValue", Vocab::kNone},
      {"meanValue", Vocab::kNone},
      {"sDev", Vocab::kNone},
      {"percRank", Vocab::kNone},
      {"percValue", Vocab::kNone},
      {"uom", Vocab::kNone},
      {"coordinateReferenceSystem", Vocab::kNone}};
  std::vector<std::string> elements;
  for (const Value& se : v->as_list()) {
    if (!se.is_map()) continue;
    std::string out;
    if (const Value* md = se.Find("sensorMetadata"); md != nullptr && md->is_map()) {
      std::string m = Ordered(*md, kMeta, c);
      if (!m.empty()) out += "sensorMetadata" + m;
    }
    if (const Value* rl = se.Find("sensorReport"); rl != nullptr && rl->is_list()) {
      std::vector<std::string> reports;
      for (const Value& r : rl->as_list()) {
        Value expanded = r;
        if (const Value* t = r.Find("type"); t != nullptr && t->is_string()) {
          // A bare measurement type is a term of the GS1 vocabulary ("Temperature" ->
          // "https://gs1.org/voc/Temperature"), as the EPCIS 2.0 JSON-LD context defines it.
          const std::string& type = t->as_string();
          bool bare = type.find(':') == std::string::npos && c.form == PreHashForm::kCbv20;
          expanded.as_map()["type"] = Value(bare ? "https://gs1.org/voc/" + type : Expand(type, c));
        }
        std::string p = Ordered(expanded, kReport, c);
        if (!p.empty()) reports.push_back("sensorReport" + p);
      }
      std::sort(reports.begin(), reports.end());
      out += Join(reports);
    }
    out += Join(Generic(se.as_map(), {"sensorMetadata", "sensorReport"}, c));
    if (!out.empty()) elements.push_back("sensorElement" + out);
  }
  if (elements.empty()) return "";
  std::sort(elements.begin(), elements.end());
  return "sensorElementList" + Join(elements);
}

Namespaces NamespacesOf(const Value& ev, const Value* doc_context) {
  Namespaces ns{{"gs1", "https://gs1.org/voc/"}};
  auto add = [&](const Value& m) {
    if (!m.is_map()) return;
    for (const auto& [k, v] : m.as_map()) {
      if (v.is_string()) ns[k] = v.as_string();
    }
  };
  for (const Value* ctx : {doc_context, ev.is_map() ? ev.Find("@context") : nullptr}) {
    if (ctx == nullptr) continue;
    if (ctx->is_list()) {
      for (const Value& e : ctx->as_list()) add(e);
    } else {
      add(*ctx);
    }
  }
  return ns;
}

std::string PreHash(const Value& ev, const Ctx& c);

}  // namespace

std::string EventPreHash(const Value& ev, PreHashForm form, const Value* context) {
  return PreHash(ev, Ctx{form, NamespacesOf(ev, context), ""});
}

namespace {

std::string PreHash(const Value& ev, const Ctx& c) {
  std::string out =
      "eventType=" + (ev.Find("type") && ev.Find("type")->is_string() ? ev.Find("type")->as_string()
                                                                      : std::string());
  auto scalar = [&](const char* f, Vocab vocab = Vocab::kNone) {
    if (const Value* v = ev.Find(f)) out += Element(f, *v, vocab, c);
  };
  scalar("eventTime");
  scalar("eventTimeZoneOffset");
  out += EpcList("epcList", ev.Find("epcList"), c);
  scalar("parentID");
  out += EpcList("inputEPCList", ev.Find("inputEPCList"), c);
  out += EpcList("childEPCs", ev.Find("childEPCs"), c);
  out += QuantityList("quantityList", ev.Find("quantityList"), c);
  out += QuantityList("childQuantityList", ev.Find("childQuantityList"), c);
  out += QuantityList("inputQuantityList", ev.Find("inputQuantityList"), c);
  out += EpcList("outputEPCList", ev.Find("outputEPCList"), c);
  out += QuantityList("outputQuantityList", ev.Find("outputQuantityList"), c);
  scalar("action");
  scalar("transformationID");
  scalar("bizStep", Vocab::kBizStep);
  scalar("disposition", Vocab::kDisp);
  if (const Value* pd = ev.Find("persistentDisposition"); pd != nullptr && pd->is_map()) {
    std::string p = Ordered(*pd, {{"set", Vocab::kDisp}, {"unset", Vocab::kDisp}}, c);
    if (!p.empty()) out += "persistentDisposition" + p;
  }
  for (const char* loc : {"readPoint", "bizLocation"}) {
    if (const Value* v = ev.Find(loc); v != nullptr && v->is_map()) {
      std::string p = Ordered(*v, {{"id", Vocab::kNone}}, c);
      if (!p.empty()) out += loc + p;
    }
  }
  out += TypedList("bizTransactionList", ev.Find("bizTransactionList"), Vocab::kBtt, c);
  out += TypedList("sourceList", ev.Find("sourceList"), Vocab::kSdt, c);
  out += TypedList("destinationList", ev.Find("destinationList"), Vocab::kSdt, c);
  out += Sensors(ev.Find("sensorElementList"), c);
  if (!ev.is_map()) return out;
  // Everything else (ilmd, errorDeclaration, certificationInfo, extensions), sorted.
  std::vector<std::string> rest;
  static const std::vector<std::string> kDone = {"type",
                                                 "eventID",
                                                 "recordTime",
                                                 "eventTime",
                                                 "eventTimeZoneOffset",
                                                 "epcList",
                                                 "parentID",
                                                 "inputEPCList",
                                                 "childEPCs",
                                                 "quantityList",
                                                 "childQuantityList",
                                                 "inputQuantityList",
                                                 "outputEPCList",
                                                 "outputQuantityList",
                                                 "action",
                                                 "transformationID",
                                                 "bizStep",
                                                 "disposition",
                                                 "persistentDisposition",
                                                 "readPoint",
                                                 "bizLocation",
                                                 "bizTransactionList",
                                                 "sourceList",
                                                 "destinationList",
                                                 "sensorElementList"};
  for (const auto& [k, v] : ev.as_map()) {
    if (std::find(kDone.begin(), kDone.end(), k) != kDone.end()) continue;
    if (!k.empty() && k[0] == '@') continue;
    const std::string name = Expand(k, c);
    if (k == "errorDeclaration" && v.is_map()) {
      std::string p = Ordered(v, {{"declarationTime", Vocab::kNone}, {"reason", Vocab::kEr}}, c);
      if (!p.empty()) rest.push_back(name + p);
      continue;
    }
    std::string e = Element(name, v, Vocab::kNone, c);
    if (!e.empty()) rest.push_back(e);
  }
  std::sort(rest.begin(), rest.end());
  return out + Join(rest);
}

std::string HashOf(const std::string& pre) { return Sha256(AsBytes(pre)).Hex(); }

}  // namespace

std::string EventHashId(const Value& event, const Value* context) {
  return "ni:///sha-256;" + HashOf(EventPreHash(event, PreHashForm::kCbv20, context)) +
         "?ver=CBV2.0";
}

Value::List EpcisContextOf(std::string_view text) {
  Value::List out;
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("@context")) return out;
  const nlohmann::json& ctx = doc["@context"];
  auto add = [&](const nlohmann::json& m) {
    if (!m.is_object()) return;
    Value::Map entry;
    for (const auto& [k, v] : m.items()) {
      if (v.is_string()) entry[k] = Value(v.get<std::string>());
    }
    if (!entry.empty()) out.push_back(Value(std::move(entry)));
  };
  if (ctx.is_array()) {
    for (const auto& e : ctx) add(e);
  } else {
    add(ctx);
  }
  return out;
}

bool IsEventHashId(std::string_view id) { return Lower(id.substr(0, 14)) == "ni:///sha-256;"; }

Status CheckEventHashId(const Value& event, std::string_view id, const Value* context) {
  if (!IsEventHashId(id)) return Status::Invalid("not an ni:///sha-256 event hash");
  std::string_view rest = id.substr(14);
  size_t q = rest.find('?');
  std::string hex = Lower(rest.substr(0, q));
  std::string_view query = q == std::string_view::npos ? "" : rest.substr(q + 1);
  if (!query.empty() && query != "ver=CBV2.0") {
    return Status::Invalid("event hash: only ?ver=CBV2.0 is supported, got ?" + std::string(query));
  }
  const Namespaces ns = NamespacesOf(event, context);
  Ctx cbv{PreHashForm::kCbv20, ns, ""}, legacy{PreHashForm::kLegacyUrn, ns, ""};
  const std::string want = HashOf(PreHash(event, cbv));
  if (hex == want || hex == HashOf(PreHash(event, legacy))) return Status::Ok();
  if (!cbv.undeclared.empty()) {
    return Status::FailedPrecondition("eventID " + std::string(id) +
                                      ": cannot be checked, the prefix \"" + cbv.undeclared +
                                      ":\" of an extension field is not declared in @context");
  }
  return Status::Invalid("eventID " + std::string(id) +
                         " is not the event's hash; its CBV 2.0 hash is ni:///sha-256;" + want +
                         "?ver=CBV2.0");
}

}  // namespace tidemark::contracts
