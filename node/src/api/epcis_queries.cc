// Named queries and query subscriptions of the EPCIS 2.0 REST binding (epcis_binding.h;
// docs/api.md §EPCIS REST binding): node-local, kept in <data_dir>/epcis_queries.json.
#include <netdb.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "epcis_binding.h"
#include "tidemark/contracts/epcis.h"

namespace tidemark::node::api {

using http::HttpRequest;
using http::HttpResponse;
using nlohmann::json;

namespace {

const std::vector<std::string> kScheduleParams = {"second",     "minute", "hour",
                                                  "dayOfMonth", "month",  "dayOfWeek"};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool ValidName(const std::string& n) {
  return !n.empty() && n.size() <= 64 && std::all_of(n.begin(), n.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

HttpResponse Unauthorised(const HttpRequest& req, const std::string& detail) {
  HttpResponse r = EpcisProblem(401, "SecurityException", "Unauthorised request", detail, req.path);
  r.SetHeader("WWW-Authenticate", "Bearer realm=\"epcis-capture\"");
  return r;
}

HttpResponse NotFound(const HttpRequest& req, const std::string& detail) {
  return EpcisProblem(404, "NoSuchNameException", "Resource not found", detail, req.path);
}

HttpResponse Forbidden(const HttpRequest& req, const std::string& detail) {
  return EpcisProblem(403, "SecurityException", "Access to resource forbidden", detail, req.path);
}

HttpResponse SubProblem(const HttpRequest& req, const std::string& detail) {
  return EpcisProblem(400, "SubscriptionControlsException", "Subscription error", detail, req.path);
}

std::string RandomUuid() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

struct Url {
  std::string host, port, target;
};

// "http://host[:port]/path?q" -> parts; https and anything else: an error.
Result<Url> ParseHttpUrl(const std::string& s) {
  const std::string scheme = "http://";
  if (s.rfind("https://", 0) == 0) {
    return Status::Invalid(
        "dest: https:// destinations are not supported by this node yet (no TLS client); "
        "use an http:// endpoint on an allowed host");
  }
  if (s.rfind(scheme, 0) != 0) return Status::Invalid("dest: an http:// URL");
  std::string rest = s.substr(scheme.size());
  size_t slash = rest.find_first_of("/?");
  std::string authority = rest.substr(0, slash);
  Url u;
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (u.target[0] == '?') u.target = "/" + u.target;
  if (authority.empty() || authority.find('@') != std::string::npos) {
    return Status::Invalid("dest: a host (no user info)");
  }
  if (authority[0] == '[') {
    size_t end = authority.find(']');
    if (end == std::string::npos) return Status::Invalid("dest: bad IPv6 host");
    u.host = authority.substr(1, end - 1);
    if (end + 1 < authority.size() && authority[end + 1] == ':') u.port = authority.substr(end + 2);
  } else {
    size_t colon = authority.find(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) u.port = authority.substr(colon + 1);
  }
  if (u.port.empty()) u.port = "80";
  if (u.port.size() > 5 || !std::all_of(u.port.begin(), u.port.end(), ::isdigit)) {
    return Status::Invalid("dest: bad port");
  }
  for (char c : u.target) {
    if (c == '\r' || c == '\n' || c == ' ') return Status::Invalid("dest: bad path");
  }
  return u;
}

// One HTTP/1.1 POST; OK iff the answer is 2xx. Every step bounded by timeout_ms.
Status PostJson(const Url& u, const std::string& body,
                const std::vector<std::pair<std::string, std::string>>& headers, int timeout_ms) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(u.host.c_str(), u.port.c_str(), &hints, &res) != 0 || !res) {
    return Status::Unavailable("dest: cannot resolve " + u.host);
  }
  int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
  if (fd < 0) {
    freeaddrinfo(res);
    return Status::Unavailable("socket");
  }
  timeval tv{.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // also bounds connect() on Linux
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int rc = connect(fd, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  if (rc != 0) {
    close(fd);
    return Status::Unavailable("dest: cannot connect to " + u.host + ":" + u.port);
  }
  std::string msg =
      "POST " + u.target + " HTTP/1.1\r\nHost: " + u.host + ":" + u.port +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) msg += k + ": " + v + "\r\n";
  msg += "\r\n" + body;
  size_t sent = 0;
  while (sent < msg.size()) {
    ssize_t n = send(fd, msg.data() + sent, msg.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      close(fd);
      return Status::Unavailable("dest: send failed");
    }
    sent += static_cast<size_t>(n);
  }
  std::string head;
  char buf[512];
  while (head.find("\r\n") == std::string::npos && head.size() < 4096) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    head.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  // "HTTP/1.1 200 OK"
  if (head.size() < 12 || head.rfind("HTTP/1.", 0) != 0) {
    return Status::Unavailable("dest: no HTTP answer");
  }
  if (head[9] != '2') return Status::Unavailable("dest answered " + head.substr(9, 3));
  return Status::Ok();
}

std::string HmacHex(const std::string& key, const std::string& body) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  crypto_auth_hmacsha256_final(&st, mac);
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : mac) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

json SubJson(const EpcisApi::Binding::Sub& s) {
  return json{{"subscriptionID", s.id},
              {"queryName", s.query},
              {"dest", s.dest},
              {"stream", true},
              {"reportIfEmpty", s.report_if_empty},
              {"createdAt", s.created_at},
              {"initialRecordTime", contracts::FormatEpcisTime(s.last_ms)},
              {"delivered", s.delivered},
              {"failed", s.failed}};
}

// The events of a query document newer than (last_ms, at_last); advances both.
json NewEvents(const json& doc, int64_t* last_ms, std::set<std::string>* at_last) {
  json out = json::array();
  json::json_pointer at("/epcisBody/queryResults/resultsBody/eventList");
  if (!doc.is_object() || !doc.contains(at) || !doc[at].is_array()) return out;
  int64_t newest = *last_ms;
  std::set<std::string> newest_ids = *at_last;
  for (const json& ev : doc[at]) {
    auto t = contracts::ParseEpcisTime(ev.value("recordTime", ""));
    if (!t.ok()) continue;
    std::string id = ev.value("eventID", ev.dump());
    if (*t < *last_ms || (*t == *last_ms && at_last->count(id))) continue;
    out.push_back(ev);
    if (*t > newest) {
      newest = *t;
      newest_ids.clear();
    }
    if (*t == newest) newest_ids.insert(id);
  }
  *last_ms = newest;
  *at_last = std::move(newest_ids);
  return out;
}

}  // namespace

EpcisApi::~EpcisApi() { binding_->Stop(); }

EpcisApi::Binding::~Binding() { Stop(); }

Status EpcisApi::InitBinding() {
  TM_RETURN_IF_ERROR(binding_->Load());
  binding_->Start();
  return Status::Ok();
}

std::string EpcisApi::Binding::Path() const {
  if (api->options_.data_dir.empty()) return "";
  return (std::filesystem::path(api->options_.data_dir) / "epcis_queries.json").string();
}

Status EpcisApi::Binding::Load() {
  std::string path = Path();
  if (path.empty() || !std::filesystem::exists(path)) return Status::Ok();
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  if (!j.is_object()) return Status::Invalid(path + ": not a JSON object");
  std::lock_guard<std::mutex> lock(q_mu);
  for (const json& q : j.value("queries", json::array())) {
    NamedQuery nq{.name = q.value("name", ""),
                  .query = q.value("query", json::object()),
                  .params = {},
                  .owner = q.value("owner", ""),
                  .created_at = q.value("createdAt", "")};
    const json params = q.value("params", json::object());
    for (const auto& [k, v] : params.items()) {
      if (v.is_string()) nq.params[k] = v.get<std::string>();
    }
    if (!ValidName(nq.name)) return Status::Invalid(path + ": bad query name");
    queries[nq.name] = std::move(nq);
  }
  for (const json& s : j.value("subscriptions", json::array())) {
    Sub sub{.id = s.value("subscriptionID", ""),
            .query = s.value("queryName", ""),
            .owner = s.value("owner", ""),
            .dest = s.value("dest", ""),
            .secret = s.value("secret", ""),
            .signature_token = s.value("signatureToken", ""),
            .report_if_empty = s.value("reportIfEmpty", false),
            .created_at = s.value("createdAt", ""),
            .last_ms = s.value("lastRecordTimeMs", int64_t{0})};
    for (const auto& id : s.value("deliveredAtLast", json::array())) {
      if (id.is_string()) sub.at_last.insert(id.get<std::string>());
    }
    if (!queries.count(sub.query)) continue;
    subs[sub.id] = std::move(sub);
  }
  return Status::Ok();
}

Status EpcisApi::Binding::SaveLocked() {
  std::string path = Path();
  if (path.empty()) return Status::Ok();
  json j{{"queries", json::array()}, {"subscriptions", json::array()}};
  for (const auto& [name, q] : queries) {
    j["queries"].push_back({{"name", name},
                            {"query", q.query},
                            {"params", q.params},
                            {"owner", q.owner},
                            {"createdAt", q.created_at}});
  }
  for (const auto& [id, s] : subs) {
    j["subscriptions"].push_back({{"subscriptionID", id},
                                  {"queryName", s.query},
                                  {"owner", s.owner},
                                  {"dest", s.dest},
                                  {"secret", s.secret},
                                  {"signatureToken", s.signature_token},
                                  {"reportIfEmpty", s.report_if_empty},
                                  {"createdAt", s.created_at},
                                  {"lastRecordTimeMs", s.last_ms},
                                  {"deliveredAtLast", s.at_last}});
  }
  std::error_code ec;
  std::filesystem::create_directories(api->options_.data_dir, ec);
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(1);
    if (!out) return Status::Unavailable(tmp + ": cannot write");
  }
  chmod(tmp.c_str(), 0600);  // holds subscription secrets
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::Unavailable(path + ": " + ec.message());
  return Status::Ok();
}

