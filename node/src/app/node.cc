// node.cc — the assembly of a node: Node::Create builds the ledger, mempool, consensus driver,
// p2p transport, block sync, REST backend and HTTP service from the config and wires them
// together; Start / Stop run them; the housekeeping timer drives the periodic jobs. Each job has
// its own file: config/startup.cc (genesis, key passphrase, peer addresses), node_ledger.cc (the
// REST backend), peer_channels.cc (p2p routing and tx gossip), known_peer_keys.cc (who may
// connect), node_metrics.cc (p2p and mempool metrics), pipeline_metrics.cc (stage timings, queue
// depths, pipeline counters).
#include "tidemark/node/app/node.h"

#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "tidemark/node/api/http_service.h"
#include "tidemark/node/app/consensus_driver.h"
#include "tidemark/node/app/fatal.h"
#include "tidemark/node/app/known_peer_keys.h"
#include "tidemark/node/app/ledger.h"
#include "tidemark/node/app/node_ledger.h"
#include "tidemark/node/app/node_metrics.h"
#include "tidemark/node/app/peer_channels.h"
#include "tidemark/node/app/pipeline_metrics.h"
#include "tidemark/node/app/scan_recorder.h"
#include "tidemark/node/app/signer_cache.h"
#include "tidemark/node/app/sync.h"
#include "tidemark/node/config/startup.h"
#include "tidemark/node/p2p/transport.h"
#include "tidemark/node/storage/leveldb_kv_store.h"

namespace tidemark::node {

namespace asio = boost::asio;

namespace {

// The allocator the process runs on: "jemalloc <version>" when jemalloc provides malloc (the node
// binary links it, CMakeLists.txt TIDEMARK_JEMALLOC), else "glibc" (sanitizer builds, the test
// binary).
using MallctlFn = int (*)(const char*, void*, size_t*, void*, size_t);
MallctlFn Mallctl() { return reinterpret_cast<MallctlFn>(::dlsym(RTLD_DEFAULT, "mallctl")); }

std::string AllocatorName() {
  MallctlFn mallctl = Mallctl();
  if (!mallctl) return "glibc";
  const char* version = nullptr;
  size_t len = sizeof(version);
  if (mallctl("version", &version, &len, nullptr, 0) != 0 || !version) return "jemalloc";
  return std::string("jemalloc ") + version;
}

}  // namespace

struct Node::Impl {
  config::NodeConfig cfg;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  KeyPair key;
  // Admission's signer facts (signer_cache.h); declared before the ledger and the mempool, whose
  // callbacks use it, so that it outlives both.
  std::unique_ptr<SignerCache> signers;
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<mempool::Mempool> pool;
  std::unique_ptr<ConsensusDriver> driver;
  std::unique_ptr<p2p::Transport> transport;
  std::unique_ptr<BlockSync> sync;
  std::unique_ptr<PeerChannels> channels;  // routes the transport's messages; gossips txs
  std::atomic<bool> ready{false};          // what the REST backend's Ready() answers
  std::unique_ptr<api::LedgerApi> api;     // the REST backend (node_ledger.h)
  std::unique_ptr<ScanRecorder> scans;     // the resolver's scan recorder (resolver.scan_key_file)
  std::unique_ptr<api::HttpService> http;
  std::unique_ptr<PipelineMetrics> pipeline;  // in http's registry; used until Stop
  std::unique_ptr<NodeMetrics> metrics;       // housekeeping only
  std::vector<p2p::PeerAddress> peers;
  std::unique_ptr<KnownPeerKeys> known_keys;  // peers from the config + the registry's validators
  std::unique_ptr<asio::steady_timer> housekeeping;  // metrics, known keys, blocked peers
  NodeExtensions ext;                 // a test binary's additions; empty in production
  std::set<PublicKey> fault_blocked;  // housekeeping only
  uint64_t ticks = 0;                 // housekeeping only
  const bool jemalloc = Mallctl() != nullptr;

  // Every 200 ms: the keys allowed to connect (governance may have changed the validator set),
  // p2p, mempool and SSE metrics, and the blocked peers of a test binary
  // (NodeExtensions::blocked_peers).
  void Housekeeping() {
    housekeeping->expires_after(std::chrono::milliseconds(200));
    housekeeping->async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      known_keys->Refresh();
      metrics->Update();
      pipeline->UpdateSse(http->bus());
      if (ext.blocked_peers) ApplyBlockedPeers();
      // Under glibc's malloc (sanitizer builds, the test binary), every 10 s, hand the allocator's
      // free pages back to the kernel: blocks, txs and LevelDB's compaction buffers are allocated
      // on many threads, and without this a validator's RSS grew to ~600 MiB in a 10-minute run of
      // which most was freed memory in malloc's arenas. jemalloc returns them itself (its decay),
      // without the trim's pause.
      if (!jemalloc && ++ticks % 50 == 0) malloc_trim(0);
      Housekeeping();
    });
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
};

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Node::~Node() { Stop(); }

