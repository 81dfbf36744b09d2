// plg_eq.cc — the equity family of the "plg" contract (docs/finance.md §14): holdings recorded by
// the registrar (a REGULATOR key; USCC check per GB 32100-2015; each recording a history entry of
// the holding "eqh:<org>:<uscc>", the holder its party) and pledges over them
// (eq_apply → eq_accept → eq_register → eq_change / eq_release / eq_enforce; eq_withdraw), with
// the encumbrance standing plg/enc/eq/<org> <uscc> and the gazette entry.
#include <algorithm>
#include <array>
#include <cctype>

#include "plg_internal.h"

namespace tidemark::contracts::plg {
namespace {

// GB 32100-2015: 31 characters (no I, O, S, V, Z), 17 weights, check = 31 - Σ mod 31, 31 -> 0.
constexpr std::string_view kUsccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kUsccWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                              29, 25, 13, 8,  24, 10, 30, 28};

bool ValidUscc(std::string_view u) {
  if (u.size() != 18) return false;
  int sum = 0;
  for (size_t i = 0; i < 18; ++i) {
    const size_t v = kUsccChars.find(u[i]);
    if (v == std::string_view::npos) return false;
    if (i < 17) sum += static_cast<int>(v) * kUsccWeights[i];
  }
  return kUsccChars[(31 - sum % 31) % 31] == u[17];
}

Result<std::string> UsccArg(const Value& args) {
  TM_ASSIGN_OR_RETURN(std::string u, StrArg(args, "uscc", 18));
  if (!ValidUscc(u)) {
    return Bad("args", "uscc: " + u +
                           " is not a unified social credit code (18 characters of "
                           "0-9A-HJ-NP-RTUW-Y with the GB 32100-2015 check character)");
  }
  return u;
}

int64_t PledgedBut(const Call& c, const std::string& org, const std::string& uscc,
                   const std::string& except);
Status UpdateEnc(Call& c, const std::string& org, const std::string& uscc);

// eq_holding {org, uscc, company, listed, amount}: REGULATOR key only.
Status Holding(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"org", "uscc", "company", "listed", "amount"}));
  TM_ASSIGN_OR_RETURN(std::string org, StrArg(c.args, "org", 64));
  TM_ASSIGN_OR_RETURN(std::string uscc, UsccArg(c.args));
  TM_ASSIGN_OR_RETURN(std::string company, StrArg(c.args, "company", 256));
  const Value* listed = c.args.Find("listed");
  if (listed == nullptr || !listed->is_bool()) return Bad("args", "listed: must be a boolean");
  TM_ASSIGN_OR_RETURN(int64_t amount, AmountArg(c.args, "amount"));
  if (!c.signer.HasRole(Role::kRegulator)) {
    return Deny("registrar", "only a REGULATOR key records equity holdings");
  }
  TM_RETURN_IF_ERROR(ActiveOrg(c, org, "holder").status());
  const int64_t pledged = PledgedBut(c, org, uscc, "");
  if (amount < pledged) {
    return Refuse("holding", "holding " + std::to_string(amount) + " of " + org + " in " + uscc +
                                 " is below the " + std::to_string(pledged) + " already pledged");
  }
  // The record keeps its id, parties and history counter across re-recordings (§14 choices).
  TM_ASSIGN_OR_RETURN(std::optional<Value> old, GetValue(c.view, keys::Holding(org, uscc)));
  Value rec(Value::Map{{"id", HoldingId(org, uscc)},
                       {"org", org},
                       {"uscc", uscc},
                       {"company", company},
                       {"listed", listed->as_bool()},
                       {"amount", amount},
                       {"registrar", c.signer.org},
                       {"height", static_cast<int64_t>(c.ctx.height)},
                       {"parties", Value::List{}},
                       {"next_hist", old ? std::max<int64_t>(I(*old, "next_hist"), 1) : 1}});
  const Value* was = old ? old->Find("parties") : nullptr;
  if (was != nullptr && was->is_list()) rec.as_map()["parties"] = *was;
  AddParty(c, rec, org);
  Save(c, rec, keys::Holding(org, uscc), "eq_holding");
  return UpdateEnc(c, org, uscc);
}

