// Storage faults through the real node process (docs/storage.md, "Faults and verify"): a failed
// fsync and a full disk stop a running node with exit code 3 and a clear message; a damaged or
// truncated table file, a truncated MANIFEST and a flipped byte in the write-ahead log stop it at
// start-up with exit code 2 naming the file; `tidemark-node verify` passes a sound store and names
// the damaged file. None of these cases may leave a node running on a state its disk does not hold.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "process_util.h"
#include "tidemark/node/storage/leveldb_kv_store.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;

namespace {

constexpr const char* kChain = "tidemark-fault";

// Fast blocks, so that a test reaches its fault within seconds.
void FastBlocks(const fs::path& node_dir) {
  json cfg = json::parse(Slurp(node_dir / "node.json"));
  cfg["consensus"]["min_block_interval_ms"] = 5;
  cfg["consensus"]["idle_block_interval_ms"] = 20;
  std::ofstream(node_dir / "node.json", std::ios::trunc) << cfg.dump(2);
}

fs::path LedgerDir(const fs::path& node_dir) {
  json cfg = json::parse(Slurp(node_dir / "node.json"));
  fs::path data = cfg["data_dir"].get<std::string>();
  if (data.is_relative()) data = node_dir / data;
  return data / "ledger";
}

// The exit code of `pid` if it ends within `limit`, else nullopt (still running).
std::optional<int> ExitWithin(pid_t pid, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(20ms);
  }
  return std::nullopt;
}

// Runs `args` to the end; its exit code and output.
std::pair<int, std::string> Run(const std::vector<std::string>& args, const fs::path& log) {
  fs::remove(log);
  pid_t pid = Spawn(args, log);
  REQUIRE(pid > 0);
  auto rc = ExitWithin(pid, 30s);
  if (!rc) {
    ::kill(pid, SIGKILL);
    Wait(pid);
  }
  REQUIRE(rc);
  return {*rc, Slurp(log)};
}

std::pair<int, std::string> Verify(const fs::path& data, const fs::path& log) {
  return Run({kNodeBinary.string(), "verify", "--data", data.string()}, log);
}

// A stopped solo node with ~20 blocks, its ledger folder holding table (.ldb) files.
NodeProc MakeStoppedNode(const std::string& name, int port) {
  NodeProc node = InitSoloNetwork(name, kChain, port);
  REQUIRE(!node.dir.empty());
  FastBlocks(node.dir);
  KeyPair admin = LoadKey(node.dir / "admin_key.json");
  node.Start();
  REQUIRE(WaitFor([&] { return node.Ready(); }));
  for (uint64_t nonce = 1; nonce <= 5; ++nonce) {
    REQUIRE(Submit(node, TestPut(admin, kChain, nonce, "k" + std::to_string(nonce), 7), true));
  }
  REQUIRE(WaitFor([&] { return node.Height() >= 20; }));
  node.Kill(SIGTERM);
  // Reopening converts LevelDB's write-ahead log into a table file.
  { REQUIRE(node::LevelDbKvStore::Open(LedgerDir(node.dir).string(), {}).ok()); }
  return node;
}

fs::path LargestWithExtension(const fs::path& dir, const std::string& ext) {
  fs::path best;
  uintmax_t size = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ext && e.file_size() > size) {
      best = e.path();
      size = e.file_size();
    }
  }
  return best;
}

// The tip `verify` found ("...: tip 42, 43 blocks, ..."), 0 if none.
uint64_t TipOf(const std::string& verify_out) {
  auto at = verify_out.find(": tip ");
  return at == std::string::npos ? 0 : std::stoull(verify_out.substr(at + 6));
}

std::string ManifestOf(const fs::path& ledger) {
  std::string current = Slurp(ledger / "CURRENT");
  while (!current.empty() && current.back() == '\n') current.pop_back();
  return current;
}

}  // namespace

