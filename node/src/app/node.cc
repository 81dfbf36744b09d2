#include "tidemark/node/app/node.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <array>
#include <atomic>
#include <csignal>
#include <iostream>
#include <boost/asio.hpp>
#include <deque>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tidemark/contracts/genesis.h"
#include "tidemark/contracts/governance.h"
#include "tidemark/hash.h"
#include "tidemark/node/api/http_service.h"
#include "tidemark/node/app/consensus_driver.h"
#include "tidemark/node/app/epoch_chain.h"
#include "tidemark/node/app/ledger.h"
#include "tidemark/node/app/scan_recorder.h"
#include "tidemark/node/app/versioned_view.h"
#include "tidemark/node/app/sync.h"
#include "tidemark/node/config/key_file.h"
#include "tidemark/node/http/json_body.h"
#include "tidemark/node/p2p/transport.h"
#include "tidemark/node/storage/leveldb_kv_store.h"

namespace tidemark::node {

namespace asio = boost::asio;

// ---- Node keys ---------------------------------------------------------------------------------

Result<KeyPair> LoadNodeKey(const std::string& path, const config::KeyPassphrase& pass) {
  return config::LoadKeyFile(path, pass);
}

Status WriteNodeKey(const std::string& path, const KeyPair& key) {
  return config::WritePlainKeyFile(path, key);
}

namespace {

Bytes Framed(Channel ch, ByteView body) {
  Bytes out;
  out.reserve(body.size() + 1);
  out.push_back(ch);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// "<64 hex key>@host:port" (a known peer) or "host:port" (dialled, identity learnt on connect).
Result<p2p::PeerAddress> ParsePeer(const std::string& text) {
  p2p::PeerAddress peer;
  std::string hostport = text;
  if (size_t at = text.find('@'); at != std::string::npos) {
    TM_ASSIGN_OR_RETURN(peer.key, PublicKey::FromHex(text.substr(0, at)));
    hostport = text.substr(at + 1);
  } else {
    return Status::Invalid("p2p peer \"" + text + "\": expected <public key hex>@host:port");
  }
  TM_ASSIGN_OR_RETURN(auto hp, config::SplitHostPort(hostport));
  peer.host = hp.first;
  peer.port = hp.second;
  return peer;
}

config::KeyPassphrase KeyPassphraseOf(const config::NodeConfig& cfg) {
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

}  // namespace

// ---- The REST backend --------------------------------------------------------------------------

class NodeLedger final : public api::LedgerApi {
 public:
  NodeLedger(Ledger& ledger, mempool::Mempool& pool, ConsensusDriver& driver,
             std::function<size_t()> peers, std::function<bool()> syncing,
             std::function<void(ByteView)> gossip)
      : ledger_(ledger), pool_(pool), driver_(driver), peers_(std::move(peers)),
        syncing_(std::move(syncing)), gossip_(std::move(gossip)) {}

  std::atomic<bool> ready{false};

  bool Ready() override { return ready.load(); }

  api::NodeStatus Status() override {
    api::NodeStatus s;
    s.chain_id = ledger_.chain_id();
    s.node_version = "0.1.0";
    // Height, head and timestamp from one read of the tip: a block may be written between two
    // separate reads (app_concurrency_test).
    s.height = ledger_.height();
    s.head_id = ledger_.tip_id();
    if (auto tip = ledger_.TipBlock(); tip.ok()) {
      s.height = tip->header.height;
      s.head_id = tip->Id();
      s.head_timestamp_ms = tip->header.timestamp_ms;
      s.exec_height = tip->header.height;
    }
    if (auto e = ledger_.ExecAt(s.exec_height); e.ok()) s.state_root = e->state_root;
    ConsensusStatus c = driver_.Snapshot();
    s.epoch = c.epoch;
    s.validator_count = c.validators.size();
    s.own_validator_index = c.own_index;
    auto m = pool_.Stats();
    s.mempool_txs = m.txs;
    s.mempool_bytes = m.bytes;
    s.peers = peers_();
    s.syncing = syncing_();
    return s;
  }

  Result<api::BlockRecord> BlockAt(uint64_t height) override {
    TM_ASSIGN_OR_RETURN(std::optional<Block> b, ledger_.blocks().BlockAt(height));
    if (!b) return Status::NotFound("no block at height " + std::to_string(height));
    return Record(std::move(*b));
  }

  Result<api::BlockRecord> BlockById(const Hash256& id) override {
    TM_ASSIGN_OR_RETURN(std::optional<Block> b, ledger_.blocks().BlockById(id));
    if (!b) return Status::NotFound("no block " + id.Hex());
    return Record(std::move(*b));
  }

  Result<ValidatorSet> Validators() override {
    ConsensusStatus c = driver_.Snapshot();
    if (c.validators.size() > 0) return c.validators;
    return ledger_.ValidatorsAfterTip();
  }

  Result<mempool::TxRecord> SubmitTx(ByteView tx_bytes) override {
    Hash256 id = Sha256(tx_bytes);
    if (auto committed = Committed(id); committed.ok()) return committed->record;
    auto before = pool_.Find(id);  // pending already: gossiped then (an evicted tx may return)
    bool was_pending = before.ok() && before->state == mempool::TxState::kPending;
    TM_ASSIGN_OR_RETURN(mempool::TxRecord rec, pool_.Add(tx_bytes));
    if (!was_pending && rec.state == mempool::TxState::kPending) gossip_(tx_bytes);
    return rec;
  }

  Result<api::TxInfo> GetTx(const Hash256& id) override {
    if (auto committed = Committed(id); committed.ok()) return committed;
    TM_ASSIGN_OR_RETURN(mempool::TxRecord rec, pool_.Find(id));
    return api::TxInfo{.record = rec, .tx = pool_.Get(id)};
  }

  Result<api::TxInfo> WaitTx(const Hash256& id, std::chrono::milliseconds timeout) override {
    auto rec = pool_.WaitFinal(id, timeout);
    if (!rec.ok() && rec.status().code() != Code::kNotFound) return rec.status();
    return GetTx(id);
  }

  Result<api::StateProofAnswer> ProveState(ByteView key, std::optional<uint64_t> height) override {
    uint64_t h = height.value_or(ledger_.height());
    if (h > ledger_.height()) return Status::OutOfRange("height not executed yet");
    TM_ASSIGN_OR_RETURN(ExecInfo info, ledger_.ExecAt(h));
    TM_ASSIGN_OR_RETURN(StateProof proof, ledger_.tree().Prove(h, key));
    return api::StateProofAnswer{.key = Bytes(key.begin(), key.end()),
                                 .value = proof.value,
                                 .height = h,
                                 .state_root = info.state_root,
                                 .proof = proof.Encode()};
  }

  tidemark::Status ReadState(const StateReader& fn) override { return ledger_.ReadLatest(fn); }

  tidemark::Status ReadStateAt(uint64_t version, const StateReader& fn) override {
    if (version > ledger_.height()) return Status::OutOfRange("state version not executed yet");
    if (!ledger_.tree().HasVersion(version)) {
      return Status::NotFound("state version " + std::to_string(version) + " not retained");
    }
    return ledger_.ReadLatest([&](const contracts::StateView& latest, uint64_t) {
      VersionedStateView view(ledger_.tree(), version, latest);
      TM_RETURN_IF_ERROR(fn(view, version));
      return view.status();
    });
  }

  Result<ValidatorSet> GenesisValidators() override { return ledger_.genesis().Validators(); }

  Result<std::vector<EpochChange>> EpochChain(uint64_t epoch) override {
    return BuildEpochChain(ledger_, epoch);
  }

  Result<uint64_t> NextNonce(const PublicKey& signer) override { return ledger_.NextNonce(signer); }

  Result<api::BlockRecord> CertifiedBlockAt(uint64_t height) override {
    TM_ASSIGN_OR_RETURN(std::optional<Block> b, ledger_.blocks().BlockAt(height));
    if (!b) return Status::NotFound("no block at height " + std::to_string(height));
    api::BlockRecord r;
    if (height > 0) {
      TM_ASSIGN_OR_RETURN(r.commit_cert, ledger_.blocks().CertAt(height));
    }
    r.block = std::move(*b);
    return r;
  }

  Result<std::vector<api::SignerTxRef>> TxsBySigner(const PublicKey& signer,
                                                    std::optional<api::TxLocationRef> after,
                                                    size_t limit) override {
    std::optional<TxLocation> from;
    if (after) from = TxLocation{.height = after->height, .index = after->index};
    TM_ASSIGN_OR_RETURN(std::vector<SignerTx> txs,
                        ledger_.blocks().TxsBySigner(signer, from, limit));
    std::vector<api::SignerTxRef> out;
    for (const SignerTx& t : txs) {
      out.push_back({.tx_id = t.tx_id,
                     .location = {.height = t.location.height, .index = t.location.index}});
    }
    return out;
  }

 private:
  Result<api::BlockRecord> Record(Block b) {
    api::BlockRecord r;
    if (b.header.height > 0) {
      TM_ASSIGN_OR_RETURN(r.commit_cert, ledger_.blocks().CertAt(b.header.height));
    }
    std::vector<Receipt> receipts;
    for (const auto& tx : b.txs) {
      TM_ASSIGN_OR_RETURN(std::optional<Receipt> rc, ledger_.blocks().ReceiptOf(tx.Id()));
      if (rc && rc->height == b.header.height) receipts.push_back(std::move(*rc));
    }
    r.receipts = std::move(receipts);
    r.block = std::move(b);
    return r;
  }

  // The committed record of a tx, from the ledger's indexes.
  Result<api::TxInfo> Committed(const Hash256& id) {
    TM_ASSIGN_OR_RETURN(std::optional<TxLocation> loc, ledger_.blocks().FindTx(id));
    if (!loc) return Status::NotFound("tx not committed");
    TM_ASSIGN_OR_RETURN(std::optional<Block> b, ledger_.blocks().BlockAt(loc->height));
    TM_ASSIGN_OR_RETURN(std::optional<Receipt> rc, ledger_.blocks().ReceiptOf(id));
    if (!b || !rc || loc->index >= b->txs.size()) return Status::Corruption("tx index damaged");
    mempool::TxRecord rec{.id = id, .height = loc->height, .index = loc->index};
    if (rc->status == TxStatus::kCommitted) {
      rec.state = mempool::TxState::kCommitted;
    } else {
      rec.state = mempool::TxState::kRejected;
      rec.reject_code = Code::kFailedPrecondition;
      rec.reason = rc->reason;
    }
    return api::TxInfo{.record = rec, .tx = b->txs[loc->index], .receipt = *rc};
  }

  Ledger& ledger_;
  mempool::Mempool& pool_;
  ConsensusDriver& driver_;
  std::function<size_t()> peers_;
  std::function<bool()> syncing_;
  std::function<void(ByteView)> gossip_;
};

// ---- Assembly ----------------------------------------------------------------------------------

struct Node::Impl {
  config::NodeConfig cfg;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  KeyPair key;
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<mempool::Mempool> pool;
  std::unique_ptr<ConsensusDriver> driver;
  std::unique_ptr<p2p::Transport> transport;
  std::unique_ptr<BlockSync> sync;
  std::unique_ptr<NodeLedger> api;
  std::unique_ptr<ScanRecorder> scans;  // the resolver's scan recorder (resolver.scan_key_file)
  std::unique_ptr<api::HttpService> http;
  std::vector<p2p::PeerAddress> peers;
  std::set<PublicKey> known_keys;  // peers from the config + every validator key in the registry
  std::mutex keys_mu;
  std::unique_ptr<asio::steady_timer> housekeeping;  // metrics, known keys, blocked peers
  NodeExtensions ext;                 // a test binary's additions; empty in production
  std::set<PublicKey> fault_blocked;  // housekeeping only
  std::mutex gossip_mu;
  std::deque<std::pair<Hash256, Bytes>> recent_txs;  // guarded by gossip_mu; last kRecentTxs

  static constexpr size_t kRecentTxs = 1024;

  // Gossips a tx this node admitted through REST, and remembers it for peers that connect later.
  void GossipTx(ByteView tx) {
    {
      std::lock_guard l(gossip_mu);
      recent_txs.emplace_back(Sha256(tx), Bytes(tx.begin(), tx.end()));
      if (recent_txs.size() > kRecentTxs) recent_txs.pop_front();
    }
    transport->Broadcast(Framed(kTxGossip, tx));
  }

  // A peer (re)connected: it gets the recently admitted txs that are still pending here and
  // still admissible (signer active, nonce not stale, not expired), so a tx admitted while this
  // node had no links (an observer starting, a partition) is not stranded, and one that can no
  // longer execute is never offered again.
  void OnPeer(const PublicKey& peer, bool connected) {
    if (!connected) return;
    std::vector<std::pair<Hash256, Bytes>> txs;
    {
      std::lock_guard l(gossip_mu);
      txs.assign(recent_txs.begin(), recent_txs.end());
    }
    for (const auto& [id, bytes] : txs) {
      if (pool->StillAdmissible(id)) (void)transport->Send(peer, Framed(kTxGossip, bytes));
    }
  }

  bool Authorized(const PublicKey& k) {
    std::lock_guard l(keys_mu);
    return known_keys.count(k) > 0;
  }
  void RefreshKnownKeys() {
    std::set<PublicKey> keys;
    for (const auto& p : peers) keys.insert(p.key);
    // The running set (during a change, the state already holds the next one), the activated
    // and the pending set.
    if (auto running = ledger->ValidatorsAfterTip(); running.ok()) {
      for (const auto& v : running->validators) keys.insert(v.key);
    }
    (void)ledger->ReadLatest([&](const contracts::StateView& view, uint64_t) {
      if (auto vs = contracts::CurrentValidatorSet(view); vs.ok()) {
        for (const auto& v : vs->validators) keys.insert(v.key);
      }
      if (auto next = contracts::PendingValidatorSet(view); next.ok() && *next) {
        for (const auto& v : (*next)->validators) keys.insert(v.key);
      }
      return tidemark::Status::Ok();
    });
    for (const auto& o : ledger->genesis().orgs) {
      if (o.validator_key) keys.insert(*o.validator_key);
    }
    std::lock_guard l(keys_mu);
    known_keys = std::move(keys);
  }

  // A peer that broke the protocol (a frame that is not a message) is disconnected and refused
  // for p2p.ban_ms.
  void Misbehaved(const PublicKey& from, const std::string& why) {
    transport->Ban(from, cfg.p2p.ban_ms, why);
  }

  // Every 200 ms: p2p metrics, the keys allowed to connect (governance may have changed the
  // validator set), and the blocked peers of a test binary (NodeExtensions::blocked_peers).
  void Housekeeping() {
    housekeeping->expires_after(std::chrono::milliseconds(200));
    housekeeping->async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      RefreshKnownKeys();
      UpdateP2pMetrics();
      if (ext.blocked_peers) ApplyBlockedPeers();
      Housekeeping();
    });
  }

