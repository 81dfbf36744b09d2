// pledge.h — the "plg" contract: the pledge registry. IP assets kept by the IP_REGISTRY and
// pledges over them checked against the registry's own rules; equity pledges kept by their
// registrar; warehouse receipts a BONDED_WAREHOUSE issues over goods it holds (custody checked
// against provenance) and a BANK takes as collateral, while the provenance contract refuses any
// event that would move the pledged goods out. docs/finance.md §12-§17 is the specification
// (records, state machines, every method with its caller and the rule behind each refusal,
// alerts, invariants). State keys are built only by tidemark/state_keys/pledge.h.
//
// Writes (contract "plg"; args are Value maps; method families by prefix):
//   ip_*  IP assets and IP pledges        (plg_ip.cc)
//   eq_*  equity holdings and pledges     (plg_eq.cc)
//   wr_*  warehouse receipts              (plg_wr.cc)
//   review {subject}                      re-evaluates the time-based alerts of an asset
// Every refusal is INVALID_ARGUMENT / PERMISSION_DENIED / FAILED_PRECONDITION whose message
// starts with "rule plg-<name>: " and changes nothing.
//
// Reads (pure, over any StateView; what GET /v1/plg/... calls after its own access check):
//   TM_ASSIGN_OR_RETURN(std::optional<Value> rec, LoadPledgeRecord(view, "ipp_0a1b..."));
//   if (rec && IsPlgParty(*rec, reader_org)) ...
//
// Thread safety: the contract object is immutable; reads take a const view.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/contracts/framework.h"

namespace tidemark::contracts {

class PledgeContract : public Contract {
 public:
  std::string_view name() const override { return "plg"; }
  Status Execute(const TxContext& ctx, std::string_view method, const Value& args, StateView& state,
                 EventSink& events) const override;
};

// "<prefix>_" + the first 20 hex digits of the creating tx id ("ipp", "eqp", "wr").
std::string PlgIdFor(std::string_view prefix, const Hash256& tx_id);

// The id of org's holding in company uscc: "eqh:<org>:<uscc>" (an org id is [a-z0-9_-], a USCC
// [0-9A-Z]: neither holds ':' or a space, and no IP asset kind is "eqh").
std::string HoldingId(std::string_view org, std::string_view uscc);
// The plg/ key of the record `id` names (below), or "" if `id` has none of those shapes.
std::string PlgRecordKey(std::string_view id);

// Any record of the contract by id: an IP pledge ("ipp_…"), an equity pledge ("eqp_…"), a
// warehouse receipt ("wr_…"), an IP asset ("<kind>:<NUMBER>") or an equity holding
// ("eqh:<org>:<uscc>"); nullopt if there is none (or the stored record has another id). Callers
// serving it must check IsPlgParty (or the REGULATOR role) first.
Result<std::optional<Value>> LoadPledgeRecord(const StateView& view, std::string_view id);
// Whether `org` is in the record's `parties` (sorted list of org ids; never shrinks) or, for an
// IP asset (no `parties`), in its current `owners`.
bool IsPlgParty(const Value& record, std::string_view org);
// The ids of the records `org` is or was a party of (plg/party rows), ascending, after `after`.
std::vector<std::string> PlgRecordsOfParty(const StateView& view, std::string_view org,
                                           std::string_view after = "", size_t limit = 1000);
// History entries of a record (or IP asset), oldest first.
Result<std::vector<Value>> LoadPlgHistory(const StateView& view, std::string_view id);

}  // namespace tidemark::contracts
