// replica.h — one validator's BFT consensus (two-chain HotStuff with timeout certificates,
// Jolteon / DiemBFT v4) as a pure state machine: events in, actions out. No sockets, threads,
// clock or disk: the host passes the time in with every event and executes the actions.
//
//   struct MyHost : ProposalHost { ... };           // builds / validates payloads, loads blocks
//   Ed25519Signer signer(node_key, chain_id);
//   Ed25519Verifier verifier(chain_id);
//   ReplicaInit init{validators, committed_tip, safety, voted_blocks};  // all from disk;
//                                   // at genesis: SafetyState::ForEpochRoot(0, genesis_id, 0)
//   Replica r(ReplicaOptions{.chain_id = chain_id}, std::move(init), &host, &signer, &verifier);
//   Execute(r.Start(now_ms));
//   ... on a p2p frame from peer `pk`:
//   auto msg = DecodeMessage(frame);  if (msg.ok()) Execute(r.OnMessage(pk, *msg, now_ms));
//   ... when a scheduled timer fires:  Execute(r.OnTimer(epoch, round, now_ms));
//
// Execute() runs the actions in order: PersistSafety and PersistBlock must be durable before
// any later SendTo / Broadcast in the same list is sent; CommitBlocks hands blocks (height
// order) with the QC that committed them to execution; ScheduleTimer asks for
// OnTimer(epoch, round) at at_ms (a newer timer supersedes older ones). Epoch changes: when
// committing a block the replica asks ProposalHost::EndsEpoch; if it returns the next ValidatorSet
// (e.g. read from the governance contract's state after executing that block) the replica switches
// epoch at that block.
//
// Thread safety: not thread-safe; one thread (or one strand) drives a Replica.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <variant>
#include <vector>

#include "tidemark/consensus/crypto.h"
#include "tidemark/consensus/messages.h"
#include "tidemark/consensus/safety.h"
#include "tidemark/consensus/teeth.h"

