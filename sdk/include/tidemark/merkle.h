// merkle.h — RFC 6962 / RFC 9162 Merkle trees over a list of leaves.
//
// leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right); the empty tree's
// root is SHA-256(""). The split point is the largest power of two smaller than n, so proofs are
// the RFC's audit paths and interoperate with any RFC 9162 verifier.
//
//   std::vector<Bytes> leaves = ...;
//   Hash256 root = MerkleRoot(leaves);
//   MerkleProof p = MerkleProve(leaves, 3);
//   bool ok = MerkleVerify(root, leaves[3], p);
//
// Thread safety: pure functions.
#pragma once

#include <vector>

#include "tidemark/bytes.h"
#include "tidemark/codec.h"

namespace tidemark {

Hash256 MerkleLeafHash(ByteView leaf);
Hash256 MerkleNodeHash(const Hash256& left, const Hash256& right);
Hash256 MerkleEmptyRoot();

// Root from leaf hashes (already MerkleLeafHash'ed).
Hash256 MerkleRootFromLeafHashes(const std::vector<Hash256>& leaf_hashes);
Hash256 MerkleRoot(const std::vector<Bytes>& leaves);

struct MerkleProof {
  uint64_t index = 0;
  uint64_t tree_size = 0;
  std::vector<Hash256> path;  // siblings from the leaf up

  void EncodeTo(Writer& w) const;
  static Status DecodeFrom(Reader& r, MerkleProof* out);
};

// REQUIRES: index < leaf_hashes.size()
MerkleProof MerkleProveFromLeafHashes(const std::vector<Hash256>& leaf_hashes, uint64_t index);
MerkleProof MerkleProve(const std::vector<Bytes>& leaves, uint64_t index);

// RFC 9162 §2.1.3.2. False for a wrong leaf, sibling, index, size or path length.
bool MerkleVerifyLeafHash(const Hash256& root, const Hash256& leaf_hash, const MerkleProof& proof);
bool MerkleVerify(const Hash256& root, ByteView leaf, const MerkleProof& proof);

}  // namespace tidemark
