#include "tidemark/node/app/executor.h"

#include "tidemark/contracts/governance.h"
#include "tidemark/merkle.h"

namespace tidemark::node {

Hash256 ReceiptsRoot(const std::vector<Receipt>& receipts) {
  std::vector<Hash256> leaves;
  leaves.reserve(receipts.size());
  for (const auto& r : receipts) leaves.push_back(MerkleLeafHash(r.Hash().view()));
  return MerkleRootFromLeafHashes(leaves);
}

BlockExecution ExecuteBlock(const contracts::ContractRegistry& registry,
                            contracts::StateView& committed, const Block& block) {
  BlockExecution out;
  contracts::OverlayStateView block_view(committed);
  out.receipts.reserve(block.txs.size());
  for (uint32_t i = 0; i < block.txs.size(); ++i) {
    const Transaction& tx = block.txs[i];
    auto ctx = contracts::TxContext::For(tx, block.header, i);
    out.receipts.push_back(contracts::ApplyTransaction(registry, block_view, tx, ctx));
  }
  // A pending set is activated unless the previous change is still taking effect (executor.h).
  if (auto pending = contracts::PendingValidatorSet(block_view); pending.ok() && *pending) {
    auto current = contracts::CurrentValidatorSet(block_view);
    if (current.ok() && current->epoch <= block.header.epoch) {
      (void)contracts::ActivatePendingValidatorSet(block_view);
    }
  }
  out.changes = block_view.Changes();
  out.receipts_root = ReceiptsRoot(out.receipts);
  return out;
}

}  // namespace tidemark::node
