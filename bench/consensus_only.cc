#include "consensus_only.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "ceiling.h"
#include "process_util.h"

namespace tidemark::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Slurp;
using testing::Spawn;
using testing::Wait;

const fs::path kConsensusNode = fs::path(TIDEMARK_BINARY_DIR) / "bench" / "tidemark-consensus-node";

uint64_t WallMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::string Num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.0f", v);
  return b;
}

// One step: `nodes` processes at `rate` commands/s; nullopt (and a message) if a node failed.
std::optional<json> RunStep(const ConsensusOnlyFlags& f, double rate, int base_port,
                            const fs::path& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  const uint64_t t0 = WallMs() + 300;  // all processes are up by then
  std::vector<pid_t> pids;
  for (int i = 0; i < f.nodes; ++i) {
    const fs::path nd = dir / ("node" + std::to_string(i));
    pid_t pid = Spawn({kConsensusNode.string(),
                       "--index",
                       std::to_string(i),
                       "--nodes",
                       std::to_string(f.nodes),
                       "--base-port",
                       std::to_string(base_port),
                       "--dir",
                       nd.string(),
                       "--rate",
                       Num(rate),
                       "--block-max",
                       std::to_string(f.block_max),
                       "--t0-ms",
                       std::to_string(t0),
                       "--warmup-s",
                       std::to_string(f.warmup_s),
                       "--duration-s",
                       std::to_string(f.duration_s),
                       "--report",
                       (dir / ("report" + std::to_string(i) + ".json")).string()},
                      dir / ("node" + std::to_string(i) + ".log"));
    if (pid <= 0) {
      std::fprintf(stderr, "tidemark-bench: cannot start %s\n", kConsensusNode.c_str());
      return std::nullopt;
    }
    pids.push_back(pid);
  }
  bool ok = true;
  for (int i = 0; i < f.nodes; ++i) {
    if (int rc = Wait(pids[i]); rc != 0) {
      std::fprintf(stderr, "tidemark-bench: consensus node %d exited %d; see %s/node%d.log\n", i,
                   rc, dir.c_str(), i);
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  std::vector<json> reports;
  for (int i = 0; i < f.nodes; ++i) {
    try {
      reports.push_back(json::parse(Slurp(dir / ("report" + std::to_string(i) + ".json"))));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tidemark-bench: report of node %d: %s\n", i, e.what());
      return std::nullopt;
    }
  }
  std::vector<double> tps, p50, blocks, cpu, bytes_disk;
  double p99 = 0, max_ms = 0, rss = 0, wire = 0, dropped = 0;
  for (const json& r : reports) {
    tps.push_back(r["cmds_per_s"].get<double>());
    p50.push_back(r["latency_p50_ms"].get<double>());
    blocks.push_back(r["committed_blocks"].get<double>() / r["window_s"].get<double>());
    cpu.push_back(r["cpu_cores"].get<double>());
    const double total = r["committed_total"].get<double>();
    if (total > 0) bytes_disk.push_back(r["store_bytes"].get<double>() / total);
    p99 = std::max(p99, r["latency_p99_ms"].get<double>());
    max_ms = std::max(max_ms, r["latency_max_ms"].get<double>());
    rss = std::max(rss, r["peak_rss_mib"].get<double>());
    wire = std::max(wire, r["bytes_per_cmd_wire"].get<double>());
    dropped += r["dropped"].get<double>();
  }
  json step = {{"offered_cmds_per_s", rate},
               {"committed_cmds_per_s", Median(tps)},
               {"blocks_per_s", Median(blocks)},
               {"latency_p50_ms", Median(p50)},
               {"latency_p99_ms", p99},
               {"latency_max_ms", max_ms},
               {"cpu_cores_per_node", Median(cpu)},
               {"peak_rss_mib", rss},
               {"block_bytes_per_cmd", wire},
               {"disk_bytes_per_cmd", bytes_disk.empty() ? 0.0 : Median(bytes_disk)},
               {"dropped_at_client", dropped},
               {"ratio_to_libhotstuff", Median(tps) / kLibHotstuffCmdsPerS},
               {"nodes", reports}};
  if (!f.keep) fs::remove_all(dir);
  return step;
}

}  // namespace

int RunConsensusOnly(const ConsensusOnlyFlags& f) {
  if (!fs::exists(kConsensusNode)) {
    std::fprintf(stderr, "tidemark-bench: build tidemark-consensus-node first (%s)\n",
                 kConsensusNode.c_str());
    return 1;
  }
  FILE* out = f.json ? stderr : stdout;
  Ceiling c = MeasureCeiling(static_cast<size_t>(f.nodes));
  std::fprintf(out,
               "consensus only: %d validators as processes on loopback, block <= %zu commands of "
               "32 bytes, no execution, every vote and commit fsynced\n"
               "ceiling (same run): Ed25519 %.0f verifications/s per core, %u cores; "
               "reference: libhotstuff %.0f commands/s (4 replicas, block 400, no persistence)\n",
               f.nodes, f.block_max, c.verify_per_core, c.cores, kLibHotstuffCmdsPerS);
  std::fprintf(out, "%10s %10s %9s %9s %9s %9s %8s %8s %8s %8s %9s\n", "offered/s", "cmds/s",
               "blocks/s", "p50_ms", "p99_ms", "max_ms", "cpu/nd", "rss_MiB", "wire_B", "disk_B",
               "x_hotstuff");
  const fs::path root =
      fs::temp_directory_path() / ("tidemark-consensus-only-" + std::to_string(::getpid()));
  // Below Linux's ephemeral range (32768+), where another process's outgoing connection can hold
  // a port, and below the 20000+ range tidemark-bench's networks use.
  const int base = f.base_port ? f.base_port : 10000 + (::getpid() % 400) * 20;
  json steps = json::array();
  int rc = 0;
  for (size_t i = 0; i < f.rates.size(); ++i) {
    // A node that cannot bind its port exits before the run; another port range is tried.
    std::optional<json> step;
    for (int attempt = 0; attempt < 3 && !step; ++attempt) {
      step = RunStep(f, f.rates[i], base + static_cast<int>(i % 2) * f.nodes + attempt * 8000,
                     root / ("step" + std::to_string(i)));
    }
    if (!step) {
      rc = 1;
      break;
    }
    const json& s = *step;
    std::fprintf(out, "%10.0f %10.0f %9.1f %9.1f %9.1f %9.1f %7.0f%% %8.0f %8.0f %8.0f %9.3f\n",
                 f.rates[i], s["committed_cmds_per_s"].get<double>(),
                 s["blocks_per_s"].get<double>(), s["latency_p50_ms"].get<double>(),
                 s["latency_p99_ms"].get<double>(), s["latency_max_ms"].get<double>(),
                 s["cpu_cores_per_node"].get<double>() * 100, s["peak_rss_mib"].get<double>(),
                 s["block_bytes_per_cmd"].get<double>(), s["disk_bytes_per_cmd"].get<double>(),
                 s["ratio_to_libhotstuff"].get<double>());
    std::fflush(out);
    for (const json& n : s["nodes"]) {
      if (n["committed_cmds"].get<double>() <= 0 || n["own_committed"].get<double>() <= 0) {
        std::fprintf(stderr, "tidemark-bench: node %d committed none of its commands\n",
                     n["index"].get<int>());
        rc = 1;
      }
    }
    steps.push_back(s);
  }
  if (!f.keep) fs::remove_all(root);
  json report = {
      {"mode", "consensus-only"},
      {"validators", f.nodes},
      {"block_max", f.block_max},
      {"duration_s", f.duration_s},
      {"warmup_s", f.warmup_s},
      {"ceiling",
       {{"verify_per_core", c.verify_per_core}, {"cores", c.cores}, {"tx_per_s", c.tx_per_s}}},
      {"reference", {{"libhotstuff_cmds_per_s", kLibHotstuffCmdsPerS}}},
      {"steps", steps}};
  if (f.json) std::printf("%s\n", report.dump(2).c_str());
  if (!f.json_file.empty()) std::ofstream(f.json_file, std::ios::trunc) << report.dump(2) << "\n";
  return rc;
}

}  // namespace tidemark::bench
