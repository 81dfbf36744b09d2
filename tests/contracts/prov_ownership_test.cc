// Who may do what to whose object (docs/provenance.md): one test per row of the table — accepted
// for the owner / holder / delegate, refused for a stranger with the rule named and nothing
// changed — and the attacks a hostile tester ran on a live network, as regression tests.
#include <catch2/catch.hpp>
#include <functional>

#include "prov_util.h"
#include "tidemark/contracts/gs1.h"

namespace tidemark::contracts {
namespace {

using namespace testing;

const std::string kGtin = "10614141073464";  // the brand's product
const std::string kItem1 = "https://id.gs1.org/01/10614141073464/10/L1/21/S1";
const std::string kItem2 = "https://id.gs1.org/01/10614141073464/10/L1/21/S2";
const std::string kLot1 = "/01/10614141073464/10/L1";
const std::string kPallet = "urn:epc:id:sscc:0614141.1234567890";
const std::string kBrandSite = "urn:epc:id:sgln:0614141.00888.0";  // registered by the brand
const std::string kShop = "urn:epc:id:sgln:0012345.11111.0";       // registered by the retailer
const std::string kNowhere = "urn:epc:id:sgln:0012345.99999.0";    // registered by nobody

// The brand and its partners, and "rival": another brand that holds every supply-chain role, so
// that only ownership and custody — never a missing role — can stop it.
void Setup(Chain& c) {
  c.Init({{"brand", {Role::kBrand, Role::kManufacturer}},
          {"rival",
           {Role::kBrand, Role::kManufacturer, Role::kRetailer, Role::kForwarder,
            Role::kBondedWarehouse, Role::kCustomsBroker}},
          {"forwarder", {Role::kForwarder, Role::kExporter}},
          {"broker", {Role::kCustomsBroker}},
          {"customs", {Role::kCustoms}},
          {"retail", {Role::kRetailer}},
          {"regulator", {Role::kRegulator}}});
  REQUIRE(
      Ok(c.Call("brand/admin", "prov", "register_product",
                Value::Map{{"gtin", kGtin}, {"name", "Face cream"}, {"origin_country", "FR"}})));
  REQUIRE(Ok(
      c.Call("brand/admin", "prov", "register_lot", Value::Map{{"gtin", kGtin}, {"lot", "L1"}})));
  REQUIRE(Ok(c.Call("brand/admin", "prov", "register_location",
                    Value::Map{{"gln", kBrandSite}, {"name", "Factory"}})));
  REQUIRE(Ok(c.Call("retail/admin", "prov", "register_location",
                    Value::Map{{"gln", kShop}, {"name", "Shop"}})));
  auto commission = Ev("ObjectEvent", "ADD", "commissioning", {kItem1, kItem2});
  commission["bizLocation"] = {{"id", kBrandSite}};
  REQUIRE(Ok(Capture(c, "brand/admin", {commission})));
}

// The act is refused with PERMISSION_DENIED naming `rule`, and no state changed.
void Refused(Chain& c, const std::function<Receipt()>& act, const std::string& rule) {
  auto before = Snapshot(c);
  Receipt r = act();
  INFO(r.reason);
  CHECK(r.status == TxStatus::kRejected);
  CHECK(r.reason.rfind("PERMISSION_DENIED: rule " + rule + ": ", 0) == 0);
  CHECK(Snapshot(c) == before);
}

Value Gtin(const std::string& org, std::optional<Value::List> acts = std::nullopt) {
  Value::Map m{{"gtin", kGtin}, {"org", org}};
  if (acts) m["acts"] = Value(*acts);
  return Value(m);
}

Value Loc(const std::string& gln, const std::string& org) {
  return Value::Map{{"location", gln}, {"org", org}};
}

nlohmann::json At(nlohmann::json e, const std::string& loc) {
  e["bizLocation"] = {{"id", loc}};
  return e;
}

Value Items(const std::vector<std::string>& ids) {
  return Value(Value::List(ids.begin(), ids.end()));
}

TEST_CASE("row register_lot: the GTIN's owner or its delegate; nobody under an unregistered GTIN") {
  Chain c;
  Setup(c);
  auto lot = [&](const std::string& who, const std::string& l) {
    return c.Call(who, "prov", "register_lot", Value::Map{{"gtin", kGtin}, {"lot", l}});
  };
  CHECK(Ok(lot("brand/admin", "L2")));
  Refused(
      c, [&] { return lot("rival/admin", "L3"); }, "gtin-owner");
  REQUIRE(Ok(c.Call("brand/admin", "prov", "delegate", Gtin("rival", Value::List{"lot"}))));
  CHECK(Ok(lot("rival/admin", "L3")));
  Refused(
      c,
      [&] {
        return c.Call("brand/admin", "prov", "register_lot",
                      Value::Map{{"gtin", "09521234543213"}, {"lot", "L1"}});
      },
      "gtin-owner");
}

TEST_CASE("row commissioning: under a registered GTIN only its owner or delegate") {
  Chain c;
  Setup(c);
  const std::string fresh = "https://id.gs1.org/01/10614141073464/21/NEW1";
  Refused(
      c,
      [&] {
        return Capture(c, "rival/admin", {Ev("ObjectEvent", "ADD", "commissioning", {fresh})});
      },
      "gtin-owner");
  CHECK(StateOf(c, fresh) == "<none>");
  // Delegated for lots only: still not for commissioning.
  REQUIRE(Ok(c.Call("brand/admin", "prov", "delegate", Gtin("rival", Value::List{"lot"}))));
  Refused(
      c,
      [&] {
        return Capture(c, "rival/admin", {Ev("ObjectEvent", "ADD", "commissioning", {fresh})});
      },
      "gtin-owner");
  REQUIRE(Ok(c.Call("brand/admin", "prov", "delegate", Gtin("rival", Value::List{"commission"}))));
  REQUIRE(Ok(Capture(c, "rival/admin", {Ev("ObjectEvent", "ADD", "commissioning", {fresh})})));
  CHECK(CustodyOf(c, fresh) == "rival");  // the contract manufacturer holds what it made
  // A GTIN nobody registered stays open (EPCIS is observational).
  CHECK(Ok(
      Capture(c, "rival/admin",
              {Ev("ObjectEvent", "ADD", "commissioning", {"urn:epc:id:sgtin:0614141.107399.1"})})));
}

TEST_CASE("row delegate / revoke_delegation: only the product's or location's owner") {
  Chain c;
  Setup(c);
  Refused(
      c, [&] { return c.Call("rival/admin", "prov", "delegate", Gtin("rival")); }, "delegation");
  Refused(
      c, [&] { return c.Call("rival/admin", "prov", "delegate", Loc(kShop, "rival")); },
      "delegation");
  REQUIRE(Ok(c.Call("retail/admin", "prov", "delegate", Loc(kShop, "forwarder"))));
  Refused(
      c,
      [&] { return c.Call("rival/admin", "prov", "revoke_delegation", Loc(kShop, "forwarder")); },
      "delegation");
  // The delegate may record at the shop; after the revocation it may not.
  auto seen = [&] {
    return Capture(
        c, "forwarder/admin",
        {At(Ev("ObjectEvent", "OBSERVE", "inspecting", {"urn:epc:id:sgtin:0614141.107399.7"}),
            kShop)});
  };
  CHECK(Ok(seen()));
  REQUIRE(Ok(c.Call("retail/admin", "prov", "revoke_delegation", Loc(kShop, "forwarder"))));
  Refused(c, seen, "location-owner");
  // Bad arguments are refused by name.
  CHECK(c.Call("brand/admin", "prov", "delegate", Gtin("brand")).reason.find("already owns") !=
        std::string::npos);
  CHECK(c.Call("brand/admin", "prov", "delegate", Gtin("nobody"))
            .reason.find("no active organisation") != std::string::npos);
  CHECK(c.Call("brand/admin", "prov", "delegate", Gtin("rival", Value::List{"event"}))
            .reason.find("acts[0]") != std::string::npos);
}

TEST_CASE("row event at a registered location: its organisation or a delegate") {
  Chain c;
  Setup(c);
  const std::string other = "urn:epc:id:sgtin:0614141.107399.9";  // untracked: observational
  auto at = [&](const std::string& who, const std::string& loc) {
    return Capture(c, who, {At(Ev("ObjectEvent", "OBSERVE", "inspecting", {other}), loc)});
  };
  CHECK(Ok(at("retail/admin", kShop)));
  CHECK(Ok(at("rival/admin", kNowhere)));  // nobody registered it
  Refused(
      c, [&] { return at("rival/admin", kShop); }, "location-owner");
  // readPoint counts too.
  auto rp = Ev("ObjectEvent", "OBSERVE", "inspecting", {other});
  rp["readPoint"] = {{"id", kShop}};
  Refused(
      c, [&] { return Capture(c, "rival/admin", {rp}); }, "location-owner");
  REQUIRE(Ok(c.Call("retail/admin", "prov", "delegate", Loc(kShop, "rival"))));
  CHECK(Ok(at("rival/admin", kShop)));
  CHECK(Ok(Capture(c, "rival/admin", {rp})));
}

TEST_CASE("row events acting on a tracked object: its holder") {
  Chain c;
  Setup(c);
  for (const auto& e : {Ev("ObjectEvent", "OBSERVE", "shipping", {kItem1}),
                        Ev("ObjectEvent", "OBSERVE", "inspecting", {kItem1}),
                        Ev("ObjectEvent", "OBSERVE", "stocking", {kItem1})}) {
    Refused(
        c, [&] { return Capture(c, "rival/admin", {e}); },
        e["bizStep"] == "stocking" ? "custody-handover" : "holder");
  }
  auto pack = Ev("AggregationEvent", "ADD", "packing", {kItem1});
  pack["parentID"] = kPallet;
  Refused(
      c, [&] { return Capture(c, "rival/admin", {pack}); }, "holder");
  CHECK(StateOf(c, kPallet) == "<none>");
  REQUIRE(Ok(Capture(c, "brand/admin", {pack})));
  auto unpack = Ev("AggregationEvent", "DELETE", "unpacking", {kItem1});
  unpack["parentID"] = kPallet;
  Refused(
      c, [&] { return Capture(c, "rival/admin", {unpack}); }, "holder");
  auto sale = Ev("ObjectEvent", "OBSERVE", "retail_selling", {kItem2});
  sale["disposition"] = "retail_sold";
  Refused(
      c, [&] { return Capture(c, "rival/admin", {sale}); }, "holder");
  // The holder may.
  CHECK(Ok(Capture(c, "brand/admin", {Ev("ObjectEvent", "OBSERVE", "shipping", {kPallet})})));
  CHECK(StateOf(c, kItem1) == "IN_TRANSIT");
}

TEST_CASE("row taking custody: only the addressee of a handover the holder made") {
  Chain c;
  Setup(c);
  REQUIRE(
      Ok(c.Call("rival/admin", "prov", "register_location",
                Value::Map{{"gln", "urn:epc:id:sgln:0012345.33333.0"}, {"name", "Rival depot"}})));
  auto receive = [&](const std::string& who, const std::string& item) {
    return Capture(c, who, {Ev("ObjectEvent", "OBSERVE", "receiving", {item})});
  };
  Refused(
      c, [&] { return receive("retail/admin", kItem1); }, "custody-handover");
  // The holder ships naming the shop as destination: the shop's org may receive, nobody else.
  auto ship = Ev("ObjectEvent", "OBSERVE", "shipping", {kItem1});
  ship["destinationList"] = {
      {{"type", "https://ref.gs1.org/cbv/SDT-location"}, {"destination", kShop}}};
  REQUIRE(Ok(Capture(c, "brand/admin", {ship})));
  const Value shipped = **GetObject(c.state, kItem1);
  CHECK(shipped.Find("handover")->Find("to")->as_string() == "retail");
  CHECK(shipped.Find("handover")->Find("via")->as_string() == "shipping");
  Refused(
      c, [&] { return receive("rival/admin", kItem1); }, "custody-handover");
  REQUIRE(Ok(Capture(c, "retail/admin",
                     {At(Ev("ObjectEvent", "OBSERVE", "receiving", {kItem1}), kShop)})));
  CHECK(CustodyOf(c, kItem1) == "retail");
  const Value received = **GetObject(c.state, kItem1);
  CHECK(received.Find("handover")->is_null());
  // A shipping event by a non-holder cannot address the goods to itself.
  auto steal = Ev("ObjectEvent", "OBSERVE", "shipping", {kItem2});
  steal["destinationList"] = {
      {{"type", "location"}, {"destination", "urn:epc:id:sgln:0012345.33333.0"}}};
  Refused(
      c, [&] { return Capture(c, "rival/admin", {steal}); }, "holder");
}

TEST_CASE("row transfer_custody: the holder offers; accept_custody: the addressee takes") {
  Chain c;
  Setup(c);
  auto offer = [&](const std::string& who, const std::string& to) {
    return c.Call(who, "prov", "transfer_custody",
                  Value::Map{{"items", Items({kItem1})}, {"to", to}});
  };
  auto accept = [&](const std::string& who) {
    return c.Call(who, "prov", "accept_custody", Value::Map{{"items", Items({kItem1})}});
  };
  Refused(
      c, [&] { return offer("rival/admin", "retail"); }, "holder");
  Refused(
      c, [&] { return accept("rival/admin"); }, "custody-handover");
  REQUIRE(Ok(offer("brand/admin", "forwarder")));
  CHECK(CustodyOf(c, kItem1) == "brand");  // an offer alone moves nothing
  Refused(
      c, [&] { return accept("rival/admin"); }, "custody-handover");
  REQUIRE(Ok(accept("forwarder/admin")));
  CHECK(CustodyOf(c, kItem1) == "forwarder");
  const Value item = **GetObject(c.state, kItem1);
  const auto& tl = item.Find("timeline")->as_list();
  CHECK(tl[tl.size() - 2].Find("action")->as_string() == "OFFERED");
  CHECK(tl[tl.size() - 2].Find("to")->as_string() == "forwarder");
  CHECK(tl.back().Find("action")->as_string() == "ACCEPTED");
  CHECK(tl.back().Find("from")->as_string() == "brand");
  // The former holder has no say any more.
  Refused(
      c, [&] { return offer("brand/admin", "retail"); }, "holder");
  CHECK(
      c.Call("forwarder/admin", "prov", "transfer_custody",
             Value::Map{{"items", Items({"urn:epc:id:sgtin:0614141.107399.1"})}, {"to", "retail"}})
          .reason.find("not tracked") != std::string::npos);
}

TEST_CASE("row destroy: holder, owner or its delegate, REGULATOR, CUSTOMS under control") {
  Chain c;
  Setup(c);
  auto destroy = [&](const std::string& who, const std::string& item) {
    return Capture(c, who, {Ev("ObjectEvent", "DELETE", "destroying", {item})});
  };
  Refused(
      c, [&] { return destroy("rival/admin", kItem1); }, "destroy");
  Refused(
      c, [&] { return destroy("retail/admin", kItem1); }, "destroy");
  // The owner destroys an item someone else holds.
  REQUIRE(Ok(Handover(c, "brand/admin", "retail", {kItem1, kItem2})));
  CHECK(Ok(destroy("brand/admin", kItem1)));
  // The holder destroys its own; a regulator and a delegate may too.
  const std::string i3 = "https://id.gs1.org/01/10614141073464/10/L1/21/S3";
  const std::string i4 = "https://id.gs1.org/01/10614141073464/10/L1/21/S4";
  const std::string i5 = "https://id.gs1.org/01/10614141073464/10/L1/21/S5";
  REQUIRE(Ok(Capture(c, "brand/admin", {Ev("ObjectEvent", "ADD", "commissioning", {i3, i4, i5})})));
  CHECK(Ok(destroy("retail/admin", kItem2)));
  CHECK(Ok(destroy("regulator/admin", i3)));
  REQUIRE(Ok(c.Call("brand/admin", "prov", "delegate", Gtin("rival", Value::List{"destroy"}))));
  CHECK(Ok(destroy("rival/admin", i4)));
  // Customs destroys goods it rejected.
  Value decl = Value::Map{{"declaration_no", "D-1"}, {"mode", "9610"},    {"order_no", "O"},
                          {"payment_no", "P"},       {"waybill_no", "W"}, {"items", Items({i5})}};
  REQUIRE(Ok(EngageBroker(c, "brand", "broker")));
  REQUIRE(Ok(c.Call("broker/admin", "prov", "customs_declare", decl)));
  REQUIRE(Ok(c.Call("customs/admin", "prov", "customs_reject",
                    Value::Map{{"declaration_no", "D-1"}, {"reason", "fake"}})));
  CHECK(Ok(destroy("customs/admin", i5)));
  for (const auto& i : {kItem1, kItem2, i3, i4, i5}) CHECK(StateOf(c, i) == "DESTROYED");
}

TEST_CASE("row recall: the GTIN's owner or its delegate, or a REGULATOR") {
  Chain c;
  Setup(c);
  auto recall = [&](const std::string& who, const std::string& id) {
    return c.Call(who, "prov", "recall",
                  Value::Map{{"lot", kLot1}, {"reason", "test"}, {"recall_id", id}});
  };
  Refused(
      c, [&] { return recall("rival/admin", "R-x"); }, "recall");
  Refused(
      c,
      [&] {
        return Capture(c, "rival/admin", {Ev("ObjectEvent", "OBSERVE", "recalling", {kItem1})});
      },
      "recall");
  CHECK(Ok(recall("regulator/admin", "R-1")));
  REQUIRE(Ok(c.Call("brand/admin", "prov", "delegate", Gtin("rival", Value::List{"recall"}))));
  CHECK(Ok(recall("rival/admin", "R-2")));
  CHECK(Ok(recall("brand/admin", "R-3")));
  // A lot of a GTIN nobody registered: only a regulator.
  auto orphan = [&](const std::string& who) {
    return c.Call(who, "prov", "recall",
                  Value::Map{{"lot", "urn:epc:class:lgtin:0614141.107399.X"}, {"reason", "t"}});
  };
  Refused(
      c, [&] { return orphan("brand/admin"); }, "recall");
  CHECK(Ok(orphan("regulator/admin")));
}

Value Declaration(const std::string& no, const std::vector<std::string>& items) {
  return Value::Map{{"declaration_no", no}, {"mode", "9610"},    {"order_no", "O-" + no},
                    {"payment_no", "P"},    {"waybill_no", "W"}, {"items", Items(items)}};
}

bool Declared(Chain& c, const std::string& no) {
  return c.state.entries().count("prov/customs/" + no) == 1;
}

TEST_CASE("row customs_declare: a broker the holder engaged, or the holder's own broker") {
  Chain c;
  Setup(c);
  auto declare = [&](const std::string& who, const std::string& no,
                     const std::vector<std::string>& items) {
    return c.Call(who, "prov", "customs_declare", Declaration(no, items));
  };
  // Nobody engaged the broker: refused, nothing written.
  Refused(
      c, [&] { return declare("broker/admin", "D-1", {kItem1}); }, "customs-engagement");
  CHECK(StateOf(c, kItem1) == "COMMISSIONED");
  CHECK_FALSE(Declared(c, "D-1"));
  // Only the holder engages a broker for its goods.
  Refused(
      c,
      [&] {
        return c.Call("rival/admin", "prov", "delegate",
                      Value::Map{{"holder", "brand"}, {"org", "rival"}});
      },
      "delegation");
  CHECK(c.Call("brand/admin", "prov", "delegate",
               Value::Map{{"holder", "brand"}, {"gtin", kGtin}, {"org", "broker"}})
            .reason.find("exactly one") != std::string::npos);
  // Engaged by the holder: accepted.
  REQUIRE(Ok(EngageBroker(c, "brand", "broker")));
  CHECK(Ok(declare("broker/admin", "D-1", {kItem1})));
  CHECK(StateOf(c, kItem1) == "CUSTOMS_HOLD");
  // A stranger broker (engaged by nobody) is refused on the same holder's goods.
  Refused(
      c, [&] { return declare("rival/admin", "D-2", {kItem2}); }, "customs-engagement");
  CHECK(StateOf(c, kItem2) == "COMMISSIONED");
  // A container: every item in it must be declarable. S3 on the brand's pallet is handed to the
  // retailer, who has engaged nobody: the whole pallet is refused until it does.
  const std::string i3 = "https://id.gs1.org/01/10614141073464/10/L1/21/S3";
  REQUIRE(Ok(Capture(c, "brand/admin", {Ev("ObjectEvent", "ADD", "commissioning", {i3})})));
  auto pack = Ev("AggregationEvent", "ADD", "packing", {kItem2, i3});
  pack["parentID"] = kPallet;
  REQUIRE(Ok(Capture(c, "brand/admin", {pack})));
  REQUIRE(Ok(Handover(c, "brand/admin", "retail", {i3})));
  Refused(
      c, [&] { return declare("broker/admin", "D-3", {kPallet}); }, "customs-engagement");
  CHECK(StateOf(c, kItem2) == "PACKED");
  CHECK_FALSE(Declared(c, "D-3"));
  REQUIRE(Ok(EngageBroker(c, "retail", "broker")));
  CHECK(Ok(declare("broker/admin", "D-3", {kPallet})));
  CHECK(StateOf(c, kItem2) == "CUSTOMS_HOLD");
  CHECK(StateOf(c, i3) == "CUSTOMS_HOLD");
  // A broker declares what its own organisation holds without an engagement.
  const std::string i4 = "https://id.gs1.org/01/10614141073464/10/L1/21/S4";
  const std::string i5 = "https://id.gs1.org/01/10614141073464/10/L1/21/S5";
  REQUIRE(Ok(Capture(c, "brand/admin", {Ev("ObjectEvent", "ADD", "commissioning", {i4, i5})})));
  REQUIRE(Ok(Handover(c, "brand/admin", "rival", {i4})));
  CHECK(Ok(declare("rival/admin", "D-4", {i4})));
  // A revoked engagement engages no more.
  REQUIRE(Ok(c.Call("brand/admin", "prov", "revoke_delegation",
                    Value::Map{{"holder", "brand"}, {"org", "broker"}})));
  Refused(
      c, [&] { return declare("broker/admin", "D-5", {i5}); }, "customs-engagement");
  CHECK(StateOf(c, i5) == "COMMISSIONED");
}

TEST_CASE("row customs control: CUSTOMS records on goods under its control, not on others'") {
  Chain c;
  Setup(c);
  Value decl =
      Value::Map{{"declaration_no", "D-2"}, {"mode", "9610"},    {"order_no", "O"},
                 {"payment_no", "P"},       {"waybill_no", "W"}, {"items", Items({kItem1})}};
  REQUIRE(Ok(EngageBroker(c, "brand", "broker")));
  REQUIRE(Ok(c.Call("broker/admin", "prov", "customs_declare", decl)));
  CHECK(Ok(Capture(c, "customs/admin", {Ev("ObjectEvent", "OBSERVE", "inspecting", {kItem1})})));
  Refused(
      c,
      [&] {
        return Capture(c, "customs/admin", {Ev("ObjectEvent", "OBSERVE", "inspecting", {kItem2})});
      },
      "holder");
}

TEST_CASE("row error declarations: only the org that recorded the event, or a REGULATOR") {
  Chain c;
  Setup(c);
  auto ev = Ev("ObjectEvent", "OBSERVE", "inspecting", {kItem1});
  ev["eventID"] = "urn:uuid:brand-1";
  REQUIRE(Ok(Capture(c, "brand/admin", {ev})));
  auto decl = ev;
  decl["errorDeclaration"] = {{"declarationTime", "2024-03-02T00:00:00Z"},
                              {"reason", "urn:epcglobal:cbv:er:incorrect_data"}};
  Refused(
      c, [&] { return Capture(c, "rival/admin", {decl}); }, "event-owner");
  CHECK(Ok(Capture(c, "regulator/admin", {decl})));
  CHECK(Ok(Capture(c, "brand/admin", {decl})));
}

TEST_CASE("row service keys: prov.scan and nothing else") {
  Chain c;
  Setup(c);
  CHECK(Ok(c.Call("retail/service", "prov", "scan", Value::Map{{"code", kItem1}})));
  Refused(
      c,
      [&] {
        return c.Call("retail/service", "prov", "transfer_custody",
                      Value::Map{{"items", Items({kItem1})}, {"to", "retail"}});
      },
      "service-key");
  Refused(
      c,
      [&] {
        return c.Call("retail/service", "prov", "register_party",
                      Value::Map{{"id", "p1"}, {"name", "P"}});
      },
      "service-key");
  Refused(
      c,
      [&] {
        return c.Call("retail/service", "identity", "revoke_key",
                      Value::Map{{"key", KeyFor("retail/admin").public_key().Hex()}});
      },
      "service-key");
}

// The attacks found on a running network (Tidemark issue #12), exactly as they were made.
TEST_CASE("regression: another organisation takes custody of the brand's goods by receiving") {
  Chain c;
  Setup(c);
  Refused(
      c,
      [&] {
        return Capture(c, "rival/admin", {Ev("ObjectEvent", "OBSERVE", "receiving", {kItem1})});
      },
      "custody-handover");
  CHECK(CustodyOf(c, kItem1) == "brand");
}

TEST_CASE("regression: a broker declares another organisation's goods") {
  Chain c;
  Setup(c);
  // The broker engaged by the brand's forwarder declares the brand's goods: refused.
  REQUIRE(Ok(EngageBroker(c, "forwarder", "broker")));
  Refused(
      c,
      [&] { return c.Call("broker/admin", "prov", "customs_declare", Declaration("X", {kItem1})); },
      "customs-engagement");
  Refused(
      c,
      [&] { return c.Call("rival/admin", "prov", "customs_declare", Declaration("X", {kItem1})); },
      "customs-engagement");
  CHECK(StateOf(c, kItem1) == "COMMISSIONED");
  CHECK_FALSE(Declared(c, "X"));
}

TEST_CASE("regression: another organisation destroys the brand's items") {
  Chain c;
  Setup(c);
  Refused(
      c,
      [&] {
        return Capture(c, "rival/admin", {Ev("ObjectEvent", "DELETE", "destroying", {kItem1})});
      },
      "destroy");
  auto decommission = Ev("ObjectEvent", "OBSERVE", "decommissioning", {kItem1});
  Refused(
      c, [&] { return Capture(c, "rival/admin", {decommission}); }, "destroy");
  CHECK(StateOf(c, kItem1) == "COMMISSIONED");
}

TEST_CASE("regression: another brand recalls the brand's lot") {
  Chain c;
  Setup(c);
  Refused(
      c,
      [&] {
        return c.Call("rival/admin", "prov", "recall",
                      Value::Map{{"lot", kLot1}, {"reason", "sabotage"}});
      },
      "recall");
  const Value lot = **GetLot(c.state, kLot1);
  CHECK(lot.Find("recalled")->is_null());
}

TEST_CASE("regression: another brand registers a lot under the brand's GTIN") {
  Chain c;
  Setup(c);
  Refused(
      c,
      [&] {
        return c.Call("rival/admin", "prov", "register_lot",
                      Value::Map{{"gtin", kGtin}, {"lot", "FAKE"}});
      },
      "gtin-owner");
}

TEST_CASE("regression: another brand commissions serials under the brand's GTIN") {
  Chain c;
  Setup(c);
  const std::string clone = "https://id.gs1.org/01/10614141073464/10/L1/21/CLONE";
  Refused(
      c,
      [&] {
        return Capture(c, "rival/admin", {Ev("ObjectEvent", "ADD", "commissioning", {clone})});
      },
      "gtin-owner");
  // Also as the output of a transformation.
  auto t = Ev("TransformationEvent", "", "commissioning", {});
  t["inputEPCList"] = {"urn:epc:id:sgtin:0614141.107399.1"};
  t["outputEPCList"] = {clone};
  Refused(
      c, [&] { return Capture(c, "rival/admin", {t}); }, "gtin-owner");
}

TEST_CASE("regression: an event recorded at another organisation's location") {
  Chain c;
  Setup(c);
  REQUIRE(Ok(Handover(c, "brand/admin", "rival", {kItem1})));  // even on goods it holds
  Refused(
      c,
      [&] {
        return Capture(c, "rival/admin",
                       {At(Ev("ObjectEvent", "OBSERVE", "shipping", {kItem1}), kShop)});
      },
      "location-owner");
}

TEST_CASE("regression: a customs key captures at a retailer's store") {
  Chain c;
  Setup(c);
  Refused(
      c,
      [&] {
        return Capture(
            c, "customs/admin",
            {At(Ev("ObjectEvent", "OBSERVE", "inspecting", {"urn:epc:id:sgtin:0614141.107399.3"}),
                kShop)});
      },
      "location-owner");
}

TEST_CASE("regression: a service key calls register_location and test.put") {
  Chain c;
  Setup(c);
  Refused(
      c,
      [&] {
        return c.Call("retail/service", "prov", "register_location",
                      Value::Map{{"gln", kNowhere}, {"name", "Rogue"}});
      },
      "service-key");
  Refused(
      c,
      [&] {
        return c.Call("retail/service", "test", "put", Value::Map{{"key", "k"}, {"value", "v"}});
      },
      "service-key");
}

}  // namespace
}  // namespace tidemark::contracts
