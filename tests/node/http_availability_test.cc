// What a hostile client can hold must not make the REST API unavailable to others (issue #12
// finding 4, issue #19 finding 11): event streams, idle connections, slowloris headers, parked
// ?wait=commit requests, request floods. The node's HttpService over the fake ledger, on loopback;
// attackers connect from other loopback addresses (127.0.0.2, ...: all of 127/8 is loopback on
// Linux) so the honest client at 127.0.0.1 is a different client for the per-client limits.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "fake_ledger.h"
#include "http_test_client.h"
#include "tidemark/node/api/http_service.h"
#include "tidemark/node/config/config.h"

using namespace tidemark;
using namespace tidemark::node;
using namespace tidemark::testing;
using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// A connection to 127.0.0.1:port from source address `from` ("127.0.0.7"); -1 on failure.
int ConnectFrom(uint16_t port, const std::string& from) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  ::inet_pton(AF_INET, from.c_str(), &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(port);
  dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string Attacker(int i) { return "127.0.0." + std::to_string(2 + i); }

RawResponse GetFrom(uint16_t port, const std::string& from, const std::string& target,
                    const std::string& extra = "") {
  int fd = ConnectFrom(port, from);
  if (fd < 0) return {};
  SendAll(fd, "GET " + target + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n" + extra + "\r\n");
  std::string raw = ReadUntilClose(fd, 5000);
  ::close(fd);
  return ParseRaw(raw);
}

// GET from the honest client; *elapsed is how long the answer took.
RawResponse Timed(uint16_t port, const std::string& target, Clock::duration* elapsed,
                  const std::string& extra = "") {
  auto start = Clock::now();
  RawResponse r = GetFrom(port, "127.0.0.1", target, extra);
  *elapsed = Clock::now() - start;
  return r;
}

struct Node : ServedFakeLedger {
  explicit Node(const config::NodeConfig& cfg = Default()) : ServedFakeLedger(cfg) {}
  static config::NodeConfig Default() { return LoopbackConfig(); }
  bool MetricIs(const std::string& line) const {
    return http->metrics().Render().find(line) != std::string::npos;
  }
};

bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds limit = 10s) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

void CloseAll(std::vector<int>& fds) {
  for (int fd : fds) ::close(fd);
  fds.clear();
}

void CheckProblem(const RawResponse& r, int status, const std::string& type) {
  CHECK(r.status == status);
  REQUIRE(r.headers.count("content-type"));
  CHECK(r.headers.at("content-type") == "application/problem+json");
  CHECK(json::parse(r.body)["type"] == "urn:tidemark:problem:" + type);
}

}  // namespace

TEST_CASE("availability: 256 held event streams do not deny status or a Digital Link scan") {
  auto cfg = Node::Default();
  cfg.http.sse_max_clients = 256;  // (default 1024) 16 per client
  Node n(cfg);
  std::vector<int> streams;
  for (int i = 0; i < 256; ++i) {
    int fd = ConnectFrom(n.port(), Attacker(i / 16));
    REQUIRE(fd >= 0);
    SendAll(fd, "GET /v1/events HTTP/1.1\r\nHost: a\r\n\r\n");
    streams.push_back(fd);
  }
  REQUIRE(WaitFor([&] { return n.http->bus().subscriber_count() == 256; }));
  Clock::duration took;
  auto status = Timed(n.port(), "/v1/status", &took);
  CHECK(status.status == 200);
  CHECK(took < 1s);
  auto health = Timed(n.port(), "/healthz", &took);
  CHECK(health.status == 200);
  CHECK(took < 1s);
  auto scan =
      Timed(n.port(), "/01/09506000134352/10/LOT1/21/S1", &took, "Accept: application/json\r\n");
  CHECK(scan.status != 0);
  CHECK(scan.status != 503);
  CHECK(took < 1s);
  auto blocks = Timed(n.port(), "/v1/blocks", &took);
  CHECK(blocks.status == 200);
  // The stream pool is full: one more stream is refused, ordinary requests are not.
  CheckProblem(GetFrom(n.port(), "127.0.0.1", "/v1/events"), 503, "resource-exhausted");
  // One client cannot hold more than its share of streams.
  CloseAll(streams);
  REQUIRE(WaitFor([&] { return n.http->bus().subscriber_count() == 0; }));
  for (int i = 0; i < 16; ++i) {
    int fd = ConnectFrom(n.port(), Attacker(0));
    SendAll(fd, "GET /v1/events HTTP/1.1\r\nHost: a\r\n\r\n");
    streams.push_back(fd);
  }
  REQUIRE(WaitFor([&] { return n.http->bus().subscriber_count() == 16; }));
  auto extra = GetFrom(n.port(), Attacker(0), "/v1/events");
  CheckProblem(extra, 429, "too-many-streams-from-client");
  CHECK(extra.headers.count("retry-after"));
  CHECK(n.MetricIs("tidemark_http_refused_total{reason=\"client_sse\"} 1"));
  CloseAll(streams);
}

