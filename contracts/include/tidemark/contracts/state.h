// state.h — the key-value view of ledger state that contracts read and write.
//
// Contracts see state only through a `StateView`: Get / Put / Delete of byte values under string
// keys, and ascending iteration over a key prefix. Keys are namespaced per contract
// ("identity/…", "gov/…", "prov/…", "test/…", "sys/…"; see docs/contracts.md). The node backs the
// view with a flat KV index next to its sparse Merkle tree; tests use `MemStateView`.
// `OverlayStateView` buffers writes over a base view so that a failing transaction changes nothing;
// its sorted change list is what the node applies to the state tree.
//
//   MemStateView base;
//   OverlayStateView tx_view(base);
//   tx_view.Put("test/k", AsBytesVec("v"));
//   for (const auto& [key, value] : tx_view.Changes()) ...   // value == nullopt: deleted
//   tx_view.Commit();                                          // writes into base
//
// Errors: the interface has no error channel on purpose. A backing store that cannot read must
// stop the node (an I/O error cannot become a deterministic tx failure); see docs/contracts.md.
// Thread safety: none; a view is used by one thread (the execution pipeline) at a time.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tidemark/bytes.h"
#include "tidemark/value.h"

namespace tidemark::contracts {

// One state change: value nullopt means "deleted".
using StateChange = std::pair<std::string, std::optional<Bytes>>;

class StateView {
 public:
  // Called for each entry in ascending key order; return false to stop.
  using ScanFn = std::function<bool(const std::string& key, const Bytes& value)>;

  virtual ~StateView() = default;
  virtual std::optional<Bytes> Get(const std::string& key) const = 0;
  virtual void Put(const std::string& key, Bytes value) = 0;
  virtual void Delete(const std::string& key) = 0;
  // Visits every key that starts with `prefix` and is >= `start` (empty: from the first), in
  // ascending byte order of the key.
  virtual void Scan(const std::string& prefix, const std::string& start,
                    const ScanFn& fn) const = 0;
  void Scan(const std::string& prefix, const ScanFn& fn) const { Scan(prefix, "", fn); }
};

// An in-memory view (tests, genesis construction, tools).
class MemStateView : public StateView {
 public:
  std::optional<Bytes> Get(const std::string& key) const override;
  void Put(const std::string& key, Bytes value) override;
  void Delete(const std::string& key) override;
  using StateView::Scan;
  void Scan(const std::string& prefix, const std::string& start, const ScanFn& fn) const override;

  const std::map<std::string, Bytes>& entries() const { return entries_; }

 private:
  std::map<std::string, Bytes> entries_;
};

// Buffers writes over `base` (which must outlive the overlay). Reads see the buffered writes.
class OverlayStateView : public StateView {
 public:
  explicit OverlayStateView(StateView& base) : base_(base) {}

  std::optional<Bytes> Get(const std::string& key) const override;
  void Put(const std::string& key, Bytes value) override;
  void Delete(const std::string& key) override;
  using StateView::Scan;
  void Scan(const std::string& prefix, const std::string& start, const ScanFn& fn) const override;

  // The buffered changes, sorted by key (a delete of a key the base never had is still listed).
  std::vector<StateChange> Changes() const;
  // Applies the changes to the base and clears the buffer.
  void Commit();
  // Drops the buffered changes.
  void Discard() { writes_.clear(); }
  // Drops the buffered change of one key: reads of it go to the base again.
  void Forget(const std::string& key) { writes_.erase(key); }

 private:
  StateView& base_;
  std::map<std::string, std::optional<Bytes>> writes_;
};

// Typed helpers: records are canonical Value encodings.
// Returns nullopt if absent; a stored value that does not decode is a kCorruption status.
Result<std::optional<Value>> GetValue(const StateView& view, const std::string& key);
void PutValue(StateView& view, const std::string& key, const Value& value);

// Fixed-width decimal so that keys sort numerically: Seq(42) == "0000000000000042".
std::string SeqKey(uint64_t n);

}  // namespace tidemark::contracts
