// The "fin" contract (docs/finance.md §7): every method's success, every refusal rule with the
// state unchanged, who may do what to whose receivable, duplicate registration and its audit
// record, delivery evidence, settlement payees, and bad arguments.
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

// The act is refused with `code` ("FAILED_PRECONDITION", ...) naming `rule`, and no state but
// the signer's nonce changed.
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

// A registered receivable of 1,000,000 from supplier to platform.
std::string Registered(Chain& c, const std::string& invno = "INV-1", int64_t amount = 1000000,
                       Value extra = Value::Map{}) {
  Value args = RegArgs({Inv(invno, amount)});
  for (const auto& [k, v] : extra.as_map()) args.as_map()[k] = v;
  Receipt r = Fin(c, "supplier/admin", "register", args);
  Must(r);
  return IdOf(r);
}

std::string Confirmed(Chain& c, const std::string& invno = "INV-1", int64_t amount = 1000000) {
  std::string id = Registered(c, invno, amount);
  Must(Fin(c, "platform/admin", "confirm", Value::Map{{"id", id}}));
  return id;
}

TEST_CASE("fin: register writes the record, fingerprints, parties and history") {
  Chain c;
  FinConsortium(c);
  Receipt r =
      Fin(c, "supplier/admin", "register", RegArgs({Inv("inv-1/a", 600000), Inv("INV-2", 400)}));
  Must(r);
  const std::string id = IdOf(r);
  CHECK(id.size() == 24);
  Value rec = Record(c, id);
  CHECK(Str(rec, "state") == "REGISTERED");
  CHECK(Str(rec, "creditor") == "supplier");
  CHECK(Str(rec, "debtor") == "platform");
  CHECK(rec.Find("amount")->as_int() == 600400);
  CHECK(*rec.Find("parties") == Value(Value::List{"platform", "supplier"}));
  CHECK(PartOf(c, id).Find("amount")->as_int() == 600400);
  CHECK(Str(PartOf(c, id), "holder") == "supplier");
  auto h = HashesOf("supplier", "platform", "INV1A", 600000);
  CHECK(*FinStateOfFingerprint(c.state, h.fingerprint.Hex()) == "registered");
  CHECK(*FinStateOfInvoiceKey(c.state, h.invoice_key.Hex()) == "registered");
  CHECK(**ReceivableOfFingerprint(c.state, h.fingerprint.Hex()) == id);
  CHECK(*FinStateOfFingerprint(c.state, Hex64('0')) == "free");
  CHECK(c.state.Get(state_keys::fin::Party("supplier", id)).has_value());
  CHECK(c.state.Get(state_keys::fin::Party("platform", id)).has_value());
  auto hist = LoadFinHistory(c.state, id);
  REQUIRE(hist.ok());
  REQUIRE(hist->size() == 1);
  CHECK(Str((*hist)[0], "action") == "register");
  CHECK(Str((*hist)[0], "org") == "supplier");
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].type == "fin.registered");
}

TEST_CASE("fin: confirm by the debtor; delivery evidence when required") {
  Chain c;
  FinConsortium(c);
  SECTION("without delivery evidence required") {
    std::string id = Registered(c);
    Refused(
        c,
        [&] {
          return Fin(c, "supplier/admin", "confirm", Value::Map{{"id", id}});
        },
        "PERMISSION_DENIED", "fin-debtor");
    Refused(
        c,
        [&] {
          return Fin(c, "stranger/admin", "confirm", Value::Map{{"id", id}});
        },
        "PERMISSION_DENIED", "fin-debtor");
    Must(Fin(c, "platform/admin", "confirm", Value::Map{{"id", id}}));
    CHECK(Str(Record(c, id), "state") == "CONFIRMED");
    Refused(
        c,
        [&] {
          return Fin(c, "platform/admin", "confirm", Value::Map{{"id", id}});
        },
        "FAILED_PRECONDITION", "fin-state");
  }
  SECTION("refused before the debtor's receiving event, accepted after") {
    Value refs = Value::List{Value::Map{{"type", "po"}, {"id", "urn:po:PO-77"}}};
    std::string id =
        Registered(c, "INV-1", 1000000, Value::Map{{"refs", refs}, {"require_delivery", true}});
    Refused(
        c,
        [&] {
          return Fin(c, "platform/admin", "confirm", Value::Map{{"id", id}});
        },
        "FAILED_PRECONDITION", "fin-delivery");
    // A receiving event captured by another org does not count, nor a shipping event by the
    // debtor, nor a receiving event of the debtor naming another PO.
    Must(Receive(c, "stranger/admin", "urn:po:PO-77"));
    Must(Receive(c, "platform/admin", "urn:po:PO-77", "shipping"));
    Must(Receive(c, "platform/admin", "urn:po:PO-78"));
    Refused(
        c,
        [&] {
          return Fin(c, "platform/admin", "confirm", Value::Map{{"id", id}});
        },
        "FAILED_PRECONDITION", "fin-delivery");
    // The full CBV URI of the step counts as well as the bare term.
    Must(Receive(c, "platform/admin", " urn:po:PO-77 ", "urn:epcglobal:cbv:bizstep:receiving"));
    Must(Fin(c, "platform/admin", "confirm", Value::Map{{"id", id}}));
    Value rec = Record(c, id);
    CHECK(Str(rec, "state") == "CONFIRMED");
    CHECK(Str(*rec.Find("delivery"), "ref") == "urn:po:PO-77");
  }
  SECTION("an event its recorder declared erroneous is no evidence") {
    Value refs = Value::List{Value::Map{{"type", "po"}, {"id", "PO-9"}}};
    std::string id =
        Registered(c, "INV-1", 1000000, Value::Map{{"refs", refs}, {"require_delivery", true}});
    auto ev = Ev("ObjectEvent", "OBSERVE", "receiving", {"urn:epc:id:sgtin:0614141.107346.2018"});
    ev["bizTransactionList"] = {{{"type", "po"}, {"bizTransaction", "PO-9"}}};
    ev["eventID"] = "urn:uuid:22222222-2222-2222-2222-222222222222";
    Must(Capture(c, "platform/admin", {ev}));
    auto decl = ev;
    decl["errorDeclaration"] = {{"declarationTime", "2024-03-02T00:00:00Z"},
                                {"reason", "incorrect_data"}};
    Must(Capture(c, "platform/admin", {decl}));
    Refused(
        c,
        [&] {
          return Fin(c, "platform/admin", "confirm", Value::Map{{"id", id}});
        },
        "FAILED_PRECONDITION", "fin-delivery");
  }
  SECTION("accepting counts too") {
    Value refs = Value::List{Value::Map{{"type", "desadv"}, {"id", "DESADV-1"}}};
    std::string id =
        Registered(c, "INV-1", 1000000, Value::Map{{"refs", refs}, {"require_delivery", true}});
    Must(Receive(c, "platform/admin", "DESADV-1", "accepting"));
    Must(Fin(c, "platform/admin", "confirm", Value::Map{{"id", id}}));
  }
}

