// pipeline_metrics.h — the commit pipeline's figures on /metrics (docs/api.md, "Pipeline
// metrics"): how long each stage takes (histogram tidemark_stage_seconds{stage}), how deep each
// queue is (gauge tidemark_queue_depth{queue}), and what went through (blocks and txs committed,
// txs executed, storage bytes written, SSE catch-ups and lost events).
//
//   PipelineMetrics pm(http.metrics());
//   pool.SetAdmissionObserver(pm.AdmissionObserver());
//   pool.SetTxTimingObserver(pm.TxTimingObserver());  // a tx's wait until proposed, until final
//   driver.SetMetrics(&pm);                  // proposal, vote, commit, block tree, then the stage:
//                                            // execution, tree_update, write, fsync, counters
//   { StageTimer t(&pm, Stage::kProposal); ... }   // observes on scope exit; null pm: no-op
//   pm.UpdateSse(http.bus());                // housekeeping: SSE counters and backlog
//
// Consensus stays pure: the driver measures around the replica (consensus_driver.cc), never
// inside it.
//
// Thread safety: every method is thread-safe (the registry's atomics), except UpdateSse, which
// one thread calls at a time (the housekeeping timer). The registry must outlive this object.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "tidemark/node/chain/chain_store.h"
#include "tidemark/node/http/event_bus.h"
#include "tidemark/node/mempool/mempool.h"
#include "tidemark/node/metrics/registry.h"

namespace tidemark::node {

// The label values of tidemark_stage_seconds{stage}, in pipeline order.
enum class Stage {
  kAdmission,   // a tx's admission into the mempool (Mempool::Add, admitted or refused)
  kProposal,    // building a proposal (payload from the mempool, execution roots)
  kVote,        // signing our vote; handling a peer's vote (verify, tally), less a proposal it
                // triggers
  kPersist,     // the synced write of a voted block and the safety state, before the vote goes
  kCommit,      // consensus's commit decision (CommitBlocks) to the block durably stored
  kExecution,   // executing a block's txs
  kTreeUpdate,  // applying a block's state changes to the state tree
  kWrite,       // building the block's batch and writing it, less the fsync
  kFsync,       // the fsync that makes the batch durable
  kCount
};
const char* StageName(Stage s);

// The label values of tidemark_queue_depth{queue}.
enum class Queue {
  kExecution,  // committed blocks waiting for their execution or their write
  kMempool,    // pending txs
  kBlockTree,  // uncommitted blocks the replica holds
  kSse,        // events not yet taken by the most behind SSE subscriber
  kCount
};
const char* QueueName(Queue q);

class PipelineMetrics {
 public:
  explicit PipelineMetrics(metrics::Registry& registry);

  void Observe(Stage stage, double seconds);
  void Observe(Stage stage, std::chrono::steady_clock::duration d);
  void SetQueueDepth(Queue queue, int64_t depth);

  // A block of `txs` txs was executed in `seconds`.
  void OnExecuted(size_t txs, double seconds);
  // A block of `txs` txs was durably written, with where the store's time went.
  void OnWritten(size_t txs, const CommitTimings& timings);
  // This node broadcast a timeout for its current round (the round made no progress in time);
  // and the round it is in now.
  void OnRoundTimedOut() { timeouts_->Inc(); }
  void SetRound(uint64_t round) { round_->Set(static_cast<int64_t>(round)); }
  // For Mempool::SetAdmissionObserver.
  std::function<void(std::chrono::steady_clock::duration)> AdmissionObserver();
  // For Mempool::SetTxTimingObserver: histogram tidemark_tx_wait_seconds{until="proposed"|"final"},
  // a tx's wait from its admission here to this node's proposal of it, and to its commit here.
  mempool::Mempool::TxTimingObserver TxTimingObserver();

  // Advances the SSE counters by what the bus did since the last call; sets queue="sse".
  void UpdateSse(const http::EventBus& bus);

 private:
  metrics::Histogram* stages_[static_cast<size_t>(Stage::kCount)];
  metrics::Histogram* tx_until_proposed_;
  metrics::Histogram* tx_until_final_;
  metrics::Gauge* queues_[static_cast<size_t>(Queue::kCount)];
  metrics::Counter* timeouts_;
  metrics::Gauge* round_;
  metrics::Counter* blocks_committed_;
  metrics::Counter* txs_committed_;
  metrics::Counter* txs_executed_;
  metrics::Counter* bytes_written_;
  metrics::Counter* bytes_by_record_[static_cast<size_t>(RecordKind::kCount)];
  metrics::Counter* node_cache_hits_;
  metrics::Counter* node_loads_;
  metrics::Counter* sse_catch_ups_;
  metrics::Counter* sse_lost_events_;
  http::EventBusStats sse_seen_;  // UpdateSse only
};

// Observes the time from construction to destruction under `stage`; does nothing if `pm` is null.
class StageTimer {
 public:
  StageTimer(PipelineMetrics* pm, Stage stage)
      : pm_(pm), stage_(stage), start_(std::chrono::steady_clock::now()) {}
  ~StageTimer() {
    if (pm_) pm_->Observe(stage_, std::chrono::steady_clock::now() - start_);
  }
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;

 private:
  PipelineMetrics* pm_;
  Stage stage_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace tidemark::node
