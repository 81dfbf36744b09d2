// leveldb_kv_store.h — the production KvStore, on LevelDB.
//
//   TM_ASSIGN_OR_RETURN(std::unique_ptr<LevelDbKvStore> db,
//                       LevelDbKvStore::Open("/var/lib/tidemark/node0/db", {}));
//
// The files LevelDB writes go through an Env that times their fsyncs, so TimedWrite can tell a
// synced write's fsync from the rest (pipeline metrics). Every LevelDB error becomes a Status
// (kCorruption for corruption, kIoError otherwise) carrying LevelDB's message. WriteBatch maps onto
// leveldb::WriteBatch, so a batch is atomic on disk. Thread safety: safe for concurrent use
// (LevelDB's own guarantee). One process opens a directory at a time (LevelDB holds a lock file; a
// second Open fails with kIoError).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "tidemark/node/storage/kv_store.h"

namespace leveldb {
class DB;
struct ReadOptions;
class Cache;
class FilterPolicy;
}  // namespace leveldb

namespace tidemark::node {

struct LevelDbOptions {
  bool create_if_missing = true;
  bool paranoid_checks = true;
  bool verify_checksums = true;         // on every read: damage is kCorruption, not garbage
  size_t block_cache_bytes = 32 << 20;  // bounded read cache
  // 32 MiB memtables and 8 MiB tables (LevelDB's defaults are 4 and 2 MiB): a store of a million
  // state keys has ~250 table files instead of ~900, so LevelDB's table cache (max_open_files)
  // holds every one and a tree read does not reopen a table; fewer, larger flushes rewrite level
  // 1 less often. Not larger: each open table keeps its index and filter (~2 % of its bytes) in
  // memory, and LevelDB's one compaction thread takes longer per compaction, during which level 0
  // can fill and stop writes. Measured with tidemark-store-bench (docs/benchmarks.md "Fewer,
  // larger tables").
  size_t write_buffer_bytes = 32 << 20;
  size_t max_file_bytes = 8 << 20;  // table file size LevelDB aims for
  bool compress = true;             // snappy on table blocks
  size_t block_bytes = 4096;        // uncompressed size of a table block (LevelDB's default)
  int bloom_bits_per_key = 10;      // 0 disables the bloom filter
  int max_open_files = 500;
  // After opening, check every live table file: its size is the one the MANIFEST records (a
  // truncated file is named), and every block of it reads back with a valid checksum (a flipped
  // byte is named with its file). Reads the whole store once: seconds per GB. The node sets it.
  bool check_on_open = false;
  // Detect lost synced writes — a cut-off write-ahead log, which LevelDB's recovery drops without
  // an error, or an older copy of the store put in its place. Every synced Write also stores
  // M|sync_seq = n (n counting up) in its batch; once it returns, n is written to the file
  // SYNC-MARK beside LevelDB's files (no fsync: after a crash the file can only be behind the
  // store, never ahead). Open fails with kCorruption when SYNC-MARK is ahead of the store. The
  // node sets it.
  bool sync_mark = false;
};

// The file of LevelDbOptions::sync_mark, in the store's folder.
inline constexpr char kSyncMarkFile[] = "SYNC-MARK";

class LevelDbKvStore final : public KvStore {
 public:
  static Result<std::unique_ptr<LevelDbKvStore>> Open(const std::string& dir,
                                                      const LevelDbOptions& options);
  ~LevelDbKvStore() override;
  LevelDbKvStore(const LevelDbKvStore&) = delete;
  LevelDbKvStore& operator=(const LevelDbKvStore&) = delete;

  Result<std::optional<Bytes>> Get(ByteView key) const override;
  Result<std::vector<KvPair>> Scan(const ScanOptions& options) const override;
  Status Write(const WriteBatch& batch, bool sync) override;
  // Reports the log's fsync apart (LevelDB's files are opened through an Env that times Sync).
  Status TimedWrite(const WriteBatch& batch, bool sync, WriteTimings* timings) override;
  Result<std::unique_ptr<KvReader>> Snapshot() const override;

  // The check of LevelDbOptions::check_on_open, callable on an open store (tools): OK, or
  // kCorruption naming the file (each live table's size against the MANIFEST, then every block
  // of it read with its checksum verified).
  Status CheckFiles() const;
  // The check of LevelDbOptions::sync_mark (tools): OK when SYNC-MARK is absent, unreadable as a
  // mark (a torn write: ignored) or not ahead of M|sync_seq; else kCorruption saying how many
  // acknowledged synced writes the store lacks.
  Status CheckSyncMark() const;
  // A LevelDB property ("leveldb.num-files-at-level0", "leveldb.stats", ...); nullopt if unknown.
  std::optional<std::string> Property(const std::string& name) const;

 private:
  LevelDbKvStore() = default;
  class SyncTimingEnv;
  leveldb::ReadOptions ReadOptions() const;
  Status CheckTable(const std::string& path, uint64_t size) const;
  bool verify_checksums_ = true;
  std::unique_ptr<SyncTimingEnv> env_;  // outlives db_
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::string dir_;
  bool sync_mark_ = false;
  std::mutex sync_mu_;               // orders synced writes with their sequence numbers
  uint64_t sync_seq_ = 0;            // guarded by sync_mu_
  int mark_fd_ = -1;                 // SYNC-MARK, open for writing while sync_mark_
  std::unique_ptr<leveldb::DB> db_;  // destroyed first (declared last)
};

}  // namespace tidemark::node
