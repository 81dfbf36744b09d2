#include "tidemark/node/app/versioned_view.h"

#include "tidemark/state_keys/provenance.h"

namespace tidemark::node {

std::optional<Bytes> VersionedStateView::Get(const std::string& key) const {
  // Index keys are not in the tree: like scans, they are read at the newest version.
  if (state_keys::prov::IsIndexKey(key)) return latest_.Get(key);
  auto v = tree_.GetAt(version_, AsBytes(key));
  if (!v.ok()) {
    if (status_.ok()) status_ = v.status();
    return std::nullopt;
  }
  return std::move(*v);
}

}  // namespace tidemark::node
