#include "sim.h"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <sstream>

#include "tidemark/consensus/replica.h"
#include "tidemark/hash.h"

namespace tidemark::consensus::sim {

namespace {

constexpr const char* kChain = "tidemark-sim";
constexpr size_t kTraceTail = 400;
constexpr uint64_t kFarRound = 1000000;

// ---- Deterministic randomness (splitmix64; no std distributions, whose output varies) ---------

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  bool Permille(uint64_t p) { return Below(1000) < p; }
  Hash256 RandomHash() {
    Hash256 h;
    for (size_t i = 0; i < 32; i += 8) {
      uint64_t v = Next();
      for (size_t j = 0; j < 8; ++j) h.data[i + j] = static_cast<uint8_t>(v >> (8 * j));
    }
    return h;
  }

 private:
  uint64_t s_;
};

// ---- Crypto: Ed25519, or a cheap stand-in (SHA-256 of key and message) ------------------------

class FakeSigner final : public Signer {
 public:
  explicit FakeSigner(PublicKey pk) : pk_(pk) {}
  const PublicKey& public_key() const override { return pk_; }
  Signature Sign(SigKind kind, ByteView body) const override { return Make(pk_, kind, body); }
  static Signature Make(const PublicKey& pk, SigKind kind, ByteView body) {
    Sha256Hasher h;
    h.Update(pk.view()).Update(static_cast<uint8_t>(kind)).Update(body);
    Hash256 d = h.Final();
    Signature s;
    std::copy(d.data.begin(), d.data.end(), s.data.begin());
    return s;
  }

 private:
  PublicKey pk_;
};

class FakeVerifier final : public Verifier {
 public:
  bool Verify(const PublicKey& pk, SigKind kind, ByteView body,
              const Signature& sig) const override {
    return FakeSigner::Make(pk, kind, body) == sig;
  }
};

// Ed25519, each distinct (key, message, signature) verified once per simulation whichever
// replica asks: every signature is still checked for real.
class CachingEd25519Verifier final : public Verifier {
 public:
  bool Verify(const PublicKey& pk, SigKind kind, ByteView body,
              const Signature& sig) const override {
    Sha256Hasher h;
    h.Update(pk.view()).Update(static_cast<uint8_t>(kind)).Update(body).Update(sig.view());
    Hash256 key = h.Final();
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    bool ok = inner_.Verify(pk, kind, body, sig);
    cache_.emplace(key, ok);
    return ok;
  }

 private:
  Ed25519Verifier inner_{kChain};
  mutable std::map<Hash256, bool> cache_;
};

const std::vector<KeyPair>& Keys() {
  static const std::vector<KeyPair> keys = [] {
    std::vector<KeyPair> k;
    for (size_t i = 0; i < 16; ++i) {
      Seed s;
      s.data.fill(static_cast<uint8_t>(0xA0 + i));
      k.push_back(KeyPair::FromSeed(s));
    }
    return k;
  }();
  return keys;
}

std::string Short(const Hash256& h) { return h.Hex().substr(0, 8); }

std::string Describe(const Message& m) {
  std::ostringstream o;
  o << MessageName(m);
  if (auto* p = std::get_if<ProposalMsg>(&m)) {
    o << " r=" << p->block.header.round << " h=" << p->block.header.height
      << " id=" << Short(p->block.Id()) << " qc=" << p->block.justify.data.round
      << (p->tc ? " tc=" + std::to_string(p->tc->round) : "");
  } else if (auto* v = std::get_if<Vote>(&m)) {
    o << " r=" << v->data.round << " id=" << Short(v->data.block_id) << " by=" << v->voter;
  } else if (auto* t = std::get_if<TimeoutMsg>(&m)) {
    o << " r=" << t->round << " hqc=" << t->high_qc.data.round << " by=" << t->voter;
  } else if (auto* q = std::get_if<BlockRequest>(&m)) {
    o << " id=" << Short(q->block_id);
  } else if (auto* b = std::get_if<BlockResponse>(&m)) {
    o << " n=" << b->blocks.size();
  }
  return o.str();
}

// ---- The simulation --------------------------------------------------------------------------

class Simulation;

struct Node {
  uint32_t slot = 0;  // key index
  bool byzantine = false;
  bool twin = false;  // one of two instances sharing a key (never mutates messages)
  std::unique_ptr<Signer> signer;
  std::unique_ptr<ProposalHost> host;
  std::unique_ptr<Replica> replica;
  bool alive = true;
  int64_t skew = 0;
  uint64_t timer_token = 0;
  // "Disk": survives crashes.
  SafetyState disk_safety;
  std::map<uint64_t, Block> chain;  // committed, by height
  std::map<Hash256, uint64_t> chain_index;
  Hash256 tip_id;
  std::map<Hash256, Block> disk_blocks;        // PersistBlock'ed, uncommitted
  std::map<uint64_t, EpochProof> epoch_certs;  // proof that ended each epoch
  // Observed (not on disk): for the invariants.
  std::map<std::pair<uint64_t, uint64_t>, Hash256> votes_sent;  // (epoch, round) -> block
  std::pair<uint64_t, uint64_t> last_round{0, 0};
  uint64_t rounds_after_gst = 0;
  std::deque<ProposalMsg> sent_proposals;  // Byzantine: the last ones it sent (for replays)
  std::optional<uint64_t> restarted_at;

  bool honest() const { return !byzantine; }
  uint64_t height() const { return chain.empty() ? 0 : chain.rbegin()->first; }
};

struct Event {
  enum Kind { kDeliver, kTimer, kCrash, kRestart, kPartition, kHeal, kGst, kByzantine, kTick };
  uint64_t time = 0;
  uint64_t seq = 0;
  Kind kind = kDeliver;
  size_t node = 0;
  size_t from = 0;
  uint64_t token = 0, epoch = 0, round = 0;
  std::shared_ptr<const Message> msg;
  bool operator>(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
};

class SimHost final : public ProposalHost {
 public:
  SimHost(Simulation* sim, size_t node) : sim_(sim), node_(node) {}
  std::optional<Block> BuildProposal(const BlockHeader& fields, const QuorumCert& justify) override;
  Status ValidateProposal(const Block& block) override;
  std::optional<ValidatorSet> EndsEpoch(const Block& b, const ValidatorSet& current) override;
  std::optional<Block> LoadCommittedBlock(const Hash256& id) override;
  std::optional<EpochProof> LoadEpochProof(uint64_t epoch) override;

 private:
  Simulation* sim_;
  size_t node_;
};

class Simulation {
 public:
  explicit Simulation(const SimConfig& cfg);
  SimResult Run();

  // Used by SimHost.
  Node& node(size_t i) { return nodes_[i]; }
  void RecordProposed(const Block& b) {
    if (proposed_.emplace(b.Id(), b).second) {
      recent_blocks_.push_back(b.Id());
      if (recent_blocks_.size() > 64) recent_blocks_.pop_front();
    }
  }
  std::optional<ValidatorSet> EpochAfter(const Block& b, const ValidatorSet& current);
  const Block* Proposed(const Hash256& id) const {
    auto it = proposed_.find(id);
    return it == proposed_.end() ? nullptr : &it->second;
  }
  void CountDeferred() { ++result_.deferred_proposals; }

