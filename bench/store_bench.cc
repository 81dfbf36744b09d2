// tidemark-store-bench: the cost of committing a block as the store grows (issue #17, "cost flat
// as state grows"; docs/benchmarks.md "Cost as the store grows"). No network and no consensus:
// one ChainStore on LevelDB with the node's options, committing synthetic blocks back to back,
// each synced, exactly as the node's commit stage does. Block h carries `--txs` signed txs; each
// tx adds `--new-keys` fresh state keys and overwrites `--hot-keys` of a fixed set of 1,000 keys
// (counters, indexes), values of `--value-bytes`, and `--index-keys` fresh empty index keys
// (state_keys::prov::IsIndexKey: flat index only, as a capture's query indexes; with
// --index-in-tree they go into the tree as they did before, for the comparison). Every `--window`
// blocks it prints the medians of the commit's stages (tree update, batch write, fsync), the bytes
// written per block, the store's size, its live state keys and the LevelDB files per level, so a
// cost that grows with the height shows as a rising column; cpu/blk is the process's CPU time per
// block, LevelDB's background compaction included (the cost the other validators on the same cores
// pay for).
//
// Flags that vary the store for an experiment: --write-buffer-mb, --file-mb, --block-bytes,
// --block-cache-mb, --no-compression (LevelDB), --cache-levels (the writer's node cache),
// --retain (versions kept), --tree-in-memory (tree nodes and stale sets in a map: the bound of
// any layout that keeps them out of LevelDB; docs/benchmarks.md "What the tree costs").
//
//   build/release/bench/tidemark-store-bench --blocks 100000 --txs 1 --new-keys 8 --hot-keys 2
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "ceiling.h"
#include "tidemark/node/chain/chain_store.h"
#include "tidemark/node/storage/key_layout.h"
#include "tidemark/node/storage/leveldb_kv_store.h"
#include "tidemark/node/storage/memory_kv_store.h"

using namespace tidemark;
using namespace tidemark::node;

namespace {

struct Flags {
  uint64_t blocks = 20000;
  uint64_t txs = 1;
  uint64_t new_keys = 8;
  uint64_t hot_keys = 2;
  uint64_t index_keys = 0;
  uint64_t value_bytes = 200;
  uint64_t retain = 10000;
  uint64_t window = 5000;
  uint64_t write_buffer_mb = 0;  // 0: the node's default (LevelDbOptions)
  uint64_t file_mb = 0;
  uint64_t cache_levels = 0;    // 0: the node's default (ChainStoreOptions::node_cache_entries)
  uint64_t block_cache_mb = 0;  // 0: the node's default (LevelDbOptions)
  uint64_t block_bytes = 0;     // 0: the node's default (LevelDbOptions)
  bool no_compression = false;
  bool tree_in_memory = false;
  bool index_in_tree = false;
  std::string dir;
  bool keep = false;
};

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--keep") {
      f->keep = true;
      continue;
    }
    if (a == "--no-compression") {
      f->no_compression = true;
      continue;
    }
    if (a == "--tree-in-memory") {
      f->tree_in_memory = true;
      continue;
    }
    if (a == "--index-in-tree") {
      f->index_in_tree = true;
      continue;
    }
    if (i + 1 >= argc) return false;
    std::string v = argv[++i];
    if (a == "--dir") {
      f->dir = v;
      continue;
    }
    char* end = nullptr;
    unsigned long long n = std::strtoull(v.c_str(), &end, 10);
    if (end == v.c_str() || *end != '\0') return false;
    if (a == "--blocks")
      f->blocks = n;
    else if (a == "--txs")
      f->txs = n;
    else if (a == "--new-keys")
      f->new_keys = n;
    else if (a == "--hot-keys")
      f->hot_keys = n;
    else if (a == "--index-keys")
      f->index_keys = n;
    else if (a == "--value-bytes")
      f->value_bytes = n;
    else if (a == "--retain")
      f->retain = n;
    else if (a == "--window")
      f->window = n;
    else if (a == "--write-buffer-mb")
      f->write_buffer_mb = n;
    else if (a == "--file-mb")
      f->file_mb = n;
    else if (a == "--cache-levels" && n <= 26)
      f->cache_levels = n;
    else if (a == "--block-cache-mb")
      f->block_cache_mb = n;
    else if (a == "--block-bytes" && n >= 256 && n <= (1 << 20))
      f->block_bytes = n;
    else
      return false;
  }
  return f->blocks > 0 && f->window > 0 && f->value_bytes > 0 && f->value_bytes <= 4096;
}