bool Live(const Value& p) { return S(p, "state") == "REGISTERED" || S(p, "state") == "CHANGED"; }

Result<int64_t> HoldingOf(const Call& c, const std::string& org, const std::string& uscc) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> h, GetValue(c.view, keys::Holding(org, uscc)));
  return h ? I(*h, "amount") : int64_t{0};
}

// Σ live pledges of (org, uscc) but `except`, then plg/enc/eq/<org> <uscc> follows it.
int64_t PledgedBut(const Call& c, const std::string& org, const std::string& uscc,
                   const std::string& except) {
  int64_t sum = 0;
  c.view.Scan(std::string(keys::kEqPledgePrefix), [&](const std::string&, const Bytes& b) {
    auto v = Value::Decode(b);
    if (v.ok() && S(*v, "id") != except && S(*v, "pledgor") == org && S(*v, "uscc") == uscc &&
        Live(*v)) {
      sum += I(*v, "amount");
    }
    return true;
  });
  return sum;
}

Status UpdateEnc(Call& c, const std::string& org, const std::string& uscc) {
  const int64_t pledged = PledgedBut(c, org, uscc, "");
  TM_ASSIGN_OR_RETURN(int64_t holding, HoldingOf(c, org, uscc));
  if (pledged == 0) {
    c.view.Delete(keys::EncEquity(org, uscc));
  } else {
    PutValue(c.view, keys::EncEquity(org, uscc),
             Value(Value::Map{{"state", pledged >= holding ? "fully-pledged" : "pledged"}}));
  }
  return Status::Ok();
}

std::string OrgName(const Call& c, const std::string& org) {
  auto rec = LoadOrg(c.view, org);
  return rec.ok() && rec->has_value() ? (*rec)->name : org;
}

// Updates the gazette entry of a registered pledge with its new state and a change line.
void Gazette(Call& c, const Value& p, const std::string& what) {
  const std::string key = keys::Gazette(S(p, "registration_no"));
  auto g = GetValue(c.view, key);
  if (!g.ok() || !g->has_value()) return;
  Value entry = **g;
  entry.as_map()["state"] = S(p, "state");
  entry.as_map()["changes"].as_list().push_back(
      Value(Value::Map{{"on", BlockDay(c.ctx)}, {"what", what}}));
  PutValue(c.view, key, entry);
}

// eq_apply {uscc, pledgee, amount, debt_amount, currency, debt_due, contract_hash}: the pledgor.
Status Apply(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"uscc", "pledgee", "amount", "debt_amount", "currency",
                                         "debt_due", "contract_hash"}));
  TM_ASSIGN_OR_RETURN(std::string uscc, UsccArg(c.args));
  TM_ASSIGN_OR_RETURN(std::string pledgee, StrArg(c.args, "pledgee", 64));
  TM_ASSIGN_OR_RETURN(int64_t amount, AmountArg(c.args, "amount"));
  TM_ASSIGN_OR_RETURN(int64_t debt, AmountArg(c.args, "debt_amount"));
  TM_ASSIGN_OR_RETURN(std::string currency, StrArg(c.args, "currency", 3));
  if (currency.size() != 3 || !std::all_of(currency.begin(), currency.end(),
                                           [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
    return Bad("args", "currency: must be an ISO 4217 code");
  }
  TM_ASSIGN_OR_RETURN(std::string due, DateArg(c.args, "debt_due"));
  TM_ASSIGN_OR_RETURN(std::string contract, HashArg(c.args, "contract_hash"));
  const std::string& pledgor = c.signer.org;
  TM_ASSIGN_OR_RETURN(OrgRecord bank, ActiveOrg(c, pledgee, "pledgee"));
  if (!bank.HasRole(Role::kBank) || pledgee == pledgor) {
    return Refuse("parties", "pledgee " + pledgee + " must be a BANK other than the pledgor");
  }
  TM_ASSIGN_OR_RETURN(std::optional<Value> holding, GetValue(c.view, keys::Holding(pledgor, uscc)));
  if (!holding) return Refuse("holding", "no holding of " + pledgor + " in " + uscc + " recorded");
  const std::string id = PlgIdFor("eqp", c.ctx.tx_id);
  Value rec(Value::Map{{"id", id},
                       {"uscc", uscc},
                       {"company", S(*holding, "company")},
                       {"pledgor", pledgor},
                       {"pledgee", pledgee},
                       {"amount", amount},
                       {"debt_amount", debt},
                       {"currency", currency},
                       {"debt_due", due},
                       {"contract_hash", contract},
                       {"pledgee_accepted", false},
                       {"state", "APPLIED"},
                       {"parties", Value::List{}},
                       {"created_height", static_cast<int64_t>(c.ctx.height)},
                       {"next_hist", 1}});
  AddParty(c, rec, pledgor);
  AddParty(c, rec, pledgee);
  Save(c, rec, keys::EqPledge(id), "eq_apply");
  return Status::Ok();
}

// eq_accept {pledge}: a BANK key of the pledgee.
Status Accept(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"pledge"}));
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, "eqp_"));
  if (!p || S(*p, "pledgee") != c.signer.org || !c.signer.HasRole(Role::kBank)) {
    return Deny("pledgee", "only a BANK key of the pledgee accepts a pledge");
  }
  TM_RETURN_IF_ERROR(StateIs(*p, {"APPLIED"}));
  const Value* acc = p->Find("pledgee_accepted");
  if (acc != nullptr && acc->is_bool() && acc->as_bool()) {
    return Refuse("state", "pledge " + S(*p, "id") + " is already accepted");
  }
  p->as_map()["pledgee_accepted"] = true;
  Save(c, *p, keys::EqPledge(S(*p, "id")), "eq_accept");
  return Status::Ok();
}

