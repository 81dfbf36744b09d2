#include "tidemark/node/http/server.h"

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "beast_util.h"
#include "tidemark/node/http/event_bus.h"
#include "tidemark/node/metrics/registry.h"

namespace tidemark::node::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;

namespace {

// Metrics the server updates; all null when no registry was given.
struct ServerMetrics {
  metrics::Registry* reg = nullptr;
  metrics::Gauge* open = nullptr;
  metrics::Counter* rejected = nullptr;
  metrics::Counter* timeouts = nullptr;
  metrics::Counter* parse_errors = nullptr;
  metrics::Gauge* sse_clients = nullptr;
  metrics::Counter* sse_dropped = nullptr;

  void Init(metrics::Registry* r) {
    reg = r;
    if (!r) return;
    open = r->GetGauge("tidemark_http_open_connections", "Open HTTP connections");
    rejected = r->GetCounter("tidemark_http_rejected_connections_total",
                             "Connections refused because max_connections were open");
    timeouts = r->GetCounter("tidemark_http_timeouts_total",
                             "Connections closed because a read or write timed out");
    parse_errors = r->GetCounter("tidemark_http_bad_requests_total",
                                 "Requests refused by the parser (400, 413, 431)");
    sse_clients = r->GetGauge("tidemark_sse_clients", "Connected server-sent event clients");
    sse_dropped =
        r->GetCounter("tidemark_sse_dropped_total", "Event clients dropped for being too slow");
  }
  void Request(const std::string& route, int code, double seconds) {
    if (!reg) return;
    std::string label = route.empty() ? "unmatched" : route;
    reg->GetCounter("tidemark_http_requests_total", "HTTP requests answered",
                    {{"route", label}, {"code", std::to_string(code)}})
        ->Inc();
    reg->GetHistogram("tidemark_http_request_seconds", "Time to handle a request",
                      {{"route", label}}, metrics::LatencyBuckets())
        ->Observe(seconds);
  }
};

template <typename T>
void Bump(T* m) {
  if (m) m->Inc();
}

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  const Router* router;
  ServerMetrics m;
  std::unique_ptr<net::io_context> ioc;
  std::optional<tcp::acceptor> acceptor;
  std::unique_ptr<net::thread_pool> handler_pool;
  std::vector<std::thread> threads;
  std::atomic<size_t> open{0};
  uint16_t port = 0;
  bool running = false;

