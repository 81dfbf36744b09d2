#include "tidemark/proof_bundle.h"

#include <algorithm>
#include <bit>
#include <span>

#include "tidemark/hash.h"

namespace tidemark {
namespace {

constexpr size_t kMaxBundleValueBytes = 4 * 1024 * 1024;
constexpr size_t kMaxSlots = kMaxMultiProofKeys * kSmtDepth;

Status Unauth(const std::string& m) { return Status::Unauthenticated(m); }

bool SharePrefix(const Hash256& a, const Hash256& b, size_t bits) {
  for (size_t i = 0; i < bits; ++i) {
    if (SmtPathBit(a, i) != SmtPathBit(b, i)) return false;
  }
  return true;
}

struct Keyed {
  Hash256 path;
  size_t index;  // into entries / proofs
};

// The depth-first walk shared by the verifier and the builder: `sibling(depth, first)` yields the
// hash of the subtree beside the keys at `depth` (first = a key on that path), `terminal(i)` the
// hash where entry i's path ends.
template <typename SiblingFn, typename TerminalFn>
Result<Hash256> Walk(size_t depth, std::span<const Keyed> keys, const std::vector<uint16_t>& depths,
                     SiblingFn& sibling, TerminalFn& terminal) {
  if (keys.size() == 1 && depths[keys[0].index] == depth) return terminal(keys[0].index);
  for (const Keyed& k : keys) {
    if (depths[k.index] <= depth) {
      return Status::Invalid("multi proof: a key's leaf place is shared with another key");
    }
  }
  if (depth >= kSmtDepth) return Status::Invalid("multi proof: depth above 256");
  size_t split = 0;
  while (split < keys.size() && !SmtPathBit(keys[split].path, depth)) ++split;
  std::span<const Keyed> left = keys.subspan(0, split), right = keys.subspan(split);
  Hash256 l, r;
  if (left.empty()) {
    TM_ASSIGN_OR_RETURN(l, sibling(depth, right[0].index));
  } else {
    TM_ASSIGN_OR_RETURN(l, Walk(depth + 1, left, depths, sibling, terminal));
  }
  if (right.empty()) {
    TM_ASSIGN_OR_RETURN(r, sibling(depth, left[0].index));
  } else {
    TM_ASSIGN_OR_RETURN(r, Walk(depth + 1, right, depths, sibling, terminal));
  }
  return SmtNodeHash(l, r);
}

Status CheckEntry(const MultiStateProof::Entry& e) {
  if (e.key.empty() || e.key.size() > kMaxStateKeyLen) {
    return Status::Invalid("multi proof: key length out of range");
  }
  if (e.value && e.value->size() > kMaxStateValueLen) {
    return Status::Invalid("multi proof: value too long");
  }
  if (e.depth > kSmtDepth) return Status::Invalid("multi proof: depth above 256");
  if (e.present() && e.other_leaf)
    return Status::Invalid("multi proof: inclusion with another leaf");
  if (e.value && e.value_hash) return Status::Invalid("multi proof: both a value and its hash");
  return Status::Ok();
}

std::vector<Keyed> SortedPaths(const std::vector<MultiStateProof::Entry>& entries) {
  std::vector<Keyed> keys;
  for (size_t i = 0; i < entries.size(); ++i) keys.push_back({SmtKeyHash(entries[i].key), i});
  return keys;
}

bool BitAt(const Bytes& bits, size_t i) { return (bits[i / 8] >> (7 - i % 8)) & 1; }

std::vector<Signer> SignersOf(const QuorumCert& cert, const ValidatorSet& set) {
  std::vector<Signer> out;
  for (const auto& [index, sig] : cert.signatures) {
    if (index < set.size()) {
      out.push_back({index, set.validators[index].org, set.validators[index].key});
    }
  }
  return out;
}

Status DecodeEpochs(Reader& r, std::vector<EpochChange>* out) {
  uint32_t n = 0;
  TM_RETURN_IF_ERROR(r.Count(&n, kMaxEpochChain, 64, "epoch chain"));
  out->resize(n);
  for (EpochChange& e : *out) TM_RETURN_IF_ERROR(EpochChange::DecodeFrom(r, &e));
  return Status::Ok();
}

void EncodeEpochs(Writer& w, const std::vector<EpochChange>& epochs) {
  w.U32(static_cast<uint32_t>(epochs.size()));
  for (const EpochChange& e : epochs) e.EncodeTo(w);
}

}  // namespace

// ---- MultiStateProof ---------------------------------------------------------------------------

Bytes MultiStateProof::Encode() const {
  Writer w;
  w.U8(kProofBundleVersion);
  w.U32(static_cast<uint32_t>(entries.size()));
  for (const Entry& e : entries) {
    w.Blob(e.key);
    w.U8(e.value ? 1 : e.value_hash ? 2 : 0);
    if (e.value) w.Blob(*e.value);
    if (e.value_hash) w.Fixed(*e.value_hash);
    w.U16(e.depth);
    w.Bool(e.other_leaf.has_value());
    if (e.other_leaf) {
      w.Fixed(e.other_leaf->key_hash);
      w.Fixed(e.other_leaf->value_hash);
    }
  }
  w.U32(slots);
  w.Raw(present);
  for (const Hash256& s : siblings) w.Fixed(s);
  return w.Take();
}

Status MultiStateProof::DecodeFrom(Reader& r, MultiStateProof* out) {
  TM_RETURN_IF_ERROR(r.Version(kProofBundleVersion));
  uint32_t n = 0;
  TM_RETURN_IF_ERROR(r.Count(&n, kMaxMultiProofKeys, 8, "keys"));
  if (n == 0) return r.Error("no keys");
  out->entries.resize(n);
  size_t total = 0;
  for (Entry& e : out->entries) {
    TM_RETURN_IF_ERROR(r.Blob(&e.key, kMaxStateKeyLen, "key"));
    uint8_t tag = 0;
    TM_RETURN_IF_ERROR(r.U8(&tag, "value tag"));
    if (tag > 2) return r.Error("unknown value tag");
    if (tag == 1) {
      Bytes v;
      TM_RETURN_IF_ERROR(r.Blob(&v, kMaxStateValueLen, "value"));
      total += v.size();
      if (total > kMaxBundleValueBytes) return r.Error("values too large");
      e.value = std::move(v);
    } else if (tag == 2) {
      Hash256 h;
      TM_RETURN_IF_ERROR(r.Fixed(&h, "value hash"));
      e.value_hash = h;
    }
    bool has = false;
    TM_RETURN_IF_ERROR(r.U16(&e.depth, "depth"));
    TM_RETURN_IF_ERROR(r.Bool(&has, "other leaf tag"));
    if (has) {
      SmtLeaf leaf;
      TM_RETURN_IF_ERROR(r.Fixed(&leaf.key_hash, "other key hash"));
      TM_RETURN_IF_ERROR(r.Fixed(&leaf.value_hash, "other value hash"));
      e.other_leaf = leaf;
    }
    TM_RETURN_IF_ERROR(CheckEntry(e));
  }
  TM_RETURN_IF_ERROR(r.U32(&out->slots, "slots"));
  if (out->slots > kMaxSlots) return r.Error("too many slots");
  out->present.resize((out->slots + 7) / 8);
  TM_RETURN_IF_ERROR(r.Raw(out->present.data(), out->present.size(), "present bits"));
  if (out->slots % 8 != 0 && (out->present.back() & (0xFF >> (out->slots % 8))) != 0) {
    return r.Error("present bits set beyond slots");
  }
  size_t set = 0;
  for (uint8_t b : out->present) set += std::popcount(b);
  if (set * Hash256::kSize > r.remaining()) return r.Error("truncated at siblings");
  out->siblings.resize(set);
  for (Hash256& s : out->siblings) {
    TM_RETURN_IF_ERROR(r.Fixed(&s, "sibling"));
    if (s == kSmtEmptyHash) return r.Error("empty sibling must be omitted");
  }
  return Status::Ok();
}

Result<MultiStateProof> MultiStateProof::Decode(ByteView in) {
  Reader r(in, "multi state proof");
  MultiStateProof p;
  TM_RETURN_IF_ERROR(DecodeFrom(r, &p));
  TM_RETURN_IF_ERROR(r.Finish());
  return p;
}

Result<Hash256> MultiStateProofRoot(const MultiStateProof& p) {
  if (p.entries.empty() || p.entries.size() > kMaxMultiProofKeys) {
    return Status::Invalid("multi proof: 1 to 256 keys");
  }
  if (p.present.size() != (p.slots + 7) / 8) return Status::Invalid("multi proof: bad bitmap");
  std::vector<Keyed> keys = SortedPaths(p.entries);
  std::vector<uint16_t> depths;
  for (size_t i = 0; i < p.entries.size(); ++i) {
    TM_RETURN_IF_ERROR(CheckEntry(p.entries[i]));
    depths.push_back(p.entries[i].depth);
    if (i > 0 && !(keys[i - 1].path < keys[i].path)) {
      return Status::Invalid("multi proof: keys not strictly ascending by path");
    }
  }
  size_t slot = 0, next = 0;
  auto sibling = [&](size_t, size_t) -> Result<Hash256> {
    if (slot >= p.slots) return Status::Invalid("multi proof: too few slots");
    bool has = BitAt(p.present, slot++);
    if (!has) return kSmtEmptyHash;
    if (next >= p.siblings.size()) return Status::Invalid("multi proof: too few siblings");
    return p.siblings[next++];
  };
  auto terminal = [&](size_t i) -> Result<Hash256> {
    const auto& e = p.entries[i];
    const Hash256& path = keys[i].path;
    if (e.value) return SmtLeafHash(path, Sha256(*e.value));
    if (e.value_hash) return SmtLeafHash(path, *e.value_hash);
    if (!e.other_leaf) return kSmtEmptyHash;
    if (e.other_leaf->key_hash == path) {
      return Status::Invalid("multi proof: absence names the key's own leaf");
    }
    if (!SharePrefix(e.other_leaf->key_hash, path, e.depth)) {
      return Status::Invalid("multi proof: other leaf is not on the key's path");
    }
    return SmtLeafHash(e.other_leaf->key_hash, e.other_leaf->value_hash);
  };
  TM_ASSIGN_OR_RETURN(Hash256 root, Walk(0, keys, depths, sibling, terminal));
  if (slot != p.slots || next != p.siblings.size()) {
    return Status::Invalid("multi proof: unused slots or siblings");
  }
  return root;
}

Result<MultiStateProof> MultiStateProof::FromProofs(std::vector<StateProof> proofs) {
  if (proofs.empty() || proofs.size() > kMaxMultiProofKeys) {
    return Status::Invalid("multi proof: 1 to 256 keys");
  }
  std::sort(proofs.begin(), proofs.end(), [](const StateProof& a, const StateProof& b) {
    return SmtKeyHash(a.key) < SmtKeyHash(b.key);
  });
  MultiStateProof out;
  std::vector<uint16_t> depths;
  for (const StateProof& s : proofs) {
    out.entries.push_back(
        {.key = s.key, .value = s.value, .depth = s.depth, .other_leaf = s.other_leaf});
    depths.push_back(s.depth);
  }
  std::vector<Keyed> keys = SortedPaths(out.entries);
  for (size_t i = 1; i < keys.size(); ++i) {
    if (keys[i - 1].path == keys[i].path) return Status::Invalid("multi proof: duplicate key");
  }
  std::vector<bool> bits;
  auto sibling = [&](size_t depth, size_t i) -> Result<Hash256> {
    const StateProof& s = proofs[i];
    if (depth >= s.depth) return Status::Invalid("multi proof: proofs disagree on the tree");
    size_t before = 0;
    for (size_t d = 0; d < depth; ++d) before += BitAt(s.bitmap, d);
    bool has = BitAt(s.bitmap, depth);
    bits.push_back(has);
    if (has) out.siblings.push_back(s.siblings[before]);
    return has ? s.siblings[before] : kSmtEmptyHash;
  };
  auto terminal = [&](size_t) -> Result<Hash256> { return kSmtEmptyHash; };
  TM_RETURN_IF_ERROR(Walk(0, keys, depths, sibling, terminal).status());
  out.slots = static_cast<uint32_t>(bits.size());
  out.present.assign((bits.size() + 7) / 8, 0);
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i]) out.present[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
  }
  return out;
}

