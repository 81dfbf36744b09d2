#include "tidemark/node/state/tree_state_view.h"

#ifdef TIDEMARK_HAVE_CONTRACTS_STATE

#include "tidemark/state_keys/provenance.h"

namespace tidemark::node {

void TreeStateView::Fail(const Status& s) const {
  if (status_.ok()) status_ = s.WithContext("state view");
}

std::optional<Bytes> TreeStateView::Get(const std::string& key) const {
  Result<std::optional<Bytes>> v = tree_.Get(AsBytes(key));
  if (!v.ok()) {
    Fail(v.status());
    return std::nullopt;
  }
  return std::move(v).value();
}

void TreeStateView::Put(const std::string& key, Bytes /*value*/) {
  Fail(Status::Internal("Put(" + key + ") on the read-only committed view"));
}

void TreeStateView::Delete(const std::string& key) {
  Fail(Status::Internal("Delete(" + key + ") on the read-only committed view"));
}

void TreeStateView::Scan(const std::string& prefix, const std::string& start,
                         const ScanFn& fn) const {
  StateTree::ScanRange range{.prefix = Bytes(prefix.begin(), prefix.end()), .limit = kScanPage};
  if (!start.empty()) range.start_at = Bytes(start.begin(), start.end());
  for (;;) {
    Result<std::vector<KvPair>> page = tree_.Scan(range);
    if (!page.ok()) return Fail(page.status());
    for (const KvPair& kv : *page) {
      if (!fn(ToString(kv.key), kv.value)) return;
    }
    if (page->size() < kScanPage) return;
    range.start_after = page->back().key;
  }
}

StateChange ToStateChange(std::string_view key, std::optional<Bytes> value) {
  return {.key = Bytes(key.begin(), key.end()),
          .value = std::move(value),
          .in_tree = !state_keys::prov::IsIndexKey(key)};
}

std::vector<StateChange> ToStateChanges(const std::vector<contracts::StateChange>& changes) {
  std::vector<StateChange> out;
  out.reserve(changes.size());
  for (const auto& [key, value] : changes) out.push_back(ToStateChange(key, value));
  return out;
}

}  // namespace tidemark::node

#endif  // TIDEMARK_HAVE_CONTRACTS_STATE
