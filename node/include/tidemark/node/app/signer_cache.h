// signer_cache.h — what admission knows about a signer (mempool::SignerInfo), remembered between
// blocks. Every tx a node admits, from REST or gossip, asks for its signer's nonce, key record and
// organisation record in the latest written state: three LevelDB reads and two record decodes,
// 6–7 % of a validator's CPU under the capture load (docs/benchmarks.md, "Allocator and signer
// cache"), for facts that a block rarely changes. The cache keeps the answers for the latest
// written height and carries them to the next height, following what that block wrote:
//
//   - a signer's nonce key (`sys/nonce/<key>`, state_keys::sys::Nonce): its entry takes the
//     written nonce (contracts::NextNonceFromStored, the decoding NextNonce uses) — a signer with
//     a tx in most blocks would otherwise miss every time;
//   - any identity key (`identity/...`: key records, organisation records): every entry is
//     dropped (a revoked key, a deactivated organisation).
//
// mempool::SignerInfoFromState reads exactly these keys; a change there must change this rule.
// So an answer from the cache is the answer a fresh read of that height gives (tested against
// fresh reads over random enrolments, revocations and nonces: tests/node/app_signer_cache_test.cc).
//
//   SignerCache cache(ledger);   // follows the ledger's writes (Ledger::SetStateWrittenObserver)
//   Result<mempool::SignerInfo> info = cache.Read(ledger, signer);  // admission's signer_info
//
// Consistency: OnWritten runs under the ledger's exclusive lock (Ledger::CommitExecuted, after the
// version is written and before any reader sees it) and Find / Remember under its shared lock
// (ReadLatest), so an entry is never remembered for a height other than the one it was read at.
// Only active signers are remembered (an unknown key costs an unauthenticated caller nothing to
// make up), at most `max_entries` of them (when full, the cache starts over).
// Thread safety: every method from any thread (an internal mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "tidemark/contracts/state.h"
#include "tidemark/crypto.h"
#include "tidemark/node/mempool/mempool.h"

namespace tidemark::node {

class Ledger;

class SignerCache {
 public:
  // `height`: the latest written height when the cache is made (nothing is cached for it yet).
  explicit SignerCache(uint64_t height, size_t max_entries = 1 << 16);
  // Made at the ledger's height and following its writes. The ledger must not write while this
  // object is destroyed (the node destroys it after the ledger).
  explicit SignerCache(Ledger& ledger, size_t max_entries = 1 << 16);

  // The signer's facts in the ledger's latest written state: from the cache, else read
  // (mempool::SignerInfoFromState under Ledger::ReadLatest) and remembered. Any thread.
  Result<mempool::SignerInfo> Read(const Ledger& ledger, const PublicKey& signer);

  // The signer's facts at `height`, if the cache holds them for that height.
  std::optional<mempool::SignerInfo> Find(const PublicKey& signer, uint64_t height) const;
  // Remembers facts read at info.height, if that is the cache's height and the signer is active.
  void Remember(const PublicKey& signer, const mempool::SignerInfo& info);
  // State version `height` was written with `changes` (the block's, sorted or not).
  void OnWritten(uint64_t height, const std::vector<contracts::StateChange>& changes);

  size_t size() const;
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  const size_t max_entries_;
  mutable std::mutex mu_;
  uint64_t height_;                                 // guarded by mu_
  std::map<PublicKey, mempool::SignerInfo> known_;  // guarded by mu_: facts at height_
  mutable uint64_t hits_ = 0, misses_ = 0;          // guarded by mu_
};

}  // namespace tidemark::node
