// Event storage, indexes and EPCIS queries.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "args.h"
#include "prov_internal.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/contracts/provenance.h"

namespace tidemark::contracts {
namespace prov {

void PutEdge(StateView& view, const std::string& rel, const std::string& a, const std::string& b) {
  view.Put(keys::Edge(rel, a, b), {});
}

std::vector<std::string> Edges(const StateView& view, const std::string& rel,
                               const std::string& a) {
  std::vector<std::string> out;
  std::string prefix = keys::EdgePrefix(rel, a);
  view.Scan(prefix, [&](const std::string& key, const Bytes&) {
    out.push_back(key.substr(prefix.size()));
    return true;
  });
  return out;
}

Result<std::string> CanonicalArg(const Value& args, const std::string& field) {
  TM_ASSIGN_OR_RETURN(std::string raw, internal::Str(args, field));
  auto c = CanonicalId(raw);
  if (!c.ok()) return c.status().WithContext(field);
  return *c;
}

Result<std::optional<Value>> Load(const StateView& view, const std::string& key) {
  return GetValue(view, key);
}

}  // namespace prov

using namespace prov;

namespace {

constexpr uint32_t kNoLimit = std::numeric_limits<uint32_t>::max();
constexpr size_t kMaxParamValues = 100;

std::vector<std::string> SplitParam(const std::string& v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t p = v.find('|', start);
    std::string part = v.substr(start, p == std::string::npos ? p : p - start);
    if (!part.empty()) out.push_back(part);
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return out;
}

// An identifier as the indexes hold it; a URI that is not a GS1 key stays as given.
Result<std::vector<std::string>> CanonicalList(const std::vector<std::string>& in,
                                               const std::string& param) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    auto c = CanonicalId(s);
    if (!c.ok()) return c.status().WithContext(param);
    out.push_back(*c);
  }
  return out;
}

bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

bool AnyIn(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
  for (const auto& w : wanted) {
    if (Contains(have, w)) return true;
  }
  return false;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The bare term of a CBV or GS1 vocabulary value in any of its forms: "po",
// "urn:epcglobal:cbv:btt:po", "https://ref.gs1.org/cbv/BTT-po", "gs1:Temperature",
// "https://gs1.org/voc/Temperature". Other values unchanged.
std::string Term(std::string_view t) {
  if (StartsWith(t, "urn:epcglobal:cbv:")) {
    return std::string(t.substr(t.find_last_of(':') + 1));
  }
  for (std::string_view p : {"https://ref.gs1.org/cbv/", "cbv:"}) {
    if (StartsWith(t, p)) {
      std::string_view rest = t.substr(p.size());
      size_t dash = rest.find('-');
      return std::string(dash == std::string_view::npos ? rest : rest.substr(dash + 1));
    }
  }
  for (std::string_view p : {"https://gs1.org/voc/", "gs1:"}) {
    if (StartsWith(t, p)) return std::string(t.substr(p.size()));
  }
  return std::string(t);
}

std::string Text(const Value& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_int()) return std::to_string(v.as_int());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  return "";
}

std::optional<double> Number(std::string_view s) {
  if (s.empty() || s.size() > 64) return std::nullopt;
  std::string str(s);
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(str.c_str(), &end);
  if (end != str.c_str() + str.size() || errno != 0 || d != d) return std::nullopt;
  return d;
}

std::optional<double> NumberOf(const Value& v) {
  if (v.is_int()) return static_cast<double>(v.as_int());
  if (v.is_string()) return Number(v.as_string());
  return std::nullopt;
}

std::string IdOf(const Value& ev, const char* field) {
  const Value* loc = ev.Find(field);
  std::string id = loc != nullptr && loc->is_map() ? S(*loc, "id") : "";
  auto c = CanonicalId(id);
  return c.ok() ? *c : id;
}

// ---- comparisons ------------------------------------------------------------------------------

enum class Op { kEq, kGt, kGe, kLt, kLe, kExists };

// A parameter's value: the '|' alternatives (EQ_), or one number / time (GT_ ... LE_).
struct Operand {
  Op op = Op::kEq;
  std::vector<std::string> texts;
  std::optional<double> number;
  std::optional<int64_t> time_ms;
};

Result<Operand> MakeOperand(Op op, const std::string& param, const std::string& raw) {
  Operand o;
  o.op = op;
  o.texts = SplitParam(raw);
  if (o.texts.size() > kMaxParamValues) {
    return Status::Invalid(param + ": more than " + std::to_string(kMaxParamValues) + " values");
  }
  if (op == Op::kEq || op == Op::kExists) return o;
  o.number = Number(raw);
  if (!o.number) {
    auto t = ParseEpcisTime(raw);
    if (!t.ok())
      return Status::Invalid(param + ": expected a number or a date-time, got '" +
                             raw.substr(0, 40) + "'");
    o.time_ms = *t;
  }
  return o;
}

template <typename T>
bool Ordered(Op op, T have, T want) {
  switch (op) {
    case Op::kGt:
      return have > want;
    case Op::kGe:
      return have >= want;
    case Op::kLt:
      return have < want;
    case Op::kLe:
      return have <= want;
    case Op::kEq:
      return have == want;
    case Op::kExists:
      return true;
  }
  return false;
}

// Whether a stored value satisfies the operand (lists: any element).
bool Satisfies(const Value& v, const Operand& o, bool term = false) {
  if (v.is_list()) {
    for (const auto& e : v.as_list()) {
      if (Satisfies(e, o, term)) return true;
    }
    return false;
  }
  if (o.op == Op::kExists) return !v.is_null();
  if (o.op == Op::kEq) {
    std::string have = Text(v);
    if (v.is_map() || v.is_null()) return false;
    for (const auto& w : o.texts) {
      if (term ? Term(w) == Term(have) : w == have) return true;
      auto a = Number(w);
      auto b = NumberOf(v);
      if (!term && a && b && *a == *b && !v.is_bool()) return true;
    }
    return false;
  }
  if (o.number) {
    auto have = NumberOf(v);
    return have && Ordered(o.op, *have, *o.number);
  }
  if (o.time_ms && v.is_string()) {
    auto have = ParseEpcisTime(v.as_string());
    return have.ok() && Ordered(o.op, *have, *o.time_ms);
  }
  return false;
}