  void Accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* srv, bool counted)
      : stream_(std::move(socket)),
        srv_(srv),
        counted_(counted),
        keepalive_(stream_.get_executor()),
        request_timer_(stream_.get_executor()) {}

  ~Session() {
    if (sse_) {
      sse_->Close();
      if (srv_->m.sse_clients) srv_->m.sse_clients->Add(-1);
    }
    if (counted_) {
      srv_->open.fetch_sub(1);
      if (srv_->m.open) srv_->m.open->Add(-1);
    }
  }

  auto executor() { return stream_.get_executor(); }

  // REQUIRES: running on executor().
  void Start() {
    if (!counted_) {
      Bump(srv_->m.rejected);
      return WriteAndClose(Problem(503, "too-many-connections", "Service Unavailable",
                                   "the server has reached its connection limit", ""),
                           11);
    }
    ReadRequest();
  }

 private:
  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(srv_->options.max_header_bytes));
    parser_->body_limit(srv_->options.max_body_bytes);
    milliseconds limit(first_ ? srv_->options.read_timeout_ms : srv_->options.idle_timeout_ms);
    // The request timer answers 408 to a client that started a request and is too slow; the
    // tcp_stream expiry is the backstop that closes the socket whatever happens.
    stream_.expires_after(limit + std::chrono::seconds(1));
    reading_ = true;
    timed_out_ = false;
    uint64_t generation = ++read_generation_;
    request_timer_.expires_after(limit);
    request_timer_.async_wait([weak = weak_from_this(), generation](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->closed_ || !self->reading_) return;
      if (self->read_generation_ != generation) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    reading_ = false;
    request_timer_.cancel();
    if (timed_out_) {
      Bump(srv_->m.timeouts);
      if (!parser_->got_some()) return Close();  // idle: nothing to answer
      return WriteAndClose(Problem(408, "request-timeout", "Request Timeout",
                                   "the request did not arrive within the read timeout", ""),
                           11);
    }
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof) return Close();
    if (ec == beast::error::timeout) {
      Bump(srv_->m.timeouts);
      return Close();  // tcp_stream has closed the socket
    }
    if (ec) {
      if (ec.category() != bhttp::make_error_code(bhttp::error::need_more).category()) {
        return Close();  // a socket error
      }
      Bump(srv_->m.parse_errors);
      HttpResponse p = internal::ProblemForParseError(ec, "");
      srv_->m.Request("", p.status, 0);
      return WriteAndClose(std::move(p), 11);
    }
    first_ = false;
    internal::BeastRequest breq = parser_->release();
    unsigned version = breq.version();
    HttpRequest req;
    if (auto problem = internal::FromBeast(std::move(breq), &req)) {
      return WriteAndClose(std::move(*problem), version);
    }
    bool keep_alive = req.keep_alive;
    bool head = req.method == "HEAD";
    auto start = std::chrono::steady_clock::now();
    net::post(*srv_->handler_pool, [self = shared_from_this(), req = std::move(req), version,
                                    keep_alive, head, start]() mutable {
      HttpResponse resp = self->srv_->router->Handle(req);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      self->srv_->m.Request(self->srv_->router->MatchPattern(req), resp.status, secs);
      net::post(self->stream_.get_executor(),
                [self, resp = std::move(resp), version, keep_alive, head]() mutable {
                  self->OnHandled(std::move(resp), version, keep_alive, head);
                });
    });
  }

  void OnHandled(HttpResponse resp, unsigned version, bool keep_alive, bool head) {
    if (resp.event_stream) return StartEventStream(std::move(resp.event_stream));
    auto res = std::make_shared<internal::BeastResponse>(
        internal::ToBeast(std::move(resp), version, keep_alive, head));
    stream_.expires_after(milliseconds(srv_->options.write_timeout_ms));
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
                         if (ec) return self->Close();
                         if (!keep_alive) return self->LingerClose();
                         self->ReadRequest();
                       });
  }

  void WriteAndClose(HttpResponse resp, unsigned version) {
    auto res = std::make_shared<internal::BeastResponse>(
        internal::ToBeast(std::move(resp), version, false, false));
    stream_.expires_after(milliseconds(srv_->options.write_timeout_ms));
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res](beast::error_code ec, size_t) {
                         if (ec) return self->Close();
                         self->LingerClose();
                       });
  }

  // Half-closes, then discards what the peer still sends (for up to a second) so that our answer
  // is not destroyed by a TCP reset when unread request bytes remain.
  void LingerClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(1));
    Drain();
  }

  void Drain() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    keepalive_.cancel();
    request_timer_.cancel();
    if (sse_) sse_->Close();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  // ---- server-sent events ----

  void StartEventStream(std::shared_ptr<Subscription> sub) {
    sse_ = std::move(sub);
    if (srv_->m.sse_clients) srv_->m.sse_clients->Add(1);
    pending_ =
        "HTTP/1.1 200 OK\r\nServer: tidemark-node\r\nContent-Type: text/event-stream\r\n"
        "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\n"
        ": connected\n\n";
    std::weak_ptr<Session> weak = weak_from_this();
    auto ex = stream_.get_executor();
    sse_->SetWakeup([weak, ex] {
      net::post(ex, [weak] {
        if (auto s = weak.lock()) s->PumpEvents();
      });
    });
    stream_.expires_never();
    WatchForDisconnect();
    ArmKeepAlive();
    PumpEvents();
  }

  void WatchForDisconnect() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();
                              self->WatchForDisconnect();
                            });
  }

  void ArmKeepAlive() {
    keepalive_.expires_after(milliseconds(srv_->options.sse_keepalive_ms));
    keepalive_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->closed_) return;
      self->pending_ += ": keep-alive\n\n";
      self->PumpEvents();
      self->ArmKeepAlive();
    });
  }

  void PumpEvents() {
    if (closed_ || writing_) return;
    if (sse_->dropped()) {
      Bump(srv_->m.sse_dropped);
      return Close();
    }
    for (const BusEvent& e : sse_->Drain()) pending_ += FormatSseFrame(e);
    if (pending_.empty()) return;
    writing_ = true;
    in_flight_ = std::move(pending_);
    pending_.clear();
    stream_.expires_after(milliseconds(srv_->options.write_timeout_ms));
    net::async_write(stream_, net::buffer(in_flight_),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->writing_ = false;
                       if (ec) {
                         if (ec == beast::error::timeout) Bump(self->srv_->m.sse_dropped);
                         return self->Close();
                       }
                       self->PumpEvents();
                     });
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* srv_;
  bool counted_;
  bool first_ = true;
  bool closed_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::array<char, 512> scratch_;
  // Event stream state (strand-confined).
  std::shared_ptr<Subscription> sse_;
  net::steady_timer keepalive_;
  // Request read deadline (strand-confined).
  net::steady_timer request_timer_;
  uint64_t read_generation_ = 0;
  bool reading_ = false;
  bool timed_out_ = false;
  std::string pending_;
  std::string in_flight_;
  bool writing_ = false;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor->async_accept(net::make_strand(*ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
    if (!ec) {
      bool admit = open.load() < options.max_connections;
      if (admit) {
        open.fetch_add(1);
        if (m.open) m.open->Add(1);
      }
      auto session = std::make_shared<Session>(std::move(socket), this, admit);
      net::dispatch(session->executor(), [session] { session->Start(); });
    }
    Accept();
  });
}

