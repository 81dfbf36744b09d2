#include "tidemark/node/mempool/mempool.h"

#include <algorithm>
#include <queue>

#include "tidemark/contracts/framework.h"
#include "tidemark/contracts/identity.h"
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

const char* RefusalName(Refusal r) {
  switch (r) {
    case Refusal::kTooLarge:
      return "too_large";
    case Refusal::kMalformed:
      return "malformed";
    case Refusal::kWrongChain:
      return "wrong_chain";
    case Refusal::kInactiveSigner:
      return "inactive_signer";
    case Refusal::kExpired:
      return "expired";
    case Refusal::kStaleNonce:
      return "stale_nonce";
    case Refusal::kNonceAhead:
      return "nonce_ahead";
    case Refusal::kBadSignature:
      return "bad_signature";
    case Refusal::kNonceTaken:
      return "nonce_taken";
    case Refusal::kSignerQuota:
      return "signer_quota";
    case Refusal::kOrgQuota:
      return "org_quota";
    case Refusal::kPoolFull:
      return "pool_full";
    case Refusal::kUnavailable:
      return "unavailable";
    case Refusal::kCount:
      break;
  }
  return "unknown";
}

SignerInfo SignerInfoFromState(const contracts::StateView& view, const PublicKey& signer,
                               uint64_t height) {
  SignerInfo info;
  info.height = height;
  info.next_nonce = contracts::NextNonce(view, signer);
  auto rec = contracts::ActiveSigner(view, signer);
  if (rec.ok()) {
    info.active = true;
    info.org = rec->org;
  } else {
    info.why = rec.status().message();
  }
  return info;
}

Status CheckBlockTxs(const std::vector<Transaction>& txs, uint64_t height,
                     const contracts::StateView& executed, size_t max_txs, size_t max_bytes) {
  if (txs.size() > max_txs) {
    return Status::Invalid("block: " + std::to_string(txs.size()) + " txs; at most " +
                           std::to_string(max_txs));
  }
  size_t bytes = 0;
  std::map<PublicKey, uint64_t> expect;  // per signer seen so far: the nonce its next tx needs
  for (size_t i = 0; i < txs.size(); ++i) {
    const Transaction& tx = txs[i];
    const std::string at = "block: tx " + std::to_string(i) + ": ";
    bytes += tx.Encode().size();
    if (bytes > max_bytes) {
      return Status::Invalid("block: txs exceed " + std::to_string(max_bytes) + " bytes");
    }
    if (tx.expiry_height && *tx.expiry_height < height) {
      return Status::Invalid(at + "expired at height " + std::to_string(*tx.expiry_height));
    }
    auto e = expect.find(tx.signer);
    if (e == expect.end()) {
      if (auto signer = contracts::ActiveSigner(executed, tx.signer); !signer.ok()) {
        return Status::PermissionDenied(at + signer.status().message());
      }
      uint64_t next = contracts::NextNonce(executed, tx.signer);
      if (tx.nonce < next) {
        return Status::Invalid(at + "stale nonce " + std::to_string(tx.nonce) + " (next is " +
                               std::to_string(next) + ")");
      }
      expect[tx.signer] = tx.nonce + 1;
    } else {
      if (tx.nonce != e->second) {
        return Status::Invalid(at + "nonce " + std::to_string(tx.nonce) + " where " +
                               std::to_string(e->second) + " must follow");
      }
      ++e->second;
    }
  }
  return Status::Ok();
}

Mempool::Mempool(MempoolOptions options, SignerInfoFn signer_info)
    : options_(std::move(options)), signer_info_(std::move(signer_info)) {}

Result<TxRecord> Mempool::Lookup(const Hash256& id) const {
  if (by_id_.count(id)) return TxRecord{.id = id, .state = TxState::kPending};
  auto it = final_.find(id);
  if (it != final_.end()) return it->second;
  return Status::NotFound("tx " + id.Hex() + " is not known");
}

