#include "tidemark/node/app/fatal.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>

namespace tidemark::node {
namespace {

class ExitOnWriteFailureStore final : public KvStore {
 public:
  explicit ExitOnWriteFailureStore(std::unique_ptr<KvStore> kv) : kv_(std::move(kv)) {}
  Result<std::optional<Bytes>> Get(ByteView key) const override { return kv_->Get(key); }
  Result<std::vector<KvPair>> Scan(const ScanOptions& options) const override {
    return kv_->Scan(options);
  }
  Status Write(const WriteBatch& batch, bool sync) override {
    Status s = kv_->Write(batch, sync);
    if (!s.ok()) {
      ExitOnStorageFault(std::string(sync ? "synced" : "unsynced") + " write of " +
                             std::to_string(batch.ops().size()) + " records failed",
                         s);
    }
    return s;
  }
  Status TimedWrite(const WriteBatch& batch, bool sync, WriteTimings* timings) override {
    Status s = kv_->TimedWrite(batch, sync, timings);  // keeps the store's fsync timing
    if (!s.ok()) {
      ExitOnStorageFault(std::string(sync ? "synced" : "unsynced") + " write of " +
                             std::to_string(batch.ops().size()) + " records failed",
                         s);
    }
    return s;
  }
  Result<std::unique_ptr<KvReader>> Snapshot() const override { return kv_->Snapshot(); }

 private:
  std::unique_ptr<KvStore> kv_;
};

}  // namespace

bool IsStorageFault(const Status& s) {
  return s.code() == Code::kIoError || s.code() == Code::kCorruption;
}

void ExitOnStorageFault(std::string_view what, const Status& s) {
  std::string msg = "storage fault: " + std::string(what) + ": " + s.ToString() +
                    "; stopping (exit code " + std::to_string(kExitStorageFault) +
                    "); the store on disk is as of the last successful write: restart the node, "
                    "or run `tidemark-node verify --data DIR` first";
  spdlog::critical("{}", msg);
  spdlog::default_logger()->flush();
  std::fprintf(stderr, "%s\n", msg.c_str());
  std::fflush(stderr);
  std::_Exit(kExitStorageFault);
}

std::unique_ptr<KvStore> ExitOnWriteFailure(std::unique_ptr<KvStore> kv) {
  return std::make_unique<ExitOnWriteFailureStore>(std::move(kv));
}

}  // namespace tidemark::node
