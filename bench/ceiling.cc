#include "ceiling.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "tidemark/crypto.h"
#include "tidemark/hash.h"

namespace tidemark::bench {

double Median(std::vector<double> xs) { return Percentile(std::move(xs), 50); }

double Percentile(std::vector<double> xs, double p) {
  if (xs.empty()) return 0;
  std::sort(xs.begin(), xs.end());
  double rank = p / 100.0 * static_cast<double>(xs.size() - 1);
  size_t lo = static_cast<size_t>(rank);
  size_t hi = std::min(lo + 1, xs.size() - 1);
  double frac = rank - static_cast<double>(lo);
  return xs[lo] * (1 - frac) + xs[hi] * frac;
}

namespace {
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double VerifyRate() {
  Seed seed;
  seed.data.fill(42);
  KeyPair key = KeyPair::FromSeed(seed);
  Bytes body(200, 7);  // about the size of a small signed tx body
  Signature sig = key.Sign(SigKind::kTx, "bench", body);
  constexpr int kN = 4000;
  auto t0 = Clock::now();
  int ok = 0;
  for (int i = 0; i < kN; ++i) ok += Verify(key.public_key(), SigKind::kTx, "bench", body, sig);
  auto t1 = Clock::now();
  return ok == kN ? kN / Seconds(t0, t1) : 0;
}

double ShaRate() {
  Bytes data(1 << 20, 1);
  constexpr int kN = 64;
  auto t0 = Clock::now();
  Hash256 acc;
  for (int i = 0; i < kN; ++i) {
    data[0] = acc.data[0];
    acc = Sha256(data);
  }
  auto t1 = Clock::now();
  return kN / Seconds(t0, t1);
}
}  // namespace

Ceiling MeasureCeiling(size_t validators, int runs) {
  std::vector<double> verify, sha;
  for (int i = 0; i < runs; ++i) {
    verify.push_back(VerifyRate());
    sha.push_back(ShaRate());
  }
  Ceiling c;
  c.verify_per_core = Median(verify);
  c.sha256_mib_per_s = Median(sha);
  c.cores = std::max(1u, std::thread::hardware_concurrency());
  c.validators = validators;
  c.tx_per_s = c.verify_per_core * c.cores / static_cast<double>(validators);
  return c;
}

}  // namespace tidemark::bench
