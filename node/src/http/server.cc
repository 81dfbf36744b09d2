#include "tidemark/node/http/server.h"

#include <sys/resource.h>

#include <algorithm>
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
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "beast_util.h"
#include "tidemark/node/http/deferred.h"
#include "tidemark/node/http/event_bus.h"
#include "tidemark/node/metrics/registry.h"

namespace tidemark::node::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

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
  // Every connection or request the server refuses or cuts, by reason (a fixed set of labels).
  void Refused(const char* reason) {
    if (!reg) return;
    reg->GetCounter("tidemark_http_refused_total",
                    "Connections and requests refused or cut off, by reason", {{"reason", reason}})
        ->Inc();
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

// Which pool a connection is counted in.
enum class Pool { kNone, kOrdinary, kReserve, kSse };
enum class Admission { kOrdinary, kReserve, kClientLimit, kFull, kDrop };

// At most this many refused connections are being answered at once; beyond, they are closed
// without an answer (a flood must not make the server queue answers).
constexpr size_t kMaxRefusing = 256;
// Per-client state is forgotten once idle; the table is swept when it grows past this.
constexpr size_t kClientSweepSize = 1024;

struct ClientState {
  size_t conns = 0;  // ordinary + reserve
  size_t sse = 0;
  double tokens = 0;
  Clock::time_point refilled;
};

HttpResponse WithRetryAfter(HttpResponse r, uint32_t seconds) {
  r.SetHeader("Retry-After", std::to_string(seconds));
  return r;
}

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  const Router* router;
  ServerMetrics m;
  std::unique_ptr<net::io_context> ioc;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_retry;
  std::unique_ptr<net::thread_pool> handler_pool;
  std::unique_ptr<net::thread_pool> essential_pool;
  std::array<std::atomic<size_t>, 2> queued{};  // [0] handler_pool, [1] essential_pool
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool running = false;

  mutable std::mutex mu;  // guards the counts and clients below
  size_t ordinary = 0;
  size_t reserve = 0;
  size_t sse = 0;
  size_t refusing = 0;
  std::map<std::string, ClientState> clients;
  Clock::time_point last_sweep;

  void Accept();

  Admission Admit(const std::string& client) {
    std::lock_guard<std::mutex> lock(mu);
    Sweep();
    ClientState& c = Client(client);
    Admission a;
    if (c.conns >= options.max_connections_per_client) {
      a = Admission::kClientLimit;
    } else if (ordinary < options.max_connections) {
      a = Admission::kOrdinary;
      ++ordinary;
    } else if (reserve < options.reserved_connections) {
      a = Admission::kReserve;
      ++reserve;
    } else {
      a = Admission::kFull;
    }
    if (a == Admission::kOrdinary || a == Admission::kReserve) {
      ++c.conns;
      if (m.open) m.open->Add(1);
    } else if (refusing >= kMaxRefusing) {
      a = Admission::kDrop;
    } else {
      ++refusing;
    }
    return a;
  }

  // Moves a connection from `*pool` to the event-stream pool; 0 when done, else the HTTP status
  // of the refusal (429: the client's streams, 503: all streams).
  int ToSse(const std::string& client, Pool* pool) {
    std::lock_guard<std::mutex> lock(mu);
    ClientState& c = Client(client);
    if (c.sse >= options.max_sse_per_client) return 429;
    if (sse >= options.max_sse_streams) return 503;
    ReleaseLocked(c, *pool);
    ++c.sse;
    ++sse;
    *pool = Pool::kSse;
    if (m.sse_clients) m.sse_clients->Add(1);
    return 0;
  }

  void Release(const std::string& client, Pool pool, bool refusing_answer) {
    std::lock_guard<std::mutex> lock(mu);
    if (refusing_answer) --refusing;
    if (pool == Pool::kNone) return;
    ClientState& c = Client(client);
    if (pool == Pool::kSse) {
      --c.sse;
      --sse;
      if (m.sse_clients) m.sse_clients->Add(-1);
      return;
    }
    ReleaseLocked(c, pool);
  }

  // True when `client` may make a request now; else *retry_after_s says when it may.
  bool TakeToken(const std::string& client, uint32_t* retry_after_s) {
    std::lock_guard<std::mutex> lock(mu);
    ClientState& c = Client(client);
    Refill(c, Clock::now());
    if (c.tokens >= 1) {
      c.tokens -= 1;
      return true;
    }
    double rate = std::max<uint32_t>(1, options.requests_per_second_per_client);
    *retry_after_s = std::max<uint32_t>(1, static_cast<uint32_t>((1 - c.tokens) / rate + 0.999));
    return false;
  }

  size_t Open() const {
    std::lock_guard<std::mutex> lock(mu);
    return ordinary + reserve + sse;
  }

 private:
  ClientState& Client(const std::string& client) {
    auto [it, fresh] = clients.try_emplace(client);
    if (fresh) {
      it->second.tokens = Burst();
      it->second.refilled = Clock::now();
    }
    return it->second;
  }
  double Burst() const {
    return std::max<uint32_t>(
        1, std::max(options.request_burst_per_client, options.requests_per_second_per_client));
  }
  void Refill(ClientState& c, Clock::time_point now) {
    double secs = std::chrono::duration<double>(now - c.refilled).count();
    c.tokens = std::min(Burst(), c.tokens + secs * options.requests_per_second_per_client);
    c.refilled = now;
  }
  void ReleaseLocked(ClientState& c, Pool pool) {
    --c.conns;
    if (pool == Pool::kOrdinary) --ordinary;
    if (pool == Pool::kReserve) --reserve;
    if (m.open) m.open->Add(-1);
  }
  // Forgets clients with nothing open whose bucket is full again (they lose nothing).
  void Sweep() {
    Clock::time_point now = Clock::now();
    if (clients.size() < kClientSweepSize || now - last_sweep < std::chrono::seconds(1)) return;
    last_sweep = now;
    for (auto it = clients.begin(); it != clients.end();) {
      Refill(it->second, now);
      bool idle = it->second.conns == 0 && it->second.sse == 0 && it->second.tokens >= Burst();
      it = idle ? clients.erase(it) : std::next(it);
    }
  }
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* srv, std::string client, Admission admission)
      : stream_(std::move(socket)),
        srv_(srv),
        client_(std::move(client)),
        admission_(admission),
        keepalive_(stream_.get_executor()),
        request_timer_(stream_.get_executor()),
        park_timer_(stream_.get_executor()) {
    if (admission == Admission::kOrdinary) pool_ = Pool::kOrdinary;
    if (admission == Admission::kReserve) pool_ = Pool::kReserve;
  }

  ~Session() {
    if (sse_) sse_->Close();
    if (deferred_) deferred_->Detach();
    bool refusing = admission_ == Admission::kClientLimit || admission_ == Admission::kFull;
    srv_->Release(client_, pool_, refusing);
  }

  auto executor() { return stream_.get_executor(); }

  // REQUIRES: running on executor().
  void Start() {
    if (admission_ == Admission::kClientLimit) {
      return RefuseAndClose("client_connections", 429, "too-many-connections-from-client",
                            "this client has reached its limit of " +
                                std::to_string(srv_->options.max_connections_per_client) +
                                " open connections",
                            "", 1, 11);
    }
    if (admission_ == Admission::kFull) {
      Bump(srv_->m.rejected);
      return RefuseTooManyConnections("connections_full", 11);
    }
    ReadRequest();
  }

 private:
  // Answers a refusal that asks the client to come back later (problem+json titled with the
  // status's reason phrase, Retry-After), counts it under `reason` in
  // tidemark_http_refused_total, and closes the connection.
  void RefuseAndClose(const char* reason, int status, std::string_view slug,
                      const std::string& detail, std::string_view instance, uint32_t retry_after_s,
                      unsigned version) {
    srv_->m.Refused(reason);
    WriteAndClose(WithRetryAfter(Problem(status, slug, ReasonPhrase(status), detail, instance),
                                 retry_after_s),
                  version);
  }
  void RefuseTooManyConnections(const char* reason, unsigned version) {
    RefuseAndClose(reason, 503, "too-many-connections",
                   "the server has reached its connection limit", "", 1, version);
  }

  // ---- reading a request: idle wait, header deadline, request deadline ----

  void ReadRequest() {
    // A kept-alive connection first waits (idle_timeout_ms) for the next request's first byte;
    // the header deadline starts there. A new connection's deadline starts at the accept.
    if (first_ || buffer_.size() > 0) return StartRequest();
    stream_.expires_after(milliseconds(srv_->options.idle_timeout_ms) + std::chrono::seconds(1));
    ArmReadTimer(milliseconds(srv_->options.idle_timeout_ms));
    stream_.socket().async_wait(tcp::socket::wait_read,
                                [self = shared_from_this()](beast::error_code ec) {
                                  self->reading_ = false;
                                  self->request_timer_.cancel();
                                  if (ec || self->timed_out_) return self->Close();
                                  self->StartRequest();
                                });
  }

  void StartRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(srv_->options.max_header_bytes));
    parser_->body_limit(srv_->options.max_body_bytes);
    milliseconds whole(srv_->options.read_timeout_ms);
    milliseconds header(std::min(srv_->options.header_timeout_ms, srv_->options.read_timeout_ms));
    request_deadline_ = Clock::now() + whole;
    // The timer answers 408 to a client that started a request and is too slow; the tcp_stream
    // expiry is the backstop that closes the socket whatever happens.
    stream_.expires_after(whole + std::chrono::seconds(1));
    ArmReadTimer(header);
    ReadHeaderSome();
  }

  // The header is read one read_some at a time so that every completion checks the deadline.
  void ReadHeaderSome() {
    bhttp::async_read_some(stream_, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code ec, size_t n) {
                             if (!ec && !self->timed_out_ && !self->parser_->is_header_done()) {
                               return self->ReadHeaderSome();
                             }
                             self->OnHeader(ec, n);
                           });
  }

  void ArmReadTimer(milliseconds limit) {
    reading_ = true;
    timed_out_ = false;
    WaitReadTimer(limit, ++read_generation_);
  }

  // On expiry, cancels the read, and again every 20 ms while it goes on: Beast's composed reads
  // keep reading when a completion was already queued at the cancel (a trickled byte), so one
  // cancel() can miss. The tcp_stream expiry stays the backstop.
  void WaitReadTimer(milliseconds limit, uint64_t generation) {
    request_timer_.expires_after(limit);
    request_timer_.async_wait([weak = weak_from_this(), generation](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->closed_ || !self->reading_) return;
      if (self->read_generation_ != generation) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
      self->WaitReadTimer(milliseconds(20), generation);
    });
  }

  void OnHeader(beast::error_code ec, size_t) {
    reading_ = false;
    request_timer_.cancel();
    if (ReadFailed(ec, "header_timeout")) return;
    if (parser_->is_done()) return Dispatch();
    auto left = std::chrono::duration_cast<milliseconds>(request_deadline_ - Clock::now());
    ArmReadTimer(std::max(left, milliseconds(1)));
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, size_t) {
    reading_ = false;
    request_timer_.cancel();
    if (ReadFailed(ec, "read_timeout")) return;
    Dispatch();
  }

  // Handles a timed-out or failed read; false when the read succeeded.
  bool ReadFailed(beast::error_code ec, const char* timeout_reason) {
    if (timed_out_) {
      Bump(srv_->m.timeouts);
      if (!parser_->got_some()) {  // idle: nothing to answer
        Close();
        return true;
      }
      srv_->m.Refused(timeout_reason);
      WriteAndClose(Problem(408, "request-timeout", "Request Timeout",
                            "the request did not arrive within the read timeout", ""),
                    11);
      return true;
    }
    if (!ec) return false;
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof) {
      Close();
    } else if (ec == beast::error::timeout) {
      Bump(srv_->m.timeouts);
      Close();  // tcp_stream has closed the socket
    } else if (ec.category() != bhttp::make_error_code(bhttp::error::need_more).category()) {
      Close();  // a socket error
    } else {
      Bump(srv_->m.parse_errors);
      HttpResponse p = internal::ProblemForParseError(ec, "");
      srv_->m.Request("", p.status, 0);
      WriteAndClose(std::move(p), 11);
    }
    return true;
  }

  // ---- handing a request to a handler thread ----

  void Dispatch() {
    first_ = false;
    internal::BeastRequest breq = parser_->release();
    unsigned version = breq.version();
    HttpRequest req;
    if (auto problem = internal::FromBeast(std::move(breq), &req)) {
      return WriteAndClose(std::move(*problem), version);
    }
    uint32_t retry_after = 1;
    if (!srv_->TakeToken(client_, &retry_after)) {
      return RefuseAndClose("client_rate", 429, "rate-limited",
                            "this client sends more than " +
                                std::to_string(srv_->options.requests_per_second_per_client) +
                                " requests per second",
                            req.path, retry_after, version);
    }
    bool essential = srv_->router->IsEssential(req);
    if (pool_ == Pool::kReserve && !essential) {
      return RefuseTooManyConnections("reserve_route", version);
    }
    // A reserve connection serves one request.
    bool keep_alive = req.keep_alive && pool_ != Pool::kReserve;
    bool head = req.method == "HEAD";
    size_t which = essential ? 1 : 0;
    if (srv_->queued[which].fetch_add(1) >= srv_->options.max_queued_requests) {
      srv_->queued[which].fetch_sub(1);
      return RefuseAndClose("handler_queue", 503, "server-busy",
                            "too many requests are waiting for the server", req.path, 1, version);
    }
    auto start = Clock::now();
    net::thread_pool& pool = essential ? *srv_->essential_pool : *srv_->handler_pool;
    net::post(pool, [self = shared_from_this(), req = std::move(req), version, keep_alive, head,
                     start, which]() mutable {
      self->srv_->queued[which].fetch_sub(1);
      HttpResponse resp = self->srv_->router->Handle(req);
      double secs = std::chrono::duration<double>(Clock::now() - start).count();
      self->srv_->m.Request(self->srv_->router->MatchPattern(req), resp.status, secs);
      net::post(self->stream_.get_executor(),
                [self, resp = std::move(resp), version, keep_alive, head]() mutable {
                  self->OnHandled(std::move(resp), version, keep_alive, head);
                });
    });
  }

  void OnHandled(HttpResponse resp, unsigned version, bool keep_alive, bool head) {
    if (closed_) return;
    if (resp.deferred) return Park(std::move(resp.deferred), version, keep_alive, head);
    if (resp.event_stream) return StartEventStream(std::move(resp.event_stream), version);
    if (resp.body_stream) return StartBodyStream(std::move(resp), version, head);
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

  // ---- deferred answers: the connection waits, no thread does ----

  void Park(std::shared_ptr<DeferredResponse> d, unsigned version, bool keep_alive, bool head) {
    deferred_ = std::move(d);
    parked_ = {version, keep_alive, head};
    stream_.expires_never();
    park_timer_.expires_after(deferred_->timeout());
    // The pending wait keeps the session alive while it is parked.
    park_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->FinishDeferred(/*timed_out=*/true);
    });
    std::weak_ptr<Session> weak = weak_from_this();
    auto ex = stream_.get_executor();
    deferred_->OnSignal([weak, ex] {
      net::post(ex, [weak] {
        if (auto s = weak.lock()) s->FinishDeferred(/*timed_out=*/false);
      });
    });
  }

  void FinishDeferred(bool timed_out) {
    if (closed_ || !deferred_ || !deferred_->Claim()) return;
    std::shared_ptr<DeferredResponse> d = std::move(deferred_);
    d->Detach();
    park_timer_.cancel();
    unsigned version = parked_.version;
    bool keep_alive = parked_.keep_alive;
    bool head = parked_.head;
    net::post(*srv_->handler_pool,
              [self = shared_from_this(), d, timed_out, version, keep_alive, head]() mutable {
                HttpResponse resp = d->Produce(timed_out);
                resp.deferred.reset();  // one deferral per request
                net::post(self->stream_.get_executor(),
                          [self, resp = std::move(resp), version, keep_alive, head]() mutable {
                            self->OnHandled(std::move(resp), version, keep_alive, head);
                          });
              });
  }

  // ---- answers that close ----

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
    park_timer_.cancel();
    if (sse_) sse_->Close();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  // ---- streamed bodies (message.h, BodyStream): one piece produced, written, then the next ----

  void StartBodyStream(HttpResponse resp, unsigned version, bool head) {
    body_stream_ = std::move(resp.body_stream);
    chunked_ = version >= 11;
    std::string h = std::string(version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ") +
                    std::to_string(resp.status) + " " + std::string(ReasonPhrase(resp.status)) +
                    "\r\nServer: tidemark-node\r\n";
    for (const auto& [name, value] : resp.headers) h += name + ": " + value + "\r\n";
    if (chunked_) h += "Transfer-Encoding: chunked\r\n";
    h += "Connection: close\r\n\r\n";
    if (head) body_stream_.reset();
    WriteStreamPiece(std::move(h), /*last=*/head);
  }

  void WriteStreamPiece(std::string bytes, bool last) {
    in_flight_ = std::move(bytes);
    stream_.expires_after(milliseconds(srv_->options.write_timeout_ms));
    net::async_write(stream_, net::buffer(in_flight_),
                     [self = shared_from_this(), last](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       if (last) return self->LingerClose();
                       self->NextStreamPiece();
                     });
  }

  void NextStreamPiece() {
    net::post(*srv_->handler_pool, [self = shared_from_this(), producer = body_stream_] {
      Result<std::string> piece = producer->Next();
      net::post(self->stream_.get_executor(), [self, piece = std::move(piece)]() mutable {
        if (self->closed_) return;
        if (!piece.ok()) return self->Close();  // truncated on purpose: no last chunk
        if (piece->empty()) {
          self->body_stream_.reset();
          if (!self->chunked_) return self->LingerClose();
          return self->WriteStreamPiece("0\r\n\r\n", /*last=*/true);
        }
        std::string out;
        if (self->chunked_) {
          char size[20];
          std::snprintf(size, sizeof size, "%zx\r\n", piece->size());
          out.reserve(piece->size() + 24);
          out += size;
          out += *piece;
          out += "\r\n";
        } else {
          out = std::move(*piece);
        }
        self->WriteStreamPiece(std::move(out), /*last=*/false);
      });
    });
  }

  // ---- server-sent events ----

  void StartEventStream(std::shared_ptr<Subscription> sub, unsigned version) {
    if (int refused = srv_->ToSse(client_, &pool_); refused != 0) {
      sub->Close();
      if (refused == 429) {
        return RefuseAndClose("client_sse", 429, "too-many-streams-from-client",
                              "this client has reached its limit of " +
                                  std::to_string(srv_->options.max_sse_per_client) +
                                  " event streams",
                              "/v1/events", 5, version);
      }
      return RefuseAndClose("sse_full", 503, "too-many-streams",
                            "the server has reached its event stream limit", "/v1/events", 5,
                            version);
    }
    sse_ = std::move(sub);
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
    // A stream lasts at most sse_max_duration_ms; EventSource reconnects with Last-Event-ID.
    park_timer_.expires_after(milliseconds(srv_->options.sse_max_duration_ms));
    park_timer_.async_wait([weak](beast::error_code ec) {
      if (auto self = weak.lock(); self && !ec) self->Close();
    });
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
      // A writer still stuck on an earlier frame is cut by the write deadline; comments do not
      // pile up behind it.
      if (!self->writing_) self->pending_ += ": keep-alive\n\n";
      self->PumpEvents();
      self->ArmKeepAlive();
    });
  }

  void PumpEvents() {
    if (closed_ || writing_) return;
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
                         if (ec == beast::error::timeout) {
                           Bump(self->srv_->m.sse_dropped);
                           self->srv_->m.Refused("sse_stalled");
                         }
                         return self->Close();
                       }
                       self->PumpEvents();
                     });
  }

  struct Parked {
    unsigned version = 11;
    bool keep_alive = false;
    bool head = false;
  };

  beast::tcp_stream stream_;
  HttpServer::Impl* srv_;
  const std::string client_;
  const Admission admission_;
  Pool pool_ = Pool::kNone;  // changes only on the strand (to kSse)
  bool first_ = true;
  bool closed_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::array<char, 512> scratch_;
  // Event stream state (strand-confined).
  std::shared_ptr<Subscription> sse_;
  net::steady_timer keepalive_;
  // Request read deadlines (strand-confined).
  net::steady_timer request_timer_;
  Clock::time_point request_deadline_;
  uint64_t read_generation_ = 0;
  bool reading_ = false;
  bool timed_out_ = false;
  // A parked (deferred) answer, or the event stream's lifetime (strand-confined).
  net::steady_timer park_timer_;
  std::shared_ptr<DeferredResponse> deferred_;
  Parked parked_;
  std::string pending_;
  std::string in_flight_;
  bool writing_ = false;
  // A streamed body (strand-confined; Next() runs on a handler thread, one call at a time).
  std::shared_ptr<BodyStream> body_stream_;
  bool chunked_ = false;
};