Value Id(const std::string& id) { return Value::Map{{"id", id}}; }
Value Part(const std::string& part) { return Value::Map{{"part", part}}; }
Value Reason(const std::string& id) { return Value::Map{{"id", id}, {"reason_hash", Hex64('d')}}; }
Value SplitArgs(const std::string& part, Value::List amounts) {
  return Value::Map{{"part", part}, {"amounts", Value(std::move(amounts))}};
}
Value Offer(const std::string& part, const std::string& bank, const std::string& kind,
            int64_t amount) {
  return Value::Map{{"part", part}, {"bank", bank}, {"kind", kind}, {"amount", amount}};
}
Value To(const std::string& part, const std::string& to) {
  return Value::Map{{"part", part}, {"to", to}};
}

TEST_CASE("fin: dispute, resolve, reject and their callers") {
  Chain c;
  FinConsortium(c);
  std::string id = Registered(c);
  const std::string PD = "PERMISSION_DENIED", FP = "FAILED_PRECONDITION";
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "dispute", Reason(id)); }, PD, "fin-debtor");
  Refused(
      c, [&] { return Fin(c, "stranger/admin", "dispute", Reason(id)); }, PD, "fin-debtor");
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "resolve", Id(id)); }, FP, "fin-state");
  Must(Fin(c, "platform/admin", "dispute", Reason(id)));
  CHECK(Str(Record(c, id), "state") == "DISPUTED");
  Refused(
      c, [&] { return Fin(c, "platform/admin", "confirm", Id(id)); }, FP, "fin-state");
  Refused(
      c, [&] { return Fin(c, "platform/admin", "resolve", Id(id)); }, PD, "fin-creditor");
  Refused(
      c, [&] { return Fin(c, "stranger/admin", "resolve", Id(id)); }, PD, "fin-creditor");
  Must(Fin(c, "supplier/admin", "resolve", Id(id)));
  CHECK(Str(Record(c, id), "state") == "REGISTERED");
  Must(Fin(c, "platform/admin", "dispute", Reason(id)));
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "reject", Reason(id)); }, PD, "fin-debtor");
  Must(Fin(c, "platform/admin", "reject", Reason(id)));
  Value rec = Record(c, id);
  CHECK(Str(rec, "state") == "REJECTED");
  CHECK(Str(PartOf(c, id), "state") == "CANCELLED");
  auto h = HashesOf("supplier", "platform", "INV1", 1000000);
  CHECK(*FinStateOfFingerprint(c.state, h.fingerprint.Hex()) == "closed");
  CHECK(*FinStateOfInvoiceKey(c.state, h.invoice_key.Hex()) == "closed");
  Refused(
      c, [&] { return Fin(c, "platform/admin", "reject", Reason(id)); }, FP, "fin-state");
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "cancel", Id(id)); }, FP, "fin-state");
  // A confirmed receivable can no longer be rejected or disputed: the undertaking is irrevocable.
  std::string id2 = Confirmed(c, "INV-2");
  Refused(
      c, [&] { return Fin(c, "platform/admin", "reject", Reason(id2)); }, FP, "fin-state");
  Refused(
      c, [&] { return Fin(c, "platform/admin", "dispute", Reason(id2)); }, FP, "fin-state");
  auto hist = LoadFinHistory(c.state, id);
  REQUIRE(hist.ok());
  std::vector<std::string> actions;
  for (const auto& e : *hist) actions.push_back(Str(e, "action"));
  CHECK(actions == std::vector<std::string>{"register", "dispute", "resolve", "dispute", "reject"});
}

