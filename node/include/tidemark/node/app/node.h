// node.h — one Tidemark node assembled from its config: ledger (LevelDB), mempool, consensus,
// p2p, block sync and the HTTP service.
//
//   TM_ASSIGN_OR_RETURN(config::NodeConfig cfg, config::LoadNodeConfig(path));
//   TM_ASSIGN_OR_RETURN(std::unique_ptr<Node> node, Node::Create(cfg));
//   TM_RETURN_IF_ERROR(node->Start());
//   ... wait for a signal ...
//   node->Stop();
//
// A node with `validator_key_file` votes if its key is in the validator set; any node follows the
// chain through block sync and serves the API (an observer has no validator key, or one that is
// not in the set).
//
// Thread safety: Create / Start / Stop from one thread.
#pragma once

#include <memory>
#include <string>

#include "tidemark/crypto.h"
#include "tidemark/node/config/config.h"
#include "tidemark/status.h"

namespace tidemark::node {

// A node's key file (JSON {"public_key": hex, "seed": hex}, written with mode 0600).
Result<KeyPair> LoadNodeKey(const std::string& path);
Status WriteNodeKey(const std::string& path, const KeyPair& key);

class Node {
 public:
  static Result<std::unique_ptr<Node>> Create(const config::NodeConfig& cfg);
  ~Node();

  Status Start();
  void Stop();
  uint16_t http_port() const;
  uint16_t p2p_port() const;

  struct Impl;

 private:
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tidemark::node
