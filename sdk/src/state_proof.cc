#include "tidemark/state_proof.h"

#include <bit>

#include "tidemark/hash.h"

namespace tidemark {
namespace {

constexpr uint8_t kLeafPrefix = 0x02;
constexpr uint8_t kNodePrefix = 0x03;

size_t BitmapBytes(size_t depth) { return (depth + 7) / 8; }

bool BitmapBit(const Bytes& bitmap, size_t i) { return (bitmap[i / 8] >> (7 - i % 8)) & 1; }

bool SharePrefix(const Hash256& a, const Hash256& b, size_t bits) {
  for (size_t i = 0; i < bits; ++i) {
    if (SmtPathBit(a, i) != SmtPathBit(b, i)) return false;
  }
  return true;
}

// Everything Decode() enforces beyond the byte layout, so hand-built proofs get the same checks.
Status CheckShape(const StateProof& p) {
  if (p.key.size() > kMaxStateKeyLen) return Status::Invalid("state proof: key too long");
  if (p.value && p.value->size() > kMaxStateValueLen) {
    return Status::Invalid("state proof: value too long");
  }
  if (p.depth > kSmtDepth) return Status::Invalid("state proof: depth above 256");
  if (p.bitmap.size() != BitmapBytes(p.depth)) {
    return Status::Invalid("state proof: bitmap length does not match depth");
  }
  size_t set = 0;
  for (uint8_t b : p.bitmap) set += std::popcount(b);
  if (p.depth % 8 != 0 && (p.bitmap.back() & (0xFF >> (p.depth % 8))) != 0) {
    return Status::Invalid("state proof: bitmap bits set beyond depth");
  }
  if (set != p.siblings.size()) {
    return Status::Invalid("state proof: sibling count does not match bitmap");
  }
  for (const Hash256& s : p.siblings) {
    if (s == kSmtEmptyHash) return Status::Invalid("state proof: empty sibling must be omitted");
  }
  if (p.value && p.other_leaf) {
    return Status::Invalid("state proof: inclusion proof with another leaf");
  }
  return Status::Ok();
}

}  // namespace

Hash256 SmtKeyHash(ByteView key) { return Sha256(key); }

Hash256 SmtLeafHash(const Hash256& key_hash, const Hash256& value_hash) {
  Sha256Hasher h;
  h.Update(kLeafPrefix).Update(key_hash.view()).Update(value_hash.view());
  return h.Final();
}

Hash256 SmtNodeHash(const Hash256& left, const Hash256& right) {
  Sha256Hasher h;
  h.Update(kNodePrefix).Update(left.view()).Update(right.view());
  return h.Final();
}

Bytes StateProof::Encode() const {
  Writer w;
  w.U8(kStateProofVersion);
  w.Blob(key);
  w.Bool(value.has_value());
  if (value) w.Blob(*value);
  w.U16(depth);
  w.Raw(bitmap);
  for (const Hash256& s : siblings) w.Fixed(s);
  w.Bool(other_leaf.has_value());
  if (other_leaf) {
    w.Fixed(other_leaf->key_hash);
    w.Fixed(other_leaf->value_hash);
  }
  return w.Take();
}

Result<StateProof> StateProof::Decode(ByteView in) {
  Reader r(in, "state proof");
  StateProof p;
  TM_RETURN_IF_ERROR(r.Version(kStateProofVersion));
  TM_RETURN_IF_ERROR(r.Blob(&p.key, kMaxStateKeyLen, "key"));
  bool has_value = false;
  TM_RETURN_IF_ERROR(r.Bool(&has_value, "value tag"));
  if (has_value) {
    Bytes v;
    TM_RETURN_IF_ERROR(r.Blob(&v, kMaxStateValueLen, "value"));
    p.value = std::move(v);
  }
  TM_RETURN_IF_ERROR(r.U16(&p.depth, "depth"));
  if (p.depth > kSmtDepth) return r.Error("depth above 256");
  p.bitmap.resize(BitmapBytes(p.depth));
  TM_RETURN_IF_ERROR(r.Raw(p.bitmap.data(), p.bitmap.size(), "bitmap"));
  size_t set = 0;
  for (uint8_t b : p.bitmap) set += std::popcount(b);
  if (set * Hash256::kSize > r.remaining()) return r.Error("truncated at siblings");
  p.siblings.resize(set);
  for (Hash256& s : p.siblings) TM_RETURN_IF_ERROR(r.Fixed(&s, "sibling"));
  bool has_other = false;
  TM_RETURN_IF_ERROR(r.Bool(&has_other, "other leaf tag"));
  if (has_other) {
    SmtLeaf leaf;
    TM_RETURN_IF_ERROR(r.Fixed(&leaf.key_hash, "other leaf key hash"));
    TM_RETURN_IF_ERROR(r.Fixed(&leaf.value_hash, "other leaf value hash"));
    p.other_leaf = leaf;
  }
  TM_RETURN_IF_ERROR(r.Finish());
  TM_RETURN_IF_ERROR(CheckShape(p));
  return p;
}

Result<Hash256> StateProofRoot(const StateProof& p) {
  TM_RETURN_IF_ERROR(CheckShape(p));
  const Hash256 path = SmtKeyHash(p.key);
  Hash256 cur = kSmtEmptyHash;
  if (p.value) {
    cur = SmtLeafHash(path, Sha256(*p.value));
  } else if (p.other_leaf) {
    if (p.other_leaf->key_hash == path) {
      return Status::Invalid("state proof: absence proof names the key's own leaf");
    }
    if (!SharePrefix(p.other_leaf->key_hash, path, p.depth)) {
      return Status::Invalid("state proof: other leaf is not on the key's path");
    }
    cur = SmtLeafHash(p.other_leaf->key_hash, p.other_leaf->value_hash);
  }
  size_t next_sibling = p.siblings.size();
  for (size_t d = p.depth; d-- > 0;) {
    const Hash256& sibling = BitmapBit(p.bitmap, d) ? p.siblings[--next_sibling] : kSmtEmptyHash;
    cur = SmtPathBit(path, d) ? SmtNodeHash(sibling, cur) : SmtNodeHash(cur, sibling);
  }
  return cur;
}

Status VerifyStateProof(const Hash256& root, ByteView key, const std::optional<Bytes>& value,
                        const StateProof& proof) {
  if (!std::equal(key.begin(), key.end(), proof.key.begin(), proof.key.end())) {
    return Status::Unauthenticated("state proof: proves another key");
  }
  if (value != proof.value) {
    return Status::Unauthenticated("state proof: proves another value");
  }
  Result<Hash256> computed = StateProofRoot(proof);
  if (!computed.ok()) return Status::Unauthenticated(computed.status().message());
  if (*computed != root) return Status::Unauthenticated("state proof: root mismatch");
  return Status::Ok();
}

Bytes CertifiedStateProof::Encode() const {
  Writer w;
  w.U8(kStateProofVersion);
  header.EncodeTo(w);
  cert.EncodeTo(w);
  w.Blob(proof.Encode());
  return w.Take();
}

Result<CertifiedStateProof> CertifiedStateProof::Decode(ByteView in) {
  // A proof holds at most a key, a value, 256 siblings and a leaf, plus small framing.
  constexpr size_t kMaxProofLen = kMaxStateKeyLen + kMaxStateValueLen + 257 * 32 + 128;
  Reader r(in, "certified state proof");
  CertifiedStateProof out;
  TM_RETURN_IF_ERROR(r.Version(kStateProofVersion));
  TM_RETURN_IF_ERROR(BlockHeader::DecodeFrom(r, &out.header));
  TM_RETURN_IF_ERROR(QuorumCert::DecodeFrom(r, &out.cert));
  Bytes proof;
  TM_RETURN_IF_ERROR(r.Blob(&proof, kMaxProofLen, "proof"));
  TM_RETURN_IF_ERROR(r.Finish());
  TM_ASSIGN_OR_RETURN(out.proof, StateProof::Decode(proof));
  return out;
}

Status VerifyCertifiedStateProof(const ValidatorSet& validators, std::string_view chain_id,
                                 ByteView key, const std::optional<Bytes>& value,
                                 const CertifiedStateProof& c) {
  if (c.header.chain_id != chain_id) {
    return Status::Unauthenticated("certified proof: header is for another chain");
  }
  if (c.header.validators_hash != validators.Hash()) {
    return Status::Unauthenticated("certified proof: header names another validator set");
  }
  if (c.cert.data.commit_id != c.header.Id() || c.cert.data.commit_height != c.header.height) {
    return Status::Unauthenticated("certified proof: certificate does not commit the header");
  }
  Status cert_ok = c.cert.Verify(validators, chain_id);
  if (!cert_ok.ok()) return Status::Unauthenticated("certified proof: " + cert_ok.message());
  return VerifyStateProof(c.header.state_root, key, value, c.proof);
}

}  // namespace tidemark
