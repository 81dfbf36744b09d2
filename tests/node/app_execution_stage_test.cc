// ExecutionStage: committed blocks are queued, executed only as far as a question needs, and
// written by the commit; the answers are those of executing block by block.
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "chain_fixture.h"
#include "tidemark/contracts/governance.h"
#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/hash.h"
#include "tidemark/node/app/execution_stage.h"
#include "tidemark/node/storage/fault_injecting_kv_store.h"
#include "tidemark/node/storage/memory_kv_store.h"

using namespace tidemark;
using namespace tidemark::node;

namespace {

using fixture::Key;

contracts::Genesis TestGenesis() { return fixture::OneOrgGenesis("stage-test"); }

std::unique_ptr<Ledger> OpenLedger() {
  auto l =
      Ledger::Open(std::make_unique<MemoryKvStore>(), TestGenesis(), contracts::TestContracts());
  REQUIRE(l.ok());
  return std::move(*l);
}

// A tx of the admin's on this chain.
Transaction AdminTx(uint64_t nonce, const std::string& contract, const std::string& method,
                    const Value& args) {
  Transaction tx{.chain_id = "stage-test",
                 .nonce = nonce,
                 .contract = contract,
                 .method = method,
                 .args = args.Encode()};
  tx.SignWith(Key("admin"));
  return tx;
}

Transaction Gov(uint64_t nonce, const std::string& method, Value args) {
  return AdminTx(nonce, "gov", method, args);
}

// Proposal 1 adds org-b with validator node-b; org-a's admin (the only organisation) passes it.
std::vector<Transaction> AddValidator() {
  Value org =
      Value::MakeMap({{"id", Value("org-b")},
                      {"name", Value("org-b")},
                      {"roles", Value(Value::List{Value("INSPECTOR")})},
                      {"admin_keys", Value(Value::List{Value(Key("org-b").public_key().Hex())})},
                      {"validator_key", Value(Key("node-b").public_key().Hex())}});
  return {Gov(1, "propose", Value::MakeMap({{"kind", Value("add_org")}, {"org", org}})),
          Gov(2, "vote", Value::MakeMap({{"proposal", Value(int64_t{1})}, {"yes", Value(true)}}))};
}

}  // namespace

// One certificate commits D (which changes the validator set), block 2 (certifying the state
// before D) and block 3 (certifying the state after D): consensus asks EndsEpoch for each in
// turn, before any is written. The stage answers from version exec_height, executing only the
// blocks up to it, and the commit then executes and writes the rest.
TEST_CASE("execution stage: a commit of several blocks; EndsEpoch's version comes from the queue") {
  auto ledger = OpenLedger();
  ExecutionStage stage(*ledger);
  Block d = fixture::ChildBlock(ledger->genesis_block(), 0, AddValidator());
  Block b2 = fixture::ChildBlock(d, 0);
  Block b3 = fixture::ChildBlock(b2, 1);

  REQUIRE(stage.Enqueue(d).ok());
  CHECK(stage.ValidatorsAfter(d.header)->epoch == 0);
  CHECK(stage.executed_height() == 0);  // the block asked about is not executed
  REQUIRE(stage.Enqueue(b2).ok());
  CHECK(stage.ValidatorsAfter(b2.header)->epoch == 0);
  CHECK(stage.executed_height() == 0);
  REQUIRE(stage.Enqueue(b3).ok());
  auto after_b3 = stage.ValidatorsAfter(b3.header);
  REQUIRE(after_b3.ok());
  CHECK(after_b3->epoch == 1);
  CHECK(after_b3->size() == 2);
  CHECK(stage.executed_height() == 1);  // D only: b3's header certifies version 1
  CHECK(stage.committed_height() == 3);
  CHECK(ledger->height() == 0);  // nothing written before the certificate
  CHECK(stage.ValidatorsAt(4).status().code() == Code::kNotFound);

  // What the next block runs over: every committed block, executed on demand.
  auto state = stage.CommittedState();
  REQUIRE(state.ok());
  CHECK(contracts::CurrentValidatorSet(**state)->epoch == 1);
  CHECK(contracts::NextNonce(**state, Key("admin").public_key()) == 3);
  CHECK(stage.executed_height() == 3);

  std::vector<uint64_t> written;
  REQUIRE(stage
              .Write({d, b2, b3}, fixture::CommitCertFor(b3),
                     [&](const Block& b, const BlockExecution& e) {
                       written.push_back(b.header.height);
                       for (const Receipt& r : e.receipts) {
                         CHECK(r.status == TxStatus::kCommitted);
                       }
                     })
              .ok());
  CHECK(written == std::vector<uint64_t>{1, 2, 3});
  CHECK(ledger->height() == 3);
  CHECK(stage.committed_height() == 3);
  CHECK(ledger->ValidatorsAfter(b3.header)->epoch == 1);

  // The same blocks committed one at a time give the same roots at every height.
  auto eager = OpenLedger();
  for (const Block& b : {d, b2, b3})
    REQUIRE(eager->Commit(b, fixture::CommitCertFor(b), std::nullopt).ok());
  for (uint64_t h = 1; h <= 3; ++h) {
    CHECK(eager->ExecAt(h)->state_root == ledger->ExecAt(h)->state_root);
    CHECK(eager->ExecAt(h)->receipts_root == ledger->ExecAt(h)->receipts_root);
  }
}

