#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "chain_fixture.h"
#include "tidemark/consensus/messages.h"
#include "tidemark/contracts/governance.h"
#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/hash.h"
#include "tidemark/merkle.h"
#include "tidemark/node/app/epoch_chain.h"
#include "tidemark/node/app/ledger.h"
#include "tidemark/node/state/tree_state_view.h"
#include "tidemark/node/storage/leveldb_kv_store.h"
#include "tidemark/node/storage/memory_kv_store.h"
#include "tidemark/proof_bundle.h"
#include "tidemark/state_proof.h"

using namespace tidemark;
using namespace tidemark::node;

namespace {
using fixture::Key;
using fixture::TestPuts;

contracts::Genesis TestGenesis(const std::string& chain = "ledger-test") {
  return fixture::OneOrgGenesis(chain);
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
  uint64_t nonce = *l.NextNonce(admin.public_key());
  b.txs = TestPuts(admin, l.chain_id(), nonce, n, b.header.height);
  b.header.tx_root = TxRoot(b.txs);
  b.header.tx_count = static_cast<uint32_t>(b.txs.size());
  QuorumCert cert;
  cert.data = VoteData{.epoch = 0,
                       .round = b.header.round + 1,
                       .height = b.header.height + 1,
                       .block_id = Sha256(AsBytes("child")),
                       .commit_height = b.header.height,
                       .commit_id = b.Id()};
  return {b, cert};
}
}  // namespace

TEST_CASE("ledger: genesis, commits with receipts, exec roots and provable state") {
  auto ledger =
      Ledger::Open(std::make_unique<MemoryKvStore>(), TestGenesis(), contracts::TestContracts());
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
  auto value = contracts::TestContractGet(TreeStateView(l.tree()), "k1");
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
  auto ledger =
      Ledger::Open(std::make_unique<MemoryKvStore>(), TestGenesis(), contracts::TestContracts());
  REQUIRE(ledger.ok());
  Ledger& l = **ledger;
  auto [b, cert] = NextBlock(l, 1);
  b.header.height = 5;
  CHECK(l.Commit(b, cert, std::nullopt).status().code() == Code::kFailedPrecondition);
  CHECK(l.height() == 0);
  CHECK(*l.NextNonce(Key("admin").public_key()) == 1);
}

