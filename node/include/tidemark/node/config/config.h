// config.h — a node's configuration: one JSON file, defaults in the structs below.
//
//   Result<NodeConfig> cfg = LoadNodeConfig("network-configs/single/node.json");
//   if (!cfg.ok()) { std::cerr << cfg.status().ToString(); return 2; }
//   cfg->http.max_body_bytes;              // 2 MiB unless the file says otherwise
//
// Every key is optional except chain_id; unknown keys and wrong types are errors that name the
// key ("config: http.max_body_bytes: expected a non-negative integer, got string"). There is no
// test switch: tampering and fault injection exist only in the test binary `tidemark-node-test`,
// so a config with a `test` section is refused ("config: unknown key 'test'"). Relative paths
// (data_dir, genesis_file, validator_key_file, explorer_dir) are resolved against the config
// file's directory by LoadNodeConfig. docs/api.md §Configuration lists every key; the `http`
// options are one table, kHttpOptions (http_options.h).
//
// Thread safety: value types; pure functions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "tidemark/node/config/http_options.h"  // HttpConfig, kHttpOptions
#include "tidemark/status.h"

namespace tidemark::node::config {

struct P2pConfig {
  std::string listen = "0.0.0.0:26656";
  // "<node key hex>@host:port". Validators dial the validators among them; a node that is not a
  // genesis validator (observer, validator added by governance) dials all of them. Validators
  // accept connections from every key listed here (their observers) and from the validator set.
  std::vector<std::string> peers;
  uint32_t ban_ms = 30'000;  // a peer that sends a malformed frame or message is refused this long
};

// Consensus pacing and timeouts (docs/consensus.md §5; the defaults suit a LAN consortium).
struct ConsensusConfig {
  uint32_t min_block_interval_ms = 50;     // a block with txs at most this often
  uint32_t idle_block_interval_ms = 1000;  // an empty block at least this often
  uint32_t base_timeout_ms = 3000;         // round timeout before backoff
  uint32_t max_backoff_exponent = 5;       // timeout <= base << this
};

// Admission bounds (docs/api.md §Admission); the defaults are mempool::MempoolOptions'.
struct MempoolConfig {
  size_t max_txs = 20'000;
  size_t max_bytes = 64u << 20;
  uint64_t nonce_window = 64;  // accepted nonces: [next, next + 64)
  size_t status_cache = 100'000;
  size_t max_signer_txs = 64;          // pending txs of one key
  size_t max_signer_bytes = 4u << 20;  // and their bytes
  size_t max_org_txs = 4'000;          // pending txs of one organisation's keys
  size_t max_org_bytes = 16u << 20;    // and their bytes
};

// POST /epcis/capture: a bearer token this node accepts, and the member key it signs the
// resulting prov.capture tx with. Only the token's SHA-256 is stored. Every token expires
// (`expires_at`, required); a token is revoked by deleting its entry or by `"revoked": true`
// (the node reads its config at start: restart it). Expired and revoked tokens get 401.
struct CaptureTokenConfig {
  std::string token_sha256;   // 64 hex digits: SHA-256 of the token's UTF-8 bytes
  std::string key_file;       // {"public_key", "seed"} of an enrolled member key (or encrypted)
  std::string label;          // shown in logs and capture jobs, e.g. the client's name
  std::string expires_at;     // RFC 3339, e.g. "2027-03-01T00:00:00Z" (required)
  int64_t expires_at_ms = 0;  // expires_at as Unix ms (filled by the parser)
  bool revoked = false;
};

// The GS1 Digital Link resolver (docs/proofs.md): consumer lookups recorded as prov.scan txs.
struct ResolverConfig {
  std::string scan_key_file;      // "" : scans are not recorded; else the org's service key
  uint32_t scan_interval_s = 60;  // at most one recorded scan per code per node per interval
};

// Retention of old state versions (docs/storage.md, "Retention"). Blocks, receipts and indexes
// are always kept; only state versions older than the last `retain_versions` heights are pruned,
// except the epoch boundaries and genesis. 0 keeps every version (an archive node). Otherwise
// at least kMinRetainVersions.
struct StorageConfig {
  static constexpr uint64_t kMinRetainVersions = 16;
  uint64_t retain_versions = 10'000;
};

struct NodeConfig {
  std::string chain_id;  // required
  std::string data_dir = "data";
  std::string genesis_file = "genesis.json";
  std::string validator_key_file;  // "" : not a validator
  // Encrypted key files (keystore format, key_file.h) are decrypted with the passphrase in this
  // file (mode 0600), else in this environment variable. Plain key files need neither.
  std::string key_passphrase_file;
  std::string key_passphrase_env;
  std::string explorer_dir;        // "" : no explorer
  std::string log_level = "info";  // trace, debug, info, warn, error, off
  HttpConfig http;
  P2pConfig p2p;
  MempoolConfig mempool;
  std::vector<CaptureTokenConfig> capture_tokens;  // empty: no REST capture on this node
  // Hosts EPCIS webhook subscriptions may POST to (http:// only; docs/api.md §EPCIS REST binding).
  std::vector<std::string> epcis_webhook_hosts = {"127.0.0.1", "localhost", "::1"};
  ResolverConfig resolver;
  ConsensusConfig consensus;
  StorageConfig storage;
};

// Strict parse of the JSON form; paths are left as written.
Result<NodeConfig> ParseNodeConfig(const nlohmann::json& j);
// Reads, parses (JSON nesting bounded), validates and resolves relative paths.
Result<NodeConfig> LoadNodeConfig(const std::filesystem::path& file);
nlohmann::json NodeConfigToJson(const NodeConfig& c);

// "127.0.0.1:8080" -> {"127.0.0.1", 8080}; "[::1]:80" -> {"::1", 80}.
Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& address);

}  // namespace tidemark::node::config
