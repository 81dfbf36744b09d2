// `tidemark network init`: writes a genesis and one folder per organisation (node config, node
// key, admin and service keys) for a local network of any size, plus optional observers
// (--observers N: non-voting nodes that follow the chain and serve the API).
//
//   tidemark network init --out run/local-4 --chain-id tidemark-local
//       --org platform:PLATFORM,BRAND,MANUFACTURER,EXPORTER --org customs:CUSTOMS_BROKER,CUSTOMS
//       --org bank:BANK --org regulator:REGULATOR
//
// Keys are written as JSON {"public_key", "seed"} files with mode 0600. With --dev-seed PHRASE
// every key is derived from SHA-256(PHRASE/org/kind), so a demo network is reproducible — such
// keys are public and for development only.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>

#include "commands.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/hash.h"

namespace tidemark::cli {

namespace {

namespace fs = std::filesystem;

struct NetworkInitArgs {
  std::string out;
  std::string chain_id = "tidemark-local";
  std::vector<std::string> orgs;
  std::string host = "127.0.0.1";
  int base_http = 8080;
  int base_p2p = 26656;
  std::string dev_seed;
  uint64_t genesis_time_ms = 1767225600000;  // 2026-01-01T00:00:00Z
  int observers = 0;
  bool force = false;
};

const std::vector<std::string> kDefaultOrgs = {
    "platform:PLATFORM,BRAND,MANUFACTURER,EXPORTER,FORWARDER,BONDED_WAREHOUSE,RETAILER",
    "customs:CUSTOMS_BROKER,CUSTOMS,INSPECTOR",
    "bank:BANK,IP_REGISTRY",
    "regulator:REGULATOR",
};

KeyPair MakeKey(const NetworkInitArgs& a, const std::string& org, const std::string& kind) {
  if (a.dev_seed.empty()) return KeyPair::Generate();
  Seed seed;
  seed.data = Sha256(AsBytes(a.dev_seed + "/" + org + "/" + kind)).data;
  return KeyPair::FromSeed(seed);
}

// A secret file is created with mode 0600 (and an existing one set to it) before any byte is
// written: the node refuses key files that group or others may read.
Status WriteFile(const fs::path& p, const std::string& text, bool secret) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0600 : 0644);
  if (fd < 0) return Status::IoError("cannot write " + p.string());
  bool ok = !secret || ::fchmod(fd, 0600) == 0;
  ok = ok && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = (::close(fd) == 0) && ok;
  return ok ? Status::Ok() : Status::IoError("cannot write " + p.string());
}

Status WriteKey(const fs::path& p, const KeyPair& k) {
  nlohmann::json j{{"public_key", k.public_key().Hex()}, {"seed", k.seed().Hex()}};
  return WriteFile(p, j.dump(2) + "\n", /*secret=*/true);
}

// Every organisation's node accepts one REST capture token out of the box, mapped to the org's
// admin key, expiring after kInitTokenTtlMs; the token itself is in <org>/capture_token.txt.
constexpr int64_t kInitTokenTtlMs = 90 * int64_t{86'400'000};

std::string NewCaptureToken() {
  uint8_t raw[32];
  randombytes_buf(raw, sizeof raw);
  return "tmk_" + ToHex(ByteView(raw, sizeof raw));
}

