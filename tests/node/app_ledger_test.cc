#include <catch2/catch.hpp>

#include <filesystem>

#include "tidemark/contracts/test_contract.h"
#include "tidemark/hash.h"
#include "tidemark/merkle.h"
#include "tidemark/node/app/ledger.h"
#include "tidemark/node/storage/leveldb_kv_store.h"
#include "tidemark/node/storage/memory_kv_store.h"
#include "tidemark/state_proof.h"

using namespace tidemark;
using namespace tidemark::node;

namespace {
KeyPair Key(const std::string& name) {
  Seed seed;
  seed.data = Sha256(AsBytes(name)).data;
  return KeyPair::FromSeed(seed);
}

contracts::Genesis TestGenesis(const std::string& chain = "ledger-test") {
  contracts::Genesis g;
  g.chain_id = chain;
  g.genesis_time_ms = 1'700'000'000'000;
  g.orgs.push_back(contracts::OrgRecord{.id = "org-a", .name = "Org A",
                                        .roles = {contracts::Role::kPlatform},
                                        .admin_keys = {Key("admin").public_key()},
                                        .validator_key = Key("node").public_key()});
  return g;
}

// The next block on the tip with `n` test-contract puts; the cert names the block as committed.
std::pair<Block, QuorumCert> NextBlock(Ledger& l, int n) {
  Block b;
  auto tip = l.TipBlock();
  REQUIRE(tip.ok());
  b.header = tip->header;
  b.header.height = tip->header.height + 1;
  b.header.round = tip->header.round + 1;
  b.header.parent = tip->Id();
  b.header.timestamp_ms += 1000;
  KeyPair admin = Key("admin");
  uint64_t nonce = l.NextNonce(admin.public_key());
  for (int i = 0; i < n; ++i) {
    Transaction tx{.chain_id = l.chain_id(), .nonce = nonce + i, .contract = "test",
                   .method = "put",
                   .args = Value::MakeMap({{"key", "k" + std::to_string(i)},
                                           {"value", static_cast<int64_t>(b.header.height)}})
                               .Encode()};
    tx.SignWith(admin);
    b.txs.push_back(tx);
  }
  b.header.tx_root = TxRoot(b.txs);
  b.header.tx_count = static_cast<uint32_t>(b.txs.size());
  QuorumCert cert;
  cert.data = VoteData{.epoch = 0, .round = b.header.round + 1, .height = b.header.height + 1,
                       .block_id = Sha256(AsBytes("child")), .commit_height = b.header.height,
                       .commit_id = b.Id()};
  return {b, cert};
}
}  // namespace

TEST_CASE("ledger: genesis, commits with receipts, exec roots and provable state") {
  auto ledger = Ledger::Open(std::make_unique<MemoryKvStore>(), TestGenesis());
  REQUIRE(ledger.ok());
  Ledger& l = **ledger;
  CHECK(l.height() == 0);
  CHECK(l.tip_id() == l.genesis_block().Id());
  auto e0 = l.ExecAt(0);
  REQUIRE(e0.ok());
  CHECK(e0->state_root == l.genesis_block().header.state_root);

  for (int h = 1; h <= 3; ++h) {
    auto [b, cert] = NextBlock(l, 3);
    auto receipts = l.Commit(b, cert, Bytes{1, 2, 3});
    REQUIRE(receipts.ok());
    REQUIRE(receipts->size() == 3);
    for (const auto& r : *receipts) CHECK(r.status == TxStatus::kCommitted);
    CHECK(l.height() == static_cast<uint64_t>(h));
  }
  auto e3 = l.ExecAt(3);
  REQUIRE(e3.ok());
  auto value = contracts::TestContractGet(l.state(), "k1");
  REQUIRE(value.ok());
  REQUIRE(value->has_value());
  CHECK(**value == Value(int64_t{3}));
  auto proof = l.tree().Prove(3, AsBytes("test/k1"));
  REQUIRE(proof.ok());
  CHECK(VerifyStateProof(e3->state_root, AsBytes("test/k1"), proof->value, *proof).ok());
  CHECK(l.SafetyRecord()->value() == Bytes{1, 2, 3});
  CHECK(!l.ExecAt(4).ok());
}

TEST_CASE("ledger: a block that does not follow the tip is refused and nothing changes") {
  auto ledger = Ledger::Open(std::make_unique<MemoryKvStore>(), TestGenesis());
  REQUIRE(ledger.ok());
  Ledger& l = **ledger;
  auto [b, cert] = NextBlock(l, 1);
  b.header.height = 5;
  CHECK(l.Commit(b, cert, std::nullopt).status().code() == Code::kFailedPrecondition);
  CHECK(l.height() == 0);
  CHECK(l.NextNonce(Key("admin").public_key()) == 1);
}

TEST_CASE("ledger: reopening a data directory resumes at its tip, another genesis is refused") {
  auto dir = std::filesystem::temp_directory_path() / ("tidemark-ledger-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Hash256 tip;
  {
    auto kv = LevelDbKvStore::Open(dir.string(), {});
    REQUIRE(kv.ok());
    auto ledger = Ledger::Open(std::move(*kv), TestGenesis());
    REQUIRE(ledger.ok());
    for (int h = 1; h <= 5; ++h) {
      auto [b, cert] = NextBlock(**ledger, 2);
      REQUIRE((*ledger)->Commit(b, cert, std::nullopt).ok());
    }
    tip = (*ledger)->tip_id();
  }
  {
    auto kv = LevelDbKvStore::Open(dir.string(), {});
    REQUIRE(kv.ok());
    auto ledger = Ledger::Open(std::move(*kv), TestGenesis());
    REQUIRE(ledger.ok());
    CHECK((*ledger)->height() == 5);
    CHECK((*ledger)->tip_id() == tip);
    CHECK((*ledger)->NextNonce(Key("admin").public_key()) == 11);
  }
  {
    auto kv = LevelDbKvStore::Open(dir.string(), {});
    REQUIRE(kv.ok());
    auto ledger = Ledger::Open(std::move(*kv), TestGenesis("another-chain"));
    CHECK(ledger.status().code() == Code::kFailedPrecondition);
  }
  std::filesystem::remove_all(dir);
}
