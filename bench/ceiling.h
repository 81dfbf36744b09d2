// ceiling.h — the machine's ceiling, measured in the same run as every benchmark figure.
//
// Every validator verifies every transaction's Ed25519 signature once, so the ledger cannot commit
// faster than   ceiling = verify_per_core × cores / validators.
// MeasureCeiling() times single-threaded Ed25519 verification (median of several runs) and reports
// that formula's inputs, so a benchmark can print its figure next to the ceiling and as a ratio.
//
//   Ceiling c = MeasureCeiling(/*validators=*/4);
//   std::printf("ceiling %.0f tx/s\n", c.tx_per_s);
//
// Thread safety: pure functions (they run on the calling thread).
#pragma once

#include <cstddef>
#include <vector>

namespace tidemark::bench {

struct Ceiling {
  double verify_per_core = 0;   // median Ed25519 verifications per second on one core
  double sha256_mib_per_s = 0;  // median SHA-256 throughput on one core (Crypto++)
  unsigned cores = 0;
  size_t validators = 0;
  double tx_per_s = 0;  // verify_per_core * cores / validators
};

Ceiling MeasureCeiling(size_t validators, int runs = 5);

double Median(std::vector<double> xs);
double Percentile(std::vector<double> xs, double p);  // p in [0, 100]

}  // namespace tidemark::bench
