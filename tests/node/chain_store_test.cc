// Tests of LedgerStore, the one-call block commit the node uses, on LevelDB: commit, proofs,
// pruning, reopen, refusal of a bad block, recovery failure.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "tidemark/node/storage/key_layout.h"
#include "tidemark/node/storage/ledger_store.h"
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

TEST_CASE("LedgerStore: certified proofs verify with only the validator set") {
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
  auto ledger = LedgerStore::Open(std::make_unique<MemoryKvStore>());
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
    REQUIRE((*ledger)->CommitBlock(b, cert, {}, changes, std::nullopt).ok());
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

}  // namespace
}  // namespace tidemark::node