void MultiStateProof::StripValues() {
  for (Entry& e : entries) {
    if (e.value) {
      e.value_hash = Sha256(*e.value);
      e.value.reset();
    }
  }
}

bool MultiStateProof::Entry::MatchesValue(ByteView v) const {
  if (value) return std::equal(value->begin(), value->end(), v.begin(), v.end());
  return value_hash && *value_hash == Sha256(v);
}

// ---- Epoch chain -------------------------------------------------------------------------------

void EpochChange::EncodeTo(Writer& w) const {
  header.EncodeTo(w);
  cert.EncodeTo(w);
  w.Blob(proof.Encode());
}

Status EpochChange::DecodeFrom(Reader& r, EpochChange* out) {
  TM_RETURN_IF_ERROR(BlockHeader::DecodeFrom(r, &out->header));
  TM_RETURN_IF_ERROR(QuorumCert::DecodeFrom(r, &out->cert));
  Bytes proof;
  TM_RETURN_IF_ERROR(r.Blob(&proof, 64 * 1024, "epoch change proof"));
  TM_ASSIGN_OR_RETURN(out->proof, StateProof::Decode(proof));
  return Status::Ok();
}

Status VerifyCommittedHeader(const std::vector<ValidatorSet>& sets, std::string_view chain_id,
                             const BlockHeader& header, const QuorumCert& cert) {
  if (header.chain_id != chain_id) return Unauth("header: for another chain");
  if (header.epoch >= sets.size()) {
    return Unauth("header: epoch " + std::to_string(header.epoch) +
                  " is not reached by the epoch chain (stale trust)");
  }
  const ValidatorSet& set = sets[header.epoch];
  if (header.validators_hash != set.Hash()) {
    return Unauth("header: names another validator set than its epoch's");
  }
  if (cert.data.commit_id != header.Id() || cert.data.commit_height != header.height) {
    return Unauth("certificate: does not commit this header");
  }
  Status s = cert.Verify(set, chain_id);
  if (!s.ok()) return Unauth("certificate: " + s.message());
  return Status::Ok();
}

