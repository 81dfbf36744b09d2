// tidemark-chaos — a seeded chaos run against four real validator processes (issue #18,
// docs/reliability.md "Chaos run").
//
//   tidemark-chaos --seed 7 --kills 4 --partitions 3 --wipes 1 --skews 1 --slow-disks 1
//                  --duration-s 60
//
// A 4-validator network of `tidemark-node-test` processes (`tidemark network init`) carries a
// load of EPCIS captures with custody handovers and supply-chain finance stories (register,
// confirm, split, finance, a refused second financing, release, settle) submitted over REST,
// while faults are injected one after the other at seeded random moments, on seeded random
// targets: SIGKILL + restart, partitions (1/3, 2/2, one node isolated long enough to need block
// sync) through the test-only fault file, a clock skew (libfaketime, LD_PRELOAD + FAKETIME on
// the restarted process), a slow disk (the `slow-writes` line of the fault file:
// SlowWriteKvStore), and a restart from a wiped data directory. After each fault the run waits
// until every node is past the height the network had when the fault was lifted.
//
// At the end: every tx the load saw final (committed or rejected in a block) is final the same
// way at the same height on every node; the signers' nonces account for exactly those txs;
// blocks (id, header: state root and receipts root), receipts and the executed state roots are
// equal at every height on every node; the contract invariants hold on every node
// (receivable amounts conserved, at most one encumbrance or offer per part, payees adding up to
// the amount; each item's custody where the last acknowledged handover put it). It prints the
// faults and their outcome, and exits 0 only if every fault recovered and every check held.
//
// The same seed gives the same network keys, fault kinds, targets, moments and durations, and
// the same load stories (how many of them fit depends on the machine's speed).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../network/process_util.h"
#include "tidemark/client/ledger_client.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/hash.h"
#include "tidemark/state_keys/provenance.h"
#include "tidemark/state_keys/system.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  uint64_t seed = 1;
  int kills = 4, partitions = 3, wipes = 1, skews = 1, slow_disks = 1;
  int duration_s = 60;
  bool keep = false;  // keep the network folder
};

const std::vector<std::string> kOrgs = {"platform:PLATFORM,BRAND,RETAILER",
                                        "supplier:BONDED_WAREHOUSE", "bank:BANK", "bank2:BANK"};
