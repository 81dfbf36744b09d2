#include "tidemark/types.h"

#include <algorithm>

#include "tidemark/hash.h"
#include "tidemark/merkle.h"

namespace tidemark {

namespace {

bool IsIdentChar(char c, bool allow_upper_dot) {
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') return true;
  return allow_upper_dot && ((c >= 'A' && c <= 'Z') || c == '.');
}

Status CheckIdent(const Reader& r, const std::string& s, bool allow_upper_dot, const char* field) {
  if (s.empty()) return r.Error(std::string(field) + " is empty");
  for (char c : s) {
    if (!IsIdentChar(c, allow_upper_dot)) {
      return r.Error(std::string(field) + " has an invalid character");
    }
  }
  return Status::Ok();
}

template <typename T>
Result<T> DecodeWhole(ByteView in, const char* what, Status (*fn)(Reader&, T*)) {
  Reader r(in, what);
  T out;
  TM_RETURN_IF_ERROR(fn(r, &out));
  TM_RETURN_IF_ERROR(r.Finish());
  return out;
}

}  // namespace

// ---- Transaction -------------------------------------------------------------------------------

namespace {
void EncodeTxBody(const Transaction& tx, Writer& w) {
  w.U8(kEncodingVersion);
  w.Str(tx.chain_id);
  w.Fixed(tx.signer);
  w.U64(tx.nonce);
  w.Str(tx.contract);
  w.Str(tx.method);
  w.Blob(tx.args);
  w.Bool(tx.expiry_height.has_value());
  if (tx.expiry_height) w.U64(*tx.expiry_height);
}
}  // namespace

Bytes Transaction::SigningBody() const {
  Writer w;
  EncodeTxBody(*this, w);
  return w.Take();
}

Bytes Transaction::Encode() const {
  Writer w;
  EncodeTxBody(*this, w);
  w.Fixed(signature);
  return w.Take();
}

Hash256 Transaction::Id() const { return Sha256(Encode()); }

void Transaction::SignWith(const KeyPair& key) {
  signer = key.public_key();
  signature = key.Sign(SigKind::kTx, chain_id, SigningBody());
}

bool Transaction::VerifySignature() const {
  return Verify(signer, SigKind::kTx, chain_id, SigningBody(), signature);
}

Status Transaction::DecodeFrom(Reader& r, Transaction* tx) {
  TM_RETURN_IF_ERROR(r.Version(kEncodingVersion));
  TM_RETURN_IF_ERROR(r.Str(&tx->chain_id, kMaxChainIdLen, "chain_id"));
  if (tx->chain_id.empty()) return r.Error("chain_id is empty");
  TM_RETURN_IF_ERROR(r.Fixed(&tx->signer, "signer"));
  TM_RETURN_IF_ERROR(r.U64(&tx->nonce, "nonce"));
  TM_RETURN_IF_ERROR(r.Str(&tx->contract, kMaxContractLen, "contract"));
  TM_RETURN_IF_ERROR(CheckIdent(r, tx->contract, false, "contract"));
  TM_RETURN_IF_ERROR(r.Str(&tx->method, kMaxMethodLen, "method"));
  TM_RETURN_IF_ERROR(CheckIdent(r, tx->method, true, "method"));
  TM_RETURN_IF_ERROR(r.Blob(&tx->args, kMaxArgsLen, "args"));
  bool has_expiry;
  TM_RETURN_IF_ERROR(r.Bool(&has_expiry, "expiry_height"));
  if (has_expiry) {
    uint64_t e;
    TM_RETURN_IF_ERROR(r.U64(&e, "expiry_height"));
    tx->expiry_height = e;
  } else {
    tx->expiry_height.reset();
  }
  return r.Fixed(&tx->signature, "signature");
}

Result<Transaction> Transaction::Decode(ByteView in) {
  if (in.size() > kMaxTxSize) {
    return Status::Invalid("tx: too large (" + std::to_string(in.size()) + " > " +
                           std::to_string(kMaxTxSize) + " bytes)");
  }
  return DecodeWhole<Transaction>(in, "tx", &Transaction::DecodeFrom);
}

// ---- Votes and quorum certificates -------------------------------------------------------------

void VoteData::EncodeTo(Writer& w) const {
  w.U8(kEncodingVersion);
  w.U64(epoch);
  w.U64(round);
  w.U64(height);
  w.Fixed(block_id);
  w.U64(commit_height);
  w.Fixed(commit_id);
}

Bytes VoteData::Encode() const {
  Writer w;
  EncodeTo(w);
  return w.Take();
}

Status VoteData::DecodeFrom(Reader& r, VoteData* d) {
  TM_RETURN_IF_ERROR(r.Version(kEncodingVersion));
  TM_RETURN_IF_ERROR(r.U64(&d->epoch, "epoch"));
  TM_RETURN_IF_ERROR(r.U64(&d->round, "round"));
  TM_RETURN_IF_ERROR(r.U64(&d->height, "height"));
  TM_RETURN_IF_ERROR(r.Fixed(&d->block_id, "block_id"));
  TM_RETURN_IF_ERROR(r.U64(&d->commit_height, "commit_height"));
  TM_RETURN_IF_ERROR(r.Fixed(&d->commit_id, "commit_id"));
  if (d->commit_id.IsZero() != (d->commit_height == 0)) {
    return r.Error("commit_height and commit_id disagree");
  }
  return Status::Ok();
}

Bytes Vote::Encode() const {
  Writer w;
  data.EncodeTo(w);
  w.U32(voter);
  w.Fixed(signature);
  return w.Take();
}

Result<Vote> Vote::Decode(ByteView in) {
  return DecodeWhole<Vote>(
      in, "vote", +[](Reader& r, Vote* v) -> Status {
        TM_RETURN_IF_ERROR(VoteData::DecodeFrom(r, &v->data));
        TM_RETURN_IF_ERROR(r.U32(&v->voter, "voter"));
        return r.Fixed(&v->signature, "signature");
      });
}

void QuorumCert::EncodeTo(Writer& w) const {
  data.EncodeTo(w);
  w.U32(static_cast<uint32_t>(signatures.size()));
  for (const auto& [idx, sig] : signatures) {
    w.U32(idx);
    w.Fixed(sig);
  }
}

Bytes QuorumCert::Encode() const {
  Writer w;
  EncodeTo(w);
  return w.Take();
}

Hash256 QuorumCert::Hash() const { return Sha256(Encode()); }

Status QuorumCert::DecodeFrom(Reader& r, QuorumCert* qc) {
  TM_RETURN_IF_ERROR(VoteData::DecodeFrom(r, &qc->data));
  uint32_t n;
  TM_RETURN_IF_ERROR(r.Count(&n, kMaxValidators, 68, "signatures"));
  qc->signatures.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    TM_RETURN_IF_ERROR(r.U32(&qc->signatures[i].first, "signer"));
    TM_RETURN_IF_ERROR(r.Fixed(&qc->signatures[i].second, "signature"));
    if (i > 0 && qc->signatures[i].first <= qc->signatures[i - 1].first) {
      return r.Error("signers not strictly ascending");
    }
  }
  return Status::Ok();
}