bool FieldSatisfies(const Value& m, const char* field, const Operand& o, bool term = false) {
  if (!m.is_map()) return false;
  const Value* v = m.Find(field);
  return v != nullptr && Satisfies(*v, o, term);
}

// ---- extension fields -------------------------------------------------------------------------

// prefix -> namespace URI from a record's resolved context.
std::map<std::string, std::string> Namespaces(const Value& rec) {
  std::map<std::string, std::string> ns;
  const Value* c = rec.Find("context");
  if (c == nullptr || !c->is_list()) return ns;
  for (const auto& e : c->as_list()) {
    if (!e.is_map()) continue;
    for (const auto& [k, v] : e.as_map()) {
      if (v.is_string()) ns[k] = v.as_string();
    }
  }
  return ns;
}

// Whether key `k` of a stored event ("example:myField") names `field`, given as the same
// compact name or as the expanded URI ("http://ns.example.com/epcis/myField", or with '#').
bool NamesField(const std::string& k, const std::string& field,
                const std::map<std::string, std::string>& ns) {
  if (k == field) return true;
  size_t colon = k.find(':');
  if (colon == std::string::npos) return false;
  auto it = ns.find(k.substr(0, colon));
  if (it == ns.end()) return false;
  const std::string local = k.substr(colon + 1);
  return field == it->second + local || field == it->second + "#" + local;
}

bool IsExtensionKey(const std::string& k) { return k.find(':') != std::string::npos; }

// Values named `field` in map `m` (inner: anywhere nested inside m's extension fields).
void Collect(const Value& m, const std::string& field, const std::map<std::string, std::string>& ns,
             bool inner, std::vector<const Value*>& out, int depth = 0) {
  if (depth > 16) return;
  if (m.is_list()) {
    for (const auto& e : m.as_list()) Collect(e, field, ns, inner, out, depth + 1);
    return;
  }
  if (!m.is_map()) return;
  for (const auto& [k, v] : m.as_map()) {
    if (!inner || depth > 0) {
      if (NamesField(k, field, ns)) out.push_back(&v);
    }
    if (inner && (depth > 0 || IsExtensionKey(k)) && (v.is_map() || v.is_list())) {
      Collect(v, field, ns, inner, out, depth + 1);
    }
  }
}

enum class Scope {
  kEvent,
  kIlmd,
  kErrorDeclaration,
  kSensorElement,
  kSensorMetadata,
  kSensorReport
};

std::vector<const Value*> Roots(const Value& ev, Scope scope) {
  std::vector<const Value*> out;
  if (scope == Scope::kEvent) {
    out.push_back(&ev);
    return out;
  }
  if (scope == Scope::kIlmd || scope == Scope::kErrorDeclaration) {
    const Value* i = ev.Find(scope == Scope::kIlmd ? "ilmd" : "errorDeclaration");
    if (i != nullptr && i->is_map()) out.push_back(i);
    return out;
  }
  const Value* list = ev.Find("sensorElementList");
  if (list == nullptr || !list->is_list()) return out;
  for (const auto& el : list->as_list()) {
    if (!el.is_map()) continue;
    if (scope == Scope::kSensorElement) out.push_back(&el);
    if (scope == Scope::kSensorMetadata) {
      if (const Value* m = el.Find("sensorMetadata"); m != nullptr && m->is_map()) out.push_back(m);
    }
    if (scope == Scope::kSensorReport) {
      if (const Value* r = el.Find("sensorReport"); r != nullptr && r->is_list()) {
        for (const auto& rep : r->as_list()) out.push_back(&rep);
      }
    }
  }
  return out;
}

// ---- sensor reports ---------------------------------------------------------------------------

template <typename F>
bool AnyReport(const Value& ev, F f) {
  const Value* list = ev.Find("sensorElementList");
  if (list == nullptr || !list->is_list()) return false;
  static const Value kEmpty = Value::Map{};
  for (const auto& el : list->as_list()) {
    if (!el.is_map()) continue;
    const Value* meta = el.Find("sensorMetadata");
    const Value& m = meta != nullptr && meta->is_map() ? *meta : kEmpty;
    const Value* reports = el.Find("sensorReport");
    if (reports == nullptr || !reports->is_list()) continue;
    for (const auto& r : reports->as_list()) {
      if (r.is_map() && f(m, r)) return true;
    }
  }
  return false;
}

// ---- the filters ------------------------------------------------------------------------------

using Test = std::function<bool(const StateView&, const Value&)>;

const Value& EventOf(const Value& rec) { return *rec.Find("event"); }

void Add(EventQuery& q, const std::string& param, Test t) {
  q.filters.push_back(EventFilter{param, std::move(t)});
}

// EQ_ / GT_ / GE_ / LT_ / LE_ / EXISTS_ over extension fields: [INNER_][ILMD_ |
// ERROR_DECLARATION_ | SENSORELEMENT_ | SENSORMETADATA_ | SENSORREPORT_]<field>. Returns false if
// `rest` is not such a name.
Result<bool> AddFieldFilter(EventQuery& q, const std::string& param, Op op, const std::string& rest,
                            const std::string& value) {
  std::string name = rest;
  bool inner = false;
  if (StartsWith(name, "INNER_")) {
    inner = true;
    name = name.substr(6);
  }
  Scope scope = Scope::kEvent;
  for (auto [p, s] : {std::pair<const char*, Scope>{"ILMD_", Scope::kIlmd},
                      {"ERROR_DECLARATION_", Scope::kErrorDeclaration},
                      {"SENSORELEMENT_", Scope::kSensorElement},
                      {"SENSORMETADATA_", Scope::kSensorMetadata},
                      {"SENSORREPORT_", Scope::kSensorReport}}) {
    if (StartsWith(name, p)) {
      scope = s;
      name = name.substr(std::string_view(p).size());
      break;
    }
  }
  bool extension = name.find(':') != std::string::npos || name.find('#') != std::string::npos;
  if (!extension) {
    // EXISTS_<standard field> (EXISTS_errorDeclaration, EXISTS_sensorElementList, ...).
    if (op == Op::kExists && !inner && scope == Scope::kEvent && IsEpcisEventField(name)) {
      Add(q, param, [name](const StateView&, const Value& rec) {
        const Value* v = EventOf(rec).Find(name);
        return v != nullptr && !v->is_null();
      });
      return true;
    }
    return false;
  }
  TM_ASSIGN_OR_RETURN(Operand o, MakeOperand(op, param, value));
  Add(q, param, [=](const StateView&, const Value& rec) {
    auto ns = Namespaces(rec);
    for (const Value* root : Roots(EventOf(rec), scope)) {
      std::vector<const Value*> found;
      Collect(*root, name, ns, inner, found);
      for (const Value* v : found) {
        if (Satisfies(*v, o)) return true;
      }
    }
    return false;
  });
  return true;
}

