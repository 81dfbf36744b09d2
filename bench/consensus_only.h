// consensus_only.h — `tidemark-bench --consensus-only` (issue #17): the node's consensus, p2p and
// persistence without execution, driven by opaque 32-byte commands, for comparison with published
// BFT cores such as libhotstuff (docs/benchmarks.md, "Consensus only"). Each step starts `nodes`
// tidemark-consensus-node processes (bench/consensus_node.cc) on loopback, lets them run, and
// reads their reports: committed commands per second (median over nodes), latency from a
// command's creation to its block's commit (p50: median of the nodes' p50; p99: the highest
// node's p99), CPU and peak RSS per node, bytes per command on the wire and on disk.
//
//   build/release/bench/tidemark-bench --consensus-only --sweep 10000,40000,80000 --block-max 400
//
// Thread safety: runs on the calling thread.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace tidemark::bench {

struct ConsensusOnlyFlags {
  int nodes = 4;
  std::vector<double> rates;  // commands per second offered, one step each
  size_t block_max = 400;     // commands per block (libhotstuff's published runs: 400)
  double warmup_s = 3;
  double duration_s = 20;
  int base_port = 0;  // 0: from the pid
  bool keep = false;  // keep the nodes' folders
  bool json = false;  // the JSON report on stdout (the table on stderr)
  std::string json_file;
};

// The published figure the issue compares with: libhotstuff, 4 replicas, block 400, no execution,
// no persistence (commands per second).
inline constexpr double kLibHotstuffCmdsPerS = 95'000;

// Returns the process exit code: 0 when every step ran and every node committed commands.
int RunConsensusOnly(const ConsensusOnlyFlags& f);

}  // namespace tidemark::bench
