// The built `tidemark-node` binary: starts from a config file, serves the API, stops on SIGTERM,
// and refuses a bad config with a clear message. It is the production binary: it runs no "test"
// contract, shows no test switch and refuses the old `test.tamper_proofs` config key.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "fake_ledger.h"
#include "http_test_client.h"
#include "tidemark/hash.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

extern char** environ;

namespace {

const fs::path kBinary = fs::path(TIDEMARK_BINARY_DIR) / "node" / "tidemark-node";

uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

pid_t SpawnArgs(std::vector<std::string> args, const fs::path& out_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 2, 1);
  std::string bin = kBinary.string();
  std::vector<char*> argv{bin.data()};
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

pid_t Spawn(const fs::path& config, const fs::path& stderr_file) {
  return SpawnArgs({"--config", config.string()}, stderr_file);
}

int WaitExit(pid_t pid, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(10ms);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return -1;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// network-configs/single's node config, to run in `dir` with REST on `port`. Key files must be
// private (mode 0600) and git keeps no modes, so the node gets a private copy of the key.
json SingleNetworkConfig(const fs::path& dir, uint16_t port) {
  fs::path single = fs::path(TIDEMARK_SOURCE_DIR) / "network-configs" / "single";
  json cfg = json::parse(Slurp(single / "node.json"));
  cfg["http"]["listen"] = "127.0.0.1:" + std::to_string(port);
  cfg["genesis_file"] = (single / "genesis.json").string();
  fs::copy_file(single / "validator_key.json", dir / "validator_key.json",
                fs::copy_options::overwrite_existing);
  fs::permissions(dir / "validator_key.json", fs::perms::owner_read | fs::perms::owner_write);
  cfg["validator_key_file"] = (dir / "validator_key.json").string();
  cfg["data_dir"] = (dir / "data").string();
  cfg["p2p"]["listen"] = "127.0.0.1:0";  // not the file's fixed port: a local network may hold it
  return cfg;
}

}  // namespace

TEST_CASE("tidemark-node binary serves the API from network-configs/single and stops cleanly") {
  REQUIRE(fs::exists(kBinary));
  fs::path dir = fs::temp_directory_path() / ("tidemark_node_bin_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  uint16_t port = FreePort();
  json cfg = SingleNetworkConfig(dir, port);
  std::ofstream(dir / "node.json") << cfg.dump(2);

  pid_t pid = Spawn(dir / "node.json", dir / "stderr.txt");
  REQUIRE(pid > 0);
  RawResponse health;
  for (int i = 0; i < 300 && health.status != 200; ++i) {
    std::this_thread::sleep_for(20ms);
    health = Request(port, "GET", "/healthz");
  }
  CHECK(health.status == 200);
  auto status = Request(port, "GET", "/v1/status");
  CHECK(status.status == 200);
  CHECK(json::parse(status.body)["chain_id"] == "tidemark-single");
  RawResponse ready;
  for (int i = 0; i < 300 && ready.status != 200; ++i) {
    std::this_thread::sleep_for(20ms);
    ready = Request(port, "GET", "/readyz");
  }
  CHECK(ready.status == 200);
  // The single network's admin key (development only, see network-configs/single/README.md).
  Seed admin_seed;
  admin_seed.data = Sha256(AsBytes("tidemark single admin (dev only)")).data;
  KeyPair admin = KeyPair::FromSeed(admin_seed);
  // The "test" contract is test code: the production node does not know it (it once let any
  // key write 400 KB under test/*). The tx is executed in a block and rejected with the reason.
  Transaction tx{.chain_id = "tidemark-single",
                 .nonce = 1,
                 .contract = "test",
                 .method = "put",
                 .args = Value::MakeMap({{"key", "greeting"}, {"value", "hello"}}).Encode()};
  tx.SignWith(admin);
  auto sub = Request(port, "POST", "/v1/txs?wait=commit", json{{"tx", ToHex(tx.Encode())}}.dump(),
                     "application/json");
  INFO(sub.body);
  REQUIRE(sub.status == 200);
  CHECK(json::parse(sub.body)["status"] == "rejected");
  CHECK(sub.body.find("no contract 'test'") != std::string::npos);
  auto got = Request(port, "GET", "/v1/txs/" + tx.Id().Hex());
  CHECK(got.status == 200);
  CHECK(json::parse(got.body)["status"] == "rejected");
  auto state = Request(port, "GET", "/v1/state/" + ToHex(AsBytes("test/greeting")));
  CHECK(state.body.find("hello") == std::string::npos);
  // A key the registry does not know is refused at admission (403), with the reason; its tx
  // never reaches a block (docs/api.md §Admission and limits).
  Transaction stranger = MakeTx(TestKey(1), 1, "tidemark-single");
  auto rej = Request(port, "POST", "/v1/txs?wait=commit",
                     json{{"tx", ToHex(stranger.Encode())}}.dump(), "application/json");
  CHECK(rej.status == 403);
  CHECK(rej.body.find("not an active key") != std::string::npos);
  CHECK(Request(port, "GET", "/v1/txs/" + stranger.Id().Hex()).status == 404);
  CHECK(Request(port, "GET", "/openapi.json").status == 200);
  // The pipeline metrics are wired (node.cc): the committed tx went through every stage.
  auto metrics = Request(port, "GET", "/metrics");
  CHECK(metrics.status == 200);
  for (const char* stage : {"admission", "proposal", "vote", "persist", "commit", "execution",
                            "tree_update", "write", "fsync"}) {
    INFO(stage);
    const std::string count = std::string("tidemark_stage_seconds_count{stage=\"") + stage + "\"} ";
    CHECK(metrics.body.find(count) != std::string::npos);
    CHECK(metrics.body.find(count + "0\n") == std::string::npos);
  }
  CHECK(metrics.body.find("tidemark_txs_committed_total ") != std::string::npos);
  CHECK(metrics.body.find("tidemark_txs_committed_total 0\n") == std::string::npos);
  CHECK(metrics.body.find("tidemark_queue_depth{queue=\"sse\"}") != std::string::npos);
  // The tx's wait until final was timed (node.cc wires the mempool's observer).
  CHECK(metrics.body.find("tidemark_tx_wait_seconds_count{until=\"final\"} 0\n") ==
        std::string::npos);
  CHECK(metrics.body.find("tidemark_tx_wait_seconds_count{until=\"final\"} ") != std::string::npos);

  ::kill(pid, SIGTERM);
  CHECK(WaitExit(pid, 5s) == 0);
  fs::remove_all(dir);
}

TEST_CASE("tidemark-node binary refuses a bad config with a clear message") {
  REQUIRE(fs::exists(kBinary));
  fs::path dir = fs::temp_directory_path() / ("tidemark_node_bad_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "node.json") << R"({"chain_id": "c", "http": {"listen": 8080}})";
  pid_t pid = Spawn(dir / "node.json", dir / "stderr.txt");
  REQUIRE(pid > 0);
  CHECK(WaitExit(pid, 5s) == 2);
  CHECK(Slurp(dir / "stderr.txt").find("http.listen: expected a string, got number") !=
        std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("tidemark-node: parked ?wait=commit requests for never-executable txs delay nobody") {
  // Issue #12 finding 4: four such requests held every handler thread; /v1/status and /healthz
  // then took 9.5 s.
  REQUIRE(fs::exists(kBinary));
  fs::path dir = fs::temp_directory_path() / ("tidemark_node_park_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  uint16_t port = FreePort();
  json cfg = SingleNetworkConfig(dir, port);
  cfg["http"]["handler_threads"] = 4;
  std::ofstream(dir / "node.json") << cfg.dump(2);
  pid_t pid = Spawn(dir / "node.json", dir / "stderr.txt");
  REQUIRE(pid > 0);
  RawResponse ready;
  for (int i = 0; i < 300 && ready.status != 200; ++i) {
    std::this_thread::sleep_for(20ms);
    ready = Request(port, "GET", "/readyz");
  }
  REQUIRE(ready.status == 200);
  Seed admin_seed;
  admin_seed.data = Sha256(AsBytes("tidemark single admin (dev only)")).data;
  KeyPair admin = KeyPair::FromSeed(admin_seed);
  // A registered key, nonces a few ahead of the next one: admitted, never executable.
  std::vector<std::thread> parked;
  std::vector<int> codes(8, 0);
  for (int i = 0; i < 8; ++i) {
    parked.emplace_back([&, i] {
      Transaction tx{.chain_id = "tidemark-single",
                     .nonce = static_cast<uint64_t>(10 + i),
                     .contract = "prov",
                     .method = "register_party",
                     .args = Value::MakeMap({{"id", "p"}, {"name", "P"}}).Encode()};
      tx.SignWith(admin);
      codes[i] = Request(port, "POST", "/v1/txs?wait=commit&timeout_ms=4000",
                         json{{"tx", ToHex(tx.Encode())}}.dump(), "application/json")
                     .status;
    });
  }
  bool all_pooled = false;  // all eight in the pool, and so parked
  for (int i = 0; i < 300 && !all_pooled; ++i) {
    auto status = Request(port, "GET", "/v1/status");
    all_pooled = status.status == 200 && json::parse(status.body)["mempool"]["txs"] == 8;
    if (!all_pooled) std::this_thread::sleep_for(10ms);
  }
  CHECK(all_pooled);
  for (const char* target : {"/v1/status", "/healthz", "/v1/blocks", "/v1/validators"}) {
    auto start = std::chrono::steady_clock::now();
    auto r = Request(port, "GET", target);
    CHECK(r.status == 200);
    CHECK(std::chrono::steady_clock::now() - start < 1s);
  }
  for (auto& t : parked) t.join();
  for (int c : codes) CHECK(c == 202);  // answered at their timeout, still pending
  ::kill(pid, SIGTERM);
  CHECK(WaitExit(pid, 5s) == 0);
}

TEST_CASE(
    "tidemark-node binary has no test switch: --help shows none, test.tamper_proofs refused") {
  REQUIRE(fs::exists(kBinary));
  fs::path dir = fs::temp_directory_path() / ("tidemark_node_notest_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  pid_t help = SpawnArgs({"--help"}, dir / "help.txt");
  REQUIRE(help > 0);
  CHECK(WaitExit(help, 5s) == 0);
  std::string text = Slurp(dir / "help.txt");
  INFO(text);
  CHECK(text.find("--config") != std::string::npos);
  for (const char* word : {"tamper", "fault", "test"}) CHECK(text.find(word) == std::string::npos);

  // The key that used to switch tampering on is now an unknown key: a clear error, exit 2.
  std::ofstream(dir / "node.json")
      << R"({"chain_id": "tidemark-local", "test": {"tamper_proofs": true}})";
  pid_t pid = Spawn(dir / "node.json", dir / "stderr.txt");
  REQUIRE(pid > 0);
  CHECK(WaitExit(pid, 5s) == 2);
  CHECK(Slurp(dir / "stderr.txt").find("config: unknown key 'test'") != std::string::npos);
  // Nor does the old environment variable do anything: the config is refused all the same.
  ::setenv("TIDEMARK_TEST_TAMPER_PROOFS", "1", 1);
  pid = Spawn(dir / "node.json", dir / "stderr2.txt");
  ::unsetenv("TIDEMARK_TEST_TAMPER_PROOFS");
  REQUIRE(pid > 0);
  CHECK(WaitExit(pid, 5s) == 2);
  fs::remove_all(dir);
}
