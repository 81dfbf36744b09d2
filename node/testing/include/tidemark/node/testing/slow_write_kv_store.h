// slow_write_kv_store.h — TEST ONLY: a KvStore whose writes take longer, as on a slow or
// overloaded disk. tidemark-node-test wraps its ledger store in one (NodeExtensions::wrap_store)
// when the fault layer is on; the line `slow-writes <ms>` of `<data_dir>/test_faults` sets the
// delay (0 or no line: none), so the chaos run (tests/chaos/) can slow one node's disk and
// restore it without restarting the process.
//
//   auto delay = std::make_shared<std::atomic<uint32_t>>(0);
//   auto store = std::make_unique<SlowWriteKvStore>(std::move(leveldb), delay);
//   delay->store(150);   // every Write from now sleeps 150 ms before it goes to the inner store
//
// Reads and snapshots are not slowed (the page cache keeps them fast on a slow disk too).
// Thread safety: as the inner store; the delay is an atomic, changed from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "tidemark/node/storage/kv_store.h"

namespace tidemark::node::testing {

class SlowWriteKvStore final : public KvStore {
 public:
  SlowWriteKvStore(std::unique_ptr<KvStore> inner, std::shared_ptr<std::atomic<uint32_t>> delay_ms)
      : inner_(std::move(inner)), delay_ms_(std::move(delay_ms)) {}

  Result<std::optional<Bytes>> Get(ByteView key) const override { return inner_->Get(key); }
  Result<std::vector<KvPair>> Scan(const ScanOptions& options) const override {
    return inner_->Scan(options);
  }
  Status Write(const WriteBatch& batch, bool sync) override {
    Delay();
    return inner_->Write(batch, sync);
  }
  // The delay shows as sync time (where a slow disk spends it); the rest is the inner store's.
  Status TimedWrite(const WriteBatch& batch, bool sync, WriteTimings* timings) override {
    double slept = Delay();
    Status s = inner_->TimedWrite(batch, sync, timings);
    if (timings) timings->sync_seconds += slept;
    return s;
  }
  Result<std::unique_ptr<KvReader>> Snapshot() const override { return inner_->Snapshot(); }

  // Writes delayed so far.
  uint64_t slowed_writes() const { return slowed_.load(std::memory_order_relaxed); }

 private:
  // Sleeps the current delay; returns it in seconds.
  double Delay() {
    uint32_t ms = delay_ms_->load(std::memory_order_relaxed);
    if (ms == 0) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    slowed_.fetch_add(1, std::memory_order_relaxed);
    return ms / 1000.0;
  }

  std::unique_ptr<KvStore> inner_;
  std::shared_ptr<std::atomic<uint32_t>> delay_ms_;
  std::atomic<uint64_t> slowed_{0};
};

}  // namespace tidemark::node::testing