// EQ_bizTransaction_<type>, EQ_source_<type>, EQ_destination_<type>.
void AddTypedList(EventQuery& q, const std::string& param, const char* list, const char* field,
                  const std::string& type, std::vector<std::string> values) {
  Add(q, param, [=](const StateView&, const Value& rec) {
    const Value* l = EventOf(rec).Find(list);
    if (l == nullptr || !l->is_list()) return false;
    for (const auto& e : l->as_list()) {
      if (!e.is_map() || Term(S(e, "type")) != Term(type)) continue;
      std::string have = S(e, field);
      auto c = CanonicalId(have);
      for (const auto& w : values) {
        auto cw = CanonicalId(w);
        if (w == have || (c.ok() && cw.ok() && *c == *cw)) return true;
      }
    }
    return false;
  });
}

// The numeric sensor report fields (GT_value, GE_minValue_CEL, ...).
bool IsSensorNumber(const std::string& f) {
  static const std::set<std::string> k = {"value", "minValue", "maxValue", "meanValue",
                                          "sDev",  "percRank", "percValue"};
  return k.count(f) != 0;
}

// A registered location's master data attribute (name, country, kind): HASATTR_ / EQATTR_.
std::optional<Value> LocationRecord(const StateView& view, const std::string& id) {
  if (id.empty()) return std::nullopt;
  auto rec = Load(view, keys::Location(id));
  if (!rec.ok() || !rec->has_value()) return std::nullopt;
  return **rec;
}

std::string AttrName(std::string a) {
  size_t p = a.find_last_of("#:/");
  return p == std::string::npos ? a : a.substr(p + 1);
}

Status AddMasterData(EventQuery& q, const std::string& param, bool eq_attr, const std::string& rest,
                     const std::vector<std::string>& values) {
  std::string field = rest, attr;
  if (eq_attr) {
    size_t us = rest.find('_');
    if (us == std::string::npos) return Status::Invalid(param + ": expected EQATTR_<field>_<attr>");
    field = rest.substr(0, us);
    attr = AttrName(rest.substr(us + 1));
  }
  if (field != "bizLocation" && field != "readPoint") {
    return Status::Invalid(param +
                           ": this ledger keeps master data only for locations (readPoint, "
                           "bizLocation; prov.register_location), not for " +
                           field);
  }
  std::vector<std::string> wanted;
  for (const auto& v : values) wanted.push_back(eq_attr ? v : AttrName(v));
  Add(q, param, [=](const StateView& view, const Value& rec) {
    auto loc = LocationRecord(view, IdOf(EventOf(rec), field.c_str()));
    if (!loc) return false;
    if (!eq_attr) {
      for (const auto& a : wanted) {
        if (a != "owner" && !S(*loc, a).empty()) return true;
      }
      return false;
    }
    return attr != "owner" && Contains(wanted, S(*loc, attr));
  });
  return Status::Ok();
}

bool Matches(const StateView& view, const Value& rec, const EventQuery& q) {
  const Value& ev = *rec.Find("event");
  if (!q.event_type.empty() && !Contains(q.event_type, S(ev, "type"))) return false;
  int64_t t = I(rec, "eventTimeMs");
  if (q.ge_event_time_ms && t < *q.ge_event_time_ms) return false;
  if (q.lt_event_time_ms && t >= *q.lt_event_time_ms) return false;
  if (!q.eq_biz_step.empty() && !Contains(q.eq_biz_step, NormaliseBizStep(S(ev, "bizStep")))) {
    return false;
  }
  if (!q.eq_disposition.empty() &&
      !Contains(q.eq_disposition, NormaliseDisposition(S(ev, "disposition")))) {
    return false;
  }
  if (!q.eq_event_id.empty() && !Contains(q.eq_event_id, S(rec, "eventID")) &&
      !Contains(q.eq_event_id, S(rec, "eventHash"))) {
    return false;
  }
  EventIds ids = IdsOf(ev);
  if (!q.match_epc.empty() && !AnyIn(q.match_epc, ids.epcs)) return false;
  if (!q.match_any_epc.empty() && !AnyIn(q.match_any_epc, ids.AnyEpc())) return false;
  if (!q.match_parent_id.empty() && !Contains(q.match_parent_id, ids.parent)) return false;
  if (!q.match_epc_class.empty() && !AnyIn(q.match_epc_class, ids.classes)) return false;
  if (!q.eq_biz_location.empty()) {
    std::string id = IdOf(ev, "bizLocation");
    if (id.empty() || !Contains(q.eq_biz_location, id)) return false;
  }
  for (const auto& f : q.filters) {
    if (!f.test(view, rec)) return false;
  }
  return true;
}

// The most selective index the query names (prefixes to scan, in seq order each), or none.
std::vector<std::string> IndexPrefixes(const EventQuery& q) {
  auto from = [](const std::string& index, const std::vector<std::string>& values) {
    std::vector<std::string> p;
    for (const auto& v : values) p.push_back(keys::IndexPrefix(index, v));
    return p;
  };
  if (!q.match_epc.empty()) return from("epc", q.match_epc);
  if (!q.match_parent_id.empty()) return from("parent", q.match_parent_id);
  if (!q.match_any_epc.empty()) return from("any", q.match_any_epc);
  if (!q.match_epc_class.empty()) return from("class", q.match_epc_class);
  if (!q.eq_biz_location.empty()) return from("loc", q.eq_biz_location);
  if (!q.eq_biz_step.empty()) return from("step", q.eq_biz_step);
  if (!q.eq_disposition.empty()) return from("disp", q.eq_disposition);
  if (!q.event_type.empty()) return from("type", q.event_type);
  return {};
}

