// smt_node.h — the stored form of the state tree's nodes (an internal detail of StateTree, public
// only so tests and tools can inspect a store).
//
// A node is immutable and stored under N | version | seq, where version is the height that
// created it and seq its place among the nodes that version created (NodeKey). A parent refers to
// a child by (kind, version, seq, hash), so a subtree that did not change is shared by every later
// version, and pruning can delete exactly the nodes no retained version uses (see StaleIndex in
// docs/storage.md). Stores written before these compact records keyed a node by its hash
// (N | version | hash); their references say so (ref kind bytes 1-3) and are read as they are.
//
//   NodeRef ref = ...;  Bytes b = EncodeInternal(left, right);
//   TM_ASSIGN_OR_RETURN(SmtNode n, DecodeNode(b));
//
// Thread safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "tidemark/bytes.h"
#include "tidemark/codec.h"
#include "tidemark/state_proof.h"

namespace tidemark::node {

enum class NodeKind : uint8_t { kEmpty = 0, kLeaf = 1, kInternal = 2 };

struct NodeRef {
  NodeKind kind = NodeKind::kEmpty;
  uint64_t version = 0;          // height that created the node (0 when empty)
  Hash256 hash = kSmtEmptyHash;  // kSmtEmptyHash when empty
  // Stored under N | version | seq (every node written since compact records); false: under
  // N | version | hash, as older stores hold them.
  bool by_seq = false;
  uint32_t seq = 0;
  // A leaf's summary — its key hash and value hash, of which `hash` is SmtLeafHash — carried by
  // the reference so that an update that reaches the leaf (a new key splitting it, a value
  // replacing it) needs no read of the leaf itself. Refs written since the summary exist carry
  // it (ref kind byte 3); older stores' (kind byte 1) do not, and the leaf is read instead.
  bool has_summary = false;
  Hash256 key_hash, value_hash;  // with has_summary
  bool empty() const { return kind == NodeKind::kEmpty; }
  // The node named: kind, version, hash and where it is stored (whether the summary came along
  // does not matter).
  friend bool operator==(const NodeRef& a, const NodeRef& b) {
    return a.kind == b.kind && a.version == b.version && a.hash == b.hash && a.by_seq == b.by_seq &&
           a.seq == b.seq;
  }
};

// The store key of the node `ref` names (REQUIRES: not empty).
std::string NodeKey(const NodeRef& ref);

// A leaf's reference with its summary.
NodeRef LeafRef(uint64_t version, const Hash256& key_hash, const Hash256& value_hash);

struct SmtNode {
  NodeKind kind = NodeKind::kEmpty;
  // kInternal:
  NodeRef left, right;
  // kLeaf:
  Hash256 key_hash, value_hash;
  Bytes key, value;
};

// Ref kind byte, then:
//   0 empty: nothing
//   4 internal: version u64 | seq u32 | hash
//   5 leaf: version u64 | seq u32 | key_hash | value_hash (hash = SmtLeafHash of the two)
// and, in stores written before compact records (nodes keyed by hash):
//   1 leaf, 2 internal: version u64 | hash
//   3 leaf with its summary: version u64 | hash | key_hash | value_hash (decoding checks that the
//     hash is SmtLeafHash(key_hash, value_hash)).
// A by_seq leaf always carries its summary (REQUIRES has_summary to encode one).
void EncodeRef(Writer& w, const NodeRef& ref);
Status DecodeRef(Reader& r, NodeRef* ref);
Bytes EncodeRefBytes(const NodeRef& ref);
Result<NodeRef> DecodeRefBytes(ByteView in);

// 0x02 | left ref | right ref
Bytes EncodeInternal(const NodeRef& left, const NodeRef& right);
// 0x03 | key blob | value blob: a leaf as written since compact records (its hashes are
// recomputed when it is decoded; the parent's reference carries them).
Bytes EncodeLeaf(ByteView key, ByteView value);
// 0x01 | key_hash | value_hash | key blob | value blob: a leaf as older stores hold it (decoded
// as it is; `tidemark-node verify` checks the hashes). For tests that build such a store.
Bytes EncodeLeafWithHashes(ByteView key, ByteView value);
// Returns kCorruption for anything malformed (the store is ours; bad bytes mean damage).
Result<SmtNode> DecodeNode(ByteView in);
// The key and value of a leaf record (either form), without computing its hashes: what a read of
// the current value needs (a flat record names the leaf, state_tree.h). kCorruption if `in` is
// not a well-formed leaf.
Status DecodeLeafKeyValue(ByteView in, Bytes* key, Bytes* value);

}  // namespace tidemark::node