TEST_CASE("fin: cancel only by the creditor and only before any split, transfer or finance") {
  Chain c;
  FinConsortium(c);
  const std::string PD = "PERMISSION_DENIED", FP = "FAILED_PRECONDITION";
  std::string a = Registered(c, "INV-A");
  Refused(
      c, [&] { return Fin(c, "platform/admin", "cancel", Id(a)); }, PD, "fin-creditor");
  Refused(
      c, [&] { return Fin(c, "stranger/admin", "cancel", Id(a)); }, PD, "fin-creditor");
  Must(Fin(c, "supplier/admin", "cancel", Id(a)));
  CHECK(Str(Record(c, a), "state") == "CANCELLED");
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "cancel", Id(a)); }, FP, "fin-state");
  std::string b = Confirmed(c, "INV-B");
  Must(Fin(c, "supplier/admin", "cancel", Id(b)));  // confirmed but untouched: still possible
  std::string t = Confirmed(c, "INV-T");
  Must(Fin(c, "supplier/admin", "transfer", To(t, "trucker")));
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "cancel", Id(t)); }, FP, "fin-cancel");
  std::string s = Confirmed(c, "INV-S");
  Must(Fin(c, "supplier/admin", "split", SplitArgs(s, {400000, 600000})));
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "cancel", Id(s)); }, FP, "fin-cancel");
  std::string f = Confirmed(c, "INV-F");
  Must(Fin(c, "supplier/admin", "offer_finance", Offer(f, "bank1", "pledge", 1000)));
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "cancel", Id(f)); }, FP, "fin-cancel");
  Must(Fin(c, "bank1/admin", "accept_finance", Part(f)));
  Must(Fin(c, "bank1/admin", "release", Part(f)));
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "cancel", Id(f)); }, FP, "fin-cancel");
}

TEST_CASE("fin: split by the holder of a confirmed, free leaf; parts add up") {
  Chain c;
  FinConsortium(c);
  const std::string PD = "PERMISSION_DENIED", FP = "FAILED_PRECONDITION", IA = "INVALID_ARGUMENT";
  std::string reg = Registered(c, "INV-R");
  Refused(
      c,
      [&] {
        return Fin(c, "supplier/admin", "split", SplitArgs(reg, {1, 999999}));
      },
      FP, "fin-state");
  std::string id = Confirmed(c);
  Refused(
      c,
      [&] {
        return Fin(c, "stranger/admin", "split", SplitArgs(id, {1, 999999}));
      },
      PD, "fin-holder");
  Refused(
      c,
      [&] {
        return Fin(c, "platform/admin", "split", SplitArgs(id, {1, 999999}));
      },
      PD, "fin-holder");
  Refused(
      c,
      [&] {
        return Fin(c, "supplier/admin", "split", SplitArgs(id + ".9", {1, 2}));
      },
      PD, "fin-holder");
  Refused(
      c,
      [&] {
        return Fin(c, "supplier/admin", "split", SplitArgs(id, {1, 999998}));
      },
      IA, "fin-amounts");
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "split", SplitArgs(id, {1000000})); }, IA,
      "fin-amounts");
  Refused(
      c,
      [&] {
        return Fin(c, "supplier/admin", "split", SplitArgs(id, {0, 1000000}));
      },
      IA, "fin-amounts");
  Refused(
      c,
      [&] {
        return Fin(c, "supplier/admin", "split", SplitArgs(id, {-1, 1000001}));
      },
      IA, "fin-amounts");
  Refused(
      c,
      [&] {
        return Fin(c, "supplier/admin", "split", SplitArgs(id, {"1", 999999}));
      },
      IA, "fin-amounts");
  Value::List seventeen(17, Value(1));
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "split", SplitArgs(id, seventeen)); }, IA,
      "fin-amounts");
  Must(Fin(c, "supplier/admin", "split", SplitArgs(id, {300000, 700000})));
  Value root = PartOf(c, id);
  CHECK(Str(root, "state") == "SPLIT");
  CHECK(*root.Find("children") == Value(Value::List{id + ".1", id + ".2"}));
  CHECK(PartOf(c, id + ".1").Find("amount")->as_int() == 300000);
  CHECK(Str(PartOf(c, id + ".2"), "parent") == id);
  CHECK(Str(PartOf(c, id + ".2"), "holder") == "supplier");
  Refused(
      c,
      [&] {
        return Fin(c, "supplier/admin", "split", SplitArgs(id, {500000, 500000}));
      },
      FP, "fin-leaf");
  // A financed part cannot be split (nor while an offer is pending).
  Must(Fin(c, "supplier/admin", "offer_finance", Offer(id + ".1", "bank1", "pledge", 100)));
  Refused(
      c,
      [&] {
        return Fin(c, "supplier/admin", "split", SplitArgs(id + ".1", {1, 299999}));
      },
      FP, "fin-encumbered");
  Must(Fin(c, "bank1/admin", "accept_finance", Part(id + ".1")));
  Refused(
      c,
      [&] {
        return Fin(c, "supplier/admin", "split", SplitArgs(id + ".1", {1, 299999}));
      },
      FP, "fin-encumbered");
  // A lower tier splits what it was given.
  Must(Fin(c, "supplier/admin", "transfer", To(id + ".2", "trucker")));
  Must(Fin(c, "trucker/admin", "split", SplitArgs(id + ".2", {1, 699999})));
  CHECK(Str(PartOf(c, id + ".2.2"), "holder") == "trucker");
}

