// The EPCIS 2.0 REST binding route by route (GS1's openapi.yaml, "REST Bindings/"): every route
// template answers, the resource routes and single events, the binding's headers, capture job
// lists, named queries and their subscriptions (webhook and stream) — over the fake ledger
// executing the real contracts.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "fake_ledger.h"
#include "http_test_client.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/node/api/http_service.h"
#include "tidemark/types.h"

using namespace tidemark;
using namespace tidemark::node;
using namespace tidemark::testing;
using nlohmann::json;

namespace {

namespace fs = std::filesystem;

const std::string kBrandToken = "brand-capture-token-1";
const std::string kOtherToken = "brand-capture-token-2";  // same key, another client
const std::string kItem = "https://id.gs1.org/01/10614141073464/21/A1";
const std::string kItemUrn = "urn:epc:id:sgtin:0614141.107346.2017";
const std::string kLoc = "urn:epc:id:sgln:0614141.07346.1234";
const std::string kReadPoint = "urn:epc:id:sgln:0614141.07346.0";
constexpr int64_t kYear3000Ms = 32503680000000;

contracts::Genesis TestGenesis() {
  contracts::Genesis g;
  g.chain_id = "test-chain";
  g.genesis_time_ms = 1767225600000;
  contracts::OrgRecord brand{.id = "brand",
                             .name = "Brand",
                             .roles = {contracts::Role::kBrand, contracts::Role::kManufacturer},
                             .admin_keys = {TestKey(10).public_key()},
                             .validator_key = TestKey(20).public_key()};
  g.orgs = {brand};
  return g;
}

std::string WriteKey(const fs::path& dir, const std::string& name, const KeyPair& k) {
  fs::create_directories(dir);
  fs::path p = dir / (name + ".json");
  std::ofstream(p) << json{{"public_key", k.public_key().Hex()}, {"seed", k.seed().Hex()}}.dump();
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
  return p.string();
}

config::CaptureTokenConfig Token(const std::string& token, const std::string& key_file,
                                 const std::string& label) {
  return config::CaptureTokenConfig{.token_sha256 = Sha256(AsBytes(token)).Hex(),
                                    .key_file = key_file,
                                    .label = label,
                                    .expires_at = contracts::FormatEpcisTime(kYear3000Ms),
                                    .expires_at_ms = kYear3000Ms,
                                    .revoked = false};
}

std::string Enc(const std::string& s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

struct Fixture {
  fs::path dir =
      fs::temp_directory_path() / ("tidemark-epcis-binding-" + std::to_string(::getpid()));
  FakeLedger ledger;
  config::NodeConfig c;
  std::unique_ptr<api::HttpService> http;

  Fixture() {
    fs::remove_all(dir);
    ledger.EnableContracts(TestGenesis());
    c.chain_id = "test-chain";
    c.http.listen = "127.0.0.1:0";
    c.data_dir = (dir / "data").string();
    std::string brand_key = WriteKey(dir, "brand", TestKey(10));
    c.capture_tokens = {Token(kBrandToken, brand_key, "brand"),
                        Token(kOtherToken, brand_key, "brand-2")};
    Restart();
  }
  ~Fixture() {
    http->Stop();
    http.reset();
    fs::remove_all(dir);
  }
  void Restart() {
    if (http) http->Stop();
    http.reset();
    http = std::make_unique<api::HttpService>(c, &ledger);
    REQUIRE(http->Start().ok());
  }
  RawResponse Call(const std::string& method, const std::string& target,
                   const std::string& token = "", const std::string& body = "",
                   const std::string& extra = "") {
    std::string headers = extra;
    if (!token.empty()) headers += "Authorization: Bearer " + token + "\r\n";
    return Request(http->port(), method, target, body, body.empty() ? "" : "application/json",
                   headers);
  }
  RawResponse Get(const std::string& target, const std::string& extra = "") {
    return Call("GET", target, "", "", extra);
  }
  RawResponse Capture(const std::vector<json>& events, const std::string& token = kBrandToken) {
    json doc{{"@context", {"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"}},
             {"type", "EPCISDocument"},
             {"schemaVersion", "2.0"},
             {"creationDate", "2026-02-01T10:00:00Z"},
             {"epcisBody", {{"eventList", events}}}};
    RawResponse r = Call("POST", "/epcis/capture", token, doc.dump());
    if (r.status != 202) WARN("capture: " << r.status << " " << r.body);
    return r;
  }
};

json Commission(const std::string& item, const std::string& event_id = "") {
  json e{{"type", "ObjectEvent"},
         {"action", "ADD"},
         {"bizStep", "commissioning"},
         {"disposition", "active"},
         {"epcList", {item}},
         {"readPoint", {{"id", kReadPoint}}},
         {"bizLocation", {{"id", kLoc}}},
         {"eventTime", "2026-02-01T09:00:00.000+13:00"},
         {"eventTimeZoneOffset", "+13:00"}};
  if (!event_id.empty()) e["eventID"] = event_id;
  return e;
}

json Body(const RawResponse& r) { return json::parse(r.body, nullptr, false); }
json EventList(const RawResponse& r) {
  return Body(r)["epcisBody"]["queryResults"]["resultsBody"]["eventList"];
}

// A local HTTP listener standing for a subscriber's webhook: answers 200 (or `status`), keeps
// every request it got.
struct Webhook {
  int fd = -1;
  uint16_t port = 0;
  std::atomic<bool> stop{false};
  std::atomic<int> status{200};
  std::mutex mu;
  std::vector<RawResponse> got;  // parsed as requests: headers + body (status unused)
  std::thread t;
  Webhook() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    ::listen(fd, 16);
    t = std::thread([this] { Serve(); });
  }
  ~Webhook() {
    stop = true;
    t.join();
    ::close(fd);
  }
  void Serve() {
    while (!stop) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept(fd, nullptr, nullptr);
      if (c < 0) continue;
      std::string raw = ReadUntil(c, "\r\n\r\n", 2000);
      size_t end = raw.find("\r\n\r\n");
      size_t cl = raw.find("Content-Length: ");
      if (end != std::string::npos && cl != std::string::npos) {
        size_t want = std::stoul(raw.substr(cl + 16));
        while (raw.size() < end + 4 + want) {
          char buf[4096];
          pollfd q{c, POLLIN, 0};
          if (::poll(&q, 1, 2000) <= 0) break;
          ssize_t n = ::recv(c, buf, sizeof buf, 0);
          if (n <= 0) break;
          raw.append(buf, static_cast<size_t>(n));
        }
      }
      std::string answer = "HTTP/1.1 " + std::to_string(status.load()) +
                           " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      SendAll(c, answer);
      ::close(c);
      // Reuse the response parser: "POST /x HTTP/1.1" is not a status line, so fake one.
      std::string first = raw.substr(0, raw.find("\r\n"));
      RawResponse r = ParseRaw("HTTP/1.1 200 OK" + raw.substr(raw.find("\r\n")));
      r.raw = first;
      std::lock_guard<std::mutex> lock(mu);
      got.push_back(r);
    }
  }
  size_t Count() {
    std::lock_guard<std::mutex> lock(mu);
    return got.size();
  }
  bool WaitFor(size_t n, int ms = 8000) {
    for (int i = 0; i < ms / 20; ++i) {
      if (Count() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

std::string Hmac(const std::string& key, const std::string& body) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  crypto_auth_hmacsha256_final(&st, mac);
  std::string out;
  static const char* d = "0123456789abcdef";
  for (unsigned char c : mac) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

const json kStepQuery = {{"name", "commissioned"},
                         {"query", {{"EQ_bizStep", json::array({"commissioning"})}}}};

}  // namespace

TEST_CASE("epcis binding: every route template of GS1's OpenAPI answers (none is 404 or 405)") {
  Fixture f;
  auto cap = f.Capture({Commission(kItem, "urn:uuid:6f2b3a2e-1c1e-4f5e-9c1a-0a7d2b9e4c11")});
  REQUIRE(cap.status == 202);
  std::string capture_id = Body(cap)["captureID"];
  f.ledger.CommitBlock();
  REQUIRE(f.Call("POST", "/epcis/queries", kBrandToken, kStepQuery.dump()).status == 201);
  Webhook hook;
  auto sub = f.Call(
      "POST", "/epcis/queries/commissioned/subscriptions", kBrandToken,
      json{{"dest", "http://127.0.0.1:" + std::to_string(hook.port) + "/cb"}, {"stream", true}}
          .dump());
  REQUIRE(sub.status == 201);
  std::string sub_id = Body(sub)["subscriptionID"];

  // The 29 path templates of "REST Bindings/openapi.yaml", with the method that reads each
  // (DELETE for /nextPageToken/{token}, its only method), under the node's /epcis base.
  const std::vector<std::pair<std::string, std::string>> kTemplates = {
      {"/", "/"},
      {"/capture", "/capture"},
      {"/capture/{captureID}", "/capture/" + capture_id},
      {"/events", "/events"},
      {"/events/{eventID}", "/events/" + Enc("urn:uuid:6f2b3a2e-1c1e-4f5e-9c1a-0a7d2b9e4c11")},
      {"/eventTypes", "/eventTypes"},
      {"/eventTypes/{eventType}", "/eventTypes/ObjectEvent"},
      {"/eventTypes/{eventType}/events", "/eventTypes/ObjectEvent/events"},
      {"/epcs", "/epcs"},
      {"/epcs/{epc}", "/epcs/" + Enc(kItem)},
      {"/epcs/{epc}/events", "/epcs/" + Enc(kItem) + "/events"},
      {"/bizSteps", "/bizSteps"},
      {"/bizSteps/{bizStep}", "/bizSteps/commissioning"},
      {"/bizSteps/{bizStep}/events", "/bizSteps/commissioning/events"},
      {"/bizLocations", "/bizLocations"},
      {"/bizLocations/{bizLocation}", "/bizLocations/" + Enc(kLoc)},
      {"/bizLocations/{bizLocation}/events", "/bizLocations/" + Enc(kLoc) + "/events"},
      {"/readPoints", "/readPoints"},
      {"/readPoints/{readPoint}", "/readPoints/" + Enc(kReadPoint)},
      {"/readPoints/{readPoint}/events", "/readPoints/" + Enc(kReadPoint) + "/events"},
      {"/dispositions", "/dispositions"},
      {"/dispositions/{disposition}", "/dispositions/active"},
      {"/dispositions/{disposition}/events", "/dispositions/active/events"},
      {"/queries", "/queries"},
      {"/queries/{queryName}", "/queries/commissioned"},
      {"/queries/{queryName}/events", "/queries/commissioned/events"},
      {"/queries/{queryName}/subscriptions", "/queries/commissioned/subscriptions"},
      {"/queries/{queryName}/subscriptions/{subscriptionID}",
       "/queries/commissioned/subscriptions/" + sub_id},
      {"/nextPageToken/{token}", "/nextPageToken/abc"},
  };
  REQUIRE(kTemplates.size() == 29);
  for (const auto& [tmpl, path] : kTemplates) {
    std::string target = path == "/" ? "/epcis/" : "/epcis" + path;
    std::string method = tmpl == "/nextPageToken/{token}" ? "DELETE" : "GET";
    auto r = f.Call(method, target, kBrandToken);
    INFO(method << " " << tmpl << " -> " << r.status << " " << r.body.substr(0, 300));
    CHECK(r.status != 404);
    CHECK(r.status != 405);
    CHECK(r.status < 500);
    if (tmpl != "/readPoints/{readPoint}/events")
      CHECK(r.status / 100 == 2);  // EQ_readPoint: e19-query
    if (tmpl != "/nextPageToken/{token}") {
      auto o = f.Call("OPTIONS", target);
      CHECK(o.status == 204);
      CHECK(!o.headers["allow"].empty());
      CHECK(o.headers["gs1-epcis-min"] == "2.0.0");
      CHECK(o.headers["gs1-epcis-max"] == "2.0.0");
      CHECK(o.headers["gs1-cbv-min"] == "2.0.0");
      CHECK(o.headers["gs1-cbv-max"] == "2.0.0");
      CHECK(!o.headers["gs1-vendor-version"].empty());
    }
  }
}

TEST_CASE("epcis binding: resource lists are paged; their /events run the query of the resource") {
  Fixture f;
  REQUIRE(f.Capture({Commission(kItem), Commission(kItemUrn)}).status == 202);
  f.ledger.CommitBlock();

  auto steps = f.Get("/epcis/bizSteps");
  REQUIRE(steps.status == 200);
  CHECK(Body(steps) == json::array({"commissioning"}));
  CHECK(Body(f.Get("/epcis/dispositions")) == json::array({"active"}));
  CHECK(Body(f.Get("/epcis/eventTypes")) == json::array({"ObjectEvent"}));
  CHECK(Body(f.Get("/epcis/bizLocations")).size() == 1);
  CHECK(Body(f.Get("/epcis/readPoints")) == json::array({kReadPoint}));
  json root = Body(f.Get("/epcis"));
  CHECK(std::find(root.begin(), root.end(), "queries") != root.end());

  // Two EPCs, one a page: a Link to the next page, then the end.
  auto p1 = f.Get("/epcis/epcs?perPage=1");
  REQUIRE(p1.status == 200);
  REQUIRE(Body(p1).size() == 1);
  std::string link = p1.headers["link"];
  INFO(link);
  REQUIRE(link.find("rel=\"next\"") != std::string::npos);
  std::string next = link.substr(1, link.find('>') - 1);
  auto p2 = f.Get(next);
  REQUIRE(p2.status == 200);
  REQUIRE(Body(p2).size() == 1);
  CHECK(Body(p2)[0] != Body(p1)[0]);
  CHECK(p2.headers.count("link") == 0);
  CHECK(f.Get("/epcis/epcs?perPage=0").status == 400);
  CHECK(f.Get("/epcis/epcs?nextPageToken=zz").status == 400);

  // The /events of each resource, and the request's own parameters on top.
  CHECK(EventList(f.Get("/epcis/epcs/" + Enc(kItem) + "/events")).size() == 1);
  CHECK(EventList(f.Get("/epcis/epcs/" + Enc(kItemUrn) + "/events")).size() == 1);
  CHECK(EventList(f.Get("/epcis/bizSteps/commissioning/events")).size() == 2);
  CHECK(EventList(f.Get("/epcis/bizSteps/" + Enc("https://ref.gs1.org/cbv/BizStep-commissioning") +
                        "/events"))
            .size() == 2);
  CHECK(EventList(f.Get("/epcis/bizSteps/shipping/events")).empty());
  CHECK(EventList(f.Get("/epcis/bizLocations/" + Enc(kLoc) + "/events")).size() == 2);
  CHECK(EventList(f.Get("/epcis/dispositions/active/events")).size() == 2);
  CHECK(EventList(f.Get("/epcis/eventTypes/ObjectEvent/events")).size() == 2);
  CHECK(EventList(f.Get("/epcis/eventTypes/AggregationEvent/events")).empty());
  CHECK(
      EventList(f.Get("/epcis/bizSteps/commissioning/events?MATCH_anyEPC=" + Enc(kItem))).size() ==
      1);

  // Errors: unknown resource values, a parameter given twice, a bad parameter.
  auto nt = f.Get("/epcis/eventTypes/FooEvent");
  CHECK(nt.status == 404);
  CHECK(Body(nt)["type"] == "epcisException:NoSuchNameException");
  CHECK(f.Get("/epcis/eventTypes/FooEvent/events").status == 404);
  CHECK(f.Get("/epcis/epcs/" + Enc("https://id.gs1.org/01/10614141073464/21/NOPE")).status == 404);
  CHECK(f.Get("/epcis/bizSteps/shipping").status == 404);
  CHECK(f.Get("/epcis/bizSteps/commissioning").status == 200);
  auto twice = f.Get("/epcis/eventTypes/ObjectEvent/events?eventType=AggregationEvent");
  CHECK(twice.status == 412);
  CHECK(Body(twice)["type"] == "epcisException:QueryParameterException");
  CHECK(f.Get("/epcis/bizSteps/commissioning/events?EQ_bizStep=shipping").status == 400);
  CHECK(f.Get("/epcis/bizSteps/commissioning/events?NOT_A_param=1").status == 400);
}

TEST_CASE("epcis binding: one event by eventID (URL-encoded urn:uuid and ni hashes)") {
  Fixture f;
  const std::string id = "urn:uuid:0b0f4a4e-7d2c-4c4e-8a7e-5d6f1e2c3b4a";
  REQUIRE(f.Capture({Commission(kItem, id)}).status == 202);
  f.ledger.CommitBlock();
  auto r = f.Get("/epcis/events/" + Enc(id));
  REQUIRE(r.status == 200);
  json list = EventList(r);
  REQUIRE(list.size() == 1);
  CHECK(list[0]["eventID"] == id);
  CHECK(Body(r)["type"] == "EPCISQueryDocument");
  auto missing = f.Get("/epcis/events/" + Enc("urn:uuid:00000000-0000-4000-8000-000000000000"));
  CHECK(missing.status == 404);
  CHECK(Body(missing)["type"] == "epcisException:NoSuchNameException");
  auto ni =
      f.Get("/epcis/events/" +
            Enc("ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69"
                "?ver=CBV2.0"));
  CHECK(ni.status == 404);
}

TEST_CASE("epcis binding: version negotiation, GS1-EPC-Format, GS1-Extensions, vendor version") {
  Fixture f;
  REQUIRE(f.Capture({Commission(kItemUrn)}).status == 202);
  f.ledger.CommitBlock();
  auto ok = f.Get("/epcis/events", "GS1-EPCIS-Min: 1.2.0\r\nGS1-EPCIS-Max: 2.0.0\r\n");
  CHECK(ok.status == 200);
  CHECK(ok.headers["gs1-epcis-version"] == "2.0.0");
  CHECK(ok.headers["gs1-cbv-version"] == "2.0.0");
  CHECK(!ok.headers["gs1-vendor-version"].empty());
  for (std::string h : {"GS1-EPCIS-Min: 2.1.0", "GS1-EPCIS-Max: 1.2.0", "GS1-CBV-Min: 3.0",
                        "GS1-CBV-Max: 1.2", "GS1-EPCIS-Version: 1.2", "GS1-CBV-Version: 1.2.0",
                        "GS1-EPCIS-Min: two", "GS1-EPC-Format: Sometimes"}) {
    for (std::string path : {"/epcis/events", "/epcis/bizSteps", "/epcis/queries"}) {
      auto r = f.Get(path, h + "\r\n");
      INFO(h << " " << path << " " << r.body);
      CHECK(r.status == 406);
      CHECK(Body(r)["type"] == "epcisException:NotAcceptable");
    }
  }
  // A refused capture (406) writes nothing.
  size_t before = f.ledger.pool().Stats().txs;
  CHECK(f.Call("POST", "/epcis/capture", kBrandToken, "{}", "GS1-EPCIS-Min: 3.0\r\n").status ==
        406);
  CHECK(f.ledger.pool().Stats().txs == before);

  // Identifiers in the answer: as captured, or translated on request.
  auto asis = f.Get("/epcis/events");
  CHECK(EventList(asis)[0]["epcList"][0] == kItemUrn);
  CHECK(asis.headers["gs1-epc-format"] == "No_Preference");
  auto dl = f.Get("/epcis/events", "GS1-EPC-Format: Always_GS1_Digital_Link\r\n");
  REQUIRE(dl.status == 200);
  CHECK(dl.headers["gs1-epc-format"] == "Always_GS1_Digital_Link");
  CHECK(EventList(dl)[0]["epcList"][0] == "https://id.gs1.org/01/10614141073464/21/2017");
  CHECK(EventList(f.Get("/epcis/events",
                        "GS1-EPC-Format: Never_Translates\r\n"))[0]["epcList"][0] == kItemUrn);
  // Back to a URN needs the company prefix length (product master data); none here: as captured.
  CHECK(EventList(f.Get("/epcis/events", "GS1-EPC-Format: Always_EPC_URN\r\n"))[0]["epcList"][0] ==
        kItemUrn);
  json epcs = Body(f.Get("/epcis/epcs", "GS1-EPC-Format: Always_GS1_Digital_Link\r\n"));
  CHECK(epcs == json::array({"https://id.gs1.org/01/10614141073464/21/2017"}));

  auto ext = f.Get("/epcis/events", "GS1-Extensions: example=http://ns.example.com/epcis/\r\n");
  CHECK(ext.headers["gs1-extensions"] == "example=http://ns.example.com/epcis/");
}

TEST_CASE("epcis binding: capture discovery, limits, error behaviour, and a token's own jobs") {
  Fixture f;
  auto o = f.Call("OPTIONS", "/epcis/capture");
  REQUIRE(o.status == 204);
  CHECK(o.headers["allow"] == "OPTIONS, POST, GET");
  CHECK(o.headers["gs1-epcis-capture-limit"] == std::to_string(contracts::kMaxEventsPerCapture));
  CHECK(o.headers["gs1-epcis-capture-file-size-limit"] == std::to_string(f.c.http.max_body_bytes));
  CHECK(o.headers["gs1-capture-error-behaviour"] == "rollback");

  // No token: 401 and nothing listed.
  auto anon = f.Get("/epcis/capture");
  CHECK(anon.status == 401);
  CHECK(Body(anon)["type"] == "epcisException:SecurityException");
  CHECK(f.Call("GET", "/epcis/capture", "not-a-token").status == 401);

  auto a = f.Capture({Commission(kItem)});
  auto b = f.Capture({Commission(kItemUrn)});
  REQUIRE(a.status == 202);
  REQUIRE(b.status == 202);
  CHECK(a.headers["gs1-capture-error-behaviour"] == "rollback");
  // proceed is not offered: refused, nothing submitted.
  size_t before = f.ledger.pool().Stats().txs;
  CHECK(f.Call("POST", "/epcis/capture", kBrandToken, "{}",
               "GS1-Capture-Error-Behaviour: proceed\r\n")
            .status == 400);
  CHECK(f.ledger.pool().Stats().txs == before);
  f.ledger.CommitBlock();

  auto mine = f.Call("GET", "/epcis/capture", kBrandToken);
  REQUIRE(mine.status == 200);
  json jobs = Body(mine);
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0]["captureID"] == Body(b)["captureID"]);  // newest first
  CHECK(jobs[1]["captureID"] == Body(a)["captureID"]);
  CHECK(jobs[0]["running"] == false);
  CHECK(jobs[0]["success"] == true);
  CHECK(jobs[0]["errors"].empty());
  CHECK(mine.headers["gs1-epcis-capture-limit"] == std::to_string(contracts::kMaxEventsPerCapture));
  // Another token (even of the same member key) sees none of them.
  CHECK(Body(f.Call("GET", "/epcis/capture", kOtherToken)).empty());
  // Paged.
  auto p1 = f.Call("GET", "/epcis/capture?perPage=1", kBrandToken);
  REQUIRE(Body(p1).size() == 1);
  std::string link = p1.headers["link"];
  REQUIRE(!link.empty());
  auto p2 = f.Call("GET", link.substr(1, link.find('>') - 1), kBrandToken);
  REQUIRE(Body(p2).size() == 1);
  CHECK(Body(p2)[0]["captureID"] == Body(a)["captureID"]);
  auto job = f.Get("/epcis/capture/" + Body(a)["captureID"].get<std::string>());
  CHECK(job.headers["gs1-capture-error-behaviour"] == "rollback");

  // POST /events: one event, captured like a one-event document.
  auto one = f.Call("POST", "/epcis/events", kBrandToken,
                    Commission("https://id.gs1.org/01/10614141073464/21/B2").dump());
  CHECK(one.status == 202);
  CHECK(f.Call("POST", "/epcis/events", "", Commission(kItem).dump()).status == 401);
}

TEST_CASE("epcis binding: named queries — create, read, run, delete; owners, bounds, restart") {
  Fixture f;
  REQUIRE(f.Capture({Commission(kItem)}).status == 202);
  f.ledger.CommitBlock();

  // Refusals change nothing.
  CHECK(f.Call("POST", "/epcis/queries", "", kStepQuery.dump()).status == 401);
  CHECK(f.Call("POST", "/epcis/queries", "bad-token", kStepQuery.dump()).status == 401);
  CHECK(f.Call("POST", "/epcis/queries", kBrandToken, R"({"name":"x"})").status == 400);
  CHECK(f.Call("POST", "/epcis/queries", kBrandToken, R"({"name":"a b","query":{}})").status ==
        400);
  auto bad = f.Call("POST", "/epcis/queries", kBrandToken,
                    R"({"name":"bad","query":{"NOT_a_param":["x"]}})");
  CHECK(bad.status == 400);
  CHECK(Body(f.Get("/epcis/queries")).empty());

  auto made = f.Call("POST", "/epcis/queries", kBrandToken, kStepQuery.dump());
  REQUIRE(made.status == 201);
  CHECK(made.headers["location"] == "/epcis/queries/commissioned");
  CHECK(f.Call("POST", "/epcis/queries", kBrandToken, kStepQuery.dump()).status == 409);
  json list = Body(f.Get("/epcis/queries"));
  REQUIRE(list.size() == 1);
  CHECK(list[0]["name"] == "commissioned");
  CHECK(list[0]["query"] == kStepQuery["query"]);
  CHECK(Body(f.Get("/epcis/queries/commissioned"))["query"] == kStepQuery["query"]);
  CHECK(f.Get("/epcis/queries/nope").status == 404);
  CHECK(f.Get("/epcis/queries/nope/events").status == 404);
  CHECK(EventList(f.Get("/epcis/queries/commissioned/events")).size() == 1);
  CHECK(
      EventList(f.Get("/epcis/queries/commissioned/events?MATCH_anyEPC=" + Enc(kItemUrn))).empty());
  CHECK(f.Get("/epcis/queries/commissioned/events?EQ_bizStep=shipping").status == 400);
  CHECK(f.Get("/epcis/queries/commissioned/events?hour=1").status == 400);

  // Restart: the named query is still there (the node's data dir).
  f.Restart();
  CHECK(Body(f.Get("/epcis/queries/commissioned"))["query"] == kStepQuery["query"]);

  // Only its creator deletes it.
  CHECK(f.Call("DELETE", "/epcis/queries/commissioned").status == 401);
  auto other = f.Call("DELETE", "/epcis/queries/commissioned", kOtherToken);
  CHECK(other.status == 403);
  CHECK(Body(other)["type"] == "epcisException:SecurityException");
  CHECK(f.Get("/epcis/queries/commissioned").status == 200);
  CHECK(f.Call("DELETE", "/epcis/queries/commissioned", kBrandToken).status == 204);
  CHECK(f.Get("/epcis/queries/commissioned").status == 404);
  CHECK(f.Call("DELETE", "/epcis/queries/commissioned", kBrandToken).status == 404);
  f.Restart();
  CHECK(f.Get("/epcis/queries/commissioned").status == 404);

  // Bounded: at most 100 named queries on a node.
  for (int i = 0; i < 100; ++i) {
    json q{{"name", "q" + std::to_string(i)}, {"query", {{"EQ_bizStep", "shipping"}}}};
    REQUIRE(f.Call("POST", "/epcis/queries", kBrandToken, q.dump()).status == 201);
  }
  auto full = f.Call("POST", "/epcis/queries", kBrandToken, kStepQuery.dump());
  CHECK(full.status == 409);
  CHECK(Body(full)["detail"].get<std::string>().find("at most 100") != std::string::npos);
  CHECK(f.Get("/epcis/queries/commissioned").status == 404);
}

TEST_CASE("epcis binding: a webhook subscription gets each committed matching event, signed") {
  Fixture f;
  REQUIRE(f.Call("POST", "/epcis/queries", kBrandToken, kStepQuery.dump()).status == 201);
  Webhook hook;
  std::string dest = "http://127.0.0.1:" + std::to_string(hook.port) + "/cb";
  const std::string path = "/epcis/queries/commissioned/subscriptions";
  json sub{{"dest", dest}, {"stream", true}, {"signatureToken", "s3cret"}, {"secret", "abc"}};

  // Refusals: no token, a destination off the allow-list, https, a schedule, no stream.
  CHECK(f.Call("POST", path, "", sub.dump()).status == 401);
  json off = sub;
  off["dest"] = "http://10.0.0.1/cb";
  auto r_off = f.Call("POST", path, kBrandToken, off.dump());
  CHECK(r_off.status == 403);
  off["dest"] = "https://127.0.0.1/cb";
  CHECK(f.Call("POST", path, kBrandToken, off.dump()).status == 400);
  off["dest"] = "ftp://127.0.0.1/cb";
  CHECK(f.Call("POST", path, kBrandToken, off.dump()).status == 400);
  json sched = sub;
  sched.erase("stream");
  sched["schedule"] = {{"hour", "1"}};
  auto r_sched = f.Call("POST", path, kBrandToken, sched.dump());
  CHECK(r_sched.status == 400);
  CHECK(Body(r_sched)["type"] == "epcisException:SubscriptionControlsException");
  sched.erase("schedule");
  CHECK(f.Call("POST", path, kBrandToken, sched.dump()).status == 400);
  CHECK(f.Call("POST", "/epcis/queries/nope/subscriptions", kBrandToken, sub.dump()).status == 404);
  CHECK(Body(f.Call("GET", path, kBrandToken)).empty());

  auto made = f.Call("POST", path, kBrandToken, sub.dump());
  REQUIRE(made.status == 201);
  std::string id = Body(made)["subscriptionID"];
  CHECK(made.headers["location"] == path + "/" + id);
  CHECK(!Body(made).contains("signatureToken"));
  CHECK(!Body(made).contains("secret"));
  CHECK(Body(f.Call("GET", path, kBrandToken)).size() == 1);
  CHECK(Body(f.Call("GET", path, kOtherToken)).empty());
  CHECK(f.Call("GET", path + "/" + id, kOtherToken).status == 403);
  CHECK(f.Call("DELETE", path + "/" + id, kOtherToken).status == 403);
  CHECK(f.Call("GET", path + "/" + id, kBrandToken).status == 200);

  REQUIRE(f.Capture({Commission(kItem)}).status == 202);
  f.ledger.CommitBlock();
  REQUIRE(hook.WaitFor(1));
  RawResponse got;
  {
    std::lock_guard<std::mutex> lock(hook.mu);
    got = hook.got[0];
  }
  CHECK(got.raw == "POST /cb?secret=abc HTTP/1.1");
  json doc = json::parse(got.body);
  CHECK(doc["type"] == "EPCISQueryDocument");
  json events = doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"];
  REQUIRE(events.size() == 1);
  CHECK(events[0]["epcList"][0] == kItem);
  CHECK(doc["epcisBody"]["queryResults"]["subscriptionID"] == id);
  CHECK(got.headers["x-tidemark-signature"] == "sha256=" + Hmac("s3cret", got.body));

  // A block with no matching event sends nothing; the next matching one sends only itself.
  json ship = Commission(kItem);
  ship["action"] = "OBSERVE";
  ship["bizStep"] = "shipping";
  REQUIRE(f.Capture({ship}).status == 202);
  f.ledger.CommitBlock();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CHECK(hook.Count() == 1);
  REQUIRE(f.Capture({Commission(kItemUrn)}).status == 202);
  f.ledger.CommitBlock();
  REQUIRE(hook.WaitFor(2));
  {
    std::lock_guard<std::mutex> lock(hook.mu);
    json d2 = json::parse(hook.got[1].body);
    json e2 = d2["epcisBody"]["queryResults"]["resultsBody"]["eventList"];
    REQUIRE(e2.size() == 1);
    CHECK(e2[0]["epcList"][0] == kItemUrn);
  }

  // Survives a restart; deleted by its owner, then nothing more arrives.
  f.Restart();
  CHECK(f.Call("GET", path + "/" + id, kBrandToken).status == 200);
  CHECK(f.Call("DELETE", path + "/" + id, kBrandToken).status == 204);
  CHECK(f.Call("GET", path + "/" + id, kBrandToken).status == 404);
  REQUIRE(f.Capture({Commission("https://id.gs1.org/01/10614141073464/21/C3")}).status == 202);
  f.ledger.CommitBlock();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CHECK(hook.Count() == 2);
}

TEST_CASE("epcis binding: a subscription follows every page: new events after a full first page") {
  Fixture f;
  // perPage=1: the query's first page is full after one event; a worker that read only the
  // first page would never see the second and third commissioning.
  json q = kStepQuery;
  q["name"] = "paged";
  q["query"]["perPage"] = "1";
  REQUIRE(f.Call("POST", "/epcis/queries", kBrandToken, q.dump()).status == 201);
  Webhook hook;
  json sub{{"dest", "http://127.0.0.1:" + std::to_string(hook.port) + "/cb"}, {"stream", true}};
  REQUIRE(f.Call("POST", "/epcis/queries/paged/subscriptions", kBrandToken, sub.dump()).status ==
          201);
  const std::vector<std::string> items = {kItem, kItemUrn,
                                          "https://id.gs1.org/01/10614141073464/21/C3"};
  for (size_t i = 0; i < items.size(); ++i) {
    REQUIRE(f.Capture({Commission(items[i])}).status == 202);
    f.ledger.CommitBlock();
    REQUIRE(hook.WaitFor(static_cast<int>(i + 1)));
    std::lock_guard<std::mutex> lock(hook.mu);
    json e = json::parse(hook.got[i].body)["epcisBody"]["queryResults"]["resultsBody"]["eventList"];
    REQUIRE(e.size() == 1);
    CHECK(e[0]["epcList"][0] == items[i]);
  }
}

TEST_CASE("epcis binding: a failing webhook is retried with backoff, then the batch is given up") {
  Fixture f;
  REQUIRE(f.Call("POST", "/epcis/queries", kBrandToken, kStepQuery.dump()).status == 201);
  Webhook hook;
  hook.status = 500;
  json sub{{"dest", "http://127.0.0.1:" + std::to_string(hook.port) + "/cb"}, {"stream", true}};
  auto made = f.Call("POST", "/epcis/queries/commissioned/subscriptions", kBrandToken, sub.dump());
  REQUIRE(made.status == 201);
  std::string id = Body(made)["subscriptionID"];
  REQUIRE(f.Capture({Commission(kItem)}).status == 202);
  f.ledger.CommitBlock();
  REQUIRE(hook.WaitFor(4, 10000));  // 4 attempts (250, 500, 1000 ms apart)
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(hook.Count() == 4);
  json s;
  for (int i = 0; i < 50; ++i) {
    s = Body(f.Call("GET", "/epcis/queries/commissioned/subscriptions/" + id, kBrandToken));
    if (s.value("failed", 0) == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(s["failed"] == 1);
  CHECK(s["delivered"] == 0);
}

TEST_CASE(
    "epcis binding: a streaming subscriber (stream=true, server-sent events) gets new events") {
  Fixture f;
  REQUIRE(f.Call("POST", "/epcis/queries", kBrandToken, kStepQuery.dump()).status == 201);
  CHECK(f.Get("/epcis/queries/commissioned/events?stream=yes").status == 400);
  CHECK(f.Get("/epcis/queries/commissioned/events?stream=true",
              "Upgrade: websocket\r\nConnection: Upgrade\r\n")
            .status == 400);
  int fd = ConnectLoopback(f.http->port());
  REQUIRE(fd >= 0);
  SendAll(fd,
          "GET /epcis/queries/commissioned/events?stream=true HTTP/1.1\r\nHost: x\r\n"
          "Accept: text/event-stream\r\n\r\n");
  std::string head = ReadUntil(fd, "\r\n\r\n", 3000);
  INFO(head);
  REQUIRE(head.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(head.find("text/event-stream") != std::string::npos);
  REQUIRE(f.Capture({Commission(kItem)}).status == 202);
  f.ledger.CommitBlock();
  std::string got = ReadUntil(fd, "}\n\n", 8000);
  // Deleting the query tells its streaming clients.
  REQUIRE(f.Call("DELETE", "/epcis/queries/commissioned", kBrandToken).status == 204);
  std::string last = ReadUntil(fd, "event: queryDeleted", 3000);
  CHECK(last.find("event: queryDeleted") != std::string::npos);
  ::close(fd);
  INFO(got);
  REQUIRE(got.find("event: EPCISQueryDocument") != std::string::npos);
  size_t data = got.find("data: ");
  REQUIRE(data != std::string::npos);
  json doc = json::parse(got.substr(data + 6, got.find('\n', data) - data - 6));
  json events = doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"];
  REQUIRE(events.size() == 1);
  CHECK(events[0]["epcList"][0] == kItem);
}

TEST_CASE(
    "epcis binding: subscriptions start after what is committed, are bounded, and obey the "
    "configured allow-list") {
  Fixture f;
  REQUIRE(f.Call("POST", "/epcis/queries", kBrandToken, kStepQuery.dump()).status == 201);
  REQUIRE(f.Capture({Commission(kItem)}).status == 202);
  f.ledger.CommitBlock();
  Webhook hook;
  const std::string path = "/epcis/queries/commissioned/subscriptions";
  json sub{{"dest", "http://127.0.0.1:" + std::to_string(hook.port) + "/cb"}, {"stream", true}};
  auto made = f.Call("POST", path, kBrandToken, sub.dump());
  REQUIRE(made.status == 201);
  // An unrelated block: the event committed before the subscription is not sent.
  json ship = Commission(kItem);
  ship["action"] = "OBSERVE";
  ship["bizStep"] = "shipping";
  REQUIRE(f.Capture({ship}).status == 202);
  f.ledger.CommitBlock();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CHECK(hook.Count() == 0);
  // initialRecordTime in the past: what was committed since then is sent.
  json back = sub;
  back["initialRecordTime"] = "2000-01-01T00:00:00Z";
  REQUIRE(f.Call("POST", path, kBrandToken, back.dump()).status == 201);
  REQUIRE(f.Capture({Commission(kItemUrn)}).status == 202);
  f.ledger.CommitBlock();
  REQUIRE(hook.WaitFor(2));  // the first: the new event; the second: both
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  size_t total = 0;
  {
    std::lock_guard<std::mutex> lock(hook.mu);
    for (const auto& g : hook.got) {
      total += json::parse(g.body)["epcisBody"]["queryResults"]["resultsBody"]["eventList"].size();
    }
  }
  CHECK(hook.Count() == 2);
  CHECK(total == 3);

  // At most 100 subscriptions on the node; the refusal adds none.
  for (int i = 2; i < 100; ++i)
    REQUIRE(f.Call("POST", path, kBrandToken, sub.dump()).status == 201);
  auto full = f.Call("POST", path, kBrandToken, sub.dump());
  CHECK(full.status == 409);
  CHECK(Body(full)["type"] == "epcisException:SubscriptionControlsException");
  CHECK(Body(f.Call("GET", path, kBrandToken)).size() == 100);
  CHECK(f.Get("/epcis/queries/commissioned/events?stream=true").status == 409);

  // The allow-list is the node config's epcis_webhook_hosts.
  f.c.epcis_webhook_hosts = {"localhost"};
  f.Restart();
  REQUIRE(f.Call("POST", "/epcis/queries", kBrandToken,
                 json{{"name", "other"}, {"query", {{"EQ_bizStep", "shipping"}}}}.dump())
              .status == 201);
  CHECK(f.Call("POST", "/epcis/queries/other/subscriptions", kBrandToken, sub.dump()).status ==
        403);
}

TEST_CASE("epcis binding: Always_EPC_URN uses the product's company prefix length") {
  Fixture f;
  Value args = Value::MakeMap({{"gtin", Value(std::string("10614141073464"))},
                               {"name", Value(std::string("Tin"))},
                               {"origin_country", Value(std::string("FR"))},
                               {"company_prefix_length", Value(int64_t{7})}});
  Transaction tx{.chain_id = "test-chain",
                 .nonce = 1,
                 .contract = "prov",
                 .method = "register_product",
                 .args = args.Encode()};
  tx.SignWith(TestKey(10));
  REQUIRE(f.ledger.SubmitTx(tx.Encode()).ok());
  f.ledger.CommitBlock();
  REQUIRE(f.Capture({Commission("https://id.gs1.org/01/10614141073464/21/2017")}).status == 202);
  f.ledger.CommitBlock();
  auto urn = f.Get("/epcis/events", "GS1-EPC-Format: Always_EPC_URN\r\n");
  REQUIRE(urn.status == 200);
  REQUIRE(EventList(urn).size() == 1);
  CHECK(EventList(urn)[0]["epcList"][0] == kItemUrn);
  CHECK(Body(f.Get("/epcis/epcs", "GS1-EPC-Format: Always_EPC_URN\r\n")) ==
        json::array({kItemUrn}));
}
