// message.h — HTTP request / response values the router and handlers see (no Boost.Beast here).
//
// The server (server.h) converts Beast messages to and from these, so handlers, the router, tests
// and the fuzz target never include Beast. Errors are RFC 9457 problem documents:
//
//   HttpResponse ok = JsonResponse(200, nlohmann::json{{"height", 7}});
//   HttpResponse bad = Problem(400, "bad-request", "Bad request", "limit: not a number", req.path);
//   HttpResponse from_status = ProblemFromStatus(status, req.path);   // Code -> HTTP status
//
// Thread safety: value types.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/status.h"

namespace tidemark::node::http {

class Subscription;      // event_bus.h
class DeferredResponse;  // deferred.h

// A body produced piece by piece (GET /v1/reg/export). The server sends the status and headers,
// then calls Next() on a handler thread for one piece, writes it (an HTTP/1.1 chunk,
// Transfer-Encoding: chunked; raw bytes to an HTTP/1.0 client) and only then asks for the next:
// memory holds one piece and a slow reader slows the producer. An empty piece ends the body (the
// last chunk, then the connection closes). An error cuts the connection without the last chunk,
// so a client sees a truncated body, never a complete-looking one.
//
// Thread safety: Next() is called from one thread at a time, never concurrently.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  virtual Result<std::string> Next() = 0;
};

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // as received: "/v1/blocks?limit=5"
  std::string path;                            // target without the query, not decoded
  std::map<std::string, std::string> query;    // decoded query parameters (last one wins)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool keep_alive = true;

  // Lower-case header lookup; "" when absent.
  std::string Header(std::string_view lower_name) const;
  // The media type of Content-Type without parameters, lower-cased ("application/json").
  std::string MediaType() const;
  const std::string* Query(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set by the events route: the server switches the connection to a server-sent event stream
  // fed by this subscription (status and headers above are ignored).
  std::shared_ptr<Subscription> event_stream;
  // Set by a handler that answers later (deferred.h): the server parks the connection until the
  // deferred is signalled or times out, then sends what it produces (the fields above are unused).
  std::shared_ptr<DeferredResponse> deferred;
  // Set by a handler whose body is streamed (BodyStream above): `body` is unused, `headers` are
  // sent (without Content-Length), and the connection closes after the body.
  std::shared_ptr<BodyStream> body_stream;

  void SetHeader(std::string name, std::string value);
  std::string Header(std::string_view name) const;  // case-insensitive; "" when absent
};

// Parses "a=1&b=x%20y" into a map; false on a malformed percent escape.
bool ParseQuery(std::string_view query, std::map<std::string, std::string>* out);
// Percent-decodes one path segment or query part ('+' is a space only when plus_is_space).
bool PercentDecode(std::string_view in, std::string* out, bool plus_is_space = false);
// Percent-encodes for a path segment or a query value: RFC 3986 unreserved characters and ':'
// (so URNs stay readable) as they are, every other byte as %XX.
std::string PercentEncode(std::string_view in);

HttpResponse JsonResponse(int status, const nlohmann::json& body);
HttpResponse TextResponse(int status, std::string content_type, std::string body);

// An RFC 9457 problem: {"type": "urn:tidemark:problem:<slug>", "title", "status", "detail",
// "instance"} with Content-Type application/problem+json.
HttpResponse Problem(int status, std::string_view slug, std::string_view title,
                     std::string_view detail, std::string_view instance);
// Maps a Status code to an HTTP status and problem type (InvalidArgument -> 400,
// NotFound -> 404, AlreadyExists / FailedPrecondition -> 409, PermissionDenied -> 403,
// Unauthenticated -> 401, ResourceExhausted / Unavailable -> 503, DeadlineExceeded -> 504,
// everything else -> 500).
HttpResponse ProblemFromStatus(const Status& status, std::string_view instance);
int HttpStatusFor(Code code);

// Standard reason phrase ("Not Found").
std::string_view ReasonPhrase(int status);

}  // namespace tidemark::node::http