 private:
  void Setup();
  void Schedule(Event e) {
    e.seq = seq_++;
    queue_.push(std::move(e));
  }
  void Step(const Event& e);
  void Execute(size_t i, std::vector<Action> actions);
  void Transmit(size_t from, size_t to, std::shared_ptr<const Message> msg);
  void SendFrom(size_t from, const PublicKey& to, const Message& m);
  void BroadcastFrom(size_t from, const Message& m);
  void ByzantineSend(size_t from, std::vector<size_t> targets, const Message& m);
  void ByzantineInject(size_t i);
  void Forge(size_t i);
  void Observe(size_t byzantine, const Message& m);
  std::vector<size_t> HonestSubset();
  QuorumCert ForgedQc(size_t i, const VoteData& d, int how);
  std::optional<TimeoutCert> ForgedTc(size_t i, int how);
  void SendForged(size_t i, const std::vector<size_t>& to, const Message& m);
  void CheckCerts(size_t i, const Message& m);
  bool QcOk(const QuorumCert& qc, uint64_t epoch);
  std::optional<ProposalMsg> ForkOf(size_t i, const ProposalMsg& p);
  Signature SignAs(size_t i, SigKind kind, const Bytes& body) {
    return nodes_[i].signer->Sign(kind, body);
  }
  void OnCommit(size_t i, const CommitBlocks& c);
  void CheckSend(size_t i, const Message& m);
  void CheckNode(size_t i);
  void Crash(size_t i);
  void Restart(size_t i);
  void StartReplica(size_t i);
  void Gst();
  void CheckLiveness();
  void Fail(const std::string& why);
  void Trace(const std::string& line);
  std::vector<size_t> NodesWithKey(const PublicKey& pk) const;
  uint64_t Now(size_t i) const {
    return static_cast<uint64_t>(static_cast<int64_t>(now_) + nodes_[i].skew);
  }

  SimConfig cfg_;
  Rng rng_;
  bool real_;
  std::unique_ptr<Verifier> verifier_;
  std::vector<Node> nodes_;
  std::map<uint64_t, ValidatorSet> epoch_sets_;
  std::set<size_t> byzantine_slots_;
  Block genesis_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue_;
  uint64_t seq_ = 0;
  uint64_t now_ = 0;
  bool faulty_ = true;
  std::vector<int> group_;  // partition group per node
  std::map<Hash256, Block> proposed_;
  std::map<Hash256, VoteData> fork_votes_;
  std::map<Hash256, ProposalMsg> forks_;  // honest block id -> the fork a Byzantine votes for
  std::map<uint64_t, Hash256> committed_;
  // What the Byzantine replicas have received (the adversary's material for forgeries).
  std::map<std::pair<uint64_t, uint64_t>, std::map<uint32_t, TimeoutMsg>> seen_timeouts_;
  std::map<Bytes, std::map<uint32_t, Signature>> seen_votes_;  // VoteData bytes -> signers
  std::deque<QuorumCert> seen_qcs_;
  std::deque<TimeoutCert> seen_tcs_;
  std::deque<Hash256> recent_blocks_;  // recently proposed block ids
  std::set<Hash256> certs_checked_;    // certificates honest replicas sent, verified once
  std::map<Hash256, QuorumCert>
      certs_ok_;  // by commit_id, already verified  // height -> id, by honest replicas
  std::optional<uint64_t> gst_height_;
  bool live_ = false;
  SimResult result_;
  bool tracing_;
  std::deque<std::string> trace_;
  std::vector<std::string> full_trace_;
};

// ---- Host ------------------------------------------------------------------------------------

std::optional<Block> SimHost::BuildProposal(const BlockHeader& fields, const QuorumCert& justify) {
  const Node& n = sim_->node(node_);
  // As the node's host: the roots of a proposal never go below its parent's exec_height, and a
  // host that has not committed that far yet (its commit is among this step's actions) defers.
  const Block* parent = sim_->Proposed(justify.data.block_id);
  if (parent != nullptr && parent->header.exec_height > n.height()) {
    sim_->CountDeferred();
    return std::nullopt;
  }
  Block b;
  b.header = fields;
  b.justify = justify;
  for (uint64_t i = 0; i < fields.round % 3; ++i) {  // an opaque batch of 0-2 txs
    Transaction tx{.chain_id = kChain,
                   .nonce = fields.round * 4 + i,
                   .contract = "sim",
                   .method = "put",
                   .args = Bytes{static_cast<uint8_t>(n.slot)}};
    b.txs.push_back(std::move(tx));
  }
  b.header.tx_count = static_cast<uint32_t>(b.txs.size());
  b.header.tx_root = TxRoot(b.txs);
  // The node's rule (consensus_driver.cc): the height its parent's own justify QC committed —
  // every voter of the parent processed that QC — never below the parent's exec_height.
  const uint64_t parent_exec = parent != nullptr ? parent->header.exec_height : 0;
  const uint64_t certified = parent != nullptr ? parent->justify.data.commit_height : 0;
  b.header.exec_height = std::max(parent_exec, std::min(n.height(), certified));
  sim_->RecordProposed(b);
  return b;
}

Status SimHost::ValidateProposal(const Block& block) {
  if (block.txs.size() > 3) return Status::Invalid("sim: batch too large");
  const Block* parent = sim_->Proposed(block.header.parent);
  if (parent != nullptr && block.header.exec_height < parent->header.exec_height) {
    return Status::Invalid("sim: exec_height goes backwards");
  }
  for (const auto& tx : block.txs) {
    if (tx.contract != "sim") return Status::Invalid("sim: unknown contract");
  }
  return Status::Ok();
}

std::optional<ValidatorSet> SimHost::EndsEpoch(const Block& b, const ValidatorSet& current) {
  return sim_->EpochAfter(b, current);
}

std::optional<Block> SimHost::LoadCommittedBlock(const Hash256& id) {
  const Node& n = sim_->node(node_);
  auto it = n.chain_index.find(id);
  if (it == n.chain_index.end()) return std::nullopt;
  return n.chain.at(it->second);
}

std::optional<EpochProof> SimHost::LoadEpochProof(uint64_t epoch) {
  const Node& n = sim_->node(node_);
  auto it = n.epoch_certs.find(epoch);
  if (it == n.epoch_certs.end()) return std::nullopt;
  return it->second;
}

// ---- Setup -----------------------------------------------------------------------------------

Simulation::Simulation(const SimConfig& cfg)
    : cfg_(cfg), rng_(cfg.seed * 0x2545F4914F6CDD1DULL + 7) {
  real_ = cfg.crypto == CryptoMode::kReal || (cfg.crypto == CryptoMode::kAuto && cfg.seed % 8 == 0);
  if (real_) {
    verifier_ = std::make_unique<CachingEd25519Verifier>();
  } else {
    verifier_ = std::make_unique<FakeVerifier>();
  }
  result_.seed = cfg.seed;
  result_.real_crypto = real_;
  tracing_ = cfg.trace_tail || cfg.keep_full_trace;
}

std::optional<ValidatorSet> Simulation::EpochAfter(const Block& b, const ValidatorSet& current) {
  if (!cfg_.faults.epochs || b.header.height % kEpochLength != 0) return std::nullopt;
  ValidatorSet next;
  next.epoch = current.epoch + 1;
  next.validators = current.validators;
  // Odd epochs rotate the indices; even ones swap an honest member for the spare validator
  // (membership changes: one leaves, one joins and must catch up through EpochProofs).
  bool swapped = false;
  if (next.epoch % 2 == 0) {
    size_t spare = 0;  // the one key of slots 0..n outside the current set
    while (spare <= cfg_.n && current.IndexOf(Keys()[spare].public_key())) ++spare;
    for (size_t k = 0; spare <= cfg_.n && k < next.validators.size() && !swapped; ++k) {
      size_t pos = (next.epoch / 2 + k) % next.validators.size();
      size_t slot = 0;
      while (Keys()[slot].public_key() != next.validators[pos].key) ++slot;
      if (byzantine_slots_.count(slot)) continue;
      next.validators[pos] = {Keys()[spare].public_key(), "org" + std::to_string(spare)};
      swapped = true;
    }
  }
  if (!swapped) {
    std::rotate(next.validators.begin(), next.validators.begin() + 1, next.validators.end());
  }
  auto [it, inserted] = epoch_sets_.emplace(next.epoch, next);
  if (!inserted && !(it->second.Hash() == next.Hash())) Fail("epoch change disagrees");
  return it->second;
}

void Simulation::Setup() {
  const size_t n = cfg_.n;
  const size_t f = (n - 1) / 3;
  ValidatorSet vs;
  for (size_t i = 0; i < n; ++i)
    vs.validators.push_back({Keys()[i].public_key(), "org" + std::to_string(i)});
  epoch_sets_[0] = vs;
  genesis_.header.chain_id = kChain;
  genesis_.header.tx_root = TxRoot({});
  genesis_.header.validators_hash = vs.Hash();
  genesis_.justify = EpochRootQc(0, Hash256{}, 0);
  genesis_.header.justify_hash = genesis_.justify.Hash();
  const Hash256 gid = genesis_.Id();
  proposed_.emplace(gid, genesis_);
  committed_[0] = gid;

  std::set<size_t> byz;
  if (cfg_.faults.AnyByzantine()) {
    while (byz.size() < f) byz.insert(rng_.Below(n));
  }
  byzantine_slots_ = byz;
  const bool twins = cfg_.faults.twins && !byz.empty();
  // With epochs, one spare honest validator (key n) starts outside the set and joins later.
  for (size_t s = 0; s < n + (cfg_.faults.epochs ? 1 : 0); ++s) {
    const size_t copies = (twins && s == *byz.begin()) ? 2 : 1;
    for (size_t k = 0; k < copies; ++k) {
      Node nd;
      nd.slot = static_cast<uint32_t>(s);
      nd.byzantine = byz.count(s) > 0;
      nd.twin = copies == 2;
      nd.skew = static_cast<int64_t>(rng_.Below(41)) - 20;
      if (real_) {
        nd.signer = std::make_unique<Ed25519Signer>(Keys()[s], kChain);
      } else {
        nd.signer = std::make_unique<FakeSigner>(Keys()[s].public_key());
      }
      nd.disk_safety = SafetyState::ForEpochRoot(0, gid, 0);
      nd.chain[0] = genesis_;
      nd.chain_index[gid] = 0;
      nd.tip_id = gid;
      nodes_.push_back(std::move(nd));
    }
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i].host = std::make_unique<SimHost>(this, i);
  }
  group_.assign(nodes_.size(), 0);

