// Contract tests run against every KvStore (memory, fault-injecting, LevelDB), then the
// fault-injection model and LevelDB specifics (reopen, lock, errors as Status).
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>

#include "tidemark/node/storage/fault_injecting_kv_store.h"
#include "tidemark/node/storage/leveldb_kv_store.h"
#include "tidemark/node/storage/memory_kv_store.h"

namespace tidemark::node {
namespace {

Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

TEST_CASE("WriteBatch keeps every operation, in order, byte for byte, through Append") {
  WriteBatch a;
  const Bytes binary = {0, 255, 0, 7};
  a.Put(B("k1"), B("v1"));
  a.Delete(B("gone"));
  a.Put(binary, {});  // an empty value is a value, not a delete
  WriteBatch b;
  b.Put(B("k1"), B("later"));
  std::string big(100000, 'x');  // forces the buffer to move: views must still be right
  b.Put(B("big"), B(big));
  a.Append(b);
  a.Append(WriteBatch{});
  REQUIRE(a.Count() == 5);
  CHECK(a.ApproximateSize() == 4 + 4 + 4 + 7 + 3 + big.size());
  std::vector<WriteBatch::Op> ops = a.ops();
  REQUIRE(ops.size() == 5);
  CHECK((!ops[0].is_delete && ops[0].key == "k1" && ops[0].value == "v1"));
  CHECK((ops[1].is_delete && ops[1].key == "gone" && ops[1].value.empty()));
  CHECK((!ops[2].is_delete && ops[2].key == std::string_view("\0\xff\0\x07", 4) &&
         ops[2].value.empty()));
  CHECK((!ops[3].is_delete && ops[3].key == "k1" && ops[3].value == "later"));
  CHECK((ops[4].key == "big" && ops[4].value == big));
  CHECK(b.Count() == 2);  // the source is unchanged
  CHECK(b.op(0).value == "later");
  a.Clear();
  CHECK((a.empty() && a.Count() == 0 && a.ApproximateSize() == 0));
}

TEST_CASE(
    "WriteBatch::Reserve changes no operation, before or after, and a moved batch keeps them") {
  WriteBatch a;
  a.Put(B("before"), B("1"));
  a.Delete(B("gone"));
  a.Reserve(1 << 20, 10000);  // moves the buffer: what was there must still read back
  for (int i = 0; i < 1000; ++i) a.Put(B("k" + std::to_string(i)), B(std::string(i % 300, 'v')));
  a.Reserve(0, 0);
  REQUIRE(a.Count() == 1002);
  CHECK((a.op(0).key == "before" && a.op(0).value == "1" && !a.op(0).is_delete));
  CHECK((a.op(1).key == "gone" && a.op(1).is_delete));
  CHECK((a.op(1001).key == "k999" && a.op(1001).value == std::string(999 % 300, 'v')));
  const size_t size = a.ApproximateSize();
  WriteBatch b = std::move(a);  // PrepareCommit takes the state writes this way
  b.Put(B("after"), B("2"));
  REQUIRE(b.Count() == 1003);
  CHECK(b.ApproximateSize() == size + 6);
  CHECK((b.op(0).key == "before" && b.op(1002).key == "after" && b.op(1002).value == "2"));
}

// A fresh temporary directory, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tidemark-kv-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::optional<Bytes> MustGet(const KvReader& kv, const std::string& key) {
  Result<std::optional<Bytes>> v = kv.Get(B(key));
  REQUIRE(v.ok());
  return *v;
}

std::vector<std::string> Keys(const Result<std::vector<KvPair>>& page) {
  REQUIRE(page.ok());
  std::vector<std::string> out;
  for (const KvPair& p : *page) out.push_back(ToString(p.key));
  return out;
}

void RunContract(KvStore& kv) {
  CHECK(MustGet(kv, "missing") == std::nullopt);

  WriteBatch b;
  b.Put(B("a/1"), B("one"));
  b.Put(B("a/2"), B("two"));
  b.Put(B("a/3"), B("three"));
  b.Put(B("b/1"), B("other"));
  b.Put(B("a/2"), B("TWO"));  // later op wins
  b.Delete(B("a/3"));
  std::string binary_key("\x00\xff\x01", 3);
  b.Put(AsBytes(binary_key), Bytes());  // binary key, empty value
  REQUIRE(kv.Write(b, true).ok());

  CHECK(MustGet(kv, "a/1") == B("one"));
  CHECK(MustGet(kv, "a/2") == B("TWO"));
  CHECK(MustGet(kv, "a/3") == std::nullopt);
  CHECK(MustGet(kv, binary_key) == Bytes());  // present but empty: not "absent"

  CHECK(Keys(kv.Scan({.prefix = B("a/")})) == std::vector<std::string>{"a/1", "a/2"});
  CHECK(Keys(kv.Scan({.prefix = B("a/"), .limit = 1})) == std::vector<std::string>{"a/1"});
  CHECK(Keys(kv.Scan({.prefix = B("a/"), .start_after = B("a/1")})) ==
        std::vector<std::string>{"a/2"});
  CHECK(Keys(kv.Scan({.prefix = B("a/"), .start_after = B("a/2")})).empty());
  CHECK(Keys(kv.Scan({.prefix = B("a/"), .start_after = B("0")})).size() == 2);  // before prefix
  CHECK(Keys(kv.Scan({.prefix = B("a/"), .start_after = B("z")})).empty());      // after prefix
  CHECK(Keys(kv.Scan({.prefix = ByteView()})).size() == 4);                      // everything
  CHECK(Keys(kv.Scan({.prefix = B("a/"), .limit = 0})).empty());
  CHECK(Keys(kv.Scan({.prefix = B("a/"), .start_at = B("a/2")})) ==
        std::vector<std::string>{"a/2"});  // inclusive
  CHECK(Keys(kv.Scan({.prefix = B("a/"), .start_at = B("a/15")})) ==
        std::vector<std::string>{"a/2"});
  CHECK(Keys(kv.Scan({.prefix = B("a/"), .start_at = B("0")})).size() == 2);
  CHECK(Keys(kv.Scan({.prefix = B("a/"), .start_at = B("b")})).empty());
  CHECK(Keys(kv.Scan({.prefix = B("a/"), .start_after = B("a/1"), .start_at = B("a/")})) ==
        std::vector<std::string>{"a/2"});  // the later bound wins
  CHECK(Keys(kv.Scan({.prefix = B("a/"), .start_after = B("a/"), .start_at = B("a/2")})) ==
        std::vector<std::string>{"a/2"});
  CHECK(Keys(kv.Scan({.prefix = B("a/"), .start_after = B("0"), .start_at = B("z")})).empty());
  CHECK(Keys(kv.Scan({.prefix = B("a/"), .start_after = B("z"), .start_at = B("0")})).empty());

  Result<std::unique_ptr<KvReader>> snap = kv.Snapshot();
  REQUIRE(snap.ok());
  WriteBatch later;
  later.Put(B("a/1"), B("changed"));
  later.Put(B("a/9"), B("new"));
  REQUIRE(kv.Write(later, false).ok());
  CHECK(MustGet(**snap, "a/1") == B("one"));  // the snapshot does not move
  CHECK(Keys((*snap)->Scan({.prefix = B("a/")})).size() == 2);
  CHECK(MustGet(kv, "a/1") == B("changed"));
  CHECK(Keys(kv.Scan({.prefix = B("a/")})).size() == 3);
}

TEST_CASE("KvStore contract: memory") {
  MemoryKvStore kv;
  RunContract(kv);
}

TEST_CASE("KvStore contract: fault-injecting (no faults armed)") {
  FaultInjectingKvStore kv;
  RunContract(kv);
}

TEST_CASE("KvStore contract: LevelDB") {
  TempDir dir;
  Result<std::unique_ptr<LevelDbKvStore>> kv = LevelDbKvStore::Open(dir.Sub("db"), {});
  REQUIRE(kv.ok());
  RunContract(**kv);
}

TEST_CASE("PrefixSuccessor") {
  CHECK(PrefixSuccessor("ab") == std::optional<std::string>("ac"));
  CHECK(PrefixSuccessor(std::string("a\xff", 2)) == std::optional<std::string>("b"));
  CHECK(PrefixSuccessor(std::string("\xff\xff", 2)) == std::nullopt);
}

TEST_CASE("LevelDB: data survives close and reopen, a locked directory is an IoError") {
  TempDir dir;
  {
    Result<std::unique_ptr<LevelDbKvStore>> kv = LevelDbKvStore::Open(dir.Sub("db"), {});
    REQUIRE(kv.ok());
    WriteBatch b;
    for (int i = 0; i < 1000; ++i) b.Put(B("k" + std::to_string(i)), Bytes(100, uint8_t(i)));
    REQUIRE((*kv)->Write(b, true).ok());
    Result<std::unique_ptr<LevelDbKvStore>> second = LevelDbKvStore::Open(dir.Sub("db"), {});
    REQUIRE(!second.ok());
    CHECK(second.status().code() == Code::kIoError);
    CHECK(second.status().message().find("leveldb open") != std::string::npos);
  }
  Result<std::unique_ptr<LevelDbKvStore>> kv = LevelDbKvStore::Open(dir.Sub("db"), {});
  REQUIRE(kv.ok());
  CHECK(MustGet(**kv, "k999") == Bytes(100, uint8_t(999)));
  CHECK(Keys((*kv)->Scan({.prefix = B("k"), .limit = 5000})).size() == 1000);
}

TEST_CASE("LevelDB: TimedWrite tells the fsync of a synced write apart, and writes the batch") {
  TempDir dir;
  Result<std::unique_ptr<LevelDbKvStore>> kv = LevelDbKvStore::Open(dir.Sub("db"), {});
  REQUIRE(kv.ok());
  WriteBatch b;
  b.Put(B("a"), B("1"));
  WriteTimings synced{.write_seconds = -1, .sync_seconds = -1};
  REQUIRE((*kv)->TimedWrite(b, /*sync=*/true, &synced).ok());
  CHECK(synced.sync_seconds > 0);  // the log's Sync ran, on this thread
  CHECK(synced.write_seconds >= 0);
  WriteBatch c;
  c.Put(B("b"), B("2"));
  WriteTimings unsynced{.write_seconds = -1, .sync_seconds = -1};
  REQUIRE((*kv)->TimedWrite(c, /*sync=*/false, &unsynced).ok());
  CHECK(unsynced.sync_seconds == 0);
  CHECK(unsynced.write_seconds > 0);
  CHECK(MustGet(**kv, "a") == B("1"));
  CHECK(MustGet(**kv, "b") == B("2"));
  // Another store's default: the whole Write counts as write.
  MemoryKvStore mem;
  WriteTimings t{.write_seconds = -1, .sync_seconds = -1};
  REQUIRE(mem.TimedWrite(b, /*sync=*/true, &t).ok());
  CHECK(t.sync_seconds == 0);
  CHECK(t.write_seconds >= 0);
  CHECK(MustGet(mem, "a") == B("1"));
}

TEST_CASE("LevelDB: opening a missing directory without create_if_missing fails with a message") {
  TempDir dir;
  Result<std::unique_ptr<LevelDbKvStore>> kv =
      LevelDbKvStore::Open(dir.Sub("nope"), {.create_if_missing = false});
  REQUIRE(!kv.ok());
  CHECK(kv.status().code() == Code::kInvalidArgument);  // LevelDB: "does not exist"
  CHECK(kv.status().message().find("does not exist") != std::string::npos);
}

TEST_CASE("LevelDB: a damaged table file is reported, not crashed on") {
  TempDir dir;
  {
    Result<std::unique_ptr<LevelDbKvStore>> kv =
        LevelDbKvStore::Open(dir.Sub("db"), {.write_buffer_bytes = 64 << 10});
    REQUIRE(kv.ok());
    for (int round = 0; round < 8; ++round) {  // enough to flush tables to disk
      WriteBatch b;
      for (int i = 0; i < 500; ++i) b.Put(B("k" + std::to_string(round * 500 + i)), Bytes(200, 7));
      REQUIRE((*kv)->Write(b, true).ok());
    }
  }
  int damaged = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.Sub("db"))) {
    if (entry.path().extension() != ".ldb") continue;
    std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    for (size_t off = 100; off + 100 < entry.file_size(); off += 997) {
      f.seekp(static_cast<std::streamoff>(off));
      f.put('\x5a');
    }
    ++damaged;
  }
  REQUIRE(damaged > 0);
  Result<std::unique_ptr<LevelDbKvStore>> kv = LevelDbKvStore::Open(dir.Sub("db"), {});
  if (!kv.ok()) {
    CHECK((kv.status().code() == Code::kCorruption || kv.status().code() == Code::kIoError));
    return;
  }
  Result<std::vector<KvPair>> all = (*kv)->Scan({.prefix = B("k"), .limit = 10000});
  REQUIRE(!all.ok());
  CHECK(all.status().code() == Code::kCorruption);
}