TEST_CASE(
    "issue 19 finding 11: a full event-stream pool leaves a small REST pool to REST and scans") {
  auto cfg = Node::Default();
  cfg.http.sse_max_clients = 8;
  cfg.http.max_connections = 4;
  cfg.http.reserved_connections = 0;
  Node n(cfg);
  std::vector<int> streams;
  for (int i = 0; i < 8; ++i) {
    int fd = ConnectFrom(n.port(), Attacker(i % 3));
    REQUIRE(fd >= 0);
    SendAll(fd, "GET /v1/events HTTP/1.1\r\nHost: a\r\n\r\n");
    streams.push_back(fd);
    REQUIRE(WaitFor([&] { return n.http->bus().subscriber_count() == streams.size(); }));
  }
  CHECK(n.MetricIs("tidemark_sse_clients 8"));
  // Every REST route and a Digital Link scan still answer, again and again (the 4 ordinary
  // connections are free: the streams hold none of them).
  Clock::duration took;
  for (int round = 0; round < 3; ++round) {
    for (const char* target : {"/v1/status", "/v1/blocks", "/healthz", "/v1/validators"}) {
      INFO(target);
      auto r = Timed(n.port(), target, &took);
      CHECK(r.status == 200);
      CHECK(took < 1s);
    }
    auto scan =
        Timed(n.port(), "/01/09506000134352/10/LOT1/21/S1", &took, "Accept: application/json\r\n");
    CHECK(scan.status != 0);
    CHECK(scan.status != 503);
    CHECK(took < 1s);
  }
  // Four REST connections held open at once beside the streams: all served. The rounds above
  // closed theirs, but the server frees a connection's slot only once it has seen the close:
  // wait until the ordinary pool is empty (the streams hold none of it), or a slot still held by
  // a finished request would be refused as a full pool (seen under CI load).
  REQUIRE(WaitFor([&] { return n.MetricIs("tidemark_http_open_connections 0"); }));
  std::vector<int> rest;
  for (int i = 0; i < 4; ++i) {
    int fd = ConnectFrom(n.port(), "127.0.0.1");
    SendAll(fd, "GET /v1/status HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    rest.push_back(fd);
  }
  for (int fd : rest) CHECK(ParseRaw(ReadUntilClose(fd, 5000)).status == 200);
  CloseAll(rest);
  // The ninth stream: the documented refusal, 503 with Retry-After; REST still answers after it.
  auto extra = GetFrom(n.port(), Attacker(4), "/v1/events");
  CheckProblem(extra, 503, "resource-exhausted");
  CHECK(extra.headers.count("retry-after"));
  CHECK(Timed(n.port(), "/v1/status", &took).status == 200);
  CloseAll(streams);
}

TEST_CASE("issue 19 finding 11: the pools are bounded by the descriptor limit") {
  http::ServerOptions o;  // defaults: 2048 + 64 + 1024 event streams
  CHECK(o.max_sse_streams == 1024);
  std::string note;
  // A generous limit changes nothing.
  auto same = http::BoundByDescriptors(o, 1 << 16, &note);
  CHECK(same.max_sse_streams == 1024);
  CHECK(same.max_connections == 2048);
  CHECK(note.empty());
  // `ulimit -n 1024`: 256 descriptors for the pools (768 kept for storage's open tables, p2p,
  // logs), streams a quarter, the reserve an eighth.
  auto low = http::BoundByDescriptors(o, 1024, &note);
  CHECK(low.max_sse_streams == 64);
  CHECK(low.reserved_connections == 32);
  CHECK(low.max_connections == 256 - 64 - 32);
  CHECK(low.max_connections + low.reserved_connections + low.max_sse_streams <=
        1024 - http::kDescriptorsKeptForProcess);
  CHECK(note.find("sse_max_clients 1024 -> 64") != std::string::npos);
  // Small configured pools are kept as they are.
  http::ServerOptions small;
  small.max_connections = 4;
  small.reserved_connections = 0;
  small.max_sse_streams = 8;
  CHECK(http::BoundByDescriptors(small, 1024, nullptr).max_sse_streams == 8);
  CHECK(http::BoundByDescriptors(small, 1024, nullptr).max_connections == 4);
  // The node raises its soft limit to the hard one.
  CHECK(http::RaiseDescriptorLimit() >= 256);
  // http.max_sse_clients is another name of http.sse_max_clients.
  auto c = config::ParseNodeConfig(json{{"chain_id", "c"}, {"http", {{"max_sse_clients", 8}}}});
  REQUIRE(c.ok());
  CHECK(c->http.sse_max_clients == 8);
  CHECK(!config::ParseNodeConfig(json{{"chain_id", "c"}, {"http", {{"max_sse_clients", 0}}}}).ok());
}

TEST_CASE(
    "availability: 1000 idle connections do not deny status and a client has a bounded share") {
  Node n;  // defaults: 64 connections per client
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i) {
    int fd = ConnectFrom(n.port(), Attacker(i / 50));
    REQUIRE(fd >= 0);
    idle.push_back(fd);
  }
  REQUIRE(WaitFor([&] { return n.MetricIs("tidemark_http_open_connections 1000"); }));
  Clock::duration took;
  for (const char* target : {"/v1/status", "/healthz", "/v1/blocks"}) {
    auto r = Timed(n.port(), target, &took);
    CHECK(r.status == 200);
    CHECK(took < 1s);
  }
  // Client 127.0.0.2 holds 50; 14 more fit, the 15th is refused with 429.
  for (int i = 0; i < 14; ++i) idle.push_back(ConnectFrom(n.port(), Attacker(0)));
  REQUIRE(WaitFor([&] { return n.MetricIs("tidemark_http_open_connections 1014"); }));
  auto refused = GetFrom(n.port(), Attacker(0), "/healthz");
  CheckProblem(refused, 429, "too-many-connections-from-client");
  CHECK(refused.headers.count("retry-after"));
  CHECK(n.MetricIs("tidemark_http_refused_total{reason=\"client_connections\"} 1"));
  CloseAll(idle);
}

