// state_keys/alerts.h — the keys both finance contracts share: the regulator's alerts, their
// de-duplication marks, and the history log the regulator's export walks by time. The "fin"
// contract writes them under "fin/", the "plg" contract under "plg/" (docs/finance.md §16-§17).
//
//   view.Scan(state_keys::alerts::AlertPrefix("fin/"), ...);  // finance alerts, oldest first
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tidemark/state_keys/parts.h"

namespace tidemark::state_keys {

// Alerts, history log and alert de-duplication: one layout under each finance contract's
// namespace `ns` ("fin/" or "plg/").
namespace alerts {
// An alert {kind, height, time_ms, tx, subject, orgs, detail}, in (height, tx index, k) order.
inline std::string AlertPrefix(std::string_view ns) { return Cat({ns, "alert/"}); }
inline std::string Alert(std::string_view ns, uint64_t height, uint32_t index, uint32_t k) {
  return Cat({ns, "alert/", SeqPart(height), " ", SeqPart(index), " ", SeqPart(k)});
}
// "" — an alert of `kind` was raised for `subject` (raised once per subject).
inline std::string Alerted(std::string_view ns, std::string_view kind, std::string_view subject) {
  return Cat({ns, "alerted/", kind, " ", subject});
}
// {id, seq}: the history entry <ns>hist/<id> <seq> was written by the tx at (height, index),
// in block time order: the regulator's export walks this from a time.
inline std::string HistLogPrefix(std::string_view ns) { return Cat({ns, "hlog/"}); }
inline std::string HistLogFrom(std::string_view ns, int64_t time_ms) {
  return Cat({ns, "hlog/", TimePart(time_ms)});
}
inline std::string HistLog(std::string_view ns, int64_t time_ms, uint64_t height, uint32_t index,
                           uint32_t k) {
  return Cat(
      {ns, "hlog/", TimePart(time_ms), " ", SeqPart(height), " ", SeqPart(index), " ", SeqPart(k)});
}
}  // namespace alerts

}  // namespace tidemark::state_keys
