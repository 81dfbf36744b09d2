#include "tidemark/consensus/replica.h"

#include <algorithm>

namespace tidemark::consensus {

namespace {
constexpr size_t kMaxVerifiedCache = 512;
constexpr size_t kMaxMissing = 64;
// A fetch nobody answers is given up after this many attempts (a later reference asks again).
constexpr uint32_t kMaxFetchAttempts = 12;
constexpr size_t kMaxEpochCerts = 8;
constexpr uint64_t kEpochRequestIntervalMs = 200;

#ifdef TIDEMARK_CONSENSUS_TEETH
SafetyRules MakeRules(SafetyState s, const ReplicaOptions& o) {
  return SafetyRules(std::move(s), o.test_only_break);
}
#else
SafetyRules MakeRules(SafetyState s, const ReplicaOptions&) { return SafetyRules(std::move(s)); }
#endif
}  // namespace

#ifdef TIDEMARK_CONSENSUS_TEETH
#define TM_BROKEN(rule) (opts_.test_only_break == TestOnlyBreak::rule)
#else
#define TM_BROKEN(rule) false
#endif

Replica::Replica(ReplicaOptions opts, ReplicaInit init, ProposalHost* host, const Signer* signer,
                 const Verifier* verifier)
    : opts_(std::move(opts)),
      vs_(std::move(init.validators)),
      vs_hash_(vs_.Hash()),
      me_(vs_.IndexOf(signer->public_key())),
      host_(host),
      signer_(signer),
      verifier_(verifier),
      safety_(MakeRules(std::move(init.safety), opts_)),
      tip_(std::move(init.committed_tip)),
      tip_id_(tip_.Id()) {
  for (auto& b : init.pending_blocks) {
    if (b.header.height > tip_.header.height && b.header.epoch == vs_.epoch &&
        tree_.size() < opts_.max_tree_blocks) {
      Hash256 id = b.Id();
      tree_.emplace(id, std::move(b));
    }
  }
}

size_t Replica::buffered_votes() const {
  size_t n = 0;
  for (const auto& [r, rv] : votes_) n += rv.voters.size();
  return n;
}

size_t Replica::buffered_timeouts() const {
  size_t n = 0;
  for (const auto& [r, rt] : timeouts_) n += rt.entries.size();
  return n;
}

const Block* Replica::FindBlock(const Hash256& id) const {
  if (id == tip_id_) return &tip_;
  auto it = tree_.find(id);
  return it == tree_.end() ? nullptr : &it->second;
}

void Replica::Send(Ctx& c, uint32_t to, Message m) {
  c.out.push_back(SendTo{vs_.validators[to].key, std::move(m)});
}

// ---- Events
// --------------------------------------------------------------------------------------

std::vector<Action> Replica::Start(uint64_t now_ms) {
  Ctx c{{}, now_ms, signer_->public_key()};
  const SafetyState& s = safety_.state();
  uint64_t acted = std::max(s.last_voted_round, s.last_timeout_round);
  round_ = std::max<uint64_t>(
      {s.high_qc.data.round + 1, acted, s.last_tc ? s.last_tc->round + 1 : 0, 1});
  if (s.last_tc && s.last_tc->round + 1 == round_) last_tc_ = s.last_tc;
  // Never propose again in a round we may have proposed in before a restart.
  proposed_round_ = round_ <= acted ? round_ : 0;
  timed_out_ = round_ <= s.last_timeout_round;
  ScheduleRoundTimer(c);
  TryPropose(c);
  return std::move(c.out);
}

std::vector<Action> Replica::OnMessage(const PublicKey& from, const Message& msg, uint64_t now_ms) {
  Ctx c{{}, now_ms, from};
  HeardFrom(c);
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, ProposalMsg>) HandleProposal(c, m);
        if constexpr (std::is_same_v<T, Vote>) HandleVote(c, m);
        if constexpr (std::is_same_v<T, TimeoutMsg>) HandleTimeout(c, m);
        if constexpr (std::is_same_v<T, BlockRequest>) HandleBlockRequest(c, m);
        if constexpr (std::is_same_v<T, BlockResponse>) HandleBlockResponse(c, m);
        if constexpr (std::is_same_v<T, EpochRequest>) HandleEpochRequest(c, m);
        if constexpr (std::is_same_v<T, EpochProof>) HandleEpochProof(c, m);
      },
      msg);
  RetryFetches(c);
  return std::move(c.out);
}

