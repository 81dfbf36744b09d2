#include "tidemark/consensus/replica.h"

#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <memory>

#include "test_util.h"

using namespace tidemark;
using namespace tidemark::consensus;
using namespace tidemark::consensus::testing;

namespace {

class TestHost : public ProposalHost {
 public:
  std::optional<Block> BuildProposal(const BlockHeader& f, const QuorumCert& justify) override {
    if (defer > 0) {  // execution behind the parent's: nothing to propose yet
      --defer;
      ++deferred;
      return std::nullopt;
    }
    Block b;
    b.header = f;
    b.justify = justify;
    if (payload_bytes > 0) {  // one unsigned tx carrying that many bytes
      b.txs.push_back(Transaction{.chain_id = kChain,
                                  .nonce = f.height,
                                  .contract = "test",
                                  .method = "put",
                                  .args = Bytes(payload_bytes, 7)});
    }
    b.header.tx_root = TxRoot(b.txs);
    b.header.tx_count = static_cast<uint32_t>(b.txs.size());
    return b;
  }
  Status ValidateProposal(const Block&) override { return Status::Ok(); }
  std::optional<ValidatorSet> EndsEpoch(const Block&, const ValidatorSet&) override {
    return std::nullopt;
  }
  std::optional<Block> LoadCommittedBlock(const Hash256& id) override {
    auto it = committed.find(id);
    if (it == committed.end()) return std::nullopt;
    return it->second;
  }
  std::optional<EpochProof> LoadEpochProof(uint64_t) override { return std::nullopt; }
  std::map<Hash256, Block> committed;
  size_t payload_bytes = 0;  // > 0: each proposal carries a tx with args of this size
  int defer = 0;             // the next `defer` calls of BuildProposal answer nullopt
  int deferred = 0;          // how many did
};

struct Cluster {
  explicit Cluster(size_t n) : keys(MakeKeys(n)), vs(MakeSet(keys)), verifier(kChain) {
    genesis.header.chain_id = kChain;
    genesis.header.tx_root = TxRoot({});
    genesis.justify = EpochRootQc(0, Hash256{}, 0);
    genesis.header.justify_hash = genesis.justify.Hash();
    for (size_t i = 0; i < n; ++i) {
      signers.push_back(std::make_unique<Ed25519Signer>(keys[i], kChain));
      hosts.push_back(std::make_unique<TestHost>());
      safety.push_back(SafetyState::ForEpochRoot(0, genesis.Id(), 0));
      tips.push_back(genesis);
      replicas.push_back(nullptr);
      Restart(i);
    }
  }
  void Restart(size_t i, std::vector<Block> pending = {}) {
    ReplicaInit init{vs, tips[i], safety[i], std::move(pending)};
    ReplicaOptions o{.chain_id = kChain, .base_timeout_ms = 100};
    replicas[i] = std::make_unique<Replica>(o, init, hosts[i].get(), signers[i].get(), &verifier);
    Run(i, replicas[i]->Start(now));
  }
  // Executes actions: persists, queues messages (FIFO), records commits.
  void Run(size_t i, std::vector<Action> actions) {
    bool persisted_vote_round = false;
    for (auto& a : actions) {
      if (auto* p = std::get_if<PersistSafety>(&a)) {
        safety[i] = p->state;
        history[i].push_back(p->state);
        persisted_vote_round = true;
      } else if (auto* s = std::get_if<SendTo>(&a)) {
        if (std::holds_alternative<Vote>(s->msg)) {
          REQUIRE(persisted_vote_round);  // persisted before the vote leaves
          REQUIRE(safety[i].last_voted_round >= std::get<Vote>(s->msg).data.round);
          votes_sent.push_back({i, std::get<Vote>(s->msg)});
        }
        if (auto to = vs.IndexOf(s->to)) queue.push_back({i, *to, s->msg});
      } else if (auto* b = std::get_if<Broadcast>(&a)) {
        for (size_t j = 0; j < keys.size(); ++j) {
          if (j != i) queue.push_back({i, j, b->msg});
        }
      } else if (auto* c = std::get_if<CommitBlocks>(&a)) {
        REQUIRE(c->cert.Verify(vs, kChain).ok());
        REQUIRE(c->cert.data.commit_id == c->blocks.back().Id());
        for (auto& blk : c->blocks) {
          REQUIRE(blk.header.height == tips[i].header.height + 1);
          hosts[i]->committed[blk.Id()] = blk;
          tips[i] = blk;
        }
      }
    }
  }
  void Deliver(size_t steps) {
    for (size_t k = 0; k < steps && !queue.empty(); ++k) {
      auto [from, to, msg] = queue.front();
      queue.pop_front();
      now += 1;
      if (std::holds_alternative<ProposalMsg>(msg)) delivered.push_back({from, to, msg});
      if (replicas[to]) Run(to, replicas[to]->OnMessage(keys[from].public_key(), msg, now));
    }
  }
  struct Envelope {
    size_t from, to;
    Message msg;
  };
  std::vector<KeyPair> keys;
  ValidatorSet vs;
  Ed25519Verifier verifier;
  Block genesis;
  std::vector<std::unique_ptr<Signer>> signers;
  std::vector<std::unique_ptr<TestHost>> hosts;
  std::vector<SafetyState> safety;
  std::map<size_t, std::vector<SafetyState>> history;
  std::vector<Block> tips;
  std::vector<std::unique_ptr<Replica>> replicas;
  std::deque<Envelope> queue;
  std::vector<Envelope> delivered;  // proposals
  std::vector<std::pair<size_t, Vote>> votes_sent;
  uint64_t now = 1000;
};

}  // namespace

