// Process test: three honest `tidemark-node` processes and one Byzantine validator (in this
// process, byzantine_node.h: the fourth validator's real key, the real transport and replica).
// It equivocates whenever it leads, sends far-future rounds, forged votes, an undecodable
// message, an oversized frame; a stranger with an unregistered key and a raw TCP client send
// garbage. The honest three keep one chain and keep committing; the offender is disconnected and
// banned (logs, /metrics, peer counts show it).
#include <catch2/catch.hpp>

#include "byzantine_node.h"
#include "net_util.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;

namespace {

int64_t Metric(const NodeProc& n, const std::string& name) {
  auto r = n.Http().Get("/metrics");
  if (!r.ok() || r->status != 200) return -1;
  std::istringstream in(r->body);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stoll(line.substr(name.size() + 1));
  }
  return -1;
}

int Peers(const NodeProc& n) {
  auto s = n.Get("/v1/status");
  return s ? (*s)["peers"].get<int>() : -1;
}

}  // namespace

TEST_CASE("byzantine: a lying validator cannot split or stall the honest three and is dropped") {
  TestNetOptions o;
  o.ban_ms = 3000;  // short, so that the offender comes back for the next attack
  TestNet net("tidemark-byz", o);
  const std::vector<size_t> honest = {0, 1, 2};
  const size_t bad = 3;
  HonestPeers joined = StartHonest(net, honest);
  ByzantineNode byz(net.NodeKey(bad), joined.genesis,
                    {.chain_id = net.chain,
                     .listen_port = P2pPort(net.nodes[bad]),
                     .max_frame_bytes = 24 << 20,
                     .ban_ms = 0},
                    joined.peers);
  REQUIRE(byz.Start().ok());
  REQUIRE(WaitFor([&] { return byz.connected() == 3; }));
  const std::string bad_key = net.NodeKey(bad).public_key().Hex().substr(0, 16);

  KeyPair admin = net.AdminKey(0);
  uint64_t nonce = 1;
  auto commit = [&](size_t via) {
    auto tx = TestPut(admin, net.chain, nonce, "k" + std::to_string(nonce), 1);
    auto r = Submit(net.nodes[via], tx, /*wait=*/true);
    if (!r || (*r)["status"] != "committed") return false;
    ++nonce;
    return true;
  };

  // 1. Equivocation whenever it leads, a far-future round, votes in another validator's name.
  REQUIRE(WaitFor([&] { return byz.equivocations() >= 3; }, 40s));
  byz.SendFarFutureTimeout(1'000'000'000'000ull);
  byz.SendForgedVote(0);
  for (int k = 0; k < 6; ++k) CHECK(commit(k % 3));
  uint64_t h = net.MinHeight(honest);
  CHECK(net.SameChain(honest, h));
  auto tip = net.nodes[0].Get("/v1/blocks/" + std::to_string(net.nodes[0].Height()));
  REQUIRE(tip);
  CHECK((*tip)["header"]["round"].get<uint64_t>() < 1'000'000);  // nobody jumped rounds
  for (size_t i : honest) CHECK(Metric(net.nodes[i], "tidemark_p2p_bans") == 0);

  // 2. An authenticated frame that is no consensus message: every honest node bans the sender.
  for (size_t i : honest) {
    REQUIRE(byz.SendRaw(net.NodeKey(i).public_key(), Bytes{0, 0xde, 0xad, 0xbe, 0xef}).ok());
  }
  REQUIRE(WaitFor([&] {
    for (size_t i : honest) {
      if (Peers(net.nodes[i]) != 2 || net.LogCount(i, "banning peer " + bad_key) < 1) return false;
    }
    return true;
  }));
  for (size_t i : honest) {  // metrics are refreshed every 200 ms
    CHECK(WaitFor([&] { return Metric(net.nodes[i], "tidemark_p2p_bans") >= 1; }, 5s));
  }
  CHECK(commit(1));  // the honest three alone are a quorum

  // 3. An oversized frame (17 MiB > the 16 MiB limit): the transport drops and bans it.
  REQUIRE(WaitFor([&] { return byz.connected() == 3; }, 20s));  // the ban expired
  REQUIRE(byz.SendRaw(net.NodeKey(0).public_key(), Bytes(17 << 20, 0x42)).ok());
  REQUIRE(WaitFor([&] { return Metric(net.nodes[0], "tidemark_p2p_bad_frames") >= 1; }));
  CHECK(net.LogCount(0, "out of bounds") >= 1);
  CHECK(commit(2));

  // 4. A stranger: a key that is not in the registry, and a raw TCP client sending junk.
  int64_t refused = Metric(net.nodes[1], "tidemark_p2p_handshakes_refused");
  {
    boost::asio::io_context io;
    node::p2p::Transport stranger(
        io, KeyPair::Generate(), {.chain_id = net.chain, .listen_port = 0},
        [](const PublicKey&) { return true; }, [](const PublicKey&, Bytes) {});
    stranger.AddPeer({net.NodeKey(1).public_key(), "127.0.0.1", P2pPort(net.nodes[1]), true});
    std::thread t([&] { io.run_for(std::chrono::seconds(2)); });
    t.join();
    CHECK(stranger.ConnectedPeers().empty());
    stranger.Stop();
    boost::asio::ip::tcp::socket raw(io);
    boost::system::error_code ec;
    raw.connect({boost::asio::ip::make_address("127.0.0.1"), P2pPort(net.nodes[1])}, ec);
    REQUIRE(!ec);
    Bytes junk(300, 0xff);
    boost::asio::write(raw, boost::asio::buffer(junk), ec);
  }
  // The refusals are visible by reason (the stranger's key; the junk's oversized Hello). The
  // stranger redials, so the total alone can reach +2 before the junk is refused: wait for both.
  auto refused_for = [&](const std::string& reason) {
    return Metric(net.nodes[1],
                  "tidemark_p2p_handshakes_refused_by_reason{reason=\"" + reason + "\"}");
  };
  REQUIRE(WaitFor([&] {
    return Metric(net.nodes[1], "tidemark_p2p_handshakes_refused") >= refused + 2 &&
           refused_for("unauthorized") >= 1 && refused_for("bad_hello") >= 1;
  }));
  CHECK(net.LogCount(1, "peer key not authorised") >= 1);
  CHECK(refused_for("unauthorized") >= 1);
  CHECK(refused_for("bad_hello") >= 1);

  // Still one chain, still committing.
  CHECK(commit(0));
  byz.Stop();
  h = net.MinHeight(honest);
  CHECK(net.SameChain(honest, h));
  CHECK(byz.equivocations() >= 3);
}
