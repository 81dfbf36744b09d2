// Fuzz target: StateProof::Decode, CertifiedStateProof::Decode and VerifyStateProof on untrusted
// bytes (a client decodes
// proofs served by any node). Properties: never crashes or over-allocates; a decoded proof
// re-encodes to exactly the input (one encoding per proof); a proof verifies against the root
// it hashes to and against no other root, and never for another value.
#include <cstddef>
#include <cstdint>

#include "tidemark/state_proof.h"

using tidemark::Bytes;
using tidemark::ByteView;
using tidemark::Hash256;
using tidemark::StateProof;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The certified wrapper (header + certificate + proof) must decode or fail cleanly too.
  (void)tidemark::CertifiedStateProof::Decode(ByteView(data, size));
  tidemark::Result<StateProof> proof = StateProof::Decode(ByteView(data, size));
  if (!proof.ok()) return 0;
  if (proof->Encode() != Bytes(data, data + size)) __builtin_trap();
  tidemark::Result<Hash256> root = tidemark::StateProofRoot(*proof);
  if (!root.ok()) {
    if (tidemark::VerifyStateProof(Hash256{}, proof->key, proof->value, *proof).ok()) {
      __builtin_trap();
    }
    return 0;
  }
  if (!tidemark::VerifyStateProof(*root, proof->key, proof->value, *proof).ok()) __builtin_trap();
  Hash256 other = *root;
  other.data[0] ^= 1;
  if (tidemark::VerifyStateProof(other, proof->key, proof->value, *proof).ok()) __builtin_trap();
  std::optional<Bytes> other_value =
      proof->value ? std::optional<Bytes>() : std::optional<Bytes>(Bytes{1});
  if (tidemark::VerifyStateProof(*root, proof->key, other_value, *proof).ok()) __builtin_trap();
  return 0;
}
