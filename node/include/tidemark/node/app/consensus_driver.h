// consensus_driver.h — runs one consensus::Replica inside the node: feeds it p2p messages, timer
// expiries and ticks; executes its actions (persist safety, send, commit, timers); and is its
// ProposalHost (payload from the mempool, execution roots from the ledger).
//
//   ConsensusDriver driver(io, *ledger, pool, node_key, {}, on_commit);
//   driver.SetSender([&](const PublicKey* to, Bytes frame) { ... });  // nullptr: broadcast
//   TM_RETURN_IF_ERROR(driver.Start());
//   ... p2p: driver.OnPeerMessage(from, frame);
//
// Execution lags consensus (docs/architecture.md): a proposal's header carries the roots after
// block exec_height, which every honest validator has executed when the proposal reaches it —
// the proposer takes the highest height committed by the parent's own justify QC (which every
// voter of the parent processed before voting) and validators refuse roots they cannot check.
// Consensus asks the node only questions: ProposalHost::EndsEpoch queues the committed block in
// the driver's ExecutionStage and answers from the state its header certifies; the CommitBlocks
// action drains the stage: it executes what is not executed yet and writes each block with its
// certificate (block, receipts, state and safety record in one batch).
//
// Thread safety: every public method may be called from any thread; all work runs on one strand.
#pragma once

#include <functional>
#include <memory>

#include "tidemark/consensus/replica.h"
#include "tidemark/node/app/execution_stage.h"
#include "tidemark/node/app/ledger.h"
#include "tidemark/node/mempool/mempool.h"

namespace boost::asio {
class io_context;
}

namespace tidemark::node {

class PipelineMetrics;

struct ConsensusDriverOptions {
  consensus::ReplicaOptions replica;  // chain_id is taken from the ledger
  size_t max_block_txs = 2000;
  size_t max_block_bytes = 4 << 20;
  uint64_t tick_ms = 10;  // how often paced proposals are retried
  // Committed blocks the execution stage's writer may hold before a commit waits for it
  // (execution_stage.h, "Background writes").
  size_t max_writes_in_flight = 64;
};

struct ConsensusStatus {
  uint64_t epoch = 0;
  uint64_t round = 0;
  uint64_t committed_height = 0;
  ValidatorSet validators;
  std::optional<uint32_t> own_index;
};

class ConsensusDriver {
 public:
  // Called on the driver's strand after each block is durably committed.
  using CommitListener = std::function<void(const Block& block, const QuorumCert& cert,
                                            const std::vector<Receipt>& receipts)>;
  // Sends a consensus frame to one peer (`to` non-null) or to every peer (`to` null).
  using Sender = std::function<void(const PublicKey* to, Bytes frame)>;

  ConsensusDriver(boost::asio::io_context& io, Ledger& ledger, mempool::Mempool& pool,
                  KeyPair node_key, ConsensusDriverOptions options, CommitListener on_commit);
  ~ConsensusDriver();

  void SetSender(Sender sender);
  // Where to record the proposal, vote and commit timings, the block tree's and the mempool's
  // depth, and (through the execution stage) execution, storage and the pipeline counters
  // (pipeline_metrics.h). Before Start; `metrics` must outlive the driver. Default: nowhere.
  void SetMetrics(PipelineMetrics* metrics);
  // Told (on the strand) about a peer whose consensus frame does not decode: a protocol breach.
  void SetBadMessageHandler(std::function<void(const PublicKey& from, const Status& why)> fn);
  // Builds the replica from the ledger's tip and the persisted safety record, then starts it.
  Status Start();
  void Stop();
  // Once the io_context has stopped (nothing runs on the strand any more): the execution stage's
  // writer finishes the blocks it holds, and their reports (the pool, the listeners, the
  // metrics) run on the calling thread. For a clean, complete stop in tests and tools.
  void FinishWrites();

  // A consensus frame from an authenticated peer (decoded here; bad frames are dropped).
  void OnPeerMessage(const PublicKey& from, Bytes frame);
  // Re-creates the replica from the ledger (after block sync moved the ledger forward).
  void Restart();

  ConsensusStatus Snapshot() const;
  // Runs `fn` on the driver's strand with its execution stage, serialised with every ledger
  // write the driver makes (block sync applies blocks through the stage this way).
  void RunExclusive(std::function<void(ExecutionStage&)> fn);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace tidemark::node
