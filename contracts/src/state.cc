#include "tidemark/contracts/state.h"

#include "tidemark/state_keys/parts.h"

namespace tidemark::contracts {

namespace {
bool HasPrefix(const std::string& key, const std::string& prefix) {
  return key.compare(0, prefix.size(), prefix) == 0;
}
}  // namespace

std::optional<Bytes> MemStateView::Get(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void MemStateView::Put(const std::string& key, Bytes value) { entries_[key] = std::move(value); }

void MemStateView::Delete(const std::string& key) { entries_.erase(key); }

void MemStateView::Scan(const std::string& prefix, const std::string& start,
                        const ScanFn& fn) const {
  const std::string& from = start > prefix ? start : prefix;
  for (auto it = entries_.lower_bound(from); it != entries_.end(); ++it) {
    if (!HasPrefix(it->first, prefix)) break;
    if (!fn(it->first, it->second)) break;
  }
}

std::optional<Bytes> OverlayStateView::Get(const std::string& key) const {
  auto it = writes_.find(key);
  if (it != writes_.end()) return it->second;
  return base_.Get(key);
}

void OverlayStateView::Put(const std::string& key, Bytes value) { writes_[key] = std::move(value); }

void OverlayStateView::Delete(const std::string& key) { writes_[key] = std::nullopt; }

void OverlayStateView::Scan(const std::string& prefix, const std::string& start,
                            const ScanFn& fn) const {
  const std::string& from = start > prefix ? start : prefix;
  auto w = writes_.lower_bound(from);
  auto w_valid = [&] { return w != writes_.end() && HasPrefix(w->first, prefix); };
  bool stopped = false;
  // Emits buffered writes with keys below `limit` (all remaining if limit is null).
  auto drain = [&](const std::string* limit) {
    while (!stopped && w_valid() && (limit == nullptr || w->first < *limit)) {
      if (w->second.has_value() && !fn(w->first, *w->second)) stopped = true;
      ++w;
    }
  };
  base_.Scan(prefix, from, [&](const std::string& key, const Bytes& value) {
    drain(&key);
    if (stopped) return false;
    if (w_valid() && w->first == key) {  // overridden by the overlay
      if (w->second.has_value() && !fn(w->first, *w->second)) stopped = true;
      ++w;
      return !stopped;
    }
    if (!fn(key, value)) stopped = true;
    return !stopped;
  });
  drain(nullptr);
}

std::vector<StateChange> OverlayStateView::Changes() const {
  return std::vector<StateChange>(writes_.begin(), writes_.end());
}

void OverlayStateView::Commit() {
  for (auto& [key, value] : writes_) {
    if (value.has_value()) {
      base_.Put(key, std::move(*value));
    } else {
      base_.Delete(key);
    }
  }
  writes_.clear();
}

Result<std::optional<Value>> GetValue(const StateView& view, const std::string& key) {
  std::optional<Bytes> raw = view.Get(key);
  if (!raw.has_value()) return std::optional<Value>();
  Result<Value> v = Value::Decode(*raw);
  if (!v.ok()) return Status::Corruption("state key " + key + ": " + v.status().message());
  return std::optional<Value>(std::move(*v));
}

void PutValue(StateView& view, const std::string& key, const Value& value) {
  view.Put(key, value.Encode());
}

std::string SeqKey(uint64_t n) { return state_keys::SeqPart(n); }

}  // namespace tidemark::contracts
