#include "tidemark/node/storage/leveldb_kv_store.h"

#include <fcntl.h>
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/table.h>
#include <leveldb/write_batch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tidemark/node/storage/key_layout.h"

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

// M|sync_seq of an open store: the synced writes it holds (0 before the first).
Result<uint64_t> ReadSyncSeq(const KvReader& kv) {
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, kv.Get(AsBytes(keys::Meta(keys::kSyncSeqName))));
  if (!raw) return uint64_t{0};
  if (raw->size() != 8) return Status::Corruption("leveldb: M|sync_seq is not 8 bytes");
  return keys::ReadU64(raw->data());
}

// The mark a SYNC-MARK file holds; nullopt when absent or not a mark (n followed by ~n).
std::optional<uint64_t> ReadSyncMark(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint8_t raw[16];
  if (!in.read(reinterpret_cast<char*>(raw), sizeof raw)) return std::nullopt;
  const uint64_t n = keys::ReadU64(raw);
  if (keys::ReadU64(raw + 8) != ~n) return std::nullopt;
  return n;
}

// The files LevelDB's open reads (CURRENT's MANIFEST, the write-ahead logs) with their sizes:
// LevelDB's corruption messages do not say which file is damaged.
std::string DescribeOpenFiles(const std::string& dir) {
  std::ifstream in(dir + "/CURRENT");
  std::string name, out;
  std::error_code ec;
  if (!std::getline(in, name) || name.empty()) {
    out = "CURRENT is missing or empty";
  } else {
    auto size = std::filesystem::file_size(dir + "/" + name, ec);
    out = ec ? "CURRENT names " + name + ", which cannot be read (" + ec.message() + ")"
             : "CURRENT names " + name + ", " + std::to_string(size) + " bytes";
  }
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".log") continue;
    std::error_code sec;
    out += "; write-ahead log " + e.path().filename().string() + ", " +
           std::to_string(e.file_size(sec)) + " bytes";
  }
  return out;
}

}  // namespace

namespace {

// The live table files of the current version: "leveldb.sstables" lists each as
// " <number>:<size>[...]".
std::map<uint64_t, uint64_t> LiveTables(leveldb::DB* db) {
  std::map<uint64_t, uint64_t> out;
  std::string tables;
  if (!db->GetProperty("leveldb.sstables", &tables)) return out;
  std::istringstream lines(tables);
  std::string line;
  while (std::getline(lines, line)) {
    unsigned long long number = 0, size = 0;
    if (std::sscanf(line.c_str(), " %llu:%llu[", &number, &size) == 2) out[number] = size;
  }
  return out;
}

}  // namespace

Status LevelDbKvStore::CheckFiles() const {
  for (const auto& [number, size] : LiveTables(db_.get())) {
    char name[32];
    std::snprintf(name, sizeof name, "%06llu.ldb", static_cast<unsigned long long>(number));
    std::string path = dir_ + "/" + name;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      std::snprintf(name, sizeof name, "%06llu.sst",  // LevelDB's older suffix
                    static_cast<unsigned long long>(number));
      if (std::filesystem::exists(dir_ + "/" + name, ec)) path = dir_ + "/" + name;
    }
    Status s = CheckTable(path, size);
    // A compaction running meanwhile may have replaced the table and deleted it: only a table
    // that is still live is damaged.
    if (!s.ok() && LiveTables(db_.get()).count(number) > 0) return s;
  }
  return Status::Ok();
}

// One table file: its size is the MANIFEST's, and every block (footer, index, data) reads back
// with a valid checksum. LevelDB's own messages do not name the file; these do.
Status LevelDbKvStore::CheckTable(const std::string& path, uint64_t size) const {
  std::error_code ec;
  auto actual = std::filesystem::file_size(path, ec);
  if (ec) {
    return Status::Corruption("leveldb table " + path + " listed in the MANIFEST: " + ec.message());
  }
  if (actual != size) {
    return Status::Corruption("leveldb table " + path + " is " + std::to_string(actual) +
                              " bytes, the MANIFEST records " + std::to_string(size) +
                              (actual < size ? ": truncated" : ": changed"));
  }
  leveldb::RandomAccessFile* raw_file = nullptr;
  TM_RETURN_IF_ERROR(
      FromLevelDb(leveldb::Env::Default()->NewRandomAccessFile(path, &raw_file), "table check")
          .WithContext(path));
  std::unique_ptr<leveldb::RandomAccessFile> file(raw_file);
  leveldb::Options o;
  o.paranoid_checks = true;  // the index and meta blocks are checksummed too
  leveldb::Table* raw_table = nullptr;
  TM_RETURN_IF_ERROR(
      FromLevelDb(leveldb::Table::Open(o, file.get(), size, &raw_table), "table check")
          .WithContext("leveldb table " + path));
  std::unique_ptr<leveldb::Table> table(raw_table);
  leveldb::ReadOptions ro;
  ro.verify_checksums = true;
  ro.fill_cache = false;
  std::unique_ptr<leveldb::Iterator> it(table->NewIterator(ro));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
  }
  return FromLevelDb(it->status(), "table check (every block read with checksums)")
      .WithContext("leveldb table " + path);
}

