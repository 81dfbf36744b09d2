// node_cache.h — a bounded, thread-safe LRU cache of encoded state-tree nodes, keyed by the node's
// (version, hash) storage key. Nodes are immutable and content-addressed, so a cached node is
// never stale: the cache needs no invalidation. A node pruned from the store may linger until
// evicted; no reader asks for it (a version loses its root before any of its nodes).
//
//   NodeCache cache(1 << 17);
//   StateTree tree(store, &cache);  // ApplyChanges reads the hot upper levels from memory
//
// Why: ApplyChanges reads every node on the path of every changed key; without a cache each is
// a LevelDB point lookup (docs/storage.md, "Node cache"). The upper levels are shared by every
// path and are read by every block.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "tidemark/bytes.h"
#include "tidemark/hash.h"

namespace tidemark::node {

class NodeCache {
 public:
  explicit NodeCache(size_t capacity) : capacity_(capacity) {}
  NodeCache(const NodeCache&) = delete;
  NodeCache& operator=(const NodeCache&) = delete;

  std::optional<Bytes> Get(uint64_t version, const Hash256& hash);
  void Put(uint64_t version, const Hash256& hash, ByteView encoded);

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    size_t entries = 0;
  };
  Stats stats() const;

 private:
  static std::string Key(uint64_t version, const Hash256& hash);
  using Lru = std::list<std::pair<std::string, Bytes>>;  // front = most recently used

  const size_t capacity_;
  mutable std::mutex mu_;
  Lru lru_;                                              // guarded by mu_
  std::unordered_map<std::string, Lru::iterator> map_;  // guarded by mu_
  uint64_t hits_ = 0, misses_ = 0;                       // guarded by mu_
};

}  // namespace tidemark::node
