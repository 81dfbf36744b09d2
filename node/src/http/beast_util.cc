#include "beast_util.h"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <cctype>

namespace tidemark::node::http::internal {

namespace bhttp = boost::beast::http;

std::optional<HttpResponse> FromBeast(BeastRequest&& in, HttpRequest* out) {
  out->method = std::string(in.method_string());
  out->target = std::string(in.target());
  out->keep_alive = in.keep_alive();
  for (const auto& field : in) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto [it, inserted] = out->headers.try_emplace(name, std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());
  }
  out->body = std::move(in.body());
  const std::string& t = out->target;
  size_t q = t.find('?');
  out->path = t.substr(0, q);
  if (out->path.empty() || out->path.front() != '/') {
    return Problem(400, "bad-target", "Bad Request", "request target must be an absolute path",
                   out->path);
  }
  if (q != std::string::npos && !ParseQuery(std::string_view(t).substr(q + 1), &out->query)) {
    return Problem(400, "bad-query", "Bad Request", "malformed percent escape in the query",
                   out->path);
  }
  return std::nullopt;
}

BeastResponse ToBeast(HttpResponse&& in, unsigned version, bool keep_alive, bool head) {
  BeastResponse out{static_cast<bhttp::status>(in.status), version};
  out.reason(ReasonPhrase(in.status));
  out.set(bhttp::field::server, "tidemark-node");
  for (auto& [name, value] : in.headers) out.set(name, value);
  out.body() = std::move(in.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  if (head) out.body().clear();  // Content-Length stays that of the GET answer
  return out;
}

HttpResponse ProblemForParseError(const boost::beast::error_code& ec, std::string_view target) {
  if (ec == bhttp::error::header_limit) {
    return Problem(431, "header-too-large", "Request Header Fields Too Large",
                   "the request line and headers exceed the server's limit", target);
  }
  if (ec == bhttp::error::body_limit) {
    return Problem(413, "body-too-large", "Content Too Large",
                   "the request body exceeds the server's limit", target);
  }
  return Problem(400, "malformed-request", "Bad Request", "malformed HTTP: " + ec.message(),
                 target);
}

}  // namespace tidemark::node::http::internal