  void UpdateP2pMetrics() {
    if (!http) return;
    auto& m = http->metrics();
    p2p::TransportStats st = transport->stats();
    m.GetGauge("tidemark_p2p_peers", "Connected, authenticated peers")
        ->Set(static_cast<int64_t>(transport->ConnectedPeers().size()));
    m.GetGauge("tidemark_p2p_handshakes_refused", "Connections refused during the handshake")
        ->Set(static_cast<int64_t>(st.handshakes_refused));
    for (const auto& [reason, n] : st.refused) {
      m.GetGauge("tidemark_p2p_handshakes_refused_by_reason",
                 "Handshakes refused or closed, by reason (docs/network.md)", {{"reason", reason}})
          ->Set(static_cast<int64_t>(n));
    }
    m.GetGauge("tidemark_p2p_anonymous_handshakes",
               "Inbound handshakes whose Hello has not named an authorised key yet")
        ->Set(static_cast<int64_t>(st.anonymous_handshakes));
    m.GetGauge("tidemark_p2p_bad_frames", "Connections dropped for an oversized or forged frame")
        ->Set(static_cast<int64_t>(st.dropped_bad_frames));
    m.GetGauge("tidemark_p2p_bans", "Peers banned for breaking the protocol")
        ->Set(static_cast<int64_t>(st.bans));
    m.GetGauge("tidemark_sync_catching_up", "1 while block sync is catching up")
        ->Set(sync && sync->catching_up() ? 1 : 0);
    UpdateMempoolMetrics();
  }

