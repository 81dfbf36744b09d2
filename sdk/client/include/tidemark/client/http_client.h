// http_client.h — a small blocking HTTP/1.1 client (Boost.Beast) for the SDK and the CLI.
//
// Plain http only: the node serves TLS through a reverse proxy if an operator wants it, and every
// answer that matters carries its own proof (docs/proofs.md), so the channel need not be trusted.
//
//   TM_ASSIGN_OR_RETURN(Url url, Url::Parse("http://127.0.0.1:8080"));
//   HttpClient http(url);
//   TM_ASSIGN_OR_RETURN(HttpResponse r, http.Get("/v1/status"));
//   if (r.status == 200) nlohmann::json j = nlohmann::json::parse(r.body);
//
//   // Server-sent events: calls on_event until it returns false or the stream ends.
//   http.Stream("/v1/events", "", [](const SseEvent& e) { ...; return true; });
//
// Thread safety: an HttpClient is used by one thread at a time; make one per thread.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "tidemark/status.h"

namespace tidemark::client {

struct Url {
  std::string host;
  uint16_t port = 80;
  std::string base_path;  // without trailing slash, e.g. "" or "/tidemark"

  // Accepts "http://host[:port][/base]" and "host:port". Rejects https and malformed input.
  static Result<Url> Parse(const std::string& text);
  std::string ToString() const;
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
  std::map<std::string, std::string> headers;  // lowercase names
};

struct SseEvent {
  std::string id;
  std::string event;
  std::string data;
};

class HttpClient {
 public:
  explicit HttpClient(Url url, int timeout_ms = 30000)
      : url_(std::move(url)), timeout_ms_(timeout_ms) {}

  Result<HttpResponse> Get(const std::string& path,
                           const std::map<std::string, std::string>& headers = {});
  Result<HttpResponse> Post(const std::string& path, const std::string& body,
                            const std::string& content_type = "application/json",
                            const std::map<std::string, std::string>& headers = {});
  // Reads a text/event-stream response; stops when on_event returns false, the server closes, or
  // the idle timeout passes. `last_event_id` (may be empty) is sent as Last-Event-ID.
  Status Stream(const std::string& path, const std::string& last_event_id,
                const std::function<bool(const SseEvent&)>& on_event);

  const Url& url() const { return url_; }

 private:
  Result<HttpResponse> Do(const std::string& method, const std::string& path,
                          const std::string& body, const std::string& content_type,
                          const std::map<std::string, std::string>& headers);
  Url url_;
  int timeout_ms_;
};

}  // namespace tidemark::client
