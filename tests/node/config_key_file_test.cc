// Tests of the key files a node loads (config/key_file.h): private permissions like ssh, plain
// and encrypted formats, passphrase from a file or the environment.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tidemark/keystore.h"
#include "tidemark/node/app/node.h"
#include "tidemark/node/config/key_file.h"

using namespace tidemark;
using namespace tidemark::node;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("tidemark-keyfile-" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

KeyPair FixedKey() {
  Seed s;
  s.data.fill(7);
  return KeyPair::FromSeed(s);
}

void WriteText(const fs::path& p, const std::string& text, mode_t mode) {
  std::ofstream(p, std::ios::trunc) << text;
  REQUIRE(::chmod(p.c_str(), mode) == 0);
}

std::string Plain(const KeyPair& k) {
  return nlohmann::json{{"public_key", k.public_key().Hex()}, {"seed", k.seed().Hex()}}.dump();
}

std::string Encrypted(const KeyPair& k, const std::string& pass) {
  auto f = EncryptKey("node", k.seed(), pass, KdfParams::Interactive());
  REQUIRE(f.ok());
  return f->ToJson();
}

}  // namespace

TEST_CASE("key file: readable by group or others is refused with the chmod fix") {
  TempDir d;
  fs::path p = d.path / "node_key.json";
  for (mode_t mode : {0644, 0640, 0604, 0660, 0602}) {
    WriteText(p, Plain(FixedKey()), mode);
    auto k = config::LoadKeyFile(p.string());
    INFO("mode " << std::oct << mode);
    REQUIRE(!k.ok());
    CHECK(k.status().code() == Code::kPermissionDenied);
    CHECK(k.status().message().find(p.string()) != std::string::npos);
    CHECK(k.status().message().find("chmod 600 " + p.string()) != std::string::npos);
  }
  WriteText(p, Plain(FixedKey()), 0600);
  auto ok = config::LoadKeyFile(p.string());
  REQUIRE(ok.ok());
  CHECK(ok->public_key() == FixedKey().public_key());
  WriteText(p, Plain(FixedKey()), 0400);
  CHECK(config::LoadKeyFile(p.string()).ok());
}

TEST_CASE("key file: WriteNodeKey writes mode 0600 even over a world-readable file") {
  TempDir d;
  fs::path p = d.path / "k.json";
  WriteText(p, "old", 0644);
  REQUIRE(WriteNodeKey(p.string(), FixedKey()).ok());
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(LoadNodeKey(p.string()).ok());
}

TEST_CASE("key file: encrypted key with a passphrase file or variable is accepted") {
  TempDir d;
  fs::path key = d.path / "node_key.json", pass = d.path / "passphrase";
  WriteText(key, Encrypted(FixedKey(), "correct horse"), 0600);
  WriteText(pass, "correct horse\n", 0600);
  auto k = config::LoadKeyFile(key.string(), {.file = pass.string()});
  REQUIRE(k.ok());
  CHECK(k->public_key() == FixedKey().public_key());

  ::setenv("TIDEMARK_TEST_KEY_PASS", "correct horse", 1);
  auto e = config::LoadKeyFile(key.string(), {.env = "TIDEMARK_TEST_KEY_PASS"});
  ::unsetenv("TIDEMARK_TEST_KEY_PASS");
  REQUIRE(e.ok());
  CHECK(e->public_key() == FixedKey().public_key());

  // No passphrase configured: a clear error naming the config keys.
  auto none = config::LoadKeyFile(key.string());
  REQUIRE(!none.ok());
  CHECK(none.status().message().find("key_passphrase_file") != std::string::npos);
  // An unset variable is named.
  auto unset = config::LoadKeyFile(key.string(), {.env = "TIDEMARK_TEST_KEY_PASS"});
  REQUIRE(!unset.ok());
  CHECK(unset.status().message().find("$TIDEMARK_TEST_KEY_PASS") != std::string::npos);
  // The passphrase file is a secret too.
  ::chmod(pass.c_str(), 0644);
  auto open_pass = config::LoadKeyFile(key.string(), {.file = pass.string()});
  REQUIRE(!open_pass.ok());
  CHECK(open_pass.status().code() == Code::kPermissionDenied);
  CHECK(open_pass.status().message().find("chmod 600 " + pass.string()) != std::string::npos);
}

TEST_CASE("key file: a wrong passphrase is refused clearly") {
  TempDir d;
  fs::path key = d.path / "node_key.json", pass = d.path / "passphrase";
  WriteText(key, Encrypted(FixedKey(), "correct horse"), 0600);
  WriteText(pass, "battery staple\n", 0600);
  auto k = config::LoadKeyFile(key.string(), {.file = pass.string()});
  REQUIRE(!k.ok());
  CHECK(k.status().code() == Code::kUnauthenticated);
  CHECK(k.status().message().find("wrong passphrase") != std::string::npos);
  CHECK(k.status().message().find(key.string()) != std::string::npos);
}
