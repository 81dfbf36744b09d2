#include "tidemark/node/p2p/transport.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstring>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <optional>

#include "tidemark/codec.h"
#include "tidemark/hash.h"
#include "tidemark/node/p2p/wire.h"
#include "tidemark/types.h"

namespace tidemark::node::p2p {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

using Role = HelloRole;

// A handshake refused for a reason the stats count (TransportStats::refused).
struct Refusal : std::runtime_error {
  Refusal(const char* r, const std::string& what) : std::runtime_error(what), reason(r) {}
  const char* reason;
};

Bytes AuthBody(Role signer_role, const std::string& chain_id, const Hello& init,
               const Hello& resp) {
  Writer t;
  t.Str(chain_id);
  t.Fixed(init.static_key);
  t.Fixed(init.eph_key);
  t.Fixed(resp.static_key);
  t.Fixed(resp.eph_key);
  Writer w;
  w.U8(static_cast<uint8_t>(signer_role));
  w.Fixed(Sha256(t.bytes()));
  return w.Take();
}

}  // namespace

// One TCP connection: handshake, then a reader loop and a writer loop.
// All socket and timer operations run on the session's strand; the send queue is guarded by mu.
struct Session : std::enable_shared_from_this<Session> {
  using Strand = asio::strand<asio::io_context::executor_type>;

  Session(asio::io_context& io, std::shared_ptr<Transport::Impl> t)
      : strand(asio::make_strand(io)),
        sock(strand),
        wake(strand),
        watchdog(strand),
        transport(std::move(t)) {
    wake.expires_at(asio::steady_timer::time_point::max());
  }

  Strand strand;
  tcp::socket sock;
  asio::steady_timer wake;      // cancelled when the queue gets data
  asio::steady_timer watchdog;  // closes the socket if the handshake takes too long
  std::shared_ptr<Transport::Impl> transport;
  std::optional<FrameSealer> tx;  // set by the handshake
  std::optional<FrameOpener> rx;
  PublicKey peer;
  // Inbound admission (guarded by Transport::Impl::mu): the source address, whether the session
  // still holds an anonymous slot, the key its Hello claimed, and why it was closed early.
  std::string source_ip;
  bool anonymous = false;
  std::optional<PublicKey> claimed;
  const char* close_reason = nullptr;  // set by whoever closes it during the handshake

  std::mutex mu;
  std::deque<Bytes> queue;  // guarded by mu
  size_t queued_bytes = 0;  // guarded by mu
  bool closed = false;      // guarded by mu

  void Close() {
    {
      std::lock_guard l(mu);
      if (closed) return;
      closed = true;
    }
    asio::post(strand, [self = shared_from_this()] {
      boost::system::error_code ec;
      self->sock.shutdown(tcp::socket::shutdown_both, ec);
      self->sock.close(ec);
      self->wake.cancel();
      self->watchdog.cancel();
    });
  }

  Status Enqueue(Bytes msg, size_t max_queue) {
    {
      std::lock_guard l(mu);
      if (closed) return Status::Unavailable("peer disconnected");
      if (queued_bytes + msg.size() > max_queue) {
        return Status::ResourceExhausted("send queue to peer is full");
      }
      queued_bytes += msg.size();
      queue.push_back(std::move(msg));
    }
    asio::post(strand, [self = shared_from_this()] { self->wake.cancel(); });
    return Status::Ok();
  }

  awaitable<Bytes> ReadFrame(size_t max_plain) {
    uint8_t len_buf[4];
    co_await asio::async_read(sock, asio::buffer(len_buf), use_awaitable);
    auto len = CheckFrameLength(GetU32(len_buf), max_plain);
    if (!len.ok()) throw std::runtime_error(len.status().message());
    Bytes cipher(*len);
    co_await asio::async_read(sock, asio::buffer(cipher), use_awaitable);
    auto plain = rx->Open(cipher);
    if (!plain.ok()) throw std::runtime_error(plain.status().message());
    co_return std::move(*plain);
  }