TEST_CASE("fin: at most 256 parts per receivable") {
  Chain c;
  FinConsortium(c);
  std::string id = Confirmed(c, "INV-1", 256000000);
  Must(Fin(c, "supplier/admin", "split", SplitArgs(id, Value::List(16, Value(16000000)))));
  for (int k = 1; k <= 14; ++k) {
    Must(Fin(c, "supplier/admin", "split",
             SplitArgs(id + "." + std::to_string(k), Value::List(16, Value(1000000)))));
  }
  CHECK(Record(c, id).Find("parts")->as_map().size() == 241);
  Refused(
      c,
      [&] {
        return Fin(c, "supplier/admin", "split",
                   SplitArgs(id + ".15", Value::List(16, Value(1000000))));
      },
      "FAILED_PRECONDITION", "fin-parts-limit");
  Must(Fin(c, "supplier/admin", "split", SplitArgs(id + ".15", {1000000, 15000000})));
  CHECK(Record(c, id).Find("parts")->as_map().size() == 243);
  // The largest receivable still settles: the record stays far below a state value's limit and
  // the settlement event below an event's.
  Must(Fin(c, "platform/admin", "settle", Id(id)));
  CHECK(Record(c, id).Encode().size() < 256 * 1024);
  CHECK(Record(c, id).Find("settled")->Find("payees")->as_list().size() == 227);
}

TEST_CASE("fin: part ids stay short however deep the splits go") {
  Chain c;
  FinConsortium(c);
  std::string part = Confirmed(c, "INV-1", 1000);
  int64_t amount = 1000;
  for (;;) {
    Receipt r = Fin(c, "supplier/admin", "split", SplitArgs(part, {amount - 1, 1}));
    if (!Ok(r)) {
      INFO(r.reason);
      CHECK(r.reason.rfind("FAILED_PRECONDITION: rule fin-parts-limit: ", 0) == 0);
      break;
    }
    part += ".1";
    --amount;
    REQUIRE(part.size() <= kMaxFinPartIdLen);
  }
  CHECK(part.size() + 2 > kMaxFinPartIdLen);
  // The deepest part is still addressable.
  Must(Fin(c, "supplier/admin", "transfer", To(part, "trucker")));
}

TEST_CASE("fin: transfer by the holder; the new holder becomes a party") {
  Chain c;
  FinConsortium(c);
  const std::string PD = "PERMISSION_DENIED", FP = "FAILED_PRECONDITION", IA = "INVALID_ARGUMENT";
  std::string id = Confirmed(c);
  Refused(
      c, [&] { return Fin(c, "stranger/admin", "transfer", To(id, "stranger")); }, PD,
      "fin-holder");
  Refused(
      c, [&] { return Fin(c, "platform/admin", "transfer", To(id, "trucker")); }, PD, "fin-holder");
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "transfer", To(id, "supplier")); }, FP,
      "fin-parties");
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "transfer", To(id, "nobody")); }, FP, "fin-parties");
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "transfer", To(id, "Bad Org")); }, IA, "fin-args");
  Must(Fin(c, "supplier/admin", "transfer", To(id, "trucker")));
  CHECK(Str(PartOf(c, id), "holder") == "trucker");
  CHECK(IsFinParty(Record(c, id), "trucker"));
  CHECK(c.state.Get(state_keys::fin::Party("trucker", id)).has_value());
  // The former holder has no say any more.
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "transfer", To(id, "platform")); }, PD,
      "fin-holder");
  // An encumbered part does not move.
  Must(Fin(c, "trucker/admin", "offer_finance", Offer(id, "bank1", "factoring_recourse", 1000000)));
  Refused(
      c, [&] { return Fin(c, "trucker/admin", "transfer", To(id, "supplier")); }, FP,
      "fin-encumbered");
  Must(Fin(c, "bank1/admin", "accept_finance", Part(id)));
  Refused(
      c, [&] { return Fin(c, "trucker/admin", "transfer", To(id, "supplier")); }, FP,
      "fin-encumbered");
  Must(Fin(c, "bank1/admin", "release", Part(id)));
  Must(Fin(c, "trucker/admin", "transfer", To(id, "supplier")));
}

