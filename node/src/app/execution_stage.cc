#include "tidemark/node/app/execution_stage.h"

#include <algorithm>
#include <chrono>
#include <string_view>

#include "tidemark/node/app/pipeline_metrics.h"
#include "tidemark/node/state/tree_state_view.h"
#include "tidemark/proof_bundle.h"

namespace tidemark::node {

ExecutionStage::ExecutionStage(Ledger& ledger)
    : ledger_(ledger), base_(std::make_unique<TreeStateView>(ledger.tree())) {}

ExecutionStage::~ExecutionStage() = default;

uint64_t ExecutionStage::committed_height() const {
  return queue_.empty() ? ledger_.height() : queue_.back().block.header.height;
}

uint64_t ExecutionStage::executed_height() const {
  uint64_t h = ledger_.height();
  for (const Entry& e : queue_) {
    if (!e.exec) break;
    h = e.block.header.height;
  }
  return h;
}

Status ExecutionStage::Enqueue(const Block& block) {
  TM_RETURN_IF_ERROR(failed_);
  const uint64_t height = block.header.height;
  if (height <= ledger_.height()) {
    TM_ASSIGN_OR_RETURN(std::optional<Block> stored, ledger_.blocks().BlockAt(height));
    if (!stored || stored->Id() != block.Id()) {
      return Status::FailedPrecondition("committed block " + std::to_string(height) +
                                        " differs from the written block at that height");
    }
    return Status::Ok();
  }
  const Hash256 parent = queue_.empty() ? ledger_.tip_id() : queue_.back().id;
  if (height != committed_height() + 1 || block.header.parent != parent) {
    return Status::FailedPrecondition("committed block " + std::to_string(height) +
                                      " does not follow the committed tip " +
                                      std::to_string(committed_height()));
  }
  queue_.push_back(Entry{block, block.Id(), std::nullopt});
  UpdateQueueDepth();
  return Status::Ok();
}

void ExecutionStage::UpdateQueueDepth() {
  if (metrics_) metrics_->SetQueueDepth(Queue::kExecution, static_cast<int64_t>(queue_.size()));
}

Status ExecutionStage::ExecuteEntry(Entry& e) {
  const auto start = std::chrono::steady_clock::now();
  if (!overlay_) overlay_ = std::make_unique<contracts::OverlayStateView>(*base_);
  BlockExecution exec = ExecuteBlock(ledger_.registry(), *overlay_, e.block);
  // A read that failed under execution must stop the node, never become a tx outcome.
  if (!base_->status().ok()) {
    failed_ =
        base_->status().WithContext("executing block " + std::to_string(e.block.header.height));
    return failed_;
  }
  for (const auto& [k, v] : exec.changes) {
    if (v) {
      overlay_->Put(k, *v);
    } else {
      overlay_->Delete(k);
    }
  }
  e.exec = std::move(exec);
  if (metrics_) {
    metrics_->OnExecuted(
        e.block.txs.size(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return Status::Ok();
}

Status ExecutionStage::ExecuteThrough(uint64_t height) {
  TM_RETURN_IF_ERROR(failed_);
  for (Entry& e : queue_) {
    if (e.block.header.height > height) break;
    if (!e.exec) TM_RETURN_IF_ERROR(ExecuteEntry(e));
  }
  return Status::Ok();
}

Result<ValidatorSet> ExecutionStage::ValidatorsAt(uint64_t version) {
  TM_RETURN_IF_ERROR(failed_);
  if (version <= ledger_.height()) return ledger_.ValidatorsAt(version);
  if (version > committed_height()) {
    return Status::NotFound("state version " + std::to_string(version) + " is not committed yet");
  }
  TM_RETURN_IF_ERROR(ExecuteThrough(version));
  // The last set an executed, unwritten block up to `version` wrote; else the written one.
  for (auto it = queue_.rbegin(); it != queue_.rend(); ++it) {
    if (it->block.header.height > version || !it->exec) continue;
    const auto& changes = it->exec->changes;
    auto c = std::lower_bound(
        changes.begin(), changes.end(), kValidatorSetStateKey,
        [](const contracts::StateChange& a, std::string_view key) { return a.first < key; });
    if (c == changes.end() || c->first != kValidatorSetStateKey) continue;
    if (!c->second) {
      return Status::Corruption("block " + std::to_string(it->block.header.height) +
                                " deleted the validator set");
    }
    auto set = ValidatorSet::Decode(*c->second);
    if (!set.ok()) {
      return Status::Corruption("validator set written by block " +
                                std::to_string(it->block.header.height) + ": " +
                                set.status().message());
    }
    return std::move(*set);
  }
  return ledger_.ValidatorsAt(ledger_.height());
}

Result<const contracts::StateView*> ExecutionStage::CommittedState() {
  TM_RETURN_IF_ERROR(ExecuteThrough(committed_height()));
  if (overlay_) return static_cast<const contracts::StateView*>(overlay_.get());
  return static_cast<const contracts::StateView*>(base_.get());
}

Status ExecutionStage::WriteFront(const Block& block, const QuorumCert& cert,
                                  const WrittenFn& on_written) {
  const Hash256 id = block.Id();
  if (queue_.empty() || queue_.front().id != id) {
    return Status::FailedPrecondition("block " + std::to_string(block.header.height) +
                                      " is not the oldest committed, unwritten block");
  }
  Entry& e = queue_.front();
  if (!e.exec) TM_RETURN_IF_ERROR(ExecuteEntry(e));
  CommitTimings timings;
  TM_RETURN_IF_ERROR(ledger_.CommitExecuted(e.block, *e.exec, cert, std::nullopt, &timings));
  Entry written = std::move(e);
  queue_.pop_front();
  if (metrics_) metrics_->OnWritten(written.block.txs.size(), timings);
  UpdateQueueDepth();
  // Everything the overlay holds is in the tree now: start the next block from the tree.
  if (queue_.empty() || !queue_.front().exec) overlay_.reset();
  if (on_written) on_written(written.block, *written.exec);
  return Status::Ok();
}

Status ExecutionStage::Write(const std::vector<Block>& blocks, const QuorumCert& cert,
                             const WrittenFn& on_written) {
  TM_RETURN_IF_ERROR(failed_);
  for (const Block& b : blocks) {
    if (b.header.height <= ledger_.height()) {
      TM_RETURN_IF_ERROR(Enqueue(b));  // checks it is the written block
      continue;
    }
    TM_RETURN_IF_ERROR(WriteFront(b, cert, on_written));
  }
  return Status::Ok();
}

Result<std::vector<Receipt>> ExecutionStage::Apply(const Block& block, const QuorumCert& cert) {
  TM_RETURN_IF_ERROR(failed_);
  if (!queue_.empty()) {
    return Status::FailedPrecondition("committed blocks await their write: apply after them");
  }
  if (block.header.height <= ledger_.height()) {
    return Status::FailedPrecondition("block " + std::to_string(block.header.height) +
                                      " is already written");
  }
  TM_RETURN_IF_ERROR(Enqueue(block));
  std::vector<Receipt> receipts;
  Status s = WriteFront(
      block, cert, [&](const Block&, const BlockExecution& exec) { receipts = exec.receipts; });
  if (!s.ok()) {
    Reset();  // nothing of it was written: forget it
    return s;
  }
  return receipts;
}

void ExecutionStage::Reset() {
  queue_.clear();
  overlay_.reset();
  UpdateQueueDepth();
}

}  // namespace tidemark::node
