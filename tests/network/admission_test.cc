// Process tests of admission control (issue #12, docs/api.md §Admission): real `tidemark-node`
// processes on loopback. Nobody without a key can fill the mempool, keep the chain busy or put
// bytes into blocks; a tx that can never execute does not make blocks beyond the heartbeat.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>

#include "net_util.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;

namespace {

// The nets below pace blocks with idle_block_interval_ms = 200 (net_util.h): the heartbeat is
// 5 blocks a second; a chain that treats a stuck tx as work makes one every 20 ms instead.
constexpr double kHeartbeatPerSecond = 5.0;

// Letters that do not compress, so that bytes on disk would show bytes written.
std::string Noise(size_t n) {
  std::string out(n, 'a');
  uint32_t x = 0x9e3779b9;
  for (char& c : out) {
    x = x * 1664525 + 1013904223;
    c = static_cast<char>('a' + (x >> 24) % 26);
  }
  return out;
}

// A production call any active key may make.
Transaction PartyTx(const KeyPair& k, const std::string& chain, uint64_t nonce,
                    const std::string& id, size_t name_bytes = 8) {
  Transaction tx{
      .chain_id = chain,
      .nonce = nonce,
      .contract = "prov",
      .method = "register_party",
      .args = Value::MakeMap({{"id", Value(id)}, {"name", Value(Noise(name_bytes))}}).Encode()};
  tx.SignWith(k);
  return tx;
}

KeyPair RandomKey(uint32_t i, uint8_t tag) {
  Seed s;
  s.data.fill(tag);
  std::memcpy(s.data.data(), &i, sizeof i);
  return KeyPair::FromSeed(s);
}

// POST /v1/txs over one keep-alive connection, request after request (a flooder's client).
class KeepAliveClient {
 public:
  explicit KeepAliveClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Close();
  }
  ~KeepAliveClient() { Close(); }
  KeepAliveClient(const KeepAliveClient&) = delete;
  KeepAliveClient& operator=(const KeepAliveClient&) = delete;

  // The HTTP status, or 0 when the connection failed.
  int PostTx(const Transaction& tx) {
    if (fd_ < 0) return 0;
    std::string body = json{{"tx", ToHex(tx.Encode())}}.dump();
    std::string req =
        "POST /v1/txs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
        "\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    for (size_t sent = 0; sent < req.size();) {
      ssize_t n = ::send(fd_, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return Close();
      sent += static_cast<size_t>(n);
    }
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return Close();
    }
    std::string head = buf_.substr(0, end);
    size_t length = 0;
    for (std::string line : {std::string("content-length:"), std::string("Content-Length:")}) {
      if (size_t at = head.find(line); at != std::string::npos) {
        length = std::stoul(head.substr(at + line.size()));
      }
    }
    while (buf_.size() < end + 4 + length) {
      if (!Fill()) return Close();
    }
    int status = std::atoi(head.c_str() + head.find(' ') + 1);
    buf_.erase(0, end + 4 + length);
    return status;
  }

 private:
  bool Fill() {
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }
  int Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return 0;
  }
  int fd_ = -1;
  std::string buf_;
};

json NodeStatus(const NodeProc& n) {
  auto s = n.Get("/v1/status");
  REQUIRE(s);
  return *s;
}

// The txs in blocks (from, to] of node n.
uint64_t TxsInBlocks(const NodeProc& n, uint64_t from, uint64_t to) {
  uint64_t txs = 0;
  for (uint64_t h = from + 1; h <= to; ++h) {
    auto b = n.Get("/v1/blocks/" + std::to_string(h));
    REQUIRE(b);
    txs += (*b)["header"]["tx_count"].get<uint64_t>();
  }
  return txs;
}

// Blocks node n commits over `seconds`.
uint64_t BlocksOver(const NodeProc& n, int seconds) {
  uint64_t h0 = n.Height();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  return n.Height() - h0;
}

}  // namespace

TEST_CASE("admission: 20,000 txs from random keys leave a legitimate tx committed in seconds") {
  TestNet net("tidemark-admit-flood");
  // The REST server's per-client rate limit (docs/api.md, Limits; tests/node/
  // http_availability_test.cc) would answer most of this flood with 429 before the mempool sees
  // it. This test is about the mempool's own defence, so every tx must reach admission.
  for (const auto& n : net.nodes) {
    TestNet::Configure(n, [](nlohmann::json& cfg) {
      cfg["http"]["requests_per_second_per_client"] = 1'000'000;
      cfg["http"]["request_burst_per_client"] = 1'000'000;
    });
  }
  net.StartAll();
  const NodeProc& entry = net.nodes[0];
  KeyPair admin = net.AdminKey(0);
  // Random keys, nonces that skip ahead (never executable even if they were registered).
  constexpr uint32_t kFlood = 20'000;
  constexpr int kClients = 4;
  std::vector<Transaction> flood;
  flood.reserve(kFlood);
  for (uint32_t i = 0; i < kFlood; ++i) {
    flood.push_back(PartyTx(RandomKey(i, 0x77), net.chain, 2 + i % 50, "f" + std::to_string(i)));
  }
  uint64_t h0 = entry.Height();
  std::atomic<uint32_t> forbidden{0}, other{0};
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      KeepAliveClient http(entry.http_port);
      for (uint32_t i = c; i < kFlood; i += kClients) {
        int status = http.PostTx(flood[i]);
        (status == 403 ? forbidden : other)++;
      }
    });
  }
  for (auto& t : clients) t.join();
  double flood_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("flood: %u txs from random keys in %.1f s: %u refused 403, %u other\n", kFlood,
              flood_s, forbidden.load(), other.load());
  CHECK(forbidden == kFlood);  // refused as not an active key: nothing pending, nothing gossiped
  for (const auto& n : net.nodes) CHECK(NodeStatus(n)["mempool"]["txs"] == 0);

  // A legitimate tx right after is admitted and committed within seconds.
  auto t1 = std::chrono::steady_clock::now();
  auto r = Submit(entry, PartyTx(admin, net.chain, 1, "legit"), /*wait=*/true);
  double commit_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  REQUIRE(r);
  INFO(r->dump());
  CHECK((*r)["status"] == "committed");
  CHECK(commit_s < 5.0);
  std::printf("flood: then a legitimate tx committed in %.2f s\n", commit_s);
  // No block carries a flood tx: the only tx since the flood began is the legitimate one.
  uint64_t h1 = entry.Height();
  CHECK(TxsInBlocks(entry, h0, h1) == 1);
}

