// Every REST route over the fake ledger, through HttpService on a loopback ephemeral port.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "fake_ledger.h"
#include "http_test_client.h"
#include "tidemark/node/api/http_service.h"

using namespace tidemark;
using namespace tidemark::node;
using namespace tidemark::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct Api : ServedFakeLedger {
  explicit Api(const config::NodeConfig& cfg = Default()) : ServedFakeLedger(cfg) {}
  static config::NodeConfig Default() {
    config::NodeConfig c = LoopbackConfig();
    c.http.wait_commit_timeout_ms = 5000;
    c.http.max_json_depth = 8;
    return c;
  }
  RawResponse Get(const std::string& target) { return Request(http->port(), "GET", target); }
  RawResponse PostJson(const std::string& target, const std::string& body) {
    return Request(http->port(), "POST", target, body, "application/json");
  }
  RawResponse PostTx(const Transaction& tx, const std::string& query = "") {
    return PostJson("/v1/txs" + query, json{{"tx", ToHex(tx.Encode())}}.dump());
  }
};

json Body(const RawResponse& r) { return json::parse(r.body); }

bool WaitForPending(Api& a, const Transaction& tx) {
  for (int i = 0; i < 500; ++i) {
    if (a.ledger.pool().Find(tx.Id()).ok()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

void CheckProblem(const RawResponse& r, int status, const std::string& detail_part = "") {
  CHECK(r.status == status);
  CHECK(r.headers.count("content-type"));
  if (!r.headers.count("content-type")) return;
  CHECK(r.headers.at("content-type") == "application/problem+json");
  json j = Body(r);
  CHECK(j["status"] == status);
  if (!detail_part.empty()) {
    INFO(j.dump());
    CHECK(j["detail"].get<std::string>().find(detail_part) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("api: status, healthz, readyz, metrics") {
  Api a;
  auto s = a.Get("/v1/status");
  REQUIRE(s.status == 200);
  CHECK(Body(s)["chain_id"] == "test-chain");
  CHECK(Body(s)["height"] == 0);
  CHECK(a.Get("/healthz").status == 200);
  CHECK(a.Get("/readyz").status == 200);
  a.ledger.ready = false;
  CheckProblem(a.Get("/readyz"), 503);
  auto m = a.Get("/metrics");
  CHECK(m.status == 200);
  CHECK(m.headers["content-type"].rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(m.body.find("tidemark_http_requests_total{code=\"200\",route=\"/v1/status\"} 1") !=
        std::string::npos);
}

TEST_CASE("api: unknown route 404 and wrong method 405 under /v1") {
  Api a;
  CheckProblem(a.Get("/v1/nothing"), 404);
  auto m = Request(a.http->port(), "DELETE", "/v1/blocks");
  CheckProblem(m, 405);
  CHECK(m.headers["allow"] == "GET, HEAD");
}

TEST_CASE("api: block pages with opaque cursors, newest first") {
  Api a;
  for (int i = 0; i < 5; ++i) a.ledger.CommitBlock();
  std::vector<uint64_t> heights;
  std::string target = "/v1/blocks?limit=2";
  for (int page = 0; page < 5; ++page) {
    auto r = a.Get(target);
    REQUIRE(r.status == 200);
    json j = Body(r);
    for (const auto& b : j["blocks"]) heights.push_back(b["height"]);
    if (j["next_cursor"].is_null()) break;
    target = "/v1/blocks?limit=2&cursor=" + j["next_cursor"].get<std::string>();
  }
  CHECK(heights == std::vector<uint64_t>{5, 4, 3, 2, 1, 0});
  CheckProblem(a.Get("/v1/blocks?limit=0"), 400, "limit");
  CheckProblem(a.Get("/v1/blocks?limit=1000"), 400, "limit");
  CheckProblem(a.Get("/v1/blocks?limit=x"), 400, "limit");
  CheckProblem(a.Get("/v1/blocks?cursor=12"), 400, "cursor");
  CHECK(Body(a.Get("/v1/blocks"))["blocks"].size() == 6);
}

TEST_CASE("api: a block by height and by hash, with a certificate that verifies") {
  Api a;
  KeyPair k = TestKey(9);
  REQUIRE(a.PostTx(MakeTx(k, 0)).status == 202);
  api::BlockRecord committed = a.ledger.CommitBlock();
  auto by_height = a.Get("/v1/blocks/1");
  REQUIRE(by_height.status == 200);
  json b = Body(by_height);
  CHECK(b["id"] == committed.block.Id().Hex());
  CHECK(b["header"]["tx_count"] == 1);
  CHECK(b["txs"][0]["args"]["k"] == "x");
  CHECK(b["txs"][0]["signer"] == k.public_key().Hex());
  CHECK(b["receipts"][0]["status"] == "committed");
  // A client can check the certificate from the JSON alone.
  auto qc = QuorumCert::Decode(*FromHex(b["certificate"]["raw"].get<std::string>()));
  REQUIRE(qc.ok());
  CHECK(qc->Verify(a.ledger.validators(), "test-chain").ok());
  CHECK(qc->data.commit_id.Hex() == b["id"]);
  auto header = BlockHeader::Decode(*FromHex(b["raw_header"].get<std::string>()));
  REQUIRE(header.ok());
  CHECK(header->Id().Hex() == b["id"]);

  auto by_hash = a.Get("/v1/blocks/" + committed.block.Id().Hex());
  REQUIRE(by_hash.status == 200);
  CHECK(Body(by_hash)["header"]["height"] == 1);
  CheckProblem(a.Get("/v1/blocks/99"), 404);
  CheckProblem(a.Get("/v1/blocks/" + std::string(64, 'e')), 404);
  CheckProblem(a.Get("/v1/blocks/latest"), 400);
  CheckProblem(a.Get("/v1/blocks/99999999999999999999"), 400);
  CheckProblem(a.Get("/v1/blocks/" + std::string(64, 'z')), 400);
}

TEST_CASE("api: validators") {
  Api a;
  auto r = a.Get("/v1/validators");
  REQUIRE(r.status == 200);
  json j = Body(r);
  CHECK(j["validators"].size() == 4);
  CHECK(j["quorum"] == 3);
  CHECK(j["validators"][0]["key"] == TestKey(1).public_key().Hex());
}

TEST_CASE("api: submit a tx as JSON or raw bytes, resubmission is idempotent") {
  Api a;
  Transaction tx = MakeTx(TestKey(1), 0);
  auto first = a.PostTx(tx);
  REQUIRE(first.status == 202);
  CHECK(Body(first)["id"] == tx.Id().Hex());
  CHECK(Body(first)["status"] == "pending");
  CHECK(first.headers["location"] == "/v1/txs/" + tx.Id().Hex());
  std::string raw = ToString(tx.Encode());
  auto again = Request(a.http->port(), "POST", "/v1/txs", raw, "application/octet-stream");
  REQUIRE(again.status == 202);
  CHECK(Body(again) == Body(first));
  auto pending = a.Get("/v1/txs/" + tx.Id().Hex());
  REQUIRE(pending.status == 200);
  CHECK(Body(pending)["status"] == "pending");
  CHECK(Body(pending)["tx"]["nonce"] == 0);

  a.ledger.CommitBlock();
  auto committed = a.Get("/v1/txs/" + tx.Id().Hex());
  REQUIRE(committed.status == 200);
  json c = Body(committed);
  CHECK(c["status"] == "committed");
  CHECK(c["height"] == 1);
  CHECK(c["index"] == 0);
  CHECK(c["receipt"]["tx_id"] == tx.Id().Hex());
  auto after = a.PostTx(tx);
  CHECK(after.status == 200);
  CHECK(Body(after)["status"] == "committed");
  CheckProblem(a.Get("/v1/txs/" + std::string(64, '0')), 404);
  CheckProblem(a.Get("/v1/txs/abc"), 400);
}

TEST_CASE("api: bad submissions are problems") {
  Api a;
  CheckProblem(a.PostJson("/v1/txs", "{\"tx\": "), 400, "json");
  CheckProblem(a.PostJson("/v1/txs", "[]"), 400, "expected");
  CheckProblem(a.PostJson("/v1/txs", "{\"tx\": \"zz\"}"), 400, "tx");
  CheckProblem(a.PostJson("/v1/txs", "{\"tx\": \"00\", \"extra\": 1}"), 400, "unknown field");
  CheckProblem(a.PostJson("/v1/txs", "{\"tx\": [[[[[[[[[[[[1]]]]]]]]]]]]}"), 400, "nesting depth");
  CheckProblem(Request(a.http->port(), "POST", "/v1/txs", "{}", "text/plain"), 415);
  CheckProblem(Request(a.http->port(), "POST", "/v1/txs", "", "application/octet-stream"), 400,
               "empty");
  CheckProblem(Request(a.http->port(), "POST", "/v1/txs", "\x01\x02", "application/octet-stream"),
               400);
  Transaction bad_sig = MakeTx(TestKey(1), 0);
  bad_sig.signature.data[5] ^= 0x40;
  CheckProblem(a.PostTx(bad_sig), 401, "signature");
  CheckProblem(a.PostTx(bad_sig), 401, "signature");  // same answer the second time
  CheckProblem(a.PostTx(MakeTx(TestKey(1), 0, "other-chain")), 400, "chain id");
}

TEST_CASE("api: stale nonce 409, pool full 503") {
  Api a;
  KeyPair k = TestKey(1);
  REQUIRE(a.PostTx(MakeTx(k, 0)).status == 202);
  a.ledger.CommitBlock();
  CheckProblem(a.PostTx(MakeTx(k, 0, "test-chain", "again")), 409, "stale nonce");
  for (int i = 10; i < 110; ++i) {
    REQUIRE(a.ledger.pool().Add(MakeTx(TestKey(static_cast<uint8_t>(i)), 0).Encode()).ok());
  }
  auto full = a.PostTx(MakeTx(TestKey(200), 0));
  CheckProblem(full, 503, "mempool full");
  CHECK(full.headers["retry-after"] == "1");
}

TEST_CASE("api: ?wait=commit waits for finality, or answers pending after the timeout") {
  Api a;
  Transaction tx = MakeTx(TestKey(1), 0);
  auto timed_out = a.PostTx(tx, "?wait=commit&timeout_ms=50");
  CHECK(timed_out.status == 202);
  CHECK(Body(timed_out)["status"] == "pending");
  Transaction tx2 = MakeTx(TestKey(2), 0);
  std::thread committer([&] {
    REQUIRE(WaitForPending(a, tx2));
    a.ledger.CommitBlock();
  });
  auto r = a.PostTx(tx2, "?wait=commit");
  committer.join();
  REQUIRE(r.status == 200);
  CHECK(Body(r)["status"] == "committed");
  CHECK(Body(r)["height"] == 1);
  CheckProblem(a.PostTx(tx, "?wait=forever"), 400, "wait");
}

TEST_CASE("api: state proofs of inclusion and absence") {
  Api a;
  a.ledger.PutState({0xab, 0xcd}, {0x01});
  auto in = a.Get("/v1/state/abcd/proof");
  REQUIRE(in.status == 200);
  CHECK(Body(in)["exists"] == true);
  CHECK(Body(in)["value"] == "01");
  CHECK(Body(in)["key"] == "abcd");
  auto out = a.Get("/v1/state/abce/proof?height=0");
  REQUIRE(out.status == 200);
  CHECK(Body(out)["exists"] == false);
  CHECK(Body(out)["value"].is_null());
  CheckProblem(a.Get("/v1/state/xyz/proof"), 400, "key");
  CheckProblem(a.Get("/v1/state/abcd/proof?height=7"), 404);
  CheckProblem(a.Get("/v1/state/abcd/proof?height=-1"), 400, "height");
  CheckProblem(a.Get("/v1/state/" + std::string(4000, 'a') + "/proof"), 400, "longer");
}

TEST_CASE("api: a proof at a pruned height answers 410 Gone with the reason") {
  Api a;
  a.ledger.PutState({0xab, 0xcd}, {0x01});
  a.ledger.CommitBlock();
  a.ledger.PruneBelow(1);
  auto gone = a.Get("/v1/state/abcd/proof?height=0");
  CheckProblem(gone, 410, "pruned");
  CHECK(Body(gone)["type"] == "urn:tidemark:problem:gone");
  CHECK(Body(gone)["title"] == "Gone");
  CHECK(a.Get("/v1/state/abcd/proof?height=1").status == 200);
  CHECK(a.Get("/v1/state/abcd/proof").status == 200);
}

TEST_CASE("api: /v1/events streams committed blocks and txs, resumable") {
  Api a;
  int fd = ConnectLoopback(a.http->port());
  SendAll(fd, "GET /v1/events HTTP/1.1\r\nHost: a\r\n\r\n");
  REQUIRE(ReadUntil(fd, ": connected").find(": connected") != std::string::npos);
  for (int i = 0; i < 200 && a.http->bus().subscriber_count() == 0; ++i) {
    std::this_thread::sleep_for(5ms);
  }
  Transaction tx = MakeTx(TestKey(1), 0);
  REQUIRE(a.PostTx(tx).status == 202);
  a.ledger.CommitBlock();
  std::string got = ReadUntil(fd, "event: tx\n");
  ::close(fd);
  CHECK(got.find("id: 1\nevent: block\ndata: {") != std::string::npos);
  CHECK(got.find("\"height\":1") != std::string::npos);
  CHECK(got.find("id: 2\nevent: tx\n") != std::string::npos);
  // Resume after event 1 with the query form (EventSource's first connection).
  int again = ConnectLoopback(a.http->port());
  SendAll(again, "GET /v1/events?last_event_id=1 HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string replay = ReadUntil(again, "id: 2\n");
  ::close(again);
  CHECK(replay.find("id: 1\n") == std::string::npos);
  CHECK(replay.find("\"status\":\"committed\"") != std::string::npos);
  CheckProblem(a.Get("/v1/events?last_event_id=abc"), 400);
}

TEST_CASE("api: /openapi.json lists exactly the registered routes") {
  Api a;
  auto r = a.Get("/openapi.json");
  REQUIRE(r.status == 200);
  json doc = Body(r);
  CHECK(doc["openapi"] == "3.1.0");
  std::set<std::pair<std::string, std::string>> registered, documented;
  for (const auto& route : a.http->router().Routes()) {
    std::string m = route.method;
    for (auto& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    registered.insert({route.pattern, m});
  }
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      documented.insert({path, method});
      // The server's own refusals (limits, full pools) can answer any route.
      INFO(method << " " << path);
      CHECK(op["responses"].contains("429"));
      CHECK(op["responses"].contains("503"));
    }
  }
  CHECK(registered == documented);
  // rest 12, epcis 65 (the REST binding, OPTIONS included), proof/resolver 7, explorer 8, fin 6,
  // plg 6
  CHECK(registered.size() == 104);
  // Every $ref points at a defined component.
  std::string text = r.body;
  for (size_t pos = 0; (pos = text.find("#/components/", pos)) != std::string::npos; ++pos) {
    size_t end = text.find('"', pos);
    std::string ref = text.substr(pos + 2, end - pos - 2);
    json::json_pointer ptr("/" + ref);
    INFO(ref);
    CHECK(doc.contains(ptr));
  }
}

TEST_CASE("api: the explorer's files are served outside /v1") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "tidemark_api_explorer";
  fs::create_directories(dir);
  std::ofstream(dir / "index.html") << "<title>Tidemark</title>";
  config::NodeConfig cfg = Api::Default();
  cfg.explorer_dir = dir.string();
  Api a(cfg);
  auto r = a.Get("/");
  CHECK(r.status == 200);
  CHECK(r.body == "<title>Tidemark</title>");
  CHECK(r.headers["content-security-policy"] == "default-src 'self'");
  CheckProblem(a.Get("/v1/index.html"), 404);
  fs::remove_all(dir);
}

TEST_CASE("api: a maximum-size tx fits in a JSON body with the default limits") {
  Api a;
  Transaction big = MakeTx(TestKey(1), 0, "test-chain", std::string(kMaxArgsLen - 64, 'a'));
  REQUIRE(big.args.size() <= kMaxArgsLen);
  auto r = a.PostTx(big);
  CHECK(r.status == 202);
  CHECK(Body(r)["id"] == big.Id().Hex());
}
