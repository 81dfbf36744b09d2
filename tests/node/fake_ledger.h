// fake_ledger.h — an in-memory LedgerApi for the REST tests only (never linked into the node).
//
// Blocks are real `Block`s with real quorum certificates signed by four fixed validator keys, so
// tests can verify what the API returns; transactions go through a real Mempool; CommitBlock()
// plays consensus + execution: it takes the ready batch, makes a block, advances nonces, records
// receipts and publishes the events.
//
// Thread safety: thread-safe.
#pragma once

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "tidemark/contracts/framework.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/hash.h"
#include "tidemark/node/api/http_service.h"
#include "tidemark/node/api/ledger_api.h"
#include "tidemark/node/api/rest_api.h"
#include "tidemark/value.h"

namespace tidemark::testing {

inline KeyPair TestKey(uint8_t n) {
  Seed s;
  s.data.fill(n);
  return KeyPair::FromSeed(s);
}

class FakeLedger : public node::api::LedgerApi {
 public:
  explicit FakeLedger(std::string chain_id = "test-chain", node::http::EventBus* bus = nullptr)
      : chain_id_(chain_id),
        bus_(bus),
        pool_({.chain_id = chain_id,
               .max_txs = 100,
               .clock =
                   [this] {
                     return std::chrono::steady_clock::time_point(
                         std::chrono::milliseconds(clock_ms.load()));
                   }},
              [this](const PublicKey& k) -> Result<node::mempool::SignerInfo> {
                std::lock_guard<std::mutex> lock(mu_);
                uint64_t height = blocks_.empty() ? 0 : blocks_.size() - 1;
                if (exec_state_) {
                  return node::mempool::SignerInfoFromState(*exec_state_, k, height);
                }
                // Without contracts every key is active, each its own organisation.
                auto it = nonces_.find(k);
                return node::mempool::SignerInfo{
                    .active = true,
                    .org = "org-" + k.Hex().substr(0, 16),
                    .next_nonce = it == nonces_.end() ? uint64_t{0} : it->second,
                    .height = height};
              }) {
    for (uint8_t i = 1; i <= 4; ++i) {
      keys_.push_back(TestKey(i));
      validators_.validators.push_back({keys_.back().public_key(), "org" + std::to_string(i)});
    }
    Block genesis;
    genesis.header.chain_id = chain_id_;
    genesis.header.tx_root = TxRoot({});
    genesis.header.validators_hash = validators_.Hash();
    blocks_.push_back({genesis, std::nullopt, std::vector<Receipt>{}});
  }

  std::atomic<bool> ready{true};
  // The mempool's clock (its tx timings), in ms; tests move it.
  std::atomic<int64_t> clock_ms{0};
  // The next block's timestamp is its parent's plus this (genesis: 0; block 1: 1767225601000).
  std::atomic<uint64_t> block_gap_ms{1000};
  // False: Status() reports no tx timings, as a node that has just restarted.
  std::atomic<bool> report_tx_timings{true};
  void SetBus(node::http::EventBus* bus) { bus_ = bus; }
  node::mempool::Mempool& pool() { return pool_; }
  const ValidatorSet& validators() const { return validators_; }
  // State versions below `h` answer kGone, as a pruning ChainStore does.
  void PruneBelow(uint64_t h) {
    std::lock_guard<std::mutex> lock(mu_);
    pruned_below_ = h;
  }
  void PutState(Bytes k, Bytes v) {
    std::lock_guard<std::mutex> lock(mu_);
    state_[k] = v;
  }

  // The next CommitBlock gives its txs these receipts' status, reason and events instead of its
  // own (tests of how receipts are shown); tx id, height and index are still the block's.
  void SetNextReceipts(std::vector<Receipt> receipts) {
    std::lock_guard<std::mutex> lock(mu_);
    next_receipts_ = std::move(receipts);
  }

  // From now on CommitBlock executes txs with the built-in contracts over a state written from
  // `genesis`: receipts, nonces and ReadState are then the contracts' own.
  void EnableContracts(const contracts::Genesis& genesis) {
    std::lock_guard<std::mutex> lock(mu_);
    registry_ = std::make_unique<contracts::ContractRegistry>(contracts::TestContracts());
    exec_state_ = std::make_unique<contracts::MemStateView>();
    tidemark::Status s = contracts::WriteGenesisState(genesis, *exec_state_);
    if (!s.ok()) throw std::runtime_error(s.ToString());
  }

