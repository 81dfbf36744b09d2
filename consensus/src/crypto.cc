#include "tidemark/consensus/crypto.h"

namespace tidemark::consensus {

namespace {

// What the checks accept; only test builds (teeth.h) ever relax them.
struct Rules {
  bool allow_repeated_signer = false;
  size_t quorum_discount = 0;
};

template <typename Entries, typename IndexOf>
Status CheckSigners(const Entries& entries, const ValidatorSet& vs, IndexOf index_of,
                    const char* what, const Rules& rules) {
  const size_t quorum = vs.Quorum() - rules.quorum_discount;
  if (entries.size() < quorum) {
    return Status::Unauthenticated(std::string(what) + ": " + std::to_string(entries.size()) +
                                   " signatures, quorum is " + std::to_string(quorum));
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    uint32_t idx = index_of(entries[i]);
    if (i > 0 && (rules.allow_repeated_signer ? idx < index_of(entries[i - 1])
                                              : idx <= index_of(entries[i - 1]))) {
      return Status::Unauthenticated(std::string(what) + ": signers not strictly ascending");
    }
    if (idx >= vs.size()) {
      return Status::Unauthenticated(std::string(what) + ": signer " + std::to_string(idx) +
                                     " is not a validator");
    }
  }
  return Status::Ok();
}

Status VerifyQcWith(const QuorumCert& qc, const ValidatorSet& vs, const Verifier& verifier,
                    const Rules& rules) {
  if (qc.data.epoch != vs.epoch) return Status::Unauthenticated("qc: wrong epoch");
  TM_RETURN_IF_ERROR(CheckSigners(
      qc.signatures, vs, [](const auto& e) { return e.first; }, "qc", rules));
  Bytes body = qc.data.Encode();
  for (const auto& [idx, sig] : qc.signatures) {
    if (!verifier.Verify(vs.validators[idx].key, SigKind::kVote, body, sig)) {
      return Status::Unauthenticated("qc: bad signature from validator " + std::to_string(idx));
    }
  }
  return Status::Ok();
}

Status VerifyTcWith(const TimeoutCert& tc, const ValidatorSet& vs, const Verifier& verifier,
                    const QuorumCert& epoch_root, const Rules& tc_rules, const Rules& qc_rules) {
  if (tc.epoch != vs.epoch) return Status::Unauthenticated("tc: wrong epoch");
  TM_RETURN_IF_ERROR(CheckSigners(
      tc.entries, vs, [](const TimeoutCert::Entry& e) { return e.signer; }, "tc", tc_rules));
  for (const auto& e : tc.entries) {
    if (e.hqc_round >= tc.round) return Status::Unauthenticated("tc: hqc_round too high");
    if (!verifier.Verify(vs.validators[e.signer].key, SigKind::kTimeout,
                         TimeoutSigningBody(tc.epoch, tc.round, e.hqc_round), e.signature)) {
      return Status::Unauthenticated("tc: bad signature from validator " +
                                     std::to_string(e.signer));
    }
  }
  if (tc.high_qc.data.round != tc.MaxHqcRound()) {
    return Status::Unauthenticated("tc: high_qc is not the highest");
  }
  if (tc.high_qc.data.round == 0) {
    if (tc.high_qc.Hash() != epoch_root.Hash()) return Status::Unauthenticated("tc: bad root qc");
    return Status::Ok();
  }
  return VerifyQcWith(tc.high_qc, vs, verifier, qc_rules);
}

}  // namespace

Status VerifyQc(const QuorumCert& qc, const ValidatorSet& vs, const Verifier& verifier) {
  return VerifyQcWith(qc, vs, verifier, Rules{});
}

Status VerifyTc(const TimeoutCert& tc, const ValidatorSet& vs, const Verifier& verifier,
                const QuorumCert& epoch_root) {
  return VerifyTcWith(tc, vs, verifier, epoch_root, Rules{}, Rules{});
}

#ifdef TIDEMARK_CONSENSUS_TEETH
namespace {
Rules QcRules(TestOnlyBreak b) {
  return Rules{b == TestOnlyBreak::kDuplicateSigner, b == TestOnlyBreak::kQcQuorum ? 1u : 0u};
}
Rules TcRules(TestOnlyBreak b) {
  return Rules{b == TestOnlyBreak::kDuplicateSigner, b == TestOnlyBreak::kTcQuorum ? 1u : 0u};
}
}  // namespace

Status VerifyQc(const QuorumCert& qc, const ValidatorSet& vs, const Verifier& verifier,
                TestOnlyBreak broken) {
  return VerifyQcWith(qc, vs, verifier, QcRules(broken));
}

Status VerifyTc(const TimeoutCert& tc, const ValidatorSet& vs, const Verifier& verifier,
                const QuorumCert& epoch_root, TestOnlyBreak broken) {
  return VerifyTcWith(tc, vs, verifier, epoch_root, TcRules(broken), QcRules(broken));
}
#endif

}  // namespace tidemark::consensus
