// versioned_view.h — a read-only StateView over one retained version of the state tree, so a
// contract read (a trace) sees exactly the state a certified header's state_root commits to.
//
//   VersionedStateView v(ledger.tree(), header.exec_height, latest_view);
//   auto trace = contracts::Trace(v, code);          // Get: version exec_height
//   if (!v.status().ok()) ...                          // a failed tree read
//
// Get reads the authenticated tree at `version`; Scan (ordered index walks) reads `latest`, the
// flat index of the newest version, because the tree keeps no ordered index per version: answers
// that scan (edges, untracked codes) may be newer than `version` (docs/proofs.md). So does Get
// of an index key (state_keys::prov::IsIndexKey), which the tree does not hold. Writes are
// ignored. Thread safety: one thread at a time; the tree may be written concurrently.
#pragma once

#include "tidemark/contracts/state.h"
#include "tidemark/node/state/state_tree.h"

namespace tidemark::node {

class VersionedStateView final : public contracts::StateView {
 public:
  VersionedStateView(const StateTree& tree, uint64_t version, const contracts::StateView& latest)
      : tree_(tree), version_(version), latest_(latest) {}

  std::optional<Bytes> Get(const std::string& key) const override;
  void Put(const std::string&, Bytes) override {}
  void Delete(const std::string&) override {}
  using StateView::Scan;
  void Scan(const std::string& prefix, const std::string& start, const ScanFn& fn) const override {
    latest_.Scan(prefix, start, fn);
  }
  // The first failed tree read, if any.
  const Status& status() const { return status_; }

 private:
  const StateTree& tree_;
  uint64_t version_;
  const contracts::StateView& latest_;
  mutable Status status_;
};

}  // namespace tidemark::node
