// byzantine_node.h — a validator that lies, for process tests: it holds one validator's real key,
// speaks the real p2p protocol (p2p::Transport: handshake, encryption, framing) and runs a real
// consensus::Replica, but equivocates whenever it leads and can be told to send hostile messages
// (far-future rounds, votes signed with the wrong key, undecodable and oversized frames).
//
//   ByzantineNode byz(key, genesis, {.chain_id = chain, .listen_port = p2p_port}, peers);
//   byz.Start();                          // follows and equivocates as leader
//   byz.SendFarFutureTimeout(1'000'000'000'000);
//   byz.SendRaw(peer, garbage);           // a valid encrypted frame with garbage inside
//
// Thread safety: public methods may be called from any thread (one mutex around the replica).
#pragma once

#include <boost/asio.hpp>
#include <mutex>
#include <thread>

#include "net_util.h"
#include "tidemark/consensus/replica.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/merkle.h"
#include "tidemark/node/app/ledger.h"
#include "tidemark/node/p2p/transport.h"
#include "tidemark/node/storage/memory_kv_store.h"

namespace tidemark::testing {

class ByzantineNode : public consensus::ProposalHost {
 public:
  ByzantineNode(KeyPair key, const contracts::Genesis& genesis, node::p2p::TransportOptions topt,
                std::vector<node::p2p::PeerAddress> peers)
      : key_(key),
        chain_(genesis.chain_id),
        signer_(key, genesis.chain_id),
        verifier_(genesis.chain_id),
        peers_(std::move(peers)) {
    auto ledger = node::Ledger::Open(std::make_unique<node::MemoryKvStore>(), genesis,
                                     contracts::TestContracts());
    genesis_ = ledger.ok() ? (*ledger)->genesis_block() : Block{};
    blocks_[genesis_.Id()] = genesis_;
    std::set<PublicKey> allowed;
    for (const auto& o : genesis.orgs) {
      if (o.validator_key) allowed.insert(*o.validator_key);
    }
    transport_ = std::make_unique<node::p2p::Transport>(
        io_, key, topt, [allowed](const PublicKey& k) { return allowed.count(k) > 0; },
        [this](const PublicKey& from, Bytes m) { OnMessage(from, std::move(m)); });
    consensus::ReplicaOptions ro{
        .chain_id = chain_, .base_timeout_ms = 500, .max_backoff_exponent = 3};
    replica_ = std::make_unique<consensus::Replica>(
        ro,
        consensus::ReplicaInit{genesis.Validators(),
                               genesis_,
                               consensus::SafetyState::ForEpochRoot(0, genesis_.Id(), 0),
                               {}},
        this, &signer_, &verifier_);
    validators_ = genesis.Validators();
  }
  ~ByzantineNode() { Stop(); }

  Status Start() {
    TM_RETURN_IF_ERROR(transport_->Listen());
    for (const auto& p : peers_) transport_->AddPeer(p);  // the validators' dialling rule
    io_thread_ = std::thread([this] {
      auto guard = boost::asio::make_work_guard(io_);
      io_.run();
    });
    loop_ = std::thread([this] { Loop(); });
    {
      std::lock_guard l(mu_);
      Run(replica_->Start(Now()));
    }
    return Status::Ok();
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    transport_->Stop();
    if (loop_.joinable()) loop_.join();
    io_.stop();
    if (io_thread_.joinable()) io_thread_.join();
  }

  size_t equivocations() const { return equivocations_.load(); }
  size_t stuffed_proposals() const { return stuffed_proposals_.load(); }
  size_t connected() const { return transport_->ConnectedPeers().size(); }
  node::p2p::Transport& transport() { return *transport_; }
  uint32_t own_index() const { return *validators_.IndexOf(key_.public_key()); }

