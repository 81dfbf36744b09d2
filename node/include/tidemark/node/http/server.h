// server.h — the HTTP/1.1 server (Boost.Beast, async, a small io_context thread pool).
//
//   Router router;  ...                       // routes (api/rest_api.h registers the REST API)
//   HttpServer server({.listen_host = "127.0.0.1", .listen_port = 0}, &router, &metrics);
//   TM_RETURN_IF_ERROR(server.Start());
//   uint16_t port = server.port();            // the bound port (ephemeral when 0 was asked)
//   ...
//   server.Stop();                            // closes the acceptor and every connection
//
// Limits, each answered with an RFC 9457 problem before the connection is closed:
//   request header bigger than max_header_bytes          -> 431
//   body bigger than max_body_bytes (or Content-Length)  -> 413
//   malformed HTTP                                        -> 400
//   more than max_connections open                        -> 503 (and closed at once)
// A request (headers and body) must arrive within read_timeout_ms; a kept-alive connection must
// send its next request within idle_timeout_ms; a response must be written within
// write_timeout_ms. A client that started a request and is too slow gets a 408 problem and is
// disconnected; an idle one is just disconnected; beast::tcp_stream expiry (the deadline + 1 s)
// closes the socket whatever happens, so a slowloris client cannot hold a worker. Handlers run on a
// separate handler pool (handler_threads) so a handler that waits (POST /v1/txs?wait=commit) never
// blocks I/O. A handler answer with `event_stream` turns the connection into a server-sent event
// stream (keep-alive comment every sse_keepalive_ms; a consumer too slow to take a frame within
// write_timeout_ms, or whose queue overflows, is dropped).
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

struct ServerOptions {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;  // 0: an ephemeral port, see port()
  size_t max_body_bytes = 2 << 20;  // a max-size tx (513 KiB) as JSON hex fits
  size_t max_header_bytes = 16 << 10;
  size_t max_connections = 256;
  uint32_t read_timeout_ms = 10'000;
  uint32_t idle_timeout_ms = 30'000;
  uint32_t write_timeout_ms = 10'000;
  uint32_t io_threads = 2;
  uint32_t handler_threads = 4;
  uint32_t sse_keepalive_ms = 15'000;
};

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
