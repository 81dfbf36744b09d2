#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tidemark/node/api/http_service.h"
#include "tidemark/node/config/config.h"

using namespace tidemark;
using namespace tidemark::node::config;
using nlohmann::json;

TEST_CASE("config: only chain_id is required, everything else has a default") {
  auto c = ParseNodeConfig(json{{"chain_id", "c"}});
  REQUIRE(c.ok());
  CHECK(c->chain_id == "c");
  CHECK(c->http.listen == "127.0.0.1:8080");
  CHECK(c->http.max_body_bytes == (2u << 20));
  CHECK(c->mempool.max_txs == 20000);
  CHECK(c->log_level == "info");
  CHECK_FALSE(ParseNodeConfig(json::object()).ok());
}

TEST_CASE("config: values override defaults") {
  auto c = ParseNodeConfig(json{{"chain_id", "c"},
                                {"http", {{"listen", "[::1]:9000"}, {"max_connections", 3}}},
                                {"p2p", {{"peers", {"10.0.0.1:26656"}}}},
                                {"mempool", {{"nonce_window", 9}}}});
  REQUIRE(c.ok());
  CHECK(c->http.max_connections == 3);
  CHECK(c->p2p.peers == std::vector<std::string>{"10.0.0.1:26656"});
  CHECK(c->mempool.nonce_window == 9);
  auto hp = SplitHostPort(c->http.listen);
  CHECK(hp->first == "::1");
  CHECK(hp->second == 9000);
}

TEST_CASE("config: the availability limits reach the server and the REST layer") {
  json http{{"reserved_connections", 0},
            {"max_connections_per_client", 3},
            {"requests_per_second_per_client", 7},
            {"request_burst_per_client", 9},
            {"max_sse_per_client", 2},
            {"max_queued_requests", 11},
            {"header_timeout_ms", 900},
            {"essential_threads", 2},
            {"sse_max_clients", 12},
            {"sse_max_duration_ms", 60000},
            {"max_commit_waiters", 5}};
  auto c = ParseNodeConfig(json{{"chain_id", "c"}, {"http", http}});
  REQUIRE(c.ok());
  node::http::ServerOptions o = node::api::ServerOptionsFrom(*c);
  CHECK(o.reserved_connections == 0);
  CHECK(o.max_connections_per_client == 3);
  CHECK(o.requests_per_second_per_client == 7);
  CHECK(o.request_burst_per_client == 9);
  CHECK(o.max_sse_per_client == 2);
  CHECK(o.max_queued_requests == 11);
  CHECK(o.header_timeout_ms == 900);
  CHECK(o.essential_threads == 2);
  CHECK(o.max_sse_streams == 12);
  CHECK(o.sse_max_duration_ms == 60000);
  CHECK(node::api::RestOptionsFrom(*c).max_commit_waiters == 5);
  auto again = ParseNodeConfig(NodeConfigToJson(*c));  // every key is written back
  REQUIRE(again.ok());
  CHECK(NodeConfigToJson(*again) == NodeConfigToJson(*c));
  // Defaults are spelled once, in http::ServerOptions.
  auto d = ParseNodeConfig(json{{"chain_id", "c"}});
  REQUIRE(d.ok());
  CHECK(d->http.max_connections_per_client ==
        node::http::ServerOptions{}.max_connections_per_client);
  CHECK(d->http.sse_max_clients == node::http::ServerOptions{}.max_sse_streams);
  for (const char* zero : {"requests_per_second_per_client", "max_connections_per_client",
                           "header_timeout_ms", "max_commit_waiters"}) {
    auto bad = ParseNodeConfig(json{{"chain_id", "c"}, {"http", {{zero, 0}}}});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().message() == std::string("config: http.") + zero + ": must be > 0");
  }
}

TEST_CASE("config: unknown keys are errors naming the key") {
  auto top = ParseNodeConfig(json{{"chain_id", "c"}, {"chainid", "typo"}});
  REQUIRE_FALSE(top.ok());
  CHECK(top.status().message() == "config: unknown key 'chainid'");
  auto nested = ParseNodeConfig(json{{"chain_id", "c"}, {"http", {{"max_body", 1}}}});
  REQUIRE_FALSE(nested.ok());
  CHECK(nested.status().message() == "config: unknown key 'http.max_body'");
}

TEST_CASE("config: wrong types are errors naming the key and the type") {
  auto s = ParseNodeConfig(json{{"chain_id", "c"}, {"http", {{"max_body_bytes", "1MB"}}}});
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message() ==
        "config: http.max_body_bytes: expected a non-negative integer, got string");
  auto neg = ParseNodeConfig(json{{"chain_id", "c"}, {"http", {{"io_threads", -1}}}});
  CHECK_FALSE(neg.ok());
  auto obj = ParseNodeConfig(json{{"chain_id", "c"}, {"http", 5}});
  REQUIRE_FALSE(obj.ok());
  CHECK(obj.status().message().find("http: expected an object") != std::string::npos);
  auto list = ParseNodeConfig(json{{"chain_id", "c"}, {"p2p", {{"peers", {1}}}}});
  REQUIRE_FALSE(list.ok());
  CHECK(list.status().message().find("p2p.peers[0]") != std::string::npos);
  auto big = ParseNodeConfig(json{{"chain_id", "c"}, {"http", {{"read_timeout_ms", 1ull << 40}}}});
  CHECK_FALSE(big.ok());
}

