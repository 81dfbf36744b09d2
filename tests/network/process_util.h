// process_util.h — starting real `tidemark` binaries and talking to them, for process tests.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tidemark/client/http_client.h"
#include "tidemark/crypto.h"
#include "tidemark/proof_bundle.h"
#include "tidemark/types.h"
#include "tidemark/value.h"

extern char** environ;

namespace tidemark::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline const fs::path kNodeBinary = fs::path(TIDEMARK_BINARY_DIR) / "node" / "tidemark-node";
// The test binary: tidemark-node plus the "test" contract (TestPut below), the fault file
// (TIDEMARK_TEST_FAULTS=1) and tampered proofs (TIDEMARK_TEST_TAMPER_PROOFS=1); node/testing/.
inline const fs::path kTestNodeBinary =
    fs::path(TIDEMARK_BINARY_DIR) / "node" / "tidemark-node-test";
inline const fs::path kCliBinary = fs::path(TIDEMARK_BINARY_DIR) / "cli" / "tidemark";

// The command line of `tidemark network init` for a local test network in `out`: HTTP ports from
// `base_port`, p2p ports from base_port + 10, keys derived from `dev_seed` (callers append their
// own options: organisations, observers).
inline std::vector<std::string> NetworkInitArgs(const fs::path& out, const std::string& chain,
                                                int base_port, const std::string& dev_seed) {
  return {kCliBinary.string(),
          "network",
          "init",
          "--out",
          out.string(),
          "--chain-id",
          chain,
          "--base-http",
          std::to_string(base_port),
          "--base-p2p",
          std::to_string(base_port + 10),
          "--dev-seed",
          dev_seed};
}

// The bytes of every regular file under `dir` (0 where it cannot be read).
inline uint64_t DirBytes(const fs::path& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::end(it); it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file(ec)) n += it->file_size(ec);
  }
  return n;
}

