#include "tidemark/node/storage/fault_injecting_kv_store.h"

namespace tidemark::node {

Status FaultInjectingKvStore::CheckUp() const {
  if (crashed_) return Status::IoError("fault injection: store crashed");
  return Status::Ok();
}

void FaultInjectingKvStore::CrashLocked() {
  crashed_ = true;
  if (!unsynced_.empty()) visible_ = durable_;  // otherwise they are already equal
  unsynced_.clear();
  crash_countdown_ = 0;
  fail_countdown_ = 0;
}

Result<std::optional<Bytes>> FaultInjectingKvStore::Get(ByteView key) const {
  std::lock_guard lock(mu_);
  TM_RETURN_IF_ERROR(CheckUp());
  auto it = visible_.find(ToString(key));
  if (it == visible_.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(Bytes(it->second.begin(), it->second.end()));
}

Result<std::vector<KvPair>> FaultInjectingKvStore::Scan(const ScanOptions& options) const {
  std::lock_guard lock(mu_);
  TM_RETURN_IF_ERROR(CheckUp());
  return MemoryKvStore::ScanMap(visible_, options);
}

Status FaultInjectingKvStore::Write(const WriteBatch& batch, bool sync) {
  std::lock_guard lock(mu_);
  TM_RETURN_IF_ERROR(CheckUp());
  if (crash_countdown_ > 0 && --crash_countdown_ == 0) {
    CrashLocked();
    return Status::IoError("fault injection: crashed during write");
  }
  if (fail_countdown_ > 0 && --fail_countdown_ == 0) {
    return Status::IoError("fault injection: write failed");
  }
  MemoryKvStore::Apply(batch, &visible_);
  if (sync) {
    for (const WriteBatch& b : unsynced_) MemoryKvStore::Apply(b, &durable_);
    unsynced_.clear();
    MemoryKvStore::Apply(batch, &durable_);
  } else {
    unsynced_.push_back(batch);
  }
  ++writes_;
  return Status::Ok();
}

Result<std::unique_ptr<KvReader>> FaultInjectingKvStore::Snapshot() const {
  std::lock_guard lock(mu_);
  TM_RETURN_IF_ERROR(CheckUp());
  return std::unique_ptr<KvReader>(std::make_unique<MemoryKvStore>(visible_));
}

void FaultInjectingKvStore::CrashAtWrite(uint64_t n) {
  std::lock_guard lock(mu_);
  crash_countdown_ = n;
}

void FaultInjectingKvStore::FailWriteAt(uint64_t n) {
  std::lock_guard lock(mu_);
  fail_countdown_ = n;
}

void FaultInjectingKvStore::Crash() {
  std::lock_guard lock(mu_);
  CrashLocked();
}

void FaultInjectingKvStore::Restart() {
  std::lock_guard lock(mu_);
  if (!crashed_) CrashLocked();  // restarting a live store loses its unsynced writes too
  crashed_ = false;              // CrashLocked already rolled visible_ back to durable_
}

bool FaultInjectingKvStore::crashed() const {
  std::lock_guard lock(mu_);
  return crashed_;
}

uint64_t FaultInjectingKvStore::writes() const {
  std::lock_guard lock(mu_);
  return writes_;
}

MemoryKvStore::Map FaultInjectingKvStore::DurableContents() const {
  std::lock_guard lock(mu_);
  return durable_;
}

}  // namespace tidemark::node
