#include <sodium.h>

#include <boost/asio.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "tidemark/node/p2p/transport.h"
#include "tidemark/node/p2p/wire.h"

using namespace tidemark;
using namespace tidemark::node::p2p;
namespace asio = boost::asio;

namespace {

KeyPair Key(uint8_t b) {
  Seed s;
  s.data.fill(b);
  return KeyPair::FromSeed(s);
}

template <typename F>
bool WaitFor(F cond, int ms = 5000) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cond();
}

struct Inbox {
  std::mutex mu;
  std::vector<std::pair<PublicKey, Bytes>> got;
  void Add(const PublicKey& k, Bytes b) {
    std::lock_guard l(mu);
    got.emplace_back(k, std::move(b));
  }
  size_t size() {
    std::lock_guard l(mu);
    return got.size();
  }
};

struct Net {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::vector<std::thread> threads;
  Net() {
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
  }
  ~Net() {
    work.reset();
    io.stop();
    for (auto& t : threads) t.join();
  }
};

struct Node {
  KeyPair key;
  Inbox inbox;
  std::unique_ptr<Transport> t;
  Node(asio::io_context& io, KeyPair k, std::set<PublicKey> allowed, TransportOptions o = {})
      : key(k) {
    if (o.chain_id.empty()) o.chain_id = "test-chain";
    t = std::make_unique<Transport>(
        io, key, o, [allowed](const PublicKey& p) { return allowed.count(p) > 0; },
        [this](const PublicKey& from, Bytes m) { inbox.Add(from, std::move(m)); });
    REQUIRE(t->Listen().ok());
  }
  PeerAddress Addr(bool force = false) const {
    return {key.public_key(), "127.0.0.1", t->port(), force};
  }
};

}  // namespace

TEST_CASE("p2p: two authorised nodes connect and exchange messages in order") {
  Net net;
  KeyPair ka = Key(1), kb = Key(2);
  std::set<PublicKey> both{ka.public_key(), kb.public_key()};
  Node a(net.io, ka, both), b(net.io, kb, both);
  a.t->AddPeer(b.Addr());
  b.t->AddPeer(a.Addr());
  REQUIRE(WaitFor(
      [&] { return a.t->ConnectedPeers().size() == 1 && b.t->ConnectedPeers().size() == 1; }));
  for (uint8_t i = 0; i < 100; ++i) {
    REQUIRE(a.t->Send(kb.public_key(), Bytes{i, 1}).ok());
    REQUIRE(b.t->Send(ka.public_key(), Bytes{i, 2}).ok());
  }
  REQUIRE(WaitFor([&] { return a.inbox.size() == 100 && b.inbox.size() == 100; }));
  for (uint8_t i = 0; i < 100; ++i) {
    CHECK(b.inbox.got[i].first == ka.public_key());
    CHECK(b.inbox.got[i].second == Bytes{i, 1});
    CHECK(a.inbox.got[i].second == Bytes{i, 2});
  }
}

TEST_CASE("p2p: a key the node does not know is refused during the handshake") {
  Net net;
  KeyPair ka = Key(1), stranger = Key(9);
  Node a(net.io, ka, {ka.public_key()});
  Node s(net.io, stranger, {ka.public_key()});
  s.t->AddPeer(a.Addr(/*force=*/true));
  REQUIRE(WaitFor([&] { return a.t->stats().handshakes_refused >= 1; }));
  CHECK(a.t->ConnectedPeers().empty());
  CHECK(s.t->Send(ka.public_key(), Bytes{1}).code() == Code::kUnavailable);
}

TEST_CASE("p2p: a node on another chain is refused") {
  Net net;
  KeyPair ka = Key(1), kb = Key(2);
  std::set<PublicKey> both{ka.public_key(), kb.public_key()};
  Node a(net.io, ka, both, {.chain_id = "chain-a"});
  Node b(net.io, kb, both, {.chain_id = "chain-b"});
  a.t->AddPeer(b.Addr(/*force=*/true));
  REQUIRE(WaitFor([&] { return b.t->stats().handshakes_refused >= 1; }));
  CHECK(a.t->ConnectedPeers().empty());
  CHECK(b.t->ConnectedPeers().empty());
}

