#include "tidemark/node/mempool/mempool.h"

#include <algorithm>
#include <queue>

#include "tidemark/hash.h"

namespace tidemark::node::mempool {

const char* TxStateName(TxState s) {
  switch (s) {
    case TxState::kPending:
      return "pending";
    case TxState::kCommitted:
      return "committed";
    case TxState::kRejected:
      return "rejected";
  }
  return "unknown";
}

Mempool::Mempool(MempoolOptions options, NextNonceFn next_nonce)
    : options_(std::move(options)), next_nonce_(std::move(next_nonce)) {}

Result<TxRecord> Mempool::Lookup(const Hash256& id) const {
  if (by_id_.count(id)) return TxRecord{.id = id, .state = TxState::kPending};
  auto it = final_.find(id);
  if (it != final_.end()) return it->second;
  return Status::NotFound("tx " + id.Hex() + " is not known");
}

void Mempool::RememberFinal(TxRecord rec) {
  auto [it, inserted] = final_.insert_or_assign(rec.id, rec);
  if (inserted) {
    final_order_.push_back(rec.id);
    while (final_order_.size() > options_.status_cache) {
      final_.erase(final_order_.front());
      final_order_.pop_front();
    }
  }
  final_cv_.notify_all();
}

void Mempool::RememberVerified(const Hash256& id) {
  if (!verified_.insert(id).second) return;
  verified_order_.push_back(id);
  while (verified_order_.size() > options_.verified_cache) {
    verified_.erase(verified_order_.front());
    verified_order_.pop_front();
  }
}

namespace {

TxRecord Rejected(const Hash256& id, const Status& s) {
  return TxRecord{
      .id = id, .state = TxState::kRejected, .reject_code = s.code(), .reason = s.message()};
}

}  // namespace

Result<TxRecord> Mempool::Add(ByteView bytes) {
  if (bytes.size() > options_.max_tx_bytes) {
    return Status::Invalid("tx: " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                           std::to_string(options_.max_tx_bytes));
  }
  const Hash256 id = Sha256(bytes);  // == Transaction::Id(): the encoding is canonical
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto known = Lookup(id);
    if (known.ok()) {
      if (known->state == TxState::kRejected && known->height == 0 &&
          known->reject_code != Code::kOk) {
        return tidemark::Status(known->reject_code,
                                known->reason);  // the same answer as the first time
      }
      return known;
    }
  }
  TM_ASSIGN_OR_RETURN(Transaction tx, Transaction::Decode(bytes));
  auto reject = [&](tidemark::Status s) -> tidemark::Status {
    std::lock_guard<std::mutex> lock(mu_);
    RememberFinal(Rejected(id, s));
    return s;
  };
  if (tx.chain_id != options_.chain_id) {
    return reject(Status::Invalid("tx: chain id '" + tx.chain_id + "' is not this chain's '" +
                                  options_.chain_id + "'"));
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    uint64_t next = next_nonce_(tx.signer);
    if (tx.nonce < next) {
      lock.unlock();
      return reject(Status::FailedPrecondition("tx: stale nonce " + std::to_string(tx.nonce) +
                                               "; the signer's next nonce is " +
                                               std::to_string(next)));
    }
    if (tx.nonce - next >= options_.nonce_window) {
      return Status::FailedPrecondition(
          "tx: nonce " + std::to_string(tx.nonce) + " is too far ahead of the next nonce " +
          std::to_string(next) + " (window " + std::to_string(options_.nonce_window) + ")");
    }
  }
  bool verified;
  {
    std::lock_guard<std::mutex> lock(mu_);
    verified = verified_.count(id) > 0;
  }
  if (!verified && !tx.VerifySignature()) {
    return reject(Status::Unauthenticated("tx: bad signature"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  RememberVerified(id);
  auto known = Lookup(id);  // a concurrent Add of the same bytes
  if (known.ok()) return known;
  SignerQueue& q = by_signer_[tx.signer];
  if (auto slot = q.find(tx.nonce); slot != q.end()) {
    return Status::AlreadyExists("tx: nonce " + std::to_string(tx.nonce) +
                                 " of this signer is already pending in tx " +
                                 slot->second.id.Hex());
  }
  if (by_id_.size() >= options_.max_txs || bytes_ + bytes.size() > options_.max_bytes) {
    if (q.empty()) by_signer_.erase(tx.signer);
    return Status::ResourceExhausted("mempool full (" + std::to_string(by_id_.size()) + " txs, " +
                                     std::to_string(bytes_) + " bytes)");
  }
  by_id_[id] = {tx.signer, tx.nonce};
  bytes_ += bytes.size();
  uint64_t nonce = tx.nonce;
  q.emplace(nonce, Entry{std::move(tx), id, bytes.size(), next_seq_++, false});
  return TxRecord{.id = id, .state = TxState::kPending};
}

std::vector<Transaction> Mempool::TakeBatch(size_t max_txs, size_t max_bytes,
                                           const std::map<PublicKey, uint64_t>& chain_next) {
  std::lock_guard<std::mutex> lock(mu_);
  struct Cursor {
    SignerQueue* q;
    SignerQueue::iterator it;
  };
  // Advances to the next not-in-flight entry of the consecutive run starting at it.
  auto settle = [](Cursor& c, uint64_t expect) {
    while (c.it != c.q->end() && c.it->first == expect && c.it->second.in_flight) {
      ++c.it;
      ++expect;
    }
    return c.it != c.q->end() && c.it->first == expect;
  };
  auto later = [](const Cursor& a, const Cursor& b) { return a.it->second.seq > b.it->second.seq; };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(later)> heap(later);
  for (auto& [signer, q] : by_signer_) {
    uint64_t next = next_nonce_(signer);
    if (auto it = chain_next.find(signer); it != chain_next.end()) next = std::max(next, it->second);
    Cursor c{&q, q.lower_bound(next)};
    if (settle(c, next)) heap.push(c);
  }
  std::vector<Transaction> out;
  size_t bytes = 0;
  while (!heap.empty() && out.size() < max_txs) {
    Cursor c = heap.top();
    heap.pop();
    Entry& e = c.it->second;
    if (bytes + e.size > max_bytes) continue;  // this signer's later nonces must wait too
    e.in_flight = true;
    ++in_flight_;
    bytes += e.size;
    out.push_back(e.tx);
    uint64_t expect = c.it->first + 1;
    ++c.it;
    if (settle(c, expect)) heap.push(c);
  }
  return out;
}

void Mempool::ReleaseInFlight() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [signer, q] : by_signer_) {
    for (auto& [nonce, e] : q) e.in_flight = false;
  }
  in_flight_ = 0;
}

void Mempool::EraseEntry(const PublicKey& signer, uint64_t nonce) {
  auto sit = by_signer_.find(signer);
  if (sit == by_signer_.end()) return;
  auto it = sit->second.find(nonce);
  if (it == sit->second.end()) return;
  bytes_ -= it->second.size;
  if (it->second.in_flight) --in_flight_;
  by_id_.erase(it->second.id);
  sit->second.erase(it);
  if (sit->second.empty()) by_signer_.erase(sit);
}

void Mempool::RecheckSigner(const PublicKey& signer) {
  auto sit = by_signer_.find(signer);
  if (sit == by_signer_.end()) return;
  uint64_t next = next_nonce_(signer);
  while (true) {
    sit = by_signer_.find(signer);
    if (sit == by_signer_.end() || sit->second.empty()) return;
    auto it = sit->second.begin();
    if (it->first >= next) return;
    RememberFinal(Rejected(
        it->second.id, Status::FailedPrecondition("tx: nonce " + std::to_string(it->first) +
                                                  " was used by another committed transaction")));
    EraseEntry(signer, it->first);
  }
}

void Mempool::OnCommitted(uint64_t height, const std::vector<Transaction>& block_txs,
                          const std::vector<Receipt>& receipts) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Receipt& r : receipts) {
    if (auto it = by_id_.find(r.tx_id); it != by_id_.end()) {
      auto [signer, nonce] = it->second;
      EraseEntry(signer, nonce);
    }
    TxRecord rec{.id = r.tx_id, .height = height, .index = r.index};
    if (r.status == tidemark::TxStatus::kCommitted) {
      rec.state = TxState::kCommitted;
    } else {
      rec.state = TxState::kRejected;
      rec.reject_code = Code::kFailedPrecondition;
      rec.reason = r.reason;
    }
    RememberFinal(std::move(rec));
  }
  std::set<PublicKey> signers;
  for (const Transaction& tx : block_txs) signers.insert(tx.signer);
  for (const PublicKey& s : signers) RecheckSigner(s);
}

