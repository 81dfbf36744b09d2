#include "tidemark/node/testing/test_node.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>

#include "tidemark/consensus/messages.h"
#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/node/app/sync.h"
#include "tidemark/node/testing/slow_write_kv_store.h"
#include "tidemark/proof_bundle.h"

namespace tidemark::node::testing {

Result<TestFaults> ReadTestFaults(const std::string& path) {
  TestFaults out;
  std::ifstream in(path);
  if (!in) return out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    std::string text = line.substr(start);
    static constexpr std::string_view kSlow = "slow-writes";
    if (text.rfind(kSlow, 0) == 0) {
      std::string ms = text.substr(kSlow.size());
      ms.erase(0, ms.find_first_not_of(" \t"));
      char* end = nullptr;
      unsigned long v = ms.empty() ? 0 : std::strtoul(ms.c_str(), &end, 10);
      if (ms.empty() || *end != '\0' || v > 10'000) {
        return Status::Invalid(path + ":" + std::to_string(n) +
                               ": slow-writes wants a delay in ms, 0..10000");
      }
      out.slow_write_ms = static_cast<uint32_t>(v);
      continue;
    }
    std::set<PublicKey>* into = &out.blocked;
    static constexpr std::string_view kDrop = "drop-block-requests";
    if (text.rfind(kDrop, 0) == 0) {
      into = &out.drop_block_requests;
      text.erase(0, kDrop.size());
      text.erase(0, text.find_first_not_of(" \t"));  // all of it when only blanks follow
    }
    auto key = PublicKey::FromHex(text);
    if (!key.ok()) return key.status().WithContext(path + ":" + std::to_string(n));
    into->insert(*key);
  }
  return out;
}

bool IsBlockRequest(Channel channel, ByteView body) {
  if (channel == kConsensus) {
    auto m = consensus::DecodeMessage(body);
    return m.ok() && (std::holds_alternative<consensus::BlockRequest>(*m) ||
                      std::holds_alternative<consensus::EpochRequest>(*m));
  }
  if (channel == kSync) {
    auto m = DecodeSyncMessage(body);
    return m.ok() && std::holds_alternative<SyncRequest>(*m);
  }
  return false;
}

namespace {

// The drop-block-requests set, refreshed by the fault-file poll (one thread) and read by the
// inbound filter (the transport's threads), with what it dropped from each peer.
class BlockRequestDropper {
 public:
  // Installs `peers`; when the set changed, logs it and what was dropped since the last change.
  void Set(const std::set<PublicKey>& peers) {
    std::lock_guard l(mu_);
    if (peers == peers_) return;
    peers_ = peers;
    spdlog::warn("test faults: dropping block requests of {} peers", peers_.size());
    for (const auto& [key, n] : dropped_) {
      spdlog::warn("test faults: dropped {} block requests from {} (consensus {}, sync {})",
                   n.consensus + n.sync, key.Hex(), n.consensus, n.sync);
    }
    dropped_.clear();
  }

  bool Drop(const PublicKey& from, Channel channel, ByteView body) {
    {
      std::lock_guard l(mu_);
      if (peers_.count(from) == 0) return false;
    }
    if (!IsBlockRequest(channel, body)) return false;
    std::lock_guard l(mu_);
    Dropped& n = dropped_[from];
    ++(channel == kSync ? n.sync : n.consensus);
    return true;
  }

 private:
  struct Dropped {
    uint64_t consensus = 0;
    uint64_t sync = 0;
  };
  std::mutex mu_;
  std::set<PublicKey> peers_;             // guarded by mu_
  std::map<PublicKey, Dropped> dropped_;  // guarded by mu_; since the last change of peers_
};

}  // namespace

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
      return Status::FailedPrecondition(
          "--tamper-proofs is only allowed on a development chain, "
          "not '" +
          cfg.chain_id + "'");
    }
    spdlog::critical("TEST MODE: this node serves TAMPERED proof bundles; use it for tests only");
    ext.tamper_proofs = &TamperBundle;
  }
  if (opt.faults) {
    std::string path = cfg.data_dir + "/test_faults";
    spdlog::warn("test-only fault layer on ({})", path);
    auto dropper = std::make_shared<BlockRequestDropper>();
    auto slow_ms = std::make_shared<std::atomic<uint32_t>>(0);
    // The poll reads the whole file: it returns the blocked peers and installs the
    // drop-block-requests set and the write delay (an unreadable file changes none of them).
    ext.blocked_peers = [path, dropper, slow_ms]() -> Result<std::set<PublicKey>> {
      TM_ASSIGN_OR_RETURN(TestFaults faults, ReadTestFaults(path));
      dropper->Set(faults.drop_block_requests);
      if (slow_ms->exchange(faults.slow_write_ms) != faults.slow_write_ms) {
        spdlog::warn("test faults: slow writes {} ms", faults.slow_write_ms);
      }
      return std::move(faults.blocked);
    };
    ext.wrap_store = [slow_ms](std::unique_ptr<KvStore> inner) -> std::unique_ptr<KvStore> {
      return std::make_unique<SlowWriteKvStore>(std::move(inner), slow_ms);
    };
    ext.drop_inbound = [dropper](const PublicKey& from, Channel channel, ByteView body) {
      return dropper->Drop(from, channel, body);
    };
  }
  return ext;
}

}  // namespace tidemark::node::testing