std::vector<Action> Replica::OnTick(uint64_t now_ms) {
  Ctx c{{}, now_ms, signer_->public_key()};
  TryPropose(c);
  RetryFetches(c);
  return std::move(c.out);
}

bool Replica::PacingAllows(const Ctx& c, const Block& parent) const {
  if (opts_.min_block_interval_ms == 0) return true;
  const uint64_t since =
      c.now > parent.header.timestamp_ms ? c.now - parent.header.timestamp_ms : 0;
  if (since < opts_.min_block_interval_ms) return false;
  if (since >= opts_.idle_block_interval_ms) return true;
  if (!parent.txs.empty()) return true;
  const Block* grandparent = FindBlock(parent.header.parent);
  if (grandparent != nullptr && !grandparent->txs.empty()) return true;
  return opts_.has_work && opts_.has_work();
}

std::vector<Action> Replica::OnTimer(uint64_t epoch, uint64_t round, uint64_t now_ms) {
  Ctx c{{}, now_ms, signer_->public_key()};
  if (epoch == vs_.epoch && round == round_) LocalTimeout(c);
  RetryFetches(c);
  return std::move(c.out);
}

// ---- Certificates
// --------------------------------------------------------------------------------

bool Replica::EpochOk(Ctx& c, uint64_t epoch) {
  if (epoch == vs_.epoch) return true;
  if (epoch > vs_.epoch && c.from != signer_->public_key() &&
      (!epoch_requested_ || c.now >= last_epoch_request_ms_ + kEpochRequestIntervalMs)) {
    epoch_requested_ = true;
    last_epoch_request_ms_ = c.now;
    c.out.push_back(SendTo{c.from, EpochRequest{vs_.epoch}});
  }
  if (epoch < vs_.epoch && c.from != signer_->public_key()) {  // help a lagging peer
    auto it = last_proof_sent_ms_.find(c.from);
    if (it == last_proof_sent_ms_.end() || c.now >= it->second + kEpochRequestIntervalMs) {
      if (last_proof_sent_ms_.size() >= 1024) last_proof_sent_ms_.clear();
      last_proof_sent_ms_[c.from] = c.now;
      SendEpochProof(c, epoch);
    }
  }
  return false;
}

bool Replica::QcValid(const QuorumCert& qc) {
  if (qc.data.epoch != vs_.epoch) return false;
  if (qc.signatures.empty() && qc.data.round == 0) {
    const SafetyState& s = safety_.state();
    return qc.data.block_id == s.epoch_root_id && qc.data.height == s.epoch_root_height &&
           qc.data.commit_height == 0;
  }
  auto key = std::make_pair(qc.data.round, qc.data.block_id);
  auto it = verified_qcs_.find(key);
  if (it != verified_qcs_.end() && it->second.data == qc.data &&
      it->second.signatures == qc.signatures) {
    return true;
  }
#ifdef TIDEMARK_CONSENSUS_TEETH
  if (!VerifyQc(qc, vs_, *verifier_, opts_.test_only_break).ok()) return false;
#else
  if (!VerifyQc(qc, vs_, *verifier_).ok()) return false;
#endif
  RememberQc(qc);
  return true;
}

void Replica::RememberQc(const QuorumCert& qc) {
  if (verified_qcs_.size() >= kMaxVerifiedCache) verified_qcs_.clear();
  verified_qcs_[std::make_pair(qc.data.round, qc.data.block_id)] = qc;
}

bool Replica::TcValid(const TimeoutCert& tc) {
  Hash256 h = tc.Hash();
  if (verified_.count(h)) return true;
  const SafetyState& s = safety_.state();
  QuorumCert root = EpochRootQc(vs_.epoch, s.epoch_root_id, s.epoch_root_height);
#ifdef TIDEMARK_CONSENSUS_TEETH
  if (!VerifyTc(tc, vs_, *verifier_, root, opts_.test_only_break).ok()) return false;
#else
  if (!VerifyTc(tc, vs_, *verifier_, root).ok()) return false;
#endif
  if (verified_.size() >= kMaxVerifiedCache) verified_.clear();
  verified_.insert(h);
  return true;
}