// Every event of a named query recorded at or after `since_ms` (its GE_recordTime, unless the
// query's own is later), following the engine's pages (at most kMaxSubscriptionPages): one
// query document, or a non-200 answer.
HttpResponse EpcisApi::Binding::NewerThan(const HttpRequest& req,
                                          std::map<std::string, std::string> params,
                                          int64_t since_ms) {
  constexpr int kMaxSubscriptionPages = 64;
  if (since_ms > 0) {
    auto own = params.find("GE_recordTime");
    auto own_ms = own == params.end() ? Result<int64_t>(Status::Invalid(""))
                                      : contracts::ParseEpcisTime(own->second);
    if (!own_ms.ok() || *own_ms < since_ms) {
      params["GE_recordTime"] = contracts::FormatEpcisTime(since_ms);
    }
  }
  HttpResponse first = api->QueryResponse(req, params);
  if (first.status != 200) return first;
  json doc = json::parse(first.body, nullptr, false);
  json::json_pointer at("/epcisBody/queryResults/resultsBody/eventList");
  HttpResponse page = first;
  for (int i = 1; i < kMaxSubscriptionPages && doc.is_object() && doc.contains(at); ++i) {
    std::string link = page.Header("link");
    size_t t = link.find("nextPageToken=");
    if (t == std::string::npos) break;
    size_t end = link.find_first_of("&>", t);
    std::string token = link.substr(t + 14, end == std::string::npos ? end : end - t - 14);
    params["nextPageToken"] = token;  // URL-safe as issued
    page = api->QueryResponse(req, params);
    if (page.status != 200) break;
    json more = json::parse(page.body, nullptr, false);
    if (!more.is_object() || !more.contains(at)) break;
    for (auto& ev : more[at]) doc[at].push_back(std::move(ev));
    if (more.contains("@context")) doc["@context"] = more["@context"];
  }
  first.body = doc.dump();
  return first;
}

