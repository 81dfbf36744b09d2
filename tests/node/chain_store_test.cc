// Tests of ChainStore, the node's one durable store, on LevelDB and in memory: commit, proofs,
// pruning, reopen, refusal of a bad block, recovery failure, certified proofs, and the retention
// policy (pinned versions survive the GC and still prove; pruned versions answer kGone; the
// store's size stays bounded; a crash at any write leaves every retained version complete).
#include "tidemark/node/chain/chain_store.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "tidemark/node/storage/fault_injecting_kv_store.h"
#include "tidemark/node/storage/key_layout.h"
#include "tidemark/node/storage/leveldb_kv_store.h"
#include "tidemark/node/storage/memory_kv_store.h"

namespace tidemark::node {
namespace {

Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tidemark-ls-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_; }

 private:
  std::string path_;
};

// Block h carries one tx and sets "lot/<h % 7>" = "h<h>".
struct Chain {
  KeyPair key = KeyPair::FromSeed(Seed{});
  std::vector<Block> blocks;

  const Block& At(uint64_t h) {
    while (blocks.size() <= h) {
      Block b;
      b.header.chain_id = "ls-test";
      b.header.height = blocks.size();
      if (!blocks.empty()) {
        b.header.parent = blocks.back().Id();
        b.justify.data = {.height = blocks.size() - 1, .block_id = b.header.parent};
        b.header.exec_height = blocks.size() - 1;  // execution lags by one block
      }
      b.header.justify_hash = b.justify.Hash();
      Transaction tx{
          .chain_id = "ls-test", .nonce = blocks.size() + 1, .contract = "test", .method = "put"};
      tx.SignWith(key);
      b.txs.push_back(tx);
      b.header.tx_count = 1;
      b.header.tx_root = TxRoot(b.txs);
      blocks.push_back(b);
    }
    return blocks[h];
  }
  QuorumCert Cert(uint64_t h) {
    QuorumCert qc;
    if (h > 0) qc.data = {.height = h + 1, .commit_height = h, .commit_id = At(h).Id()};
    return qc;
  }
  std::vector<Receipt> Receipts(uint64_t h) { return {{.tx_id = At(h).txs[0].Id(), .height = h}}; }
  std::vector<StateChange> Changes(uint64_t h) {
    return {{B("lot/" + std::to_string(h % 7)), B("h" + std::to_string(h))}};
  }
};

Result<Hash256> Commit(ChainStore& ledger, Chain& chain, uint64_t h) {
  return ledger.Commit(chain.At(h), chain.Cert(h), chain.Receipts(h), chain.Changes(h),
                       {.safety_record = B("safety " + std::to_string(h))});
}

