#include "tidemark/node/http/router.h"

#include <algorithm>
#include <exception>

namespace tidemark::node::http {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  if (path.empty() || path == "/") return out;
  if (path.front() == '/') path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    out.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

void Router::Add(std::string method, std::string pattern, Handler handler,
                 std::vector<std::string> consumes) {
  Route r{std::move(method), pattern, SplitPath(pattern), std::move(handler), std::move(consumes)};
  routes_.push_back(std::move(r));
}

int Router::Match(const Route& route, const std::vector<std::string>& segs, PathParams* params) {
  if (route.segments.size() != segs.size()) return 0;
  PathParams found;
  for (size_t i = 0; i < segs.size(); ++i) {
    const std::string& pat = route.segments[i];
    if (pat.size() >= 2 && pat.front() == '{' && pat.back() == '}') {
      std::string decoded;
      if (!PercentDecode(segs[i], &decoded)) return -1;
      if (decoded.empty()) return 0;
      found[pat.substr(1, pat.size() - 2)] = std::move(decoded);
    } else if (pat != segs[i]) {
      return 0;
    }
  }
  if (params) *params = std::move(found);
  return 1;
}

std::string Router::MatchPattern(const HttpRequest& req) const {
  std::vector<std::string> segs = SplitPath(req.path);
  for (const Route& r : routes_) {
    if (Match(r, segs, nullptr) == 1) return r.pattern;
  }
  return "";
}

void Router::MarkEssential(const std::string& method, const std::string& pattern) {
  for (Route& r : routes_) {
    if (r.method == method && r.pattern == pattern) r.essential = true;
  }
}

bool Router::IsEssential(const HttpRequest& req) const {
  std::vector<std::string> segs = SplitPath(req.path);
  for (const Route& r : routes_) {
    if (!r.essential) continue;
    bool method = r.method == req.method || (req.method == "HEAD" && r.method == "GET");
    if (method && Match(r, segs, nullptr) == 1) return true;
  }
  return false;
}

std::vector<RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const Route& r : routes_) out.push_back({r.method, r.pattern});
  return out;
}

namespace {

HttpResponse Invoke(const Handler& h, const HttpRequest& req, const PathParams& params) {
  try {
    return h(req, params);
  } catch (const std::exception& e) {
    return Problem(500, "internal", "Internal Server Error",
                   std::string("handler failed: ") + e.what(), req.path);
  } catch (...) {
    return Problem(500, "internal", "Internal Server Error", "handler failed", req.path);
  }
}

bool HasBody(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

}  // namespace

HttpResponse Router::Handle(const HttpRequest& req) const {
  std::vector<std::string> segs = SplitPath(req.path);
  std::vector<std::string> allowed;
  for (const Route& r : routes_) {
    PathParams params;
    int m = Match(r, segs, &params);
    if (m < 0) return Problem(400, "bad-path", "Bad Request", "malformed percent escape", req.path);
    if (m == 0) continue;
    bool same = r.method == req.method || (req.method == "HEAD" && r.method == "GET");
    if (!same) {
      if (std::find(allowed.begin(), allowed.end(), r.method) == allowed.end()) {
        allowed.push_back(r.method);
      }
      continue;
    }
    if (HasBody(req.method) && !r.consumes.empty()) {
      std::string mt = req.MediaType();
      if (std::find(r.consumes.begin(), r.consumes.end(), mt) == r.consumes.end()) {
        std::string accepted;
        for (const auto& c : r.consumes) accepted += (accepted.empty() ? "" : ", ") + c;
        HttpResponse resp =
            Problem(415, "unsupported-media-type", "Unsupported Media Type",
                    "Content-Type '" + mt + "' is not accepted; use " + accepted, req.path);
        resp.SetHeader("Accept-Post", accepted);
        return resp;
      }
    }
    HttpResponse resp = Invoke(r.handler, req, params);
    if (req.method == "HEAD") resp.event_stream.reset();
    return resp;
  }
  if (!allowed.empty()) {
    std::string allow;
    for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) allow += ", HEAD";
    HttpResponse resp =
        Problem(405, "method-not-allowed", "Method Not Allowed",
                req.method + " is not allowed on " + req.path + "; allowed: " + allow, req.path);
    resp.SetHeader("Allow", allow);
    return resp;
  }
  bool api_path = req.path == "/v1" || req.path.rfind("/v1/", 0) == 0;
  if (fallback_ && !api_path && (req.method == "GET" || req.method == "HEAD")) {
    return Invoke(fallback_, req, {});
  }
  return Problem(404, "not-found", "Not Found", "no route for " + req.method + " " + req.path,
                 req.path);
}

}  // namespace tidemark::node::http