HttpServer::HttpServer(ServerOptions options, const Router* router, metrics::Registry* metrics)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->router = router;
  impl_->m.Init(metrics);
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  Impl& s = *impl_;
  if (s.running) return Status::FailedPrecondition("http server already started");
  s.ioc = std::make_unique<net::io_context>(static_cast<int>(s.options.io_threads));
  beast::error_code ec;
  tcp::resolver resolver(*s.ioc);
  auto results = resolver.resolve(s.options.listen_host, std::to_string(s.options.listen_port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return Status::IoError("http: cannot resolve " + s.options.listen_host + ": " + ec.message());
  }
  tcp::endpoint ep = results.begin()->endpoint();
  s.acceptor.emplace(*s.ioc);
  if (s.acceptor->open(ep.protocol(), ec); !ec) {
    s.acceptor->set_option(net::socket_base::reuse_address(true), ec);
    s.acceptor->bind(ep, ec);
  }
  if (!ec) s.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::string what = ec.message();
    s.acceptor.reset();
    s.ioc.reset();
    return Status::IoError("http: cannot listen on " + s.options.listen_host + ":" +
                           std::to_string(s.options.listen_port) + ": " + what);
  }
  s.port = s.acceptor->local_endpoint().port();
  s.handler_pool =
      std::make_unique<net::thread_pool>(std::max<uint32_t>(1, s.options.handler_threads));
  s.Accept();
  for (uint32_t i = 0; i < std::max<uint32_t>(1, s.options.io_threads); ++i) {
    s.threads.emplace_back([ioc = s.ioc.get()] { ioc->run(); });
  }
  s.running = true;
  return Status::Ok();
}

void HttpServer::Stop() {
  Impl& s = *impl_;
  if (!s.running) return;
  s.running = false;
  s.ioc->stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  s.handler_pool->join();
  s.acceptor.reset();
  s.ioc.reset();  // destroys pending handlers and with them every session
  s.handler_pool.reset();
}

uint16_t HttpServer::port() const { return impl_->port; }
size_t HttpServer::open_connections() const { return impl_->open.load(); }

}  // namespace tidemark::node::http
