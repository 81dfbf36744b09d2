// mempool.h — pending transactions: admission, per-signer nonce order, batches, status tracking.
//
//   Mempool pool({.chain_id = "tidemark-local"},
//                [&](const PublicKey& signer) { return state.NextNonce(signer); });
//   Result<TxRecord> r = pool.Add(wire_bytes);         // decode, chain id, size, nonce, signature
//   std::vector<Transaction> batch = pool.TakeBatch(/*max_txs=*/1000, /*max_bytes=*/1 << 20);
//   ...                                               // propose; on commit:
//   pool.OnCommitted(height, block.txs, receipts);    // statuses, removal, re-check of nonces
//   TxRecord s = pool.Find(id).value();                // pending / committed / rejected
//
// Admission (Add) in order: size bound, Transaction::Decode, chain id, nonce against the signer's
// next committed nonce (`next_nonce` callback): lower is stale (FailedPrecondition), at or above
// next + nonce_window is too far ahead (FailedPrecondition); the signature, verified once per tx id
// (a bounded cache of verified ids), Unauthenticated if bad; another pending tx with the same
// signer and nonce (AlreadyExists); the pool's count and byte bounds (ResourceExhausted).
// Submitting a tx whose id is already known is idempotent: the same record (pending / committed)
// or the same error (a tx rejected for a bad signature, wrong chain or stale nonce stays rejected).
// Rejections that may change later (pool full, nonce too far ahead, nonce slot taken) are not
// remembered.
//
// TakeBatch returns "ready" txs: for each signer the run of consecutive nonces starting at its next
// committed nonce, signers interleaved by arrival. Taken txs stay in the pool (marked in flight,
// not offered again) until OnCommitted removes them or ReleaseInFlight offers them again (the
// proposal was abandoned). A proposer extending uncommitted blocks passes `chain_next`: for each
// signer with txs in those blocks, the nonce after its last one there, so that a tx already in the
// chain (offered again after a round timeout) is not proposed twice.
//
// Thread safety: every method is thread-safe (one mutex; signatures are verified outside it). The
// next_nonce callback is called with the mutex held and must not call back into the mempool.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tidemark/types.h"

namespace tidemark::node::mempool {

enum class TxState { kPending, kCommitted, kRejected };
const char* TxStateName(TxState s);  // "pending", "committed", "rejected"

struct TxRecord {
  Hash256 id;
  TxState state = TxState::kPending;
  uint64_t height = 0;           // committed / rejected in a block: the block's height
  uint32_t index = 0;            // position in the block
  Code reject_code = Code::kOk;  // kRejected: why (admission or execution)
  std::string reason;
};

struct MempoolOptions {
  std::string chain_id;
  size_t max_txs = 20'000;
  size_t max_bytes = 64u << 20;
  size_t max_tx_bytes = kMaxTxSize;
  uint64_t nonce_window = 256;  // accepted nonces: [next, next + nonce_window)
  size_t verified_cache = 100'000;
  size_t status_cache = 100'000;  // final (committed / rejected) statuses kept
};

struct MempoolStats {
  size_t txs = 0;
  size_t bytes = 0;
  size_t in_flight = 0;
};

class Mempool {
 public:
  using NextNonceFn = std::function<uint64_t(const PublicKey& signer)>;

  Mempool(MempoolOptions options, NextNonceFn next_nonce);

  Result<TxRecord> Add(ByteView tx_bytes);
  std::vector<Transaction> TakeBatch(size_t max_txs, size_t max_bytes,
                                     const std::map<PublicKey, uint64_t>& chain_next = {});
  void ReleaseInFlight();
  // Records the block's receipts (committed or rejected by execution at `height`), removes those
  // txs, then drops pending txs of the block's signers whose nonce is now below the next nonce
  // (the callback must already answer with the post-commit state).
  void OnCommitted(uint64_t height, const std::vector<Transaction>& block_txs,
                   const std::vector<Receipt>& receipts);
  // Removes txs by id without recording a status (e.g. expired); then re-checks their signers.
  void Remove(const std::vector<Hash256>& ids);
  // Drops every pending tx whose nonce went stale (after state changed outside OnCommitted).
  void Recheck();

  // NotFound if the id is neither pending nor in the recent-status cache.
  Result<TxRecord> Find(const Hash256& id) const;
  // Waits until the tx is committed or rejected, or the timeout passes; returns its record then.
  Result<TxRecord> WaitFinal(const Hash256& id, std::chrono::milliseconds timeout) const;
  // True if this tx id's signature was verified here (execution may skip re-verifying it).
  bool WasVerified(const Hash256& id) const;
  std::optional<Transaction> Get(const Hash256& id) const;
  MempoolStats Stats() const;

 private:
  struct Entry {
    Transaction tx;
    Hash256 id;
    size_t size = 0;
    uint64_t seq = 0;  // arrival order
    bool in_flight = false;
  };
  using SignerQueue = std::map<uint64_t, Entry>;  // by nonce

  void RememberFinal(TxRecord rec);                          // REQUIRES: mu_
  void RememberVerified(const Hash256& id);                  // REQUIRES: mu_
  void EraseEntry(const PublicKey& signer, uint64_t nonce);  // REQUIRES: mu_
  void RecheckSigner(const PublicKey& signer);               // REQUIRES: mu_
  Result<TxRecord> Lookup(const Hash256& id) const;          // REQUIRES: mu_

  const MempoolOptions options_;
  const NextNonceFn next_nonce_;

  mutable std::mutex mu_;
  mutable std::condition_variable final_cv_;
  std::map<PublicKey, SignerQueue> by_signer_;
  std::unordered_map<Hash256, std::pair<PublicKey, uint64_t>, FixedBytesHasher> by_id_;
  size_t bytes_ = 0;
  size_t in_flight_ = 0;
  uint64_t next_seq_ = 0;
  std::unordered_map<Hash256, TxRecord, FixedBytesHasher> final_;
  std::deque<Hash256> final_order_;
  std::unordered_set<Hash256, FixedBytesHasher> verified_;
  std::deque<Hash256> verified_order_;
};

}  // namespace tidemark::node::mempool