int64_t EpcisApi::Binding::HeadTimeMs() {
  uint64_t h = api->ledger_->Status().height;
  if (h == 0) return 0;
  auto b = api->ledger_->BlockAt(h);
  return b.ok() ? static_cast<int64_t>(b->block.header.timestamp_ms) : 0;
}

void EpcisApi::Binding::Seed(const std::map<std::string, std::string>& params, int64_t* last_ms,
                             std::set<std::string>* at_last) {
  HttpRequest req;
  req.method = "GET";
  req.path = "/epcis/queries";
  HttpResponse r = NewerThan(req, params, *last_ms);
  if (r.status != 200) return;
  int64_t head = *last_ms;
  (void)NewEvents(json::parse(r.body, nullptr, false), last_ms, at_last);
  if (*last_ms > head) {  // events newer than the head block: not possible; stay at the head
    *last_ms = head;
    at_last->clear();
  }
}

// --- named queries --------------------------------------------------------------------------

HttpResponse EpcisApi::Binding::ListQueries(const HttpRequest& req) {
  json out = json::array();
  std::lock_guard<std::mutex> lock(q_mu);
  for (const auto& [name, q] : queries) {
    out.push_back({{"name", name}, {"query", q.query}, {"createdAt", q.created_at}});
  }
  (void)req;
  return http::JsonResponse(200, out);
}

