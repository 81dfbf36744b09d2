// ExecutionStage: committed blocks are queued, executed only as far as a question needs, and
// written by the commit; the answers are those of executing block by block.
#include <catch2/catch.hpp>

#include "chain_fixture.h"
#include "tidemark/contracts/governance.h"
#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/hash.h"
#include "tidemark/node/app/execution_stage.h"
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

Transaction Gov(uint64_t nonce, const std::string& method, Value args) {
  Transaction tx{.chain_id = "stage-test",
                 .nonce = nonce,
                 .contract = "gov",
                 .method = method,
                 .args = args.Encode()};
  tx.SignWith(Key("admin"));
  return tx;
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
