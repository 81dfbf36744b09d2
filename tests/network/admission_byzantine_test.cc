// Process test of admission control against a Byzantine leader (issue #12, docs/api.md
// §Admission and limits): three honest `tidemark-node` processes and one Byzantine validator
// (byzantine_node.h) that puts a tx of an unregistered key into every block it proposes. Honest
// validators do not vote for such a block, so the tx reaches no block; the chain goes on.
#include <catch2/catch.hpp>

#include "byzantine_node.h"
#include "net_util.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;

namespace {

Transaction PartyTx(const KeyPair& k, const std::string& chain, uint64_t nonce,
                    const std::string& id) {
  Transaction tx{.chain_id = chain,
                 .nonce = nonce,
                 .contract = "prov",
                 .method = "register_party",
                 .args = Value::MakeMap({{"id", Value(id)}, {"name", Value("P")}}).Encode()};
  tx.SignWith(k);
  return tx;
}

}  // namespace

TEST_CASE("admission: a Byzantine leader cannot put a stranger's tx into a block") {
  TestNet net("tidemark-admit-byz");
  const std::vector<size_t> honest = {0, 1, 2};
  const size_t bad = 3;
  HonestPeers joined = StartHonest(net, honest);
  ByzantineNode byz(net.NodeKey(bad), joined.genesis,
                    {.chain_id = net.chain, .listen_port = P2pPort(net.nodes[bad])}, joined.peers);
  REQUIRE(byz.Start().ok());
  REQUIRE(WaitFor([&] { return byz.connected() == 3; }));

  Seed seed;
  seed.data.fill(0x66);
  Transaction stranger = PartyTx(KeyPair::FromSeed(seed), net.chain, 1, "stranger");
  byz.StuffProposals({stranger});
  REQUIRE(WaitFor([&] { return byz.stuffed_proposals() >= 3; }, 40s));  // it led 3 rounds

  // The honest three still commit, and none of them holds the stranger's tx in any form.
  KeyPair admin = net.AdminKey(0);
  auto r = Submit(net.nodes[1], PartyTx(admin, net.chain, 1, "legit"), /*wait=*/true);
  REQUIRE(r);
  CHECK((*r)["status"] == "committed");
  for (size_t i : honest) {
    auto seen = net.nodes[i].Http().Get("/v1/txs/" + stranger.Id().Hex());
    REQUIRE(seen.ok());
    INFO(seen->body);
    CHECK(seen->status == 404);
  }
  uint64_t h = net.MinHeight(honest);
  CHECK(net.SameChain(honest, h));
  for (uint64_t height = 1; height <= h; ++height) {
    auto b = net.nodes[0].Get("/v1/blocks/" + std::to_string(height));
    REQUIRE(b);
    for (const auto& tx : (*b)["txs"]) CHECK(tx["signer"] != stranger.signer.Hex());
  }
  byz.Stop();
}
