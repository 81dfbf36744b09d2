// tidemark-node: runs one node from a config file until SIGINT / SIGTERM.
//
//   tidemark-node --config network-configs/single/node.json
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "tidemark/node/app/node.h"
#include "tidemark/node/config/config.h"

namespace {

int Run(const std::string& config_path) {
  using namespace tidemark::node;
  auto cfg = config::LoadNodeConfig(config_path);
  if (!cfg.ok()) {
    std::cerr << "tidemark-node: " << cfg.status().ToString() << "\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(cfg->log_level));
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto node = Node::Create(*cfg);
  if (!node.ok()) {
    std::cerr << "tidemark-node: " << node.status().ToString() << "\n";
    return 2;
  }
  if (auto s = (*node)->Start(); !s.ok()) {
    std::cerr << "tidemark-node: " << s.ToString() << "\n";
    return 1;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("tidemark-node: signal {}, stopping", sig);
  (*node)->Stop();
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
