#include "tidemark/node/app/execution_stage.h"

#include <algorithm>
#include <chrono>
#include <string_view>

#include "tidemark/node/app/pipeline_metrics.h"
#include "tidemark/node/state/tree_state_view.h"
#include "tidemark/proof_bundle.h"

namespace tidemark::node {

ExecutionStage::ExecutionStage(Ledger& ledger)
    : ledger_(ledger),
      base_(std::make_unique<TreeStateView>(ledger.tree())),
      written_height_(ledger.height()) {}

ExecutionStage::~ExecutionStage() { StopWriter(); }

void ExecutionStage::StopWriter() {
  if (!writer_) return;
  {
    // What it was handed is committed: it is written before the thread ends.
    std::lock_guard l(writer_->mu);
    writer_->stop = true;
  }
  writer_->work.notify_all();
  if (writer_->thread.joinable()) writer_->thread.join();
}

uint64_t ExecutionStage::committed_height() const {
  return queue_.empty() ? written_height_ : queue_.back().block->header.height;
}

uint64_t ExecutionStage::executed_height() const {
  uint64_t h = written_height_;
  for (const Entry& e : queue_) {
    if (!e.exec) break;
    h = e.block->header.height;
  }
  return h;
}

std::optional<Block> ExecutionStage::QueuedBlock(const Hash256& id) const {
  for (const Entry& e : queue_) {
    if (e.id == id) return *e.block;
  }
  return std::nullopt;
}

Status ExecutionStage::Enqueue(const Block& block) {
  TM_RETURN_IF_ERROR(failed_);
  const uint64_t height = block.header.height;
  if (height <= written_height_) {
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
  queue_.push_back(Entry{std::make_shared<const Block>(block), block.Id(), nullptr, {}});
  UpdateQueueDepth();
  return Status::Ok();
}

void ExecutionStage::UpdateQueueDepth() {
  if (metrics_) metrics_->SetQueueDepth(Queue::kExecution, static_cast<int64_t>(queue_.size()));
}

Status ExecutionStage::ExecuteEntry(Entry& e) {
  const auto start = std::chrono::steady_clock::now();
  if (!overlay_) overlay_ = std::make_unique<contracts::OverlayStateView>(*base_);
  BlockExecution exec = ExecuteBlock(ledger_.registry(), *overlay_, *e.block);
  // A read that failed under execution must stop the node, never become a tx outcome.
  if (!base_->status().ok()) {
    failed_ =
        base_->status().WithContext("executing block " + std::to_string(e.block->header.height));
    return failed_;
  }
  for (const auto& [k, v] : exec.changes) {
    if (v) {
      overlay_->Put(k, *v);
    } else {
      overlay_->Delete(k);
    }
    ++overlay_refs_[k];
  }
  e.exec = std::make_shared<const BlockExecution>(std::move(exec));
  if (metrics_) {
    metrics_->OnExecuted(
        e.block->txs.size(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return Status::Ok();
}

Status ExecutionStage::ExecuteThrough(uint64_t height) {
  TM_RETURN_IF_ERROR(failed_);
  for (Entry& e : queue_) {
    if (e.block->header.height > height) break;
    if (!e.exec) TM_RETURN_IF_ERROR(ExecuteEntry(e));
  }
  return Status::Ok();
}

Result<ValidatorSet> ExecutionStage::ValidatorsAt(uint64_t version) {
  TM_RETURN_IF_ERROR(failed_);
  if (version <= written_height_) return ledger_.ValidatorsAt(version);
  if (version > committed_height()) {
    return Status::NotFound("state version " + std::to_string(version) + " is not committed yet");
  }
  TM_RETURN_IF_ERROR(ExecuteThrough(version));
  // The last set an executed, unwritten block up to `version` wrote; else the written one.
  for (auto it = queue_.rbegin(); it != queue_.rend(); ++it) {
    if (it->block->header.height > version || !it->exec) continue;
    const auto& changes = it->exec->changes;
    auto c = std::lower_bound(
        changes.begin(), changes.end(), kValidatorSetStateKey,
        [](const contracts::StateChange& a, std::string_view key) { return a.first < key; });
    if (c == changes.end() || c->first != kValidatorSetStateKey) continue;
    if (!c->second) {
      return Status::Corruption("block " + std::to_string(it->block->header.height) +
                                " deleted the validator set");
    }
    auto set = ValidatorSet::Decode(*c->second);
    if (!set.ok()) {
      return Status::Corruption("validator set written by block " +
                                std::to_string(it->block->header.height) + ": " +
                                set.status().message());
    }
    return std::move(*set);
  }
  return ledger_.ValidatorsAt(written_height_);
}

Result<const contracts::StateView*> ExecutionStage::CommittedState() {
  TM_RETURN_IF_ERROR(ExecuteThrough(committed_height()));
  if (overlay_) return static_cast<const contracts::StateView*>(overlay_.get());
  return static_cast<const contracts::StateView*>(base_.get());
}

void ExecutionStage::Finish(const CommitTimings& timings) {
  Entry written = std::move(queue_.front());
  queue_.pop_front();
  if (submitted_ > 0) --submitted_;
  written_height_ = written.block->header.height;
  if (metrics_) metrics_->OnWritten(written.block->txs.size(), timings);
  UpdateQueueDepth();
  // The tree holds its changes now: a key no other queued block changed is read from there.
  for (const auto& [k, v] : written.exec->changes) {
    auto it = overlay_refs_.find(k);
    if (it == overlay_refs_.end() || --it->second > 0) continue;
    overlay_refs_.erase(it);
    if (overlay_) overlay_->Forget(k);
  }
  if (queue_.empty() || !queue_.front().exec) {
    overlay_.reset();
    overlay_refs_.clear();
  }
  if (written.on_written) written.on_written(*written.block, *written.exec);
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
  TM_RETURN_IF_ERROR(ledger_.CommitExecuted(*e.block, *e.exec, cert, std::nullopt, &timings));
  e.on_written = on_written;
  Finish(timings);
  return Status::Ok();
}

Status ExecutionStage::Submit(const Block& block, const QuorumCert& cert,
                              const WrittenFn& on_written) {
  const Hash256 id = block.Id();
  if (submitted_ >= queue_.size() || queue_[submitted_].id != id) {
    return Status::FailedPrecondition("block " + std::to_string(block.header.height) +
                                      " is not the oldest committed block not being written");
  }
  // Back-pressure: at most max_in_flight blocks wait for the writer.
  while (submitted_ >= writer_->max_in_flight) TM_RETURN_IF_ERROR(AwaitReport());
  Entry& e = queue_[submitted_];
  if (!e.exec) TM_RETURN_IF_ERROR(ExecuteEntry(e));
  e.on_written = on_written;
  ++submitted_;
  {
    std::lock_guard l(writer_->mu);
    writer_->jobs.push_back(Job{e.block, e.exec, cert});
  }
  writer_->work.notify_one();
  return Status::Ok();
}

Status ExecutionStage::Write(const std::vector<Block>& blocks, const QuorumCert& cert,
                             const WrittenFn& on_written) {
  TM_RETURN_IF_ERROR(failed_);
  for (const Block& b : blocks) {
    if (b.header.height <= written_height_) {
      TM_RETURN_IF_ERROR(Enqueue(b));  // checks it is the written block
      continue;
    }
    TM_RETURN_IF_ERROR(writer_ ? Submit(b, cert, on_written) : WriteFront(b, cert, on_written));
  }
  return Status::Ok();
}

void ExecutionStage::StartWriter(PostFn post, FailedFn on_failed, size_t max_in_flight) {
  if (writer_) return;
  writer_ = std::make_unique<Writer>();
  writer_->post = std::move(post);
  writer_->on_failed = std::move(on_failed);
  writer_->max_in_flight = std::max<size_t>(max_in_flight, 1);
  writer_->thread = std::thread([this] { WriterLoop(); });
}

void ExecutionStage::WriterLoop() {
  Writer& w = *writer_;
  for (;;) {
    Job job;
    {
      std::unique_lock l(w.mu);
      w.work.wait(l, [&] { return w.stop || !w.jobs.empty(); });
      if (w.jobs.empty()) {  // stopped, and everything handed over is written
        w.exited = true;
        w.finished.notify_all();
        return;
      }
      job = std::move(w.jobs.front());
      w.jobs.pop_front();
      w.busy = true;
    }
    CommitTimings timings;
    Status s = ledger_.CommitExecuted(*job.block, *job.exec, job.cert, std::nullopt, &timings);
    const bool ok = s.ok();
    {
      std::lock_guard l(w.mu);
      w.done.push_back(Done{job.block->Id(), std::move(s), timings});
      w.busy = false;
      if (!ok) {
        w.dead = true;
        w.jobs.clear();  // the store is at the last block written: nothing after it is
      }
    }
    w.finished.notify_all();
    w.post([this] { Pump(); });
    if (!ok) return;
  }
}

void ExecutionStage::Pump() {
  if (!writer_) return;
  std::deque<Done> done;
  {
    std::lock_guard l(writer_->mu);
    done.swap(writer_->done);
  }
  for (Done& d : done) {
    if (!failed_.ok()) return;
    if (!d.status.ok()) {
      failed_ = d.status.WithContext("writing committed block");
      if (writer_->on_failed) writer_->on_failed(failed_);
      return;
    }
    if (queue_.empty() || queue_.front().id != d.id) {  // a bug: writes are reported in order
      failed_ = Status::Internal("the writer reported a block the queue does not start with");
      if (writer_->on_failed) writer_->on_failed(failed_);
      return;
    }
    Finish(d.timings);
  }
}

Status ExecutionStage::Drain() {
  if (!writer_) return failed_;
  for (;;) {
    {
      std::unique_lock l(writer_->mu);
      writer_->finished.wait(l, [&] {
        return !writer_->done.empty() || writer_->dead || writer_->exited ||
               (writer_->jobs.empty() && !writer_->busy);
      });
      if (writer_->done.empty() && writer_->exited && !writer_->jobs.empty()) {
        return Status::FailedPrecondition("the writer is stopped");
      }
    }
    Pump();
    if (!failed_.ok()) return failed_;
    std::lock_guard l(writer_->mu);
    if (writer_->done.empty() && writer_->jobs.empty() && !writer_->busy) return Status::Ok();
  }
}

Status ExecutionStage::AwaitReport() {
  {
    std::unique_lock l(writer_->mu);
    writer_->finished.wait(
        l, [&] { return !writer_->done.empty() || writer_->dead || writer_->exited; });
    if (writer_->done.empty() && writer_->exited) {
      return Status::FailedPrecondition("the writer is stopped");
    }
  }
  Pump();
  return failed_;
}

Status ExecutionStage::WaitWritten(uint64_t height) {
  TM_RETURN_IF_ERROR(failed_);
  while (written_height_ < height) {
    if (!writer_ || submitted_ == 0 || queue_[submitted_ - 1].block->header.height < height) {
      return Status::Unavailable("block " + std::to_string(height) + " is not being written here");
    }
    TM_RETURN_IF_ERROR(AwaitReport());
  }
  return Status::Ok();
}

Result<std::vector<Receipt>> ExecutionStage::Apply(const Block& block, const QuorumCert& cert) {
  TM_RETURN_IF_ERROR(Drain());
  TM_RETURN_IF_ERROR(failed_);
  if (!queue_.empty()) {
    return Status::FailedPrecondition("committed blocks await their write: apply after them");
  }
  if (block.header.height <= written_height_) {
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
  // What the writer holds is committed: it is written (and reported) before the queue goes.
  (void)Drain();
  queue_.clear();
  submitted_ = 0;
  overlay_.reset();
  overlay_refs_.clear();
  written_height_ = ledger_.height();
  UpdateQueueDepth();
}

}  // namespace tidemark::node
