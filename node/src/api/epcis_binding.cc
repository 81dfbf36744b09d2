// The EPCIS 2.0 REST binding's headers, discovery, resource routes and capture job list
// (epcis_binding.h; docs/api.md §EPCIS REST binding).
#include "epcis_binding.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>

#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/contracts/provenance.h"
#include "tidemark/node/http/json_body.h"
#include "tidemark/state_keys/provenance.h"

namespace tidemark::node::api {

using http::HttpRequest;
using http::HttpResponse;
using nlohmann::json;
namespace keys = tidemark::state_keys::prov;

namespace {

constexpr const char* kVersion = "2.0.0";
constexpr const char* kVendorVersion = "tidemark-epcis/1";
constexpr size_t kDefaultPerPage = 100;
constexpr size_t kMaxPerPage = 1000;
constexpr size_t kReadPointScan = 5000;  // events read per /readPoints page

const std::vector<std::string> kEventTypes = {"ObjectEvent", "AggregationEvent", "TransactionEvent",
                                              "TransformationEvent", "AssociationEvent"};

// Top-level resource -> (state index, query parameter of its /events).
struct Resource {
  const char* index;  // "" for readPoints (not indexed: a bounded scan of the event store)
  const char* param;
};
const std::map<std::string, Resource>& Resources() {
  static const std::map<std::string, Resource> r = {
      {"eventTypes", {"type", "eventType"}}, {"epcs", {"any", "MATCH_anyEPC"}},
      {"bizSteps", {"step", "EQ_bizStep"}},  {"bizLocations", {"loc", "EQ_bizLocation"}},
      {"readPoints", {"", "EQ_readPoint"}},  {"dispositions", {"disp", "EQ_disposition"}},
  };
  return r;
}

// "2.0.1" -> {2, 0, 1}; nullopt when not dotted numbers.
std::optional<std::vector<int>> ParseVersion(const std::string& v) {
  std::vector<int> out;
  size_t i = 0;
  while (i <= v.size()) {
    size_t j = v.find('.', i);
    if (j == std::string::npos) j = v.size();
    std::string part = v.substr(i, j - i);
    if (part.empty() || part.size() > 6 ||
        !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    out.push_back(std::stoi(part));
    i = j + 1;
  }
  while (out.size() < 3) out.push_back(0);
  return out;
}

// Whether [min, max] (either may be absent) and the exact version header admit 2.0.x.
std::optional<std::string> VersionProblem(const HttpRequest& req, const std::string& what) {
  std::string lower = what;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::vector<std::string> names = {"-version", "-min", "-max"};
  for (const auto& suffix : names) {
    std::string name = "gs1-" + lower + suffix;
    std::string v = req.Header(name);
    if (v.empty()) continue;
    auto parsed = ParseVersion(v);
    std::string shown = "GS1-" + what +
                        (suffix == "-version" ? "-Version"
                         : suffix == "-min"   ? "-Min"
                                              : "-Max");
    if (!parsed) return shown + ": '" + v.substr(0, 20) + "' is not a version";
    int major = (*parsed)[0], minor = (*parsed)[1];
    bool ok = suffix == "-version" ? (major == 2 && minor == 0)
              : suffix == "-min"   ? (major < 2 || (major == 2 && minor == 0))
                                   : (major > 2 || (major == 2 && minor >= 0));
    if (!ok) {
      return shown + ": " + v.substr(0, 20) + " — this node speaks " + what + " 2.0 (" + kVersion +
             ") only";
    }
  }
  return std::nullopt;
}

const std::vector<std::string> kEpcFormats = {"No_Preference", "Always_GS1_Digital_Link",
                                              "Always_EPC_URN", "Never_Translates"};

std::optional<size_t> PerPage(const HttpRequest& req, std::string* error) {
  const std::string* p = req.Query("perPage");
  if (!p) return kDefaultPerPage;
  size_t n = 0;
  if (p->empty() || p->size() > 7 ||
      !std::all_of(p->begin(), p->end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      (n = std::stoul(*p)) == 0) {
    *error = "perPage: a positive count";
    return std::nullopt;
  }
  return std::min(n, kMaxPerPage);
}

std::string HexEncode(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

std::optional<std::string> HexDecode(const std::string& s) {
  if (s.size() % 2 != 0 || s.size() > 2048) return std::nullopt;
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); i += 2) {
    int a = val(s[i]), b = val(s[i + 1]);
    if (a < 0 || b < 0) return std::nullopt;
    out += static_cast<char>(a * 16 + b);
  }
  return out;
}

HttpResponse Paged(const HttpRequest& req, const json& items, size_t per_page,
                   const std::string& next_token) {
  HttpResponse r = http::JsonResponse(200, items);
  if (!next_token.empty()) {
    std::string link = req.path + "?";
    for (const auto& [k, v] : req.query) {
      if (k != "nextPageToken" && k != "perPage")
        link += http::PercentEncode(k) + "=" + http::PercentEncode(v) + "&";
    }
    link += "perPage=" + std::to_string(per_page) + "&nextPageToken=" + next_token;
    r.SetHeader("Link", "<" + link + ">; rel=\"next\"");
  }
  return r;
}

uint64_t WallMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// The index value of a resource path segment (the forms the contract indexes).
std::string IndexValue(const std::string& resource, const std::string& value) {
  if (resource == "bizSteps") return contracts::NormaliseBizStep(value);
  if (resource == "dispositions") return contracts::NormaliseDisposition(value);
  if (resource == "epcs" || resource == "bizLocations") {
    auto c = contracts::CanonicalId(value);
    return c.ok() ? *c : value;
  }
  return value;
}

}  // namespace

HttpResponse EpcisProblem(int status, const std::string& exception, const std::string& title,
                          const std::string& detail, const std::string& instance) {
  json j{{"type", "epcisException:" + exception},
         {"title", title},
         {"status", status},
         {"detail", detail},
         {"instance", instance}};
  HttpResponse r = http::JsonResponse(status, j);
  r.SetHeader("Content-Type", "application/problem+json");
  return r;
}

HttpResponse EpcisApi::Binding::Answer(const HttpRequest& req,
                                       const std::function<HttpResponse()>& fn) {
  std::optional<std::string> problem = VersionProblem(req, "EPCIS");
  if (!problem) problem = VersionProblem(req, "CBV");
  std::string format = req.Header("gs1-epc-format");
  if (!problem && !format.empty() &&
      std::find(kEpcFormats.begin(), kEpcFormats.end(), format) == kEpcFormats.end()) {
    problem =
        "GS1-EPC-Format: one of No_Preference, Always_GS1_Digital_Link, Always_EPC_URN, "
        "Never_Translates";
  }
  HttpResponse r =
      problem ? EpcisProblem(406, "NotAcceptable", "Not Acceptable", *problem, req.path) : fn();
  if (!problem && r.status == 200 && !r.event_stream && !r.deferred && !r.body_stream &&
      (format == "Always_GS1_Digital_Link" || format == "Always_EPC_URN")) {
    json j = json::parse(r.body, nullptr, false);
    if (j.is_object() && j.value("type", "") == "EPCISQueryDocument") {
      ConvertDocument(&j, format);
      r.body = j.dump();
    }
  }
  r.SetHeader("GS1-EPCIS-Version", kVersion);
  r.SetHeader("GS1-CBV-Version", kVersion);
  r.SetHeader("GS1-Vendor-Version", kVendorVersion);
  r.SetHeader("GS1-EPC-Format", format.empty() ? "No_Preference" : format);
  // Tidemark keeps every extension field as captured: the client's extensions are served.
  if (std::string ext = req.Header("gs1-extensions"); !ext.empty()) {
    r.SetHeader("GS1-Extensions", ext.substr(0, 1024));
  }
  return r;
}

HttpResponse EpcisApi::Binding::Options(const HttpRequest& req, const std::string& allow,
                                        bool capture) {
  return Answer(req, [&] {
    HttpResponse r;
    r.status = 204;
    r.SetHeader("Allow", allow);
    r.SetHeader("GS1-EPCIS-Min", kVersion);
    r.SetHeader("GS1-EPCIS-Max", kVersion);
    r.SetHeader("GS1-CBV-Min", kVersion);
    r.SetHeader("GS1-CBV-Max", kVersion);
    if (capture) {
      r.SetHeader("GS1-EPCIS-Capture-Limit", std::to_string(contracts::kMaxEventsPerCapture));
      if (api->options_.capture_file_size_limit > 0) {
        r.SetHeader("GS1-EPCIS-Capture-File-Size-Limit",
                    std::to_string(api->options_.capture_file_size_limit));
      }
      r.SetHeader("GS1-Capture-Error-Behaviour", "rollback");
    }
    return r;
  });
}

std::string EpcisApi::Binding::ConvertId(const std::string& id, const std::string& format,
                                         std::map<std::string, int>* cache) {
  auto parsed = contracts::ParseIdentifier(id);
  if (!parsed.ok() || parsed->kind == contracts::IdKind::kOther) return id;
  if (format == "Always_GS1_Digital_Link") return contracts::ToDigitalLink(*parsed);
  if (format != "Always_EPC_URN" || id.rfind("urn:", 0) == 0) return id;
  // A URN needs the company prefix length: the product's master data has it (GTIN keys only).
  if (parsed->gtin.empty()) return id;
  int cpl = 0;
  if (cache) {
    if (auto it = cache->find(parsed->gtin); it != cache->end()) cpl = it->second;
  }
  if (cpl == 0 && (!cache || !cache->count(parsed->gtin))) {
    (void)api->ledger_->ReadState([&](const contracts::StateView& view, uint64_t) -> Status {
      auto bytes = view.Get(keys::Product(parsed->gtin));
      if (!bytes) return Status::Ok();
      auto v = Value::Decode(*bytes);
      if (!v.ok()) return Status::Ok();
      const Value* c = v->Find("company_prefix_length");
      if (c && c->is_int()) cpl = static_cast<int>(c->as_int());
      return Status::Ok();
    });
    if (cache) (*cache)[parsed->gtin] = cpl;
  }
  if (cpl == 0) return id;  // unknown: left as captured (documented)
  auto urn = contracts::ToEpcUrn(*parsed, cpl);
  return urn.ok() ? *urn : id;
}

void EpcisApi::Binding::ConvertDocument(json* doc, const std::string& format) {
  json::json_pointer at("/epcisBody/queryResults/resultsBody/eventList");
  if (!doc->contains(at) || !(*doc)[at].is_array()) return;
  std::map<std::string, int> cpl;  // GTIN -> company prefix length, read once per answer
  for (json& ev : (*doc)[at]) {
    if (!ev.is_object()) continue;
    for (const char* list : {"epcList", "childEPCs", "inputEPCList", "outputEPCList"}) {
      if (ev.contains(list) && ev[list].is_array()) {
        for (json& e : ev[list]) {
          if (e.is_string()) e = ConvertId(e.get<std::string>(), format, &cpl);
        }
      }
    }
    if (ev.contains("parentID") && ev["parentID"].is_string()) {
      ev["parentID"] = ConvertId(ev["parentID"].get<std::string>(), format, &cpl);
    }
    for (const char* list :
         {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}) {
      if (ev.contains(list) && ev[list].is_array()) {
        for (json& q : ev[list]) {
          if (q.is_object() && q.contains("epcClass") && q["epcClass"].is_string()) {
            q["epcClass"] = ConvertId(q["epcClass"].get<std::string>(), format, &cpl);
          }
        }
      }
    }
  }
}

void EpcisApi::RememberJob(const Hash256& id, const Token& token, uint64_t now_ms) {
  std::lock_guard<std::mutex> lock(binding_->jobs_mu);
  auto& jobs = binding_->jobs;
  jobs.push_back({.id = id, .token = token.token_sha256, .created_ms = now_ms});
  while (jobs.size() > options_.max_remembered_jobs) jobs.pop_front();
}

HttpResponse EpcisApi::Binding::ListJobs(const HttpRequest& req) {
  auto token = api->Authenticate(req, static_cast<int64_t>(WallMs()));
  if (!token.ok()) {
    HttpResponse r = EpcisProblem(401, "SecurityException", "Unauthorised request",
                                  token.status().message(), req.path);
    r.SetHeader("WWW-Authenticate", "Bearer realm=\"epcis-capture\"");
    return r;
  }
  std::string err;
  auto per_page = PerPage(req, &err);
  if (!per_page)
    return EpcisProblem(400, "QueryParameterException", "Bad parameter", err, req.path);
  // Newest first; the token is how many of this token's jobs came before (a position).
  size_t skip = 0;
  if (const std::string* t = req.Query("nextPageToken")) {
    auto pos = HexDecode(*t);
    if (!pos || pos->empty() || pos->size() > 7 ||
        !std::all_of(pos->begin(), pos->end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return EpcisProblem(400, "QueryParameterException", "Bad parameter",
                          "nextPageToken: not a token of this list", req.path);
    }
    skip = std::stoul(*pos);
  }
  std::vector<Hash256> ids;
  bool more = false;
  {
    std::lock_guard<std::mutex> lock(jobs_mu);
    size_t seen = 0;
    for (auto it = jobs.rbegin(); it != jobs.rend(); ++it) {
      if (it->token != (*token)->token_sha256) continue;
      if (seen++ < skip) continue;
      if (ids.size() == *per_page) {
        more = true;
        break;
      }
      ids.push_back(it->id);
    }
  }
  json out = json::array();
  for (const Hash256& id : ids) {
    HttpResponse one = api->GetJob(req, id.Hex());
    json j = json::parse(one.body, nullptr, false);
    if (one.status == 200 && j.is_object()) out.push_back(j);
  }
  HttpResponse r =
      Paged(req, out, *per_page, more ? HexEncode(std::to_string(skip + ids.size())) : "");
  r.SetHeader("GS1-EPCIS-Capture-Limit", std::to_string(contracts::kMaxEventsPerCapture));
  if (api->options_.capture_file_size_limit > 0) {
    r.SetHeader("GS1-EPCIS-Capture-File-Size-Limit",
                std::to_string(api->options_.capture_file_size_limit));
  }
  r.SetHeader("GS1-Capture-Error-Behaviour", "rollback");
  return r;
}

HttpResponse EpcisApi::Binding::Root(const HttpRequest&) {
  return http::JsonResponse(
      200, json::array({"capture", "events", "eventTypes", "epcs", "bizSteps", "bizLocations",
                        "readPoints", "dispositions", "queries"}));
}

HttpResponse EpcisApi::Binding::ResourceList(const HttpRequest& req, const std::string& resource) {
  const Resource& res = Resources().at(resource);
  std::string err;
  auto per_page = PerPage(req, &err);
  if (!per_page)
    return EpcisProblem(400, "QueryParameterException", "Bad parameter", err, req.path);
  std::string after;
  if (const std::string* t = req.Query("nextPageToken")) {
    auto v = HexDecode(*t);
    if (!v || v->empty()) {
      return EpcisProblem(400, "QueryParameterException", "Bad parameter",
                          "nextPageToken: not a token of this list", req.path);
    }
    after = *v;
  }
  std::string format = req.Header("gs1-epc-format");
  std::vector<std::string> values;
  std::string next;
  Status s = api->ledger_->ReadState([&](const contracts::StateView& view, uint64_t) -> Status {
    if (std::string(res.index).empty()) {
      // readPoints: a bounded scan of the event store from the token's event (a sequence).
      std::string start;
      if (!after.empty()) start = std::string(keys::kEventPrefix) + after;
      std::set<std::string> page;
      size_t scanned = 0;
      std::string last_key;
      view.Scan(std::string(keys::kEventPrefix), start,
                [&](const std::string& key, const Bytes& bytes) {
                  if (key == start) return true;
                  if (++scanned > kReadPointScan || page.size() >= *per_page) {
                    next = last_key.substr(keys::kEventPrefix.size());
                    return false;
                  }
                  last_key = key;
                  auto v = Value::Decode(bytes);
                  if (!v.ok()) return true;
                  const Value* ev = v->Find("event");
                  const Value* rp = ev ? ev->Find("readPoint") : nullptr;
                  const Value* id = rp && rp->is_map() ? rp->Find("id") : nullptr;
                  if (id && id->is_string() && page.insert(id->as_string()).second) {
                    values.push_back(id->as_string());
                  }
                  return true;
                });
      return Status::Ok();
    }
    std::string base = std::string(keys::kIndexPrefix) + res.index + "/";
    std::string start = after.empty() ? "" : base + after + " ~";
    while (true) {
      std::string found;
      view.Scan(base, start, [&](const std::string& key, const Bytes&) {
        size_t sp = key.rfind(' ');
        if (sp == std::string::npos || sp < base.size()) return true;
        found = key.substr(base.size(), sp - base.size());
        return false;
      });
      if (found.empty()) break;
      if (values.size() == *per_page) {
        next = values.back();
        break;
      }
      values.push_back(found);
      start = base + found + " ~";
    }
    return Status::Ok();
  });
  if (!s.ok()) return http::ProblemFromStatus(s, req.path);
  json out = json::array();
  for (const auto& v : values) {
    out.push_back(resource == "epcs" || resource == "bizLocations" || resource == "readPoints"
                      ? ConvertId(v, format)
                      : v);
  }
  return Paged(req, out, *per_page, next.empty() ? "" : HexEncode(next));
}

HttpResponse EpcisApi::Binding::ResourceItem(const HttpRequest& req, const std::string& resource,
                                             const std::string& value) {
  const Resource& res = Resources().at(resource);
  bool known = true;
  if (resource == "eventTypes") {
    known = std::find(kEventTypes.begin(), kEventTypes.end(), value) != kEventTypes.end();
  } else if (!std::string(res.index).empty()) {
    std::string prefix = keys::IndexPrefix(res.index, IndexValue(resource, value));
    known = false;
    Status s = api->ledger_->ReadState([&](const contracts::StateView& view, uint64_t) -> Status {
      view.Scan(prefix, [&](const std::string&, const Bytes&) {
        known = true;
        return false;
      });
      return Status::Ok();
    });
    if (!s.ok()) return http::ProblemFromStatus(s, req.path);
  }
  if (!known) {
    return EpcisProblem(404, "NoSuchNameException", "Resource not found",
                        resource + ": no events name '" + value.substr(0, 200) + "'", req.path);
  }
  return http::JsonResponse(200, json::array({"events"}));
}

HttpResponse EpcisApi::Binding::ResourceEvents(const HttpRequest& req, const std::string& resource,
                                               const std::string& value) {
  const Resource& res = Resources().at(resource);
  if (resource == "eventTypes" &&
      std::find(kEventTypes.begin(), kEventTypes.end(), value) == kEventTypes.end()) {
    return EpcisProblem(404, "NoSuchNameException", "Resource not found",
                        "eventTypes: no event type '" + value.substr(0, 80) + "'", req.path);
  }
  std::map<std::string, std::string> params = req.query;
  if (params.count(res.param)) {
    return EpcisProblem(resource == "eventTypes" ? 412 : 400, "QueryParameterException",
                        "Query parameter conflict",
                        std::string(res.param) + ": given by the path (/" + resource +
                            "/...); leave it out of the query string",
                        req.path);
  }
  params[res.param] = value;
  return api->QueryResponse(req, params);
}

HttpResponse EpcisApi::Binding::OneEvent(const HttpRequest& req, const std::string& event_id) {
  std::map<std::string, std::string> params = {{"EQ_eventID", event_id}};
  HttpResponse r = api->QueryResponse(req, params);
  if (r.status != 200) return r;
  json j = json::parse(r.body, nullptr, false);
  json::json_pointer at("/epcisBody/queryResults/resultsBody/eventList");
  if (!j.is_object() || !j.contains(at) || j[at].empty()) {
    return EpcisProblem(404, "NoSuchNameException", "Resource not found",
                        "no event with eventID " + event_id.substr(0, 200), req.path);
  }
  return r;
}

HttpResponse EpcisApi::Binding::CaptureOne(const HttpRequest& req) {
  json ev = json::parse(req.body, nullptr, false);
  if (!ev.is_object()) {
    return EpcisProblem(400, "ValidationException", "Bad request",
                        "body: one EPCIS event (a JSON object)", req.path);
  }
  json doc{{"type", "EPCISDocument"},
           {"schemaVersion", "2.0"},
           {"creationDate", contracts::FormatEpcisTime(static_cast<int64_t>(WallMs()))},
           {"epcisBody", {{"eventList", json::array()}}}};
  if (ev.contains("@context")) {
    doc["@context"] = ev["@context"];
    ev.erase("@context");
  }
  doc["epcisBody"]["eventList"].push_back(ev);
  HttpRequest wrapped = req;
  wrapped.body = doc.dump();
  return api->Capture(wrapped);
}

void EpcisApi::RegisterBinding(http::Router* r) {
  Binding* b = binding_.get();
  auto opt = [r, b](const std::string& pattern, const std::string& allow, bool capture = false) {
    r->Add("OPTIONS", pattern,
           [b, allow, capture](const HttpRequest& req, const http::PathParams&) {
             return b->Options(req, allow, capture);
           });
  };
  auto get = [r, b](const std::string& method, const std::string& pattern,
                    std::function<HttpResponse(const HttpRequest&, const http::PathParams&)> fn,
                    std::vector<std::string> consumes = {}) {
    r->Add(
        method, pattern,
        [b, fn](const HttpRequest& req, const http::PathParams& p) {
          return b->Answer(req, [&] { return fn(req, p); });
        },
        std::move(consumes));
  };
  const std::vector<std::string> kJson = {"application/json", "application/ld+json"};

  for (const char* root : {"/epcis", "/epcis/"}) {  // the binding's "/" under the base
    get("GET", root, [b](const HttpRequest& q, const http::PathParams&) { return b->Root(q); });
    opt(root, "OPTIONS, GET");
  }
  get("GET", "/epcis/capture",
      [b](const HttpRequest& q, const http::PathParams&) { return b->ListJobs(q); });
  opt("/epcis/capture", "OPTIONS, POST, GET", true);
  opt("/epcis/capture/{captureID}", "OPTIONS, GET", true);
  get(
      "POST", "/epcis/events",
      [b](const HttpRequest& q, const http::PathParams&) { return b->CaptureOne(q); }, kJson);
  opt("/epcis/events", "OPTIONS, GET, POST");
  get("GET", "/epcis/events/{eventID}", [b](const HttpRequest& q, const http::PathParams& p) {
    return b->OneEvent(q, p.at("eventID"));
  });
  opt("/epcis/events/{eventID}", "OPTIONS, GET");
  const std::map<std::string, std::string> singular = {
      {"eventTypes", "eventType"}, {"epcs", "epc"},
      {"bizSteps", "bizStep"},     {"bizLocations", "bizLocation"},
      {"readPoints", "readPoint"}, {"dispositions", "disposition"}};
  for (const auto& [res, one] : singular) {
    std::string base = "/epcis/" + res;
    std::string item = base + "/{" + one + "}";
    std::string name = res, var = one;
    get("GET", base, [b, name](const HttpRequest& q, const http::PathParams&) {
      return b->ResourceList(q, name);
    });
    opt(base, "OPTIONS, GET");
    get("GET", item, [b, name, var](const HttpRequest& q, const http::PathParams& p) {
      return b->ResourceItem(q, name, p.at(var));
    });
    opt(item, "OPTIONS, GET");
    get("GET", item + "/events", [b, name, var](const HttpRequest& q, const http::PathParams& p) {
      return b->ResourceEvents(q, name, p.at(var));
    });
    opt(item + "/events", "OPTIONS, GET");
  }
  get("GET", "/epcis/queries",
      [b](const HttpRequest& q, const http::PathParams&) { return b->ListQueries(q); });
  get(
      "POST", "/epcis/queries",
      [b](const HttpRequest& q, const http::PathParams&) { return b->CreateQuery(q); }, kJson);
  opt("/epcis/queries", "OPTIONS, GET, POST");
  get("GET", "/epcis/queries/{queryName}", [b](const HttpRequest& q, const http::PathParams& p) {
    return b->GetQuery(q, p.at("queryName"));
  });
  get("DELETE", "/epcis/queries/{queryName}", [b](const HttpRequest& q, const http::PathParams& p) {
    return b->DeleteQuery(q, p.at("queryName"));
  });
  opt("/epcis/queries/{queryName}", "OPTIONS, GET, DELETE");
  get("GET", "/epcis/queries/{queryName}/events",
      [b](const HttpRequest& q, const http::PathParams& p) {
        return b->QueryEvents(q, p.at("queryName"));
      });
  opt("/epcis/queries/{queryName}/events", "OPTIONS, GET");
  get("GET", "/epcis/queries/{queryName}/subscriptions",
      [b](const HttpRequest& q, const http::PathParams& p) {
        return b->ListSubs(q, p.at("queryName"));
      });
  get(
      "POST", "/epcis/queries/{queryName}/subscriptions",
      [b](const HttpRequest& q, const http::PathParams& p) {
        return b->CreateSub(q, p.at("queryName"));
      },
      kJson);
  opt("/epcis/queries/{queryName}/subscriptions", "OPTIONS, GET, POST");
  get("GET", "/epcis/queries/{queryName}/subscriptions/{subscriptionID}",
      [b](const HttpRequest& q, const http::PathParams& p) {
        return b->GetSub(q, p.at("queryName"), p.at("subscriptionID"));
      });
  get("DELETE", "/epcis/queries/{queryName}/subscriptions/{subscriptionID}",
      [b](const HttpRequest& q, const http::PathParams& p) {
        return b->DeleteSub(q, p.at("queryName"), p.at("subscriptionID"));
      });
  opt("/epcis/queries/{queryName}/subscriptions/{subscriptionID}", "OPTIONS, GET, DELETE");
  // Page tokens are positions, not server resources: nothing to release.
  get("DELETE", "/epcis/nextPageToken/{token}", [](const HttpRequest&, const http::PathParams&) {
    HttpResponse r;
    r.status = 204;
    return r;
  });
}

}  // namespace tidemark::node::api