TEST_CASE("ChainStore: commit, prove, prune, reopen, continue") {
  TempDir dir;
  Chain chain;
  {
    auto ledger = ChainStore::OpenLevelDb(dir.path(), {});
    REQUIRE(ledger.ok());
    for (uint64_t h = 0; h < 30; ++h) {
      Result<Hash256> root = Commit(**ledger, chain, h);
      REQUIRE(root.ok());
      REQUIRE((*ledger)->state().Root(h).value() == *root);
    }
    // A bad block (a height that does not follow the tip) writes nothing, not even its state.
    Result<Hash256> bad = Commit(**ledger, chain, 31);
    CHECK(bad.status().code() == Code::kFailedPrecondition);
    CHECK(!(*ledger)->state().HasVersion(31));
    CHECK((*ledger)->blocks().Tip().value()->height == 29);

    REQUIRE((*ledger)->Prune(5).ok());
    CHECK(!(*ledger)->state().HasVersion(24));
    for (uint64_t h = 25; h < 30; ++h) {
      Hash256 root = (*ledger)->state().Root(h).value();
      StateProof proof = (*ledger)->state().Prove(h, B("lot/3")).value();
      CHECK(VerifyStateProof(root, B("lot/3"), proof.value, proof).ok());
    }
    CHECK((*ledger)->blocks().BlockAt(0).value().has_value());  // blocks are kept
    CHECK((*ledger)->ExecAt(3).ok());                           // and execution records
    CHECK((*ledger)->Prune(0).code() == Code::kInvalidArgument);
    // A pruned version is gone, with a message that says so; a future one is not found.
    CHECK((*ledger)->CheckVersion(24).code() == Code::kGone);
    Result<StateProof> gone = (*ledger)->ProveAt(10, B("lot/3"));
    CHECK(gone.status().code() == Code::kGone);
    CHECK(gone.status().message().find("pruned") != std::string::npos);
    CHECK((*ledger)->ProveAt(30, B("lot/3")).status().code() == Code::kNotFound);
    CHECK((*ledger)->ProveAt(25, B("lot/3")).ok());
    CHECK((*ledger)->ProveAt(0, B("lot/3")).ok());  // genesis is pinned
  }
  auto ledger = ChainStore::OpenLevelDb(dir.path(), {});
  REQUIRE(ledger.ok());
  CHECK((*ledger)->blocks().Tip().value()->height == 29);
  CHECK((*ledger)->oldest_retained() == 25);  // the pruning is remembered across a reopen
  CHECK((*ledger)->ProveAt(24, B("lot/3")).status().code() == Code::kGone);
  CHECK((*ledger)->blocks().SafetyRecord().value() == B("safety 29"));
  REQUIRE(Commit(**ledger, chain, 30).ok());
  CHECK((*ledger)->state().Get(B("lot/2")).value() == B("h30"));
  REQUIRE((*ledger)->WriteSafetyRecord(B("voted 31")).ok());
  CHECK((*ledger)->blocks().SafetyRecord().value() == B("voted 31"));
}

TEST_CASE("ChainStore: a store written before flat records is rewritten once on open") {
  // Blocks whose values are large enough to be held by reference, on LevelDB; then the store
  // is turned into what an older node wrote (raw values in S, no format record) and reopened.
  TempDir dir;
  Chain chain;
  std::map<Bytes, Bytes> latest;
  {
    auto ledger = ChainStore::OpenLevelDb(dir.path(), {});
    REQUIRE(ledger.ok());
    for (uint64_t h = 0; h < 12; ++h) {
      std::vector<StateChange> changes = {
          {B("big/" + std::to_string(h % 5)), Bytes(100 + h, static_cast<uint8_t>('a' + h))},
          {B("small/" + std::to_string(h % 3)), B("s" + std::to_string(h))}};
      for (const StateChange& c : changes) latest[c.key] = *c.value;
      REQUIRE((*ledger)
                  ->Commit(chain.At(h), chain.Cert(h), chain.Receipts(h), changes,
                           {.safety_record = B("s")})
                  .ok());
    }
    for (const auto& [k, v] : latest) REQUIRE((*ledger)->state().Get(k).value() == v);
  }
  {
    auto kv = LevelDbKvStore::Open(dir.path(), {});
    REQUIRE(kv.ok());
    WriteBatch older;
    older.Delete(AsBytes(keys::Meta(keys::kFlatFormatName)));
    for (const auto& [k, v] : latest) older.Put(AsBytes(keys::StateValue(k)), v);
    REQUIRE((*kv)->Write(older, true).ok());
  }
  auto ledger = ChainStore::OpenLevelDb(dir.path(), {});
  REQUIRE(ledger.ok());
  for (const auto& [k, v] : latest) CHECK((*ledger)->state().Get(k).value() == v);
  Result<std::vector<KvPair>> big = (*ledger)->state().Scan({.prefix = B("big/")});
  REQUIRE(big.ok());
  CHECK(big->size() == 5);
  for (const KvPair& p : *big) CHECK(p.value == latest[p.key]);
  // And it goes on writing flat records.
  REQUIRE((*ledger)
              ->Commit(chain.At(12), chain.Cert(12), chain.Receipts(12),
                       std::vector<StateChange>{{B("big/0"), Bytes(500, 'z')}}, {})
              .ok());
  CHECK((*ledger)->state().Get(B("big/0")).value() == Bytes(500, 'z'));
  CHECK((*ledger)->state().Get(B("big/1")).value() == latest[B("big/1")]);
}

