// The HTTP server on a loopback ephemeral port: limits, timeouts, connection cap, SSE.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "http_test_client.h"
#include "tidemark/node/http/event_bus.h"
#include "tidemark/node/http/server.h"
#include "tidemark/node/http/static_files.h"
#include "tidemark/node/metrics/registry.h"

using namespace tidemark;
using namespace tidemark::node::http;
using namespace tidemark::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct TestServer {
  EventBus bus{{.ring_capacity = 8}};
  node::metrics::Registry metrics;
  Router router;
  std::unique_ptr<HttpServer> server;
  size_t sse_queue = 64;

  explicit TestServer(ServerOptions o) {
    router.Add("GET", "/hello", [](const HttpRequest& r, const PathParams&) {
      return JsonResponse(200, json{{"hello", r.Query("name") ? *r.Query("name") : "world"}});
    });
    router.Add("POST", "/echo",
               [](const HttpRequest& r, const PathParams&) {
                 return TextResponse(200, "application/octet-stream", r.body);
               },
               {"application/octet-stream"});
    router.Add("GET", "/events", [this](const HttpRequest& r, const PathParams&) {
      std::optional<uint64_t> last;
      if (!r.Header("last-event-id").empty()) last = std::stoull(r.Header("last-event-id"));
      auto sub = bus.Subscribe(last, sse_queue);
      if (!sub.ok()) return ProblemFromStatus(sub.status(), r.path);
      HttpResponse resp;
      resp.event_stream = *sub;
      return resp;
    });
    o.listen_host = "127.0.0.1";
    o.listen_port = 0;
    server = std::make_unique<HttpServer>(o, &router, &metrics);
    REQUIRE(server->Start().ok());
  }
  uint16_t port() const { return server->port(); }
};

bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds limit = 3s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

void CheckProblem(const RawResponse& r, int status) {
  CHECK(r.status == status);
  CHECK(r.headers.at("content-type") == "application/problem+json");
  json j = json::parse(r.body);
  CHECK(j["status"] == status);
}

}  // namespace