TEST_CASE("p2p: garbage bytes from a raw socket are dropped and the node keeps serving") {
  Net net;
  KeyPair ka = Key(1), kb = Key(2);
  std::set<PublicKey> both{ka.public_key(), kb.public_key()};
  Node a(net.io, ka, both);
  {
    asio::io_context cio;
    asio::ip::tcp::socket raw(cio);
    raw.connect({asio::ip::make_address("127.0.0.1"), a.t->port()});
    Bytes junk(4096, 0xAB);  // length prefix 0xABABABAB: far above the hello limit
    boost::system::error_code ec;
    asio::write(raw, asio::buffer(junk), ec);
    REQUIRE(WaitFor([&] { return a.t->stats().handshakes_refused >= 1; }));
  }
  Node b(net.io, kb, both);
  a.t->AddPeer(b.Addr());
  b.t->AddPeer(a.Addr());
  REQUIRE(WaitFor([&] { return a.t->ConnectedPeers().size() == 1; }));
}

TEST_CASE(
    "p2p: an oversized frame closes the connection, Send refuses what the peer would refuse") {
  Net net;
  KeyPair ka = Key(1), kb = Key(2);
  std::set<PublicKey> both{ka.public_key(), kb.public_key()};
  Node a(net.io, ka, both, {.max_frame_bytes = 1000, .ban_ms = 0});  // disconnect, no ban
  Node b(net.io, kb, both, {.max_frame_bytes = 1 << 20});
  a.t->AddPeer(b.Addr());
  b.t->AddPeer(a.Addr());
  REQUIRE(WaitFor([&] { return b.t->ConnectedPeers().size() == 1; }));
  CHECK(a.t->Send(kb.public_key(), Bytes(2000, 1)).code() == Code::kInvalidArgument);
  REQUIRE(b.t->Send(ka.public_key(), Bytes(2000, 1)).ok());
  REQUIRE(WaitFor([&] { return a.t->stats().dropped_bad_frames >= 1; }));
  CHECK(a.inbox.size() == 0);
  // The dialler reconnects and small messages flow again.
  REQUIRE(
      WaitFor([&] { return b.t->Send(ka.public_key(), Bytes{7}).ok() && a.inbox.size() >= 1; }));
}

TEST_CASE("p2p: a restarted peer is reconnected to with backoff") {
  Net net;
  KeyPair ka = Key(1), kb = Key(2);
  std::set<PublicKey> both{ka.public_key(), kb.public_key()};
  Node a(net.io, ka, both, {.reconnect_min_ms = 20, .reconnect_max_ms = 200});
  auto b = std::make_unique<Node>(net.io, kb, both);
  a.t->AddPeer(b->Addr(/*force=*/true));
  REQUIRE(WaitFor([&] { return a.t->ConnectedPeers().size() == 1; }));
  b->t->Stop();
  REQUIRE(WaitFor([&] { return a.t->ConnectedPeers().empty(); }));
  b.reset();
  // The same key comes back on a new port (the old one may have been taken by another process
  // meanwhile); the dialler picks up the new address on its next attempt.
  Node b2(net.io, kb, both);
  a.t->AddPeer(b2.Addr(/*force=*/true));
  REQUIRE(WaitFor([&] { return a.t->ConnectedPeers().size() == 1; }));
  REQUIRE(a.t->Send(kb.public_key(), Bytes{42}).ok());
  REQUIRE(WaitFor([&] { return b2.inbox.size() == 1; }));
}