// Writes `n` synced batches of 20 keys each ("w<i>/<j>") to the store at `path`.
void WriteSynced(const std::string& path, int from, int n, bool sync_mark) {
  Result<std::unique_ptr<LevelDbKvStore>> kv = LevelDbKvStore::Open(path, {.sync_mark = sync_mark});
  REQUIRE(kv.ok());
  for (int i = from; i < from + n; ++i) {
    WriteBatch b;
    for (int j = 0; j < 20; ++j) {
      b.Put(B("w" + std::to_string(i) + "/" + std::to_string(j)), Bytes(100, 1));
    }
    REQUIRE((*kv)->Write(b, true).ok());
  }
}

// Cuts every write-ahead log of the store to a third of its size.
int CutLogs(const std::string& path) {
  int cut = 0;
  for (const auto& entry : std::filesystem::directory_iterator(path)) {
    if (entry.path().extension() != ".log" || entry.file_size() < 3000) continue;
    std::filesystem::resize_file(entry.path(), entry.file_size() / 3);
    ++cut;
  }
  return cut;
}

TEST_CASE("LevelDB: a cut-off write-ahead log is refused at open with the sync mark") {
  TempDir dir;
  WriteSynced(dir.Sub("db"), 0, 60, true);
  REQUIRE(std::filesystem::exists(dir.Sub("db") + "/" + kSyncMarkFile));
  // Sound: it reopens with the check, and the sequence goes on from where it was (its open
  // moved the first 60 writes from the log to a table; the log holds the next 5).
  WriteSynced(dir.Sub("db"), 60, 5, true);
  REQUIRE(CutLogs(dir.Sub("db")) > 0);
  Result<std::unique_ptr<LevelDbKvStore>> kv =
      LevelDbKvStore::Open(dir.Sub("db"), {.sync_mark = true});
  REQUIRE_FALSE(kv.ok());
  CHECK(kv.status().code() == Code::kCorruption);
  CHECK(kv.status().message().find("lost synced writes") != std::string::npos);
  CHECK(kv.status().message().find("#65") != std::string::npos);  // what was acknowledged
}

