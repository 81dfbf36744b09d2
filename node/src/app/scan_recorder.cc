#include "tidemark/node/app/scan_recorder.h"

#include <algorithm>
#include <chrono>

#include "tidemark/value.h"

namespace tidemark::node {

ScanRecorder::ScanRecorder(api::LedgerApi* ledger, KeyPair key, ScanRecorderOptions options,
                           Clock now_ms)
    : ledger_(ledger),
      key_(std::move(key)),
      options_(std::move(options)),
      now_ms_(std::move(now_ms)) {
  if (!now_ms_) {
    now_ms_ = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

Result<bool> ScanRecorder::Record(const std::string& code) {
  std::lock_guard lock(mu_);
  int64_t now = now_ms_();
  auto it = last_.find(code);
  if (it != last_.end() && now - it->second < static_cast<int64_t>(options_.min_interval_ms)) {
    return false;
  }
  if (last_.size() >= options_.max_codes) {
    int64_t horizon = now - static_cast<int64_t>(options_.min_interval_ms);
    std::erase_if(last_, [horizon](const auto& e) { return e.second < horizon; });
    if (last_.size() >= options_.max_codes) last_.clear();
  }
  TM_ASSIGN_OR_RETURN(uint64_t committed_next, ledger_->NextNonce(key_.public_key()));
  uint64_t nonce = std::max(next_nonce_, committed_next);
  Transaction tx{.chain_id = options_.chain_id,
                 .nonce = nonce,
                 .contract = "prov",
                 .method = "scan",
                 .args = Value::MakeMap({{"code", code}}).Encode()};
  tx.SignWith(key_);
  auto rec = ledger_->SubmitTx(tx.Encode());
  if (!rec.ok()) {
    next_nonce_ = 0;  // resynchronise with the ledger next time
    return rec.status();
  }
  next_nonce_ = nonce + 1;
  last_[code] = now;
  return true;
}

}  // namespace tidemark::node
