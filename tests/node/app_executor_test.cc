#include <catch2/catch.hpp>

#include "chain_fixture.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/hash.h"
#include "tidemark/node/app/executor.h"

using namespace tidemark;
using namespace tidemark::contracts;

namespace {
using node::fixture::Key;

Transaction Tx(const KeyPair& k, uint64_t nonce, const std::string& method, const Value& args) {
  Transaction tx{.chain_id = "exec-test",
                 .nonce = nonce,
                 .contract = "test",
                 .method = method,
                 .args = args.Encode()};
  tx.SignWith(k);
  return tx;
}

MemStateView GenesisState(const KeyPair& admin) {
  Genesis g;
  g.chain_id = "exec-test";
  g.orgs.push_back(OrgRecord{.id = "org-a",
                             .name = "Org A",
                             .roles = {Role::kPlatform},
                             .admin_keys = {admin.public_key()},
                             .validator_key = Key("node").public_key()});
  MemStateView state;
  REQUIRE(WriteGenesisState(g, state).ok());
  return state;
}
}  // namespace

TEST_CASE("executor: receipts in block order, failed txs change nothing, changes sorted") {
  KeyPair admin = Key("admin"), stranger = Key("stranger");
  MemStateView state = GenesisState(admin);
  Block block;
  block.header.chain_id = "exec-test";
  block.header.height = 7;
  block.header.timestamp_ms = 1000;
  block.txs = {Tx(admin, 1, "put", Value::MakeMap({{"key", "b"}, {"value", 2}})),
               Tx(admin, 2, "fail", Value::MakeMap({})),
               Tx(stranger, 1, "put", Value::MakeMap({{"key", "x"}, {"value", 1}})),
               Tx(admin, 3, "put", Value::MakeMap({{"key", "a"}, {"value", 1}}))};
  auto out = node::ExecuteBlock(TestContracts(), state, block);
  REQUIRE(out.receipts.size() == 4);
  CHECK(out.receipts[0].status == TxStatus::kCommitted);
  CHECK(out.receipts[1].status == TxStatus::kRejected);
  CHECK(out.receipts[2].status == TxStatus::kRejected);  // unregistered key
  CHECK(out.receipts[3].status == TxStatus::kCommitted);
  for (uint32_t i = 0; i < 4; ++i) {
    CHECK(out.receipts[i].index == i);
    CHECK(out.receipts[i].height == 7);
    CHECK(out.receipts[i].tx_id == block.txs[i].Id());
  }
  CHECK(out.receipts_root == node::ReceiptsRoot(out.receipts));
  // The committed view is untouched; the changes are sorted and hold no trace of the failed call.
  CHECK(!TestContractGet(state, "a")->has_value());
  bool sorted = std::is_sorted(out.changes.begin(), out.changes.end(),
                               [](const auto& x, const auto& y) { return x.first < y.first; });
  CHECK(sorted);
  for (const auto& [k, v] : out.changes) CHECK(k != "test/fail");
  CHECK(std::any_of(out.changes.begin(), out.changes.end(),
                    [](const auto& c) { return c.first == "test/a"; }));
}

TEST_CASE("executor: the same block on the same state gives identical results") {
  KeyPair admin = Key("admin");
  MemStateView s1 = GenesisState(admin), s2 = GenesisState(admin);
  Block block;
  block.header.chain_id = "exec-test";
  block.header.height = 1;
  for (uint64_t n = 1; n <= 20; ++n) {
    block.txs.push_back(
        Tx(admin, n, "put",
           Value::MakeMap({{"key", std::to_string(n % 7)}, {"value", static_cast<int64_t>(n)}})));
  }
  auto a = node::ExecuteBlock(TestContracts(), s1, block);
  auto b = node::ExecuteBlock(TestContracts(), s2, block);
  CHECK(a.receipts_root == b.receipts_root);
  CHECK(a.changes == b.changes);
}