  // The fault schedule, all before GST.
  const uint64_t fm = cfg_.fault_ms;
  if (cfg_.faults.partition) {
    for (uint64_t k = 0, m = 1 + rng_.Below(3); k < m; ++k) {
      uint64_t at = rng_.Below(fm);
      Schedule({.time = at, .kind = Event::kPartition});
      Schedule({.time = std::min(fm, at + 200 + rng_.Below(1500)), .kind = Event::kHeal});
    }
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {  // the host's OnTick (fetch retries, pacing)
    Schedule({.time = 1 + rng_.Below(100), .kind = Event::kTick, .node = i});
  }
  if (cfg_.faults.crash) {
    for (uint64_t k = 0, m = 1 + rng_.Below(3); k < m; ++k) {
      size_t who = rng_.Below(nodes_.size());
      uint64_t at = rng_.Below(fm);
      Schedule({.time = at, .kind = Event::kCrash, .node = who});
      Schedule(
          {.time = std::min(fm, at + 50 + rng_.Below(1500)), .kind = Event::kRestart, .node = who});
    }
  }
  Schedule({.time = fm, .kind = Event::kGst});
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].byzantine && !nodes_[i].twin) {
      Schedule({.time = 50 + rng_.Below(100), .kind = Event::kByzantine, .node = i});
    }
  }
}

void Simulation::StartReplica(size_t i) {
  Node& nd = nodes_[i];
  ReplicaOptions opts;
  opts.chain_id = kChain;
  opts.base_timeout_ms = 250;
  opts.max_backoff_exponent = 4;
  opts.max_clock_drift_ms = 500;
  opts.fetch_retry_ms = 100;
  opts.peer_down_after_ms = 1000;
  if (nd.honest()) opts.test_only_break = cfg_.test_only_break;
  // Everything read back from "disk" goes through its real encoding, as the node's store does.
  auto safety = SafetyState::Decode(nd.disk_safety.Encode());
  auto tip = Block::Decode(nd.chain.rbegin()->second.Encode());
  if (!safety.ok() || !tip.ok() || !(*safety == nd.disk_safety) || tip->Id() != nd.tip_id) {
    return Fail("n" + std::to_string(i) + ": persisted state does not round-trip");
  }
  ReplicaInit init{epoch_sets_.at(safety->epoch), std::move(*tip), std::move(*safety), {}};
  for (const auto& [id, b] : nd.disk_blocks) {
    auto back = Block::Decode(b.Encode());
    if (!back.ok() || back->Id() != id) return Fail("a persisted block does not round-trip");
    init.pending_blocks.push_back(std::move(*back));
  }
  nd.replica = std::make_unique<Replica>(opts, std::move(init), nd.host.get(), nd.signer.get(),
                                         verifier_.get());
  nd.alive = true;
  Execute(i, nd.replica->Start(Now(i)));
}

// ---- Running ---------------------------------------------------------------------------------

SimResult Simulation::Run() {
  Setup();
  for (size_t i = 0; i < nodes_.size(); ++i) StartReplica(i);
  const uint64_t end = cfg_.fault_ms + cfg_.stable_ms;
  while (result_.ok && !queue_.empty() && !(live_ && cfg_.stop_when_live)) {
    Event e = queue_.top();
    queue_.pop();
    if (e.time > end) break;
    now_ = e.time;
    ++result_.events;
    Step(e);
    for (size_t i = 0; result_.ok && i < nodes_.size(); ++i) CheckNode(i);
    if (result_.ok && gst_height_ && !live_) CheckLiveness();
  }
  if (result_.ok && !live_) {
    Fail("liveness: honest replicas did not commit " + std::to_string(cfg_.liveness_blocks) +
         " new blocks within " + std::to_string(cfg_.stable_ms) + " ms after GST");
  }
  result_.virtual_ms = now_;
  uint64_t low = UINT64_MAX;
  for (const auto& nd : nodes_) {
    if (nd.honest()) low = std::min(low, nd.height());
  }
  result_.committed_height = low;
  result_.committed_blocks = committed_.size() - 1;
  if (cfg_.keep_full_trace) {
    result_.trace = std::move(full_trace_);
  } else {
    result_.trace.assign(trace_.begin(), trace_.end());
  }
  return result_;
}