// --tree-in-memory: the tree's nodes (N) and stale sets (Z) in a map, everything else in LevelDB.
// Not a design (nothing of the tree would survive a restart): the experiment that bounds what
// keeping the tree's nodes out of LevelDB could save, the rest of the commit unchanged.
class SplitKvStore final : public KvStore {
 public:
  explicit SplitKvStore(std::unique_ptr<KvStore> disk) : disk_(std::move(disk)) {}
  static bool InMemory(ByteView key) {
    return !key.empty() &&
           (key[0] == uint8_t(keys::kStateNode) || key[0] == uint8_t(keys::kStateStale));
  }
  Result<std::optional<Bytes>> Get(ByteView key) const override {
    return InMemory(key) ? mem_.Get(key) : disk_->Get(key);
  }
  Result<std::vector<KvPair>> Scan(const ScanOptions& o) const override {
    if (o.prefix.empty()) return Status::FailedPrecondition("split store: scan without a prefix");
    return InMemory(o.prefix) ? mem_.Scan(o) : disk_->Scan(o);
  }
  Status Write(const WriteBatch& batch, bool sync) override {
    WriteTimings t;
    return TimedWrite(batch, sync, &t);
  }
  Status TimedWrite(const WriteBatch& batch, bool sync, WriteTimings* timings) override {
    WriteBatch mem, disk;
    for (size_t i = 0; i < batch.Count(); ++i) {
      WriteBatch::Op op = batch.op(i);
      ByteView k(reinterpret_cast<const uint8_t*>(op.key.data()), op.key.size());
      ByteView v(reinterpret_cast<const uint8_t*>(op.value.data()), op.value.size());
      WriteBatch& to = InMemory(k) ? mem : disk;
      if (op.is_delete)
        to.Delete(k);
      else
        to.Put(k, v);
    }
    TM_RETURN_IF_ERROR(mem_.Write(mem, false));
    return disk_->TimedWrite(disk, sync, timings);
  }
  Result<std::unique_ptr<KvReader>> Snapshot() const override {
    return Status::FailedPrecondition("split store: no snapshots");
  }
  KvStore& disk() { return *disk_; }

 private:
  std::unique_ptr<KvStore> disk_;
  MemoryKvStore mem_;
};

Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

KvStore& Disk(ChainStore& store) {
  auto* split = dynamic_cast<SplitKvStore*>(&store.kv());
  return split != nullptr ? split->disk() : store.kv();
}

