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
// Background writes (StartWriter, what the consensus driver uses): Write executes what is not
// executed yet and hands the blocks, in height order, to the stage's own writer thread, which
// writes each through Ledger::CommitExecuted (the state-tree update and the synced batch) while
// the owner thread goes on ordering; `on_written` then runs on the owner thread (StartWriter's
// `post`), in height order. Until then a block stays in the queue, its changes in the overlay:
// what the next blocks execute over and what proposals are checked against never waits for the
// disk (docs/consensus.md, "Host actions"). A key leaves the overlay once every block that
// changed it is written; a key in no unwritten block's changes is not being written, so the
// latest written state — read while the writer writes the next block — is what it was. At most
// `max_in_flight` blocks wait for the writer: Write then waits for one (back-pressure). Drain
// waits for all of them (the block that ends an epoch, block sync, a restart). A failed write
// stops the writer and is reported once to `on_failed` on the owner thread (the driver stops the
// node): the store is at the last block written.
//
// Thread safety: one thread (the consensus driver's strand) uses a stage; its writer thread
// touches only the Ledger (single writer) and the blocks it was handed, which are immutable. The
// Ledger may be read concurrently from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
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
  // Runs a task on the thread that owns the stage, later (the driver's strand). It may drop the
  // task once the owner is gone.
  using PostFn = std::function<void(std::function<void()>)>;
  using FailedFn = std::function<void(const Status&)>;

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
  // the same block — or the oldest queued block not yet handed to the writer) with `cert`:
  // executes what is not executed yet and writes each through Ledger::CommitExecuted, then calls
  // `on_written` — before returning, or, with a writer, later on the owner thread.
  Status Write(const std::vector<Block>& blocks, const QuorumCert& cert,
               const WrittenFn& on_written = {});

  // Starts the writer thread (once; the destructor finishes what it was handed, then joins).
  void StartWriter(PostFn post, FailedFn on_failed, size_t max_in_flight = 64);
  // Lets the writer finish what it was handed, and joins it; its reports stay for Pump. For the
  // owner's shutdown (the ledger must outlive the writer; the stage itself may be kept alive by
  // queued tasks): from any thread, once the owner hands it nothing more.
  void StopWriter();
  // Waits until the writer has written everything it was handed, and runs their `on_written`
  // here. Returns the writer's error, if a write failed. Without a writer: nothing to wait for.
  Status Drain();
  // Waits until block `height` is written, if the writer holds it (and runs the reports of what
  // it wrote meanwhile): a proposal certifies a version its leader has written, which this node
  // has committed and may still be writing. Ok at or below the written height; kUnavailable if
  // the writer does not hold it (not committed here, or not handed over yet); the writer's error
  // if a write failed.
  Status WaitWritten(uint64_t height);
  // Blocks handed to the writer and not yet reported written.
  size_t in_flight() const { return submitted_; }
  // A committed block the stage holds (queued or being written), by id.
  std::optional<Block> QueuedBlock(const Hash256& id) const;

  // Enqueue + Write of one block (block sync: a certified block that follows the ledger's tip;
  // the queue must be empty). Returns its receipts.
  Result<std::vector<Receipt>> Apply(const Block& block, const QuorumCert& cert);

  // Forgets the queue (consensus restarts from the ledger's tip), after Drain.
  void Reset();

  // Where to record execution, tree_update, write and fsync timings, the execution queue's depth
  // and the blocks / txs / bytes counters (pipeline_metrics.h); null (the default): nowhere.
  void SetMetrics(PipelineMetrics* metrics) { metrics_ = metrics; }
  // Committed blocks not written yet.
  size_t queued() const { return queue_.size(); }

  // Highest committed height the stage knows (written or queued), and how far it executed.
  uint64_t committed_height() const;
  uint64_t executed_height() const;
  // The last block reported written (what the stage reads from the ledger rather than the queue).
  uint64_t written_height() const { return written_height_; }

 private:
  struct Entry {
    std::shared_ptr<const Block> block;
    Hash256 id;
    // Set once executed; executed entries are a prefix. Shared with the writer, never changed.
    std::shared_ptr<const BlockExecution> exec;
    WrittenFn on_written;  // once handed to the writer
  };
  struct Job {
    std::shared_ptr<const Block> block;
    std::shared_ptr<const BlockExecution> exec;
    QuorumCert cert;
  };
  struct Done {
    Hash256 id;
    Status status;
    CommitTimings timings;
  };
  // The writer thread and what it shares with the owner, under mu.
  struct Writer {
    PostFn post;
    FailedFn on_failed;
    size_t max_in_flight = 64;
    std::mutex mu;
    std::condition_variable work;      // jobs, or stop
    std::condition_variable finished;  // done grew, or the writer went idle
    std::deque<Job> jobs;
    std::deque<Done> done;
    bool busy = false;
    bool stop = false;
    bool dead = false;    // a write failed: nothing more is written
    bool exited = false;  // the thread ended (StopWriter): what it did not take stays unwritten
    std::thread thread;
  };

  // Executes queued blocks up to `height` (at most the queue's last).
  Status ExecuteThrough(uint64_t height);
  Status ExecuteEntry(Entry& e);
  Status WriteFront(const Block& block, const QuorumCert& cert, const WrittenFn& on_written);
  Status Submit(const Block& block, const QuorumCert& cert, const WrittenFn& on_written);
  // Takes the writer's reports and finishes the written blocks, in order (owner thread).
  void Pump();
  // Waits for the writer's next report (or its end) and takes it.
  Status AwaitReport();
  // The front entry is written: leaves the queue and the overlay, tells on_written.
  void Finish(const CommitTimings& timings);
  void WriterLoop();
  void UpdateQueueDepth();

  Ledger& ledger_;
  std::deque<Entry> queue_;  // committed, not written, by height
  // The latest written state (the writer's own view: no other thread reads it) and, stacked on
  // it, the changes of the executed entries (and of blocks written since it was made: the same
  // values the tree now holds, or older than an executed entry's).
  std::unique_ptr<TreeStateView> base_;
  std::unique_ptr<contracts::OverlayStateView> overlay_;
  // Per key in the overlay: how many queued, executed blocks changed it (0: erased from it).
  std::unordered_map<std::string, uint32_t> overlay_refs_;
  uint64_t written_height_ = 0;
  size_t submitted_ = 0;  // the first entries of queue_, handed to the writer
  Status failed_;         // sticky: a read under execution, or a write, failed
  PipelineMetrics* metrics_ = nullptr;
  std::unique_ptr<Writer> writer_;  // null: Write writes before it returns
};

}  // namespace tidemark::node
