// tidemark-consensus-bench — consensus-only throughput in the deterministic simulator (fixed
// seed, no faults, empty-ish batches): committed blocks and messages per second of wall time,
// with the machine's Ed25519 verification rate measured in the same run beside it.
//
//   tidemark-consensus-bench            # n = 4 and n = 7, Ed25519 and the stand-in crypto
#include <chrono>
#include <cstdio>

#include "sim.h"
#include "tidemark/crypto.h"

using namespace tidemark;
using namespace tidemark::consensus::sim;

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double VerifiesPerSecond() {
  Seed seed;
  seed.data.fill(9);
  KeyPair k = KeyPair::FromSeed(seed);
  Bytes body(120, 7);
  Signature sig = k.Sign(SigKind::kVote, "bench", body);
  auto start = std::chrono::steady_clock::now();
  int n = 0, ok = 0;
  for (; n < 4000; ++n) ok += Verify(k.public_key(), SigKind::kVote, "bench", body, sig);
  return ok == n ? n / Seconds(start) : 0;
}

}  // namespace

int main() {
  std::printf("ceiling: %.0f Ed25519 verifications/s on one core\n", VerifiesPerSecond());
  std::printf("%-3s %-8s %10s %10s %9s %12s %14s\n", "n", "crypto", "virtual_s", "blocks", "wall_s",
              "blocks/s", "messages/s");
  for (size_t n : {4, 7}) {
    for (CryptoMode mode : {CryptoMode::kReal, CryptoMode::kFake}) {
      SimConfig cfg{.seed = 20261129, .n = n, .crypto = mode};
      cfg.fault_ms = 0;
      cfg.stable_ms = 60000;  // one virtual minute, no faults
      cfg.stop_when_live = false;
      auto start = std::chrono::steady_clock::now();
      SimResult r = RunSim(cfg);
      double wall = Seconds(start);
      if (!r.ok) {
        std::printf("violation: %s\n", r.violation.c_str());
        return 1;
      }
      std::printf("%-3zu %-8s %10.1f %10lu %9.2f %12.0f %14.0f\n", n,
                  mode == CryptoMode::kReal ? "ed25519" : "stand-in", r.virtual_ms / 1000.0,
                  static_cast<unsigned long>(r.committed_blocks), wall, r.committed_blocks / wall,
                  r.messages / wall);
    }
  }
  std::printf("(all replicas run on one core; per-replica work is n times smaller)\n");
  return 0;
}
