// node_cache.h — decoded internal nodes of the state tree kept in memory between blocks, so that
// the single writer's update walks the upper levels without a LevelDB read per node.
//
// Nodes are immutable and named by (version, hash), so an entry is never stale: a cached node is
// the stored node, or one the writer just created with that name (a version whose batch was not
// written is recomputed identically). Pruned nodes may stay cached until evicted; only the writer
// reads through the cache, and it only walks the latest version. Leaves are not cached (they
// carry values of up to 1 MiB); internal nodes are ~100 bytes each.
//
//   NodeCache cache(1 << 17);
//   StateTree tree(kv, &cache);          // ApplyChanges loads through it and fills it
//
// Thread safety: every method may be called from any thread (one mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "tidemark/node/state/smt_node.h"

namespace tidemark::node {

class NodeCache {
 public:
  explicit NodeCache(size_t max_entries) : max_entries_(max_entries) {}
  NodeCache(const NodeCache&) = delete;
  NodeCache& operator=(const NodeCache&) = delete;

  // The children of internal node `ref`, if cached (and marks it recently used).
  std::optional<std::pair<NodeRef, NodeRef>> Get(const NodeRef& ref);
  // Remembers internal node `ref`, evicting the least recently used beyond max_entries.
  void Put(const NodeRef& ref, const NodeRef& left, const NodeRef& right);

  struct Stats {
    uint64_t hits = 0, misses = 0;
    size_t entries = 0;
  };
  Stats stats() const;

 private:
  struct Key {
    uint64_t version;
    Hash256 hash;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Entry {
    Key key;
    NodeRef left, right;
  };
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recent first; guarded by mu_
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index_;  // guarded by mu_
  Stats stats_;                                                         // guarded by mu_
};

}  // namespace tidemark::node
