// What a node reads at start-up through its config (config/startup.h): the genesis file, the
// key passphrase source, the p2p peer addresses. Each bad input is an error naming it.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tidemark/node/config/startup.h"
#include "tidemark/node/p2p/transport.h"

using namespace tidemark;
using namespace tidemark::node;

namespace {
const std::string kSingle = std::string(TIDEMARK_SOURCE_DIR) + "/network-configs/single/";
const std::string kKey = std::string(64, 'a');  // 32 bytes of hex: a key as the config spells it
}  // namespace

TEST_CASE("startup: a peer is <public key hex>@host:port, anything else names the entry") {
  auto ok = config::ParsePeer(kKey + "@10.0.0.2:26656");
  REQUIRE(ok.ok());
  CHECK(ok->key.Hex() == kKey);
  CHECK(ok->host == "10.0.0.2");
  CHECK(ok->port == 26656);
  CHECK_FALSE(ok->force_dial);
  auto v6 = config::ParsePeer(kKey + "@[::1]:7");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");

  auto bare = config::ParsePeer("10.0.0.2:26656");
  REQUIRE_FALSE(bare.ok());
  CHECK(bare.status().code() == Code::kInvalidArgument);
  CHECK(bare.status().message() ==
        "p2p peer \"10.0.0.2:26656\": expected <public key hex>@host:port");
  CHECK_FALSE(config::ParsePeer("abcd@10.0.0.2:26656").ok());     // short key
  CHECK_FALSE(config::ParsePeer(kKey + "@10.0.0.2").ok());        // no port
  CHECK_FALSE(config::ParsePeer(kKey + "@10.0.0.2:99999").ok());  // port out of range
}

TEST_CASE("startup: the genesis file must be readable and for the config's chain") {
  auto g = config::LoadGenesis(kSingle + "genesis.json", "tidemark-single");
  REQUIRE(g.ok());
  CHECK(g->chain_id == "tidemark-single");

  auto other = config::LoadGenesis(kSingle + "genesis.json", "tidemark-local");
  REQUIRE_FALSE(other.ok());
  CHECK(other.status().code() == Code::kInvalidArgument);
  CHECK(other.status().message().find("is for chain 'tidemark-single', the config says "
                                      "'tidemark-local'") != std::string::npos);

  auto missing = config::LoadGenesis(kSingle + "no-such-genesis.json", "tidemark-single");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kIoError);
  CHECK(missing.status().message().find("no-such-genesis.json") != std::string::npos);

  auto dir = std::filesystem::temp_directory_path() / "tidemark_startup_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "genesis.json") << R"({"chain_id": "tidemark-single"})";
  auto bad = config::LoadGenesis((dir / "genesis.json").string(), "tidemark-single");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find((dir / "genesis.json").string()) != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("startup: encrypted key files take their passphrase from the config's two keys") {
  config::NodeConfig cfg;
  cfg.key_passphrase_file = "/etc/tidemark/pass";
  cfg.key_passphrase_env = "TIDEMARK_PASS";
  config::KeyPassphrase p = config::KeyPassphraseOf(cfg);
  CHECK(p.file == "/etc/tidemark/pass");
  CHECK(p.env == "TIDEMARK_PASS");
}
