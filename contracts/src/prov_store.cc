// Event storage, indexes and EPCIS queries.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

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

bool Matches(const Value& rec, const EventQuery& q) {
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
    const Value* loc = ev.Find("bizLocation");
    std::string id = loc != nullptr ? S(*loc, "id") : "";
    auto c = CanonicalId(id);
    if (id.empty() || !Contains(q.eq_biz_location, c.ok() ? *c : id)) return false;
  }
  return true;
}

// The index to drive the scan: (prefixes to scan, whether results come in time order).
std::vector<std::string> DriverPrefixes(const EventQuery& q, bool* time_order) {
  *time_order = false;
  auto from = [](const std::string& index, const std::vector<std::string>& values) {
    std::vector<std::string> p;
    for (const auto& v : values) p.push_back(keys::IndexPrefix(index, v));
    return p;
  };
  if (!q.eq_event_id.empty()) return {};  // looked up directly
  if (!q.match_epc.empty()) return from("epc", q.match_epc);
  if (!q.match_parent_id.empty()) return from("parent", q.match_parent_id);
  if (!q.match_any_epc.empty()) return from("any", q.match_any_epc);
  if (!q.match_epc_class.empty()) return from("class", q.match_epc_class);
  if (!q.eq_biz_location.empty()) return from("loc", q.eq_biz_location);
  if (!q.eq_biz_step.empty()) return from("step", q.eq_biz_step);
  if (!q.eq_disposition.empty()) return from("disp", q.eq_disposition);
  if (!q.event_type.empty()) return from("type", q.event_type);
  if (q.ge_event_time_ms || q.lt_event_time_ms) *time_order = true;
  return {std::string(keys::kTimeIndexPrefix)};
}

}  // namespace

Result<EventQuery> EventQuery::FromParams(const std::map<std::string, std::string>& params) {
  EventQuery q;
  for (const auto& [name, value] : params) {
    std::vector<std::string> values = SplitParam(value);
    if (values.empty()) return Status::Invalid(name + ": empty value");
    if (name == "eventType") {
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
    } else if (name == "MATCH_epcClass" || name == "MATCH_anyEPCClass") {
      TM_ASSIGN_OR_RETURN(q.match_epc_class, CanonicalList(values, name));
    } else if (name == "EQ_bizLocation") {
      TM_ASSIGN_OR_RETURN(q.eq_biz_location, CanonicalList(values, name));
    } else if (name == "EQ_eventID") {
      q.eq_event_id = values;
    } else if (name == "eventCountLimit") {
      int64_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9' || n > 1000000) return Status::Invalid(name + ": not a count");
        n = n * 10 + (c - '0');
      }
      if (n <= 0) return Status::Invalid(name + ": must be positive");
      q.event_count_limit = static_cast<uint32_t>(std::min<int64_t>(n, 1000));
    } else {
      return Status::Invalid(name + ": unsupported query parameter");
    }
  }
  return q;
}

Result<std::vector<Value>> QueryEvents(const StateView& view, const EventQuery& q) {
  std::vector<Value> out;
  const uint32_t limit = std::min<uint32_t>(q.event_count_limit, 1000);
  std::set<int64_t> seen;
  Status st;
  auto consider = [&](uint64_t seq) {
    if (!seen.insert(static_cast<int64_t>(seq)).second) return true;
    auto rec = Load(view, keys::Event(seq));
    if (!rec.ok()) {
      st = rec.status();
      return false;
    }
    if (!rec->has_value()) return true;
    if (Matches(**rec, q)) out.push_back(std::move(**rec));
    return out.size() < limit;
  };
  auto seq_of = [](const std::string& key) {
    return static_cast<uint64_t>(std::stoull(key.substr(key.size() - 16)));
  };
  if (!q.eq_event_id.empty()) {
    for (const auto& id : q.eq_event_id) {
      auto seq = Load(view, keys::EventId(id));
      if (!seq.ok()) return seq.status();
      if (seq->has_value() && !consider(static_cast<uint64_t>((*seq)->as_int()))) break;
    }
  } else {
    bool time_order = false;
    std::vector<std::string> prefixes = DriverPrefixes(q, &time_order);
    std::string start;
    if (time_order && q.ge_event_time_ms) start = keys::TimeIndexFrom(*q.ge_event_time_ms);
    // With several driver values, gather seqs from each and visit them in order.
    std::set<uint64_t> seqs;
    bool single = prefixes.size() == 1;
    for (const auto& prefix : prefixes) {
      view.Scan(prefix, start, [&](const std::string& key, const Bytes&) {
        if (single) return consider(seq_of(key));
        seqs.insert(seq_of(key));
        return true;
      });
      TM_RETURN_IF_ERROR(st);
    }
    for (uint64_t s : seqs) {
      if (!consider(s)) break;
    }
  }
  TM_RETURN_IF_ERROR(st);
  return out;
}

nlohmann::json EventsToQueryDocument(const std::vector<Value>& records) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& rec : records) {
    nlohmann::json ev = EpcisEventToJson(*rec.Find("event"));
    if (!ev.contains("eventID")) ev["eventID"] = S(rec, "eventID");
    if (!ev.contains("recordTime")) ev["recordTime"] = S(rec, "recordTime");
    list.push_back(std::move(ev));
  }
  return nlohmann::json{
      {"@context", {"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"}},
      {"type", "EPCISQueryDocument"},
      {"schemaVersion", "2.0"},
      {"epcisBody",
       {{"queryResults",
         {{"queryName", "SimpleEventQuery"}, {"resultsBody", {{"eventList", list}}}}}}}};
}

}  // namespace tidemark::contracts