TEST_CASE("LevelDB: without the sync mark a cut-off write-ahead log loses writes silently") {
  // What the mark is for: LevelDB's recovery drops the log's torn tail and opens.
  TempDir dir;
  WriteSynced(dir.Sub("db"), 0, 60, false);
  REQUIRE(CutLogs(dir.Sub("db")) > 0);
  Result<std::unique_ptr<LevelDbKvStore>> kv = LevelDbKvStore::Open(dir.Sub("db"), {});
  REQUIRE(kv.ok());
  CHECK_FALSE(MustGet(**kv, "w59/0").has_value());
}

TEST_CASE("LevelDB: a torn or missing sync mark is not taken for lost writes") {
  TempDir dir;
  WriteSynced(dir.Sub("db"), 0, 3, true);
  const std::string mark = dir.Sub("db") + "/" + kSyncMarkFile;
  {
    std::ofstream f(mark, std::ios::binary | std::ios::trunc);
    f << std::string(16, '\xff');  // n = 2^64-1 without its check
  }
  REQUIRE(LevelDbKvStore::Open(dir.Sub("db"), {.sync_mark = true}).ok());
  std::filesystem::remove(mark);
  REQUIRE(LevelDbKvStore::Open(dir.Sub("db"), {.sync_mark = true}).ok());
  WriteSynced(dir.Sub("db"), 3, 2, true);  // the mark comes back with the next write
  REQUIRE(std::filesystem::file_size(mark) == 16);
}

