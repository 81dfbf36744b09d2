#include <catch2/catch.hpp>
#include <map>
#include <thread>

#include "fake_ledger.h"
#include "tidemark/node/mempool/mempool.h"

using namespace tidemark;
using namespace tidemark::node::mempool;
using tidemark::testing::MakeTx;
using tidemark::testing::TestKey;

namespace {

struct Pool {
  std::map<PublicKey, uint64_t> next;
  Mempool pool;
  explicit Pool(MempoolOptions o = {})
      : pool(WithChain(o), [this](const PublicKey& k) {
          auto it = next.find(k);
          return it == next.end() ? uint64_t{0} : it->second;
        }) {}
  static MempoolOptions WithChain(MempoolOptions o) {
    o.chain_id = "test-chain";
    return o;
  }
};

Result<TxRecord> Add(Mempool& p, const Transaction& tx) { return p.Add(tx.Encode()); }

}  // namespace

TEST_CASE("mempool admits a valid tx as pending and finds it") {
  Pool p;
  Transaction tx = MakeTx(TestKey(1), 0);
  auto r = Add(p.pool, tx);
  REQUIRE(r.ok());
  CHECK(r->state == TxState::kPending);
  CHECK(r->id == tx.Id());
  CHECK(p.pool.Find(tx.Id())->state == TxState::kPending);
  CHECK(p.pool.WasVerified(tx.Id()));
  CHECK(p.pool.Stats().txs == 1);
  CHECK(p.pool.Stats().bytes == tx.Encode().size());
}

TEST_CASE("mempool rejects a bad signature, and says so again for the same bytes") {
  Pool p;
  Transaction tx = MakeTx(TestKey(1), 0);
  tx.signature.data[0] ^= 1;
  auto r = Add(p.pool, tx);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnauthenticated);
  auto again = Add(p.pool, tx);
  CHECK(again.status() == r.status());
  CHECK(p.pool.Find(tx.Id())->state == TxState::kRejected);
  CHECK(p.pool.Stats().txs == 0);
  CHECK_FALSE(p.pool.WasVerified(tx.Id()));
}

TEST_CASE("mempool rejects a tx signed for another chain") {
  Pool p;
  auto r = Add(p.pool, MakeTx(TestKey(1), 0, "other-chain"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().message().find("chain id") != std::string::npos);
}

TEST_CASE("mempool rejects undecodable and oversized bytes") {
  Pool p({.max_tx_bytes = 300});
  Bytes garbage = {1, 2, 3};
  CHECK(p.pool.Add(garbage).status().code() == Code::kInvalidArgument);
  Transaction big = MakeTx(TestKey(1), 0, "test-chain", std::string(400, 'a'));
  auto r = Add(p.pool, big);
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().message().find("exceeds") != std::string::npos);
  Bytes trailing = MakeTx(TestKey(1), 0).Encode();
  trailing.push_back(0);
  CHECK(p.pool.Add(trailing).status().code() == Code::kInvalidArgument);
}

TEST_CASE("mempool rejects a stale nonce and one too far ahead") {
  Pool p({.nonce_window = 4});
  KeyPair k = TestKey(1);
  p.next[k.public_key()] = 5;
  auto stale = Add(p.pool, MakeTx(k, 4));
  CHECK(stale.status().code() == Code::kFailedPrecondition);
  CHECK(stale.status().message().find("stale nonce") != std::string::npos);
  CHECK(Add(p.pool, MakeTx(k, 5)).ok());
  CHECK(Add(p.pool, MakeTx(k, 8)).ok());  // 5 + 4 - 1: last in the window
  auto ahead = Add(p.pool, MakeTx(k, 9));
  CHECK(ahead.status().code() == Code::kFailedPrecondition);
  CHECK(ahead.status().message().find("too far ahead") != std::string::npos);
}

TEST_CASE("mempool duplicate submission is idempotent") {
  Pool p;
  Transaction tx = MakeTx(TestKey(1), 0);
  auto a = Add(p.pool, tx);
  auto b = Add(p.pool, tx);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->id == b->id);
  CHECK(b->state == TxState::kPending);
  CHECK(p.pool.Stats().txs == 1);
}

TEST_CASE("mempool refuses a second tx for a pending signer and nonce") {
  Pool p;
  KeyPair k = TestKey(1);
  REQUIRE(Add(p.pool, MakeTx(k, 0, "test-chain", "a")).ok());
  auto r = Add(p.pool, MakeTx(k, 0, "test-chain", "b"));
  CHECK(r.status().code() == Code::kAlreadyExists);
}