Result<QuorumCert> QuorumCert::Decode(ByteView in) {
  return DecodeWhole<QuorumCert>(in, "qc", &QuorumCert::DecodeFrom);
}

Status QuorumCert::Verify(const ValidatorSet& vs, std::string_view chain_id) const {
  // An empty set has quorum 0: without this check any QC would verify against it.
  if (vs.validators.empty()) return Status::Unauthenticated("qc: empty validator set");
  if (data.epoch != vs.epoch) {
    return Status::Unauthenticated("qc: epoch " + std::to_string(data.epoch) +
                                   " does not match validator set epoch " +
                                   std::to_string(vs.epoch));
  }
  if (signatures.size() < vs.Quorum()) {
    return Status::Unauthenticated("qc: " + std::to_string(signatures.size()) +
                                   " signatures, quorum is " + std::to_string(vs.Quorum()));
  }
  Bytes body = data.Encode();
  Bytes msg = SigningMessage(SigKind::kVote, chain_id, body);
  for (size_t i = 0; i < signatures.size(); ++i) {
    const auto& [idx, sig] = signatures[i];
    if (i > 0 && idx <= signatures[i - 1].first) {
      return Status::Unauthenticated("qc: signers not strictly ascending");
    }
    if (idx >= vs.size()) {
      return Status::Unauthenticated("qc: signer " + std::to_string(idx) + " is not a validator");
    }
    if (!VerifyRaw(vs.validators[idx].key, msg, sig)) {
      return Status::Unauthenticated("qc: bad signature from validator " + std::to_string(idx));
    }
  }
  return Status::Ok();
}

