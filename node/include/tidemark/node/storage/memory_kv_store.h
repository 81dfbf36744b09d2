// memory_kv_store.h — a KvStore held in a std::map, for tests and tools.
//
//   MemoryKvStore db;
//   WriteBatch b;  b.Put(AsBytes("k"), AsBytes("v"));
//   TM_RETURN_IF_ERROR(db.Write(b, true));
//
// Snapshot() copies the whole map (O(n)): fine for tests, not for production.
// Thread safety: safe for concurrent use; one mutex guards the map.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "tidemark/node/storage/kv_store.h"

namespace tidemark::node {

class MemoryKvStore final : public KvStore {
 public:
  using Map = std::map<std::string, std::string>;

  MemoryKvStore() = default;
  explicit MemoryKvStore(Map contents) : map_(std::move(contents)) {}

  Result<std::optional<Bytes>> Get(ByteView key) const override;
  Result<std::vector<KvPair>> Scan(const ScanOptions& options) const override;
  Status Write(const WriteBatch& batch, bool sync) override;
  Result<std::unique_ptr<KvReader>> Snapshot() const override;

  // A copy of every entry (tests compare whole stores with it).
  Map Contents() const;
  size_t Size() const;

  // The same operations on a bare map (shared with the fault-injecting store).
  static void Apply(const WriteBatch& batch, Map* map);
  static std::vector<KvPair> ScanMap(const Map& map, const ScanOptions& options);

 private:
  mutable std::mutex mu_;
  Map map_;  // guarded by mu_
};

}  // namespace tidemark::node
