#include "tidemark/node/app/consensus_driver.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>

#include "tidemark/contracts/identity.h"
#include "tidemark/node/app/fatal.h"
#include "tidemark/node/app/pipeline_metrics.h"

namespace tidemark::node {

namespace asio = boost::asio;
using consensus::Action;

namespace {
std::string Describe(const consensus::Message& m) {
  if (auto* p = std::get_if<consensus::ProposalMsg>(&m)) {
    return "proposal r" + std::to_string(p->block.header.round) + " h" +
           std::to_string(p->block.header.height);
  }
  if (auto* v = std::get_if<Vote>(&m)) return "vote r" + std::to_string(v->data.round);
  if (auto* t = std::get_if<consensus::TimeoutMsg>(&m))
    return "timeout r" + std::to_string(t->round);
  return "msg#" + std::to_string(m.index());
}

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

[[noreturn]] void Fatal(const std::string& what, const Status& s) {
  if (IsStorageFault(s)) ExitOnStorageFault(what, s);  // exit code 3, not a core dump
  spdlog::critical("{}: {}", what, s.ToString());
  std::abort();
}

// How much of the uncommitted chain the driver remembers (proposal bookkeeping).
constexpr size_t kMaxSeen = 4096;

// True if a block's execution wrote identity state (a key revoked or enrolled, an organisation
// (de)activated): the mempool then re-reads every pending signer.
bool WritesIdentity(const std::vector<contracts::StateChange>& changes) {
  for (const auto& [key, value] : changes) {
    if (state_keys::HasPrefix(key, state_keys::identity::kPrefix)) return true;
  }
  return false;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The replica's signer, timing the signature of each of our votes (the vote stage); consensus
// itself never sees a clock or a metric.
class TimedSigner final : public consensus::Signer {
 public:
  TimedSigner(const consensus::Signer& inner, PipelineMetrics* const& metrics)
      : inner_(inner), metrics_(metrics) {}
  const PublicKey& public_key() const override { return inner_.public_key(); }
  Signature Sign(SigKind kind, ByteView body) const override {
    if (kind != SigKind::kVote || !metrics_) return inner_.Sign(kind, body);
    StageTimer timer(metrics_, Stage::kVote);
    return inner_.Sign(kind, body);
  }

 private:
  const consensus::Signer& inner_;
  PipelineMetrics* const& metrics_;  // the driver's, set before Start
};
}  // namespace

struct ConsensusDriver::Impl : consensus::ProposalHost, std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, Ledger& ledger, mempool::Mempool& pool, KeyPair key,
       ConsensusDriverOptions opt, CommitListener on_commit)
      : io(io),
        strand(asio::make_strand(io)),
        round_timer(strand),
        tick_timer(strand),
        ledger(ledger),
        stage(ledger),
        pool(pool),
        key(std::move(key)),
        opt(std::move(opt)),
        on_commit(std::move(on_commit)),
        signer(this->key, ledger.chain_id()),
        timed_signer(signer, metrics),
        verifier(ledger.chain_id()) {
    this->opt.replica.chain_id = ledger.chain_id();
    // Only a tx that can go into the next block is work: one whose nonce gap never closes must
    // not keep the chain making blocks (the idle pace is the heartbeat).
    this->opt.replica.has_work = [this] { return this->pool.HasReady(); };
  }