Result<std::vector<ValidatorSet>> FollowEpochChain(const TrustAnchor& trust,
                                                   const std::vector<EpochChange>& chain) {
  if (trust.genesis.size() == 0) return Unauth("trust: empty genesis validator set");
  std::vector<ValidatorSet> sets{trust.genesis};
  for (const EpochChange& link : chain) {
    const ValidatorSet& cur = sets.back();
    if (link.header.epoch != cur.epoch) {
      return Unauth("epoch chain: link for epoch " + std::to_string(link.header.epoch) +
                    ", expected " + std::to_string(cur.epoch));
    }
    TM_RETURN_IF_ERROR(VerifyCommittedHeader(sets, trust.chain_id, link.header, link.cert)
                           .WithContext("epoch chain"));
    if (!link.proof.value) return Unauth("epoch chain: no validator set proven");
    Status s = VerifyStateProof(link.header.state_root, AsBytes(kValidatorSetStateKey),
                                link.proof.value, link.proof);
    if (!s.ok()) return Unauth("epoch chain: " + s.message());
    auto next = ValidatorSet::Decode(*link.proof.value);
    if (!next.ok()) return Unauth("epoch chain: " + next.status().message());
    if (next->epoch != cur.epoch + 1 || next->size() == 0) {
      return Unauth("epoch chain: proven set is not the next epoch's");
    }
    sets.push_back(std::move(*next));
  }
  return sets;
}

