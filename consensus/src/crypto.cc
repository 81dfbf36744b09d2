#include "tidemark/consensus/crypto.h"

namespace tidemark::consensus {

namespace {

template <typename Entries, typename IndexOf>
Status CheckSigners(const Entries& entries, const ValidatorSet& vs, IndexOf index_of,
                    const char* what) {
  if (entries.size() < vs.Quorum()) {
    return Status::Unauthenticated(std::string(what) + ": " + std::to_string(entries.size()) +
                                   " signatures, quorum is " + std::to_string(vs.Quorum()));
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    uint32_t idx = index_of(entries[i]);
    if (i > 0 && idx <= index_of(entries[i - 1])) {
      return Status::Unauthenticated(std::string(what) + ": signers not strictly ascending");
    }
    if (idx >= vs.size()) {
      return Status::Unauthenticated(std::string(what) + ": signer " + std::to_string(idx) +
                                     " is not a validator");
    }
  }
  return Status::Ok();
}

}  // namespace

Status VerifyQc(const QuorumCert& qc, const ValidatorSet& vs, const Verifier& verifier) {
  if (qc.data.epoch != vs.epoch) return Status::Unauthenticated("qc: wrong epoch");
  TM_RETURN_IF_ERROR(CheckSigners(
      qc.signatures, vs, [](const auto& e) { return e.first; }, "qc"));
  Bytes body = qc.data.Encode();
  for (const auto& [idx, sig] : qc.signatures) {
    if (!verifier.Verify(vs.validators[idx].key, SigKind::kVote, body, sig)) {
      return Status::Unauthenticated("qc: bad signature from validator " + std::to_string(idx));
    }
  }
  return Status::Ok();
}

Status VerifyTc(const TimeoutCert& tc, const ValidatorSet& vs, const Verifier& verifier,
                const QuorumCert& epoch_root) {
  if (tc.epoch != vs.epoch) return Status::Unauthenticated("tc: wrong epoch");
  TM_RETURN_IF_ERROR(CheckSigners(
      tc.entries, vs, [](const TimeoutCert::Entry& e) { return e.signer; }, "tc"));
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
  return VerifyQc(tc.high_qc, vs, verifier);
}

}  // namespace tidemark::consensus
