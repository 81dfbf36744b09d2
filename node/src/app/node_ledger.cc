// node_ledger.cc — the REST backend: the api::LedgerApi port over the node's ledger, mempool and
// consensus driver (node_ledger.h). Moved out of node.cc as it was; only readiness became a flag
// the node owns.
#include "tidemark/node/app/node_ledger.h"

#include <optional>
#include <utility>
#include <vector>

#include "tidemark/hash.h"
#include "tidemark/node/app/consensus_driver.h"
#include "tidemark/node/app/epoch_chain.h"
#include "tidemark/node/app/ledger.h"
#include "tidemark/node/app/versioned_view.h"
#include "tidemark/state_keys/provenance.h"

namespace tidemark::node {

namespace {

class NodeLedger final : public api::LedgerApi {
 public:
  NodeLedger(Ledger& ledger, mempool::Mempool& pool, ConsensusDriver& driver,
             std::function<size_t()> peers, std::function<bool()> syncing,
             std::function<void(ByteView)> gossip, const std::atomic<bool>& ready)
      : ledger_(ledger),
        pool_(pool),
        driver_(driver),
        peers_(std::move(peers)),
        syncing_(std::move(syncing)),
        gossip_(std::move(gossip)),
        ready_(ready) {}

  bool Ready() override { return ready_.load(); }

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

  mempool::RecentFinality TxFinality() override { return pool_.Finality(); }

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
    // An index key is not in the tree: a "proof" would show it absent while Get serves it.
    if (state_keys::prov::IsIndexKey(ToString(key))) {
      return Status::Invalid(
          "key: a query index entry, kept outside the authenticated state; it has no proof "
          "(prove the records it points to)");
    }
    uint64_t h = height.value_or(ledger_.height());
    if (h > ledger_.height()) return Status::OutOfRange("height not executed yet");
    TM_ASSIGN_OR_RETURN(ExecInfo info, ledger_.ExecAt(h));
    TM_ASSIGN_OR_RETURN(StateProof proof, ledger_.ProveAt(h, key));  // kGone: pruned -> 410
    return api::StateProofAnswer{.key = Bytes(key.begin(), key.end()),
                                 .value = proof.value,
                                 .height = h,
                                 .state_root = info.state_root,
                                 .proof = proof.Encode()};
  }

  tidemark::Status ReadState(const StateReader& fn) override { return ledger_.ReadLatest(fn); }

  tidemark::Status ReadStateAt(uint64_t version, const StateReader& fn) override {
    if (version > ledger_.height()) return Status::OutOfRange("state version not executed yet");
    TM_RETURN_IF_ERROR(ledger_.CheckVersion(version));  // kGone: pruned -> 410
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
      out.push_back(
          {.tx_id = t.tx_id, .location = {.height = t.location.height, .index = t.location.index}});
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
  const std::atomic<bool>& ready_;
};

}  // namespace

std::unique_ptr<api::LedgerApi> MakeNodeLedger(Ledger& ledger, mempool::Mempool& pool,
                                               ConsensusDriver& driver,
                                               std::function<size_t()> peers,
                                               std::function<bool()> syncing,
                                               std::function<void(ByteView)> gossip,
                                               const std::atomic<bool>& ready) {
  return std::make_unique<NodeLedger>(ledger, pool, driver, std::move(peers), std::move(syncing),
                                      std::move(gossip), ready);
}

}  // namespace tidemark::node