void Replica::ProcessQc(Ctx& c, const QuorumCert& qc) {
  if (qc.data.epoch != vs_.epoch) return;
  safety_.ObserveQc(qc);
  const uint64_t tip_height = tip_.header.height;
  if (qc.data.commit_height > tip_height &&
      (!best_commit_qc_ || qc.data.commit_height > best_commit_qc_->data.commit_height)) {
    best_commit_qc_ = qc;
  }
  if (qc.data.height > tip_height && FindBlock(qc.data.block_id) == nullptr) {
    Fetch(c, qc.data.block_id, c.from);
  }
  const uint64_t epoch = vs_.epoch;
  TryCommit(c);
  if (vs_.epoch != epoch) return;
  AdvanceRound(c, qc.data.round + 1, nullptr);
}

void Replica::ProcessTc(Ctx& c, const TimeoutCert& tc) {
  const uint64_t epoch = vs_.epoch;
  if (!TM_BROKEN(kTcHighQc)) ProcessQc(c, tc.high_qc);
  if (vs_.epoch != epoch) return;
  AdvanceRound(c, tc.round + 1, &tc);
}

// ---- Pacemaker
// -----------------------------------------------------------------------------------

void Replica::AdvanceRound(Ctx& c, uint64_t round, const TimeoutCert* tc) {
  if (round <= round_) return;
  round_ = round;
  if (tc != nullptr && tc->round + 1 == round) {
    last_tc_ = *tc;
    safety_.ObserveTc(*tc);
  } else {
    last_tc_.reset();
  }
  timed_out_ = false;
  votes_.erase(votes_.begin(), votes_.lower_bound(round_ - 1));
  timeouts_.erase(timeouts_.begin(), timeouts_.lower_bound(round_));
  proposal_seen_.erase(proposal_seen_.begin(), proposal_seen_.lower_bound(round_));
  ScheduleRoundTimer(c);
  TryPropose(c);
}

void Replica::ScheduleRoundTimer(Ctx& c) {
  uint64_t hqc_round = safety_.state().high_qc.data.round;
  uint64_t behind = round_ > hqc_round + 1 ? round_ - hqc_round - 1 : 0;
  uint64_t exp = std::min<uint64_t>(behind, opts_.max_backoff_exponent);
  c.out.push_back(ScheduleTimer{vs_.epoch, round_, c.now + (opts_.base_timeout_ms << exp)});
}

void Replica::LocalTimeout(Ctx& c) {
  const uint64_t round = round_;
  if (me_) {
    const QuorumCert hqc = safety_.state().high_qc;
    if (safety_.CheckTimeout(round, hqc).ok()) {
      safety_.RecordTimeout(round);
      Persist(c);
      timed_out_ = true;
      TimeoutMsg t{
          vs_.epoch,
          round,
          hqc,
          last_tc_,
          *me_,
          signer_->Sign(SigKind::kTimeout, TimeoutSigningBody(vs_.epoch, round, hqc.data.round))};
      c.out.push_back(Broadcast{t});
      HandleTimeout(c, t);
    }
  }
  if (round_ == round) ScheduleRoundTimer(c);  // retransmit until the round ends
}

void Replica::TryPropose(Ctx& c) {
  if (!me_ || LeaderOf(round_) != *me_ || proposed_round_ >= round_) return;
  const SafetyState& s = safety_.state();
  if (round_ <= s.last_voted_round || round_ <= s.last_timeout_round) return;
  const QuorumCert hqc = s.high_qc;
  const bool via_tc = last_tc_ && last_tc_->round + 1 == round_;
  if (hqc.data.round + 1 != round_ && !via_tc) return;
  const Block* parent = FindBlock(hqc.data.block_id);
  if (parent == nullptr) return;          // fetched on QC arrival; retried after linking
  if (!PacingAllows(c, *parent)) return;  // the host's OnTick retries
  BlockHeader h;
  h.chain_id = opts_.chain_id;
  h.epoch = vs_.epoch;
  h.round = round_;
  h.height = parent->header.height + 1;
  h.parent = hqc.data.block_id;
  h.justify_hash = hqc.Hash();
  h.proposer = *me_;
  h.timestamp_ms = std::max(c.now, parent->header.timestamp_ms + 1);
  h.validators_hash = vs_hash_;
  std::optional<Block> built = host_->BuildProposal(h, hqc);
  if (!built) return;  // the host's execution is behind the parent's: OnTick asks again
  proposed_round_ = round_;
  ProposalMsg p;
  p.block = std::move(*built);
  p.block.header.proposer = *me_;
  if (via_tc) p.tc = last_tc_;
  p.signature = signer_->Sign(SigKind::kProposal, ProposalSigningBody(p.block.Id()));
  HandleProposal(c, p);  // our own vote first (persisted before anything is sent)
  c.out.push_back(Broadcast{std::move(p)});
}

