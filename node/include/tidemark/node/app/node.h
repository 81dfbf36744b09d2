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
// The production main passes no NodeExtensions: only the test binary `tidemark-node-test`
// (node/testing/) fills them, with the "test" contract, proof tampering, the fault file and
// slowed store writes. The
// production binary has no config key, flag or environment variable that reaches them.
//
// Thread safety: Create / Start / Stop from one thread.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "tidemark/bytes.h"
#include "tidemark/contracts/framework.h"
#include "tidemark/crypto.h"
#include "tidemark/node/api/proof_api.h"
#include "tidemark/node/app/peer_channels.h"  // Channel
#include "tidemark/node/config/config.h"
#include "tidemark/node/config/key_file.h"
#include "tidemark/node/storage/kv_store.h"
#include "tidemark/status.h"

namespace tidemark::node {

// A node's key file: plain JSON {"public_key": hex, "seed": hex} or an encrypted keystore file;
// refused if group or others may read it (config/key_file.h). Written with mode 0600.
inline Result<KeyPair> LoadNodeKey(const std::string& path,
                                   const config::KeyPassphrase& pass = {}) {
  return config::LoadKeyFile(path, pass);
}
inline Status WriteNodeKey(const std::string& path, const KeyPair& key) {
  return config::WritePlainKeyFile(path, key);
}

// What a test binary adds to a node. Every member is optional; production passes none.
struct NodeExtensions {
  // Registers contracts beside the built-in ones (tidemark-node-test: the "test" contract).
  std::function<Status(contracts::ContractRegistry&)> add_contracts;
  // Alters every proof bundle the API serves (tidemark-node-test --tamper-proofs).
  api::BundleTamper tamper_proofs;
  // Polled every 200 ms: the peers whose messages the transport drops (the fault file of
  // tidemark-node-test). An error is logged and changes nothing.
  std::function<Result<std::set<PublicKey>>()> blocked_peers;
  // Asked about every inbound p2p message before the node handles it (`body` without the channel
  // byte); true drops it silently (tidemark-node-test: drop-block-requests). Called from the
  // transport's threads, concurrently.
  std::function<bool(const PublicKey& from, Channel channel, ByteView body)> drop_inbound;
  // Wraps the ledger's store once, right after it is opened (tidemark-node-test: SlowWriteKvStore,
  // the `slow-writes` line of the fault file). Must return a store; production passes none.
  std::function<std::unique_ptr<KvStore>(std::unique_ptr<KvStore>)> wrap_store;
};

class Node {
 public:
  static Result<std::unique_ptr<Node>> Create(const config::NodeConfig& cfg,
                                              NodeExtensions ext = {});
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

// A node's whole life in a process: Create, Start, wait for SIGINT / SIGTERM, Stop. Returns the
// exit code (2: the node could not be created, 1: it could not start) after printing the error
// as "<program>: <error>". The thin mains of tidemark-node and tidemark-node-test call it.
int RunNodeUntilSignal(const std::string& program, const config::NodeConfig& cfg,
                       NodeExtensions ext = {});

}  // namespace tidemark::node
