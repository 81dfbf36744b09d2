// peer_channels.h — the node's p2p messages by channel. The first byte of every message names the
// part of the node it is for (docs/network.md, Channels); PeerChannels frames what those parts
// send and hands what peers send to them: consensus messages to the ConsensusDriver, block-sync
// messages to BlockSync, gossiped txs to the mempool. It also gossips the txs this node admitted
// through REST, and offers the recent ones again to a peer that (re)connects.
//
//   PeerChannels channels(transport, pool, driver, sync, cfg.p2p.ban_ms, ext.drop_inbound);
//   // the transport's handlers:  channels.OnMessage(from, frame);  channels.OnPeer(peer, up);
//   driver.SetSender([&](const PublicKey* to, Bytes m) { channels.SendConsensus(to, m); });
//   channels.GossipTx(tx_bytes);  // a tx the REST backend admitted as pending
//
// A gossiped tx goes through the same admission as a REST one and is never relayed (the node that
// admitted it through REST sent it to every peer), so only admitted txs travel. A peer that sends
// an empty message (no channel byte) is banned for `ban_ms`; a message on an unknown channel is
// ignored (a newer peer).
//
// Thread safety: every method may be called from any thread (the transport's, the HTTP handlers',
// the driver's); the recent-tx list has its own mutex. The transport, mempool, driver and sync
// must outlive this object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>

#include "tidemark/bytes.h"
#include "tidemark/crypto.h"
#include "tidemark/hash.h"

namespace tidemark::node {

namespace p2p {
class Transport;
}
namespace mempool {
class Mempool;
}
class ConsensusDriver;
class BlockSync;

// The first byte of every p2p message: the part of the node it is for (docs/network.md, Channels).
enum Channel : uint8_t { kConsensus = 0, kTxGossip = 1, kSync = 2 };

class PeerChannels {
 public:
  // Asked about every inbound message before it is routed (`body` without the channel byte);
  // true drops it silently. Empty in production (NodeExtensions::drop_inbound of a test binary).
  using DropInbound = std::function<bool(const PublicKey& from, Channel channel, ByteView body)>;

  // Admitted txs remembered for peers that connect later.
  static constexpr size_t kRecentTxs = 1024;

  PeerChannels(p2p::Transport& transport, mempool::Mempool& pool, ConsensusDriver& driver,
               BlockSync& sync, uint32_t ban_ms, DropInbound drop_inbound = nullptr);

  // The transport's message handler: routes `frame` by its channel byte.
  void OnMessage(const PublicKey& from, Bytes frame);
  // The transport's connection handler: a (re)connected peer gets the recently admitted txs that
  // are still pending here and still admissible.
  void OnPeer(const PublicKey& peer, bool connected);

  // Sends a tx this node admitted through REST to every peer, and remembers it.
  void GossipTx(ByteView tx);
  // The driver's and block sync's senders. `to` nullptr: every connected peer.
  void SendConsensus(const PublicKey* to, const Bytes& msg);
  void SendSync(const PublicKey& to, const Bytes& body);

  // A peer that broke the protocol is disconnected and refused for `ban_ms`.
  void Misbehaved(const PublicKey& from, const std::string& why);

 private:
  p2p::Transport& transport_;
  mempool::Mempool& pool_;
  ConsensusDriver& driver_;
  BlockSync& sync_;
  const uint32_t ban_ms_;
  const DropInbound drop_inbound_;
  std::mutex gossip_mu_;
  std::deque<std::pair<Hash256, Bytes>> recent_txs_;  // guarded by gossip_mu_; last kRecentTxs
};

}  // namespace tidemark::node
