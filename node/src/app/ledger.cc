#include "tidemark/node/app/ledger.h"

#include <algorithm>
#include <cstdlib>

#include "tidemark/merkle.h"
#include "tidemark/proof_bundle.h"
#include "tidemark/node/app/executor.h"
#include "tidemark/node/state/tree_state_view.h"
#include "tidemark/node/storage/key_layout.h"

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

Ledger::Ledger(std::unique_ptr<KvStore> kv, contracts::Genesis genesis,
               contracts::ContractRegistry registry)
    : kv_(std::move(kv)), genesis_(std::move(genesis)), registry_(std::move(registry)),
      tree_(*kv_) {}

Result<std::unique_ptr<Ledger>> Ledger::Open(std::unique_ptr<KvStore> kv,
                                             const contracts::Genesis& genesis,
                                             contracts::ContractRegistry registry) {
  TM_RETURN_IF_ERROR(genesis.Validate());
  std::unique_ptr<Ledger> l(new Ledger(std::move(kv), genesis, std::move(registry)));
  TM_RETURN_IF_ERROR(l->Init());
  return l;
}

Status Ledger::Init() {
  // The genesis state, computed in memory: its root names the chain.
  contracts::MemStateView genesis_state;
  TM_RETURN_IF_ERROR(contracts::WriteGenesisState(genesis_, genesis_state));
  std::vector<StateChange> changes;
  for (const auto& [k, v] : genesis_state.entries()) {
    changes.push_back({Bytes(k.begin(), k.end()), v});
  }
  TM_ASSIGN_OR_RETURN(blocks_, BlockStore::Open(*kv_));
  TM_ASSIGN_OR_RETURN(std::optional<CommitTip> tip, blocks_->Tip());
  if (!tip) {
    TM_ASSIGN_OR_RETURN(StateUpdate up, tree_.ApplyChanges(0, changes));
    genesis_block_ = GenesisBlock(genesis_, up.root);
    TM_ASSIGN_OR_RETURN(WriteBatch batch,
                        blocks_->PrepareCommit(genesis_block_, QuorumCert{}, {}, up, std::nullopt));
    batch.Put(AsBytes(keys::ExecResult(0)), MerkleEmptyRoot().view());
    TM_RETURN_IF_ERROR(blocks_->Commit(batch));
    tip = CommitTip{0, genesis_block_.Id()};
  } else {
    TM_ASSIGN_OR_RETURN(std::optional<Block> stored, blocks_->BlockAt(0));
    TM_ASSIGN_OR_RETURN(Hash256 root0, tree_.Root(0));
    genesis_block_ = GenesisBlock(genesis_, root0);
    if (!stored || stored->Id() != genesis_block_.Id()) {
      return Status::FailedPrecondition(
          "the data directory holds another chain (its genesis block differs from the genesis "
          "file); use an empty data directory");
    }
  }
  height_ = tip->height;
  {
    std::string prefix(1, keys::kPendingBlock);
    TM_ASSIGN_OR_RETURN(auto rows, kv_->Scan({.prefix = AsBytes(prefix), .limit = 4096}));
    for (const auto& row : rows) {
      if (auto b = Block::Decode(row.value); b.ok()) voted_blocks_[b->Id()] = b->header.height;
    }
  }
  std::lock_guard l(tip_mu_);
  tip_id_ = tip->block_id;
  return Status::Ok();
}

Hash256 Ledger::tip_id() const {
  std::lock_guard l(tip_mu_);
  return tip_id_;
}

Result<Block> Ledger::TipBlock() const {
  TM_ASSIGN_OR_RETURN(std::optional<Block> b, blocks_->BlockAt(height()));
  if (!b) return Status::Corruption("tip block missing");
  return std::move(*b);
}

Result<std::vector<Receipt>> Ledger::Commit(const Block& block, const QuorumCert& cert,
                                            const std::optional<Bytes>& safety_record) {
  if (block.header.height != height() + 1) {
    return Status::FailedPrecondition("block " + std::to_string(block.header.height) +
                                      " does not follow the tip " + std::to_string(height()));
  }
  TreeStateView latest(tree_);
  BlockExecution exec = ExecuteBlock(registry_, latest, block);
  // A read that failed under execution must never become a tx outcome: nothing is written.
  TM_RETURN_IF_ERROR(latest.status().WithContext("executing block " +
                                                 std::to_string(block.header.height)));
  TM_RETURN_IF_ERROR(CommitExecuted(block, exec, cert, safety_record));
  return std::move(exec.receipts);
}