  // What the driver remembers of a block it built or validated.
  struct Seen {
    uint64_t height = 0;
    uint64_t justify_commit_height = 0;  // the commit its justify QC carried
    uint64_t exec_height = 0;
    Hash256 parent;
    std::map<PublicKey, uint64_t> next_nonce;  // per signer in the block: its last nonce + 1
  };

  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer round_timer;
  asio::steady_timer tick_timer;
  Ledger& ledger;
  ExecutionStage stage;  // strand only: committed blocks until they are written
  mempool::Mempool& pool;
  KeyPair key;
  ConsensusDriverOptions opt;
  CommitListener on_commit;
  Sender sender;                                                        // set before Start
  std::function<void(const PublicKey&, const Status&)> on_bad_message;  // set before Start
  PipelineMetrics* metrics = nullptr;                                   // set before Start
  consensus::Ed25519Signer signer;
  TimedSigner timed_signer;  // what the replica signs with
  consensus::Ed25519Verifier verifier;
  // Seconds spent in the ProposalHost callbacks so far (strand only): the vote stage leaves out
  // the proposal building and execution a vote triggers.
  double host_seconds = 0;
  std::unique_ptr<consensus::Replica> replica;  // strand only
  std::map<Hash256, Seen> seen;                 // strand only
  bool stopped = false;                         // strand only

  mutable std::mutex status_mu;
  ConsensusStatus status;  // guarded by status_mu

  // ---- ProposalHost ----------------------------------------------------------------------------

  // The exec_height recorded for a block: from our bookkeeping or its stored header.
  std::optional<Seen> Lookup(const Hash256& id) {
    if (auto it = seen.find(id); it != seen.end()) return it->second;
    auto b = ledger.blocks().BlockById(id);
    if (b.ok() && b->has_value()) {
      const Block& blk = **b;
      return Seen{blk.header.height,
                  blk.justify.data.commit_height,
                  blk.header.exec_height,
                  blk.header.parent,
                  {}};
    }
    return std::nullopt;
  }

  void Remember(const Block& b) {
    Seen s{
        b.header.height, b.justify.data.commit_height, b.header.exec_height, b.header.parent, {}};
    for (const Transaction& tx : b.txs) {
      uint64_t& n = s.next_nonce[tx.signer];
      n = std::max(n, tx.nonce + 1);
    }
    seen[b.Id()] = std::move(s);
    while (seen.size() > kMaxSeen) seen.erase(seen.begin());
  }

  // The nonces the uncommitted blocks from `tip` down to the ledger's height already use, so that
  // a proposal on `tip` does not carry their txs again (they return to the pool after a round
  // timeout while the block holding them may still commit).
  std::map<PublicKey, uint64_t> ChainNonces(Hash256 tip) {
    std::map<PublicKey, uint64_t> out;
    for (auto it = seen.find(tip); it != seen.end() && it->second.height > ledger.height();
         it = seen.find(it->second.parent)) {
      for (const auto& [signer, next] : it->second.next_nonce) {
        uint64_t& n = out[signer];
        n = std::max(n, next);
      }
    }
    return out;
  }

  std::optional<Block> BuildProposal(const BlockHeader& fields,
                                     const QuorumCert& justify) override {
    const auto start = std::chrono::steady_clock::now();
    std::optional<Block> b = BuildProposalTimed(fields, justify);
    const double took = SecondsSince(start);
    host_seconds += took;
    if (metrics && b) metrics->Observe(Stage::kProposal, took);
    return b;
  }

  std::optional<Block> BuildProposalTimed(const BlockHeader& fields, const QuorumCert& justify) {
    // The roots a proposal carries: at least the parent's exec_height (validators refuse a
    // proposal whose exec_height goes backwards) and at most what this ledger has written. A
    // replica restarted behind its peers can lead before it has written the blocks its parent's
    // roots cover — the commit that writes them is among the actions of the same step — so it
    // defers: the replica asks again on its next tick, after the commit ran.
    std::optional<Seen> parent = Lookup(justify.data.block_id);
    uint64_t exec = parent ? parent->exec_height : 0;
    WaitWritten(exec);
    if (exec > ledger.height()) {
      spdlog::debug(
          "consensus: proposal at height {} deferred: the parent needs exec height {}, "
          "ledger at {}",
          fields.height, exec, ledger.height());
      return std::nullopt;
    }
    if (parent) {
      exec = std::max(exec, std::min(ledger.height(), parent->justify_commit_height));
    }
    auto info = ledger.ExecAt(exec);
    if (!info.ok()) Fatal("execution record for a proposal", info.status());
    Block b;
    b.header = fields;
    b.justify = justify;
    b.txs = AdmissibleBatch(fields.height, justify.data.block_id);
    b.header.tx_root = TxRoot(b.txs);
    b.header.tx_count = static_cast<uint32_t>(b.txs.size());
    b.header.exec_height = info->height;
    b.header.state_root = info->state_root;
    b.header.receipts_root = info->receipts_root;
    Remember(b);
    return b;
  }

