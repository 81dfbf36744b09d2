// The test binary's fault file (node/testing/test_node.h): peer keys, drop-block-requests and the
// slow-writes line that slows the ledger store (SlowWriteKvStore), which the chaos run uses.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "tidemark/node/storage/memory_kv_store.h"
#include "tidemark/node/testing/slow_write_kv_store.h"
#include "tidemark/node/testing/test_node.h"

using namespace tidemark;
using namespace tidemark::node;
namespace fs = std::filesystem;

namespace {

fs::path WriteFile(const std::string& name, const std::string& text) {
  fs::path p = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  std::ofstream(p, std::ios::trunc) << text;
  return p;
}

}  // namespace

TEST_CASE("test faults: slow-writes is read with the peer lines; a bad delay is refused") {
  std::string key = KeyPair::Generate().public_key().Hex();
  fs::path ok = WriteFile("tm-faults-ok", "# chaos\n" + key + "\nslow-writes 150  # ms\n");
  auto f = testing::ReadTestFaults(ok.string());
  REQUIRE(f.ok());
  CHECK(f->blocked.size() == 1);
  CHECK(f->slow_write_ms == 150);
  fs::path none = WriteFile("tm-faults-none", key + "\n");
  CHECK(testing::ReadTestFaults(none.string())->slow_write_ms == 0);
  for (const char* bad : {"slow-writes\n", "slow-writes fast\n", "slow-writes 10001\n",
                          "slow-writes 5ms\n", "slow-writes -1\n"}) {
    INFO(bad);
    fs::path p = WriteFile("tm-faults-bad", bad);
    auto r = testing::ReadTestFaults(p.string());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("slow-writes") != std::string::npos);
    fs::remove(p);
  }
  fs::remove(ok);
  fs::remove(none);
}

TEST_CASE("test faults: SlowWriteKvStore delays writes by the current delay, reads stay fast") {
  auto delay = std::make_shared<std::atomic<uint32_t>>(0);
  testing::SlowWriteKvStore store(std::make_unique<MemoryKvStore>(), delay);
  auto timed_write = [&](const std::string& k) {
    WriteBatch b;
    b.Put(AsBytes(k), AsBytes("v"));
    auto t0 = std::chrono::steady_clock::now();
    REQUIRE(store.Write(b, true).ok());
    return std::chrono::steady_clock::now() - t0;
  };
  CHECK(timed_write("a") < std::chrono::milliseconds(50));
  CHECK(store.slowed_writes() == 0);
  delay->store(120);
  CHECK(timed_write("b") >= std::chrono::milliseconds(120));
  CHECK(store.slowed_writes() == 1);
  auto t0 = std::chrono::steady_clock::now();
  auto v = store.Get(AsBytes("b"));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(50));
  REQUIRE(v.ok());
  REQUIRE(v->has_value());
  // The pipeline's timed writes are slowed too, the delay counted as sync time.
  WriteBatch b;
  b.Put(AsBytes("t"), AsBytes("v"));
  WriteTimings t;
  REQUIRE(store.TimedWrite(b, true, &t).ok());
  CHECK(t.sync_seconds >= 0.12);
  CHECK(store.slowed_writes() == 2);
  delay->store(0);
  CHECK(timed_write("c") < std::chrono::milliseconds(50));
  CHECK(store.slowed_writes() == 2);
}
