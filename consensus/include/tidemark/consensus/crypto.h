// crypto.h — the signing and verification the replica uses, injectable so the simulator can run
// most seeds with a cheap stand-in (production and a share of the simulated seeds use Ed25519).
//
//   Ed25519Signer signer(key, "tidemark-local");
//   Ed25519Verifier verifier("tidemark-local");
//   Signature s = signer.Sign(SigKind::kVote, body);
//   bool ok = verifier.Verify(signer.public_key(), SigKind::kVote, body, s);
//   Status st = VerifyQc(qc, validators, verifier);   // == qc.Verify(validators, chain) for
//   Ed25519
//
// Thread safety: the Ed25519 classes are immutable after construction and thread-safe.
#pragma once

#include <string>

#include "tidemark/consensus/messages.h"
#include "tidemark/consensus/teeth.h"
#include "tidemark/crypto.h"
#include "tidemark/types.h"

namespace tidemark::consensus {

class Signer {
 public:
  virtual ~Signer() = default;
  virtual const PublicKey& public_key() const = 0;
  virtual Signature Sign(SigKind kind, ByteView body) const = 0;
};

class Verifier {
 public:
  virtual ~Verifier() = default;
  virtual bool Verify(const PublicKey& pk, SigKind kind, ByteView body,
                      const Signature& sig) const = 0;
};

class Ed25519Signer final : public Signer {
 public:
  Ed25519Signer(KeyPair key, std::string chain_id)
      : key_(std::move(key)), chain_id_(std::move(chain_id)) {}
  const PublicKey& public_key() const override { return key_.public_key(); }
  Signature Sign(SigKind kind, ByteView body) const override {
    return key_.Sign(kind, chain_id_, body);
  }

 private:
  KeyPair key_;
  std::string chain_id_;
};

class Ed25519Verifier final : public Verifier {
 public:
  explicit Ed25519Verifier(std::string chain_id) : chain_id_(std::move(chain_id)) {}
  bool Verify(const PublicKey& pk, SigKind kind, ByteView body,
              const Signature& sig) const override {
    return ::tidemark::Verify(pk, kind, chain_id_, body, sig);
  }

 private:
  std::string chain_id_;
};

// The checks of QuorumCert::Verify, with the signatures checked by `verifier`. An unsigned
// round-0 QC (an epoch root) does not verify here; the replica recognises its own epoch root.
Status VerifyQc(const QuorumCert& qc, const ValidatorSet& vs, const Verifier& verifier);

// OK iff epochs match, there are >= Quorum() distinct ascending member signers, every entry
// signs (epoch, round, hqc_round), high_qc has round MaxHqcRound() and verifies (or is
// `epoch_root` when that round is 0).
Status VerifyTc(const TimeoutCert& tc, const ValidatorSet& vs, const Verifier& verifier,
                const QuorumCert& epoch_root);

#ifdef TIDEMARK_CONSENSUS_TEETH
// The same checks with one rule broken (kDuplicateSigner, kQcQuorum, kTcQuorum); test builds only.
Status VerifyQc(const QuorumCert& qc, const ValidatorSet& vs, const Verifier& verifier,
                TestOnlyBreak broken);
Status VerifyTc(const TimeoutCert& tc, const ValidatorSet& vs, const Verifier& verifier,
                const QuorumCert& epoch_root, TestOnlyBreak broken);
#endif

}  // namespace tidemark::consensus