  // The mempool's ready txs for a block at `height` on `parent`, less those the executed state
  // says cannot run (a signer revoked by a block the pool has not seen yet: evicted), so that
  // the proposal passes CheckBlockTxs on every validator that executed as far as we did.
  std::vector<Transaction> AdmissibleBatch(uint64_t height, const Hash256& parent) {
    std::vector<Transaction> txs =
        pool.TakeBatch(opt.max_block_txs, opt.max_block_bytes, ChainNonces(parent), height);
    if (txs.empty()) return txs;
    const contracts::StateView& state = CommittedState();
    std::map<PublicKey, bool> usable;  // per signer
    std::set<PublicKey> revoked;
    std::vector<Hash256> inactive;
    for (const Transaction& tx : txs) {
      auto [it, fresh] = usable.try_emplace(tx.signer, true);
      if (fresh) {
        Status active = contracts::ActiveSigner(state, tx.signer).status();
        if (!active.ok()) {
          it->second = false;
          if (active.code() == Code::kPermissionDenied) revoked.insert(tx.signer);
        } else if (tx.nonce < contracts::NextNonce(state, tx.signer)) {
          it->second = false;  // committed meanwhile: OnCommitted evicts it
        }
      }
      if (revoked.count(tx.signer)) inactive.push_back(tx.Id());
    }
    if (!inactive.empty()) {
      pool.Evict(inactive,
                 Status::PermissionDenied("tx: evicted: the signer is no longer an active key"),
                 mempool::Refusal::kInactiveSigner);
    }
    std::vector<Transaction> out;
    out.reserve(txs.size());
    for (Transaction& tx : txs) {
      if (usable[tx.signer]) out.push_back(std::move(tx));
    }
    Status check =
        mempool::CheckBlockTxs(out, height, state, opt.max_block_txs, opt.max_block_bytes);
    if (!check.ok()) {  // our own bug: propose nothing rather than a block validators refuse
      spdlog::error("consensus: the batch for height {} breaks the block rule: {}", height,
                    check.ToString());
      pool.ReleaseInFlight();
      return {};
    }
    return out;
  }

  Status ValidateProposal(const Block& b) override {
    const auto start = std::chrono::steady_clock::now();
    Status s = CheckProposal(b);
    host_seconds += SecondsSince(start);
    if (!s.ok()) {
      spdlog::debug("consensus: refusing the proposal of round {} (height {}): {}", b.header.round,
                    b.header.height, s.ToString());
    }
    return s;
  }

  Status CheckProposal(const Block& b) {
    const BlockHeader& h = b.header;
    std::optional<Seen> parent = Lookup(h.parent);
    if (parent && h.exec_height < parent->exec_height) {
      return Status::Invalid("exec_height goes backwards");
    }
    WaitWritten(h.exec_height);
    if (h.exec_height > ledger.height()) {
      spdlog::debug("proposal at height {} needs exec height {}, ledger at {}", h.height,
                    h.exec_height, ledger.height());
      return Status::Unavailable("execution roots of height " + std::to_string(h.exec_height) +
                                 " not known here yet");
    }
    TM_ASSIGN_OR_RETURN(ExecInfo info, ledger.ExecAt(h.exec_height));
    if (info.state_root != h.state_root) return Status::Invalid("state_root mismatch");
    if (info.receipts_root != h.receipts_root) return Status::Invalid("receipts_root mismatch");
    // Txs that cannot execute never enter a block: size bounds, active signers, expiry and nonce
    // order against the state this block runs over (docs/api.md §Admission).
    TM_RETURN_IF_ERROR(mempool::CheckBlockTxs(b.txs, h.height, CommittedState(), opt.max_block_txs,
                                              opt.max_block_bytes));
    for (const Transaction& tx : b.txs) {
      if (!pool.WasVerified(tx.Id()) && !tx.VerifySignature()) {
        return Status::Unauthenticated("block carries a tx with a bad signature");
      }
    }
    Remember(b);
    return Status::Ok();
  }