// The scan's driver: an index (capture order), else the event-time index, else (recordTime
// order without an index) the event records themselves. `sorting`: the answer is sorted after.
std::vector<std::string> DriverPrefixes(const EventQuery& q, bool sorting, bool* time_order) {
  *time_order = false;
  std::vector<std::string> index = IndexPrefixes(q);
  if (!index.empty()) return index;
  if (q.order_by == "recordTime" && !sorting) return {std::string(keys::kEventPrefix)};
  *time_order = true;
  return {std::string(keys::kTimeIndexPrefix)};
}

Result<uint32_t> Count(const std::string& name, const std::string& value, int64_t max) {
  int64_t n = 0;
  if (value.empty() || value.size() > 10) return Status::Invalid(name + ": not a count");
  for (char c : value) {
    if (c < '0' || c > '9') return Status::Invalid(name + ": not a count");
    n = n * 10 + (c - '0');
  }
  if (n <= 0) return Status::Invalid(name + ": must be positive");
  return static_cast<uint32_t>(std::min<int64_t>(n, max));
}

Result<Op> OpOf(const std::string& prefix) {
  if (prefix == "EQ") return Op::kEq;
  if (prefix == "GT") return Op::kGt;
  if (prefix == "GE") return Op::kGe;
  if (prefix == "LT") return Op::kLt;
  if (prefix == "LE") return Op::kLe;
  if (prefix == "EXISTS") return Op::kExists;
  return Status::Invalid("");
}

