// The "fin" contract (docs/finance.md §7): every method's success, every refusal rule with the
// state unchanged, who may do what to whose receivable, duplicate registration and its audit
// record, delivery evidence, settlement payees, and bad arguments.
#include <catch2/catch.hpp>
#include <functional>

#include "fin_util.h"

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

[[maybe_unused]] std::string Confirmed(Chain& c, const std::string& invno = "INV-1",
                                       int64_t amount = 1000000) {
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
  SECTION("accepting counts too") {
    Value refs = Value::List{Value::Map{{"type", "desadv"}, {"id", "DESADV-1"}}};
    std::string id =
        Registered(c, "INV-1", 1000000, Value::Map{{"refs", refs}, {"require_delivery", true}});
    Must(Receive(c, "platform/admin", "DESADV-1", "accepting"));
    Must(Fin(c, "platform/admin", "confirm", Value::Map{{"id", id}}));
  }
}

}  // namespace
}  // namespace tidemark::contracts
