// ledger.h — the committed chain of one node: its ChainStore (blocks, receipts, authenticated
// state, node/chain/chain_store.h) and the execution of newly committed blocks.
//
// Commit(block, cert) executes the block's transactions over the committed state (contracts)
// and hands the result to ChainStore::Commit, which writes the block, its certificate, its
// receipts, the state version, its execution record and (optionally) the consensus safety record
// in ONE synced WriteBatch: a node killed at any instant reopens at the previous or the new
// height, never in between. Old state versions are pruned by the store's retention
// (ChainStoreOptions); reads of a pruned version answer kGone.
//
//   TM_ASSIGN_OR_RETURN(auto kv, LevelDbKvStore::Open(dir, {}));
//   TM_ASSIGN_OR_RETURN(auto ledger, Ledger::Open(std::move(kv), genesis));
//   TM_ASSIGN_OR_RETURN(std::vector<Receipt> receipts, ledger->Commit(block, cert, safety));
//   ExecInfo e = *ledger->ExecAt(ledger->height());   // roots a later header must carry
//
// Thread safety: reads may run on any thread, concurrently with one writer. Commit,
// CommitExecuted and WriteSafety must be called by one thread at a time (the consensus driver's
// strand). The ledger holds no executed-but-unwritten state: that is ExecutionStage's.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <vector>

#include "tidemark/contracts/framework.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/node/app/executor.h"
#include "tidemark/node/chain/chain_store.h"
#include "tidemark/node/state/state_tree.h"
#include "tidemark/node/storage/block_store.h"
#include "tidemark/node/storage/kv_store.h"
#include "tidemark/types.h"

namespace tidemark::node {

// The genesis block: height 0, no txs, the genesis state's root, the genesis validator set.
Block GenesisBlock(const contracts::Genesis& genesis, const Hash256& genesis_state_root);

class Ledger {
 public:
  // Opens the store; an empty store is initialised with the genesis state and block. A store
  // initialised from another genesis is refused (kFailedPrecondition). Blocks run over
  // `registry` (production: BuiltinContracts(); test binaries add the "test" contract).
  // `store_options` set the retention of old state versions (default: keep all).
  static Result<std::unique_ptr<Ledger>> Open(
      std::unique_ptr<KvStore> kv, const contracts::Genesis& genesis,
      contracts::ContractRegistry registry = contracts::BuiltinContracts(),
      ChainStoreOptions store_options = {});

  const contracts::Genesis& genesis() const { return genesis_; }
  const Block& genesis_block() const { return genesis_block_; }
  const std::string& chain_id() const { return genesis_.chain_id; }

  // Highest committed (and executed) block.
  uint64_t height() const { return height_.load(); }
  Hash256 tip_id() const;
  Result<Block> TipBlock() const;

  // Executes the block that follows the tip over the latest written state and durably commits
  // it: for tools and tests that commit one block at a time. The node commits through its
  // ExecutionStage (execution_stage.h), which calls CommitExecuted; the two must not be mixed on
  // one ledger while the stage holds executed blocks.
  Result<std::vector<Receipt>> Commit(const Block& block, const QuorumCert& cert,
                                      const std::optional<Bytes>& safety_record);

  // Writes the block that follows the tip, with what executing it produced (ExecutionStage),
  // durably: block, certificate, receipts, state version and safety record in one batch.
  // kFailedPrecondition if the block does not follow the tip. `timings`, if given, tells where
  // the store's time went (ChainStore::Commit).
  Status CommitExecuted(const Block& block, const BlockExecution& exec, const QuorumCert& cert,
                        const std::optional<Bytes>& safety_record,
                        CommitTimings* timings = nullptr);
  Status WriteSafety(ByteView record) { return store_->WriteSafetyRecord(record); }
  Result<std::optional<Bytes>> SafetyRecord() const { return store_->SafetyRecord(); }

