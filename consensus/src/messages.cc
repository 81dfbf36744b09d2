#include "tidemark/consensus/messages.h"

#include <algorithm>

#include "tidemark/hash.h"

namespace tidemark::consensus {

namespace {

// A block inside a message: length-prefixed Block::Encode().
constexpr size_t kMaxBlockBytes = 32 * 1024 * 1024;

void EncodeBlock(Writer& w, const Block& b) { w.Blob(b.Encode()); }

Status DecodeBlock(Reader& r, Block* out) {
  Bytes raw;
  TM_RETURN_IF_ERROR(r.Blob(&raw, kMaxBlockBytes, "block"));
  auto b = Block::Decode(raw);
  if (!b.ok()) return b.status();
  *out = std::move(*b);
  return Status::Ok();
}

void EncodeOptionalTc(Writer& w, const std::optional<TimeoutCert>& tc) {
  w.Bool(tc.has_value());
  if (tc) tc->EncodeTo(w);
}

Status DecodeOptionalTc(Reader& r, std::optional<TimeoutCert>* out) {
  bool has;
  TM_RETURN_IF_ERROR(r.Bool(&has, "has_tc"));
  if (!has) {
    out->reset();
    return Status::Ok();
  }
  TimeoutCert tc;
  TM_RETURN_IF_ERROR(TimeoutCert::DecodeFrom(r, &tc));
  *out = std::move(tc);
  return Status::Ok();
}

template <typename T>
Result<T> DecodeWhole(ByteView in, const char* what) {
  Reader r(in, what);
  T out;
  TM_RETURN_IF_ERROR(T::DecodeFrom(r, &out));
  TM_RETURN_IF_ERROR(r.Finish());
  return out;
}

}  // namespace

Bytes TimeoutSigningBody(uint64_t epoch, uint64_t round, uint64_t hqc_round) {
  Writer w;
  w.U8(kEncodingVersion);
  w.U64(epoch);
  w.U64(round);
  w.U64(hqc_round);
  return w.Take();
}

Bytes ProposalSigningBody(const Hash256& block_id) {
  Writer w;
  w.U8(kEncodingVersion);
  w.Fixed(block_id);
  return w.Take();
}

// ---- TimeoutCert
// ---------------------------------------------------------------------------------

uint64_t TimeoutCert::MaxHqcRound() const {
  uint64_t m = 0;
  for (const auto& e : entries) m = std::max(m, e.hqc_round);
  return m;
}

void TimeoutCert::EncodeTo(Writer& w) const {
  w.U8(kEncodingVersion);
  w.U64(epoch);
  w.U64(round);
  w.U32(static_cast<uint32_t>(entries.size()));
  for (const auto& e : entries) {
    w.U32(e.signer);
    w.U64(e.hqc_round);
    w.Fixed(e.signature);
  }
  high_qc.EncodeTo(w);
}

Bytes TimeoutCert::Encode() const {
  Writer w;
  EncodeTo(w);
  return w.Take();
}

Hash256 TimeoutCert::Hash() const { return Sha256(Encode()); }

Status TimeoutCert::DecodeFrom(Reader& r, TimeoutCert* tc) {
  TM_RETURN_IF_ERROR(r.Version(kEncodingVersion));
  TM_RETURN_IF_ERROR(r.U64(&tc->epoch, "epoch"));
  TM_RETURN_IF_ERROR(r.U64(&tc->round, "round"));
  uint32_t n;
  TM_RETURN_IF_ERROR(r.Count(&n, kMaxValidators, 4 + 8 + 64, "entries"));
  tc->entries.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    auto& e = tc->entries[i];
    TM_RETURN_IF_ERROR(r.U32(&e.signer, "signer"));
    TM_RETURN_IF_ERROR(r.U64(&e.hqc_round, "hqc_round"));
    TM_RETURN_IF_ERROR(r.Fixed(&e.signature, "signature"));
    if (i > 0 && e.signer <= tc->entries[i - 1].signer) {
      return r.Error("signers not strictly ascending");
    }
    if (e.hqc_round >= tc->round) return r.Error("hqc_round not below the timeout round");
  }
  return QuorumCert::DecodeFrom(r, &tc->high_qc);
}

Result<TimeoutCert> TimeoutCert::Decode(ByteView in) { return DecodeWhole<TimeoutCert>(in, "tc"); }

// ---- TimeoutMsg
// ----------------------------------------------------------------------------------

void TimeoutMsg::EncodeTo(Writer& w) const {
  w.U8(kEncodingVersion);
  w.U64(epoch);
  w.U64(round);
  high_qc.EncodeTo(w);
  EncodeOptionalTc(w, last_tc);
  w.U32(voter);
  w.Fixed(signature);
}

