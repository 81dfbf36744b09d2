// tidemark-node: runs one node from a config file until SIGINT / SIGTERM, or checks a stopped
// node's store.
//
//   tidemark-node --config network-configs/single/node.json
//   tidemark-node verify --data /var/lib/tidemark/node0      # exit 0 ok, 1 problems, 2 cannot open
//
// Exit codes of a run: 0 stopped by a signal, 1 a service did not start, 2 bad config or a store
// that does not open or fails its start-up check, 3 a storage fault while running
// (tidemark/node/app/fatal.h, docs/storage.md "Faults and verify").
//
// The production binary: it holds no test code and has no test switch (no flag, config key or
// environment variable). Tests that need the "test" contract, tampered proofs or the fault file
// run `tidemark-node-test` (node/testing/).
#include <CLI/CLI.hpp>
#include <iostream>

#include "tidemark/node/app/fatal.h"
#include "tidemark/node/app/node.h"
#include "tidemark/node/app/verify_store.h"
#include "tidemark/node/config/config.h"

int main(int argc, char** argv) {
  CLI::App app{"tidemark-node: a Tidemark ledger node"};
  std::string config_path;
  app.add_option("--config", config_path, "node config JSON file");
  CLI::App* verify = app.add_subcommand(
      "verify",
      "re-check a stopped node's store against its certificates and state roots; exit 0 when "
      "sound, 1 with one line per problem, 2 if it cannot be opened");
  std::string data_dir;
  verify->add_option("--data", data_dir, "the node's data_dir (or its ledger/ folder)")->required();
  CLI11_PARSE(app, argc, argv);
  if (verify->parsed()) return tidemark::node::RunVerify(data_dir, std::cout, std::cerr);
  if (config_path.empty()) {
    std::cerr << "tidemark-node: --config is required (or: tidemark-node verify --data DIR)\n";
    return tidemark::node::kExitCannotStart;
  }
  auto cfg = tidemark::node::config::LoadNodeConfig(config_path);
  if (!cfg.ok()) {
    std::cerr << "tidemark-node: " << cfg.status().ToString() << "\n";
    return tidemark::node::kExitCannotStart;
  }
  return tidemark::node::RunNodeUntilSignal("tidemark-node", *cfg);
}
