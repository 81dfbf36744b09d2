// tidemark-proof-bench: size and C++ verification time of a trace proof bundle (DESIGN.md §5:
// ≤ 4 KiB with 4 validators, ≤ 50 ms to verify in the browser). Fixed keys and records (the
// fixture of tests/node/proof_fixture.h: one item's six records — item with a five-event timeline,
// product, lot, customs, certificate, scans) in state trees of growing size, with the machine's
// Ed25519 ceiling beside the figures. The JS figure: node sdk/js/bench/verify-bench.mjs.
//
//   build/release/bench/tidemark-proof-bench
#include <chrono>
#include <cstdio>

#include "ceiling.h"
#include "proof_fixture.h"
#include "tidemark/trace_answer.h"

using namespace tidemark;
using namespace tidemark::prooftest;

int main() {
  bench::Ceiling c = bench::MeasureCeiling(4, 3);
  std::printf("machine: Ed25519 verify %.0f/s per core (%.1f us each), SHA-256 %.0f MiB/s\n",
              c.verify_per_core, 1e6 / c.verify_per_core, c.sha256_mib_per_s);
  std::printf("%-8s %8s %8s %8s %8s %9s %8s %11s %12s\n", "keys", "proof", "target", "+values",
              "values", "siblings", "hdr+cert", "singles", "verify_med");
  for (int filler : {100, 1000, 10000, 100000}) {
    ProofFixture f(0, filler);
    StateBundle b = f.Bundle(f.trace_keys);
    Bytes enc = b.Encode();
    size_t values = 0, singles = 0;
    for (const auto& e : b.state.entries) values += e.key.size() + e.value->size();
    for (const Bytes& k : f.trace_keys) singles += f.Prove(k).Encode().size();
    Writer hw;
    b.header.EncodeTo(hw);
    b.cert.EncodeTo(hw);
    std::vector<double> us;
    for (int i = 0; i < 101; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      auto d = StateBundle::Decode(enc);
      auto v = VerifyStateBundle(f.trust, *d);
      auto t1 = std::chrono::steady_clock::now();
      if (!v.ok()) {
        std::printf("verification failed: %s\n", v.status().ToString().c_str());
        return 1;
      }
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    StateBundle hashed = b;
    hashed.state.StripValues();
    size_t proof = hashed.Encode().size();
    std::printf("%-8d %8zu %8s %8zu %8zu %9zu %8zu %11zu %9.0f us\n", filler + 6, proof,
                proof <= 4096 ? "ok" : ">4KiB", enc.size(), values, b.state.siblings.size() * 32,
                hw.size(), singles, bench::Median(us));
  }
  std::printf(
      "proof = what the resolver serves: header + 3-of-4 commit certificate + multi-key\n"
      "proof of the 6 records with their value hashes (the records travel as JSON beside it);\n"
      "+values = the same bundle carrying the record bytes; singles = the 6 single-key\n"
      "proofs without sharing siblings; verify_med = decode + verify of +values, C++\n");
  return 0;
}
