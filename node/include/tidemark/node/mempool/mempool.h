// mempool.h — pending transactions: admission control, per-signer nonce order, quotas, batches,
// status tracking.
//
//   Mempool pool({.chain_id = "tidemark-local"}, [&](const PublicKey& k) -> Result<SignerInfo> {
//     SignerInfo info;                                 // the latest committed state, any thread
//     TM_RETURN_IF_ERROR(ledger.ReadLatest([&](const contracts::StateView& v, uint64_t h) {
//       info = SignerInfoFromState(v, k, h);
//       return Status::Ok();
//     }));
//     return info;
//   });
//   Result<TxRecord> r = pool.Add(wire_bytes);        // admission (below)
//   std::vector<Transaction> batch = pool.TakeBatch(/*max_txs=*/1000, /*max_bytes=*/1 << 20,
//                                                   chain_next, /*height=*/h);
//   ...                                               // propose; on commit:
//   pool.OnCommitted(height, block.txs, receipts, identity_changed);  // statuses, eviction
//   TxRecord s = pool.Find(id).value();                // pending / committed / rejected
//
// Admission (Add) in order, cheapest first, so that a request from a key nobody registered costs
// no more than its bytes and one state read: size bound (InvalidArgument), Transaction::Decode,
// chain id; the signer as the latest committed state knows it (`signer_info` callback): not an
// active key of an active organisation is PermissionDenied; expired (expiry_height at or below
// the committed height) and stale nonce (below the signer's next) are FailedPrecondition, so is a
// nonce at or beyond next + nonce_window; then the signature, verified once per tx id
// (Unauthenticated if bad); another pending tx with the same signer and nonce (AlreadyExists);
// the per-signer quota (max_signer_txs / max_signer_bytes: ResourceExhausted), the
// per-organisation quota (max_org_txs / max_org_bytes) and the pool's bounds (max_txs /
// max_bytes). At a full organisation quota the newest txs of the org's largest signer are evicted
// if it holds more than the newcomer's signer would; in a full pool the newest txs of the
// largest organisation's largest signer, if that organisation holds more than the newcomer's would.
// So a flooder fills at most its own share and a tx of a signer under its quota always finds room
// (unless every organisation holds as much as the newcomer's). Evicted txs are recorded as
// rejected (ResourceExhausted) and may be submitted again.
//
// Submitting a tx whose id is already known is idempotent: the same record (pending / committed)
// or the same error (a tx rejected for a bad signature, wrong chain, expiry or stale nonce stays
// rejected). Refusals that may change later (not yet registered, quota, pool full, nonce ahead,
// nonce slot taken) are not remembered.
//
// Eviction: OnCommitted drops the block's txs, then every pending tx that can no longer execute:
// of the block's signers, nonces now stale; of every signer, if the block changed identity state
// (a key revoked, an organisation deactivated), txs whose signer is no longer active; and txs
// whose expiry_height is at or below the committed height. Recheck() re-reads every signer (after
// block sync moved the ledger). Evicted txs are recorded as rejected, so they are never offered
// to a peer again (StillAdmissible).
//
// TakeBatch returns "ready" txs: for each signer the run of consecutive nonces starting at its
// next nonce, signers interleaved by arrival, stopping at a tx that expires before `height`.
// Taken txs stay in the pool (marked in flight, not offered again) until OnCommitted removes
// them or ReleaseInFlight offers them again (the proposal was abandoned). A proposer extending
// uncommitted blocks passes `chain_next`: for each signer with txs in those blocks, the nonce
// after its last one there, so that a tx already in the chain is not proposed twice. HasReady()
// says whether TakeBatch would find a tx: a tx whose nonce gap never closes is never "work".
//
// Timings: each tx admitted here carries its admission time (options.clock); TakeBatch tells the
// TxTimingObserver how long a tx waited until first proposed here, OnCommitted how long until its
// block was committed, and Finality() gives the median of the last finality_window of the latter
// (the explorer's "Finality (median)", docs/api.md). Txs this pool never held are not timed.
//
// Thread safety: every method is thread-safe (one mutex), but SetAdmissionObserver and
// SetTxTimingObserver (before use).
// The signer_info callback is called without the mutex held (Add, StillAdmissible) or with it held
// (OnCommitted, Recheck); it must be a cheap, thread-safe read and must not call back into the
// mempool.
#pragma once