void Simulation::Step(const Event& e) {
  switch (e.kind) {
    case Event::kDeliver: {
      Node& nd = nodes_[e.node];
      if (!nd.alive) return;
      if (tracing_) {
        Trace("deliver n" + std::to_string(e.node) + "<-n" + std::to_string(e.from) + " " +
              Describe(*e.msg));
      }
      if (nd.byzantine) Observe(e.node, *e.msg);
      std::vector<Action> out;
      if (real_) {  // Ed25519 seeds also take every message through the wire codec
        auto decoded = DecodeMessage(EncodeMessage(*e.msg));
        if (!decoded.ok()) {  // a forged frame the decoder refuses is dropped by the host
          if (nodes_[e.from].byzantine) return Trace("dropped: " + decoded.status().ToString());
          return Fail("codec: " + decoded.status().ToString());
        }
        out = nd.replica->OnMessage(nodes_[e.from].signer->public_key(), *decoded, Now(e.node));
      } else {
        out = nd.replica->OnMessage(nodes_[e.from].signer->public_key(), *e.msg, Now(e.node));
      }
      Execute(e.node, std::move(out));
      return;
    }
    case Event::kTimer: {
      Node& nd = nodes_[e.node];
      if (!nd.alive || e.token != nd.timer_token) return;
      if (tracing_) {
        Trace("timer n" + std::to_string(e.node) + " e=" + std::to_string(e.epoch) +
              " r=" + std::to_string(e.round));
      }
      Execute(e.node, nd.replica->OnTimer(e.epoch, e.round, Now(e.node)));
      return;
    }
    case Event::kCrash:
      return Crash(e.node);
    case Event::kRestart:
      return Restart(e.node);
    case Event::kPartition: {
      std::ostringstream o;
      o << "partition";
      do {
        for (size_t i = 0; i < group_.size(); ++i) group_[i] = static_cast<int>(rng_.Below(2));
      } while (std::count(group_.begin(), group_.end(), 0) == 0 ||
               std::count(group_.begin(), group_.end(), 1) == 0);
      for (size_t i = 0; i + 1 < nodes_.size(); ++i) {  // Twins land on different sides
        if (nodes_[i].twin && nodes_[i + 1].twin && nodes_[i].slot == nodes_[i + 1].slot) {
          group_[i + 1] = 1 - group_[i];
        }
      }
      for (int g : group_) o << " " << g;
      Trace(o.str());
      return;
    }
    case Event::kHeal:
      Trace("heal");
      std::fill(group_.begin(), group_.end(), 0);
      return;
    case Event::kGst:
      return Gst();
    case Event::kTick: {
      Node& nd = nodes_[e.node];
      if (nd.alive) Execute(e.node, nd.replica->OnTick(Now(e.node)));
      Schedule({.time = now_ + 100, .kind = Event::kTick, .node = e.node});
      return;
    }
    case Event::kByzantine:
      if (nodes_[e.node].alive) ByzantineInject(e.node);
      Schedule({.time = now_ + 100 + rng_.Below(200), .kind = Event::kByzantine, .node = e.node});
      return;
  }
}

void Simulation::Crash(size_t i) {
  Node& nd = nodes_[i];
  if (!nd.alive) return;
  Trace("crash n" + std::to_string(i));
  nd.alive = false;
  nd.replica.reset();
  ++nd.timer_token;
}

void Simulation::Restart(size_t i) {
  if (nodes_[i].alive) return;
  Trace("restart n" + std::to_string(i) + " from persisted round " +
        std::to_string(nodes_[i].disk_safety.last_voted_round));
  nodes_[i].restarted_at = now_;
  StartReplica(i);
  if (!cfg_.faults.forge || !nodes_[i].honest()) return;
  for (size_t b = 0; b < nodes_.size(); ++b) {  // a reconnecting peer gets the old proposals
    if (!nodes_[b].byzantine || nodes_[b].twin || !nodes_[b].alive) continue;
    for (const ProposalMsg& p : nodes_[b].sent_proposals) SendForged(b, {i}, p);
  }
}

void Simulation::Gst() {
  Trace("GST: network heals, crashed replicas restart");
  faulty_ = false;
  std::fill(group_.begin(), group_.end(), 0);
  for (size_t i = 0; i < nodes_.size(); ++i) Restart(i);
  uint64_t h = 0;
  for (auto& nd : nodes_) {
    nd.rounds_after_gst = 0;
    if (nd.honest()) h = std::max(h, nd.height());
  }
  gst_height_ = h;
}

void Simulation::CheckLiveness() {
  const uint64_t target = *gst_height_ + cfg_.liveness_blocks;
  const uint64_t bound = 6 * cfg_.n + 12;
  uint64_t worst = 0;
  const ValidatorSet& latest = epoch_sets_.rbegin()->second;  // members must make progress
  for (const auto& nd : nodes_) {
    if (!nd.honest() || !latest.IndexOf(nd.signer->public_key())) continue;
    if (nd.height() < target) {
      if (nd.rounds_after_gst > bound) {
        Fail("liveness: an honest replica entered " + std::to_string(nd.rounds_after_gst) +
             " rounds after GST without committing " + std::to_string(cfg_.liveness_blocks) +
             " new blocks (bound " + std::to_string(bound) + ")");
      }
      return;
    }
    worst = std::max(worst, nd.rounds_after_gst);
  }
  live_ = true;
  result_.rounds_after_gst = worst;
}

// ---- Actions and the network -----------------------------------------------------------------

void Simulation::Execute(size_t i, std::vector<Action> actions) {
  if (cfg_.faults.fork && nodes_[i].byzantine && !nodes_[i].twin) {
    // A forking leader decides on its fork before its own vote leaves.
    for (const auto& a : actions) {
      auto* b = std::get_if<Broadcast>(&a);
      auto* p = b ? std::get_if<ProposalMsg>(&b->msg) : nullptr;
      if (p && p->tc) (void)ForkOf(i, *p);
    }
  }
  for (auto& a : actions) {
    if (!result_.ok) return;
    Node& nd = nodes_[i];
    if (auto* p = std::get_if<PersistSafety>(&a)) {
      nd.disk_safety = p->state;
    } else if (auto* pb = std::get_if<PersistBlock>(&a)) {
      nd.disk_blocks.emplace(pb->block.Id(), pb->block);
    } else if (auto* s = std::get_if<SendTo>(&a)) {
      CheckSend(i, s->msg);
      SendFrom(i, s->to, s->msg);
    } else if (auto* b = std::get_if<Broadcast>(&a)) {
      CheckSend(i, b->msg);
      BroadcastFrom(i, b->msg);
    } else if (auto* c = std::get_if<CommitBlocks>(&a)) {
      OnCommit(i, *c);
    } else if (auto* t = std::get_if<ScheduleTimer>(&a)) {
      std::pair<uint64_t, uint64_t> er{t->epoch, t->round};
      if (er != nd.last_round) {
        nd.last_round = er;
        ++nd.rounds_after_gst;
      }
      uint64_t at = static_cast<uint64_t>(
          std::max<int64_t>(static_cast<int64_t>(now_), static_cast<int64_t>(t->at_ms) - nd.skew));
      Schedule({.time = at,
                .kind = Event::kTimer,
                .node = i,
                .token = ++nd.timer_token,
                .epoch = t->epoch,
                .round = t->round});
    }
  }
}

std::vector<size_t> Simulation::NodesWithKey(const PublicKey& pk) const {
  std::vector<size_t> out;
  for (size_t j = 0; j < nodes_.size(); ++j) {
    if (nodes_[j].signer->public_key() == pk) out.push_back(j);
  }
  return out;
}

void Simulation::SendFrom(size_t from, const PublicKey& to, const Message& m) {
  std::vector<size_t> targets;
  for (size_t j : NodesWithKey(to)) {
    if (j != from) targets.push_back(j);
  }
  if (nodes_[from].byzantine && !nodes_[from].twin) return ByzantineSend(from, targets, m);
  auto msg = std::make_shared<const Message>(m);
  for (size_t j : targets) Transmit(from, j, msg);
}

void Simulation::BroadcastFrom(size_t from, const Message& m) {
  const ValidatorSet& vs = nodes_[from].replica->validators();
  const PublicKey& me = nodes_[from].signer->public_key();
  std::vector<size_t> targets;
  for (const auto& v : vs.validators) {
    if (v.key == me) continue;
    for (size_t j : NodesWithKey(v.key)) targets.push_back(j);
  }
  if (nodes_[from].byzantine && !nodes_[from].twin) return ByzantineSend(from, targets, m);
  auto msg = std::make_shared<const Message>(m);
  for (size_t j : targets) Transmit(from, j, msg);
}

