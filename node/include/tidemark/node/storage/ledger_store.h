// ledger_store.h — the node's storage in one object: a KvStore, the block store and the state
// tree over it, and the one-call atomic block commit.
//
//   TM_ASSIGN_OR_RETURN(std::unique_ptr<LedgerStore> ledger,
//                       LedgerStore::OpenLevelDb(data_dir + "/db", {}));   // runs recovery
//   // after executing committed block h (changes: sorted, one per key):
//   TM_ASSIGN_OR_RETURN(Hash256 root,
//                       ledger->CommitBlock(block, cert, receipts, changes, safety_record));
//   TM_ASSIGN_OR_RETURN(CertifiedStateProof p, ledger->ProveCertified(key));  // serve a proof
//   TM_RETURN_IF_ERROR(ledger->Prune(/*keep_last=*/1000));                  // optional GC
//
// Thread safety: CommitBlock, WriteSafetyRecord and Prune serialise on an internal mutex (one
// writer at a time); blocks() and state() may be read from any thread at any time.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tidemark/node/state/state_tree.h"
#include "tidemark/node/storage/block_store.h"
#include "tidemark/node/storage/kv_store.h"
#include "tidemark/node/storage/leveldb_kv_store.h"

namespace tidemark::node {

class LedgerStore {
 public:
  // Takes ownership of `kv`; fails with kCorruption if the tip is incomplete (BlockStore::Recover).
  static Result<std::unique_ptr<LedgerStore>> Open(std::unique_ptr<KvStore> kv);
  static Result<std::unique_ptr<LedgerStore>> OpenLevelDb(const std::string& dir,
                                                          const LevelDbOptions& options);

  // Applies `changes` as state version block.header.height and commits the block with its
  // certificate, receipts and (optionally) the consensus safety record in one synced write.
  // Returns the new state root. Nothing is written unless everything is valid.
  Result<Hash256> CommitBlock(const Block& block, const QuorumCert& cert,
                              const std::vector<Receipt>& receipts,
                              std::span<const StateChange> changes,
                              const std::optional<Bytes>& safety_record);
  // Durable on return: call before sending a vote.
  Status WriteSafetyRecord(ByteView record);
  // Deletes state versions older than the last `keep_last` committed heights (keep_last >= 1),
  // in bounded batches. Blocks, receipts and indexes are kept.
  Status Prune(uint64_t keep_last);

  // A proof of `key` that a client can check with only the validator set: the tip block's
  // header (whose state_root is the state after block exec_height), its commit certificate, and
  // the state proof at version exec_height. kInternal if our root for exec_height differs from
  // the certified one (our execution diverged: the node must stop).
  Result<CertifiedStateProof> ProveCertified(ByteView key) const;

  const BlockStore& blocks() const { return blocks_; }
  const StateTree& state() const { return state_; }
  KvStore& kv() { return *kv_; }

 private:
  explicit LedgerStore(std::unique_ptr<KvStore> kv)
      : kv_(std::move(kv)), blocks_(*kv_), state_(*kv_) {}

  std::mutex write_mu_;  // serialises the writers
  std::unique_ptr<KvStore> kv_;
  BlockStore blocks_;
  StateTree state_;
};

}  // namespace tidemark::node