TEST_CASE("ChainStore: a vote's block and safety record land in one synced write") {
  Chain chain;
  auto kv = std::make_unique<FaultInjectingKvStore>();
  FaultInjectingKvStore* faults = kv.get();
  auto store = ChainStore::Open(std::move(kv));
  REQUIRE(store.ok());
  for (uint64_t h = 0; h < 3; ++h) REQUIRE(Commit(**store, chain, h).ok());
  chain.At(4);  // builds blocks 3 and 4 first: At() may grow the vector
  const Block* voted[] = {&chain.At(3), &chain.At(4)};
  // The write that would carry them fails: neither the blocks nor the safety record are there.
  faults->FailWriteAt(1);
  CHECK(!(*store)->WriteVoteRecords(voted, B("voted 4")).ok());
  CHECK((*store)->PendingBlocks().value().empty());
  CHECK((*store)->SafetyRecord().value() == B("safety 2"));
  REQUIRE((*store)->WriteVoteRecords(voted, B("voted 4")).ok());
  std::vector<Block> pending = (*store)->PendingBlocks().value();
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].Id() == chain.At(3).Id());
  CHECK(pending[1].Id() == chain.At(4).Id());
  CHECK((*store)->SafetyRecord().value() == B("voted 4"));
  // Committing height 3 drops its pending row, not the one above.
  REQUIRE(Commit(**store, chain, 3).ok());
  pending = (*store)->PendingBlocks().value();
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].Id() == chain.At(4).Id());
}

TEST_CASE("ChainStore: opening a store whose tip lost its state root fails with corruption") {
  TempDir dir;
  Chain chain;
  {
    auto ledger = ChainStore::OpenLevelDb(dir.path(), {});
    REQUIRE(ledger.ok());
    for (uint64_t h = 0; h < 3; ++h) REQUIRE(Commit(**ledger, chain, h).ok());
    WriteBatch damage;
    damage.Delete(AsBytes(keys::StateRoot(2)));
    REQUIRE((*ledger)->kv().Write(damage, true).ok());
  }
  auto ledger = ChainStore::OpenLevelDb(dir.path(), {});
  REQUIRE(!ledger.ok());
  CHECK(ledger.status().code() == Code::kCorruption);
  CHECK(ledger.status().message().find("state root missing") != std::string::npos);
}

