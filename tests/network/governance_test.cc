// Process test: governance end to end on four validator processes. A fifth organisation (its node
// started as an observer) is added by a vote of more than 2/3 of the organisations; its validator
// joins at the epoch boundary and its votes appear in commit certificates; then an organisation
// is removed and the chain goes on without its validator.
#include <catch2/catch.hpp>

#include "net_util.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;

namespace {

Transaction GovTx(const KeyPair& k, const std::string& chain, uint64_t nonce,
                  const std::string& method, Value args) {
  Transaction tx{.chain_id = chain,
                 .nonce = nonce,
                 .contract = "gov",
                 .method = method,
                 .args = args.Encode()};
  tx.SignWith(k);
  return tx;
}

// Submits and waits for the commit; the receipt must say committed.
void MustCommit(const NodeProc& n, const Transaction& tx) {
  auto r = Submit(n, tx, /*wait=*/true);
  REQUIRE(r);
  INFO((*r).dump());
  REQUIRE((*r)["status"] == "committed");
}

json NodeStatusJson(const NodeProc& n) {
  auto s = n.Get("/v1/status");
  return s ? *s : json{};
}

// The validator indices that signed the certificate of block h.
std::set<int> Signers(const NodeProc& n, uint64_t h) {
  std::set<int> out;
  auto b = n.Get("/v1/blocks/" + std::to_string(h));
  if (!b || (*b)["certificate"].is_null()) return out;
  for (const auto& s : (*b)["certificate"]["signatures"]) out.insert(s["index"].get<int>());
  return out;
}

// A light client that trusts only the genesis set verifies the node's current validator set:
// the epoch chain from /v1/epochs leads to the epoch of a certified header whose state holds
// the set (docs/proofs.md).
void CheckVerifiableFromGenesis(const NodeProc& n, uint64_t epoch, size_t validators) {
  INFO(n.dir);
  auto epochs = n.Get("/v1/epochs");
  REQUIRE(epochs);
  CHECK((*epochs)["links"].size() == epoch);
  auto trust = GenesisTrust(n);
  REQUIRE(trust.ok());
  auto answer = n.Get("/v1/state/" + ToHex(AsBytes(kValidatorSetStateKey)) + "?proof=true");
  REQUIRE(answer);
  auto v = VerifyStateAnswer(*trust, *answer);
  INFO((v.ok() ? std::string() : v.status().ToString()));
  REQUIRE(v.ok());
  CHECK(v->epoch == epoch);
  const MultiStateProof::Entry* e = v->Find(kValidatorSetStateKey);
  REQUIRE(e != nullptr);
  REQUIRE(e->value.has_value());
  auto set = ValidatorSet::Decode(*e->value);
  REQUIRE(set.ok());
  CHECK(set->epoch == epoch);
  CHECK(set->size() == validators);
  // The JS verifier follows the same chain (when Node and sdk/js's packages are installed).
  if (auto js = JsVerify(n.dir, *answer, *n.Get("/v1/genesis"))) {
    INFO(js->raw);
    CHECK(js->rc == 0);
    CHECK(js->out["ok"] == true);
    CHECK(js->out["epoch"] == epoch);
  }
}

}  // namespace