// ---- Validator sets
// ------------------------------------------------------------------------------

std::optional<uint32_t> ValidatorSet::IndexOf(const PublicKey& key) const {
  for (size_t i = 0; i < validators.size(); ++i) {
    if (validators[i].key == key) return static_cast<uint32_t>(i);
  }
  return std::nullopt;
}

Bytes ValidatorSet::Encode() const {
  Writer w;
  w.U8(kEncodingVersion);
  w.U64(epoch);
  w.U32(static_cast<uint32_t>(validators.size()));
  for (const auto& v : validators) {
    w.Fixed(v.key);
    w.Str(v.org);
  }
  return w.Take();
}

Hash256 ValidatorSet::Hash() const { return Sha256(Encode()); }

Status ValidatorSet::DecodeFrom(Reader& r, ValidatorSet* vs) {
  TM_RETURN_IF_ERROR(r.Version(kEncodingVersion));
  TM_RETURN_IF_ERROR(r.U64(&vs->epoch, "epoch"));
  uint32_t n;
  TM_RETURN_IF_ERROR(r.Count(&n, kMaxValidators, 36, "validators"));
  if (n == 0) return r.Error("empty validator set");
  vs->validators.resize(n);
  for (auto& v : vs->validators) {
    TM_RETURN_IF_ERROR(r.Fixed(&v.key, "key"));
    TM_RETURN_IF_ERROR(r.Str(&v.org, 64, "org"));
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (vs->validators[i].key == vs->validators[j].key) return r.Error("duplicate validator key");
    }
  }
  return Status::Ok();
}

Result<ValidatorSet> ValidatorSet::Decode(ByteView in) {
  return DecodeWhole<ValidatorSet>(in, "validator_set", &ValidatorSet::DecodeFrom);
}

// ---- Blocks ------------------------------------------------------------------------------------

void BlockHeader::EncodeTo(Writer& w) const {
  w.U8(kEncodingVersion);
  w.Str(chain_id);
  w.U64(epoch);
  w.U64(round);
  w.U64(height);
  w.Fixed(parent);
  w.Fixed(justify_hash);
  w.U32(proposer);
  w.U64(timestamp_ms);
  w.Fixed(tx_root);
  w.U32(tx_count);
  w.U64(exec_height);
  w.Fixed(state_root);
  w.Fixed(receipts_root);
  w.Fixed(validators_hash);
}

Bytes BlockHeader::Encode() const {
  Writer w;
  EncodeTo(w);
  return w.Take();
}

Hash256 BlockHeader::Id() const { return Sha256(Encode()); }

Status BlockHeader::DecodeFrom(Reader& r, BlockHeader* h) {
  TM_RETURN_IF_ERROR(r.Version(kEncodingVersion));
  TM_RETURN_IF_ERROR(r.Str(&h->chain_id, kMaxChainIdLen, "chain_id"));
  TM_RETURN_IF_ERROR(r.U64(&h->epoch, "epoch"));
  TM_RETURN_IF_ERROR(r.U64(&h->round, "round"));
  TM_RETURN_IF_ERROR(r.U64(&h->height, "height"));
  TM_RETURN_IF_ERROR(r.Fixed(&h->parent, "parent"));
  TM_RETURN_IF_ERROR(r.Fixed(&h->justify_hash, "justify_hash"));
  TM_RETURN_IF_ERROR(r.U32(&h->proposer, "proposer"));
  TM_RETURN_IF_ERROR(r.U64(&h->timestamp_ms, "timestamp_ms"));
  TM_RETURN_IF_ERROR(r.Fixed(&h->tx_root, "tx_root"));
  TM_RETURN_IF_ERROR(r.U32(&h->tx_count, "tx_count"));
  if (h->tx_count > kMaxTxsPerBlock) return r.Error("tx_count too large");
  TM_RETURN_IF_ERROR(r.U64(&h->exec_height, "exec_height"));
  if (h->exec_height > h->height) return r.Error("exec_height above height");
  TM_RETURN_IF_ERROR(r.Fixed(&h->state_root, "state_root"));
  TM_RETURN_IF_ERROR(r.Fixed(&h->receipts_root, "receipts_root"));
  return r.Fixed(&h->validators_hash, "validators_hash");
}