Status Mempool::Refuse(Refusal r, Status s) {
  ++refused_[static_cast<size_t>(r)];
  return s;
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

std::chrono::steady_clock::time_point Mempool::Now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

void Mempool::TellWaits(TxWait kind,
                        const std::vector<std::chrono::steady_clock::duration>& waits) const {
  if (!on_timing_) return;
  for (auto d : waits) on_timing_(kind, d);
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

// A remembered admission refusal that a later submission of the same bytes may overcome.
bool Retryable(Code c) { return c == Code::kResourceExhausted || c == Code::kUnavailable; }

// The state could not be read: nothing is decided.
constexpr int kSignerReadAttempts = 3;

}  // namespace

Result<TxRecord> Mempool::Add(ByteView bytes) {
  if (!on_admission_) return Admit(bytes);
  const auto start = std::chrono::steady_clock::now();
  Result<TxRecord> rec = Admit(bytes);
  on_admission_(std::chrono::steady_clock::now() - start);
  return rec;
}

Result<TxRecord> Mempool::Admit(ByteView bytes) {
  if (bytes.size() > options_.max_tx_bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    return Refuse(Refusal::kTooLarge, Status::Invalid("tx: " + std::to_string(bytes.size()) +
                                                      " bytes exceeds the limit of " +
                                                      std::to_string(options_.max_tx_bytes)));
  }
  const Hash256 id = Sha256(bytes);  // == Transaction::Id(): the encoding is canonical
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto known = Lookup(id);
    if (known.ok()) {
      if (known->state == TxState::kRejected && known->height == 0 &&
          known->reject_code != Code::kOk && !Retryable(known->reject_code)) {
        return tidemark::Status(known->reject_code,
                                known->reason);  // the same answer as the first time
      }
      if (known->state != TxState::kRejected || known->height != 0) return known;
      // Evicted earlier for room: admission runs again.
    }
  }
  auto decoded = Transaction::Decode(bytes);
  if (!decoded.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    return Refuse(Refusal::kMalformed, decoded.status());
  }
  Transaction tx = std::move(*decoded);
  auto reject = [&](Refusal r, tidemark::Status s) -> tidemark::Status {
    std::lock_guard<std::mutex> lock(mu_);
    RememberFinal(Rejected(id, s));
    return Refuse(r, std::move(s));
  };
  auto refuse = [&](Refusal r, tidemark::Status s) -> tidemark::Status {
    std::lock_guard<std::mutex> lock(mu_);
    return Refuse(r, std::move(s));
  };
  if (tx.chain_id != options_.chain_id) {
    return reject(Refusal::kWrongChain,
                  Status::Invalid("tx: chain id '" + tx.chain_id + "' is not this chain's '" +
                                  options_.chain_id + "'"));
  }
  // The signer as committed state knows it, read without the mutex (it may touch the disk).
  // A block committed meanwhile (OnCommitted saw a later height) makes us read again, so that a
  // tx cannot slip in behind the eviction of its revoked signer.
  SignerInfo info;
  for (int attempt = 0;; ++attempt) {
    auto read = signer_info_(tx.signer);
    if (!read.ok()) {
      return refuse(Refusal::kUnavailable,
                    Status::Unavailable("tx: the signer's state cannot be read now: " +
                                        read.status().message()));
    }
    info = std::move(*read);
    std::lock_guard<std::mutex> lock(mu_);
    if (info.height >= committed_height_) break;
    if (attempt + 1 >= kSignerReadAttempts) {
      return Refuse(Refusal::kUnavailable,
                    Status::Unavailable("tx: the ledger is committing; try again"));
    }
  }
  if (!info.active) {
    return refuse(Refusal::kInactiveSigner,
                  Status::PermissionDenied("tx: the signer is not an active key of an active "
                                           "organisation (" +
                                           info.why + ")"));
  }
  if (tx.expiry_height && *tx.expiry_height <= info.height) {
    return reject(
        Refusal::kExpired,
        Status::FailedPrecondition("tx: expired at height " + std::to_string(*tx.expiry_height) +
                                   "; the chain is at height " + std::to_string(info.height)));
  }
  if (tx.nonce < info.next_nonce) {
    return reject(Refusal::kStaleNonce,
                  Status::FailedPrecondition("tx: stale nonce " + std::to_string(tx.nonce) +
                                             "; the signer's next nonce is " +
                                             std::to_string(info.next_nonce)));
  }
  if (tx.nonce - info.next_nonce >= options_.nonce_window) {
    return refuse(Refusal::kNonceAhead,
                  Status::FailedPrecondition("tx: nonce " + std::to_string(tx.nonce) +
                                             " is too far ahead of the next nonce " +
                                             std::to_string(info.next_nonce) + " (window " +
                                             std::to_string(options_.nonce_window) + ")"));
  }
  bool verified;
  {
    std::lock_guard<std::mutex> lock(mu_);
    verified = verified_.count(id) > 0;
  }
  if (!verified && !tx.VerifySignature()) {
    return reject(Refusal::kBadSignature, Status::Unauthenticated("tx: bad signature"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  RememberVerified(id);
  auto known = Lookup(id);  // a concurrent Add of the same bytes
  if (known.ok() && (known->state != TxState::kRejected || known->height != 0 ||
                     !Retryable(known->reject_code))) {
    return known;
  }
  auto sit = by_signer_.find(tx.signer);
  if (sit != by_signer_.end()) {
    SignerQueue& q = sit->second;
    q.next = std::max(q.next, info.next_nonce);
    if (tx.nonce < q.next) {  // a commit since our read used this nonce
      return Refuse(
          Refusal::kStaleNonce,
          Status::FailedPrecondition("tx: stale nonce " + std::to_string(tx.nonce) +
                                     "; the signer's next nonce is " + std::to_string(q.next)));
    }
    if (auto slot = q.txs.find(tx.nonce); slot != q.txs.end()) {
      return Refuse(Refusal::kNonceTaken,
                    Status::AlreadyExists("tx: nonce " + std::to_string(tx.nonce) +
                                          " of this signer is already pending in tx " +
                                          slot->second.id.Hex()));
    }
    if (q.txs.size() + 1 > options_.max_signer_txs ||
        q.bytes + bytes.size() > options_.max_signer_bytes) {
      return Refuse(Refusal::kSignerQuota,
                    Status::ResourceExhausted(
                        "tx: the signer's quota is used (" + std::to_string(q.txs.size()) +
                        " pending txs, " + std::to_string(q.bytes) + " bytes; at most " +
                        std::to_string(options_.max_signer_txs) + " txs, " +
                        std::to_string(options_.max_signer_bytes) + " bytes)"));
    }
  } else if (bytes.size() > options_.max_signer_bytes || options_.max_signer_txs == 0) {
    return Refuse(Refusal::kSignerQuota,
                  Status::ResourceExhausted("tx: larger than the signer's quota of " +
                                            std::to_string(options_.max_signer_bytes) + " bytes"));
  }
  if (Status room = MakeRoom(tx.signer, info.org, bytes.size()); !room.ok()) return room;
  SignerQueue& q = by_signer_[tx.signer];
  q.org = info.org;
  q.next = std::max(q.next, info.next_nonce);
  q.bytes += bytes.size();
  Usage& u = by_org_[info.org];
  ++u.txs;
  u.bytes += bytes.size();
  by_id_[id] = {tx.signer, tx.nonce};
  if (tx.expiry_height) by_expiry_.insert({*tx.expiry_height, id});
  bytes_ += bytes.size();
  uint64_t nonce = tx.nonce;
  q.txs.emplace(nonce, Entry{.tx = std::move(tx),
                             .id = id,
                             .size = bytes.size(),
                             .seq = next_seq_++,
                             .admitted = Now()});
  return TxRecord{.id = id, .state = TxState::kPending};
}

Status Mempool::MakeRoom(const PublicKey& signer, const std::string& org, size_t size) {
  auto signer_usage = [&](const PublicKey& s) -> Usage {
    auto it = by_signer_.find(s);
    if (it == by_signer_.end()) return {};
    return {it->second.txs.size(), it->second.bytes};
  };
  // The organisation's quota: evict from its largest other signer while it holds more than
  // `signer` would after this tx.
  while (true) {
    Usage& ou = by_org_[org];
    bool by_count = ou.txs + 1 > options_.max_org_txs;
    bool by_bytes = ou.bytes + size > options_.max_org_bytes;
    if (!by_count && !by_bytes) break;
    Usage mine = signer_usage(signer);
    mine.txs += 1;
    mine.bytes += size;
    const PublicKey* victim = nullptr;
    Usage victim_usage;
    for (const auto& [s, q] : by_signer_) {
      if (q.org != org || s == signer || q.txs.empty()) continue;
      Usage u{q.txs.size(), q.bytes};
      bool larger = by_count ? u.txs > victim_usage.txs : u.bytes > victim_usage.bytes;
      if (victim == nullptr || larger) {
        victim = &s;
        victim_usage = u;
      }
    }
    if (victim == nullptr ||
        (by_count ? victim_usage.txs <= mine.txs : victim_usage.bytes <= mine.bytes)) {
      if (ou.txs == 0) by_org_.erase(org);
      return Refuse(
          Refusal::kOrgQuota,
          Status::ResourceExhausted("tx: the organisation's quota is used (" + org + ": at most " +
                                    std::to_string(options_.max_org_txs) + " pending txs, " +
                                    std::to_string(options_.max_org_bytes) + " bytes)"));
    }
    const PublicKey victim_key = *victim;  // EvictNewest may erase the map entry
    EvictNewest(victim_key,
                Status::ResourceExhausted("tx: evicted to make room for another key of " + org +
                                          " under its quota; submit it again later"),
                Refusal::kOrgQuota);
  }
  // The pool's bounds: evict from the largest organisation while it holds more than `org`
  // would after this tx.
  while (by_id_.size() + 1 > options_.max_txs || bytes_ + size > options_.max_bytes) {
    bool by_count = by_id_.size() + 1 > options_.max_txs;
    Usage mine = by_org_.count(org) ? by_org_[org] : Usage{};
    mine.txs += 1;
    mine.bytes += size;
    const std::string* victim = nullptr;
    Usage victim_usage;
    for (const auto& [o, u] : by_org_) {
      if (o == org || u.txs == 0) continue;
      bool larger = by_count ? u.txs > victim_usage.txs : u.bytes > victim_usage.bytes;
      if (victim == nullptr || larger) {
        victim = &o;
        victim_usage = u;
      }
    }
    if (victim == nullptr ||
        (by_count ? victim_usage.txs <= mine.txs : victim_usage.bytes <= mine.bytes)) {
      if (auto it = by_org_.find(org); it != by_org_.end() && it->second.txs == 0) {
        by_org_.erase(it);
      }
      return Refuse(Refusal::kPoolFull,
                    Status::ResourceExhausted("mempool full (" + std::to_string(by_id_.size()) +
                                              " txs, " + std::to_string(bytes_) + " bytes)"));
    }
    // The victim organisation's largest signer gives up its newest tx.
    const std::string victim_org = *victim;
    const PublicKey* from = nullptr;
    Usage from_usage;
    for (const auto& [s, q] : by_signer_) {
      if (q.org != victim_org || q.txs.empty()) continue;
      bool larger = by_count ? q.txs.size() > from_usage.txs : q.bytes > from_usage.bytes;
      if (from == nullptr || larger) {
        from = &s;
        from_usage = {q.txs.size(), q.bytes};
      }
    }
    if (from == nullptr) {  // accounting out of step: our bug
      by_org_.erase(victim_org);
      continue;
    }
    const PublicKey from_key = *from;  // EvictNewest may erase the map entry
    EvictNewest(from_key,
                Status::ResourceExhausted("tx: evicted from a full mempool to make room for "
                                          "an organisation under its share; submit it again "
                                          "later"),
                Refusal::kPoolFull);
  }
  return Status::Ok();
}

void Mempool::EvictNewest(const PublicKey& signer, const Status& why, Refusal reason) {
  auto sit = by_signer_.find(signer);
  if (sit == by_signer_.end() || sit->second.txs.empty()) return;
  auto last = std::prev(sit->second.txs.end());
  ++evicted_[static_cast<size_t>(reason)];
  RememberFinal(Rejected(last->second.id, why));
  EraseEntry(signer, last->first);
}

std::vector<Transaction> Mempool::TakeBatch(size_t max_txs, size_t max_bytes,
                                            const std::map<PublicKey, uint64_t>& chain_next,
                                            uint64_t height) {
  std::vector<std::chrono::steady_clock::duration> waits;
  std::vector<Transaction> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out = TakeReady(max_txs, max_bytes, chain_next, height, &waits);
  }
  TellWaits(TxWait::kProposed, waits);
  return out;
}

std::vector<Transaction> Mempool::TakeReady(
    size_t max_txs, size_t max_bytes, const std::map<PublicKey, uint64_t>& chain_next,
    uint64_t height, std::vector<std::chrono::steady_clock::duration>* waits) {
  const auto now = on_timing_ ? Now() : std::chrono::steady_clock::time_point{};
  using Queue = std::map<uint64_t, Entry>;
  struct Cursor {
    Queue* q;
    Queue::iterator it;
  };
  auto usable = [height](const Entry& e) {
    return height == 0 || !e.tx.expiry_height || *e.tx.expiry_height >= height;
  };
  // Advances to the next not-in-flight entry of the consecutive run starting at it.
  auto settle = [&](Cursor& c, uint64_t expect) {
    while (c.it != c.q->end() && c.it->first == expect && c.it->second.in_flight) {
      ++c.it;
      ++expect;
    }
    return c.it != c.q->end() && c.it->first == expect && usable(c.it->second);
  };
  auto later = [](const Cursor& a, const Cursor& b) { return a.it->second.seq > b.it->second.seq; };
  std::priority_queue<Cursor, std::vector<Cursor>, decltype(later)> heap(later);
  for (auto& [signer, q] : by_signer_) {
    uint64_t next = q.next;
    if (auto it = chain_next.find(signer); it != chain_next.end())
      next = std::max(next, it->second);
    Cursor c{&q.txs, q.txs.lower_bound(next)};
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
    if (!e.proposed && on_timing_) waits->push_back(now - e.admitted);
    e.proposed = true;
    bytes += e.size;
    out.push_back(e.tx);
    uint64_t expect = c.it->first + 1;
    ++c.it;
    if (settle(c, expect)) heap.push(c);
  }
  return out;
}

bool Mempool::HasReady() const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [signer, q] : by_signer_) {
    uint64_t expect = q.next;
    for (auto it = q.txs.find(expect); it != q.txs.end() && it->first == expect; ++it, ++expect) {
      if (!it->second.in_flight) return true;
    }
  }
  return false;
}

