#include "tidemark/node/storage/block_store.h"

#include <set>

#include "tidemark/node/storage/key_layout.h"

namespace tidemark::node {
namespace {

Bytes TxLocationBytes(const TxLocation& loc) {
  std::string v;
  keys::AppendU64(&v, loc.height);
  keys::AppendU32(&v, loc.index);
  return Bytes(v.begin(), v.end());
}

Result<TxLocation> DecodeTxLocation(const Bytes& raw) {
  if (raw.size() != 12) return Status::Corruption("tx location: bad length");
  return TxLocation{keys::ReadU64(raw.data()), keys::ReadU32(raw.data() + 8)};
}

Result<CommitTip> DecodeTip(const Bytes& raw) {
  if (raw.size() != 8 + 32) return Status::Corruption("tip: bad length");
  CommitTip tip{.height = keys::ReadU64(raw.data())};
  std::copy(raw.begin() + 8, raw.end(), tip.block_id.begin());
  return tip;
}

// Decodes stored bytes; a failure means damage, so it is reported as kCorruption.
template <typename T>
Result<std::optional<T>> DecodeStored(const std::optional<Bytes>& raw, const char* what) {
  if (!raw) return std::optional<T>();
  Result<T> v = T::Decode(*raw);
  if (!v.ok()) return Status::Corruption(std::string(what) + ": " + v.status().message());
  return std::optional<T>(std::move(v).value());
}

Result<std::optional<Bytes>> GetKey(const KvReader& kv, const std::string& key) {
  return kv.Get(AsBytes(key));
}

}  // namespace

Result<std::unique_ptr<BlockStore>> BlockStore::Open(KvStore& store) {
  auto blocks = std::make_unique<BlockStore>(store);
  TM_RETURN_IF_ERROR(blocks->Recover());
  return blocks;
}

Result<std::optional<CommitTip>> BlockStore::Tip() const {
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, GetKey(store_, keys::Meta(keys::kTipName)));
  if (!raw) return std::optional<CommitTip>();
  TM_ASSIGN_OR_RETURN(CommitTip tip, DecodeTip(*raw));
  return std::optional<CommitTip>(tip);
}

Status BlockStore::Recover() const {
  TM_ASSIGN_OR_RETURN(std::optional<CommitTip> tip, Tip());
  if (!tip) return Status::Ok();
  return CheckTipComplete(*tip).WithContext("recovery at height " + std::to_string(tip->height));
}

Status BlockStore::CheckTipComplete(const CommitTip& tip) const {
  TM_ASSIGN_OR_RETURN(std::optional<Block> block, BlockAt(tip.height));
  if (!block) return Status::Corruption("tip block missing");
  if (block->Id() != tip.block_id || block->header.height != tip.height) {
    return Status::Corruption("tip block does not match the tip record");
  }
  TM_ASSIGN_OR_RETURN(std::optional<uint64_t> h, HeightOf(tip.block_id));
  if (h != tip.height) return Status::Corruption("block id index missing for the tip");
  TM_ASSIGN_OR_RETURN(std::optional<QuorumCert> cert, CertAt(tip.height));
  if (!cert) return Status::Corruption("tip certificate missing");
  for (const Transaction& tx : block->txs) {
    Hash256 id = tx.Id();
    TM_ASSIGN_OR_RETURN(std::optional<TxLocation> loc, FindTx(id));
    if (!loc || loc->height > tip.height)
      return Status::Corruption("tx index missing: " + id.Hex());
    TM_ASSIGN_OR_RETURN(std::optional<Receipt> receipt, ReceiptOf(id));
    if (!receipt) return Status::Corruption("receipt missing: " + id.Hex());
  }
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> root, GetKey(store_, keys::StateRoot(tip.height)));
  if (!root) return Status::Corruption("state root missing");
  return Status::Ok();
}

Status BlockStore::CheckFollowsTip(const Block& block) const {
  TM_ASSIGN_OR_RETURN(std::optional<CommitTip> tip, Tip());
  if (!tip) return Status::Ok();
  const BlockHeader& h = block.header;
  if (h.height != tip->height + 1) {
    return Status::FailedPrecondition("block height " + std::to_string(h.height) +
                                      " does not follow tip " + std::to_string(tip->height));
  }
  if (h.parent != tip->block_id) return Status::FailedPrecondition("block parent is not the tip");
  return Status::Ok();
}

