// The equity family of the "plg" contract (docs/finance.md §14): holdings and the USCC check
// character (GB 32100-2015), pledges within the holding and the refused double, release and
// re-pledge, who may do what, refusals that change nothing.
#include <catch2/catch.hpp>
#include <functional>

#include "fin_util.h"
#include "tidemark/contracts/pledge.h"
#include "tidemark/state_keys/alerts.h"
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

TEST_CASE("eq_holding: each recording is a history entry of the holding eqh:<org>:<uscc>") {
  Chain c;
  FinConsortium(c);
  const std::string u = "91110000802100433B";
  const std::string id = HoldingId("supplier", u);
  CHECK(id == "eqh:supplier:91110000802100433B");
  Must(Plg(c, "regulator/admin", "eq_holding", HoldArgs(u)));
  Must(Plg(c, "regulator/admin", "eq_holding", HoldArgs(u, 5000)));
  // The record keeps its id and holder party; the counter follows the entries.
  auto rec = LoadPledgeRecord(c.state, id);
  REQUIRE(rec.ok());
  REQUIRE(rec->has_value());
  CHECK(Str(**rec, "id") == id);
  CHECK((*rec)->Find("amount")->as_int() == 5000);
  CHECK((*rec)->Find("next_hist")->as_int() == 3);
  CHECK((*rec)->Find("parties")->as_list() == Value::List{Value(std::string("supplier"))});
  CHECK(IsPlgParty(**rec, "supplier"));
  CHECK_FALSE(IsPlgParty(**rec, "regulator"));
  CHECK(PlgRecordsOfParty(c.state, "supplier") == std::vector<std::string>{id});
  CHECK(PlgRecordsOfParty(c.state, "regulator").empty());
  auto hist = LoadPlgHistory(c.state, id);
  REQUIRE(hist.ok());
  REQUIRE(hist->size() == 2);
  for (int64_t i = 0; i < 2; ++i) {
    const Value& e = (*hist)[static_cast<size_t>(i)];
    CHECK(e.Find("seq")->as_int() == i + 1);
    CHECK(Str(e, "action") == "eq_holding");
    CHECK(Str(e, "org") == "regulator");
    CHECK(e.Find("args")->Find("amount")->as_int() == (i == 0 ? 1000 : 5000));
  }
  // Each entry has its plg/hlog row (the regulator's export walks those).
  std::vector<int64_t> seqs;
  c.state.Scan(state_keys::alerts::HistLogPrefix("plg/"), [&](const std::string&, const Bytes& b) {
    auto row = Value::Decode(b);
    REQUIRE(row.ok());
    if (Str(*row, "id") == id) seqs.push_back(row->Find("seq")->as_int());
    return true;
  });
  CHECK(seqs == std::vector<int64_t>{1, 2});
  // Another holder's or company's holding is another record; malformed ids name none.
  Must(Plg(c, "regulator/admin", "eq_holding", HoldArgs("91440300708461136T")));
  auto h2 = LoadPlgHistory(c.state, HoldingId("supplier", "91440300708461136T"));
  REQUIRE(h2.ok());
  CHECK(h2->size() == 1);
  for (const char* bad : {"eqh:supplier", "eqh:supplier:", "eqh::91110000802100433B",
                          "eqh:supplier:91110000802100433B ", "eqh:supplier 91110000802100433B",
                          "eqh:bank1:91110000802100433B"}) {
    INFO(bad);
    auto none = LoadPledgeRecord(c.state, bad);
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
  }
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

const std::string kU = "91110000802100433B";

Value ApplyArgs(int64_t amount, const std::string& pledgee = "bank1") {
  return Value::Map{{"uscc", kU},
                    {"pledgee", pledgee},
                    {"amount", amount},
                    {"debt_amount", 5000000},
                    {"currency", "CNY"},
                    {"debt_due", "2027-12-31"},
                    {"contract_hash", Hex64('c')}};
}

Value P(const std::string& id) { return Value::Map{{"pledge", id}}; }

std::string Applied(Chain& c, int64_t amount) {
  Receipt r = Plg(c, "supplier/admin", "eq_apply", ApplyArgs(amount));
  Must(r);
  return PlgIdFor("eqp", r.tx_id);
}

Value Pledge(Chain& c, const std::string& id) {
  auto v = GetValue(c.state, state_keys::plg::EqPledge(id));
  REQUIRE(v.ok());
  REQUIRE(v->has_value());
  return **v;
}

std::string Enc(Chain& c) {
  auto v = GetValue(c.state, state_keys::plg::EncEquity("supplier", kU));
  REQUIRE(v.ok());
  return v->has_value() ? Str(**v, "state") : "free";
}

Value RegNo(const std::string& id, const std::string& no) {
  return Value::Map{{"pledge", id}, {"registration_no", no}};
}

TEST_CASE("eq pledge: registered within the holding; the double beyond it is refused") {
  Chain c;
  FinConsortium(c);
  Must(Plg(c, "regulator/admin", "eq_holding", HoldArgs(kU, 1000)));
  const std::string a = Applied(c, 600);
  CHECK(Str(Pledge(c, a), "state") == "APPLIED");
  Refused(
      c, [&] { return Plg(c, "regulator/admin", "eq_register", RegNo(a, "EQ-1")); },
      "FAILED_PRECONDITION", "plg-pledgee-accept");
  Must(Plg(c, "bank1/admin", "eq_accept", P(a)));
  Must(Plg(c, "regulator/admin", "eq_register", RegNo(a, "EQ-1")));
  CHECK(Str(Pledge(c, a), "state") == "REGISTERED");
  CHECK(Enc(c) == "pledged");
  auto g = GetValue(c.state, state_keys::plg::Gazette("EQ-1"));
  REQUIRE(g.ok());
  REQUIRE(g->has_value());
  CHECK(Str(**g, "kind") == "equity");
  CHECK(Str(**g, "uscc") == kU);
  CHECK((*g)->Find("amount") == nullptr);

  // The double: 600 more over a holding of 1000 with 600 pledged.
  const std::string b = Applied(c, 600);
  Must(Plg(c, "bank1/admin", "eq_accept", P(b)));
  Refused(
      c, [&] { return Plg(c, "regulator/admin", "eq_register", RegNo(b, "EQ-2")); },
      "FAILED_PRECONDITION", "plg-holding");
  Refused(
      c, [&] { return Plg(c, "regulator/admin", "eq_register", RegNo(b, "EQ-1")); },
      "FAILED_PRECONDITION", "plg-holding");
  // The holding may not drop below what is pledged.
  Refused(
      c, [&] { return Plg(c, "regulator/admin", "eq_holding", HoldArgs(kU, 599)); },
      "FAILED_PRECONDITION", "plg-holding");

  // Release, then the re-pledge registers; a third of 400 makes it fully pledged.
  Refused(
      c, [&] { return Plg(c, "supplier/admin", "eq_release", P(a)); }, "PERMISSION_DENIED",
      "plg-pledgee");
  Must(Plg(c, "bank1/admin", "eq_release", P(a)));
  CHECK(Str(Pledge(c, a), "state") == "RELEASED");
  CHECK(Enc(c) == "free");
  Must(Plg(c, "regulator/admin", "eq_register", RegNo(b, "EQ-2")));
  CHECK(Enc(c) == "pledged");
  const std::string d = Applied(c, 400);
  Must(Plg(c, "bank1/admin", "eq_accept", P(d)));
  Refused(
      c, [&] { return Plg(c, "regulator/admin", "eq_register", RegNo(d, "EQ-2")); },
      "FAILED_PRECONDITION", "plg-regno");
  Must(Plg(c, "regulator/admin", "eq_register", RegNo(d, "EQ-3")));
  CHECK(Enc(c) == "fully-pledged");
  // A change of amount re-checks the holding.
  Refused(
      c,
      [&] {
        return Plg(c, "regulator/admin", "eq_change",
                   Value::Map{{"pledge", d}, {"amount", 401}, {"application_hash", Hex64('d')}});
      },
      "FAILED_PRECONDITION", "plg-holding");
  Must(Plg(c, "regulator/admin", "eq_change",
           Value::Map{{"pledge", d}, {"amount", 300}, {"application_hash", Hex64('d')}}));
  CHECK(Str(Pledge(c, d), "state") == "CHANGED");
  CHECK(Enc(c) == "pledged");
  Must(Plg(c, "regulator/admin", "eq_enforce", P(d)));
  CHECK(Str(Pledge(c, d), "state") == "ENFORCED");
}

TEST_CASE("eq pledge: wrong parties and roles are refused and change nothing") {
  Chain c;
  FinConsortium(c);
  Must(Plg(c, "regulator/admin", "eq_holding", HoldArgs(kU, 1000)));
  Refused(
      c, [&] { return Plg(c, "platform/admin", "eq_apply", ApplyArgs(100)); },
      "FAILED_PRECONDITION", "plg-holding");
  Refused(
      c, [&] { return Plg(c, "supplier/admin", "eq_apply", ApplyArgs(100, "stranger")); },
      "FAILED_PRECONDITION", "plg-parties");
  Refused(
      c, [&] { return Plg(c, "supplier/admin", "eq_apply", With(ApplyArgs(100), "uscc", "X")); },
      "INVALID_ARGUMENT", "plg-args");
  const std::string a = Applied(c, 100);
  for (const char* who : {"bank2/admin", "supplier/admin", "regulator/admin"}) {
    INFO(who);
    Refused(
        c, [&] { return Plg(c, who, "eq_accept", P(a)); }, "PERMISSION_DENIED", "plg-pledgee");
  }
  Refused(
      c, [&] { return Plg(c, "bank1/admin", "eq_accept", P("eqp_unknown")); }, "PERMISSION_DENIED",
      "plg-pledgee");
  Must(Plg(c, "bank1/admin", "eq_accept", P(a)));
  Refused(
      c, [&] { return Plg(c, "bank1/admin", "eq_accept", P(a)); }, "FAILED_PRECONDITION",
      "plg-state");
  for (const char* who : {"bank1/admin", "supplier/admin"}) {
    INFO(who);
    Refused(
        c, [&] { return Plg(c, who, "eq_register", RegNo(a, "EQ-9")); }, "PERMISSION_DENIED",
        "plg-registrar");
    Refused(
        c, [&] { return Plg(c, who, "eq_enforce", P(a)); }, "PERMISSION_DENIED", "plg-registrar");
  }
  Refused(
      c, [&] { return Plg(c, "bank1/admin", "eq_withdraw", P(a)); }, "PERMISSION_DENIED",
      "plg-pledgor");
  Refused(
      c, [&] { return Plg(c, "bank1/admin", "eq_release", P(a)); }, "FAILED_PRECONDITION",
      "plg-state");
  Must(Plg(c, "supplier/admin", "eq_withdraw", P(a)));
  CHECK(Str(Pledge(c, a), "state") == "WITHDRAWN");
  Refused(
      c, [&] { return Plg(c, "regulator/admin", "eq_register", RegNo(a, "EQ-9")); },
      "FAILED_PRECONDITION", "plg-state");
  CHECK(Enc(c) == "free");
}

}  // namespace
}  // namespace tidemark::contracts