// ---- Proposals and votes
// -------------------------------------------------------------------------

void Replica::HandleProposal(Ctx& c, const ProposalMsg& p) {
  const Block& b = p.block;
  const BlockHeader& h = b.header;
  if (!EpochOk(c, h.epoch)) return;
  if (h.chain_id != opts_.chain_id || h.proposer != LeaderOf(h.round) || h.round < round_) return;
  const Hash256 id = b.Id();
  // A block we already hold (fetched, or restored after a restart) may still need our vote.
  if (tree_.count(id) && (h.round != round_ || proposal_seen_.count(h.round))) return;
  if (!verifier_->Verify(vs_.validators[h.proposer].key, SigKind::kProposal,
                         ProposalSigningBody(id), p.signature)) {
    return;
  }
  if (h.validators_hash != vs_hash_ || h.height != b.justify.data.height + 1 ||
      h.round <= b.justify.data.round || !b.CheckInternal().ok() || !QcValid(b.justify)) {
    return;
  }
  const TimeoutCert* tc = nullptr;
  if (p.tc) {
    if (p.tc->round + 1 != h.round || !TcValid(*p.tc)) return;
    tc = &*p.tc;
  }
  const uint64_t epoch = vs_.epoch;
  ProcessQc(c, b.justify);
  if (tc != nullptr && vs_.epoch == epoch) ProcessTc(c, *tc);
  if (vs_.epoch != epoch) return;
  if (h.round < round_ || h.round > round_ + opts_.future_round_window) return;
  auto seen = proposal_seen_.find(h.round);
  if (seen != proposal_seen_.end() && seen->second != id) return;  // equivocation: first wins
  const Hash256 parent_id = b.justify.data.block_id;
  const Block* parent = FindBlock(parent_id);
  if (parent == nullptr) {
    if (pending_count_ < opts_.max_pending_proposals) {
      pending_[parent_id].push_back(p);
      ++pending_count_;
    }
    Fetch(c, parent_id, c.from);  // re-asks (another peer) if an earlier fetch is overdue
    return;
  }
  if (h.timestamp_ms <= parent->header.timestamp_ms ||
      h.timestamp_ms > c.now + opts_.max_clock_drift_ms) {
    return;
  }
  if (!host_->ValidateProposal(b).ok()) return;
  if (!AddToTree(id, b)) return;  // full of blocks that may still commit: wait for a commit
  proposal_seen_[h.round] = id;
  MaybeVote(c, id, tree_.at(id), tc);
}

void Replica::MaybeVote(Ctx& c, const Hash256& id, const Block& b, const TimeoutCert* tc) {
  if (!me_ || b.header.round != round_) return;
  if (!safety_.CheckVote(round_, b.justify, tc).ok()) return;
  const Hash256& parent_id = b.justify.data.block_id;
  const Block* parent = FindBlock(parent_id);
  if (parent == nullptr) return;
  VoteData d = MakeVoteData(id, b.header, parent_id, parent->header, IsEpochRoot(parent_id));
  if (TM_BROKEN(kConsecutiveRound) && d.commit_height == 0 && !IsEpochRoot(parent_id) &&
      parent->header.height > 0) {
    d.commit_height = parent->header.height;
    d.commit_id = parent_id;
  }
  safety_.RecordVote(round_, b.justify.data.round);
  c.out.push_back(PersistBlock{b});
  if (!TM_BROKEN(kPersistBeforeSend)) Persist(c);
  Vote v{d, *me_, signer_->Sign(SigKind::kVote, d.Encode())};
  uint32_t next = LeaderOf(round_ + 1);
  if (next == *me_) {
    HandleVote(c, v);
  } else {
    Send(c, next, std::move(v));
  }
  if (TM_BROKEN(kPersistBeforeSend)) Persist(c);
}

