// ScanRecorder: consumer lookups become prov.scan txs signed by the service key, rate-limited per
// code, with nonces that keep increasing while earlier scans are still pending.
#include "tidemark/node/app/scan_recorder.h"

#include <catch2/catch.hpp>

#include "fake_ledger.h"
#include "tidemark/value.h"

namespace tidemark {
namespace {

struct NonceLedger : testing::FakeLedger {
  using FakeLedger::FakeLedger;
  Result<uint64_t> NextNonce(const PublicKey&) override { return uint64_t{0}; }
};

TEST_CASE("scan recorder: one tx per code per interval, fresh nonces, signed by the service key") {
  NonceLedger ledger("test-chain");
  Seed seed;
  seed.data.fill(7);
  KeyPair key = KeyPair::FromSeed(seed);
  int64_t now = 1'000'000;
  node::ScanRecorder rec(&ledger, key, {.chain_id = "test-chain", .min_interval_ms = 60'000},
                         [&now] { return now; });
  const std::string code = "/01/09521234543213/21/7001";
  auto first = rec.Record(code);
  REQUIRE(first.ok());
  CHECK(*first);
  CHECK(ledger.pool().Stats().txs == 1);
  auto again = rec.Record(code);  // same code within the interval: not recorded
  REQUIRE(again.ok());
  CHECK(!*again);
  CHECK(ledger.pool().Stats().txs == 1);
  auto other = rec.Record("/01/09521234543213/21/7002");  // another code: recorded
  REQUIRE(other.ok());
  CHECK(*other);
  now += 60'000;
  auto later = rec.Record(code);  // after the interval: recorded, with the next nonce
  REQUIRE(later.ok());
  CHECK(*later);
  CHECK(ledger.pool().Stats().txs == 3);

  // The third tx: prov.scan {code}, nonce 2, signed by the service key.
  Transaction tx{.chain_id = "test-chain",
                 .nonce = 2,
                 .contract = "prov",
                 .method = "scan",
                 .args = Value::MakeMap({{"code", code}}).Encode()};
  tx.SignWith(key);
  auto found = ledger.pool().Find(tx.Id());
  REQUIRE(found.ok());
}

TEST_CASE("scan recorder: a refused tx is reported and not counted against the rate limit") {
  NonceLedger ledger("test-chain");
  node::ScanRecorder rec(&ledger, KeyPair::Generate(), {.chain_id = "another-chain"},
                         [] { return int64_t{5}; });
  auto r = rec.Record("/01/09521234543213/21/1");
  CHECK(!r.ok());
  CHECK(!rec.Record("/01/09521234543213/21/1").ok());  // retried, not silently rate-limited
}

}  // namespace
}  // namespace tidemark