// One standard parameter that is not an index driver. Returns false if the name is unknown.
Result<bool> AddStandard(EventQuery& q, const std::string& name, const std::string& value,
                         const std::vector<std::string>& values) {
  auto add_time = [&](auto get) -> Result<bool> {
    auto t = ParseEpcisTime(value);
    if (!t.ok()) return t.status().WithContext(name);
    bool ge = StartsWith(name, "GE_");
    int64_t want = *t;
    Add(q, name, [=](const StateView&, const Value& rec) {
      std::optional<int64_t> have = get(rec);
      return have && (ge ? *have >= want : *have < want);
    });
    return true;
  };
  auto time_of = [](const Value& v) -> std::optional<int64_t> {
    if (!v.is_string()) return std::nullopt;
    auto t = ParseEpcisTime(v.as_string());
    return t.ok() ? std::optional<int64_t>(*t) : std::nullopt;
  };
  if (name == "GE_recordTime" || name == "LT_recordTime") {
    return add_time([time_of](const Value& rec) -> std::optional<int64_t> {
      const Value* r = rec.Find("recordTime");
      return r ? time_of(*r) : std::nullopt;
    });
  }
  if (name == "GE_errorDeclarationTime" || name == "LT_errorDeclarationTime") {
    return add_time([time_of](const Value& rec) -> std::optional<int64_t> {
      const Value* e = EventOf(rec).Find("errorDeclaration");
      const Value* t = e != nullptr && e->is_map() ? e->Find("declarationTime") : nullptr;
      return t ? time_of(*t) : std::nullopt;
    });
  }
  if (name == "GE_time" || name == "LT_time") {
    auto t = ParseEpcisTime(value);
    if (!t.ok()) return t.status().WithContext(name);
    Operand o{.op = StartsWith(name, "GE_") ? Op::kGe : Op::kLt, .time_ms = *t};
    Add(q, name, [o](const StateView&, const Value& rec) {
      return AnyReport(EventOf(rec), [&](const Value& meta, const Value& r) {
        return FieldSatisfies(r, "time", o) ||
               (r.Find("time") == nullptr && FieldSatisfies(meta, "time", o));
      });
    });
    return true;
  }
  Operand eq{.op = Op::kEq, .texts = values};
  if (name == "EQ_action") {
    for (const auto& v : values) {
      if (v != "ADD" && v != "OBSERVE" && v != "DELETE") {
        return Status::Invalid(name + ": ADD, OBSERVE or DELETE, not " + v.substr(0, 20));
      }
    }
    Add(q, name, [eq](const StateView&, const Value& rec) {
      return FieldSatisfies(EventOf(rec), "action", eq);
    });
    return true;
  }
  if (name == "EQ_readPoint" || name == "WD_readPoint" || name == "WD_bizLocation") {
    // No location hierarchy is kept (register_location has no parent): WD_ is exact.
    TM_ASSIGN_OR_RETURN(std::vector<std::string> ids, CanonicalList(values, name));
    const char* field = name == "WD_bizLocation" ? "bizLocation" : "readPoint";
    Add(q, name, [ids, field](const StateView&, const Value& rec) {
      std::string id = IdOf(EventOf(rec), field);
      return !id.empty() && Contains(ids, id);
    });
    return true;
  }
  if (name == "EQ_transformationID") {
    Add(q, name, [eq](const StateView&, const Value& rec) {
      return FieldSatisfies(EventOf(rec), "transformationID", eq);
    });
    return true;
  }
  if (name == "MATCH_inputEPC" || name == "MATCH_outputEPC" || name == "MATCH_inputEPCClass" ||
      name == "MATCH_outputEPCClass" || name == "MATCH_epcClass") {
    TM_ASSIGN_OR_RETURN(std::vector<std::string> ids, CanonicalList(values, name));
    if (name == "MATCH_epcClass") {
      // quantityList and childQuantityList only (the index drives on any class).
      if (q.match_epc_class.empty()) q.match_epc_class = ids;
    }
    std::string n = name;
    Add(q, name, [ids, n](const StateView&, const Value& rec) {
      const Value& ev = EventOf(rec);
      EventIds e = IdsOf(ev);
      if (n == "MATCH_inputEPC") return AnyIn(ids, e.inputs);
      if (n == "MATCH_outputEPC") return AnyIn(ids, e.outputs);
      if (n == "MATCH_inputEPCClass") return AnyIn(ids, e.input_classes);
      if (n == "MATCH_outputEPCClass") return AnyIn(ids, e.output_classes);
      std::vector<std::string> own;
      for (const char* f : {"quantityList", "childQuantityList"}) {
        const Value* l = ev.Find(f);
        if (l == nullptr || !l->is_list()) continue;
        for (const auto& qe : l->as_list()) {
          std::string c = S(qe, "epcClass");
          auto cc = CanonicalId(c);
          own.push_back(cc.ok() ? *cc : c);
        }
      }
      return AnyIn(ids, own);
    });
    return true;
  }
  if (name == "EQ_errorReason" || name == "EQ_correctiveEventID") {
    bool reason = name == "EQ_errorReason";
    Add(q, name, [eq, reason](const StateView&, const Value& rec) {
      const Value* e = EventOf(rec).Find("errorDeclaration");
      if (e == nullptr || !e->is_map()) return false;
      return reason ? FieldSatisfies(*e, "reason", eq, /*term=*/true)
                    : FieldSatisfies(*e, "correctiveEventIDs", eq);
    });
    return true;
  }
  if (name == "EQ_persistentDisposition_set" || name == "EQ_persistentDisposition_unset") {
    const char* which = name == "EQ_persistentDisposition_set" ? "set" : "unset";
    Add(q, name, [eq, which](const StateView&, const Value& rec) {
      const Value* pd = EventOf(rec).Find("persistentDisposition");
      return pd != nullptr && FieldSatisfies(*pd, which, eq, /*term=*/true);
    });
    return true;
  }
  for (auto [prefix, list, field] :
       {std::tuple<const char*, const char*, const char*>{"EQ_bizTransaction_",
                                                          "bizTransactionList", "bizTransaction"},
        {"EQ_source_", "sourceList", "source"},
        {"EQ_destination_", "destinationList", "destination"}}) {
    if (StartsWith(name, prefix) && name.size() > std::string_view(prefix).size()) {
      AddTypedList(q, name, list, field, name.substr(std::string_view(prefix).size()), values);
      return true;
    }
  }
  // Quantities: any quantity element (quantityList, childQuantityList, input / output).
  for (const char* p : {"EQ_", "GT_", "GE_", "LT_", "LE_"}) {
    if (name != std::string(p) + "quantity") continue;
    TM_ASSIGN_OR_RETURN(Operand o, MakeOperand(*OpOf(std::string(p, 2)), name, value));
    if (o.op == Op::kEq) {
      if (auto n = Number(value); !n) return Status::Invalid(name + ": not a number");
      o.number = Number(value);
    }
    Add(q, name, [o](const StateView&, const Value& rec) {
      for (const char* f :
           {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}) {
        const Value* l = EventOf(rec).Find(f);
        if (l == nullptr || !l->is_list()) continue;
        for (const auto& qe : l->as_list()) {
          const Value* qty = qe.is_map() ? qe.Find("quantity") : nullptr;
          auto have = qty != nullptr ? NumberOf(*qty) : std::nullopt;
          if (have && Ordered(o.op, *have, *o.number)) return true;
        }
      }
      return false;
    });
    return true;
  }
  // Sensor reports: string-valued report fields (deviceID etc. also in the metadata).
  static const std::map<std::string, std::pair<bool, bool>> kSensorText = {
      // field: (in the report, in the metadata)
      {"type", {true, false}},
      {"deviceID", {true, true}},
      {"dataProcessingMethod", {true, true}},
      {"microorganism", {true, false}},
      {"chemicalSubstance", {true, false}},
      {"bizRules", {false, true}},
      {"stringValue", {true, false}},
      {"booleanValue", {true, false}},
      {"hexBinaryValue", {true, false}},
      {"uriValue", {true, false}},
      {"component", {true, false}},
      {"deviceMetadata", {true, true}},
      {"rawData", {true, true}},
      {"uom", {true, false}},
      {"coordinateReferenceSystem", {true, false}}};
  if (StartsWith(name, "EQ_")) {
    auto it = kSensorText.find(name.substr(3));
    if (it != kSensorText.end()) {
      std::string f = it->first;
      const bool in_report = it->second.first;  // (not a binding: clang 14 cannot capture one)
      const bool in_meta = it->second.second;
      bool term = f == "type" || f == "component";
      Add(q, name, [=](const StateView&, const Value& rec) {
        return AnyReport(EventOf(rec), [&](const Value& meta, const Value& r) {
          return (in_report && FieldSatisfies(r, f.c_str(), eq, term)) ||
                 (in_meta && FieldSatisfies(meta, f.c_str(), eq, term));
        });
      });
      return true;
    }
  }
  // Sensor numbers: <OP>_<field>[_<uom>] (the report's uom must then be <uom>; no conversion).
  if (name.size() > 3 && name[2] == '_') {
    auto op = OpOf(name.substr(0, 2));
    std::string rest = name.substr(3);
    std::string uom;
    if (size_t us = rest.find('_'); us != std::string::npos) {
      uom = rest.substr(us + 1);
      rest = rest.substr(0, us);
    }
    if (op.ok() && *op != Op::kExists && IsSensorNumber(rest)) {
      TM_ASSIGN_OR_RETURN(Operand o, MakeOperand(*op, name, value));
      if (o.op == Op::kEq) o.number = Number(value);
      if (!o.number) return Status::Invalid(name + ": not a number");
      Add(q, name, [o, rest, uom](const StateView&, const Value& rec) {
        return AnyReport(EventOf(rec), [&](const Value&, const Value& r) {
          if (!uom.empty() && S(r, "uom") != uom) return false;
          const Value* v = r.Find(rest);
          auto have = v != nullptr ? NumberOf(*v) : std::nullopt;
          return have && Ordered(o.op, *have, *o.number);
        });
      });
      return true;
    }
  }
  return false;
}

}  // namespace

Status CheckCaptureContext(const Value& context) {
  if (!context.is_list()) return Status::Invalid("context: a list of @context entries");
  if (context.as_list().size() > 32) return Status::Invalid("context: more than 32 entries");
  if (context.Encode().size() > 16 * 1024) return Status::Invalid("context: larger than 16 KiB");
  for (size_t i = 0; i < context.as_list().size(); ++i) {
    const Value& e = context.as_list()[i];
    if (e.is_string() && !IsStandardEpcisContext(e.as_string())) continue;
    if (e.is_map() && !e.as_map().empty()) continue;
    return Status::Invalid("context[" + std::to_string(i) +
                           "]: a context URL or a map of term definitions (the standard EPCIS "
                           "context is implied)");
  }
  return Status::Ok();
}