  // A validly signed timeout for a round far in the future (it must not move anyone).
  void SendFarFutureTimeout(uint64_t round) {
    std::lock_guard l(mu_);
    consensus::TimeoutMsg t;
    t.epoch = 0;
    t.round = round;
    t.high_qc = replica_->safety().high_qc;
    t.voter = own_index();
    t.signature = signer_.Sign(SigKind::kTimeout,
                               consensus::TimeoutSigningBody(0, round, t.high_qc.data.round));
    transport_->Broadcast(Consensus(consensus::EncodeMessage(t)));
  }

  // A vote that claims to come from validator `as` but is signed with this node's key.
  void SendForgedVote(uint32_t as) {
    std::lock_guard l(mu_);
    Vote v;
    v.data = replica_->safety().high_qc.data;
    v.data.round = replica_->round();
    v.voter = as;
    v.signature = signer_.Sign(SigKind::kVote, v.data.Encode());
    transport_->Broadcast(Consensus(consensus::EncodeMessage(v)));
  }

  // Any bytes as one authenticated frame (the transport encrypts them).
  Status SendRaw(const PublicKey& to, Bytes message) {
    return transport_->Send(to, std::move(message));
  }

  // From now on every block it proposes carries `txs` (a leader stuffing blocks with txs that
  // honest mempools refused), sent as one proposal to every peer (no equivocation).
  void StuffProposals(std::vector<Transaction> txs) {
    std::lock_guard l(mu_);
    stuffed_ = std::move(txs);
  }

