#include "tidemark/node/app/signer_cache.h"

#include <string_view>

#include "tidemark/contracts/framework.h"
#include "tidemark/node/app/ledger.h"
#include "tidemark/state_keys/identity.h"
#include "tidemark/state_keys/system.h"

namespace tidemark::node {

SignerCache::SignerCache(uint64_t height, size_t max_entries)
    : max_entries_(max_entries), height_(height) {}

SignerCache::SignerCache(Ledger& ledger, size_t max_entries)
    : SignerCache(ledger.height(), max_entries) {
  ledger.SetStateWrittenObserver(
      [this](uint64_t height, const std::vector<contracts::StateChange>& changes) {
        OnWritten(height, changes);
      });
}

Result<mempool::SignerInfo> SignerCache::Read(const Ledger& ledger, const PublicKey& signer) {
  mempool::SignerInfo info;
  TM_RETURN_IF_ERROR(ledger.ReadLatest([&](const contracts::StateView& view, uint64_t height) {
    if (auto known = Find(signer, height)) {
      info = std::move(*known);
      return Status::Ok();
    }
    info = mempool::SignerInfoFromState(view, signer, height);
    Remember(signer, info);
    return Status::Ok();
  }));
  return info;
}

std::optional<mempool::SignerInfo> SignerCache::Find(const PublicKey& signer,
                                                     uint64_t height) const {
  std::lock_guard l(mu_);
  if (height == height_) {
    if (auto it = known_.find(signer); it != known_.end()) {
      ++hits_;
      mempool::SignerInfo info = it->second;
      info.height = height;
      return info;
    }
  }
  ++misses_;
  return std::nullopt;
}

void SignerCache::Remember(const PublicKey& signer, const mempool::SignerInfo& info) {
  if (!info.active) return;
  std::lock_guard l(mu_);
  if (info.height != height_) return;
  if (known_.size() >= max_entries_ && !known_.count(signer)) known_.clear();
  known_[signer] = info;
}

void SignerCache::OnWritten(uint64_t height, const std::vector<contracts::StateChange>& changes) {
  std::lock_guard l(mu_);
  if (height != height_ + 1) known_.clear();  // not the next version: nothing carries over
  height_ = height;
  for (const auto& [key, value] : changes) {
    if (state_keys::HasPrefix(key, state_keys::identity::kPrefix)) {
      known_.clear();
      return;
    }
    if (state_keys::HasPrefix(key, state_keys::sys::kNoncePrefix)) {
      auto signer =
          PublicKey::FromHex(std::string_view(key).substr(state_keys::sys::kNoncePrefix.size()));
      if (signer.ok()) {
        if (auto it = known_.find(*signer); it != known_.end()) {
          it->second.next_nonce = contracts::NextNonceFromStored(value);
        }
      } else {
        known_.clear();  // not a key we can name: forget everything rather than guess
      }
    }
  }
}

size_t SignerCache::size() const {
  std::lock_guard l(mu_);
  return known_.size();
}

uint64_t SignerCache::hits() const {
  std::lock_guard l(mu_);
  return hits_;
}

uint64_t SignerCache::misses() const {
  std::lock_guard l(mu_);
  return misses_;
}

}  // namespace tidemark::node
