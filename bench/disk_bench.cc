// tidemark-disk-bench: disk growth of a node under a steady stream of state-overwriting txs
// (issue #13, docs/storage.md "Disk growth"). A one-organisation network (`tidemark network
// init`) runs `tidemark-node-test` (the production node plus the `test` contract, whose `put`
// overwrites `test/<key>`); one client keeps a window of signed puts in flight over `--keys`
// distinct keys for `--duration-s` seconds. Every `--sample-s` it prints the data directory's
// bytes and, from a copy of the running node's LevelDB files opened beside it, the stored bytes
// split into block history (blocks, certificates, receipts, indexes, execution records: kept
// forever by design), state versions (tree nodes, stale index, roots, pins, flat index) and the
// live state (flat index + the tree nodes the latest version reaches): the bound is on
// state / live. At the end it stops the node and measures its own store the same way. The
// machine's ceiling (Ed25519 verifications/s, one validator) is measured first.
//
//   build/dev/bench/tidemark-disk-bench --duration-s 600 --retain-versions 1000
//   build/dev/bench/tidemark-disk-bench --duration-s 600 --retain-versions 0   # keep every version
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ceiling.h"
#include "process_util.h"
#include "tidemark/node/state/smt_node.h"
#include "tidemark/node/storage/key_layout.h"
#include "tidemark/node/storage/leveldb_kv_store.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;

namespace {

struct Flags {
  int duration_s = 600;
  int sample_s = 30;
  int64_t retain_versions = 1000;  // -1: leave node.json's default
  int keys = 1000;
  int value_bytes = 64;
  int window = 48;  // txs in flight (below the per-signer bound of 64)
  int port = 27000;
};

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&](int64_t* out) {
      if (i + 1 >= argc) return false;
      char* end = nullptr;
      *out = std::strtoll(argv[++i], &end, 10);
      return end != nullptr && *end == '\0';
    };
    int64_t v = 0;
    bool ok = next(&v);
    if (!ok) {
      std::fprintf(stderr, "%s: expected an integer\n", a.c_str());
      return false;
    }
    if (a == "--duration-s" && v > 0) {
      f->duration_s = static_cast<int>(v);
    } else if (a == "--sample-s" && v > 0) {
      f->sample_s = static_cast<int>(v);
    } else if (a == "--retain-versions" && v >= -1) {
      f->retain_versions = v;
    } else if (a == "--keys" && v > 0) {
      f->keys = static_cast<int>(v);
    } else if (a == "--value-bytes" && v > 0 && v <= 4096) {
      f->value_bytes = static_cast<int>(v);
    } else if (a == "--window" && v > 0 && v <= 60) {
      f->window = static_cast<int>(v);
    } else if (a == "--port" && v > 1024 && v < 65000) {
      f->port = static_cast<int>(v);
    } else {
      std::fprintf(stderr,
                   "usage: tidemark-disk-bench [--duration-s 600] [--sample-s 30] "
                   "[--retain-versions 1000 (0 = keep all, -1 = node default)] [--keys 1000] "
                   "[--value-bytes 64] [--window 48] [--port 27000]\n");
      return false;
    }
  }
  return true;
}

std::string Mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

// Raw key + value bytes per key prefix, and the nodes the latest state version reaches.
struct Breakdown {
  std::map<char, uint64_t> bytes, rows;
  uint64_t live_tree_bytes = 0, live_tree_nodes = 0;
};

Result<Breakdown> Measure(const fs::path& db, bool copy = false) {
  node::LevelDbOptions o;
  o.create_if_missing = false;
  if (copy) {  // a copy of a running store may end in a torn log record: skip it
    o.paranoid_checks = false;
    o.verify_checksums = false;
  }
  TM_ASSIGN_OR_RETURN(auto kv, node::LevelDbKvStore::Open(db.string(), o));
  Breakdown out;
  std::optional<Bytes> after;
  for (;;) {
    TM_ASSIGN_OR_RETURN(auto page, kv->Scan({.prefix = {}, .start_after = after, .limit = 4096}));
    if (page.empty()) break;
    for (const auto& row : page) {
      out.bytes[static_cast<char>(row.key[0])] += row.key.size() + row.value.size();
      out.rows[static_cast<char>(row.key[0])]++;
    }
    after = page.back().key;
  }
  TM_ASSIGN_OR_RETURN(auto tip, kv->Get(AsBytes(node::keys::Meta(node::keys::kTipName))));
  if (!tip || tip->size() != 40) return Status::Corruption("no tip");
  uint64_t height = node::keys::ReadU64(tip->data());
  TM_ASSIGN_OR_RETURN(auto root_raw, kv->Get(AsBytes(node::keys::StateRoot(height))));
  if (!root_raw) return Status::Corruption("no root at the tip");
  TM_ASSIGN_OR_RETURN(node::NodeRef root, node::DecodeRefBytes(*root_raw));
  std::vector<node::NodeRef> stack = {root};
  while (!stack.empty()) {
    node::NodeRef ref = stack.back();
    stack.pop_back();
    if (ref.kind == node::NodeKind::kEmpty) continue;
    std::string key = node::NodeKey(ref);
    TM_ASSIGN_OR_RETURN(auto raw, kv->Get(AsBytes(key)));
    if (!raw) return Status::Corruption("live node missing");
    out.live_tree_bytes += key.size() + raw->size();
    out.live_tree_nodes++;
    TM_ASSIGN_OR_RETURN(node::SmtNode n, node::DecodeNode(*raw));
    if (n.kind == node::NodeKind::kInternal) {
      stack.push_back(n.left);
      stack.push_back(n.right);
    }
  }
  return out;
}

