// Retention through the whole node (docs/storage.md, "Retention"): a node that keeps the last 16
// state versions answers 410 Gone for a proof at a pruned height, still proves recent heights and
// its latest state, and answers the same after a restart (the pruning is remembered).
#include <catch2/catch.hpp>

#include "process_util.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;

TEST_CASE(
    "retention: a proof at a pruned height answers 410, recent ones prove, across a restart") {
  NodeProc node =
      InitSoloNetwork("tidemark-retain", "tidemark-retain", 16000 + (::getpid() % 200) * 10);
  REQUIRE(!node.dir.empty());
  {
    json cfg = json::parse(Slurp(node.dir / "node.json"));
    cfg["storage"]["retain_versions"] = 16;
    std::ofstream(node.dir / "node.json", std::ios::trunc) << cfg.dump(2);
  }
  KeyPair admin = LoadKey(node.dir / "admin_key.json");
  node.Start();
  REQUIRE(WaitFor([&] { return node.Ready(); }));
  for (uint64_t nonce = 1; nonce <= 40; ++nonce) {
    auto r = Submit(node, TestPut(admin, "tidemark-retain", nonce, "k", int64_t(nonce)), true);
    REQUIRE(r);
    REQUIRE((*r)["status"] == "committed");
  }
  const std::string key = ToHex(AsBytes("test/k"));
  auto check = [&] {
    uint64_t tip = node.Height();
    REQUIRE(tip >= 40);
    auto gone = node.Http().Get("/v1/state/" + key + "/proof?height=2");
    REQUIRE(gone.ok());
    CHECK(gone->status == 410);
    json problem = json::parse(gone->body, nullptr, false);
    CHECK(problem["type"] == "urn:tidemark:problem:gone");
    CHECK(problem["detail"].get<std::string>().find("pruned") != std::string::npos);
    auto recent = node.Http().Get("/v1/state/" + key + "/proof?height=" + std::to_string(tip - 2));
    REQUIRE(recent.ok());
    CHECK(recent->status == 200);
    auto genesis = node.Http().Get("/v1/state/" + key + "/proof?height=0");  // pinned
    REQUIRE(genesis.ok());
    CHECK(genesis->status == 200);
    auto latest = node.Get("/v1/state/" + key + "/proof");
    REQUIRE(latest);
    CHECK((*latest)["exists"] == true);
    auto certified = node.Get("/v1/state/" + key + "?proof=true");  // the certified tip's version
    REQUIRE(certified);
    CHECK(certified->contains("proof"));
  };
  check();
  node.Kill(SIGTERM);
  node.Start();
  REQUIRE(WaitFor([&] { return node.Ready(); }));
  check();
  node.Kill(SIGTERM);
  fs::remove_all(node.dir.parent_path());
}