TEST_CASE("four replicas commit the same chain with verifiable certificates") {
  Cluster c(4);
  c.Deliver(2000);
  std::map<uint64_t, Hash256> by_height;
  for (size_t i = 0; i < 4; ++i) {
    REQUIRE(c.tips[i].header.height >= 5);
    for (const auto& [id, b] : c.hosts[i]->committed) {
      auto [it, inserted] = by_height.emplace(b.header.height, id);
      REQUIRE(it->second == id);
    }
  }
}

TEST_CASE("a block fetch of large blocks is answered within the response byte bound") {
  // Regression (tidemark-bench --consensus-only, blocks of 2,000 commands): a fetch asked for 64
  // ancestors of ~380 KB, the answer passed the p2p frame limit, could not be sent, and the
  // replica behind never caught up through its fetches.
  Cluster c(4);
  for (auto& h : c.hosts) h->payload_bytes = 1536 * 1024;
  c.Deliver(400);
  const Block tip = c.tips[1];
  REQUIRE(tip.header.height >= 8);
  auto answer = c.replicas[1]->OnMessage(c.keys[0].public_key(), BlockRequest{tip.Id(), 64}, c.now);
  REQUIRE(answer.size() == 1);
  const auto& resp = std::get<BlockResponse>(std::get<SendTo>(answer[0]).msg);
  size_t bytes = 0;
  for (size_t k = 0; k < resp.blocks.size(); ++k) {
    const size_t size = resp.blocks[k].Encode().size();
    REQUIRE(EstimatedSize(resp.blocks[k]) >= size);
    bytes += size;
    if (k > 0) REQUIRE(resp.blocks[k - 1].header.parent == resp.blocks[k].Id());
  }
  REQUIRE(resp.blocks.front().Id() == tip.Id());
  REQUIRE(resp.blocks.size() == 5);  // 5 x 1.5 MiB fit in 8 MiB, 6 do not
  REQUIRE(bytes <= kMaxFetchResponseBytes);
  REQUIRE(EncodeMessage(resp).size() < 16u << 20);  // the node's p2p frame
}