HttpResponse EpcisApi::Binding::CreateQuery(const HttpRequest& req) {
  auto token = api->Authenticate(req, NowMs());
  if (!token.ok()) return Unauthorised(req, token.status().message());
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("name") || !body["name"].is_string() ||
      !body.contains("query") || !body["query"].is_object()) {
    return EpcisProblem(400, "ValidationException", "Bad request",
                        "body: {\"name\": <query name>, \"query\": {<parameter>: <value or list>}}",
                        req.path);
  }
  std::string name = body["name"];
  if (!ValidName(name)) {
    return EpcisProblem(400, "ValidationException", "Bad request",
                        "name: 1 to 64 letters, digits, '-', '_' or '.'", req.path);
  }
  NamedQuery q{.name = name,
               .query = body["query"],
               .params = {},
               .owner = (*token)->token_sha256.Hex(),
               .created_at = contracts::FormatEpcisTime(NowMs())};
  for (const auto& [k, v] : q.query.items()) {
    std::string joined;
    json list = v.is_array() ? v : json::array({v});
    for (const json& e : list) {
      std::string one = e.is_string()                       ? e.get<std::string>()
                        : (e.is_number() || e.is_boolean()) ? e.dump()
                                                            : "";
      if (one.empty()) {
        return EpcisProblem(400, "QueryParameterException", "Bad parameter",
                            "query." + k + ": a string, number or list of them", req.path);
      }
      joined += (joined.empty() ? "" : "|") + one;
    }
    q.params[k] = joined;
  }
  // The query must run (the engine names an unsupported or bad parameter).
  HttpResponse tried = api->QueryResponse(req, q.params);
  if (tried.status != 200) return tried;
  std::lock_guard<std::mutex> lock(q_mu);
  if (queries.count(name)) {
    return EpcisProblem(409, "ValidationException", "Conflict",
                        "a named query '" + name + "' exists; delete it first", req.path);
  }
  if (queries.size() >= api->options_.max_queries) {
    return EpcisProblem(
        409, "ValidationException", "Conflict",
        "this node keeps at most " + std::to_string(api->options_.max_queries) + " named queries",
        req.path);
  }
  queries[name] = q;
  if (Status s = SaveLocked(); !s.ok()) {
    queries.erase(name);
    return http::ProblemFromStatus(s, req.path);
  }
  HttpResponse r =
      http::JsonResponse(201, {{"name", name}, {"query", q.query}, {"createdAt", q.created_at}});
  r.SetHeader("Location", "/epcis/queries/" + name);
  return r;
}

HttpResponse EpcisApi::Binding::GetQuery(const HttpRequest& req, const std::string& name) {
  std::lock_guard<std::mutex> lock(q_mu);
  auto it = queries.find(name);
  if (it == queries.end()) return NotFound(req, "no named query '" + name.substr(0, 80) + "'");
  return http::JsonResponse(
      200, {{"name", name}, {"query", it->second.query}, {"createdAt", it->second.created_at}});
}

HttpResponse EpcisApi::Binding::DeleteQuery(const HttpRequest& req, const std::string& name) {
  auto token = api->Authenticate(req, NowMs());
  if (!token.ok()) return Unauthorised(req, token.status().message());
  std::lock_guard<std::mutex> lock(q_mu);
  auto it = queries.find(name);
  if (it == queries.end()) return NotFound(req, "no named query '" + name.substr(0, 80) + "'");
  if (it->second.owner != (*token)->token_sha256.Hex()) {
    return Forbidden(req, "named query '" + name + "' was created with another capture token");
  }
  NamedQuery saved = it->second;
  std::map<std::string, Sub> saved_subs;
  queries.erase(it);
  for (auto s = subs.begin(); s != subs.end();) {
    if (s->second.query == name) {
      saved_subs.insert(*s);
      s = subs.erase(s);
    } else {
      ++s;
    }
  }
  if (Status s = SaveLocked(); !s.ok()) {
    queries[name] = saved;
    subs.insert(saved_subs.begin(), saved_subs.end());
    return http::ProblemFromStatus(s, req.path);
  }
  // The stream's clients get a last event saying so; the bus goes with the query (no more events).
  if (auto st = streams.find(name); st != streams.end()) {
    st->second.bus->Publish("queryDeleted", json{{"queryName", name}}.dump());
    streams.erase(st);
  }
  HttpResponse r;
  r.status = 204;
  return r;
}