Result<EventQuery> EventQuery::FromParams(const std::map<std::string, std::string>& params) {
  EventQuery q;
  q.event_count_limit = kNoLimit;
  bool count_limit = false;
  for (const auto& [name, value] : params) {
    std::vector<std::string> values = SplitParam(value);
    if (values.empty()) return Status::Invalid(name + ": empty value");
    if (values.size() > kMaxParamValues) {
      return Status::Invalid(name + ": more than " + std::to_string(kMaxParamValues) + " values");
    }
    if (name == "eventType") {
      for (const auto& v : values) {
        if (v != "ObjectEvent" && v != "AggregationEvent" && v != "TransactionEvent" &&
            v != "TransformationEvent" && v != "AssociationEvent") {
          return Status::Invalid(name + ": not an EPCIS 2.0 event type: " + v.substr(0, 40));
        }
      }
      q.event_type = values;
    } else if (name == "GE_eventTime" || name == "LT_eventTime") {
      auto t = ParseEpcisTime(value);
      if (!t.ok()) return t.status().WithContext(name);
      (name == "GE_eventTime" ? q.ge_event_time_ms : q.lt_event_time_ms) = *t;
    } else if (name == "EQ_bizStep") {
      for (auto& v : values) q.eq_biz_step.push_back(NormaliseBizStep(v));
    } else if (name == "EQ_disposition") {
      for (auto& v : values) q.eq_disposition.push_back(NormaliseDisposition(v));
    } else if (name == "MATCH_epc") {
      TM_ASSIGN_OR_RETURN(q.match_epc, CanonicalList(values, name));
    } else if (name == "MATCH_anyEPC") {
      TM_ASSIGN_OR_RETURN(q.match_any_epc, CanonicalList(values, name));
    } else if (name == "MATCH_parentID") {
      TM_ASSIGN_OR_RETURN(q.match_parent_id, CanonicalList(values, name));
    } else if (name == "MATCH_anyEPCClass") {
      TM_ASSIGN_OR_RETURN(q.match_epc_class, CanonicalList(values, name));
    } else if (name == "EQ_bizLocation") {
      TM_ASSIGN_OR_RETURN(q.eq_biz_location, CanonicalList(values, name));
    } else if (name == "EQ_eventID") {
      q.eq_event_id = values;
    } else if (name == "eventCountLimit") {
      TM_ASSIGN_OR_RETURN(q.event_count_limit, Count(name, value, 1000000));
      count_limit = true;
    } else if (name == "maxEventCount") {
      TM_ASSIGN_OR_RETURN(q.max_event_count, Count(name, value, 1000000));
    } else if (name == "perPage") {
      TM_ASSIGN_OR_RETURN(q.per_page, Count(name, value, 1000));
    } else if (name == "orderBy") {
      if (value != "eventTime" && value != "recordTime" && value.find(':') == std::string::npos &&
          value.find('#') == std::string::npos) {
        return Status::Invalid(name +
                               ": eventTime, recordTime or an extension field "
                               "(prefix:name or its namespace URI), not " +
                               value.substr(0, 40));
      }
      q.order_by = value;
    } else if (name == "orderDirection") {
      if (value != "ASC" && value != "DESC") return Status::Invalid(name + ": ASC or DESC");
      q.order_desc = value == "DESC";
    } else if (name == "EXISTS_errorDeclaration") {
      Add(q, name, [](const StateView&, const Value& rec) {
        return EventOf(rec).Find("errorDeclaration") != nullptr;
      });
    } else if (StartsWith(name, "HASATTR_") || StartsWith(name, "EQATTR_")) {
      bool eq_attr = StartsWith(name, "EQATTR_");
      TM_RETURN_IF_ERROR(AddMasterData(q, name, eq_attr, name.substr(eq_attr ? 7 : 8), values));
    } else {
      TM_ASSIGN_OR_RETURN(bool known, AddStandard(q, name, value, values));
      if (!known) {
        size_t us = name.find('_');
        auto op =
            us == std::string::npos ? Result<Op>(Status::Invalid("")) : OpOf(name.substr(0, us));
        if (op.ok()) {
          TM_ASSIGN_OR_RETURN(known, AddFieldFilter(q, name, *op, name.substr(us + 1), value));
        }
      }
      if (!known) return Status::Invalid(name + ": unsupported query parameter");
    }
  }
  if (count_limit && q.max_event_count) {
    return Status::Invalid("eventCountLimit: not together with maxEventCount");
  }
  return q;
}

namespace {

// A page position: "v1 <upto> <returned> <kind> <pos>", kind "k" (resume after index key
// <pos>), "s" (after seq <pos>, several index prefixes) or "o" (offset <pos> in a sorted answer).
struct Cursor {
  uint64_t upto = 0;      // events with seq >= upto were recorded after the first page
  uint64_t returned = 0;  // events returned by earlier pages
  char kind = 0;          // 0: first page
  std::string pos;
  std::string Encode() const {
    return "v1 " + std::to_string(upto) + " " + std::to_string(returned) + " " +
           std::string(1, kind) + " " + pos;
  }
};

Result<uint64_t> ParseU64(const std::string& s) {
  if (s.empty() || s.size() > 19) return Status::Invalid("cursor: malformed");
  uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return Status::Invalid("cursor: malformed");
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

Result<Cursor> DecodeCursor(const std::string& text) {
  Cursor c;
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    size_t sp = text.find(' ', start);
    if (sp == std::string::npos) return Status::Invalid("cursor: malformed");
    parts.push_back(text.substr(start, sp - start));
    start = sp + 1;
  }
  if (parts[0] != "v1" || parts[3].size() != 1 ||
      std::string("kso").find(parts[3][0]) == std::string::npos) {
    return Status::Invalid("cursor: malformed");
  }
  TM_ASSIGN_OR_RETURN(c.upto, ParseU64(parts[1]));
  TM_ASSIGN_OR_RETURN(c.returned, ParseU64(parts[2]));
  c.kind = parts[3][0];
  c.pos = text.substr(start);
  return c;
}

uint64_t SeqOfKey(const std::string& key) {
  return static_cast<uint64_t>(std::stoull(key.substr(key.size() - 16)));
}

// A record as answered: with its capture's context resolved.
class Loader {
 public:
  explicit Loader(const StateView& view) : view_(view) {}
  Result<std::optional<Value>> Get(uint64_t seq) {
    TM_ASSIGN_OR_RETURN(std::optional<Value> rec, Load(view_, keys::Event(seq)));
    if (!rec) return rec;
    const Value* cs = rec->Find("contextSeq");
    if (cs != nullptr && cs->is_int()) {
      auto it = contexts_.find(cs->as_int());
      if (it == contexts_.end()) {
        TM_ASSIGN_OR_RETURN(std::optional<Value> first,
                            Load(view_, keys::Event(static_cast<uint64_t>(cs->as_int()))));
        const Value* c = first ? first->Find("context") : nullptr;
        it = contexts_.emplace(cs->as_int(), c != nullptr ? *c : Value()).first;
      }
      if (!it->second.is_null()) M(*rec)["context"] = it->second;
    }
    return rec;
  }