TEST_CASE("availability: the reserve serves essential routes when the connection pool is full") {
  auto cfg = Node::Default();
  cfg.http.max_connections = 8;
  cfg.http.reserved_connections = 4;
  Node n(cfg);
  std::vector<int> idle;
  for (int i = 0; i < 8; ++i) idle.push_back(ConnectFrom(n.port(), Attacker(i)));
  REQUIRE(WaitFor([&] { return n.MetricIs("tidemark_http_open_connections 8"); }));
  Clock::duration took;
  for (const char* target : {"/healthz", "/readyz", "/v1/status"}) {
    auto r = Timed(n.port(), target, &took);
    CHECK(r.status == 200);
    CHECK(took < 1s);
  }
  auto scan = Timed(n.port(), "/01/09506000134352", &took, "Accept: application/json\r\n");
  CHECK(scan.status != 503);
  CHECK(scan.status != 0);
  CheckProblem(GetFrom(n.port(), "127.0.0.1", "/v1/blocks"), 503, "too-many-connections");
  CHECK(n.MetricIs("tidemark_http_refused_total{reason=\"reserve_route\"} 1"));
  CloseAll(idle);
  REQUIRE(WaitFor([&] { return n.MetricIs("tidemark_http_open_connections 0"); }));
  CHECK(GetFrom(n.port(), "127.0.0.1", "/v1/blocks").status == 200);
}