TEST_CASE("ChainStore: certified proofs verify with only the validator set") {
  const std::string chain_id = "ls-cert";
  std::vector<KeyPair> keys;
  ValidatorSet validators{.epoch = 0};
  for (uint8_t i = 0; i < 4; ++i) {
    Seed seed;
    seed.data[0] = 10 + i;
    keys.push_back(KeyPair::FromSeed(seed));
    validators.validators.push_back({keys.back().public_key(), "org" + std::to_string(i)});
  }
  auto sign_commit = [&](const Block& b, size_t signers) {
    QuorumCert qc;
    qc.data = {.round = b.header.round + 1,
               .height = b.header.height + 1,
               .commit_height = b.header.height,
               .commit_id = b.Id()};
    for (uint32_t i = 0; i < signers; ++i) {
      qc.signatures.push_back({i, keys[i].Sign(SigKind::kVote, chain_id, qc.data.Encode())});
    }
    return qc;
  };
  auto ledger = ChainStore::Open(std::make_unique<MemoryKvStore>());
  REQUIRE(ledger.ok());
  CHECK((*ledger)->ProveCertified(B("k")).status().code() == Code::kUnavailable);
  Block prev;
  for (uint64_t h = 0; h < 6; ++h) {
    Block b;
    b.header.chain_id = chain_id;
    b.header.height = h;
    b.header.round = h;
    b.header.validators_hash = validators.Hash();
    if (h > 0) {
      b.header.parent = prev.Id();
      b.justify.data = {.height = h - 1, .block_id = b.header.parent};
      b.header.exec_height = h - 1;  // execution lags by one block
      b.header.state_root = (*ledger)->state().Root(h - 1).value();
    }
    b.header.justify_hash = b.justify.Hash();
    b.header.tx_root = TxRoot(b.txs);
    QuorumCert cert = h == 0 ? QuorumCert{} : sign_commit(b, 3);
    std::vector<StateChange> changes = {
        {B("lot/" + std::to_string(h)), B("v" + std::to_string(h))}};
    REQUIRE((*ledger)->Commit(b, cert, {}, changes, {}).ok());
    prev = b;
  }
  Result<CertifiedStateProof> p = (*ledger)->ProveCertified(B("lot/3"));
  REQUIRE(p.ok());
  CHECK(p->header.height == 5);
  CHECK(p->header.exec_height == 4);
  Result<CertifiedStateProof> wire = CertifiedStateProof::Decode(p->Encode());
  REQUIRE(wire.ok());
  CHECK(VerifyCertifiedStateProof(validators, chain_id, B("lot/3"), B("v3"), *wire).ok());
  CHECK(!VerifyCertifiedStateProof(validators, chain_id, B("lot/3"), B("v4"), *wire).ok());
  CHECK(!VerifyCertifiedStateProof(validators, "other-chain", B("lot/3"), B("v3"), *wire).ok());
  // Not yet in the certified state: lot/5 was written by block 5, certified by a later header.
  Result<CertifiedStateProof> absent = (*ledger)->ProveCertified(B("lot/5"));
  REQUIRE(absent.ok());
  CHECK(VerifyCertifiedStateProof(validators, chain_id, B("lot/5"), std::nullopt, *absent).ok());

  CertifiedStateProof t = *wire;
  t.cert.signatures.pop_back();  // 2 of 4: below quorum
  CHECK(!VerifyCertifiedStateProof(validators, chain_id, B("lot/3"), B("v3"), t).ok());
  t = *wire;
  t.header.state_root.data[0] ^= 1;  // header no longer the committed one
  CHECK(!VerifyCertifiedStateProof(validators, chain_id, B("lot/3"), B("v3"), t).ok());
  ValidatorSet others = validators;
  others.validators.pop_back();
  CHECK(!VerifyCertifiedStateProof(others, chain_id, B("lot/3"), B("v3"), *wire).ok());
  Bytes enc = wire->Encode();
  enc.push_back(0);
  CHECK(!CertifiedStateProof::Decode(enc).ok());
}

// Block h sets 1..6 random keys of 40 (some deleted); every 25th block ends an epoch, pinning
// the version its header certifies (h - 1). The model is the state after each height.
struct RandomChain {
  std::mt19937_64 rng{42};
  std::vector<Block> blocks;
  std::vector<std::map<Bytes, Bytes>> models;
  std::vector<Hash256> roots;

  static bool EndsEpoch(uint64_t h) { return h > 0 && h % 25 == 0; }

  std::vector<StateChange> Next(uint64_t h, Block* out) {
    Block b;
    b.header.chain_id = "rc-test";
    b.header.height = h;
    if (h > 0) {
      b.header.parent = blocks[h - 1].Id();
      b.justify.data = {.height = h - 1, .block_id = b.header.parent};
      b.header.exec_height = h - 1;
    }
    b.header.justify_hash = b.justify.Hash();
    b.header.tx_root = TxRoot(b.txs);
    std::map<Bytes, std::optional<Bytes>> batch;
    for (int i = 0, n = 1 + static_cast<int>(rng() % 6); i < n; ++i) {
      Bytes k = B("key/" + std::to_string(rng() % 40));
      batch[k] = rng() % 6 == 0 ? std::nullopt
                                : std::optional<Bytes>(B("v" + std::to_string(rng() % 1000)));
    }
    std::map<Bytes, Bytes> model = models.empty() ? std::map<Bytes, Bytes>{} : models.back();
    std::vector<StateChange> changes;
    for (auto& [k, v] : batch) {
      changes.push_back({k, v});
      if (v) {
        model[k] = *v;
      } else {
        model.erase(k);
      }
    }
    *out = b;
    pending_model = std::move(model);
    return changes;
  }
  void Accept(const Block& b, const Hash256& root) {
    blocks.push_back(b);
    models.push_back(std::move(pending_model));
    roots.push_back(root);
  }
  QuorumCert Cert(const Block& b) {
    QuorumCert qc;
    if (b.header.height > 0) {
      qc.data = {
          .height = b.header.height + 1, .commit_height = b.header.height, .commit_id = b.Id()};
    }
    return qc;
  }
  std::map<Bytes, Bytes> pending_model;
};