#include <array>
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

#include "tidemark/contracts/state.h"
#include "tidemark/types.h"

namespace tidemark::node::mempool {

enum class TxState { kPending, kCommitted, kRejected };
const char* TxStateName(TxState s);  // "pending", "committed", "rejected"

struct TxRecord {
  Hash256 id;
  TxState state = TxState::kPending;
  uint64_t height = 0;           // committed / rejected in a block: the block's height
  uint32_t index = 0;            // position in the block
  Code reject_code = Code::kOk;  // kRejected: why (admission, eviction or execution)
  std::string reason;
};

// What admission knows about a signer, read from the latest committed state.
struct SignerInfo {
  bool active = false;      // an active key of an active organisation
  std::string org;          // its organisation (quotas); empty when not registered
  std::string why;          // !active: why not (shown to the submitter)
  uint64_t next_nonce = 1;  // the nonce its next tx must carry
  uint64_t height = 0;      // the committed height these facts are from
};

// SignerInfo from a state view (identity records and the nonce) at `height`.
SignerInfo SignerInfoFromState(const contracts::StateView& view, const PublicKey& signer,
                               uint64_t height);

// The admission rule for a block's txs, which a validator applies to every proposal (and a
// proposer to its own): at most `max_txs` txs of at most `max_bytes` encoded bytes in all; each
// tx's signer an active key of an active organisation in `executed` (the state the block will
// run over, as far as this node executed it); no tx expired at `height`; per signer, nonces
// consecutive in block order, the first at or above the signer's next nonce in `executed`.
// A block that breaks it carries txs that cannot execute: InvalidArgument / PermissionDenied.
Status CheckBlockTxs(const std::vector<Transaction>& txs, uint64_t height,
                     const contracts::StateView& executed, size_t max_txs, size_t max_bytes);

// Why a tx was refused at admission or evicted later (the metrics' `reason` label).
enum class Refusal : uint8_t {
  kTooLarge,
  kMalformed,
  kWrongChain,
  kInactiveSigner,  // not registered, revoked, or its organisation deactivated
  kExpired,
  kStaleNonce,
  kNonceAhead,
  kBadSignature,
  kNonceTaken,
  kSignerQuota,
  kOrgQuota,
  kPoolFull,
  kUnavailable,  // the state could not be read
  kCount,
};
const char* RefusalName(Refusal r);  // "too_large", "inactive_signer", ...

struct MempoolOptions {
  std::string chain_id;
  size_t max_txs = 20'000;
  size_t max_bytes = 64u << 20;
  size_t max_tx_bytes = kMaxTxSize;
  uint64_t nonce_window = 64;          // accepted nonces: [next, next + nonce_window)
  size_t max_signer_txs = 64;          // pending txs of one key
  size_t max_signer_bytes = 4u << 20;  // their bytes
  size_t max_org_txs = 4'000;          // pending txs of all keys of one organisation
  size_t max_org_bytes = 16u << 20;    // their bytes
  size_t verified_cache = 100'000;
  size_t status_cache = 100'000;   // final (committed / rejected) statuses kept
  size_t finality_window = 1'024;  // recent admission-to-commit times for Finality()
  // The clock of the tx timings (TxTimingObserver, Finality()); null: steady_clock.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

struct MempoolStats {
  size_t txs = 0;
  size_t bytes = 0;
  size_t in_flight = 0;
  std::array<uint64_t, static_cast<size_t>(Refusal::kCount)> refused{};  // since start
  std::array<uint64_t, static_cast<size_t>(Refusal::kCount)> evicted{};  // since start
};

// Of the last (at most finality_window) txs admitted here and then committed in a block here:
// how many, and the median time from their admission to their commit (0 when none).
struct RecentFinality {
  size_t txs = 0;
  uint64_t p50_ms = 0;
};

// The two waits of a tx admitted here, told to the TxTimingObserver.
enum class TxWait {
  kProposed,  // from its admission to TakeBatch taking it (first time) into this node's proposal
  kFinal,     // from its admission to OnCommitted of the block that holds it
};

class Mempool {
 public:
  using SignerInfoFn = std::function<Result<SignerInfo>(const PublicKey& signer)>;