namespace tidemark::consensus {

struct ReplicaOptions {
  std::string chain_id;
  uint64_t base_timeout_ms = 1000;     // round timeout with no backoff
  uint32_t max_backoff_exponent = 5;   // timeout = base << min(rounds without QC, this)
  uint64_t max_clock_drift_ms = 2000;  // a proposal's timestamp may be this far ahead of us
  uint64_t future_round_window = 8;    // votes / timeouts beyond current + window are dropped
  size_t max_pending_proposals = 16;   // proposals waiting for a fetched parent
  size_t max_fetched_blocks = 4096;    // fetched blocks not yet linked to the tree
  // Uncommitted blocks held in the tree. Past it, blocks that can no longer be committed (not an
  // ancestor of the highest QC's block, round below it) are pruned; if still full, new proposals
  // are not taken until a commit frees room (docs/consensus.md, "Bounded memory").
  size_t max_tree_blocks = 1024;
  // An outstanding block fetch is re-sent to the next peer (never this replica, skipping peers
  // not heard from within peer_down_after_ms) after fetch_retry_ms << min(attempts, cap).
  uint64_t fetch_retry_ms = 500;
  uint32_t max_fetch_backoff_exponent = 3;
  uint64_t peer_down_after_ms = 4000;
#ifdef TIDEMARK_CONSENSUS_TEETH
  // Test-only (compiled into tidemark_consensus_teeth, never into the node's library): breaks
  // one safety rule so the simulator can prove it finds the bug (teeth.h).
  TestOnlyBreak test_only_break = TestOnlyBreak::kNone;
#endif
  // Proposal pacing (a host with a real clock; 0 = propose as soon as possible, as in the
  // simulator). A leader proposes once now >= parent timestamp + min_block_interval_ms and there
  // is work (has_work() says txs are waiting, or the parent or grandparent carries txs that need
  // later blocks to commit), or once now >= parent timestamp + idle_block_interval_ms. The host
  // calls OnTick(now) every few milliseconds so a paced proposal goes out on time.
  uint64_t min_block_interval_ms = 0;
  uint64_t idle_block_interval_ms = 0;
  std::function<bool()> has_work;
};

// The host's side of proposals, synchronous and deterministic.
class ProposalHost {
 public:
  virtual ~ProposalHost() = default;
  // Fills the application fields (timestamp may be kept or raised, txs, tx_root, tx_count,
  // exec_height, state_root, receipts_root) of `consensus_fields`, which already has chain_id,
  // epoch, round, height, parent, justify_hash, proposer, validators_hash and a timestamp.
  // nullopt: the host cannot fill them on this parent yet — its execution is behind the parent's
  // exec_height (a replica restarted behind its peers commits the missing blocks in the same
  // step that makes it leader). The replica does not propose and asks again on its next tick;
  // if the host never catches up the round times out as if the leader were slow.
  virtual std::optional<Block> BuildProposal(const BlockHeader& consensus_fields,
                                             const QuorumCert& justify) = 0;
  // Checks the application fields of a proposal (payload, execution roots).
  virtual Status ValidateProposal(const Block& block) = 0;
  // Called for every block as it is committed, in height order. Returns the next epoch's
  // validator set if this block ends the current epoch (its epoch must be current.epoch + 1).
  virtual std::optional<ValidatorSet> EndsEpoch(const Block& committed,
                                                const ValidatorSet& current) = 0;
  // A committed block by id, to answer peers' BlockRequests (nullopt if unknown).
  virtual std::optional<Block> LoadCommittedBlock(const Hash256& id) = 0;
  // The CommitBlocks::epoch_proof of the commit that ended `epoch` (stored by the host with
  // that block), to help replicas still in that epoch catch up; nullopt if unknown.
  virtual std::optional<EpochProof> LoadEpochProof(uint64_t epoch) = 0;
};

struct SendTo {
  PublicKey to;
  Message msg;
};
struct Broadcast {  // to every validator of the current epoch but this one
  Message msg;
};
struct PersistSafety {
  SafetyState state;
};
// Store an uncommitted block this replica is about to vote for (durable before later sends);
// hand such blocks back in ReplicaInit::pending_blocks after a restart. A certified block is
// then held by at least f+1 honest replicas, so it can always be fetched. The host may delete
// them once committed or once their height is at or below the committed height.
struct PersistBlock {
  Block block;
};
struct CommitBlocks {
  std::vector<Block> blocks;  // consecutive heights above the previous commit
  QuorumCert cert;            // cert.data.commit_id is the last block, or a descendant of it
                              // when the last block ended an epoch
  std::optional<ValidatorSet> next_validators;  // set when the last block ended the epoch
  std::optional<EpochProof> epoch_proof;        // with next_validators: store it with the block
};
struct ScheduleTimer {
  uint64_t epoch = 0;
  uint64_t round = 0;
  uint64_t at_ms = 0;
};
using Action =
    std::variant<SendTo, Broadcast, PersistSafety, PersistBlock, CommitBlocks, ScheduleTimer>;

// What a (re)starting replica needs: the validator set of the safety state's epoch, the highest
// committed block, and the persisted safety state (SafetyState::ForEpochRoot at genesis).
struct ReplicaInit {
  ValidatorSet validators;
  Block committed_tip;
  SafetyState safety;
  std::vector<Block> pending_blocks;  // PersistBlock'ed blocks above the committed tip
};

class Replica {
 public:
  Replica(ReplicaOptions opts, ReplicaInit init, ProposalHost* host, const Signer* signer,
          const Verifier* verifier);

  std::vector<Action> Start(uint64_t now_ms);
  std::vector<Action> OnMessage(const PublicKey& from, const Message& msg, uint64_t now_ms);
  std::vector<Action> OnTimer(uint64_t epoch, uint64_t round, uint64_t now_ms);
  // Proposes if this replica leads the current round and pacing now allows it, and re-sends
  // block fetches whose retry time has come (every event does the latter too).
  std::vector<Action> OnTick(uint64_t now_ms);

  uint64_t epoch() const { return vs_.epoch; }
  uint64_t round() const { return round_; }
  uint64_t committed_height() const { return tip_.header.height; }
  const Hash256& committed_id() const { return tip_id_; }
  const SafetyState& safety() const { return safety_.state(); }
  const ValidatorSet& validators() const { return vs_; }
  uint32_t LeaderOf(uint64_t round) const { return static_cast<uint32_t>(round % vs_.size()); }
  // Sizes of the bounded buffers (for tests and metrics).
  size_t buffered_votes() const;
  size_t buffered_timeouts() const;
  size_t tree_size() const { return tree_.size(); }
  size_t outstanding_fetches() const { return missing_.size(); }
  size_t pending_proposals() const { return pending_count_; }
  size_t fetched_blocks() const { return fetched_.size(); }

