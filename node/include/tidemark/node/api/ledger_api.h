// ledger_api.h — what the REST API needs from the node: the backend interface.
//
// The REST layer (rest_api.h) is bound to this abstract class; the node's integrator implements
// it over the block store, state tree, mempool and consensus (node/src/app/). Tests use an
// in-memory fake. Every method may be called concurrently from the HTTP handler threads.
//
//   class NodeLedger : public api::LedgerApi {
//     api::NodeStatus Status() override { ... }
//     Result<api::BlockRecord> BlockAt(uint64_t height) override { ... }
//     ...
//   };
//   api::RestApi rest(&ledger, &bus, &metrics, {.chain_id = cfg.chain_id});
//   rest.Register(&router);
//
// Errors are Status codes the REST layer maps to problems: NotFound -> 404, InvalidArgument ->
// 400, Unauthenticated -> 401, FailedPrecondition / AlreadyExists -> 409, Gone (a state version
// the node pruned, ChainStore) -> 410, ResourceExhausted / Unavailable -> 503.
//
// Thread safety: implementations must be thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tidemark/contracts/state.h"
#include "tidemark/node/mempool/mempool.h"
#include "tidemark/proof_bundle.h"
#include "tidemark/types.h"

namespace tidemark::node::api {

struct NodeStatus {
  std::string chain_id;
  std::string node_version;
  uint64_t height = 0;  // highest committed block (0: only genesis)
  Hash256 head_id;      // its id
  uint64_t head_timestamp_ms = 0;
  uint64_t exec_height = 0;  // highest executed block
  Hash256 state_root;        // state root after exec_height
  uint64_t epoch = 0;
  size_t validator_count = 0;
  std::optional<uint32_t> own_validator_index;  // this node's index, if it is a validator
  size_t mempool_txs = 0;
  size_t mempool_bytes = 0;
  size_t peers = 0;
  bool syncing = false;
};

// A committed block with the certificate that commits it (a QuorumCert whose
// commit_id == block id) and, when executed, its receipts (in block order).
struct BlockRecord {
  Block block;
  std::optional<QuorumCert> commit_cert;  // absent only for genesis
  std::optional<std::vector<Receipt>> receipts;
};

// A tx's status: pending (in the mempool), committed or rejected (with the block and the receipt
// when it was in a block; with the admission reason when it never was).
struct TxInfo {
  mempool::TxRecord record;
  std::optional<Transaction> tx;   // known when pending or committed
  std::optional<Receipt> receipt;  // committed / rejected in a block
};

// A proof that `key` has `value` (or is absent) in the state tree whose root is in the header of
// the block at `height` (with that block's certificate, a client checks the root, then the proof).
struct StateProofAnswer {
  Bytes key;
  std::optional<Bytes> value;  // absent: a proof of absence
  uint64_t height = 0;         // the block whose header carries state_root
  Hash256 state_root;
  Bytes proof;  // tidemark::StateProof::Encode() (sdk state_proof.h)
};

// Where a committed tx is: block height and index in the block.
struct TxLocationRef {
  uint64_t height = 0;
  uint32_t index = 0;
};
struct SignerTxRef {
  Hash256 tx_id;
  TxLocationRef location;
};

class LedgerApi {
 public:
  virtual ~LedgerApi() = default;

  // Readiness for /readyz: storage open, genesis loaded, consensus started.
  virtual bool Ready() = 0;
  virtual NodeStatus Status() = 0;
  // Of the last txs this node admitted and then committed (at most 1,024, since it started): how
  // many, and the median time from their admission to their commit here (/v1/stats only: it
  // copies and selects over the window, so /v1/status does not pay for it).
  virtual mempool::RecentFinality TxFinality() = 0;
  // NotFound above the committed height.
  virtual Result<BlockRecord> BlockAt(uint64_t height) = 0;
  virtual Result<BlockRecord> BlockById(const Hash256& id) = 0;
  // The current validator set (with organisations).
  virtual Result<ValidatorSet> Validators() = 0;
  // Admits canonical tx bytes (typically Mempool::Add after checking the committed tx index, so
  // that resubmitting an already committed tx answers its committed record). Idempotent.
  virtual Result<mempool::TxRecord> SubmitTx(ByteView tx_bytes) = 0;
  // NotFound if neither pending, recently final, nor in the committed index.
  virtual Result<TxInfo> GetTx(const Hash256& id) = 0;
  // Blocks until the tx is final or `timeout` passes, then answers like GetTx
  // (typically Mempool::WaitFinal, then GetTx).
  virtual Result<TxInfo> WaitTx(const Hash256& id, std::chrono::milliseconds timeout) = 0;
  // `height` absent: the latest executed state. Gone (410) for a height whose state version
  // this node pruned (storage.retain_versions), NotFound / OutOfRange for a future height.
  virtual Result<StateProofAnswer> ProveState(ByteView key, std::optional<uint64_t> height) = 0;

  // Runs `fn` over the latest executed state (read-only: writes through the view are refused)
  // and the height whose execution produced it. No block is written while `fn` runs, so every
  // read inside it, and ProveState(key, height) for that height, see the same version. Contract
  // reads (EPCIS queries, traces) run here; keep `fn` short, it holds up the next commit.
  using StateReader =
      std::function<tidemark::Status(const contracts::StateView& state, uint64_t height)>;
  virtual tidemark::Status ReadState(const StateReader& fn) = 0;

  // ---- Proofs (docs/proofs.md). Defaults: not available (test fakes need not implement them).

  // Runs `fn` over state version `version` (the state after that block): Get reads that version
  // of the authenticated tree; Scan (indexes) reads the latest version. Gone if pruned,
  // NotFound / OutOfRange if not written yet.
  virtual tidemark::Status ReadStateAt(uint64_t version, const StateReader& fn) {
    (void)version, (void)fn;
    return tidemark::Status::Unavailable("versioned reads");
  }
  // The genesis validator set (epoch 0): the trust anchor of light clients.
  virtual Result<ValidatorSet> GenesisValidators() {
    return tidemark::Status::Unavailable("genesis validators");
  }
  // The links that lead a client from the genesis set to the set of `epoch` (empty for 0).
  virtual Result<std::vector<EpochChange>> EpochChain(uint64_t epoch) {
    if (epoch == 0) return std::vector<EpochChange>{};
    return tidemark::Status::Unavailable("epoch chain");
  }
  // The next nonce a signer's new tx must use, counting committed txs.
  virtual Result<uint64_t> NextNonce(const PublicKey& signer) {
    (void)signer;
    return tidemark::Status::Unavailable("nonces");
  }
  // A committed block with its commit certificate, without loading its receipts (the explorer's
  // statistics read many blocks). Default: BlockAt.
  virtual Result<BlockRecord> CertifiedBlockAt(uint64_t height) { return BlockAt(height); }

  // The committed txs signed by `signer`, in commit order, after `after` (exclusive), at most
  // `limit` (the block store's signer index). Default: UNAVAILABLE (no index).
  virtual Result<std::vector<SignerTxRef>> TxsBySigner(const PublicKey& signer,
                                                       std::optional<TxLocationRef> after,
                                                       size_t limit) {
    (void)signer, (void)after, (void)limit;
    return tidemark::Status::Unavailable("this node keeps no signer index");
  }
};

}  // namespace tidemark::node::api
