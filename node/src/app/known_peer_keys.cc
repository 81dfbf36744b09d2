// known_peer_keys.cc — the keys allowed to connect, from the config and the ledger
// (known_peer_keys.h).
#include "tidemark/node/app/known_peer_keys.h"

#include <utility>

#include "tidemark/contracts/governance.h"
#include "tidemark/node/app/ledger.h"

namespace tidemark::node {

KnownPeerKeys::KnownPeerKeys(const Ledger& ledger, std::vector<PublicKey> configured)
    : ledger_(ledger), configured_(std::move(configured)) {}

bool KnownPeerKeys::Authorized(const PublicKey& k) const {
  std::lock_guard l(mu_);
  return known_.count(k) > 0;
}

void KnownPeerKeys::Refresh() {
  std::set<PublicKey> keys(configured_.begin(), configured_.end());
  // The running set (during a change, the state already holds the next one), the activated
  // and the pending set.
  if (auto running = ledger_.ValidatorsAfterTip(); running.ok()) {
    for (const auto& v : running->validators) keys.insert(v.key);
  }
  (void)ledger_.ReadLatest([&](const contracts::StateView& view, uint64_t) {
    if (auto vs = contracts::CurrentValidatorSet(view); vs.ok()) {
      for (const auto& v : vs->validators) keys.insert(v.key);
    }
    if (auto next = contracts::PendingValidatorSet(view); next.ok() && *next) {
      for (const auto& v : (*next)->validators) keys.insert(v.key);
    }
    return Status::Ok();
  });
  for (const auto& o : ledger_.genesis().orgs) {
    if (o.validator_key) keys.insert(*o.validator_key);
  }
  std::lock_guard l(mu_);
  known_ = std::move(keys);
}

}  // namespace tidemark::node
