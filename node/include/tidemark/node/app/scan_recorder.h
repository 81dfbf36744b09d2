// scan_recorder.h — records consumer lookups of a Digital Link as `prov.scan` txs signed by this
// node's organisation service key, so scan counts and first-scan times come from the chain (the
// clone signal of the consumer page). Rate-limited per code: at most one recorded scan per code
// per `min_interval_ms` from this node (the contract also caps scans per code per block).
//
//   ScanRecorder rec(&ledger_api, service_key, {.chain_id = cfg.chain_id});
//   rec.Record("/01/09521234543213/21/7001");   // submits a tx, or skips (rate limit)
//
// Thread safety: Record() is safe from any thread (one mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "tidemark/crypto.h"
#include "tidemark/node/api/ledger_api.h"

namespace tidemark::node {

struct ScanRecorderOptions {
  std::string chain_id;
  uint64_t min_interval_ms = 60'000;
  size_t max_codes = 100'000;  // remembered codes; older entries are forgotten beyond it
};

class ScanRecorder {
 public:
  using Clock = std::function<int64_t()>;  // milliseconds
  ScanRecorder(api::LedgerApi* ledger, KeyPair key, ScanRecorderOptions options,
               Clock now_ms = nullptr);

  // True if a tx was admitted, false if rate-limited; an error if admission failed.
  Result<bool> Record(const std::string& code);

 private:
  api::LedgerApi* ledger_;
  KeyPair key_;
  ScanRecorderOptions options_;
  Clock now_ms_;
  std::mutex mu_;
  std::map<std::string, int64_t> last_;  // guarded by mu_: code -> last recorded (ms)
  uint64_t next_nonce_ = 0;              // guarded by mu_: 0 = ask the ledger
};

}  // namespace tidemark::node