TEST_CASE("fin: one bank finances a part; a second bank is refused; release") {
  Chain c;
  FinConsortium(c);
  const std::string PD = "PERMISSION_DENIED", FP = "FAILED_PRECONDITION", IA = "INVALID_ARGUMENT";
  std::string reg = Registered(c, "INV-R");
  Refused(
      c,
      [&] { return Fin(c, "supplier/admin", "offer_finance", Offer(reg, "bank1", "pledge", 1)); },
      FP, "fin-state");
  std::string id = Confirmed(c);
  Refused(
      c, [&] { return Fin(c, "stranger/admin", "offer_finance", Offer(id, "bank1", "pledge", 1)); },
      PD, "fin-holder");
  Refused(
      c,
      [&] { return Fin(c, "supplier/admin", "offer_finance", Offer(id, "stranger", "pledge", 1)); },
      FP, "fin-bank");
  Refused(
      c,
      [&] { return Fin(c, "supplier/admin", "offer_finance", Offer(id, "nobody", "pledge", 1)); },
      FP, "fin-bank");
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "offer_finance", Offer(id, "bank1", "loan", 1)); },
      IA, "fin-args");
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "offer_finance", Offer(id, "bank1", "pledge", 0)); },
      IA, "fin-args");
  Refused(
      c,
      [&] {
        return Fin(c, "supplier/admin", "offer_finance", Offer(id, "bank1", "pledge", 1000001));
      },
      IA, "fin-amounts");
  Refused(
      c, [&] { return Fin(c, "bank1/admin", "accept_finance", Part(id)); }, FP, "fin-offer");
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "withdraw_offer", Part(id)); }, FP, "fin-offer");
  Must(Fin(c, "supplier/admin", "offer_finance", Offer(id, "bank1", "pledge", 800000)));
  CHECK(IsFinParty(Record(c, id), "bank1"));  // it reads what it is asked to finance
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "offer_finance", Offer(id, "bank2", "pledge", 1)); },
      FP, "fin-encumbered");
  Refused(
      c, [&] { return Fin(c, "stranger/admin", "withdraw_offer", Part(id)); }, PD, "fin-holder");
  // Only a BANK key of the offered bank accepts.
  Refused(
      c, [&] { return Fin(c, "stranger/admin", "accept_finance", Part(id)); }, PD, "fin-bank");
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "accept_finance", Part(id)); }, PD, "fin-bank");
  Must(c.Call(
      "bank1/admin", "identity", "enrol_key",
      Value::Map{{"key", KeyFor("bank1/clerk").public_key().Hex()}, {"roles", Value::List{}}}));
  Refused(
      c, [&] { return Fin(c, "bank1/clerk", "accept_finance", Part(id)); }, PD, "fin-bank");
  Refused(
      c, [&] { return Fin(c, "bank2/admin", "accept_finance", Part(id)); }, FP, "fin-offer");
  Receipt ok = Fin(c, "bank1/admin", "accept_finance", Part(id));
  Must(ok);
  Value part = PartOf(c, id);
  REQUIRE(part.Find("encumbrance") != nullptr);
  CHECK(Str(*part.Find("encumbrance"), "financier") == "bank1");
  CHECK(Str(*part.Find("encumbrance"), "state") == "ACTIVE");
  CHECK(part.Find("offer") == nullptr);
  auto h = HashesOf("supplier", "platform", "INV1", 1000000);
  CHECK(*FinStateOfFingerprint(c.state, h.fingerprint.Hex()) == "encumbered");
  CHECK(*FinStateOfInvoiceKey(c.state, h.invoice_key.Hex()) == "encumbered");
  // The second bank: no offer can be made to it, and it cannot accept without one.
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "offer_finance", Offer(id, "bank2", "pledge", 1)); },
      FP, "fin-encumbered");
  Refused(
      c, [&] { return Fin(c, "bank2/admin", "accept_finance", Part(id)); }, FP, "fin-offer");
  Refused(
      c, [&] { return Fin(c, "bank1/admin", "accept_finance", Part(id)); }, FP, "fin-offer");
  // Only the financier releases.
  Refused(
      c, [&] { return Fin(c, "bank2/admin", "release", Part(id)); }, PD, "fin-financier");
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "release", Part(id)); }, PD, "fin-financier");
  Refused(
      c, [&] { return Fin(c, "platform/admin", "release", Part(id)); }, PD, "fin-financier");
  Must(Fin(c, "bank1/admin", "release", Part(id)));
  CHECK(Str(*PartOf(c, id).Find("encumbrance"), "state") == "RELEASED");
  CHECK(*FinStateOfFingerprint(c.state, h.fingerprint.Hex()) == "registered");
  Refused(
      c, [&] { return Fin(c, "bank1/admin", "release", Part(id)); }, FP, "fin-encumbered");
  // Released: the second bank may now finance it; the holder may withdraw an offer.
  Must(Fin(c, "supplier/admin", "offer_finance", Offer(id, "bank2", "factoring_nonrecourse", 5)));
  Must(Fin(c, "supplier/admin", "withdraw_offer", Part(id)));
  CHECK(PartOf(c, id).Find("offer") == nullptr);
  Refused(
      c, [&] { return Fin(c, "bank2/admin", "accept_finance", Part(id)); }, FP, "fin-offer");
  Must(Fin(c, "supplier/admin", "offer_finance", Offer(id, "bank2", "factoring_nonrecourse", 5)));
  Must(Fin(c, "bank2/admin", "accept_finance", Part(id)));
  CHECK(IsFinParty(Record(c, id), "bank2"));
}