TEST_CASE("storage faults: damaged files stop the node at start-up, verify names them") {
  const int port = 17000 + (::getpid() % 100) * 10;
  NodeProc node = MakeStoppedNode("tidemark-fault-files", port);
  const fs::path ledger = LedgerDir(node.dir);
  const fs::path config = node.dir / "node.json";
  const fs::path log = node.dir.parent_path() / "run.log";
  const fs::path pristine = node.dir.parent_path() / "pristine";
  fs::copy(ledger, pristine, fs::copy_options::recursive);
  auto restore = [&] {
    fs::remove_all(ledger);
    fs::copy(pristine, ledger, fs::copy_options::recursive);
  };

  auto [ok_rc, ok_out] = Verify(ledger.parent_path(), log);
  INFO(ok_out);
  CHECK(ok_rc == 0);
  CHECK(ok_out.find("0 problems") != std::string::npos);

  SECTION("a flipped byte in a table file") {
    fs::path table = LargestWithExtension(ledger, ".ldb");
    REQUIRE(!table.empty());
    {
      std::fstream f(table, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(fs::file_size(table) / 3));
      char c = 0;
      f.read(&c, 1);
      f.seekp(static_cast<std::streamoff>(fs::file_size(table) / 3));
      c = static_cast<char>(c ^ 0x20);
      f.write(&c, 1);
    }
    auto [rc, out] = Run({kTestNodeBinary.string(), "--config", config.string()}, log);
    INFO(out);
    CHECK(rc == 2);
    CHECK(out.find("Corruption") != std::string::npos);
    CHECK(out.find(table.filename().string()) != std::string::npos);
    auto [vrc, vout] = Verify(ledger.parent_path(), log);
    INFO(vout);
    CHECK(vrc == 1);
    CHECK(vout.find(table.filename().string()) != std::string::npos);
  }
  SECTION("a truncated table file") {
    fs::path table = LargestWithExtension(ledger, ".ldb");
    REQUIRE(!table.empty());
    fs::resize_file(table, fs::file_size(table) / 2);
    auto [rc, out] = Run({kTestNodeBinary.string(), "--config", config.string()}, log);
    INFO(out);
    CHECK(rc == 2);
    CHECK(out.find("truncated") != std::string::npos);
    CHECK(out.find(table.filename().string()) != std::string::npos);
  }
  SECTION("a truncated MANIFEST") {
    const std::string manifest = ManifestOf(ledger);
    REQUIRE(fs::exists(ledger / manifest));
    fs::resize_file(ledger / manifest, fs::file_size(ledger / manifest) / 2);
    auto [rc, out] = Run({kTestNodeBinary.string(), "--config", config.string()}, log);
    INFO(out);
    CHECK(rc == 2);
    CHECK(out.find(manifest) != std::string::npos);
    auto [vrc, vout] = Verify(ledger.parent_path(), log);
    INFO(vout);
    CHECK(vrc == 2);
  }
  SECTION("the pristine copy still runs") {
    restore();
    node.Start();
    CHECK(!ExitWithin(node.pid, 1500ms));
    CHECK(WaitFor([&] { return node.Ready(); }));
    node.Kill(SIGTERM);
  }
  node.Kill();
  fs::remove_all(node.dir.parent_path());
}

TEST_CASE("storage faults: a failed fsync stops the running node with exit code 3") {
  const int port = 18000 + (::getpid() % 100) * 10;
  NodeProc node = InitSoloNetwork("tidemark-fault-fsync", kChain, port);
  REQUIRE(!node.dir.empty());
  FastBlocks(node.dir);
  ::setenv("LD_PRELOAD", TIDEMARK_FAIL_FSYNC_LIB, 1);
  ::setenv("TIDEMARK_FAIL_FSYNC_AFTER", "40", 1);
  node.Start();
  ::unsetenv("LD_PRELOAD");
  ::unsetenv("TIDEMARK_FAIL_FSYNC_AFTER");
  REQUIRE(node.pid > 0);
  auto rc = ExitWithin(node.pid, 30s);
  if (rc) node.pid = -1;
  std::string log = Slurp(node.dir / "node.log");
  INFO(log.substr(log.size() > 4000 ? log.size() - 4000 : 0));
  REQUIRE(rc);
  CHECK(*rc == 3);
  CHECK(log.find("fail_fsync: failing") != std::string::npos);
  CHECK(log.find("storage fault") != std::string::npos);
  CHECK(log.find("Input/output error") != std::string::npos);
  // What the node acknowledged is on disk and sound: the store verifies and the node restarts.
  auto [vrc, vout] =
      Verify(LedgerDir(node.dir).parent_path(), node.dir.parent_path() / "verify.log");
  INFO(vout);
  CHECK(vrc == 0);
  CHECK(TipOf(vout) > 0);  // it had committed blocks before the fault, and they are there
  node.Start();
  CHECK(WaitFor([&] { return node.Ready(); }));
  node.Kill(SIGTERM);
  fs::remove_all(node.dir.parent_path());
}

