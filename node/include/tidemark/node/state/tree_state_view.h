// tree_state_view.h — the contracts' StateView over the committed state, for block execution.
//
// Reads come from the state tree's flat index (the latest written version), so executing block h
// sees version h-1. The view is read-only: execution stacks an OverlayStateView per block (and
// one per tx) on top of it, and the block overlay's sorted Changes() become the input of
// StateTree::ApplyChanges through ToStateChanges().
//
//   TreeStateView committed(tree);
//   contracts::OverlayStateView block_view(committed);
//   // per tx (the cast avoids OverlayStateView's implicit copy constructor):
//   contracts::OverlayStateView tx_view(static_cast<contracts::StateView&>(block_view));
//   ... execute the tx over tx_view; tx_view.Commit() if it succeeded ...
//   TM_RETURN_IF_ERROR(committed.status());             // a read failed: do NOT commit the block
//   TM_ASSIGN_OR_RETURN(StateUpdate up,
//                       tree.ApplyChanges(h, ToStateChanges(block_view.Changes())));
//
// StateView has no error channel: a failed read returns nullopt / stops the scan and is recorded
// in status() (sticky). The caller must check status() before committing: a store that cannot
// read must stop the node, never turn into a deterministic tx outcome.
// Thread safety: one thread at a time (like every StateView); the underlying tree may be read by
// other threads concurrently.
//
// Compiled only when the contracts module is present (it is linked into tidemark_node).
#pragma once

#if __has_include("tidemark/contracts/state.h")
#define TIDEMARK_HAVE_CONTRACTS_STATE 1

#include <string>
#include <vector>

#include "tidemark/contracts/state.h"
#include "tidemark/node/state/state_tree.h"

namespace tidemark::node {

class TreeStateView final : public contracts::StateView {
 public:
  // Pages fetched from the store per Scan round trip.
  static constexpr size_t kScanPage = 256;

  explicit TreeStateView(const StateTree& tree) : tree_(tree) {}

  std::optional<Bytes> Get(const std::string& key) const override;
  // The committed view is read-only: these record a kInternal error in status().
  void Put(const std::string& key, Bytes value) override;
  void Delete(const std::string& key) override;
  using contracts::StateView::Scan;
  void Scan(const std::string& prefix, const std::string& start, const ScanFn& fn) const override;

  // OK, or the first error met by any call.
  const Status& status() const { return status_; }

 private:
  void Fail(const Status& s) const;

  const StateTree& tree_;
  mutable Status status_;
};

// One contract state change as a state-tree change: an index key (state_keys::prov::IsIndexKey)
// goes to the flat index only (StateChange::in_tree). Every change the node commits is made here.
StateChange ToStateChange(std::string_view key, std::optional<Bytes> value);
// The contracts' change list (sorted by key, one entry per key) as state-tree changes.
std::vector<StateChange> ToStateChanges(const std::vector<contracts::StateChange>& changes);

}  // namespace tidemark::node

#endif  // __has_include("tidemark/contracts/state.h")