TEST_CASE("availability: a slowloris is cut off by the header deadline and denies nobody") {
  auto cfg = Node::Default();
  cfg.http.header_timeout_ms = 1000;  // read_timeout_ms stays 10 s: the header deadline cuts
  Node n(cfg);
  const std::string request =
      "GET /v1/status HTTP/1.1\r\nHost: a\r\nX-Pad: " + std::string(200, 'p') + "\r\n\r\n";
  std::vector<int> slow;
  for (int i = 0; i < 300; ++i) {
    int fd = ConnectFrom(n.port(), Attacker(i / 30));
    REQUIRE(fd >= 0);
    slow.push_back(fd);
  }
  std::vector<std::string> got(slow.size());
  std::vector<bool> cut(slow.size(), false);
  auto start = Clock::now();
  size_t sent = 0;
  bool honest_ok = true;
  // One byte per connection every 50 ms: the whole header would take > 10 s.
  while (Clock::now() - start < 4s && sent < request.size()) {
    for (size_t i = 0; i < slow.size(); ++i) {
      if (cut[i]) continue;
      char buf[4096];
      ssize_t k = ::recv(slow[i], buf, sizeof buf, MSG_DONTWAIT);
      if (k > 0) got[i].append(buf, static_cast<size_t>(k));
      if (k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        cut[i] = true;
        continue;
      }
      if (::send(slow[i], &request[sent], 1, MSG_NOSIGNAL) != 1) cut[i] = true;
    }
    ++sent;
    if (sent % 10 == 0) {  // the honest client, meanwhile
      Clock::duration took;
      auto r = Timed(n.port(), "/v1/status", &took);
      honest_ok = honest_ok && r.status == 200 && took < 1s;
    }
    if (std::all_of(cut.begin(), cut.end(), [](bool c) { return c; })) break;
    std::this_thread::sleep_for(50ms);
  }
  auto elapsed = Clock::now() - start;
  CHECK(honest_ok);
  size_t answered_408 = 0;
  for (size_t i = 0; i < slow.size(); ++i) {
    got[i] += ReadUntilClose(slow[i], 2000);
    if (ParseRaw(got[i]).status == 408) ++answered_408;
  }
  CHECK(std::all_of(cut.begin(), cut.end(), [](bool c) { return c; }));
  CHECK(answered_408 == slow.size());
  CHECK(elapsed < 3s);  // cut at ~1 s, not at the 10 s read timeout
  CHECK(sent < request.size());
  CloseAll(slow);
  CHECK(n.MetricIs("tidemark_http_refused_total{reason=\"header_timeout\"} 300"));
}

