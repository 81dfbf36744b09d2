// tidemark-sim — runs the consensus simulator over a range of seeds (see sim.h).
//
//   tidemark-sim --seeds 1-500 --faults drop,partition,crash,equivocate --n 7
//   tidemark-sim --seeds 42-42 --faults ... --n 4 --trace     # replay one seed, full trace
//
// Exits 1 on the first violation, printing the seed, the exact command that replays it and the
// end of the trace; 0 when every seed passes. --expect-violation inverts this (for the test that
// proves the simulator finds a deliberately broken safety rule).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "sim.h"

using namespace tidemark::consensus::sim;

int main(int argc, char** argv) {
  CLI::App app{"Deterministic simulator for Tidemark consensus"};
  std::string seeds = "1-100", faults = "none", crypto = "auto";
  size_t n = 4;
  bool trace = false, broken_lock = false, expect_violation = false, quiet = false;
  std::string broken = "none";
  uint64_t fault_ms = 3000;
  uint64_t liveness_blocks = SimConfig{}.liveness_blocks;
  app.add_option("--seeds", seeds, "seed range A-B (inclusive)");
  app.add_option("--faults", faults,
                 "comma list: drop,dup,partition,crash,equivocate,"
                 "doublevote,badsig,unknown,future,fork,silent,twins,epochs | all | none");
  app.add_option("--n", n, "validators (4 or 7)")->check(CLI::IsMember({4, 7, 10}));
  app.add_option("--crypto", crypto, "auto (Ed25519 on every 8th seed) | real | fake")
      ->check(CLI::IsMember({"auto", "real", "fake"}));
  app.add_option("--fault-ms", fault_ms, "virtual ms of faults before the network stabilises");
  app.add_option("--liveness-blocks", liveness_blocks,
                 "new blocks every honest replica must commit after GST (the run ends then)");
  app.add_flag("--trace", trace, "print the full trace of every seed");
  app.add_flag("--quiet", quiet, "print only violations and the summary");
  app.add_flag("--test-only-broken-lock", broken_lock, "same as --test-only-break lock");
  app.add_option("--test-only-break", broken,
                 "honest replicas run with one safety rule broken, to prove the simulator finds "
                 "it: lock | last-voted-round | duplicate-signer | qc-quorum | tc-quorum | "
                 "consecutive-round | tc-high-qc | persist-before-send | none");
  app.add_flag("--expect-violation", expect_violation,
               "succeed iff some seed violates an invariant");
  CLI11_PARSE(app, argc, argv);

  uint64_t a = 0, b = 0;
  if (std::sscanf(seeds.c_str(), "%lu-%lu", &a, &b) != 2 || a > b) {
    std::cerr << "--seeds must be A-B with A <= B\n";
    return 2;
  }
  auto parsed = Faults::Parse(faults);
  if (!parsed.ok()) {
    std::cerr << parsed.status().ToString() << "\n";
    return 2;
  }
  SimConfig cfg;
  cfg.n = n;
  cfg.faults = *parsed;
  cfg.fault_ms = fault_ms;
  cfg.liveness_blocks = liveness_blocks;
  cfg.crypto = crypto == "real"   ? CryptoMode::kReal
               : crypto == "fake" ? CryptoMode::kFake
                                  : CryptoMode::kAuto;
  cfg.keep_full_trace = trace;
  if (broken_lock) broken = "lock";
  auto rule = tidemark::consensus::ParseTestOnlyBreak(broken);
  if (!rule) {
    std::cerr << "unknown --test-only-break '" << broken << "'\n";
    return 2;
  }
  cfg.test_only_break = *rule;

  auto start = std::chrono::steady_clock::now();
  uint64_t blocks = 0, messages = 0, max_rounds = 0, deferred = 0;
  for (uint64_t s = a; s <= b; ++s) {
    cfg.seed = s;
    SimResult r = RunSim(cfg);
    blocks += r.committed_blocks;
    messages += r.messages;
    deferred += r.deferred_proposals;
    max_rounds = std::max(max_rounds, r.rounds_after_gst);
    if (trace) std::cout << r.TraceTail(r.trace.size());
    if (!r.ok) {
      std::cout << "VIOLATION seed=" << s << " n=" << n << " faults=" << cfg.faults.ToString()
                << " crypto=" << (r.real_crypto ? "ed25519" : "fake") << "\n  " << r.violation
                << "\nreplay: tidemark-sim --seeds " << s << "-" << s << " --n " << n
                << " --faults " << cfg.faults.ToString() << " --crypto " << crypto << " --fault-ms "
                << fault_ms << (broken != "none" ? " --test-only-break " + broken : "")
                << " --trace\n--- last trace lines ---\n"
                << r.TraceTail(trace ? 0 : 60);
      return expect_violation ? 0 : 1;
    }
    if (!quiet && !trace && (s - a) % 100 == 99) {
      std::cout << "seeds " << a << ".." << s << " ok\n";
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "OK: " << (b - a + 1) << " seeds, n=" << n << ", faults=" << cfg.faults.ToString()
            << ", " << blocks << " blocks committed, " << messages << " messages, max "
            << max_rounds << " rounds to liveness after GST, " << deferred
            << " proposals deferred (host behind the parent's execution), " << secs << " s\n";
  if (expect_violation) {
    std::cout << "expected a violation but found none\n";
    return 1;
  }
  return 0;
}
