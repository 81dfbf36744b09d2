// plg_internal.h (internal) — shared pieces of the "plg" contract (pledge.h): refusals that name
// their rule, the call context, and the helpers every family uses to write a record, its history
// entry (with its hlog row), its party rows and alerts (docs/finance.md §12, §16).
// Thread safety: stateless functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tidemark/contracts/identity.h"
#include "tidemark/contracts/pledge.h"
#include "tidemark/state_keys/pledge.h"

namespace tidemark::contracts::plg {

namespace keys = ::tidemark::state_keys::plg;

// "rule plg-<rule>: <why>" with the code of the refusal's kind.
inline Status Bad(std::string_view rule, const std::string& why) {
  return Status::Invalid("rule plg-" + std::string(rule) + ": " + why);
}
inline Status Deny(std::string_view rule, const std::string& why) {
  return Status::PermissionDenied("rule plg-" + std::string(rule) + ": " + why);
}
inline Status Refuse(std::string_view rule, const std::string& why) {
  return Status::FailedPrecondition("rule plg-" + std::string(rule) + ": " + why);
}

struct Call {
  const TxContext& ctx;
  const Value& args;
  StateView& view;
  EventSink& events;
  KeyRecord signer;
  uint32_t next_k = 0;  // per-call counter for hlog / alert keys (written in call order)
};

inline std::string S(const Value& m, const std::string& k) {
  const Value* v = m.Find(k);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}
inline int64_t I(const Value& m, const std::string& k) {
  const Value* v = m.Find(k);
  return v != nullptr && v->is_int() ? v->as_int() : 0;
}

// Args: only `allowed` top-level fields (plg-args names the first other one).
Status OnlyFields(const Value& args, std::initializer_list<std::string_view> allowed);
// A required string arg of 1..max printable bytes (plg-args).
Result<std::string> StrArg(const Value& args, const std::string& field, size_t max = 128);
// An optional string arg ("" if absent).
Result<std::string> OptStrArg(const Value& args, const std::string& field, size_t max = 128);
// 64 hex digits, returned lower-case (plg-args).
Result<std::string> HashArg(const Value& m, const std::string& field);
// A YYYY-MM-DD calendar date (plg-args).
Result<std::string> DateArg(const Value& m, const std::string& field);
// An integer amount in minor units, 1..10^15 (plg-args).
Result<int64_t> AmountArg(const Value& m, const std::string& field);
// The block time's UTC day as YYYY-MM-DD.
std::string BlockDay(const TxContext& ctx);
// An active organisation (plg-parties otherwise, naming `what`).
Result<OrgRecord> ActiveOrg(const Call& c, const std::string& org, std::string_view what);

// Adds `org` to rec["parties"] (sorted, unique) and writes its plg/party row.
void AddParty(Call& c, Value& rec, const std::string& org);
// Appends history entry {seq, height, time_ms, tx, action, org, signer, args} + `extra` under
// plg/hist/<id>, writes its plg/hlog row, bumps rec["next_hist"] and stores `rec` at `key`.
void Save(Call& c, Value& rec, const std::string& key, std::string_view action,
          Value::Map extra = {});
// Raises an alert (docs/finance.md §16) once per (kind, subject): writes plg/alert/… and
// plg/alerted/<kind> <subject> and emits event "plg.alert". Returns false if already raised.
bool RaiseAlert(Call& c, std::string_view kind, const std::string& subject, Value::List orgs,
                Value::Map detail);

// The strings of list field `k` (non-strings skipped; absent: empty).
std::vector<std::string> Strings(const Value& m, const std::string& k);
// plg-state unless the pledge's state is one of `states`.
Status StateIs(const Value& p, std::initializer_list<std::string_view> states);
// The pledge args["pledge"] names if it has `prefix` ("ipp_", "eqp_") and exists (else none).
Result<std::optional<Value>> PledgeArg(const Call& c, std::string_view prefix);
// <family>_withdraw {pledge}: a key of the pledgor org, while APPLIED → WITHDRAWN.
Status WithdrawPledge(Call& c, std::string_view prefix, std::string_view action);

// The families (each checks its own args, caller and state).
Status IpMethod(Call& c, std::string_view method);
Status EqMethod(Call& c, std::string_view method);
Status WrMethod(Call& c, std::string_view method);
// review {subject}: the time-based alerts of an IP asset / pledge (plg_ip.cc).
Status Review(Call& c);

}  // namespace tidemark::contracts::plg
