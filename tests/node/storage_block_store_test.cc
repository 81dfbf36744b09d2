// Tests of the block store: commits and reads, recovery checks, and crash atomicity of the
// one-batch block commit under injected crashes (fixed seed), plus a LevelDB reopen.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <string_view>

#include "tidemark/hash.h"
#include "tidemark/node/state/state_tree.h"
#include "tidemark/node/storage/block_store.h"
#include "tidemark/node/storage/fault_injecting_kv_store.h"
#include "tidemark/node/storage/key_layout.h"
#include "tidemark/node/storage/leveldb_kv_store.h"
#include "tidemark/node/storage/memory_kv_store.h"

namespace tidemark::node {
namespace {

Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

// Everything one block commit needs, generated deterministically from a seed.
struct BlockInput {
  Block block;
  QuorumCert cert;
  std::vector<Receipt> receipts;
  std::vector<StateChange> changes;
};

class ChainGen {
 public:
  explicit ChainGen(uint64_t seed) : rng_(seed) {
    for (uint8_t i = 0; i < 3; ++i) {
      Seed s;
      s.data[0] = i + 1;
      keys_.push_back(KeyPair::FromSeed(s));
    }
  }

  const std::vector<BlockInput>& Generate(size_t count) {
    while (chain_.size() < count) chain_.push_back(Next());
    return chain_;
  }

 private:
  BlockInput Next() {
    const uint64_t h = chain_.size();
    BlockInput in;
    Block& b = in.block;
    b.header.chain_id = "test-chain";
    b.header.height = h;
    b.header.round = h;
    if (h > 0) {
      b.header.parent = chain_.back().block.Id();
      b.justify.data = {.round = h - 1, .height = h - 1, .block_id = b.header.parent};
    }
    b.header.justify_hash = b.justify.Hash();
    size_t ntx = rng_() % 5;
    for (size_t i = 0; i < ntx; ++i) {
      size_t who = rng_() % keys_.size();
      Transaction tx{.chain_id = "test-chain",
                     .nonce = ++nonces_[who],
                     .contract = "test",
                     .method = "put",
                     .args = B("arg" + std::to_string(rng_() % 100))};
      tx.SignWith(keys_[who]);
      b.txs.push_back(tx);
    }
    if (h > 0 && h % 97 == 0 && !chain_.back().block.txs.empty()) {
      b.txs.push_back(chain_.back().block.txs[0]);  // a replayed tx: indexed only once
    }
    b.header.tx_count = static_cast<uint32_t>(b.txs.size());
    b.header.tx_root = TxRoot(b.txs);
    if (h > 0) {  // genesis (height 0) is committed with the empty genesis certificate
      in.cert.data = {.round = h + 1, .height = h + 1, .commit_height = h, .commit_id = b.Id()};
    }
    std::map<Bytes, std::optional<Bytes>> changes;
    for (uint32_t i = 0; i < b.txs.size(); ++i) {
      in.receipts.push_back({.tx_id = b.txs[i].Id(), .height = h, .index = i});
      changes[B("acct/" + std::to_string(rng_() % 200))] = B("h" + std::to_string(h));
      if (rng_() % 3 == 0) changes[B("acct/" + std::to_string(rng_() % 200))] = std::nullopt;
    }
    for (auto& [k, v] : changes) in.changes.push_back({k, v});
    return in;
  }

