// transport.h — authenticated, encrypted peer-to-peer links between validator nodes.
//
// Every connection is mutually authenticated with the nodes' Ed25519 keys and encrypted
// (X25519 key exchange via crypto_kx + crypto_secretstream_xchacha20poly1305); a peer whose key the
// Authorizer refuses is dropped during the handshake, before it can send a single message. Frames
// are length-prefixed and bounded (max_frame_bytes); a bad frame, a failed decryption or an
// oversized length closes the connection. See docs/network.md for the handshake and framing.
//
//   boost::asio::io_context io;
//   Transport t(io, node_key, {.chain_id = "tidemark-local", .listen_port = 26656},
//               [&](const PublicKey& k) { return registry.IsNode(k); },
//               [&](const PublicKey& from, Bytes msg) { core.OnPeerMessage(from, std::move(msg));
//               });
//   TM_RETURN_IF_ERROR(t.Listen());
//   t.AddPeer({peer_key, "127.0.0.1", 26657});
//   t.Broadcast(bytes);  io.run();
//
// Dialling rule: a node dials the peers whose key is greater than its own (or that were added with
// force_dial, e.g. an observer dialling validators) and reconnects with capped exponential backoff;
// when a second authenticated connection to the same peer appears, the newest one wins.
//
// Handshake admission (nobody can starve the authenticated peers): an inbound connection is
// "anonymous" until its Hello names a key the Authorizer accepts. At most
// max_inbound_handshakes_per_ip anonymous handshakes per source address and
// max_inbound_handshakes in all; a newcomer beyond either cap closes the OLDEST anonymous
// handshake (of that address, or overall) instead of being refused, so idle connections held by
// an attacker cannot keep a peer out: its Hello arrives in the first round trip. A Hello that
// names an authorised key leaves the anonymous pool; at most kMaxPendingPerClaimedKey handshakes
// may claim one key (the oldest is closed), and each must finish within handshake_timeout_ms
// (the Hello itself within hello_timeout_ms). Outbound dials are never counted. Every refusal is
// counted by reason in TransportStats::refused (per_ip_cap, total_cap, claimed_key_cap,
// hello_timeout, handshake_timeout, unauthorized, banned, wrong_chain, bad_hello, bad_proof,
// closed).
//
// Thread safety: all public methods may be called from any thread; handlers run on the
// io_context's threads (serialise them in the caller if needed).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tidemark/crypto.h"
#include "tidemark/status.h"

namespace boost::asio {
class io_context;
}

namespace tidemark::node::p2p {

struct PeerAddress {
  PublicKey key;
  std::string host;
  uint16_t port = 0;
  bool force_dial = false;  // dial even if our key is greater (observers, tests)
};

struct TransportOptions {
  std::string chain_id;
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;  // 0: pick an ephemeral port (see Transport::port())
  size_t max_frame_bytes = 16 << 20;
  size_t max_queue_bytes = 64 << 20;     // per peer; Send() fails with ResourceExhausted beyond it
  uint32_t hello_timeout_ms = 1000;      // an inbound Hello must arrive within this
  uint32_t handshake_timeout_ms = 3000;  // the whole handshake, either side
  uint32_t reconnect_min_ms = 100;
  uint32_t reconnect_max_ms = 5000;
  size_t max_inbound_handshakes = 64;        // concurrent anonymous inbound handshakes
  size_t max_inbound_handshakes_per_ip = 4;  // of those, from one source address
  // An authenticated peer whose frame is oversized or fails authentication is disconnected and
  // refused (no handshake, no dialling) for this long; 0: disconnect only.
  uint32_t ban_ms = 30'000;
};

struct TransportStats {
  uint64_t frames_in = 0, frames_out = 0, bytes_in = 0, bytes_out = 0;
  uint64_t handshakes_ok = 0, handshakes_refused = 0, dropped_bad_frames = 0;
  uint64_t bans = 0;  // peers banned (bad frames here, or Ban() by the application)
  std::map<std::string, uint64_t> refused;  // handshakes refused or closed, by reason
  size_t anonymous_handshakes = 0;          // inbound handshakes whose Hello is not yet read
};

// Handshakes that may claim one authorised key at a time (a Hello's key is only proven later).
inline constexpr size_t kMaxPendingPerClaimedKey = 2;

class Transport {
 public:
  using Authorizer = std::function<bool(const PublicKey&)>;
  using MessageHandler = std::function<void(const PublicKey& from, Bytes message)>;
  using PeerHandler = std::function<void(const PublicKey& peer, bool connected)>;

  Transport(boost::asio::io_context& io, KeyPair node_key, TransportOptions options,
            Authorizer authorize, MessageHandler on_message, PeerHandler on_peer = nullptr);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Starts accepting connections. Fails if the address cannot be bound.
  Status Listen();
  uint16_t port() const;

  // Remembers the peer and keeps a connection to it (see the dialling rule above).
  void AddPeer(PeerAddress peer);
  void RemovePeer(const PublicKey& key);

  // Queues a message for one peer. Unavailable if not connected, ResourceExhausted if its queue
  // is full, InvalidArgument if larger than max_frame_bytes.
  Status Send(const PublicKey& to, Bytes message);
  // Queues to every connected peer; peers whose queue is full skip this message.
  void Broadcast(const Bytes& message);

  std::vector<PublicKey> ConnectedPeers() const;
  TransportStats stats() const;

  // Test-only fault layer: messages to and from these peers are silently dropped.
  void SetBlocked(std::set<PublicKey> blocked);

  // Closes the connection to `key` and refuses it (handshakes and dialling) for `ms`
  // milliseconds: for a peer that broke the protocol (the application saw a malformed message).
  void Ban(const PublicKey& key, uint32_t ms, const std::string& reason);
  bool IsBanned(const PublicKey& key) const;

  // Closes every connection and stops dialling; safe to call twice.
  void Stop();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace tidemark::node::p2p