  // A header certifies a version its leader has written; one this node committed and is still
  // writing is waited for (the stage's writer), rather than refused: a validator whose writer is
  // a little behind the leader's still votes. A version not committed here is not waited for.
  void WaitWritten(uint64_t version) {
    if (version <= ledger.height()) return;
    Status s = stage.WaitWritten(version);
    if (!s.ok() && s.code() != Code::kUnavailable) Fatal("writing committed blocks", s);
  }

  // The state every committed block (written or not) leaves: what the next block runs over.
  const contracts::StateView& CommittedState() {
    auto state = stage.CommittedState();
    if (!state.ok()) Fatal("executing committed blocks", state.status());
    return **state;
  }

  // A question, not a command: the block is queued in the execution stage (consensus committed
  // it) and the answer is read from the state its header certifies, version exec_height, which
  // the stage produces from the committed blocks up to there; this block itself is executed
  // later (by the CommitBlocks action, or by a question that needs its state).
  std::optional<ValidatorSet> EndsEpoch(const Block& committed,
                                        const ValidatorSet& current) override {
    const auto start = std::chrono::steady_clock::now();
    auto after = EndsEpochTimed(committed, current);
    host_seconds += SecondsSince(start);
    return after;
  }

  std::optional<ValidatorSet> EndsEpochTimed(const Block& committed, const ValidatorSet& current) {
    if (Status s = stage.Enqueue(committed); !s.ok()) Fatal("a committed block", s);
    // The epoch ends at the first block whose header certifies a state holding the next set.
    auto after = stage.ValidatorsAfter(committed.header);
    if (!after.ok()) Fatal("reading the validator set a committed block certifies", after.status());
    if (after->epoch <= current.epoch) return std::nullopt;
    if (after->epoch != current.epoch + 1) {
      Fatal("validator sets",
            Status::Corruption("epoch " + std::to_string(current.epoch) +
                               " is followed by a set of epoch " + std::to_string(after->epoch)));
    }
    return std::move(*after);
  }

  std::optional<consensus::EpochProof> LoadEpochProof(uint64_t epoch) override {
    auto bytes = ledger.EpochProof(epoch);
    if (!bytes.ok() || !bytes->has_value()) return std::nullopt;
    auto msg = consensus::DecodeMessage(**bytes);
    if (!msg.ok()) return std::nullopt;
    if (auto* p = std::get_if<consensus::EpochProof>(&*msg)) return *p;
    return std::nullopt;
  }

  std::optional<Block> LoadCommittedBlock(const Hash256& id) override {
    if (auto queued = stage.QueuedBlock(id)) return queued;  // committed, being written
    auto b = ledger.blocks().BlockById(id);
    if (!b.ok()) return std::nullopt;
    return std::move(*b);
  }

  // ---- Actions ---------------------------------------------------------------------------------

