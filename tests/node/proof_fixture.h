// proof_fixture.h — a deterministic little chain for proof-bundle tests, vectors and the bench:
// four validators, a state tree holding one traced item's records among filler keys, a committed
// header over it with a 3-of-4 commit certificate, and (for epoch 1) an epoch-change link.
//
//   ProofFixture f(/*epoch=*/0);
//   StateBundle b = f.Bundle(f.trace_keys);
//   CHECK(VerifyStateBundle(f.trust, b).ok());
//
// Thread safety: not thread-safe (test helper).
#pragma once

#include <string>
#include <vector>

#include "tidemark/hash.h"
#include "tidemark/merkle.h"
#include "tidemark/node/state/state_tree.h"
#include "tidemark/node/storage/memory_kv_store.h"
#include "tidemark/proof_bundle.h"
#include "tidemark/value.h"

namespace tidemark::prooftest {

inline constexpr const char* kChainId = "tidemark-test";

inline KeyPair ValidatorKey(int i) {
  Seed s;
  for (auto& b : s.data) b = static_cast<uint8_t>(0x40 + i);
  return KeyPair::FromSeed(s);
}

inline ValidatorSet SetOf(uint64_t epoch, std::vector<int> keys) {
  ValidatorSet vs{.epoch = epoch};
  for (int i : keys)
    vs.validators.push_back({ValidatorKey(i).public_key(), "org" + std::to_string(i)});
  return vs;
}

inline Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

inline QuorumCert CommitCert(const BlockHeader& h, const std::vector<int>& key_ids,
                             const std::vector<uint32_t>& indexes) {
  QuorumCert qc;
  qc.data = VoteData{.epoch = h.epoch,
                     .round = h.round + 1,
                     .height = h.height + 1,
                     .block_id = Sha256(AsBytes("child of " + h.Id().Hex())),
                     .commit_height = h.height,
                     .commit_id = h.Id()};
  for (size_t i = 0; i < indexes.size(); ++i) {
    qc.signatures.push_back(
        {indexes[i], ValidatorKey(key_ids[i]).Sign(SigKind::kVote, kChainId, qc.data.Encode())});
  }
  return qc;
}

// The item's records, as the provenance contract stores them (shapes of docs/provenance.md).
// (g++ 12 at -O2 reports a false maybe-uninitialized inside std::variant for these literals.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
inline std::vector<std::pair<std::string, Value>> TraceRecords() {
  const std::string id = "/01/09521234543213/21/7001";
  Value::List timeline;
  const char* steps[] = {"commissioning", "packing", "shipping", "receiving", "retail_selling"};
  for (int i = 0; i < 5; ++i) {
    timeline.push_back(
        Value::Map{{"seq", i + 1},
                   {"bizStep", std::string(steps[i])},
                   {"type", "ObjectEvent"},
                   {"eventTime", "2026-03-0" + std::to_string(i + 1) + "T10:00:00Z"},
                   {"location", "urn:epc:id:sgln:9521234.00001." + std::to_string(i)},
                   {"org", "org" + std::to_string(i % 4)},
                   {"height", 3 + i},
                   {"tx", Sha256(AsBytes("tx" + std::to_string(i))).Hex()}});
  }
  Value obj = Value::Map{{"id", id},
                         {"state", "ON_SHELF"},
                         {"custody", "org3"},
                         {"location", "urn:epc:id:sgln:9521234.00001.4"},
                         {"lot", "L42"},
                         {"lot_id", "/01/09521234543213/10/L42"},
                         {"customs", "D-2026-001"},
                         {"import_mode", "1210"},
                         {"customs_status", "RELEASED"},
                         {"recalled", nullptr},
                         {"parent", ""},
                         {"timeline", Value(timeline)}};
  Value product = Value::Map{{"gtin", "09521234543213"},
                             {"name", "Sea buckthorn juice 1 l"},
                             {"brand", "Tidemark Farms"},
                             {"origin_country", "NZ"}};
  Value lot = Value::Map{{"lot", "/01/09521234543213/10/L42"},
                         {"expiry_date", "2027-03-01"},
                         {"recalled", nullptr},
                         {"conformance", "conformant"},
                         {"certificates", Value::List{Value("CERT-7")}}};
  Value customs = Value::Map{{"declaration_no", "D-2026-001"},
                             {"mode", "1210"},
                             {"status", "RELEASED"},
                             {"released_time", "2026-03-03T09:00:00Z"},
                             {"origin_country", "NZ"}};
  Value cert = Value::Map{{"certificate_id", "CERT-7"},
                          {"result", "conformant"},
                          {"report_sha256", Sha256(AsBytes("report")).Hex()},
                          {"issuer", "org2"},
                          {"expiry_date", "2027-01-01"}};
  Value scans = Value::Map{{"code", id}, {"count", 2}, {"first_time", "2026-03-06T12:00:00Z"}};
  return {{"prov/obj/" + id, obj},
          {"prov/product/09521234543213", product},
          {"prov/lot//01/09521234543213/10/L42", lot},
          {"prov/customs/D-2026-001", customs},
          {"prov/cert/CERT-7", cert},
          {"prov/scan/" + id, scans}};
}
#pragma GCC diagnostic pop

struct ProofFixture {
  node::MemoryKvStore kv;
  node::MemoryKvStore epoch_kv;
  TrustAnchor trust{.chain_id = kChainId, .genesis = SetOf(0, {0, 1, 2, 3})};
  ValidatorSet set;  // the header's epoch set
  std::vector<EpochChange> epochs;
  std::vector<Bytes> trace_keys;
  BlockHeader header;
  QuorumCert cert;
  Hash256 root;

