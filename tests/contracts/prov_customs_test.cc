// Customs control as the law has it (docs/provenance.md "Customs clearance"): goods under bonded
// control until a release covers them (issue #19 finding 2), a container's declaration covering
// what it held at the declaration's own time (finding 3), customs records with their own times
// and events ordered by their own times against them (finding 4), the 1210 and 9610 journeys with
// every shortcut refused, who may declare / release, and inspection verdicts setting a lot's
// conformance. Every refusal names its rule and changes nothing.
#include <catch2/catch.hpp>

#include "prov_util.h"
#include "tidemark/contracts/gs1.h"

namespace tidemark::contracts {
namespace {

using namespace testing;

// The test chain's blocks start at 2023-11-14T22:13:20Z, one second apart.
const std::string kGtin = "10614141073464";
const std::string kLot = "/01/10614141073464/10/L1";
const std::string kTin1 = "https://id.gs1.org/01/10614141073464/10/L1/21/T1";
const std::string kTin2 = "https://id.gs1.org/01/10614141073464/10/L1/21/T2";
const std::string kTin3 = "https://id.gs1.org/01/10614141073464/10/L1/21/T3";
const std::string kCase = "urn:epc:id:sscc:0614141.1234567890";
const std::string kPallet = "urn:epc:id:sscc:0614141.1234567891";
const std::string kBonded = "urn:epc:id:sgln:0012345.22222.0";  // the warehouse's
const std::string kZone = "urn:epc:id:sgln:0012345.33333.0";    // the platform's, kind bonded_zone
const std::string kShop = "urn:epc:id:sgln:0012345.11111.0";    // the retailer's store

std::string S(const Value& m, const std::string& k) {
  const Value* v = m.Find(k);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

void Setup(Chain& c) {
  c.Init({{"brand", {Role::kBrand, Role::kManufacturer}},
          {"forwarder", {Role::kForwarder, Role::kExporter}},
          {"broker", {Role::kCustomsBroker}},
          {"platform", {Role::kPlatform}},
          {"customs", {Role::kCustoms}},
          {"inspector", {Role::kInspector}},
          {"warehouse", {Role::kBondedWarehouse}},
          {"retail", {Role::kRetailer}}});
  REQUIRE(Ok(
      c.Call("brand/admin", "prov", "register_product",
             Value::Map{{"gtin", kGtin}, {"name", "Infant formula"}, {"origin_country", "NZ"}})));
  REQUIRE(Ok(c.Call("warehouse/admin", "prov", "register_location",
                    Value::Map{{"gln", kBonded}, {"name", "Bonded warehouse"}})));
  REQUIRE(Ok(c.Call("platform/admin", "prov", "register_location",
                    Value::Map{{"gln", kZone}, {"name", "Zone gate"}, {"kind", "bonded_zone"}})));
  REQUIRE(Ok(c.Call("retail/admin", "prov", "register_location",
                    Value::Map{{"gln", kShop}, {"name", "Store"}, {"kind", "store"}})));
  REQUIRE(Ok(Capture(
      c, "brand/admin",
      {Ev("ObjectEvent", "ADD", "commissioning", {kTin1, kTin2, kTin3}, "2023-11-10T08:00:00Z")})));
}

void RefusedNoChange(Chain& c, const std::function<Receipt()>& act, const std::string& needle) {
  const auto before = Snapshot(c);
  Receipt r = act();
  INFO(r.reason);
  CHECK(r.status == TxStatus::kRejected);
  CHECK(r.reason.find(needle) != std::string::npos);
  CHECK(Snapshot(c) == before);
}

Value Items(const std::vector<std::string>& ids) { return Value::List(ids.begin(), ids.end()); }

Value Declare(const std::string& no, const std::string& mode, const std::vector<std::string>& items,
              const std::string& declared_time = "") {
  Value::Map m{{"declaration_no", no},     {"mode", mode},
               {"order_no", "ORD-" + no},  {"payment_no", "PAY-" + no},
               {"waybill_no", "WB-" + no}, {"items", Items(items)}};
  if (!declared_time.empty()) m["declared_time"] = declared_time;
  return Value(std::move(m));
}

Value Release(const std::string& no, const std::string& release_time = "") {
  Value::Map m{{"declaration_no", no}};
  if (!release_time.empty()) m["release_time"] = release_time;
  return Value(std::move(m));
}

nlohmann::json At(nlohmann::json e, const std::string& loc) {
  e["bizLocation"] = {{"id", loc}};
  return e;
}

nlohmann::json Sale(const std::vector<std::string>& ids, const std::string& time) {
  auto e = Ev("ObjectEvent", "OBSERVE", "retail_selling", ids, time);
  e["disposition"] = "retail_sold";
  return e;
}

nlohmann::json ShipTo(const std::vector<std::string>& ids, const std::string& dest,
                      const std::string& time) {
  auto e = Ev("ObjectEvent", "OBSERVE", "shipping", ids, time);
  e["destinationList"] = {{{"type", "location"}, {"destination", dest}}};
  return e;
}

// The brand ships the tins to the bonded warehouse, which stores them there.
void StoreBonded(Chain& c, const std::vector<std::string>& ids) {
  REQUIRE(Ok(Handover(c, "brand/admin", "forwarder", ids)));
  REQUIRE(Ok(Capture(c, "forwarder/admin", {ShipTo(ids, kBonded, "2023-11-12T08:00:00Z")})));
  REQUIRE(Ok(Capture(
      c, "warehouse/admin",
      {At(Ev("ObjectEvent", "OBSERVE", "storing", ids, "2023-11-13T08:00:00Z"), kBonded)})));
}

bool Bonded(Chain& c, const std::string& id) {
  auto obj = GetObject(c.state, id);
  return obj.ok() && obj->has_value() && (*obj)->Find("bonded") != nullptr &&
         (*obj)->Find("bonded")->is_map();
}

TEST_CASE(
    "finding 2: goods in a bonded warehouse are under customs control without a declaration") {
  Chain c;
  Setup(c);
  StoreBonded(c, {kTin1, kTin2});
  CHECK(StateOf(c, kTin1) == "IN_BONDED_WAREHOUSE");
  CHECK(Bonded(c, kTin1));
  // No declaration exists; still no sale, no shelf, no shipping out, no custody to a shop.
  REQUIRE(Ok(Handover(c, "warehouse/admin", "platform", {kTin1})));  // a bonded-regime org
  RefusedNoChange(
      c, [&] { return Capture(c, "platform/admin", {Sale({kTin1}, "2023-11-14T09:00:00Z")}); },
      "rule prov-bonded-unreleased");
  RefusedNoChange(
      c,
      [&] {
        return Capture(c, "platform/admin",
                       {Ev("ObjectEvent", "OBSERVE", "stocking", {kTin1}, "2023-11-14T09:00:00Z")});
      },
      "rule prov-bonded-unreleased");
  RefusedNoChange(
      c,
      [&] {
        return c.Call("warehouse/admin", "prov", "transfer_custody",
                      Value::Map{{"items", Items({kTin2})}, {"to", "retail"}});
      },
      "rule prov-bonded-unreleased");
  REQUIRE(Ok(Handover(c, "warehouse/admin", "forwarder", {kTin2})));
  RefusedNoChange(
      c,
      [&] {
        return Capture(c, "forwarder/admin", {ShipTo({kTin2}, kShop, "2023-11-14T09:00:00Z")});
      },
      "rule prov-bonded-unreleased");
  RefusedNoChange(
      c,
      [&] {
        return Capture(c, "forwarder/admin",
                       {Ev("ObjectEvent", "OBSERVE", "shipping", {kTin2}, "2023-11-14T09:00:00Z")});
      },
      "rule prov-bonded-unreleased");
  // Within the bonded regime goods may move: to another bonded location.
  REQUIRE(Ok(Capture(c, "forwarder/admin", {ShipTo({kTin2}, kZone, "2023-11-14T09:00:00Z")})));
  CHECK(StateOf(c, kTin2) == "IN_TRANSIT");
  CHECK(Bonded(c, kTin2));
  // Receiving at a location of kind bonded_zone (not a warehouse's) brings goods under control.
  REQUIRE(Ok(Handover(c, "brand/admin", "platform", {kTin3})));
  REQUIRE(Ok(Capture(
      c, "platform/admin",
      {At(Ev("ObjectEvent", "OBSERVE", "arriving", {kTin3}, "2023-11-14T09:00:00Z"), kZone)})));
  CHECK(Bonded(c, kTin3));
  RefusedNoChange(
      c, [&] { return Capture(c, "platform/admin", {Sale({kTin3}, "2023-11-14T10:00:00Z")}); },
      "rule prov-bonded-unreleased");
  // A release covers them: then they may be sold.
  REQUIRE(Ok(c.Call("platform/admin", "prov", "customs_declare",
                    Declare("D-1", "1210", {kTin3}, "2023-11-14T12:00:00Z"))));
  REQUIRE(Ok(
      c.Call("customs/admin", "prov", "customs_release", Release("D-1", "2023-11-14T13:00:00Z"))));
  CHECK_FALSE(Bonded(c, kTin3));
  REQUIRE(Ok(Capture(c, "platform/admin", {Sale({kTin3}, "2023-11-14T14:00:00Z")})));
  CHECK(StateOf(c, kTin3) == "SOLD");
}

TEST_CASE("goods made from bonded goods stay under customs control") {
  Chain c;
  Setup(c);
  StoreBonded(c, {kTin1});
  REQUIRE(Ok(Handover(c, "warehouse/admin", "platform", {kTin1})));
  const std::string gift = "https://id.gs1.org/01/09521234543213/21/G1";  // an unregistered GTIN
  nlohmann::json repack = {{"type", "TransformationEvent"},   {"eventTime", "2023-11-14T09:00:00Z"},
                           {"eventTimeZoneOffset", "+00:00"}, {"bizStep", "repackaging"},
                           {"inputEPCList", {kTin1}},         {"outputEPCList", {gift}}};
  REQUIRE(Ok(Capture(c, "brand/admin", {repack})) == false);  // the brand holds no input
  REQUIRE(Ok(Capture(c, "platform/admin", {repack})));
  CHECK(Bonded(c, gift));
  RefusedNoChange(
      c, [&] { return Capture(c, "platform/admin", {Sale({gift}, "2023-11-14T10:00:00Z")}); },
      "rule prov-bonded-unreleased");
}

TEST_CASE("finding 3: a case's declaration covers what it held at the declaration's time") {
  Chain c;
  Setup(c);
  auto pack = Ev("AggregationEvent", "ADD", "packing", {kTin1, kTin2}, "2023-11-14T08:00:00Z");
  pack["parentID"] = kCase;
  REQUIRE(Ok(Capture(c, "brand/admin", {pack})));
  auto unpack =
      Ev("AggregationEvent", "DELETE", "unpacking", {kTin1, kTin2}, "2023-11-14T18:00:00Z");
  unpack["parentID"] = kCase;
  REQUIRE(Ok(Capture(c, "brand/admin", {unpack})));  // recorded before the declaration
  REQUIRE(Ok(EngageBroker(c, "brand", "broker")));
  // Declared at 12:00: the tins were in the case then, so they are held although unpacked since.
  REQUIRE(Ok(c.Call("broker/admin", "prov", "customs_declare",
                    Declare("D-3", "9610", {kCase}, "2023-11-14T12:00:00Z"))));
  CHECK(StateOf(c, kTin1) == "CUSTOMS_HOLD");
  CHECK(StateOf(c, kTin2) == "CUSTOMS_HOLD");
  auto rec = GetCustoms(c.state, "D-3");
  REQUIRE((rec.ok() && rec->has_value()));
  CHECK((*rec)->Find("covered")->as_list().size() == 3);
  RefusedNoChange(
      c,
      [&] {
        return c.Call("brand/admin", "prov", "transfer_custody",
                      Value::Map{{"items", Items({kTin1})}, {"to", "retail"}});
      },
      "under customs control");
  // A case declared after the unpacking (by the events' own times) holds only the case.
  const std::string case2 = "urn:epc:id:sscc:0614141.1234567892";
  auto pack2 = Ev("AggregationEvent", "ADD", "packing", {kTin3}, "2023-11-14T08:00:00Z");
  pack2["parentID"] = case2;
  REQUIRE(Ok(Capture(c, "brand/admin", {pack2})));
  auto unpack2 = Ev("AggregationEvent", "DELETE", "unpacking", {kTin3}, "2023-11-14T10:00:00Z");
  unpack2["parentID"] = case2;
  REQUIRE(Ok(Capture(c, "brand/admin", {unpack2})));
  REQUIRE(Ok(c.Call("broker/admin", "prov", "customs_declare",
                    Declare("D-4", "9610", {case2}, "2023-11-14T12:00:00Z"))));
  CHECK(StateOf(c, kTin3) == "PACKED");
  CHECK(StateOf(c, case2) == "CUSTOMS_HOLD");
  // The release covers what the declaration covered; unpacked items keep that coverage.
  REQUIRE(Ok(
      c.Call("customs/admin", "prov", "customs_release", Release("D-3", "2023-11-14T20:00:00Z"))));
  CHECK(StateOf(c, kTin1) == "RELEASED");
  CHECK(StateOf(c, kTin2) == "RELEASED");
}

TEST_CASE("finding 3: nested containers are covered recursively at the declaration's time") {
  Chain c;
  Setup(c);
  auto pack = Ev("AggregationEvent", "ADD", "packing", {kTin1, kTin2}, "2023-11-14T08:00:00Z");
  pack["parentID"] = kCase;
  auto onto = Ev("AggregationEvent", "ADD", "packing", {kCase}, "2023-11-14T08:30:00Z");
  onto["parentID"] = kPallet;
  REQUIRE(Ok(Capture(c, "brand/admin", {pack, onto})));
  auto late = Ev("AggregationEvent", "ADD", "packing", {kTin3}, "2023-11-14T15:00:00Z");
  late["parentID"] = kPallet;
  REQUIRE(Ok(Capture(c, "brand/admin", {late})));
  REQUIRE(Ok(EngageBroker(c, "brand", "broker")));
  REQUIRE(Ok(c.Call("broker/admin", "prov", "customs_declare",
                    Declare("D-5", "9610", {kPallet}, "2023-11-14T12:00:00Z"))));
  CHECK(StateOf(c, kTin1) == "CUSTOMS_HOLD");
  CHECK(StateOf(c, kTin2) == "CUSTOMS_HOLD");
  CHECK(StateOf(c, kCase) == "CUSTOMS_HOLD");
  CHECK(StateOf(c, kTin3) == "PACKED");  // packed after the declaration's time
}

TEST_CASE("finding 4: customs times are the records' own; events are ordered against them") {
  Chain c;
  Setup(c);
  StoreBonded(c, {kTin1, kTin2});
  REQUIRE(Ok(Handover(c, "warehouse/admin", "platform", {kTin1, kTin2})));
  // Times out of tolerance, malformed, or a release before its declaration: refused.
  RefusedNoChange(
      c,
      [&] {
        return c.Call("platform/admin", "prov", "customs_declare",
                      Declare("D-6", "1210", {kTin1}, "2023-11-14T23:00:00Z"));
      },
      "rule prov-customs-time: declared_time 2023-11-14T23:00:00Z is more than 10 minutes after");
  RefusedNoChange(
      c,
      [&] {
        return c.Call("platform/admin", "prov", "customs_declare",
                      Declare("D-6", "1210", {kTin1}, "2022-09-01T00:00:00Z"));
      },
      "rule prov-customs-time: declared_time 2022-09-01T00:00:00Z is more than 400 days before");
  RefusedNoChange(
      c,
      [&] {
        return c.Call("platform/admin", "prov", "customs_declare",
                      Declare("D-6", "1210", {kTin1}, "yesterday"));
      },
      "declared_time: an ISO 8601 time");
  REQUIRE(Ok(c.Call("platform/admin", "prov", "customs_declare",
                    Declare("D-6", "1210", {kTin1}, "2023-11-14T12:00:00+08:00"))));
  RefusedNoChange(
      c,
      [&] {
        return c.Call("customs/admin", "prov", "customs_release",
                      Release("D-6", "2023-11-14T03:00:00Z"));
      },
      "rule prov-customs-time: release_time 2023-11-14T03:00:00Z is before the declaration's time");
  RefusedNoChange(
      c,
      [&] {
        return c.Call("customs/admin", "prov", "customs_release",
                      Release("D-6", "2023-11-15T03:00:00Z"));
      },
      "rule prov-customs-time");
  REQUIRE(Ok(
      c.Call("customs/admin", "prov", "customs_release", Release("D-6", "2023-11-14T21:00:00Z"))));
  auto rec = GetCustoms(c.state, "D-6");
  CHECK(S(**rec, "declared_time") == "2023-11-14T12:00:00+08:00");
  CHECK(S(**rec, "released_time") == "2023-11-14T21:00:00Z");
  // A sale dated before the release: refused; shipping dated during the declaration: refused.
  RefusedNoChange(
      c, [&] { return Capture(c, "platform/admin", {Sale({kTin1}, "2023-11-14T20:30:00Z")}); },
      "rule prov-before-release");
  RefusedNoChange(
      c,
      [&] {
        return Capture(c, "platform/admin", {ShipTo({kTin1}, kShop, "2023-11-14T10:00:00Z")});
      },
      "rule prov-before-release");
  REQUIRE(Ok(Capture(c, "platform/admin", {Sale({kTin1}, "2023-11-14T21:30:00Z")})));
  // A shop sale of goods still bonded (tin 2 was never declared): refused.
  RefusedNoChange(
      c, [&] { return Capture(c, "platform/admin", {Sale({kTin2}, "2023-11-14T21:30:00Z")}); },
      "rule prov-bonded-unreleased");
}

TEST_CASE(
    "the 1210 journey: bonded receipt, per-order declaration, release, sale; shortcuts refused") {
  Chain c;
  Setup(c);
  auto pack =
      Ev("AggregationEvent", "ADD", "packing", {kTin1, kTin2, kTin3}, "2023-11-10T09:00:00Z");
  pack["parentID"] = kPallet;
  REQUIRE(Ok(Capture(c, "brand/admin", {pack})));
  StoreBonded(c, {kPallet});
  for (const auto& t : {kTin1, kTin2, kTin3}) CHECK(Bonded(c, t));
  // A consumer orders tin 1. Shortcuts before any declaration:
  REQUIRE(Ok(Handover(c, "warehouse/admin", "platform", {kPallet})));
  RefusedNoChange(
      c, [&] { return Capture(c, "platform/admin", {Sale({kTin1}, "2023-11-14T10:00:00Z")}); },
      "rule prov-bonded-unreleased");
  RefusedNoChange(
      c,
      [&] {
        return c.Call("platform/admin", "prov", "transfer_custody",
                      Value::Map{{"items", Items({kTin1})}, {"to", "retail"}});
      },
      "rule prov-bonded-unreleased");
  // Declaring: only the declarant (broker or platform of the goods), with the three documents, as
  // 1210 (not 9610) for bonded goods.
  for (const char* who : {"customs/admin", "warehouse/admin", "retail/admin", "brand/admin"}) {
    RefusedNoChange(
        c, [&] { return c.Call(who, "prov", "customs_declare", Declare("O-1", "1210", {kTin1})); },
        "lacks role CUSTOMS_BROKER or PLATFORM");
  }
  RefusedNoChange(
      c,
      [&] {
        return c.Call("broker/admin", "prov", "customs_declare", Declare("O-1", "1210", {kTin1}));
      },
      "rule customs-engagement");
  RefusedNoChange(
      c,
      [&] {
        return c.Call("platform/admin", "prov", "customs_declare", Declare("O-1", "9610", {kTin1}));
      },
      "rule prov-9610-direct");
  Value no_waybill = Declare("O-1", "1210", {kTin1});
  no_waybill.as_map().erase("waybill_no");
  RefusedNoChange(
      c, [&] { return c.Call("platform/admin", "prov", "customs_declare", no_waybill); },
      "waybill_no");
  // The order's item is unpacked and declared by the platform with the order / payment / waybill.
  auto unpack = Ev("AggregationEvent", "DELETE", "unpacking", {kTin1}, "2023-11-14T09:00:00Z");
  unpack["parentID"] = kPallet;
  REQUIRE(Ok(Capture(c, "platform/admin", {unpack})));
  REQUIRE(Ok(c.Call("platform/admin", "prov", "customs_declare",
                    Declare("O-1", "1210", {kTin1}, "2023-11-14T10:00:00Z"))));
  auto decl = GetCustoms(c.state, "O-1");
  CHECK(S(**decl, "order_no") == "ORD-O-1");
  CHECK(S(**decl, "payment_no") == "PAY-O-1");
  CHECK(S(**decl, "waybill_no") == "WB-O-1");
  CHECK(StateOf(c, kTin1) == "CUSTOMS_HOLD");
  RefusedNoChange(
      c, [&] { return Capture(c, "platform/admin", {Sale({kTin1}, "2023-11-14T11:00:00Z")}); },
      "under customs control");
  // Only customs releases.
  for (const char* who : {"platform/admin", "broker/admin", "warehouse/admin"}) {
    RefusedNoChange(
        c, [&] { return c.Call(who, "prov", "customs_release", Release("O-1")); },
        "lacks role CUSTOMS");
  }
  REQUIRE(Ok(
      c.Call("customs/admin", "prov", "customs_release", Release("O-1", "2023-11-14T11:00:00Z"))));
  CHECK(StateOf(c, kTin1) == "RELEASED");
  // Delivery to the consumer, then the sale, each dated after the release.
  RefusedNoChange(
      c, [&] { return Capture(c, "platform/admin", {Sale({kTin1}, "2023-11-14T10:30:00Z")}); },
      "rule prov-before-release");
  REQUIRE(Ok(Capture(c, "platform/admin",
                     {Ev("ObjectEvent", "OBSERVE", "shipping", {kTin1}, "2023-11-14T12:00:00Z"),
                      Sale({kTin1}, "2023-11-14T12:00:00Z")})));
  CHECK(StateOf(c, kTin1) == "SOLD");
  // The rest of the pallet stays under control.
  RefusedNoChange(
      c, [&] { return Capture(c, "platform/admin", {Sale({kTin2}, "2023-11-14T12:00:00Z")}); },
      "rule prov-bonded-unreleased");
  auto trace = Trace(c.state, kTin1, 0);
  REQUIRE(trace.ok());
  CHECK(trace->Find("customs")->Find("status")->as_string() == "RELEASED");
}

TEST_CASE("the 9610 journey: a parcel declared with its three documents, released, delivered") {
  Chain c;
  Setup(c);
  REQUIRE(Ok(Handover(c, "brand/admin", "forwarder", {kTin1})));
  REQUIRE(Ok(Capture(c, "forwarder/admin",
                     {Ev("ObjectEvent", "OBSERVE", "shipping", {kTin1}, "2023-11-13T08:00:00Z")})));
  REQUIRE(Ok(EngageBroker(c, "forwarder", "broker")));
  // Not stored bonded: 1210 is refused; 9610 is the mode.
  RefusedNoChange(
      c,
      [&] {
        return c.Call("broker/admin", "prov", "customs_declare", Declare("P-1", "1210", {kTin1}));
      },
      "rule prov-1210-bonded");
  REQUIRE(Ok(c.Call("broker/admin", "prov", "customs_declare",
                    Declare("P-1", "9610", {kTin1}, "2023-11-14T08:00:00Z"))));
  REQUIRE(Ok(
      c.Call("customs/admin", "prov", "customs_release", Release("P-1", "2023-11-14T09:00:00Z"))));
  REQUIRE(Ok(Handover(c, "forwarder/admin", "platform", {kTin1})));
  RefusedNoChange(
      c, [&] { return Capture(c, "platform/admin", {Sale({kTin1}, "2023-11-14T08:30:00Z")}); },
      "rule prov-before-release");
  REQUIRE(Ok(Capture(c, "platform/admin", {Sale({kTin1}, "2023-11-14T10:00:00Z")})));
}

TEST_CASE("inspection verdicts: an inspector's inspecting event sets the lot's conformance") {
  Chain c;
  Setup(c);
  StoreBonded(c, {kTin1, kTin2});
  auto verdict = [](const std::vector<std::string>& ids, const std::string& disp) {
    auto e = Ev("ObjectEvent", "OBSERVE", "inspecting", ids, "2023-11-14T08:00:00Z");
    e["disposition"] = disp;
    return e;
  };
  // Only an INSPECTOR (or CUSTOMS) records a verdict.
  for (const char* who : {"warehouse/admin", "brand/admin", "platform/admin"}) {
    RefusedNoChange(
        c, [&] { return Capture(c, who, {verdict({kTin1}, "conformant")}); },
        "rule prov-inspector");
  }
  REQUIRE(Ok(Capture(c, "inspector/admin", {verdict({kTin1}, "non_conformant")})));
  auto lot = GetLot(c.state, kLot);
  REQUIRE((lot.ok() && lot->has_value()));
  CHECK(S(**lot, "conformance") == "non_conformant");
  CHECK((*lot)->Find("inspections")->as_list().size() == 1);
  // A non-conformant lot is not released, nor sold.
  REQUIRE(Ok(Handover(c, "warehouse/admin", "platform", {kTin1, kTin2})));
  REQUIRE(Ok(c.Call("platform/admin", "prov", "customs_declare",
                    Declare("O-2", "1210", {kTin2}, "2023-11-14T09:00:00Z"))));
  RefusedNoChange(
      c, [&] { return c.Call("customs/admin", "prov", "customs_release", Release("O-2")); },
      "rule prov-non-conformant");
  // A later conformant verdict (lot-level, by quantity) lifts it.
  auto lot_level = Ev("ObjectEvent", "OBSERVE", "inspecting", {}, "2023-11-14T10:00:00Z");
  lot_level["disposition"] = "conformant";
  lot_level["quantityList"] = {
      {{"epcClass", "urn:epc:class:lgtin:0614141.107346.L1"}, {"quantity", 1}}};
  REQUIRE(Ok(Capture(c, "customs/admin", {lot_level})));
  CHECK(S(**GetLot(c.state, kLot), "conformance") == "conformant");
  REQUIRE(Ok(c.Call("customs/admin", "prov", "customs_release", Release("O-2"))));
  // An inspecting event without a verdict stays timeline only, by anyone who may record it.
  REQUIRE(
      Ok(Capture(c, "platform/admin",
                 {Ev("ObjectEvent", "OBSERVE", "inspecting", {kTin2}, "2023-11-14T11:00:00Z")})));
  CHECK(S(**GetLot(c.state, kLot), "conformance") == "conformant");
}

}  // namespace
}  // namespace tidemark::contracts
