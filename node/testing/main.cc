// tidemark-node-test: TEST ONLY. `tidemark-node` plus the "test" contract, and on request the
// fault file and tampered proofs (node/testing/test_node.h). Process tests and the explorer's
// browser test run it; operators never do.
//
//   tidemark-node-test --config net/a/node.json --test-faults
//   tidemark-node-test --config net/a/node.json --tamper-proofs   # development chains only
//
// TIDEMARK_TEST_FAULTS=1 and TIDEMARK_TEST_TAMPER_PROOFS=1 in the environment do the same as the
// flags (process tests set them for the nodes they spawn). `tidemark-node` reads neither.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "tidemark/node/app/node.h"
#include "tidemark/node/config/config.h"
#include "tidemark/node/testing/test_node.h"

namespace {

bool EnvOn(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && std::strcmp(v, "1") == 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tidemark::node;
  CLI::App app{"tidemark-node-test: a Tidemark node with test-only extensions (tests only)"};
  std::string config_path;
  testing::TestNodeOptions opt;
  app.add_option("--config", config_path, "node config JSON file")->required();
  app.add_flag("--test-faults", opt.faults, "drop traffic of the peers in <data_dir>/test_faults");
  app.add_flag("--tamper-proofs", opt.tamper_proofs, "serve tampered proof bundles (dev chains)");
  CLI11_PARSE(app, argc, argv);
  opt.faults = opt.faults || EnvOn("TIDEMARK_TEST_FAULTS");
  opt.tamper_proofs = opt.tamper_proofs || EnvOn("TIDEMARK_TEST_TAMPER_PROOFS");
  auto cfg = config::LoadNodeConfig(config_path);
  if (!cfg.ok()) {
    std::cerr << "tidemark-node-test: " << cfg.status().ToString() << "\n";
    return 2;
  }
  auto ext = testing::TestNodeExtensions(*cfg, opt);
  if (!ext.ok()) {
    std::cerr << "tidemark-node-test: " << ext.status().ToString() << "\n";
    return 2;
  }
  return RunNodeUntilSignal("tidemark-node-test", *cfg, std::move(*ext));
}