Status CommitNext(ChainStore& store, RandomChain& rc) {
  uint64_t h = rc.blocks.size();
  Block b;
  std::vector<StateChange> changes = rc.Next(h, &b);
  TM_ASSIGN_OR_RETURN(Hash256 root, store.Commit(b, rc.Cert(b), {}, changes,
                                                 {.ends_epoch = RandomChain::EndsEpoch(h)}));
  rc.Accept(b, root);
  return Status::Ok();
}

// Every key of version v proves its model value (or absence) against the recorded root.
void CheckVersionComplete(const ChainStore& store, const RandomChain& rc, uint64_t v) {
  REQUIRE(store.CheckVersion(v).ok());
  REQUIRE(store.state().Root(v).value() == rc.roots[v]);
  for (int i = 0; i < 40; ++i) {
    Bytes k = B("key/" + std::to_string(i));
    Result<StateProof> p = store.ProveAt(v, k);
    REQUIRE(p.ok());
    auto it = rc.models[v].find(k);
    std::optional<Bytes> want =
        it == rc.models[v].end() ? std::nullopt : std::optional<Bytes>(it->second);
    REQUIRE(p->value == want);
    REQUIRE(VerifyStateProof(rc.roots[v], k, want, *p).ok());
  }
}

size_t CountPrefix(const KvReader& kv, char prefix) {
  std::string p(1, prefix);
  size_t n = 0;
  std::optional<Bytes> after;
  for (;;) {
    auto page = kv.Scan({.prefix = AsBytes(p), .start_after = after, .limit = 4096}).value();
    if (page.empty()) return n;
    n += page.size();
    after = page.back().key;
  }
}

// Retained = the last N heights, 0, and the versions pinned by epoch ends (24, 49, ...).
bool Retained(uint64_t v, uint64_t tip, uint64_t n) {
  return v + n > tip || v == 0 || RandomChain::EndsEpoch(v + 1);
}