// ---- StateBundle -------------------------------------------------------------------------------

Bytes StateBundle::Encode() const {
  Writer w;
  w.U8(kProofBundleVersion);
  EncodeEpochs(w, epochs);
  header.EncodeTo(w);
  cert.EncodeTo(w);
  w.Raw(state.Encode());
  return w.Take();
}

Result<StateBundle> StateBundle::Decode(ByteView in) {
  Reader r(in, "state bundle");
  StateBundle b;
  TM_RETURN_IF_ERROR(r.Version(kProofBundleVersion));
  TM_RETURN_IF_ERROR(DecodeEpochs(r, &b.epochs));
  TM_RETURN_IF_ERROR(BlockHeader::DecodeFrom(r, &b.header));
  TM_RETURN_IF_ERROR(QuorumCert::DecodeFrom(r, &b.cert));
  TM_RETURN_IF_ERROR(MultiStateProof::DecodeFrom(r, &b.state));
  TM_RETURN_IF_ERROR(r.Finish());
  return b;
}

const MultiStateProof::Entry* VerifiedState::Find(std::string_view key) const {
  for (const auto& e : entries) {
    if (std::equal(e.key.begin(), e.key.end(), key.begin(), key.end())) return &e;
  }
  return nullptr;
}

Result<VerifiedState> VerifyStateBundle(const TrustAnchor& trust, const StateBundle& b) {
  TM_ASSIGN_OR_RETURN(std::vector<ValidatorSet> sets, FollowEpochChain(trust, b.epochs));
  TM_RETURN_IF_ERROR(VerifyCommittedHeader(sets, trust.chain_id, b.header, b.cert));
  auto root = MultiStateProofRoot(b.state);
  if (!root.ok()) return Unauth(root.status().message());
  if (*root != b.header.state_root) return Unauth("state proof: root mismatch");
  VerifiedState v;
  v.height = b.header.height;
  v.exec_height = b.header.exec_height;
  v.epoch = b.header.epoch;
  v.block_id = b.header.Id();
  v.state_root = b.header.state_root;
  v.timestamp_ms = b.header.timestamp_ms;
  v.signers = SignersOf(b.cert, sets[b.header.epoch]);
  v.entries = b.state.entries;
  return v;
}

