// tidemark-bench: committed throughput, finality, CPU, memory and disk of a Tidemark network under
// an open-loop load of pre-signed transactions, beside the machine's ceiling (issue #17,
// docs/benchmarks.md).
//
// By default it makes a network with `tidemark network init` (4 organisations, each running a
// `tidemark-node` validator as its own process on loopback), enrols `--signers` member keys per
// signing organisation, pre-signs the whole load (bench/workload.h), and submits tx i at
// t0 + i / rate over `--conns` kept-alive connections spread over the nodes (open loop: a slow
// answer does not slow the schedule, and finality is measured from the scheduled time, so client
// queueing counts against the ledger, not for it). A poller reads every committed block of one
// node (GET /v1/blocks/{h}) and matches its tx ids to the submissions: committed tx/s, finality
// p50/p99 (submission -> its block committed), then the receipts of the executed blocks
// (accepted == committed with a `committed` receipt; submission -> receipt, p50/p99). For local
// nodes it reads /proc/<pid>/stat and status (CPU, RSS) and sums the data folders before and after
// (disk bytes per committed tx). The ceiling (bench/ceiling.h) is measured in the same run.
//
//   build/dev/bench/tidemark-bench --mix capture1 --rate 150 --duration-s 60 --drain-s 30
//   build/dev/bench/tidemark-bench --mix mixed --sweep 50,100,200,400 --duration-s 20
//   build/dev/bench/tidemark-bench --quick --json            # the CI smoke run (ctest bench.quick)
//   build/dev/bench/tidemark-bench --target http://h1:8080,http://h2:8080 --network-dir net/
//   build/release/bench/tidemark-bench --catch-up 100000 --mix mixed --rate 20
//                  # a wiped validator syncs a 100,000-block chain (RunCatchUp; ctest
//                  bench.catch_up)
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ceiling.h"
#include "consensus_only.h"
#include "http_conn.h"
#include "process_util.h"
#include "tidemark/client/ledger_client.h"
#include "tidemark/hash.h"
#include "workload.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Flags {
  int nodes = 4;
  std::vector<std::string> targets;  // empty: start local nodes
  std::string network_dir;           // --target: the `network init` folder (admin keys)
  std::string mix = "capture1";
  double rate = 100;
  double duration_s = 30;
  double drain_s = 30;
  std::vector<double> sweep;  // non-empty: one step per rate
  bool sweep_auto = false;    // --sweep auto: double from --rate until committed falls behind
  int conns = 32;
  int signers = 48;  // per signing organisation
  bool json = false;
  std::string json_file;  // also write the JSON report here
  bool quick = false;
  bool keep = false;
  int base_port = 0;      // 0: from the pid
  uint64_t catch_up = 0;  // > 0: the catch-up run (RunCatchUp) over this many blocks
  bool rate_set = false;
  bool consensus_only = false;  // RunConsensusOnly (bench/consensus_only.h)
  size_t block_max = 400;       // --consensus-only: commands per block
};

const char* kUsage =
    "usage: tidemark-bench [--mix capture1|capture10|master|customs|finance|mixed]\n"
    "         [--rate TX_PER_S] [--duration-s S] [--drain-s S] [--sweep R1,R2,...|auto]\n"
    "         [--nodes N (>= 4, local)] [--target URL,URL,... --network-dir DIR]\n"
    "         [--conns 32] [--signers 48] [--base-port P] [--keep] [--json] [--json-file F] "
    "[--quick]\n"
    "       tidemark-bench --consensus-only [--rate CMDS_PER_S | --sweep R1,R2,...]\n"
    "         [--block-max 400] [--duration-s 20] [--nodes 4] [--json] [--json-file F]\n"
    "       tidemark-bench --catch-up BLOCKS [--rate TX_PER_S] [--mix M]   (local; see "
    "RunCatchUp)\n";

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

bool ParseDouble(const std::string& s, double* out) {
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return !s.empty() && end != nullptr && *end == '\0' && std::isfinite(*out);
}