std::string ClientKey(const tcp::endpoint& ep) {
  net::ip::address a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    a = net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6());
  }
  return a.to_string();
}

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor->async_accept(net::make_strand(*ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
    if (ec) {
      // Out of descriptors (or another transient failure): retry shortly, do not spin.
      accept_retry->expires_after(milliseconds(50));
      accept_retry->async_wait([this](beast::error_code e) {
        if (!e && acceptor->is_open()) Accept();
      });
      return;
    }
    beast::error_code peer_ec;
    tcp::endpoint peer = socket.remote_endpoint(peer_ec);
    if (!peer_ec) {
      std::string client = ClientKey(peer);
      Admission a = Admit(client);
      if (a == Admission::kDrop) {
        m.Refused("refusals_full");
        socket.close(peer_ec);
      } else {
        auto session = std::make_shared<Session>(std::move(socket), this, std::move(client), a);
        net::dispatch(session->executor(), [session] { session->Start(); });
      }
    }
    Accept();
  });
}

ServerOptions BoundByDescriptors(ServerOptions o, uint64_t fd_limit, std::string* note) {
  const uint64_t budget = std::max<uint64_t>(
      64, fd_limit > kDescriptorsKeptForProcess ? fd_limit - kDescriptorsKeptForProcess : 0);
  const uint64_t want = o.max_connections + o.reserved_connections + o.max_sse_streams;
  if (want <= budget) return o;
  const ServerOptions asked = o;
  o.max_sse_streams = std::min<uint64_t>(o.max_sse_streams, std::max<uint64_t>(1, budget / 4));
  o.reserved_connections = std::min<uint64_t>(o.reserved_connections, budget / 8);
  uint64_t left = budget - o.max_sse_streams - o.reserved_connections;
  o.max_connections = std::min<uint64_t>(o.max_connections, std::max<uint64_t>(1, left));
  if (note != nullptr) {
    *note = "http: the descriptor limit (" + std::to_string(fd_limit) +
            ") holds fewer connections than configured: max_connections " +
            std::to_string(asked.max_connections) + " -> " + std::to_string(o.max_connections) +
            ", reserved_connections " + std::to_string(asked.reserved_connections) + " -> " +
            std::to_string(o.reserved_connections) + ", sse_max_clients " +
            std::to_string(asked.max_sse_streams) + " -> " + std::to_string(o.max_sse_streams) +
            " (raise `ulimit -n` to keep them)";
  }
  return o;
}

uint64_t RaiseDescriptorLimit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  rlim_t want = rl.rlim_max == RLIM_INFINITY ? (rlim_t{1} << 20)
                                             : std::min<rlim_t>(rl.rlim_max, rlim_t{1} << 20);
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
    rlimit raised = rl;
    raised.rlim_cur = want;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  return rl.rlim_cur == RLIM_INFINITY ? (uint64_t{1} << 20) : static_cast<uint64_t>(rl.rlim_cur);
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
  s.accept_retry.emplace(*s.ioc);
  s.handler_pool =
      std::make_unique<net::thread_pool>(std::max<uint32_t>(1, s.options.handler_threads));
  s.essential_pool =
      std::make_unique<net::thread_pool>(std::max<uint32_t>(1, s.options.essential_threads));
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
  s.essential_pool->join();
  s.accept_retry.reset();
  s.acceptor.reset();
  s.ioc.reset();  // destroys pending handlers and with them every session
  s.handler_pool.reset();
  s.essential_pool.reset();
}

uint16_t HttpServer::port() const { return impl_->port; }
size_t HttpServer::open_connections() const { return impl_->Open(); }

}  // namespace tidemark::node::http
