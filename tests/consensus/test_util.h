// test_util.h — keys, validator sets and signed certificates for the consensus tests.
#pragma once

#include <vector>

#include "tidemark/consensus/messages.h"
#include "tidemark/crypto.h"
#include "tidemark/types.h"

namespace tidemark::consensus::testing {

inline constexpr const char* kChain = "test-chain";

inline std::vector<KeyPair> MakeKeys(size_t n) {
  std::vector<KeyPair> keys;
  for (size_t i = 0; i < n; ++i) {
    Seed s;
    s.data.fill(static_cast<uint8_t>(i + 1));
    keys.push_back(KeyPair::FromSeed(s));
  }
  return keys;
}

inline ValidatorSet MakeSet(const std::vector<KeyPair>& keys, uint64_t epoch = 0) {
  ValidatorSet vs;
  vs.epoch = epoch;
  for (size_t i = 0; i < keys.size(); ++i) {
    vs.validators.push_back({keys[i].public_key(), "org" + std::to_string(i)});
  }
  return vs;
}

inline QuorumCert SignQc(const VoteData& d, const std::vector<KeyPair>& keys,
                         std::vector<uint32_t> signers) {
  QuorumCert qc;
  qc.data = d;
  for (uint32_t i : signers) {
    qc.signatures.emplace_back(i, keys[i].Sign(SigKind::kVote, kChain, d.Encode()));
  }
  return qc;
}

inline VoteData Data(uint64_t round, uint64_t height, uint8_t tag, uint64_t epoch = 0) {
  VoteData d;
  d.epoch = epoch;
  d.round = round;
  d.height = height;
  d.block_id.data.fill(tag);
  return d;
}

inline TimeoutCert SignTc(uint64_t epoch, uint64_t round, const std::vector<KeyPair>& keys,
                          std::vector<std::pair<uint32_t, uint64_t>> signer_hqc,
                          QuorumCert high_qc) {
  TimeoutCert tc;
  tc.epoch = epoch;
  tc.round = round;
  for (auto [i, hqc] : signer_hqc) {
    tc.entries.push_back(
        {i, hqc, keys[i].Sign(SigKind::kTimeout, kChain, TimeoutSigningBody(epoch, round, hqc))});
  }
  tc.high_qc = std::move(high_qc);
  return tc;
}

}  // namespace tidemark::consensus::testing