Result<WriteBatch> BlockStore::PrepareCommit(const Block& block, const QuorumCert& cert,
                                             const std::vector<Receipt>& receipts,
                                             uint64_t state_height, WriteBatch state_writes,
                                             const std::optional<Bytes>& safety_record) const {
  const uint64_t height = block.header.height;
  const Hash256 id = block.Id();
  TM_RETURN_IF_ERROR(CheckFollowsTip(block));
  TM_ASSIGN_OR_RETURN(std::optional<CommitTip> tip, Tip());
  // A certificate commits its block and, by the parent links, every ancestor: a block committed
  // transitively is stored with the certificate of the descendant that committed it.
  bool direct = cert.data.commit_id == id && cert.data.commit_height == height;
  bool ancestor = cert.data.commit_height > height && !cert.data.commit_id.IsZero();
  if (tip && !direct && !ancestor) {
    return Status::Invalid("certificate does not commit block " + id.Hex());
  }
  Bytes cert_bytes = cert.Encode();
  if (Result<QuorumCert> back = QuorumCert::Decode(cert_bytes); !back.ok()) {
    return Status::Invalid("certificate does not decode: " + back.status().message());
  }
  if (state_height != height) return Status::Invalid("state update is for another height");
  if (receipts.size() != block.txs.size()) return Status::Invalid("one receipt per tx required");

  WriteBatch batch = std::move(state_writes);
  batch.Put(AsBytes(keys::BlockByHeight(height)), block.Encode());
  std::string h8;
  keys::AppendU64(&h8, height);
  batch.Put(AsBytes(keys::BlockById(id)), AsBytes(h8));
  batch.Put(AsBytes(keys::Cert(height)), cert_bytes);
  std::set<Hash256> seen;
  for (uint32_t i = 0; i < block.txs.size(); ++i) {
    const Transaction& tx = block.txs[i];
    const Receipt& r = receipts[i];
    Hash256 tx_id = tx.Id();
    if (r.tx_id != tx_id || r.height != height || r.index != i) {
      return Status::Invalid("receipt " + std::to_string(i) + " does not match its tx");
    }
    if (!seen.insert(tx_id).second) continue;
    TM_ASSIGN_OR_RETURN(std::optional<TxLocation> earlier, FindTx(tx_id));
    if (earlier) continue;
    batch.Put(AsBytes(keys::TxLocation(tx_id)), TxLocationBytes({height, i}));
    batch.Put(AsBytes(keys::SignerTx(tx.signer.view(), height, i)), tx_id.view());
    batch.Put(AsBytes(keys::Receipt(tx_id)), r.Encode());
  }
  if (safety_record) batch.Put(AsBytes(keys::Meta(keys::kSafetyName)), *safety_record);
  Bytes tip_value(h8.begin(), h8.end());
  tip_value.insert(tip_value.end(), id.begin(), id.end());
  batch.Put(AsBytes(keys::Meta(keys::kTipName)), tip_value);
  return batch;
}

Status BlockStore::WriteSafetyRecord(ByteView record) {
  WriteBatch batch;
  batch.Put(AsBytes(keys::Meta(keys::kSafetyName)), record);
  return store_.Write(batch, /*sync=*/true);
}

Result<std::optional<Bytes>> BlockStore::SafetyRecord() const {
  return GetKey(store_, keys::Meta(keys::kSafetyName));
}

Result<std::optional<Block>> BlockStore::BlockAt(uint64_t height) const {
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, GetKey(store_, keys::BlockByHeight(height)));
  return DecodeStored<Block>(raw, "stored block");
}

Result<std::optional<uint64_t>> BlockStore::HeightOf(const Hash256& block_id) const {
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, GetKey(store_, keys::BlockById(block_id)));
  if (!raw) return std::optional<uint64_t>();
  if (raw->size() != 8) return Status::Corruption("block id index: bad length");
  return std::optional<uint64_t>(keys::ReadU64(raw->data()));
}

Result<std::optional<Block>> BlockStore::BlockById(const Hash256& id) const {
  TM_ASSIGN_OR_RETURN(std::optional<uint64_t> height, HeightOf(id));
  if (!height) return std::optional<Block>();
  return BlockAt(*height);
}

Result<std::optional<QuorumCert>> BlockStore::CertAt(uint64_t height) const {
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, GetKey(store_, keys::Cert(height)));
  return DecodeStored<QuorumCert>(raw, "stored certificate");
}

Result<std::optional<TxLocation>> BlockStore::FindTx(const Hash256& tx_id) const {
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, GetKey(store_, keys::TxLocation(tx_id)));
  if (!raw) return std::optional<TxLocation>();
  TM_ASSIGN_OR_RETURN(TxLocation loc, DecodeTxLocation(*raw));
  return std::optional<TxLocation>(loc);
}

Result<std::optional<Receipt>> BlockStore::ReceiptOf(const Hash256& tx_id) const {
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, GetKey(store_, keys::Receipt(tx_id)));
  return DecodeStored<Receipt>(raw, "stored receipt");
}

Result<std::vector<SignerTx>> BlockStore::TxsBySigner(const PublicKey& signer,
                                                      std::optional<TxLocation> after,
                                                      size_t limit) const {
  std::string prefix = keys::SignerTxPrefix(signer.view());
  ScanOptions opts{.prefix = AsBytes(prefix), .limit = limit};
  if (after) {
    std::string k = keys::SignerTx(signer.view(), after->height, after->index);
    opts.start_after = Bytes(k.begin(), k.end());
  }
  TM_ASSIGN_OR_RETURN(std::vector<KvPair> page, store_.Scan(opts));
  std::vector<SignerTx> out;
  for (const KvPair& kv : page) {
    if (kv.key.size() != prefix.size() + 12) return Status::Corruption("signer index: bad key");
    if (kv.value.size() != Hash256::kSize) return Status::Corruption("signer index: bad value");
    TM_ASSIGN_OR_RETURN(Hash256 tx_id, Hash256::FromView(kv.value));
    const uint8_t* p = kv.key.data() + prefix.size();
    out.push_back({tx_id, {keys::ReadU64(p), keys::ReadU32(p + 8)}});
  }
  return out;
}

}  // namespace tidemark::node
