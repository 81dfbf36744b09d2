#include "tidemark/node/storage/ledger_store.h"

namespace tidemark::node {

Result<std::unique_ptr<LedgerStore>> LedgerStore::Open(std::unique_ptr<KvStore> kv) {
  std::unique_ptr<LedgerStore> ledger(new LedgerStore(std::move(kv)));
  TM_RETURN_IF_ERROR(ledger->blocks_.Recover());
  return ledger;
}

Result<std::unique_ptr<LedgerStore>> LedgerStore::OpenLevelDb(const std::string& dir,
                                                              const LevelDbOptions& options) {
  TM_ASSIGN_OR_RETURN(std::unique_ptr<LevelDbKvStore> kv, LevelDbKvStore::Open(dir, options));
  return Open(std::move(kv));
}

Result<Hash256> LedgerStore::CommitBlock(const Block& block, const QuorumCert& cert,
                                         const std::vector<Receipt>& receipts,
                                         std::span<const StateChange> changes,
                                         const std::optional<Bytes>& safety_record) {
  std::lock_guard lock(write_mu_);
  TM_ASSIGN_OR_RETURN(StateUpdate up, state_.ApplyChanges(block.header.height, changes));
  TM_ASSIGN_OR_RETURN(WriteBatch batch,
                      blocks_.PrepareCommit(block, cert, receipts, up, safety_record));
  TM_RETURN_IF_ERROR(kv_->Write(batch, /*sync=*/true));
  return up.root;
}

Result<CertifiedStateProof> LedgerStore::ProveCertified(ByteView key) const {
  TM_ASSIGN_OR_RETURN(std::optional<CommitTip> tip, blocks_.Tip());
  if (!tip) return Status::Unavailable("no committed block yet");
  TM_ASSIGN_OR_RETURN(std::optional<Block> block, blocks_.BlockAt(tip->height));
  TM_ASSIGN_OR_RETURN(std::optional<QuorumCert> cert, blocks_.CertAt(tip->height));
  if (!block || !cert) return Status::Corruption("tip block or certificate missing");
  const BlockHeader& header = block->header;
  TM_ASSIGN_OR_RETURN(Hash256 root, state_.Root(header.exec_height));
  if (root != header.state_root) {
    return Status::Internal("state root of version " + std::to_string(header.exec_height) +
                            " differs from the certified header at height " +
                            std::to_string(header.height));
  }
  TM_ASSIGN_OR_RETURN(StateProof proof, state_.Prove(header.exec_height, key));
  return CertifiedStateProof{header, *cert, std::move(proof)};
}

Status LedgerStore::WriteSafetyRecord(ByteView record) {
  std::lock_guard lock(write_mu_);
  BlockStore writer(*kv_);
  return writer.WriteSafetyRecord(record);
}

Status LedgerStore::Prune(uint64_t keep_last) {
  if (keep_last == 0) return Status::Invalid("prune: keep_last must be at least 1");
  std::lock_guard lock(write_mu_);
  TM_ASSIGN_OR_RETURN(std::optional<CommitTip> tip, blocks_.Tip());
  if (!tip || tip->height + 1 <= keep_last) return Status::Ok();
  const uint64_t oldest_kept = tip->height + 1 - keep_last;
  for (;;) {
    TM_ASSIGN_OR_RETURN(WriteBatch batch, state_.PrepareGc(oldest_kept, 10000));
    if (batch.empty()) return Status::Ok();
    TM_RETURN_IF_ERROR(kv_->Write(batch, /*sync=*/false));
  }
}

}  // namespace tidemark::node
