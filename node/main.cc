// tidemark-node: runs one node from a config file.
//
//   tidemark-node --config network-configs/single/node.json
//
// Until the integrator wires storage, consensus and contracts (node/src/app/), the node serves the
// REST API over a mempool-only backend (api/mempool_only_ledger.h). SIGINT / SIGTERM stop it.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "tidemark/node/api/http_service.h"
#include "tidemark/node/api/mempool_only_ledger.h"
#include "tidemark/node/config/config.h"
#include "tidemark/node/http/json_body.h"

namespace {

using namespace tidemark;
using namespace tidemark::node;

// The genesis must exist, be JSON and name the configured chain (contracts validate the rest).
Status CheckGenesis(const config::NodeConfig& cfg) {
  std::ifstream in(cfg.genesis_file, std::ios::binary);
  if (!in) return Status::IoError("genesis: cannot read " + cfg.genesis_file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  TM_ASSIGN_OR_RETURN(nlohmann::json g, http::ParseJsonBody(text, 64));
  if (!g.is_object() || !g.contains("chain_id") || g["chain_id"] != cfg.chain_id) {
    return Status::Invalid("genesis: " + cfg.genesis_file + " does not name chain '" +
                           cfg.chain_id + "'");
  }
  return Status::Ok();
}

int Run(const std::string& config_path) {
  auto cfg = config::LoadNodeConfig(config_path);
  if (!cfg.ok()) {
    std::cerr << "tidemark-node: " << cfg.status().ToString() << "\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(cfg->log_level));
  if (Status s = CheckGenesis(*cfg); !s.ok()) {
    std::cerr << "tidemark-node: " << s.ToString() << "\n";
    return 2;
  }
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  api::MempoolOnlyLedger ledger(api::MempoolOptionsFrom(*cfg));
  api::HttpService http(*cfg, &ledger);
  if (Status s = http.Start(); !s.ok()) {
    std::cerr << "tidemark-node: " << s.ToString() << "\n";
    return 1;
  }
  spdlog::info("tidemark-node: chain {} serving http on port {} (backend: mempool only)",
               cfg->chain_id, http.port());
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("tidemark-node: signal {}, stopping", sig);
  http.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tidemark-node: a Tidemark ledger node"};
  std::string config_path;
  app.add_option("--config", config_path, "node config JSON file")->required();
  CLI11_PARSE(app, argc, argv);
  return Run(config_path);
}
