// Proof bundles (sdk proof_bundle.h): multi-key state proofs from a real StateTree, committed
// headers, epoch chains and tx / receipt inclusion — and every tampering rejected.
#include <catch2/catch.hpp>

#include "proof_fixture.h"
#include "tidemark/hash.h"

namespace tidemark::prooftest {
namespace {

bool Ok(const TrustAnchor& t, const StateBundle& b) { return VerifyStateBundle(t, b).ok(); }
bool OkBytes(const TrustAnchor& t, const Bytes& bytes) {
  auto b = StateBundle::Decode(bytes);
  return b.ok() && Ok(t, *b);
}

TEST_CASE("multi proof of the trace keys verifies and returns the values") {
  ProofFixture f;
  StateBundle b = f.Bundle(f.trace_keys);
  auto v = VerifyStateBundle(f.trust, b);
  REQUIRE(v.ok());
  CHECK(v->height == 10);
  CHECK(v->exec_height == 9);
  REQUIRE(v->signers.size() == 3);
  CHECK(v->signers[2].org == "org2");
  for (const auto& [k, rec] : TraceRecords()) {
    const MultiStateProof::Entry* got = v->Find(k);
    REQUIRE(got != nullptr);
    REQUIRE(got->value);
    CHECK(*got->value == rec.Encode());
  }
  Bytes enc = b.Encode();
  auto back = StateBundle::Decode(enc);
  REQUIRE(back.ok());
  CHECK(back->Encode() == enc);
  // Sharing siblings: the multi proof is smaller than the single proofs together.
  size_t singles = 0;
  for (const Bytes& k : f.trace_keys) singles += f.Prove(k).Encode().size();
  CHECK(b.state.Encode().size() < singles);
  size_t values = 0;
  for (const auto& e : b.state.entries) values += e.key.size() + e.value->size();
  WARN("trace bundle: " << enc.size() << " bytes; multi proof " << b.state.Encode().size()
                        << " vs singles " << singles << "; keys+values " << values << "; siblings "
                        << b.state.siblings.size() << " of " << b.state.slots << " slots");
  // Regression guard; the figure against the 4 KiB target is tidemark-proof-bench's.
  CHECK(enc.size() <= 6 * 1024);
}

TEST_CASE("hash-only bundles: values travel beside the proof and must match its hashes") {
  ProofFixture f(0, 300);
  StateBundle b = f.Bundle(f.trace_keys);
  size_t with_values = b.Encode().size();
  b.state.StripValues();
  auto back = StateBundle::Decode(b.Encode());
  REQUIRE(back.ok());
  CHECK(back->Encode().size() < with_values);
  auto v = VerifyStateBundle(f.trust, *back);
  REQUIRE(v.ok());
  for (const auto& [k, rec] : TraceRecords()) {
    const MultiStateProof::Entry* e = v->Find(k);
    REQUIRE(e != nullptr);
    CHECK(e->present());
    CHECK(!e->value);
    CHECK(e->MatchesValue(rec.Encode()));
    Bytes other = rec.Encode();
    other.back() ^= 1;
    CHECK(!e->MatchesValue(other));
  }
  back->state.entries[0].value_hash->data[0] ^= 1;
  CHECK(!Ok(f.trust, *back));
}

TEST_CASE("multi proof carries absences, both kinds") {
  ProofFixture f(0, 300);
  std::vector<Bytes> keys = f.trace_keys;
  bool empty_seen = false, other_seen = false;
  for (int i = 0; i < 200 && !(empty_seen && other_seen); ++i) {
    Bytes k = B("absent/" + std::to_string(i));
    StateProof p = f.Prove(k);
    if (p.other_leaf && !other_seen) {
      other_seen = true;
      keys.push_back(k);
    } else if (!p.other_leaf && !empty_seen) {
      empty_seen = true;
      keys.push_back(k);
    }
  }
  REQUIRE((empty_seen && other_seen));
  StateBundle b = f.Bundle(keys);
  auto v = VerifyStateBundle(f.trust, b);
  REQUIRE(v.ok());
  CHECK(!v->Find("absent/0")->present());
  // Claiming a value for an absent key breaks the root.
  for (auto& e : b.state.entries) {
    if (!e.value && !e.other_leaf) e.value = B("forged");
  }
  CHECK(!Ok(f.trust, b));
}

TEST_CASE("every tampering of a state bundle is rejected") {
  ProofFixture f(0, 300);
  const StateBundle good = f.Bundle(f.trace_keys);
  REQUIRE(Ok(f.trust, good));
  StateBundle b = good;
  SECTION("a value") {
    (*b.state.entries[0].value)[3] ^= 1;
    CHECK(!Ok(f.trust, b));
  }
  SECTION("a value swapped for another key's") {
    std::swap(b.state.entries[0].value, b.state.entries[1].value);
    CHECK(!Ok(f.trust, b));
  }
  SECTION("a sibling hash") {
    REQUIRE(!b.state.siblings.empty());
    b.state.siblings[b.state.siblings.size() / 2].data[0] ^= 1;
    CHECK(!Ok(f.trust, b));
  }
  SECTION("a dropped key") {
    b.state.entries.pop_back();
    CHECK(!Ok(f.trust, b));
  }
  SECTION("the header") {
    b.header.timestamp_ms += 1;
    CHECK(!Ok(f.trust, b));
    b = good;
    b.header.state_root.data[0] ^= 1;
    CHECK(!Ok(f.trust, b));
  }
  SECTION("one signature") {
    b.cert.signatures[1].second.data[5] ^= 1;
    CHECK(!Ok(f.trust, b));
  }
  SECTION("a signer outside the set") {
    b.cert = CommitCert(b.header, {0, 1, 7}, {0, 1, 3});  // key 7 is not validator 3
    CHECK(!Ok(f.trust, b));
    b.cert = CommitCert(b.header, {0, 1, 2, 7}, {0, 1, 2, 4});  // index 4 does not exist
    CHECK(!OkBytes(f.trust, b.Encode()));
  }
  SECTION("too few signers") {
    b.cert = CommitCert(b.header, {0, 1}, {0, 1});
    auto v = VerifyStateBundle(f.trust, b);
    REQUIRE(!v.ok());
    CHECK(v.status().code() == Code::kUnauthenticated);
  }
  SECTION("another chain") {
    TrustAnchor other = f.trust;
    other.chain_id = "tidemark-other";
    CHECK(!Ok(other, b));
  }
  SECTION("bytes: truncated, trailing, flipped") {
    Bytes enc = good.Encode();
    CHECK(OkBytes(f.trust, enc));
    CHECK(!OkBytes(f.trust, Bytes(enc.begin(), enc.end() - 1)));
    Bytes longer = enc;
    longer.push_back(0);
    CHECK(!OkBytes(f.trust, longer));
    for (size_t i = 0; i < enc.size(); i += 7) {
      Bytes t = enc;
      t[i] ^= 0x10;
      CHECK(!OkBytes(f.trust, t));
    }
  }
}

TEST_CASE("epoch chain: a genesis-only client verifies an epoch-1 header, tampering rejected") {
  ProofFixture f(1, 300);
  const StateBundle good = f.Bundle(f.trace_keys);
  auto v = VerifyStateBundle(f.trust, good);
  REQUIRE(v.ok());
  CHECK(v->epoch == 1);
  CHECK(v->signers[0].key == ValidatorKey(4).public_key());
  StateBundle b = good;
  SECTION("stale epoch: no chain") {
    b.epochs.clear();
    auto r = VerifyStateBundle(f.trust, b);
    REQUIRE(!r.ok());
    CHECK(r.status().message().find("epoch") != std::string::npos);
  }
  SECTION("the link's proven set") {
    ValidatorSet forged = SetOf(1, {4, 5, 6, 8});
    b.epochs[0].proof.value = forged.Encode();
    CHECK(!Ok(f.trust, b));
  }
  SECTION("the link signed by the new set instead of the old one") {
    b.epochs[0].cert = CommitCert(b.epochs[0].header, {4, 5, 6}, {0, 1, 2});
    CHECK(!Ok(f.trust, b));
  }
  SECTION("a link that skips an epoch") {
    ProofFixture g(0, 10);
    b.epochs[0] = g.Link(f.trust.genesis, SetOf(2, {4, 5, 6, 7}));
    CHECK(!Ok(f.trust, b));
  }
  SECTION("a header of epoch 0 with a forged set hash") {
    b.epochs.clear();
    b.header.epoch = 0;
    CHECK(!Ok(f.trust, b));
  }
}

TEST_CASE("tx and receipt inclusion bundles") {
  ProofFixture f(0, 10);
  ScanBlock block = MakeScanBlock(f);
  const std::vector<Receipt>& receipts = block.receipts;
  const TxBundle& good = block.bundle;
  auto v = VerifyTxBundle(f.trust, good);
  REQUIRE(v.ok());
  CHECK(v->height == 10);
  CHECK(v->index == 3);
  REQUIRE(v->receipt);
  auto back = TxBundle::Decode(good.Encode());
  REQUIRE(back.ok());
  CHECK(VerifyTxBundle(f.trust, *back).ok());
  TxBundle b = good;
  SECTION("the tx") {
    b.tx.nonce += 1;
    CHECK(!VerifyTxBundle(f.trust, b).ok());
  }
  SECTION("a path hash") {
    b.tx_path.path[0].data[0] ^= 1;
    CHECK(!VerifyTxBundle(f.trust, b).ok());
  }
  SECTION("the receipt") {
    b.receipt->receipt.events[0].type = "prov.Forged";
    CHECK(!VerifyTxBundle(f.trust, b).ok());
  }
  SECTION("another tx's receipt") {
    b.receipt->receipt = receipts[2];
    b.receipt->path = MerkleProveFromLeafHashes(block.receipt_leaves, 2);
    CHECK(!VerifyTxBundle(f.trust, b).ok());
  }
  SECTION("the receipt header's signature") {
    b.receipt->cert.signatures[0].second.data[0] ^= 1;
    CHECK(!VerifyTxBundle(f.trust, b).ok());
  }
}

}  // namespace
}  // namespace tidemark::prooftest