TEST_CASE("a restarted replica never votes twice in one round") {
  Cluster c(4);
  c.Deliver(60);
  REQUIRE_FALSE(c.votes_sent.empty());
  size_t who = 0;
  Vote vote;
  for (const auto& [i, v] : c.votes_sent) {  // the last vote on another replica's proposal
    if (v.data.round % 4 != i) {
      who = i;
      vote = v;
    }
  }
  // Find the proposal it voted for and replay it after a restart from the persisted state.
  c.Restart(who);
  REQUIRE(c.replicas[who]->safety().last_voted_round >= vote.data.round);
  size_t before = c.votes_sent.size();
  c.queue.clear();
  bool replayed_same_round = false;
  for (const auto& [from, to, msg] : std::vector<Cluster::Envelope>(c.delivered)) {
    const auto& p = std::get<ProposalMsg>(msg);
    if (to != who && from != who) continue;
    replayed_same_round |= p.block.header.round == vote.data.round;
    c.Run(who, c.replicas[who]->OnMessage(c.keys[from].public_key(), msg, c.now));
  }
  REQUIRE(replayed_same_round);
  for (size_t k = before; k < c.votes_sent.size(); ++k) {
    if (c.votes_sent[k].first == who) REQUIRE(c.votes_sent[k].second.data.round > vote.data.round);
  }
  // Control: had the vote not been persisted, the same replay would vote again in that round.
  for (const SafetyState& s : c.history[who]) {
    if (s.last_voted_round < vote.data.round) c.safety[who] = s;  // the state before that vote
  }
  std::vector<Block> blocks;
  for (const auto& e : c.delivered) {
    const Block& b = std::get<ProposalMsg>(e.msg).block;
    if (b.header.round < vote.data.round) blocks.push_back(b);
  }
  c.Restart(who, blocks);
  before = c.votes_sent.size();
  for (const auto& [from, to, msg] : std::vector<Cluster::Envelope>(c.delivered)) {
    if (to == who || from == who) {
      c.Run(who, c.replicas[who]->OnMessage(c.keys[from].public_key(), msg, c.now));
    }
  }
  bool revoted = false;
  for (size_t k = before; k < c.votes_sent.size(); ++k) {
    revoted |= c.votes_sent[k].first == who && c.votes_sent[k].second.data.round == vote.data.round;
  }
  INFO("who=" << who << " round=" << vote.data.round
              << " new votes=" << (c.votes_sent.size() - before));
  REQUIRE(revoted);
}

