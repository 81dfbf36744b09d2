#include "tidemark/node/storage/memory_kv_store.h"

namespace tidemark::node {

void MemoryKvStore::Apply(const WriteBatch& batch, Map* map) {
  for (size_t i = 0; i < batch.Count(); ++i) {
    const WriteBatch::Op op = batch.op(i);
    if (op.is_delete) {
      map->erase(std::string(op.key));
    } else {
      (*map)[std::string(op.key)] = std::string(op.value);
    }
  }
}

std::vector<KvPair> MemoryKvStore::ScanMap(const Map& map, const ScanOptions& options) {
  std::vector<KvPair> out;
  const std::string prefix = ToString(options.prefix);
  std::string from = prefix;
  if (options.start_at && ToString(*options.start_at) > from) from = ToString(*options.start_at);
  auto it = map.lower_bound(from);
  if (options.start_after) {
    auto after = map.upper_bound(ToString(*options.start_after));
    if (after == map.end()) {
      it = after;
    } else if (it != map.end() && after->first > it->first) {
      it = after;
    }
  }
  for (; it != map.end() && out.size() < options.limit; ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    out.push_back(
        {Bytes(it->first.begin(), it->first.end()), Bytes(it->second.begin(), it->second.end())});
  }
  return out;
}

Result<std::optional<Bytes>> MemoryKvStore::Get(ByteView key) const {
  std::lock_guard lock(mu_);
  auto it = map_.find(ToString(key));
  if (it == map_.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(Bytes(it->second.begin(), it->second.end()));
}

Result<std::vector<KvPair>> MemoryKvStore::Scan(const ScanOptions& options) const {
  std::lock_guard lock(mu_);
  return ScanMap(map_, options);
}

Status MemoryKvStore::Write(const WriteBatch& batch, bool /*sync*/) {
  std::lock_guard lock(mu_);
  Apply(batch, &map_);
  return Status::Ok();
}

Result<std::unique_ptr<KvReader>> MemoryKvStore::Snapshot() const {
  std::lock_guard lock(mu_);
  return std::unique_ptr<KvReader>(std::make_unique<MemoryKvStore>(map_));
}

MemoryKvStore::Map MemoryKvStore::Contents() const {
  std::lock_guard lock(mu_);
  return map_;
}

size_t MemoryKvStore::Size() const {
  std::lock_guard lock(mu_);
  return map_.size();
}

}  // namespace tidemark::node
