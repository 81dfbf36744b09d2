// fin.split / transfer (the holder's parts) and offer_finance / withdraw_offer / accept_finance /
// release (one encumbrance at a time on a leaf).
#include "fin_internal.h"
#include "tidemark/fin_fingerprint.h"

namespace tidemark::contracts::fin {

namespace {

// A finance kind: pledge, factoring_recourse, factoring_nonrecourse.
bool IsFinanceKind(const std::string& k) {
  return k == "pledge" || k == "factoring_recourse" || k == "factoring_nonrecourse";
}

Result<std::string> OrgArg(const Value& args, const std::string& field) {
  TM_ASSIGN_OR_RETURN(std::string org, StrArg(args, field, 64));
  if (!IsValidOrgId(org)) return Bad("args", field + ": not an organisation id");
  return org;
}

// The record of a part held by the signer, CONFIRMED, the part an ACTIVE leaf with nothing on it.
Result<Value> LoadFreeLeaf(const Call& c, const std::string& part_id) {
  TM_ASSIGN_OR_RETURN(Value rec, LoadForHolder(c, part_id));
  TM_RETURN_IF_ERROR(NeedState(rec, {kRcvConfirmed}));
  TM_RETURN_IF_ERROR(NeedFreeLeaf(Parts(rec).at(part_id)));
  return rec;
}

}  // namespace

Status Split(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"part", "amounts"}));
  TM_ASSIGN_OR_RETURN(std::string part_id, StrArg(c.args, "part", kMaxFinPartIdLen));
  const Value* list = c.args.Find("amounts");
  if (list == nullptr || !list->is_list() || list->as_list().size() < 2 ||
      list->as_list().size() > kMaxFinSplitWays) {
    return Bad("amounts", "amounts: a list of 2 to " + std::to_string(kMaxFinSplitWays) +
                              " amounts in minor units");
  }
  std::vector<int64_t> amounts;
  int64_t sum = 0;
  for (const Value& a : list->as_list()) {
    if (!a.is_int() || a.as_int() < 1 || a.as_int() > kMaxFinAmount) {
      return Bad("amounts", "amounts: each an integer of 1 to 10^15 minor units");
    }
    amounts.push_back(a.as_int());
    sum += a.as_int();  // at most 16 * 10^15: no overflow
  }
  TM_ASSIGN_OR_RETURN(Value rec, LoadFreeLeaf(c, part_id));
  Value& part = Parts(rec).at(part_id);
  const int64_t amount = I(part, "amount");
  if (sum != amount) {
    return Bad("amounts", "amounts add up to " + std::to_string(sum) + ", not the part's " +
                              std::to_string(amount));
  }
  if (part_id.size() + 1 + std::to_string(amounts.size()).size() > kMaxFinPartIdLen) {
    return Refuse("parts-limit", "part " + part_id + " is split too deep: part ids are at most " +
                                     std::to_string(kMaxFinPartIdLen) + " characters");
  }
  if (Parts(rec).size() + amounts.size() > kMaxFinParts) {
    return Refuse("parts-limit", "receivable " + S(rec, "id") + " would have more than " +
                                     std::to_string(kMaxFinParts) + " parts");
  }
  Value::List children;
  for (size_t k = 0; k < amounts.size(); ++k) {
    const std::string child = part_id + "." + std::to_string(k + 1);
    children.push_back(child);
    Parts(rec)[child] = Value::Map{{"id", child},
                                   {"parent", part_id},
                                   {"amount", amounts[k]},
                                   {"holder", c.signer.org},
                                   {"state", std::string(kPartActive)},
                                   {"children", Value::List{}}};
  }
  Value& split = Parts(rec).at(part_id);  // re-find: the map grew
  M(split)["state"] = std::string(kPartSplit);
  M(split)["children"] = Value(children);
  M(rec)["cancellable"] = false;
  Save(c, rec, "split");
  c.events.Emit("fin.split", Value::Map{{"id", S(rec, "id")},
                                        {"part", part_id},
                                        {"children", Value(children)},
                                        {"org", c.signer.org}});
  return Status::Ok();
}

