// tidemark-node: runs one node from a config file until SIGINT / SIGTERM.
//
//   tidemark-node --config network-configs/single/node.json
//
// The production binary: it holds no test code and has no test switch (no flag, config key or
// environment variable). Tests that need the "test" contract, tampered proofs or the fault file
// run `tidemark-node-test` (node/testing/).
#include <CLI/CLI.hpp>
#include <iostream>

#include "tidemark/node/app/node.h"
#include "tidemark/node/config/config.h"

int main(int argc, char** argv) {
  CLI::App app{"tidemark-node: a Tidemark ledger node"};
  std::string config_path;
  app.add_option("--config", config_path, "node config JSON file")->required();
  CLI11_PARSE(app, argc, argv);
  auto cfg = tidemark::node::config::LoadNodeConfig(config_path);
  if (!cfg.ok()) {
    std::cerr << "tidemark-node: " << cfg.status().ToString() << "\n";
    return 2;
  }
  return tidemark::node::RunNodeUntilSignal("tidemark-node", *cfg);
}