// ---- TxBundle ----------------------------------------------------------------------------------

Bytes TxBundle::Encode() const {
  Writer w;
  w.U8(kProofBundleVersion);
  EncodeEpochs(w, epochs);
  header.EncodeTo(w);
  cert.EncodeTo(w);
  w.Blob(tx.Encode());
  tx_path.EncodeTo(w);
  w.Bool(receipt.has_value());
  if (receipt) {
    receipt->header.EncodeTo(w);
    receipt->cert.EncodeTo(w);
    w.Blob(receipt->receipt.Encode());
    receipt->path.EncodeTo(w);
  }
  return w.Take();
}

Result<TxBundle> TxBundle::Decode(ByteView in) {
  Reader r(in, "tx bundle");
  TxBundle b;
  TM_RETURN_IF_ERROR(r.Version(kProofBundleVersion));
  TM_RETURN_IF_ERROR(DecodeEpochs(r, &b.epochs));
  TM_RETURN_IF_ERROR(BlockHeader::DecodeFrom(r, &b.header));
  TM_RETURN_IF_ERROR(QuorumCert::DecodeFrom(r, &b.cert));
  Bytes tx;
  TM_RETURN_IF_ERROR(r.Blob(&tx, kMaxTxSize, "tx"));
  TM_ASSIGN_OR_RETURN(b.tx, Transaction::Decode(tx));
  TM_RETURN_IF_ERROR(MerkleProof::DecodeFrom(r, &b.tx_path));
  bool has = false;
  TM_RETURN_IF_ERROR(r.Bool(&has, "receipt tag"));
  if (has) {
    ReceiptPart p;
    TM_RETURN_IF_ERROR(BlockHeader::DecodeFrom(r, &p.header));
    TM_RETURN_IF_ERROR(QuorumCert::DecodeFrom(r, &p.cert));
    Bytes rc;
    TM_RETURN_IF_ERROR(r.Blob(&rc, kMaxTxSize * 2, "receipt"));
    TM_ASSIGN_OR_RETURN(p.receipt, Receipt::Decode(rc));
    TM_RETURN_IF_ERROR(MerkleProof::DecodeFrom(r, &p.path));
    b.receipt = std::move(p);
  }
  TM_RETURN_IF_ERROR(r.Finish());
  return b;
}

Result<VerifiedTx> VerifyTxBundle(const TrustAnchor& trust, const TxBundle& b) {
  TM_ASSIGN_OR_RETURN(std::vector<ValidatorSet> sets, FollowEpochChain(trust, b.epochs));
  TM_RETURN_IF_ERROR(VerifyCommittedHeader(sets, trust.chain_id, b.header, b.cert));
  if (b.tx.chain_id != trust.chain_id) return Unauth("tx: for another chain");
  Hash256 id = b.tx.Id();
  if (b.tx_path.tree_size != b.header.tx_count) return Unauth("tx proof: tree size != tx_count");
  if (!MerkleVerifyLeafHash(b.header.tx_root, MerkleLeafHash(id.view()), b.tx_path)) {
    return Unauth("tx proof: does not lead to the header's tx_root");
  }
  VerifiedTx v;
  v.tx_id = id;
  v.height = b.header.height;
  v.index = static_cast<uint32_t>(b.tx_path.index);
  v.epoch = b.header.epoch;
  v.signers = SignersOf(b.cert, sets[b.header.epoch]);
  if (b.receipt) {
    const auto& p = *b.receipt;
    TM_RETURN_IF_ERROR(
        VerifyCommittedHeader(sets, trust.chain_id, p.header, p.cert).WithContext("receipt"));
    if (p.header.exec_height != v.height) {
      return Unauth("receipt proof: header certifies another height's execution");
    }
    if (p.receipt.tx_id != id || p.receipt.height != v.height || p.receipt.index != v.index ||
        p.path.index != v.index) {
      return Unauth("receipt proof: receipt is for another tx");
    }
    if (!MerkleVerifyLeafHash(p.header.receipts_root, MerkleLeafHash(p.receipt.Hash().view()),
                              p.path)) {
      return Unauth("receipt proof: does not lead to the header's receipts_root");
    }
    v.receipt = p.receipt;
  }
  return v;
}

}  // namespace tidemark