  // Refused admissions and evictions by reason, as counters (advanced by what changed since the
  // last housekeeping round).
  std::array<uint64_t, static_cast<size_t>(mempool::Refusal::kCount)> refused_seen{};
  std::array<uint64_t, static_cast<size_t>(mempool::Refusal::kCount)> evicted_seen{};
  void UpdateMempoolMetrics() {
    auto& m = http->metrics();
    mempool::MempoolStats st = pool->Stats();
    m.GetGauge("tidemark_mempool_txs", "Pending txs in the mempool")
        ->Set(static_cast<int64_t>(st.txs));
    m.GetGauge("tidemark_mempool_bytes", "Bytes of pending txs in the mempool")
        ->Set(static_cast<int64_t>(st.bytes));
    for (size_t i = 0; i < st.refused.size(); ++i) {
      const char* reason = mempool::RefusalName(static_cast<mempool::Refusal>(i));
      if (st.refused[i] > refused_seen[i]) {
        m.GetCounter("tidemark_mempool_refused_total", "Txs refused at admission, by reason",
                     {{"reason", reason}})
            ->Inc(st.refused[i] - refused_seen[i]);
        refused_seen[i] = st.refused[i];
      }
      if (st.evicted[i] > evicted_seen[i]) {
        m.GetCounter("tidemark_mempool_evicted_total",
                     "Pending txs evicted (can no longer execute, or room for a smaller holder)",
                     {{"reason", reason}})
            ->Inc(st.evicted[i] - evicted_seen[i]);
        evicted_seen[i] = st.evicted[i];
      }
    }
  }