TEST_CASE("storage faults: a full disk stops the running node with exit code 3") {
  const int port = 19000 + (::getpid() % 100) * 10;
  NodeProc node = InitSoloNetwork("tidemark-fault-full", kChain, port);
  REQUIRE(!node.dir.empty());
  FastBlocks(node.dir);
  // No file may grow past 192 KiB (RLIMIT_FSIZE, ulimit -f counts 512-byte blocks): LevelDB's
  // write-ahead log reaches it after some blocks, and the write fails with EFBIG ("File too
  // large"), as a full disk fails it with ENOSPC. SIGXFSZ is ignored (inherited through exec), so
  // the write returns an error instead of killing the process.
  ::signal(SIGXFSZ, SIG_IGN);
  node.pid = Spawn({"/bin/sh", "-c", "ulimit -f 384 && exec \"$0\" --config \"$1\"",
                    kTestNodeBinary.string(), (node.dir / "node.json").string()},
                   node.dir / "node.log");
  ::signal(SIGXFSZ, SIG_DFL);
  REQUIRE(node.pid > 0);
  KeyPair admin = LoadKey(node.dir / "admin_key.json");
  REQUIRE(WaitFor([&] { return node.Ready(); }));
  std::optional<int> rc;
  for (uint64_t nonce = 1; nonce <= 2000 && !rc; ++nonce) {
    Submit(node, TestPut(admin, kChain, nonce, "key-" + std::to_string(nonce), 1), false);
    if (nonce % 20 == 0) rc = ExitWithin(node.pid, 10ms);
  }
  if (!rc) rc = ExitWithin(node.pid, 20s);
  if (rc) node.pid = -1;
  std::string log = Slurp(node.dir / "node.log");
  INFO(log.substr(log.size() > 4000 ? log.size() - 4000 : 0));
  REQUIRE(rc);
  CHECK(*rc == 3);
  CHECK(log.find("storage fault") != std::string::npos);
  CHECK(log.find("File too large") != std::string::npos);
  const fs::path ledger = LedgerDir(node.dir);
  auto [vrc, vout] =
      Verify(LedgerDir(node.dir).parent_path(), node.dir.parent_path() / "verify.log");
  INFO(vout);
  CHECK(vrc == 0);
  CHECK(TipOf(vout) > 0);  // it had committed blocks before the fault, and they are there
  // The write-ahead log now holds the node's last commits: a flipped byte in it is a checksum
  // error at the next start, which names the log.
  fs::path wal = LargestWithExtension(ledger, ".log");
  REQUIRE(!wal.empty());
  {
    std::fstream f(wal, std::ios::in | std::ios::out | std::ios::binary);
    const auto at = static_cast<std::streamoff>(fs::file_size(wal) / 2);
    f.seekg(at);
    char c = 0;
    f.read(&c, 1);
    f.seekp(at);
    c = static_cast<char>(c ^ 0x20);
    f.write(&c, 1);
  }
  auto [rc2, out2] = Run({kTestNodeBinary.string(), "--config", (node.dir / "node.json").string()},
                         node.dir.parent_path() / "restart.log");
  INFO(out2);
  CHECK(rc2 == 2);
  CHECK(out2.find("checksum mismatch") != std::string::npos);
  CHECK(out2.find(wal.filename().string()) != std::string::npos);
  fs::remove_all(node.dir.parent_path());
}
