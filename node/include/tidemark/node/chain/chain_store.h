// chain_store.h — the node's one durable store: committed blocks, certificates, receipts and
// indexes (BlockStore), the authenticated state (StateTree), execution records, voted and
// uncommitted blocks, epoch proofs and the consensus safety record, all on one KvStore; the one
// place that builds a block's WriteBatch and the one place that prunes old state versions.
//
//   TM_ASSIGN_OR_RETURN(std::unique_ptr<ChainStore> store,
//                       ChainStore::OpenLevelDb(dir, {}, {.retain_versions = 1000}));
//   // after executing committed block h (changes: sorted, one per key):
//   TM_ASSIGN_OR_RETURN(Hash256 root,
//                       store->Commit(block, cert, receipts, changes,
//                                     {.receipts_root = r, .safety_record = s}));
//   TM_ASSIGN_OR_RETURN(CertifiedStateProof p, store->ProveCertified(key));  // serve a proof
//   TM_ASSIGN_OR_RETURN(StateProof q, store->ProveAt(h, key));  // kGone once h is pruned
//
// Commit writes ONE synced batch: the state version's nodes, stale index, root and flat index;
// the block, its id index, certificate, tx / signer indexes and receipts; the execution record
// (`E`: receipts root and state root of the height); the deletion of voted blocks it passed; the
// safety record if given; the pin of an epoch boundary; one bounded step of state GC and its
// progress record; the new tip. A crash leaves the store at the old tip or the new one.
//
// Retention (docs/storage.md, "Retention"): with retain_versions = N > 0 the store keeps state
// versions max(0, tip + 1 - N) .. tip, never above the version the tip's header certifies, plus
// every pinned version: 0 (genesis) and the version an epoch's last header certifies (the one
// holding the next validator set). Each commit deletes at most a bounded number of stale nodes
// (at least twice what it added, so the backlog shrinks). Reads and proofs of a pruned version
// answer kGone. N = 0 keeps every version.
//
// Thread safety: writers (Commit, Write*, Prune) serialise on an internal mutex; every read may
// run on any thread concurrently with them (versioned reads use a KvStore snapshot).
#pragma once

#include <array>
#include <cstdint>
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
#include "tidemark/proof_bundle.h"
#include "tidemark/state_proof.h"
#include "tidemark/types.h"

namespace tidemark::node {

struct ChainStoreOptions {
  // Keep the state versions of the last `retain_versions` heights (and the pinned ones); 0 keeps
  // every version. The node's default comes from node.json (`storage.retain_versions`).
  uint64_t retain_versions = 0;
  // GC budget of one commit: stale-index entries and roots examined, at least this many and at
  // least twice the stale entries the block itself adds.
  size_t gc_entries_per_commit = 1024;
  // Slots of the writer's node cache (NodeCache, ~270 bytes each): the state tree's upper
  // floor(log2(slots + 1)) levels stay decoded in memory between blocks — 17 levels, ~35 MB, by
  // default. 0 disables the cache.
  size_t node_cache_entries = 1 << 17;
};

// What executing block `height` produced: the roots a later header certifies (exec_height).
struct ExecInfo {
  uint64_t height = 0;
  Hash256 state_root;
  Hash256 receipts_root;
};

// The records of a block's batch beyond block, certificate, receipts and state changes.
struct CommitRecords {
  Hash256 receipts_root;               // the execution record E | height
  std::optional<Bytes> safety_record;  // consensus safety state, durable with the block
  // The block is the last of its epoch: its header certifies the next validator set, so state
  // version header.exec_height is pinned (kept by the GC forever).
  bool ends_epoch = false;
};

// What a block's batch writes, by kind of record (key_layout.h), for /metrics
// (tidemark_storage_batch_bytes_total{record=...}).
enum class RecordKind : uint8_t {
  kTreeNodes,  // N
  kStaleSets,  // Z
  kFlatIndex,  // S (state values, index keys)
  kBlocks,     // B, and the deletes of voted blocks P
  kReceipts,   // X
  kTxIndexes,  // T, A, I
  kOther,      // C, E, R, V, M, Q
  kCount
};
const char* RecordKindName(RecordKind kind);
RecordKind RecordKindOf(ByteView key);

// Where the time of one Commit went, in seconds, and what it wrote (pipeline metrics).
struct CommitTimings {
  double tree_update_seconds = 0;  // applying the changes to the state tree (new nodes, root)
  double write_seconds = 0;        // building the batch and LevelDB's write, less its fsync
  double sync_seconds = 0;         // the fsync that makes the batch durable
  uint64_t bytes_written = 0;      // keys and values of the batch
  std::array<uint64_t, static_cast<size_t>(RecordKind::kCount)> bytes_by_record{};  // the same
  uint64_t node_cache_hits = 0;  // internal tree nodes the update found in the node cache
  uint64_t node_loads = 0;       // internal tree nodes it read from the store
};

class ChainStore {
 public:
  // Takes ownership of `kv`; runs recovery (kCorruption if the tip is incomplete).
  static Result<std::unique_ptr<ChainStore>> Open(std::unique_ptr<KvStore> kv,
                                                  ChainStoreOptions options = {});
  static Result<std::unique_ptr<ChainStore>> OpenLevelDb(const std::string& dir,
                                                         const LevelDbOptions& kv_options,
                                                         ChainStoreOptions options = {});