  // Told how long each Add took (admitted or refused): the node's admission timing.
  using AdmissionObserver = std::function<void(std::chrono::steady_clock::duration)>;

  // Told the waits of txs admitted here (TxWait); called with no lock held, on the thread of
  // TakeBatch or OnCommitted.
  using TxTimingObserver = std::function<void(TxWait, std::chrono::steady_clock::duration)>;

  Mempool(MempoolOptions options, SignerInfoFn signer_info);

  Result<TxRecord> Add(ByteView tx_bytes);
  // Set before the first Add (not synchronised with it); called on the adding thread, no lock held.
  void SetAdmissionObserver(AdmissionObserver observer) { on_admission_ = std::move(observer); }
  // Set before the first Add (not synchronised with TakeBatch or OnCommitted).
  void SetTxTimingObserver(TxTimingObserver observer) { on_timing_ = std::move(observer); }
  // `height`: of the block being built (txs expiring below it are not taken); 0: no check.
  std::vector<Transaction> TakeBatch(size_t max_txs, size_t max_bytes,
                                     const std::map<PublicKey, uint64_t>& chain_next = {},
                                     uint64_t height = 0);
  // True if some signer has a tx at its next nonce (or a consecutive run from it) not in flight.
  bool HasReady() const;
  void ReleaseInFlight();
  // Records the block's receipts (committed or rejected by execution at `height`), removes those
  // txs, then evicts what can no longer execute (see the top of this file). The callback must
  // already answer with the post-commit state. `identity_changed`: the block wrote identity
  // state, so every signer's status is read again.
  void OnCommitted(uint64_t height, const std::vector<Transaction>& block_txs,
                   const std::vector<Receipt>& receipts, bool identity_changed = false);
  // Removes txs by id without recording a status; then re-checks their signers.
  void Remove(const std::vector<Hash256>& ids);
  // Removes txs by id, recording them as rejected with `why`.
  void Evict(const std::vector<Hash256>& ids, const Status& why, Refusal reason);
  // Re-reads every pending signer and evicts what can no longer execute (after state changed
  // outside OnCommitted, e.g. block sync).
  void Recheck();
  // True if the tx is pending and would still be admitted (signer active, nonce not stale, not
  // expired) by the latest committed state: what may be offered to a peer.
  bool StillAdmissible(const Hash256& id) const;

  // NotFound if the id is neither pending nor in the recent-status cache.
  Result<TxRecord> Find(const Hash256& id) const;
  // Waits until the tx is committed or rejected, or the timeout passes; returns its record then.
  Result<TxRecord> WaitFinal(const Hash256& id, std::chrono::milliseconds timeout) const;
  // True if this tx id's signature was verified here (execution may skip re-verifying it).
  bool WasVerified(const Hash256& id) const;
  std::optional<Transaction> Get(const Hash256& id) const;
  MempoolStats Stats() const;
  RecentFinality Finality() const;  // a copy and a selection of up to finality_window values

