// Process test of issue #15: a validator restarted while its peers drop its block requests (the
// test-only fault `drop-block-requests`, docs/network.md) stays behind while the fault holds, and
// catches up to the same chain once they answer again — it keeps asking.
#include <catch2/catch.hpp>
#include <regex>

#include "net_util.h"

using namespace tidemark;
using namespace tidemark::testing;

namespace {

struct Dropped {
  uint64_t consensus = 0;
  uint64_t sync = 0;
};

// What node i reported dropping from `key` (the lines "test faults: dropped N block requests
// from <key> (consensus C, sync S)" it logs when its drop set changes).
Dropped DroppedFrom(const TestNet& net, size_t i, const std::string& key) {
  Dropped out;
  std::string log = net.Log(i);
  std::regex line("dropped [0-9]+ block requests from " + key +
                  " \\(consensus ([0-9]+), sync ([0-9]+)\\)");
  for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator();
       ++it) {
    out.consensus += std::stoull((*it)[1].str());
    out.sync += std::stoull((*it)[2].str());
  }
  return out;
}

}  // namespace

TEST_CASE("fetch: a validator restarted while its peers drop its block requests still catches up") {
  TestNet net("tidemark-fetch");
  net.StartAll();
  const std::vector<size_t> all = {0, 1, 2, 3};
  const std::vector<size_t> others = {0, 1, 2};
  const size_t victim = 3;
  const std::string victim_key = net.NodeKey(victim).public_key().Hex();
  REQUIRE(WaitFor([&] { return net.MinHeight(all) >= 3; }));

  uint64_t at_kill = net.MaxHeight(all);  // the victim may still commit one more before it dies
  net.nodes[victim].Kill();
  REQUIRE(WaitFor([&] { return net.MinHeight(others) >= at_kill + 12; }));

  // The three peers ignore the victim's asks for blocks; nothing else of its traffic is touched.
  for (size_t i : others) net.DropBlockRequests(i, {victim});
  net.Start(victim);
  REQUIRE(WaitFor([&] { return net.nodes[victim].Get("/v1/status").has_value(); }));
  uint64_t restarted = net.nodes[victim].Height();

  // The fault window: the others go on (the victim's votes still reach them, its proposals and
  // blocks are not needed), but the blocks the victim lacks can reach it only as answers to its
  // requests, so it stays where it restarted.
  std::this_thread::sleep_for(5s);
  uint64_t behind = net.nodes[victim].Height();
  uint64_t others_at_clear = net.MinHeight(others);
  CHECK(behind == restarted);
  REQUIRE(others_at_clear >= restarted + 10);

  // Clearing the fault makes each peer log what it dropped from the victim meanwhile.
  auto cleared_at = std::chrono::steady_clock::now();
  for (size_t i : others) net.DropBlockRequests(i, {});
  Dropped dropped;
  for (size_t i : others) {
    Dropped d = DroppedFrom(net, i, victim_key);
    dropped.consensus += d.consensus;
    dropped.sync += d.sync;
  }
  INFO("dropped from the victim: consensus " << dropped.consensus << ", sync " << dropped.sync);
  // It asked through both paths, and asked again while unanswered.
  CHECK(dropped.consensus >= 1);
  CHECK(dropped.sync >= 1);
  CHECK(dropped.consensus + dropped.sync >= 4);

  // Every request it made before the clear was dropped, so reaching the others' height needs a
  // request made (or at least received) after it: the victim must have kept asking.
  REQUIRE(WaitFor([&] { return net.nodes[victim].Height() >= others_at_clear; }, 30s));
  auto caught_up_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - cleared_at)
                          .count();
  std::printf(
      "fetch_restart: restarted at height %llu, %llu blocks behind; caught up %lld ms "
      "after the fault cleared (dropped: consensus %llu, sync %llu)\n",
      static_cast<unsigned long long>(restarted),
      static_cast<unsigned long long>(others_at_clear - restarted),
      static_cast<long long>(caught_up_ms), static_cast<unsigned long long>(dropped.consensus),
      static_cast<unsigned long long>(dropped.sync));

  // It follows the chain from there on, identical at every height.
  uint64_t top = 0;
  REQUIRE(WaitFor(
      [&] {
        top = net.MinHeight(all);
        return top >= others_at_clear + 3;
      },
      20s));
  CHECK(net.SameChain(all, top));
}
