// The signer cache (signer_cache.h): the answer admission gets through it is, at every height, the
// answer a fresh read of the latest written state gives — across enrolments, revocations and
// nonces moving — and an unauthenticated caller cannot fill it.
#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "chain_fixture.h"
#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/node/app/ledger.h"
#include "tidemark/node/app/signer_cache.h"
#include "tidemark/node/storage/memory_kv_store.h"
#include "tidemark/state_keys/identity.h"
#include "tidemark/state_keys/system.h"

using namespace tidemark;
using namespace tidemark::node;

namespace {
using fixture::Key;

mempool::SignerInfo Fresh(const Ledger& l, const PublicKey& k) {
  mempool::SignerInfo info;
  REQUIRE(l.ReadLatest([&](const contracts::StateView& view, uint64_t height) {
             info = mempool::SignerInfoFromState(view, k, height);
             return Status::Ok();
           }).ok());
  return info;
}

void CheckSame(const mempool::SignerInfo& got, const mempool::SignerInfo& want) {
  CHECK(got.active == want.active);
  CHECK(got.org == want.org);
  CHECK(got.why == want.why);
  CHECK(got.next_nonce == want.next_nonce);
  CHECK(got.height == want.height);
}

Transaction Tx(const KeyPair& signer, uint64_t nonce, const std::string& contract,
               const std::string& method, Value args) {
  Transaction tx{.chain_id = "signer-cache-test",
                 .nonce = nonce,
                 .contract = contract,
                 .method = method,
                 .args = args.Encode()};
  tx.SignWith(signer);
  return tx;
}

}  // namespace

TEST_CASE("signer cache: a nonce write moves that signer's nonce, an identity write drops all") {
  const PublicKey a = Key("a").public_key(), b = Key("b").public_key();
  SignerCache cache(7);
  mempool::SignerInfo info{.active = true, .org = "org-a", .next_nonce = 3, .height = 7};
  cache.Remember(a, info);
  cache.Remember(b, info);
  REQUIRE(cache.Find(a, 7));
  CHECK_FALSE(cache.Find(a, 8));  // not yet at that height

  // Block 8 writes a's nonce (4): both carry over to height 8, a with the written nonce.
  cache.OnWritten(8,
                  {{state_keys::sys::Nonce(a), Value(int64_t{4}).Encode()}, {"test/k0", Bytes{2}}});
  auto moved = cache.Find(a, 8);
  REQUIRE(moved);
  CHECK(moved->next_nonce == 4);
  auto kept = cache.Find(b, 8);
  REQUIRE(kept);
  CHECK(kept->height == 8);
  CHECK(kept->next_nonce == 3);
  CHECK_FALSE(cache.Find(b, 7));  // the cache answers for its own height only

  // A nonce key deleted or holding what NextNonce would not read as a nonce: 1, as NextNonce.
  cache.OnWritten(
      9, {{state_keys::sys::Nonce(a), std::nullopt}, {state_keys::sys::Nonce(b), Bytes{0xFF}}});
  CHECK(cache.Find(a, 9)->next_nonce == 1);
  CHECK(cache.Find(b, 9)->next_nonce == 1);

  // Facts read at another height than the cache's are not remembered.
  cache.Remember(a, mempool::SignerInfo{.active = true, .org = "org-a", .height = 7});
  CHECK(cache.Find(a, 9)->next_nonce == 1);

  // Any identity write (here: an organisation record) drops everyone.
  cache.OnWritten(10, {{std::string(state_keys::identity::kPrefix) + "org/org-b", std::nullopt}});
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.Find(b, 10));

  // A gap in the heights (a version the cache did not see) drops everyone too.
  cache.Remember(b, mempool::SignerInfo{.active = true, .org = "org-a", .height = 10});
  REQUIRE(cache.Find(b, 10));
  cache.OnWritten(12, {});
  CHECK_FALSE(cache.Find(b, 12));
  CHECK(cache.size() == 0);
}

TEST_CASE("signer cache: unknown or inactive signers are not remembered; the size is bounded") {
  SignerCache cache(1, /*max_entries=*/4);
  for (int i = 0; i < 100; ++i) {
    // What anyone can make up: a key nobody registered.
    cache.Remember(Key("stranger" + std::to_string(i)).public_key(),
                   mempool::SignerInfo{.active = false, .why = "not registered", .height = 1});
  }
  CHECK(cache.size() == 0);
  for (int i = 0; i < 10; ++i) {
    cache.Remember(Key("member" + std::to_string(i)).public_key(),
                   mempool::SignerInfo{.active = true, .org = "org-a", .height = 1});
    CHECK(cache.size() <= 4);
  }
  CHECK(cache.Find(Key("member9").public_key(), 1));
}