  void Run(std::vector<Action> actions) {
    // Consecutive persist actions (a voted block, then the safety state that records the vote)
    // become one synced write, made before the next action — a send — runs.
    std::vector<const Block*> voted;
    std::optional<Bytes> safety;
    auto persist = [&] {
      if (voted.empty() && !safety) return;
      StageTimer timer(metrics, Stage::kPersist);
      Status s = ledger.WriteVoteRecords(voted, safety);
      if (!s.ok()) Fatal("persisting a voted block and the consensus safety state", s);
      voted.clear();
      safety.reset();
    };
    // A step's commits are written after its sends: the replica has already decided them, and a
    // vote or proposal that waited for their execution and fsync would lengthen every round by
    // it (docs/consensus.md, "Host actions"). Except a commit that ends an epoch: the new epoch's
    // safety record must not reach the disk before the block that starts it, so that one — and
    // the deferred ones before it — run in place.
    std::vector<const consensus::CommitBlocks*> commits;
    auto commit = [&] {
      for (const consensus::CommitBlocks* c : commits) Commit(*c);
      commits.clear();
    };
    for (Action& a : actions) {
      if (auto* p = std::get_if<consensus::PersistSafety>(&a)) {
        safety = p->state.Encode();
        continue;
      }
      if (auto* pb = std::get_if<consensus::PersistBlock>(&a)) {
        voted.push_back(&pb->block);
        continue;
      }
      if (auto* c = std::get_if<consensus::CommitBlocks>(&a)) {
        commits.push_back(c);
        if (!c->next_validators) continue;
      }
      persist();
      if (!commits.empty() && commits.back()->next_validators) {
        commit();
        continue;
      }
      if (auto* s = std::get_if<consensus::SendTo>(&a)) {
        if (spdlog::should_log(spdlog::level::trace)) {
          spdlog::trace("consensus: send {} to {}", Describe(s->msg), s->to.Hex().substr(0, 8));
        }
        if (sender) sender(&s->to, consensus::EncodeMessage(s->msg));
      } else if (auto* b = std::get_if<consensus::Broadcast>(&a)) {
        if (spdlog::should_log(spdlog::level::trace)) {
          spdlog::trace("consensus: broadcast {}", Describe(b->msg));
        }
        if (metrics && std::holds_alternative<consensus::TimeoutMsg>(b->msg)) {
          metrics->OnRoundTimedOut();
        }
        if (sender) sender(nullptr, consensus::EncodeMessage(b->msg));
      } else if (auto* t = std::get_if<consensus::ScheduleTimer>(&a)) {
        Schedule(*t);
      }
    }
    persist();
    commit();
    UpdateStatus();
  }

  // The CommitBlocks action hands the blocks to the execution stage: what is not executed yet is
  // executed here, and the stage's writer writes every block with the certificate, one synced
  // batch each, while this strand goes on ordering; the pool and the listeners hear of each
  // block once it is on disk (on this strand). The commit that ends an epoch waits for its
  // write: the new epoch's safety record must not reach the disk before the block that starts it.
  void Commit(const consensus::CommitBlocks& c) {
    const auto decided = std::chrono::steady_clock::now();
    auto on_written = [this, cert = c.cert, decided](const Block& b, const BlockExecution& e) {
      if (metrics) metrics->Observe(Stage::kCommit, SecondsSince(decided));
      pool.OnCommitted(b.header.height, b.txs, e.receipts, WritesIdentity(e.changes));
      if (on_commit) on_commit(b, cert, e.receipts);
      UpdateStatus();  // the pool's depth, after a write reported between steps
    };
    Status written = stage.Write(c.blocks, c.cert, on_written);
    if (!written.ok()) Fatal("writing committed blocks", written);
    if (c.next_validators) {
      if (Status s = stage.Drain(); !s.ok()) Fatal("writing committed blocks", s);
    }
    if (c.epoch_proof && c.next_validators) {
      Status s = ledger.WriteEpochProof(c.next_validators->epoch - 1,
                                        consensus::EncodeMessage(*c.epoch_proof));
      if (!s.ok()) Fatal("storing an epoch proof", s);
    }
    for (auto it = seen.begin(); it != seen.end();) {
      it = it->second.height + 64 < ledger.height() ? seen.erase(it) : std::next(it);
    }
  }

  void Schedule(const consensus::ScheduleTimer& t) {
    uint64_t now = NowMs();
    uint64_t delay = t.at_ms > now ? t.at_ms - now : 0;
    round_timer.expires_after(std::chrono::milliseconds(delay));
    round_timer.async_wait([self = shared_from_this(), t](boost::system::error_code ec) {
      if (ec || self->stopped || !self->replica) return;
      spdlog::debug("consensus: round {} of epoch {} timed out", t.round, t.epoch);
      self->pool.ReleaseInFlight();  // the round failed: its payload may be proposed again
      self->Run(self->replica->OnTimer(t.epoch, t.round, NowMs()));
    });
  }