void Replica::HandleVote(Ctx& c, const Vote& v) {
  if (!EpochOk(c, v.data.epoch)) return;
  const uint64_t r = v.data.round;
  if (v.voter >= vs_.size() || !me_ || LeaderOf(r + 1) != *me_) return;
  if (r + 1 < round_ || r > round_ + opts_.future_round_window) return;
  auto rv_it = votes_.find(r);
  if (rv_it != votes_.end() && rv_it->second.voters.count(v.voter)) return;  // first vote wins
  Bytes body = v.data.Encode();
  if (!verifier_->Verify(vs_.validators[v.voter].key, SigKind::kVote, body, v.signature)) return;
  RoundVotes& rv = votes_[r];
  rv.voters.insert(v.voter);
  VoteBucket& bucket = rv.by_data[body];
  bucket.data = v.data;
  bucket.sigs[v.voter] = v.signature;
  if (bucket.sigs.size() != vs_.Quorum() - (TM_BROKEN(kQcQuorum) ? 1 : 0)) return;
  QuorumCert qc;
  qc.data = bucket.data;
  qc.signatures.assign(bucket.sigs.begin(), bucket.sigs.end());
  RememberQc(qc);
  ProcessQc(c, qc);
}

// ---- Timeouts
// ------------------------------------------------------------------------------------

void Replica::HandleTimeout(Ctx& c, const TimeoutMsg& t) {
  if (!EpochOk(c, t.epoch) || t.voter >= vs_.size()) return;
  if (t.high_qc.data.round >= t.round) return;
  if (!verifier_->Verify(vs_.validators[t.voter].key, SigKind::kTimeout,
                         TimeoutSigningBody(t.epoch, t.round, t.high_qc.data.round), t.signature)) {
    return;
  }
  if (!QcValid(t.high_qc)) return;
  const uint64_t epoch = vs_.epoch;
  ProcessQc(c, t.high_qc);
  if (vs_.epoch != epoch) return;
  if (t.last_tc && t.last_tc->epoch == epoch && TcValid(*t.last_tc)) ProcessTc(c, *t.last_tc);
  if (vs_.epoch != epoch) return;
  if (t.round < round_ || t.round > round_ + opts_.future_round_window) return;
  RoundTimeouts& rt = timeouts_[t.round];
  if (rt.entries.count(t.voter)) return;
  if (rt.entries.empty() || t.high_qc.data.round > rt.high_qc.data.round) rt.high_qc = t.high_qc;
  rt.entries[t.voter] = TimeoutCert::Entry{t.voter, t.high_qc.data.round, t.signature};
  const size_t count = rt.entries.size();
  if (t.round == round_ && !timed_out_ && count >= vs_.MaxFaulty() + 1) {
    LocalTimeout(c);  // f+1 gave up: at least one honest did, join so a TC can form
    return;
  }
  if (count < vs_.Quorum() - (TM_BROKEN(kTcQuorum) ? 1 : 0) || t.round < round_) return;
  TimeoutCert tc;
  tc.epoch = epoch;
  tc.round = t.round;
  tc.high_qc = rt.high_qc;
  for (const auto& [idx, e] : rt.entries) tc.entries.push_back(e);
  verified_.insert(tc.Hash());
  ProcessTc(c, tc);
}

// ---- Commit and epochs
// ---------------------------------------------------------------------------

