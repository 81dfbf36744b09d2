#include "tidemark/node/state/smt_node.h"

#include "tidemark/hash.h"

namespace tidemark::node {
namespace {

Status AsCorruption(const Status& s) {
  if (s.ok()) return s;
  return Status::Corruption("state node: " + s.message());
}

}  // namespace

void EncodeRef(Writer& w, const NodeRef& ref) {
  w.U8(static_cast<uint8_t>(ref.kind));
  if (ref.empty()) return;
  w.U64(ref.version);
  w.Fixed(ref.hash);
}

Status DecodeRef(Reader& r, NodeRef* ref) {
  uint8_t kind;
  TM_RETURN_IF_ERROR(r.U8(&kind, "ref kind"));
  if (kind > static_cast<uint8_t>(NodeKind::kInternal)) return r.Error("bad ref kind");
  *ref = NodeRef{.kind = static_cast<NodeKind>(kind)};
  if (ref->empty()) return Status::Ok();
  TM_RETURN_IF_ERROR(r.U64(&ref->version, "ref version"));
  return r.Fixed(&ref->hash, "ref hash");
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
  w.U8(static_cast<uint8_t>(NodeKind::kLeaf));
  w.Fixed(SmtKeyHash(key));
  w.Fixed(Sha256(value));
  w.Blob(key);
  w.Blob(value);
  return w.Take();
}

Result<SmtNode> DecodeNode(ByteView in) {
  Reader r(in, "node");
  SmtNode n;
  uint8_t kind;
  TM_RETURN_IF_ERROR(AsCorruption(r.U8(&kind, "kind")));
  n.kind = static_cast<NodeKind>(kind);
  if (n.kind == NodeKind::kInternal) {
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
