// Concurrency stress of the node core: reads (state, nonces, proofs, blocks) and tx submissions
// from several threads while blocks commit, with the results checked for consistency. Built and
// run under ThreadSanitizer by scripts/test.d/40-tsan.sh (the `tsan` preset, this target only);
// in the other presets it is an ordinary test.
//
// Catch2's assertions are not thread-safe: worker threads record what went wrong in a Failures
// list, and the test thread checks it after joining them.
#include <spdlog/spdlog.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "chain_fixture.h"
#include "fake_ledger.h"
#include "http_test_client.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/hash.h"
#include "tidemark/node/app/execution_stage.h"
#include "tidemark/node/app/ledger.h"
#include "tidemark/node/app/node.h"
#include "tidemark/node/storage/leveldb_kv_store.h"
#include "tidemark/node/storage/memory_kv_store.h"
#include "tidemark/node/testing/test_node.h"
#include "tidemark/state_proof.h"

using namespace tidemark;
using namespace tidemark::node;

namespace {

constexpr int kKeys = 4;  // test-contract keys k0..k3, each put once per block

// A signer's nonce after `height` blocks of PutBlock (nonces start at 1).
uint64_t NonceAfter(uint64_t height) { return kKeys * height + 1; }

using fixture::Key;

contracts::Genesis StressGenesis(const std::string& chain, int admins) {
  contracts::Genesis g;
  g.chain_id = chain;
  g.genesis_time_ms = 1'700'000'000'000;
  contracts::OrgRecord org{.id = "org-a",
                           .name = "Org A",
                           .roles = {contracts::Role::kPlatform},
                           .validator_key = Key("node").public_key()};
  for (int i = 0; i < admins; ++i) {
    org.admin_keys.push_back(Key("admin" + std::to_string(i)).public_key());
  }
  g.orgs.push_back(org);
  return g;
}

Transaction Put(const std::string& chain, const KeyPair& signer, uint64_t nonce,
                const std::string& key, int64_t value) {
  Transaction tx{.chain_id = chain,
                 .nonce = nonce,
                 .contract = "test",
                 .method = "put",
                 .args = Value::MakeMap({{"key", key}, {"value", value}}).Encode()};
  tx.SignWith(signer);
  return tx;
}

// The block after `parent` putting k0..k3 = its height (admin0, nonces from NonceAfter(parent)),
// certifying the state of its parent's height (as consensus would: exec_height < height).
Block PutBlock(const std::string& chain, const Block& parent) {
  const uint64_t nonce = NonceAfter(parent.header.height);
  const int64_t height = static_cast<int64_t>(parent.header.height + 1);
  std::vector<Transaction> txs;
  for (int k = 0; k < kKeys; ++k) {
    txs.push_back(Put(chain, Key("admin0"), nonce + k, "k" + std::to_string(k), height));
  }
  return fixture::ChildBlock(parent, parent.header.height, std::move(txs));
}

// What worker threads saw go wrong.
class Failures {
 public:
  void Add(std::string what) {
    std::lock_guard l(mu_);
    if (list_.size() < 20) list_.push_back(std::move(what));
  }
  std::vector<std::string> List() const {
    std::lock_guard l(mu_);
    return list_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> list_;
};

// Fails every read made on a thread that set `fail_reads_here`; other threads read through.
thread_local bool fail_reads_here = false;

class FlakyReadStore final : public KvStore {
 public:
  explicit FlakyReadStore(std::unique_ptr<KvStore> inner) : inner_(std::move(inner)) {}
  Result<std::optional<Bytes>> Get(ByteView key) const override {
    if (fail_reads_here) return Status::IoError("injected read failure");
    return inner_->Get(key);
  }
  Result<std::vector<KvPair>> Scan(const ScanOptions& options) const override {
    if (fail_reads_here) return Status::IoError("injected read failure");
    return inner_->Scan(options);
  }
  Status Write(const WriteBatch& batch, bool sync) override { return inner_->Write(batch, sync); }
  Result<std::unique_ptr<KvReader>> Snapshot() const override {
    if (fail_reads_here) return Status::IoError("injected read failure");
    return inner_->Snapshot();
  }

