#include "tidemark/node/api/mempool_only_ledger.h"

namespace tidemark::node::api {

MempoolOnlyLedger::MempoolOnlyLedger(mempool::MempoolOptions options)
    : chain_id_(options.chain_id),
      pool_(std::move(options), [](const PublicKey&) { return uint64_t{0}; }) {}

NodeStatus MempoolOnlyLedger::Status() {
  mempool::MempoolStats s = pool_.Stats();
  return NodeStatus{.chain_id = chain_id_,
                    .node_version = "0.1.0",
                    .mempool_txs = s.txs,
                    .mempool_bytes = s.bytes};
}

Result<BlockRecord> MempoolOnlyLedger::BlockAt(uint64_t height) {
  return Status::NotFound("block " + std::to_string(height) +
                          ": this node has no block store (consensus not wired)");
}

Result<BlockRecord> MempoolOnlyLedger::BlockById(const Hash256& id) {
  return Status::NotFound("block " + id.Hex() + ": this node has no block store");
}

Result<ValidatorSet> MempoolOnlyLedger::Validators() {
  return Status::Unavailable("validators: consensus is not wired into this node");
}

Result<mempool::TxRecord> MempoolOnlyLedger::SubmitTx(ByteView tx_bytes) {
  return pool_.Add(tx_bytes);
}

Result<TxInfo> MempoolOnlyLedger::GetTx(const Hash256& id) {
  TM_ASSIGN_OR_RETURN(mempool::TxRecord rec, pool_.Find(id));
  return TxInfo{.record = rec, .tx = pool_.Get(id)};
}

Result<TxInfo> MempoolOnlyLedger::WaitTx(const Hash256& id, std::chrono::milliseconds timeout) {
  TM_ASSIGN_OR_RETURN(mempool::TxRecord rec, pool_.WaitFinal(id, timeout));
  return TxInfo{.record = rec, .tx = pool_.Get(id)};
}

Result<StateProofAnswer> MempoolOnlyLedger::ProveState(ByteView, std::optional<uint64_t>) {
  return Status::Unavailable("state proofs: no state tree is wired into this node");
}

}  // namespace tidemark::node::api