TEST_CASE("ChainStore: retention keeps the last N versions and every pinned one, complete") {
  TempDir dir;
  RandomChain rc;
  const uint64_t kRetain = 8;
  ChainStoreOptions opts{.retain_versions = kRetain, .gc_entries_per_commit = 16};
  MemoryKvStore* unpruned_kv = nullptr;
  auto unpruned = ChainStore::Open(std::make_unique<MemoryKvStore>());  // retain_versions 0
  REQUIRE(unpruned.ok());
  unpruned_kv = static_cast<MemoryKvStore*>(&(*unpruned)->kv());
  {
    auto store = ChainStore::OpenLevelDb(dir.path(), {}, opts);
    REQUIRE(store.ok());
    for (uint64_t h = 0; h < 300; ++h) {
      REQUIRE(CommitNext(**store, rc).ok());
      REQUIRE((*unpruned)
                  ->Commit(rc.blocks[h], rc.Cert(rc.blocks[h]), {},
                           [&] {
                             std::vector<StateChange> c;
                             const auto& now = rc.models[h];
                             const auto prev = h ? rc.models[h - 1] : std::map<Bytes, Bytes>{};
                             for (const auto& [k, v] : prev) {
                               if (!now.count(k)) c.push_back({k, std::nullopt});
                             }
                             for (const auto& [k, v] : now) {
                               auto it = prev.find(k);
                               if (it == prev.end() || it->second != v) c.push_back({k, v});
                             }
                             std::sort(c.begin(), c.end(),
                                       [](auto& a, auto& b) { return a.key < b.key; });
                             return c;
                           }(),
                           {})
                  .ok());
    }
    const uint64_t tip = 299;
    std::vector<uint64_t> pins = (*store)->pinned_versions();
    CHECK(pins.front() == 0);
    CHECK(std::count(pins.begin(), pins.end(), 24u) == 1);
    CHECK(std::count(pins.begin(), pins.end(), 274u) == 1);
    CHECK((*store)->oldest_retained() == tip + 1 - kRetain);
    for (uint64_t v = 0; v <= tip; ++v) {
      if (Retained(v, tip, kRetain)) {
        CheckVersionComplete(**store, rc, v);
      } else {
        Result<StateProof> p = (*store)->ProveAt(v, B("key/1"));
        REQUIRE(p.status().code() == Code::kGone);
        REQUIRE(p.status().message().find("pruned") != std::string::npos);
      }
      CHECK((*store)->ExecAt(v)->state_root == rc.roots[v]);  // execution records stay
    }
    // The GC kept up: the pruned store holds far fewer state nodes than the one that keeps all.
    size_t pruned_nodes = CountPrefix((*store)->kv(), keys::kStateNode);
    size_t all_nodes = CountPrefix(*unpruned_kv, keys::kStateNode);
    CHECK(pruned_nodes * 3 < all_nodes);
  }
  // Reopen: the pins and the pruning are remembered, and the chain continues.
  auto store = ChainStore::OpenLevelDb(dir.path(), {}, opts);
  REQUIRE(store.ok());
  CHECK((*store)->pinned_versions() ==
        std::vector<uint64_t>{0, 24, 49, 74, 99, 124, 149, 174, 199, 224, 249, 274});
  CHECK((*store)->ProveAt(100, B("key/1")).status().code() == Code::kGone);
  for (uint64_t h = 300; h < 340; ++h) REQUIRE(CommitNext(**store, rc).ok());
  for (uint64_t v = 0; v < 340; ++v) {
    if (Retained(v, 339, kRetain)) CheckVersionComplete(**store, rc, v);
  }
}

// Forwards to a store the test keeps, so that a ChainStore can be reopened over it.
class BorrowedKv final : public KvStore {
 public:
  explicit BorrowedKv(KvStore& kv) : kv_(kv) {}
  Result<std::optional<Bytes>> Get(ByteView key) const override { return kv_.Get(key); }
  Result<std::vector<KvPair>> Scan(const ScanOptions& o) const override { return kv_.Scan(o); }
  Status Write(const WriteBatch& batch, bool sync) override { return kv_.Write(batch, sync); }
  Result<std::unique_ptr<KvReader>> Snapshot() const override { return kv_.Snapshot(); }

 private:
  KvStore& kv_;
};

TEST_CASE("ChainStore: a crash at any write with pruning on leaves every retained version whole") {
  FaultInjectingKvStore kv;
  RandomChain rc;
  std::mt19937_64 rng(7);
  ChainStoreOptions opts{.retain_versions = 5, .gc_entries_per_commit = 8};
  int crashes = 0;
  while (rc.blocks.size() < 250) {
    auto store = ChainStore::Open(std::make_unique<BorrowedKv>(kv), opts);
    REQUIRE(store.ok());
    // The store is exactly at the last acknowledged commit, every retained version complete.
    std::optional<CommitTip> at = (*store)->blocks().Tip().value();
    REQUIRE((at ? at->height + 1 : 0) == rc.blocks.size());
    const uint64_t tip = rc.blocks.size() - 1;
    for (uint64_t v = 0; at && v <= tip; ++v) {
      if (v + 5 > tip || v == 0 || RandomChain::EndsEpoch(v + 1)) {
        CheckVersionComplete(**store, rc, v);
      }
    }
    kv.CrashAtWrite(1 + rng() % 20);
    for (;;) {
      Status s = CommitNext(**store, rc);
      if (!s.ok()) {
        REQUIRE(s.code() == Code::kIoError);
        break;
      }
    }
    ++crashes;
    kv.Restart();
  }
  CHECK(crashes > 10);
}

}  // namespace
}  // namespace tidemark::node