HttpResponse EpcisApi::Binding::QueryEvents(const HttpRequest& req, const std::string& name) {
  std::map<std::string, std::string> params;
  {
    std::lock_guard<std::mutex> lock(q_mu);
    auto it = queries.find(name);
    if (it == queries.end()) return NotFound(req, "no named query '" + name.substr(0, 80) + "'");
    params = it->second.params;
  }
  for (const auto& p : kScheduleParams) {
    if (req.query.count(p)) {
      return SubProblem(req, p + ": scheduled subscriptions are not supported by this node; use "
                                 "stream=true");
    }
  }
  if (!req.Header("upgrade").empty()) {
    return SubProblem(req,
                      "Upgrade: this node streams with server-sent events, not WebSocket: GET "
                      "with stream=true (Accept: text/event-stream)");
  }
  if (const std::string* s = req.Query("stream")) {
    if (*s != "true") return SubProblem(req, "stream: true or absent");
    std::lock_guard<std::mutex> lock(q_mu);
    size_t total = subs.size();
    Stream& st = streams[name];
    if (!st.bus) {
      st.bus = std::make_unique<http::EventBus>(http::EventBusOptions{
          .ring_capacity = 16, .max_subscribers = api->options_.max_subscriptions});
      st.last_ms = HeadTimeMs();
      Seed(params, &st.last_ms, &st.at_last);
    }
    if (total >= api->options_.max_subscriptions) {
      return EpcisProblem(409, "SubscriptionControlsException", "Conflict",
                          "this node keeps at most " +
                              std::to_string(api->options_.max_subscriptions) + " subscriptions",
                          req.path);
    }
    auto sub = st.bus->Subscribe(std::nullopt, 64);
    if (!sub.ok()) return http::ProblemFromStatus(sub.status(), req.path);
    HttpResponse r;
    r.event_stream = std::move(*sub);
    return r;
  }
  for (const auto& [k, v] : req.query) {
    if (params.count(k)) {
      return EpcisProblem(400, "QueryParameterException", "Query parameter conflict",
                          k + ": set by the named query", req.path);
    }
    params[k] = v;
  }
  return api->QueryResponse(req, params);
}

// --- subscriptions --------------------------------------------------------------------------

HttpResponse EpcisApi::Binding::ListSubs(const HttpRequest& req, const std::string& name) {
  auto token = api->Authenticate(req, NowMs());
  if (!token.ok()) return Unauthorised(req, token.status().message());
  std::lock_guard<std::mutex> lock(q_mu);
  if (!queries.count(name)) return NotFound(req, "no named query '" + name.substr(0, 80) + "'");
  json out = json::array();
  for (const auto& [id, s] : subs) {
    if (s.query == name && s.owner == (*token)->token_sha256.Hex()) out.push_back(SubJson(s));
  }
  return http::JsonResponse(200, out);
}