void Simulation::Transmit(size_t from, size_t to, std::shared_ptr<const Message> msg) {
  ++result_.messages;
  if (group_[from] != group_[to]) return;
  if (faulty_ && cfg_.lose_fetches_after_restart_ms > 0 &&
      std::holds_alternative<BlockRequest>(*msg) && nodes_[from].restarted_at &&
      now_ < *nodes_[from].restarted_at + cfg_.lose_fetches_after_restart_ms) {
    if (tracing_) Trace("lost: block request of restarted n" + std::to_string(from));
    return;
  }
  uint64_t delay = 1 + rng_.Below(20);
  if (faulty_) {
    if (cfg_.faults.drop && rng_.Permille(150)) return;
    delay = 1 + rng_.Below(60) + (rng_.Permille(50) ? rng_.Below(400) : 0);
    if (cfg_.faults.dup && rng_.Permille(50)) {
      Schedule({.time = now_ + 1 + rng_.Below(150),
                .kind = Event::kDeliver,
                .node = to,
                .from = from,
                .msg = msg});
    }
  }
  Schedule({.time = now_ + delay,
            .kind = Event::kDeliver,
            .node = to,
            .from = from,
            .msg = std::move(msg)});
}

// ---- Byzantine behaviour ---------------------------------------------------------------------

std::optional<ProposalMsg> Simulation::ForkOf(size_t i, const ProposalMsg& p) {
  auto cached = forks_.find(p.block.Id());
  if (cached != forks_.end()) return cached->second;
  // Extend a QC one or two below the one the honest proposal extends (its parent's justify, or
  // its grandparent's): deep enough to leave a block the others may have committed.
  auto parent = proposed_.find(p.block.justify.data.block_id);
  if (parent == proposed_.end() || parent->second.header.height == 0) return std::nullopt;
  if (rng_.Below(2)) {
    auto grandparent = proposed_.find(parent->second.justify.data.block_id);
    if (grandparent != proposed_.end() && grandparent->second.header.height > 0 &&
        grandparent->second.header.epoch == p.block.header.epoch) {
      parent = grandparent;
    }
  }
  const QuorumCert& old = parent->second.justify;
  if (old.data.epoch != p.block.header.epoch) return std::nullopt;
  ProposalMsg f = p;
  f.block.justify = old;
  f.block.header.parent = old.data.block_id;
  f.block.header.height = old.data.height + 1;
  f.block.header.justify_hash = old.Hash();
  f.signature = SignAs(i, SigKind::kProposal, ProposalSigningBody(f.block.Id()));
  RecordProposed(f.block);
  auto grand = proposed_.find(old.data.block_id);
  if (grand != proposed_.end()) {  // and vote for the fork instead of the original
    fork_votes_[p.block.Id()] =
        MakeVoteData(f.block.Id(), f.block.header, old.data.block_id, grand->second.header,
                     grand->second.header.round == 0 || old.data.round == 0);
  }
  forks_.emplace(p.block.Id(), f);
  Trace("byzantine n" + std::to_string(i) + " forks from qc r=" + std::to_string(old.data.round));
  return f;
}

void Simulation::ByzantineSend(size_t from, std::vector<size_t> targets, const Message& m) {
  const Faults& fl = cfg_.faults;
  if (fl.silent) return;
  Message main = m;
  std::optional<Message> alt;
  if (auto* p = std::get_if<ProposalMsg>(&main)) {
    if (fl.fork && p->tc) {
      if (auto f = ForkOf(from, *p)) main = *f;
    }
    if (fl.equivocate && rng_.Permille(600)) {
      ProposalMsg p2 = std::get<ProposalMsg>(main);
      p2.block.header.timestamp_ms += 1 + rng_.Below(5);
      p2.signature = SignAs(from, SigKind::kProposal, ProposalSigningBody(p2.block.Id()));
      RecordProposed(p2.block);
      Trace("byzantine n" + std::to_string(from) + " equivocates in round " +
            std::to_string(p2.block.header.round));
      alt = std::move(p2);
    }
  } else if (auto* t = std::get_if<TimeoutMsg>(&main); t && fl.forge) {
    // The lowest high QC it can sign: its epoch's root (round 0), always valid.
    const SafetyState& st = nodes_[from].replica->safety();
    if (st.epoch == t->epoch) {
      t->high_qc = EpochRootQc(st.epoch, st.epoch_root_id, st.epoch_root_height);
      t->signature = SignAs(from, SigKind::kTimeout, TimeoutSigningBody(t->epoch, t->round, 0));
    }
  } else if (auto* v = std::get_if<Vote>(&main)) {
    auto fv = fork_votes_.find(v->data.block_id);
    if (fl.fork && fv != fork_votes_.end()) {
      v->data = fv->second;
      v->signature = SignAs(from, SigKind::kVote, v->data.Encode());
    }
    if (fl.double_vote) {
      Vote v2 = *v;
      v2.data.block_id = rng_.RandomHash();
      v2.signature = SignAs(from, SigKind::kVote, v2.data.Encode());
      alt = std::move(v2);
    }
  }
  Node& byz = nodes_[from];
  if (auto* p = std::get_if<ProposalMsg>(&main)) {
    byz.sent_proposals.push_back(*p);
    if (alt) byz.sent_proposals.push_back(std::get<ProposalMsg>(*alt));
    while (byz.sent_proposals.size() > 8) byz.sent_proposals.pop_front();
  }
  const bool withholdable =
      std::holds_alternative<ProposalMsg>(main) || std::holds_alternative<BlockResponse>(main);
  auto main_ptr = std::make_shared<const Message>(std::move(main));
  std::shared_ptr<const Message> alt_ptr;
  if (alt) alt_ptr = std::make_shared<const Message>(std::move(*alt));
  for (size_t j : targets) {
    if (fl.withhold && withholdable && rng_.Permille(500)) {
      if (tracing_)
        Trace("byzantine n" + std::to_string(from) + " withholds from n" + std::to_string(j) +
              ": " + Describe(*main_ptr));
      continue;
    }
    const bool is_vote = std::holds_alternative<Vote>(*main_ptr);
    if (alt_ptr && is_vote) {  // double vote: both, in random order
      Transmit(from, j, rng_.Below(2) ? main_ptr : alt_ptr);
      Transmit(from, j, rng_.Below(2) ? main_ptr : alt_ptr);
    } else {
      Transmit(from, j, (alt_ptr && rng_.Below(2)) ? alt_ptr : main_ptr);
    }
    if (fl.bad_sig && rng_.Permille(300)) {
      Message bad = *main_ptr;
      std::visit(
          [](auto& x) {
            if constexpr (requires { x.signature; }) x.signature.data[0] ^= 0x40;
          },
          bad);
      Transmit(from, j, std::make_shared<const Message>(std::move(bad)));
    }
  }
}

void Simulation::ByzantineInject(size_t i) {
  Node& nd = nodes_[i];
  const Faults& fl = cfg_.faults;
  if (fl.silent) return;
  const Replica& r = *nd.replica;
  auto me = r.validators().IndexOf(nd.signer->public_key());
  if (!me) return;
  const uint64_t epoch = r.epoch();
  if (fl.far_future) {
    TimeoutMsg t;
    t.epoch = epoch;
    t.round = r.round() + kFarRound + rng_.Below(1000);
    t.high_qc = r.safety().high_qc;
    t.voter = *me;
    t.signature =
        SignAs(i, SigKind::kTimeout, TimeoutSigningBody(epoch, t.round, t.high_qc.data.round));
    Trace("byzantine n" + std::to_string(i) + " announces round " + std::to_string(t.round));
    BroadcastFrom(i, t);
    Vote v;
    v.data.epoch = epoch;
    v.data.round = r.round() + kFarRound;
    v.data.height = v.data.round;
    v.data.block_id = rng_.RandomHash();
    v.voter = *me;
    v.signature = SignAs(i, SigKind::kVote, v.data.Encode());
    BroadcastFrom(i, v);
  }
  if (fl.forge) Forge(i);
  if (fl.unknown_block) {
    Vote v;
    v.data.epoch = epoch;
    v.data.round = r.round();
    v.data.height = r.committed_height() + 1 + rng_.Below(3);
    v.data.block_id = rng_.RandomHash();
    v.voter = *me;
    v.signature = SignAs(i, SigKind::kVote, v.data.Encode());
    SendFrom(i, r.validators().validators[r.LeaderOf(r.round() + 1)].key, v);
  }
}