TEST_CASE("p2p: SetBlocked drops traffic to and from blocked peers") {
  Net net;
  KeyPair ka = Key(1), kb = Key(2);
  std::set<PublicKey> both{ka.public_key(), kb.public_key()};
  Node a(net.io, ka, both), b(net.io, kb, both);
  a.t->AddPeer(b.Addr());
  b.t->AddPeer(a.Addr());
  REQUIRE(WaitFor(
      [&] { return a.t->ConnectedPeers().size() == 1 && b.t->ConnectedPeers().size() == 1; }));
  a.t->SetBlocked({kb.public_key()});
  REQUIRE(a.t->Send(kb.public_key(), Bytes{1}).ok());
  REQUIRE(b.t->Send(ka.public_key(), Bytes{2}).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(a.inbox.size() == 0);
  CHECK(b.inbox.size() == 0);
  a.t->SetBlocked({});
  REQUIRE(b.t->Send(ka.public_key(), Bytes{3}).ok());
  REQUIRE(WaitFor([&] { return a.inbox.size() == 1; }));
}

TEST_CASE("p2p: a peer that sent an oversized frame is banned, then let back in") {
  Net net;
  KeyPair ka = Key(1), kb = Key(2);
  std::set<PublicKey> both{ka.public_key(), kb.public_key()};
  Node a(net.io, ka, both, {.max_frame_bytes = 1000, .reconnect_min_ms = 20, .ban_ms = 1500});
  Node b(net.io, kb, both, {.max_frame_bytes = 1 << 20, .reconnect_min_ms = 20});
  a.t->AddPeer(b.Addr());
  b.t->AddPeer(a.Addr());
  REQUIRE(WaitFor([&] { return a.t->ConnectedPeers().size() == 1; }));
  REQUIRE(b.t->Send(ka.public_key(), Bytes(2000, 1)).ok());
  REQUIRE(WaitFor([&] { return a.t->stats().bans == 1; }));
  CHECK(a.t->IsBanned(kb.public_key()));
  // b keeps dialling; a refuses it while the ban lasts.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(a.t->ConnectedPeers().empty());
  CHECK(a.t->stats().handshakes_refused >= 1);
  REQUIRE(WaitFor([&] { return a.t->ConnectedPeers().size() == 1; }, 10000));
  CHECK(!a.t->IsBanned(kb.public_key()));
}

TEST_CASE("p2p: Ban closes the connection and refuses the peer for the given time") {
  Net net;
  KeyPair ka = Key(1), kb = Key(2);
  std::set<PublicKey> both{ka.public_key(), kb.public_key()};
  Node a(net.io, ka, both, {.reconnect_min_ms = 20});
  Node b(net.io, kb, both, {.reconnect_min_ms = 20});
  a.t->AddPeer(b.Addr());
  b.t->AddPeer(a.Addr());
  REQUIRE(WaitFor([&] { return a.t->ConnectedPeers().size() == 1; }));
  a.t->Ban(kb.public_key(), 60'000, "test");
  REQUIRE(WaitFor([&] { return b.t->ConnectedPeers().empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(a.t->ConnectedPeers().empty());
  CHECK(b.t->Send(ka.public_key(), Bytes{1}).code() == Code::kUnavailable);
}

namespace {

// A raw TCP connection to `port` from the loopback address `from` (127.0.0.x), held open.
std::unique_ptr<asio::ip::tcp::socket> HoldConnection(asio::io_context& cio,
                                                      const std::string& from, uint16_t port) {
  auto s = std::make_unique<asio::ip::tcp::socket>(cio);
  boost::system::error_code ec;
  s->open(asio::ip::tcp::v4(), ec);
  s->bind({asio::ip::make_address(from), 0}, ec);
  if (!ec) s->connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  return ec ? nullptr : std::move(s);
}

uint64_t Refused(const Transport& t, const std::string& reason) {
  auto st = t.stats();
  auto it = st.refused.find(reason);
  return it == st.refused.end() ? 0 : it->second;
}

}  // namespace

// The hostile tester held the 64 unauthenticated handshake slots and cut a restarted validator
// off from its peers for 20 s, unseen by metrics.
TEST_CASE("p2p: idle connections from one or many addresses cannot keep a known peer out") {
  Net net;
  KeyPair ka = Key(1), kb = Key(2), kc = Key(3);
  std::set<PublicKey> known{ka.public_key(), kb.public_key(), kc.public_key()};
  // Long deadlines: only the admission caps may make room here.
  TransportOptions slow{.hello_timeout_ms = 60'000, .handshake_timeout_ms = 60'000};
  Node a(net.io, ka, known, slow);
  asio::io_context cio;
  std::vector<std::unique_ptr<asio::ip::tcp::socket>> held;
  // 20 connections from 127.0.0.1, then 5 from each of 127.0.0.2 .. 127.0.0.21: more than the
  // per-address cap (4) and, in all, more than the total cap (64).
  for (int i = 0; i < 20; ++i) held.push_back(HoldConnection(cio, "127.0.0.1", a.t->port()));
  for (int ip = 2; ip <= 21; ++ip) {
    for (int i = 0; i < 5; ++i) {
      held.push_back(HoldConnection(cio, "127.0.0." + std::to_string(ip), a.t->port()));
    }
  }
  for (const auto& h : held) REQUIRE(h != nullptr);
  REQUIRE(WaitFor(
      [&] { return Refused(*a.t, "per_ip_cap") >= 16 + 20 && Refused(*a.t, "total_cap") >= 1; }));
  CHECK(a.t->stats().anonymous_handshakes <= 64);
  // Attackers that also claim the known peer's key in a Hello (they cannot prove it).
  for (int i = 0; i < 6; ++i) {
    auto s = HoldConnection(cio, "127.0.0.30", a.t->port());
    REQUIRE(s);
    Hello h{.role = HelloRole::kInitiator, .chain_id = "test-chain", .static_key = kb.public_key()};
    FixedBytes<crypto_kx_SECRETKEYBYTES> eph_sk;
    crypto_kx_keypair(h.eph_key.data.data(), eph_sk.data.data());
    Bytes body = h.Encode();
    uint8_t len[4];
    PutU32(len, static_cast<uint32_t>(body.size()));
    boost::system::error_code ec;
    asio::write(*s, asio::buffer(len), ec);
    asio::write(*s, asio::buffer(body), ec);
    held.push_back(std::move(s));
  }
  REQUIRE(WaitFor([&] { return Refused(*a.t, "claimed_key_cap") >= 4; }));

  // The legitimate peers, dialling from 127.0.0.1 too, still connect promptly.
  auto start = std::chrono::steady_clock::now();
  Node b(net.io, kb, known, slow), c(net.io, kc, known, slow);
  b.t->AddPeer(a.Addr(/*force=*/true));
  c.t->AddPeer(a.Addr(/*force=*/true));
  REQUIRE(WaitFor([&] { return a.t->ConnectedPeers().size() == 2; }, 3000));
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  INFO("connected in " << took.count() << " ms");
  CHECK(took.count() < 2000);
  REQUIRE(b.t->Send(ka.public_key(), Bytes{7}).ok());
  REQUIRE(WaitFor([&] { return a.inbox.size() == 1; }));
}

TEST_CASE("p2p: a connection that sends no Hello is closed at the hello deadline, and counted") {
  Net net;
  KeyPair ka = Key(1);
  Node a(net.io, ka, {ka.public_key()}, {.hello_timeout_ms = 200});
  asio::io_context cio;
  auto idle = HoldConnection(cio, "127.0.0.1", a.t->port());
  REQUIRE(idle);
  REQUIRE(WaitFor([&] { return Refused(*a.t, "hello_timeout") == 1; }, 3000));
  CHECK(a.t->stats().anonymous_handshakes == 0);
  CHECK(a.t->stats().handshakes_refused >= 1);
}
