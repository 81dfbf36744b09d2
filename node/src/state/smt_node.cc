#include "tidemark/node/state/smt_node.h"

#include "tidemark/hash.h"
#include "tidemark/node/storage/key_layout.h"

namespace tidemark::node {
namespace {

Status AsCorruption(const Status& s) {
  if (s.ok()) return s;
  return Status::Corruption("state node: " + s.message());
}

}  // namespace

// Ref kind bytes beyond NodeKind (smt_node.h): a hash-keyed leaf with its summary, and the
// references of nodes stored by seq.
constexpr uint8_t kLeafWithSummary = 3;
constexpr uint8_t kInternalBySeq = 4;
constexpr uint8_t kLeafBySeq = 5;
// The first byte of a stored leaf written since compact records (no hashes: recomputed).
constexpr uint8_t kCompactLeafRecord = 3;

std::string NodeKey(const NodeRef& ref) {
  return ref.by_seq ? keys::StateNodeBySeq(ref.version, ref.seq)
                    : keys::StateNode(ref.version, ref.hash);
}

NodeRef LeafRef(uint64_t version, const Hash256& key_hash, const Hash256& value_hash) {
  NodeRef ref{.kind = NodeKind::kLeaf,
              .version = version,
              .hash = SmtLeafHash(key_hash, value_hash),
              .has_summary = true};
  ref.key_hash = key_hash;
  ref.value_hash = value_hash;
  return ref;
}

void EncodeRef(Writer& w, const NodeRef& ref) {
  if (ref.by_seq && !ref.empty()) {
    const bool leaf = ref.kind == NodeKind::kLeaf;
    w.U8(leaf ? kLeafBySeq : kInternalBySeq);
    w.U64(ref.version);
    w.U32(ref.seq);
    if (!leaf) {
      w.Fixed(ref.hash);
      return;
    }
    w.Fixed(ref.key_hash);
    w.Fixed(ref.value_hash);
    return;
  }
  const bool summary = ref.kind == NodeKind::kLeaf && ref.has_summary;
  w.U8(summary ? kLeafWithSummary : static_cast<uint8_t>(ref.kind));
  if (ref.empty()) return;
  w.U64(ref.version);
  w.Fixed(ref.hash);
  if (!summary) return;
  w.Fixed(ref.key_hash);
  w.Fixed(ref.value_hash);
}

Status DecodeRef(Reader& r, NodeRef* ref) {
  uint8_t kind;
  TM_RETURN_IF_ERROR(r.U8(&kind, "ref kind"));
  if (kind == kInternalBySeq || kind == kLeafBySeq) {
    const bool leaf = kind == kLeafBySeq;
    *ref = NodeRef{.kind = leaf ? NodeKind::kLeaf : NodeKind::kInternal, .by_seq = true};
    TM_RETURN_IF_ERROR(r.U64(&ref->version, "ref version"));
    TM_RETURN_IF_ERROR(r.U32(&ref->seq, "ref seq"));
    if (!leaf) return r.Fixed(&ref->hash, "ref hash");
    TM_RETURN_IF_ERROR(r.Fixed(&ref->key_hash, "ref key hash"));
    TM_RETURN_IF_ERROR(r.Fixed(&ref->value_hash, "ref value hash"));
    ref->hash = SmtLeafHash(ref->key_hash, ref->value_hash);
    ref->has_summary = true;
    return Status::Ok();
  }
  if (kind > kLeafWithSummary) return r.Error("bad ref kind");
  const bool summary = kind == kLeafWithSummary;
  *ref = NodeRef{.kind = summary ? NodeKind::kLeaf : static_cast<NodeKind>(kind)};
  if (ref->empty()) return Status::Ok();
  TM_RETURN_IF_ERROR(r.U64(&ref->version, "ref version"));
  TM_RETURN_IF_ERROR(r.Fixed(&ref->hash, "ref hash"));
  if (!summary) return Status::Ok();
  TM_RETURN_IF_ERROR(r.Fixed(&ref->key_hash, "ref key hash"));
  TM_RETURN_IF_ERROR(r.Fixed(&ref->value_hash, "ref value hash"));
  if (SmtLeafHash(ref->key_hash, ref->value_hash) != ref->hash) {
    return r.Error("leaf summary does not hash to the reference");
  }
  ref->has_summary = true;
  return Status::Ok();
}

Bytes EncodeRefBytes(const NodeRef& ref) {
  Writer w;
  EncodeRef(w, ref);
  return w.Take();
}

Result<NodeRef> DecodeRefBytes(ByteView in) {
  Reader r(in, "root ref");
  NodeRef ref;
  TM_RETURN_IF_ERROR(AsCorruption(DecodeRef(r, &ref)));
  TM_RETURN_IF_ERROR(AsCorruption(r.Finish()));
  return ref;
}

Bytes EncodeInternal(const NodeRef& left, const NodeRef& right) {
  Writer w;
  w.U8(static_cast<uint8_t>(NodeKind::kInternal));
  EncodeRef(w, left);
  EncodeRef(w, right);
  return w.Take();
}

Bytes EncodeLeaf(ByteView key, ByteView value) {
  Writer w;
  w.U8(kCompactLeafRecord);
  w.Blob(key);
  w.Blob(value);
  return w.Take();
}

Bytes EncodeLeafWithHashes(ByteView key, ByteView value) {
  Writer w;
  w.U8(static_cast<uint8_t>(NodeKind::kLeaf));
  w.Fixed(SmtKeyHash(key));
  w.Fixed(Sha256(value));
  w.Blob(key);
  w.Blob(value);
  return w.Take();
}

Status DecodeLeafKeyValue(ByteView in, Bytes* key, Bytes* value) {
  Reader r(in, "leaf");
  uint8_t kind;
  TM_RETURN_IF_ERROR(AsCorruption(r.U8(&kind, "kind")));
  if (kind == static_cast<uint8_t>(NodeKind::kLeaf)) {  // older form: its hashes come first
    Hash256 skipped;
    TM_RETURN_IF_ERROR(AsCorruption(r.Fixed(&skipped, "key hash")));
    TM_RETURN_IF_ERROR(AsCorruption(r.Fixed(&skipped, "value hash")));
  } else if (kind != kCompactLeafRecord) {
    return Status::Corruption("state node: not a leaf");
  }
  TM_RETURN_IF_ERROR(AsCorruption(r.Blob(key, kMaxStateKeyLen, "key")));
  TM_RETURN_IF_ERROR(AsCorruption(r.Blob(value, kMaxStateValueLen, "value")));
  return AsCorruption(r.Finish());
}

Result<SmtNode> DecodeNode(ByteView in) {
  Reader r(in, "node");
  SmtNode n;
  uint8_t kind;
  TM_RETURN_IF_ERROR(AsCorruption(r.U8(&kind, "kind")));
  n.kind = static_cast<NodeKind>(kind);
  if (kind == kCompactLeafRecord) {
    n.kind = NodeKind::kLeaf;
    TM_RETURN_IF_ERROR(AsCorruption(r.Blob(&n.key, kMaxStateKeyLen, "key")));
    TM_RETURN_IF_ERROR(AsCorruption(r.Blob(&n.value, kMaxStateValueLen, "value")));
    n.key_hash = SmtKeyHash(n.key);
    n.value_hash = Sha256(n.value);
  } else if (n.kind == NodeKind::kInternal) {
    TM_RETURN_IF_ERROR(AsCorruption(DecodeRef(r, &n.left)));
    TM_RETURN_IF_ERROR(AsCorruption(DecodeRef(r, &n.right)));
  } else if (n.kind == NodeKind::kLeaf) {
    TM_RETURN_IF_ERROR(AsCorruption(r.Fixed(&n.key_hash, "key hash")));
    TM_RETURN_IF_ERROR(AsCorruption(r.Fixed(&n.value_hash, "value hash")));
    TM_RETURN_IF_ERROR(AsCorruption(r.Blob(&n.key, kMaxStateKeyLen, "key")));
    TM_RETURN_IF_ERROR(AsCorruption(r.Blob(&n.value, kMaxStateValueLen, "value")));
  } else {
    return Status::Corruption("state node: bad kind " + std::to_string(kind));
  }
  TM_RETURN_IF_ERROR(AsCorruption(r.Finish()));
  return n;
}

}  // namespace tidemark::node