 private:
  const StateView& view_;
  std::map<int64_t, Value> contexts_;
};

// The sort key of an extension field: (has it, number, text).
std::tuple<int, double, std::string> FieldKey(const Value& rec, const std::string& field) {
  std::vector<const Value*> found;
  Collect(EventOf(rec), field, Namespaces(rec), false, found);
  if (found.empty()) return {1, 0, ""};
  const Value& v = *found.front();
  if (auto n = NumberOf(v)) return {0, *n, ""};
  if (v.is_string()) {
    if (auto t = ParseEpcisTime(v.as_string()); t.ok()) return {0, static_cast<double>(*t), ""};
  }
  return {0, 0, Text(v)};
}

}  // namespace

Result<EventPage> QueryEventPage(const StateView& view, const EventQuery& q,
                                 const std::string& cursor_text) {
  Cursor cur;
  if (!cursor_text.empty()) {
    TM_ASSIGN_OR_RETURN(cur, DecodeCursor(cursor_text));
  } else {
    TM_ASSIGN_OR_RETURN(std::optional<Value> next, Load(view, std::string(keys::kNextSeq)));
    cur.upto = next && next->is_int() ? static_cast<uint64_t>(next->as_int()) : 1;
  }
  EventPage page;
  const uint64_t limit = q.event_count_limit;
  if (cur.returned >= limit) return page;
  const uint32_t page_limit = static_cast<uint32_t>(
      std::min<uint64_t>(std::max<uint32_t>(q.per_page, 1), limit - cur.returned));
  Loader loader(view);
  auto next_cursor = [&](char kind, std::string pos) {
    Cursor n = cur;
    n.kind = kind;
    n.pos = std::move(pos);
    n.returned = cur.returned + page.records.size();
    if (n.returned < limit) page.next_cursor = n.Encode();
  };

  const bool by_field =
      !q.order_by.empty() && q.order_by != "eventTime" && q.order_by != "recordTime";
  // Event-time order along an index needs a sort; recordTime order is every index's order.
  const bool sorted = !q.eq_event_id.empty() || by_field || (!q.order_by.empty() && q.order_desc) ||
                      q.max_event_count.has_value() ||
                      (q.order_by == "eventTime" && !IndexPrefixes(q).empty());
  bool time_order = false;
  std::vector<std::string> prefixes = DriverPrefixes(q, sorted, &time_order);
  std::string time_start, time_end;  // the event-time index between GE_ and LT_eventTime
  if (time_order && q.ge_event_time_ms) time_start = keys::TimeIndexFrom(*q.ge_event_time_ms);
  if (time_order && q.lt_event_time_ms) time_end = keys::TimeIndexFrom(*q.lt_event_time_ms);
  auto past_end = [&](const std::string& key) { return !time_end.empty() && key >= time_end; };

  if (sorted) {
    if (cur.kind != 0 && cur.kind != 'o') return Status::Invalid("cursor: not of this query");
    // The whole answer, sorted, at most kMaxQuerySortVisit records visited.
    std::vector<Value> all;
    uint32_t visited = 0;
    bool too_large = false;
    Status st;
    std::set<uint64_t> seen;
    auto consider = [&](uint64_t seq) {
      if (seq >= cur.upto || !seen.insert(seq).second) return true;
      if (++visited > kMaxQuerySortVisit) {
        too_large = true;
        return false;
      }
      auto rec = loader.Get(seq);
      if (!rec.ok()) {
        st = rec.status();
        return false;
      }
      if (rec->has_value() && Matches(view, **rec, q)) all.push_back(std::move(**rec));
      return true;
    };
    if (!q.eq_event_id.empty()) {
      for (const auto& id : q.eq_event_id) {
        TM_ASSIGN_OR_RETURN(std::optional<Value> seq, Load(view, keys::EventId(id)));
        if (seq && seq->is_int() && !consider(static_cast<uint64_t>(seq->as_int()))) break;
      }
    } else {
      for (const auto& prefix : prefixes) {
        view.Scan(prefix, time_start, [&](const std::string& key, const Bytes&) {
          return !past_end(key) && consider(SeqOfKey(key));
        });
        if (too_large || !st.ok()) break;
      }
    }
    TM_RETURN_IF_ERROR(st);
    if (too_large) {
      return Status::ResourceExhausted(
          "the query would look at more than " + std::to_string(kMaxQuerySortVisit) +
          " events to sort or count its answer: narrow it (MATCH_, EQ_, a time range) or use "
          "perPage without orderBy / maxEventCount");
    }
    if (q.max_event_count && all.size() > *q.max_event_count) {
      return Status::ResourceExhausted("maxEventCount: the query matches " +
                                       std::to_string(all.size()) + " events, more than " +
                                       std::to_string(*q.max_event_count));
    }
    if (!q.order_by.empty()) {
      auto key_of = [&](const Value& rec) -> std::tuple<int, double, std::string> {
        if (q.order_by == "eventTime") return {0, static_cast<double>(I(rec, "eventTimeMs")), ""};
        if (q.order_by == "recordTime") return {0, static_cast<double>(I(rec, "seq")), ""};
        return FieldKey(rec, q.order_by);
      };
      std::vector<std::pair<std::tuple<int, double, std::string>, size_t>> keyed;
      for (size_t i = 0; i < all.size(); ++i) keyed.push_back({key_of(all[i]), i});
      std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
        const auto& [ha, na, ta] = a.first;
        const auto& [hb, nb, tb] = b.first;
        if (ha != hb) return ha < hb;  // events without the field last, either direction
        auto sa = I(all[a.second], "seq"), sb = I(all[b.second], "seq");
        if (na != nb) return q.order_desc ? na > nb : na < nb;
        if (ta != tb) return q.order_desc ? ta > tb : ta < tb;
        return q.order_desc ? sa > sb : sa < sb;
      });
      std::vector<Value> sorted_all;
      for (auto& k : keyed) sorted_all.push_back(std::move(all[k.second]));
      all = std::move(sorted_all);
    }
    uint64_t total = std::min<uint64_t>(all.size(), limit);
    uint64_t offset = 0;
    if (cur.kind == 'o') {
      TM_ASSIGN_OR_RETURN(offset, ParseU64(cur.pos));
    }
    for (uint64_t i = offset; i < total && page.records.size() < page_limit; ++i) {
      page.records.push_back(std::move(all[i]));
    }
    if (offset + page.records.size() < total) {
      next_cursor('o', std::to_string(offset + page.records.size()));
    }
    return page;
  }

  // Streaming: in index order, at most kMaxQueryVisitPerPage records visited per page.
  uint32_t visited = 0;
  Status st;
  bool stopped = false;  // page full or visit cap hit: a next page may follow
  auto consider = [&](uint64_t seq) {
    if (seq >= cur.upto) return true;
    ++visited;
    auto rec = loader.Get(seq);
    if (!rec.ok()) {
      st = rec.status();
      return false;
    }
    if (rec->has_value() && Matches(view, **rec, q)) page.records.push_back(std::move(**rec));
    return true;
  };
  if (prefixes.size() == 1) {
    if (cur.kind != 0 && cur.kind != 'k') return Status::Invalid("cursor: not of this query");
    const std::string& prefix = prefixes.front();
    std::string start = time_start;
    if (cur.kind == 'k') {
      if (!StartsWith(cur.pos, prefix)) return Status::Invalid("cursor: not of this query");
      start = cur.pos + std::string(1, '\0');
    }
    std::string last;
    view.Scan(prefix, start, [&](const std::string& key, const Bytes&) {
      if (past_end(key) || !consider(SeqOfKey(key))) return false;
      last = key;
      if (page.records.size() >= page_limit || visited >= kMaxQueryVisitPerPage) {
        stopped = true;
        return false;
      }
      return true;
    });
    TM_RETURN_IF_ERROR(st);
    if (stopped) next_cursor('k', last);
    return page;
  }
  // Several driver values: the smallest seqs after the cursor from each index, merged.
  if (cur.kind != 0 && cur.kind != 's') return Status::Invalid("cursor: not of this query");
  uint64_t after = 0;
  if (cur.kind == 's') {
    TM_ASSIGN_OR_RETURN(after, ParseU64(cur.pos));
  }
  std::set<uint64_t> seqs;
  uint64_t bound = std::numeric_limits<uint64_t>::max();  // seqs above may be missing
  // Index keys read per value: the page's visit cap shared out (at least one each).
  const uint32_t per_prefix =
      std::max<uint32_t>(1, kMaxQueryVisitPerPage / static_cast<uint32_t>(prefixes.size()));
  for (const auto& prefix : prefixes) {
    uint32_t taken = 0;
    uint64_t max_taken = 0;
    bool truncated = false;
    view.Scan(prefix, cur.kind == 's' ? prefix + state_keys::SeqPart(after + 1) : "",
              [&](const std::string& key, const Bytes&) {
                if (taken >= per_prefix) {
                  truncated = true;
                  return false;
                }
                uint64_t s = SeqOfKey(key);
                seqs.insert(s);
                max_taken = std::max(max_taken, s);
                ++taken;
                return true;
              });
    if (truncated) bound = std::min(bound, max_taken);
  }
  uint64_t last = after;
  for (uint64_t s : seqs) {
    if (s > bound) {
      stopped = true;
      break;
    }
    if (!consider(s)) break;
    last = s;
    if (page.records.size() >= page_limit || visited >= kMaxQueryVisitPerPage) {
      stopped = true;
      break;
    }
  }
  TM_RETURN_IF_ERROR(st);
  // An index read only in part: what lies beyond `bound` is for the next page.
  if (bound != std::numeric_limits<uint64_t>::max()) stopped = true;
  if (stopped) next_cursor('s', std::to_string(last));
  return page;
}