void Replica::TryCommit(Ctx& c) {
  if (!best_commit_qc_) return;
  const QuorumCert q = *best_commit_qc_;
  const uint64_t tip_height = tip_.header.height;
  if (q.data.commit_height <= tip_height) {
    best_commit_qc_.reset();
    return;
  }
  std::vector<const Block*> chain;
  Hash256 id = q.data.commit_id;
  while (id != tip_id_) {
    auto it = tree_.find(id);
    if (it == tree_.end()) {
      Fetch(c, id, c.from);
      return;
    }
    if (it->second.header.height <= tip_height) return;  // not above our commit: never with <= f
    chain.push_back(&it->second);
    id = it->second.header.parent;
  }
  std::reverse(chain.begin(), chain.end());
  CommitBlocks commit{{}, q, std::nullopt, std::nullopt};
  for (size_t k = 0; k < chain.size(); ++k) {
    const Block* b = chain[k];
    commit.blocks.push_back(*b);
    std::optional<ValidatorSet> next = host_->EndsEpoch(*b, vs_);
    if (next && next->epoch == vs_.epoch + 1 && next->size() > 0) {
      commit.next_validators = next;
      EpochProof proof{q, {}};
      for (size_t j = chain.size(); j > k + 1; --j) proof.tail.push_back(*chain[j - 1]);
      commit.epoch_proof = proof;
      break;
    }
  }
  best_commit_qc_.reset();
  // Outstanding fetches stay: the block a QC certified above the new tip (ProcessQc asks for it
  // just before committing) is still needed as the next proposal's parent. Entries at or below
  // the tip are erased when their answer arrives (HandleBlockResponse) and are bounded.
  for (const Block& b : commit.blocks) missing_.erase(b.Id());
  tip_ = commit.blocks.back();
  tip_id_ = tip_.Id();
  std::optional<ValidatorSet> next = commit.next_validators;
  if (next) {
    epoch_end_certs_[vs_.epoch] = *commit.epoch_proof;
    if (epoch_end_certs_.size() > kMaxEpochCerts) epoch_end_certs_.erase(epoch_end_certs_.begin());
  }
  c.out.push_back(std::move(commit));
  if (next) {
    StartEpoch(c, std::move(*next));
    return;
  }
  for (auto it = tree_.begin(); it != tree_.end();) {
    it = it->second.header.height <= tip_.header.height ? tree_.erase(it) : std::next(it);
  }
}

void Replica::StartEpoch(Ctx& c, ValidatorSet next) {
  vs_ = std::move(next);
  vs_hash_ = vs_.Hash();
  me_ = vs_.IndexOf(signer_->public_key());
  safety_ = MakeRules(SafetyState::ForEpochRoot(vs_.epoch, tip_id_, tip_.header.height), opts_);
  Persist(c);
  tree_.clear();
  proposal_seen_.clear();
  votes_.clear();
  timeouts_.clear();
  pending_.clear();
  pending_count_ = 0;
  fetched_.clear();
  missing_.clear();
  verified_.clear();
  verified_qcs_.clear();
  best_commit_qc_.reset();
  last_tc_.reset();
  round_ = 0;
  proposed_round_ = 0;
  timed_out_ = false;
  epoch_requested_ = false;
  AdvanceRound(c, 1, nullptr);
}

void Replica::HandleEpochRequest(Ctx& c, const EpochRequest& q) {
  // Rate-limited per peer, as the unasked proof in EpochOk: a request costs at most one proof
  // per kEpochRequestIntervalMs.
  if (c.from == signer_->public_key()) return;
  auto it = last_proof_sent_ms_.find(c.from);
  if (it != last_proof_sent_ms_.end() && c.now < it->second + kEpochRequestIntervalMs) return;
  if (last_proof_sent_ms_.size() >= 1024) last_proof_sent_ms_.clear();
  last_proof_sent_ms_[c.from] = c.now;
  SendEpochProof(c, q.epoch);
}

void Replica::SendEpochProof(Ctx& c, uint64_t epoch) {
  if (epoch >= vs_.epoch) return;
  auto it = epoch_end_certs_.find(epoch);
  if (it != epoch_end_certs_.end()) {
    c.out.push_back(SendTo{c.from, EpochProof{it->second}});
  } else if (auto proof = host_->LoadEpochProof(epoch)) {
    c.out.push_back(SendTo{c.from, std::move(*proof)});
  }
}

