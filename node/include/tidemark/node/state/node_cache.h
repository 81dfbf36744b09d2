// node_cache.h — the upper levels of the current state tree, decoded and kept in memory between
// blocks, so that the single writer's update walks them without a LevelDB read per node.
//
// One slot per tree position: the node at depth d whose path starts with bits p (the first d bits
// of any key hash below it) lives in slot 2^d - 1 + p, for every depth below max_depth(). Each
// block overwrites the slots of the nodes it rewrote, so the slots hold the current tree's upper
// levels — no eviction policy, no map, no allocation per node. (An LRU of recently used nodes was
// here before; a block of 1,000 changed keys puts ~10,000 new lower nodes into it, which are not
// met again before they are evicted: 13 % of a validator's CPU went to its map and list, the
// profile in docs/benchmarks.md.) A lookup checks that the slot holds exactly the node asked for
// (version and hash): a slot may hold an older or newer node of that position, which is a miss.
//
// Nodes are immutable and named by (version, hash), so a hit is never stale. Slots are filled
// with nodes the store holds: those read from it, and those created by a version once its batch
// is written (StateUpdate::new_internal), never before — a version computed and then discarded
// (its block refused) leaves nothing here. Children are kept as the store has them (a leaf child
// with its summary), so the nodes an update writes are the same bytes with or without the cache.
//
//   NodeCache cache(1 << 17);            // 131,071 slots: depths 0..16, ~35 MB
//   StateTree tree(kv, &cache);          // ApplyChanges loads through it and fills it
//
// Thread safety: every method may be called from any thread (one mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "tidemark/node/state/smt_node.h"

namespace tidemark::node {

class NodeCache {
 public:
  // Holds the levels 0..max_depth()-1 with max_depth() the largest D with 2^D - 1 <= max_slots
  // (0 slots: nothing is cached).
  explicit NodeCache(size_t max_slots);
  NodeCache(const NodeCache&) = delete;
  NodeCache& operator=(const NodeCache&) = delete;

  size_t max_depth() const { return max_depth_; }
  // The children of internal node `ref` at `depth`, `path` being any key hash below it, if its
  // slot holds that node.
  std::optional<std::pair<NodeRef, NodeRef>> Get(const NodeRef& ref, size_t depth,
                                                 const Hash256& path);
  // Puts internal node `ref` into its slot (depths at or past max_depth() are ignored).
  void Put(const NodeRef& ref, size_t depth, const Hash256& path, const NodeRef& left,
           const NodeRef& right);

  struct Stats {
    uint64_t hits = 0, misses = 0;
    size_t entries = 0;  // slots filled
  };
  Stats stats() const;

 private:
  struct Slot {
    bool used = false;
    uint64_t version = 0;
    Hash256 hash;
    NodeRef left, right;
  };
  static size_t Index(size_t depth, const Hash256& path);

  size_t max_depth_ = 0;
  mutable std::mutex mu_;
  std::vector<Slot> slots_;  // allocated on the first Put; guarded by mu_
  Stats stats_;              // guarded by mu_
};

}  // namespace tidemark::node