Status Transfer(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"part", "to"}));
  TM_ASSIGN_OR_RETURN(std::string part_id, StrArg(c.args, "part", kMaxFinPartIdLen));
  TM_ASSIGN_OR_RETURN(std::string to, OrgArg(c.args, "to"));
  TM_ASSIGN_OR_RETURN(Value rec, LoadFreeLeaf(c, part_id));
  if (to == c.signer.org) return Refuse("parties", "org " + to + " already holds " + part_id);
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(c.view, to));
  if (!org || !org->active) return Refuse("parties", to + " is not an active organisation");
  M(Parts(rec).at(part_id))["holder"] = to;
  M(rec)["cancellable"] = false;
  AddParty(c, rec, to);
  Save(c, rec, "transfer");
  c.events.Emit(
      "fin.transferred",
      Value::Map{{"id", S(rec, "id")}, {"part", part_id}, {"from", c.signer.org}, {"to", to}});
  return TransferAlerts(c, rec, part_id, c.signer.org, to);
}

namespace {

Status Offer(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"part", "bank", "kind", "amount"}));
  TM_ASSIGN_OR_RETURN(std::string part_id, StrArg(c.args, "part", kMaxFinPartIdLen));
  TM_ASSIGN_OR_RETURN(std::string bank, OrgArg(c.args, "bank"));
  TM_ASSIGN_OR_RETURN(std::string kind, StrArg(c.args, "kind", 32));
  if (!IsFinanceKind(kind)) {
    return Bad("args", "kind: pledge, factoring_recourse or factoring_nonrecourse");
  }
  const Value* a = c.args.Find("amount");
  if (a == nullptr || !a->is_int() || a->as_int() < 1 || a->as_int() > kMaxFinAmount) {
    return Bad("args", "amount: an integer of 1 to 10^15 minor units");
  }
  const int64_t amount = a->as_int();
  TM_ASSIGN_OR_RETURN(Value rec, LoadFreeLeaf(c, part_id));
  Value& part = Parts(rec).at(part_id);
  if (amount > I(part, "amount")) {
    return Bad("amounts", "amount " + std::to_string(amount) + " is more than part " + part_id +
                              " holds (" + std::to_string(I(part, "amount")) + ")");
  }
  if (bank == c.signer.org) return Refuse("bank", "org " + bank + " cannot finance itself");
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(c.view, bank));
  if (!org || !org->active || !org->HasRole(Role::kBank)) {
    return Refuse("bank", bank + " is not an active organisation with role BANK");
  }
  M(part)
  ["offer"] = Value::Map{{"bank", bank},
                         {"kind", kind},
                         {"amount", amount},
                         {"height", static_cast<int64_t>(c.ctx.height)}};
  AddParty(c, rec, bank);  // the bank reads what it is asked to finance
  Save(c, rec, "offer_finance");
  c.events.Emit("fin.finance_offered", Value::Map{{"id", S(rec, "id")},
                                                  {"part", part_id},
                                                  {"bank", bank},
                                                  {"kind", kind},
                                                  {"amount", amount}});
  return Status::Ok();
}

Status Withdraw(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"part"}));
  TM_ASSIGN_OR_RETURN(std::string part_id, StrArg(c.args, "part", kMaxFinPartIdLen));
  TM_ASSIGN_OR_RETURN(Value rec, LoadForHolder(c, part_id));
  Value& part = Parts(rec).at(part_id);
  if (part.Find("offer") == nullptr) {
    return Refuse("offer", "part " + part_id + " has no pending finance offer");
  }
  const std::string bank = S(*part.Find("offer"), "bank");
  M(part).erase("offer");
  Save(c, rec, "withdraw_offer");
  c.events.Emit("fin.offer_withdrawn",
                Value::Map{{"id", S(rec, "id")}, {"part", part_id}, {"bank", bank}});
  return Status::Ok();
}

