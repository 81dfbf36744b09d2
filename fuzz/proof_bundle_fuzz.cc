// Fuzz target: StateBundle / TxBundle / MultiStateProof decoding and verification on untrusted
// bytes (a browser or the CLI decodes bundles served by any node). Properties: never crashes or
// over-allocates; a decoded bundle re-encodes to exactly the input; a multi proof that hashes to
// some root verifies in a bundle only against that root; verification against a fixed trust
// anchor never crashes.
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "tidemark/proof_bundle.h"

using namespace tidemark;

namespace {

const TrustAnchor& Trust() {
  static const TrustAnchor t = [] {
    TrustAnchor a{.chain_id = "tidemark-test"};
    for (uint8_t i = 0; i < 4; ++i) {
      Seed s;
      s.data.fill(static_cast<uint8_t>(0x40 + i));
      a.genesis.validators.push_back(
          {KeyPair::FromSeed(s).public_key(), "org" + std::to_string(i)});
    }
    return a;
  }();
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(data, size);
  if (auto m = MultiStateProof::Decode(in); m.ok()) {
    fuzz::CheckCanonical(in, m->Encode(), "multi state proof");
    (void)MultiStateProofRoot(*m);
  }
  if (auto b = StateBundle::Decode(in); b.ok()) {
    fuzz::CheckCanonical(in, b->Encode(), "state bundle");
    (void)VerifyStateBundle(Trust(), *b);
    if (auto root = MultiStateProofRoot(b->state); root.ok() && *root != b->header.state_root) {
      if (VerifyStateBundle(Trust(), *b).ok()) __builtin_trap();
    }
  }
  if (auto t = TxBundle::Decode(in); t.ok()) {
    fuzz::CheckCanonical(in, t->Encode(), "tx bundle");
    (void)VerifyTxBundle(Trust(), *t);
  }
  return 0;
}