  awaitable<void> WriteFrame(ByteView plain) {
    Bytes frame = tx->Seal(plain);
    co_await asio::async_write(sock, asio::buffer(frame), use_awaitable);
  }

  awaitable<void> WriterLoop();
};

struct Transport::Impl : std::enable_shared_from_this<Transport::Impl> {
  Impl(asio::io_context& io, KeyPair key, TransportOptions opt, Authorizer a, MessageHandler m,
       PeerHandler p)
      : io(io),
        key(std::move(key)),
        opt(std::move(opt)),
        authorize(std::move(a)),
        on_message(std::move(m)),
        on_peer(std::move(p)),
        acceptor(io) {}

  asio::io_context& io;
  const KeyPair key;
  const TransportOptions opt;
  const Authorizer authorize;
  const MessageHandler on_message;
  const PeerHandler on_peer;
  tcp::acceptor acceptor;
  uint16_t bound_port = 0;

  mutable std::mutex mu;
  std::map<PublicKey, std::shared_ptr<Session>> sessions;                // guarded by mu
  std::map<PublicKey, PeerAddress> peers;                                // guarded by mu
  std::map<PublicKey, std::shared_ptr<asio::steady_timer>> dial_timers;  // guarded by mu
  std::set<PublicKey> blocked;                                           // guarded by mu
  std::map<PublicKey, std::chrono::steady_clock::time_point> banned;     // guarded by mu
  std::chrono::steady_clock::time_point last_refusal_log;                // guarded by mu
  TransportStats stats;                                                  // guarded by mu
  // Inbound handshakes, oldest first (guarded by mu): anonymous ones, and those whose Hello
  // claimed an authorised key (not yet proven).
  std::list<std::shared_ptr<Session>> anonymous;                      // guarded by mu
  std::map<std::string, size_t> anonymous_per_ip;                     // guarded by mu
  std::map<PublicKey, std::list<std::shared_ptr<Session>>> claiming;  // guarded by mu
  bool stopped = false;                                               // guarded by mu

  // REQUIRES: mu held. Counts a refusal; closes `s` (when given) with that reason and drops it
  // from the admission pools.
  void RefuseLocked(const std::shared_ptr<Session>& s, const char* reason) {
    stats.refused[reason]++;
    stats.handshakes_refused++;
    if (s) {
      LeaveAnonymousLocked(s);
      LeaveClaimingLocked(s);
      s->close_reason = reason;
      s->Close();
    }
  }
  // REQUIRES: mu held. Drops `s` from the anonymous pool (if there).
  void LeaveAnonymousLocked(const std::shared_ptr<Session>& s) {
    if (!s->anonymous) return;
    s->anonymous = false;
    anonymous.remove(s);
    if (--anonymous_per_ip[s->source_ip] == 0) anonymous_per_ip.erase(s->source_ip);
  }
  // REQUIRES: mu held. Drops `s` from the claimed-key pool (if there).
  void LeaveClaimingLocked(const std::shared_ptr<Session>& s) {
    if (!s->claimed) return;
    auto it = claiming.find(*s->claimed);
    if (it != claiming.end()) {
      it->second.remove(s);
      if (it->second.empty()) claiming.erase(it);
    }
    s->claimed.reset();
  }
  // Admits a new inbound connection into the anonymous pool, closing the oldest anonymous
  // handshake of its address or overall when a cap is reached.
  void AdmitInbound(const std::shared_ptr<Session>& s);
  // The responder read a Hello that names an authorised key: the session leaves the anonymous
  // pool for the claimed-key pool. False if the session was already closed.
  void ClaimKey(const std::shared_ptr<Session>& s, const PublicKey& key);

