#include "tidemark/node/storage/leveldb_kv_store.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <chrono>

namespace tidemark::node {
namespace {

leveldb::Slice ToSlice(ByteView b) {
  if (b.empty()) return leveldb::Slice();  // never a null data pointer (memcmp would be UB)
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

Bytes ToBytes(const leveldb::Slice& s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  return Bytes(p, p + s.size());
}

Status FromLevelDb(const leveldb::Status& s, const char* what) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string("leveldb ") + what + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption(std::move(msg));
  if (s.IsNotFound()) return Status::NotFound(std::move(msg));
  if (s.IsInvalidArgument()) return Status::Invalid(std::move(msg));
  return Status::IoError(std::move(msg));
}

Result<std::optional<Bytes>> GetFrom(leveldb::DB* db, const leveldb::ReadOptions& ro,
                                     ByteView key) {
  std::string value;
  leveldb::Status s = db->Get(ro, ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<Bytes>();
  TM_RETURN_IF_ERROR(FromLevelDb(s, "get"));
  return std::optional<Bytes>(Bytes(value.begin(), value.end()));
}

Result<std::vector<KvPair>> ScanFrom(leveldb::DB* db, leveldb::ReadOptions ro,
                                     const ScanOptions& options) {
  ro.fill_cache = false;  // scans should not evict the hot set
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator(ro));
  const leveldb::Slice prefix = ToSlice(options.prefix);
  leveldb::Slice from = prefix;
  if (options.start_at && ToSlice(*options.start_at).compare(from) > 0) {
    from = ToSlice(*options.start_at);
  }
  bool skip_equal = false;
  if (options.start_after && ToSlice(*options.start_after).compare(from) >= 0) {
    from = ToSlice(*options.start_after);
    skip_equal = true;
  }
  it->Seek(from);
  if (skip_equal && it->Valid() && it->key() == from) it->Next();
  std::vector<KvPair> out;
  for (; it->Valid() && out.size() < options.limit; it->Next()) {
    if (!it->key().starts_with(prefix)) break;
    out.push_back({ToBytes(it->key()), ToBytes(it->value())});
  }
  TM_RETURN_IF_ERROR(FromLevelDb(it->status(), "scan"));
  return out;
}

// A read-only view pinned to a leveldb::Snapshot; releases it when destroyed.
class LevelDbSnapshot final : public KvReader {
 public:
  LevelDbSnapshot(leveldb::DB* db, bool verify)
      : db_(db), snapshot_(db->GetSnapshot()), verify_(verify) {}
  ~LevelDbSnapshot() override { db_->ReleaseSnapshot(snapshot_); }

  Result<std::optional<Bytes>> Get(ByteView key) const override {
    return GetFrom(db_, Options(), key);
  }
  Result<std::vector<KvPair>> Scan(const ScanOptions& options) const override {
    return ScanFrom(db_, Options(), options);
  }

 private:
  leveldb::ReadOptions Options() const {
    leveldb::ReadOptions ro;
    ro.snapshot = snapshot_;
    ro.verify_checksums = verify_;
    return ro;
  }
  leveldb::DB* db_;
  const leveldb::Snapshot* snapshot_;
  bool verify_;
};

// Seconds this thread spent in WritableFile::Sync: LevelDB syncs the log on the writing thread
// (the leader of a group commit), so TimedWrite reads what its own Write spent syncing.
thread_local double tls_sync_seconds = 0;

class TimedSyncFile final : public leveldb::WritableFile {
 public:
  explicit TimedSyncFile(leveldb::WritableFile* file) : file_(file) {}
  leveldb::Status Append(const leveldb::Slice& data) override { return file_->Append(data); }
  leveldb::Status Close() override { return file_->Close(); }
  leveldb::Status Flush() override { return file_->Flush(); }
  leveldb::Status Sync() override {
    auto start = std::chrono::steady_clock::now();
    leveldb::Status s = file_->Sync();
    tls_sync_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return s;
  }