Status TimeoutMsg::DecodeFrom(Reader& r, TimeoutMsg* t) {
  TM_RETURN_IF_ERROR(r.Version(kEncodingVersion));
  TM_RETURN_IF_ERROR(r.U64(&t->epoch, "epoch"));
  TM_RETURN_IF_ERROR(r.U64(&t->round, "round"));
  TM_RETURN_IF_ERROR(QuorumCert::DecodeFrom(r, &t->high_qc));
  if (t->high_qc.data.round >= t->round) return r.Error("high_qc not below the timeout round");
  TM_RETURN_IF_ERROR(DecodeOptionalTc(r, &t->last_tc));
  TM_RETURN_IF_ERROR(r.U32(&t->voter, "voter"));
  return r.Fixed(&t->signature, "signature");
}

Result<TimeoutMsg> TimeoutMsg::Decode(ByteView in) {
  return DecodeWhole<TimeoutMsg>(in, "timeout");
}

// ---- ProposalMsg
// ---------------------------------------------------------------------------------

void ProposalMsg::EncodeTo(Writer& w) const {
  w.U8(kEncodingVersion);
  EncodeBlock(w, block);
  EncodeOptionalTc(w, tc);
  w.Fixed(signature);
}

Status ProposalMsg::DecodeFrom(Reader& r, ProposalMsg* p) {
  TM_RETURN_IF_ERROR(r.Version(kEncodingVersion));
  TM_RETURN_IF_ERROR(DecodeBlock(r, &p->block));
  TM_RETURN_IF_ERROR(DecodeOptionalTc(r, &p->tc));
  return r.Fixed(&p->signature, "signature");
}

Result<ProposalMsg> ProposalMsg::Decode(ByteView in) {
  return DecodeWhole<ProposalMsg>(in, "proposal");
}

// ---- Message envelope
// ----------------------------------------------------------------------------

namespace {

struct BodyEncoder {
  Writer& w;
  void operator()(const ProposalMsg& p) { p.EncodeTo(w); }
  void operator()(const Vote& v) {
    v.data.EncodeTo(w);
    w.U32(v.voter);
    w.Fixed(v.signature);
  }
  void operator()(const TimeoutMsg& t) { t.EncodeTo(w); }
  void operator()(const BlockRequest& q) {
    w.Fixed(q.block_id);
    w.U32(q.max_blocks);
  }
  void operator()(const BlockResponse& b) {
    w.U32(static_cast<uint32_t>(b.blocks.size()));
    for (const auto& blk : b.blocks) EncodeBlock(w, blk);
  }
  void operator()(const EpochRequest& e) { w.U64(e.epoch); }
  void operator()(const EpochProof& p) {
    p.cert.EncodeTo(w);
    w.U32(static_cast<uint32_t>(p.tail.size()));
    for (const auto& blk : p.tail) EncodeBlock(w, blk);
  }
};

Status DecodeBody(Reader& r, uint8_t tag, Message* out) {
  switch (tag) {
    case 0: {
      ProposalMsg p;
      TM_RETURN_IF_ERROR(ProposalMsg::DecodeFrom(r, &p));
      *out = std::move(p);
      return Status::Ok();
    }
    case 1: {
      Vote v;
      TM_RETURN_IF_ERROR(VoteData::DecodeFrom(r, &v.data));
      TM_RETURN_IF_ERROR(r.U32(&v.voter, "voter"));
      TM_RETURN_IF_ERROR(r.Fixed(&v.signature, "signature"));
      *out = std::move(v);
      return Status::Ok();
    }
    case 2: {
      TimeoutMsg t;
      TM_RETURN_IF_ERROR(TimeoutMsg::DecodeFrom(r, &t));
      *out = std::move(t);
      return Status::Ok();
    }
    case 3: {
      BlockRequest q;
      TM_RETURN_IF_ERROR(r.Fixed(&q.block_id, "block_id"));
      TM_RETURN_IF_ERROR(r.U32(&q.max_blocks, "max_blocks"));
      if (q.max_blocks == 0 || q.max_blocks > kMaxFetchBlocks) return r.Error("bad max_blocks");
      *out = q;
      return Status::Ok();
    }
    case 4: {
      BlockResponse b;
      uint32_t n;
      TM_RETURN_IF_ERROR(r.Count(&n, kMaxFetchBlocks, 4, "blocks"));
      b.blocks.resize(n);
      for (auto& blk : b.blocks) TM_RETURN_IF_ERROR(DecodeBlock(r, &blk));
      *out = std::move(b);
      return Status::Ok();
    }
    case 5: {
      EpochRequest e;
      TM_RETURN_IF_ERROR(r.U64(&e.epoch, "epoch"));
      *out = e;
      return Status::Ok();
    }
    case 6: {
      EpochProof p;
      TM_RETURN_IF_ERROR(QuorumCert::DecodeFrom(r, &p.cert));
      uint32_t n;
      TM_RETURN_IF_ERROR(r.Count(&n, kMaxFetchBlocks, 4, "tail"));
      p.tail.resize(n);
      for (auto& blk : p.tail) TM_RETURN_IF_ERROR(DecodeBlock(r, &blk));
      *out = std::move(p);
      return Status::Ok();
    }
    default:
      return r.Error("unknown message tag " + std::to_string(tag));
  }
}

}  // namespace