Result<contracts::OrgRecord> ParseOrg(const std::string& spec) {
  size_t colon = spec.find(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::Invalid("--org \"" + spec + "\": expected id:ROLE[,ROLE...]");
  }
  contracts::OrgRecord o;
  o.id = spec.substr(0, colon);
  o.name = o.id;
  std::string roles = spec.substr(colon + 1);
  size_t start = 0;
  while (start <= roles.size()) {
    size_t comma = roles.find(',', start);
    std::string r =
        roles.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto role = contracts::ParseRole(r);
    if (!role) return Status::Invalid("--org \"" + spec + "\": unknown role \"" + r + "\"");
    o.roles.push_back(*role);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return o;
}

Status DoInit(Context& ctx, const NetworkInitArgs& a) {
  const auto& specs = a.orgs.empty() ? kDefaultOrgs : a.orgs;
  fs::path out(a.out);
  if (fs::exists(out / "genesis.json") && !a.force) {
    return Status::AlreadyExists(out.string() + " already holds a network (use --force)");
  }
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) return Status::IoError("cannot create " + out.string() + ": " + ec.message());

  contracts::Genesis g;
  g.chain_id = a.chain_id;
  g.genesis_time_ms = a.genesis_time_ms;
  struct OrgKeys {
    KeyPair node, admin, service;
  };
  std::vector<OrgKeys> keys;
  for (const auto& spec : specs) {
    TM_ASSIGN_OR_RETURN(contracts::OrgRecord o, ParseOrg(spec));
    OrgKeys k{MakeKey(a, o.id, "node"), MakeKey(a, o.id, "admin"), MakeKey(a, o.id, "service")};
    o.admin_keys = {k.admin.public_key()};
    o.validator_key = k.node.public_key();
    o.service_key = k.service.public_key();
    g.orgs.push_back(std::move(o));
    keys.push_back(std::move(k));
  }
  TM_RETURN_IF_ERROR(g.Validate());
  TM_RETURN_IF_ERROR(WriteFile(out / "genesis.json", g.ToJson().dump(2) + "\n", false));

  // Observers: non-voting nodes that follow the chain and serve the API. Each has its own node
  // key (not in the validator set); validators list them as peers so that they accept them.
  std::vector<KeyPair> observer_keys;
  for (int i = 1; i <= a.observers; ++i) {
    observer_keys.push_back(MakeKey(a, "observer-" + std::to_string(i), "node"));
  }
  auto p2p_port = [&](size_t i) { return a.base_p2p + static_cast<int>(i); };
  auto http_addr = [&](size_t i) {
    return a.host + ":" + std::to_string(a.base_http + static_cast<int>(i));
  };
  // What every node's config holds (validators and observers alike) for slot `i`.
  auto node_config = [&](size_t i, const nlohmann::json& peers) {
    return nlohmann::json{
        {"chain_id", a.chain_id},
        {"data_dir", "data"},
        {"genesis_file", "../genesis.json"},
        {"validator_key_file", "node_key.json"},
        {"log_level", "info"},
        {"http", {{"listen", http_addr(i)}}},
        {"p2p", {{"listen", a.host + ":" + std::to_string(p2p_port(i))}, {"peers", peers}}},
    };
  };

  nlohmann::ordered_json summary = nlohmann::ordered_json::array();
  std::string text = "network " + a.chain_id + " in " + out.string() + ":";
  for (size_t i = 0; i < g.orgs.size(); ++i) {
    const auto& o = g.orgs[i];
    fs::path dir = out / o.id;
    fs::create_directories(dir, ec);
    if (ec) return Status::IoError("cannot create " + dir.string());
    TM_RETURN_IF_ERROR(WriteKey(dir / "node_key.json", keys[i].node));
    TM_RETURN_IF_ERROR(WriteKey(dir / "admin_key.json", keys[i].admin));
    TM_RETURN_IF_ERROR(WriteKey(dir / "service_key.json", keys[i].service));
    nlohmann::json peers = nlohmann::json::array();
    for (size_t j = 0; j < g.orgs.size(); ++j) {
      if (j == i) continue;
      peers.push_back(keys[j].node.public_key().Hex() + "@" + a.host + ":" +
                      std::to_string(p2p_port(j)));
    }
    for (size_t j = 0; j < observer_keys.size(); ++j) {
      peers.push_back(observer_keys[j].public_key().Hex() + "@" + a.host + ":" +
                      std::to_string(p2p_port(g.orgs.size() + j)));
    }
    std::string http = http_addr(i);
    std::string token = NewCaptureToken();
    TM_RETURN_IF_ERROR(WriteFile(dir / "capture_token.txt", token + "\n", /*secret=*/true));
    int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    std::string token_expiry = contracts::FormatEpcisTime((now_ms + kInitTokenTtlMs) / 1000 * 1000);
    nlohmann::json cfg = node_config(i, peers);
    // The Digital Link resolver records consumer scans signed by the org's service key.
    cfg["resolver"] = {{"scan_key_file", "service_key.json"}};
    cfg["capture_tokens"] = nlohmann::json::array({{{"token_sha256", Sha256(AsBytes(token)).Hex()},
                                                    {"key_file", "admin_key.json"},
                                                    {"label", o.id + " (network init)"},
                                                    {"expires_at", token_expiry}}});
    TM_RETURN_IF_ERROR(WriteFile(dir / "node.json", cfg.dump(2) + "\n", false));
    summary.push_back({{"org", o.id},
                       {"config", (dir / "node.json").string()},
                       {"http", "http://" + http},
                       {"node_key", keys[i].node.public_key().Hex()},
                       {"admin_key", keys[i].admin.public_key().Hex()},
                       {"capture_token_file", (dir / "capture_token.txt").string()},
                       {"capture_token_expires_at", token_expiry}});
    text += "\n  " + o.id + ": http://" + http + "  config " + (dir / "node.json").string();
  }
  for (size_t j = 0; j < observer_keys.size(); ++j) {
    std::string name = "observer-" + std::to_string(j + 1);
    size_t slot = g.orgs.size() + j;
    fs::path dir = out / name;
    fs::create_directories(dir, ec);
    if (ec) return Status::IoError("cannot create " + dir.string());
    TM_RETURN_IF_ERROR(WriteKey(dir / "node_key.json", observer_keys[j]));
    nlohmann::json peers = nlohmann::json::array();
    for (size_t k = 0; k < g.orgs.size(); ++k) {
      peers.push_back(keys[k].node.public_key().Hex() + "@" + a.host + ":" +
                      std::to_string(p2p_port(k)));
    }
    nlohmann::json cfg = node_config(slot, peers);
    TM_RETURN_IF_ERROR(WriteFile(dir / "node.json", cfg.dump(2) + "\n", false));
    summary.push_back({{"observer", name},
                       {"config", (dir / "node.json").string()},
                       {"http", "http://" + http_addr(slot)},
                       {"node_key", observer_keys[j].public_key().Hex()}});
    text += "\n  " + name + " (observer): http://" + http_addr(slot) + "  config " +
            (dir / "node.json").string();
  }
  ctx.Emit({{"chain_id", a.chain_id}, {"dir", out.string()}, {"nodes", summary}}, text);
  return Status::Ok();
}

}  // namespace