TEST_CASE("execution stage: a block that does not follow is refused and changes nothing") {
  auto ledger = OpenLedger();
  ExecutionStage stage(*ledger);
  Block b1 = fixture::ChildBlock(ledger->genesis_block(), 0);
  Block b2 = fixture::ChildBlock(b1, 0);
  Block other1 = fixture::ChildBlock(ledger->genesis_block(), 0, AddValidator());

  CHECK(stage.Enqueue(b2).code() == Code::kFailedPrecondition);  // a gap
  REQUIRE(stage.Enqueue(b1).ok());
  CHECK(stage.Enqueue(fixture::ChildBlock(other1, 0)).code() ==
        Code::kFailedPrecondition);  // wrong parent
  CHECK(stage.committed_height() == 1);
  CHECK(stage.Write({b2}, fixture::CommitCertFor(b2)).code() ==
        Code::kFailedPrecondition);  // not the oldest
  CHECK(stage.Apply(b2, fixture::CommitCertFor(b2)).status().code() ==
        Code::kFailedPrecondition);  // queue busy
  CHECK(ledger->height() == 0);

  REQUIRE(stage.Write({b1}, fixture::CommitCertFor(b1)).ok());
  CHECK(stage.Enqueue(b1).ok());  // written already (block sync got there first): the same block
  CHECK(stage.Enqueue(other1).code() == Code::kFailedPrecondition);  // differs from the written
  CHECK(stage.Write({b1}, fixture::CommitCertFor(b1)).ok());         // skipped, same block
  CHECK(stage.Apply(b1, fixture::CommitCertFor(b1)).status().code() == Code::kFailedPrecondition);

  // Block sync's path: one certified block at a time through the same stage.
  auto receipts = stage.Apply(b2, fixture::CommitCertFor(b2));
  REQUIRE(receipts.ok());
  CHECK(receipts->empty());
  CHECK(ledger->height() == 2);

  Block b3 = fixture::ChildBlock(b2, 1);
  REQUIRE(stage.Enqueue(b3).ok());
  stage.Reset();  // consensus restarts from the ledger: the queue is forgotten
  CHECK(stage.committed_height() == 2);
  CHECK(stage.Apply(b3, fixture::CommitCertFor(b3)).ok());
  CHECK(ledger->height() == 3);
}

// ---- Background writes (StartWriter)
// -------------------------------------------------------------