  std::mt19937_64 rng_;
  std::vector<KeyPair> keys_;
  std::map<size_t, uint64_t> nonces_;
  std::vector<BlockInput> chain_;
};

// How the node commits a block: state changes, block, receipts, safety record in one batch.
Result<WriteBatch> PrepareBlock(const KvStore& kv, const BlockInput& in) {
  StateTree tree(kv);
  BlockStore blocks(const_cast<KvStore&>(kv));
  TM_ASSIGN_OR_RETURN(StateUpdate up, tree.ApplyChanges(in.block.header.height, in.changes));
  Bytes safety = B("committed " + std::to_string(in.block.header.height));
  return blocks.PrepareCommit(in.block, in.cert, in.receipts, up.height, up.writes, safety);
}

Status CommitBlock(KvStore& kv, const BlockInput& in) {
  TM_ASSIGN_OR_RETURN(WriteBatch batch, PrepareBlock(kv, in));
  return BlockStore(kv).Commit(batch);
}

// An order-independent digest of a store's entries (XOR of 64-bit entry hashes; keys are
// unique), but the safety record, which is also written between commits. Updated incrementally
// by Track. A fast non-cryptographic hash: this only has to catch bugs, not adversaries.
using Digest64 = uint64_t;
Digest64 EntryHash(const std::string& k, const std::string& v) {
  std::hash<std::string_view> h;
  Digest64 a = h(k), b = h(v);
  return a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
}
void XorInto(Digest64* acc, Digest64 h) { *acc ^= h; }
Digest64 Digest(const MemoryKvStore::Map& map) {
  Digest64 acc = 0;
  std::string safety = keys::Meta(keys::kSafetyName);
  for (const auto& [k, v] : map) {
    if (k != safety) XorInto(&acc, EntryHash(k, v));
  }
  return acc;
}
void Track(const WriteBatch& batch, MemoryKvStore::Map* map, Digest64* digest) {
  std::string safety = keys::Meta(keys::kSafetyName);
  for (const WriteBatch::Op& op : batch.ops()) {
    const std::string key(op.key), value(op.value);
    if (key == safety) continue;
    auto it = map->find(key);
    if (it != map->end()) {
      XorInto(digest, EntryHash(key, it->second));
      map->erase(it);
    }
    if (!op.is_delete) {
      XorInto(digest, EntryHash(key, value));
      (*map)[key] = value;
    }
  }
}

struct Reference {
  std::vector<Hash256> roots;
  std::vector<Digest64> digests;  // store digest right after committing each height
};

Reference Replay(const std::vector<BlockInput>& chain) {
  MemoryKvStore kv;
  MemoryKvStore::Map shadow;
  Digest64 digest = 0;
  Reference ref;
  for (const BlockInput& in : chain) {
    Result<WriteBatch> batch = PrepareBlock(kv, in);
    REQUIRE(batch.ok());
    REQUIRE(kv.Write(*batch, true).ok());
    Track(*batch, &shadow, &digest);
    ref.roots.push_back(StateTree(kv).Root(in.block.header.height).value());
    ref.digests.push_back(digest);
  }
  REQUIRE(digest == Digest(kv.Contents()));  // the incremental digest is the real one
  return ref;
}

TEST_CASE("commit then read blocks, certificates, tx index, receipts, signer index") {
  ChainGen gen(1);
  const std::vector<BlockInput>& chain = gen.Generate(120);
  MemoryKvStore kv;
  for (const BlockInput& in : chain) REQUIRE(CommitBlock(kv, in).ok());
  BlockStore blocks(kv);
  REQUIRE(blocks.Recover().ok());
  CHECK(blocks.Tip().value() == CommitTip{119, chain[119].block.Id()});
  CHECK(blocks.SafetyRecord().value() == B("committed 119"));

  std::map<PublicKey, std::vector<Hash256>> by_signer;
  for (const BlockInput& in : chain) {
    const uint64_t h = in.block.header.height;
    REQUIRE(blocks.BlockAt(h).value()->Id() == in.block.Id());
    REQUIRE(blocks.BlockById(in.block.Id()).value()->header.height == h);
    REQUIRE(blocks.CertAt(h).value()->Hash() == in.cert.Hash());
    for (uint32_t i = 0; i < in.block.txs.size(); ++i) {
      Hash256 id = in.block.txs[i].Id();
      TxLocation loc = *blocks.FindTx(id).value();
      if (loc != TxLocation{h, i}) {  // only a replayed tx points at its first occurrence
        REQUIRE(loc < (TxLocation{h, i}));
        continue;
      }
      REQUIRE(blocks.ReceiptOf(id).value()->Hash() == in.receipts[i].Hash());
      by_signer[in.block.txs[i].signer].push_back(id);
    }
  }
  CHECK(!blocks.BlockAt(120).value());
  CHECK(!blocks.FindTx(Sha256(B("nope"))).value());
  for (const auto& [signer, ids] : by_signer) {
    std::vector<Hash256> paged;
    std::optional<TxLocation> cursor;
    for (;;) {
      auto page = blocks.TxsBySigner(signer, cursor, 7);
      REQUIRE(page.ok());
      if (page->empty()) break;
      for (const SignerTx& t : *page) paged.push_back(t.tx_id);
      cursor = page->back().location;
    }
    CHECK(paged == ids);
  }
}

TEST_CASE("PrepareCommit refuses what does not follow the tip or does not match") {
  ChainGen gen(2);
  const std::vector<BlockInput>& chain = gen.Generate(3);
  MemoryKvStore kv;
  REQUIRE(CommitBlock(kv, chain[0]).ok());
  BlockStore blocks(kv);
  StateTree tree(kv);
  StateUpdate up = tree.ApplyChanges(1, chain[1].changes).value();
  const BlockInput& in = chain[1];

  CHECK(
      blocks
          .PrepareCommit(chain[2].block, chain[2].cert, chain[2].receipts, up.height, up.writes, {})
          .status()
          .code() == Code::kFailedPrecondition);  // skips a height
  QuorumCert wrong_cert = in.cert;
  wrong_cert.data.commit_id = chain[0].block.Id();
  CHECK(blocks.PrepareCommit(in.block, wrong_cert, in.receipts, up.height, up.writes, {})
            .status()
            .code() == Code::kInvalidArgument);
  std::vector<Receipt> short_receipts = in.receipts;
  short_receipts.push_back({});
  CHECK(!blocks.PrepareCommit(in.block, in.cert, short_receipts, up.height, up.writes, {}).ok());
  if (!in.receipts.empty()) {
    std::vector<Receipt> bad = in.receipts;
    bad[0].index = 99;
    CHECK(!blocks.PrepareCommit(in.block, in.cert, bad, up.height, up.writes, {}).ok());
  }
  StateUpdate other_height = up;
  other_height.height = 2;
  CHECK(!blocks
             .PrepareCommit(in.block, in.cert, in.receipts, other_height.height,
                            other_height.writes, {})
             .ok());
  Block forked = in.block;
  forked.header.parent = Sha256(B("another parent"));
  CHECK(blocks.PrepareCommit(forked, in.cert, in.receipts, up.height, up.writes, {})
            .status()
            .code() == Code::kFailedPrecondition);
  CHECK(kv.Contents().size() > 0);
  CHECK(blocks.Tip().value()->height == 0);  // nothing was written by any of these
}

TEST_CASE("recovery reports a tip whose pieces are missing as corruption") {
  ChainGen gen(3);
  const std::vector<BlockInput>& chain = gen.Generate(10);
  size_t last = 9;
  while (chain[last].block.txs.empty()) --last;
  std::vector<std::pair<std::string, std::string>> pieces = {
      {"block", keys::BlockByHeight(last)},
      {"certificate", keys::Cert(last)},
      {"id index", keys::BlockById(chain[last].block.Id())},
      {"receipt", keys::Receipt(chain[last].block.txs.back().Id())},
      {"tx index", keys::TxLocation(chain[last].block.txs.back().Id())},
      {"state root", keys::StateRoot(last)},
  };
  for (const auto& [name, key] : pieces) {
    DYNAMIC_SECTION("missing " << name) {
      MemoryKvStore kv;
      for (size_t h = 0; h <= last; ++h) REQUIRE(CommitBlock(kv, chain[h]).ok());
      WriteBatch damage;
      damage.Delete(AsBytes(key));
      REQUIRE(kv.Write(damage, true).ok());
      Result<std::unique_ptr<BlockStore>> opened = BlockStore::Open(kv);
      REQUIRE(!opened.ok());
      CHECK(opened.status().code() == Code::kCorruption);
    }
  }
  SECTION("a garbled block") {
    MemoryKvStore kv;
    for (size_t h = 0; h <= last; ++h) REQUIRE(CommitBlock(kv, chain[h]).ok());
    WriteBatch damage;
    damage.Put(AsBytes(keys::BlockByHeight(last)), B("garbage"));
    REQUIRE(kv.Write(damage, true).ok());
    CHECK(BlockStore::Open(kv).status().code() == Code::kCorruption);
  }
  SECTION("an empty store is consistent") {
    MemoryKvStore kv;
    CHECK(BlockStore::Open(kv).ok());
  }
}

TEST_CASE("crash at random points across 1,000 block commits (seed 4242): always a clean tip") {
  ChainGen gen(4242);
  const std::vector<BlockInput>& chain = gen.Generate(1000);
  const Reference ref = Replay(chain);
  std::mt19937_64 rng(4242);

  FaultInjectingKvStore kv;
  uint64_t next = 0;  // next height to commit
  size_t crashes = 0;
  kv.CrashAtWrite(1 + rng() % 60);
  while (next < chain.size()) {
    // Consensus persists its safety record on its own between commits (another write point).
    Status s = BlockStore(kv).WriteSafetyRecord(B("voted " + std::to_string(next)));
    if (s.ok()) s = CommitBlock(kv, chain[next]);
    if (s.ok()) {
      ++next;
      continue;
    }
    REQUIRE(s.code() == Code::kIoError);
    REQUIRE(kv.crashed());
    ++crashes;
    kv.Restart();
    Result<std::unique_ptr<BlockStore>> blocks = BlockStore::Open(kv);
    REQUIRE(blocks.ok());
    std::optional<CommitTip> tip = blocks->get()->Tip().value();
    if (next == 0) {
      REQUIRE(!tip);
      REQUIRE(kv.DurableContents().size() <= 1);  // at most the safety record
    } else {
      // Exactly at the last acknowledged commit: nothing lost, nothing half-written.
      REQUIRE(tip);
      REQUIRE(tip->height == next - 1);
      REQUIRE(StateTree(kv).Root(tip->height).value() == ref.roots[tip->height]);
      REQUIRE(Digest(kv.DurableContents()) == ref.digests[tip->height]);
    }
    kv.CrashAtWrite(1 + rng() % 60);
  }
  CHECK(crashes > 20);
  REQUIRE(StateTree(kv).Root(999).value() == ref.roots[999]);
  REQUIRE(Digest(kv.DurableContents()) == ref.digests[999]);
}

TEST_CASE("the crash test would catch a commit split in two writes") {
  ChainGen gen(5);
  const std::vector<BlockInput>& chain = gen.Generate(3);
  const Reference ref = Replay(chain);
  FaultInjectingKvStore kv;
  REQUIRE(CommitBlock(kv, chain[0]).ok());
  REQUIRE(CommitBlock(kv, chain[1]).ok());
  // A broken committer: state first, then the block; it crashes in between.
  StateUpdate up = StateTree(kv).ApplyChanges(2, chain[2].changes).value();
  REQUIRE(kv.Write(up.writes, true).ok());
  kv.Crash();
  kv.Restart();
  CHECK(BlockStore(kv).Tip().value()->height == 1);
  CHECK(Digest(kv.DurableContents()) != ref.digests[1]);  // the digest check fails
  CHECK(StateTree(kv).ApplyChanges(2, chain[2].changes).status().code() ==
        Code::kFailedPrecondition);  // and the node could not even re-execute the block
}

TEST_CASE("LevelDB: a block store reopens at its tip and serves proofs of its state") {
  std::string tmpl = (std::filesystem::temp_directory_path() / "tidemark-bs-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  ChainGen gen(6);
  const std::vector<BlockInput>& chain = gen.Generate(40);
  const Reference ref = Replay(chain);
  {
    auto kv = LevelDbKvStore::Open(tmpl, {});
    REQUIRE(kv.ok());
    for (size_t h = 0; h < 25; ++h) REQUIRE(CommitBlock(**kv, chain[h]).ok());
  }
  {
    auto kv = LevelDbKvStore::Open(tmpl, {});
    REQUIRE(kv.ok());
    auto blocks = BlockStore::Open(**kv);
    REQUIRE(blocks.ok());
    CHECK(blocks->get()->Tip().value()->height == 24);
    for (size_t h = 25; h < 40; ++h) REQUIRE(CommitBlock(**kv, chain[h]).ok());
    StateTree tree(**kv);
    for (uint64_t h : {10u, 24u, 39u}) {
      REQUIRE(tree.Root(h).value() == ref.roots[h]);
      StateProof proof = tree.Prove(h, B("acct/7")).value();
      CHECK(VerifyStateProof(ref.roots[h], B("acct/7"), proof.value, proof).ok());
    }
  }
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace tidemark::node
