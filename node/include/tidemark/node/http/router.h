// router.h — maps (method, path) to a handler, with `{name}` path parameters.
//
//   Router r;
//   r.Add("GET", "/v1/blocks/{id}", [](const HttpRequest& req, const PathParams& p) {
//     return JsonResponse(200, {{"id", p.at("id")}});
//   });
//   r.Add("POST", "/v1/txs", handler, {"application/json", "application/octet-stream"});
//   HttpResponse resp = r.Handle(req);
//
// Unknown paths get a 404 problem (or the fallback, for GET/HEAD outside /v1/, if one is set —
// the static explorer files), a known path with another method a 405 problem with `Allow`, a
// POST/PUT whose Content-Type is not one the route consumes a 415 problem. Path parameters are
// percent-decoded; a malformed escape is a 400 problem. A handler that throws gets a 500 problem
// (and is a bug).
//
// Thread safety: Add(), MarkEssential() and SetFallback() before serving; Handle() is then safe
// from any thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tidemark/node/http/message.h"

namespace tidemark::node::http {

using PathParams = std::map<std::string, std::string>;
using Handler = std::function<HttpResponse(const HttpRequest&, const PathParams&)>;

struct RouteInfo {
  std::string method;
  std::string pattern;  // "/v1/blocks/{id}"
};

class Router {
 public:
  // `consumes`: media types accepted for a request body (checked for POST, PUT and PATCH).
  void Add(std::string method, std::string pattern, Handler handler,
           std::vector<std::string> consumes = {});
  void SetFallback(Handler handler) { fallback_ = std::move(handler); }
  // Marks an added route essential: cheap, and needed while the server is under load (health,
  // status, the consumer's Digital Link scan). The server runs essential routes on their own
  // threads and serves them from its reserve connections when the ordinary pool is full.
  void MarkEssential(const std::string& method, const std::string& pattern);
  bool IsEssential(const HttpRequest& req) const;

  HttpResponse Handle(const HttpRequest& req) const;
  // The pattern that would serve `req` ("" when none); used as a bounded metrics label.
  std::string MatchPattern(const HttpRequest& req) const;
  std::vector<RouteInfo> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    std::vector<std::string> consumes;
    bool essential = false;
  };
  // Returns 1 on match, 0 on no match, -1 on a bad percent escape.
  static int Match(const Route& route, const std::vector<std::string>& segs, PathParams* params);

  std::vector<Route> routes_;
  Handler fallback_;
};

// Splits "/a/b/" into {"a", "b", ""}; "/" into {}.
std::vector<std::string> SplitPath(std::string_view path);

}  // namespace tidemark::node::http
