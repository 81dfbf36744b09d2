// One validator (n = 1) through the real consensus module, mempool and ledger, in process.
#include <boost/asio.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "chain_fixture.h"
#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/hash.h"
#include "tidemark/node/app/consensus_driver.h"
#include "tidemark/node/state/tree_state_view.h"
#include "tidemark/node/storage/memory_kv_store.h"

using namespace tidemark;
using namespace tidemark::node;

namespace {
using fixture::Key;

template <typename F>
bool WaitFor(F cond, int ms = 10000) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cond();
}
}  // namespace

TEST_CASE("single validator: txs from the mempool are committed, executed and indexed") {
  contracts::Genesis g;
  g.chain_id = "single-test";
  g.genesis_time_ms = 1'700'000'000'000;
  KeyPair admin = Key("admin"), node_key = Key("node");
  g.orgs.push_back(contracts::OrgRecord{.id = "org-a",
                                        .name = "Org A",
                                        .roles = {contracts::Role::kPlatform},
                                        .admin_keys = {admin.public_key()},
                                        .validator_key = node_key.public_key()});
  auto ledger = Ledger::Open(std::make_unique<MemoryKvStore>(), g, contracts::TestContracts());
  REQUIRE(ledger.ok());
  Ledger& l = **ledger;
  mempool::Mempool pool(
      {.chain_id = g.chain_id}, [&](const PublicKey& k) -> Result<mempool::SignerInfo> {
        mempool::SignerInfo info;
        TM_RETURN_IF_ERROR(l.ReadLatest([&](const contracts::StateView& view, uint64_t height) {
          info = mempool::SignerInfoFromState(view, k, height);
          return Status::Ok();
        }));
        return info;
      });
  boost::asio::io_context io;
  std::atomic<int> commits{0};
  ConsensusDriverOptions opt;
  opt.replica.min_block_interval_ms = 5;
  opt.replica.idle_block_interval_ms = 200;
  ConsensusDriver driver(
      io, l, pool, node_key, opt,
      [&](const Block&, const QuorumCert&, const std::vector<Receipt>&) { commits++; });
  REQUIRE(driver.Start().ok());
  std::thread runner([&] { io.run(); });

  std::vector<Hash256> ids;
  for (uint64_t n = 1; n <= 50; ++n) {
    Transaction tx{.chain_id = g.chain_id,
                   .nonce = n,
                   .contract = "test",
                   .method = "put",
                   .args = Value::MakeMap({{"key", "k" + std::to_string(n % 5)},
                                           {"value", static_cast<int64_t>(n)}})
                               .Encode()};
    tx.SignWith(admin);
    auto rec = pool.Add(tx.Encode());
    REQUIRE(rec.ok());
    ids.push_back(tx.Id());
  }
  for (const auto& id : ids) {
    auto rec = pool.WaitFinal(id, std::chrono::milliseconds(10000));
    REQUIRE(rec.ok());
    CHECK(rec->state == mempool::TxState::kCommitted);
  }
  CHECK(*l.NextNonce(admin.public_key()) == 51);
  auto v = contracts::TestContractGet(TreeStateView(l.tree()), "k0");
  REQUIRE(v.ok());
  CHECK(**v == Value(int64_t{50}));
  // Idle: blocks keep coming at the idle pace only, and later headers certify later state.
  uint64_t h = l.height();
  REQUIRE(WaitFor([&] { return l.height() >= h + 2; }));
  auto tip = l.TipBlock();
  REQUIRE(tip.ok());
  auto exec = l.ExecAt(tip->header.exec_height);
  REQUIRE(exec.ok());
  CHECK(exec->state_root == tip->header.state_root);
  CHECK(tip->header.exec_height > 0);
  driver.Stop();
  io.stop();
  runner.join();
}