TEST_CASE("server: answers, keeps connections alive, counts requests") {
  TestServer s({});
  auto r = Request(s.port(), "GET", "/hello?name=tide%20mark");
  CHECK(r.status == 200);
  CHECK(json::parse(r.body)["hello"] == "tide mark");
  // Two pipelined requests on one connection.
  auto two = SendRaw(s.port(),
                     "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n"
                     "GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  size_t first = two.raw.find("HTTP/1.1 200");
  REQUIRE(first != std::string::npos);
  CHECK(two.raw.find("HTTP/1.1 200", first + 1) != std::string::npos);
  CHECK(s.metrics.Render().find("tidemark_http_requests_total{code=\"200\",route=\"/hello\"} 3") !=
        std::string::npos);
  auto echo = Request(s.port(), "POST", "/echo", "abc", "application/octet-stream");
  CHECK(echo.body == "abc");
  auto head = Request(s.port(), "HEAD", "/hello");
  CHECK(head.status == 200);
  CHECK(head.headers["content-length"] ==
        std::to_string(Request(s.port(), "GET", "/hello").body.size()));
  CHECK(head.body.empty());
}

TEST_CASE("server: oversized header is 431, oversized body 413, garbage 400") {
  TestServer s({.max_body_bytes = 1024, .max_header_bytes = 2048});
  CheckProblem(
      Request(s.port(), "GET", "/hello", "", "", "X-Big: " + std::string(4096, 'a') + "\r\n"), 431);
  CheckProblem(
      Request(s.port(), "POST", "/echo", std::string(5000, 'b'), "application/octet-stream"), 413);
  // A body announced larger than the limit is refused before it is sent.
  CheckProblem(SendRaw(s.port(),
                       "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: "
                       "application/octet-stream\r\nContent-Length: 99999999\r\n\r\n"),
               413);
  CheckProblem(SendRaw(s.port(), "HELLO\r\n\r\n"), 400);
  CheckProblem(SendRaw(s.port(), "GET http://example.com/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
  CHECK(Request(s.port(), "GET", "/hello").status == 200);  // still serving
}

TEST_CASE("server: a slowloris client is disconnected after the read timeout") {
  TestServer s({.read_timeout_ms = 300, .idle_timeout_ms = 300});
  int fd = ConnectLoopback(s.port());
  REQUIRE(fd >= 0);
  std::string req =
      "GET /hello HTTP/1.1\r\nHost: a\r\nX-Pad: " + std::string(100, 'p') + "\r\n\r\n";
  auto start = std::chrono::steady_clock::now();
  bool answered = false;
  std::string got;
  for (char c : req) {
    if (!SendAll(fd, std::string(1, c))) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) {
      answered = true;
      got = ReadUntilClose(fd, 2000);
      break;
    }
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  ::close(fd);
  REQUIRE(answered);
  CHECK(elapsed < 2s);  // the whole request would have taken > 6 s
  RawResponse r = ParseRaw(got);
  CHECK(r.status == 408);
  CHECK(json::parse(r.body)["type"] == "urn:tidemark:problem:request-timeout");
  CHECK(WaitFor([&] { return s.server->open_connections() == 0; }));
  CHECK(s.metrics.Render().find("tidemark_http_timeouts_total 1") != std::string::npos);
  // An idle connection that never sends anything is closed too.
  int idle = ConnectLoopback(s.port());
  std::string idle_got = ReadUntilClose(idle, 3000);
  ::close(idle);
  CHECK(idle_got.empty());
  CHECK(Request(s.port(), "GET", "/hello").status == 200);
}

TEST_CASE("server: connections beyond max_connections get 503 and are closed") {
  TestServer s({.max_connections = 3, .read_timeout_ms = 5000});
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) held.push_back(ConnectLoopback(s.port()));
  REQUIRE(WaitFor([&] { return s.server->open_connections() == 3; }));
  auto refused = Request(s.port(), "GET", "/hello");
  CheckProblem(refused, 503);
  CHECK(json::parse(refused.body)["type"] == "urn:tidemark:problem:too-many-connections");
  for (int fd : held) ::close(fd);
  REQUIRE(WaitFor([&] { return s.server->open_connections() == 0; }));
  CHECK(Request(s.port(), "GET", "/hello").status == 200);
}

TEST_CASE("server: SSE streams events, resumes with Last-Event-ID, sends keep-alives") {
  TestServer s({.sse_keepalive_ms = 100});
  for (int i = 1; i <= 3; ++i) s.bus.Publish("block", "{\"height\":" + std::to_string(i) + "}");
  int fd = ConnectLoopback(s.port());
  SendAll(fd, "GET /events HTTP/1.1\r\nHost: a\r\nLast-Event-ID: 1\r\n\r\n");
  std::string got = ReadUntil(fd, "id: 3\n");
  CHECK(got.find("Content-Type: text/event-stream") != std::string::npos);
  CHECK(got.find("id: 1\n") == std::string::npos);
  CHECK(got.find("id: 2\nevent: block\ndata: {\"height\":2}\n\n") != std::string::npos);
  CHECK(got.find("id: 3\n") != std::string::npos);
  REQUIRE(WaitFor([&] { return s.bus.subscriber_count() == 1; }));
  s.bus.Publish("tx", "{\"id\":\"ab\"}");
  std::string live = ReadUntil(fd, "id: 4\n");
  CHECK(live.find("event: tx\ndata: {\"id\":\"ab\"}") != std::string::npos);
  std::string ka = ReadUntil(fd, ": keep-alive\n\n", 2000);
  CHECK(ka.find(": keep-alive") != std::string::npos);
  ::close(fd);
  CHECK(WaitFor([&] { return s.bus.subscriber_count() == 0; }));
}

TEST_CASE("server: SSE resume from an id older than the ring gets a gap event") {
  TestServer s({});
  for (int i = 1; i <= 12; ++i) s.bus.Publish("block", "{}");  // ring holds 8: ids 5..12
  int fd = ConnectLoopback(s.port());
  SendAll(fd, "GET /events HTTP/1.1\r\nHost: a\r\nLast-Event-ID: 2\r\n\r\n");
  std::string got = ReadUntil(fd, "id: 12\n");
  ::close(fd);
  CHECK(got.find("event: gap\ndata: {\"last_event_id\":2,\"oldest_available\":5}") !=
        std::string::npos);
  CHECK(got.find("id: 5\n") != std::string::npos);
}

TEST_CASE("server: a slow SSE consumer is dropped") {
  TestServer s({.write_timeout_ms = 300});
  s.sse_queue = 4;
  int fd = ConnectLoopback(s.port());
  int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  SendAll(fd, "GET /events HTTP/1.1\r\nHost: a\r\n\r\n");
  REQUIRE(WaitFor([&] { return s.bus.subscriber_count() == 1; }));
  // It never reads: once the socket buffers are full a write stalls and the write deadline cuts
  // it. (A lagging queue no longer drops it, it catches up from the ring: keep publishing.)
  std::string big(64 * 1024, 'x');
  for (int i = 0; i < 400 && s.bus.subscriber_count() > 0; ++i) {
    s.bus.Publish("block", "\"" + big + "\"");
    if (i % 8 == 7) std::this_thread::sleep_for(10ms);
  }
  CHECK(WaitFor([&] { return s.bus.subscriber_count() == 0; }));
  CHECK(WaitFor([&] { return s.server->open_connections() == 0; }));
  ::close(fd);
  CHECK(s.metrics.Render().find("tidemark_sse_dropped_total 0") == std::string::npos);
}

TEST_CASE("server: an SSE client keeps its stream through a burst larger than its queue") {
  // Issue #17: a block with more txs than sse_queue cut the explorer's stream.
  TestServer s({});
  s.sse_queue = 4;
  int fd = ConnectLoopback(s.port());
  SendAll(fd, "GET /events HTTP/1.1\r\nHost: a\r\n\r\n");
  REQUIRE(WaitFor([&] { return s.bus.subscriber_count() == 1; }));
  for (int i = 1; i <= 7; ++i) s.bus.Publish("tx", "{\"n\":" + std::to_string(i) + "}");
  std::string got = ReadUntil(fd, "id: 7\n");
  for (int i = 1; i <= 7; ++i) {
    CHECK(got.find("id: " + std::to_string(i) + "\nevent: tx\n") != std::string::npos);
  }
  CHECK(got.find("event: gap") == std::string::npos);
  CHECK(s.bus.subscriber_count() == 1);
  s.bus.Publish("block", "{}");
  CHECK(ReadUntil(fd, "id: 8\n").find("id: 8\n") != std::string::npos);
  ::close(fd);
}

TEST_CASE("server: static files over the wire carry the CSP and do not escape the root") {
  namespace fs = std::filesystem;
  fs::path base = fs::temp_directory_path() / "tidemark_server_static";
  fs::remove_all(base);
  fs::create_directories(base / "www");
  std::ofstream(base / "www" / "index.html") << "<p>hi</p>";
  std::ofstream(base / "secret.txt") << "TOP SECRET";
  TestServer s({});
  s.router.SetFallback(StaticFiles(base / "www").AsHandler());
  auto index = Request(s.port(), "GET", "/");
  CHECK(index.status == 200);
  CHECK(index.body == "<p>hi</p>");
  CHECK(index.headers["content-security-policy"] == "default-src 'self'");
  for (const char* evil : {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"}) {
    auto r = Request(s.port(), "GET", evil);
    CHECK(r.status == 404);
    CHECK(r.body.find("TOP SECRET") == std::string::npos);
  }
  fs::remove_all(base);
}

TEST_CASE("server: Stop() returns with an SSE client still connected") {
  auto s = std::make_unique<TestServer>(ServerOptions{});
  int fd = ConnectLoopback(s->port());
  SendAll(fd, "GET /events HTTP/1.1\r\nHost: a\r\n\r\n");
  REQUIRE(WaitFor([&] { return s->bus.subscriber_count() == 1; }));
  s->server->Stop();
  CHECK(s->bus.subscriber_count() == 0);
  s->bus.Publish("block", "{}");  // no session left to wake
  ::close(fd);
}