 private:
  std::unique_ptr<leveldb::WritableFile> file_;
};

}  // namespace

// The default Env, with every file LevelDB writes wrapped in a TimedSyncFile.
class LevelDbKvStore::SyncTimingEnv final : public leveldb::EnvWrapper {
 public:
  SyncTimingEnv() : leveldb::EnvWrapper(leveldb::Env::Default()) {}
  leveldb::Status NewWritableFile(const std::string& f, leveldb::WritableFile** r) override {
    return Wrap(target()->NewWritableFile(f, r), r);
  }
  leveldb::Status NewAppendableFile(const std::string& f, leveldb::WritableFile** r) override {
    return Wrap(target()->NewAppendableFile(f, r), r);
  }

 private:
  static leveldb::Status Wrap(leveldb::Status s, leveldb::WritableFile** r) {
    if (s.ok()) *r = new TimedSyncFile(*r);
    return s;
  }
};

Result<std::unique_ptr<LevelDbKvStore>> LevelDbKvStore::Open(const std::string& dir,
                                                             const LevelDbOptions& options) {
  std::unique_ptr<LevelDbKvStore> store(new LevelDbKvStore());
  leveldb::Options o;
  o.create_if_missing = options.create_if_missing;
  o.paranoid_checks = options.paranoid_checks;
  o.write_buffer_size = options.write_buffer_bytes;
  o.max_open_files = options.max_open_files;
  store->verify_checksums_ = options.verify_checksums;
  store->env_ = std::make_unique<SyncTimingEnv>();
  o.env = store->env_.get();
  store->cache_.reset(leveldb::NewLRUCache(options.block_cache_bytes));
  o.block_cache = store->cache_.get();
  if (options.bloom_bits_per_key > 0) {
    store->filter_.reset(leveldb::NewBloomFilterPolicy(options.bloom_bits_per_key));
    o.filter_policy = store->filter_.get();
  }
  leveldb::DB* db = nullptr;
  TM_RETURN_IF_ERROR(FromLevelDb(leveldb::DB::Open(o, dir, &db), "open").WithContext(dir));
  store->db_.reset(db);
  return store;
}

LevelDbKvStore::~LevelDbKvStore() { db_.reset(); }

leveldb::ReadOptions LevelDbKvStore::ReadOptions() const {
  leveldb::ReadOptions ro;
  ro.verify_checksums = verify_checksums_;
  return ro;
}

Result<std::optional<Bytes>> LevelDbKvStore::Get(ByteView key) const {
  return GetFrom(db_.get(), ReadOptions(), key);
}

Result<std::vector<KvPair>> LevelDbKvStore::Scan(const ScanOptions& options) const {
  return ScanFrom(db_.get(), ReadOptions(), options);
}

Status LevelDbKvStore::TimedWrite(const WriteBatch& batch, bool sync, WriteTimings* timings) {
  const double synced_before = tls_sync_seconds;
  auto start = std::chrono::steady_clock::now();
  Status s = Write(batch, sync);
  if (timings) {
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    timings->sync_seconds = std::min(total, tls_sync_seconds - synced_before);
    timings->write_seconds = total - timings->sync_seconds;
  }
  return s;
}

Status LevelDbKvStore::Write(const WriteBatch& batch, bool sync) {
  leveldb::WriteBatch b;
  for (const WriteBatch::Op& op : batch.ops()) {
    if (op.is_delete) {
      b.Delete(op.key);
    } else {
      b.Put(op.key, op.value);
    }
  }
  leveldb::WriteOptions wo;
  wo.sync = sync;
  return FromLevelDb(db_->Write(wo, &b), "write");
}

Result<std::unique_ptr<KvReader>> LevelDbKvStore::Snapshot() const {
  return std::unique_ptr<KvReader>(std::make_unique<LevelDbSnapshot>(db_.get(), verify_checksums_));
}

}  // namespace tidemark::node