// ---- The forging adversary (fault `forge`) ---------------------------------------------------

// Keeps what a Byzantine replica receives: timeouts (with their signatures), votes, QCs, TCs.
void Simulation::Observe(size_t byzantine, const Message& m) {
  (void)byzantine;
  if (!cfg_.faults.forge) return;
  auto keep_qc = [&](const QuorumCert& qc) {
    if (qc.IsGenesis()) return;
    seen_qcs_.push_back(qc);
    if (seen_qcs_.size() > 32) seen_qcs_.pop_front();
  };
  auto keep_tc = [&](const TimeoutCert& tc) {
    seen_tcs_.push_back(tc);
    if (seen_tcs_.size() > 16) seen_tcs_.pop_front();
  };
  if (auto* t = std::get_if<TimeoutMsg>(&m)) {
    auto& round = seen_timeouts_[{t->epoch, t->round}];
    round.emplace(t->voter, *t);
    while (seen_timeouts_.size() > 16) seen_timeouts_.erase(seen_timeouts_.begin());
    keep_qc(t->high_qc);
    if (t->last_tc) keep_tc(*t->last_tc);
  } else if (auto* v = std::get_if<Vote>(&m)) {
    seen_votes_[v->data.Encode()].emplace(v->voter, v->signature);
    while (seen_votes_.size() > 64) seen_votes_.erase(seen_votes_.begin());
  } else if (auto* p = std::get_if<ProposalMsg>(&m)) {
    keep_qc(p->block.justify);
    if (p->tc) keep_tc(*p->tc);
  }
}

std::vector<size_t> Simulation::HonestSubset() {
  std::vector<size_t> out;
  for (size_t j = 0; j < nodes_.size(); ++j) {
    if (nodes_[j].honest() && rng_.Permille(600)) out.push_back(j);
  }
  return out;
}

// A QC over `d` the real rules reject: how = 0 one Byzantine signer repeated to a quorum,
// 1 2f signers (Byzantine keys and honest votes it received), 2 a non-member signer.
QuorumCert Simulation::ForgedQc(size_t i, const VoteData& d, int how) {
  const ValidatorSet& vs = epoch_sets_.at(d.epoch);
  QuorumCert qc;
  qc.data = d;
  const Bytes body = d.Encode();
  auto me = vs.IndexOf(nodes_[i].signer->public_key());
  const uint32_t my = me ? *me : 0;
  if (how == 0) {
    for (size_t k = 0; k < vs.Quorum(); ++k)
      qc.signatures.emplace_back(my, SignAs(i, SigKind::kVote, body));
  } else if (how == 1) {
    std::map<uint32_t, Signature> sigs;
    auto seen = seen_votes_.find(body);
    if (seen != seen_votes_.end()) sigs = seen->second;
    for (size_t j = 0; j < nodes_.size(); ++j) {  // the f Byzantine keys collude
      auto idx = vs.IndexOf(nodes_[j].signer->public_key());
      if (nodes_[j].byzantine && idx) sigs[*idx] = SignAs(j, SigKind::kVote, body);
    }
    for (const auto& [idx, sig] : sigs) {
      if (qc.signatures.size() + 1 >= vs.Quorum()) break;
      qc.signatures.emplace_back(idx, sig);
    }
  } else {
    for (size_t k = 0; k + 1 < vs.Quorum(); ++k) qc.signatures.emplace_back(k, Signature{});
    qc.signatures.emplace_back(static_cast<uint32_t>(vs.size()), SignAs(i, SigKind::kVote, body));
  }
  return qc;
}

// A TC the real rules reject, built from the timeouts the Byzantine replicas received for the
// latest round they saw: how = 0 its own entry repeated to a quorum; 1 the 2f entries with the
// lowest hqc_round (so its high QC is as low as possible).
std::optional<TimeoutCert> Simulation::ForgedTc(size_t i, int how) {
  const Replica& r = *nodes_[i].replica;
  const uint64_t epoch = r.epoch();
  auto me = r.validators().IndexOf(nodes_[i].signer->public_key());
  if (!me) return std::nullopt;
  const size_t quorum = r.validators().Quorum();
  const SafetyState& st = r.safety();
  const QuorumCert root = EpochRootQc(epoch, st.epoch_root_id, st.epoch_root_height);
  TimeoutCert tc;
  tc.epoch = epoch;
  if (how == 0) {
    tc.round = r.round();
    for (size_t k = 0; k < quorum; ++k) {
      tc.entries.push_back(
          {*me, 0, SignAs(i, SigKind::kTimeout, TimeoutSigningBody(epoch, tc.round, 0))});
    }
    tc.high_qc = root;
    return tc;
  }
  auto latest = seen_timeouts_.end();
  for (auto it = seen_timeouts_.begin(); it != seen_timeouts_.end(); ++it) {
    if (it->first.first == epoch) latest = it;
  }
  if (latest == seen_timeouts_.end()) return std::nullopt;
  tc.round = latest->first.second;
  std::vector<const TimeoutMsg*> honest;
  for (const auto& [voter, t] : latest->second) {
    if (voter != *me) honest.push_back(&t);
  }
  std::sort(honest.begin(), honest.end(), [](const TimeoutMsg* a, const TimeoutMsg* b) {
    return a->high_qc.data.round < b->high_qc.data.round;
  });
  std::map<uint32_t, TimeoutCert::Entry> entries;
  entries[*me] = {*me, 0, SignAs(i, SigKind::kTimeout, TimeoutSigningBody(epoch, tc.round, 0))};
  tc.high_qc = root;
  for (const TimeoutMsg* t : honest) {
    if (entries.size() + 1 >= quorum) break;
    entries[t->voter] = {t->voter, t->high_qc.data.round, t->signature};
    if (t->high_qc.data.round > tc.high_qc.data.round) tc.high_qc = t->high_qc;
  }
  for (const auto& [v, e] : entries) tc.entries.push_back(e);
  return tc;
}

void Simulation::SendForged(size_t i, const std::vector<size_t>& to, const Message& m) {
  if (tracing_) Trace("byzantine n" + std::to_string(i) + " forges " + Describe(m));
  auto msg = std::make_shared<const Message>(m);
  for (size_t j : to) Transmit(i, j, msg);
}