  void Tick() {
    tick_timer.expires_after(std::chrono::milliseconds(opt.tick_ms));
    tick_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopped) return;
      if (self->replica) self->Run(self->replica->OnTick(NowMs()));
      self->Tick();
    });
  }

  void UpdateStatus() {
    if (!replica) return;
    if (metrics) {
      metrics->SetQueueDepth(Queue::kBlockTree, static_cast<int64_t>(replica->tree_size()));
      metrics->SetQueueDepth(Queue::kMempool, static_cast<int64_t>(pool.Stats().txs));
      metrics->SetRound(replica->round());
    }
    std::lock_guard l(status_mu);
    status.epoch = replica->epoch();
    status.round = replica->round();
    status.committed_height = replica->committed_height();
    if (status.validators.epoch != replica->validators().epoch || status.validators.size() == 0) {
      status.validators = replica->validators();
      status.own_index = status.validators.IndexOf(key.public_key());
    }
  }

  Status Build() {
    TM_ASSIGN_OR_RETURN(Block tip, ledger.TipBlock());
    TM_ASSIGN_OR_RETURN(ValidatorSet validators, ledger.ValidatorsAfter(tip.header));
    TM_ASSIGN_OR_RETURN(std::optional<Bytes> record, ledger.SafetyRecord());
    consensus::SafetyState safety;
    if (record) {
      TM_ASSIGN_OR_RETURN(safety, consensus::SafetyState::Decode(*record));
      // Killed between writing the block that ended an epoch and the new epoch's safety record:
      // that block is the tip and the root of the epoch the ledger is in.
      if (safety.epoch < validators.epoch && tip.header.epoch < validators.epoch) {
        spdlog::warn(
            "consensus: safety record of epoch {} under validator set of epoch {}: "
            "starting the new epoch from the tip",
            safety.epoch, validators.epoch);
        safety =
            consensus::SafetyState::ForEpochRoot(validators.epoch, tip.Id(), tip.header.height);
      }
    } else {
      safety =
          consensus::SafetyState::ForEpochRoot(validators.epoch, ledger.genesis_block().Id(), 0);
    }
    TM_ASSIGN_OR_RETURN(std::vector<Block> pending, ledger.PendingBlocks());
    replica = std::make_unique<consensus::Replica>(
        opt.replica,
        consensus::ReplicaInit{std::move(validators), std::move(tip), std::move(safety),
                               std::move(pending)},
        this, &timed_signer, &verifier);
    return Status::Ok();
  }
};

ConsensusDriver::ConsensusDriver(asio::io_context& io, Ledger& ledger, mempool::Mempool& pool,
                                 KeyPair node_key, ConsensusDriverOptions options,
                                 CommitListener on_commit)
    : impl_(std::make_shared<Impl>(io, ledger, pool, std::move(node_key), std::move(options),
                                   std::move(on_commit))) {}

ConsensusDriver::~ConsensusDriver() {
  Stop();
  // The stage's writer uses the ledger, which its owner destroys after the driver; the Impl itself
  // may outlive this (queued tasks hold it): the writer ends here, its last blocks written.
  impl_->stage.StopWriter();
}

void ConsensusDriver::SetSender(Sender sender) { impl_->sender = std::move(sender); }

void ConsensusDriver::SetMetrics(PipelineMetrics* metrics) {
  impl_->metrics = metrics;
  impl_->stage.SetMetrics(metrics);
}

void ConsensusDriver::SetBadMessageHandler(
    std::function<void(const PublicKey& from, const Status& why)> fn) {
  impl_->on_bad_message = std::move(fn);
}