  void ApplyBlockedPeers() {
    auto blocked = ext.blocked_peers();
    if (!blocked.ok()) {
      spdlog::error("test faults: {}", blocked.status().ToString());
      return;
    }
    if (*blocked == fault_blocked) return;
    fault_blocked = *blocked;
    transport->SetBlocked(fault_blocked);
    spdlog::warn("test faults: blocking {} peers", fault_blocked.size());
  }

  void OnPeerMessage(const PublicKey& from, Bytes frame) {
    if (frame.empty()) {
      Misbehaved(from, "empty message");
      return;
    }
    Channel ch = static_cast<Channel>(frame[0]);
    if (ext.drop_inbound && ext.drop_inbound(from, ch, ByteView(frame).subspan(1))) return;
    Bytes body(frame.begin() + 1, frame.end());
    switch (ch) {
      case kConsensus: driver->OnPeerMessage(from, std::move(body)); break;
      // A gossiped tx goes through the same admission as a REST one; it is never relayed (the
      // node that admitted it through REST sent it to every peer), so only admitted txs travel.
      case kTxGossip: (void)pool->Add(body); break;
      case kSync: sync->OnMessage(from, body); break;
      default: break;  // unknown channel: ignored (newer peer)
    }
  }
};

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Node::~Node() { Stop(); }

Result<std::unique_ptr<Node>> Node::Create(const config::NodeConfig& cfg, NodeExtensions ext) {
  auto impl = std::make_unique<Impl>();
  impl->cfg = cfg;
  impl->ext = std::move(ext);
  contracts::ContractRegistry registry = contracts::BuiltinContracts();
  if (impl->ext.add_contracts) TM_RETURN_IF_ERROR(impl->ext.add_contracts(registry));
  TM_ASSIGN_OR_RETURN(contracts::Genesis genesis, LoadGenesis(cfg.genesis_file, cfg.chain_id));
  if (!cfg.validator_key_file.empty()) {
    TM_ASSIGN_OR_RETURN(impl->key, LoadNodeKey(cfg.validator_key_file, KeyPassphraseOf(cfg)));
  } else {
    impl->key = KeyPair::Generate();  // an observer's throwaway p2p identity
  }
  for (const auto& p : cfg.p2p.peers) {
    TM_ASSIGN_OR_RETURN(p2p::PeerAddress peer, ParsePeer(p));
    impl->peers.push_back(peer);
  }
  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) return Status::IoError("data_dir " + cfg.data_dir + ": " + ec.message());
  TM_ASSIGN_OR_RETURN(auto kv, LevelDbKvStore::Open(cfg.data_dir + "/ledger", {}));
  TM_ASSIGN_OR_RETURN(impl->ledger, Ledger::Open(std::move(kv), genesis, std::move(registry)));
  Ledger& ledger = *impl->ledger;
  // Admission reads the latest written state through a fresh view under the ledger's read lock:
  // any HTTP or p2p thread may ask, concurrently with block writes.
  impl->pool = std::make_unique<mempool::Mempool>(
      api::MempoolOptionsFrom(cfg), [&ledger](const PublicKey& k) -> Result<mempool::SignerInfo> {
        mempool::SignerInfo info;
        TM_RETURN_IF_ERROR(
            ledger.ReadLatest([&](const contracts::StateView& view, uint64_t height) {
              info = mempool::SignerInfoFromState(view, k, height);
              return tidemark::Status::Ok();
            }));
        return info;
      });