namespace {

// A store whose writes wait at a gate the test opens: what the owner does while the writer waits.
class GatedKvStore final : public KvStore {
 public:
  Result<std::optional<Bytes>> Get(ByteView key) const override { return inner_.Get(key); }
  Result<std::vector<KvPair>> Scan(const ScanOptions& options) const override {
    return inner_.Scan(options);
  }
  Result<std::unique_ptr<KvReader>> Snapshot() const override { return inner_.Snapshot(); }
  Status Write(const WriteBatch& batch, bool sync) override {
    {
      std::unique_lock l(mu_);
      cv_.wait(l, [&] { return !closed_ || allowed_ > 0; });
      if (closed_) --allowed_;
    }
    return inner_.Write(batch, sync);
  }
  void Close() {
    std::lock_guard l(mu_);
    closed_ = true;
  }
  void Allow(int n) {
    {
      std::lock_guard l(mu_);
      allowed_ += n;
    }
    cv_.notify_all();
  }
  void Open() {
    {
      std::lock_guard l(mu_);
      closed_ = false;
    }
    cv_.notify_all();
  }

 private:
  MemoryKvStore inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  int allowed_ = 0;
};

// Tasks the writer posts to the owner (the test thread), run when the test says.
struct Posted {
  std::mutex mu;
  std::vector<std::function<void()>> tasks;
  ExecutionStage::PostFn Fn() {
    return [this](std::function<void()> fn) {
      std::lock_guard l(mu);
      tasks.push_back(std::move(fn));
    };
  }
  void RunAll() {
    std::vector<std::function<void()>> now;
    {
      std::lock_guard l(mu);
      now.swap(tasks);
    }
    for (auto& fn : now) fn();
  }
};

// A ledger over `kv`, which the test keeps a pointer to (*store).
template <typename Store>
std::unique_ptr<Ledger> LedgerOver(std::unique_ptr<Store> kv, Store** store) {
  *store = kv.get();
  auto l = Ledger::Open(std::move(kv), TestGenesis(), contracts::TestContracts());
  REQUIRE(l.ok());
  return std::move(*l);
}

// Opens the gate when the test ends, however it ends: declared after the stage, so that a failed
// check never leaves the stage's destructor waiting for a writer held at the gate.
struct OpenOnExit {
  GatedKvStore* gate;
  ~OpenOnExit() { gate->Open(); }
};

Transaction TestTx(uint64_t nonce, const std::string& method, const std::string& key,
                   int64_t value) {
  return AdminTx(nonce, "test", method,
                 method == "put" ? Value::MakeMap({{"key", key}, {"value", value}})
                                 : Value::MakeMap({{"key", key}}));
}

std::optional<Bytes> Read(const contracts::StateView& view, const std::string& key) {
  return view.Get(key);
}

}  // namespace

