// startup.cc — the genesis file, the key passphrase source and the p2p peer addresses a node
// reads at start-up (startup.h).
#include "tidemark/node/config/startup.h"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "tidemark/node/http/json_body.h"
#include "tidemark/node/p2p/transport.h"

namespace tidemark::node::config {

// "<64 hex key>@host:port" (a known peer); a bare "host:port" is refused.
Result<p2p::PeerAddress> ParsePeer(const std::string& text) {
  p2p::PeerAddress peer;
  std::string hostport = text;
  if (size_t at = text.find('@'); at != std::string::npos) {
    TM_ASSIGN_OR_RETURN(peer.key, PublicKey::FromHex(text.substr(0, at)));
    hostport = text.substr(at + 1);
  } else {
    return Status::Invalid("p2p peer \"" + text + "\": expected <public key hex>@host:port");
  }
  TM_ASSIGN_OR_RETURN(auto hp, SplitHostPort(hostport));
  peer.host = hp.first;
  peer.port = hp.second;
  return peer;
}

KeyPassphrase KeyPassphraseOf(const NodeConfig& cfg) {
  return {.file = cfg.key_passphrase_file, .env = cfg.key_passphrase_env};
}

Result<contracts::Genesis> LoadGenesis(const std::string& path, const std::string& chain_id) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("genesis: cannot read " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  TM_ASSIGN_OR_RETURN(nlohmann::json j, http::ParseJsonBody(text, 64));
  auto g = contracts::Genesis::FromJson(j);
  if (!g.ok()) return g.status().WithContext("genesis " + path);
  if (g->chain_id != chain_id) {
    return Status::Invalid("genesis " + path + " is for chain '" + g->chain_id +
                           "', the config says '" + chain_id + "'");
  }
  return g;
}

}  // namespace tidemark::node::config
