// state_tree.h — the authenticated, versioned state: a sparse Merkle tree over SHA-256(key)
// (hashing and proofs in tidemark/state_proof.h), plus a flat index of current values.
//
// Version h is the state after executing block h. ApplyChanges computes version h from version
// h-1 and returns the new root with the KvStore writes, WITHOUT writing: the caller puts them in
// the block's single WriteBatch (ChainStore::Commit), so state, block and receipts land
// together or not at all.
//
//   StateTree tree(store);
//   std::vector<StateChange> changes = {{.key = k1, .value = v1}, {.key = k2}};  // k2 deleted
//   TM_ASSIGN_OR_RETURN(StateUpdate up, tree.ApplyChanges(h, changes));
//   ... batch.Append(up.writes) with the block's other writes ... store.Write(batch, true);
//   TM_ASSIGN_OR_RETURN(StateProof proof, tree.Prove(h, k1));  // VerifyStateProof(up.root, ...)
//
// Thread safety: a StateTree holds no mutable state; every method is const and may run
// concurrently with any other, as the KvStore is thread-safe. Versions are immutable once
// written, so reads of a written version are consistent. Writers must be serialised by the
// caller (single writer): write the result of ApplyChanges(h) before calling ApplyChanges(h+1).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "tidemark/node/state/node_cache.h"
#include "tidemark/node/state/smt_node.h"
#include "tidemark/node/storage/kv_store.h"
#include "tidemark/state_proof.h"

namespace tidemark::node {

struct StateChange {
  Bytes key;
  std::optional<Bytes> value;  // nullopt deletes the key
  // false: an index key (state_keys::prov::IsIndexKey), written to the flat index only — not
  // hashed into the root, so GetAt and Prove never see it (docs/storage.md, "Index keys").
  bool in_tree = true;
};

// The flat index (S | key) holds a value of more than this many bytes that the tree also holds
// as a reference to the key's leaf (13 bytes), not a second copy (docs/storage.md, "Flat
// records"): a capture's event record is written once, not twice.
inline constexpr size_t kFlatInlineMax = 48;

struct NewInternalNode {
  NodeRef ref, left, right;
  size_t depth = 0;  // its position: depth and any key hash below it (NodeCache::Put)
  Hash256 path;
};

struct StateUpdate {
  uint64_t height = 0;
  Hash256 root;
  WriteBatch writes;       // new nodes, stale-node index, root of `height`, flat value index
  size_t stale_nodes = 0;  // entries this version added to the stale-node index
  // The internal nodes created, when the tree has a cache: the caller puts them in it once the
  // writes are on disk (NodeCache::Put), never before — a version that is not written must not
  // leave nodes in the cache that the store does not hold.
  std::vector<NewInternalNode> new_internal;
};

// One bounded step of the stale-node garbage collection (StateTree::PrepareGcStep). The versions
// kept are every version >= oldest_kept and every version in `pinned`; a node is deleted only
// when no kept version references it.
struct GcRequest {
  uint64_t oldest_kept = 0;
  std::span<const uint64_t> pinned;  // sorted ascending; may hold versions >= oldest_kept
  size_t max_entries = 1024;         // stale-index entries plus roots examined by this step
  // Progress of the previous steps (persisted by the caller, ChainStore): roots below
  // `roots_from` are already deleted, and stale-index entries up to `stale_after` (a full `Z`
  // key) are already handled (deleted, or kept for a pinned version).
  uint64_t roots_from = 0;
  std::optional<Bytes> stale_after;
};

struct GcStep {
  WriteBatch batch;                  // deletes nodes, their stale entries and roots
  uint64_t roots_from = 0;           // progress to pass to the next step
  std::optional<Bytes> stale_after;  // progress to pass to the next step
  size_t deleted_nodes = 0;
  bool done = false;  // nothing more to collect for this oldest_kept
};

class StateTree {
 public:
  explicit StateTree(const KvReader& store) : store_(store) {}
  // ApplyChanges loads internal nodes through `cache` (filling it with what it reads) and lists
  // the ones it creates in StateUpdate::new_internal. The single writer's cache, owned by the
  // caller; reads and proofs do not use it.
  StateTree(const KvReader& store, NodeCache* cache) : store_(store), cache_(cache) {}

  // Version `height` = version height-1 (the empty tree when height is 0) with `changes`
  // applied. `changes` must be sorted by key, strictly ascending (one change per key); keys
  // are 1..kMaxStateKeyLen bytes, values at most kMaxStateValueLen. Deleting an absent key is a
  // no-op. kFailedPrecondition if version height-1 is missing or version `height` exists.
  Result<StateUpdate> ApplyChanges(uint64_t height, std::span<const StateChange> changes) const;

  // The root of a retained version; kNotFound if never written or pruned.
  Result<Hash256> Root(uint64_t height) const;
  bool HasVersion(uint64_t height) const;

  // Current (latest written version) value, from the flat index (index keys included); a value
  // held by reference is read from the key's leaf.
  Result<std::optional<Bytes>> Get(ByteView key) const;
  // Current entries, ascending, by the rules of ScanOptions (keys without the index prefix):
  // contracts iterate by prefix; the pagination cursor is the last key returned.
  struct ScanRange {
    Bytes prefix;
    std::optional<Bytes> start_at;     // inclusive lower bound
    std::optional<Bytes> start_after;  // exclusive lower bound (cursor)
    size_t limit = 256;
  };
  Result<std::vector<KvPair>> Scan(const ScanRange& range) const;
  // The value a flat record (the value of S | key) stands for: inline, or read from the leaf it
  // names, which must be `key`'s. kCorruption for anything else.
  Result<Bytes> FlatValue(ByteView key, ByteView record) const;

  // Rewrites a store written before flat records (raw values in S) to flat records, in batches
  // of `batch_entries`, each recording how far it got (M | flat_format), so an interrupted
  // rewrite resumes where it stopped and a value is never wrapped twice; then marks the store
  // (0x02). A store that is marked, or holds no state version yet, is left as it is (version 0,
  // ApplyChanges(0, ...), marks it). Returns the number of records rewritten.
  static Result<uint64_t> UpgradeFlatIndex(KvStore& store, size_t batch_entries = 10'000);

  // The value at a retained version, by walking the tree (an index key is never found there).
  Result<std::optional<Bytes>> GetAt(uint64_t height, ByteView key) const;
  // A proof of the key's value (or absence) at a retained version.
  Result<StateProof> Prove(uint64_t height, ByteView key) const;

  // Writes that delete every node and root only versions below `oldest_kept` use, at most
  // `max_entries` stale nodes per call (call again while the batch is non-empty). After it is
  // written, versions >= oldest_kept remain fully readable and provable. kFailedPrecondition
  // unless version oldest_kept exists (so the latest version is never collected).
  Result<WriteBatch> PrepareGc(uint64_t oldest_kept, size_t max_entries) const;
  // The same with pinned versions and resumable progress: one bounded step. Roots go first (a
  // version loses its root before any of its nodes, so HasVersion is false for a version being
  // collected), then stale nodes in stale-since order; a node stale since h and created at u is
  // used by versions u..h-1 and is kept iff one of them is pinned. After every step, each kept
  // version is complete. kFailedPrecondition unless version oldest_kept exists.
  Result<GcStep> PrepareGcStep(const GcRequest& request) const;

 private:
  Result<NodeRef> RootRef(uint64_t height) const;
  Result<SmtNode> LoadNode(const NodeRef& ref) const;

  const KvReader& store_;
  NodeCache* cache_ = nullptr;
};

}  // namespace tidemark::node