TEST_CASE("signer cache: through enrolments, revocations and nonces it answers as a fresh read") {
  auto opened =
      Ledger::Open(std::make_unique<MemoryKvStore>(), fixture::OneOrgGenesis("signer-cache-test"),
                   contracts::TestContracts());
  REQUIRE(opened.ok());
  Ledger& l = **opened;
  SignerCache cache(l);

  const KeyPair admin = Key("admin");
  std::vector<KeyPair> members;
  for (int i = 0; i < 6; ++i) members.push_back(Key("member" + std::to_string(i)));
  std::vector<PublicKey> asked = {admin.public_key(), Key("nobody").public_key()};
  for (const KeyPair& m : members) asked.push_back(m.public_key());

  std::mt19937 rng(20261207);
  std::map<PublicKey, uint64_t> nonce;  // next nonce per signer, as the test tracks it
  std::map<PublicKey, bool> enrolled;   // ever (a revoked key cannot be enrolled again)
  std::map<PublicKey, bool> active;
  auto next = [&](const KeyPair& k) {
    return nonce.count(k.public_key()) ? nonce[k.public_key()] : 1;
  };

  // Carried over: what was asked and active at the last height is answered from the cache at the
  // new height (with the nonce the last block wrote) unless that block wrote an identity record.
  std::set<PublicKey> last_signers, asked_active;
  bool last_identity = false;
  uint64_t carried = 0, carried_nonce = 0;  // carried_nonce: of signers of the last block
  for (int round = 0; round < 60; ++round) {
    // Ask (and so cache) everyone at this height, then check against fresh reads.
    for (const PublicKey& k : asked) {
      const mempool::SignerInfo want = Fresh(l, k);
      const bool carry = round > 0 && want.active && !last_identity && asked_active.count(k);
      const uint64_t hits = cache.hits();
      auto got = cache.Read(l, k);
      REQUIRE(got.ok());
      CheckSame(*got, want);
      CHECK(cache.hits() == hits + (carry ? 1 : 0));
      carried += carry ? 1 : 0;
      carried_nonce += carry && last_signers.count(k) ? 1 : 0;
      if (want.active) {
        asked_active.insert(k);
      } else {
        asked_active.erase(k);
      }
      auto again = cache.Read(l, k);  // a second ask at the same height: a hit if active
      REQUIRE(again.ok());
      CheckSame(*again, want);
      CHECK(cache.hits() == hits + (carry ? 1 : 0) + (want.active ? 1 : 0));
    }

    // The next block: an enrolment, a revocation, a member's put or the admin's put.
    auto tip = l.TipBlock();
    REQUIRE(tip.ok());
    std::vector<Transaction> txs;
    const KeyPair& m = members[rng() % members.size()];
    const int what = static_cast<int>(rng() % 4);
    last_identity = false;
    if (what == 0 && !enrolled[m.public_key()]) {
      txs.push_back(Tx(admin, next(admin), "identity", "enrol_key",
                       Value::MakeMap({{"key", m.public_key().Hex()},
                                       {"roles", Value(Value::List{Value("PLATFORM")})}})));
      nonce[admin.public_key()] = next(admin) + 1;
      enrolled[m.public_key()] = true;
      active[m.public_key()] = true;
      last_identity = true;
    } else if (what == 1 && active[m.public_key()]) {
      txs.push_back(Tx(admin, next(admin), "identity", "revoke_key",
                       Value::MakeMap({{"key", m.public_key().Hex()}})));
      nonce[admin.public_key()] = next(admin) + 1;
      active[m.public_key()] = false;
      last_identity = true;
    } else if (what == 2 && active[m.public_key()]) {
      txs.push_back(
          Tx(m, next(m), "test", "put", Value::MakeMap({{"key", "m"}, {"value", int64_t{round}}})));
      nonce[m.public_key()] = next(m) + 1;
    } else {
      txs.push_back(Tx(admin, next(admin), "test", "put",
                       Value::MakeMap({{"key", "a"}, {"value", int64_t{round}}})));
      nonce[admin.public_key()] = next(admin) + 1;
    }
    last_signers.clear();
    for (const Transaction& tx : txs) last_signers.insert(tx.signer);
    Block b = fixture::ChildBlock(*tip, tip->header.height, std::move(txs));
    auto receipts = l.Commit(b, fixture::CommitCertFor(b), std::nullopt);
    REQUIRE(receipts.ok());
    for (const Receipt& r : *receipts) REQUIRE(r.status == TxStatus::kCommitted);
  }
  // The run exercised the carry-over, with and without a written nonce, not only the refills.
  CHECK(carried > 20);
  CHECK(carried_nonce > 10);
}