void Mempool::ReleaseInFlight() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [signer, q] : by_signer_) {
    for (auto& [nonce, e] : q.txs) e.in_flight = false;
  }
  in_flight_ = 0;
}

void Mempool::EraseEntry(const PublicKey& signer, uint64_t nonce) {
  auto sit = by_signer_.find(signer);
  if (sit == by_signer_.end()) return;
  SignerQueue& q = sit->second;
  auto it = q.txs.find(nonce);
  if (it == q.txs.end()) return;
  const Entry& e = it->second;
  bytes_ -= e.size;
  q.bytes -= e.size;
  if (auto o = by_org_.find(q.org); o != by_org_.end()) {
    o->second.txs -= 1;
    o->second.bytes -= e.size;
    if (o->second.txs == 0) by_org_.erase(o);
  }
  if (e.in_flight) --in_flight_;
  if (e.tx.expiry_height) by_expiry_.erase({*e.tx.expiry_height, e.id});
  by_id_.erase(e.id);
  q.txs.erase(it);
  if (q.txs.empty()) by_signer_.erase(sit);
}

void Mempool::EvictUnexecutable(const PublicKey& signer, const SignerInfo& info) {
  auto sit = by_signer_.find(signer);
  if (sit == by_signer_.end()) return;
  if (!info.active) {
    std::vector<uint64_t> nonces;
    for (const auto& [n, e] : sit->second.txs) {
      nonces.push_back(n);
      ++evicted_[static_cast<size_t>(Refusal::kInactiveSigner)];
      RememberFinal(Rejected(
          e.id, Status::PermissionDenied("tx: evicted: the signer is no longer an active key (" +
                                         info.why + ")")));
    }
    for (uint64_t n : nonces) EraseEntry(signer, n);
    return;
  }
  sit->second.next = std::max(sit->second.next, info.next_nonce);
  while (true) {
    sit = by_signer_.find(signer);
    if (sit == by_signer_.end() || sit->second.txs.empty()) return;
    auto it = sit->second.txs.begin();
    if (it->first >= sit->second.next) return;
    ++evicted_[static_cast<size_t>(Refusal::kStaleNonce)];
    RememberFinal(Rejected(
        it->second.id, Status::FailedPrecondition("tx: nonce " + std::to_string(it->first) +
                                                  " was used by another committed transaction")));
    EraseEntry(signer, it->first);
  }
}