Status Registrar(const Call& c) {
  if (!c.signer.HasRole(Role::kRegulator)) {
    return Deny("registrar", "only a REGULATOR key (the registrar) may do this");
  }
  return Status::Ok();
}

// eq_register {pledge, registration_no}: the registrar.
Status Register(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"pledge", "registration_no"}));
  TM_ASSIGN_OR_RETURN(std::string regno, StrArg(c.args, "registration_no", 64));
  for (char ch : regno) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') {
      return Bad("args", "registration_no: must be [A-Za-z0-9-]{1,64}");
    }
  }
  TM_RETURN_IF_ERROR(Registrar(c));
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, "eqp_"));
  if (!p) return Refuse("state", "no APPLIED equity pledge " + S(c.args, "pledge"));
  TM_RETURN_IF_ERROR(StateIs(*p, {"APPLIED"}));
  const Value* acc = p->Find("pledgee_accepted");
  if (acc == nullptr || !acc->is_bool() || !acc->as_bool()) {
    return Refuse("pledgee-accept", "the pledgee has not accepted pledge " + S(*p, "id"));
  }
  const std::string pledgor = S(*p, "pledgor"), uscc = S(*p, "uscc");
  TM_ASSIGN_OR_RETURN(int64_t holding, HoldingOf(c, pledgor, uscc));
  const int64_t pledged = PledgedBut(c, pledgor, uscc, "");
  if (pledged + I(*p, "amount") > holding) {
    return Refuse("holding", "pledging " + std::to_string(I(*p, "amount")) + " of " + uscc +
                                 " with " + std::to_string(pledged) + " already pledged exceeds " +
                                 pledgor + "'s holding of " + std::to_string(holding));
  }
  TM_ASSIGN_OR_RETURN(std::optional<Value> taken, GetValue(c.view, keys::Gazette(regno)));
  if (taken) return Refuse("regno", "registration number " + regno + " is taken");
  p->as_map()["state"] = "REGISTERED";
  p->as_map()["registration_no"] = regno;
  p->as_map()["registered_height"] = static_cast<int64_t>(c.ctx.height);
  p->as_map()["registered_index"] = static_cast<int64_t>(c.ctx.index);
  Save(c, *p, keys::EqPledge(S(*p, "id")), "eq_register");
  TM_RETURN_IF_ERROR(UpdateEnc(c, pledgor, uscc));
  PutValue(c.view, keys::Gazette(regno),
           Value(Value::Map{{"registration_no", regno},
                            {"kind", "equity"},
                            {"company", S(*p, "company")},
                            {"uscc", uscc},
                            {"pledgor", OrgName(c, pledgor)},
                            {"pledgee", OrgName(c, S(*p, "pledgee"))},
                            {"registered_on", BlockDay(c.ctx)},
                            {"state", "REGISTERED"},
                            {"changes", Value::List{}}}));
  return Status::Ok();
}

