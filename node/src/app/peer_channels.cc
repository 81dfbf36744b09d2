// peer_channels.cc — p2p framing and routing by channel, and tx gossip (peer_channels.h).
#include "tidemark/node/app/peer_channels.h"

#include <vector>

#include "tidemark/node/app/consensus_driver.h"
#include "tidemark/node/app/sync.h"
#include "tidemark/node/mempool/mempool.h"
#include "tidemark/node/p2p/transport.h"

namespace tidemark::node {

namespace {

Bytes Framed(Channel ch, ByteView body) {
  Bytes out;
  out.reserve(body.size() + 1);
  out.push_back(ch);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace

PeerChannels::PeerChannels(p2p::Transport& transport, mempool::Mempool& pool,
                           ConsensusDriver& driver, BlockSync& sync, uint32_t ban_ms,
                           DropInbound drop_inbound)
    : transport_(transport),
      pool_(pool),
      driver_(driver),
      sync_(sync),
      ban_ms_(ban_ms),
      drop_inbound_(std::move(drop_inbound)) {}

void PeerChannels::GossipTx(ByteView tx) {
  {
    std::lock_guard l(gossip_mu_);
    recent_txs_.emplace_back(Sha256(tx), Bytes(tx.begin(), tx.end()));
    if (recent_txs_.size() > kRecentTxs) recent_txs_.pop_front();
  }
  transport_.Broadcast(Framed(kTxGossip, tx));
}

// A tx admitted while this node had no links (an observer starting, a partition) is not
// stranded, and one that can no longer execute (signer inactive, nonce stale, expired) is never
// offered again.
void PeerChannels::OnPeer(const PublicKey& peer, bool connected) {
  if (!connected) return;
  std::vector<std::pair<Hash256, Bytes>> txs;
  {
    std::lock_guard l(gossip_mu_);
    txs.assign(recent_txs_.begin(), recent_txs_.end());
  }
  for (const auto& [id, bytes] : txs) {
    if (pool_.StillAdmissible(id)) (void)transport_.Send(peer, Framed(kTxGossip, bytes));
  }
}

void PeerChannels::SendConsensus(const PublicKey* to, const Bytes& msg) {
  Bytes frame = Framed(kConsensus, msg);
  if (to) {
    (void)transport_.Send(*to, std::move(frame));
  } else {
    transport_.Broadcast(frame);
  }
}

void PeerChannels::SendSync(const PublicKey& to, const Bytes& body) {
  (void)transport_.Send(to, Framed(kSync, body));
}

void PeerChannels::Misbehaved(const PublicKey& from, const std::string& why) {
  transport_.Ban(from, ban_ms_, why);
}

void PeerChannels::OnMessage(const PublicKey& from, Bytes frame) {
  if (frame.empty()) {
    Misbehaved(from, "empty message");
    return;
  }
  Channel ch = static_cast<Channel>(frame[0]);
  if (drop_inbound_ && drop_inbound_(from, ch, ByteView(frame).subspan(1))) return;
  Bytes body(frame.begin() + 1, frame.end());
  switch (ch) {
    case kConsensus:
      driver_.OnPeerMessage(from, std::move(body));
      break;
    // A gossiped tx goes through the same admission as a REST one; it is never relayed (the
    // node that admitted it through REST sent it to every peer), so only admitted txs travel.
    case kTxGossip:
      (void)pool_.Add(body);
      break;
    case kSync:
      sync_.OnMessage(from, body);
      break;
    default:
      break;  // unknown channel: ignored (newer peer)
  }
}

}  // namespace tidemark::node
