#include "tidemark/merkle.h"

#include <bit>

#include "tidemark/hash.h"

namespace tidemark {

Hash256 MerkleLeafHash(ByteView leaf) {
  Sha256Hasher h;
  h.Update(uint8_t{0x00}).Update(leaf);
  return h.Final();
}

Hash256 MerkleNodeHash(const Hash256& left, const Hash256& right) {
  Sha256Hasher h;
  h.Update(uint8_t{0x01}).Update(left.view()).Update(right.view());
  return h.Final();
}

Hash256 MerkleEmptyRoot() { return Sha256({}); }

namespace {
// Largest power of two strictly smaller than n (n >= 2).
size_t SplitPoint(size_t n) { return std::bit_floor(n - 1); }

Hash256 RootOf(const Hash256* leaves, size_t n) {
  if (n == 1) return leaves[0];
  size_t k = SplitPoint(n);
  return MerkleNodeHash(RootOf(leaves, k), RootOf(leaves + k, n - k));
}

void PathOf(const Hash256* leaves, size_t n, size_t index, std::vector<Hash256>* path) {
  if (n == 1) return;
  size_t k = SplitPoint(n);
  if (index < k) {
    PathOf(leaves, k, index, path);
    path->push_back(RootOf(leaves + k, n - k));
  } else {
    PathOf(leaves + k, n - k, index - k, path);
    path->push_back(RootOf(leaves, k));
  }
}
}  // namespace

Hash256 MerkleRootFromLeafHashes(const std::vector<Hash256>& leaf_hashes) {
  if (leaf_hashes.empty()) return MerkleEmptyRoot();
  return RootOf(leaf_hashes.data(), leaf_hashes.size());
}

Hash256 MerkleRoot(const std::vector<Bytes>& leaves) {
  std::vector<Hash256> hashes;
  hashes.reserve(leaves.size());
  for (const auto& l : leaves) hashes.push_back(MerkleLeafHash(l));
  return MerkleRootFromLeafHashes(hashes);
}

MerkleProof MerkleProveFromLeafHashes(const std::vector<Hash256>& leaf_hashes, uint64_t index) {
  assert(index < leaf_hashes.size());
  MerkleProof p;
  p.index = index;
  p.tree_size = leaf_hashes.size();
  PathOf(leaf_hashes.data(), leaf_hashes.size(), index, &p.path);
  return p;
}

MerkleProof MerkleProve(const std::vector<Bytes>& leaves, uint64_t index) {
  std::vector<Hash256> hashes;
  hashes.reserve(leaves.size());
  for (const auto& l : leaves) hashes.push_back(MerkleLeafHash(l));
  return MerkleProveFromLeafHashes(hashes, index);
}

bool MerkleVerifyLeafHash(const Hash256& root, const Hash256& leaf_hash, const MerkleProof& proof) {
  // RFC 9162 §2.1.3.2.
  if (proof.index >= proof.tree_size) return false;
  uint64_t fn = proof.index, sn = proof.tree_size - 1;
  Hash256 r = leaf_hash;
  for (const Hash256& p : proof.path) {
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      r = MerkleNodeHash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = MerkleNodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool MerkleVerify(const Hash256& root, ByteView leaf, const MerkleProof& proof) {
  return MerkleVerifyLeafHash(root, MerkleLeafHash(leaf), proof);
}

void MerkleProof::EncodeTo(Writer& w) const {
  w.U64(index);
  w.U64(tree_size);
  w.U32(static_cast<uint32_t>(path.size()));
  for (const auto& h : path) w.Fixed(h);
}

Status MerkleProof::DecodeFrom(Reader& r, MerkleProof* out) {
  TM_RETURN_IF_ERROR(r.U64(&out->index, "index"));
  TM_RETURN_IF_ERROR(r.U64(&out->tree_size, "tree_size"));
  uint32_t n;
  TM_RETURN_IF_ERROR(r.Count(&n, 64, 32, "path"));
  out->path.resize(n);
  for (auto& h : out->path) TM_RETURN_IF_ERROR(r.Fixed(&h, "path"));
  return Status::Ok();
}

}  // namespace tidemark