  bool IsBlocked(const PublicKey& k) {
    std::lock_guard l(mu);
    return blocked.count(k) > 0;
  }
  bool Stopped() {
    std::lock_guard l(mu);
    return stopped;
  }
  // REQUIRES: mu held. Forgets expired bans.
  bool BannedLocked(const PublicKey& k) {
    auto it = banned.find(k);
    if (it == banned.end()) return false;
    if (std::chrono::steady_clock::now() < it->second) return true;
    banned.erase(it);
    return false;
  }
  bool IsBanned(const PublicKey& k) {
    std::lock_guard l(mu);
    return BannedLocked(k);
  }
  void Ban(const PublicKey& k, uint32_t ms, const std::string& reason);

  awaitable<void> AcceptLoop();
  awaitable<void> DialLoop(PublicKey peer);
  // Runs a connection from handshake to close. Returns true if the handshake succeeded.
  awaitable<bool> RunSession(std::shared_ptr<Session> s, Role role);
  awaitable<PublicKey> Handshake(std::shared_ptr<Session> sp, Role role);
  // (Re)arms the handshake watchdog: after `ms` the session is closed and counted as `reason`.
  void ArmWatchdog(const std::shared_ptr<Session>& s, uint32_t ms, const char* reason);
  void Register(const std::shared_ptr<Session>& s);
  void Unregister(const std::shared_ptr<Session>& s);
};