Status Accept(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"part"}));
  TM_ASSIGN_OR_RETURN(std::string part_id, StrArg(c.args, "part", kMaxFinPartIdLen));
  auto bank_key = RequireRole(c.view, c.ctx, {Role::kBank});
  if (!bank_key.ok()) {
    return Deny("bank", "only a BANK key accepts finance: " + bank_key.status().message());
  }
  const std::string id = ReceivableOfPart(part_id);
  TM_ASSIGN_OR_RETURN(std::optional<Value> loaded, LoadReceivable(c.view, id));
  const Value* offer = nullptr;
  if (loaded) {
    auto it = Parts(*loaded).find(part_id);
    if (it != Parts(*loaded).end()) offer = it->second.Find("offer");
  }
  if (offer == nullptr || S(*offer, "bank") != c.signer.org) {
    return Refuse("offer",
                  "no finance offer to org " + c.signer.org + " is pending on part " + part_id);
  }
  Value rec = std::move(*loaded);
  TM_RETURN_IF_ERROR(NeedState(rec, {kRcvConfirmed}));
  Value& part = Parts(rec).at(part_id);
  Value taken = *part.Find("offer");
  M(part).erase("offer");
  TM_RETURN_IF_ERROR(NeedFreeLeaf(part));  // invariant 2, re-checked where it is created
  M(part)
  ["encumbrance"] = Value::Map{{"kind", S(taken, "kind")},
                               {"financier", c.signer.org},
                               {"amount", I(taken, "amount")},
                               {"state", std::string(kEncActive)},
                               {"since_height", static_cast<int64_t>(c.ctx.height)},
                               {"since_time_ms", static_cast<int64_t>(c.ctx.block_time_ms)}};
  M(rec)["cancellable"] = false;
  AddParty(c, rec, c.signer.org);
  Save(c, rec, "accept_finance");
  c.events.Emit("fin.financed", Value::Map{{"id", S(rec, "id")},
                                           {"part", part_id},
                                           {"financier", c.signer.org},
                                           {"kind", S(taken, "kind")},
                                           {"amount", I(taken, "amount")}});
  return Status::Ok();
}

Status Release(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"part"}));
  TM_ASSIGN_OR_RETURN(std::string part_id, StrArg(c.args, "part", kMaxFinPartIdLen));
  const std::string id = ReceivableOfPart(part_id);
  TM_ASSIGN_OR_RETURN(std::optional<Value> loaded, LoadReceivable(c.view, id));
  const Value* enc = nullptr;
  if (loaded) {
    auto it = Parts(*loaded).find(part_id);
    if (it != Parts(*loaded).end()) enc = it->second.Find("encumbrance");
  }
  if (enc == nullptr || S(*enc, "financier") != c.signer.org) {
    return Deny("financier", "org " + c.signer.org + " is not the financier of part " + part_id);
  }
  if (S(*enc, "state") != kEncActive) {
    return Refuse("encumbered", "the encumbrance of " + c.signer.org + " on part " + part_id +
                                    " is " + S(*enc, "state") + ", not ACTIVE");
  }
  Value rec = std::move(*loaded);
  Value& e = M(Parts(rec).at(part_id))["encumbrance"];
  M(e)["state"] = std::string(kEncReleased);
  M(e)["closed_height"] = static_cast<int64_t>(c.ctx.height);
  Save(c, rec, "release");
  c.events.Emit("fin.released",
                Value::Map{{"id", S(rec, "id")}, {"part", part_id}, {"financier", c.signer.org}});
  return Status::Ok();
}

}  // namespace

Status Finance(Call& c, std::string_view method) {
  if (method == "offer_finance") return Offer(c);
  if (method == "withdraw_offer") return Withdraw(c);
  if (method == "accept_finance") return Accept(c);
  return Release(c);
}

}  // namespace tidemark::contracts::fin
