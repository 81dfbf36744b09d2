// execution_stage.h — the execution stage of the commit pipeline: the ONE place that holds
// committed blocks that are not yet written, and their execution.
//
// Consensus commits blocks (in height order) before it hands over their certificate. The stage
// queues each committed block (Enqueue), executes queued blocks over the latest written state
// plus the blocks executed before them — lazily, only as far as a question needs — and writes
// them through the Ledger, one synced batch per block, when the CommitBlocks action delivers the
// certificate (Write). Execution is a function of the committed chain only, so executing earlier
// or later never changes a result: the stage is a memo of that function, and the questions
// consensus asks the node stay pure.
//
//   ExecutionStage stage(ledger);                      // on the consensus driver's strand
//   // ProposalHost::EndsEpoch(b, current):
//   TM_RETURN_IF_ERROR(stage.Enqueue(b));              // queued, NOT executed
//   TM_ASSIGN_OR_RETURN(ValidatorSet after, stage.ValidatorsAfter(b.header));
//                                                      // executes the queue up to b.exec_height
//   // CommitBlocks{blocks, cert}:
//   TM_RETURN_IF_ERROR(stage.Write(blocks, cert, [&](const Block& b, const BlockExecution& e) {
//     pool.OnCommitted(b.header.height, b.txs, e.receipts);
//   }));
//   // block sync (nothing queued): TM_ASSIGN_OR_RETURN(auto receipts, stage.Apply(b, cert));
//
// Why ValidatorsAfter(b) never executes b: the header of b certifies the state of version
// b.header.exec_height < b.height (docs/consensus.md, "Epochs"); when one certificate commits
// several blocks, the blocks up to that version may be in the same commit and not executed yet,
// so the stage executes exactly those, from its queue.
//
// Errors: a block that does not follow the queue (or differs from the written block at its
// height) is kFailedPrecondition and changes nothing. A state read that fails during execution
// (the writer's own read) poisons the stage: that call and every later one return the error,
// and the caller (the consensus driver) stops the node — execution must never diverge. Reads
// from other threads never touch the stage's views (they use Ledger::ReadLatest).
//
// Thread safety: none; one thread (the consensus driver's strand) uses a stage. The Ledger it
// writes through may be read concurrently from any thread.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "tidemark/contracts/state.h"
#include "tidemark/node/app/executor.h"
#include "tidemark/node/app/ledger.h"
#include "tidemark/types.h"

namespace tidemark::node {

class TreeStateView;
class PipelineMetrics;

class ExecutionStage {
 public:
  // Called after each block is written (durably), with what its execution produced.
  using WrittenFn = std::function<void(const Block& block, const BlockExecution& exec)>;

  explicit ExecutionStage(Ledger& ledger);
  ~ExecutionStage();
  ExecutionStage(const ExecutionStage&) = delete;
  ExecutionStage& operator=(const ExecutionStage&) = delete;

  // Consensus committed `block`. At or below the written height (block sync wrote it first): it
  // must be the written block (else kFailedPrecondition) and nothing is queued. Above: it must
  // follow the queue (height and parent) and is queued without being executed.
  Status Enqueue(const Block& block);

  // The validator set in state version `version` (the state after block `version`): read from
  // the ledger when written, else from the queue, executing queued blocks up to `version`.
  // kNotFound above the queue.
  Result<ValidatorSet> ValidatorsAt(uint64_t version);
  // The set that runs consensus after committed block `h`: ValidatorsAt(h.exec_height).
  Result<ValidatorSet> ValidatorsAfter(const BlockHeader& h) { return ValidatorsAt(h.exec_height); }

  // The state after every committed block (written and queued): what the next block runs over,
  // so what proposals are checked against. Executes the whole queue first. The reference is
  // valid until the next call on the stage.
  Result<const contracts::StateView*> CommittedState();

  // Writes `blocks` (consecutive, each either already written — skipped after checking it is
  // the same block — or the oldest queued block) with `cert`: executes what is not executed yet
  // and writes each through Ledger::CommitExecuted, then calls `on_written`.
  Status Write(const std::vector<Block>& blocks, const QuorumCert& cert,
               const WrittenFn& on_written = {});

  // Enqueue + Write of one block (block sync: a certified block that follows the ledger's tip;
  // the queue must be empty). Returns its receipts.
  Result<std::vector<Receipt>> Apply(const Block& block, const QuorumCert& cert);

  // Forgets the queue (consensus restarts from the ledger's tip).
  void Reset();

  // Where to record execution, tree_update, write and fsync timings, the execution queue's depth
  // and the blocks / txs / bytes counters (pipeline_metrics.h); null (the default): nowhere.
  void SetMetrics(PipelineMetrics* metrics) { metrics_ = metrics; }
  // Committed blocks not written yet.
  size_t queued() const { return queue_.size(); }

  // Highest committed height the stage knows (written or queued), and how far it executed.
  uint64_t committed_height() const;
  uint64_t executed_height() const;

 private:
  struct Entry {
    Block block;
    Hash256 id;
    std::optional<BlockExecution> exec;  // set once executed; executed entries are a prefix
  };

  // Executes queued blocks up to `height` (at most the queue's last).
  Status ExecuteThrough(uint64_t height);
  Status ExecuteEntry(Entry& e);
  Status WriteFront(const Block& block, const QuorumCert& cert, const WrittenFn& on_written);
  void UpdateQueueDepth();

  Ledger& ledger_;
  std::deque<Entry> queue_;  // committed, not written, by height
  // The latest written state (the writer's own view: no other thread reads it) and, stacked on
  // it, the changes of the executed entries (and of blocks written since it was made: the same
  // values the tree now holds, or older than an executed entry's).
  std::unique_ptr<TreeStateView> base_;
  std::unique_ptr<contracts::OverlayStateView> overlay_;
  Status failed_;  // sticky: a read under execution failed
  PipelineMetrics* metrics_ = nullptr;
};

}  // namespace tidemark::node