TEST_CASE("mempool full by count and by bytes answers ResourceExhausted") {
  SECTION("count") {
    Pool p({.max_txs = 2});
    REQUIRE(Add(p.pool, MakeTx(TestKey(1), 0)).ok());
    REQUIRE(Add(p.pool, MakeTx(TestKey(2), 0)).ok());
    auto r = Add(p.pool, MakeTx(TestKey(3), 0));
    CHECK(r.status().code() == Code::kResourceExhausted);
    // Not remembered: once there is room the same tx is admitted.
    p.pool.Remove({MakeTx(TestKey(1), 0).Id()});
    CHECK(Add(p.pool, MakeTx(TestKey(3), 0)).ok());
  }
  SECTION("bytes") {
    size_t one = MakeTx(TestKey(1), 0).Encode().size();
    Pool p({.max_bytes = 2 * one + one / 2});
    REQUIRE(Add(p.pool, MakeTx(TestKey(1), 0)).ok());
    REQUIRE(Add(p.pool, MakeTx(TestKey(2), 0)).ok());
    CHECK(Add(p.pool, MakeTx(TestKey(3), 0)).status().code() == Code::kResourceExhausted);
    CHECK(p.pool.Stats().bytes == 2 * one);
  }
}

TEST_CASE("mempool TakeBatch returns ready txs in nonce order per signer") {
  Pool p;
  KeyPair a = TestKey(1), b = TestKey(2);
  // Submitted out of order; b's nonce 1 has a gap (no 0 yet).
  REQUIRE(Add(p.pool, MakeTx(a, 2)).ok());
  REQUIRE(Add(p.pool, MakeTx(a, 0)).ok());
  REQUIRE(Add(p.pool, MakeTx(b, 1)).ok());
  REQUIRE(Add(p.pool, MakeTx(a, 1)).ok());
  auto batch = p.pool.TakeBatch(100, 1 << 20);
  REQUIRE(batch.size() == 3);
  std::vector<uint64_t> a_nonces;
  for (const auto& tx : batch) {
    CHECK(tx.signer == a.public_key());
    a_nonces.push_back(tx.nonce);
  }
  CHECK(a_nonces == std::vector<uint64_t>{0, 1, 2});
  // Taken txs are in flight: not offered again until released.
  CHECK(p.pool.TakeBatch(100, 1 << 20).empty());
  REQUIRE(Add(p.pool, MakeTx(b, 0)).ok());
  auto next = p.pool.TakeBatch(100, 1 << 20);
  REQUIRE(next.size() == 2);
  CHECK(next[0].nonce == 0);
  CHECK(next[1].nonce == 1);
  p.pool.ReleaseInFlight();
  CHECK(p.pool.TakeBatch(100, 1 << 20).size() == 5);
}

// Regression: after a round timeout the txs of an abandoned proposal are offered again, while the
// block holding them may still commit; a proposal on that block must start after its nonces.
TEST_CASE("mempool TakeBatch skips the nonces the uncommitted chain already carries") {
  Pool p;
  KeyPair a = TestKey(1), b = TestKey(2);
  for (uint64_t n = 0; n < 3; ++n) REQUIRE(Add(p.pool, MakeTx(a, n)).ok());
  REQUIRE(Add(p.pool, MakeTx(b, 0)).ok());
  REQUIRE(p.pool.TakeBatch(100, 1 << 20).size() == 4);  // proposed in a block that timed out
  p.pool.ReleaseInFlight();
  // The parent chain holds a's nonces 0 and 1: only a's 2 and b's 0 may follow.
  auto batch = p.pool.TakeBatch(100, 1 << 20, {{a.public_key(), 2}});
  REQUIRE(batch.size() == 2);
  std::map<PublicKey, uint64_t> got;
  for (const auto& tx : batch) got[tx.signer] = tx.nonce;
  CHECK(got == std::map<PublicKey, uint64_t>{{a.public_key(), 2}, {b.public_key(), 0}});
  p.pool.ReleaseInFlight();
  // A chain floor below the committed nonce changes nothing.
  CHECK(p.pool.TakeBatch(100, 1 << 20, {{a.public_key(), 0}}).size() == 4);
}