void Mempool::Remove(const std::vector<Hash256>& ids) {
  std::lock_guard<std::mutex> lock(mu_);
  std::set<PublicKey> signers;
  for (const Hash256& id : ids) {
    if (auto it = by_id_.find(id); it != by_id_.end()) {
      auto [signer, nonce] = it->second;
      signers.insert(signer);
      EraseEntry(signer, nonce);
    }
  }
  for (const PublicKey& s : signers) RecheckSigner(s);
}

void Mempool::Recheck() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<PublicKey> signers;
  for (const auto& [s, q] : by_signer_) signers.push_back(s);
  for (const PublicKey& s : signers) RecheckSigner(s);
}

Result<TxRecord> Mempool::Find(const Hash256& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return Lookup(id);
}

Result<TxRecord> Mempool::WaitFinal(const Hash256& id, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  final_cv_.wait_for(lock, timeout, [&] {
    auto r = Lookup(id);
    return !r.ok() || r->state != TxState::kPending;
  });
  return Lookup(id);
}

bool Mempool::WasVerified(const Hash256& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return verified_.count(id) > 0;
}

std::optional<Transaction> Mempool::Get(const Hash256& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return by_signer_.at(it->second.first).at(it->second.second).tx;
}

MempoolStats Mempool::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return MempoolStats{by_id_.size(), bytes_, in_flight_};
}

}  // namespace tidemark::node::mempool