void Replica::HandleEpochProof(Ctx& c, const EpochProof& p) {
  const QuorumCert& q = p.cert;
  if (q.data.epoch != vs_.epoch || q.data.commit_height <= tip_.header.height) return;
  if (!QcValid(q)) return;
  // The tail is authenticated by the hash chain from the certified commit_id.
  Hash256 expect = q.data.commit_id;
  for (const Block& b : p.tail) {
    const Hash256 id = b.Id();
    if (id != expect || b.header.epoch != vs_.epoch || b.header.height <= tip_.header.height ||
        fetched_.size() >= opts_.max_fetched_blocks || !b.CheckInternal().ok()) {
      break;
    }
    if (FindBlock(id) == nullptr) fetched_.emplace(id, b);
    expect = b.header.parent;
  }
  if (!best_commit_qc_ || q.data.commit_height > best_commit_qc_->data.commit_height) {
    best_commit_qc_ = q;
  }
  if (p.tail.empty() && FindBlock(q.data.commit_id) == nullptr) Fetch(c, q.data.commit_id, c.from);
  LinkFetched(c);
}

// ---- Block fetching
// ------------------------------------------------------------------------------

void Replica::HeardFrom(const Ctx& c) {
  if (c.from == signer_->public_key() || !vs_.IndexOf(c.from)) return;
  if (last_heard_ms_.size() > 2 * vs_.size()) last_heard_ms_.clear();  // members changed
  last_heard_ms_[c.from] = c.now;
}

// The validator after `after` in index order that is neither this replica nor known down (not
// heard from within peer_down_after_ms); if every other one looks down, the next other one.
PublicKey Replica::NextPeer(const Ctx& c, const PublicKey& after) const {
  const size_t n = vs_.size();
  const auto start = vs_.IndexOf(after);
  const size_t first = start ? *start + 1 : 0;
  std::optional<PublicKey> fallback;
  for (size_t k = 0; k < n; ++k) {
    const PublicKey& key = vs_.validators[(first + k) % n].key;
    if (key == signer_->public_key()) continue;
    if (!fallback) fallback = key;
    auto heard = last_heard_ms_.find(key);
    if (heard != last_heard_ms_.end() && c.now <= heard->second + opts_.peer_down_after_ms) {
      return key;
    }
  }
  return fallback.value_or(after);
}

void Replica::AskForBlock(Ctx& c, const Hash256& id, Missing& m, const PublicKey& preferred) {
  const bool usable = preferred != signer_->public_key() && vs_.IndexOf(preferred) &&
                      (m.attempts == 0 || preferred != m.asked);
  m.asked = usable ? preferred : NextPeer(c, m.attempts == 0 ? preferred : m.asked);
  const uint32_t exp = std::min(m.attempts, opts_.max_fetch_backoff_exponent);
  m.retry_at_ms = c.now + (opts_.fetch_retry_ms << exp);
  ++m.attempts;
  if (m.asked == signer_->public_key()) return;  // a set of one: nobody to ask
  c.out.push_back(SendTo{m.asked, BlockRequest{id, kMaxFetchBlocks}});
}

// Asks for block `id`, first from `peer` (who referred to it). A block already asked for is
// asked again — from the next peer — once its retry time has come: every QC, proposal or block
// that references a still-missing block is a reason to ask again.
void Replica::Fetch(Ctx& c, const Hash256& id, const PublicKey& peer) {
  if (fetched_.count(id)) return;  // held, waiting for its ancestors (fetched in LinkFetched)
  auto it = missing_.find(id);
  if (it != missing_.end()) {
    if (c.now >= it->second.retry_at_ms) AskForBlock(c, id, it->second, peer);
    return;
  }
  if (missing_.size() >= kMaxMissing) return;
  AskForBlock(c, id, missing_[id], peer);
}

// The fetch retry timer: runs on every event (messages, timers, ticks) and re-sends each fetch
// whose backoff has expired to the next peer.
void Replica::RetryFetches(Ctx& c) {
  for (auto it = missing_.begin(); it != missing_.end();) {
    if (FindBlock(it->first) != nullptr) {
      it = missing_.erase(it);
      continue;
    }
    if (c.now >= it->second.retry_at_ms) {
      if (it->second.attempts >= kMaxFetchAttempts) {
        it = missing_.erase(it);
        continue;
      }
      AskForBlock(c, it->first, it->second, it->second.asked);
    }
    ++it;
  }
}