TEST_CASE("fault injection: a crash drops the batch being written and unsynced batches") {
  FaultInjectingKvStore kv;
  WriteBatch synced, unsynced, lost;
  synced.Put(B("s"), B("1"));
  unsynced.Put(B("u"), B("1"));
  lost.Put(B("l"), B("1"));
  REQUIRE(kv.Write(synced, true).ok());
  REQUIRE(kv.Write(unsynced, false).ok());
  CHECK(MustGet(kv, "u") == B("1"));  // visible before the crash
  kv.CrashAtWrite(1);
  Status s = kv.Write(lost, true);
  CHECK(s.code() == Code::kIoError);
  CHECK(kv.crashed());
  CHECK(kv.Get(B("s")).status().code() == Code::kIoError);  // down until restart
  CHECK(kv.Write(synced, true).code() == Code::kIoError);
  kv.Restart();
  CHECK(MustGet(kv, "s") == B("1"));
  CHECK(MustGet(kv, "u") == std::nullopt);
  CHECK(MustGet(kv, "l") == std::nullopt);
}

TEST_CASE("fault injection: a synced write makes earlier unsynced writes durable") {
  FaultInjectingKvStore kv;
  WriteBatch a, b;
  a.Put(B("a"), B("1"));
  b.Put(B("b"), B("1"));
  REQUIRE(kv.Write(a, false).ok());
  REQUIRE(kv.Write(b, true).ok());
  kv.Crash();
  kv.Restart();
  CHECK(MustGet(kv, "a") == B("1"));
  CHECK(MustGet(kv, "b") == B("1"));
}

