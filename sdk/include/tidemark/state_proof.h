// state_proof.h — proofs of inclusion and of absence in the authenticated state tree.
//
// The state is a sparse Merkle tree over 256-bit paths: path(key) = SHA-256(key), bit 0 being the
// most significant bit of the first byte (0 = left). A subtree holding exactly one leaf is stored
// as that leaf, at the highest level where it is alone; an empty subtree hashes to kSmtEmptyHash.
//
//   leaf     = SHA-256(0x02 || SHA-256(key) || SHA-256(value))      (SmtLeafHash)
//   internal = SHA-256(0x03 || left || right)                        (SmtNodeHash)
//   empty    = 32 zero bytes                                         (kSmtEmptyHash)
//
// The prefixes 0x02 / 0x03 differ from the RFC 6962 prefixes (0x00 / 0x01) of the tx and receipt
// trees, so no node of one tree can be passed off as a node of another. docs/storage.md has the
// whole design.
//
//   Result<StateProof> p = StateProof::Decode(bytes_from_server);
//   Status s = VerifyStateProof(header.state_root, AsBytes("provenance/lot/42"), value, *p);
//   if (s.ok()) { /* `value` (or its absence, when nullopt) is certified by the root */ }
//
// Thread safety: value types and pure functions.
#pragma once

#include <optional>
#include <vector>

#include "tidemark/bytes.h"
#include "tidemark/codec.h"
#include "tidemark/types.h"

namespace tidemark {

inline constexpr uint8_t kStateProofVersion = 1;
inline constexpr size_t kSmtDepth = 256;
// Limits on state keys and values (enforced by the state tree writer and the proof decoder).
inline constexpr size_t kMaxStateKeyLen = 1024;
inline constexpr size_t kMaxStateValueLen = 1024 * 1024;

inline constexpr Hash256 kSmtEmptyHash{};  // all zeros

Hash256 SmtKeyHash(ByteView key);  // SHA-256(key): the leaf's path
Hash256 SmtLeafHash(const Hash256& key_hash, const Hash256& value_hash);
Hash256 SmtNodeHash(const Hash256& left, const Hash256& right);
// Bit `depth` (0..255) of a path: 0 = go left, 1 = go right.
inline bool SmtPathBit(const Hash256& path, size_t depth) {
  return (path.data[depth / 8] >> (7 - depth % 8)) & 1;
}

// A leaf as the proof carries it: its path and the hash of its value.
struct SmtLeaf {
  Hash256 key_hash;
  Hash256 value_hash;
  friend bool operator==(const SmtLeaf&, const SmtLeaf&) = default;
};

// Proves that `key` maps to `value` (inclusion) or to nothing (absence) under a state root.
//
// The path from the root goes down `depth` levels (0..256) to the place where the key's leaf is,
// or would be. `siblings` are the non-empty sibling hashes along that path, top (depth 0) first;
// bit i of `bitmap` (MSB first) is set iff the sibling at depth i is non-empty. At the end of the
// path there is the key's own leaf (inclusion), nothing (absence), or `other_leaf`: a leaf of a
// different key sharing the first `depth` path bits (absence).
struct StateProof {
  Bytes key;
  std::optional<Bytes> value;  // nullopt: the proof is of absence
  uint16_t depth = 0;
  Bytes bitmap;  // ceil(depth / 8) bytes; unused low bits are zero
  std::vector<Hash256> siblings;
  std::optional<SmtLeaf> other_leaf;

  // version u8 | key blob | value optional blob | depth u16 | bitmap raw | siblings raw (32 each,
  // as many as bits set) | other_leaf optional (key_hash, value_hash).
  Bytes Encode() const;
  // Strict: rejects other versions, depth > 256, set bits beyond depth, an all-zero sibling, a
  // value together with other_leaf, over-long key / value, trailing bytes. Never asserts.
  static Result<StateProof> Decode(ByteView in);

  size_t EncodedSize() const { return Encode().size(); }
  friend bool operator==(const StateProof&, const StateProof&) = default;
};

// The root the proof hashes to, or an error if the proof is malformed (structure only; it does
// not say anything until compared with a trusted root).
Result<Hash256> StateProofRoot(const StateProof& proof);

// OK iff `proof` shows that under `root`, `key` maps exactly to `value` (or is absent when
// `value` is nullopt), and the proof's own key / value are those. kUnauthenticated otherwise.
Status VerifyStateProof(const Hash256& root, ByteView key, const std::optional<Bytes>& value,
                        const StateProof& proof);

// What a node serves so that a client trusting only the validator set can check a value: a
// committed block header, its commit certificate, and a state proof against the header's
// state_root (the state after block header.exec_height).
//
//   TM_ASSIGN_OR_RETURN(CertifiedStateProof p, CertifiedStateProof::Decode(body));
//   TM_RETURN_IF_ERROR(VerifyCertifiedStateProof(validators, "tidemark-local", key, value, p));
struct CertifiedStateProof {
  BlockHeader header;
  QuorumCert cert;
  StateProof proof;

  // version u8 | header | cert | proof blob (StateProof::Encode)
  Bytes Encode() const;
  static Result<CertifiedStateProof> Decode(ByteView in);
};

// OK iff the header is for `chain_id` and `validators` (validators_hash), `cert` is a valid
// quorum of `validators` committing exactly this header (commit_id, commit_height), and the proof
// shows key -> value (or absence) under header.state_root. kUnauthenticated otherwise.
Status VerifyCertifiedStateProof(const ValidatorSet& validators, std::string_view chain_id,
                                 ByteView key, const std::optional<Bytes>& value,
                                 const CertifiedStateProof& certified);

}  // namespace tidemark