  // Applies `changes` as state version block.header.height and commits the block with
  // everything listed above in one synced write. Returns the new state root. Nothing is written
  // unless everything is valid (the block follows the tip, the certificate commits it, one
  // receipt per tx, changes sorted and within limits). `timings`, if given, is filled when the
  // batch was written.
  Result<Hash256> Commit(const Block& block, const QuorumCert& cert,
                         const std::vector<Receipt>& receipts, std::span<const StateChange> changes,
                         const CommitRecords& records, CommitTimings* timings = nullptr);

  // Durable on return: call before sending a vote.
  Status WriteSafetyRecord(ByteView record);
  Result<std::optional<Bytes>> SafetyRecord() const { return blocks_.SafetyRecord(); }
  // Blocks voted for but not committed (durable before the vote); Commit deletes those at or
  // below its height. PendingBlocks: those above the tip, by height.
  Status WritePendingBlock(const Block& block);
  // Both in one synced write: the voted blocks (as WritePendingBlock) and, if given, the safety
  // record. A vote costs one fsync instead of two.
  Status WriteVoteRecords(std::span<const Block* const> voted, const std::optional<Bytes>& safety);
  Result<std::vector<Block>> PendingBlocks() const;
  // The consensus proof that ended `epoch` (opaque bytes).
  Status WriteEpochProof(uint64_t epoch, ByteView proof);
  Result<std::optional<Bytes>> EpochProof(uint64_t epoch) const;

  // Runs the state GC to completion for "keep the last `keep_last` versions" (>= 1; at least
  // the tip header's exec_height is kept, and pinned versions), in bounded unsynced batches.
  // Blocks, receipts, indexes and execution records are kept. Tools and tests; the node prunes
  // a bounded step per commit instead.
  Status Prune(uint64_t keep_last);

  // The tip's execution record at `height` (kept for every height, pruned or not).
  Result<ExecInfo> ExecAt(uint64_t height) const;
  // OK if state version `version` is retained; kGone if it was pruned; kNotFound above the
  // tip. Messages name the version and the retention.
  Status CheckVersion(uint64_t version) const;
  // A proof of `key` at a retained version, read from one snapshot; kGone once pruned.
  Result<StateProof> ProveAt(uint64_t version, ByteView key) const;
  // A proof of `key` that a client can check with only the validator set: the tip block's
  // header (whose state_root is the state after block exec_height), its commit certificate, and
  // the state proof at version exec_height. kUnavailable on an empty store; kInternal if our
  // root for exec_height differs from the certified one (our execution diverged).
  Result<CertifiedStateProof> ProveCertified(ByteView key) const;

  // Every version below this one is pruned unless pinned (0 when nothing was pruned).
  uint64_t oldest_retained() const;
  std::vector<uint64_t> pinned_versions() const;  // ascending, 0 first
  const ChainStoreOptions& options() const { return options_; }

  const BlockStore& blocks() const { return blocks_; }
  const StateTree& state() const { return state_; }
  KvStore& kv() { return *kv_; }

 private:
  struct GcProgress {
    uint64_t oldest_kept = 0;  // the GC's target: versions below are pruned unless pinned
    uint64_t roots_from = 0;
    std::optional<Bytes> stale_after;
  };

  ChainStore(std::unique_ptr<KvStore> kv, ChainStoreOptions options)
      : kv_(std::move(kv)),
        options_(options),
        blocks_(*kv_),
        node_cache_(options.node_cache_entries),
        state_(*kv_, &node_cache_) {}
  Status Load();
  // The GC target after committing a block at `height` whose header certifies `exec_height`.
  std::optional<uint64_t> TargetAfter(uint64_t height, uint64_t exec_height,
                                      uint64_t keep_last) const;
  // One GC step towards `target`, appended to `batch`; returns the progress to record and sets
  // `done` when nothing is left to collect for that target.
  Result<GcProgress> GcInto(uint64_t target, size_t budget, WriteBatch* batch, bool* done) const;
  static Bytes EncodeGc(const GcProgress& p);
  bool IsPinned(uint64_t version) const;  // REQUIRES: meta_mu_ held

  std::unique_ptr<KvStore> kv_;
  const ChainStoreOptions options_;
  BlockStore blocks_;
  NodeCache node_cache_;  // the writer's (state_ uses it in ApplyChanges only)
  StateTree state_;

  // One commit (or explicit Prune) at a time: the state tree's single writer. Held across the
  // tree update; write_mu_ only around the batch's write, so that a vote's records (written by
  // the consensus strand while the execution stage's writer commits) never wait for a tree
  // update — only for the other write's fsync.
  std::mutex commit_mu_;
  std::mutex write_mu_;                              // serialises the writes
  std::vector<std::pair<Hash256, uint64_t>> voted_;  // guarded by write_mu_: P rows on disk

  mutable std::mutex meta_mu_;  // guards the two below (read by any thread)
  GcProgress gc_;
  std::vector<uint64_t> pinned_;  // ascending, always holds 0
};

}  // namespace tidemark::node