TEST_CASE("availability: parked ?wait=commit requests hold no thread: status and healthz answer") {
  auto cfg = Node::Default();
  cfg.http.handler_threads = 4;
  Node n(cfg);
  // Signed by known keys with nonces ahead of the next one: admitted, never executable.
  std::vector<std::thread> waiters;
  std::vector<int> codes(8, 0);
  for (int i = 0; i < 8; ++i) {
    waiters.emplace_back([&, i] {
      Transaction tx = MakeTx(TestKey(static_cast<uint8_t>(20 + i)), 5);
      std::string body = json{{"tx", ToHex(tx.Encode())}}.dump();
      int fd = ConnectFrom(n.port(), Attacker(i));
      SendAll(fd,
              "POST /v1/txs?wait=commit&timeout_ms=3000 HTTP/1.1\r\nHost: a\r\n"
              "Connection: close\r\nContent-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body);
      codes[i] = ParseRaw(ReadUntilClose(fd, 8000)).status;
      ::close(fd);
    });
  }
  REQUIRE(WaitFor([&] { return n.ledger.pool().Stats().txs == 8; }));
  std::this_thread::sleep_for(100ms);  // all eight handlers have run
  Clock::duration took;
  for (const char* target : {"/v1/status", "/healthz", "/v1/blocks"}) {
    auto r = Timed(n.port(), target, &took);
    CHECK(r.status == 200);
    CHECK(took < 1s);
  }
  // A parked request is answered on commit, not at its timeout.
  Transaction ready = MakeTx(TestKey(40), 0);
  std::string body = json{{"tx", ToHex(ready.Encode())}}.dump();
  int fd = ConnectFrom(n.port(), "127.0.0.1");
  auto start = Clock::now();
  SendAll(fd,
          "POST /v1/txs?wait=commit&timeout_ms=3000 HTTP/1.1\r\nHost: a\r\n"
          "Connection: close\r\nContent-Type: application/json\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body);
  REQUIRE(WaitFor([&] { return n.ledger.pool().Find(ready.Id()).ok(); }));
  n.ledger.CommitBlock();
  RawResponse committed = ParseRaw(ReadUntilClose(fd, 5000));
  ::close(fd);
  CHECK(committed.status == 200);
  CHECK(json::parse(committed.body)["status"] == "committed");
  CHECK(Clock::now() - start < 2s);
  for (auto& t : waiters) t.join();
  for (int c : codes) CHECK(c == 202);  // still pending at their timeout
}

TEST_CASE(
    "availability: parked ?wait=commit requests are bounded and the next gets 503 unsubmitted") {
  auto cfg = Node::Default();
  cfg.http.max_commit_waiters = 2;
  Node n(cfg);
  std::vector<std::thread> waiters;
  for (int i = 0; i < 2; ++i) {
    waiters.emplace_back([&, i] {
      Transaction tx = MakeTx(TestKey(static_cast<uint8_t>(20 + i)), 5);
      auto r = Request(n.port(), "POST", "/v1/txs?wait=commit&timeout_ms=1500",
                       json{{"tx", ToHex(tx.Encode())}}.dump(), "application/json");
      CHECK(r.status == 202);
    });
  }
  REQUIRE(WaitFor([&] { return n.ledger.pool().Stats().txs == 2; }));
  std::this_thread::sleep_for(100ms);
  Transaction third = MakeTx(TestKey(30), 5);
  auto busy = Request(n.port(), "POST", "/v1/txs?wait=commit",
                      json{{"tx", ToHex(third.Encode())}}.dump(), "application/json");
  CheckProblem(busy, 503, "too-many-waiters");
  CHECK(busy.headers["retry-after"] == "1");
  CHECK_FALSE(n.ledger.pool().Find(third.Id()).ok());  // refused before it was submitted
  for (auto& t : waiters) t.join();
  // The slots are free again.
  auto later = Request(n.port(), "POST", "/v1/txs?wait=commit&timeout_ms=100",
                       json{{"tx", ToHex(third.Encode())}}.dump(), "application/json");
  CHECK(later.status == 202);
}

TEST_CASE("availability: a client above its request rate gets 429 while another is served") {
  auto cfg = Node::Default();
  cfg.http.requests_per_second_per_client = 5;
  cfg.http.request_burst_per_client = 5;
  Node n(cfg);
  int ok = 0;
  RawResponse limited;
  for (int i = 0; i < 12; ++i) {
    auto r = GetFrom(n.port(), Attacker(0), "/healthz");
    if (r.status == 200) ++ok;
    if (r.status == 429) limited = r;
  }
  CHECK(ok <= 7);  // the burst, and what refilled meanwhile
  CheckProblem(limited, 429, "rate-limited");
  REQUIRE(limited.headers.count("retry-after"));
  CHECK(std::stoi(limited.headers["retry-after"]) >= 1);
  Clock::duration took;
  auto other = Timed(n.port(), "/v1/status", &took);
  CHECK(other.status == 200);
  CHECK(took < 1s);
  CHECK(n.MetricIs("tidemark_http_refused_total{reason=\"client_rate\"}"));
  std::this_thread::sleep_for(1200ms);  // the bucket refills
  CHECK(GetFrom(n.port(), Attacker(0), "/healthz").status == 200);
}