namespace {

// Seconds this thread spent in WritableFile::Sync: LevelDB syncs the log on the writing thread
// (the leader of a group commit), so TimedWrite reads what its own Write spent syncing.
thread_local double tls_sync_seconds = 0;

class TimedSyncFile final : public leveldb::WritableFile {
 public:
  // `table`: a table file (.ldb / .sst). LevelDB's table builder flushes after every 4 KiB block,
  // one write(2) each (~7,600 a second per validator under load, ~18 % of the compaction
  // thread's time in the kernel). A table is read only once it is synced and closed, both of
  // which write the buffer out, so for tables Flush leaves the bytes in the file's own 64 KiB
  // buffer. The log and the MANIFEST flush as LevelDB asks.
  TimedSyncFile(leveldb::WritableFile* file, bool table) : file_(file), table_(table) {}
  leveldb::Status Append(const leveldb::Slice& data) override { return file_->Append(data); }
  leveldb::Status Close() override { return file_->Close(); }
  leveldb::Status Flush() override { return table_ ? leveldb::Status::OK() : file_->Flush(); }
  leveldb::Status Sync() override {
    auto start = std::chrono::steady_clock::now();
    leveldb::Status s = file_->Sync();
    tls_sync_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return s;
  }

 private:
  std::unique_ptr<leveldb::WritableFile> file_;
  bool table_;
};

}  // namespace

// The default Env, with every file LevelDB writes wrapped in a TimedSyncFile.
// A table file read with pread(2). LevelDB's default Env maps up to 1,000 table files into
// memory, and every page a read touches then counts in the process's RSS (RssFile) although it is
// the kernel's page cache: a validator under load showed 580 MiB of RSS of which 430 MiB were
// mapped tables. Read with pread, those pages stay in the page cache (shared, reclaimable, not
// the process's) and the store's own memory is its bounded block cache. Each open table holds a
// descriptor while LevelDB's table cache keeps it (at most max_open_files).
class PreadFile final : public leveldb::RandomAccessFile {
 public:
  PreadFile(std::string name, int fd) : name_(std::move(name)), fd_(fd) {}
  ~PreadFile() override { ::close(fd_); }
  leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result,
                       char* scratch) const override {
    size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_, scratch + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        *result = leveldb::Slice(scratch, 0);
        return leveldb::Status::IOError(name_, std::strerror(errno));
      }
      if (r == 0) break;  // end of file: a short result, which the table reader reports
      got += static_cast<size_t>(r);
    }
    *result = leveldb::Slice(scratch, got);
    return leveldb::Status::OK();
  }

 private:
  const std::string name_;
  const int fd_;
};

