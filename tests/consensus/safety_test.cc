#include "tidemark/consensus/safety.h"

#include <catch2/catch.hpp>

#include "test_util.h"
#include "tidemark/consensus/crypto.h"

using namespace tidemark;
using namespace tidemark::consensus;
using namespace tidemark::consensus::testing;

namespace {
SafetyRules Fresh() { return SafetyRules(SafetyState::ForEpochRoot(0, Hash256{}, 0)); }
QuorumCert Qc(uint64_t round) {
  QuorumCert q;
  q.data = Data(round, round, 1);
  return q;
}
TimeoutCert Tc(uint64_t round, std::vector<uint64_t> hqcs) {
  TimeoutCert tc;
  tc.round = round;
  uint32_t i = 0;
  for (uint64_t h : hqcs) tc.entries.push_back({i++, h, Signature{}});
  return tc;
}
}  // namespace

TEST_CASE("voting: a block whose QC is from the previous round is safe once") {
  SafetyRules s = Fresh();
  REQUIRE(s.CheckVote(5, Qc(4), nullptr).ok());
  s.RecordVote(5, 4);
  REQUIRE(s.state().last_voted_round == 5);
  REQUIRE(s.state().locked_round == 4);
  // Never twice in one round, never in an older round.
  REQUIRE_FALSE(s.CheckVote(5, Qc(4), nullptr).ok());
  REQUIRE_FALSE(s.CheckVote(4, Qc(3), nullptr).ok());
  REQUIRE(s.CheckVote(6, Qc(5), nullptr).ok());
}

TEST_CASE("voting: a gap in rounds needs a TC for the previous round") {
  SafetyRules s = Fresh();
  REQUIRE_FALSE(s.CheckVote(7, Qc(4), nullptr).ok());
  TimeoutCert tc = Tc(6, {4, 3, 2});
  REQUIRE(s.CheckVote(7, Qc(4), &tc).ok());
  TimeoutCert wrong_round = Tc(5, {4, 3, 2});
  REQUIRE_FALSE(s.CheckVote(7, Qc(4), &wrong_round).ok());
}

TEST_CASE("locking: a TC whose highest QC is above the block's QC forbids the vote") {
  SafetyRules s = Fresh();
  TimeoutCert tc = Tc(6, {5, 3, 2});
  REQUIRE_FALSE(s.CheckVote(7, Qc(4), &tc).ok());
  REQUIRE(s.CheckVote(7, Qc(5), &tc).ok());
  // The test-only switch removes exactly this check (the simulator's teeth test relies on it).
  SafetyRules broken(SafetyState::ForEpochRoot(0, Hash256{}, 0), TestOnlyBreak::kLockCheck);
  REQUIRE(broken.CheckVote(7, Qc(4), &tc).ok());
}

TEST_CASE("timeouts: no vote after timing out a round, high QC must cover the lock") {
  SafetyRules s = Fresh();
  s.RecordVote(5, 4);
  REQUIRE(s.CheckTimeout(5, Qc(4)).ok());        // may time out the round it voted in
  REQUIRE_FALSE(s.CheckTimeout(5, Qc(3)).ok());  // high QC below the lock
  REQUIRE_FALSE(s.CheckTimeout(4, Qc(3)).ok());  // a past round
  s.RecordTimeout(6);
  REQUIRE(s.state().last_timeout_round == 6);
  REQUIRE_FALSE(s.CheckVote(6, Qc(5), nullptr).ok());
  REQUIRE(s.CheckVote(7, Qc(6), nullptr).ok());
}

TEST_CASE("high QC only moves up") {
  SafetyRules s = Fresh();
  REQUIRE(s.ObserveQc(Qc(3)));
  REQUIRE_FALSE(s.ObserveQc(Qc(2)));
  REQUIRE(s.state().high_qc.data.round == 3);
  QuorumCert other_epoch = Qc(9);
  other_epoch.data.epoch = 1;
  REQUIRE_FALSE(s.ObserveQc(other_epoch));
}

