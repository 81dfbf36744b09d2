// alerts.h — the one writer of a finance alert (docs/finance.md §16), shared by the "fin" and
// "plg" contracts: {kind, height, time_ms, tx, subject, orgs, detail} at
// <ns>alert/<height> <index> <k> with its mark <ns>alerted/<kind> <subject>, and event
// "<contract>.alert"; once per (kind, subject). With `audit`, written through events.audit()
// (kept although the tx is refused: two audit writes per alert).
//
// Thread safety: as the call's StateView and EventSink (one executing tx).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tidemark/contracts/framework.h"
#include "tidemark/contracts/state.h"
#include "tidemark/state_keys/alerts.h"
#include "tidemark/value.h"

namespace tidemark::contracts {

// Returns false, writing nothing, if the (kind, subject) alert was raised before (or the mark
// cannot be read). `next_k` is the call's counter of log keys, bumped by one.
inline bool WriteAlert(const TxContext& ctx, StateView& view, EventSink& events, uint32_t& next_k,
                       std::string_view ns, std::string_view event, std::string_view kind,
                       const std::string& subject, Value::List orgs, Value::Map detail,
                       bool audit) {
  const std::string mark = state_keys::alerts::Alerted(ns, kind, subject);
  auto seen = GetValue(view, mark);
  if (!seen.ok() || seen->has_value()) return false;
  Value::Map alert{{"kind", std::string(kind)},
                   {"height", static_cast<int64_t>(ctx.height)},
                   {"time_ms", static_cast<int64_t>(ctx.block_time_ms)},
                   {"tx", ctx.tx_id.Hex()},
                   {"subject", subject},
                   {"orgs", Value(std::move(orgs))},
                   {"detail", Value(std::move(detail))}};
  const std::string key = state_keys::alerts::Alert(ns, ctx.height, ctx.index, next_k++);
  if (audit) {
    events.audit().Put(mark, Value(std::string()));
    events.audit().Put(key, Value(alert));
    events.audit().Emit(std::string(event), Value(std::move(alert)));
  } else {
    PutValue(view, mark, Value(std::string()));
    PutValue(view, key, Value(alert));
    events.Emit(std::string(event), Value(std::move(alert)));
  }
  return true;
}

}  // namespace tidemark::contracts