  QuorumCert Certify(const Hash256& block_id, uint64_t height, uint64_t round) {
    QuorumCert qc;
    qc.data = VoteData{.epoch = 0,
                       .round = round,
                       .height = height,
                       .block_id = block_id,
                       .commit_height = height,
                       .commit_id = block_id};
    for (uint32_t i = 0; i < keys_.size(); ++i) {
      qc.signatures.emplace_back(i, keys_[i].Sign(SigKind::kVote, chain_id_, qc.data.Encode()));
    }
    return qc;
  }

  // Commits the mempool's ready txs (possibly none) as the next block.
  node::api::BlockRecord CommitBlock() {
    std::vector<Transaction> txs = pool_.TakeBatch(1000, 1 << 20);
    node::api::BlockRecord rec;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const node::api::BlockRecord& parent = blocks_.back();
      Block b;
      b.header =
          BlockHeader{.chain_id = chain_id_,
                      .round = parent.block.header.round + 1,
                      .height = parent.block.header.height + 1,
                      .parent = parent.block.Id(),
                      .timestamp_ms = parent.block.header.height == 0
                                          ? 1767225601000
                                          : parent.block.header.timestamp_ms + block_gap_ms.load(),
                      .tx_root = TxRoot(txs),
                      .tx_count = static_cast<uint32_t>(txs.size()),
                      .validators_hash = validators_.Hash()};
      b.justify = parent.commit_cert.value_or(QuorumCert{});
      b.header.justify_hash = b.justify.Hash();
      b.txs = txs;
      std::vector<Receipt> receipts;
      for (uint32_t i = 0; i < txs.size(); ++i) {
        Receipt r{.tx_id = txs[i].Id(), .height = b.header.height, .index = i};
        if (registry_) {
          r = contracts::ApplyTransaction(*registry_, *exec_state_, txs[i],
                                          contracts::TxContext::For(txs[i], b.header, i));
          r.tx_id = txs[i].Id();
          r.height = b.header.height;
          r.index = i;
        }
        if (i < next_receipts_.size()) {
          r.status = next_receipts_[i].status;
          r.reason = next_receipts_[i].reason;
          r.events = next_receipts_[i].events;
        }
        receipts.push_back(r);
        nonces_[txs[i].signer] =
            registry_ ? contracts::NextNonce(*exec_state_, txs[i].signer) : txs[i].nonce + 1;
        tx_index_[txs[i].Id()] = {b.header.height, i};
      }
      next_receipts_.clear();
      rec = {b, Certify(b.Id(), b.header.height, b.header.round), receipts};
      blocks_.push_back(rec);
    }
    pool_.OnCommitted(rec.block.header.height, rec.block.txs, *rec.receipts);
    if (bus_) node::api::PublishCommitted(bus_, rec.block, &*rec.receipts);
    return rec;
  }

