#include "tidemark/node/app/ledger.h"

#include <algorithm>
#include <cstdlib>

#include "tidemark/merkle.h"
#include "tidemark/node/app/executor.h"
#include "tidemark/node/state/tree_state_view.h"
#include "tidemark/proof_bundle.h"

namespace tidemark::node {

Block GenesisBlock(const contracts::Genesis& genesis, const Hash256& genesis_state_root) {
  Block b;
  b.header.chain_id = genesis.chain_id;
  b.header.timestamp_ms = genesis.genesis_time_ms;
  b.header.justify_hash = b.justify.Hash();
  b.header.tx_root = MerkleEmptyRoot();
  b.header.state_root = genesis_state_root;
  b.header.receipts_root = MerkleEmptyRoot();
  b.header.validators_hash = genesis.Validators().Hash();
  return b;
}

Ledger::Ledger(std::unique_ptr<ChainStore> store, contracts::Genesis genesis,
               contracts::ContractRegistry registry)
    : store_(std::move(store)), genesis_(std::move(genesis)), registry_(std::move(registry)) {}

Result<std::unique_ptr<Ledger>> Ledger::Open(std::unique_ptr<KvStore> kv,
                                             const contracts::Genesis& genesis,
                                             contracts::ContractRegistry registry,
                                             ChainStoreOptions store_options) {
  TM_RETURN_IF_ERROR(genesis.Validate());
  TM_ASSIGN_OR_RETURN(std::unique_ptr<ChainStore> store,
                      ChainStore::Open(std::move(kv), store_options));
  std::unique_ptr<Ledger> l(new Ledger(std::move(store), genesis, std::move(registry)));
  TM_RETURN_IF_ERROR(l->Init());
  return l;
}

Status Ledger::Init() {
  // The genesis state, computed in memory: its root names the chain.
  contracts::MemStateView genesis_state;
  TM_RETURN_IF_ERROR(contracts::WriteGenesisState(genesis_, genesis_state));
  std::vector<StateChange> changes;
  for (const auto& [k, v] : genesis_state.entries()) {
    changes.push_back(ToStateChange(k, v));
  }
  TM_ASSIGN_OR_RETURN(std::optional<CommitTip> tip, store_->blocks().Tip());
  if (!tip) {
    TM_ASSIGN_OR_RETURN(StateUpdate up, store_->state().ApplyChanges(0, changes));  // reads only
    genesis_block_ = GenesisBlock(genesis_, up.root);
    TM_RETURN_IF_ERROR(store_
                           ->Commit(genesis_block_, QuorumCert{}, {}, changes,
                                    {.receipts_root = MerkleEmptyRoot()})
                           .status());
    tip = CommitTip{0, genesis_block_.Id()};
  } else {
    TM_ASSIGN_OR_RETURN(std::optional<Block> stored, store_->blocks().BlockAt(0));
    TM_ASSIGN_OR_RETURN(Hash256 root0, store_->state().Root(0));  // version 0 is always pinned
    genesis_block_ = GenesisBlock(genesis_, root0);
    if (!stored || stored->Id() != genesis_block_.Id()) {
      return Status::FailedPrecondition(
          "the data directory holds another chain (its genesis block differs from the genesis "
          "file); use an empty data directory");
    }
  }
  height_ = tip->height;
  std::lock_guard l(tip_mu_);
  tip_id_ = tip->block_id;
  return Status::Ok();
}

Hash256 Ledger::tip_id() const {
  std::lock_guard l(tip_mu_);
  return tip_id_;
}

Result<Block> Ledger::TipBlock() const {
  TM_ASSIGN_OR_RETURN(std::optional<Block> b, store_->blocks().BlockAt(height()));
  if (!b) return Status::Corruption("tip block missing");
  return std::move(*b);
}

Result<std::vector<Receipt>> Ledger::Commit(const Block& block, const QuorumCert& cert,
                                            const std::optional<Bytes>& safety_record) {
  if (block.header.height != height() + 1) {
    return Status::FailedPrecondition("block " + std::to_string(block.header.height) +
                                      " does not follow the tip " + std::to_string(height()));
  }
  TreeStateView latest(store_->state());
  BlockExecution exec = ExecuteBlock(registry_, latest, block);
  // A read that failed under execution must never become a tx outcome: nothing is written.
  TM_RETURN_IF_ERROR(
      latest.status().WithContext("executing block " + std::to_string(block.header.height)));
  TM_RETURN_IF_ERROR(CommitExecuted(block, exec, cert, safety_record));
  return std::move(exec.receipts);
}

Status Ledger::CommitExecuted(const Block& block, const BlockExecution& exec,
                              const QuorumCert& cert, const std::optional<Bytes>& safety_record,
                              CommitTimings* timings) {
  if (block.header.height != height() + 1 || block.header.parent != tip_id()) {
    return Status::FailedPrecondition("block " + std::to_string(block.header.height) +
                                      " does not follow the tip " + std::to_string(height()));
  }
  // The block that ends its epoch has its certified state version pinned (kept by the GC): the
  // epoch chain proves the next validator set there (docs/storage.md, "Retention").
  TM_ASSIGN_OR_RETURN(ValidatorSet after, ValidatorsAfter(block.header));
  CommitRecords records{.receipts_root = exec.receipts_root,
                        .safety_record = safety_record,
                        .ends_epoch = after.epoch > block.header.epoch};
  std::vector<StateChange> changes = ToStateChanges(exec.changes);
  {
    std::unique_lock readers(read_mu_);
    TM_RETURN_IF_ERROR(
        store_->Commit(block, cert, exec.receipts, changes, records, timings).status());
    height_ = block.header.height;
    if (state_written_) state_written_(block.header.height, exec.changes);
  }
  {
    std::lock_guard l(tip_mu_);
    tip_id_ = block.Id();
  }
  return Status::Ok();
}

Status Ledger::ReadLatest(
    const std::function<Status(const contracts::StateView&, uint64_t height)>& fn) const {
  std::shared_lock readers(read_mu_);
  TreeStateView view(store_->state());
  Status s = fn(view, height());
  TM_RETURN_IF_ERROR(view.status());
  return s;
}

Result<ExecInfo> Ledger::ExecAt(uint64_t height) const {
  if (height > this->height()) return Status::NotFound("height not executed yet");
  return store_->ExecAt(height);
}

Status Ledger::WritePendingBlock(const Block& block) { return store_->WritePendingBlock(block); }
Status Ledger::WriteVoteRecords(std::span<const Block* const> voted,
                                const std::optional<Bytes>& safety) {
  return store_->WriteVoteRecords(voted, safety);
}

Result<std::vector<Block>> Ledger::PendingBlocks() const { return store_->PendingBlocks(); }

Result<ValidatorSet> Ledger::ValidatorsAt(uint64_t version) const {
  if (version > height()) {
    return Status::NotFound("state version " + std::to_string(version) + " is not written yet");
  }
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw,
                      store_->state().GetAt(version, AsBytes(kValidatorSetStateKey)));
  if (!raw)
    return Status::Corruption("no validator set in the state of height " + std::to_string(version));
  auto set = ValidatorSet::Decode(*raw);
  if (!set.ok())
    return Status::Corruption("validator set of height " + std::to_string(version) + ": " +
                              set.status().message());
  return std::move(*set);
}

Result<ValidatorSet> Ledger::ValidatorsAfterTip() const {
  TM_ASSIGN_OR_RETURN(Block tip, TipBlock());
  return ValidatorsAfter(tip.header);
}

Status Ledger::WriteEpochProof(uint64_t epoch, ByteView proof) {
  return store_->WriteEpochProof(epoch, proof);
}

Result<std::optional<Bytes>> Ledger::EpochProof(uint64_t epoch) const {
  return store_->EpochProof(epoch);
}

Result<uint64_t> Ledger::NextNonce(const PublicKey& signer) const {
  uint64_t next = 0;
  TM_RETURN_IF_ERROR(ReadLatest([&](const contracts::StateView& view, uint64_t) {
    next = contracts::NextNonce(view, signer);
    return Status::Ok();
  }));
  return next;
}

}  // namespace tidemark::node
