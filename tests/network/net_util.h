// net_util.h — a local network of real `tidemark-node` processes for the fault, Byzantine,
// governance, sync and observer process tests: `tidemark network init`, config tweaks per node,
// the test-only fault layer (TIDEMARK_TEST_FAULTS, docs/network.md), logs and block comparisons.
//
//   TestNet net("tidemark-partition", {.fast = true});
//   net.StartAll();
//   net.Partition({{0, 1}, {2, 3}});   // returns once every node applied its fault file
//   net.Heal();
//   net.DropBlockRequests(0, {3});     // node 0 ignores node 3's requests for blocks
//
// Data lives under /dev/shm when it exists (block commits fsync; tmpfs keeps 10,000-block tests
// inside their time budget), otherwise under the temp folder. Ports come from the pid, below the
// kernel's ephemeral range.
//
// Thread safety: one test thread.
#pragma once

#include <cstdlib>
#include <functional>
#include <set>

#include "process_util.h"

namespace tidemark::testing {

struct TestNetOptions {
  std::vector<std::string> orgs = {"platform:PLATFORM,BRAND", "customs:CUSTOMS", "bank:BANK",
                                   "regulator:REGULATOR"};
  int observers = 0;
  // Consensus section written into every node config.
  nlohmann::json consensus = {{"min_block_interval_ms", 20},
                              {"idle_block_interval_ms", 200},
                              {"base_timeout_ms", 500},
                              {"max_backoff_exponent", 3}};
  uint32_t ban_ms = 30'000;
};

inline fs::path FastTempDir() {
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) return "/dev/shm";
  return fs::temp_directory_path();
}

struct TestNet {
  fs::path dir;
  std::string chain = "tidemark-net";
  std::vector<NodeProc> nodes;  // validators in --org order, then observers
  std::vector<std::string> names;
  int base = 0;

  TestNet(const std::string& name, TestNetOptions opt = {}) {
    ::setenv("TIDEMARK_TEST_FAULTS", "1", 1);  // inherited by the node processes
    dir = FastTempDir() / (name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    base = 22000 + (::getpid() % 480) * 20;
    std::vector<std::string> args = NetworkInitArgs(dir, chain, base, name);
    args.insert(args.end(), {"--observers", std::to_string(opt.observers)});
    for (const auto& o : opt.orgs) {
      args.push_back("--org");
      args.push_back(o);
    }
    pid_t init = Spawn(args, fs::temp_directory_path() / (name + "-init.log"));
    REQUIRE(init > 0);
    REQUIRE(Wait(init) == 0);
    for (const auto& o : opt.orgs) names.push_back(o.substr(0, o.find(':')));
    for (int i = 1; i <= opt.observers; ++i) names.push_back("observer-" + std::to_string(i));
    for (const auto& n : names) {
      NodeProc p;
      p.dir = dir / n;
      Configure(p, [&](nlohmann::json& cfg) {
        cfg["consensus"] = opt.consensus;
        cfg["p2p"]["ban_ms"] = opt.ban_ms;
      });
      nodes.push_back(NodeProc::InDir(p.dir));
    }
  }
  ~TestNet() {
    for (auto& n : nodes) n.Kill();
    DumpLogsOnFailure(nodes);  // a REQUIRE failed: show what the nodes said
    fs::remove_all(dir);
  }

  static void Configure(const NodeProc& n, const std::function<void(nlohmann::json&)>& edit) {
    auto cfg = nlohmann::json::parse(Slurp(n.dir / "node.json"));
    edit(cfg);
    std::ofstream(n.dir / "node.json", std::ios::trunc) << cfg.dump(2);
  }

  void Start(size_t i) { nodes[i].Start(); }
  void StartAll() {
    for (auto& n : nodes) n.Start();
    for (auto& n : nodes) REQUIRE(WaitFor([&] { return n.Ready(); }));
  }

  KeyPair NodeKey(size_t i) const { return LoadKey(nodes[i].dir / "node_key.json"); }
  KeyPair AdminKey(size_t i) const { return LoadKey(nodes[i].dir / "admin_key.json"); }
  std::string Log(size_t i) const { return Slurp(nodes[i].dir / "node.log"); }
  size_t LogCount(size_t i, const std::string& text) const {
    std::string log = Log(i);
    size_t count = 0;
    for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++count;
    return count;
  }

  std::string BlockId(size_t i, uint64_t h) const {
    auto b = nodes[i].Get("/v1/blocks/" + std::to_string(h));
    return b ? (*b)["id"].get<std::string>() : "";
  }
  uint64_t MinHeight(const std::vector<size_t>& which) const {
    uint64_t h = UINT64_MAX;
    for (size_t i : which) h = std::min(h, nodes[i].Height());
    return h;
  }
  uint64_t MaxHeight(const std::vector<size_t>& which) const {
    uint64_t h = 0;
    for (size_t i : which) h = std::max(h, nodes[i].Height());
    return h;
  }
  // Every block 1..height is identical on the given nodes.
  bool SameChain(const std::vector<size_t>& which, uint64_t height) const {
    for (uint64_t h = 1; h <= height; ++h) {
      std::string id = BlockId(which[0], h);
      if (id.empty()) return false;
      for (size_t k = 1; k < which.size(); ++k) {
        if (BlockId(which[k], h) != id) return false;
      }
    }
    return true;
  }

  // Replaces node i's fault file (temp file + rename) with one line "<prefix><key>" per peer.
  void WriteFaults(size_t i, const std::string& prefix, const std::vector<size_t>& peers) {
    std::string text;
    for (size_t p : peers) text += prefix + NodeKey(p).public_key().Hex() + "\n";
    fs::path file = nodes[i].dir / "data" / "test_faults";
    std::ofstream(file.string() + ".tmp", std::ios::trunc) << text;
    fs::rename(file.string() + ".tmp", file);
  }
  // Writes node i's fault file (the peers it must not hear or reach) and waits until the node
  // logged that it applied it.
  void Block(size_t i, const std::vector<size_t>& peers) {
    size_t before = LogCount(i, "test faults: blocking");
    WriteFaults(i, "", peers);
    std::string expect = "test faults: blocking " + std::to_string(peers.size()) + " peers";
    REQUIRE(WaitFor(
        [&] { return LogCount(i, "test faults: blocking") > before && LogCount(i, expect) > 0; },
        10s));
  }
  // Node i silently drops what these peers send to ask it for blocks (consensus block and epoch
  // requests, block-sync requests); all other traffic flows. Returns once the node applied it.
  void DropBlockRequests(size_t i, const std::vector<size_t>& peers) {
    const std::string applied = "test faults: dropping block requests of ";
    size_t before = LogCount(i, applied);
    WriteFaults(i, "drop-block-requests ", peers);
    std::string expect = applied + std::to_string(peers.size()) + " peers";
    REQUIRE(WaitFor([&] { return LogCount(i, applied) > before && LogCount(i, expect) > 0; }, 10s));
  }
  // Cuts every link between the groups.
  void Partition(const std::vector<std::vector<size_t>>& groups) {
    for (const auto& g : groups) {
      std::vector<size_t> others;
      for (const auto& h : groups) {
        if (&h != &g) others.insert(others.end(), h.begin(), h.end());
      }
      for (size_t i : g) Block(i, others);
    }
  }
  void Heal(const std::vector<size_t>& which) {
    for (size_t i : which) Block(i, {});
  }
};

}  // namespace tidemark::testing