constexpr size_t kPlatform = 0, kSupplier = 1, kBank = 2, kBank2 = 3, kN = 4;

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string Fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string Fmt(const char* f, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

std::string FindLibFaketime() {
  for (const char* p :
       {"/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
        "/usr/lib/faketime/libfaketimeMT.so.1", "/usr/local/lib/faketime/libfaketimeMT.so.1"}) {
    if (fs::exists(p)) return p;
  }
  return "";
}

// ---- the network -------------------------------------------------------------------------------

struct Node {
  fs::path dir;
  uint16_t port = 0;
  pid_t pid = -1;
  std::string skew;             // FAKETIME offset of the next process ("" = real clock)
  bool running_skewed = false;  // the running process was started under libfaketime
  std::set<size_t> blocked;     // peers in its fault file
  uint32_t slow_ms = 0;         // slow-writes in its fault file
  std::atomic<bool> up{false};  // the load may send here
};

struct Net {
  fs::path dir;
  std::string chain = "tidemark-chaos";
  std::array<Node, kN> nodes;
  std::vector<std::string> keys;  // node keys (hex)
  std::vector<KeyPair> admins;
  std::string faketime_lib;

  client::HttpClient Http(size_t i, int timeout_ms = 5000) const {
    return client::HttpClient({"127.0.0.1", nodes[i].port, ""}, timeout_ms);
  }
  std::optional<json> Get(size_t i, const std::string& path, int timeout_ms = 5000) const {
    auto r = Http(i, timeout_ms).Get(path);
    if (!r.ok() || r->status != 200) return std::nullopt;
    auto j = json::parse(r->body, nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
  }
  uint64_t Height(size_t i) const {
    auto s = Get(i, "/v1/status", 2000);
    return s ? (*s)["height"].get<uint64_t>() : 0;
  }
  uint64_t ExecHeight(size_t i) const {
    auto s = Get(i, "/v1/status", 2000);
    return s ? (*s)["exec_height"].get<uint64_t>() : 0;
  }
  uint64_t MaxHeight() const {
    uint64_t h = 0;
    for (size_t i = 0; i < kN; ++i) h = std::max(h, Height(i));
    return h;
  }
  uint64_t MinHeight() const {
    uint64_t h = UINT64_MAX;
    for (size_t i = 0; i < kN; ++i) h = std::min(h, Height(i));
    return h;
  }
  std::string Log(size_t i) const { return Slurp(nodes[i].dir / "node.log"); }
  size_t LogCount(size_t i, const std::string& text) const {
    std::string log = Log(i);
    size_t n = 0;
    for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
  }

  bool Init(uint64_t seed) {
    ::setenv("TIDEMARK_TEST_FAULTS", "1", 1);
    dir = FastTempDirOrTmp() / ("tidemark-chaos-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    int base = 12000 + (::getpid() % 500) * 20;
    std::vector<std::string> args =
        NetworkInitArgs(dir, chain, base, "chaos-" + std::to_string(seed));
    for (const auto& o : kOrgs) {
      args.push_back("--org");
      args.push_back(o);
    }
    fs::path init_log =
        fs::temp_directory_path() / ("tidemark-chaos-init-" + std::to_string(::getpid()) + ".log");
    pid_t init = Spawn(args, init_log);
    if (init <= 0 || Wait(init) != 0) {
      std::fprintf(stderr, "network init failed: %s\n", Slurp(init_log).c_str());
      return false;
    }
    fs::remove(init_log);
    for (size_t i = 0; i < kN; ++i) {
      Node& n = nodes[i];
      n.dir = dir / kOrgs[i].substr(0, kOrgs[i].find(':'));
      auto cfg = json::parse(Slurp(n.dir / "node.json"));
      cfg["consensus"] = {{"min_block_interval_ms", 20},
                          {"idle_block_interval_ms", 300},
                          {"base_timeout_ms", 500},
                          {"max_backoff_exponent", 3}};
      // The end checks read every block, receipt and state root of every node over REST: far
      // above a client's default share of 200 requests/s.
      cfg["http"]["requests_per_second_per_client"] = 100'000;
      std::ofstream(n.dir / "node.json", std::ios::trunc) << cfg.dump(2);
      std::string listen = cfg["http"]["listen"];
      n.port = static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
      keys.push_back(LoadKey(n.dir / "node_key.json").public_key().Hex());
      admins.push_back(LoadKey(n.dir / "admin_key.json"));
    }
    faketime_lib = FindLibFaketime();
    return true;
  }
  static fs::path FastTempDirOrTmp() {
    std::error_code ec;
    if (fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) return "/dev/shm";
    return fs::temp_directory_path();
  }

  // Starts node i (under libfaketime when it has a skew).
  void Start(size_t i) {
    Node& n = nodes[i];
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
      std::string_view v(*e);
      if (v.rfind("LD_PRELOAD=", 0) == 0 || v.rfind("FAKETIME", 0) == 0) continue;
      env.emplace_back(v);
    }
    if (!n.skew.empty()) {
      env.push_back("LD_PRELOAD=" + faketime_lib);
      env.push_back("FAKETIME=" + n.skew);
      env.push_back(
          "FAKETIME_DONT_FAKE_MONOTONIC=1");  // timers keep real time; the wall clock lies
    }
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = {kTestNodeBinary.string(), "--config",
                                     (n.dir / "node.json").string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    std::string log = (n.dir / "node.log").string();
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    n.pid = rc == 0 ? pid : -1;
    n.running_skewed = !n.skew.empty();
  }
  // libfaketime keeps a semaphore and a shared-memory segment per process in /dev/shm and
  // removes them at a clean exit only: after a kill or a crash the run removes them.
  static void Ended(Node& n, pid_t pid) {
    if (!n.running_skewed) return;
    n.running_skewed = false;
    std::error_code ec;
    fs::remove("/dev/shm/faketime_shm_" + std::to_string(pid), ec);
    fs::remove("/dev/shm/sem.faketime_sem_" + std::to_string(pid), ec);
  }
  bool Ready(size_t i) const {
    auto r = Http(i, 2000).Get("/readyz");
    return r.ok() && r->status == 200;
  }
  void Kill(size_t i, int sig = SIGKILL) {
    Node& n = nodes[i];
    n.up = false;
    if (n.pid > 0) {
      ::kill(n.pid, sig);
      Wait(n.pid);
      Ended(n, n.pid);
      n.pid = -1;
    }
  }
  // The node process died by itself: its exit status, or nullopt while it runs.
  std::optional<int> Died(size_t i) {
    Node& n = nodes[i];
    if (n.pid <= 0) return std::nullopt;
    int status = 0;
    if (::waitpid(n.pid, &status, WNOHANG) == n.pid) {
      Ended(n, n.pid);
      n.pid = -1;
      n.up = false;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return std::nullopt;
  }

  // Rewrites node i's fault file from its blocked set and slow-write delay (temp file + rename);
  // when the node runs, waits until it logged that it applied what changed.
  bool WriteFaults(size_t i, std::set<size_t> blocked, uint32_t slow_ms) {
    Node& n = nodes[i];
    bool block_changed = blocked != n.blocked, slow_changed = slow_ms != n.slow_ms;
    size_t block_before = LogCount(i, "test faults: blocking");
    size_t slow_before = LogCount(i, "test faults: slow writes");
    std::string text = "# tidemark-chaos\n";
    for (size_t p : blocked) text += keys[p] + "\n";
    if (slow_ms > 0) text += "slow-writes " + std::to_string(slow_ms) + "\n";
    fs::path file = n.dir / "data" / "test_faults";
    fs::create_directories(file.parent_path());
    std::ofstream(file.string() + ".tmp", std::ios::trunc) << text;
    fs::rename(file.string() + ".tmp", file);
    n.blocked = std::move(blocked);
    n.slow_ms = slow_ms;
    if (n.pid <= 0) return true;
    std::string expect_block =
        "test faults: blocking " + std::to_string(n.blocked.size()) + " peers";
    std::string expect_slow = "test faults: slow writes " + std::to_string(slow_ms) + " ms";
    return WaitFor(
        [&] {
          return (!block_changed || (LogCount(i, "test faults: blocking") > block_before &&
                                     LogCount(i, expect_block) > 0)) &&
                 (!slow_changed || (LogCount(i, "test faults: slow writes") > slow_before &&
                                    LogCount(i, expect_slow) > 0));
        },
        10s);
  }
  bool Partition(const std::vector<std::vector<size_t>>& groups) {
    bool ok = true;
    for (const auto& g : groups) {
      std::set<size_t> others;
      for (const auto& h : groups) {
        if (&h != &g) others.insert(h.begin(), h.end());
      }
      for (size_t i : g) ok &= WriteFaults(i, others, nodes[i].slow_ms);
    }
    return ok;
  }
  bool Heal() {
    bool ok = true;
    for (size_t i = 0; i < kN; ++i) ok &= WriteFaults(i, {}, nodes[i].slow_ms);
    return ok;
  }
};

// ---- the load ---------------------------------------------------------------------------------

struct Ack {
  Hash256 id;
  std::string status;  // committed / rejected
  uint64_t height = 0;
  std::string what;
};

struct Signer {
  KeyPair key;
  std::string org;
  std::mutex mu;
  uint64_t next_nonce = 1;  // guarded by mu
  bool stuck = false;       // a tx never became final: its nonce blocks the rest
};

struct Load {
  Net& net;
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<Ack> acks;                         // guarded by mu
  std::vector<std::string> anomalies;            // guarded by mu
  std::vector<std::string> unresolved;           // guarded by mu
  std::vector<std::string> receivables;          // guarded by mu: ids with their expected state
  std::map<std::string, std::string> rcv_state;  // guarded by mu
  std::map<std::string, int64_t> rcv_amount;     // guarded by mu
  std::map<std::string, std::string> custody;    // guarded by mu: canonical item id -> org
  std::array<std::unique_ptr<Signer>, kN> signers;
  uint64_t seed;

  Load(Net& n, uint64_t s) : net(n), seed(s) {
    for (size_t i = 0; i < kN; ++i) {
      signers[i] = std::make_unique<Signer>();
      signers[i]->key = net.admins[i];
      signers[i]->org = kOrgs[i].substr(0, kOrgs[i].find(':'));
    }
  }

  void Anomaly(const std::string& s) {
    std::lock_guard l(mu);
    anomalies.push_back(s);
  }

  // Signs {contract, method, args} at the signer's next nonce and submits the same bytes to
  // random live nodes until one says it is final (a tx lost with a killed or wiped node's mempool
  // is admitted again by another). nullopt: not final within 90 s (the signer is then stuck).
  std::optional<Ack> Deliver(std::mt19937_64& rng, size_t who, const std::string& contract,
                             const std::string& method, const Value& args,
                             const std::string& what) {
    Signer& s = *signers[who];
    std::lock_guard l(s.mu);
    if (s.stuck) return std::nullopt;
    Transaction tx{.chain_id = net.chain,
                   .nonce = s.next_nonce,
                   .contract = contract,
                   .method = method,
                   .args = args.Encode()};
    tx.SignWith(s.key);
    std::string body = json{{"tx", ToHex(tx.Encode())}}.dump();
    std::string id = tx.Id().Hex();
    auto until = Clock::now() + 90s;
    while (Clock::now() < until) {
      std::vector<size_t> live;
      for (size_t i = 0; i < kN; ++i) {
        if (net.nodes[i].up) live.push_back(i);
      }
      if (live.empty()) {
        std::this_thread::sleep_for(100ms);
        continue;
      }
      size_t i = live[rng() % live.size()];
      auto r = net.Http(i, 6000).Post("/v1/txs?wait=commit&timeout_ms=2500", body);
      std::optional<json> answer;
      if (r.ok() && (r->status == 200 || r->status == 202)) {
        answer = json::parse(r->body, nullptr, false);
      } else if (r.ok() && r->status == 409) {
        // A stale nonce: this very tx may be final already (the node decides on its state).
        answer = net.Get(i, "/v1/txs/" + id);
      }
      if (answer && answer->is_object() && answer->contains("status") &&
          ((*answer)["status"] == "committed" || (*answer)["status"] == "rejected") &&
          answer->contains("height")) {
        Ack a{tx.Id(), (*answer)["status"], (*answer)["height"].get<uint64_t>(), what};
        ++s.next_nonce;
        std::lock_guard g(mu);
        acks.push_back(a);
        return a;
      }
      if (!r.ok() || r->status >= 400) std::this_thread::sleep_for(100ms);
    }
    s.stuck = true;
    std::lock_guard g(mu);
    unresolved.push_back(what + " (tx " + id + ")");
    return std::nullopt;
  }

  // Expect a status; else an anomaly. Returns whether it was final at all.
  bool Expect(const std::optional<Ack>& a, const std::string& want) {
    if (!a) return false;
    if (a->status != want) {
      Anomaly(a->what + ": " + a->status + ", expected " + want + " (tx " + a->id.Hex() + ")");
    }
    return true;
  }

  // EPCIS provenance: the platform commissions an item, hands it to the supplier (transfer +
  // accept custody), the supplier stores it in its bonded warehouse, sometimes the platform
  // observes it (refused: it is no longer the holder).
  void ProvStories() {
    std::mt19937_64 rng(seed * 1000003 + 1);
    for (int n = 1; !stop; ++n) {
      std::string epc = Fmt("urn:epc:id:sgtin:0614141.107346.%" PRIu64 "%05d", seed % 100000, n);
      auto id = contracts::CanonicalId(epc);
      if (!id.ok()) {
        Anomaly("canonical id of " + epc + ": " + id.status().ToString());
        return;
      }
      auto event = [&](const std::string& type, const std::string& action, const std::string& step,
                       const std::string& disposition) -> Value {
        json e = {{"type", type},
                  {"action", action},
                  {"bizStep", step},
                  {"eventTime", "2026-12-01T08:00:00.000Z"},
                  {"eventTimeZoneOffset", "+00:00"},
                  {"epcList", {epc}}};
        if (!disposition.empty()) e["disposition"] = disposition;
        auto v = contracts::ParseEpcisEvent(e);
        if (!v.ok()) Anomaly("event: " + v.status().ToString());
        return v.ok() ? *v : Value();
      };
      auto capture = [&](size_t who, const Value& e, const std::string& what) {
        return Deliver(rng, who, "prov", "capture",
                       Value::MakeMap({{"events", Value(Value::List{e})}}), what);
      };
      auto commissioned = capture(kPlatform, event("ObjectEvent", "ADD", "commissioning", "active"),
                                  "prov commission " + *id);
      if (!Expect(commissioned, "committed")) return;
      {
        std::lock_guard l(mu);
        custody[*id] = "platform";
      }
      auto offered =
          Deliver(rng, kPlatform, "prov", "transfer_custody",
                  Value::MakeMap({{"items", Value(Value::List{Value(epc)})}, {"to", "supplier"}}),
                  "prov transfer_custody " + *id);
      if (!Expect(offered, "committed")) return;
      auto accepted = Deliver(rng, kSupplier, "prov", "accept_custody",
                              Value::MakeMap({{"items", Value(Value::List{Value(epc)})}}),
                              "prov accept_custody " + *id);
      if (!Expect(accepted, "committed")) return;
      {
        std::lock_guard l(mu);
        custody[*id] = "supplier";
      }
      if (!Expect(capture(kSupplier, event("ObjectEvent", "OBSERVE", "storing", ""),
                          "prov storing " + *id),
                  "committed")) {
        return;
      }
      if (rng() % 3 == 0) {
        // The former holder may not move it any more.
        if (!Expect(capture(kPlatform, event("ObjectEvent", "OBSERVE", "shipping", "in_transit"),
                            "prov shipping by a non-holder " + *id),
                    "rejected")) {
          return;
        }
      }
    }
  }

  // Supply-chain finance: register, confirm, split, finance one part (pledge), a second
  // financing of it refused, then release and/or settle.
  void FinStories() {
    std::mt19937_64 rng(seed * 1000003 + 2);
    for (int n = 1; !stop; ++n) {
      int64_t amount = 10'000 + static_cast<int64_t>(rng() % 990'000);
      std::string number = Fmt("CH-%" PRIu64 "-%d", seed, n);
      Value reg = Value::MakeMap(
          {{"debtor", "platform"},
           {"currency", "CNY"},
           {"contract", Value::MakeMap({{"number", "C-" + number},
                                        {"hash", Sha256(AsBytes("contract " + number)).Hex()}})},
           {"invoices", Value(Value::List{Value::MakeMap(
                            {{"number", number},
                             {"amount", amount},
                             {"tax", amount / 100 * 6},
                             {"date", "2026-12-01"},
                             {"hash", Sha256(AsBytes("invoice " + number)).Hex()}})})},
           {"issue_date", "2026-12-01"},
           {"due_date", "2027-05-30"}});
      auto r = Deliver(rng, kSupplier, "fin", "register", reg, "fin register " + number);
      if (!Expect(r, "committed")) return;
      std::string id = "rcv_" + r->id.Hex().substr(0, 20);
      auto set_state = [&](const std::string& st) {
        std::lock_guard l(mu);
        rcv_state[id] = st;
      };
      {
        std::lock_guard l(mu);
        receivables.push_back(id);
        rcv_amount[id] = amount;
        rcv_state[id] = "REGISTERED";
      }
      if (!Expect(Deliver(rng, kPlatform, "fin", "confirm", Value::MakeMap({{"id", id}}),
                          "fin confirm " + id),
                  "committed")) {
        return;
      }
      set_state("CONFIRMED");
      int64_t first = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(amount - 1));
      Value::List parts{Value(first), Value(amount - first)};
      if (!Expect(
              Deliver(rng, kSupplier, "fin", "split",
                      Value::MakeMap({{"part", id}, {"amounts", Value(parts)}}), "fin split " + id),
              "committed")) {
        return;
      }
      std::string part = id + (rng() % 2 ? ".1" : ".2");
      int64_t part_amount = part.back() == '1' ? first : amount - first;
      int64_t financed = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(part_amount));
      if (!Expect(
              Deliver(
                  rng, kSupplier, "fin", "offer_finance",
                  Value::MakeMap(
                      {{"part", part}, {"bank", "bank"}, {"kind", "pledge"}, {"amount", financed}}),
                  "fin offer " + part),
              "committed")) {
        return;
      }
      if (!Expect(Deliver(rng, kBank, "fin", "accept_finance", Value::MakeMap({{"part", part}}),
                          "fin accept " + part),
                  "committed")) {
        return;
      }
      // One encumbrance per part: a second financing is refused in the block.
      if (!Expect(Deliver(rng, kSupplier, "fin", "offer_finance",
                          Value::MakeMap({{"part", part},
                                          {"bank", "bank2"},
                                          {"kind", "factoring_recourse"},
                                          {"amount", part_amount}}),
                          "fin second offer " + part),
                  "rejected")) {
        return;
      }
      if (rng() % 2 == 0) {
        if (!Expect(Deliver(rng, kBank, "fin", "release", Value::MakeMap({{"part", part}}),
                            "fin release " + part),
                    "committed")) {
          return;
        }
      }
      if (rng() % 3 != 0) {
        if (!Expect(Deliver(rng, kPlatform, "fin", "settle", Value::MakeMap({{"id", id}}),
                            "fin settle " + id),
                    "committed")) {
          return;
        }
        set_state("SETTLED");
      }
    }
  }
};

// ---- faults -----------------------------------------------------------------------------------

struct FaultRow {
  int n = 0;
  double at_s = 0;
  std::string kind, target, detail;
  double held_s = 0, recovered_s = -1;
  std::string outcome;
  bool ok = false;
};

struct Chaos {
  Options opt;
  Net net;
  std::mt19937_64 rng;
  Clock::time_point t0 = Clock::now();
  std::vector<FaultRow> rows;
  std::vector<std::string> crashes;  // unexpected process deaths

  explicit Chaos(Options o) : opt(o), rng(o.seed) {}

  uint64_t Rand(uint64_t lo, uint64_t hi) { return lo + rng() % (hi - lo + 1); }
  void Sleep(double s) {
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(s * 1000)));
  }

  // A node that died by itself is a finding: note it (with the log's last error) and restart it.
  void Reap() {
    for (size_t i = 0; i < kN; ++i) {
      if (auto rc = net.Died(i)) {
        std::string log = net.Log(i);
        log = log.substr(log.size() > 6000 ? log.size() - 6000 : 0);  // this life's last words
        size_t at = log.rfind("height not executed yet");
        std::string why = Fmt("exit %d", *rc);
        if (at != std::string::npos) {
          // The abort fixed by deferring the proposal (main 1d8b812): a regression.
          why += ": execution record for a proposal: height not executed yet (BuildProposal abort)";
        } else {
          size_t e = log.rfind("[critical]");
          if (e == std::string::npos) e = log.rfind("[error]");
          if (e != std::string::npos) why += ": " + log.substr(e, log.find('\n', e) - e);
        }
        crashes.push_back(
            Fmt("%.1fs node %zu (%s) died: ", Since(t0), i, net.nodes[i].dir.filename().c_str()) +
            why);
        std::fprintf(stderr, "chaos: %s\n", crashes.back().c_str());
        net.Start(i);
        if (WaitFor([&] { return net.Ready(i); }, 30s)) net.nodes[i].up = true;
      }
    }
  }

  // After a fault is lifted: every node passes the height the network had then (+3).
  bool Recover(FaultRow& row, Clock::time_point lifted, std::chrono::seconds limit = 60s) {
    uint64_t target = net.MaxHeight() + 3;
    bool ok = WaitFor(
        [&] {
          Reap();
          return net.MinHeight() >= target;
        },
        limit);
    row.recovered_s = Since(lifted);
    return ok;
  }

  bool StartNode(size_t i) {
    net.Start(i);
    bool ok = WaitFor([&] { return net.Ready(i); }, 30s);
    if (ok) net.nodes[i].up = true;
    return ok;
  }

  void Kill(FaultRow& row) {
    size_t i = Rand(0, kN - 1);
    double down = Rand(500, 4000) / 1000.0;
    row.target = net.nodes[i].dir.filename();
    row.detail = Fmt("SIGKILL, down %.1fs", down);
    net.Kill(i);
    Sleep(down);
    row.held_s = down;
    auto lifted = Clock::now();
    bool started = StartNode(i);
    bool ok = started && Recover(row, lifted);
    row.ok = ok;
    row.outcome = !started ? "did not restart" : ok ? "restarted, caught up" : "did not catch up";
  }

  void Partition(FaultRow& row) {
    std::vector<size_t> order = {0, 1, 2, 3};
    std::shuffle(order.begin(), order.end(), rng);
    int variant = static_cast<int>(Rand(0, 2));
    std::vector<std::vector<size_t>> groups;
    double hold = 0;
    auto name = [&](size_t i) { return net.nodes[i].dir.filename().string(); };
    if (variant == 0) {
      groups = {{order[0]}, {order[1], order[2], order[3]}};
      hold = Rand(2500, 4500) / 1000.0;
      row.detail = "1/3";
      row.target = name(order[0]) + " | rest";
    } else if (variant == 1) {
      groups = {{order[0], order[1]}, {order[2], order[3]}};
      hold = Rand(1500, 4000) / 1000.0;
      row.detail = "2/2";
      row.target =
          name(order[0]) + "+" + name(order[1]) + " | " + name(order[2]) + "+" + name(order[3]);
    } else {
      groups = {{order[0]}, {order[1], order[2], order[3]}};
      hold = Rand(6000, 9000) / 1000.0;
      row.detail = "isolated (catch up by sync)";
      row.target = name(order[0]);
    }
    row.detail += Fmt(", held %.1fs", hold);
    if (!net.Partition(groups)) {
      row.outcome = "fault file not applied";
      net.Heal();
      return;
    }
    auto cut = Clock::now();
    std::string extra;
    if (variant == 1) {
      // No side has a quorum: after a settling second nothing may commit.
      Sleep(std::min(1.0, hold));
      uint64_t frozen = net.MaxHeight();
      Sleep(std::max(0.0, hold - 1.0));
      uint64_t after = net.MaxHeight();
      if (after != frozen)
        extra = Fmt("; COMMITTED during 2/2 (%" PRIu64 " -> %" PRIu64 ")", frozen, after);
      else
        extra = Fmt("; frozen at %" PRIu64, frozen);
    } else {
      // The three go on without the cut node (its rounds time out). On a crowded machine a
      // short hold may see no commit yet: the cut then stays until they commit, at most 5 s more.
      auto majority = [&] {
        return std::max({net.Height(order[1]), net.Height(order[2]), net.Height(order[3])});
      };
      uint64_t before = majority();
      Sleep(hold);
      uint64_t after = majority();
      if (after <= before) {
        auto late = Clock::now();
        if (WaitFor([&] { return majority() > before; }, 5s)) {
          extra = Fmt(" (their first commit %.1fs after the hold)", Since(late));
        } else {
          extra = " (NO PROGRESS)";
        }
        after = majority();
      }
      extra = Fmt("; majority %+" PRId64 " blocks", static_cast<int64_t>(after - before)) + extra;
    }
    row.held_s = std::chrono::duration<double>(Clock::now() - cut).count();
    bool healed = net.Heal();
    auto lifted = Clock::now();
    bool ok = healed && Recover(row, lifted);
    row.ok = ok && extra.find("COMMITTED") == std::string::npos &&
             extra.find("NO PROGRESS") == std::string::npos;
    row.outcome = (ok       ? "healed, all caught up"
                   : healed ? "did not catch up"
                            : "heal not applied") +
                  extra;
  }

  void Wipe(FaultRow& row) {
    size_t i = Rand(0, kN - 1);
    row.target = net.nodes[i].dir.filename();
    uint64_t had = net.Height(i);
    net.Kill(i);
    fs::remove_all(net.nodes[i].dir / "data");
    net.nodes[i].blocked.clear();
    net.nodes[i].slow_ms = 0;
    double down = Rand(500, 2000) / 1000.0;
    row.detail = Fmt("SIGKILL at height %" PRIu64 ", data dir deleted, down %.1fs", had, down);
    Sleep(down);
    row.held_s = down;
    auto lifted = Clock::now();
    bool started = StartNode(i);
    bool ok = started && Recover(row, lifted, 90s);
    row.ok = ok;
    row.outcome = !started ? "did not restart"
                  : ok     ? Fmt("synced from genesis to %" PRIu64, net.Height(i))
                           : "did not sync";
  }

  void Skew(FaultRow& row) {
    size_t i = Rand(0, kN - 1);
    row.target = net.nodes[i].dir.filename();
    if (net.faketime_lib.empty()) {
      row.detail = "libfaketime not found";
      row.outcome = "skipped";
      row.ok = true;
      return;
    }
    int64_t ms = static_cast<int64_t>(Rand(1000, 6000)) * (rng() % 2 ? 1 : -1);
    std::string offset = Fmt("%+.3f", ms / 1000.0);  // seconds
    double hold = Rand(4000, 7000) / 1000.0;
    row.detail = "clock " + offset + Fmt("s (drift limit 2s), held %.1fs", hold);
    net.Kill(i, SIGTERM);
    net.nodes[i].skew = offset;
    bool started = StartNode(i);
    uint64_t others_before = net.Height((i + 1) % kN);
    Sleep(hold);
    uint64_t others_after = net.Height((i + 1) % kN);
    uint64_t skewed_h = net.Height(i);
    std::optional<double> seen = LogClockOffset(i);
    row.held_s = hold;
    net.Kill(i, SIGTERM);
    net.nodes[i].skew.clear();
    auto lifted = Clock::now();
    bool restarted = StartNode(i);
    bool ok = started && restarted && Recover(row, lifted);
    row.ok = ok && others_after > others_before;
    row.outcome = (!started ? std::string("did not start skewed")
                   : ok     ? "clock restored, caught up"
                            : "did not catch up") +
                  Fmt("; others %+" PRId64 " blocks, skewed node at %" PRIu64,
                      static_cast<int64_t>(others_after - others_before), skewed_h) +
                  (seen ? Fmt("; its log clock %+.1fs", *seen) : std::string("; log clock unseen"));
    // The skew must have been in effect (its log's clock against the kernel's file time).
    if (!seen || std::abs(*seen - ms / 1000.0) > 1.0) row.ok = false;
  }

  // How far node i's wall clock is off: the time in its log's last line (its clock) minus the
  // log file's modification time (the kernel's clock, which libfaketime does not touch).
  std::optional<double> LogClockOffset(size_t i) {
    fs::path log = net.nodes[i].dir / "node.log";
    std::string text = net.Log(i);
    struct stat st {};
    if (::stat(log.c_str(), &st) != 0) return std::nullopt;
    size_t at = text.rfind("\n[");
    if (at == std::string::npos) return std::nullopt;
    std::tm tm{};
    int ms = 0;
    if (std::sscanf(text.c_str() + at + 2, "%d-%d-%d %d:%d:%d.%d", &tm.tm_year, &tm.tm_mon,
                    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
      return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    double logged = static_cast<double>(std::mktime(&tm)) + ms / 1000.0;
    double written = static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
    return logged - written;
  }

  void SlowDisk(FaultRow& row) {
    size_t i = Rand(0, kN - 1);
    uint32_t ms = static_cast<uint32_t>(Rand(50, 400));
    double hold = Rand(3000, 6000) / 1000.0;
    row.target = net.nodes[i].dir.filename();
    row.detail = Fmt("every write +%u ms, held %.1fs", ms, hold);
    if (!net.WriteFaults(i, net.nodes[i].blocked, ms)) {
      row.outcome = "fault file not applied";
      net.WriteFaults(i, net.nodes[i].blocked, 0);
      return;
    }
    uint64_t before = net.Height(i);
    Sleep(hold);
    uint64_t after = net.Height(i);
    row.held_s = hold;
    bool restored = net.WriteFaults(i, net.nodes[i].blocked, 0);
    auto lifted = Clock::now();
    bool ok = restored && Recover(row, lifted);
    row.ok = ok;
    row.outcome =
        (ok ? std::string("disk restored, caught up") : "did not catch up") +
        Fmt("; slow node %+" PRId64 " blocks meanwhile", static_cast<int64_t>(after - before));
  }

  int Run() {
    if (!net.Init(opt.seed)) return 2;
    std::printf("tidemark-chaos: seed %" PRIu64 ", network in %s\n", opt.seed, net.dir.c_str());
    for (size_t i = 0; i < kN; ++i) net.Start(i);
    for (size_t i = 0; i < kN; ++i) {
      if (!WaitFor([&] { return net.Ready(i); }, 30s)) {
        std::fprintf(stderr, "node %zu not ready:\n%s\n", i, net.Log(i).c_str());
        return 2;
      }
      net.nodes[i].up = true;
    }

    std::vector<std::string> plan;
    for (int k = 0; k < opt.kills; ++k) plan.push_back("kill");
    for (int k = 0; k < opt.partitions; ++k) plan.push_back("partition");
    for (int k = 0; k < opt.wipes; ++k) plan.push_back("wipe");
    for (int k = 0; k < opt.skews; ++k) plan.push_back("skew");
    for (int k = 0; k < opt.slow_disks; ++k) plan.push_back("slow-disk");
    std::shuffle(plan.begin(), plan.end(), rng);

    Load load(net, opt.seed);
    std::thread prov([&] { load.ProvStories(); });
    std::thread fin([&] { load.FinStories(); });

    double slot = plan.empty() ? opt.duration_s : static_cast<double>(opt.duration_s) / plan.size();
    auto faults_start = Clock::now();
    for (size_t k = 0; k < plan.size(); ++k) {
      // A random moment in the fault's slot (the first part of it; the rest is for recovery).
      double slot_start = k * slot;
      double at = slot_start + (rng() % 1000) / 1000.0 * std::max(0.0, slot * 0.3);
      double now = Since(faults_start);
      if (at > now) Sleep(at - now);
      Reap();
      FaultRow row;
      row.n = static_cast<int>(k + 1);
      row.at_s = Since(t0);
      row.kind = plan[k];
      if (plan[k] == "kill")
        Kill(row);
      else if (plan[k] == "partition")
        Partition(row);
      else if (plan[k] == "wipe")
        Wipe(row);
      else if (plan[k] == "skew")
        Skew(row);
      else
        SlowDisk(row);
      std::printf("  fault %2d at %6.1fs %-10s %-28s %s -> %s (%s)\n", row.n, row.at_s,
                  row.kind.c_str(), row.target.c_str(), row.detail.c_str(), row.outcome.c_str(),
                  row.ok ? "ok" : "FAILED");
      std::fflush(stdout);
      rows.push_back(row);
    }
    double rest = opt.duration_s - Since(faults_start);
    if (rest > 0) Sleep(rest);
    load.stop = true;
    prov.join();
    fin.join();
    Reap();
    return Check(load);
  }

  // ---- the end checks -------------------------------------------------------------------------

  int Check(Load& load) {
    std::vector<std::string> failures;
    auto fail = [&](const std::string& s) {
      if (failures.size() < 40) std::fprintf(stderr, "chaos: CHECK FAILED: %s\n", s.c_str());
      failures.push_back(s);
    };
    // Let every node reach one common executed height.
    uint64_t target = net.MaxHeight() + 2;
    if (!WaitFor([&] { return net.MinHeight() >= target; }, 60s)) {
      fail(Fmt("nodes did not all reach height %" PRIu64 " at the end", target));
    }
    // A node that does not serve any more (it keeps dying) fails the run; the others are still
    // compared with each other.
    std::vector<size_t> alive;
    uint64_t exec = UINT64_MAX;
    for (size_t i = 0; i < kN; ++i) {
      if (net.Get(i, "/v1/status")) {
        alive.push_back(i);
        exec = std::min(exec, net.ExecHeight(i));
      } else {
        fail(Fmt("node %zu (%s) does not serve at the end; compared without it", i,
                 net.nodes[i].dir.filename().c_str()));
      }
    }
    if (exec == UINT64_MAX) exec = 0;

    // 1. Every acknowledged tx is final the same way, at the same height, everywhere.
    size_t committed = 0, rejected = 0;
    for (const Ack& a : load.acks) {
      (a.status == "committed" ? committed : rejected)++;
      for (size_t i : alive) {
        auto t = net.Get(i, "/v1/txs/" + a.id.Hex());
        if (!t || (*t)["status"] != a.status || !t->contains("height") ||
            (*t)["height"].get<uint64_t>() != a.height) {
          fail(Fmt("node %zu: acknowledged %s (%s at %" PRIu64 ") is ", i, a.what.c_str(),
                   a.status.c_str(), a.height) +
               (t ? t->dump().substr(0, 200) : std::string("missing")));
        }
      }
    }
    // 2. The signers' nonces account for exactly the acknowledged txs.
    std::map<size_t, uint64_t> per_signer;
    for (size_t s = 0; s < kN; ++s) per_signer[s] = load.signers[s]->next_nonce;
    for (size_t s = 0; s < kN; ++s) {
      if (load.signers[s]->stuck) continue;  // its last tx may still land
      std::string key = ToHex(AsBytes(state_keys::sys::Nonce(load.signers[s]->key.public_key())));
      for (size_t i : alive) {
        auto v = net.Get(i, "/v1/state/" + key);
        int64_t committed_nonce = 1;
        if (v && (*v).contains("value_json") && (*v)["value_json"].is_number()) {
          committed_nonce = (*v)["value_json"].get<int64_t>();
        }
        if (static_cast<uint64_t>(committed_nonce) != per_signer[s]) {
          fail(Fmt("node %zu: signer %s has next nonce %" PRId64
                   ", the load acknowledged up to %" PRIu64,
                   i, load.signers[s]->org.c_str(), committed_nonce, per_signer[s] - 1));
        }
      }
    }
    // 3. Blocks, receipts and state roots equal at every height.
    size_t roots_compared = 0, roots_pruned = 0;
    for (uint64_t h = 1; h <= exec; ++h) {
      std::optional<json> first;
      for (size_t i : alive) {
        auto b = net.Get(i, "/v1/blocks/" + std::to_string(h));
        if (!b) {
          fail(Fmt("node %zu: no block %" PRIu64, i, h));
          continue;
        }
        json cmp = {{"id", (*b)["id"]}, {"header", (*b)["header"]}, {"receipts", (*b)["receipts"]}};
        if (cmp["receipts"].is_null()) fail(Fmt("node %zu: block %" PRIu64 " not executed", i, h));
        if (!first)
          first = cmp;
        else if (cmp != *first)
          fail(Fmt("block %" PRIu64 " differs between node %zu and node %zu", h, alive[0], i));
      }
    }
    // Each node's own executed state root, at every height whose state it still holds, equals
    // the one the other nodes computed and the one the chain's headers certify.
    std::map<uint64_t, std::string> certified;  // exec_height -> state_root from the headers
    for (uint64_t h = 1; h <= exec; ++h) {
      auto b = alive.empty() ? std::nullopt : net.Get(alive[0], "/v1/blocks/" + std::to_string(h));
      if (b)
        certified[(*b)["header"]["exec_height"].get<uint64_t>()] = (*b)["header"]["state_root"];
    }
    std::string probe = ToHex(AsBytes(state_keys::sys::Nonce(net.admins[0].public_key())));
    for (uint64_t h = 1; h <= exec; ++h) {
      std::string root;
      for (size_t i : alive) {
        auto r = net.Http(i).Get("/v1/state/" + probe + "/proof?height=" + std::to_string(h));
        if (r.ok() && r->status == 410) {
          ++roots_pruned;
          continue;
        }
        auto j = r.ok() && r->status == 200 ? json::parse(r->body, nullptr, false) : json();
        if (!j.is_object() || !j.contains("state_root")) {
          fail(Fmt("node %zu: no state root at %" PRIu64, i, h));
          continue;
        }
        std::string mine = j["state_root"];
        ++roots_compared;
        if (root.empty())
          root = mine;
        else if (mine != root)
          fail(Fmt("state root at %" PRIu64 " differs on node %zu", h, i));
        if (auto c = certified.find(h); c != certified.end() && c->second != mine) {
          fail(Fmt("node %zu: state root at %" PRIu64 " is not the certified one", i, h));
        }
      }
    }
    // 4. Contract invariants on every node.
    size_t rcv_checked = 0, items_checked = 0;
    for (const std::string& id : load.receivables) {
      std::string seen;
      for (size_t i : alive) {
        client::LedgerClient c({"127.0.0.1", net.nodes[i].port, ""}, net.chain);
        auto r = c.SignedGet(net.admins[kPlatform], "/v1/fin/receivables/" + id);
        if (!r.ok() || r->status != 200) {
          fail(Fmt("node %zu: receivable %s unreadable (%d)", i, id.c_str(),
                   r.ok() ? r->status : -1));
          continue;
        }
        json rec = json::parse(r->body, nullptr, false)["receivable"];
        std::string problem = FinInvariants(rec, load.rcv_amount[id], load.rcv_state[id]);
        if (!problem.empty()) fail(Fmt("node %zu: receivable %s: ", i, id.c_str()) + problem);
        if (seen.empty())
          seen = rec.dump();
        else if (rec.dump() != seen)
          fail(Fmt("node %zu: receivable %s differs from node %zu", i, id.c_str(), alive[0]));
      }
      ++rcv_checked;
    }
    for (const auto& [item, org] : load.custody) {
      std::string key = ToHex(AsBytes(state_keys::prov::Obj(item)));
      for (size_t i : alive) {
        auto v = net.Get(i, "/v1/state/" + key);
        std::string holder =
            v && (*v)["value_json"].is_object() && (*v)["value_json"].contains("custody")
                ? (*v)["value_json"]["custody"].dump()
                : "absent";
        if (holder != json(org).dump()) {
          fail(Fmt("node %zu: %s custody %s, expected %s", i, item.c_str(), holder.c_str(),
                   org.c_str()));
        }
      }
      ++items_checked;
    }
    for (const auto& a : load.anomalies) fail("unexpected outcome: " + a);
    for (const auto& u : load.unresolved) fail("never final: " + u);
    for (const auto& c : crashes) fail("crash: " + c);

    // The table.
    std::printf("\n%-3s %8s  %-10s %-28s %-52s %8s %9s  %s\n", "#", "at", "fault", "target", "what",
                "held", "recovery", "outcome");
    for (const auto& r : rows) {
      std::printf("%-3d %7.1fs  %-10s %-28s %-52s %7.1fs %8s  %s%s\n", r.n, r.at_s, r.kind.c_str(),
                  r.target.c_str(), r.detail.c_str(), r.held_s,
                  r.recovered_s < 0 ? "-" : Fmt("%.1fs", r.recovered_s).c_str(),
                  r.ok ? "" : "FAILED: ", r.outcome.c_str());
      if (!r.ok)
        failures.push_back("fault " + std::to_string(r.n) + " " + r.kind + ": " + r.outcome);
    }
    std::printf(
        "\nload: %zu txs acknowledged (%zu committed, %zu rejected in a block), "
        "%zu receivables, %zu items\n",
        load.acks.size(), committed, rejected, rcv_checked, items_checked);
    std::printf("checks: %zu acknowledged txs on %zu nodes; blocks 1..%" PRIu64
                " equal (id, header, receipts); %zu executed state roots compared (%zu pruned); "
                "%zu receivables and %zu items checked on every node\n",
                load.acks.size(), alive.size(), exec, roots_compared, roots_pruned, rcv_checked,
                items_checked);
    if (!crashes.empty()) {
      std::printf("unexpected process deaths: %zu\n", crashes.size());
      for (const auto& c : crashes) std::printf("  %s\n", c.c_str());
    }
    std::printf("%s: seed %" PRIu64 ", %zu faults, %.1fs, %zu failures\n",
                failures.empty() ? "CHAOS OK" : "CHAOS FAILED", opt.seed, rows.size(), Since(t0),
                failures.size());
    return failures.empty() ? 0 : 1;
  }

  // docs/finance.md §8, 1 and 2, plus the settlement paying out exactly the amount.
  static std::string FinInvariants(const json& rec, int64_t amount, const std::string& want_state) {
    if (!rec.is_object()) return "no record";
    if (rec.value("amount", int64_t{-1}) != amount) return "amount " + rec["amount"].dump();
    if (rec["state"] != want_state)
      return "state " + rec["state"].dump() + ", expected " + want_state;
    const json& parts = rec["parts"];
    int64_t leaves = 0;
    for (const auto& [pid, p] : parts.items()) {
      int64_t pa = p["amount"].get<int64_t>();
      if (p["parent"] == "" && pa != amount) return "root part " + pid + " amount differs";
      if (p["children"].empty()) {
        leaves += pa;
      } else {
        int64_t sum = 0;
        for (const auto& c : p["children"])
          sum += parts[c.get<std::string>()]["amount"].get<int64_t>();
        if (sum != pa) return "children of " + pid + " do not add up";
      }
      bool active = p.contains("encumbrance") && p["encumbrance"].is_object() &&
                    p["encumbrance"]["state"] == "ACTIVE";
      bool offer = p.contains("offer") && p["offer"].is_object();
      if (active && offer) return "part " + pid + " has an ACTIVE encumbrance and an offer";
      if ((active || offer) && !p["children"].empty()) return "split part " + pid + " encumbered";
    }
    if (leaves != amount) return Fmt("leaves add up to %" PRId64, leaves);
    if (want_state == "SETTLED") {
      int64_t paid = 0;
      for (const auto& p : rec["settled"]["payees"]) paid += p["amount"].get<int64_t>();
      if (paid != amount) return Fmt("payees add up to %" PRId64, paid);
    }
    return "";
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tidemark-chaos: faults against a 4-validator network under load (tests only)"};
  Options opt;
  app.add_option("--seed", opt.seed, "seed of everything random (faults, targets, load)");
  app.add_option("--kills", opt.kills, "SIGKILL + restart of a random validator")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--partitions", opt.partitions, "partitions (1/3, 2/2, isolated), then healed")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--wipes", opt.wipes, "restarts from a deleted data directory")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--skews", opt.skews, "clock skews of one node (libfaketime)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--slow-disks", opt.slow_disks, "slowed store writes on one node")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--duration-s", opt.duration_s, "how long the faults and the load run")
      ->check(CLI::Range(5, 86400));
  app.add_flag("--keep", opt.keep, "keep the network folder (logs) afterwards");
  CLI11_PARSE(app, argc, argv);
  int rc;
  {
    Chaos chaos(opt);
    rc = chaos.Run();
    for (size_t i = 0; i < kN; ++i) chaos.net.Kill(i, SIGTERM);
    if (rc == 0 && !opt.keep) {
      fs::remove_all(chaos.net.dir);
    } else if (!chaos.net.dir.empty()) {
      std::printf("logs kept in %s\n", chaos.net.dir.c_str());
    }
  }
  return rc;
}