 private:
  struct Ctx {
    std::vector<Action> out;
    uint64_t now = 0;
    PublicKey from;
  };
  struct VoteBucket {
    VoteData data;
    std::map<uint32_t, Signature> sigs;
  };
  struct RoundVotes {
    std::set<uint32_t> voters;
    std::map<Bytes, VoteBucket> by_data;
  };
  struct RoundTimeouts {
    std::map<uint32_t, TimeoutCert::Entry> entries;
    QuorumCert high_qc;
  };
  struct Missing {  // an outstanding block fetch
    PublicKey asked;
    uint32_t attempts = 0;
    uint64_t retry_at_ms = 0;
  };

  void HandleProposal(Ctx& c, const ProposalMsg& p);
  void HandleVote(Ctx& c, const Vote& v);
  void HandleTimeout(Ctx& c, const TimeoutMsg& t);
  void HandleBlockRequest(Ctx& c, const BlockRequest& q);
  void HandleBlockResponse(Ctx& c, const BlockResponse& r);
  void HandleEpochRequest(Ctx& c, const EpochRequest& q);
  void SendEpochProof(Ctx& c, uint64_t epoch);
  void HandleEpochProof(Ctx& c, const EpochProof& p);

  bool EpochOk(Ctx& c, uint64_t epoch);
  bool QcValid(const QuorumCert& qc);
  bool TcValid(const TimeoutCert& tc);
  void RememberQc(const QuorumCert& qc);
  void ProcessQc(Ctx& c, const QuorumCert& qc);
  void ProcessTc(Ctx& c, const TimeoutCert& tc);
  void AdvanceRound(Ctx& c, uint64_t round, const TimeoutCert* tc);
  void ScheduleRoundTimer(Ctx& c);
  void TryPropose(Ctx& c);
  bool PacingAllows(const Ctx& c, const Block& parent) const;
  void MaybeVote(Ctx& c, const Hash256& id, const Block& b, const TimeoutCert* tc);
  void LocalTimeout(Ctx& c);
  void TryCommit(Ctx& c);
  void StartEpoch(Ctx& c, ValidatorSet next);
  void Fetch(Ctx& c, const Hash256& id, const PublicKey& peer);
  void RetryFetches(Ctx& c);
  void AskForBlock(Ctx& c, const Hash256& id, Missing& m, const PublicKey& preferred);
  PublicKey NextPeer(const Ctx& c, const PublicKey& after) const;
  bool AddToTree(const Hash256& id, const Block& b);
  void HeardFrom(const Ctx& c);
  void LinkFetched(Ctx& c);
  void RetryPending(Ctx& c);
  void Persist(Ctx& c) { c.out.push_back(PersistSafety{safety_.state()}); }
  const Block* FindBlock(const Hash256& id) const;
  bool IsEpochRoot(const Hash256& id) const { return id == safety_.state().epoch_root_id; }
  void Send(Ctx& c, uint32_t to, Message m);

  ReplicaOptions opts_;
  ValidatorSet vs_;
  Hash256 vs_hash_;
  std::optional<uint32_t> me_;
  ProposalHost* host_;
  const Signer* signer_;
  const Verifier* verifier_;
  SafetyRules safety_;

  Block tip_;  // highest committed block
  Hash256 tip_id_;
  std::map<Hash256, Block> tree_;              // uncommitted blocks above the tip, by id
  std::map<uint64_t, Hash256> proposal_seen_;  // round -> first valid proposal's id
  uint64_t round_ = 0;
  std::optional<TimeoutCert> last_tc_;  // the TC for round_ - 1, if round_ was entered by one
  uint64_t proposed_round_ = 0;
  bool timed_out_ = false;
  std::map<uint64_t, RoundVotes> votes_;
  std::map<uint64_t, RoundTimeouts> timeouts_;
  std::optional<QuorumCert> best_commit_qc_;
  std::map<Hash256, std::vector<ProposalMsg>> pending_;  // by missing parent id
  size_t pending_count_ = 0;
  std::map<Hash256, Block> fetched_;
  std::map<Hash256, Missing> missing_;           // block id -> the fetch (bounded: kMaxMissing)
  std::map<PublicKey, uint64_t> last_heard_ms_;  // validators only (bounded by the set)
  std::set<Hash256> verified_;                   // TC hashes already verified (bounded)
  std::map<std::pair<uint64_t, Hash256>, QuorumCert> verified_qcs_;  // bounded
  std::map<uint64_t, EpochProof> epoch_end_certs_;
  uint64_t last_epoch_request_ms_ = 0;
  std::map<PublicKey, uint64_t> last_proof_sent_ms_;  // per peer (bounded)
  bool epoch_requested_ = false;
};

}  // namespace tidemark::consensus
