#include "tidemark/node/app/versioned_view.h"

namespace tidemark::node {

std::optional<Bytes> VersionedStateView::Get(const std::string& key) const {
  auto v = tree_.GetAt(version_, AsBytes(key));
  if (!v.ok()) {
    if (status_.ok()) status_ = v.status();
    return std::nullopt;
  }
  return std::move(*v);
}

}  // namespace tidemark::node