class LevelDbKvStore::SyncTimingEnv final : public leveldb::EnvWrapper {
 public:
  SyncTimingEnv() : leveldb::EnvWrapper(leveldb::Env::Default()) {}
  leveldb::Status NewRandomAccessFile(const std::string& f,
                                      leveldb::RandomAccessFile** r) override {
    *r = nullptr;
    const int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return errno == ENOENT ? leveldb::Status::NotFound(f, std::strerror(errno))
                             : leveldb::Status::IOError(f, std::strerror(errno));
    }
    *r = new PreadFile(f, fd);
    return leveldb::Status::OK();
  }
  leveldb::Status NewWritableFile(const std::string& f, leveldb::WritableFile** r) override {
    return Wrap(target()->NewWritableFile(f, r), f, r);
  }
  leveldb::Status NewAppendableFile(const std::string& f, leveldb::WritableFile** r) override {
    return Wrap(target()->NewAppendableFile(f, r), f, r);
  }

 private:
  static bool IsTable(const std::string& name) {
    auto ends = [&](const char* ext) {
      const size_t n = std::strlen(ext);
      return name.size() >= n && name.compare(name.size() - n, n, ext) == 0;
    };
    return ends(".ldb") || ends(".sst");
  }
  static leveldb::Status Wrap(leveldb::Status s, const std::string& name,
                              leveldb::WritableFile** r) {
    if (s.ok()) *r = new TimedSyncFile(*r, IsTable(name));
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
  o.max_file_size = options.max_file_bytes;
  o.block_size = options.block_bytes;
  o.compression = options.compress ? leveldb::kSnappyCompression : leveldb::kNoCompression;
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
  Status opened = FromLevelDb(leveldb::DB::Open(o, dir, &db), "open").WithContext(dir);
  if (opened.code() == Code::kCorruption) {  // LevelDB does not say which file: name it
    opened = Status::Corruption(opened.message() + " (" + DescribeOpenFiles(dir) + ")");
  }
  TM_RETURN_IF_ERROR(opened);
  store->db_.reset(db);
  store->dir_ = dir;
  if (options.check_on_open) TM_RETURN_IF_ERROR(store->CheckFiles());
  if (options.sync_mark) {
    TM_RETURN_IF_ERROR(store->CheckSyncMark());
    TM_ASSIGN_OR_RETURN(store->sync_seq_, ReadSyncSeq(*store));
    const std::string mark = dir + "/" + kSyncMarkFile;
    store->mark_fd_ = ::open(mark.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (store->mark_fd_ < 0) {
      return Status::IoError(mark + ": " + std::strerror(errno));
    }
    store->sync_mark_ = true;
  }
  return store;
}

Status LevelDbKvStore::CheckSyncMark() const {
  TM_ASSIGN_OR_RETURN(uint64_t seq, ReadSyncSeq(*this));
  const std::string mark_path = dir_ + "/" + kSyncMarkFile;
  std::optional<uint64_t> mark = ReadSyncMark(mark_path);
  if (!mark || *mark <= seq) return Status::Ok();
  return Status::Corruption(
      "leveldb store " + dir_ + " lost synced writes: " + std::to_string(*mark - seq) +
      " acknowledged synced write(s) after #" + std::to_string(seq) + " are missing (" +
      kSyncMarkFile + " records #" + std::to_string(*mark) +
      "): its write-ahead log was cut off, or an older copy of the store was put in its place. "
      "Move the folder away and let the node sync from its peers; to start from an older copy "
      "on purpose, delete " +
      mark_path);
}

LevelDbKvStore::~LevelDbKvStore() {
  db_.reset();
  if (mark_fd_ >= 0) ::close(mark_fd_);
}

std::optional<std::string> LevelDbKvStore::Property(const std::string& name) const {
  std::string value;
  if (!db_->GetProperty(name, &value)) return std::nullopt;
  return value;
}

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
  for (size_t i = 0; i < batch.Count(); ++i) {
    const WriteBatch::Op op = batch.op(i);
    if (op.is_delete) {
      b.Delete(leveldb::Slice(op.key.data(), op.key.size()));
    } else {
      b.Put(leveldb::Slice(op.key.data(), op.key.size()),
            leveldb::Slice(op.value.data(), op.value.size()));
    }
  }
  leveldb::WriteOptions wo;
  wo.sync = sync;
  if (!sync || !sync_mark_) return FromLevelDb(db_->Write(wo, &b), "write");
  std::lock_guard l(sync_mu_);
  const uint64_t n = sync_seq_ + 1;
  std::string be;
  keys::AppendU64(&be, n);
  b.Put(keys::Meta(keys::kSyncSeqName), be);
  TM_RETURN_IF_ERROR(FromLevelDb(db_->Write(wo, &b), "write"));
  sync_seq_ = n;
  // The mark follows the durable write (mark n, then ~n as its check): one sector, no fsync.
  std::string mark;
  keys::AppendU64(&mark, n);
  keys::AppendU64(&mark, ~n);
  if (::pwrite(mark_fd_, mark.data(), mark.size(), 0) != static_cast<ssize_t>(mark.size())) {
    return Status::IoError(dir_ + "/" + kSyncMarkFile + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Result<std::unique_ptr<KvReader>> LevelDbKvStore::Snapshot() const {
  return std::unique_ptr<KvReader>(std::make_unique<LevelDbSnapshot>(db_.get(), verify_checksums_));
}

}  // namespace tidemark::node