// Copies the running node's LevelDB (the manifest first, then the immutable tables and the log)
// and measures the copy; a table compacted away meanwhile fails the open: try again.
std::optional<Breakdown> MeasureLive(const fs::path& db, const fs::path& scratch) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::error_code ec;
    fs::remove_all(scratch, ec);
    fs::create_directories(scratch, ec);
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(db, ec)) files.push_back(e.path());
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
      auto rank = [](const fs::path& p) {
        std::string n = p.filename().string();
        return n == "CURRENT" ? 0 : n.rfind("MANIFEST", 0) == 0 ? 1 : 2;
      };
      return rank(a) < rank(b);
    });
    for (const fs::path& f : files) {
      std::string n = f.filename().string();
      if (n == "LOCK" || n.rfind("LOG", 0) == 0) continue;
      fs::copy_file(f, scratch / n, fs::copy_options::overwrite_existing, ec);
    }
    auto m = Measure(scratch, /*copy=*/true);
    if (m.ok()) return std::move(*m);
  }
  return std::nullopt;
}

uint64_t Sum(const Breakdown& m, const std::string& prefixes) {
  uint64_t n = 0;
  for (char p : prefixes) {
    auto it = m.bytes.find(p);
    if (it != m.bytes.end()) n += it->second;
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  if (!ParseFlags(argc, argv, &f)) return 2;
  bench::Ceiling c = bench::MeasureCeiling(1, 3);
  std::printf(
      "machine: Ed25519 verify %.0f/s per core, %u cores: ceiling %.0f tx/s (1 validator)\n",
      c.verify_per_core, c.cores, c.tx_per_s);
  std::printf("run: %d s, %d keys, %d-byte values, window %d, retain_versions %s\n", f.duration_s,
              f.keys, f.value_bytes, f.window,
              f.retain_versions < 0 ? "default" : std::to_string(f.retain_versions).c_str());

  const std::string chain = "tidemark-disk";
  NodeProc node = InitSoloNetwork("tidemark-disk-bench", chain, f.port);
  if (node.dir.empty()) {
    std::fprintf(stderr, "network init failed (build the `tidemark` CLI)\n");
    return 1;
  }
  {
    json cfg = json::parse(Slurp(node.dir / "node.json"));
    if (f.retain_versions >= 0) cfg["storage"]["retain_versions"] = f.retain_versions;
    cfg["http"]["requests_per_second_per_client"] = 1'000'000;
    cfg["http"]["request_burst_per_client"] = 1'000'000;
    cfg["log_level"] = "warn";
    std::ofstream(node.dir / "node.json", std::ios::trunc) << cfg.dump(2);
  }
  KeyPair admin = LoadKey(node.dir / "admin_key.json");
  fs::path data = node.dir / "data";
  node.Start();
  if (!WaitFor([&] { return node.Ready(); }, 60s)) {
    std::fprintf(stderr, "the node did not become ready; see %s\n",
                 (node.dir / "node.log").c_str());
    return 1;
  }

  // The load: puts over `keys` keys, round robin, a window of them in flight; every `window`-th
  // waits for its commit, so the stream stays steady and the pool never overflows.
  std::mt19937_64 rng(20261205);
  auto value_of = [&](uint64_t n) {
    std::string v(static_cast<size_t>(f.value_bytes), 'x');
    for (char& ch : v) ch = "0123456789abcdef"[rng() % 16];
    (void)n;
    return v;
  };
  uint64_t nonce = 1, committed = 0;
  auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  std::printf("%6s %7s %8s %8s %9s %9s %9s %7s %6s\n", "t_s", "height", "txs", "dir_MiB",
              "hist_MiB", "state_MiB", "live_MiB", "st/live", "tx/s");
  double next_sample = 0;
  uint64_t last_committed = 0;
  double last_t = 0;
  std::vector<double> rates, state_ratios;
  struct Sample {
    double t;
    uint64_t txs, dir;
  };
  std::vector<Sample> samples;
  bool failed = false;
  while (!failed) {
    double t = elapsed();
    if (t >= next_sample) {
      uint64_t dir = DirBytes(data);
      double rate = t > last_t ? (committed - last_committed) / (t - last_t) : 0;
      if (t > 0) rates.push_back(rate);
      std::string hist = "-", state = "-", live_s = "-", ratio = "-";
      if (auto m = MeasureLive(data / "ledger", node.dir / "snapshot")) {
        uint64_t st = Sum(*m, "NZRVS"), lv = Sum(*m, "S") + m->live_tree_bytes;
        hist = Mib(Sum(*m, "BICTAXEPQM"));
        state = Mib(st);
        live_s = Mib(lv);
        ratio = std::to_string(static_cast<double>(st) / std::max<uint64_t>(1, lv)).substr(0, 5);
        if (t > 0) state_ratios.push_back(static_cast<double>(st) / std::max<uint64_t>(1, lv));
      }
      std::printf("%6.0f %7llu %8llu %8s %9s %9s %9s %7s %6.0f\n", t,
                  static_cast<unsigned long long>(node.Height()),
                  static_cast<unsigned long long>(committed), Mib(dir).c_str(), hist.c_str(),
                  state.c_str(), live_s.c_str(), ratio.c_str(), rate);
      std::fflush(stdout);
      samples.push_back({t, committed, dir});
      last_committed = committed;
      last_t = t;
      next_sample += f.sample_s;
      if (t >= f.duration_s) break;
    }
    for (int i = 0; i < f.window; ++i) {
      std::string key = "k" + std::to_string(nonce % static_cast<uint64_t>(f.keys));
      std::string v = value_of(nonce);
      Transaction tx{.chain_id = chain,
                     .nonce = nonce,
                     .contract = "test",
                     .method = "put",
                     .args = Value::MakeMap({{"key", Value(key)}, {"value", Value(v)}}).Encode()};
      tx.SignWith(admin);
      bool last = i + 1 == f.window;
      std::optional<json> r;
      for (int attempt = 0; attempt < 50 && !r; ++attempt) {
        r = Submit(node, tx, /*wait=*/last);
        if (!r) std::this_thread::sleep_for(20ms);
      }
      if (!r || (last && (*r)["status"] != "committed")) {
        std::fprintf(stderr, "submit failed at nonce %llu: %s\n",
                     static_cast<unsigned long long>(nonce), r ? r->dump().c_str() : "no answer");
        failed = true;
        break;
      }
      ++nonce;
    }
    if (!failed) committed = nonce - 1;
  }
  node.Kill(SIGTERM);
  if (failed) return 1;

  // Growth in the second half of the run, per committed tx.
  const Sample& mid = samples[samples.size() / 2];
  const Sample& end = samples.back();
  double grow_per_tx = end.txs > mid.txs ? double(end.dir) - double(mid.dir) : 0.0;
  grow_per_tx /= std::max<double>(1, double(end.txs - mid.txs));

  auto m = Measure(data / "ledger");
  if (!m.ok()) {
    std::fprintf(stderr, "measuring the store: %s\n", m.status().ToString().c_str());
    return 1;
  }
  auto sum = [&](const std::string& prefixes) { return Sum(*m, prefixes); };
  uint64_t history = sum("BICTAXEPQM");
  uint64_t versions = sum("NZRV");
  uint64_t flat = sum("S");
  uint64_t live_state = flat + m->live_tree_bytes;
  std::printf("\ncommitted %llu txs in %.0f s: median %.0f tx/s (%.2f of the ceiling)\n",
              static_cast<unsigned long long>(end.txs), end.t, bench::Median(rates),
              bench::Median(rates) / c.tx_per_s);
  std::printf("data dir at the end: %s MiB; growth in the second half: %.0f bytes per tx\n",
              Mib(end.dir).c_str(), grow_per_tx);
  std::printf("stored (raw key+value bytes, before LevelDB compression):\n");
  std::printf("  block history (B I C T A X E P Q M): %s MiB = %.0f bytes per tx (kept forever)\n",
              Mib(history).c_str(), double(history) / std::max<uint64_t>(1, end.txs));
  std::printf("  state versions (N Z R V):            %s MiB (%llu nodes, %llu stale entries)\n",
              Mib(versions).c_str(), static_cast<unsigned long long>(m->rows['N']),
              static_cast<unsigned long long>(m->rows['Z']));
  std::printf("  live state (S + %llu reachable nodes): %s MiB\n",
              static_cast<unsigned long long>(m->live_tree_nodes), Mib(live_state).c_str());
  std::printf(
      "  state versions + flat index = %.2f x the live state (max over the run %.2f)\n",
      double(versions + flat) / std::max<uint64_t>(1, live_state),
      state_ratios.empty() ? 0.0 : *std::max_element(state_ratios.begin(), state_ratios.end()));
  fs::remove_all(node.dir.parent_path());
  return 0;
}
