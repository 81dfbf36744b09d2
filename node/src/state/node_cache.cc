#include "tidemark/node/state/node_cache.h"

namespace tidemark::node {
NodeCache::NodeCache(size_t max_slots) {
  while (max_depth_ < 40 && ((size_t{1} << (max_depth_ + 1)) - 1) <= max_slots) ++max_depth_;
}

size_t NodeCache::Index(size_t depth, const Hash256& path) {
  size_t prefix = 0;
  for (size_t i = 0; i < depth; ++i) prefix = (prefix << 1) | (SmtPathBit(path, i) ? 1 : 0);
  return (size_t{1} << depth) - 1 + prefix;
}

std::optional<std::pair<NodeRef, NodeRef>> NodeCache::Get(const NodeRef& ref, size_t depth,
                                                          const Hash256& path) {
  if (depth >= max_depth_ || ref.kind != NodeKind::kInternal) return std::nullopt;
  std::lock_guard l(mu_);
  if (slots_.empty()) {
    ++stats_.misses;
    return std::nullopt;
  }
  const Slot& s = slots_[Index(depth, path)];
  if (!s.used || s.version != ref.version || s.hash != ref.hash) {
    ++stats_.misses;
    return std::nullopt;
  }
  ++stats_.hits;
  return std::make_pair(s.left, s.right);
}

void NodeCache::Put(const NodeRef& ref, size_t depth, const Hash256& path, const NodeRef& left,
                    const NodeRef& right) {
  if (depth >= max_depth_ || ref.kind != NodeKind::kInternal) return;
  std::lock_guard l(mu_);
  if (slots_.empty()) slots_.resize((size_t{1} << max_depth_) - 1);
  Slot& s = slots_[Index(depth, path)];
  if (!s.used) ++stats_.entries;
  s.used = true;
  s.version = ref.version;
  s.hash = ref.hash;
  s.left = left;
  s.right = right;
}

NodeCache::Stats NodeCache::stats() const {
  std::lock_guard l(mu_);
  return stats_;
}

}  // namespace tidemark::node
