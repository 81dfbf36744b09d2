// The equity family of the "plg" contract (docs/finance.md §14), so far eq_holding: the USCC
// check character (GB 32100-2015), the registrar's role, refusals that change nothing.
#include <catch2/catch.hpp>
#include <functional>

#include "fin_util.h"
#include "tidemark/state_keys/pledge.h"

namespace tidemark::contracts {
namespace {

using namespace testing;

void Must(const Receipt& r) {
  INFO(r.reason);
  REQUIRE(Ok(r));
}

void Refused(Chain& c, const std::function<Receipt()>& act, const std::string& code,
             const std::string& rule) {
  auto before = Snapshot(c);
  Receipt r = act();
  INFO(r.reason);
  CHECK(r.status == TxStatus::kRejected);
  CHECK(r.reason.rfind(code + ": rule " + rule + ": ", 0) == 0);
  CHECK(r.events.empty());
  CHECK(Snapshot(c) == before);
}

Value HoldArgs(const std::string& uscc, int64_t amount = 1000) {
  return Value::Map{{"org", "supplier"},
                    {"uscc", uscc},
                    {"company", "Example Co."},
                    {"listed", false},
                    {"amount", amount}};
}

Receipt Plg(Chain& c, const std::string& signer, const std::string& method, const Value& args) {
  return c.Call(signer, "plg", method, args);
}

TEST_CASE("eq_holding: the registrar records a holding under a valid USCC") {
  Chain c;
  FinConsortium(c);
  // Published codes: Bank of China, Tencent (Shenzhen); and codes whose check character was
  // computed independently (91110000100000000R: the check of 91110000100000000 is R).
  for (const char* u :
       {"91110000802100433B", "91440300708461136T", "91350100M000100Y43", "91110000100000000R"}) {
    INFO(u);
    Must(Plg(c, "regulator/admin", "eq_holding", HoldArgs(u)));
    auto h = GetValue(c.state, state_keys::plg::Holding("supplier", u));
    REQUIRE(h.ok());
    REQUIRE(h->has_value());
    CHECK((*h)->Find("amount")->as_int() == 1000);
    CHECK(Str(**h, "company") == "Example Co.");
  }
  // A later record replaces the amount.
  Must(Plg(c, "regulator/admin", "eq_holding", HoldArgs("91110000802100433B", 5000)));
  auto h = GetValue(c.state, state_keys::plg::Holding("supplier", "91110000802100433B"));
  REQUIRE(h.ok());
  CHECK((*h)->Find("amount")->as_int() == 5000);
}

TEST_CASE("eq_holding: a USCC with a wrong check character or alphabet is plg-args") {
  Chain c;
  FinConsortium(c);
  for (const char* u :
       {"91110000802100433A", "91440300708461136X", "911100001000000000", "91110000100000000I",
        "9111000010000000R", "91110000100000000RR", "91110000l00000000R"}) {
    INFO(u);
    Refused(
        c, [&] { return Plg(c, "regulator/admin", "eq_holding", HoldArgs(u)); }, "INVALID_ARGUMENT",
        "plg-args");
  }
}

TEST_CASE("eq_holding: only a REGULATOR key, of an active holder, with valid args") {
  Chain c;
  FinConsortium(c);
  const std::string u = "91110000802100433B";
  for (const char* who : {"supplier/admin", "bank1/admin", "platform/admin", "stranger/admin"}) {
    INFO(who);
    Refused(
        c, [&] { return Plg(c, who, "eq_holding", HoldArgs(u)); }, "PERMISSION_DENIED",
        "plg-registrar");
  }
  Refused(
      c,
      [&] { return Plg(c, "regulator/admin", "eq_holding", With(HoldArgs(u), "org", "nobody")); },
      "FAILED_PRECONDITION", "plg-parties");
  Refused(
      c, [&] { return Plg(c, "regulator/admin", "eq_holding", With(HoldArgs(u), "amount", 0)); },
      "INVALID_ARGUMENT", "plg-args");
  Refused(
      c, [&] { return Plg(c, "regulator/admin", "eq_holding", With(HoldArgs(u), "listed", "no")); },
      "INVALID_ARGUMENT", "plg-args");
  Refused(
      c, [&] { return Plg(c, "regulator/admin", "eq_holding", With(HoldArgs(u), "x", 1)); },
      "INVALID_ARGUMENT", "plg-args");
  Refused(
      c, [&] { return Plg(c, "regulator/admin", "eq_holding", Without(HoldArgs(u), "company")); },
      "INVALID_ARGUMENT", "plg-args");
}

TEST_CASE("eq: the pledge methods are not there yet") {
  Chain c;
  FinConsortium(c);
  Refused(
      c, [&] { return Plg(c, "supplier/admin", "eq_apply", Value::Map{}); }, "INVALID_ARGUMENT",
      "plg-method");
}

}  // namespace
}  // namespace tidemark::contracts
