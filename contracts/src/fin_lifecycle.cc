// fin.dispute / resolve / reject / cancel / settle: the receivable's side states and its end.
#include "fin_internal.h"

namespace tidemark::contracts::fin {

namespace {

// Every part of the record that is an ACTIVE leaf takes `state` (the receivable ended).
void CloseLeaves(Value& rec, std::string_view state) {
  for (auto& [pid, part] : Parts(rec)) {
    if (S(part, "state") == kPartActive) M(part)["state"] = std::string(state);
  }
}

Status Settle(Call& c, const std::string& id) {
  TM_ASSIGN_OR_RETURN(Value rec, LoadForRole(c, id, "debtor", "debtor"));
  TM_RETURN_IF_ERROR(NeedState(rec, {kRcvConfirmed}));
  Value::List payees = SettlementPayees(rec);
  for (auto& [pid, part] : Parts(rec)) {
    if (S(part, "state") != kPartActive) continue;
    M(part)["state"] = std::string(kPartSettled);
    M(part).erase("offer");  // a pending offer lapses with the receivable
    if (Value::Map::iterator e = M(part).find("encumbrance");
        e != M(part).end() && S(e->second, "state") == kEncActive) {
      M(e->second)["state"] = std::string(kEncSettled);
      M(e->second)["closed_height"] = static_cast<int64_t>(c.ctx.height);
    }
  }
  M(rec)["state"] = std::string(kRcvSettled);
  M(rec)
  ["settled"] = Value::Map{{"height", static_cast<int64_t>(c.ctx.height)},
                           {"time_ms", static_cast<int64_t>(c.ctx.block_time_ms)},
                           {"payees", payees}};
  Save(c, rec, "settle", {{"payees", payees}});
  // The payees are in the record and the history; the event stays small whatever the number of
  // parts (an event above kMaxEventDataLen would make every settlement of this receivable fail).
  c.events.Emit("fin.settled", Value::Map{{"id", id},
                                          {"amount", I(rec, "amount")},
                                          {"payees", static_cast<int64_t>(payees.size())}});
  return Status::Ok();
}

}  // namespace

Status Lifecycle(Call& c, std::string_view method) {
  const bool with_reason = method == "dispute" || method == "reject";
  if (with_reason) {
    TM_RETURN_IF_ERROR(OnlyFields(c.args, {"id", "reason_hash"}));
  } else {
    TM_RETURN_IF_ERROR(OnlyFields(c.args, {"id"}));
  }
  TM_ASSIGN_OR_RETURN(std::string id, StrArg(c.args, "id", 64));
  std::string reason;
  if (with_reason) {
    TM_ASSIGN_OR_RETURN(reason, HashArg(c.args, "reason_hash"));
  }
  if (method == "settle") return Settle(c, id);
  const bool by_creditor = method == "resolve" || method == "cancel";
  TM_ASSIGN_OR_RETURN(Value rec, by_creditor ? LoadForRole(c, id, "creditor", "creditor")
                                             : LoadForRole(c, id, "debtor", "debtor"));
  const int64_t height = static_cast<int64_t>(c.ctx.height);
  std::string event;
  if (method == "dispute") {
    TM_RETURN_IF_ERROR(NeedState(rec, {kRcvRegistered}));
    M(rec)["state"] = std::string(kRcvDisputed);
    M(rec)["dispute"] = Value::Map{{"reason_hash", reason}, {"height", height}};
    event = "fin.disputed";
  } else if (method == "resolve") {
    TM_RETURN_IF_ERROR(NeedState(rec, {kRcvDisputed}));
    M(rec)["state"] = std::string(kRcvRegistered);
    M(rec).erase("dispute");
    event = "fin.resolved";
  } else if (method == "reject") {
    TM_RETURN_IF_ERROR(NeedState(rec, {kRcvRegistered, kRcvDisputed}));
    M(rec)["state"] = std::string(kRcvRejected);
    M(rec)["rejected"] = Value::Map{{"reason_hash", reason}, {"height", height}};
    CloseLeaves(rec, kPartCancelled);
    event = "fin.rejected";
  } else {  // cancel
    TM_RETURN_IF_ERROR(NeedState(rec, {kRcvRegistered, kRcvConfirmed, kRcvDisputed}));
    const Value* cancellable = rec.Find("cancellable");
    if (cancellable == nullptr || !cancellable->as_bool()) {
      return Refuse("cancel", "receivable " + id +
                                  " was split, transferred or financed; it can no longer be "
                                  "cancelled");
    }
    if (Parts(rec).at(id).Find("offer") != nullptr) {
      return Refuse("cancel", "receivable " + id + " has a pending finance offer; withdraw it");
    }
    M(rec)["state"] = std::string(kRcvCancelled);
    M(rec)["cancelled_height"] = height;
    CloseLeaves(rec, kPartCancelled);
    event = "fin.cancelled";
  }
  Save(c, rec, method);
  c.events.Emit(event, Value::Map{{"id", id}, {"org", c.signer.org}});
  return Status::Ok();
}

}  // namespace tidemark::contracts::fin
