// mempool_only_ledger.h — a LedgerApi over a mempool alone, for a node whose consensus and
// storage are not wired in yet (`tidemark-node` before the integrator's node/src/app/).
//
// It admits transactions into a real Mempool (nonces start at 0 for everyone; nothing commits),
// answers tx status from the mempool, reports height 0 and no blocks, and is never Ready():
// /readyz says 503 so no orchestrator mistakes it for a working ledger.
//
//   MempoolOnlyLedger ledger({.chain_id = "tidemark-local"});
//   api::RestApi rest(&ledger, &bus, &metrics, {});
//
// Thread safety: thread-safe.
#pragma once

#include "tidemark/node/api/ledger_api.h"

namespace tidemark::node::api {

class MempoolOnlyLedger : public LedgerApi {
 public:
  explicit MempoolOnlyLedger(mempool::MempoolOptions options);

  bool Ready() override { return false; }
  NodeStatus Status() override;
  Result<BlockRecord> BlockAt(uint64_t height) override;
  Result<BlockRecord> BlockById(const Hash256& id) override;
  Result<ValidatorSet> Validators() override;
  Result<mempool::TxRecord> SubmitTx(ByteView tx_bytes) override;
  Result<TxInfo> GetTx(const Hash256& id) override;
  Result<TxInfo> WaitTx(const Hash256& id, std::chrono::milliseconds timeout) override;
  Result<StateProofAnswer> ProveState(ByteView key, std::optional<uint64_t> height) override;

  mempool::Mempool& pool() { return pool_; }

 private:
  std::string chain_id_;
  mempool::Mempool pool_;
};

}  // namespace tidemark::node::api