TEST_CASE("config: semantic validation") {
  CHECK_FALSE(ParseNodeConfig(json{{"chain_id", "c"}, {"http", {{"listen", "nohost"}}}}).ok());
  CHECK_FALSE(ParseNodeConfig(json{{"chain_id", "c"}, {"http", {{"listen", "h:99999"}}}}).ok());
  CHECK_FALSE(ParseNodeConfig(json{{"chain_id", "c"}, {"log_level", "loud"}}).ok());
  auto zero = ParseNodeConfig(json{{"chain_id", "c"}, {"mempool", {{"max_txs", 0}}}});
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.status().message() == "config: mempool.max_txs: must be > 0");
}

TEST_CASE("config: LoadNodeConfig resolves relative paths against the file's folder") {
  auto dir = std::filesystem::temp_directory_path() / "tidemark_config_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "node.json");
    f << R"({"chain_id": "c", "data_dir": "d", "genesis_file": "/abs/genesis.json"})";
  }
  auto c = LoadNodeConfig(dir / "node.json");
  REQUIRE(c.ok());
  CHECK(c->data_dir == (dir / "d").string());
  CHECK(c->genesis_file == "/abs/genesis.json");
  {
    std::ofstream f(dir / "bad.json");
    f << R"({"chain_id": "c",)";
  }
  auto bad = LoadNodeConfig(dir / "bad.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("bad.json") != std::string::npos);
  CHECK(LoadNodeConfig(dir / "missing.json").status().code() == Code::kIoError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("config: network-configs/single/node.json loads and round-trips") {
  auto c = LoadNodeConfig(std::string(TIDEMARK_SOURCE_DIR) + "/network-configs/single/node.json");
  REQUIRE(c.ok());
  CHECK(c->chain_id == "tidemark-single");
  CHECK(std::filesystem::exists(c->genesis_file));
  CHECK(std::filesystem::exists(c->validator_key_file));
  auto again = ParseNodeConfig(NodeConfigToJson(*c));
  REQUIRE(again.ok());
  CHECK(NodeConfigToJson(*again) == NodeConfigToJson(*c));
}

TEST_CASE("config: mempool admission quotas have documented defaults and can be set") {
  auto d = ParseNodeConfig(json{{"chain_id", "c"}});
  REQUIRE(d.ok());
  CHECK(d->mempool.nonce_window == 64);
  CHECK(d->mempool.max_signer_txs == 64);
  CHECK(d->mempool.max_signer_bytes == (4u << 20));
  CHECK(d->mempool.max_org_txs == 4000);
  CHECK(d->mempool.max_org_bytes == (16u << 20));
  auto c = ParseNodeConfig(json{{"chain_id", "c"},
                                {"mempool",
                                 {{"max_signer_txs", 5},
                                  {"max_signer_bytes", 6000},
                                  {"max_org_txs", 7},
                                  {"max_org_bytes", 8000}}}});
  REQUIRE(c.ok());
  CHECK(c->mempool.max_signer_txs == 5);
  CHECK(c->mempool.max_signer_bytes == 6000);
  CHECK(c->mempool.max_org_txs == 7);
  CHECK(c->mempool.max_org_bytes == 8000);
  auto back = ParseNodeConfig(NodeConfigToJson(*c));  // round trip
  REQUIRE(back.ok());
  CHECK(back->mempool.max_org_txs == 7);
  CHECK_FALSE(ParseNodeConfig(json{{"chain_id", "c"}, {"mempool", {{"max_org_txs", 0}}}}).ok());
}

TEST_CASE(
    "config: storage.retain_versions has a documented default, 0 keeps all, bad values fail") {
  auto d = ParseNodeConfig(json{{"chain_id", "c"}});
  REQUIRE(d.ok());
  CHECK(d->storage.retain_versions == 10000);
  auto all = ParseNodeConfig(json{{"chain_id", "c"}, {"storage", {{"retain_versions", 0}}}});
  REQUIRE(all.ok());
  CHECK(all->storage.retain_versions == 0);
  auto some = ParseNodeConfig(json{{"chain_id", "c"}, {"storage", {{"retain_versions", 5000}}}});
  REQUIRE(some.ok());
  CHECK(ParseNodeConfig(NodeConfigToJson(*some))->storage.retain_versions == 5000);  // round trip
  auto small = ParseNodeConfig(json{{"chain_id", "c"}, {"storage", {{"retain_versions", 3}}}});
  REQUIRE_FALSE(small.ok());
  CHECK(small.status().message() ==
        "config: storage.retain_versions: 0 (keep every state version) or at least 16, got 3");
  auto negative = ParseNodeConfig(json{{"chain_id", "c"}, {"storage", {{"retain_versions", -1}}}});
  REQUIRE_FALSE(negative.ok());
  CHECK(negative.status().message().find("storage.retain_versions") != std::string::npos);
  auto typo = ParseNodeConfig(json{{"chain_id", "c"}, {"storage", {{"retain", 10}}}});
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.status().message().find("retain") != std::string::npos);
}