Status Ledger::CommitExecuted(const Block& block, const BlockExecution& exec,
                              const QuorumCert& cert, const std::optional<Bytes>& safety_record) {
  if (block.header.height != height() + 1 || block.header.parent != tip_id()) {
    return Status::FailedPrecondition("block " + std::to_string(block.header.height) +
                                      " does not follow the tip " + std::to_string(height()));
  }
  TM_ASSIGN_OR_RETURN(StateUpdate up,
                      tree_.ApplyChanges(block.header.height, ToStateChanges(exec.changes)));
  TM_ASSIGN_OR_RETURN(WriteBatch batch,
                      blocks_->PrepareCommit(block, cert, exec.receipts, up, safety_record));
  batch.Put(AsBytes(keys::ExecResult(block.header.height)), exec.receipts_root.view());
  std::vector<Hash256> passed;
  for (const auto& [id, h] : voted_blocks_) {
    if (h <= block.header.height) {
      batch.Delete(AsBytes(keys::PendingBlock(id)));
      passed.push_back(id);
    }
  }
  {
    std::unique_lock readers(read_mu_);
    TM_RETURN_IF_ERROR(blocks_->Commit(batch));
    height_ = block.header.height;
  }
  for (const auto& id : passed) voted_blocks_.erase(id);
  {
    std::lock_guard l(tip_mu_);
    tip_id_ = block.Id();
  }
  return Status::Ok();
}

Status Ledger::ReadLatest(
    const std::function<Status(const contracts::StateView&, uint64_t height)>& fn) const {
  std::shared_lock readers(read_mu_);
  TreeStateView view(tree_);
  Status s = fn(view, height());
  TM_RETURN_IF_ERROR(view.status());
  return s;
}

Result<ExecInfo> Ledger::ExecAt(uint64_t height) const {
  if (height > this->height()) return Status::NotFound("height not executed yet");
  TM_ASSIGN_OR_RETURN(Hash256 root, tree_.Root(height));
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> rr, kv_->Get(AsBytes(keys::ExecResult(height))));
  if (!rr) return Status::NotFound("no execution record at height " + std::to_string(height));
  TM_ASSIGN_OR_RETURN(Hash256 receipts_root, Hash256::FromView(*rr));
  return ExecInfo{height, root, receipts_root};
}

Status Ledger::WritePendingBlock(const Block& block) {
  WriteBatch b;
  b.Put(AsBytes(keys::PendingBlock(block.Id())), block.Encode());
  TM_RETURN_IF_ERROR(kv_->Write(b, /*sync=*/true));
  voted_blocks_[block.Id()] = block.header.height;
  return Status::Ok();
}

Result<std::vector<Block>> Ledger::PendingBlocks() const {
  std::string prefix(1, keys::kPendingBlock);
  TM_ASSIGN_OR_RETURN(auto rows, kv_->Scan({.prefix = AsBytes(prefix), .limit = 4096}));
  std::vector<Block> out;
  for (const auto& row : rows) {
    auto b = Block::Decode(row.value);
    if (!b.ok()) return Status::Corruption("pending block: " + b.status().message());
    if (b->header.height > height()) out.push_back(std::move(*b));
  }
  std::sort(out.begin(), out.end(),
            [](const Block& a, const Block& b) { return a.header.height < b.header.height; });
  return out;
}

Result<ValidatorSet> Ledger::ValidatorsAt(uint64_t version) const {
  if (version > height()) {
    return Status::NotFound("state version " + std::to_string(version) + " is not written yet");
  }
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw,
                      tree_.GetAt(version, AsBytes(kValidatorSetStateKey)));
  if (!raw) return Status::Corruption("no validator set in the state of height " +
                                      std::to_string(version));
  auto set = ValidatorSet::Decode(*raw);
  if (!set.ok()) return Status::Corruption("validator set of height " + std::to_string(version) +
                                           ": " + set.status().message());
  return std::move(*set);
}

Result<ValidatorSet> Ledger::ValidatorsAfterTip() const {
  TM_ASSIGN_OR_RETURN(Block tip, TipBlock());
  return ValidatorsAfter(tip.header);
}

Status Ledger::WriteEpochProof(uint64_t epoch, ByteView proof) {
  WriteBatch b;
  b.Put(AsBytes(keys::EpochProof(epoch)), proof);
  return kv_->Write(b, /*sync=*/true);
}

Result<std::optional<Bytes>> Ledger::EpochProof(uint64_t epoch) const {
  return kv_->Get(AsBytes(keys::EpochProof(epoch)));
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
