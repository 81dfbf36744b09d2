// smt_node.h — the stored form of the state tree's nodes (an internal detail of StateTree, public
// only so tests and tools can inspect a store).
//
// A node is immutable and stored under N | version | hash, where version is the height that
// created it. A parent refers to a child by (kind, version, hash), so a subtree that did not
// change is shared by every later version, and pruning can delete exactly the nodes no retained
// version uses (see StaleIndex in docs/storage.md).
//
//   NodeRef ref = ...;  Bytes b = EncodeInternal(left, right);
//   TM_ASSIGN_OR_RETURN(SmtNode n, DecodeNode(b));
//
// Thread safety: value types and pure functions.
#pragma once

#include <cstdint>

#include "tidemark/bytes.h"
#include "tidemark/codec.h"
#include "tidemark/state_proof.h"

namespace tidemark::node {

enum class NodeKind : uint8_t { kEmpty = 0, kLeaf = 1, kInternal = 2 };

struct NodeRef {
  NodeKind kind = NodeKind::kEmpty;
  uint64_t version = 0;          // height that created the node (0 when empty)
  Hash256 hash = kSmtEmptyHash;  // kSmtEmptyHash when empty
  // A leaf's summary — its key hash and value hash, of which `hash` is SmtLeafHash — carried by
  // the reference so that an update that reaches the leaf (a new key splitting it, a value
  // replacing it) needs no read of the leaf itself. Refs written since the summary exist carry
  // it (ref kind byte 3); older stores' (kind byte 1) do not, and the leaf is read instead.
  bool has_summary = false;
  Hash256 key_hash, value_hash;  // with has_summary
  bool empty() const { return kind == NodeKind::kEmpty; }
  // The node named: kind, version and hash (whether the summary came along does not matter).
  friend bool operator==(const NodeRef& a, const NodeRef& b) {
    return a.kind == b.kind && a.version == b.version && a.hash == b.hash;
  }
};

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

// kind u8 | (version u64 | hash) unless empty; a leaf with its summary: 3 | version | hash |
// key_hash | value_hash (decoding checks hash == SmtLeafHash(key_hash, value_hash)).
void EncodeRef(Writer& w, const NodeRef& ref);
Status DecodeRef(Reader& r, NodeRef* ref);
Bytes EncodeRefBytes(const NodeRef& ref);
Result<NodeRef> DecodeRefBytes(ByteView in);

// 0x02 | left ref | right ref
Bytes EncodeInternal(const NodeRef& left, const NodeRef& right);
// 0x01 | key_hash | value_hash | key blob | value blob
Bytes EncodeLeaf(ByteView key, ByteView value);
// The same with the hashes already computed (REQUIRES: they are SmtKeyHash(key), Sha256(value)).
Bytes EncodeLeaf(ByteView key, ByteView value, const Hash256& key_hash, const Hash256& value_hash);
// Returns kCorruption for anything malformed (the store is ours; bad bytes mean damage).
Result<SmtNode> DecodeNode(ByteView in);

}  // namespace tidemark::node