HttpResponse EpcisApi::Binding::CreateSub(const HttpRequest& req, const std::string& name) {
  auto token = api->Authenticate(req, NowMs());
  if (!token.ok()) return Unauthorised(req, token.status().message());
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("dest") || !body["dest"].is_string()) {
    return SubProblem(req,
                      "body: {\"dest\": <http URL>, \"stream\": true, \"signatureToken\"?, "
                      "\"secret\"?, \"reportIfEmpty\"?, \"initialRecordTime\"?}");
  }
  if (body.contains("schedule")) {
    return SubProblem(req,
                      "schedule: scheduled subscriptions are not supported by this node; "
                      "use \"stream\": true");
  }
  if (!body.contains("stream") || body["stream"] != true) {
    return SubProblem(req, "stream: must be true (no schedule given)");
  }
  std::string dest = body["dest"];
  auto url = ParseHttpUrl(dest);
  if (!url.ok()) return SubProblem(req, url.status().message());
  const auto& hosts = api->options_.webhook_hosts;
  if (std::find(hosts.begin(), hosts.end(), url->host) == hosts.end()) {
    return Forbidden(req, "dest: host '" + url->host.substr(0, 80) +
                              "' is not on this node's webhook allow-list");
  }
  Sub s{.id = RandomUuid(),
        .query = name,
        .owner = (*token)->token_sha256.Hex(),
        .dest = dest,
        .secret = body.value("secret", ""),
        .signature_token = body.value("signatureToken", ""),
        .report_if_empty = body.value("reportIfEmpty", false),
        .created_at = contracts::FormatEpcisTime(NowMs())};
  if (body.contains("initialRecordTime")) {
    auto t = body["initialRecordTime"].is_string()
                 ? contracts::ParseEpcisTime(body["initialRecordTime"].get<std::string>())
                 : Result<int64_t>(Status::Invalid("not a time"));
    if (!t.ok()) return SubProblem(req, "initialRecordTime: " + t.status().message());
    s.last_ms = *t - 1;
  } else {
    // From now on: what is already committed (also at the head block's time) is not sent.
    std::map<std::string, std::string> params;
    {
      std::lock_guard<std::mutex> lock(q_mu);
      auto q = queries.find(name);
      if (q == queries.end()) return NotFound(req, "no named query '" + name.substr(0, 80) + "'");
      params = q->second.params;
    }
    s.last_ms = HeadTimeMs();
    Seed(params, &s.last_ms, &s.at_last);
  }
  std::lock_guard<std::mutex> lock(q_mu);
  if (!queries.count(name)) return NotFound(req, "no named query '" + name.substr(0, 80) + "'");
  if (subs.size() >= api->options_.max_subscriptions) {
    return EpcisProblem(409, "SubscriptionControlsException", "Conflict",
                        "this node keeps at most " +
                            std::to_string(api->options_.max_subscriptions) + " subscriptions",
                        req.path);
  }
  subs[s.id] = s;
  if (Status st = SaveLocked(); !st.ok()) {
    subs.erase(s.id);
    return http::ProblemFromStatus(st, req.path);
  }
  HttpResponse r = http::JsonResponse(201, SubJson(s));
  r.SetHeader("Location", "/epcis/queries/" + name + "/subscriptions/" + s.id);
  return r;
}

HttpResponse EpcisApi::Binding::GetSub(const HttpRequest& req, const std::string& name,
                                       const std::string& id) {
  auto token = api->Authenticate(req, NowMs());
  if (!token.ok()) return Unauthorised(req, token.status().message());
  std::lock_guard<std::mutex> lock(q_mu);
  auto it = subs.find(id);
  if (it == subs.end() || it->second.query != name) {
    return NotFound(req, "no subscription " + id.substr(0, 80) + " of query " + name.substr(0, 80));
  }
  if (it->second.owner != (*token)->token_sha256.Hex()) {
    return Forbidden(req, "subscription " + id + " was created with another capture token");
  }
  return http::JsonResponse(200, SubJson(it->second));
}

HttpResponse EpcisApi::Binding::DeleteSub(const HttpRequest& req, const std::string& name,
                                          const std::string& id) {
  auto token = api->Authenticate(req, NowMs());
  if (!token.ok()) return Unauthorised(req, token.status().message());
  std::lock_guard<std::mutex> lock(q_mu);
  auto it = subs.find(id);
  if (it == subs.end() || it->second.query != name) {
    return NotFound(req, "no subscription " + id.substr(0, 80) + " of query " + name.substr(0, 80));
  }
  if (it->second.owner != (*token)->token_sha256.Hex()) {
    return Forbidden(req, "subscription " + id + " was created with another capture token");
  }
  Sub saved = it->second;
  subs.erase(it);
  if (Status s = SaveLocked(); !s.ok()) {
    subs[id] = saved;
    return http::ProblemFromStatus(s, req.path);
  }
  HttpResponse r;
  r.status = 204;
  return r;
}

// --- the worker -----------------------------------------------------------------------------

void EpcisApi::Binding::Start() {
  std::lock_guard<std::mutex> lock(w_mu);
  if (worker.joinable()) return;
  stopping = false;
  last_height = api->ledger_->Status().height;
  worker = std::thread([this] { Run(); });
}

