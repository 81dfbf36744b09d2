// node_metrics.cc — p2p, sync and mempool figures on /metrics (node_metrics.h).
#include "tidemark/node/app/node_metrics.h"

#include "tidemark/node/app/signer_cache.h"
#include "tidemark/node/app/sync.h"
#include "tidemark/node/metrics/registry.h"
#include "tidemark/node/p2p/transport.h"

namespace tidemark::node {

NodeMetrics::NodeMetrics(metrics::Registry& registry, const p2p::Transport& transport,
                         const BlockSync& sync, const mempool::Mempool& pool,
                         const SignerCache& signers)
    : registry_(registry), transport_(transport), sync_(sync), pool_(pool), signers_(signers) {}

void NodeMetrics::Update() {
  UpdateP2p();
  UpdateMempool();
  UpdateSignerCache();
}

void NodeMetrics::UpdateSignerCache() {
  const uint64_t hits = signers_.hits(), misses = signers_.misses();
  registry_
      .GetCounter("tidemark_signer_cache_hits_total",
                  "Admission signer lookups answered by the signer cache (no state read)")
      ->Inc(hits - signer_hits_seen_);
  registry_
      .GetCounter("tidemark_signer_cache_misses_total",
                  "Admission signer lookups read from the latest written state")
      ->Inc(misses - signer_misses_seen_);
  signer_hits_seen_ = hits;
  signer_misses_seen_ = misses;
}

void NodeMetrics::UpdateP2p() {
  auto& m = registry_;
  p2p::TransportStats st = transport_.stats();
  m.GetGauge("tidemark_p2p_peers", "Connected, authenticated peers")
      ->Set(static_cast<int64_t>(transport_.ConnectedPeers().size()));
  m.GetGauge("tidemark_p2p_handshakes_refused", "Connections refused during the handshake")
      ->Set(static_cast<int64_t>(st.handshakes_refused));
  for (const auto& [reason, n] : st.refused) {
    m.GetGauge("tidemark_p2p_handshakes_refused_by_reason",
               "Handshakes refused or closed, by reason (docs/network.md)", {{"reason", reason}})
        ->Set(static_cast<int64_t>(n));
  }
  m.GetGauge("tidemark_p2p_anonymous_handshakes",
             "Inbound handshakes whose Hello has not named an authorised key yet")
      ->Set(static_cast<int64_t>(st.anonymous_handshakes));
  m.GetGauge("tidemark_p2p_bad_frames", "Connections dropped for an oversized or forged frame")
      ->Set(static_cast<int64_t>(st.dropped_bad_frames));
  m.GetGauge("tidemark_p2p_bans", "Peers banned for breaking the protocol")
      ->Set(static_cast<int64_t>(st.bans));
  m.GetGauge("tidemark_sync_catching_up", "1 while block sync is catching up")
      ->Set(sync_.catching_up() ? 1 : 0);
}

// Refused admissions and evictions by reason, as counters (advanced by what changed since the
// last housekeeping round).
void NodeMetrics::UpdateMempool() {
  auto& m = registry_;
  mempool::MempoolStats st = pool_.Stats();
  m.GetGauge("tidemark_mempool_txs", "Pending txs in the mempool")
      ->Set(static_cast<int64_t>(st.txs));
  m.GetGauge("tidemark_mempool_bytes", "Bytes of pending txs in the mempool")
      ->Set(static_cast<int64_t>(st.bytes));
  for (size_t i = 0; i < st.refused.size(); ++i) {
    const char* reason = mempool::RefusalName(static_cast<mempool::Refusal>(i));
    if (st.refused[i] > refused_seen_[i]) {
      m.GetCounter("tidemark_mempool_refused_total", "Txs refused at admission, by reason",
                   {{"reason", reason}})
          ->Inc(st.refused[i] - refused_seen_[i]);
      refused_seen_[i] = st.refused[i];
    }
    if (st.evicted[i] > evicted_seen_[i]) {
      m.GetCounter("tidemark_mempool_evicted_total",
                   "Pending txs evicted (can no longer execute, or room for a smaller holder)",
                   {{"reason", reason}})
          ->Inc(st.evicted[i] - evicted_seen_[i]);
      evicted_seen_[i] = st.evicted[i];
    }
  }
}

}  // namespace tidemark::node