TEST_CASE("fin: settlement pays holders, pledgees and factors exactly the amount") {
  Chain c;
  FinConsortium(c);
  const std::string PD = "PERMISSION_DENIED", FP = "FAILED_PRECONDITION";
  std::string reg = Registered(c, "INV-R");
  Refused(
      c, [&] { return Fin(c, "platform/admin", "settle", Id(reg)); }, FP, "fin-state");
  std::string id = Confirmed(c, "INV-1", 10000);
  Must(Fin(c, "supplier/admin", "split", SplitArgs(id, {1000, 2000, 3000, 4000})));
  Must(Fin(c, "supplier/admin", "transfer", To(id + ".1", "trucker")));  // none: holder
  Must(Fin(c, "supplier/admin", "offer_finance", Offer(id + ".2", "bank1", "pledge", 500)));
  Must(Fin(c, "bank1/admin", "accept_finance", Part(id + ".2")));  // pledge partial
  Must(Fin(c, "supplier/admin", "offer_finance", Offer(id + ".3", "bank2", "pledge", 3000)));
  Must(Fin(c, "bank2/admin", "accept_finance", Part(id + ".3")));  // pledge full
  Must(Fin(c, "supplier/admin", "offer_finance",
           Offer(id + ".4", "bank1", "factoring_recourse", 3500)));
  Must(Fin(c, "bank1/admin", "accept_finance", Part(id + ".4")));  // factoring: the whole part
  Refused(
      c, [&] { return Fin(c, "supplier/admin", "settle", Id(id)); }, PD, "fin-debtor");
  Refused(
      c, [&] { return Fin(c, "bank1/admin", "settle", Id(id)); }, PD, "fin-debtor");
  Receipt r = Fin(c, "platform/admin", "settle", Id(id));
  Must(r);
  Value rec = Record(c, id);
  CHECK(Str(rec, "state") == "SETTLED");
  auto payee = [](const std::string& part, const std::string& org, int64_t amount,
                  const std::string& as) {
    return Value(Value::Map{{"part", part}, {"org", org}, {"amount", amount}, {"as", as}});
  };
  const Value want = Value::List{
      payee(id + ".1", "trucker", 1000, "holder"), payee(id + ".2", "bank1", 500, "pledgee"),
      payee(id + ".2", "supplier", 1500, "holder"), payee(id + ".3", "bank2", 3000, "pledgee"),
      payee(id + ".4", "bank1", 4000, "factor")};
  CHECK(*rec.Find("settled")->Find("payees") == want);
  for (const char* p : {".1", ".2", ".3", ".4"})
    CHECK(Str(PartOf(c, id + p), "state") == "SETTLED");
  CHECK(Str(*PartOf(c, id + ".2").Find("encumbrance"), "state") == "SETTLED");
  CHECK(*FinStateOfFingerprint(c.state,
                               HashesOf("supplier", "platform", "INV1", 10000).fingerprint.Hex()) ==
        "closed");
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].type == "fin.settled");
  Refused(
      c, [&] { return Fin(c, "platform/admin", "settle", Id(id)); }, FP, "fin-state");
  Refused(
      c, [&] { return Fin(c, "bank1/admin", "release", Part(id + ".2")); }, FP, "fin-encumbered");
  Refused(
      c,
      [&] {
        return Fin(c, "supplier/admin", "split", SplitArgs(id + ".2", {1, 1999}));
      },
      FP, "fin-state");
  // A pending offer lapses with the settlement.
  std::string id2 = Confirmed(c, "INV-2", 10);
  Must(Fin(c, "supplier/admin", "offer_finance", Offer(id2, "bank1", "pledge", 10)));
  Must(Fin(c, "platform/admin", "settle", Id(id2)));
  CHECK(PartOf(c, id2).Find("offer") == nullptr);
  Refused(
      c, [&] { return Fin(c, "bank1/admin", "accept_finance", Part(id2)); }, FP, "fin-offer");
}

TEST_CASE("fin: a second registration of an invoice is refused and audited") {
  Chain c;
  FinConsortium(c);
  std::string id = Registered(c, "INV-9", 1000);
  auto attempts = [&] {
    std::vector<std::string> out;
    c.state.Scan(std::string(state_keys::fin::kAttemptPrefix),
                 [&](const std::string& k, const Bytes&) {
                   out.push_back(k);
                   return true;
                 });
    return out;
  };
  // Everything but the nonces and the audit records stays as it was.
  auto check_refused = [&](const Value& args, const std::string& matched) {
    auto before = FinState(c);
    size_t n = attempts().size();
    Receipt r = Fin(c, "supplier/admin", "register", args);
    INFO(r.reason);
    CHECK(r.status == TxStatus::kRejected);
    CHECK(r.reason.rfind("FAILED_PRECONDITION: rule fin-duplicate: ", 0) == 0);
    CHECK(r.reason.find(id) != std::string::npos);  // the creditor is a party: it learns the id
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0].type == "fin.duplicate_attempt");
    auto data = Value::Decode(r.events[0].data);
    REQUIRE(data.ok());
    CHECK(Str(*data, "matched") == matched);
    CHECK(Str(*data, "receivable") == id);
    CHECK(Str(*data, "org") == "supplier");
    auto after = FinState(c);
    REQUIRE(attempts().size() == n + 1);
    const std::string key = attempts().back();
    CHECK(key.find(std::to_string(c.height)) != std::string::npos);
    after.erase(key);
    CHECK(after == before);
    CHECK(!c.state.Get(state_keys::fin::Receivable(IdOf(r))).has_value());
  };
  SECTION("the same invoice, as written differently") {
    check_refused(RegArgs({Inv(" inv 9 ", 1000)}), "fingerprint");
  }
  SECTION("the same invoice with another amount") {
    check_refused(RegArgs({Inv("INV-9", 999)}), "invoice_key");
  }
  SECTION("the invoice split across two receivables") {
    check_refused(RegArgs({Inv("INV-10", 5), Inv("INV-9", 400)}), "invoice_key");
    // And the same invoice twice in one registration (nothing on the ledger: no audit).
    auto before = FinState(c);
    Receipt r =
        Fin(c, "supplier/admin", "register", RegArgs({Inv("INV-11", 600), Inv("INV-11", 400)}));
    CHECK(r.reason.rfind("FAILED_PRECONDITION: rule fin-duplicate: ", 0) == 0);
    CHECK(r.events.empty());
    CHECK(FinState(c) == before);
  }
  SECTION("after the receivable was cancelled, the invoice stays taken") {
    Must(Fin(c, "supplier/admin", "cancel", Id(id)));
    check_refused(RegArgs({Inv("INV-9", 1000)}), "fingerprint");
  }
  // Another creditor with the same invoice number is another invoice.
  Must(Fin(c, "trucker/admin", "register", RegArgs({Inv("INV-9", 1000)})));
}

