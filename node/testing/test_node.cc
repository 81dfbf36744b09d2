#include "tidemark/node/testing/test_node.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <fstream>

#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/proof_bundle.h"

namespace tidemark::node::testing {

Result<std::set<PublicKey>> ReadTestFaults(const std::string& path) {
  std::set<PublicKey> out;
  std::ifstream in(path);
  if (!in) return out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    auto key = PublicKey::FromHex(line.substr(start));
    if (!key.ok()) return key.status().WithContext(path + ":" + std::to_string(n));
    out.insert(*key);
  }
  return out;
}

Bytes TamperBundle(api::BundleKind kind, const Bytes& bytes) {
  if (kind == api::BundleKind::kTx) {
    auto b = TxBundle::Decode(bytes);
    if (!b.ok()) return bytes;
    b->header.timestamp_ms ^= 1;
    return b->Encode();
  }
  auto b = StateBundle::Decode(bytes);
  if (!b.ok()) return bytes;
  for (auto& e : b->state.entries) {
    if (e.value && !e.value->empty()) {
      e.value->back() ^= 0x01;  // still a well-formed bundle; the value no longer hashes to root
      return b->Encode();
    }
  }
  b->header.timestamp_ms ^= 1;
  return b->Encode();
}

bool IsDevChain(const std::string& id) {
  for (const char* p : {"tidemark-local", "tidemark-dev", "tidemark-test"}) {
    if (id.rfind(p, 0) == 0) return true;
  }
  return id.size() >= 4 && id.compare(id.size() - 4, 4, "-dev") == 0;
}

Result<NodeExtensions> TestNodeExtensions(const config::NodeConfig& cfg, TestNodeOptions opt) {
  NodeExtensions ext;
  ext.add_contracts = [](contracts::ContractRegistry& r) {
    return r.Register(std::make_unique<contracts::TestContract>());
  };
  if (opt.tamper_proofs) {
    if (!IsDevChain(cfg.chain_id)) {
      return Status::FailedPrecondition("--tamper-proofs is only allowed on a development chain, "
                                        "not '" + cfg.chain_id + "'");
    }
    spdlog::critical("TEST MODE: this node serves TAMPERED proof bundles; use it for tests only");
    ext.tamper_proofs = &TamperBundle;
  }
  if (opt.faults) {
    std::string path = cfg.data_dir + "/test_faults";
    spdlog::warn("test-only fault layer on ({})", path);
    ext.blocked_peers = [path] { return ReadTestFaults(path); };
  }
  return ext;
}

}  // namespace tidemark::node::testing
