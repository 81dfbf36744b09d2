#include "tidemark/node/state/node_cache.h"

#include <cstring>

namespace tidemark::node {

std::string NodeCache::Key(uint64_t version, const Hash256& hash) {
  std::string k(8 + hash.size(), '\0');
  std::memcpy(k.data(), &version, 8);
  std::memcpy(k.data() + 8, hash.begin(), hash.size());
  return k;
}

std::optional<Bytes> NodeCache::Get(uint64_t version, const Hash256& hash) {
  const std::string k = Key(version, hash);
  std::lock_guard l(mu_);
  auto it = map_.find(k);
  if (it == map_.end()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void NodeCache::Put(uint64_t version, const Hash256& hash, ByteView encoded) {
  if (capacity_ == 0) return;
  std::string k = Key(version, hash);
  std::lock_guard l(mu_);
  if (auto it = map_.find(k); it != map_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return;  // content-addressed: the same key holds the same bytes
  }
  lru_.emplace_front(k, Bytes(encoded.begin(), encoded.end()));
  map_.emplace(std::move(k), lru_.begin());
  while (map_.size() > capacity_) {
    map_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

NodeCache::Stats NodeCache::stats() const {
  std::lock_guard l(mu_);
  return {hits_, misses_, map_.size()};
}

}  // namespace tidemark::node