TEST_CASE("execution stage: background writes — the owner goes on while the writer waits") {
  GatedKvStore* gate = nullptr;
  auto opened = LedgerOver(std::make_unique<GatedKvStore>(), &gate);
  Ledger& ledger = *opened;
  Posted posted;
  std::vector<Status> failures;
  std::vector<uint64_t> written;
  auto on_written = [&](const Block& b, const BlockExecution&) {
    CHECK(ledger.height() >= b.header.height);  // told once it is on disk
    written.push_back(b.header.height);
  };
  std::vector<Block> blocks;
  Block prev = ledger.genesis_block();
  for (uint64_t h = 1; h <= 3; ++h) {
    prev = fixture::ChildBlock(
        prev, 0,
        {TestTx(2 * h - 1, "put", "a", int64_t(h)), TestTx(2 * h, "put", "b", int64_t(10 * h))});
    blocks.push_back(prev);
  }
  // The writer started, the gate closed, the three blocks committed.
  auto commit_all = [&](ExecutionStage& stage) {
    stage.StartWriter(posted.Fn(), [&](const Status& s) { failures.push_back(s); });
    gate->Close();
    for (const Block& b : blocks) {
      REQUIRE(stage.Enqueue(b).ok());
      REQUIRE(stage.Write({b}, fixture::CommitCertFor(b), on_written).ok());
    }
  };
  SECTION("written in order, reported on the owner's thread, Drain waits") {
    ExecutionStage stage(ledger);
    OpenOnExit open_on_exit{gate};
    commit_all(stage);
    // Nothing is on disk, and the next block's state has all three.
    CHECK(ledger.height() == 0);
    CHECK(stage.in_flight() == 3);
    CHECK(stage.committed_height() == 3);
    CHECK(written.empty());
    auto state = stage.CommittedState();
    REQUIRE(state.ok());
    CHECK(Read(**state, "test/a") == Value(int64_t{3}).Encode());
    CHECK(contracts::NextNonce(**state, Key("admin").public_key()) == 7);
    CHECK(stage.QueuedBlock(blocks[1].Id()).has_value());
    CHECK(stage.ValidatorsAt(3)->epoch == 0);  // a version being written: from the queue
    // A proposal certifying version 2 (its leader wrote it): wait for our own write of it.
    CHECK(stage.WaitWritten(4).code() == Code::kUnavailable);  // not committed here
    std::thread opener([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      gate->Allow(2);
    });
    REQUIRE(stage.WaitWritten(2).ok());
    opener.join();
    CHECK(stage.written_height() == 2);
    CHECK(written == std::vector<uint64_t>{1, 2});
    CHECK(stage.WaitWritten(1).ok());
    gate->Open();
    REQUIRE(stage.Drain().ok());
    CHECK(written == std::vector<uint64_t>{1, 2, 3});
    CHECK(ledger.height() == 3);
    CHECK(stage.in_flight() == 0);
    CHECK(stage.written_height() == 3);
    CHECK(!stage.QueuedBlock(blocks[1].Id()).has_value());
    posted.RunAll();  // the writer's reports, already taken by Drain: nothing more happens
    CHECK(written.size() == 3);
    state = stage.CommittedState();
    REQUIRE(state.ok());
    CHECK(Read(**state, "test/b") == Value(int64_t{30}).Encode());
    CHECK(failures.empty());
  }
  SECTION("back-pressure: a commit waits for the writer when max_in_flight blocks wait") {
    ExecutionStage stage(ledger);
    OpenOnExit open_on_exit{gate};
    stage.StartWriter(
        posted.Fn(), [&](const Status& s) { failures.push_back(s); }, 2);
    gate->Close();
    for (int i = 0; i < 2; ++i) {
      REQUIRE(stage.Enqueue(blocks[i]).ok());
      REQUIRE(stage.Write({blocks[i]}, fixture::CommitCertFor(blocks[i]), on_written).ok());
    }
    REQUIRE(stage.Enqueue(blocks[2]).ok());
    std::thread opener([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      gate->Allow(1);
    });
    REQUIRE(stage.Write({blocks[2]}, fixture::CommitCertFor(blocks[2]), on_written).ok());
    opener.join();
    CHECK(written == std::vector<uint64_t>{1});  // it waited for block 1, and was told of it
    CHECK(stage.in_flight() == 2);
    gate->Open();
    REQUIRE(stage.Drain().ok());
    CHECK(written == std::vector<uint64_t>{1, 2, 3});
    CHECK(failures.empty());
  }
  SECTION("destroyed with blocks in flight: they are written before the thread ends") {
    {
      ExecutionStage stage(ledger);
      OpenOnExit open_on_exit{gate};
      commit_all(stage);
      gate->Open();
    }
    CHECK(ledger.height() == 3);
    std::lock_guard l(posted.mu);
    posted.tasks.clear();  // they name the stage that is gone: never run
  }
}

TEST_CASE("execution stage: background writes — a failed write stops the writer, reported once") {
  FaultInjectingKvStore* faulty = nullptr;
  auto opened = LedgerOver(std::make_unique<FaultInjectingKvStore>(), &faulty);
  Ledger& ledger = *opened;
  Posted posted;
  std::vector<Status> failures;
  std::vector<uint64_t> written;
  ExecutionStage stage(ledger);
  stage.StartWriter(posted.Fn(), [&](const Status& s) { failures.push_back(s); });
  faulty->FailWriteAt(2);
  Block prev = ledger.genesis_block();
  for (uint64_t h = 1; h <= 3; ++h) {
    prev = fixture::ChildBlock(prev, 0, {TestTx(h, "put", "a", int64_t(h))});
    REQUIRE(stage.Enqueue(prev).ok());
    REQUIRE(stage
                .Write({prev}, fixture::CommitCertFor(prev),
                       [&](const Block& b, const BlockExecution&) {
                         written.push_back(b.header.height);
                       })
                .ok());
  }
  Status drained = stage.Drain();
  CHECK(drained.code() == Code::kIoError);
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].code() == Code::kIoError);
  CHECK(written == std::vector<uint64_t>{1});
  CHECK(ledger.height() == 1);  // nothing after the failed block
  posted.RunAll();
  CHECK(failures.size() == 1);
  Block next = fixture::ChildBlock(prev, 0);
  CHECK(stage.Enqueue(next).code() == Code::kIoError);  // the stage stays failed
}

