// The receivable alerts of docs/finance.md §16, computed by the "fin" contract as state and
// events: circular-transfer and fan-out-new-parties (fin.transfer), repeated-registration (the
// audit of a refused fin.register). Each is raised by the story that should raise it, once per
// subject, with its orgs and detail; a clean receivable story raises none; refused txs change
// nothing but their audit.
#include <catch2/catch.hpp>
#include <functional>
#include <set>

#include "fin_util.h"
#include "tidemark/state_keys/alerts.h"

namespace tidemark::contracts {
namespace {

using namespace testing;
namespace al = state_keys::alerts;

void Must(const Receipt& r) {
  INFO(r.reason);
  REQUIRE(Ok(r));
}

Value Id(const std::string& id) { return Value::Map{{"id", id}}; }
Value Part(const std::string& part) { return Value::Map{{"part", part}}; }
Value SplitArgs(const std::string& part, Value::List amounts) {
  return Value::Map{{"part", part}, {"amounts", Value(std::move(amounts))}};
}
Value To(const std::string& part, const std::string& to) {
  return Value::Map{{"part", part}, {"to", to}};
}

std::string Confirmed(Chain& c, const std::string& invno = "INV-1", int64_t amount = 1000000) {
  Receipt r = Fin(c, "supplier/admin", "register", RegArgs({Inv(invno, amount)}));
  Must(r);
  const std::string id = IdOf(r);
  Must(Fin(c, "platform/admin", "confirm", Id(id)));
  return id;
}

// Every fin/ alert record, in key order.
std::vector<Value> Alerts(const Chain& c) {
  std::vector<Value> out;
  c.state.Scan(al::AlertPrefix("fin/"), [&](const std::string&, const Bytes& b) {
    auto v = Value::Decode(b);
    REQUIRE(v.ok());
    out.push_back(*v);
    return true;
  });
  return out;
}

std::vector<Value> AlertsOf(const Chain& c, const std::string& kind) {
  std::vector<Value> out;
  for (const Value& a : Alerts(c)) {
    if (Str(a, "kind") == kind) out.push_back(a);
  }
  return out;
}

// Every fin/alert/ and fin/alerted/ key.
size_t AlertKeys(const Chain& c) {
  size_t n = 0;
  for (const auto& [k, v] : c.state.entries()) {
    if (k.rfind("fin/alert/", 0) == 0 || k.rfind("fin/alerted/", 0) == 0) ++n;
  }
  return n;
}

std::vector<Value> AlertEvents(const Receipt& r) {
  std::vector<Value> out;
  for (const auto& e : r.events) {
    if (e.type != "fin.alert") continue;
    auto v = Value::Decode(e.data);
    REQUIRE(v.ok());
    out.push_back(*v);
  }
  return out;
}

Value Orgs(std::initializer_list<const char*> orgs) {
  Value::List out;
  for (const char* o : orgs) out.push_back(std::string(o));
  return Value(std::move(out));
}

const Value& Detail(const Value& alert) { return *alert.Find("detail"); }

// An org registered at the chain's current height (as a governance vote does), one admin key.
void NewOrg(Chain& c, const std::string& id) {
  OrgRecord o{.id = id,
              .name = id,
              .roles = {Role::kForwarder},
              .admin_keys = {KeyFor(id + "/admin").public_key()}};
  REQUIRE(RegisterOrg(c.state, o, c.height).ok());
}

TEST_CASE("fin alerts: circular-transfer A -> B -> A, once per part") {
  Chain c;
  FinConsortium(c);
  const std::string id = Confirmed(c);
  Must(Fin(c, "supplier/admin", "transfer", To(id, "trucker")));
  CHECK(Alerts(c).empty());
  Receipt back = Fin(c, "trucker/admin", "transfer", To(id, "supplier"));
  Must(back);
  auto alerts = AlertsOf(c, "circular-transfer");
  REQUIRE(alerts.size() == 1);
  const Value& a = alerts[0];
  CHECK(Str(a, "subject") == id);
  CHECK(*a.Find("orgs") == Orgs({"supplier", "trucker"}));
  CHECK(Str(Detail(a), "receivable") == id);
  CHECK(Str(Detail(a), "from") == "trucker");
  CHECK(Str(Detail(a), "to") == "supplier");
  CHECK(Str(Detail(a), "held") == id);
  CHECK(a.Find("height")->as_int() == static_cast<int64_t>(c.height));
  CHECK(Str(a, "tx") == back.tx_id.Hex());
  CHECK(c.state.Get(al::Alerted("fin/", "circular-transfer", id)).has_value());
  CHECK(c.state.Get(al::Alert("fin/", c.height, 0, 1)).has_value());  // after the hlog row (k 0)
  auto events = AlertEvents(back);
  REQUIRE(events.size() == 1);
  CHECK(events[0] == a);
  CHECK(back.events.front().type == "fin.transferred");
  // Round and round: the same part raises nothing more.
  Receipt again = Fin(c, "supplier/admin", "transfer", To(id, "trucker"));
  Must(again);
  Must(Fin(c, "trucker/admin", "transfer", To(id, "supplier")));
  CHECK(AlertEvents(again).empty());
  CHECK(Alerts(c).size() == 1);
  CHECK(AlertKeys(c) == 2);
}

TEST_CASE("fin alerts: circular-transfer through an ancestor, not through a sibling") {
  Chain c;
  FinConsortium(c);
  const std::string id = Confirmed(c);
  Must(Fin(c, "supplier/admin", "transfer", To(id, "trucker")));
  Must(Fin(c, "trucker/admin", "split", SplitArgs(id, {400000, 600000})));
  Must(Fin(c, "trucker/admin", "transfer", To(id + ".1", "stranger")));
  // stranger held the sibling .1, never .2 or the root: no alert.
  Must(Fin(c, "trucker/admin", "transfer", To(id + ".2", "stranger")));
  CHECK(Alerts(c).empty());
  // A -> B -> C -> A where A held only the root: .2 goes back to the creditor.
  Must(Fin(c, "stranger/admin", "transfer", To(id + ".2", "supplier")));
  auto alerts = AlertsOf(c, "circular-transfer");
  REQUIRE(alerts.size() == 1);
  CHECK(Str(alerts[0], "subject") == id + ".2");
  CHECK(*alerts[0].Find("orgs") == Orgs({"stranger", "supplier"}));
  CHECK(Str(Detail(alerts[0]), "held") == id);
  // trucker split the root it held: .1 back to trucker is circular too (its own subject).
  Must(Fin(c, "stranger/admin", "transfer", To(id + ".1", "trucker")));
  alerts = AlertsOf(c, "circular-transfer");
  REQUIRE(alerts.size() == 2);
  CHECK(Str(alerts[1], "subject") == id + ".1");
  CHECK(Str(Detail(alerts[1]), "held") == id);
}

TEST_CASE("fin alerts: a refused transfer raises nothing and changes nothing") {
  Chain c;
  FinConsortium(c);
  const std::string id = Confirmed(c);
  Must(Fin(c, "supplier/admin", "transfer", To(id, "trucker")));
  Must(Fin(c, "trucker/admin", "offer_finance",
           Value::Map{{"part", id}, {"bank", "bank1"}, {"kind", "pledge"}, {"amount", 1000}}));
  auto before = Snapshot(c);
  Receipt r = Fin(c, "trucker/admin", "transfer", To(id, "supplier"));
  CHECK(r.status == TxStatus::kRejected);
  CHECK(r.reason.rfind("FAILED_PRECONDITION: rule fin-encumbered: ", 0) == 0);
  CHECK(r.events.empty());
  CHECK(Snapshot(c) == before);
  CHECK(Alerts(c).empty());
}

TEST_CASE("fin alerts: repeated-registration on the 2nd refused attempt, through the audit") {
  Chain c;
  FinConsortium(c);
  Receipt reg = Fin(c, "supplier/admin", "register", RegArgs({Inv("INV-9", 1000)}));
  Must(reg);
  const std::string id = IdOf(reg);
  const std::string fp = HashesOf("supplier", "platform", "INV9", 1000).fingerprint.Hex();
  auto attempt = [&] {
    auto before = FinState(c);
    Receipt r = Fin(c, "supplier/admin", "register", RegArgs({Inv("INV-9", 1000)}));
    CHECK(r.status == TxStatus::kRejected);
    CHECK(r.reason.rfind("FAILED_PRECONDITION: rule fin-duplicate: ", 0) == 0);
    // Nothing but the audit: the attempt, and the alert with its mark.
    auto after = FinState(c);
    for (auto it = after.begin(); it != after.end();) {
      const bool audit = it->first == state_keys::fin::Attempt(fp, c.height, 0) ||
                         it->first.rfind("fin/alert/", 0) == 0 ||
                         it->first.rfind("fin/alerted/", 0) == 0;
      it = audit && before.count(it->first) == 0 ? after.erase(it) : std::next(it);
    }
    CHECK(after == before);
    return r;
  };
  // The first refused attempt is recorded, not alerted.
  Receipt first = attempt();
  CHECK(AlertEvents(first).empty());
  CHECK(Alerts(c).empty());
  // The second is alerted, in the receipt (rejected) and in state.
  Receipt second = attempt();
  REQUIRE(second.events.size() == 2);
  CHECK(second.events[0].type == "fin.duplicate_attempt");
  CHECK(second.events[1].type == "fin.alert");
  auto alerts = Alerts(c);
  REQUIRE(alerts.size() == 1);
  const Value& a = alerts[0];
  CHECK(Str(a, "kind") == "repeated-registration");
  CHECK(Str(a, "subject") == fp);
  CHECK(*a.Find("orgs") == Orgs({"supplier"}));
  CHECK(Str(a, "tx") == second.tx_id.Hex());
  CHECK(Str(Detail(a), "receivable") == id);
  CHECK(Str(Detail(a), "matched") == "fingerprint");
  CHECK(Detail(a).Find("attempts")->as_int() == 2);
  REQUIRE(Detail(a).Find("earlier")->as_list().size() == 1);
  CHECK(Str(Detail(a).Find("earlier")->as_list()[0], "tx") == first.tx_id.Hex());
  CHECK(AlertEvents(second)[0] == a);
  CHECK(c.state.Get(al::Alerted("fin/", "repeated-registration", fp)).has_value());
  CHECK(c.state.Get(al::Alert("fin/", c.height, 0, 0)).has_value());
  // The third is recorded, not alerted again.
  Receipt third = attempt();
  CHECK(AlertEvents(third).empty());
  CHECK(Alerts(c).size() == 1);
  CHECK(AlertKeys(c) == 2);
}

TEST_CASE("fin alerts: repeated-registration by two refused txs of one block") {
  // ApplyTransaction over one block view: the first tx's audit is seen by the second, as on
  // every node that executes the block.
  Chain c;
  FinConsortium(c);
  Must(Fin(c, "supplier/admin", "register", RegArgs({Inv("INV-9", 1000)})));
  KeyPair key = KeyFor("supplier/admin");
  OverlayStateView block(c.state);
  std::vector<Receipt> receipts;
  for (uint32_t i = 0; i < 2; ++i) {
    Transaction tx{.chain_id = "tidemark-test",
                   .nonce = NextNonce(block, key.public_key()),
                   .contract = "fin",
                   .method = "register",
                   .args = RegArgs({Inv("INV-9", 1000)}).Encode()};
    tx.SignWith(key);
    TxContext ctx{.chain_id = "tidemark-test",
                  .tx_id = tx.Id(),
                  .signer = tx.signer,
                  .height = 77,
                  .block_time_ms = 1800000000000,
                  .index = i};
    receipts.push_back(ApplyTransaction(BuiltinContracts(), block, tx, ctx));
  }
  CHECK(receipts[0].status == TxStatus::kRejected);
  CHECK(receipts[1].status == TxStatus::kRejected);
  CHECK(AlertEvents(receipts[0]).empty());
  REQUIRE(AlertEvents(receipts[1]).size() == 1);
  const std::string fp = HashesOf("supplier", "platform", "INV9", 1000).fingerprint.Hex();
  std::vector<std::string> changed;
  for (const auto& [k, v] : block.Changes()) changed.push_back(k);
  CHECK(changed == std::vector<std::string>{al::Alert("fin/", 77, 1, 0),
                                            al::Alerted("fin/", "repeated-registration", fp),
                                            state_keys::fin::Attempt(fp, 77, 0),
                                            state_keys::fin::Attempt(fp, 77, 1),
                                            NonceKey(key.public_key())});
}

TEST_CASE("fin alerts: repeated-registration keeps the audit within its write limit") {
  // 30 invoices re-registered: 30 attempt writes leave room for 17 alerts (2 writes each); the
  // other 13 are raised by the next attempt.
  Chain c;
  FinConsortium(c);
  Value::List invoices;
  for (int i = 0; i < 30; ++i) invoices.push_back(Inv("INV-" + std::to_string(i), 100 + i));
  Must(Fin(c, "supplier/admin", "register", RegArgs(invoices)));
  Receipt first = Fin(c, "supplier/admin", "register", RegArgs(invoices));
  CHECK(first.status == TxStatus::kRejected);
  CHECK(Alerts(c).empty());
  Receipt second = Fin(c, "supplier/admin", "register", RegArgs(invoices));
  CHECK(AlertEvents(second).size() == 17);
  CHECK(Alerts(c).size() == 17);
  Receipt third = Fin(c, "supplier/admin", "register", RegArgs(invoices));
  CHECK(AlertEvents(third).size() == 13);
  CHECK(Alerts(c).size() == 30);
  std::set<std::string> subjects;
  for (const Value& a : Alerts(c)) subjects.insert(Str(a, "subject"));
  CHECK(subjects.size() == 30);
  Receipt fourth = Fin(c, "supplier/admin", "register", RegArgs(invoices));
  CHECK(AlertEvents(fourth).empty());
  CHECK(fourth.events.size() == 30);  // the attempts are still recorded
}

TEST_CASE("fin alerts: fan-out-new-parties when a third new org holds a child of one split") {
  Chain c;
  FinConsortium(c);
  c.height = 500000;
  NewOrg(c, "new1");
  NewOrg(c, "new2");
  NewOrg(c, "new3");
  NewOrg(c, "new4");
  const std::string id = Confirmed(c);
  Must(Fin(c, "supplier/admin", "split", SplitArgs(id, {100, 200, 300, 400, 999000})));
  Must(Fin(c, "supplier/admin", "transfer", To(id + ".1", "new1")));
  Must(Fin(c, "supplier/admin", "transfer", To(id + ".2", "new1")));  // not distinct
  Must(Fin(c, "supplier/admin", "transfer", To(id + ".3", "new2")));
  Must(Fin(c, "supplier/admin", "transfer", To(id + ".4", "trucker")));  // genesis: never new
  CHECK(Alerts(c).empty());
  Receipt third = Fin(c, "supplier/admin", "transfer", To(id + ".5", "new3"));
  Must(third);
  auto alerts = AlertsOf(c, "fan-out-new-parties");
  REQUIRE(alerts.size() == 1);
  const Value& a = alerts[0];
  CHECK(Str(a, "subject") == id);
  CHECK(*a.Find("orgs") == Orgs({"new1", "new2", "new3", "supplier"}));
  CHECK(Str(Detail(a), "split") == id);
  CHECK(Str(Detail(a), "splitter") == "supplier");
  CHECK(Detail(a).Find("children")->as_int() == 5);
  CHECK(Detail(a).Find("window_blocks")->as_int() == 100000);
  const Value::List& fresh = Detail(a).Find("new_parties")->as_list();
  REQUIRE(fresh.size() == 3);
  CHECK(Str(fresh[0], "org") == "new1");
  CHECK(fresh[0].Find("enrolled_height")->as_int() == 500000);
  CHECK(AlertEvents(third).size() == 1);
  // Once per split: a fourth new holder raises nothing more.
  Receipt more = Fin(c, "new1/admin", "transfer", To(id + ".1", "new4"));
  Must(more);
  CHECK(AlertEvents(more).empty());
  CHECK(AlertsOf(c, "fan-out-new-parties").size() == 1);
}

TEST_CASE("fin alerts: fan-out-new-parties counts only orgs enrolled in the last 100,000 blocks") {
  Chain c;
  FinConsortium(c);
  c.height = 1000;
  NewOrg(c, "old1");  // enrolled at 1000
  c.height = 2000;
  NewOrg(c, "new1");  // at 2000
  NewOrg(c, "new2");
  const std::string id = Confirmed(c);
  Must(Fin(c, "supplier/admin", "split", SplitArgs(id, {100, 200, 999700})));
  Must(Fin(c, "supplier/admin", "transfer", To(id + ".1", "new1")));
  Must(Fin(c, "supplier/admin", "transfer", To(id + ".2", "new2")));
  SECTION("old1 enrolled 100,000 blocks before: no longer new") {
    c.height = 1000 + 100000 - 1;  // the transfer runs at 101000
    Must(Fin(c, "supplier/admin", "transfer", To(id + ".3", "old1")));
    CHECK(Alerts(c).empty());
  }
  SECTION("old1 enrolled 99,999 blocks before: new") {
    c.height = 1000 + 100000 - 2;  // the transfer runs at 100999
    Must(Fin(c, "supplier/admin", "transfer", To(id + ".3", "old1")));
    CHECK(AlertsOf(c, "fan-out-new-parties").size() == 1);
  }
}

TEST_CASE("fin alerts: a clean receivable story raises none") {
  // Register, confirm, finance, transfer once, split to old parties, settle.
  Chain c;
  FinConsortium(c);
  c.height = 500000;
  NewOrg(c, "new1");  // one new party among old ones is no fan-out
  const std::string id = Confirmed(c);
  Must(Fin(c, "supplier/admin", "split", SplitArgs(id, {1000, 2000, 3000, 4000, 990000})));
  Must(Fin(c, "supplier/admin", "transfer", To(id + ".1", "trucker")));
  Must(Fin(c, "supplier/admin", "transfer", To(id + ".2", "stranger")));
  Must(Fin(c, "supplier/admin", "transfer", To(id + ".3", "bank2")));
  Must(Fin(c, "supplier/admin", "transfer", To(id + ".4", "new1")));
  Must(
      Fin(c, "supplier/admin", "offer_finance",
          Value::Map{{"part", id + ".5"}, {"bank", "bank1"}, {"kind", "pledge"}, {"amount", 500}}));
  Must(Fin(c, "bank1/admin", "accept_finance", Part(id + ".5")));
  Must(Fin(c, "platform/admin", "settle", Id(id)));
  CHECK(Alerts(c).empty());
  CHECK(AlertKeys(c) == 0);
}

}  // namespace
}  // namespace tidemark::contracts