TEST_CASE("admission: a tx that can never execute leaves the block rate at the heartbeat") {
  TestNet net("tidemark-admit-idle", {.orgs = {"solo:PLATFORM"}});
  net.StartAll();
  const NodeProc& node = net.nodes[0];
  KeyPair admin = net.AdminKey(0);
  // Registered signer, nonce well ahead of its next (1) but inside the window: admitted, pending,
  // never executable while the gap stays open.
  Transaction ahead = PartyTx(admin, net.chain, 1 + 20, "ahead");
  auto r = Submit(node, ahead, /*wait=*/false);
  REQUIRE(r);
  CHECK((*r)["status"] == "pending");
  // Unregistered signer with its "next" nonce: refused, so it cannot be work either.
  Transaction stranger = PartyTx(RandomKey(1, 0x33), net.chain, 1, "stranger");
  auto refused = node.Http().Post("/v1/txs", json{{"tx", ToHex(stranger.Encode())}}.dump());
  REQUIRE(refused.ok());
  CHECK(refused->status == 403);

  constexpr int kSeconds = 5;
  uint64_t blocks = BlocksOver(node, kSeconds);
  std::printf("idle with a stuck tx: %llu blocks in %d s (heartbeat %.0f/s)\n",
              static_cast<unsigned long long>(blocks), kSeconds, kHeartbeatPerSecond);
  CHECK(blocks <= static_cast<uint64_t>(kSeconds * kHeartbeatPerSecond * 1.4));
  CHECK(blocks >= static_cast<uint64_t>(kSeconds * kHeartbeatPerSecond * 0.4));  // still alive
  auto still = node.Get("/v1/txs/" + ahead.Id().Hex());
  REQUIRE(still);
  CHECK((*still)["status"] == "pending");

  // Closing the gap makes it work again: every tx up to it commits.
  for (uint64_t n = 1; n <= 20; ++n) {
    REQUIRE(Submit(node, PartyTx(admin, net.chain, n, "gap" + std::to_string(n)), false));
  }
  REQUIRE(WaitFor(
      [&] {
        auto t = node.Get("/v1/txs/" + ahead.Id().Hex());
        return t && (*t)["status"] == "committed";
      },
      10s));
}

TEST_CASE("admission: rejected txs of unregistered keys reach no block and no disk") {
  TestNet net("tidemark-admit-disk", {.orgs = {"solo:PLATFORM"}});
  net.StartAll();
  const NodeProc& node = net.nodes[0];
  fs::path data = node.dir / "data";
  REQUIRE(WaitFor([&] { return node.Height() >= 3; }));
  // 40 txs of 128 KiB (the debug build parses a 1 MB JSON body slowly; 513 KiB behave the same)
  // from 40 never-registered keys, each with its key's next nonce, and
  // sixteen from one never-enrolled key, in nonce order.
  std::vector<Transaction> txs;
  Transaction big = PartyTx(RandomKey(0, 0x44), net.chain, 1, "big", 128 << 10);
  for (uint32_t i = 0; i < 40; ++i) {
    big.nonce = 1;
    big.SignWith(RandomKey(i, 0x44));
    txs.push_back(big);
  }
  KeyPair never = RandomKey(99, 0x55);
  for (uint64_t n = 1; n <= 16; ++n) {
    txs.push_back(PartyTx(never, net.chain, n, "never" + std::to_string(n)));
  }
  uint64_t h0 = node.Height();
  uint64_t bytes0 = DirBytes(data);
  auto t0 = std::chrono::steady_clock::now();
  int refused = 0;
  KeepAliveClient http(node.http_port);
  for (const Transaction& tx : txs) {
    if (http.PostTx(tx) == 403) ++refused;
  }
  double send_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "unregistered: 56 txs (%zu bytes in all) refused in %.1f s\n",
      [&] {
        size_t b = 0;
        for (const auto& t : txs) b += t.Encode().size();
        return b;
      }(),
      send_s);
  CHECK(refused == 56);
  std::this_thread::sleep_for(2s);  // what a proposer would have put in blocks by now
  uint64_t h1 = node.Height();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  uint64_t bytes1 = DirBytes(data);
  std::printf("unregistered: %llu blocks in %.1f s, data dir %llu -> %llu bytes\n",
              static_cast<unsigned long long>(h1 - h0), seconds,
              static_cast<unsigned long long>(bytes0), static_cast<unsigned long long>(bytes1));
  CHECK(TxsInBlocks(node, h0, h1) == 0);
  CHECK(h1 - h0 <= static_cast<uint64_t>(seconds * kHeartbeatPerSecond * 1.4) + 2);
  // Heartbeat blocks and LevelDB's log cost a few KB each; the 20 MB of refused txs are not here.
  CHECK(bytes1 < bytes0 + (1u << 20));
  CHECK(NodeStatus(node)["mempool"]["txs"] == 0);
}