 private:
  std::unique_ptr<KvStore> inner_;
};

std::filesystem::path TempDir(const std::string& name) {
  auto dir =
      std::filesystem::temp_directory_path() /
      (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

// The reader's contract (Ledger::ReadLatest, NextNonce, versioned proofs, the block store): every
// read sees one whole written version — never a block half written, never a height going back —
// while the execution stage executes and writes blocks one and several at a time. With background
// writes (the node's mode), the stage's owner also reads the state the next block runs over while
// its writer thread writes: it must always be the state after every committed block.
TEST_CASE("concurrency: readers see whole written versions while the execution stage commits") {
  const bool background = GENERATE(false, true);
  INFO("background writes: " << background);
  const std::string chain = "stress-ledger";
  auto dir = TempDir("tidemark-stress-ledger");
  auto kv = LevelDbKvStore::Open(dir.string(), {});
  REQUIRE(kv.ok());
  auto opened = Ledger::Open(std::move(*kv), StressGenesis(chain, 1), contracts::TestContracts());
  REQUIRE(opened.ok());
  Ledger& l = **opened;
  // The owner's queue of the writer's reports (the driver's strand, here the `writer` thread):
  // declared before the stage, whose destructor ends the writer thread that posts to it.
  std::mutex posted_mu;
  std::vector<std::function<void()>> posted;
  ExecutionStage stage(l);
  const PublicKey admin = Key("admin0").public_key();
  constexpr uint64_t kHeights = 40;
  Failures failures;
  std::atomic<bool> done{false};

  auto run_posted = [&] {
    std::vector<std::function<void()>> now;
    {
      std::lock_guard lock(posted_mu);
      now.swap(posted);
    }
    for (auto& fn : now) fn();
  };
  std::thread writer([&] {
    if (background) {
      stage.StartWriter(
          [&](std::function<void()> fn) {
            std::lock_guard lock(posted_mu);
            posted.push_back(std::move(fn));
          },
          [&](const Status& s) { failures.Add("background write: " + s.ToString()); }, 4);
    }
    Block tip = *l.TipBlock();
    std::vector<Block> batch;
    for (uint64_t h = 1; h <= kHeights; ++h) {
      run_posted();
      if (auto state = stage.CommittedState(); !state.ok()) {
        return failures.Add("committed state: " + state.status().ToString());
      } else if (contracts::NextNonce(**state, admin) != NonceAfter(h - 1)) {
        return failures.Add("the committed state before " + std::to_string(h) +
                            " has another nonce");
      }
      Block b = PutBlock(chain, tip);
      if (Status s = stage.Enqueue(b); !s.ok()) return failures.Add("enqueue: " + s.ToString());
      if (auto vs = stage.ValidatorsAfter(b.header); !vs.ok() || vs->epoch != 0) {
        return failures.Add("validators after " + std::to_string(h));
      }
      batch.push_back(b);
      tip = b;
      if (h % 3 == 1 && h != kHeights) continue;  // one certificate commits two blocks
      if (Status s = stage.Write(batch, fixture::CommitCertFor(batch.back())); !s.ok()) {
        return failures.Add("write: " + s.ToString());
      }
      batch.clear();
    }
    if (Status s = stage.Drain(); !s.ok()) failures.Add("drain: " + s.ToString());
  });

  auto reader = [&](int id, std::atomic<size_t>* reads) {
    std::mt19937 rng(id);
    uint64_t last = 0;
    while (!done.load()) {
      // One version through ReadLatest: all keys and the nonce agree with its height.
      Status s = l.ReadLatest([&](const contracts::StateView& v, uint64_t h) {
        if (h < last) failures.Add("height went back");
        last = h;
        for (int k = 0; k < kKeys; ++k) {
          auto val = contracts::TestContractGet(v, "k" + std::to_string(k));
          bool want_absent = h == 0;
          if (!val.ok() || val->has_value() == want_absent ||
              (!want_absent && **val != Value(static_cast<int64_t>(h)))) {
            failures.Add("k" + std::to_string(k) + " is not the value of version " +
                         std::to_string(h));
          }
        }
        if (contracts::NextNonce(v, admin) != NonceAfter(h))
          failures.Add("nonce of another version");
        return Status::Ok();
      });
      if (!s.ok()) failures.Add("ReadLatest: " + s.ToString());
      // The nonce admission reads, between the heights before and after the call.
      uint64_t before = l.height();
      auto n = l.NextNonce(admin);
      uint64_t after = l.height();
      if (!n.ok() || *n < NonceAfter(before) || *n > NonceAfter(after)) failures.Add("NextNonce");
      // A proof at a written height (the latest or an older one) verifies against its root.
      uint64_t h = std::uniform_int_distribution<uint64_t>(0, after)(rng);
      auto info = l.ExecAt(h);
      auto proof = l.tree().Prove(h, AsBytes("test/k0"));
      if (!info.ok() || !proof.ok() ||
          !VerifyStateProof(info->state_root, AsBytes("test/k0"), proof->value, *proof).ok() ||
          proof->value.has_value() != (h > 0)) {
        failures.Add("proof at " + std::to_string(h));
      }
      // The block and its commit certificate.
      auto block = l.blocks().BlockAt(h);
      if (!block.ok() || !block->has_value() || (*block)->header.height != h) {
        failures.Add("block " + std::to_string(h));
      } else if (h > 0) {
        auto cert = l.blocks().CertAt(h);
        if (!cert.ok() || !cert->has_value() || (*cert)->data.commit_height < h) {
          failures.Add("cert " + std::to_string(h));
        }
      }
      if (!l.ValidatorsAfterTip().ok()) failures.Add("validators after the tip");
      ++*reads;
    }
  };

  std::atomic<size_t> reads{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) readers.emplace_back(reader, i, &reads);
  writer.join();
  done = true;
  for (auto& t : readers) t.join();

  CHECK(failures.List() == std::vector<std::string>{});
  CHECK(l.height() == kHeights);
  CHECK(stage.committed_height() == kHeights);
  CHECK(*l.NextNonce(admin) == NonceAfter(kHeights));
  CHECK(reads.load() > 0);
  WARN(reads.load() << " read rounds over " << kHeights << " heights");
  opened->reset();
  std::filesystem::remove_all(dir);
}

// A read on an HTTP (or any other) thread goes through a view of its own: its failure is that
// call's error. Only the writer's own failed read stops the stage (execution must not diverge),
// and then nothing is written.
TEST_CASE("concurrency: a failed read is the reader's error; only the writer's stops the stage") {
  const std::string chain = "stress-faults";
  auto opened = Ledger::Open(std::make_unique<FlakyReadStore>(std::make_unique<MemoryKvStore>()),
                             StressGenesis(chain, 1), contracts::TestContracts());
  REQUIRE(opened.ok());
  Ledger& l = **opened;
  ExecutionStage stage(l);
  const PublicKey admin = Key("admin0").public_key();
  Block b1 = PutBlock(chain, *l.TipBlock());
  REQUIRE(stage.Enqueue(b1).ok());
  REQUIRE(stage.Write({b1}, fixture::CommitCertFor(b1)).ok());

  Status read, nonce, proof;
  std::thread http_thread([&] {
    fail_reads_here = true;
    read = l.ReadLatest([](const contracts::StateView& v, uint64_t) {
      (void)contracts::TestContractGet(v, "k0");
      return Status::Ok();
    });
    nonce = l.NextNonce(admin).status();
    proof = l.tree().Prove(1, AsBytes("test/k0")).status();
  });
  http_thread.join();
  CHECK(read.code() == Code::kIoError);
  CHECK(nonce.code() == Code::kIoError);
  CHECK(proof.code() == Code::kIoError);

  // The writer is unharmed: block 2 executes and is written.
  Block b2 = PutBlock(chain, b1);
  REQUIRE(stage.Enqueue(b2).ok());
  REQUIRE(stage.Write({b2}, fixture::CommitCertFor(b2)).ok());
  CHECK(l.height() == 2);
  CHECK(*l.NextNonce(admin) == NonceAfter(2));

  // The writer's own read fails while executing block 3: nothing is written, and the stage
  // refuses to go on (the driver stops the node on it).
  Block b3 = PutBlock(chain, b2);
  REQUIRE(stage.Enqueue(b3).ok());
  fail_reads_here = true;
  Status failed = stage.Write({b3}, fixture::CommitCertFor(b3));
  fail_reads_here = false;
  CHECK(failed.code() == Code::kIoError);
  CHECK(l.height() == 2);
  CHECK(stage.Write({b3}, fixture::CommitCertFor(b3)).code() == Code::kIoError);
  CHECK(stage.CommittedState().status().code() == Code::kIoError);
  CHECK(l.height() == 2);
  CHECK(*l.NextNonce(admin) == NonceAfter(2));  // readers still read version 2
}

// The whole node in process: several threads submit txs over REST (admission reads nonces and
// identity through the ledger) while others read status, proofs, blocks and tx records, and the
// single validator commits. At the end every tx is committed, each signer's key holds its last
// value and every proof seen verified against the root it came with.
TEST_CASE("concurrency: a node under REST submissions and reads from several threads") {
  constexpr int kSigners = 4;
  constexpr int kTxsPerSigner = 60;
  const std::string chain = "stress-node";
  auto dir = TempDir("tidemark-stress-node");
  contracts::Genesis genesis = StressGenesis(chain, kSigners);
  {
    std::ofstream out(dir / "genesis.json");
    out << genesis.ToJson().dump();
  }
  REQUIRE(WriteNodeKey((dir / "node.key").string(), Key("node")).ok());
  config::NodeConfig cfg;
  cfg.chain_id = chain;
  cfg.data_dir = (dir / "data").string();
  cfg.genesis_file = (dir / "genesis.json").string();
  cfg.validator_key_file = (dir / "node.key").string();
  cfg.log_level = "warn";
  cfg.http.listen = "127.0.0.1:0";
  cfg.http.requests_per_second_per_client = 1'000'000;
  cfg.http.request_burst_per_client = 1'000'000;
  cfg.p2p.listen = "127.0.0.1:0";
  cfg.consensus.min_block_interval_ms = 5;
  cfg.consensus.idle_block_interval_ms = 50;
  // The logger registry is made here, before the node's threads (RunNodeUntilSignal does the same).
  spdlog::set_level(spdlog::level::warn);
  auto ext = node::testing::TestNodeExtensions(cfg, {});
  REQUIRE(ext.ok());
  auto created = Node::Create(cfg, std::move(*ext));
  REQUIRE(created.ok());
  Node& node = **created;
  REQUIRE(node.Start().ok());
  const uint16_t port = node.http_port();
  using tidemark::testing::Request;

  Failures failures;
  std::atomic<bool> stop{false};  // readers go on until every tx is committed
  // Signer s puts test/s<s> = 0, 1, ... at nonces 1, 2, ...; made before any thread starts.
  std::vector<std::vector<Transaction>> txs(kSigners);
  std::vector<std::vector<std::string>> ids(kSigners);
  std::vector<std::string> all_ids;
  for (int s = 0; s < kSigners; ++s) {
    for (int n = 0; n < kTxsPerSigner; ++n) {
      txs[s].push_back(
          Put(chain, Key("admin" + std::to_string(s)), n + 1, "s" + std::to_string(s), n));
      ids[s].push_back(txs[s].back().Id().Hex());
      all_ids.push_back(ids[s].back());
    }
  }

  auto submitter = [&](int s) {
    for (int n = 0; n < kTxsPerSigner; ++n) {
      std::string body = nlohmann::json{{"tx", ToHex(txs[s][n].Encode())}}.dump();
      // Every tenth waits for its commit (a parked request completed by the commit event).
      std::string target = n % 10 == 9 ? "/v1/txs?wait=commit&timeout_ms=5000" : "/v1/txs";
      auto r = Request(port, "POST", target, body, "application/json");
      for (int tries = 0; r.status != 202 && r.status != 200 && tries < 50; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // 409 nonce ahead: wait
        r = Request(port, "POST", target, body, "application/json");
      }
      if (r.status != 202 && r.status != 200) {
        failures.Add("submit " + std::to_string(s) + "/" + std::to_string(n) + ": " +
                     std::to_string(r.status) + " " + r.body);
      }
    }
  };

  auto reader = [&](int id, std::atomic<size_t>* reads) {
    std::mt19937 rng(id);
    uint64_t last_height = 0;
    std::vector<int64_t> last_value(kSigners, -1);
    while (!stop.load()) {
      auto st = Request(port, "GET", "/v1/status");
      if (st.status != 200) {
        failures.Add("status: " + std::to_string(st.status) + " " + st.body);
        continue;
      }
      auto status = nlohmann::json::parse(st.body);
      uint64_t height = status.at("height").get<uint64_t>();
      if (height < last_height) failures.Add("status height went back");
      last_height = height;
      // The status names one block: its head is the block at its height.
      auto head = Request(port, "GET", "/v1/blocks/" + std::to_string(height));
      if (head.status != 200 || nlohmann::json::parse(head.body).at("id") != status.at("head_id")) {
        failures.Add("status: head_id is not the block at height " + std::to_string(height));
      }
      int s = std::uniform_int_distribution<int>(0, kSigners - 1)(rng);
      std::string key = "test/s" + std::to_string(s);
      auto pr = Request(port, "GET", "/v1/state/" + ToHex(AsBytes(key)) + "/proof");
      if (pr.status != 200) {
        failures.Add("proof: " + std::to_string(pr.status) + " " + pr.body);
      } else {
        auto j = nlohmann::json::parse(pr.body);
        auto root = Hash256::FromHex(j.at("state_root").get<std::string>());
        auto proof_bytes = FromHex(j.at("proof").get<std::string>());
        std::optional<Bytes> value;
        if (!j.at("value").is_null()) value = *FromHex(j.at("value").get<std::string>());
        auto proof = proof_bytes.ok() ? StateProof::Decode(*proof_bytes) : proof_bytes.status();
        if (!root.ok() || !proof.ok() ||
            !VerifyStateProof(*root, AsBytes(key), value, *proof).ok()) {
          failures.Add("proof of " + key + " does not verify");
        } else if (value) {
          auto v = Value::Decode(*value);
          int64_t now = v.ok() && v->is_int() ? v->as_int() : -2;
          if (now < last_value[s]) failures.Add(key + " went back");
          last_value[s] = now;
        }
      }
      uint64_t h = std::uniform_int_distribution<uint64_t>(0, last_height)(rng);
      auto blk = Request(port, "GET", "/v1/blocks/" + std::to_string(h));
      if (blk.status != 200) failures.Add("block " + std::to_string(h) + ": " + blk.body);
      // A tx record: pending (mempool), committed (block store) or not submitted yet.
      const std::string& tx_id =
          all_ids[std::uniform_int_distribution<size_t>(0, all_ids.size() - 1)(rng)];
      auto tx = Request(port, "GET", "/v1/txs/" + tx_id);
      if (tx.status != 200 && tx.status != 404) failures.Add("tx " + tx_id + ": " + tx.body);
      ++*reads;
    }
  };

  std::atomic<size_t> reads{0};
  std::vector<std::thread> submitters, readers;
  for (int s = 0; s < kSigners; ++s) submitters.emplace_back(submitter, s);
  for (int r = 0; r < 3; ++r) readers.emplace_back(reader, r, &reads);
  for (auto& t : submitters) t.join();

  // Every tx commits (the readers keep reading meanwhile); each signer's key ends at its last
  // value.
  std::vector<std::string> states;
  std::vector<std::optional<Value>> last_values;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (int s = 0; s < kSigners; ++s) {
    for (const std::string& id : ids[s]) {
      std::string state;
      while (std::chrono::steady_clock::now() < deadline) {
        auto r = Request(port, "GET", "/v1/txs/" + id);
        if (r.status == 200) state = nlohmann::json::parse(r.body).at("status").get<std::string>();
        if (state == "committed" || state == "rejected") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      states.push_back(state);
    }
    std::string key = "test/s" + std::to_string(s);
    auto pr = Request(port, "GET", "/v1/state/" + ToHex(AsBytes(key)) + "/proof");
    std::optional<Value> value;
    if (pr.status == 200) {
      auto j = nlohmann::json::parse(pr.body);
      if (!j.at("value").is_null()) {
        auto v = Value::Decode(*FromHex(j.at("value").get<std::string>()));
        if (v.ok()) value = *v;
      }
    }
    last_values.push_back(value);
  }
  stop = true;
  for (auto& t : readers) t.join();

  CHECK(states == std::vector<std::string>(kSigners * kTxsPerSigner, "committed"));
  CHECK(last_values ==
        std::vector<std::optional<Value>>(kSigners, Value(int64_t{kTxsPerSigner - 1})));
  CHECK(failures.List() == std::vector<std::string>{});
  CHECK(reads.load() > 0);
  auto status = Request(port, "GET", "/v1/status");
  WARN(reads.load() << " REST read rounds while " << kSigners * kTxsPerSigner << " txs committed; "
                    << status.body);
  node.Stop();
  created->reset();
  std::filesystem::remove_all(dir);
}

// What an HTTP thread makes of a failed read: a 5xx problem with the reason, and the server goes
// on serving (the node's adapter returns Ledger's Status, as the first test case shows).
namespace {
class FailingReads final : public tidemark::testing::FakeLedger {
 public:
  Result<api::StateProofAnswer> ProveState(ByteView, std::optional<uint64_t>) override {
    return tidemark::Status::IoError("state read failed: disk error");
  }
  tidemark::Status ReadState(const StateReader&) override {
    return tidemark::Status::IoError("state read failed: disk error");
  }
};
}  // namespace

TEST_CASE("concurrency: a failed read on an HTTP thread is a 5xx problem; the server goes on") {
  FailingReads ledger;
  api::HttpService http(tidemark::testing::ServedFakeLedger::LoopbackConfig(), &ledger);
  ledger.SetBus(&http.bus());
  REQUIRE(http.Start().ok());
  using tidemark::testing::Request;
  auto proof = Request(http.port(), "GET", "/v1/state/" + ToHex(AsBytes("test/k0")) + "/proof");
  CHECK(proof.status == 500);
  CHECK(proof.body.find("state read failed: disk error") != std::string::npos);
  auto events = Request(http.port(), "GET", "/epcis/events");
  CHECK(events.status == 500);
  CHECK(events.body.find("state read failed: disk error") != std::string::npos);
  CHECK(Request(http.port(), "GET", "/v1/status").status == 200);
  http.Stop();
}
