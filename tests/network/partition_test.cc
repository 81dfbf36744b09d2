// Process test: a 2/2 partition of four validators (the test-only fault layer) commits nothing,
// loses nothing, and commits resume once it heals.
#include <catch2/catch.hpp>

#include "net_util.h"

using namespace tidemark;
using namespace tidemark::testing;

TEST_CASE("partition: a 2/2 split commits nothing, loses nothing, and resumes when healed") {
  TestNet net("tidemark-partition");
  net.StartAll();
  const std::vector<size_t> all = {0, 1, 2, 3};
  KeyPair admin = net.AdminKey(0);
  uint64_t nonce = 1;
  auto before = TestPut(admin, net.chain, nonce++, "before", 1);
  auto r = Submit(net.nodes[0], before, /*wait=*/true);
  REQUIRE(r);
  REQUIRE((*r)["status"] == "committed");
  REQUIRE(WaitFor([&] { return net.MinHeight(all) >= 5; }));
  uint64_t pre = net.MinHeight(all);
  std::vector<std::string> pre_ids;
  for (uint64_t h = 1; h <= pre; ++h) pre_ids.push_back(net.BlockId(0, h));

  net.Partition({{0, 1}, {2, 3}});
  // Messages already inside a node when the cut took effect may still finish a commit; after a
  // short settling time no side has a quorum, so the heights must stay where they are.
  std::this_thread::sleep_for(1s);
  uint64_t cut = net.MaxHeight(all);
  auto left = TestPut(admin, net.chain, nonce++, "left", 2);
  auto right = TestPut(net.AdminKey(2), net.chain, 1, "right", 3);
  REQUIRE(Submit(net.nodes[1], left, false));
  REQUIRE(Submit(net.nodes[3], right, false));
  std::this_thread::sleep_for(4s);  // the observation window: several round timeouts
  CHECK(net.MaxHeight(all) == cut);
  for (size_t i : all) {
    auto s = net.nodes[i].Get("/v1/status");
    REQUIRE(s);
    CHECK((*s)["peers"].get<int>() == 3);  // links are up; the fault layer drops the messages
  }
  CHECK((*net.nodes[1].Get("/v1/txs/" + left.Id().Hex()))["status"] == "pending");

  net.Heal(all);
  // Both sides' txs commit everywhere and the chain grows past the cut.
  REQUIRE(WaitFor(
      [&] {
        for (size_t i : all) {
          for (const auto* tx : {&left, &right}) {
            auto t = net.nodes[i].Get("/v1/txs/" + tx->Id().Hex());
            if (!t || (*t)["status"] != "committed") return false;
          }
        }
        return net.MinHeight(all) > cut + 2;
      },
      40s));
  uint64_t top = net.MinHeight(all);
  CHECK(net.SameChain(all, top));
  for (uint64_t h = 1; h <= pre; ++h) CHECK(net.BlockId(3, h) == pre_ids[h - 1]);
  for (size_t i : all) {
    auto t = net.nodes[i].Get("/v1/txs/" + before.Id().Hex());
    REQUIRE(t);
    CHECK((*t)["status"] == "committed");
  }
}