  // ---- ProposalHost: a block whose execution fields repeat its parent's (valid), empty unless
  // StuffProposals gave it txs.
  std::optional<Block> BuildProposal(const BlockHeader& fields,
                                     const QuorumCert& justify) override {
    Block b;
    b.header = fields;
    b.justify = justify;
    b.txs = stuffed_;
    b.header.tx_root = TxRoot(b.txs);
    b.header.tx_count = static_cast<uint32_t>(b.txs.size());
    auto it = blocks_.find(justify.data.block_id);
    const Block& parent = it != blocks_.end() ? it->second : genesis_;
    b.header.exec_height = parent.header.exec_height;
    b.header.state_root = parent.header.state_root;
    b.header.receipts_root = parent.header.receipts_root;
    return b;
  }
  Status ValidateProposal(const Block& b) override {
    Remember(b);
    return Status::Ok();
  }
  std::optional<ValidatorSet> EndsEpoch(const Block&, const ValidatorSet&) override {
    return std::nullopt;
  }
  std::optional<Block> LoadCommittedBlock(const Hash256& id) override {
    auto it = blocks_.find(id);
    if (it == blocks_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<consensus::EpochProof> LoadEpochProof(uint64_t) override { return std::nullopt; }

 private:
  static uint64_t Now() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  }
  static Bytes Consensus(const Bytes& body) {
    Bytes out{0};  // channel 0: consensus
    out.insert(out.end(), body.begin(), body.end());
    return out;
  }
  void Remember(const Block& b) { blocks_[b.Id()] = b; }

  void OnMessage(const PublicKey& from, Bytes frame) {
    if (frame.empty() || frame[0] != 0) return;  // only consensus
    auto msg = consensus::DecodeMessage(ByteView(frame.data() + 1, frame.size() - 1));
    if (!msg.ok()) return;
    std::lock_guard l(mu_);
    if (auto* p = std::get_if<consensus::ProposalMsg>(&*msg)) Remember(p->block);
    if (auto* r = std::get_if<consensus::BlockResponse>(&*msg)) {
      for (const Block& b : r->blocks) Remember(b);
    }
    Run(replica_->OnMessage(from, *msg, Now()));
  }

  void Loop() {
    while (!stopped_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      std::lock_guard l(mu_);
      uint64_t now = Now();
      if (timer_ && timer_->at_ms <= now) {
        auto t = *timer_;
        timer_.reset();
        Run(replica_->OnTimer(t.epoch, t.round, now));
      }
      Run(replica_->OnTick(now));
    }
  }

  // REQUIRES: mu_ held.
  void Run(std::vector<consensus::Action> actions) {
    for (auto& a : actions) {
      if (auto* s = std::get_if<consensus::SendTo>(&a)) {
        (void)transport_->Send(s->to, Consensus(consensus::EncodeMessage(s->msg)));
      } else if (auto* b = std::get_if<consensus::Broadcast>(&a)) {
        if (auto* p = std::get_if<consensus::ProposalMsg>(&b->msg); p && stuffed_.empty()) {
          Equivocate(*p);
        } else {
          if (p) stuffed_proposals_++;  // one stuffed block to all: it could get a quorum
          transport_->Broadcast(Consensus(consensus::EncodeMessage(b->msg)));
        }
      } else if (auto* c = std::get_if<consensus::CommitBlocks>(&a)) {
        for (const Block& blk : c->blocks) Remember(blk);
      } else if (auto* t = std::get_if<consensus::ScheduleTimer>(&a)) {
        timer_ = *t;
      }
    }
  }

  // The real proposal to the first peer, a different validly signed block for the same round to
  // the others.
  void Equivocate(const consensus::ProposalMsg& p) {
    consensus::ProposalMsg twin = p;
    twin.block.header.timestamp_ms += 1;
    twin.signature =
        signer_.Sign(SigKind::kProposal, consensus::ProposalSigningBody(twin.block.Id()));
    Remember(twin.block);
    std::vector<PublicKey> to = transport_->ConnectedPeers();
    for (size_t i = 0; i < to.size(); ++i) {
      (void)transport_->Send(to[i], Consensus(consensus::EncodeMessage(i == 0 ? p : twin)));
    }
    equivocations_++;
  }

  KeyPair key_;
  std::string chain_;
  consensus::Ed25519Signer signer_;
  consensus::Ed25519Verifier verifier_;
  std::vector<node::p2p::PeerAddress> peers_;
  ValidatorSet validators_;
  Block genesis_;
  boost::asio::io_context io_;
  std::unique_ptr<node::p2p::Transport> transport_;
  std::mutex mu_;
  std::unique_ptr<consensus::Replica> replica_;    // guarded by mu_
  std::map<Hash256, Block> blocks_;                // guarded by mu_
  std::optional<consensus::ScheduleTimer> timer_;  // guarded by mu_
  std::thread io_thread_, loop_;
  std::atomic<bool> stopped_{false};
  std::atomic<size_t> equivocations_{0};
  std::atomic<size_t> stuffed_proposals_{0};
  std::vector<Transaction> stuffed_;  // guarded by mu_
};

// The p2p port a node's config listens on.
inline uint16_t P2pPort(const NodeProc& n) {
  std::string listen = nlohmann::json::parse(Slurp(n.dir / "node.json"))["p2p"]["listen"];
  return static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
}

// What a ByzantineNode in another slot needs to join the honest validators of a TestNet.
struct HonestPeers {
  contracts::Genesis genesis;
  std::vector<node::p2p::PeerAddress> peers;
};
// Starts the validators `honest` of `net`, waits until they are ready, and returns the network's
// genesis and their p2p addresses.
inline HonestPeers StartHonest(TestNet& net, const std::vector<size_t>& honest) {
  for (size_t i : honest) net.Start(i);
  for (size_t i : honest) REQUIRE(WaitFor([&] { return net.nodes[i].Ready(); }));
  auto genesis =
      contracts::Genesis::FromJson(nlohmann::json::parse(Slurp(net.dir / "genesis.json")));
  REQUIRE(genesis.ok());
  HonestPeers out{.genesis = std::move(*genesis), .peers = {}};
  for (size_t i : honest) {
    out.peers.push_back({net.NodeKey(i).public_key(), "127.0.0.1", P2pPort(net.nodes[i])});
  }
  return out;
}

}  // namespace tidemark::testing
