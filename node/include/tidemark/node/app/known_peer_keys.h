// known_peer_keys.h — the keys a node accepts p2p connections from: the peers of its config
// (p2p.peers: its observers, its validators) and every validator key the ledger names — the
// running set (during a change the state already holds the next one), the activated and the
// pending set, and the genesis validators. Governance changes the set, so the node calls
// Refresh() at start and then every housekeeping round (200 ms).
//
//   KnownPeerKeys keys(ledger, {peer.key, ...});
//   keys.Refresh();
//   p2p::Transport transport(..., [&](const PublicKey& k) { return keys.Authorized(k); }, ...);
//
// Thread safety: Authorized() from any thread (the transport's); Refresh() from one thread at a
// time. The ledger must outlive this object.
#pragma once

#include <mutex>
#include <set>
#include <vector>

#include "tidemark/crypto.h"

namespace tidemark::node {

class Ledger;

class KnownPeerKeys {
 public:
  KnownPeerKeys(const Ledger& ledger, std::vector<PublicKey> configured);

  // Re-reads the validator keys from the ledger (a read error leaves those keys out).
  void Refresh();
  bool Authorized(const PublicKey& k) const;

 private:
  const Ledger& ledger_;
  const std::vector<PublicKey> configured_;
  mutable std::mutex mu_;
  std::set<PublicKey> known_;  // guarded by mu_
};

}  // namespace tidemark::node