TEST_CASE("fin: the audit of a refused registration survives in the block the tx is in") {
  // ApplyTransaction itself (not a Chain helper): the receipt is rejected, the nonce spent, the
  // audit write and event kept, nothing else.
  Chain c;
  FinConsortium(c);
  std::string id = Registered(c, "INV-9", 1000);
  KeyPair key = KeyFor("supplier/admin");
  Transaction tx{.chain_id = "tidemark-test",
                 .nonce = NextNonce(c.state, key.public_key()),
                 .contract = "fin",
                 .method = "register",
                 .args = RegArgs({Inv("INV-9", 1000)}).Encode()};
  tx.SignWith(key);
  OverlayStateView block(c.state);
  TxContext ctx{.chain_id = "tidemark-test",
                .tx_id = tx.Id(),
                .signer = tx.signer,
                .height = 77,
                .block_time_ms = 1800000000000,
                .index = 3};
  Receipt r = ApplyTransaction(BuiltinContracts(), block, tx, ctx);
  CHECK(r.status == TxStatus::kRejected);
  REQUIRE(r.events.size() == 1);
  auto fp = HashesOf("supplier", "platform", "INV9", 1000).fingerprint.Hex();
  std::vector<std::string> changed;
  for (const auto& [k, v] : block.Changes()) changed.push_back(k);
  CHECK(changed ==
        std::vector<std::string>{state_keys::fin::Attempt(fp, 77, 3), NonceKey(key.public_key())});
  auto rec = GetValue(block, state_keys::fin::Attempt(fp, 77, 3));
  REQUIRE(rec.ok());
  REQUIRE(rec->has_value());
  CHECK(Str(**rec, "receivable") == id);
  CHECK(Str(**rec, "tx") == tx.Id().Hex());
}

TEST_CASE("fin: due date within a year of the issue date") {
  Chain c;
  FinConsortium(c);
  auto reg = [&](const std::string& no, const std::string& issue, const std::string& due) {
    return Fin(c, "supplier/admin", "register", RegArgs({Inv(no, 10)}, "platform", issue, due));
  };
  const std::string IA = "INVALID_ARGUMENT";
  Refused(
      c, [&] { return reg("A", "2026-12-01", "2026-12-01"); }, IA, "fin-term");
  Refused(
      c, [&] { return reg("A", "2026-12-01", "2026-11-30"); }, IA, "fin-term");
  Refused(
      c, [&] { return reg("A", "2026-12-01", "2027-12-03"); }, IA, "fin-term");  // 367 days
  Must(reg("A", "2026-12-01", "2027-12-02"));                                    // 366 days
  Must(reg("B", "2026-12-01", "2026-12-02"));
  Must(reg("C", "2027-03-01", "2028-03-01"));  // 366 days across 29 February
  Refused(
      c, [&] { return reg("D", "2027-03-01", "2028-03-02"); }, IA, "fin-term");
}