  // Kept for every height (pruning keeps execution records). NotFound above height().
  Result<ExecInfo> ExecAt(uint64_t height) const;
  // A proof of `key` at state version `version`: kGone if pruned, kNotFound if not written.
  Result<StateProof> ProveAt(uint64_t version, ByteView key) const {
    return store_->ProveAt(version, key);
  }
  // OK if state version `version` is retained, else kGone / kNotFound (ChainStore).
  Status CheckVersion(uint64_t version) const { return store_->CheckVersion(version); }

  // The validator set that runs consensus after committed block `h`: the set in the state `h`
  // certifies (gov/validators at version h.exec_height). A block ends its epoch exactly when this
  // set's epoch is above h.epoch, so the header that ends an epoch certifies the next set, and
  // light clients can follow the change (docs/consensus.md, "Epochs"). Written versions only
  // (kNotFound above height()); ExecutionStage answers for committed, unwritten ones. Any thread.
  Result<ValidatorSet> ValidatorsAfter(const BlockHeader& h) const {
    return ValidatorsAt(h.exec_height);
  }
  // The validator set in written state version `version`. Any thread.
  Result<ValidatorSet> ValidatorsAt(uint64_t version) const;
  // ValidatorsAfter(the tip's header): the set of the epoch the next block belongs to.
  Result<ValidatorSet> ValidatorsAfterTip() const;

  // Blocks consensus voted for but has not committed (durable before the vote is sent); they
  // are handed back to consensus after a restart and deleted once committed or passed.
  Status WritePendingBlock(const Block& block);
  // Voted blocks and the safety state in one synced write (ChainStore::WriteVoteRecords).
  Status WriteVoteRecords(std::span<const Block* const> voted, const std::optional<Bytes>& safety);
  Result<std::vector<Block>> PendingBlocks() const;  // above the tip, by height
  // The consensus proof that ended `epoch` (consensus::EpochProof, encoded as a message).
  Status WriteEpochProof(uint64_t epoch, ByteView proof);
  Result<std::optional<Bytes>> EpochProof(uint64_t epoch) const;

  // Runs `fn` over the latest written version and its height on the caller's thread, through a
  // view of its own (a failed read is this call's error, seen by no other reader and never by
  // execution); no block is written meanwhile (CommitExecuted waits). Any thread.
  Status ReadLatest(
      const std::function<Status(const contracts::StateView&, uint64_t height)>& fn) const;
  const StateTree& tree() const { return store_->state(); }
  const BlockStore& blocks() const { return store_->blocks(); }
  const ChainStore& store() const { return *store_; }
  // The signer's next nonce in the latest written state. Any thread (through ReadLatest).
  Result<uint64_t> NextNonce(const PublicKey& signer) const;

  const contracts::ContractRegistry& registry() const { return registry_; }

  // Called by CommitExecuted with each written state version and the block's state changes,
  // under the exclusive lock: after the version is written, before any ReadLatest sees it (the
  // signer cache, signer_cache.h). Set it before the first commit; it must be quick and must not
  // call the ledger.
  using StateWrittenFn =
      std::function<void(uint64_t height, const std::vector<contracts::StateChange>& changes)>;
  void SetStateWrittenObserver(StateWrittenFn fn) { state_written_ = std::move(fn); }

 private:
  Ledger(std::unique_ptr<ChainStore> store, contracts::Genesis genesis,
         contracts::ContractRegistry registry);
  Status Init();

  std::unique_ptr<ChainStore> store_;
  contracts::Genesis genesis_;
  Block genesis_block_;
  contracts::ContractRegistry registry_;
  std::atomic<uint64_t> height_{0};
  // Shared by ReadLatest, exclusive around CommitExecuted's write (tree version + height).
  mutable std::shared_mutex read_mu_;
  mutable std::mutex tip_mu_;
  Hash256 tip_id_;  // guarded by tip_mu_
  StateWrittenFn state_written_;
};

}  // namespace tidemark::node
