#include "tidemark/consensus/safety.h"

#include <algorithm>

namespace tidemark::consensus {

Status SafetyRules::CheckVote(uint64_t round, const QuorumCert& qc, const TimeoutCert* tc) const {
  const uint64_t q = qc.data.round;
#ifdef TIDEMARK_CONSENSUS_TEETH
  const bool skip_last_voted = Broken(TestOnlyBreak::kLastVotedRound);
  const bool skip_lock = Broken(TestOnlyBreak::kLockCheck);
#else
  constexpr bool skip_last_voted = false, skip_lock = false;
#endif
  if (!skip_last_voted && round <= s_.last_voted_round)
    return Status::FailedPrecondition("already voted in round");
  if (round <= s_.last_timeout_round) return Status::FailedPrecondition("timed out in round");
  if (round <= q) return Status::Invalid("block round not above its qc");
  if (qc.data.epoch != s_.epoch) return Status::Invalid("qc of another epoch");
  if (q + 1 == round) return Status::Ok();
  if (tc == nullptr || tc->round + 1 != round) {
    return Status::Invalid("round not entered by the qc or a tc");
  }
  if (!skip_lock && q < tc->MaxHqcRound()) {
    return Status::Invalid("block extends a qc below the tc's highest (lock)");
  }
  return Status::Ok();
}

void SafetyRules::RecordVote(uint64_t round, uint64_t qc_round) {
  s_.last_voted_round = std::max(s_.last_voted_round, round);
  s_.locked_round = std::max(s_.locked_round, qc_round);
}

Status SafetyRules::CheckTimeout(uint64_t round, const QuorumCert& high_qc) const {
#ifdef TIDEMARK_CONSENSUS_TEETH
  const bool skip_lock = Broken(TestOnlyBreak::kLockCheck);
#else
  constexpr bool skip_lock = false;
#endif
  if (!skip_lock && high_qc.data.round < s_.locked_round) {
    return Status::Invalid("high qc below the locked round");
  }
  if (round <= high_qc.data.round) return Status::Invalid("timeout round not above high qc");
  if (round < s_.last_voted_round || round < s_.last_timeout_round) {
    return Status::FailedPrecondition("timeout for a past round");
  }
  return Status::Ok();
}

void SafetyRules::RecordTimeout(uint64_t round) {
  s_.last_timeout_round = std::max(s_.last_timeout_round, round);
}

bool SafetyRules::ObserveQc(const QuorumCert& qc) {
  if (qc.data.epoch != s_.epoch || qc.data.round <= s_.high_qc.data.round) return false;
  s_.high_qc = qc;
  return true;
}

void SafetyRules::ObserveTc(const TimeoutCert& tc) {
  if (tc.epoch != s_.epoch || (s_.last_tc && s_.last_tc->round >= tc.round)) return;
  s_.last_tc = tc;
}

VoteData MakeVoteData(const Hash256& block_id, const BlockHeader& block, const Hash256& parent_id,
                      const BlockHeader& parent, bool parent_is_epoch_root) {
  VoteData d;
  d.epoch = block.epoch;
  d.round = block.round;
  d.height = block.height;
  d.block_id = block_id;
  if (!parent_is_epoch_root && parent.epoch == block.epoch && parent.round + 1 == block.round &&
      parent.height > 0) {
    d.commit_height = parent.height;
    d.commit_id = parent_id;
  }
  return d;
}

}  // namespace tidemark::consensus
