// fault_injecting_kv_store.h — an in-memory KvStore that can fail writes and "crash", for tests
// that prove atomicity and recovery (like LevelDB's db/fault_injection_test.cc).
//
//   FaultInjectingKvStore db;
//   db.CrashAtWrite(3);            // the 3rd Write from now crashes: its batch is lost
//   ... run the code under test until a call fails with kIoError ...
//   db.Restart();                  // back up with exactly the durable state
//
// Model: a Write that returns OK with sync = true is durable, with every earlier Write. A Write
// that returns OK with sync = false is visible but lost by a crash unless a later synced Write
// completes (LevelDB on a machine crash). A crash drops the batch being written and every
// unsynced batch, then fails every call with kIoError until Restart(). FailWriteAt(n) makes the
// n-th Write return kIoError without applying anything (the store stays up).
// Thread safety: safe for concurrent use; one mutex guards everything.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "tidemark/node/storage/memory_kv_store.h"

namespace tidemark::node {

class FaultInjectingKvStore final : public KvStore {
 public:
  FaultInjectingKvStore() = default;

  Result<std::optional<Bytes>> Get(ByteView key) const override;
  Result<std::vector<KvPair>> Scan(const ScanOptions& options) const override;
  Status Write(const WriteBatch& batch, bool sync) override;
  Result<std::unique_ptr<KvReader>> Snapshot() const override;

  // The n-th Write from now (1 = the next one) crashes the store. 0 cancels.
  void CrashAtWrite(uint64_t n);
  // The n-th Write from now (1 = the next one) fails with kIoError, applying nothing. 0 cancels.
  void FailWriteAt(uint64_t n);
  // Crashes now: unsynced writes are lost and every call fails until Restart().
  void Crash();
  // Comes back up with the durable state, as a reopened LevelDB would.
  void Restart();

  bool crashed() const;
  uint64_t writes() const;  // Writes that completed OK since construction
  MemoryKvStore::Map DurableContents() const;

 private:
  Status CheckUp() const;  // REQUIRES: mu_ held
  void CrashLocked();      // REQUIRES: mu_ held

  mutable std::mutex mu_;
  MemoryKvStore::Map visible_;        // what reads see
  MemoryKvStore::Map durable_;        // what survives a crash
  std::vector<WriteBatch> unsynced_;  // applied to visible_, not yet to durable_
  bool crashed_ = false;
  uint64_t crash_countdown_ = 0;
  uint64_t fail_countdown_ = 0;
  uint64_t writes_ = 0;
};

}  // namespace tidemark::node
