// Process tests: four real `tidemark-node` processes on loopback, made by `tidemark network init`.
#include <catch2/catch.hpp>

#include "process_util.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;

namespace {

struct Network {
  fs::path dir;
  std::vector<NodeProc> nodes;
  std::string chain = "tidemark-proc";

  explicit Network(const std::string& name) {
    dir = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    // Ports from the pid, so parallel test processes do not collide.
    // Below the kernel's ephemeral range (32768+), where other tests' sockets land.
    int base = 10000 + (::getpid() % 1000) * 10;
    pid_t init = Spawn({kCliBinary.string(), "network", "init", "--out", dir.string(), "--chain-id",
                        chain, "--base-http", std::to_string(base), "--base-p2p",
                        std::to_string(base + 5), "--dev-seed", "process-test", "--output", "json"},
                       fs::temp_directory_path() / (name + "-init.log"));
    REQUIRE(init > 0);
    REQUIRE(Wait(init) == 0);
    for (const char* org : {"platform", "customs", "bank", "regulator"}) {
      nodes.push_back(NodeProc::InDir(dir / org));
    }
  }
  ~Network() {
    for (auto& n : nodes) n.Kill();
    DumpLogsOnFailure(nodes);  // a REQUIRE failed: show what the nodes said
    fs::remove_all(dir);
  }
  void StartAll() {
    for (auto& n : nodes) n.Start();
    for (auto& n : nodes) REQUIRE(WaitFor([&] { return n.Ready(); }));
  }
  std::string BlockId(size_t i, uint64_t h) {
    auto b = nodes[i].Get("/v1/blocks/" + std::to_string(h));
    return b ? (*b)["id"].get<std::string>() : "";
  }
};

// The value of one sample line of /metrics (`name{labels} value`); -1 if absent.
double MetricValue(const std::string& text, const std::string& sample) {
  size_t at = text.find("\n" + sample + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + sample.size() + 2));
}

}  // namespace

TEST_CASE("local-4: four processes commit the same chain, lose their leader and take it back") {
  Network net("tidemark-local4");
  net.StartAll();
  KeyPair admin = LoadKey(net.dir / "platform" / "admin_key.json");
  uint64_t nonce = 1;
  for (int i = 0; i < 10; ++i) {
    auto r =
        Submit(net.nodes[i % 4], TestPut(admin, net.chain, nonce++, "k" + std::to_string(i), i),
               /*wait=*/i == 9);
    REQUIRE(r);
  }
  // The last one was submitted with ?wait=commit; the earlier ones precede it in nonce order.
  REQUIRE(WaitFor([&] {
    for (auto& n : net.nodes) {
      auto v = n.Get("/v1/txs/" + TestPut(admin, net.chain, 10, "k9", 9).Id().Hex());
      if (!v || (*v)["status"] != "committed") return false;
    }
    return true;
  }));
  // Identical blocks (hence headers and state roots) at every height on every node.
  uint64_t h = 0;
  REQUIRE(WaitFor([&] {
    h = net.nodes[0].Height();
    for (auto& n : net.nodes) h = std::min(h, n.Height());
    return h >= 3;
  }));
  for (uint64_t height = 1; height <= h; ++height) {
    std::string id = net.BlockId(0, height);
    REQUIRE(!id.empty());
    for (size_t i = 1; i < 4; ++i) CHECK(net.BlockId(i, height) == id);
  }

  // Pipeline metrics on four processes (docs/api.md, "Pipeline metrics"): every validator voted
  // (signed its votes, tallied its peers') and wrote the blocks; leaders built proposals.
  double proposals = 0;
  for (auto& n : net.nodes) {
    auto m = n.Http().Get("/metrics");
    REQUIRE(m.ok());
    const std::string& text = m->body;
    auto count = [&](const char* stage) {
      return MetricValue(text,
                         std::string("tidemark_stage_seconds_count{stage=\"") + stage + "\"}");
    };
    CHECK(count("vote") > 0);
    CHECK(count("commit") > 0);
    CHECK(count("fsync") > 0);
    CHECK(MetricValue(text, "tidemark_txs_committed_total") >= 10);
    proposals += count("proposal");
  }
  CHECK(proposals >= 3);

  // Kill the node that led the latest block; the other three go on committing.
  auto tip = net.nodes[1].Get("/v1/blocks/" + std::to_string(net.nodes[1].Height()));
  REQUIRE(tip);
  size_t victim = 0;  // validators are sorted by org id: bank, customs, platform, regulator
  {
    const char* by_index[] = {"bank", "customs", "platform", "regulator"};
    uint64_t proposer = (*tip)["header"]["proposer"].get<uint64_t>();
    for (size_t i = 0; i < 4; ++i) {
      if (net.nodes[i].dir.filename() == by_index[proposer % 4]) victim = i;
    }
  }
  net.nodes[victim].Kill();
  size_t alive = (victim + 1) % 4;
  auto more = TestPut(admin, net.chain, nonce++, "after-kill", 1);
  auto r = Submit(net.nodes[alive], more, /*wait=*/true);
  REQUIRE(r);
  CHECK((*r)["status"] == "committed");

  // The victim restarts and catches up to the others.
  net.nodes[victim].Start();
  REQUIRE(WaitFor([&] { return net.nodes[victim].Ready(); }));
  uint64_t target = net.nodes[alive].Height();
  REQUIRE(WaitFor([&] { return net.nodes[victim].Height() >= target; }, 30s));
  CHECK(net.BlockId(victim, target) == net.BlockId(alive, target));
  auto seen = net.nodes[victim].Get("/v1/txs/" + more.Id().Hex());
  REQUIRE(seen);
  CHECK((*seen)["status"] == "committed");
}