TEST_CASE("mempool TakeBatch respects max_txs and max_bytes") {
  Pool p;
  KeyPair a = TestKey(1);
  for (uint64_t n = 0; n < 5; ++n) REQUIRE(Add(p.pool, MakeTx(a, n)).ok());
  auto two = p.pool.TakeBatch(2, 1 << 20);
  REQUIRE(two.size() == 2);
  CHECK(two[1].nonce == 1);
  size_t one = MakeTx(a, 0).Encode().size();
  auto by_bytes = p.pool.TakeBatch(100, one + one / 2);
  REQUIRE(by_bytes.size() == 1);
  CHECK(by_bytes[0].nonce == 2);
}

TEST_CASE("mempool OnCommitted records statuses and drops txs whose nonce went stale") {
  Pool p;
  KeyPair a = TestKey(1);
  Transaction t0 = MakeTx(a, 0), t1 = MakeTx(a, 1);
  REQUIRE(Add(p.pool, t0).ok());
  REQUIRE(Add(p.pool, t1).ok());
  // Another node's block used nonces 0 and 1 of signer a with different txs; ours is t0 too.
  Transaction other1 = MakeTx(a, 1, "test-chain", "other");
  p.next[a.public_key()] = 2;
  std::vector<Receipt> receipts = {Receipt{.tx_id = t0.Id(), .height = 7, .index = 0},
                                   Receipt{.tx_id = other1.Id(),
                                           .height = 7,
                                           .index = 1,
                                           .status = TxStatus::kRejected,
                                           .reason = "nope"}};
  p.pool.OnCommitted(7, {t0, other1}, receipts);
  auto s0 = p.pool.Find(t0.Id());
  CHECK(s0->state == TxState::kCommitted);
  CHECK(s0->height == 7);
  CHECK(s0->index == 0);
  auto s_other = p.pool.Find(other1.Id());
  CHECK(s_other->state == TxState::kRejected);
  CHECK(s_other->reason == "nope");
  auto s1 = p.pool.Find(t1.Id());
  CHECK(s1->state == TxState::kRejected);
  CHECK(s1->reason.find("used by another") != std::string::npos);
  CHECK(p.pool.Stats().txs == 0);
  CHECK(p.pool.Stats().bytes == 0);
  // Resubmitting the committed tx answers its committed record.
  auto again = Add(p.pool, t0);
  REQUIRE(again.ok());
  CHECK(again->state == TxState::kCommitted);
}

TEST_CASE("mempool WaitFinal wakes on commit and times out otherwise") {
  Pool p;
  Transaction tx = MakeTx(TestKey(1), 0);
  REQUIRE(Add(p.pool, tx).ok());
  auto t0 = std::chrono::steady_clock::now();
  auto timed_out = p.pool.WaitFinal(tx.Id(), std::chrono::milliseconds(50));
  CHECK(timed_out->state == TxState::kPending);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(50));
  std::thread committer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    p.pool.OnCommitted(3, {tx}, {Receipt{.tx_id = tx.Id(), .height = 3, .index = 0}});
  });
  auto r = p.pool.WaitFinal(tx.Id(), std::chrono::seconds(5));
  committer.join();
  CHECK(r->state == TxState::kCommitted);
  CHECK(p.pool.WaitFinal(Hash256{}, std::chrono::seconds(5)).status().code() == Code::kNotFound);
}

TEST_CASE("mempool recent-status cache is bounded") {
  Pool p({.status_cache = 2});
  std::vector<Transaction> txs;
  for (uint8_t i = 1; i <= 3; ++i) {
    txs.push_back(MakeTx(TestKey(i), 0));
    REQUIRE(Add(p.pool, txs.back()).ok());
  }
  for (size_t i = 0; i < 3; ++i) {
    p.pool.OnCommitted(i + 1, {txs[i]},
                       {Receipt{.tx_id = txs[i].Id(), .height = i + 1, .index = 0}});
  }
  CHECK(p.pool.Find(txs[0].Id()).status().code() == Code::kNotFound);
  CHECK(p.pool.Find(txs[2].Id())->state == TxState::kCommitted);
}

TEST_CASE("mempool concurrent submissions of the same tx admit it once") {
  Pool p;
  Transaction tx = MakeTx(TestKey(1), 0);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (Add(p.pool, tx).ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 4);
  CHECK(p.pool.Stats().txs == 1);
}