Result<std::unique_ptr<Node>> Node::Create(const config::NodeConfig& cfg, NodeExtensions ext) {
  auto impl = std::make_unique<Impl>();
  impl->cfg = cfg;
  impl->ext = std::move(ext);
  contracts::ContractRegistry registry = contracts::BuiltinContracts();
  if (impl->ext.add_contracts) TM_RETURN_IF_ERROR(impl->ext.add_contracts(registry));
  TM_ASSIGN_OR_RETURN(contracts::Genesis genesis,
                      config::LoadGenesis(cfg.genesis_file, cfg.chain_id));
  if (!cfg.validator_key_file.empty()) {
    TM_ASSIGN_OR_RETURN(impl->key,
                        LoadNodeKey(cfg.validator_key_file, config::KeyPassphraseOf(cfg)));
  } else {
    impl->key = KeyPair::Generate();  // an observer's throwaway p2p identity
  }
  for (const auto& p : cfg.p2p.peers) {
    TM_ASSIGN_OR_RETURN(p2p::PeerAddress peer, config::ParsePeer(p));
    impl->peers.push_back(peer);
  }
  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) return Status::IoError("data_dir " + cfg.data_dir + ": " + ec.message());
  // The start-up check reads every table once (checksums, sizes against the MANIFEST): a damaged
  // or truncated file stops the node here, naming the file; a store that lacks synced writes it
  // acknowledged (a cut-off write-ahead log) stops it too (docs/storage.md, "Faults and
  // verify"). Every later write that fails stops the process (fatal.h). A test binary may wrap
  // the disk store first (NodeExtensions::wrap_store: tidemark-node-test's slow writes).
  TM_ASSIGN_OR_RETURN(
      auto leveldb,
      LevelDbKvStore::Open(cfg.data_dir + "/ledger", {.check_on_open = true, .sync_mark = true}));
  std::unique_ptr<KvStore> disk = std::move(leveldb);
  if (impl->ext.wrap_store) disk = impl->ext.wrap_store(std::move(disk));
  std::unique_ptr<KvStore> kv = ExitOnWriteFailure(std::move(disk));
  TM_ASSIGN_OR_RETURN(impl->ledger, Ledger::Open(std::move(kv), genesis, std::move(registry),
                                                 {.retain_versions = cfg.storage.retain_versions}));
  Ledger& ledger = *impl->ledger;
  std::vector<PublicKey> peer_keys;
  for (const auto& p : impl->peers) peer_keys.push_back(p.key);
  impl->known_keys = std::make_unique<KnownPeerKeys>(ledger, std::move(peer_keys));
  // Admission reads the latest written state through a fresh view under the ledger's read lock:
  // any HTTP or p2p thread may ask, concurrently with block writes. What it read is kept for the
  // next height unless that block wrote it (signer_cache.h).
  impl->signers = std::make_unique<SignerCache>(ledger);
  impl->pool = std::make_unique<mempool::Mempool>(
      api::MempoolOptionsFrom(cfg),
      [&ledger, &signers = *impl->signers](const PublicKey& k) -> Result<mempool::SignerInfo> {
        return signers.Read(ledger, k);
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
      p2p::TransportOptions{.chain_id = cfg.chain_id,
                            .listen_host = p2p_addr.first,
                            .listen_port = p2p_addr.second,
                            .ban_ms = cfg.p2p.ban_ms},
      [self](const PublicKey& k) { return self->known_keys->Authorized(k); },
      [self](const PublicKey& from, Bytes m) { self->channels->OnMessage(from, std::move(m)); },
      [self](const PublicKey& peer, bool connected) { self->channels->OnPeer(peer, connected); });
  // The senders and handlers below reach `channels` only once the node runs (Start).
  impl->driver->SetBadMessageHandler([self](const PublicKey& from, const Status& why) {
    self->channels->Misbehaved(from, "malformed consensus message: " + why.message());
  });
  impl->driver->SetSender(
      [self](const PublicKey* to, Bytes msg) { self->channels->SendConsensus(to, msg); });
  impl->sync = std::make_unique<BlockSync>(
      impl->io, ledger, *impl->driver,
      [self](const PublicKey& to, Bytes body) { self->channels->SendSync(to, body); },
      [self] { return self->transport->ConnectedPeers(); });
  impl->channels =
      std::make_unique<PeerChannels>(*impl->transport, *impl->pool, *impl->driver, *impl->sync,
                                     cfg.p2p.ban_ms, impl->ext.drop_inbound);
  impl->api = MakeNodeLedger(
      ledger, *impl->pool, *impl->driver,
      [self] { return self->transport->ConnectedPeers().size(); },
      [self] { return self->sync->catching_up(); },
      [self](ByteView tx) { self->channels->GossipTx(tx); }, impl->ready);
  impl->http = std::make_unique<api::HttpService>(cfg, impl->api.get(), impl->ext.tamper_proofs);
  impl->metrics = std::make_unique<NodeMetrics>(impl->http->metrics(), *impl->transport,
                                                *impl->sync, *impl->pool, *impl->signers);
  impl->pipeline = std::make_unique<PipelineMetrics>(impl->http->metrics());
  impl->driver->SetMetrics(impl->pipeline.get());
  impl->pool->SetAdmissionObserver(impl->pipeline->AdmissionObserver());
  impl->pool->SetTxTimingObserver(impl->pipeline->TxTimingObserver());
  if (!cfg.resolver.scan_key_file.empty()) {
    TM_ASSIGN_OR_RETURN(KeyPair scan_key,
                        LoadNodeKey(cfg.resolver.scan_key_file, config::KeyPassphraseOf(cfg)));
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
  n.known_keys->Refresh();
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
  n.ready = true;
  spdlog::info("node {} on chain {}: height {}, http :{}, p2p :{}, allocator {}",
               n.key.public_key().Hex().substr(0, 16), n.cfg.chain_id, n.ledger->height(),
               n.http->port(), n.transport->port(), AllocatorName());
  return Status::Ok();
}

void Node::Stop() {
  if (!impl_) return;
  Impl& n = *impl_;
  n.ready = false;
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
  // Under glibc's malloc, at most two arenas: its default (8 per core) lets each of the node's
  // threads (HTTP, p2p, consensus, LevelDB's compaction) fragment an arena of its own.
  if (!Mallctl()) mallopt(M_ARENA_MAX, 2);
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
    return kExitCannotStart;
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