  Impl* self = impl.get();
  ConsensusDriverOptions dopt;
  dopt.replica.min_block_interval_ms = cfg.consensus.min_block_interval_ms;
  dopt.replica.idle_block_interval_ms = cfg.consensus.idle_block_interval_ms;
  dopt.replica.base_timeout_ms = cfg.consensus.base_timeout_ms;
  dopt.replica.max_backoff_exponent = cfg.consensus.max_backoff_exponent;
  impl->driver = std::make_unique<ConsensusDriver>(
      impl->io, ledger, *impl->pool, impl->key, dopt,
      [self](const Block& b, const QuorumCert&, const std::vector<Receipt>& receipts) {
        if (self->http) api::PublishCommitted(&self->http->bus(), b, &receipts);
        if (self->sync) self->sync->OnLocalCommit();
      });

  TM_ASSIGN_OR_RETURN(auto p2p_addr, config::SplitHostPort(cfg.p2p.listen));
  impl->transport = std::make_unique<p2p::Transport>(
      impl->io, impl->key,
      p2p::TransportOptions{.chain_id = cfg.chain_id, .listen_host = p2p_addr.first,
                            .listen_port = p2p_addr.second, .ban_ms = cfg.p2p.ban_ms},
      [self](const PublicKey& k) { return self->Authorized(k); },
      [self](const PublicKey& from, Bytes m) { self->OnPeerMessage(from, std::move(m)); },
      [self](const PublicKey& peer, bool connected) { self->OnPeer(peer, connected); });
  impl->driver->SetBadMessageHandler([self](const PublicKey& from, const Status& why) {
    self->Misbehaved(from, "malformed consensus message: " + why.message());
  });
  impl->driver->SetSender([self](const PublicKey* to, Bytes msg) {
    Bytes frame = Framed(kConsensus, msg);
    if (to) {
      (void)self->transport->Send(*to, std::move(frame));
    } else {
      self->transport->Broadcast(frame);
    }
  });
  impl->sync = std::make_unique<BlockSync>(
      impl->io, ledger, *impl->driver,
      [self](const PublicKey& to, Bytes body) {
        (void)self->transport->Send(to, Framed(kSync, body));
      },
      [self] { return self->transport->ConnectedPeers(); });
  impl->api = std::make_unique<NodeLedger>(
      ledger, *impl->pool, *impl->driver,
      [self] { return self->transport->ConnectedPeers().size(); },
      [self] { return self->sync->catching_up(); },
      [self](ByteView tx) { self->GossipTx(tx); });
  impl->http = std::make_unique<api::HttpService>(cfg, impl->api.get(), impl->ext.tamper_proofs);
  if (!cfg.resolver.scan_key_file.empty()) {
    TM_ASSIGN_OR_RETURN(KeyPair scan_key,
                        LoadNodeKey(cfg.resolver.scan_key_file, KeyPassphraseOf(cfg)));
    impl->scans = std::make_unique<ScanRecorder>(
        impl->api.get(), scan_key,
        ScanRecorderOptions{.chain_id = cfg.chain_id,
                            .min_interval_ms = uint64_t{cfg.resolver.scan_interval_s} * 1000});
    ScanRecorder* rec = impl->scans.get();
    impl->http->SetScanHook([rec](const std::string& code) {
      auto r = rec->Record(code);
      if (!r.ok()) spdlog::warn("scan of {} not recorded: {}", code, r.status().ToString());
    });
  }
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

Status Node::Start() {
  Impl& n = *impl_;
  n.RefreshKnownKeys();
  TM_RETURN_IF_ERROR(n.transport->Listen());
  // Genesis validators dial each other (the greater key is dialled); any other node (an observer,
  // a validator added by governance) is unknown to their configs, so it dials all its peers.
  std::set<PublicKey> genesis_validators;
  for (const auto& o : n.ledger->genesis().orgs) {
    if (o.validator_key) genesis_validators.insert(*o.validator_key);
  }
  bool genesis_validator = genesis_validators.count(n.key.public_key()) > 0;
  for (p2p::PeerAddress p : n.peers) {
    if (!genesis_validator) {
      p.force_dial = true;
    } else if (genesis_validators.count(p.key) == 0) {
      continue;  // an observer of ours: it dials us
    }
    n.transport->AddPeer(p);
  }
  n.housekeeping = std::make_unique<asio::steady_timer>(n.io);
  n.Housekeeping();
  TM_RETURN_IF_ERROR(n.driver->Start());
  n.sync->Start();
  TM_RETURN_IF_ERROR(n.http->Start());
  n.work.emplace(n.io.get_executor());
  for (int i = 0; i < 2; ++i) n.threads.emplace_back([&n] { n.io.run(); });
  n.api->ready = true;
  spdlog::info("node {} on chain {}: height {}, http :{}, p2p :{}",
               n.key.public_key().Hex().substr(0, 16), n.cfg.chain_id, n.ledger->height(),
               n.http->port(), n.transport->port());
  return Status::Ok();
}

void Node::Stop() {
  if (!impl_) return;
  Impl& n = *impl_;
  if (n.api) n.api->ready = false;
  if (n.http) n.http->Stop();
  if (n.sync) n.sync->Stop();
  if (n.housekeeping) asio::post(n.io, [&n] { n.housekeeping->cancel(); });
  if (n.driver) n.driver->Stop();
  if (n.transport) n.transport->Stop();
  n.work.reset();
  n.io.stop();
  for (auto& t : n.threads) t.join();
  n.threads.clear();
}

uint16_t Node::http_port() const { return impl_->http->port(); }

int RunNodeUntilSignal(const std::string& program, const config::NodeConfig& cfg,
                       NodeExtensions ext) {
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  // Block the stop signals in every thread; the calling thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto node = Node::Create(cfg, std::move(ext));
  if (!node.ok()) {
    std::cerr << program << ": " << node.status().ToString() << "\n";
    return 2;
  }
  if (auto s = (*node)->Start(); !s.ok()) {
    std::cerr << program << ": " << s.ToString() << "\n";
    return 1;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("{}: signal {}, stopping", program, sig);
  (*node)->Stop();
  return 0;
}
uint16_t Node::p2p_port() const { return impl_->transport->port(); }

}  // namespace tidemark::node