// One forgery or replay per call, chosen by the seed. Each is carried by a message the
// Byzantine replica signs itself, so only the certificate inside is false.
void Simulation::Forge(size_t i) {
  Node& nd = nodes_[i];
  const Replica& r = *nd.replica;
  auto me = r.validators().IndexOf(nd.signer->public_key());
  if (!me) return;
  const uint64_t epoch = r.epoch();
  const SafetyState& st = r.safety();
  auto timeout_with = [&](uint64_t round, const QuorumCert& hqc, std::optional<TimeoutCert> tc) {
    TimeoutMsg t{
        epoch, round,
        hqc,   std::move(tc),
        *me,   SignAs(i, SigKind::kTimeout, TimeoutSigningBody(epoch, round, hqc.data.round))};
    return t;
  };
  const std::vector<size_t> victims = HonestSubset();
  if (victims.empty()) return;
  switch (rng_.Below(8)) {
    case 0:
    case 1:
    case 2: {  // a QC that "commits" a recent block: repeated signer, 2f signers, non-member
      std::vector<const Block*> blocks;
      for (const Hash256& id : recent_blocks_) {
        const Block& b = proposed_.at(id);
        if (b.header.epoch == epoch && b.header.round > 0) blocks.push_back(&b);
      }
      if (blocks.empty()) return;
      const Block& y = *blocks[rng_.Below(blocks.size())];
      auto parent = proposed_.find(y.header.parent);
      VoteData d;
      d.epoch = epoch;
      d.round = std::max(y.header.round, r.round());
      d.height = y.header.height;
      d.block_id = y.Id();
      if (parent != proposed_.end() && parent->second.header.height > 0 &&
          parent->second.header.epoch == epoch) {
        d.commit_height = parent->second.header.height;
        d.commit_id = y.header.parent;
      }
      QuorumCert qc = ForgedQc(i, d, static_cast<int>(rng_.Below(3)));
      return SendForged(i, victims, timeout_with(d.round + 1, qc, std::nullopt));
    }
    case 3: {  // a TC with a repeated signer, or of the 2f lowest timeouts, carried as last_tc
      auto tc = ForgedTc(i, static_cast<int>(rng_.Below(2)));
      if (!tc) return;
      const uint64_t round = std::max(r.round(), st.high_qc.data.round + 1);
      SendForged(i, victims, timeout_with(round, st.high_qc, tc));
      // ... and as the TC of a proposal extending that TC's (low) high QC, when it leads next.
      if (r.LeaderOf(tc->round + 1) != *me) return;
      auto parent = proposed_.find(tc->high_qc.data.block_id);
      if (parent == proposed_.end()) return;
      BlockHeader h;
      h.chain_id = kChain;
      h.epoch = epoch;
      h.round = tc->round + 1;
      h.height = parent->second.header.height + 1;
      h.parent = tc->high_qc.data.block_id;
      h.justify_hash = tc->high_qc.Hash();
      h.proposer = *me;
      h.timestamp_ms = std::max(Now(i), parent->second.header.timestamp_ms + 1);
      h.validators_hash = r.validators().Hash();
      ProposalMsg p;
      std::optional<Block> built = nd.host->BuildProposal(h, tc->high_qc);
      if (!built) return;
      p.block = std::move(*built);
      p.tc = tc;
      p.signature = SignAs(i, SigKind::kProposal, ProposalSigningBody(p.block.Id()));
      return SendForged(i, victims, p);
    }
    case 4: {  // replay an old certificate (an old round, maybe of an older epoch)
      if (!seen_qcs_.empty() && rng_.Below(2)) {
        const QuorumCert& old = seen_qcs_[rng_.Below(seen_qcs_.size())];
        return SendForged(i, victims,
                          timeout_with(std::max(r.round(), old.data.round + 1), old, std::nullopt));
      }
      if (!seen_tcs_.empty()) {
        const TimeoutCert& old = seen_tcs_[rng_.Below(seen_tcs_.size())];
        return SendForged(
            i, victims,
            timeout_with(std::max(r.round(), st.high_qc.data.round + 1), st.high_qc, old));
      }
      return;
    }
    case 5:
    case 6: {  // replay its own old proposals (both sides of an equivocation)
      for (const ProposalMsg& p : nd.sent_proposals) SendForged(i, victims, p);
      return;
    }
    case 7: {  // equivocate across epochs: its last proposal re-signed for the next epoch
      if (nd.sent_proposals.empty()) return;
      ProposalMsg p = nd.sent_proposals.back();
      p.block.header.epoch += 1 + rng_.Below(2);
      p.signature = SignAs(i, SigKind::kProposal, ProposalSigningBody(p.block.Id()));
      RecordProposed(p.block);
      return SendForged(i, victims, p);
    }
  }
}

// ---- Invariants ------------------------------------------------------------------------------

void Simulation::CheckSend(size_t i, const Message& m) {
  Node& nd = nodes_[i];
  if (!nd.honest()) return;
  const SafetyState& disk = nd.disk_safety;
  if (auto* v = std::get_if<Vote>(&m)) {
    if (disk.epoch != v->data.epoch || disk.last_voted_round < v->data.round) {
      return Fail("vote for round " + std::to_string(v->data.round) + " sent by n" +
                  std::to_string(i) + " before its safety state was persisted");
    }
    auto [it, inserted] =
        nd.votes_sent.emplace(std::make_pair(v->data.epoch, v->data.round), v->data.block_id);
    if (!inserted && it->second != v->data.block_id) {
      return Fail("honest n" + std::to_string(i) + " voted twice in round " +
                  std::to_string(v->data.round));
    }
  } else if (auto* t = std::get_if<TimeoutMsg>(&m)) {
    if (disk.epoch != t->epoch || disk.last_timeout_round < t->round) {
      return Fail("timeout sent by n" + std::to_string(i) + " before it was persisted");
    }
  } else if (auto* p = std::get_if<ProposalMsg>(&m)) {
    // Execution roots only move forward: validators refuse a proposal whose exec_height is below
    // its parent's (node/src/app/consensus_driver.cc, CheckProposal).
    const Block* parent = Proposed(p->block.header.parent);
    if (parent != nullptr && p->block.header.exec_height < parent->header.exec_height) {
      return Fail("honest n" + std::to_string(i) + " proposed exec_height " +
                  std::to_string(p->block.header.exec_height) + " below its parent's " +
                  std::to_string(parent->header.exec_height));
    }
    // Liveness (docs §5, (3)): a leader entering by a TC extends at least the TC's highest QC.
    if (p->tc && p->block.justify.data.round < p->tc->MaxHqcRound()) {
      return Fail("honest n" + std::to_string(i) + " proposed in round " +
                  std::to_string(p->block.header.round) + " on a QC of round " +
                  std::to_string(p->block.justify.data.round) + " below its TC's highest (" +
                  std::to_string(p->tc->MaxHqcRound()) + ")");
    }
  }
  CheckCerts(i, m);
}

// A certificate checked with the real rules (crypto.h), whatever the replicas were built with.
bool Simulation::QcOk(const QuorumCert& qc, uint64_t epoch) {
  if (qc.IsGenesis()) return qc.data.epoch == epoch;
  auto vs = epoch_sets_.find(qc.data.epoch);
  return qc.data.epoch == epoch && vs != epoch_sets_.end() &&
         VerifyQc(qc, vs->second, *verifier_).ok();
}

// Every certificate an honest replica sends (a proposal's QC and TC, a timeout's high QC and
// last TC, an epoch proof's certificate) must verify under the real rules: an honest replica
// that accepted a forged certificate would pass it on.
void Simulation::CheckCerts(size_t i, const Message& m) {
  auto qc_ok = [&](const QuorumCert& qc, uint64_t epoch, const char* where) {
    const Hash256 h = qc.Hash();
    if (certs_checked_.count(h)) return true;
    if (!QcOk(qc, epoch)) {
      Fail("honest n" + std::to_string(i) + " sent an invalid QC (" + where + ", round " +
           std::to_string(qc.data.round) + ", " + std::to_string(qc.signatures.size()) +
           " signers)");
      return false;
    }
    certs_checked_.insert(h);
    return true;
  };
  auto tc_ok = [&](const TimeoutCert& tc, const char* where) {
    const Hash256 h = tc.Hash();
    if (certs_checked_.count(h)) return true;
    auto vs = epoch_sets_.find(tc.epoch);
    const QuorumCert& hq = tc.high_qc;
    const QuorumCert root =
        hq.IsGenesis() ? hq : EpochRootQc(tc.epoch, Hash256{}, 0);  // round 0: the root itself
    if (vs == epoch_sets_.end() || !VerifyTc(tc, vs->second, *verifier_, root).ok() ||
        (hq.IsGenesis() && hq.data.epoch != tc.epoch)) {
      Fail("honest n" + std::to_string(i) + " sent an invalid TC (" + where + ", round " +
           std::to_string(tc.round) + ", " + std::to_string(tc.entries.size()) + " signers)");
      return false;
    }
    certs_checked_.insert(h);
    return true;
  };
  if (certs_checked_.size() > 100000) certs_checked_.clear();
  if (auto* p = std::get_if<ProposalMsg>(&m)) {
    if (!qc_ok(p->block.justify, p->block.header.epoch, "proposal")) return;
    if (p->tc) tc_ok(*p->tc, "proposal");
  } else if (auto* t = std::get_if<TimeoutMsg>(&m)) {
    if (!qc_ok(t->high_qc, t->epoch, "timeout")) return;
    if (t->last_tc) tc_ok(*t->last_tc, "timeout");
  } else if (auto* e = std::get_if<EpochProof>(&m)) {
    qc_ok(e->cert, e->cert.data.epoch, "epoch proof");
  }
}

