// sim.h — a deterministic simulator that runs a whole validator set of consensus::Replica in
// one process and tries to break it (docs/consensus.md, "Simulator").
//
// Everything derives from the seed: virtual time, message delays, drops, duplicates and
// reordering, partitions and heals, crashes and restarts (a restarted replica gets exactly the
// safety state it persisted), and Byzantine replicas (equivocating leader, double votes, bad
// signatures, votes for unknown blocks, far-future rounds, a leader that forks from an old QC,
// silent nodes, Twins). After every step it checks agreement, validity, certificates, no honest
// double vote, persist-before-send and bounded buffers; after the network stabilises (GST) it
// checks that every honest replica commits new blocks within a bounded number of rounds.
//
//   SimConfig cfg{.seed = 42, .n = 7};
//   cfg.faults = *Faults::Parse("drop,partition,crash,equivocate");
//   SimResult r = RunSim(cfg);
//   if (!r.ok) { std::cout << r.violation << "\n" << r.TraceTail(200); }
//
// Thread safety: RunSim is reentrant (no global state but an immutable key cache).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tidemark/consensus/teeth.h"
#include "tidemark/status.h"

namespace tidemark::consensus::sim {

struct Faults {
  // Network (active until GST).
  bool drop = false;
  bool dup = false;
  bool partition = false;
  bool crash = false;
  // Byzantine behaviours of the f faulty replicas (for the whole run).
  bool equivocate = false;
  bool double_vote = false;
  bool bad_sig = false;
  bool unknown_block = false;
  bool far_future = false;
  bool fork = false;    // a leader entering a round by TC extends an older QC
  bool silent = false;  // Byzantine replicas send nothing
  bool twins = false;   // one Byzantine slot runs as two honest instances sharing one key
  // Forged and replayed certificates: QCs / TCs with a repeated signer, 2f signers, a
  // non-member, a wrong epoch or an old round; timeouts carrying the lowest high QC the replica
  // can sign; its old proposals replayed; messages of other epochs.
  bool forge = false;
  bool withhold = false;  // proposals and block responses withheld from some honest peers
  // Validator-set changes: every kEpochLength-th committed block ends the epoch.
  bool epochs = false;

  bool AnyByzantine() const;
  // "drop,dup,partition,..." ; "all" = everything but silent; "none" = nothing.
  static Result<Faults> Parse(const std::string& csv);
  std::string ToString() const;
};

inline constexpr uint64_t kEpochLength = 20;

enum class CryptoMode { kAuto, kReal, kFake };  // kAuto: Ed25519 on every 8th seed

struct SimConfig {
  uint64_t seed = 1;
  size_t n = 4;
  Faults faults;
  CryptoMode crypto = CryptoMode::kAuto;
  uint64_t fault_ms = 3000;      // faults until this virtual time (GST)
  uint64_t stable_ms = 40000;    // after GST: liveness must be shown within this time
  uint64_t liveness_blocks = 8;  // new blocks every honest replica must commit after GST
  bool stop_when_live = true;    // false: run the whole fault_ms + stable_ms (benchmarks)
  // Every block request a replica sends within this long after it restarts, and before GST, is
  // lost (its peers drop them): a restarted replica must still catch up (issue #15).
  uint64_t lose_fetches_after_restart_ms = 0;
  bool keep_full_trace = false;
  bool trace_tail = false;  // keep the last lines (set automatically to replay a violation)
  // Honest replicas run with this safety rule broken (teeth.h), to prove the simulator finds it.
  TestOnlyBreak test_only_break = TestOnlyBreak::kNone;
};

struct SimResult {
  bool ok = true;
  std::string violation;
  uint64_t seed = 0;
  bool real_crypto = false;
  uint64_t virtual_ms = 0;
  uint64_t committed_height = 0;  // lowest honest committed height at the end
  uint64_t committed_blocks = 0;  // distinct heights committed by honest replicas
  uint64_t messages = 0;          // messages sent
  uint64_t events = 0;
  uint64_t rounds_after_gst = 0;    // rounds the slowest honest replica needed for liveness
  uint64_t deferred_proposals = 0;  // a leader's host was behind its parent's exec_height
  std::vector<std::string> trace;   // the last lines (all with keep_full_trace)

  std::string TraceTail(size_t lines) const;
};

SimResult RunSim(const SimConfig& cfg);

}  // namespace tidemark::consensus::sim
