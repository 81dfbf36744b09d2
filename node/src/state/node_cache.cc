#include "tidemark/node/state/node_cache.h"

#include <cstring>

namespace tidemark::node {

size_t NodeCache::KeyHash::operator()(const Key& k) const {
  uint64_t h = 0;
  std::memcpy(&h, k.hash.data.data(), sizeof(h));  // already uniformly distributed
  return static_cast<size_t>(h ^ (k.version * 0x9e3779b97f4a7c15ULL));
}

std::optional<std::pair<NodeRef, NodeRef>> NodeCache::Get(const NodeRef& ref) {
  std::lock_guard l(mu_);
  auto it = index_.find(Key{ref.version, ref.hash});
  if (it == index_.end()) {
    ++stats_.misses;
    return std::nullopt;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, it->second);
  return std::make_pair(it->second->left, it->second->right);
}

void NodeCache::Put(const NodeRef& ref, const NodeRef& left, const NodeRef& right) {
  if (max_entries_ == 0) return;
  std::lock_guard l(mu_);
  Key key{ref.version, ref.hash};
  auto it = index_.find(key);
  if (it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.push_front(Entry{key, left, right});
  index_.emplace(key, lru_.begin());
  while (lru_.size() > max_entries_) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

NodeCache::Stats NodeCache::stats() const {
  std::lock_guard l(mu_);
  Stats s = stats_;
  s.entries = lru_.size();
  return s;
}

}  // namespace tidemark::node