// CPU time of the whole process (every thread: LevelDB's compaction runs on its own).
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  if (!ParseFlags(argc, argv, &f)) {
    std::fprintf(stderr,
                 "usage: tidemark-store-bench [--blocks N] [--txs T] [--new-keys K] [--hot-keys H]"
                 " [--index-keys I [--index-in-tree]]"
                 " [--value-bytes V] [--retain R (0 keeps every version)] [--window W]"
                 " [--write-buffer-mb M] [--file-mb M] [--block-cache-mb M] [--block-bytes B] "
                 "[--cache-levels L (<= 26)]"
                 " [--no-compression] [--tree-in-memory] [--dir DIR --keep]\n");
    return 2;
  }
  if (f.dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tidemark-store-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return 1;
    f.dir = tmpl;
  }
  bench::Ceiling c = bench::MeasureCeiling(4, 3);
  std::printf("machine: Ed25519 verify %.0f/s per core, SHA-256 %.0f MiB/s, %u cores\n",
              c.verify_per_core, c.sha256_mib_per_s, c.cores);
  std::printf(
      "store %s: %llu blocks, %llu txs/block, %llu new + %llu hot keys + %llu index keys (%s)"
      " per tx, %llu B values, retain %llu versions\n",
      f.dir.c_str(), (unsigned long long)f.blocks, (unsigned long long)f.txs,
      (unsigned long long)f.new_keys, (unsigned long long)f.hot_keys,
      (unsigned long long)f.index_keys, f.index_in_tree ? "in the tree" : "flat index only",
      (unsigned long long)f.value_bytes, (unsigned long long)f.retain);
  LevelDbOptions kvo;  // the node's defaults unless a flag says otherwise
  if (f.write_buffer_mb > 0) kvo.write_buffer_bytes = f.write_buffer_mb << 20;
  if (f.file_mb > 0) kvo.max_file_bytes = f.file_mb << 20;
  if (f.no_compression) kvo.compress = false;
  if (f.block_cache_mb > 0) kvo.block_cache_bytes = f.block_cache_mb << 20;
  if (f.block_bytes > 0) kvo.block_bytes = f.block_bytes;
  ChainStoreOptions cso{.retain_versions = f.retain};
  if (f.cache_levels > 0) cso.node_cache_entries = (size_t{1} << f.cache_levels) - 1;
  std::printf(
      "leveldb: write buffer %zu MiB, table files %zu MiB, blocks of %zu B, block cache %zu MiB, "
      "%s;"
      " node cache %zu slots\n",
      kvo.write_buffer_bytes >> 20, kvo.max_file_bytes >> 20, kvo.block_bytes,
      kvo.block_cache_bytes >> 20, kvo.compress ? "snappy" : "no compression",
      cso.node_cache_entries);
  Result<std::unique_ptr<ChainStore>> opened = Status::Internal("unopened");
  if (f.tree_in_memory) {
    auto kv = LevelDbKvStore::Open(f.dir, kvo);
    if (!kv.ok()) {
      std::fprintf(stderr, "open: %s\n", kv.status().ToString().c_str());
      return 1;
    }
    std::printf("tree nodes and stale sets in memory (an experiment: see SplitKvStore)\n");
    opened = ChainStore::Open(std::make_unique<SplitKvStore>(std::move(*kv)), cso);
  } else {
    opened = ChainStore::OpenLevelDb(f.dir, kvo, cso);
  }
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  ChainStore& store = **opened;
  KeyPair key = KeyPair::FromSeed(Seed{});
  Bytes value(f.value_bytes, 'v');
  uint64_t next_key = 0;
  Hash256 parent;
  std::printf("%9s %9s %9s %9s %9s %9s %9s %11s %9s %10s  %s\n", "height", "commit", "tree",
              "write", "fsync", "p99", "cpu/blk", "bytes/blk", "store", "keys", "files per level");
  double cpu_before = CpuSeconds();
  std::vector<double> commit_ms, tree_ms, write_ms, sync_ms;
  uint64_t window_bytes = 0;
  for (uint64_t h = 0; h < f.blocks; ++h) {
    Block b;
    b.header.chain_id = "store-bench";
    b.header.height = h;
    if (h > 0) {
      b.header.parent = parent;
      b.justify.data = {.height = h - 1, .block_id = parent};
      b.header.exec_height = h - 1;
    }
    b.header.justify_hash = b.justify.Hash();
    std::vector<StateChange> changes;
    std::vector<Receipt> receipts;
    for (uint64_t t = 0; t < f.txs; ++t) {
      Transaction tx{.chain_id = "store-bench",
                     .nonce = h * f.txs + t + 1,
                     .contract = "test",
                     .method = "put"};
      tx.SignWith(key);
      receipts.push_back({.tx_id = tx.Id(), .height = h, .index = static_cast<uint32_t>(t)});
      b.txs.push_back(std::move(tx));
      for (uint64_t k = 0; k < f.new_keys; ++k) {
        changes.push_back({B("ev/" + std::to_string(next_key++)), value});
      }
      for (uint64_t k = 0; k < f.hot_keys; ++k) {
        changes.push_back({B("hot/" + std::to_string((h * 7919 + t * 31 + k) % 1000)), value});
      }
      for (uint64_t k = 0; k < f.index_keys; ++k) {
        changes.push_back({.key = B("ix/" + std::to_string(next_key++)),
                           .value = Bytes{},
                           .in_tree = f.index_in_tree});
      }
    }
    std::sort(changes.begin(), changes.end(),
              [](const StateChange& x, const StateChange& y) { return x.key < y.key; });
    changes.erase(
        std::unique(changes.begin(), changes.end(),
                    [](const StateChange& x, const StateChange& y) { return x.key == y.key; }),
        changes.end());
    b.header.tx_count = b.txs.size();
    b.header.tx_root = TxRoot(b.txs);
    QuorumCert qc;
    if (h > 0) qc.data = {.height = h + 1, .commit_height = h, .commit_id = b.Id()};
    CommitTimings t;
    auto t0 = std::chrono::steady_clock::now();
    auto root = store.Commit(b, qc, receipts, changes, {.safety_record = B("safety")}, &t);
    auto t1 = std::chrono::steady_clock::now();
    if (!root.ok()) {
      std::fprintf(stderr, "commit %llu: %s\n", (unsigned long long)h,
                   root.status().ToString().c_str());
      return 1;
    }
    parent = b.Id();
    commit_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    tree_ms.push_back(t.tree_update_seconds * 1e3);
    write_ms.push_back(t.write_seconds * 1e3);
    sync_ms.push_back(t.sync_seconds * 1e3);
    window_bytes += t.bytes_written;
    if ((h + 1) % f.window == 0 || h + 1 == f.blocks) {
      std::string levels;
      auto* ldb = dynamic_cast<LevelDbKvStore*>(&Disk(store));
      if (ldb != nullptr) {
        for (int l = 0; l < 7; ++l) {
          auto p = ldb->Property("leveldb.num-files-at-level" + std::to_string(l));
          levels += (l ? "/" : "") + p.value_or("?");
        }
      }
      const double cpu = CpuSeconds();
      std::printf(
          "%9llu %7.2fms %7.2fms %7.2fms %7.2fms %7.2fms %7.2fms %11.0f %7.0fMB %10llu  %s\n",
          (unsigned long long)(h + 1), bench::Median(commit_ms), bench::Median(tree_ms),
          bench::Median(write_ms), bench::Median(sync_ms), bench::Percentile(commit_ms, 99),
          (cpu - cpu_before) * 1e3 / commit_ms.size(), double(window_bytes) / commit_ms.size(),
          DirBytes(f.dir) / 1e6, (unsigned long long)(next_key + 1000), levels.c_str());
      std::fflush(stdout);
      cpu_before = cpu;
      commit_ms.clear();
      tree_ms.clear();
      write_ms.clear();
      sync_ms.clear();
      window_bytes = 0;
    }
  }
  // LevelDB's own account of its compactions: per level, the bytes read and written. The sum of
  // "Write(MB)" over the bytes the blocks wrote is the store's write amplification.
  if (auto* ldb = dynamic_cast<LevelDbKvStore*>(&Disk(store)); ldb != nullptr) {
    std::printf("%s", ldb->Property("leveldb.stats").value_or("").c_str());
  }
  opened->reset();
  if (!f.keep) std::filesystem::remove_all(f.dir);
  return 0;
}
