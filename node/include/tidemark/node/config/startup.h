// startup.h — what a node reads at start-up through the paths and strings of its config, beside
// node.json itself: the genesis file (checked against the config's chain id), the passphrase
// source of its encrypted key files, and its p2p peer addresses. The node's assembly (app/node.cc)
// calls these once in Node::Create; an error stops the node before it opens anything.
//
//   TM_ASSIGN_OR_RETURN(contracts::Genesis g, config::LoadGenesis(cfg.genesis_file, cfg.chain_id));
//   TM_ASSIGN_OR_RETURN(KeyPair k, config::LoadKeyFile(cfg.validator_key_file,
//                                                      config::KeyPassphraseOf(cfg)));
//   TM_ASSIGN_OR_RETURN(p2p::PeerAddress peer, config::ParsePeer(cfg.p2p.peers[0]));
//
// Thread safety: pure functions (LoadGenesis reads a file).
#pragma once

#include <string>

#include "tidemark/contracts/genesis.h"
#include "tidemark/node/config/config.h"
#include "tidemark/node/config/key_file.h"
#include "tidemark/status.h"

namespace tidemark::node::p2p {
struct PeerAddress;  // p2p/transport.h
}

namespace tidemark::node::config {

// The genesis file at `path` (JSON nesting bounded); Invalid if it is for another chain than
// `chain_id`, IoError if it cannot be read. Errors name the file.
Result<contracts::Genesis> LoadGenesis(const std::string& path, const std::string& chain_id);

// Where the node's encrypted key files get their passphrase (key_passphrase_file / _env).
KeyPassphrase KeyPassphraseOf(const NodeConfig& cfg);

// One entry of p2p.peers: "<64 hex public key>@host:port". Anything else (a bare host:port
// included) is Invalid, naming the entry.
Result<p2p::PeerAddress> ParsePeer(const std::string& text);

}  // namespace tidemark::node::config
