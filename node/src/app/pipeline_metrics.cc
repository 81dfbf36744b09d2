// pipeline_metrics.cc — stage timings, queue depths and pipeline counters (pipeline_metrics.h).
#include "tidemark/node/app/pipeline_metrics.h"

namespace tidemark::node {

namespace {

// 50 µs .. 10 s: admission and vote signing take tens of microseconds, a synced write
// milliseconds, a large block's execution up to seconds.
std::vector<double> StageBuckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};
}

// 1 ms .. 60 s: a tx waits a block interval or two on an idle network, seconds under load.
std::vector<double> TxWaitBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3,
          0.5,   0.75,   1,     1.5,  2,     3,    5,   10,   30,  60};
}

}  // namespace

const char* StageName(Stage s) {
  switch (s) {
    case Stage::kAdmission:
      return "admission";
    case Stage::kProposal:
      return "proposal";
    case Stage::kVote:
      return "vote";
    case Stage::kPersist:
      return "persist";
    case Stage::kCommit:
      return "commit";
    case Stage::kExecution:
      return "execution";
    case Stage::kTreeUpdate:
      return "tree_update";
    case Stage::kWrite:
      return "write";
    case Stage::kFsync:
      return "fsync";
    case Stage::kCount:
      break;
  }
  return "unknown";
}

const char* QueueName(Queue q) {
  switch (q) {
    case Queue::kExecution:
      return "execution";
    case Queue::kMempool:
      return "mempool";
    case Queue::kBlockTree:
      return "block_tree";
    case Queue::kSse:
      return "sse";
    case Queue::kCount:
      break;
  }
  return "unknown";
}

PipelineMetrics::PipelineMetrics(metrics::Registry& r) {
  for (size_t i = 0; i < static_cast<size_t>(Stage::kCount); ++i) {
    stages_[i] = r.GetHistogram("tidemark_stage_seconds",
                                "Time spent in each stage of the commit pipeline, by stage",
                                {{"stage", StageName(static_cast<Stage>(i))}}, StageBuckets());
  }
  for (size_t i = 0; i < static_cast<size_t>(Queue::kCount); ++i) {
    queues_[i] = r.GetGauge("tidemark_queue_depth", "Items waiting in each pipeline queue",
                            {{"queue", QueueName(static_cast<Queue>(i))}});
  }
  const char* wait_help =
      "A tx's wait from its admission into this node's mempool: until this node proposed it "
      "(until=\"proposed\", leaders only) and until its block was committed here "
      "(until=\"final\")";
  tx_until_proposed_ = r.GetHistogram("tidemark_tx_wait_seconds", wait_help,
                                      {{"until", "proposed"}}, TxWaitBuckets());
  tx_until_final_ =
      r.GetHistogram("tidemark_tx_wait_seconds", wait_help, {{"until", "final"}}, TxWaitBuckets());
  timeouts_ = r.GetCounter("tidemark_consensus_timeouts_total",
                           "Rounds this node timed out (broadcast a timeout for)");
  round_ = r.GetGauge("tidemark_consensus_round", "The consensus round this node is in");
  blocks_committed_ =
      r.GetCounter("tidemark_blocks_committed_total", "Blocks durably written by this node");
  txs_committed_ = r.GetCounter("tidemark_txs_committed_total",
                                "Txs in blocks durably written (any receipt status)");
  txs_executed_ =
      r.GetCounter("tidemark_txs_executed_total", "Txs executed by the execution stage");
  bytes_written_ = r.GetCounter("tidemark_storage_bytes_written_total",
                                "Key and value bytes of the block batches written");
  for (size_t i = 0; i < static_cast<size_t>(RecordKind::kCount); ++i) {
    bytes_by_record_[i] = r.GetCounter(
        "tidemark_storage_batch_bytes_total",
        "Key and value bytes of the block batches written, by kind of record (docs/storage.md; "
        "a voted block is also written before the vote, outside these)",
        {{"record", RecordKindName(static_cast<RecordKind>(i))}});
  }
  node_cache_hits_ = r.GetCounter("tidemark_state_node_cache_hits_total",
                                  "Internal state-tree nodes the block updates found in memory");
  node_loads_ = r.GetCounter("tidemark_state_node_loads_total",
                             "Internal state-tree nodes the block updates read from the store");
  sse_catch_ups_ = r.GetCounter("tidemark_sse_catchups_total",
                                "Times a lagging SSE subscriber was served from the ring");
  sse_lost_events_ =
      r.GetCounter("tidemark_sse_lost_events_total",
                   "Events SSE subscribers did not get, each announced by an `event: gap`");
}

void PipelineMetrics::Observe(Stage stage, double seconds) {
  stages_[static_cast<size_t>(stage)]->Observe(seconds);
}

void PipelineMetrics::Observe(Stage stage, std::chrono::steady_clock::duration d) {
  Observe(stage, std::chrono::duration<double>(d).count());
}

void PipelineMetrics::SetQueueDepth(Queue queue, int64_t depth) {
  queues_[static_cast<size_t>(queue)]->Set(depth);
}

void PipelineMetrics::OnExecuted(size_t txs, double seconds) {
  Observe(Stage::kExecution, seconds);
  txs_executed_->Inc(txs);
}

void PipelineMetrics::OnWritten(size_t txs, const CommitTimings& t) {
  Observe(Stage::kTreeUpdate, t.tree_update_seconds);
  Observe(Stage::kWrite, t.write_seconds);
  Observe(Stage::kFsync, t.sync_seconds);
  bytes_written_->Inc(t.bytes_written);
  for (size_t i = 0; i < t.bytes_by_record.size(); ++i)
    bytes_by_record_[i]->Inc(t.bytes_by_record[i]);
  node_cache_hits_->Inc(t.node_cache_hits);
  node_loads_->Inc(t.node_loads);
  blocks_committed_->Inc();
  txs_committed_->Inc(txs);
}

std::function<void(std::chrono::steady_clock::duration)> PipelineMetrics::AdmissionObserver() {
  return [this](std::chrono::steady_clock::duration d) { Observe(Stage::kAdmission, d); };
}

mempool::Mempool::TxTimingObserver PipelineMetrics::TxTimingObserver() {
  return [this](mempool::TxWait kind, std::chrono::steady_clock::duration d) {
    double seconds = std::chrono::duration<double>(d).count();
    (kind == mempool::TxWait::kProposed ? tx_until_proposed_ : tx_until_final_)->Observe(seconds);
  };
}

void PipelineMetrics::UpdateSse(const http::EventBus& bus) {
  http::EventBusStats st = bus.stats();
  if (st.catch_ups > sse_seen_.catch_ups) sse_catch_ups_->Inc(st.catch_ups - sse_seen_.catch_ups);
  if (st.lost_events > sse_seen_.lost_events) {
    sse_lost_events_->Inc(st.lost_events - sse_seen_.lost_events);
  }
  sse_seen_ = st;
  SetQueueDepth(Queue::kSse, static_cast<int64_t>(st.deepest_backlog));
}

}  // namespace tidemark::node