bool ParseFlags(int argc, char** argv, Flags* f) {
  auto bad = [](const std::string& why) {
    std::fprintf(stderr, "tidemark-bench: %s\n%s", why.c_str(), kUsage);
    return false;
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json") {
      f->json = true;
      continue;
    }
    if (a == "--quick") {
      f->quick = true;
      continue;
    }
    if (a == "--keep") {
      f->keep = true;
      continue;
    }
    if (a == "--consensus-only") {
      f->consensus_only = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      std::printf("%s", kUsage);
      std::exit(0);
    }
    if (i + 1 >= argc) return bad(a + ": expected a value");
    std::string v = argv[++i];
    double d = 0;
    if (a == "--mix") {
      f->mix = v;
    } else if (a == "--target") {
      f->targets = Split(v);
      if (f->targets.empty()) return bad("--target: a comma-separated list of URLs");
    } else if (a == "--json-file") {
      f->json_file = v;
    } else if (a == "--network-dir") {
      f->network_dir = v;
    } else if (a == "--sweep") {
      if (v == "auto") {
        f->sweep_auto = true;
        continue;
      }
      for (const auto& r : Split(v)) {
        if (!ParseDouble(r, &d) || d <= 0) return bad("--sweep: positive rates, e.g. 50,100,200");
        f->sweep.push_back(d);
      }
      if (f->sweep.empty()) return bad("--sweep: positive rates, e.g. 50,100,200, or auto");
    } else if (!ParseDouble(v, &d)) {
      return bad(a + ": expected a number, not '" + v + "'");
    } else if (a == "--rate" && d > 0 && d <= 1e6) {
      f->rate = d;
      f->rate_set = true;
    } else if (a == "--catch-up" && d >= 10 && d <= 1e7 && d == std::floor(d)) {
      f->catch_up = static_cast<uint64_t>(d);
    } else if (a == "--duration-s" && d > 0 && d <= 86400) {
      f->duration_s = d;
    } else if (a == "--drain-s" && d >= 0 && d <= 3600) {
      f->drain_s = d;
    } else if (a == "--nodes" && d >= 4 && d <= 16 && d == std::floor(d)) {
      f->nodes = static_cast<int>(d);
    } else if (a == "--conns" && d >= 1 && d <= 1024 && d == std::floor(d)) {
      f->conns = static_cast<int>(d);
    } else if (a == "--signers" && d >= 1 && d <= 60 && d == std::floor(d)) {
      f->signers = static_cast<int>(d);
    } else if (a == "--block-max" && d >= 1 && d <= kMaxTxsPerBlock && d == std::floor(d)) {
      f->block_max = static_cast<size_t>(d);
    } else if (a == "--base-port" && d > 1024 && d < 60000 && d == std::floor(d)) {
      f->base_port = static_cast<int>(d);
    } else {
      return bad("unknown flag or value out of range: " + a + " " + v);
    }
  }
  if (f->catch_up > 0 && !f->targets.empty()) {
    return bad("--catch-up starts its own network (it holds one validator back): no --target");
  }
  if (f->catch_up > 0 && (!f->sweep.empty() || f->sweep_auto || f->quick)) {
    return bad("--catch-up is a run of its own: no --sweep or --quick");
  }
  if (f->consensus_only && (f->catch_up > 0 || !f->targets.empty() || f->quick || f->sweep_auto ||
                            f->mix != "capture1")) {
    return bad(
        "--consensus-only starts its own replicas with opaque commands: no --catch-up, "
        "--target, --quick, --mix or --sweep auto");
  }
  if (!f->targets.empty() && f->network_dir.empty()) {
    return bad(
        "--target needs --network-dir (the folder `tidemark network init` wrote: admin keys)");
  }
  return true;
}

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// utime + stime of a process, in seconds (/proc/<pid>/stat fields 14 and 15).
double CpuSeconds(pid_t pid) {
  std::string stat = Slurp("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream in(stat.substr(close + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// A /proc/<pid>/status line in kB (VmRSS, VmHWM), as MiB.
double StatusMib(pid_t pid, const std::string& name) {
  std::istringstream in(Slurp("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ":", 0) == 0) return std::stod(line.substr(name.size() + 1)) / 1024.0;
  }
  return 0;
}

struct Target {
  client::Url url;
  NodeProc* proc = nullptr;  // local nodes only
  fs::path data_dir;
};

// tidemark_storage_batch_bytes_total by its `record` label, from one node's /metrics (empty if
// the node does not answer): what its block batches wrote, by kind of record (docs/storage.md).
std::map<std::string, double> BatchBytesByRecord(const client::Url& url) {
  std::map<std::string, double> out;
  bench::HttpConn c(url, 5000);
  auto r = c.Get("/metrics");
  if (!r.ok() || r->status != 200) return out;
  const std::string prefix = "tidemark_storage_batch_bytes_total{record=\"";
  size_t at = 0;
  while ((at = r->body.find(prefix, at)) != std::string::npos) {
    at += prefix.size();
    const size_t end = r->body.find('"', at);
    if (end == std::string::npos) break;
    const size_t value = r->body.find("} ", end);
    if (value == std::string::npos) break;
    out[r->body.substr(at, end - at)] = std::strtod(r->body.c_str() + value + 2, nullptr);
    at = value;
  }
  return out;
}

// One node's cumulative tidemark_tx_wait_seconds buckets (upper bound -> count) for `until`, and
// its tidemark_consensus_timeouts_total: what the node itself measured of its txs' waits.
struct NodeWaits {
  std::map<double, double> proposed, final_;
  double timeouts = 0;
};

NodeWaits ScrapeWaits(const client::Url& url) {
  NodeWaits out;
  bench::HttpConn c(url, 5000);
  auto r = c.Get("/metrics");
  if (!r.ok() || r->status != 200) return out;
  std::istringstream lines(r->body);
  std::string line;
  const std::string bucket = "tidemark_tx_wait_seconds_bucket{until=\"";
  const std::string timeouts = "tidemark_consensus_timeouts_total ";
  while (std::getline(lines, line)) {
    if (line.rfind(timeouts, 0) == 0) {
      out.timeouts = std::strtod(line.c_str() + timeouts.size(), nullptr);
      continue;
    }
    if (line.rfind(bucket, 0) != 0) continue;
    const size_t until_end = line.find('"', bucket.size());
    const size_t le = line.find("le=\"", bucket.size());
    const size_t le_end = le == std::string::npos ? le : line.find('"', le + 4);
    const size_t value = line.rfind("} ");
    if (until_end == std::string::npos || le_end == std::string::npos || value == std::string::npos)
      continue;
    const std::string until = line.substr(bucket.size(), until_end - bucket.size());
    const std::string bound = line.substr(le + 4, le_end - le - 4);
    const double upper = bound == "+Inf" ? HUGE_VAL : std::strtod(bound.c_str(), nullptr);
    (until == "final" ? out.final_ : out.proposed)[upper] =
        std::strtod(line.c_str() + value + 2, nullptr);
  }
  return out;
}

// The bucket bound (ms) at which the step's share `q` of waits is reached: `after` minus `before`
// (cumulative bucket counts); -1 without waits.
double BucketQuantileMs(const std::map<double, double>& after,
                        const std::map<double, double>& before, double q) {
  auto count = [](const std::map<double, double>& m, double upper) {
    auto it = m.find(upper);
    return it == m.end() ? 0.0 : it->second;
  };
  const double total = after.empty() ? 0 : after.rbegin()->second - count(before, HUGE_VAL);
  if (total <= 0) return -1;
  for (const auto& [upper, n] : after) {
    if (n - count(before, upper) >= q * total) return upper * 1000;
  }
  return -1;
}

std::optional<json> GetJson(bench::HttpConn& c, const std::string& path) {
  auto r = c.Get(path);
  if (!r.ok() || r->status != 200) return std::nullopt;
  json j = json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

struct Signer {
  std::string org;
  KeyPair key;
  uint64_t next_nonce = 1;
};

// Enrols `n` member keys per organisation (one batch per admin, consecutive nonces, the last
// waited for), derived from `tag` so that a rerun against a kept network finds them enrolled.
Result<std::vector<Signer>> Enrol(const std::vector<Target>& targets, const std::string& chain,
                                  const fs::path& network_dir, const std::vector<std::string>& orgs,
                                  int n, const std::string& tag) {
  std::vector<Signer> out;
  client::LedgerClient lc(targets[0].url, chain);
  bench::HttpConn conn(targets[0].url);
  std::vector<Hash256> waits;
  for (const auto& org : orgs) {
    fs::path key_file = network_dir / org / "admin_key.json";
    if (!fs::exists(key_file)) return Status::NotFound("no admin key at " + key_file.string());
    KeyPair admin = LoadKey(key_file);
    TM_ASSIGN_OR_RETURN(uint64_t nonce, lc.NextNonce(admin.public_key()));
    for (int i = 0; i < n; ++i) {
      Seed seed;
      seed.data =
          Sha256(AsBytes("tidemark-bench " + tag + " " + org + " " + std::to_string(i))).data;
      Signer s{.org = org, .key = KeyPair::FromSeed(seed)};
      Value::List roles;
      for (const auto& r : bench::SignerRoles(org)) roles.push_back(Value(r));
      Transaction tx{.chain_id = chain,
                     .nonce = nonce++,
                     .contract = "identity",
                     .method = "enrol_key",
                     .args = Value::MakeMap({{"key", s.key.public_key().Hex()},
                                             {"roles", Value(roles)},
                                             {"label", "bench " + std::to_string(i)}})
                                 .Encode()};
      tx.SignWith(admin);
      auto r = conn.Post("/v1/txs", json{{"tx", ToHex(tx.Encode())}}.dump());
      if (!r.ok()) return r.status();
      if (r->status != 200 && r->status != 202) {
        return Status::Unavailable("enrolling a signer of " + org + ": HTTP " +
                                   std::to_string(r->status) + " " + r->body);
      }
      waits.push_back(tx.Id());
      out.push_back(std::move(s));
    }
  }
  for (const auto& id : waits) {
    TM_ASSIGN_OR_RETURN(client::TxOutcome o, lc.WaitFinal(id, std::chrono::seconds(60)));
    // A key enrolled by an earlier run against the same network is refused as already enrolled.
    if (o.status != "committed" && o.reason.find("already") == std::string::npos) {
      return Status::FailedPrecondition("enrolment tx " + id.Hex() + " " + o.status + ": " +
                                        o.reason);
    }
  }
  for (auto& s : out) {
    TM_ASSIGN_OR_RETURN(s.next_nonce, lc.NextNonce(s.key.public_key()));
  }
  return out;
}

struct NodeUsage {
  std::string name;
  double cpu_cores = 0;  // CPU seconds per wall second over the step (1.0 = one core busy)
  double rss_mib = 0, hwm_mib = 0;
  int64_t disk_delta = 0;
};

struct StepResult {
  double rate = 0, duration_s = 0, drain_s = 0;
  uint64_t submitted = 0, accepted = 0, refused = 0, failed = 0, retries = 0;
  uint64_t committed = 0, rejected = 0, pending = 0;
  double committed_tps = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;  // submission -> block committed
  double exec_p50_ms = 0, exec_p99_ms = 0;                // submission -> receipt (executed)
  double late_send_p99_ms = 0;  // how late the client sent, vs the schedule
  // When the poller saw a block, after its proposer's timestamp (the poller's own delay plus the
  // two blocks that commit it): a large figure means the measurement, not the ledger, lags.
  double seen_lag_p50_ms = 0, seen_lag_p99_ms = 0;
  double wall_s = 0;
  uint64_t tx_bytes = 0;  // mean encoded tx size
  uint64_t blocks = 0;
  double disk_bytes_per_tx = 0;  // mean per node
  // What the first node's block batches wrote per committed tx, by kind of record (/metrics).
  std::map<std::string, double> batch_bytes_per_tx;
  // The first node's own timing of the txs it admitted (tidemark_tx_wait_seconds, bucket upper
  // bounds in ms; -1: none) and the rounds it timed out, over the step.
  double node_proposed_p50_ms = -1, node_proposed_p99_ms = -1;
  double node_final_p50_ms = -1, node_final_p99_ms = -1;
  double node_timeouts = 0;
  std::vector<NodeUsage> nodes;
  std::string first_error, first_reject;
  uint64_t connects = 0;
};

StepResult RunStep(const Flags& f, const bench::Workload& w, std::vector<Target>& targets,
                   const std::string& chain, std::vector<Signer>& signers, uint64_t run_id,
                   uint64_t seq0, double rate) {
  StepResult res;
  res.rate = rate;
  res.duration_s = f.duration_s;
  res.drain_s = f.drain_s;
  const size_t count = static_cast<size_t>(std::ceil(rate * f.duration_s));

  // Pre-sign the load: tx i of kind KindAt(i), its organisation's signers round robin.
  std::unordered_map<std::string, std::vector<size_t>> by_org;
  for (size_t s = 0; s < signers.size(); ++s) by_org[signers[s].org].push_back(s);
  std::unordered_map<std::string, size_t> rr;
  std::vector<std::string> bodies(count);
  std::unordered_map<std::string, size_t> index_of;
  index_of.reserve(count * 2);
  uint64_t bytes = 0;
  for (size_t i = 0; i < count; ++i) {
    bench::TxKind k = w.KindAt(seq0 + i);
    const auto& pool = by_org[bench::SignerOrg(k)];
    Signer& s = signers[pool[rr[bench::SignerOrg(k)]++ % pool.size()]];
    Transaction tx = bench::MakeTx(k, chain, run_id, seq0 + i, s.next_nonce++, s.key);
    Bytes raw = tx.Encode();
    bytes += raw.size();
    bodies[i] = json{{"tx", ToHex(raw)}}.dump();
    index_of[tx.Id().Hex()] = i;
  }
  res.tx_bytes = count ? bytes / count : 0;
  res.submitted = count;

  std::vector<uint64_t> disk0;
  std::vector<double> cpu0;
  for (auto& t : targets) {
    disk0.push_back(t.proc ? DirBytes(t.data_dir) : 0);
    cpu0.push_back(t.proc ? CpuSeconds(t.proc->pid) : 0);
  }
  const std::map<std::string, double> batch0 = BatchBytesByRecord(targets.front().url);
  const NodeWaits waits0 = ScrapeWaits(targets.front().url);

  // 0 not sent / 1 accepted / 2 refused (gave up on 503/429) / 3 failed (other answer).
  std::vector<std::atomic<int>> sent(count);
  std::vector<double> late(count, 0);
  std::vector<double> commit_at(count, -1);  // seconds after t0; written by the poller only
  std::vector<double> exec_at(count, -1);    // its receipt seen
  std::vector<int> final_state(count, 0);    // 1 committed, 2 rejected
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> retries{0}, accepted{0}, finals{0};
  std::atomic<bool> stop{false}, sending_done{false};
  std::mutex err_mu;
  std::string first_error, first_reject;
  const Clock::time_point t0 = Clock::now() + std::chrono::milliseconds(200);
  const double give_up = f.duration_s + f.drain_s;

  // The poller, on one node: every committed block (GET /v1/blocks/{h} up to the status height)
  // gives its txs' commit time; every executed one (up to exec_height) their receipts.
  uint64_t blocks = 0;
  std::vector<double> seen_lag;
  std::thread poller([&] {
    bench::HttpConn c(targets[0].url);
    uint64_t last_c = 0, last_e = 0;
    if (auto s = GetJson(c, "/v1/status")) last_c = last_e = (*s)["height"].get<uint64_t>();
    auto receipts_of = [&](const json& b, double at) {
      const auto& txs = b["txs"];
      const auto& receipts = b["receipts"];
      for (size_t k = 0; k < txs.size(); ++k) {
        auto it = index_of.find(txs[k]["id"].get<std::string>());
        if (it == index_of.end()) continue;
        bool ok = k < receipts.size() && receipts[k]["status"] == "committed";
        if (commit_at[it->second] < 0) commit_at[it->second] = at;
        exec_at[it->second] = at;
        final_state[it->second] = ok ? 1 : 2;
        if (!ok) {
          std::lock_guard<std::mutex> lock(err_mu);
          if (first_reject.empty() && k < receipts.size())
            first_reject = receipts[k]["reason"].get<std::string>();
        }
        finals.fetch_add(1);
      }
    };
    while (!stop.load()) {
      auto s = GetJson(c, "/v1/status");
      uint64_t height = s ? (*s)["height"].get<uint64_t>() : last_c;
      uint64_t exec = s ? (*s)["exec_height"].get<uint64_t>() : last_e;
      for (uint64_t h = last_c + 1; h <= height; ++h) {
        auto b = GetJson(c, "/v1/blocks/" + std::to_string(h));
        if (!b) break;
        double at = Since(t0);
        int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        const auto& txs = (*b)["txs"];
        if (!txs.empty()) {
          seen_lag.push_back(
              static_cast<double>(now_ms - (*b)["header"]["timestamp_ms"].get<int64_t>()));
        }
        for (const auto& tx : txs) {
          auto it = index_of.find(tx["id"].get<std::string>());
          if (it != index_of.end()) commit_at[it->second] = at;
        }
        if (h == last_e + 1 && (*b)["receipts"].is_array()) {
          receipts_of(*b, at);
          last_e = h;
        }
        ++blocks;
        last_c = h;
      }
      for (uint64_t h = last_e + 1; h <= std::min(exec, last_c); ++h) {
        auto b = GetJson(c, "/v1/blocks/" + std::to_string(h));
        if (!b || !(*b)["receipts"].is_array()) break;  // not executed yet: next round
        receipts_of(*b, Since(t0));
        last_e = h;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });

  std::atomic<uint64_t> connects{0};
  std::vector<std::thread> workers;
  for (int wi = 0; wi < f.conns; ++wi) {
    workers.emplace_back([&, wi] {
      bench::HttpConn c(targets[static_cast<size_t>(wi) % targets.size()].url);
      for (;;) {
        size_t i = next.fetch_add(1);
        if (i >= count) break;
        auto due = t0 + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(static_cast<double>(i) / rate));
        std::this_thread::sleep_until(due);
        late[i] = std::chrono::duration<double>(Clock::now() - due).count();
        for (;;) {
          auto r = c.Post("/v1/txs", bodies[i]);
          if (r.ok() && (r->status == 200 || r->status == 202)) {
            sent[i] = 1;
            accepted.fetch_add(1);
            break;
          }
          // 503/429: the pool or a quota is full; 409 "too far ahead": an earlier nonce of the
          // signer is still on its way (sent out of order by another connection). Both pass.
          bool retry = !r.ok() || r->status == 503 || r->status == 429 ||
                       (r->status == 409 && r->body.find("too far ahead") != std::string::npos);
          if (!retry || Since(t0) > give_up) {
            sent[i] = retry ? 2 : 3;
            std::lock_guard<std::mutex> lock(err_mu);
            if (first_error.empty()) {
              first_error = r.ok() ? "HTTP " + std::to_string(r->status) + " " + r->body
                                   : r.status().ToString();
            }
            break;
          }
          retries.fetch_add(1);
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
      connects.fetch_add(c.connects());
    });
  }
  for (auto& t : workers) t.join();
  sending_done = true;
  // Drain: until every accepted tx is final, or the drain time is up.
  while (Since(t0) < give_up && finals.load() < accepted.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (finals.load() < accepted.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the last poll
  }
  stop = true;
  poller.join();
  res.wall_s = Since(t0);

  std::vector<double> lat, exec_lat, late_ms, commits;
  for (size_t i = 0; i < count; ++i) {
    late_ms.push_back(late[i] * 1000);
    if (sent[i] == 1) ++res.accepted;
    if (sent[i] == 2) ++res.refused;
    if (sent[i] == 3) ++res.failed;
    if (final_state[i] == 1) {
      ++res.committed;
      commits.push_back(commit_at[i]);
      lat.push_back((commit_at[i] - static_cast<double>(i) / rate) * 1000);
      exec_lat.push_back((exec_at[i] - static_cast<double>(i) / rate) * 1000);
    } else if (final_state[i] == 2) {
      ++res.rejected;
    } else if (sent[i] == 1) {
      ++res.pending;
    }
  }
  res.retries = retries.load();
  res.connects = connects.load();
  res.blocks = blocks;
  res.first_error = first_error;
  res.first_reject = first_reject;
  res.p50_ms = bench::Percentile(lat, 50);
  res.p90_ms = bench::Percentile(lat, 90);
  res.p99_ms = bench::Percentile(lat, 99);
  res.max_ms = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end());
  res.exec_p50_ms = bench::Percentile(exec_lat, 50);
  res.exec_p99_ms = bench::Percentile(exec_lat, 99);
  res.late_send_p99_ms = bench::Percentile(late_ms, 99);
  res.seen_lag_p50_ms = bench::Percentile(seen_lag, 50);
  res.seen_lag_p99_ms = bench::Percentile(seen_lag, 99);
  // Committed tx/s: the load's commits over the time the ledger took to commit them (first to
  // last commit), never less than the schedule: below capacity that is the offered rate, above it
  // the rate the ledger sustained.
  if (!commits.empty()) {
    auto [lo, hi] = std::minmax_element(commits.begin(), commits.end());
    res.committed_tps = static_cast<double>(commits.size()) / std::max(*hi - *lo, f.duration_s);
  }
  double sum_disk = 0;
  int local = 0;
  for (size_t n = 0; n < targets.size(); ++n) {
    NodeUsage u;
    u.name = targets[n].proc ? targets[n].proc->dir.filename().string() : targets[n].url.ToString();
    if (targets[n].proc) {
      pid_t pid = targets[n].proc->pid;
      u.cpu_cores = (CpuSeconds(pid) - cpu0[n]) / std::max(res.wall_s, 1e-3);
      u.rss_mib = StatusMib(pid, "VmRSS");
      u.hwm_mib = StatusMib(pid, "VmHWM");
      u.disk_delta =
          static_cast<int64_t>(DirBytes(targets[n].data_dir)) - static_cast<int64_t>(disk0[n]);
      sum_disk += static_cast<double>(u.disk_delta);
      ++local;
    }
    res.nodes.push_back(u);
  }
  if (local > 0 && res.committed > 0) {
    res.disk_bytes_per_tx = sum_disk / local / static_cast<double>(res.committed);
  }
  if (res.committed > 0) {
    for (const auto& [record, bytes] : BatchBytesByRecord(targets.front().url)) {
      auto before = batch0.find(record);
      res.batch_bytes_per_tx[record] = (bytes - (before == batch0.end() ? 0 : before->second)) /
                                       static_cast<double>(res.committed);
    }
  }
  const NodeWaits waits = ScrapeWaits(targets.front().url);
  res.node_proposed_p50_ms = BucketQuantileMs(waits.proposed, waits0.proposed, 0.5);
  res.node_proposed_p99_ms = BucketQuantileMs(waits.proposed, waits0.proposed, 0.99);
  res.node_final_p50_ms = BucketQuantileMs(waits.final_, waits0.final_, 0.5);
  res.node_final_p99_ms = BucketQuantileMs(waits.final_, waits0.final_, 0.99);
  res.node_timeouts = waits.timeouts - waits0.timeouts;
  return res;
}

json StepJson(const StepResult& r, const bench::Ceiling& c) {
  json nodes = json::array();
  for (const auto& u : r.nodes) {
    nodes.push_back({{"name", u.name},
                     {"cpu_cores", u.cpu_cores},
                     {"rss_mib", u.rss_mib},
                     {"peak_rss_mib", u.hwm_mib},
                     {"disk_bytes_delta", u.disk_delta}});
  }
  return {
      {"rate", r.rate},
      {"duration_s", r.duration_s},
      {"drain_s", r.drain_s},
      {"submitted", r.submitted},
      {"accepted", r.accepted},
      {"refused", r.refused},
      {"failed", r.failed},
      {"retries", r.retries},
      {"committed", r.committed},
      {"rejected", r.rejected},
      {"pending", r.pending},
      {"committed_tps", r.committed_tps},
      {"ratio", c.tx_per_s > 0 ? r.committed_tps / c.tx_per_s : 0.0},
      {"finality_ms", {{"p50", r.p50_ms}, {"p90", r.p90_ms}, {"p99", r.p99_ms}, {"max", r.max_ms}}},
      {"executed_ms", {{"p50", r.exec_p50_ms}, {"p99", r.exec_p99_ms}}},
      {"late_send_p99_ms", r.late_send_p99_ms},
      {"block_seen_lag_ms", {{"p50", r.seen_lag_p50_ms}, {"p99", r.seen_lag_p99_ms}}},
      {"mean_tx_bytes", r.tx_bytes},
      {"blocks", r.blocks},
      {"wall_s", r.wall_s},
      {"connects", r.connects},
      {"disk_bytes_per_tx", r.disk_bytes_per_tx},
      {"batch_bytes_per_tx", r.batch_bytes_per_tx},
      {"node_waits_ms",
       {{"until_proposed", {{"p50", r.node_proposed_p50_ms}, {"p99", r.node_proposed_p99_ms}}},
        {"until_final", {{"p50", r.node_final_p50_ms}, {"p99", r.node_final_p99_ms}}},
        {"timeouts", r.node_timeouts}}},
      {"nodes", nodes},
      {"first_error", r.first_error},
      {"first_reject", r.first_reject}};
}

void PrintRow(const StepResult& r, const bench::Ceiling& c) {
  double cpu = 0, rss = 0;
  for (const auto& u : r.nodes) {
    cpu += u.cpu_cores;
    rss = std::max(rss, u.hwm_mib);
  }
  double cpu_per_node = r.nodes.empty() ? 0 : cpu / static_cast<double>(r.nodes.size());
  // --target: no process to read, so no CPU, RSS or disk figure ("-").
  char cpu_s[16] = "-", rss_s[16] = "-", disk_s[16] = "-";
  if (rss > 0) {
    std::snprintf(cpu_s, sizeof cpu_s, "%.0f%%", cpu_per_node * 100);
    std::snprintf(rss_s, sizeof rss_s, "%.0f", rss);
    std::snprintf(disk_s, sizeof disk_s, "%.0f", r.disk_bytes_per_tx);
  }
  std::printf("%8.0f %8llu %8llu %8llu %8.1f %7.0f %7.0f %7.0f %7s %8s %9s %6.4f\n", r.rate,
              static_cast<unsigned long long>(r.accepted),
              static_cast<unsigned long long>(r.committed),
              static_cast<unsigned long long>(r.rejected + r.refused + r.failed + r.pending),
              r.committed_tps, r.p50_ms, r.p99_ms, r.max_ms, cpu_s, rss_s, disk_s,
              c.tx_per_s > 0 ? r.committed_tps / c.tx_per_s : 0);
  std::printf("  receipt (executed) p50 %.0f ms, p99 %.0f ms after submission\n", r.exec_p50_ms,
              r.exec_p99_ms);
  std::printf(
      "  client sent late by p99 %.0f ms; blocks seen %.0f ms (p50) / %.0f ms (p99) after "
      "their timestamp; %llu blocks; %llu connects\n",
      r.late_send_p99_ms, r.seen_lag_p50_ms, r.seen_lag_p99_ms,
      static_cast<unsigned long long>(r.blocks), static_cast<unsigned long long>(r.connects));
  if (!r.batch_bytes_per_tx.empty()) {
    double total = 0;
    std::string parts;
    for (const auto& [record, bytes] : r.batch_bytes_per_tx) {
      total += bytes;
      char part[64];
      std::snprintf(part, sizeof part, "%s%s %.0f", parts.empty() ? "" : ", ", record.c_str(),
                    bytes);
      parts += part;
    }
    std::printf("  block batches written per tx (first node, bytes): %.0f = %s\n", total,
                parts.c_str());
  }
  if (r.node_final_p50_ms >= 0) {
    // Bucket bounds of the node's histogram: "<= X ms".
    std::printf(
        "  first node's own timing of its txs (bucket bounds): until proposed by it p50 <= %.0f "
        "ms, p99 <= %.0f ms; until final p50 <= %.0f ms, p99 <= %.0f ms; %.0f rounds timed out\n",
        r.node_proposed_p50_ms, r.node_proposed_p99_ms, r.node_final_p50_ms, r.node_final_p99_ms,
        r.node_timeouts);
  }
  if (!r.first_error.empty()) std::printf("  first refusal: %s\n", r.first_error.c_str());
  if (!r.first_reject.empty())
    std::printf("  first rejected receipt: %s\n", r.first_reject.c_str());
  std::fflush(stdout);
}

// The catch-up run (issue #18; docs/reliability.md, "Catch-up at scale"). The whole network
// commits `f.catch_up` blocks under an open-loop load of `f.rate` tx/s sent to all validators but
// the last (blocks as fast as consensus goes: no pacing); then that validator is killed, its data
// folder deleted, and it restarts: it has missed every block and syncs them all (fetch, verify
// each certificate, re-execute) while the others go on committing under the same load. (A
// validator held back from the start would be the same catch-up, but the three others commit
// only ~0.2 blocks/s while a leader is missing: building the chain would take days.) It reports
// the commit rate while the chain was built, the restarted node's catch-up rate (blocks applied
// per second until it reached the moving tip) beside the commit rate of the same window, and
// checks that it really caught up: its blocks (id, header, receipts) equal a peer's at sampled
// heights, the txs the network accepted are committed on it, and it votes — with another
// validator stopped, the chain goes on only with it. Exit 0 when every check holds.
int RunCatchUp(const Flags& f, const bench::Workload& w, std::vector<Target>& targets,
               NodeProc& held, const fs::path& held_data, const std::string& chain,
               std::vector<Signer>& signers, uint64_t run_id, FILE* out) {
  auto status_of = [](bench::HttpConn& c) { return GetJson(c, "/v1/status"); };
  auto height_of = [&](bench::HttpConn& c) -> std::optional<uint64_t> {
    auto s = status_of(c);
    if (!s) return std::nullopt;
    return (*s)["height"].get<uint64_t>();
  };

  // The load: signed just in time (a low rate), round robin over the running nodes.
  std::atomic<bool> stop_load{false};
  std::atomic<uint64_t> accepted{0}, refused{0};
  std::mutex ids_mu;
  std::vector<std::string> accepted_ids;
  std::string first_refusal;
  std::thread load([&] {
    std::vector<std::unique_ptr<bench::HttpConn>> conns;
    for (const auto& t : targets) conns.push_back(std::make_unique<bench::HttpConn>(t.url));
    client::LedgerClient lc(targets[0].url, chain);
    std::unordered_map<std::string, std::vector<size_t>> by_org;
    for (size_t s = 0; s < signers.size(); ++s) by_org[signers[s].org].push_back(s);
    std::unordered_map<std::string, size_t> rr;
    const Clock::time_point t0 = Clock::now();
    for (uint64_t i = 0; !stop_load.load(); ++i) {
      std::this_thread::sleep_until(
          t0 + std::chrono::duration_cast<Clock::duration>(
                   std::chrono::duration<double>(static_cast<double>(i) / f.rate)));
      bench::TxKind k = w.KindAt(i);
      const auto& pool = by_org[bench::SignerOrg(k)];
      Signer& s = signers[pool[rr[bench::SignerOrg(k)]++ % pool.size()]];
      Transaction tx = bench::MakeTx(k, chain, run_id, i, s.next_nonce, s.key);
      auto r = conns[i % conns.size()]->Post("/v1/txs", json{{"tx", ToHex(tx.Encode())}}.dump());
      if (r.ok() && (r->status == 200 || r->status == 202)) {
        ++s.next_nonce;
        accepted.fetch_add(1);
        std::lock_guard<std::mutex> lock(ids_mu);
        accepted_ids.push_back(tx.Id().Hex());
        continue;
      }
      refused.fetch_add(1);
      {
        std::lock_guard<std::mutex> lock(ids_mu);
        if (first_refusal.empty()) {
          first_refusal =
              r.ok() ? "HTTP " + std::to_string(r->status) + " " + r->body : r.status().ToString();
        }
      }
      // The nonce may or may not have been taken (a timeout): start again from the chain's.
      if (auto n = lc.NextNonce(s.key.public_key()); n.ok()) s.next_nonce = *n;
    }
  });
  auto stop = [&] {
    stop_load = true;
    if (load.joinable()) load.join();
  };

  // Build: until the running validators have committed f.catch_up blocks.
  bench::HttpConn peer(targets[0].url);
  const Clock::time_point build0 = Clock::now();
  uint64_t h = height_of(peer).value_or(0), last_h = h;
  Clock::time_point last_progress = Clock::now(), last_print = Clock::now();
  std::fprintf(out, "catch-up: building %llu blocks on %zu validators (%s, %.0f tx/s)\n",
               static_cast<unsigned long long>(f.catch_up), targets.size() + 1, f.mix.c_str(),
               f.rate);
  while (h < f.catch_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    h = height_of(peer).value_or(h);
    if (h > last_h) last_progress = Clock::now();
    last_h = h;
    if (Since(last_progress) > 60) {
      std::fprintf(stderr, "tidemark-bench: the network made no progress for 60 s at height %llu\n",
                   static_cast<unsigned long long>(h));
      stop();
      return 1;
    }
    if (Since(last_print) >= 30) {
      last_print = Clock::now();
      std::fprintf(out, "  height %8llu after %6.0f s (%.1f blocks/s)\n",
                   static_cast<unsigned long long>(h), Since(build0),
                   static_cast<double>(h) / Since(build0));
      std::fflush(out);
    }
  }
  const double build_s = Since(build0);
  const uint64_t h0 = h;
  const uint64_t txs_at_h0 = accepted.load();
  std::fprintf(out, "built %llu blocks in %.0f s: %.1f blocks/s, %llu txs accepted\n",
               static_cast<unsigned long long>(h0), build_s, static_cast<double>(h0) / build_s,
               static_cast<unsigned long long>(txs_at_h0));

  // Catch up: the last validator loses everything and starts from nothing.
  held.Kill(SIGKILL);
  fs::remove_all(held_data);
  const Clock::time_point j0 = Clock::now();
  held.Start();
  bench::HttpConn joined({"127.0.0.1", held.http_port, ""});
  double first_block_s = -1;
  uint64_t jh = 0, tip = h0;
  const double limit_s = std::max(600.0, static_cast<double>(h0) / 20);
  std::vector<std::pair<double, uint64_t>> series;
  double next_sample = 0;
  bool caught = false;
  while (Since(j0) < limit_s) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    tip = height_of(peer).value_or(tip);
    auto s = status_of(joined);
    if (!s) continue;
    jh = (*s)["height"].get<uint64_t>();
    uint64_t jexec = (*s)["exec_height"].get<uint64_t>();
    if (jh > 0 && first_block_s < 0) first_block_s = Since(j0);
    if (Since(j0) >= next_sample) {
      series.emplace_back(Since(j0), jh);
      next_sample += 5;
    }
    if (jh >= tip && jexec + 2 >= jh) {
      caught = true;
      break;
    }
  }
  const double catch_s = Since(j0);
  const uint64_t tip_done = tip;
  const double catch_rate = static_cast<double>(jh) / catch_s;
  const double commit_rate = static_cast<double>(tip_done - h0) / catch_s;
  const double build_rate = static_cast<double>(h0) / build_s;
  const double sync_rate =  // from its first applied block: without the process start-up
      first_block_s >= 0 && catch_s > first_block_s
          ? static_cast<double>(jh) / (catch_s - first_block_s)
          : catch_rate;
  std::fprintf(out,
               "%s: %s applied %llu blocks in %.1f s (first block after %.1f s): %.0f blocks/s "
               "(%.0f blocks/s from its first block) = %.1f x the rate the whole network built "
               "the chain at (%.1f blocks/s); the three others committed %llu blocks meanwhile "
               "(%.2f blocks/s, a leader missing)\n",
               caught ? "caught up" : "DID NOT CATCH UP", held.dir.filename().c_str(),
               static_cast<unsigned long long>(jh), catch_s, first_block_s, catch_rate, sync_rate,
               build_rate > 0 ? catch_rate / build_rate : 0.0, build_rate,
               static_cast<unsigned long long>(tip_done - h0), commit_rate);
  for (const auto& [t, hh] : series) {
    std::fprintf(out, "  t=%5.0f s  height %llu\n", t, static_cast<unsigned long long>(hh));
  }
  std::fflush(out);

  // Check 1: the same blocks as a peer at sampled heights.
  int mismatches = 0, compared = 0;
  if (caught) {
    for (uint64_t sh : {uint64_t{1}, h0 / 4, h0 / 2, 3 * h0 / 4, h0, tip_done}) {
      if (sh == 0 || sh > jh) continue;
      auto a = GetJson(peer, "/v1/blocks/" + std::to_string(sh));
      auto b = GetJson(joined, "/v1/blocks/" + std::to_string(sh));
      ++compared;
      if (!a || !b) {
        ++mismatches;
        continue;
      }
      for (const char* field : {"id", "header", "receipts"}) {
        if ((*a)[field] != (*b)[field]) {
          ++mismatches;
          std::fprintf(out, "  MISMATCH at height %llu: %s\n", static_cast<unsigned long long>(sh),
                       field);
        }
      }
    }
  }
  // Check 2: it votes — stop the last running validator; the chain goes on only with the joined.
  // (The load stops first: the stopped node would refuse its share of it.)
  stop();
  bool votes = false;
  uint64_t quorum_blocks = 0;
  if (caught && targets.back().proc != nullptr) {
    NodeProc& other = *targets.back().proc;
    other.Kill(SIGTERM);
    uint64_t from = height_of(joined).value_or(jh);
    // Blocks certified before the stop may still commit after it; five more need its votes.
    // (Three of four commit slowly while a leader is missing: rounds it leads time out.)
    votes = WaitFor(
        [&] {
          quorum_blocks = height_of(joined).value_or(from) - from;
          return quorum_blocks >= 5;
        },
        90s);
    other.Start();
    WaitFor([&] { return other.Ready(); }, 60s);
  }
  // Check 3: the load's accepted txs are committed on the joined node.
  uint64_t checked = 0, committed_on_joined = 0;
  std::vector<std::string> sample;
  {
    std::lock_guard<std::mutex> lock(ids_mu);
    size_t n = accepted_ids.size();
    for (size_t i = 0; i < n; i += std::max<size_t>(1, n / 100)) sample.push_back(accepted_ids[i]);
    for (size_t i = n > 50 ? n - 50 : 0; i < n; ++i) sample.push_back(accepted_ids[i]);
  }
  if (caught) {
    // One 30 s budget for the whole sample (the last txs may still be on their way), not one
    // per tx: a node that lost them all must not keep the run waiting for an hour.
    const Clock::time_point deadline = Clock::now() + 30s;
    for (const auto& id : sample) {
      ++checked;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      bool ok = WaitFor(
          [&] {
            auto r = GetJson(joined, "/v1/txs/" + id);
            return r && (*r)["status"] == "committed";
          },
          std::max(left, std::chrono::milliseconds(1)));
      if (ok) ++committed_on_joined;
    }
  }
  uint64_t joined_bytes = DirBytes(held_data);
  double joined_hwm = StatusMib(held.pid, "VmHWM");
  std::fprintf(out,
               "checks: blocks equal at %d/%d sampled heights; joined validator in the quorum: %s "
               "(%llu blocks with another validator stopped); accepted txs committed on it: "
               "%llu/%llu sampled; its data %.1f MiB (%.0f B/block), peak RSS %.0f MiB\n",
               compared - mismatches, compared, votes ? "yes" : "NO",
               static_cast<unsigned long long>(quorum_blocks),
               static_cast<unsigned long long>(committed_on_joined),
               static_cast<unsigned long long>(checked),
               static_cast<double>(joined_bytes) / (1 << 20),
               jh ? static_cast<double>(joined_bytes) / static_cast<double>(jh) : 0.0, joined_hwm);
  if (!first_refusal.empty()) std::fprintf(out, "  first refusal: %s\n", first_refusal.c_str());
  const bool ok = caught && mismatches == 0 && votes && committed_on_joined == checked;
  if (f.json || !f.json_file.empty()) {
    json series_j = json::array();
    for (const auto& [t, hh] : series) series_j.push_back({{"t_s", t}, {"height", hh}});
    json j{{"tool", "tidemark-bench"},
           {"mode", "catch-up"},
           {"build_type", TIDEMARK_BUILD_TYPE},
           {"mix", f.mix},
           {"rate", f.rate},
           {"validators", targets.size() + 1},
           {"blocks_missed", h0},
           {"build_s", build_s},
           {"build_blocks_per_s", build_rate},
           {"txs_accepted", accepted.load()},
           {"txs_refused", refused.load()},
           {"caught_up", caught},
           {"catch_up_s", catch_s},
           {"first_block_s", first_block_s},
           {"blocks_applied", jh},
           {"catch_up_blocks_per_s", catch_rate},
           {"sync_blocks_per_s_after_first", sync_rate},
           {"ratio_to_build_rate", build_rate > 0 ? catch_rate / build_rate : 0.0},
           {"commit_blocks_per_s_meanwhile", commit_rate},
           {"series", series_j},
           {"blocks_compared", compared},
           {"block_mismatches", mismatches},
           {"joined_votes", votes},
           {"txs_checked", checked},
           {"txs_committed_on_joined", committed_on_joined},
           {"joined_data_bytes", joined_bytes},
           {"joined_peak_rss_mib", joined_hwm},
           {"ok", ok}};
    if (f.json) std::printf("%s\n", j.dump(2).c_str());
    if (!f.json_file.empty()) std::ofstream(f.json_file, std::ios::trunc) << j.dump(2) << "\n";
  }
  std::fprintf(out, "%s\n", ok ? "CATCH-UP OK" : "CATCH-UP FAILED");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  if (!ParseFlags(argc, argv, &f)) return 2;
  if (f.consensus_only) {
    bench::ConsensusOnlyFlags c;
    c.nodes = f.nodes;
    c.rates = f.sweep.empty() ? std::vector<double>{f.rate_set ? f.rate : 20000} : f.sweep;
    c.block_max = f.block_max;
    c.duration_s = f.duration_s;
    c.base_port = f.base_port;
    c.keep = f.keep;
    c.json = f.json;
    c.json_file = f.json_file;
    return bench::RunConsensusOnly(c);
  }
  if (f.quick) {
    f.mix = "mixed";
    f.rate = 20;
    f.duration_s = 4;
    f.drain_s = 15;
    f.signers = 4;
    f.conns = 8;
    f.sweep.clear();
    f.sweep_auto = false;
  }
  auto workload = bench::Workload::Parse(f.mix);
  if (!workload.ok()) {
    std::fprintf(stderr, "tidemark-bench: %s\n", workload.status().message().c_str());
    return 2;
  }
  FILE* out = f.json ? stderr : stdout;  // with --json, stdout carries the JSON alone

  std::vector<NodeProc> procs;
  std::vector<Target> targets;
  fs::path network_dir;
  std::string chain;
  if (f.targets.empty()) {
    if (!fs::exists(kNodeBinary) || !fs::exists(kCliBinary)) {
      std::fprintf(stderr, "tidemark-bench: build tidemark-node and tidemark first (%s, %s)\n",
                   kNodeBinary.c_str(), kCliBinary.c_str());
      return 1;
    }
    chain = "tidemark-bench";
    network_dir = fs::temp_directory_path() / ("tidemark-bench-" + std::to_string(::getpid()));
    fs::remove_all(network_dir);
    int base = f.base_port ? f.base_port : 20000 + (::getpid() % 500) * 20;
    std::vector<std::string> args = NetworkInitArgs(network_dir, chain, base, "tidemark-bench");
    std::vector<std::string> orgs = {"platform", "customs", "bank", "regulator"};
    if (f.nodes > 4) {
      for (const char* o : {"platform:PLATFORM,BRAND,MANUFACTURER,EXPORTER,FORWARDER,"
                            "BONDED_WAREHOUSE,RETAILER",
                            "customs:CUSTOMS_BROKER,CUSTOMS,INSPECTOR", "bank:BANK,IP_REGISTRY",
                            "regulator:REGULATOR"}) {
        args.insert(args.end(), {"--org", o});
      }
      for (int i = 5; i <= f.nodes; ++i) {
        orgs.push_back("member" + std::to_string(i));
        args.insert(args.end(), {"--org", orgs.back() + ":RETAILER"});
      }
    }
    pid_t init = Spawn(args, network_dir.string() + "-init.log");
    if (init <= 0 || Wait(init) != 0) {
      std::fprintf(stderr, "tidemark-bench: network init failed; see %s-init.log\n",
                   network_dir.c_str());
      return 1;
    }
    for (const auto& org : orgs) {
      NodeProc n = NodeProc::InDir(network_dir / org);
      n.binary = kNodeBinary;
      json cfg = json::parse(Slurp(n.dir / "node.json"));
      // One client (loopback) sends everything: lift its per-client limits.
      cfg["http"]["requests_per_second_per_client"] = 1'000'000;
      cfg["http"]["request_burst_per_client"] = 1'000'000;
      cfg["http"]["max_connections_per_client"] = 1024;
      cfg["log_level"] = "warn";
      if (f.catch_up > 0) {  // blocks as fast as consensus goes, to build the chain quickly
        cfg["consensus"]["min_block_interval_ms"] = 0;
        cfg["consensus"]["idle_block_interval_ms"] = 0;
      }
      std::ofstream(n.dir / "node.json", std::ios::trunc) << cfg.dump(2);
      procs.push_back(std::move(n));
    }
    for (auto& n : procs) n.Start();
    for (size_t i = 0; i < procs.size(); ++i) {
      NodeProc& n = procs[i];
      if (!WaitFor([&] { return n.Ready(); }, 60s)) {
        std::fprintf(stderr, "tidemark-bench: %s did not become ready; see %s\n",
                     n.dir.filename().c_str(), (n.dir / "node.log").c_str());
        return 1;
      }
      // The catch-up run sends no load to its last validator (RunCatchUp wipes and restarts it).
      if (f.catch_up > 0 && i + 1 == procs.size()) break;
      std::string data = json::parse(Slurp(n.dir / "node.json")).value("data_dir", "data");
      targets.push_back({.url = {"127.0.0.1", n.http_port, ""},
                         .proc = &n,
                         .data_dir = fs::path(data).is_absolute() ? fs::path(data) : n.dir / data});
    }
  } else {
    network_dir = f.network_dir;
    for (const auto& t : f.targets) {
      auto url = client::Url::Parse(t);
      if (!url.ok()) {
        std::fprintf(stderr, "tidemark-bench: --target: %s\n", url.status().message().c_str());
        return 2;
      }
      targets.push_back({.url = *url});
    }
    bench::HttpConn c(targets[0].url);
    auto s = GetJson(c, "/v1/status");
    if (!s) {
      std::fprintf(stderr, "tidemark-bench: no /v1/status from %s\n",
                   targets[0].url.ToString().c_str());
      return 1;
    }
    chain = (*s)["chain_id"].get<std::string>();
    f.nodes = (*s)["validator_count"].get<int>();
  }

  bench::Ceiling ceiling = bench::MeasureCeiling(static_cast<size_t>(f.nodes), f.quick ? 3 : 5);
  std::fprintf(out,
               "machine: Ed25519 verify %.0f/s per core x %u cores / %d validators: ceiling %.0f "
               "tx/s\n",
               ceiling.verify_per_core, ceiling.cores, f.nodes, ceiling.tx_per_s);

  const uint64_t run_id =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count() %
                            100000);
  auto signers = Enrol(targets, chain, network_dir, workload->Orgs(), f.signers,
                       f.targets.empty() ? "local" : "target");
  if (!signers.ok()) {
    std::fprintf(stderr, "tidemark-bench: enrolling signers: %s\n",
                 signers.status().ToString().c_str());
    return 1;
  }
  if (f.catch_up > 0) {
    if (!f.rate_set) f.rate = 20;
    NodeProc& held = procs.back();
    std::string data = json::parse(Slurp(held.dir / "node.json")).value("data_dir", "data");
    fs::path held_data = fs::path(data).is_absolute() ? fs::path(data) : held.dir / data;
    int rc = RunCatchUp(f, *workload, targets, held, held_data, chain, *signers, run_id, out);
    for (auto& n : procs) n.Kill(SIGTERM);
    if (!f.keep) {
      fs::remove_all(network_dir);
      fs::remove(network_dir.string() + "-init.log");
    } else {
      std::fprintf(out, "network kept in %s\n", network_dir.c_str());
    }
    return rc;
  }
  std::fprintf(out, "network: %d validators (%s), chain %s, mix %s, %zu signers, %d connections\n",
               f.nodes, f.targets.empty() ? "local processes" : "--target", chain.c_str(),
               f.mix.c_str(), signers->size(), f.conns);
  std::fprintf(out, "%8s %8s %8s %8s %8s %7s %7s %7s %7s %8s %9s %6s\n", "offered", "accepted",
               "commit", "lost", "tx/s", "p50_ms", "p99_ms", "max_ms", "cpu/nd", "rss_MiB",
               "disk_B/tx", "ratio");
  std::vector<double> rates = f.sweep.empty() ? std::vector<double>{f.rate} : f.sweep;
  std::vector<StepResult> steps;
  uint64_t seq = 0;
  for (size_t i = 0; i < rates.size() || f.sweep_auto; ++i) {
    double rate = i < rates.size() ? rates[i] : steps.back().rate * 2;
    if (i > 0) {  // the next step starts from what the chain has (a refused tx left a gap)
      client::LedgerClient lc(targets[0].url, chain);
      for (auto& s : *signers) {
        if (auto n = lc.NextNonce(s.key.public_key()); n.ok())
          s.next_nonce = std::max(*n, s.next_nonce);
      }
    }
    StepResult r = RunStep(f, *workload, targets, chain, *signers, run_id, seq, rate);
    seq += r.submitted;
    if (f.json) {
      std::fprintf(stderr, "step %.0f tx/s: committed %.1f tx/s, p50 %.0f ms, p99 %.0f ms\n",
                   r.rate, r.committed_tps, r.p50_ms, r.p99_ms);
    } else {
      PrintRow(r, ceiling);
    }
    steps.push_back(r);
    // A sweep stops once the ledger falls behind the offered rate.
    bool behind = r.committed_tps < 0.9 * r.rate || r.committed != r.accepted;
    if ((f.sweep_auto || !f.sweep.empty()) && behind) break;
    if (f.sweep_auto && rate >= 1e5) break;
  }
  size_t peak = 0;
  for (size_t i = 1; i < steps.size(); ++i) {
    if (steps[i].committed_tps > steps[peak].committed_tps) peak = i;
  }
  const StepResult& p = steps[peak];
  double ratio = ceiling.tx_per_s > 0 ? p.committed_tps / ceiling.tx_per_s : 0;
  if (f.json || !f.json_file.empty()) {
    json j = StepJson(p, ceiling);
    json all = json::array();
    for (const auto& s : steps) all.push_back(StepJson(s, ceiling));
    j["tool"] = "tidemark-bench";
    j["build_type"] = TIDEMARK_BUILD_TYPE;
    j["mix"] = f.mix;
    j["validators"] = f.nodes;
    j["local"] = f.targets.empty();
    j["signers"] = signers->size();
    j["conns"] = f.conns;
    j["quick"] = f.quick;
    j["ceiling"] = {{"verify_per_core", ceiling.verify_per_core},
                    {"sha256_mib_per_s", ceiling.sha256_mib_per_s},
                    {"cores", ceiling.cores},
                    {"validators", ceiling.validators},
                    {"tx_per_s", ceiling.tx_per_s}};
    j["peak_committed_tps"] = p.committed_tps;
    j["ratio"] = ratio;
    j["steps"] = all;
    if (f.json) std::printf("%s\n", j.dump(2).c_str());
    if (!f.json_file.empty()) std::ofstream(f.json_file, std::ios::trunc) << j.dump(2) << "\n";
  }
  if (!f.json) {
    std::printf(
        "\npeak committed %.1f tx/s at an offered %.0f tx/s = %.3f x the ceiling (%.0f tx/s); "
        "finality p50 %.0f ms, p99 %.0f ms; mean tx %llu bytes; %s build\n",
        p.committed_tps, p.rate, ratio, ceiling.tx_per_s, p.p50_ms, p.p99_ms,
        static_cast<unsigned long long>(p.tx_bytes), TIDEMARK_BUILD_TYPE);
  }
  for (auto& n : procs) n.Kill(SIGTERM);
  if (!f.keep && f.targets.empty()) {
    fs::remove_all(network_dir);
    fs::remove(network_dir.string() + "-init.log");
  } else if (f.targets.empty()) {
    std::fprintf(out, "network kept in %s\n", network_dir.c_str());
  }
  bool clean = true;
  for (const auto& s : steps) clean = clean && s.failed == 0;
  return clean ? 0 : 3;
}