TEST_CASE("fault injection: a failed write applies nothing and the store stays up") {
  FaultInjectingKvStore kv;
  kv.FailWriteAt(2);
  WriteBatch a, b;
  a.Put(B("a"), B("1"));
  b.Put(B("b"), B("1"));
  b.Delete(B("a"));
  REQUIRE(kv.Write(a, true).ok());
  CHECK(kv.Write(b, true).code() == Code::kIoError);
  CHECK(!kv.crashed());
  CHECK(MustGet(kv, "a") == B("1"));
  CHECK(MustGet(kv, "b") == std::nullopt);
  REQUIRE(kv.Write(b, true).ok());  // the next one goes through
  CHECK(MustGet(kv, "a") == std::nullopt);
  CHECK(kv.writes() == 2);
}

TEST_CASE("LevelDB: the start-up check passes while compactions replace table files") {
  // Small write buffers make many level-0 tables; each reopen turns the log into one more, and
  // the compaction that follows deletes tables the check may just have listed. Those are not
  // damage (leveldb_kv_store.cc, CheckFiles).
  TempDir dir;
  LevelDbOptions small{.write_buffer_bytes = 64 << 10};
  std::mt19937_64 rng(7);
  uint64_t key = 0;
  for (int round = 0; round < 8; ++round) {
    {
      auto kv = LevelDbKvStore::Open(dir.Sub("db"), small);
      REQUIRE(kv.ok());
      for (int batch = 0; batch < 40; ++batch) {
        WriteBatch b;
        for (int i = 0; i < 50; ++i) {
          Bytes v(1000);
          for (auto& x : v) x = static_cast<uint8_t>(rng());
          b.Put(B("k" + std::to_string(key++ % 20000)), v);
        }
        REQUIRE((*kv)->Write(b, false).ok());
      }
    }
    LevelDbOptions checked = small;
    checked.check_on_open = true;
    auto kv = LevelDbKvStore::Open(dir.Sub("db"), checked);
    INFO("round " << round);
    REQUIRE(kv.ok());
  }
}

}  // namespace
}  // namespace tidemark::node