TEST_CASE("fin: bad arguments are refused naming the field, and change nothing") {
  Chain c;
  FinConsortium(c);
  const std::string IA = "INVALID_ARGUMENT", FP = "FAILED_PRECONDITION";
  const Value good = RegArgs({Inv("INV-1", 1000)});
  auto reg = [&](const Value& args) { return Fin(c, "supplier/admin", "register", args); };
  auto bad_inv = [&](const std::string& field, Value v) {
    Value inv = Inv("INV-1", 1000);
    inv.as_map()[field] = std::move(v);
    return RegArgs({inv});
  };
  const std::vector<Value> bad = {
      With(good, "debtor", 7),
      With(good, "debtor", "Not An Org!"),
      Without(good, "debtor"),
      With(good, "currency", "cny"),
      With(good, "currency", "CN"),
      With(good, "currency", "CNYY"),
      With(good, "currency", 156),
      With(good, "issue_date", "2026-02-30"),
      With(good, "issue_date", "2026/12/01"),
      With(good, "due_date", 20270301),
      With(good, "invoices", Value::List{}),
      With(good, "invoices", "INV-1"),
      With(good, "contract", "C-1"),
      With(good, "contract", Value::Map{{"number", "C-1"}, {"hash", "xyz"}}),
      With(good, "contract", Value::Map{{"number", "C-1"}}),
      With(good, "refs", Value::List{Value::Map{{"type", "po"}, {"id", "has space"}}}),
      With(good, "refs", Value::List{Value::Map{{"type", "P O"}, {"id", "PO-1"}}}),
      With(good, "refs", "PO-1"),
      With(good, "require_delivery", "yes"),
      With(good, "surprise", 1),
      bad_inv("amount", 0),
      bad_inv("amount", -5),
      bad_inv("amount", kMaxFinAmount + 1),
      bad_inv("amount", "1000"),
      bad_inv("tax", -1),
      bad_inv("date", "2026-13-01"),
      bad_inv("hash", Hex64('g')),
      bad_inv("number", "INV#1"),
      bad_inv("number", " - / "),
      bad_inv("number", 12),
      bad_inv("extra", 1),
      RegArgs({Inv("INV-1", 600'000'000'000'000), Inv("INV-2", 400'000'000'000'001)}),
      Value::List{},
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    INFO("case " << i);
    Refused(
        c, [&] { return reg(bad[i]); }, IA, "fin-args");
  }
  Must(reg(RegArgs({Inv("INV-X", 600'000'000'000'000), Inv("INV-Y", 400'000'000'000'000)})));
  Refused(
      c, [&] { return reg(RegArgs({Inv("INV-2", 1)}, "supplier")); }, FP, "fin-parties");
  Refused(
      c, [&] { return reg(RegArgs({Inv("INV-2", 1)}, "nobody")); }, FP, "fin-parties");
  Refused(
      c, [&] { return reg(With(RegArgs({Inv("INV-2", 1)}), "require_delivery", true)); }, IA,
      "fin-delivery-refs");
  std::string id = Confirmed(c, "INV-3");
  for (const Value& args : {Value(Value::Map{}), Id(""), Value(Value::Map{{"id", 5}}),
                            Value(Value::Map{{"id", id}, {"x", 1}})}) {
    Refused(
        c, [&] { return Fin(c, "platform/admin", "settle", args); }, IA, "fin-args");
  }
  Refused(
      c, [&] { return Fin(c, "platform/admin", "dispute", Id(id)); }, IA, "fin-args");
  Refused(
      c, [&] { return Fin(c, "platform/admin", "launder", Id(id)); }, IA, "fin-method");
  Refused(
      c, [&] { return Fin(c, "platform/admin", "settle", Id("rcv_nope")); }, "PERMISSION_DENIED",
      "fin-debtor");
}

TEST_CASE("fin: a party's receivables, page by page") {
  Chain c;
  FinConsortium(c);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Registered(c, "INV-" + std::to_string(i)));
  std::sort(ids.begin(), ids.end());
  CHECK(ReceivablesOfParty(c.state, "platform") == ids);
  CHECK(ReceivablesOfParty(c.state, "stranger").empty());
  auto first = ReceivablesOfParty(c.state, "supplier", "", 2);
  CHECK(first == std::vector<std::string>{ids[0], ids[1]});
  auto rest = ReceivablesOfParty(c.state, "supplier", first.back(), 10);
  CHECK(rest == std::vector<std::string>{ids[2], ids[3], ids[4]});
  Must(Fin(c, "platform/admin", "confirm", Id(ids[3])));
  Must(Fin(c, "supplier/admin", "transfer", To(ids[3], "trucker")));
  CHECK(ReceivablesOfParty(c.state, "trucker") == std::vector<std::string>{ids[3]});
}

TEST_CASE("fin: overdue is read from block time, never stored") {
  Chain c;
  FinConsortium(c);
  std::string id = Registered(c);
  const int64_t due_day = IsoDateToDays("2027-03-01");
  const int64_t end_of_due_day = (due_day + 1) * 86'400'000 - 1;
  CHECK_FALSE(IsOverdue(Record(c, id), end_of_due_day + 1));  // not confirmed
  Must(Fin(c, "platform/admin", "confirm", Id(id)));
  CHECK_FALSE(IsOverdue(Record(c, id), end_of_due_day));
  CHECK(IsOverdue(Record(c, id), end_of_due_day + 1));
  Must(Fin(c, "platform/admin", "settle", Id(id)));
  CHECK_FALSE(IsOverdue(Record(c, id), end_of_due_day + 1));
}

TEST_CASE("fin history: every entry has its log row fin/hlog/<time> <height> <index> <k>") {
  Chain c;
  FinConsortium(c);
  const std::string id = Registered(c);
  const uint64_t reg_time = c.block_time_ms, reg_height = c.height;
  Must(Fin(c, "platform/admin", "confirm", Value::Map{{"id", id}}));
  std::vector<std::pair<std::string, Value>> rows;
  c.state.Scan(state_keys::alerts::HistLogPrefix("fin/"),
               [&](const std::string& k, const Bytes& v) {
                 auto row = Value::Decode(v);
                 REQUIRE(row.ok());
                 rows.emplace_back(k, *row);
                 return true;
               });
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].first ==
        state_keys::alerts::HistLog("fin/", static_cast<int64_t>(reg_time), reg_height, 0, 0));
  for (int64_t seq = 1; seq <= 2; ++seq) {
    const Value& row = rows[static_cast<size_t>(seq - 1)].second;
    CHECK(Str(row, "id") == id);
    CHECK(row.Find("seq")->as_int() == seq);
  }
}

}  // namespace
}  // namespace tidemark::contracts
