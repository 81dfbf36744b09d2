// plg_eq.cc — the equity family of the "plg" contract (docs/finance.md §14). Implemented so far:
// eq_holding (the registrar records a holding; USCC check per GB 32100-2015). The pledge methods
// (eq_apply … eq_withdraw) are still refused as unknown until they land.
#include <array>

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

// Σ amount of the live (REGISTERED or CHANGED) equity pledges of `org` over `uscc`.
int64_t PledgedOf(const Call& c, const std::string& org, const std::string& uscc) {
  int64_t sum = 0;
  c.view.Scan(std::string(keys::kEqPledgePrefix), [&](const std::string&, const Bytes& b) {
    auto v = Value::Decode(b);
    if (v.ok() && S(*v, "pledgor") == org && S(*v, "uscc") == uscc &&
        (S(*v, "state") == "REGISTERED" || S(*v, "state") == "CHANGED")) {
      sum += I(*v, "amount");
    }
    return true;
  });
  return sum;
}

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
  const int64_t pledged = PledgedOf(c, org, uscc);
  if (amount < pledged) {
    return Refuse("holding", "holding " + std::to_string(amount) + " of " + org + " in " + uscc +
                                 " is below the " + std::to_string(pledged) + " already pledged");
  }
  PutValue(c.view, keys::Holding(org, uscc),
           Value(Value::Map{{"org", org},
                            {"uscc", uscc},
                            {"company", company},
                            {"listed", listed->as_bool()},
                            {"amount", amount},
                            {"registrar", c.signer.org},
                            {"height", static_cast<int64_t>(c.ctx.height)}}));
  return Status::Ok();
}

}  // namespace

Status EqMethod(Call& c, std::string_view method) {
  if (method == "eq_holding") return Holding(c);
  return Bad("method", "no method " + std::string(method) + " in contract plg");
}

}  // namespace tidemark::contracts::plg