  // `filler` other keys around the item's records. Epoch 1 is run by validators 4..7.
  explicit ProofFixture(uint64_t epoch = 0, int filler = 2000) {
    set = epoch == 0 ? trust.genesis : SetOf(1, {4, 5, 6, 7});
    std::vector<node::StateChange> changes;
    for (int i = 0; i < filler; ++i) {
      changes.push_back(
          {B("prov/event/" + std::to_string(100000 + i)), Value(Value::Map{{"n", i}}).Encode()});
    }
    for (const auto& [k, v] : TraceRecords()) {
      changes.push_back({B(k), v.Encode()});
      trace_keys.push_back(B(k));
    }
    std::sort(changes.begin(), changes.end(),
              [](const auto& a, const auto& b) { return a.key < b.key; });
    auto up = node::StateTree(kv).ApplyChanges(0, changes);
    root = up->root;
    (void)kv.Write(up->writes, true);
    header = HeaderAt(epoch, 10, 9, root, set);
    cert = CommitCert(header, epoch == 0 ? std::vector<int>{0, 1, 2} : std::vector<int>{4, 5, 6},
                      {0, 1, 2});
    if (epoch == 1) epochs.push_back(Link(trust.genesis, set));
  }

  static BlockHeader HeaderAt(uint64_t epoch, uint64_t height, uint64_t exec_height,
                              const Hash256& state_root, const ValidatorSet& vs) {
    return BlockHeader{.chain_id = kChainId,
                       .epoch = epoch,
                       .round = 3 + height,
                       .height = height,
                       .parent = Sha256(AsBytes("parent")),
                       .justify_hash = Sha256(AsBytes("justify")),
                       .proposer = 1,
                       .timestamp_ms = 1'780'000'000'000 + height,
                       .tx_root = MerkleEmptyRoot(),
                       .tx_count = 0,
                       .exec_height = exec_height,
                       .state_root = state_root,
                       .receipts_root = MerkleEmptyRoot(),
                       .validators_hash = vs.Hash()};
  }

  // An epoch-change link: a header of `from`'s epoch whose state says the set is `to`.
  EpochChange Link(const ValidatorSet& from, const ValidatorSet& to) {
    std::vector<node::StateChange> ch{{B("gov/params"), B("x")},
                                      {B(std::string(kValidatorSetStateKey)), to.Encode()}};
    auto up = node::StateTree(epoch_kv).ApplyChanges(0, ch);
    (void)epoch_kv.Write(up->writes, true);
    EpochChange e;
    e.header = HeaderAt(from.epoch, 5, 4, up->root, from);
    e.cert = CommitCert(e.header, {0, 1, 3}, {0, 1, 3});
    e.proof = *node::StateTree(epoch_kv).Prove(0, AsBytes(kValidatorSetStateKey));
    return e;
  }

  StateProof Prove(const Bytes& key) { return *node::StateTree(kv).Prove(0, key); }

  StateBundle Bundle(const std::vector<Bytes>& keys) {
    std::vector<StateProof> proofs;
    for (const Bytes& k : keys) proofs.push_back(Prove(k));
    return StateBundle{.epochs = epochs,
                       .header = header,
                       .cert = cert,
                       .state = *MultiStateProof::FromProofs(proofs)};
  }
};

// Block 10 of a fixture: five prov.scan txs (nonces 1..5) with their receipts, and the inclusion
// bundle of tx 3 — its tx path under block 10 (certified by 0, 2, 3) and its receipt path under
// block 11 (certified by 1, 2, 3), the first header that carries block 10's receipts root.
struct ScanBlock {
  std::vector<Transaction> txs;
  std::vector<Receipt> receipts;
  std::vector<Hash256> receipt_leaves;  // MerkleLeafHash of each receipt's hash
  TxBundle bundle;                      // of txs[3]
};

inline ScanBlock MakeScanBlock(const ProofFixture& f) {
  ScanBlock out;
  std::vector<Hash256> leaves;
  std::vector<Hash256>& rleaves = out.receipt_leaves;
  for (uint32_t i = 0; i < 5; ++i) {
    Transaction tx{
        .chain_id = kChainId,
        .nonce = i + 1u,
        .contract = "prov",
        .method = "scan",
        .args = Value::MakeMap({{"code", "/01/09521234543213/21/" + std::to_string(i)}}).Encode()};
    tx.SignWith(ValidatorKey(9));
    out.txs.push_back(tx);
    leaves.push_back(MerkleLeafHash(tx.Id().view()));
    out.receipts.push_back(
        Receipt{.tx_id = tx.Id(),
                .height = 10,
                .index = i,
                .events = {{"prov.Scanned", Value::MakeMap({{"count", 1}}).Encode()}}});
    rleaves.push_back(MerkleLeafHash(out.receipts.back().Hash().view()));
  }
  BlockHeader h = ProofFixture::HeaderAt(0, 10, 9, f.root, f.set);
  h.tx_root = MerkleRootFromLeafHashes(leaves);
  h.tx_count = 5;
  BlockHeader later = ProofFixture::HeaderAt(0, 11, 10, f.root, f.set);
  later.receipts_root = MerkleRootFromLeafHashes(rleaves);
  out.bundle = TxBundle{.header = h,
                        .cert = CommitCert(h, {0, 2, 3}, {0, 2, 3}),
                        .tx = out.txs[3],
                        .tx_path = MerkleProveFromLeafHashes(leaves, 3)};
  out.bundle.receipt = TxBundle::ReceiptPart{.header = later,
                                             .cert = CommitCert(later, {1, 2, 3}, {1, 2, 3}),
                                             .receipt = out.receipts[3],
                                             .path = MerkleProveFromLeafHashes(rleaves, 3)};
  return out;
}

}  // namespace tidemark::prooftest