void Mempool::RecheckSigner(const PublicKey& signer) {
  if (!by_signer_.count(signer)) return;
  auto info = signer_info_(signer);
  if (!info.ok()) return;  // unreadable now: decided at the next commit
  EvictUnexecutable(signer, *info);
}

void Mempool::EvictExpired(uint64_t committed_height) {
  // A tx with expiry_height <= committed height cannot enter the next block.
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= committed_height) {
    auto [expiry, id] = *by_expiry_.begin();
    auto it = by_id_.find(id);
    if (it == by_id_.end()) {
      by_expiry_.erase(by_expiry_.begin());
      continue;
    }
    auto [signer, nonce] = it->second;
    ++evicted_[static_cast<size_t>(Refusal::kExpired)];
    RememberFinal(Rejected(
        id, Status::FailedPrecondition("tx: expired at height " + std::to_string(expiry))));
    EraseEntry(signer, nonce);  // erases the by_expiry_ entry
  }
}

void Mempool::OnCommitted(uint64_t height, const std::vector<Transaction>& block_txs,
                          const std::vector<Receipt>& receipts, bool identity_changed) {
  std::vector<std::chrono::steady_clock::duration> waits;
  {
    std::lock_guard<std::mutex> lock(mu_);
    RecordCommitted(height, block_txs, receipts, identity_changed, &waits);
  }
  TellWaits(TxWait::kFinal, waits);
}

