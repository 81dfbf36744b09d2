// Pipeline metrics (issue #17): one validator through the real consensus module, mempool, ledger
// (LevelDB) and execution stage, in process; and the SSE bus under a block of hundreds of txs.
#include <unistd.h>

#include <boost/asio.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "chain_fixture.h"
#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/node/api/rest_api.h"
#include "tidemark/node/app/consensus_driver.h"
#include "tidemark/node/app/pipeline_metrics.h"
#include "tidemark/node/http/event_bus.h"
#include "tidemark/node/metrics/registry.h"
#include "tidemark/node/storage/key_layout.h"
#include "tidemark/node/storage/leveldb_kv_store.h"

using namespace tidemark;
using namespace tidemark::node;

namespace {
using fixture::Key;

std::filesystem::path TempDir(const std::string& name) {
  auto dir =
      std::filesystem::temp_directory_path() /
      (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

uint64_t StageCount(metrics::Registry& reg, Stage s) {
  return reg.GetHistogram("tidemark_stage_seconds", "", {{"stage", StageName(s)}}, {})
      ->CumulativeCounts()
      .back();
}

uint64_t CounterValue(metrics::Registry& reg, const std::string& name,
                      const metrics::Labels& labels = {}) {
  return reg.GetCounter(name, "", labels)->value();
}

int64_t QueueDepth(metrics::Registry& reg, Queue q) {
  return reg.GetGauge("tidemark_queue_depth", "", {{"queue", QueueName(q)}})->value();
}

Transaction PutTx(const std::string& chain_id, const KeyPair& signer, uint64_t nonce) {
  Transaction tx{.chain_id = chain_id,
                 .nonce = nonce,
                 .contract = "test",
                 .method = "put",
                 .args = Value::MakeMap({{"key", "k" + std::to_string(nonce % 7)},
                                         {"value", static_cast<int64_t>(nonce)}})
                             .Encode()};
  tx.SignWith(signer);
  return tx;
}

// One validator on a LevelDB ledger in a fresh directory, with the pipeline metrics wired as the
// node wires them (node.cc). `on_commit` sees every durably written block.
struct SingleValidator {
  explicit SingleValidator(ConsensusDriver::CommitListener on_commit = {})
      : dir(TempDir("tidemark-metrics")), admin(Key("admin")), node_key(Key("node")) {
    g.chain_id = "metrics-test";
    g.genesis_time_ms = 1'700'000'000'000;
    g.orgs.push_back(contracts::OrgRecord{.id = "org-a",
                                          .name = "Org A",
                                          .roles = {contracts::Role::kPlatform},
                                          .admin_keys = {admin.public_key()},
                                          .validator_key = node_key.public_key()});
    auto kv = LevelDbKvStore::Open(dir.string(), {});
    REQUIRE(kv.ok());
    auto opened = Ledger::Open(std::move(*kv), g, contracts::TestContracts());
    REQUIRE(opened.ok());
    ledger = std::move(*opened);
    Ledger& l = *ledger;
    pool = std::make_unique<mempool::Mempool>(
        mempool::MempoolOptions{.chain_id = g.chain_id,
                                .nonce_window = 4096,
                                .max_signer_txs = 4096,
                                .max_signer_bytes = 64u << 20},
        [&l](const PublicKey& k) -> Result<mempool::SignerInfo> {
          mempool::SignerInfo info;
          TM_RETURN_IF_ERROR(l.ReadLatest([&](const contracts::StateView& view, uint64_t height) {
            info = mempool::SignerInfoFromState(view, k, height);
            return Status::Ok();
          }));
          return info;
        });
    pool->SetAdmissionObserver(pm.AdmissionObserver());
    pool->SetTxTimingObserver(pm.TxTimingObserver());
    ConsensusDriverOptions opt;
    opt.replica.min_block_interval_ms = 5;
    opt.replica.idle_block_interval_ms = 200;
    driver = std::make_unique<ConsensusDriver>(io, l, *pool, node_key, opt, std::move(on_commit));
    driver->SetMetrics(&pm);
  }

  ~SingleValidator() {
    Stop();
    driver.reset();
    ledger.reset();
    std::filesystem::remove_all(dir);
  }

  void Start() {
    REQUIRE(driver->Start().ok());
    runner = std::thread([this] { io.run(); });
  }

  // Stops consensus; every counter is final afterwards.
  void Stop() {
    if (!runner.joinable()) return;
    driver->Stop();
    io.stop();
    runner.join();
    driver->FinishWrites();  // every block written is counted before the test reads the counters
  }

  std::vector<Hash256> Submit(uint64_t from_nonce, uint64_t count) {
    std::vector<Hash256> ids;
    for (uint64_t n = from_nonce; n < from_nonce + count; ++n) {
      Transaction tx = PutTx(g.chain_id, admin, n);
      auto rec = pool->Add(tx.Encode());
      REQUIRE(rec.ok());
      ids.push_back(tx.Id());
    }
    return ids;
  }

  void WaitCommitted(const std::vector<Hash256>& ids) {
    for (const auto& id : ids) {
      auto rec = pool->WaitFinal(id, std::chrono::milliseconds(30000));
      REQUIRE(rec.ok());
      REQUIRE(rec->state == mempool::TxState::kCommitted);
    }
  }

  std::filesystem::path dir;
  contracts::Genesis g;
  KeyPair admin, node_key;
  metrics::Registry reg;
  PipelineMetrics pm{reg};
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<mempool::Mempool> pool;
  boost::asio::io_context io;
  std::unique_ptr<ConsensusDriver> driver;
  std::thread runner;
};

struct SseTally {
  size_t blocks = 0;
  size_t txs = 0;
  size_t gaps = 0;
  uint64_t lost = 0;     // what the "gap" events announced
  uint64_t last_id = 0;  // ids must be contiguous but for what a gap announces
  bool contiguous = true;
  std::map<uint64_t, uint64_t> receipts_by_height;  // "block" events: height -> receipts
};

void Tally(SseTally& t, const std::vector<http::BusEvent>& events) {
  for (const http::BusEvent& e : events) {
    auto j = nlohmann::json::parse(e.data);
    if (e.type == "gap") {
      ++t.gaps;
      uint64_t last = j["last_event_id"], oldest = j["oldest_available"];
      t.lost += oldest - last - 1;
      if (last != t.last_id) t.contiguous = false;
      t.last_id = oldest - 1;
      continue;
    }
    if (e.id != t.last_id + 1) t.contiguous = false;
    t.last_id = e.id;
    if (e.type == "block") {
      ++t.blocks;
      t.receipts_by_height[j["height"]] = j["receipts"];
    }
    if (e.type == "tx") ++t.txs;
  }
}

}  // namespace

TEST_CASE("pipeline metrics: committed blocks fill every stage histogram and the counters match") {
  SingleValidator v;
  v.Start();
  v.WaitCommitted(v.Submit(1, 60));
  v.Stop();

  for (size_t i = 0; i < static_cast<size_t>(Stage::kCount); ++i) {
    Stage s = static_cast<Stage>(i);
    INFO("stage " << StageName(s));
    CHECK(StageCount(v.reg, s) > 0);
  }
  CHECK(StageCount(v.reg, Stage::kAdmission) == 60);  // one per Add

  // Every block above genesis was written through the execution stage, once.
  const uint64_t height = v.ledger->height();
  uint64_t txs_in_blocks = 0;
  for (uint64_t h = 1; h <= height; ++h) {
    auto b = v.ledger->blocks().BlockAt(h);
    REQUIRE(b.ok());
    REQUIRE(b->has_value());
    txs_in_blocks += (*b)->txs.size();
  }
  CHECK(txs_in_blocks == 60);
  CHECK(CounterValue(v.reg, "tidemark_blocks_committed_total") == height);
  CHECK(CounterValue(v.reg, "tidemark_txs_committed_total") == 60);
  CHECK(CounterValue(v.reg, "tidemark_txs_executed_total") == 60);
  // One tree update, write and fsync per written block.
  CHECK(StageCount(v.reg, Stage::kTreeUpdate) == height);
  CHECK(StageCount(v.reg, Stage::kWrite) == height);
  CHECK(StageCount(v.reg, Stage::kFsync) == height);
  CHECK(StageCount(v.reg, Stage::kCommit) == height);
  CHECK(CounterValue(v.reg, "tidemark_storage_bytes_written_total") > 60 * 100);
  // The same bytes, by kind of record: every block writes its block record and tree nodes.
  uint64_t by_record = 0;
  for (size_t i = 0; i < static_cast<size_t>(RecordKind::kCount); ++i) {
    const RecordKind kind = static_cast<RecordKind>(i);
    const uint64_t n = CounterValue(v.reg, "tidemark_storage_batch_bytes_total",
                                    {{"record", RecordKindName(kind)}});
    INFO(RecordKindName(kind) << " " << n);
    if (kind == RecordKind::kTreeNodes || kind == RecordKind::kBlocks ||
        kind == RecordKind::kFlatIndex || kind == RecordKind::kReceipts) {
      CHECK(n > 0);
    }
    by_record += n;
  }
  CHECK(by_record == CounterValue(v.reg, "tidemark_storage_bytes_written_total"));
  CHECK(RecordKindOf(AsBytes(keys::StateNodeBySeq(3, 1))) == RecordKind::kTreeNodes);
  CHECK(RecordKindOf(AsBytes(keys::BlockByHeight(3))) == RecordKind::kBlocks);
  CHECK(RecordKindOf(AsBytes(keys::Meta(keys::kTipName))) == RecordKind::kOther);
  CHECK(RecordKindOf({}) == RecordKind::kOther);
  CHECK(QueueDepth(v.reg, Queue::kMempool) == 0);

  std::string text = v.reg.Render();
  CHECK(text.find("# TYPE tidemark_stage_seconds histogram") != std::string::npos);
  CHECK(text.find("tidemark_stage_seconds_count{stage=\"fsync\"} " + std::to_string(height)) !=
        std::string::npos);
  CHECK(text.find("tidemark_queue_depth{queue=\"block_tree\"}") != std::string::npos);
  CHECK(text.find("tidemark_txs_committed_total 60") != std::string::npos);
  // Each of the 60 txs was admitted here, proposed by this (the only) leader once, and committed.
  CHECK(text.find("tidemark_tx_wait_seconds_count{until=\"proposed\"} 60\n") != std::string::npos);
  CHECK(text.find("tidemark_tx_wait_seconds_count{until=\"final\"} 60\n") != std::string::npos);
  CHECK(text.find("tidemark_consensus_timeouts_total ") != std::string::npos);
  CHECK(text.find("tidemark_consensus_round ") != std::string::npos);
}

TEST_CASE("SSE: a block of 2000 txs reaches a subscriber that never read meanwhile whole") {
  http::EventBus bus;  // the defaults of the node (http.sse_ring)
  auto sub = bus.Subscribe(std::nullopt, api::RestOptions{}.sse_queue);
  REQUIRE(sub.ok());
  std::atomic<uint64_t> big_block{0};
  SingleValidator v([&](const Block& b, const QuorumCert&, const std::vector<Receipt>& receipts) {
    api::PublishCommitted(&bus, b, &receipts);
    if (b.txs.size() == 2000) big_block = b.header.height;
  });
  // All 2000 (max_block_txs: 2001 events, more than the old ring of 1024) are pending before
  // consensus starts: the first block takes them all.
  std::vector<Hash256> ids = v.Submit(1, 2000);
  v.Start();
  v.WaitCommitted(ids);
  v.Stop();
  REQUIRE(big_block > 0);

  v.pm.UpdateSse(bus);
  CHECK(QueueDepth(v.reg, Queue::kSse) >= 2001);  // it lagged by the whole block
  SseTally t;
  Tally(t, (*sub)->Drain());
  Tally(t, (*sub)->Drain());  // nothing left
  CHECK(t.gaps == 0);
  CHECK(t.lost == 0);
  CHECK(t.contiguous);
  CHECK(t.last_id == bus.last_id());
  CHECK(t.txs == 2000);
  CHECK(t.receipts_by_height[big_block] == 2000);
  v.pm.UpdateSse(bus);
  CHECK(CounterValue(v.reg, "tidemark_sse_catchups_total") >= 1);  // served from the ring
  CHECK(CounterValue(v.reg, "tidemark_sse_lost_events_total") == 0);
  CHECK(QueueDepth(v.reg, Queue::kSse) == 0);
}

TEST_CASE("SSE: a subscriber overflowing a small ring gets an explicit gap, and it is counted") {
  // A block of 600 txs (601 events) against a ring of 64 and a queue of 8: the subscriber keeps
  // 8, then must learn of the 529 it cannot get, then gets the ring's 64.
  Block b;
  b.header.height = 9;
  b.header.tx_count = 600;
  std::vector<Receipt> receipts;
  for (uint32_t i = 0; i < 600; ++i) {
    Transaction tx{.chain_id = "c", .nonce = i + 1, .contract = "test", .method = "put"};
    b.txs.push_back(tx);
    receipts.push_back(Receipt{.tx_id = tx.Id(), .height = 9, .index = i});
  }
  http::EventBus bus({.ring_capacity = 64});
  auto sub = bus.Subscribe(std::nullopt, 8);
  REQUIRE(sub.ok());
  metrics::Registry reg;
  PipelineMetrics pm(reg);
  api::PublishCommitted(&bus, b, &receipts);
  pm.UpdateSse(bus);
  CHECK(QueueDepth(reg, Queue::kSse) == 601);

  std::vector<http::BusEvent> events = (*sub)->Drain();
  REQUIRE(events.size() == 8 + 1 + 64);
  CHECK(events[8].type == "gap");
  auto gap = nlohmann::json::parse(events[8].data);
  CHECK(gap["last_event_id"] == 8);
  CHECK(gap["oldest_available"] == 601 - 64 + 1);
  SseTally t;
  Tally(t, events);
  CHECK(t.contiguous);  // every id is delivered or announced lost
  CHECK(t.lost == 529);
  CHECK(t.last_id == 601);

  pm.UpdateSse(bus);
  CHECK(CounterValue(reg, "tidemark_sse_catchups_total") == 1);
  CHECK(CounterValue(reg, "tidemark_sse_lost_events_total") == 529);
  CHECK(QueueDepth(reg, Queue::kSse) == 0);
  pm.UpdateSse(bus);  // counters advance by what changed only
  CHECK(CounterValue(reg, "tidemark_sse_lost_events_total") == 529);

  // A client resuming from before the ring is told too, and counted.
  auto resumed = bus.Subscribe(uint64_t{100}, 8);
  REQUIRE(resumed.ok());
  std::vector<http::BusEvent> replay = (*resumed)->Drain();
  REQUIRE(!replay.empty());
  CHECK(replay[0].type == "gap");
  pm.UpdateSse(bus);
  CHECK(CounterValue(reg, "tidemark_sse_lost_events_total") == 529 + (538 - 100 - 1));
}
