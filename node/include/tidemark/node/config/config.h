// config.h — a node's configuration: one JSON file, defaults in the structs below.
//
//   Result<NodeConfig> cfg = LoadNodeConfig("network-configs/single/node.json");
//   if (!cfg.ok()) { std::cerr << cfg.status().ToString(); return 2; }
//   cfg->http.max_body_bytes;              // 1 MiB unless the file says otherwise
//
// Every key is optional except chain_id; unknown keys and wrong types are errors that name the
// key ("config: http.max_body_bytes: expected a non-negative integer, got string"). Relative paths
// (data_dir, genesis_file, validator_key_file, explorer_dir) are resolved against the config
// file's directory by LoadNodeConfig. docs/api.md §Configuration lists every key.
//
// Thread safety: value types; pure functions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "tidemark/status.h"

namespace tidemark::node::config {

struct HttpConfig {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 = ephemeral
  size_t max_body_bytes = 2 << 20;  // a max-size tx (513 KiB) as JSON hex fits
  size_t max_header_bytes = 16 << 10;
  size_t max_connections = 256;
  uint32_t read_timeout_ms = 10'000;
  uint32_t idle_timeout_ms = 30'000;
  uint32_t write_timeout_ms = 10'000;
  uint32_t max_json_depth = 32;
  uint32_t io_threads = 2;
  uint32_t handler_threads = 4;
  uint32_t wait_commit_timeout_ms = 10'000;
  uint32_t sse_keepalive_ms = 15'000;
  size_t sse_queue = 256;
  size_t sse_ring = 1024;
  size_t sse_max_clients = 256;
};

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

struct MempoolConfig {
  size_t max_txs = 20'000;
  size_t max_bytes = 64u << 20;
  uint64_t nonce_window = 256;
  size_t status_cache = 100'000;
};

struct NodeConfig {
  std::string chain_id;  // required
  std::string data_dir = "data";
  std::string genesis_file = "genesis.json";
  std::string validator_key_file;  // "" : not a validator
  std::string explorer_dir;        // "" : no explorer
  std::string log_level = "info";  // trace, debug, info, warn, error, off
  HttpConfig http;
  P2pConfig p2p;
  MempoolConfig mempool;
  ConsensusConfig consensus;
};

// Strict parse of the JSON form; paths are left as written.
Result<NodeConfig> ParseNodeConfig(const nlohmann::json& j);
// Reads, parses (JSON nesting bounded), validates and resolves relative paths.
Result<NodeConfig> LoadNodeConfig(const std::filesystem::path& file);
nlohmann::json NodeConfigToJson(const NodeConfig& c);

// "127.0.0.1:8080" -> {"127.0.0.1", 8080}; "[::1]:80" -> {"::1", 80}.
Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& address);

}  // namespace tidemark::node::config
