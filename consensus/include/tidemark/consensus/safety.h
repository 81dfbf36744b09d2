// safety.h — the safety rules of two-chain HotStuff with timeout certificates (Jolteon /
// DiemBFT v4), kept apart from liveness (pacemaker, replica.h). Pure functions of SafetyState.
//
//   SafetyRules rules(SafetyState::ForEpochRoot(0, genesis_id, 0));
//   if (rules.CheckVote(block.header.round, block.justify, tc_or_null).ok()) {
//     rules.RecordVote(block.header.round, block.justify.data.round);
//     persist(rules.state());                       // before the vote leaves
//     VoteData d = MakeVoteData(block_id, block.header, parent_id, parent.header, parent_is_root);
//   }
//
// Rules (docs/consensus.md, "Safety"):
//   vote   in round r on a block with QC round q (and TC for r-1, if any):
//          r > last_voted_round, r > last_timeout_round, r > q, and
//          (q + 1 == r  or  (tc.round + 1 == r  and  q >= max hqc_round in tc))   <- the lock
//   timeout in round r with high QC round q: q >= locked_round, r > q, r >= last_voted_round,
//          r >= last_timeout_round
//   commit: a QC on block B whose parent P has P.round + 1 == B.round commits P (two-chain).
// Thread safety: value type; one thread.
#pragma once

#include "tidemark/consensus/messages.h"
#include "tidemark/consensus/teeth.h"

namespace tidemark::consensus {

class SafetyRules {
 public:
  explicit SafetyRules(SafetyState s) : s_(std::move(s)) {}
#ifdef TIDEMARK_CONSENSUS_TEETH
  SafetyRules(SafetyState s, TestOnlyBreak broken) : s_(std::move(s)), broken_(broken) {}
#endif

  const SafetyState& state() const { return s_; }

  Status CheckVote(uint64_t round, const QuorumCert& qc, const TimeoutCert* tc) const;
  void RecordVote(uint64_t round, uint64_t qc_round);

  Status CheckTimeout(uint64_t round, const QuorumCert& high_qc) const;
  void RecordTimeout(uint64_t round);

  // Remembers qc as high_qc if it is higher. Returns true if it was.
  bool ObserveQc(const QuorumCert& qc);
  // Remembers tc as last_tc if its round is higher.
  void ObserveTc(const TimeoutCert& tc);

 private:
  SafetyState s_;
#ifdef TIDEMARK_CONSENSUS_TEETH
  TestOnlyBreak broken_ = TestOnlyBreak::kNone;
  bool Broken(TestOnlyBreak b) const { return broken_ == b; }
#endif
};

// The vote for `block`, including the ancestor a quorum on it commits: its parent when
// parent.round + 1 == block.round, both are in the same epoch and the parent is not the epoch
// root (already committed).
VoteData MakeVoteData(const Hash256& block_id, const BlockHeader& block, const Hash256& parent_id,
                      const BlockHeader& parent, bool parent_is_epoch_root);

}  // namespace tidemark::consensus