// eq_change {pledge, amount?, debt_amount?, debt_due?, application_hash}: the registrar.
Status Change(Call& c) {
  TM_RETURN_IF_ERROR(
      OnlyFields(c.args, {"pledge", "amount", "debt_amount", "debt_due", "application_hash"}));
  TM_RETURN_IF_ERROR(HashArg(c.args, "application_hash").status());
  std::optional<int64_t> amount, debt;
  std::optional<std::string> due;
  if (c.args.Find("amount") != nullptr) {
    TM_ASSIGN_OR_RETURN(amount, AmountArg(c.args, "amount"));
  }
  if (c.args.Find("debt_amount") != nullptr) {
    TM_ASSIGN_OR_RETURN(debt, AmountArg(c.args, "debt_amount"));
  }
  if (c.args.Find("debt_due") != nullptr) {
    TM_ASSIGN_OR_RETURN(due, DateArg(c.args, "debt_due"));
  }
  TM_RETURN_IF_ERROR(Registrar(c));
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, "eqp_"));
  if (!p) return Refuse("state", "no live equity pledge " + S(c.args, "pledge"));
  TM_RETURN_IF_ERROR(StateIs(*p, {"REGISTERED", "CHANGED"}));
  const std::string pledgor = S(*p, "pledgor"), uscc = S(*p, "uscc");
  if (amount) {
    TM_ASSIGN_OR_RETURN(int64_t holding, HoldingOf(c, pledgor, uscc));
    const int64_t others = PledgedBut(c, pledgor, uscc, S(*p, "id"));
    if (others + *amount > holding) {
      return Refuse("holding",
                    "a pledge of " + std::to_string(*amount) + " with " + std::to_string(others) +
                        " otherwise pledged exceeds the holding of " + std::to_string(holding));
    }
    p->as_map()["amount"] = *amount;
  }
  if (debt) p->as_map()["debt_amount"] = *debt;
  if (due) p->as_map()["debt_due"] = *due;
  p->as_map()["state"] = "CHANGED";
  Save(c, *p, keys::EqPledge(S(*p, "id")), "eq_change");
  TM_RETURN_IF_ERROR(UpdateEnc(c, pledgor, uscc));
  Gazette(c, *p, "changed");
  return Status::Ok();
}

// eq_release {pledge}: a key of the pledgee; eq_enforce {pledge}: the registrar.
Status End(Call& c, bool enforce) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"pledge"}));
  if (enforce) TM_RETURN_IF_ERROR(Registrar(c));
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, "eqp_"));
  if (!enforce && (!p || S(*p, "pledgee") != c.signer.org)) {
    return Deny("pledgee", "only the pledgee releases a pledge");
  }
  if (!p) return Refuse("state", "no live equity pledge " + S(c.args, "pledge"));
  TM_RETURN_IF_ERROR(StateIs(*p, {"REGISTERED", "CHANGED"}));
  p->as_map()["state"] = enforce ? "ENFORCED" : "RELEASED";
  Save(c, *p, keys::EqPledge(S(*p, "id")), enforce ? "eq_enforce" : "eq_release");
  TM_RETURN_IF_ERROR(UpdateEnc(c, S(*p, "pledgor"), S(*p, "uscc")));
  Gazette(c, *p, enforce ? "enforced" : "released");
  return Status::Ok();
}

}  // namespace

Status EqMethod(Call& c, std::string_view method) {
  if (method == "eq_holding") return Holding(c);
  if (method == "eq_apply") return Apply(c);
  if (method == "eq_accept") return Accept(c);
  if (method == "eq_register") return Register(c);
  if (method == "eq_change") return Change(c);
  if (method == "eq_release") return End(c, false);
  if (method == "eq_enforce") return End(c, true);
  if (method == "eq_withdraw") return WithdrawPledge(c, "eqp_", "eq_withdraw");
  return Bad("method", "no method " + std::string(method) + " in contract plg");
}

}  // namespace tidemark::contracts::plg
