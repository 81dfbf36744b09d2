// node_metrics.h — the node's own figures on /metrics beside the HTTP server's: p2p (connected
// peers, refused handshakes by reason, bad frames, bans), block sync (catching up) and the
// mempool (pending txs and bytes; refused admissions and evictions by reason, as counters) and
// admission's signer cache (hits and misses).
// docs/network.md and docs/api.md name them. The node calls Update() every housekeeping round.
//
//   NodeMetrics metrics(http.metrics(), transport, sync, pool, signers);
//   metrics.Update();  // sets the gauges, advances the counters by what changed since last time
//
// Thread safety: Update() from one thread at a time (the housekeeping timer). The registry,
// transport, sync, mempool and signer cache must outlive this object.
#pragma once

#include <array>
#include <cstdint>

#include "tidemark/node/mempool/mempool.h"

namespace tidemark::node {

namespace metrics {
class Registry;
}
namespace p2p {
class Transport;
}
class BlockSync;
class SignerCache;

class NodeMetrics {
 public:
  NodeMetrics(metrics::Registry& registry, const p2p::Transport& transport, const BlockSync& sync,
              const mempool::Mempool& pool, const SignerCache& signers);

  void Update();

 private:
  void UpdateP2p();
  void UpdateMempool();
  void UpdateSignerCache();

  metrics::Registry& registry_;
  const p2p::Transport& transport_;
  const BlockSync& sync_;
  const mempool::Mempool& pool_;
  const SignerCache& signers_;
  uint64_t signer_hits_seen_ = 0, signer_misses_seen_ = 0;
  // The mempool's refusal and eviction totals at the last Update (the counters advance by the
  // difference).
  std::array<uint64_t, static_cast<size_t>(mempool::Refusal::kCount)> refused_seen_{};
  std::array<uint64_t, static_cast<size_t>(mempool::Refusal::kCount)> evicted_seen_{};
};

}  // namespace tidemark::node