inline pid_t Spawn(const std::vector<std::string>& args, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, copy[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

inline int Wait(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

template <typename F>
bool WaitFor(F cond, std::chrono::milliseconds limit = 20s) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return cond();
}

inline std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline KeyPair LoadKey(const fs::path& p) {
  auto j = nlohmann::json::parse(Slurp(p));
  return KeyPair::FromSeed(*Seed::FromHex(j["seed"].get<std::string>()));
}

// A node process of a network folder written by `tidemark network init`. Move-only: the process
// is killed when its NodeProc goes away, so a test that fails half-way leaves no node behind.
// Nodes run the test binary unless `binary` says otherwise (tests of the production binary).
struct NodeProc {
  fs::path dir;
  uint16_t http_port = 0;
  pid_t pid = -1;
  fs::path binary = kTestNodeBinary;

  NodeProc() = default;
  NodeProc(NodeProc&& o) noexcept
      : dir(std::move(o.dir)),
        http_port(o.http_port),
        pid(std::exchange(o.pid, -1)),
        binary(std::move(o.binary)) {}
  NodeProc& operator=(NodeProc&& o) noexcept {
    if (this != &o) {
      Kill();
      dir = std::move(o.dir);
      http_port = o.http_port;
      binary = std::move(o.binary);
      pid = std::exchange(o.pid, -1);
    }
    return *this;
  }
  NodeProc(const NodeProc&) = delete;
  NodeProc& operator=(const NodeProc&) = delete;
  ~NodeProc() { Kill(); }

  // The (not yet started) node whose node.json is in `node_dir`, with its REST port.
  static NodeProc InDir(const fs::path& node_dir) {
    NodeProc n;
    n.dir = node_dir;
    std::string listen = nlohmann::json::parse(Slurp(node_dir / "node.json"))["http"]["listen"];
    n.http_port = static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
    return n;
  }

  void Start() {
    pid = Spawn({binary.string(), "--config", (dir / "node.json").string()}, dir / "node.log");
  }
  void Kill(int sig = SIGKILL) {
    if (pid > 0) {
      ::kill(pid, sig);
      Wait(pid);
      pid = -1;
    }
  }
  client::HttpClient Http() const {
    return client::HttpClient({"127.0.0.1", http_port, ""}, 15000);
  }
  std::optional<nlohmann::json> Get(const std::string& path) const {
    auto r = Http().Get(path);
    if (!r.ok() || r->status != 200) return std::nullopt;
    return nlohmann::json::parse(r->body, nullptr, false);
  }
  uint64_t Height() const {
    auto s = Get("/v1/status");
    return s ? (*s)["height"].get<uint64_t>() : 0;
  }
  bool Ready() const {
    auto r = Http().Get("/readyz");
    return r.ok() && r->status == 200;
  }
};

// `tidemark network init` for one organisation "solo" (every role it needs: PLATFORM) in a fresh
// temp folder named `name`; HTTP on `http_port`, p2p on http_port + 5. The node is not started.
inline NodeProc InitSoloNetwork(const std::string& name, const std::string& chain, int http_port) {
  fs::path dir = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  pid_t init = Spawn({kCliBinary.string(), "network", "init", "--out", dir.string(), "--chain-id",
                      chain, "--org", "solo:PLATFORM", "--base-http", std::to_string(http_port),
                      "--base-p2p", std::to_string(http_port + 5), "--dev-seed", name},
                     fs::temp_directory_path() / (name + "-init.log"));
  if (init <= 0 || Wait(init) != 0) return NodeProc{};
  NodeProc node;
  node.dir = dir / "solo";
  node.http_port = static_cast<uint16_t>(http_port);
  return node;
}

inline Transaction TestPut(const KeyPair& k, const std::string& chain, uint64_t nonce,
                           const std::string& key, int64_t value) {
  Transaction tx{.chain_id = chain,
                 .nonce = nonce,
                 .contract = "test",
                 .method = "put",
                 .args = Value::MakeMap({{"key", Value(key)}, {"value", Value(value)}}).Encode()};
  tx.SignWith(k);
  return tx;
}

// POST /v1/txs; returns the JSON answer (status "pending" / "committed" / "rejected").
inline std::optional<nlohmann::json> Submit(const NodeProc& n, const Transaction& tx, bool wait) {
  auto r = n.Http().Post(std::string("/v1/txs") + (wait ? "?wait=commit" : ""),
                         nlohmann::json{{"tx", ToHex(tx.Encode())}}.dump());
  if (!r.ok() || (r->status != 200 && r->status != 202)) return std::nullopt;
  return nlohmann::json::parse(r->body, nullptr, false);
}

// A light client's trust anchor: the chain id and genesis validator set from /v1/genesis.
inline Result<TrustAnchor> GenesisTrust(const NodeProc& n) {
  auto g = n.Get("/v1/genesis");
  if (!g || !g->contains("validator_set")) return Status::Unavailable("no /v1/genesis answer");
  TM_ASSIGN_OR_RETURN(Bytes raw, FromHex((*g)["validator_set"].get<std::string>()));
  TM_ASSIGN_OR_RETURN(ValidatorSet vs, ValidatorSet::Decode(raw));
  if ((*g)["validator_set_hash"] != vs.Hash().Hex()) {
    return Status::Invalid("validator_set_hash does not match validator_set");
  }
  return TrustAnchor{.chain_id = (*g)["chain_id"], .genesis = std::move(vs)};
}

// Verifies the state bundle of a `?proof=true` answer ({..., "proof": {"bundle": hex}}).
inline Result<VerifiedState> VerifyStateAnswer(const TrustAnchor& t, const nlohmann::json& answer) {
  if (!answer.contains("proof") || !answer["proof"].contains("bundle")) {
    return Status::NotFound("the answer carries no proof bundle");
  }
  TM_ASSIGN_OR_RETURN(Bytes raw, FromHex(answer["proof"]["bundle"].get<std::string>()));
  TM_ASSIGN_OR_RETURN(StateBundle b, StateBundle::Decode(raw));
  return VerifyStateBundle(t, b);
}

// The JS SDK's verifier (sdk/js/bin/verify-answer.mjs) on a saved `?proof=true` answer, with
// files in `work`: its JSON output and exit code, or nullopt when Node or sdk/js's packages are
// not installed (bash scripts/test.d/10-js.sh installs them; scripts/test.sh does first).
struct JsVerdict {
  int rc = -1;
  nlohmann::json out;
  std::string raw;
};
inline std::optional<JsVerdict> JsVerify(const fs::path& work, const nlohmann::json& answer,
                                         const nlohmann::json& genesis) {
  fs::path js = fs::path(TIDEMARK_SOURCE_DIR) / "sdk/js";
  if (!fs::exists(js / "node_modules/@noble/ed25519") ||
      std::system("node --version >/dev/null 2>&1") != 0) {
    return std::nullopt;
  }
  std::ofstream(work / "js-answer.json", std::ios::trunc) << answer.dump();
  std::ofstream(work / "js-trust.json", std::ios::trunc) << genesis.dump();
  std::string cmd = "node " + (js / "bin/verify-answer.mjs").string() + " " +
                    (work / "js-answer.json").string() + " " + (work / "js-trust.json").string() +
                    " > " + (work / "js.out").string() + " 2>&1";
  JsVerdict v;
  int status = std::system(cmd.c_str());
  v.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  v.raw = Slurp(work / "js.out");
  v.out = nlohmann::json::parse(v.raw, nullptr, false);
  return v;
}

// From a destructor while a REQUIRE unwinds: print the tail of each node's log.
inline void DumpLogsOnFailure(const std::vector<NodeProc>& nodes) {
  if (std::uncaught_exceptions() == 0) return;
  for (const auto& n : nodes) {
    std::string log = Slurp(n.dir / "node.log");
    std::fprintf(stderr, "---- %s (last 3000 bytes)\n%s\n", n.dir.c_str(),
                 log.substr(log.size() > 3000 ? log.size() - 3000 : 0).c_str());
  }
}

}  // namespace tidemark::testing