TEST_CASE("governance: a fifth organisation joins by a 2/3 vote, validates, and one org leaves") {
  TestNetOptions o;
  o.observers = 1;  // the future fifth organisation's node
  TestNet net("tidemark-gov", o);
  net.StartAll();
  const size_t platform = 0, customs = 1, bank = 2, regulator = 3, fifth = 4;
  const std::vector<size_t> founders = {platform, customs, bank, regulator};
  std::map<size_t, uint64_t> nonce;
  auto next = [&](size_t org) { return ++nonce[org]; };
  KeyPair fifth_admin = KeyPair::Generate();
  PublicKey fifth_node = net.NodeKey(fifth).public_key();

  // 1. Propose the new org with its validator key; three of four vote yes (3 * 3 > 2 * 4).
  Value org =
      Value::MakeMap({{"id", Value("inspector")},
                      {"name", Value("Third-party inspector")},
                      {"roles", Value(Value::List{Value("INSPECTOR")})},
                      {"admin_keys", Value(Value::List{Value(fifth_admin.public_key().Hex())})},
                      {"validator_key", Value(fifth_node.Hex())}});
  MustCommit(net.nodes[platform],
             GovTx(net.AdminKey(platform), net.chain, next(platform), "propose",
                   Value::MakeMap({{"kind", Value("add_org")}, {"org", org}})));
  for (size_t voter : {platform, customs}) {
    MustCommit(net.nodes[voter],
               GovTx(net.AdminKey(voter), net.chain, next(voter), "vote",
                     Value::MakeMap({{"proposal", Value(int64_t{1})}, {"yes", Value(true)}})));
    CHECK(NodeStatusJson(net.nodes[platform])["epoch"] == 0);  // two of four: not yet
  }
  MustCommit(net.nodes[bank],
             GovTx(net.AdminKey(bank), net.chain, next(bank), "vote",
                   Value::MakeMap({{"proposal", Value(int64_t{1})}, {"yes", Value(true)}})));

  // 2. Every node, the new one included, moves to epoch 1 with five validators.
  REQUIRE(WaitFor(
      [&] {
        for (size_t i = 0; i < 5; ++i) {
          json s = NodeStatusJson(net.nodes[i]);
          if (s.is_null() || s["epoch"] != 1 || s["validator_count"] != 5) return false;
        }
        return true;
      },
      30s));
  json fs = NodeStatusJson(net.nodes[fifth]);
  REQUIRE(!fs["validator_index"].is_null());
  int fifth_index = fs["validator_index"].get<int>();
  // Its votes appear in certificates (quorum is 4 of 5, so within a few blocks it must sign).
  uint64_t from = net.nodes[platform].Height();
  REQUIRE(WaitFor(
      [&] {
        uint64_t top = net.MinHeight({platform, fifth});
        for (uint64_t h = from; h <= top; ++h) {
          if (Signers(net.nodes[platform], h).count(fifth_index)) return true;
        }
        return false;
      },
      30s));
  // Txs still commit, through the new node too.
  MustCommit(net.nodes[fifth], TestPut(fifth_admin, net.chain, 1, "from-inspector", 5));
  // The change is provable to a light client on every node, the one that joined included.
  for (size_t i = 0; i < 5; ++i) CheckVerifiableFromGenesis(net.nodes[i], 1, 5);

  // 3. The regulator's node goes down (the other four are a quorum of five) and its org is
  //    removed meanwhile: four of five vote yes (4 * 3 > 2 * 5).
  net.nodes[regulator].Kill();
  MustCommit(
      net.nodes[customs],
      GovTx(net.AdminKey(customs), net.chain, next(customs), "propose",
            Value::MakeMap({{"kind", Value("remove_org")}, {"org_id", Value("regulator")}})));
  for (size_t voter : {customs, platform, bank}) {
    MustCommit(net.nodes[voter],
               GovTx(net.AdminKey(voter), net.chain, next(voter), "vote",
                     Value::MakeMap({{"proposal", Value(int64_t{2})}, {"yes", Value(true)}})));
  }
  MustCommit(net.nodes[fifth],
             GovTx(fifth_admin, net.chain, 2, "vote",
                   Value::MakeMap({{"proposal", Value(int64_t{2})}, {"yes", Value(true)}})));
  const std::vector<size_t> remaining = {platform, customs, bank, fifth};
  REQUIRE(WaitFor(
      [&] {
        for (size_t i : remaining) {
          json s = NodeStatusJson(net.nodes[i]);
          if (s.is_null() || s["epoch"] != 2 || s["validator_count"] != 4) return false;
        }
        return true;
      },
      30s));
  MustCommit(net.nodes[bank], TestPut(net.AdminKey(bank), net.chain, next(bank), "epoch2", 1));
  // Restarted, the regulator's node syncs across the epoch change, follows, and no longer votes.
  net.Start(regulator);
  REQUIRE(WaitFor(
      [&] {
        json s = NodeStatusJson(net.nodes[regulator]);
        return !s.is_null() && s["epoch"] == 2 && s["validator_index"].is_null();
      },
      30s));
  MustCommit(net.nodes[bank], TestPut(net.AdminKey(bank), net.chain, next(bank), "after", 1));
  uint64_t top = net.MinHeight({platform, customs, bank, regulator, fifth});
  CHECK(net.SameChain({platform, customs, bank, regulator, fifth}, top));
  // Two changes, both provable from the genesis set, also by the node that was down for one.
  for (size_t i = 0; i < 5; ++i) CheckVerifiableFromGenesis(net.nodes[i], 2, 4);
  std::printf("governance: the regulator's node caught up with %zu block-sync batches\n",
              net.LogCount(regulator, "sync: applied"));
  (void)founders;
}