// Inserts an uncommitted block, keeping tree_ within max_tree_blocks: when full, drops blocks that
// can never be committed (rounds below the highest QC and not among its ancestors). Returns false
// if the tree is still full.
bool Replica::AddToTree(const Hash256& id, const Block& b) {
  if (tree_.count(id)) return true;
  if (tree_.size() >= opts_.max_tree_blocks) {
    std::set<Hash256> keep;
    const QuorumCert& hqc = safety_.state().high_qc;
    for (Hash256 a = hqc.data.block_id; tree_.count(a) && keep.insert(a).second;) {
      a = tree_.at(a).header.parent;
    }
    for (auto it = tree_.begin(); it != tree_.end();) {
      const bool stale = it->second.header.round < hqc.data.round && !keep.count(it->first);
      it = stale ? tree_.erase(it) : std::next(it);
    }
    if (tree_.size() >= opts_.max_tree_blocks) return false;
  }
  tree_.emplace(id, b);
  return true;
}

void Replica::HandleBlockRequest(Ctx& c, const BlockRequest& q) {
  BlockResponse resp;
  Hash256 id = q.block_id;
  const uint32_t max = std::min(q.max_blocks, kMaxFetchBlocks);
  size_t bytes = 0;
  while (resp.blocks.size() < max) {
    const Block* b = FindBlock(id);
    std::optional<Block> loaded;
    if (b == nullptr) {
      loaded = host_->LoadCommittedBlock(id);
      if (!loaded) break;
      b = &*loaded;
    }
    bytes += EstimatedSize(*b);
    if (!resp.blocks.empty() && bytes > kMaxFetchResponseBytes) break;  // asked again later
    resp.blocks.push_back(*b);
    if (b->header.height == 0) break;
    id = b->header.parent;
  }
  if (!resp.blocks.empty()) c.out.push_back(SendTo{c.from, std::move(resp)});
}

void Replica::HandleBlockResponse(Ctx& c, const BlockResponse& r) {
  Hash256 expect;
  bool chained = false;
  for (const Block& b : r.blocks) {
    Hash256 id = b.Id();
    if (chained ? id != expect : missing_.count(id) == 0) break;
    missing_.erase(id);
    expect = b.header.parent;
    chained = true;
    if (b.header.height <= tip_.header.height) break;
    if (FindBlock(id) != nullptr || fetched_.count(id)) continue;
    if (fetched_.size() >= opts_.max_fetched_blocks || b.header.epoch != vs_.epoch ||
        !b.CheckInternal().ok()) {
      break;
    }
    fetched_.emplace(id, b);
  }
  LinkFetched(c);
}

void Replica::LinkFetched(Ctx& c) {
  bool progress = true;
  while (progress) {
    progress = false;
    for (auto it = fetched_.begin(); it != fetched_.end();) {
      const Block& b = it->second;
      const Block* parent = FindBlock(b.header.parent);
      if (b.header.height <= tip_.header.height) {
        it = fetched_.erase(it);
      } else if (parent != nullptr && parent->header.height + 1 == b.header.height) {
        // Certified by a descendant's QC, so its justify is genuine: use it for commits.
        const QuorumCert& j = b.justify;
        if (j.data.commit_height > tip_.header.height &&
            (!best_commit_qc_ || j.data.commit_height > best_commit_qc_->data.commit_height)) {
          best_commit_qc_ = j;
        }
        if (!AddToTree(it->first, b)) break;
        it = fetched_.erase(it);
        progress = true;
      } else {
        ++it;
      }
    }
  }
  for (const auto& [id, b] : fetched_) {
    if (!fetched_.count(b.header.parent)) Fetch(c, b.header.parent, c.from);
  }
  const uint64_t epoch = vs_.epoch;
  TryCommit(c);
  if (vs_.epoch != epoch) return;
  RetryPending(c);
  TryPropose(c);
}

void Replica::RetryPending(Ctx& c) {
  std::vector<ProposalMsg> ready;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (FindBlock(it->first) != nullptr) {
      for (auto& p : it->second) ready.push_back(std::move(p));
      pending_count_ -= it->second.size();
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& p : ready) HandleProposal(c, p);
}

}  // namespace tidemark::consensus
