#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "fake_ledger.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/contracts/identity.h"
#include "tidemark/node/mempool/mempool.h"

using namespace tidemark;
using namespace tidemark::node::mempool;
using tidemark::testing::MakeTx;
using tidemark::testing::TestKey;

namespace {

// A pool over a fake committed state: every key is an active key of its own organisation unless
// `org` names another or `inactive` holds it; nonces from `next` (0 when absent); `height`.
struct Pool {
  std::mutex mu;
  std::map<PublicKey, uint64_t> next;
  std::map<PublicKey, std::string> org;
  std::set<PublicKey> inactive;
  uint64_t height = 0;
  std::atomic<int> reads{0};
  Mempool pool;
  explicit Pool(MempoolOptions o = {})
      : pool(WithChain(o), [this](const PublicKey& k) -> Result<SignerInfo> {
          std::lock_guard<std::mutex> l(mu);
          ++reads;
          SignerInfo info;
          info.active = inactive.count(k) == 0;
          if (!info.active) info.why = "signer " + k.Hex() + " is not a registered key";
          auto o = org.find(k);
          info.org = o == org.end() ? "org-" + k.Hex().substr(0, 8) : o->second;
          auto it = next.find(k);
          info.next_nonce = it == next.end() ? uint64_t{0} : it->second;
          info.height = height;
          return info;
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
  CHECK(MempoolOptions{}.nonce_window == 64);  // the documented default window
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
  p.height = 7;
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

TEST_CASE("mempool times each tx it admitted: until proposed, until final, and the recent median") {
  using std::chrono::milliseconds;
  auto now = std::make_shared<std::atomic<int64_t>>(0);  // the test's clock, in ms
  Pool p({.finality_window = 3, .clock = [now] {
            return std::chrono::steady_clock::time_point(milliseconds(now->load()));
          }});
  std::vector<std::pair<TxWait, int64_t>> told;
  p.pool.SetTxTimingObserver([&](TxWait w, std::chrono::steady_clock::duration d) {
    told.emplace_back(w, std::chrono::duration_cast<milliseconds>(d).count());
  });
  CHECK(p.pool.Finality().txs == 0);
  CHECK(p.pool.Finality().p50_ms == 0);

  Transaction a = MakeTx(TestKey(1), 0), b = MakeTx(TestKey(2), 0);
  REQUIRE(Add(p.pool, a).ok());  // at 0 ms
  *now = 30;
  REQUIRE(Add(p.pool, b).ok());  // at 30 ms
  *now = 100;
  REQUIRE(p.pool.TakeBatch(10, 1 << 20).size() == 2);
  CHECK(told ==
        std::vector<std::pair<TxWait, int64_t>>{{TxWait::kProposed, 100}, {TxWait::kProposed, 70}});
  // An abandoned proposal's txs taken again are not counted twice.
  p.pool.ReleaseInFlight();
  *now = 150;
  REQUIRE(p.pool.TakeBatch(10, 1 << 20).size() == 2);
  CHECK(told.size() == 2);

  // Committed at 400 ms: a waited 400, b 370. A tx this pool never held (another node's) is not
  // timed.
  told.clear();
  *now = 400;
  Transaction foreign = MakeTx(TestKey(3), 0);
  p.next[TestKey(1).public_key()] = 1;
  p.next[TestKey(2).public_key()] = 1;
  p.height = 1;
  p.pool.OnCommitted(1, {a, b, foreign},
                     {Receipt{.tx_id = a.Id(), .height = 1, .index = 0},
                      Receipt{.tx_id = b.Id(), .height = 1, .index = 1},
                      Receipt{.tx_id = foreign.Id(), .height = 1, .index = 2}});
  CHECK(told ==
        std::vector<std::pair<TxWait, int64_t>>{{TxWait::kFinal, 400}, {TxWait::kFinal, 370}});
  CHECK(p.pool.Finality().txs == 2);
  CHECK(p.pool.Finality().p50_ms == 400);  // the upper median of {370, 400}

  // The window keeps the last three: 370 and 400 leave as 10, 20, 30 ms arrive.
  for (uint8_t i = 0; i < 3; ++i) {
    Transaction t = MakeTx(TestKey(4 + i), 0);
    *now = 1000;
    REQUIRE(Add(p.pool, t).ok());
    *now = 1000 + 10 * (i + 1);
    p.height = 2u + i;
    p.pool.OnCommitted(2 + i, {t}, {Receipt{.tx_id = t.Id(), .height = 2u + i, .index = 0}});
  }
  CHECK(p.pool.Finality().txs == 3);
  CHECK(p.pool.Finality().p50_ms == 20);
  // A resubmission of a committed tx is not admitted again, so it is not timed again.
  told.clear();
  REQUIRE(Add(p.pool, a).ok());
  p.pool.OnCommitted(9, {a}, {Receipt{.tx_id = a.Id(), .height = 9, .index = 0}});
  CHECK(told.empty());
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

// ---- Admission control (issue #12: nobody without a key can jam the network) -------------------

namespace {

// A production call (prov.register_party) signed by `key`; `id` varies the bytes.
Transaction PartyTx(const KeyPair& key, uint64_t nonce, const std::string& id = "p") {
  Transaction tx{.chain_id = "test-chain",
                 .nonce = nonce,
                 .contract = "prov",
                 .method = "register_party",
                 .args = Value::MakeMap({{"id", Value(id)}, {"name", Value("Party")}}).Encode()};
  tx.SignWith(key);
  return tx;
}

}  // namespace

TEST_CASE("admission: a tx whose signer is not an active key is refused before its signature") {
  Pool p;
  KeyPair stranger = TestKey(9);
  p.inactive.insert(stranger.public_key());
  Transaction tx = PartyTx(stranger, 0);
  auto r = Add(p.pool, tx);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kPermissionDenied);
  CHECK(r.status().message().find("not an active key") != std::string::npos);
  CHECK_FALSE(p.pool.WasVerified(tx.Id()));  // refused before the costly check
  CHECK(p.pool.Stats().txs == 0);
  CHECK(p.pool.Stats().refused[static_cast<size_t>(Refusal::kInactiveSigner)] == 1);
  // Not remembered: once the key is enrolled the same bytes are admitted.
  p.inactive.clear();
  CHECK(Add(p.pool, tx).ok());
}

TEST_CASE("admission: per-signer quota by count and by bytes") {
  SECTION("count") {
    Pool p({.max_signer_txs = 3});
    KeyPair k = TestKey(1);
    for (uint64_t n = 0; n < 3; ++n) REQUIRE(Add(p.pool, PartyTx(k, n)).ok());
    auto r = Add(p.pool, PartyTx(k, 3));
    CHECK(r.status().code() == Code::kResourceExhausted);
    CHECK(r.status().message().find("signer's quota") != std::string::npos);
    CHECK(Add(p.pool, PartyTx(TestKey(2), 0)).ok());  // another key is not affected
  }
  SECTION("bytes") {
    size_t one = PartyTx(TestKey(1), 0).Encode().size();
    Pool p({.max_signer_bytes = 2 * one + one / 2});
    KeyPair k = TestKey(1);
    REQUIRE(Add(p.pool, PartyTx(k, 0)).ok());
    REQUIRE(Add(p.pool, PartyTx(k, 1)).ok());
    CHECK(Add(p.pool, PartyTx(k, 2)).status().code() == Code::kResourceExhausted);
  }
}

TEST_CASE("admission: a full organisation quota makes room for its key under its share") {
  Pool p({.max_org_txs = 4});
  KeyPair flooder = TestKey(1), colleague = TestKey(2), other = TestKey(3);
  p.org[flooder.public_key()] = "acme";
  p.org[colleague.public_key()] = "acme";
  std::vector<Transaction> flood;
  for (uint64_t n = 0; n < 4; ++n) {
    flood.push_back(PartyTx(flooder, n));
    REQUIRE(Add(p.pool, flood.back()).ok());
  }
  // The flooder cannot go beyond the org's quota (it is the org's largest holder).
  auto more = Add(p.pool, PartyTx(flooder, 4));
  CHECK(more.status().code() == Code::kResourceExhausted);
  CHECK(more.status().message().find("organisation's quota") != std::string::npos);
  // A colleague's tx gets in; the flooder's newest tx is evicted for it.
  REQUIRE(Add(p.pool, PartyTx(colleague, 0)).ok());
  CHECK(p.pool.Stats().txs == 4);
  auto evicted = p.pool.Find(flood[3].Id());
  REQUIRE(evicted.ok());
  CHECK(evicted->state == TxState::kRejected);
  CHECK(evicted->reject_code == Code::kResourceExhausted);
  CHECK(p.pool.Find(flood[2].Id())->state == TxState::kPending);  // no nonce gap left behind
  // Another organisation is not limited by acme's quota.
  CHECK(Add(p.pool, PartyTx(other, 0)).ok());
  // An evicted tx may be submitted again once there is room.
  p.pool.Remove({flood[0].Id()});  // (its signer's next nonce did not move: 0 is still next)
  CHECK(Add(p.pool, flood[3]).ok());
}

TEST_CASE("admission: a flood from random keys leaves room for a legitimate tx") {
  SECTION("unregistered keys are refused outright") {
    Pool p({.max_txs = 100});
    for (uint32_t i = 0; i < 2000; ++i) {
      Seed s;
      s.data.fill(0);
      std::memcpy(s.data.data(), &i, sizeof i);
      s.data[31] = 0x5a;
      KeyPair k = KeyPair::FromSeed(s);
      p.inactive.insert(k.public_key());
      CHECK(Add(p.pool, PartyTx(k, 7)).status().code() == Code::kPermissionDenied);
    }
    CHECK(p.pool.Stats().txs == 0);
    CHECK(p.pool.Stats().refused[static_cast<size_t>(Refusal::kInactiveSigner)] == 2000);
    REQUIRE(Add(p.pool, PartyTx(TestKey(1), 0)).ok());
  }
  SECTION("registered keys of one organisation fill the pool: another org still gets in") {
    Pool p({.max_txs = 100, .max_org_txs = 1000});
    std::vector<KeyPair> keys;
    for (uint32_t i = 0; i < 25; ++i) {
      keys.push_back(TestKey(static_cast<uint8_t>(100 + i)));
      p.org[keys.back().public_key()] = "flood";
      for (uint64_t n = 3; n < 7; ++n) REQUIRE(Add(p.pool, PartyTx(keys.back(), n)).ok());
    }
    CHECK(p.pool.Stats().txs == 100);
    // Full: the flooding org is the largest holder and gives up its newest txs, repeatedly.
    for (uint8_t i = 1; i <= 5; ++i) {
      p.org[TestKey(i).public_key()] = "legit";
      auto r = Add(p.pool, PartyTx(TestKey(i), 0));
      REQUIRE(r.ok());
      CHECK(r->state == TxState::kPending);
    }
    CHECK(p.pool.Stats().txs == 100);
    CHECK(p.pool.Stats().evicted[static_cast<size_t>(Refusal::kPoolFull)] == 5);
    // The flooding org cannot take the room back from a smaller holder.
    CHECK(Add(p.pool, PartyTx(keys[0], 7)).status().code() == Code::kResourceExhausted);
  }
}

TEST_CASE("admission: an expired tx is refused, and one that expires while pending is evicted") {
  Pool p;
  KeyPair k = TestKey(1);
  p.height = 10;
  Transaction old = PartyTx(k, 0);
  old.expiry_height = 10;
  old.SignWith(k);
  auto r = Add(p.pool, old);
  CHECK(r.status().code() == Code::kFailedPrecondition);
  CHECK(r.status().message().find("expired") != std::string::npos);
  Transaction soon = PartyTx(k, 0, "soon");
  soon.expiry_height = 12;
  soon.SignWith(k);
  REQUIRE(Add(p.pool, soon).ok());
  CHECK(p.pool.TakeBatch(10, 1 << 20, {}, /*height=*/13).empty());  // not into block 13
  p.pool.ReleaseInFlight();
  CHECK(p.pool.StillAdmissible(soon.Id()));
  p.height = 12;
  p.pool.OnCommitted(12, {}, {});
  CHECK(p.pool.Find(soon.Id())->state == TxState::kRejected);
  CHECK_FALSE(p.pool.StillAdmissible(soon.Id()));
  CHECK(p.pool.Stats().txs == 0);
}

TEST_CASE("admission: txs of a revoked signer are evicted on commit and never offered again") {
  Pool p;
  KeyPair k = TestKey(1), other = TestKey(2);
  Transaction a = PartyTx(k, 0), b = PartyTx(k, 1), c = PartyTx(other, 0);
  REQUIRE(Add(p.pool, a).ok());
  REQUIRE(Add(p.pool, b).ok());
  REQUIRE(Add(p.pool, c).ok());
  CHECK(p.pool.StillAdmissible(a.Id()));
  // A block of another signer revokes k (it wrote identity state).
  p.inactive.insert(k.public_key());
  CHECK_FALSE(p.pool.StillAdmissible(a.Id()));  // a reconnecting peer would not get it
  p.height = 1;
  p.next[other.public_key()] = 1;
  p.pool.OnCommitted(1, {c}, {Receipt{.tx_id = c.Id(), .height = 1, .index = 0}},
                     /*identity_changed=*/true);
  for (const auto& tx : {a, b}) {
    auto rec = p.pool.Find(tx.Id());
    REQUIRE(rec.ok());
    CHECK(rec->state == TxState::kRejected);
    CHECK(rec->reject_code == Code::kPermissionDenied);
  }
  CHECK(p.pool.Stats().txs == 0);
  CHECK(p.pool.TakeBatch(10, 1 << 20).empty());
  // Stale nonces too: a pending tx whose nonce another tx used is gone, and not admissible.
  KeyPair s = TestKey(3);
  Transaction s0 = PartyTx(s, 0);
  REQUIRE(Add(p.pool, s0).ok());
  p.next[s.public_key()] = 1;
  CHECK_FALSE(p.pool.StillAdmissible(s0.Id()));
  p.height = 2;
  p.pool.Recheck();
  CHECK(p.pool.Find(s0.Id())->state == TxState::kRejected);
}

TEST_CASE("admission: a tx whose nonce gap never closes is not work") {
  Pool p;
  KeyPair k = TestKey(1);
  p.next[k.public_key()] = 1;
  REQUIRE(Add(p.pool, PartyTx(k, 5)).ok());  // within the window, never executable as is
  CHECK(p.pool.Stats().txs == 1);
  CHECK_FALSE(p.pool.HasReady());
  CHECK(p.pool.TakeBatch(10, 1 << 20).empty());
  REQUIRE(Add(p.pool, PartyTx(k, 1)).ok());
  CHECK(p.pool.HasReady());
  REQUIRE(p.pool.TakeBatch(10, 1 << 20).size() == 1);
  CHECK_FALSE(p.pool.HasReady());  // in flight: not work again until released
  p.pool.ReleaseInFlight();
  CHECK(p.pool.HasReady());
}

TEST_CASE("admission: the signer's state is read without the pool's lock, once per submission") {
  Pool p;
  KeyPair k = TestKey(1);
  Transaction tx = PartyTx(k, 0);
  REQUIRE(Add(p.pool, tx).ok());
  int reads = p.reads;
  REQUIRE(Add(p.pool, tx).ok());  // known: answered from the pool
  CHECK(p.reads == reads);
  // A commit reported meanwhile at a later height than the read makes admission read again.
  p.pool.OnCommitted(3, {}, {});
  auto r = Add(p.pool, PartyTx(k, 1));
  CHECK(r.status().code() == Code::kUnavailable);  // the fake state stays at height 0
  p.height = 3;
  CHECK(Add(p.pool, PartyTx(k, 1)).ok());
}

TEST_CASE("CheckBlockTxs: validators refuse blocks with txs that cannot execute") {
  contracts::Genesis g;
  g.chain_id = "test-chain";
  g.genesis_time_ms = 1'700'000'000'000;
  KeyPair admin = TestKey(1), node_key = TestKey(2), stranger = TestKey(3);
  g.orgs.push_back(contracts::OrgRecord{.id = "org-a",
                                        .name = "Org A",
                                        .roles = {contracts::Role::kPlatform},
                                        .admin_keys = {admin.public_key()},
                                        .validator_key = node_key.public_key()});
  contracts::MemStateView state;
  REQUIRE(contracts::WriteGenesisState(g, state).ok());
  auto tx = [&](const KeyPair& k, uint64_t n, std::optional<uint64_t> expiry = std::nullopt) {
    Transaction t{
        .chain_id = "test-chain",
        .nonce = n,
        .contract = "prov",
        .method = "register_party",
        .args =
            Value::MakeMap({{"id", Value("p" + std::to_string(n))}, {"name", Value("P")}}).Encode(),
        .expiry_height = expiry};
    t.SignWith(k);
    return t;
  };
  const size_t kTxs = 100, kBytes = 1 << 20;
  CHECK(CheckBlockTxs({tx(admin, 1), tx(admin, 2)}, 5, state, kTxs, kBytes).ok());
  CHECK(CheckBlockTxs({tx(admin, 3)}, 5, state, kTxs, kBytes).ok());  // gap filled by the chain
  auto unregistered = CheckBlockTxs({tx(admin, 1), tx(stranger, 1)}, 5, state, kTxs, kBytes);
  CHECK(unregistered.code() == Code::kPermissionDenied);
  CHECK(CheckBlockTxs({tx(admin, 0)}, 5, state, kTxs, kBytes).code() == Code::kInvalidArgument);
  CHECK(CheckBlockTxs({tx(admin, 1), tx(admin, 3)}, 5, state, kTxs, kBytes).code() ==
        Code::kInvalidArgument);
  CHECK(CheckBlockTxs({tx(admin, 1, 4)}, 5, state, kTxs, kBytes).code() == Code::kInvalidArgument);
  CHECK(CheckBlockTxs({tx(admin, 1, 5)}, 5, state, kTxs, kBytes).ok());
  CHECK(CheckBlockTxs({tx(admin, 1), tx(admin, 2)}, 5, state, 1, kBytes).code() ==
        Code::kInvalidArgument);
  size_t one = tx(admin, 1).Encode().size();
  CHECK(CheckBlockTxs({tx(admin, 1), tx(admin, 2)}, 5, state, kTxs, one + 1).code() ==
        Code::kInvalidArgument);
}
