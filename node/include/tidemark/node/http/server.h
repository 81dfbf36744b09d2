// server.h — the HTTP/1.1 server (Boost.Beast, async, a small io_context thread pool).
//
//   Router router;  ...                       // routes (api/rest_api.h registers the REST API)
//   HttpServer server({.listen_host = "127.0.0.1", .listen_port = 0}, &router, &metrics);
//   TM_RETURN_IF_ERROR(server.Start());
//   uint16_t port = server.port();            // the bound port (ephemeral when 0 was asked)
//   ...
//   server.Stop();                            // closes the acceptor and every connection
//
// Limits, each answered with an RFC 9457 problem (and Retry-After where waiting helps):
//   request header bigger than max_header_bytes                         -> 431
//   body bigger than max_body_bytes (or Content-Length)                 -> 413
//   malformed HTTP                                                       -> 400
//   a client (source address) with max_connections_per_client open      -> 429, closed
//   a client above requests_per_second_per_client (burst request_burst)  -> 429, closed
//   max_connections open: the connection goes to the reserve pool (reserved_connections), which
//   serves only essential routes (Router::MarkEssential: health, status, Digital Link), one
//   request per connection; anything else there                         -> 503 too-many-connections
//   reserve full too                                                     -> 503, closed
//   more than max_queued_requests waiting for a handler thread           -> 503 server-busy
// Pools: ordinary connections (max_connections + the reserve) and event streams
// (max_sse_streams, max_sse_per_client) are counted apart: a connection that turns into an event
// stream leaves the ordinary pool, so held streams never deny ordinary requests and the reverse;
// beyond max_sse_streams a stream is refused with 503 (the client's max_sse_per_client: 429), with
// Retry-After. The pools together fit the process's descriptor limit (BoundByDescriptors).
// Essential routes run on their own handler threads (essential_threads), so slow handlers do not
// delay /healthz or /v1/status. A handler that cannot answer yet returns HttpResponse::deferred
// (deferred.h; POST /v1/txs?wait=commit): the connection is parked without holding any thread
// and answered when the deferred is signalled or times out.
//
// Deadlines: the request header must arrive whole within header_timeout_ms of its first byte (of
// the accept for a new connection) — a total deadline, not per byte, so trickling a header
// (slowloris) is cut off — and the whole request within read_timeout_ms; an open connection may
// wait idle_timeout_ms for its next request. A client that started a request and is too slow gets
// a 408 problem and is disconnected; an idle one is just disconnected; beast::tcp_stream expiry
// is the backstop that closes the socket whatever happens. A response must be written within
// write_timeout_ms. A handler answer with `event_stream` turns the connection into a server-sent
// event stream (keep-alive comment every sse_keepalive_ms; a consumer too slow to take a frame
// within write_timeout_ms is dropped; one whose queue overflows catches up from the bus's ring
// instead, event_bus.h; a stream is ended after sse_max_duration_ms, EventSource clients
// reconnect with Last-Event-ID). A handler answer with `body_stream` (message.h, BodyStream;
// GET /v1/reg/export) is sent as a chunked body, one piece produced on a handler thread and
// written (within write_timeout_ms) before the next is asked for; the connection then closes.
//
// Clients are told apart by source address (an IPv4-mapped IPv6 address counts as the IPv4 one);
// loopback is not exempt. Every refusal is counted in tidemark_http_refused_total{reason}.
//
// Thread safety: Start() / Stop() from one thread; the router and metrics must outlive the server.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tidemark/node/http/router.h"
#include "tidemark/status.h"

namespace tidemark::node::metrics {
class Registry;
}

namespace tidemark::node::http {

// The defaults suit a consortium node behind no proxy: a browser opens at most ~6 connections and
// one event stream per tab; the test suites poll at well under 100 requests per second.
struct ServerOptions {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;      // 0: an ephemeral port, see port()
  size_t max_body_bytes = 2 << 20;  // a max-size tx (513 KiB) as JSON hex fits
  size_t max_header_bytes = 16 << 10;
  size_t max_connections = 2048;     // ordinary connections, all clients
  size_t reserved_connections = 64;  // beyond those: essential routes only
  size_t max_connections_per_client = 64;
  uint32_t requests_per_second_per_client = 200;
  uint32_t request_burst_per_client = 400;
  size_t max_sse_streams = 1024;  // event streams, all clients (bounded by descriptors below)
  size_t max_sse_per_client = 16;
  size_t max_queued_requests = 1024;   // waiting for a handler thread
  uint32_t header_timeout_ms = 5'000;  // whole header, from its first byte
  uint32_t read_timeout_ms = 10'000;   // whole request (>= header deadline)
  uint32_t idle_timeout_ms = 30'000;
  uint32_t write_timeout_ms = 10'000;
  uint32_t io_threads = 2;
  uint32_t handler_threads = 4;
  uint32_t essential_threads = 1;
  uint32_t sse_keepalive_ms = 15'000;
  uint32_t sse_max_duration_ms = 3'600'000;
};

// Descriptors the server leaves to the rest of the process: storage (LevelDB keeps up to
// max_open_files = 500 table files open, read with pread), p2p, logs.
inline constexpr uint64_t kDescriptorsKeptForProcess = 768;

// `o` with its pools bounded by a descriptor limit: ordinary connections, the reserve and event
// streams together at most `fd_limit - kDescriptorsKeptForProcess` (at least 64). When they do not
// fit, event streams keep at most a quarter of the budget (at least 1), the reserve at most an
// eighth, ordinary connections the rest; `*note` (may be null) then says what was lowered.
ServerOptions BoundByDescriptors(ServerOptions o, uint64_t fd_limit, std::string* note);
// Raises the process's soft RLIMIT_NOFILE to its hard limit (capped at 1 << 20) and returns the
// soft limit in force.
uint64_t RaiseDescriptorLimit();

class HttpServer {
 public:
  // `metrics` may be null.
  HttpServer(ServerOptions options, const Router* router, metrics::Registry* metrics);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the threads. IoError if the address cannot be bound.
  Status Start();
  void Stop();
  uint16_t port() const;
  size_t open_connections() const;

  struct Impl;  // opaque (Beast lives in server.cc)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tidemark::node::http