size_t EstimatedSize(const Block& b) {
  // Fixed fields and length prefixes generously (a length prefix is at most 4 bytes, an integer
  // 8); the variable parts exactly.
  size_t n = 512 + b.header.chain_id.size() + 72 * b.justify.signatures.size();
  for (const Transaction& tx : b.txs) {
    n += 160 + tx.chain_id.size() + tx.contract.size() + tx.method.size() + tx.args.size();
  }
  return n;
}

Bytes EncodeMessage(const Message& m) {
  Writer w;
  w.U8(kEncodingVersion);
  w.U8(static_cast<uint8_t>(m.index()));
  std::visit(BodyEncoder{w}, m);
  return w.Take();
}

Result<Message> DecodeMessage(ByteView in) {
  if (in.size() > kMaxMessageSize) return Status::Invalid("consensus message: too large");
  Reader r(in, "consensus message");
  TM_RETURN_IF_ERROR(r.Version(kEncodingVersion));
  uint8_t tag;
  TM_RETURN_IF_ERROR(r.U8(&tag, "tag"));
  Message out;
  TM_RETURN_IF_ERROR(DecodeBody(r, tag, &out));
  TM_RETURN_IF_ERROR(r.Finish());
  return out;
}

const char* MessageName(const Message& m) {
  static const char* const kNames[] = {"proposal",      "vote",           "timeout",
                                       "block_request", "block_response", "epoch_request",
                                       "epoch_proof"};
  return kNames[m.index()];
}

// ---- SafetyState
// ---------------------------------------------------------------------------------

QuorumCert EpochRootQc(uint64_t epoch, const Hash256& root_id, uint64_t root_height) {
  QuorumCert qc;
  qc.data.epoch = epoch;
  qc.data.round = 0;
  qc.data.height = root_height;
  qc.data.block_id = root_id;
  return qc;
}

SafetyState SafetyState::ForEpochRoot(uint64_t epoch, const Hash256& root_id,
                                      uint64_t root_height) {
  SafetyState s;
  s.epoch = epoch;
  s.epoch_root_id = root_id;
  s.epoch_root_height = root_height;
  s.high_qc = EpochRootQc(epoch, root_id, root_height);
  return s;
}

Bytes SafetyState::Encode() const {
  Writer w;
  w.U8(kEncodingVersion);
  w.U64(epoch);
  w.Fixed(epoch_root_id);
  w.U64(epoch_root_height);
  w.U64(last_voted_round);
  w.U64(locked_round);
  w.U64(last_timeout_round);
  high_qc.EncodeTo(w);
  EncodeOptionalTc(w, last_tc);
  return w.Take();
}

Result<SafetyState> SafetyState::Decode(ByteView in) {
  Reader r(in, "safety_state");
  SafetyState s;
  TM_RETURN_IF_ERROR(r.Version(kEncodingVersion));
  TM_RETURN_IF_ERROR(r.U64(&s.epoch, "epoch"));
  TM_RETURN_IF_ERROR(r.Fixed(&s.epoch_root_id, "epoch_root_id"));
  TM_RETURN_IF_ERROR(r.U64(&s.epoch_root_height, "epoch_root_height"));
  TM_RETURN_IF_ERROR(r.U64(&s.last_voted_round, "last_voted_round"));
  TM_RETURN_IF_ERROR(r.U64(&s.locked_round, "locked_round"));
  TM_RETURN_IF_ERROR(r.U64(&s.last_timeout_round, "last_timeout_round"));
  TM_RETURN_IF_ERROR(QuorumCert::DecodeFrom(r, &s.high_qc));
  TM_RETURN_IF_ERROR(DecodeOptionalTc(r, &s.last_tc));
  TM_RETURN_IF_ERROR(r.Finish());
  if (s.high_qc.data.epoch != s.epoch) return r.Error("high_qc of another epoch");
  if (s.last_tc && s.last_tc->epoch != s.epoch) return r.Error("last_tc of another epoch");
  return s;
}

bool operator==(const SafetyState& a, const SafetyState& b) { return a.Encode() == b.Encode(); }

}  // namespace tidemark::consensus