  bool Ready() override { return ready; }
  node::api::NodeStatus Status() override {
    std::lock_guard<std::mutex> lock(mu_);
    const Block& head = blocks_.back().block;
    return {.chain_id = chain_id_,
            .node_version = "test",
            .height = head.header.height,
            .head_id = head.Id(),
            .head_timestamp_ms = head.header.timestamp_ms,
            .validator_count = validators_.size()};
  }
  node::mempool::RecentFinality TxFinality() override {
    return report_tx_timings ? pool_.Finality() : node::mempool::RecentFinality{};
  }
  Result<node::api::BlockRecord> BlockAt(uint64_t height) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (height >= blocks_.size())
      return tidemark::Status::NotFound("no block at " + std::to_string(height));
    return blocks_[height];
  }
  Result<node::api::BlockRecord> BlockById(const Hash256& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& b : blocks_) {
      if (b.block.Id() == id) return b;
    }
    return tidemark::Status::NotFound("no block " + id.Hex());
  }
  Result<ValidatorSet> Validators() override { return validators_; }
  Result<node::mempool::TxRecord> SubmitTx(ByteView bytes) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = tx_index_.find(Sha256(bytes));
      if (it != tx_index_.end()) {
        return node::mempool::TxRecord{.id = it->first,
                                       .state = node::mempool::TxState::kCommitted,
                                       .height = it->second.first,
                                       .index = it->second.second};
      }
    }
    return pool_.Add(bytes);
  }
  Result<node::api::TxInfo> GetTx(const Hash256& id) override {
    TM_ASSIGN_OR_RETURN(node::mempool::TxRecord rec, pool_.Find(id));
    node::api::TxInfo info{.record = rec, .tx = pool_.Get(id)};
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = tx_index_.find(id); it != tx_index_.end()) {
      const auto& b = blocks_[it->second.first];
      info.tx = b.block.txs[it->second.second];
      info.receipt = (*b.receipts)[it->second.second];
    }
    return info;
  }
  Result<node::api::TxInfo> WaitTx(const Hash256& id, std::chrono::milliseconds t) override {
    TM_RETURN_IF_ERROR(pool_.WaitFinal(id, t).status());
    return GetTx(id);
  }
  Result<node::api::StateProofAnswer> ProveState(ByteView key,
                                                 std::optional<uint64_t> height) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (height && *height >= blocks_.size()) {
      return tidemark::Status::NotFound("no state at height " + std::to_string(*height));
    }
    if (height && *height < pruned_below_) {
      return tidemark::Status::Gone("state version " + std::to_string(*height) + " was pruned");
    }
    node::api::StateProofAnswer a{.key = Bytes(key.begin(), key.end()),
                                  .height = blocks_.size() - 1,
                                  .proof = Bytes{0x01, 0x02}};
    if (auto it = state_.find(a.key); it != state_.end()) a.value = it->second;
    return a;
  }
  Result<std::vector<node::api::SignerTxRef>> TxsBySigner(
      const PublicKey& signer, std::optional<node::api::TxLocationRef> after,
      size_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<node::api::SignerTxRef> out;
    for (const auto& b : blocks_) {
      for (uint32_t i = 0; i < b.block.txs.size() && out.size() < limit; ++i) {
        uint64_t h = b.block.header.height;
        if (b.block.txs[i].signer != signer) continue;
        if (after && (h < after->height || (h == after->height && i <= after->index))) continue;
        out.push_back({.tx_id = b.block.txs[i].Id(), .location = {.height = h, .index = i}});
      }
    }
    return out;
  }
  tidemark::Status ReadState(const StateReader& fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (exec_state_) return fn(*exec_state_, blocks_.size() - 1);
    contracts::MemStateView view;
    for (const auto& [k, v] : state_) view.Put(std::string(k.begin(), k.end()), v);
    return fn(view, blocks_.size() - 1);
  }

 private:
  std::string chain_id_;
  node::http::EventBus* bus_;
  std::vector<KeyPair> keys_;
  ValidatorSet validators_;
  node::mempool::Mempool pool_;
  std::mutex mu_;
  std::map<PublicKey, uint64_t> nonces_;
  std::vector<node::api::BlockRecord> blocks_;
  std::map<Hash256, std::pair<uint64_t, uint32_t>> tx_index_;
  std::map<Bytes, Bytes> state_;
  uint64_t pruned_below_ = 0;                              // guarded by mu_
  std::vector<Receipt> next_receipts_;                     // guarded by mu_
  std::unique_ptr<contracts::ContractRegistry> registry_;  // set by EnableContracts
  std::unique_ptr<contracts::MemStateView> exec_state_;
};

// A signed tx from `key` with `nonce` on `chain`.
inline Transaction MakeTx(const KeyPair& key, uint64_t nonce, std::string chain = "test-chain",
                          std::string payload = "x") {
  Transaction tx{.chain_id = std::move(chain),
                 .nonce = nonce,
                 .contract = "test",
                 .method = "put",
                 .args = Value::MakeMap({{"k", Value(payload)}}).Encode()};
  tx.SignWith(key);
  return tx;
}

// A FakeLedger served by a real HttpService (REST + SSE) on the config's listen address: the
// fixture of the REST tests. `http` stops when the fixture goes away.
struct ServedFakeLedger {
  FakeLedger ledger;
  std::unique_ptr<node::api::HttpService> http;

  explicit ServedFakeLedger(const node::config::NodeConfig& cfg) {
    http = std::make_unique<node::api::HttpService>(cfg, &ledger);
    ledger.SetBus(&http->bus());
    REQUIRE(http->Start().ok());
  }
  // chain "test-chain", REST on a free loopback port.
  static node::config::NodeConfig LoopbackConfig() {
    node::config::NodeConfig c;
    c.chain_id = "test-chain";
    c.http.listen = "127.0.0.1:0";
    return c;
  }
  uint16_t port() const { return http->port(); }
};

}  // namespace tidemark::testing