// The bug to fear: a key that leaves the overlay while a block that changed it is not on disk yet,
// or stays in it with an old value. 80 blocks of puts and deletes over 6 keys, the writer let
// through a random number of writes between commits and its reports run at random points: after
// every commit, the state the next block runs over equals that of a ledger that wrote each block
// before the next.
TEST_CASE("execution stage: background writes — the committed state equals writing in step") {
  std::mt19937_64 rng(20261208);
  GatedKvStore* gate = nullptr;
  auto opened = LedgerOver(std::make_unique<GatedKvStore>(), &gate);
  Ledger& ledger = *opened;
  auto eager = OpenLedger();
  Posted posted;
  std::vector<Status> failures;
  ExecutionStage stage(ledger);
  OpenOnExit open_on_exit{gate};
  // Room for every block: a commit that waited for a write the gate holds back would wait for
  // ever.
  stage.StartWriter(
      posted.Fn(), [&](const Status& s) { failures.push_back(s); }, 128);
  gate->Close();
  Block prev = ledger.genesis_block();
  uint64_t nonce = 0;
  for (uint64_t h = 1; h <= 80; ++h) {
    std::vector<Transaction> txs;
    for (int i = 0, n = static_cast<int>(rng() % 4); i < n; ++i) {
      const std::string key = "k" + std::to_string(rng() % 6);
      txs.push_back(rng() % 3 == 0 ? TestTx(++nonce, "del", key, 0)
                                   : TestTx(++nonce, "put", key, int64_t(h * 10 + i)));
    }
    prev = fixture::ChildBlock(prev, 0, std::move(txs));
    REQUIRE(eager->Commit(prev, fixture::CommitCertFor(prev), std::nullopt).ok());
    REQUIRE(stage.Enqueue(prev).ok());
    REQUIRE(stage.Write({prev}, fixture::CommitCertFor(prev)).ok());
    // Half a write per commit on average, so that blocks wait for the writer, and now and then
    // a burst: written blocks are reported while later ones, changing the same keys, are not.
    gate->Allow(rng() % 8 == 0 ? 4 : static_cast<int>(rng() % 2));
    if (rng() % 2) {
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
      posted.RunAll();
    }
    auto state = stage.CommittedState();
    REQUIRE(state.ok());
    std::vector<std::pair<std::string, Bytes>> ours, theirs;
    (*state)->Scan("test/", [&](const std::string& k, const Bytes& v) {
      ours.emplace_back(k, v);
      return true;
    });
    REQUIRE(eager
                ->ReadLatest([&](const contracts::StateView& view, uint64_t) {
                  view.Scan("test/", [&](const std::string& k, const Bytes& v) {
                    theirs.emplace_back(k, v);
                    return true;
                  });
                  for (int i = 0; i < 6; ++i) {
                    const std::string key = "test/k" + std::to_string(i);
                    INFO("height " << h << ", " << key);
                    CHECK(Read(**state, key) == view.Get(key));
                  }
                  return Status::Ok();
                })
                .ok());
    INFO("height " << h);
    REQUIRE(ours == theirs);
  }
  gate->Open();
  REQUIRE(stage.Drain().ok());
  CHECK(failures.empty());
  CHECK(ledger.height() == 80);
  for (uint64_t h = 1; h <= 80; ++h) {
    CHECK(ledger.ExecAt(h)->state_root == eager->ExecAt(h)->state_root);
  }
}
