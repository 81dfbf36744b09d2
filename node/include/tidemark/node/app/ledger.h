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
// Thread safety: reads may run on any thread, concurrently with one writer. Commit and
// WriteSafety must be called by one thread at a time (the consensus driver).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
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

  // Executes and durably commits the block that follows the tip.
  Result<std::vector<Receipt>> Commit(const Block& block, const QuorumCert& cert,
                                      const std::optional<Bytes>& safety_record);

  // The two halves of Commit, for consensus, which learns that blocks are committed (and must
  // know whether one ends an epoch) before it hands over their certificate:
  // Execute runs the block that follows the last executed one over the committed state plus the
  // executed-but-unwritten blocks; CommitExecuted writes the oldest executed block durably.
  Result<BlockExecution> Execute(const Block& block);
  Status CommitExecuted(const Block& block, const BlockExecution& exec, const QuorumCert& cert,
                        const std::optional<Bytes>& safety_record);
  // Highest executed height (>= height(); greater while executed blocks await their write).
  uint64_t executed_height() const;
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
  // light clients can follow the change (docs/consensus.md, "Epochs"). An exec_height above
  // height() (executed, not yet written) is answered on the writer thread only.
  Result<ValidatorSet> ValidatorsAfter(const BlockHeader& h) const;
  // ValidatorsAfter(the tip's header): the set of the epoch the next block belongs to.
  Result<ValidatorSet> ValidatorsAfterTip() const;

  // Blocks consensus voted for but has not committed (durable before the vote is sent); they
  // are handed back to consensus after a restart and deleted once committed or passed.
  Status WritePendingBlock(const Block& block);
  Result<std::vector<Block>> PendingBlocks() const;  // above the tip, by height
  // The consensus proof that ended `epoch` (consensus::EpochProof, encoded as a message).
  Status WriteEpochProof(uint64_t epoch, ByteView proof);
  Result<std::optional<Bytes>> EpochProof(uint64_t epoch) const;

  // Committed state as contracts see it (reads the latest version; writes are refused). Writer
  // thread only: the view is one-thread-at-a-time (other threads use ReadLatest).
  contracts::StateView& state() { return *view_; }
  // Runs `fn` over the latest written version and its height on the caller's thread; no block
  // is written meanwhile (CommitExecuted waits). Any thread.
  Status ReadLatest(
      const std::function<Status(const contracts::StateView&, uint64_t height)>& fn) const;
  const StateTree& tree() const { return store_->state(); }
  const BlockStore& blocks() const { return store_->blocks(); }
  const ChainStore& store() const { return *store_; }
  // The signer's next nonce in the latest written state. Any thread (a fresh view under the
  // read lock, like ReadLatest).
  Result<uint64_t> NextNonce(const PublicKey& signer) const;
  // The state the next block executes over: the latest written version plus the executed but
  // not yet written blocks. What consensus validates proposals against. Writer thread only (the
  // consensus driver's strand), like Execute.
  const contracts::StateView& ExecutedState() const;

  const contracts::ContractRegistry& registry() const { return registry_; }

 private:
  Ledger(std::unique_ptr<ChainStore> store, contracts::Genesis genesis,
         contracts::ContractRegistry registry);
  Status Init();

  std::unique_ptr<ChainStore> store_;
  contracts::Genesis genesis_;
  Block genesis_block_;
  contracts::ContractRegistry registry_;
  std::unique_ptr<contracts::StateView> view_;
  std::atomic<uint64_t> height_{0};
  // Executed, not yet written (writer thread only): their changes, over the committed view.
  std::unique_ptr<contracts::OverlayStateView> pending_;
  std::vector<Hash256> pending_ids_;
  std::map<uint64_t, Bytes> pending_sets_;  // writer thread only: gov/validators they wrote
  // Shared by ReadLatest, exclusive around CommitExecuted's write (tree version + height).
  mutable std::shared_mutex read_mu_;
  mutable std::mutex tip_mu_;
  Hash256 tip_id_;  // guarded by tip_mu_
};

}  // namespace tidemark::node