TEST_CASE("a far-future round cannot move a replica or fill its buffers") {
  Cluster c(4);
  c.Deliver(30);
  Replica& r = *c.replicas[0];
  const uint64_t round = r.round();
  for (uint64_t k = 0; k < 200; ++k) {
    TimeoutMsg t;
    t.round = 1'000'000'000 + k;
    t.high_qc = r.safety().high_qc;
    t.voter = 3;
    t.signature = c.keys[3].Sign(SigKind::kTimeout, kChain,
                                 TimeoutSigningBody(0, t.round, t.high_qc.data.round));
    (void)r.OnMessage(c.keys[3].public_key(), t, c.now);
    Vote v;
    v.data = Data(1'000'000'000 + k, 5, 9);
    v.voter = 3;
    v.signature = c.keys[3].Sign(SigKind::kVote, kChain, v.data.Encode());
    (void)r.OnMessage(c.keys[3].public_key(), v, c.now);
  }
  REQUIRE(r.round() == round);
  REQUIRE(r.buffered_timeouts() <= 4);
  REQUIRE(r.buffered_votes() <= 4);
}

TEST_CASE("votes with bad signatures are not counted") {
  Cluster c(4);
  Replica& r = *c.replicas[2];  // leader of round 2 aggregates round-1 votes
  for (uint32_t voter : {0u, 1u, 3u}) {
    Vote v;
    v.data = Data(1, 1, 9);
    v.voter = voter;
    v.signature = c.keys[voter].Sign(SigKind::kVote, kChain, v.data.Encode());
    v.signature.data[5] ^= 1;
    auto out = r.OnMessage(c.keys[voter].public_key(), v, c.now);
    REQUIRE(out.empty());
  }
  REQUIRE(r.buffered_votes() == 0);
  REQUIRE(r.round() == 1);
}

TEST_CASE("timeouts from a quorum form a TC and move every replica to the next round") {
  Cluster c(4);
  c.queue.clear();  // lose the first proposal
  for (size_t i = 0; i < 4; ++i) c.Run(i, c.replicas[i]->OnTimer(0, 1, c.now + 100));
  c.Deliver(200);
  for (size_t i = 0; i < 4; ++i) {
    REQUIRE(c.replicas[i]->round() >= 2);
    REQUIRE(c.safety[i].last_timeout_round >= 1);
  }
}

TEST_CASE("a leader whose host cannot fill a proposal yet proposes it on its next tick") {
  // Regression (chaos run, seed 1818): a validator restarted behind its peers became leader in the
  // step that committed the blocks its parent's exec_height covers; its host could not give the
  // roots and aborted. Now the host defers; the replica must not count the round as proposed.
  Cluster c(4);
  c.Deliver(200);
  auto lowest = [&] {
    uint64_t h = c.tips[0].header.height;
    for (size_t i = 1; i < 4; ++i) h = std::min(h, c.tips[i].header.height);
    return h;
  };
  const uint64_t start = lowest();
  for (auto& h : c.hosts) h->defer = 1;
  c.Deliver(4000);  // no timer fires here: a deferred round stalls until a tick
  int deferred = 0;
  for (auto& h : c.hosts) deferred += h->deferred;
  REQUIRE(deferred == 1);
  REQUIRE(c.queue.empty());
  const uint64_t stalled = lowest();
  CHECK(stalled <= start + 3);
  for (int k = 0; k < 12; ++k) {  // each tick lets the next deferring leader propose
    for (size_t i = 0; i < 4; ++i) c.Run(i, c.replicas[i]->OnTick(c.now));
    c.Deliver(4000);
  }
  for (auto& h : c.hosts) CHECK(h->deferred == 1);
  CHECK(lowest() >= stalled + 10);
  std::map<uint64_t, Hash256> by_height;
  for (size_t i = 0; i < 4; ++i) {
    for (const auto& [id, b] : c.hosts[i]->committed) {
      auto [it, inserted] = by_height.emplace(b.header.height, id);
      REQUIRE(it->second == id);
    }
  }
}

TEST_CASE("a leader whose votes overtake the proposal fetches the block and proposes at once") {
  // Regression: the QC that a leader formed from votes committed the parent, and the commit
  // forgot the fetch of the certified block (the next proposal's parent): the round stalled
  // until its timeout. Here proposals never reach the next round's leader and no timer fires.
  Cluster c(4);
  c.Deliver(200);
  uint64_t start = c.tips[0].header.height;
  for (size_t i = 1; i < 4; ++i) start = std::min(start, c.tips[i].header.height);
  for (size_t k = 0; k < 4000 && !c.queue.empty(); ++k) {
    auto env = c.queue.front();
    c.queue.pop_front();
    c.now += 1;
    if (auto* p = std::get_if<ProposalMsg>(&env.msg);
        p != nullptr && env.to == c.replicas[0]->LeaderOf(p->block.header.round + 1)) {
      continue;
    }
    c.Run(env.to, c.replicas[env.to]->OnMessage(c.keys[env.from].public_key(), env.msg, c.now));
  }
  for (size_t i = 0; i < 4; ++i) CHECK(c.tips[i].header.height >= start + 20);
}

TEST_CASE(
    "a lost block fetch is asked again, from the next live peer, never itself, with backoff") {
  // Regression (issue #15, sim seeds 910, 1535, 2518): a replica's one fetch was lost, rounds
  // then advanced by QC so no timer fired, and later QCs did not ask again: it never committed.
  Cluster c(4);
  std::vector<ProposalMsg> proposals;
  for (size_t k = 0; k < 400 && !c.queue.empty(); ++k) {  // replica 0 hears nothing
    auto env = c.queue.front();
    c.queue.pop_front();
    c.now += 1;
    if (auto* p = std::get_if<ProposalMsg>(&env.msg); p && env.to == 1) proposals.push_back(*p);
    if (env.to != 0) {
      c.Run(env.to, c.replicas[env.to]->OnMessage(c.keys[env.from].public_key(), env.msg, c.now));
    }
  }
  const ProposalMsg* r3 = nullptr;
  for (const auto& p : proposals) {
    if (p.block.header.round == 3) r3 = &p;
  }
  REQUIRE(r3 != nullptr);
  Replica& r = *c.replicas[0];
  // Peers 1 and 2 are alive (heard from); 3 sends the proposal whose parent 0 lacks.
  (void)r.OnMessage(c.keys[1].public_key(), EpochRequest{0}, c.now);
  (void)r.OnMessage(c.keys[2].public_key(), EpochRequest{0}, c.now);
  const Hash256 parent = r3->block.header.parent;
  auto requests = [&](const std::vector<Action>& out) {  // for the parent (its own parent is
    std::vector<std::pair<PublicKey, Hash256>> reqs;     // fetched alongside, for the commit)
    for (const auto& a : out) {
      auto* s = std::get_if<SendTo>(&a);
      if (s && std::holds_alternative<BlockRequest>(s->msg) &&
          std::get<BlockRequest>(s->msg).block_id == parent) {
        reqs.emplace_back(s->to, parent);
      }
    }
    return reqs;
  };
  auto first = requests(r.OnMessage(c.keys[3].public_key(), *r3, c.now));
  REQUIRE(first.size() == 1);
  REQUIRE(first[0] == std::make_pair(c.keys[3].public_key(), parent));  // lost
  REQUIRE(r.outstanding_fetches() >= 1);
  const uint64_t t0 = c.now;
  REQUIRE(requests(r.OnTick(t0 + 499)).empty());
  auto second = requests(r.OnTick(t0 + 500));
  REQUIRE(second.size() == 1);
  REQUIRE(second[0] == std::make_pair(c.keys[1].public_key(), parent));  // lost too
  REQUIRE(requests(r.OnTick(t0 + 500 + 999)).empty());                   // backoff: 1000 ms now
  // A later reference to the missing block asks again once its time has come, first from the
  // peer that referred to it (it holds the block, unless it is the one that just failed us).
  auto third = requests(r.OnMessage(c.keys[3].public_key(), *r3, t0 + 1500));
  REQUIRE(third.size() == 1);
  REQUIRE(third[0] == std::make_pair(c.keys[3].public_key(), parent));
  auto fourth = requests(r.OnTick(t0 + 1500 + 2000));  // backoff 2000 ms; rotates on from 3
  REQUIRE(fourth.size() == 1);
  REQUIRE(fourth[0] == std::make_pair(c.keys[1].public_key(), parent));
  for (int k = 0; k < 5; ++k) {  // never itself, whatever the rotation
    for (const auto& [to, id] : requests(r.OnTick(t0 + 4000 + 4000 * k))) {
      REQUIRE(to != c.keys[0].public_key());
    }
  }
  // Answered: the block links, the pending proposal gets its vote, nothing stays outstanding.
  auto answer = c.replicas[2]->OnMessage(c.keys[0].public_key(), BlockRequest{parent, 8}, c.now);
  REQUIRE(answer.size() == 1);
  auto out = r.OnMessage(c.keys[2].public_key(), std::get<SendTo>(answer[0]).msg, t0 + 30000);
  (void)out;
  REQUIRE(r.outstanding_fetches() == 0);
  REQUIRE(r.safety().last_voted_round == 3);  // (its vote stays local: it leads round 4)
}