awaitable<void> Session::WriterLoop() {
  auto self = shared_from_this();
  for (;;) {
    std::deque<Bytes> batch;
    {
      std::lock_guard l(mu);
      if (closed) co_return;
      batch.swap(queue);
      queued_bytes = 0;
    }
    if (batch.empty()) {
      wake.expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code ec;
      co_await wake.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    for (const Bytes& m : batch) {
      co_await WriteFrame(m);
      std::lock_guard l(transport->mu);
      transport->stats.frames_out++;
      transport->stats.bytes_out += m.size();
    }
  }
}

void Transport::Impl::ArmWatchdog(const std::shared_ptr<Session>& s, uint32_t ms,
                                  const char* reason) {
  s->watchdog.expires_after(std::chrono::milliseconds(ms));
  s->watchdog.async_wait([weak = std::weak_ptr<Session>(s), self = shared_from_this(),
                          reason](boost::system::error_code ec) {
    if (ec) return;  // cancelled or re-armed: the handshake moved on in time
    auto p = weak.lock();
    if (!p) return;
    std::lock_guard l(self->mu);
    if (p->close_reason == nullptr) self->RefuseLocked(p, reason);
  });
}

awaitable<PublicKey> Transport::Impl::Handshake(std::shared_ptr<Session> sp, Role role) {
  Session& s = *sp;
  // 1. Hellos (plaintext, bounded).
  FixedBytes<crypto_kx_PUBLICKEYBYTES> eph_pk;
  FixedBytes<crypto_kx_SECRETKEYBYTES> eph_sk;
  crypto_kx_keypair(eph_pk.data.data(), eph_sk.data.data());
  Hello mine{
      .role = role, .chain_id = opt.chain_id, .static_key = key.public_key(), .eph_key = eph_pk};
  Bytes hello = mine.Encode();
  uint8_t len_buf[4];
  PutU32(len_buf, static_cast<uint32_t>(hello.size()));
  std::array<asio::const_buffer, 2> out{asio::buffer(len_buf), asio::buffer(hello)};
  co_await asio::async_write(s.sock, out, use_awaitable);

  co_await asio::async_read(s.sock, asio::buffer(len_buf), use_awaitable);
  uint32_t len = GetU32(len_buf);
  if (len > kMaxHelloBytes) throw Refusal("bad_hello", "hello too large");
  Bytes theirs_raw(len);
  co_await asio::async_read(s.sock, asio::buffer(theirs_raw), use_awaitable);
  auto theirs = Hello::Decode(theirs_raw);
  if (!theirs.ok()) throw Refusal("bad_hello", theirs.status().ToString());
  if (theirs->chain_id != opt.chain_id) throw Refusal("wrong_chain", "peer is on another chain");
  if (theirs->role == role) throw Refusal("bad_hello", "peer claims our role");
  if (theirs->static_key == key.public_key()) throw Refusal("bad_hello", "peer uses our own key");
  if (!authorize(theirs->static_key)) throw Refusal("unauthorized", "peer key not authorised");
  if (IsBanned(theirs->static_key)) throw Refusal("banned", "peer is banned");
  if (role == Role::kResponder) {
    // A known key: out of the anonymous pool; the rest of the handshake has its own deadline.
    ClaimKey(sp, theirs->static_key);
    ArmWatchdog(sp, opt.handshake_timeout_ms, "handshake_timeout");
  }

  // 2. Session keys and secretstream headers.
  uint8_t rx_key[crypto_kx_SESSIONKEYBYTES], tx_key[crypto_kx_SESSIONKEYBYTES];
  int kx = role == Role::kInitiator
               ? crypto_kx_client_session_keys(rx_key, tx_key, eph_pk.data.data(),
                                               eph_sk.data.data(), theirs->eph_key.data.data())
               : crypto_kx_server_session_keys(rx_key, tx_key, eph_pk.data.data(),
                                               eph_sk.data.data(), theirs->eph_key.data.data());
  sodium_memzero(eph_sk.data.data(), eph_sk.size());
  if (kx != 0) throw Refusal("bad_hello", "key exchange failed");
  uint8_t my_header[kStreamHeaderBytes], their_header[kStreamHeaderBytes];
  s.tx.emplace(tx_key, my_header);
  co_await asio::async_write(s.sock, asio::buffer(my_header), use_awaitable);
  co_await asio::async_read(s.sock, asio::buffer(their_header), use_awaitable);
  s.rx.emplace(rx_key, their_header);
  sodium_memzero(rx_key, sizeof rx_key);
  sodium_memzero(tx_key, sizeof tx_key);
  if (!s.rx->ok()) throw Refusal("bad_proof", "bad stream header");

  // 3. Each side proves its static key over the transcript (inside the encrypted stream).
  const Hello& init = role == Role::kInitiator ? mine : *theirs;
  const Hello& resp = role == Role::kInitiator ? *theirs : mine;
  Role their_role = role == Role::kInitiator ? Role::kResponder : Role::kInitiator;
  Signature my_sig =
      key.Sign(SigKind::kHandshake, opt.chain_id, AuthBody(role, opt.chain_id, init, resp));
  co_await s.WriteFrame(my_sig.view());
  Bytes their_sig_raw = co_await s.ReadFrame(Signature::kSize);
  auto their_sig = Signature::FromView(their_sig_raw);
  if (!their_sig.ok() || !Verify(theirs->static_key, SigKind::kHandshake, opt.chain_id,
                                 AuthBody(their_role, opt.chain_id, init, resp), *their_sig)) {
    throw Refusal("bad_proof", "peer failed to prove its key");
  }
  co_return theirs->static_key;
}

void Transport::Impl::Register(const std::shared_ptr<Session>& s) {
  std::shared_ptr<Session> old;
  {
    std::lock_guard l(mu);
    if (stopped) {
      s->Close();
      return;
    }
    stats.handshakes_ok++;
    auto& slot = sessions[s->peer];
    old = std::move(slot);
    slot = s;
  }
  if (old) old->Close();  // newest wins
  if (on_peer) on_peer(s->peer, true);
}

void Transport::Impl::Unregister(const std::shared_ptr<Session>& s) {
  bool was_current = false;
  {
    std::lock_guard l(mu);
    auto it = sessions.find(s->peer);
    if (it != sessions.end() && it->second == s) {
      sessions.erase(it);
      was_current = !stopped;
    }
  }
  if (was_current && on_peer) on_peer(s->peer, false);
}

awaitable<bool> Transport::Impl::RunSession(std::shared_ptr<Session> s, Role role) {
  bool authenticated = false;
  const char* refused = "closed";  // why a handshake ended, unless someone closed it (reason)
  try {
    if (role == Role::kResponder) {
      ArmWatchdog(s, std::min(opt.hello_timeout_ms, opt.handshake_timeout_ms), "hello_timeout");
    } else {
      ArmWatchdog(s, opt.handshake_timeout_ms, "handshake_timeout");
    }
    s->peer = co_await Handshake(s, role);
    s->watchdog.cancel();
    authenticated = true;
    {
      std::lock_guard l(mu);
      LeaveAnonymousLocked(s);
      LeaveClaimingLocked(s);
    }
    Register(s);
    asio::co_spawn(s->strand, s->WriterLoop(), asio::detached);
    for (;;) {
      Bytes msg = co_await s->ReadFrame(opt.max_frame_bytes);
      {
        std::lock_guard l(mu);
        stats.frames_in++;
        stats.bytes_in += msg.size();
        if (stopped || blocked.count(s->peer)) continue;
      }
      on_message(s->peer, std::move(msg));
    }
  } catch (const boost::system::system_error&) {
    // Connection closed or reset: normal end of a session.
  } catch (const std::exception& e) {
    if (authenticated) {
      {
        std::lock_guard l(mu);
        stats.dropped_bad_frames++;
      }
      if (opt.ban_ms > 0) {
        Ban(s->peer, opt.ban_ms, e.what());
      } else {
        spdlog::warn("p2p: dropping peer {}: {}", s->peer.Hex().substr(0, 16), e.what());
      }
    } else {
      if (auto* r = dynamic_cast<const Refusal*>(&e)) refused = r->reason;
      std::lock_guard l(mu);
      auto now = std::chrono::steady_clock::now();
      if (now - last_refusal_log > std::chrono::seconds(1)) {  // rate-limited: cheap to provoke
        last_refusal_log = now;
        spdlog::warn("p2p: refused a connection during the handshake: {}", e.what());
      }
    }
  }
  if (!authenticated) {
    std::lock_guard l(mu);
    LeaveAnonymousLocked(s);
    LeaveClaimingLocked(s);
    // Closed by an eviction or a watchdog: already counted under that reason.
    if (s->close_reason == nullptr) RefuseLocked(nullptr, refused);
  }
  s->Close();
  if (authenticated) Unregister(s);
  co_return authenticated;
}

void Transport::Impl::AdmitInbound(const std::shared_ptr<Session>& s) {
  std::lock_guard l(mu);
  size_t& from_ip = anonymous_per_ip[s->source_ip];
  if (from_ip >= std::max<size_t>(opt.max_inbound_handshakes_per_ip, 1)) {
    for (const auto& old : anonymous) {  // oldest first
      if (old->source_ip == s->source_ip) {
        std::shared_ptr<Session> victim = old;
        LeaveAnonymousLocked(victim);
        RefuseLocked(victim, "per_ip_cap");
        break;
      }
    }
  }
  if (anonymous.size() >= std::max<size_t>(opt.max_inbound_handshakes, 1)) {
    std::shared_ptr<Session> victim = anonymous.front();
    LeaveAnonymousLocked(victim);
    RefuseLocked(victim, "total_cap");
  }
  s->anonymous = true;
  anonymous.push_back(s);
  anonymous_per_ip[s->source_ip]++;
}

void Transport::Impl::ClaimKey(const std::shared_ptr<Session>& s, const PublicKey& key) {
  std::lock_guard l(mu);
  LeaveAnonymousLocked(s);
  auto& list = claiming[key];
  if (list.size() >= kMaxPendingPerClaimedKey) {
    std::shared_ptr<Session> victim = list.front();
    list.pop_front();
    victim->claimed.reset();
    RefuseLocked(victim, "claimed_key_cap");
  }
  s->claimed = key;
  list.push_back(s);
}

awaitable<void> Transport::Impl::AcceptLoop() {
  auto self = shared_from_this();
  for (;;) {
    tcp::socket sock(io);
    boost::system::error_code ec;
    co_await acceptor.async_accept(sock, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (Stopped() || ec == asio::error::operation_aborted) co_return;
      continue;
    }
    auto s = std::make_shared<Session>(io, self);
    auto remote = sock.remote_endpoint(ec);
    if (ec) continue;  // already gone
    auto protocol = sock.local_endpoint(ec).protocol();
    s->sock = tcp::socket(s->strand, protocol, sock.release());
    s->sock.set_option(tcp::no_delay(true), ec);
    s->source_ip = remote.address().to_string();
    AdmitInbound(s);
    asio::co_spawn(s->strand, RunSession(s, Role::kResponder), asio::detached);
  }
}

awaitable<void> Transport::Impl::DialLoop(PublicKey peer_key) {
  auto self = shared_from_this();
  uint32_t backoff = opt.reconnect_min_ms;
  for (;;) {
    PeerAddress addr;
    std::shared_ptr<asio::steady_timer> timer;
    std::optional<std::chrono::steady_clock::time_point> ban_until;
    {
      std::lock_guard l(mu);
      auto it = peers.find(peer_key);
      if (stopped || it == peers.end()) co_return;
      addr = it->second;
      timer = dial_timers[peer_key];
      if (BannedLocked(peer_key)) ban_until = banned[peer_key];
    }
    if (ban_until) {  // do not dial a banned peer before its ban ends
      boost::system::error_code ec;
      timer->expires_at(*ban_until);
      co_await timer->async_wait(asio::redirect_error(use_awaitable, ec));
      ban_until.reset();
      continue;
    }
    auto s = std::make_shared<Session>(io, self);
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    auto endpoints = co_await resolver.async_resolve(addr.host, std::to_string(addr.port),
                                                     asio::redirect_error(use_awaitable, ec));
    if (!ec) {
      co_await asio::async_connect(s->sock, endpoints, asio::redirect_error(use_awaitable, ec));
    }
    bool ok = false;
    if (!ec) {
      s->sock.set_option(tcp::no_delay(true), ec);
      ok = co_await asio::co_spawn(s->strand, RunSession(s, Role::kInitiator), use_awaitable);
    }
    backoff = ok ? opt.reconnect_min_ms : std::min(backoff * 2, opt.reconnect_max_ms);
    if (Stopped()) co_return;
    timer->expires_after(std::chrono::milliseconds(backoff));
    co_await timer->async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

Transport::Transport(asio::io_context& io, KeyPair node_key, TransportOptions options,
                     Authorizer authorize, MessageHandler on_message, PeerHandler on_peer)
    : impl_(std::make_shared<Impl>(io, std::move(node_key), std::move(options),
                                   std::move(authorize), std::move(on_message),
                                   std::move(on_peer))) {
  CryptoInit();
}

Transport::~Transport() { Stop(); }

Status Transport::Listen() {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(impl_->opt.listen_host, ec);
  if (ec) return Status::Invalid("p2p listen address: " + ec.message());
  tcp::endpoint ep(addr, impl_->opt.listen_port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("p2p listen on " + impl_->opt.listen_host + ":" +
                           std::to_string(impl_->opt.listen_port) + ": " + ec.message());
  }
  impl_->bound_port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->io, impl_->AcceptLoop(), asio::detached);
  return Status::Ok();
}

uint16_t Transport::port() const { return impl_->bound_port; }

void Transport::AddPeer(PeerAddress peer) {
  if (peer.key == impl_->key.public_key()) return;
  bool dial = peer.force_dial || impl_->key.public_key() < peer.key;
  {
    std::lock_guard l(impl_->mu);
    if (impl_->stopped) return;
    bool known = impl_->peers.count(peer.key) > 0;
    impl_->peers[peer.key] = peer;
    if (known || !dial) return;
    impl_->dial_timers[peer.key] = std::make_shared<asio::steady_timer>(impl_->io);
  }
  asio::co_spawn(impl_->io, impl_->DialLoop(peer.key), asio::detached);
}

void Transport::RemovePeer(const PublicKey& key) {
  std::shared_ptr<Session> s;
  std::shared_ptr<asio::steady_timer> timer;
  {
    std::lock_guard l(impl_->mu);
    impl_->peers.erase(key);
    if (auto it = impl_->sessions.find(key); it != impl_->sessions.end()) s = it->second;
    if (auto it = impl_->dial_timers.find(key); it != impl_->dial_timers.end()) {
      timer = it->second;
      impl_->dial_timers.erase(it);
    }
  }
  if (s) s->Close();
  if (timer) asio::post(impl_->io, [timer] { timer->cancel(); });
}

Status Transport::Send(const PublicKey& to, Bytes message) {
  if (message.size() > impl_->opt.max_frame_bytes) {
    return Status::Invalid("message larger than the frame limit");
  }
  std::shared_ptr<Session> s;
  {
    std::lock_guard l(impl_->mu);
    if (impl_->blocked.count(to)) return Status::Ok();  // fault layer: silently dropped
    auto it = impl_->sessions.find(to);
    if (it == impl_->sessions.end()) return Status::Unavailable("peer not connected");
    s = it->second;
  }
  return s->Enqueue(std::move(message), impl_->opt.max_queue_bytes);
}

void Transport::Broadcast(const Bytes& message) {
  for (const PublicKey& p : ConnectedPeers()) (void)Send(p, message);
}

std::vector<PublicKey> Transport::ConnectedPeers() const {
  std::lock_guard l(impl_->mu);
  std::vector<PublicKey> out;
  for (const auto& [k, s] : impl_->sessions) out.push_back(k);
  return out;
}

TransportStats Transport::stats() const {
  std::lock_guard l(impl_->mu);
  TransportStats st = impl_->stats;
  st.anonymous_handshakes = impl_->anonymous.size();
  return st;
}

void Transport::SetBlocked(std::set<PublicKey> blocked) {
  std::lock_guard l(impl_->mu);
  impl_->blocked = std::move(blocked);
}

void Transport::Impl::Ban(const PublicKey& k, uint32_t ms, const std::string& reason) {
  std::shared_ptr<Session> s;
  {
    std::lock_guard l(mu);
    if (stopped) return;
    banned[k] = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    stats.bans++;
    if (auto it = sessions.find(k); it != sessions.end()) s = it->second;
  }
  spdlog::warn("p2p: banning peer {} for {} ms: {}", k.Hex().substr(0, 16), ms, reason);
  if (s) s->Close();
}

void Transport::Ban(const PublicKey& key, uint32_t ms, const std::string& reason) {
  impl_->Ban(key, ms, reason);
}

bool Transport::IsBanned(const PublicKey& key) const { return impl_->IsBanned(key); }

void Transport::Stop() {
  std::map<PublicKey, std::shared_ptr<Session>> sessions;
  std::map<PublicKey, std::shared_ptr<asio::steady_timer>> timers;
  {
    std::lock_guard l(impl_->mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
    sessions.swap(impl_->sessions);
    timers.swap(impl_->dial_timers);
    impl_->peers.clear();
    // Close the handshakes and drop them from the pools here: each holds the Impl, so a pool
    // entry whose coroutine never runs again (the io_context stops) would keep both alive.
    while (!impl_->anonymous.empty()) {
      std::shared_ptr<Session> s = impl_->anonymous.front();
      impl_->LeaveAnonymousLocked(s);
      s->Close();
    }
    while (!impl_->claiming.empty()) {
      std::shared_ptr<Session> s = impl_->claiming.begin()->second.front();
      impl_->LeaveClaimingLocked(s);
      s->Close();
    }
  }
  for (auto& [k, s] : sessions) s->Close();
  auto impl = impl_;
  asio::post(impl_->io, [impl, timers] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
    for (auto& [k, t] : timers) t->cancel();
  });
}

}  // namespace tidemark::node::p2p
