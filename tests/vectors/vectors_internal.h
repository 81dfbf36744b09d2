// vectors_internal.h — sample objects shared by vectors.cc and rejects.cc. Not a public API.
// Thread safety: pure functions.
#pragma once

#include <optional>

#include "tidemark/crypto.h"
#include "tidemark/types.h"
#include "vectors.h"

namespace tidemark::vectors {

KeyPair TestKey(uint8_t fill);  // seed = `fill` repeated 32 times
Hash256 Filled(uint8_t b);
Transaction SampleTx(uint8_t key, uint64_t nonce, std::optional<uint64_t> expiry);
VoteData SampleVoteData(bool with_commit);
ValidatorSet FourValidators();
QuorumCert SignedQc(const VoteData& d, std::initializer_list<uint32_t> voters);
Block SampleBlock(size_t tx_count);
Json Rejects();
// The "state_keys" section (state_keys_vectors.cc).
Json StateKeyVectors();
// The "fin_fingerprints" and "fin_signed_reads" sections (fin_vectors.cc).
Json FinFingerprintVectors();
Json FinSignedReadVectors();
// u64 / i64 as decimal strings (docs/encoding.md).
Json Dec(uint64_t v);
Json DecSigned(int64_t v);

}  // namespace tidemark::vectors