void EpcisApi::Binding::Stop() {
  {
    std::lock_guard<std::mutex> lock(w_mu);
    stopping = true;
  }
  w_cv.notify_all();
  if (worker.joinable()) worker.join();
}

void EpcisApi::Binding::Run() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(w_mu);
      w_cv.wait_for(lock, std::chrono::milliseconds(api->options_.poll_ms),
                    [this] { return stopping; });
      if (stopping) return;
    }
    Tick();
  }
}

void EpcisApi::Binding::Tick() {
  uint64_t h = api->ledger_->Status().height;
  if (h == last_height) return;
  last_height = h;
  struct Work {
    std::string sub_id;  // "" for a stream
    std::string query;
    std::map<std::string, std::string> params;
    Sub sub;
    int64_t last_ms = 0;
    std::set<std::string> at_last;
  };
  std::vector<Work> work;
  {
    std::lock_guard<std::mutex> lock(q_mu);
    for (const auto& [id, s] : subs) {
      auto q = queries.find(s.query);
      if (q == queries.end()) continue;
      work.push_back({id, s.query, q->second.params, s, s.last_ms, s.at_last});
    }
    for (const auto& [name, st] : streams) {
      auto q = queries.find(name);
      if (q == queries.end() || !st.bus) continue;
      work.push_back({"", name, q->second.params, Sub{}, st.last_ms, st.at_last});
    }
  }
  HttpRequest req;
  req.method = "GET";
  for (Work& w : work) {
    req.path = "/epcis/queries/" + w.query + "/events";
    HttpResponse r = NewerThan(req, w.params, w.last_ms);
    if (r.status != 200) continue;
    json doc = json::parse(r.body, nullptr, false);
    json fresh = NewEvents(doc, &w.last_ms, &w.at_last);
    json::json_pointer at("/epcisBody/queryResults/resultsBody/eventList");
    if (doc.is_object() && doc.contains(at)) doc[at] = fresh;
    if (doc.is_object()) doc["epcisBody"]["queryResults"]["queryName"] = w.query;
    if (w.sub_id.empty()) {
      std::lock_guard<std::mutex> lock(q_mu);
      auto it = streams.find(w.query);
      if (it == streams.end()) continue;
      it->second.last_ms = w.last_ms;
      it->second.at_last = w.at_last;
      if (!fresh.empty()) it->second.bus->Publish("EPCISQueryDocument", doc.dump());
      continue;
    }
    bool ok = true;
    bool sent = false;
    if (!fresh.empty() || w.sub.report_if_empty) {
      doc["epcisBody"]["queryResults"]["subscriptionID"] = w.sub_id;
      std::string body = doc.dump();
      auto url = ParseHttpUrl(w.sub.dest);
      std::string target_dest = w.sub.dest;
      if (url.ok() && !w.sub.secret.empty()) {
        url->target += std::string(url->target.find('?') == std::string::npos ? "?" : "&") +
                       "secret=" + http::PercentEncode(w.sub.secret);
      }
      std::vector<std::pair<std::string, std::string>> headers = {{"GS1-EPCIS-Version", "2.0.0"},
                                                                  {"GS1-CBV-Version", "2.0.0"}};
      if (!w.sub.signature_token.empty()) {
        headers.push_back(
            {"X-Tidemark-Signature", "sha256=" + HmacHex(w.sub.signature_token, body)});
      }
      ok = false;
      for (int attempt = 0; url.ok() && attempt < api->options_.webhook_attempts; ++attempt) {
        if (PostJson(*url, body, headers, api->options_.webhook_timeout_ms).ok()) {
          ok = true;
          break;
        }
        std::unique_lock<std::mutex> lock(w_mu);
        if (w_cv.wait_for(lock, std::chrono::milliseconds(250LL << std::min(attempt, 4)),
                          [this] { return stopping; })) {
          return;
        }
      }
      sent = true;
    }
    std::lock_guard<std::mutex> lock(q_mu);
    auto it = subs.find(w.sub_id);
    if (it == subs.end()) continue;
    // Given up after the attempts: the batch is dropped (counted), the subscription goes on.
    it->second.last_ms = w.last_ms;
    it->second.at_last = w.at_last;
    if (sent) (ok ? it->second.delivered : it->second.failed) += 1;
    (void)SaveLocked();
  }
}

}  // namespace tidemark::node::api