void Simulation::CheckNode(size_t i) {
  const Node& nd = nodes_[i];
  if (!nd.alive || !nd.honest()) return;
  const Replica& r = *nd.replica;
  const size_t n = r.validators().size();
  if (r.round() >= kFarRound / 2) {
    return Fail("n" + std::to_string(i) + " was driven to round " + std::to_string(r.round()));
  }
  if (r.buffered_votes() > 10 * n || r.buffered_timeouts() > 9 * n) {
    return Fail("n" + std::to_string(i) + " buffers are unbounded");
  }
  const ReplicaOptions defaults;
  if (r.tree_size() > defaults.max_tree_blocks || r.outstanding_fetches() > 64 ||
      r.pending_proposals() > defaults.max_pending_proposals ||
      r.fetched_blocks() > defaults.max_fetched_blocks) {
    return Fail("n" + std::to_string(i) + " block tree or fetch buffers exceed their bound");
  }
}

void Simulation::OnCommit(size_t i, const CommitBlocks& c) {
  Node& nd = nodes_[i];
  if (c.blocks.empty()) return Fail("empty commit");
  const Block& last = c.blocks.back();
  const Hash256 last_id = last.Id();
  // The certificate names the last block, or (epoch end) a descendant of it.
  Hash256 named = c.cert.data.commit_id;
  for (size_t guard = 0; named != last_id && guard < 64; ++guard) {
    auto it = proposed_.find(named);
    if (it == proposed_.end()) break;
    named = it->second.header.parent;
  }
  if (named != last_id || (c.cert.data.commit_id != last_id && !c.next_validators)) {
    return Fail("certificate does not commit the delivered block");
  }
  {  // The two-chain rule: the certified block is a child of the committed one, one round later.
    auto certified = proposed_.find(c.cert.data.block_id);
    auto committed = proposed_.find(c.cert.data.commit_id);
    if (certified == proposed_.end() || committed == proposed_.end() ||
        certified->second.header.parent != c.cert.data.commit_id ||
        committed->second.header.round + 1 != certified->second.header.round) {
      return Fail("n" + std::to_string(i) + " committed on a certificate that breaks the " +
                  "two-chain rule (certified block not a child one round later)");
    }
  }
  const ValidatorSet& vs = epoch_sets_.at(c.cert.data.epoch);
  auto known = certs_ok_.find(c.cert.data.commit_id);
  if (known == certs_ok_.end() || !(known->second.data == c.cert.data) ||
      known->second.signatures != c.cert.signatures) {
    // The client's check: QuorumCert::Verify (Ed25519) with only the validator set.
    Status st = real_ ? c.cert.Verify(vs, kChain) : VerifyQc(c.cert, vs, *verifier_);
    if (!st.ok()) return Fail("commit certificate does not verify: " + st.ToString());
    certs_ok_[c.cert.data.commit_id] = c.cert;
  }
  for (const Block& b : c.blocks) {
    const Hash256 id = b.Id();
    const uint64_t h = b.header.height;
    if (h != nd.height() + 1 || b.header.parent != nd.tip_id) {
      return Fail("n" + std::to_string(i) + " committed a block not extending its chain");
    }
    if (!proposed_.count(id)) return Fail("validity: committed block was never proposed");
    if (tracing_)
      Trace("commit n" + std::to_string(i) + " h=" + std::to_string(h) + " id=" + Short(id));
    if (nd.honest()) {
      auto [it, inserted] = committed_.emplace(h, id);
      if (!inserted && it->second != id) {
        return Fail("agreement: n" + std::to_string(i) + " committed " + Short(id) + " at height " +
                    std::to_string(h) + " where another honest replica committed " +
                    Short(it->second));
      }
    }
    nd.chain[h] = b;
    nd.chain_index[id] = h;
    nd.tip_id = id;
  }
  if (c.next_validators) {
    if (!c.epoch_proof) return Fail("epoch change without its proof");
    nd.epoch_certs[c.cert.data.epoch] = *c.epoch_proof;
  }
  for (auto it = nd.disk_blocks.begin(); it != nd.disk_blocks.end();) {
    it = it->second.header.height <= nd.height() ? nd.disk_blocks.erase(it) : std::next(it);
  }
}

void Simulation::Fail(const std::string& why) {
  if (!result_.ok) return;
  result_.ok = false;
  result_.violation = "t=" + std::to_string(now_) + " " + why;
  Trace("VIOLATION: " + why);
}

void Simulation::Trace(const std::string& line) {
  if (!tracing_) return;
  std::string l = "t=" + std::to_string(now_) + " " + line;
  if (cfg_.keep_full_trace) full_trace_.push_back(l);
  trace_.push_back(std::move(l));
  if (trace_.size() > kTraceTail) trace_.pop_front();
}

}  // namespace

// ---- Public ----------------------------------------------------------------------------------

bool Faults::AnyByzantine() const {
  return equivocate || double_vote || bad_sig || unknown_block || far_future || fork || silent ||
         twins || forge || withhold;
}

Result<Faults> Faults::Parse(const std::string& csv) {
  Faults f;
  std::stringstream ss(csv);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty() || item == "none") continue;
    if (item == "all") {
      f.drop = f.dup = f.partition = f.crash = f.equivocate = f.double_vote = f.bad_sig =
          f.unknown_block = f.far_future = f.fork = f.forge = f.withhold = f.epochs = true;
      continue;
    }
    bool* flag = item == "drop"         ? &f.drop
                 : item == "dup"        ? &f.dup
                 : item == "partition"  ? &f.partition
                 : item == "crash"      ? &f.crash
                 : item == "equivocate" ? &f.equivocate
                 : item == "doublevote" ? &f.double_vote
                 : item == "badsig"     ? &f.bad_sig
                 : item == "unknown"    ? &f.unknown_block
                 : item == "future"     ? &f.far_future
                 : item == "fork"       ? &f.fork
                 : item == "silent"     ? &f.silent
                 : item == "twins"      ? &f.twins
                 : item == "forge"      ? &f.forge
                 : item == "withhold"   ? &f.withhold
                 : item == "epochs"     ? &f.epochs
                                        : nullptr;
    if (flag == nullptr) return Status::Invalid("unknown fault '" + item + "'");
    *flag = true;
  }
  return f;
}

std::string Faults::ToString() const {
  std::string s;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!s.empty()) s += ",";
    s += name;
  };
  add(drop, "drop");
  add(dup, "dup");
  add(partition, "partition");
  add(crash, "crash");
  add(equivocate, "equivocate");
  add(double_vote, "doublevote");
  add(bad_sig, "badsig");
  add(unknown_block, "unknown");
  add(far_future, "future");
  add(fork, "fork");
  add(silent, "silent");
  add(twins, "twins");
  add(forge, "forge");
  add(withhold, "withhold");
  add(epochs, "epochs");
  return s.empty() ? "none" : s;
}

std::string SimResult::TraceTail(size_t lines) const {
  std::string out;
  size_t start = trace.size() > lines ? trace.size() - lines : 0;
  for (size_t i = start; i < trace.size(); ++i) out += trace[i] + "\n";
  return out;
}

SimResult RunSim(const SimConfig& cfg) {
  SimResult r = Simulation(cfg).Run();
  if (r.ok || cfg.trace_tail || cfg.keep_full_trace) return r;
  // Runs are deterministic: replay the failing seed with the trace on.
  SimConfig traced = cfg;
  traced.trace_tail = true;
  return Simulation(traced).Run();
}

}  // namespace tidemark::consensus::sim