void RegisterNetworkCommands(CLI::App& app, Context& ctx) {
  auto* net = app.add_subcommand("network", "Create network configurations")->require_subcommand(1);
  auto* init = net->add_subcommand("init", "Write a genesis and per-organisation node folders");
  auto a = std::make_shared<NetworkInitArgs>();
  init->add_option("--out", a->out, "Folder to write")->required();
  init->add_option("--chain-id", a->chain_id, "Chain id")->capture_default_str();
  init->add_option("--org", a->orgs,
                   "Organisation as id:ROLE[,ROLE...] (repeat; default: platform, customs, bank, "
                   "regulator); every organisation runs a validator");
  init->add_option("--host", a->host, "Address the nodes listen on")->capture_default_str();
  init->add_option("--base-http", a->base_http, "HTTP port of the first node (next ones +1)")
      ->check(CLI::Range(1, 65000))
      ->capture_default_str();
  init->add_option("--base-p2p", a->base_p2p, "P2P port of the first node (next ones +1)")
      ->check(CLI::Range(1, 65000))
      ->capture_default_str();
  init->add_option("--dev-seed", a->dev_seed,
                   "Derive every key from this phrase (reproducible, PUBLIC: development only)");
  init->add_option("--genesis-time-ms", a->genesis_time_ms, "Genesis time (ms since the epoch)")
      ->capture_default_str();
  init->add_option("--observers", a->observers,
                   "Non-voting nodes to add (folders observer-1..N; ports after the validators')")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  init->add_flag("--force", a->force, "Overwrite an existing network folder");
  init->callback([&ctx, a] { ctx.SetAction([&ctx, a] { return DoInit(ctx, *a); }); });
}

}  // namespace tidemark::cli
