// Tests of LedgerStore, the one-call block commit the node uses, on LevelDB: commit, proofs,
// pruning, reopen, refusal of a bad block, recovery failure.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "tidemark/node/storage/key_layout.h"
#include "tidemark/node/storage/ledger_store.h"

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

Result<Hash256> Commit(LedgerStore& ledger, Chain& chain, uint64_t h) {
  return ledger.CommitBlock(chain.At(h), chain.Cert(h), chain.Receipts(h), chain.Changes(h),
                            B("safety " + std::to_string(h)));
}

TEST_CASE("LedgerStore: commit, prove, prune, reopen, continue") {
  TempDir dir;
  Chain chain;
  {
    auto ledger = LedgerStore::OpenLevelDb(dir.path(), {});
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
    CHECK((*ledger)->Prune(0).code() == Code::kInvalidArgument);
  }
  auto ledger = LedgerStore::OpenLevelDb(dir.path(), {});
  REQUIRE(ledger.ok());
  CHECK((*ledger)->blocks().Tip().value()->height == 29);
  CHECK((*ledger)->blocks().SafetyRecord().value() == B("safety 29"));
  REQUIRE(Commit(**ledger, chain, 30).ok());
  CHECK((*ledger)->state().Get(B("lot/2")).value() == B("h30"));
  REQUIRE((*ledger)->WriteSafetyRecord(B("voted 31")).ok());
  CHECK((*ledger)->blocks().SafetyRecord().value() == B("voted 31"));
}

TEST_CASE("LedgerStore: opening a store whose tip lost its state root fails with corruption") {
  TempDir dir;
  Chain chain;
  {
    auto ledger = LedgerStore::OpenLevelDb(dir.path(), {});
    REQUIRE(ledger.ok());
    for (uint64_t h = 0; h < 3; ++h) REQUIRE(Commit(**ledger, chain, h).ok());
    WriteBatch damage;
    damage.Delete(AsBytes(keys::StateRoot(2)));
    REQUIRE((*ledger)->kv().Write(damage, true).ok());
  }
  auto ledger = LedgerStore::OpenLevelDb(dir.path(), {});
  REQUIRE(!ledger.ok());
  CHECK(ledger.status().code() == Code::kCorruption);
  CHECK(ledger.status().message().find("state root missing") != std::string::npos);
}

}  // namespace
}  // namespace tidemark::node