TEST_CASE("ledger: reopening a data directory resumes at its tip, another genesis is refused") {
  auto dir =
      std::filesystem::temp_directory_path() / ("tidemark-ledger-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Hash256 tip;
  {
    auto kv = LevelDbKvStore::Open(dir.string(), {});
    REQUIRE(kv.ok());
    auto ledger = Ledger::Open(std::move(*kv), TestGenesis(), contracts::TestContracts());
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
    auto ledger = Ledger::Open(std::move(*kv), TestGenesis(), contracts::TestContracts());
    REQUIRE(ledger.ok());
    CHECK((*ledger)->height() == 5);
    CHECK((*ledger)->tip_id() == tip);
    CHECK(*(*ledger)->NextNonce(Key("admin").public_key()) == 11);
  }
  {
    auto kv = LevelDbKvStore::Open(dir.string(), {});
    REQUIRE(kv.ok());
    auto ledger =
        Ledger::Open(std::move(*kv), TestGenesis("another-chain"), contracts::TestContracts());
    CHECK(ledger.status().code() == Code::kFailedPrecondition);
  }
  std::filesystem::remove_all(dir);
}

namespace {
struct GovCall {
  std::string signer;  // Key(signer)
  std::string method;
  Value args;
};

// The next block on the tip carrying governance calls (nonces from the ledger), with the given
// epoch and exec_height; the certificate names it as committed.
std::pair<Block, QuorumCert> GovBlock(Ledger& l, uint64_t epoch, uint64_t exec_height,
                                      const std::vector<GovCall>& calls) {
  auto [b, cert] = NextBlock(l, 0);
  b.header.epoch = epoch;
  b.header.exec_height = exec_height;
  std::map<std::string, uint64_t> nonces;
  for (const auto& c : calls) {
    KeyPair k = Key(c.signer);
    if (!nonces.count(c.signer)) nonces[c.signer] = *l.NextNonce(k.public_key());
    Transaction tx{.chain_id = l.chain_id(),
                   .nonce = nonces[c.signer]++,
                   .contract = "gov",
                   .method = c.method,
                   .args = c.args.Encode()};
    tx.SignWith(k);
    b.txs.push_back(tx);
  }
  b.header.tx_root = TxRoot(b.txs);
  b.header.tx_count = static_cast<uint32_t>(b.txs.size());
  cert.data.epoch = epoch;
  cert.data.commit_id = b.Id();
  return {b, cert};
}

// Proposal `id` to add an organisation (admin key Key(org)) running a validator with key
// Key(node), and a yes vote by each admin of `voters`.
std::vector<GovCall> AddValidatorOrg(int64_t id, const std::string& org, const std::string& node,
                                     const std::vector<std::string>& voters) {
  Value rec =
      Value::MakeMap({{"id", Value(org)},
                      {"name", Value(org)},
                      {"roles", Value(Value::List{Value("INSPECTOR")})},
                      {"admin_keys", Value(Value::List{Value(Key(org).public_key().Hex())})},
                      {"validator_key", Value(Key(node).public_key().Hex())}});
  std::vector<GovCall> calls = {
      {"admin", "propose", Value::MakeMap({{"kind", Value("add_org")}, {"org", rec}})}};
  for (const auto& v : voters) {
    calls.push_back({v, "vote", Value::MakeMap({{"proposal", Value(id)}, {"yes", Value(true)}})});
  }
  return calls;
}

uint64_t EpochAfter(const Ledger& l, const Block& b) {
  auto vs = l.ValidatorsAfter(b.header);
  REQUIRE(vs.ok());
  return vs->epoch;
}
}  // namespace

// The rule light clients rely on (docs/consensus.md, "Epochs"): the set decided in block D is in
// the state after D, and the epoch ends at the first block whose header certifies that state
// (exec_height >= D); a change passed meanwhile waits for the next epoch.
TEST_CASE("ledger: an epoch ends at the first header that certifies the new validator set") {
  auto ledger =
      Ledger::Open(std::make_unique<MemoryKvStore>(), TestGenesis(), contracts::TestContracts());
  REQUIRE(ledger.ok());
  Ledger& l = **ledger;
  CHECK(l.ValidatorsAfterTip()->epoch == 0);

  auto [d, d_cert] =
      GovBlock(l, 0, 0, AddValidatorOrg(1, "org-b", "node-b", {"admin"}));  // height 1 = D
  auto r = l.Commit(d, d_cert, std::nullopt);
  REQUIRE(r.ok());
  for (const auto& rc : *r) CHECK(rc.status == TxStatus::kCommitted);
  CHECK(EpochAfter(l, d) == 0);  // D's own header certifies the state before it
  CHECK(contracts::CurrentValidatorSet(TreeStateView(l.tree()))->epoch == 1);

  // Block 2 certifies state 0 and passes a second change (both organisations vote): it must
  // wait (one change in flight).
  auto [b2, c2] = GovBlock(l, 0, 0, AddValidatorOrg(2, "org-c", "node-c", {"admin", "org-b"}));
  auto r2 = l.Commit(b2, c2, std::nullopt);
  REQUIRE(r2.ok());
  for (const auto& rc : *r2) CHECK(rc.status == TxStatus::kCommitted);
  CHECK(EpochAfter(l, b2) == 0);
  CHECK(contracts::CurrentValidatorSet(TreeStateView(l.tree()))->size() == 2);
  auto pending = contracts::PendingValidatorSet(TreeStateView(l.tree()));
  REQUIRE(pending.ok());
  REQUIRE(pending->has_value());
  CHECK((*pending)->epoch == 2);
  CHECK((*pending)->size() == 3);

  // Block 3 certifies the state after D: epoch 0 ends here, with the set of two validators,
  // proven under block 3's own (old-epoch) header.
  auto [b3, c3] = GovBlock(l, 0, 1, {});
  REQUIRE(l.Commit(b3, c3, std::nullopt).ok());
  auto next = l.ValidatorsAfter(b3.header);
  REQUIRE(next.ok());
  CHECK(next->epoch == 1);
  CHECK(next->size() == 2);
  CHECK(l.ValidatorsAfterTip()->epoch == 1);
  auto proof = l.tree().Prove(b3.header.exec_height, AsBytes(kValidatorSetStateKey));
  REQUIRE(proof.ok());
  REQUIRE(proof->value.has_value());
  CHECK(*proof->value == next->Encode());
  CHECK(contracts::PendingValidatorSet(TreeStateView(l.tree()))->has_value());  // still waiting

  // The first block of epoch 1 activates the waiting change; epoch 1 ends once a header
  // certifies that.
  auto [b4, c4] = GovBlock(l, 1, 2, {});
  REQUIRE(l.Commit(b4, c4, std::nullopt).ok());
  CHECK(!contracts::PendingValidatorSet(TreeStateView(l.tree()))->has_value());
  CHECK(contracts::CurrentValidatorSet(TreeStateView(l.tree()))->epoch == 2);
  CHECK(EpochAfter(l, b4) == 1);
  auto [b5, c5] = GovBlock(l, 1, 4, {});
  REQUIRE(l.Commit(b5, c5, std::nullopt).ok());
  CHECK(EpochAfter(l, b5) == 2);
  CHECK(l.ValidatorsAfterTip()->size() == 3);
}

// Retention (docs/storage.md, "Retention"): with the last 16 versions kept, the version the
// epoch's last header certifies (it holds the next validator set) survives the GC, so the epoch
// chain still proves it; other old versions answer kGone; execution records stay.
TEST_CASE("ledger: pruning keeps the epoch boundary version, so the epoch chain still proves") {
  auto ledger =
      Ledger::Open(std::make_unique<MemoryKvStore>(), TestGenesis(), contracts::TestContracts(),
                   {.retain_versions = 16, .gc_entries_per_commit = 8});
  REQUIRE(ledger.ok());
  Ledger& l = **ledger;
  auto [d, d_cert] = GovBlock(l, 0, 0, AddValidatorOrg(1, "org-b", "node-b", {"admin"}));
  REQUIRE(l.Commit(d, d_cert, std::nullopt).ok());
  auto [end, end_cert] = GovBlock(l, 0, 1, {});  // certifies the state after D: ends epoch 0
  REQUIRE(l.Commit(end, end_cert, std::nullopt).ok());
  REQUIRE(l.ValidatorsAfter(end.header)->epoch == 1);
  REQUIRE(l.WriteEpochProof(0, consensus::EncodeMessage(consensus::EpochProof{end_cert, {}})).ok());
  for (uint64_t h = 3; h <= 80; ++h) {  // each block overwrites test/k0..k2: nodes go stale
    auto [b, cert] = NextBlock(l, 3);
    b.header.epoch = 1;
    b.header.exec_height = h - 1;
    cert.data.epoch = 1;
    cert.data.commit_id = b.Id();
    REQUIRE(l.Commit(b, cert, std::nullopt).ok());
  }
  std::vector<uint64_t> pins = l.store().pinned_versions();
  CHECK(pins == std::vector<uint64_t>{0, 1});
  CHECK(l.store().oldest_retained() == 80 + 1 - 16);
  auto chain = BuildEpochChain(l, 1);
  REQUIRE(chain.ok());
  REQUIRE(chain->size() == 1);
  // (These test headers do not carry real roots: check against the execution record instead.)
  const BlockHeader& link = (*chain)[0].header;
  CHECK(link.exec_height == 1);
  CHECK(VerifyStateProof(l.ExecAt(link.exec_height)->state_root, AsBytes(kValidatorSetStateKey),
                         (*chain)[0].proof.value, (*chain)[0].proof)
            .ok());
  CHECK(ValidatorSet::Decode(*(*chain)[0].proof.value)->epoch == 1);
  auto gone = l.ProveAt(10, AsBytes(kValidatorSetStateKey));
  CHECK(gone.status().code() == Code::kGone);
  CHECK(l.CheckVersion(10).code() == Code::kGone);
  CHECK(l.CheckVersion(81).code() == Code::kNotFound);
  CHECK(l.ProveAt(70, AsBytes(kValidatorSetStateKey)).ok());
  CHECK(l.ExecAt(10).ok());  // execution records are kept for every height
  CHECK(l.ValidatorsAfterTip()->epoch == 1);
}