void Mempool::RecordCommitted(uint64_t height, const std::vector<Transaction>& block_txs,
                              const std::vector<Receipt>& receipts, bool identity_changed,
                              std::vector<std::chrono::steady_clock::duration>* waits) {
  committed_height_ = std::max(committed_height_, height);
  const auto now = Now();
  for (const Receipt& r : receipts) {
    if (auto it = by_id_.find(r.tx_id); it != by_id_.end()) {
      auto [signer, nonce] = it->second;
      if (auto q = by_signer_.find(signer); q != by_signer_.end()) {
        if (auto e = q->second.txs.find(nonce); e != q->second.txs.end()) {
          auto wait = now - e->second.admitted;
          waits->push_back(wait);
          recent_final_ms_.push_back(static_cast<uint64_t>(
              std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()));
          while (recent_final_ms_.size() > options_.finality_window) recent_final_ms_.pop_front();
        }
      }
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
  if (identity_changed) {
    for (const auto& [s, q] : by_signer_) signers.insert(s);
  } else {
    for (const Transaction& tx : block_txs) signers.insert(tx.signer);
  }
  for (const PublicKey& s : signers) RecheckSigner(s);
  EvictExpired(height);
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

void Mempool::Evict(const std::vector<Hash256>& ids, const Status& why, Refusal reason) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Hash256& id : ids) {
    if (auto it = by_id_.find(id); it != by_id_.end()) {
      auto [signer, nonce] = it->second;
      ++evicted_[static_cast<size_t>(reason)];
      RememberFinal(Rejected(id, why));
      EraseEntry(signer, nonce);
    }
  }
}

void Mempool::Recheck() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<PublicKey> signers;
  for (const auto& [s, q] : by_signer_) signers.push_back(s);
  uint64_t height = committed_height_;
  for (const PublicKey& s : signers) {
    auto info = signer_info_(s);
    if (!info.ok()) continue;
    height = std::max(height, info->height);
    EvictUnexecutable(s, *info);
  }
  committed_height_ = height;
  EvictExpired(height);
}

bool Mempool::StillAdmissible(const Hash256& id) const {
  std::optional<Transaction> tx = Get(id);
  if (!tx) return false;
  auto info = signer_info_(tx->signer);
  if (!info.ok() || !info->active) return false;
  if (tx->expiry_height && *tx->expiry_height <= info->height) return false;
  return tx->nonce >= info->next_nonce && tx->nonce - info->next_nonce < options_.nonce_window;
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
  return by_signer_.at(it->second.first).txs.at(it->second.second).tx;
}

MempoolStats Mempool::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return MempoolStats{by_id_.size(), bytes_, in_flight_, refused_, evicted_};
}

RecentFinality Mempool::Finality() const {
  std::vector<uint64_t> v;
  {
    std::lock_guard<std::mutex> lock(mu_);
    v.assign(recent_final_ms_.begin(), recent_final_ms_.end());
  }
  if (v.empty()) return {};
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return RecentFinality{.txs = v.size(), .p50_ms = *mid};
}

}  // namespace tidemark::node::mempool