 private:
  struct Entry {
    Transaction tx;
    Hash256 id;
    size_t size = 0;
    uint64_t seq = 0;  // arrival order
    bool in_flight = false;
    bool proposed = false;                           // taken into a proposal here at least once
    std::chrono::steady_clock::time_point admitted;  // options_.clock at admission
  };
  struct SignerQueue {
    std::map<uint64_t, Entry> txs;  // by nonce
    std::string org;
    uint64_t next = 0;  // the signer's next nonce, as last read from committed state
    size_t bytes = 0;
  };
  struct Usage {
    size_t txs = 0;
    size_t bytes = 0;
  };

  Result<TxRecord> Admit(ByteView tx_bytes);
  // TakeBatch's and OnCommitted's work; the waits to tell once mu_ is released go to `waits`.
  std::vector<Transaction> TakeReady(
      size_t max_txs, size_t max_bytes, const std::map<PublicKey, uint64_t>& chain_next,
      uint64_t height, std::vector<std::chrono::steady_clock::duration>* waits);  // REQUIRES: mu_
  void RecordCommitted(uint64_t height, const std::vector<Transaction>& block_txs,
                       const std::vector<Receipt>& receipts, bool identity_changed,
                       std::vector<std::chrono::steady_clock::duration>* waits);  // REQUIRES: mu_
  Status Refuse(Refusal r, Status s);                                             // REQUIRES: mu_
  void RememberFinal(TxRecord rec);                                               // REQUIRES: mu_
  void RememberVerified(const Hash256& id);                                       // REQUIRES: mu_
  void EraseEntry(const PublicKey& signer, uint64_t nonce);                       // REQUIRES: mu_
  // Evicts the newest tx of `signer`, recording `why`.
  void EvictNewest(const PublicKey& signer, const Status& why, Refusal reason);  // REQUIRES: mu_
  // Makes room for `size` more bytes of `signer` (org `org`) within the org quota and the pool
  // bounds by evicting larger holders' newest txs; the refusal if it cannot.
  Status MakeRoom(const PublicKey& signer, const std::string& org, size_t size);  // REQUIRES: mu_
  // Evicts the signer's txs that can no longer execute under `info`.
  void EvictUnexecutable(const PublicKey& signer, const SignerInfo& info);  // REQUIRES: mu_
  void RecheckSigner(const PublicKey& signer);                              // REQUIRES: mu_
  void EvictExpired(uint64_t committed_height);                             // REQUIRES: mu_
  Result<TxRecord> Lookup(const Hash256& id) const;                         // REQUIRES: mu_
  std::chrono::steady_clock::time_point Now() const;
  // Tells on_timing_ each wait in `waits` (no lock held).
  void TellWaits(TxWait kind, const std::vector<std::chrono::steady_clock::duration>& waits) const;

  const MempoolOptions options_;
  const SignerInfoFn signer_info_;
  AdmissionObserver on_admission_;
  TxTimingObserver on_timing_;

  mutable std::mutex mu_;
  mutable std::condition_variable final_cv_;
  std::map<PublicKey, SignerQueue> by_signer_;
  std::map<std::string, Usage> by_org_;
  std::unordered_map<Hash256, std::pair<PublicKey, uint64_t>, FixedBytesHasher> by_id_;
  std::set<std::pair<uint64_t, Hash256>> by_expiry_;  // (expiry_height, id) of pending txs
  size_t bytes_ = 0;
  size_t in_flight_ = 0;
  uint64_t next_seq_ = 0;
  uint64_t committed_height_ = 0;  // the highest height OnCommitted reported
  std::unordered_map<Hash256, TxRecord, FixedBytesHasher> final_;
  std::deque<Hash256> final_order_;
  std::unordered_set<Hash256, FixedBytesHasher> verified_;
  std::deque<Hash256> verified_order_;
  std::deque<uint64_t> recent_final_ms_;  // admission-to-commit of the last finality_window txs
  std::array<uint64_t, static_cast<size_t>(Refusal::kCount)> refused_{};
  std::array<uint64_t, static_cast<size_t>(Refusal::kCount)> evicted_{};
};

}  // namespace tidemark::node::mempool