Status ConsensusDriver::Start() {
  TM_RETURN_IF_ERROR(impl_->Build());
  impl_->UpdateStatus();
  // The stage's writer reports back on the strand. Its tasks hold the driver weakly: the last
  // owner must never be the writer thread, which the driver's destruction joins.
  std::weak_ptr<Impl> weak = impl_;
  impl_->stage.StartWriter(
      [strand = impl_->strand, weak](std::function<void()> fn) {
        asio::post(strand, [weak, fn = std::move(fn)] {
          if (auto self = weak.lock(); self && !self->stopped) fn();
        });
      },
      [](const Status& s) { Fatal("writing committed blocks", s); },
      impl_->opt.max_writes_in_flight);
  asio::post(impl_->strand, [impl = impl_] {
    impl->Run(impl->replica->Start(NowMs()));
    impl->Tick();
  });
  return Status::Ok();
}

void ConsensusDriver::Stop() {
  asio::post(impl_->strand, [impl = impl_] {
    impl->stopped = true;
    impl->round_timer.cancel();
    impl->tick_timer.cancel();
  });
}

void ConsensusDriver::FinishWrites() {
  impl_->stage.StopWriter();
  Status s = impl_->stage.Drain();
  if (!s.ok()) spdlog::error("finishing the committed blocks' writes: {}", s.ToString());
}

void ConsensusDriver::Restart() {
  asio::post(impl_->strand, [impl = impl_] {
    if (impl->stopped) return;
    impl->stage.Reset();
    impl->pool.Recheck();  // block sync moved the ledger: evict what can no longer execute
    Status s = impl->Build();
    if (!s.ok()) Fatal("restarting consensus", s);
    impl->Run(impl->replica->Start(NowMs()));
  });
}

void ConsensusDriver::OnPeerMessage(const PublicKey& from, Bytes frame) {
  asio::post(impl_->strand, [impl = impl_, from, frame = std::move(frame)] {
    if (impl->stopped || !impl->replica) return;
    auto msg = consensus::DecodeMessage(frame);
    if (!msg.ok()) {
      spdlog::debug("dropping bad consensus frame from {}: {}", from.Hex().substr(0, 12),
                    msg.status().ToString());
      if (impl->on_bad_message) impl->on_bad_message(from, msg.status());
      return;
    }
    if (spdlog::should_log(spdlog::level::trace)) {
      spdlog::trace("consensus: got {} from {}", Describe(*msg), from.Hex().substr(0, 8));
    }
    // What a block says about its execution is bound to its id (a hash of the block), so blocks
    // are remembered as they arrive: a proposal on a fetched parent needs the parent's
    // exec_height (BuildProposal), whether or not this replica validated that parent.
    if (auto* p = std::get_if<consensus::ProposalMsg>(&*msg)) impl->Remember(p->block);
    if (auto* r = std::get_if<consensus::BlockResponse>(&*msg)) {
      for (const Block& b : r->blocks) impl->Remember(b);
    }
    if (impl->metrics && std::holds_alternative<Vote>(*msg)) {
      // A peer's vote: the replica verifies and tallies it (the host work it may trigger, a
      // proposal or an execution, is timed as its own stage).
      const double host_before = impl->host_seconds;
      const auto start = std::chrono::steady_clock::now();
      auto actions = impl->replica->OnMessage(from, *msg, NowMs());
      impl->metrics->Observe(
          Stage::kVote, std::max(0.0, SecondsSince(start) - (impl->host_seconds - host_before)));
      impl->Run(std::move(actions));
      return;
    }
    impl->Run(impl->replica->OnMessage(from, *msg, NowMs()));
  });
}

void ConsensusDriver::RunExclusive(std::function<void(ExecutionStage&)> fn) {
  asio::post(impl_->strand, [impl = impl_, fn = std::move(fn)] { fn(impl->stage); });
}

ConsensusStatus ConsensusDriver::Snapshot() const {
  std::lock_guard l(impl_->status_mu);
  return impl_->status;
}

}  // namespace tidemark::node