Result<std::vector<Value>> QueryEvents(const StateView& view, const EventQuery& q) {
  TM_ASSIGN_OR_RETURN(EventPage page, QueryEventPage(view, q, ""));
  return std::move(page.records);
}

nlohmann::json EventsToQueryDocument(const std::vector<Value>& records) {
  nlohmann::json list = nlohmann::json::array();
  nlohmann::json context =
      nlohmann::json::array({"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"});
  std::set<std::string> have;  // the encoded entries already listed
  for (const auto& rec : records) {
    nlohmann::json ev = EpcisEventToJson(*rec.Find("event"));
    if (!ev.contains("eventID")) ev["eventID"] = S(rec, "eventID");
    if (!ev.contains("recordTime")) ev["recordTime"] = S(rec, "recordTime");
    list.push_back(std::move(ev));
    const Value* c = rec.Find("context");
    if (c == nullptr || !c->is_list()) continue;
    for (const auto& e : c->as_list()) {
      Bytes b = e.Encode();
      std::string enc(b.begin(), b.end());
      if (have.insert(enc).second) context.push_back(e.ToJson());
    }
  }
  return nlohmann::json{
      {"@context", context},
      {"type", "EPCISQueryDocument"},
      {"schemaVersion", "2.0"},
      {"epcisBody",
       {{"queryResults",
         {{"queryName", "SimpleEventQuery"}, {"resultsBody", {{"eventList", list}}}}}}}};
}

}  // namespace tidemark::contracts
