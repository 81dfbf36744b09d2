// fin_internal.h (internal) — shared pieces of the "fin" contract (finance.h): refusals that name
// their rule, field access on the receivable record, and Save(), the one place a successful
// method writes the record, its history entry, party rows and fingerprint states.
// Thread safety: stateless functions.
#pragma once

#include <string>
#include <string_view>

#include "tidemark/contracts/finance.h"
#include "tidemark/contracts/identity.h"
#include "tidemark/state_keys/finance.h"

namespace tidemark::contracts::fin {

namespace keys = ::tidemark::state_keys::fin;

// "rule fin-<rule>: <why>" with the code of the refusal's kind.
inline Status Bad(std::string_view rule, const std::string& why) {
  return Status::Invalid("rule fin-" + std::string(rule) + ": " + why);
}
inline Status Deny(std::string_view rule, const std::string& why) {
  return Status::PermissionDenied("rule fin-" + std::string(rule) + ": " + why);
}
inline Status Refuse(std::string_view rule, const std::string& why) {
  return Status::FailedPrecondition("rule fin-" + std::string(rule) + ": " + why);
}

// Everything a method needs.
struct Call {
  const TxContext& ctx;
  const Value& args;
  StateView& view;
  EventSink& events;
  KeyRecord signer;
  uint32_t next_k = 0;  // per-call counter for fin/hlog keys (written in call order)
};

// Field helpers on Value maps.
inline std::string S(const Value& m, const std::string& k) {
  const Value* v = m.Find(k);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}
inline int64_t I(const Value& m, const std::string& k) {
  const Value* v = m.Find(k);
  return v != nullptr && v->is_int() ? v->as_int() : 0;
}
inline Value::Map& M(Value& v) { return v.as_map(); }
inline Value::Map& Parts(Value& rec) { return M(rec)["parts"].as_map(); }
inline const Value::Map& Parts(const Value& rec) { return rec.Find("parts")->as_map(); }

// Args: only `allowed` top-level fields (fin-args names the first other one).
Status OnlyFields(const Value& args, std::initializer_list<std::string_view> allowed);
// A required string arg of 1..max characters (fin-args).
Result<std::string> StrArg(const Value& args, const std::string& field, size_t max = 128);
// 64 hex digits, returned lower-case (fin-args).
Result<std::string> HashArg(const Value& m, const std::string& field);

// The record of `id`, or a PERMISSION_DENIED `rule` refusal that reads the same whether the
// receivable does not exist or `org` does not play `role` in it (no existence leak).
Result<Value> LoadForRole(const Call& c, const std::string& id, std::string_view rule,
                          std::string_view role_field);
// The record holding part `part_id` whose holder is the signer's org (fin-holder otherwise, the
// same whether or not the part exists).
Result<Value> LoadForHolder(const Call& c, const std::string& part_id);

// REQUIRES: rec is CONFIRMED etc.; fin-state otherwise, naming the states allowed.
Status NeedState(const Value& rec, std::initializer_list<std::string_view> states);
// fin-leaf, fin-encumbered: part is an ACTIVE leaf with no ACTIVE encumbrance and no offer.
Status NeedFreeLeaf(const Value& part);

// Adds `org` to the record's parties (sorted, unique) and writes its fin/party row.
void AddParty(Call& c, Value& rec, const std::string& org);

// Writes the record after a successful method: appends history entry {seq, height, time_ms, tx,
// action, org, signer, args} + `extra`, stores the record, brings fin/fp and fin/ik up to date.
void Save(Call& c, Value& rec, std::string_view action, Value::Map extra = {});

// Alerts (docs/finance.md §16, fin_alerts.cc). RaiseAlert writes {kind, height, time_ms, tx,
// subject, orgs, detail} at fin/alert/<height> <index> <k> and its mark fin/alerted/<kind>
// <subject>, emits "fin.alert", once per (kind, subject); false if already raised. With
// `audit`, through events.audit() (kept although the call is refused; the caller keeps within
// AuditSink::kMaxAuditWrites: two writes per alert).
bool RaiseAlert(Call& c, std::string_view kind, const std::string& subject, Value::List orgs,
                Value::Map detail, bool audit = false);
// The alerts of a transfer of `part_id` to `to`, after its Save: circular-transfer and
// fan-out-new-parties.
Status TransferAlerts(Call& c, const Value& rec, const std::string& part_id,
                      const std::string& from, const std::string& to);
// An org whose earliest admin key was enrolled within kNewPartyWindow blocks before `height`;
// genesis orgs (enrolled at height 0) never are. Returns the enrolment height, or nullopt.
inline constexpr uint64_t kNewPartyWindow = 100'000;
Result<std::optional<uint64_t>> NewPartySince(const StateView& view, const std::string& org,
                                              uint64_t height);

Status Register(Call& c);
Status Confirm(Call& c);
// dispute | resolve | reject | cancel | settle
Status Lifecycle(Call& c, std::string_view method);
// split | transfer
Status Split(Call& c);
Status Transfer(Call& c);
// offer_finance | withdraw_offer | accept_finance | release
Status Finance(Call& c, std::string_view method);

}  // namespace tidemark::contracts::fin