TEST_CASE("commit rule: a vote commits the parent only for consecutive rounds") {
  BlockHeader parent, child;
  parent.round = 4;
  parent.height = 10;
  child.round = 5;
  child.height = 11;
  Hash256 pid, cid;
  pid.data.fill(1);
  cid.data.fill(2);
  VoteData d = MakeVoteData(cid, child, pid, parent, false);
  REQUIRE(d.commit_id == pid);
  REQUIRE(d.commit_height == 10);
  child.round = 6;  // a round was skipped: two-chain rule does not apply
  d = MakeVoteData(cid, child, pid, parent, false);
  REQUIRE(d.commit_height == 0);
  REQUIRE(d.commit_id.IsZero());
  child.round = 5;  // the epoch root is already committed
  d = MakeVoteData(cid, child, pid, parent, true);
  REQUIRE(d.commit_height == 0);
  parent.epoch = 1;  // parent from another epoch
  d = MakeVoteData(cid, child, pid, parent, false);
  REQUIRE(d.commit_height == 0);
}

TEST_CASE("TC formation: quorum of distinct signers, high QC is the highest") {
  auto keys = MakeKeys(4);
  ValidatorSet vs = MakeSet(keys);
  Ed25519Verifier v(kChain);
  QuorumCert root = EpochRootQc(0, Hash256{}, 0);
  QuorumCert qc3 = SignQc(Data(3, 3, 7), keys, {0, 1, 2});
  TimeoutCert tc = SignTc(0, 5, keys, {{0, 3}, {1, 2}, {3, 0}}, qc3);
  REQUIRE(VerifyTc(tc, vs, v, root).ok());
  SECTION("too few signers") {
    tc.entries.pop_back();
    REQUIRE_FALSE(VerifyTc(tc, vs, v, root).ok());
  }
  SECTION("high QC not the highest round") {
    tc.high_qc = SignQc(Data(2, 2, 7), keys, {0, 1, 2});
    REQUIRE_FALSE(VerifyTc(tc, vs, v, root).ok());
  }
  SECTION("a signature over another hqc round") {
    tc.entries[1].hqc_round = 1;
    REQUIRE_FALSE(VerifyTc(tc, vs, v, root).ok());
  }
  SECTION("duplicate signer") {
    tc.entries[2] = tc.entries[1];
    REQUIRE_FALSE(VerifyTc(tc, vs, v, root).ok());
  }
  SECTION("all at the epoch root") {
    TimeoutCert t0 = SignTc(0, 2, keys, {{0, 0}, {1, 0}, {2, 0}}, root);
    REQUIRE(VerifyTc(t0, vs, v, root).ok());
    t0.high_qc = EpochRootQc(0, Hash256{}, 5);
    REQUIRE_FALSE(VerifyTc(t0, vs, v, root).ok());
  }
}

TEST_CASE("VerifyQc agrees with QuorumCert::Verify for Ed25519") {
  auto keys = MakeKeys(7);
  ValidatorSet vs = MakeSet(keys);
  Ed25519Verifier v(kChain);
  QuorumCert qc = SignQc(Data(3, 3, 7), keys, {0, 2, 3, 5, 6});
  REQUIRE(VerifyQc(qc, vs, v).ok());
  REQUIRE(qc.Verify(vs, kChain).ok());
  qc.signatures.pop_back();  // 4 < quorum 5
  REQUIRE_FALSE(VerifyQc(qc, vs, v).ok());
  REQUIRE_FALSE(qc.Verify(vs, kChain).ok());
  qc = SignQc(Data(3, 3, 7), keys, {0, 2, 3, 5, 6});
  qc.signatures[2].second.data[0] ^= 1;
  REQUIRE_FALSE(VerifyQc(qc, vs, v).ok());
  REQUIRE_FALSE(qc.Verify(vs, kChain).ok());
}
