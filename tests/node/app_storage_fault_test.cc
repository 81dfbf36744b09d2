// A store that fails under a running validator (reads and writes answer kIoError, as a dead disk
// does) stops the process with exit code 3 (fatal.h) — not an abort, not a node that goes on.
// The validator runs in a forked child, so that its exit can be observed.
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "chain_fixture.h"
#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/node/app/consensus_driver.h"
#include "tidemark/node/app/fatal.h"
#include "tidemark/node/storage/fault_injecting_kv_store.h"

using namespace tidemark;
using namespace tidemark::node;

namespace {

// The child: one validator over a fault-injecting store; after a few blocks the store "dies".
// Returns only if the validator kept running (exit code 0 then means: not stopped).
[[noreturn]] void RunValidatorUntilTheStoreDies() {
  contracts::Genesis g;
  g.chain_id = "fault-test";
  g.genesis_time_ms = 1'700'000'000'000;
  KeyPair node_key = fixture::Key("node");
  g.orgs.push_back(contracts::OrgRecord{.id = "org-a",
                                        .name = "Org A",
                                        .roles = {contracts::Role::kPlatform},
                                        .admin_keys = {fixture::Key("admin").public_key()},
                                        .validator_key = node_key.public_key()});
  auto store = std::make_unique<FaultInjectingKvStore>();
  FaultInjectingKvStore* disk = store.get();
  auto ledger = Ledger::Open(std::move(store), g, contracts::TestContracts());
  if (!ledger.ok()) std::_Exit(10);
  Ledger& l = **ledger;
  mempool::Mempool pool(
      {.chain_id = g.chain_id},
      [](const PublicKey&) -> Result<mempool::SignerInfo> { return mempool::SignerInfo{}; });
  boost::asio::io_context io;
  ConsensusDriverOptions opt;
  opt.replica.min_block_interval_ms = 5;
  opt.replica.idle_block_interval_ms = 10;
  ConsensusDriver driver(io, l, pool, node_key, opt,
                         [](const Block&, const QuorumCert&, const std::vector<Receipt>&) {});
  if (!driver.Start().ok()) std::_Exit(11);
  std::thread runner([&] { io.run(); });
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (l.height() < 5 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (l.height() < 5) std::_Exit(12);
  disk->Crash();  // every read and write fails from now on
  std::this_thread::sleep_for(std::chrono::seconds(5));
  std::_Exit(0);  // still running 5 s later: the failure went unnoticed
}

}  // namespace

TEST_CASE("storage fault: a validator whose store fails stops with exit code 3") {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) RunValidatorUntilTheStoreDies();
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));  // not killed by a signal (abort)
  CHECK(WEXITSTATUS(status) == kExitStorageFault);
}
