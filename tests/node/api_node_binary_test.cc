// The built `tidemark-node` binary: starts from a config file, serves the API, stops on SIGTERM,
// and refuses a bad config with a clear message.
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
#include "tidemark/hash.h"
#include "http_test_client.h"

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

pid_t Spawn(const fs::path& config, const fs::path& stderr_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::string bin = kBinary.string(), flag = "--config", cfg = config.string();
  char* argv[] = {bin.data(), flag.data(), cfg.data(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
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

}  // namespace

TEST_CASE("tidemark-node binary serves the API from network-configs/single and stops cleanly") {
  REQUIRE(fs::exists(kBinary));
  fs::path dir = fs::temp_directory_path() / ("tidemark_node_bin_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path single = fs::path(TIDEMARK_SOURCE_DIR) / "network-configs" / "single";
  json cfg = json::parse(Slurp(single / "node.json"));
  uint16_t port = FreePort();
  cfg["http"]["listen"] = "127.0.0.1:" + std::to_string(port);
  cfg["genesis_file"] = (single / "genesis.json").string();
  cfg["validator_key_file"] = (single / "validator_key.json").string();
  cfg["data_dir"] = (dir / "data").string();
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
  Transaction tx{.chain_id = "tidemark-single", .nonce = 1, .contract = "test", .method = "put",
                 .args = Value::MakeMap({{"key", "greeting"}, {"value", "hello"}}).Encode()};
  tx.SignWith(admin);
  auto sub = Request(port, "POST", "/v1/txs?wait=commit", json{{"tx", ToHex(tx.Encode())}}.dump(),
                     "application/json");
  REQUIRE(sub.status == 200);
  CHECK(json::parse(sub.body)["status"] == "committed");
  INFO(sub.body);
  auto got = Request(port, "GET", "/v1/txs/" + tx.Id().Hex());
  CHECK(got.status == 200);
  CHECK(json::parse(got.body)["status"] == "committed");
  // A key the registry does not know is refused at admission (403), with the reason; its tx
  // never reaches a block (docs/api.md §Admission and limits).
  Transaction stranger = MakeTx(TestKey(1), 1, "tidemark-single");
  auto rej = Request(port, "POST", "/v1/txs?wait=commit",
                     json{{"tx", ToHex(stranger.Encode())}}.dump(), "application/json");
  CHECK(rej.status == 403);
  CHECK(rej.body.find("not an active key") != std::string::npos);
  CHECK(Request(port, "GET", "/v1/txs/" + stranger.Id().Hex()).status == 404);
  CHECK(Request(port, "GET", "/openapi.json").status == 200);

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