Result<BlockHeader> BlockHeader::Decode(ByteView in) {
  return DecodeWhole<BlockHeader>(in, "header", &BlockHeader::DecodeFrom);
}

Hash256 TxRoot(const std::vector<Transaction>& txs) {
  std::vector<Hash256> leaves;
  leaves.reserve(txs.size());
  for (const auto& tx : txs) leaves.push_back(MerkleLeafHash(tx.Id().view()));
  return MerkleRootFromLeafHashes(leaves);
}

Bytes Block::Encode() const {
  Writer w;
  header.EncodeTo(w);
  justify.EncodeTo(w);
  w.U32(static_cast<uint32_t>(txs.size()));
  for (const auto& tx : txs) w.Blob(tx.Encode());
  return w.Take();
}

Result<Block> Block::Decode(ByteView in) {
  return DecodeWhole<Block>(
      in, "block", +[](Reader& r, Block* b) -> Status {
        TM_RETURN_IF_ERROR(BlockHeader::DecodeFrom(r, &b->header));
        TM_RETURN_IF_ERROR(QuorumCert::DecodeFrom(r, &b->justify));
        uint32_t n;
        TM_RETURN_IF_ERROR(r.Count(&n, kMaxTxsPerBlock, 4 + 1 + 4 + 32 + 8 + 64, "txs"));
        b->txs.resize(n);
        for (auto& tx : b->txs) {
          Bytes raw;
          TM_RETURN_IF_ERROR(r.Blob(&raw, kMaxTxSize, "tx"));
          auto d = Transaction::Decode(raw);
          if (!d.ok()) return d.status().WithContext("block");
          tx = std::move(*d);
        }
        return Status::Ok();
      });
}

Status Block::CheckInternal() const {
  if (header.justify_hash != justify.Hash()) return Status::Invalid("block: justify_hash mismatch");
  if (header.height > 0 && header.parent != justify.data.block_id) {
    return Status::Invalid("block: parent is not the justified block");
  }
  if (header.tx_count != txs.size()) return Status::Invalid("block: tx_count mismatch");
  if (header.tx_root != TxRoot(txs)) return Status::Invalid("block: tx_root mismatch");
  for (const auto& tx : txs) {
    if (tx.chain_id != header.chain_id) return Status::Invalid("block: tx for another chain");
  }
  return Status::Ok();
}

// ---- Receipts ----------------------------------------------------------------------------------

Bytes Receipt::Encode() const {
  Writer w;
  w.U8(kEncodingVersion);
  w.Fixed(tx_id);
  w.U64(height);
  w.U32(index);
  w.U8(static_cast<uint8_t>(status));
  w.Str(reason);
  w.U32(static_cast<uint32_t>(events.size()));
  for (const auto& e : events) {
    w.Str(e.type);
    w.Blob(e.data);
  }
  return w.Take();
}

Hash256 Receipt::Hash() const { return Sha256(Encode()); }

Result<Receipt> Receipt::Decode(ByteView in) {
  return DecodeWhole<Receipt>(
      in, "receipt", +[](Reader& r, Receipt* rc) -> Status {
        TM_RETURN_IF_ERROR(r.Version(kEncodingVersion));
        TM_RETURN_IF_ERROR(r.Fixed(&rc->tx_id, "tx_id"));
        TM_RETURN_IF_ERROR(r.U64(&rc->height, "height"));
        TM_RETURN_IF_ERROR(r.U32(&rc->index, "index"));
        uint8_t st;
        TM_RETURN_IF_ERROR(r.U8(&st, "status"));
        if (st > 1) return r.Error("unknown status " + std::to_string(st));
        rc->status = static_cast<TxStatus>(st);
        TM_RETURN_IF_ERROR(r.Str(&rc->reason, kMaxReasonLen, "reason"));
        uint32_t n;
        TM_RETURN_IF_ERROR(r.Count(&n, kMaxEventsPerReceipt, 8, "events"));
        rc->events.resize(n);
        for (auto& e : rc->events) {
          TM_RETURN_IF_ERROR(r.Str(&e.type, 128, "event type"));
          TM_RETURN_IF_ERROR(r.Blob(&e.data, kMaxEventDataLen, "event data"));
        }
        return Status::Ok();
      });
}

}  // namespace tidemark
