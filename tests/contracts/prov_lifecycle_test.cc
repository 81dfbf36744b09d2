// The item lifecycle: a 1210 bonded import walked from commissioning abroad to retail sale through
// every role, a recall reaching the item through its pallet, and every forbidden transition.
#include <catch2/catch.hpp>

#include "prov_util.h"
#include "tidemark/contracts/gs1.h"

namespace tidemark::contracts {
namespace {

using namespace testing;

const std::string kGtin = "10614141073464";
const std::string kItemA = "https://id.gs1.org/01/10614141073464/10/L1/21/A1";
const std::string kItemB = "https://id.gs1.org/01/10614141073464/10/L2/21/B1";
const std::string kPallet = "urn:epc:id:sscc:0614141.1234567890";
const std::string kLot1 = "/01/10614141073464/10/L1";
const std::string kLot2 = "/01/10614141073464/10/L2";
const std::string kShop = "urn:epc:id:sgln:0012345.11111.0";
const std::string kBonded = "urn:epc:id:sgln:0012345.22222.0";

std::string Canon(const std::string& id) { return *CanonicalId(id); }

Value Declare(const std::string& no, const std::string& mode, std::vector<std::string> items) {
  Value::List l(items.begin(), items.end());
  return Value::Map{{"declaration_no", no},  {"mode", mode},         {"order_no", "ORD-1"},
                    {"payment_no", "PAY-1"}, {"waybill_no", "WB-1"}, {"items", Value(l)},
                    {"origin_country", "FR"}};
}

Value Cert(const std::string& id, const std::string& result, const std::string& lot) {
  return Value::Map{{"certificate_id", id},
                    {"result", result},
                    {"report_sha256", std::string(64, 'a')},
                    {"issue_date", "2024-02-01"},
                    {"expiry_date", "2025-02-01"},
                    {"lots", Value::List{lot}}};
}

Value Decl(const std::string& no) { return Value::Map{{"declaration_no", no}}; }

nlohmann::json Sale(const std::string& id, const std::string& time = "2024-03-01T10:00:00Z") {
  auto e = Ev("ObjectEvent", "OBSERVE", "retail_selling", {id}, time);
  e["disposition"] = "retail_sold";
  return e;
}

// Master data, commissioning of A (lot L1) and B (lot L2), packing on the pallet.
void CommissionAndPack(Chain& c) {
  REQUIRE(Ok(c.Call("brand/admin", "prov", "register_product",
                    Value::Map{{"gtin", kGtin},
                               {"name", "Face cream 50 ml"},
                               {"origin_country", "FR"},
                               {"company_prefix_length", 7}})));
  REQUIRE(Ok(c.Call("brand/admin", "prov", "register_lot",
                    Value::Map{{"gtin", kGtin},
                               {"lot", "L1"},
                               {"production_date", "2024-01-10"},
                               {"expiry_date", "2027-01-10"}})));
  auto commission =
      Ev("ObjectEvent", "ADD", "commissioning", {kItemA, kItemB}, "2024-01-15T08:00:00+01:00");
  commission["bizLocation"] = {{"id", "urn:epc:id:sgln:0614141.00888.0"}};
  REQUIRE(Ok(Capture(c, "brand/admin", {commission})));
  auto pack = Ev("AggregationEvent", "ADD", "packing", {kItemA, kItemB});
  pack["parentID"] = kPallet;
  REQUIRE(Ok(Capture(c, "brand/admin", {pack})));
}

TEST_CASE("a 1210 import walks from commissioning abroad to retail sale, recall reaches it") {
  Chain c;
  Consortium(c);
  CommissionAndPack(c);
  CHECK(StateOf(c, kItemA) == "PACKED");
  // The bonded warehouse and the shop are registered: the forwarder's shipping events name them
  // as destinations, which offers the goods' custody to their organisations.
  REQUIRE(Ok(c.Call("warehouse/admin", "prov", "register_location",
                    Value::Map{{"gln", kBonded}, {"name", "Bonded warehouse"}})));
  REQUIRE(Ok(c.Call("retail/admin", "prov", "register_party",
                    Value::Map{{"id", "retail-shop-1"}, {"name", "Retail shop"}})));
  // The brand hands the pallet (and what it holds) over to the forwarder, who accepts it.
  REQUIRE(Ok(Handover(c, "brand/admin", "forwarder", {kPallet})));
  CHECK(CustodyOf(c, kItemA) == "forwarder");
  auto export_ship = Ev("ObjectEvent", "OBSERVE", "shipping", {kPallet});
  export_ship["destinationList"] = {{{"type", "location"}, {"destination", kBonded}}};
  REQUIRE(Ok(Capture(c, "forwarder/admin", {export_ship})));
  CHECK(StateOf(c, kItemA) == "IN_TRANSIT");
  CHECK(StateOf(c, kItemB) == "IN_TRANSIT");
  // 1210 as it works: the pallet is stored in the bonded warehouse (under customs control), then
  // one consumer order's item is declared with its order / payment / waybill, released, shipped.
  auto store = Ev("ObjectEvent", "OBSERVE", "storing", {kPallet});
  store["bizLocation"] = {{"id", kBonded}};
  REQUIRE(Ok(Capture(c, "warehouse/admin", {store})));
  CHECK(StateOf(c, kItemA) == "IN_BONDED_WAREHOUSE");
  CHECK(CustodyOf(c, kItemA) == "warehouse");
  auto unpack = Ev("AggregationEvent", "DELETE", "unpacking", {kItemA});
  unpack["parentID"] = kPallet;
  REQUIRE(Ok(Capture(c, "warehouse/admin", {unpack})));
  REQUIRE(Ok(EngageBroker(c, "warehouse", "broker")));  // the holder engages the broker
  REQUIRE(
      Ok(c.Call("broker/admin", "prov", "customs_declare", Declare("D-1210-1", "1210", {kItemA}))));
  CHECK(StateOf(c, kItemA) == "CUSTOMS_HOLD");
  REQUIRE(Ok(c.Call("customs/admin", "prov", "customs_inspect", Decl("D-1210-1"))));
  CHECK(StateOf(c, kItemA) == "INSPECTED");
  REQUIRE(Ok(c.Call("inspector/admin", "prov", "certify", Cert("C-1", "conformant", kLot1))));
  REQUIRE(Ok(c.Call("customs/admin", "prov", "customs_release", Decl("D-1210-1"))));
  CHECK(StateOf(c, kItemA) == "RELEASED");
  CHECK(CustodyOf(c, kItemA) == "warehouse");
  REQUIRE(Ok(Handover(c, "warehouse/admin", "forwarder", {kItemA})));
  auto to_shop = Ev("ObjectEvent", "OBSERVE", "shipping", {kItemA});
  to_shop["destinationList"] = {
      {{"type", "urn:epcglobal:cbv:sdt:possessing_party"}, {"destination", "retail-shop-1"}}};
  REQUIRE(Ok(Capture(c, "forwarder/admin", {to_shop})));
  auto receive = Ev("ObjectEvent", "OBSERVE", "receiving", {kItemA});
  receive["bizLocation"] = {{"id", kShop}};
  REQUIRE(Ok(Capture(c, "retail/admin", {receive})));
  CHECK(StateOf(c, kItemA) == "RECEIVED");
  REQUIRE(Ok(Capture(c, "retail/admin", {Ev("ObjectEvent", "OBSERVE", "stocking", {kItemA})})));
  CHECK(StateOf(c, kItemA) == "ON_SHELF");
  REQUIRE(Ok(Capture(c, "retail/admin", {Sale(kItemA)})));
  CHECK(StateOf(c, kItemA) == "SOLD");
  REQUIRE(Ok(c.Call("retail/service", "prov", "scan", Value::Map{{"code", kItemA}})));
  {
    auto once = Trace(c.state, kItemA, 0);
    REQUIRE(once.ok());
    const Value& w = once->Find("warnings")->as_list().back();
    CHECK(w.Find("kind")->as_string() == "scanned");
    CHECK(w.Find("params")->Find("count")->as_int() == 1);
  }
  REQUIRE(Ok(c.Call("retail/service", "prov", "scan", Value::Map{{"code", kItemA}})));

  auto trace = Trace(c.state, "/01/10614141073464/21/A1", 0);
  REQUIRE(trace.ok());
  const Value& t = *trace;
  CHECK(t.Find("product")->Find("name")->as_string() == "Face cream 50 ml");
  CHECK(t.Find("origin_country")->as_string() == "FR");
  CHECK(t.Find("digital_link")->as_string() == kItemA);
  CHECK(t.Find("customs")->Find("mode")->as_string() == "1210");
  CHECK(t.Find("customs")->Find("status")->as_string() == "RELEASED");
  CHECK(t.Find("certificates")->as_list().size() == 1);
  CHECK(t.Find("custody")->as_string() == "retail");
  CHECK(t.Find("location")->as_string() == Canon(kShop));
  const auto& timeline = t.Find("timeline")->as_list();
  std::vector<std::string> states;
  for (const auto& e : timeline) {
    CHECK(e.Find("tx")->as_string().size() == 64);
    CHECK(e.Find("height")->as_int() > 0);
    states.push_back(e.Find("state")->as_string());
  }
  // (the handovers — offered, accepted — are on the timeline with the state they left unchanged)
  CHECK(states == std::vector<std::string>{"COMMISSIONED", "PACKED", "PACKED", "PACKED",
                                           "IN_TRANSIT", "IN_BONDED_WAREHOUSE",
                                           "IN_BONDED_WAREHOUSE", "CUSTOMS_HOLD", "INSPECTED",
                                           "RELEASED", "RELEASED", "RELEASED", "IN_TRANSIT",
                                           "RECEIVED", "ON_SHELF", "SOLD"});
  CHECK(timeline[2].Find("type")->as_string() == "custody");
  CHECK(timeline[2].Find("action")->as_string() == "OFFERED");
  CHECK(timeline[3].Find("action")->as_string() == "ACCEPTED");
  CHECK(timeline[4].Find("via")->as_string() == Canon(kPallet));
  std::vector<std::string> warnings;  // structured {kind, params}, derived from the records read
  for (const auto& w : t.Find("warnings")->as_list())
    warnings.push_back(w.Find("kind")->as_string());
  REQUIRE(warnings == std::vector<std::string>{"sold", "scanned"});
  CHECK(t.Find("warnings")->as_list()[0].Find("params")->Find("time")->as_string() ==
        timeline.back().Find("eventTime")->as_string());  // when it was sold, not a height
  CHECK(t.Find("warnings")->as_list()[1].Find("params")->Find("count")->as_int() == 2);
  CHECK(t.Find("contained_in")->as_list() == Value::List{Canon(kPallet)});
  CHECK(t.Find("state_keys")->as_list().size() >= 6);

  // A recall of lot L2 (item B) reaches item A through the pallet they were packed on.
  REQUIRE(Ok(c.Call("brand/admin", "prov", "recall",
                    Value::Map{{"lot", "urn:epc:class:lgtin:0614141.107346.L2"},
                               {"reason", "contamination"},
                               {"recall_id", "R-1"}})));
  auto a = GetObject(c.state, kItemA);
  const Value* rec = (*a)->Find("recalled");
  REQUIRE(rec->is_map());
  CHECK(rec->Find("via")->as_string() == Canon(kPallet));
  CHECK(StateOf(c, kItemA) == "SOLD");  // sold items keep their state and get the flag
  CHECK(StateOf(c, kItemB) == "RECALLED");
  CHECK(StateOf(c, kPallet) == "RECALLED");
  auto after = Trace(c.state, kItemA, 0);
  const Value& recall = after->Find("warnings")->as_list()[0];
  CHECK(recall.Find("kind")->as_string() == "recalled");
  CHECK(recall.Find("params")->Find("recall_id")->as_string() == "R-1");
}

TEST_CASE("forbidden transitions are refused with the rule broken") {
  Chain c;
  Consortium(c);
  CommissionAndPack(c);
  auto refused = [&](const Receipt& r, const std::string& needle) {
    INFO(r.reason);
    CHECK(r.status == TxStatus::kRejected);
    CHECK(r.reason.find(needle) != std::string::npos);
  };
  // Commissioning twice.
  refused(Capture(c, "brand/admin", {Ev("ObjectEvent", "ADD", "commissioning", {kItemA})}),
          "already commissioned");
  // Only brands / manufacturers commission; only retailers / platforms sell.
  refused(Capture(c, "forwarder/admin",
                  {Ev("ObjectEvent", "ADD", "commissioning",
                      {"https://id.gs1.org/01/10614141073464/21/Z9"})}),
          "PERMISSION_DENIED");
  refused(Capture(c, "forwarder/admin", {Sale(kItemA)}), "lacks role RETAILER or PLATFORM");
  // Packing an item already on another pallet.
  auto repack = Ev("AggregationEvent", "ADD", "packing", {kItemA});
  repack["parentID"] = "urn:epc:id:sscc:0614141.1234567891";
  refused(Capture(c, "brand/admin", {repack}), "is packed in");
  // Customs: roles and status order.
  refused(c.Call("customs/admin", "prov", "customs_declare", Declare("D-1", "1210", {kPallet})),
          "lacks role CUSTOMS_BROKER");
  refused(c.Call("broker/admin", "prov", "customs_declare", Declare("D-1", "1234", {kPallet})),
          "mode: must be");
  REQUIRE(Ok(EngageBroker(c, "brand", "broker")));
  REQUIRE(Ok(c.Call("broker/admin", "prov", "customs_declare", Declare("D-1", "9610", {kPallet}))));
  refused(c.Call("broker/admin", "prov", "customs_release", Decl("D-1")), "lacks role CUSTOMS");
  refused(c.Call("broker/admin", "prov", "customs_declare", Declare("D-2", "9610", {kItemA})),
          "already under declaration D-1");
  // Nothing moves under customs control; no sale before release of a 9610 import.
  refused(Capture(c, "forwarder/admin", {Ev("ObjectEvent", "OBSERVE", "shipping", {kItemA})}),
          "under customs control");
  refused(Capture(c, "retail/admin", {Sale(kItemA)}), "under customs control");
  REQUIRE(Ok(c.Call("customs/admin", "prov", "customs_reject",
                    Value::Map{{"declaration_no", "D-1"}, {"reason", "labels"}})));
  refused(c.Call("customs/admin", "prov", "customs_release", Decl("D-1")),
          "declaration D-1 is REJECTED; it cannot become RELEASED");
  refused(Capture(c, "retail/admin", {Ev("ObjectEvent", "OBSERVE", "stocking", {kItemA})}),
          "rejected by customs");
  REQUIRE(Ok(c.Call("customs/admin", "prov", "customs_return", Decl("D-1"))));
  CHECK(StateOf(c, kItemA) == "RETURNED");
  refused(Capture(c, "retail/admin", {Sale(kItemA)}),
          "no sale before customs release of a 9610 import");

  // A 9610 direct B2C import of a fresh item: no sale before release either.
  const std::string c1 = "https://id.gs1.org/01/10614141073464/10/L1/21/C1";
  REQUIRE(Ok(Capture(c, "brand/admin", {Ev("ObjectEvent", "ADD", "commissioning", {c1})})));
  REQUIRE(Ok(c.Call("broker/admin", "prov", "customs_declare", Declare("D-3", "9610", {c1}))));
  REQUIRE(Ok(c.Call("customs/admin", "prov", "customs_release", Decl("D-3"))));
  REQUIRE(Ok(Handover(c, "brand/admin", "retail", {c1})));  // the shop sells what it holds
  REQUIRE(Ok(Capture(c, "retail/admin", {Sale(c1)})));
  refused(Capture(c, "retail/admin", {Sale(c1)}), "no second sale");
  refused(Capture(c, "retail/admin", {Ev("ObjectEvent", "OBSERVE", "stocking", {c1})}),
          "must be returned before");
  // After destruction nothing may follow.
  REQUIRE(Ok(Capture(c, "retail/admin", {Ev("ObjectEvent", "DELETE", "destroying", {c1})})));
  refused(Capture(c, "retail/admin", {Ev("ObjectEvent", "OBSERVE", "inspecting", {c1})}),
          "was destroyed at height");
  REQUIRE(Ok(EngageBroker(c, "retail", "broker")));  // c1's holder, so that the state decides
  refused(c.Call("broker/admin", "prov", "customs_declare", Declare("D-4", "9710", {c1})),
          "was destroyed");

  // Non-conformant lot, recalled lot, expired lot.
  const std::string d1 = "https://id.gs1.org/01/10614141073464/10/L7/21/D1";
  const std::string e1 = "https://id.gs1.org/01/10614141073464/10/L8/21/E1";
  const std::string f1 = "https://id.gs1.org/01/10614141073464/10/L9/21/F1";
  REQUIRE(Ok(c.Call("brand/admin", "prov", "register_lot",
                    Value::Map{{"gtin", kGtin}, {"lot", "L9"}, {"expiry_date", "2024-02-01"}})));
  REQUIRE(Ok(Capture(c, "brand/admin", {Ev("ObjectEvent", "ADD", "commissioning", {d1, e1, f1})})));
  refused(c.Call("brand/admin", "prov", "certify",
                 Cert("C-9", "non_conformant", "/01/10614141073464/10/L7")),
          "lacks role INSPECTOR");
  REQUIRE(Ok(c.Call("inspector/admin", "prov", "certify",
                    Cert("C-9", "non_conformant", "/01/10614141073464/10/L7"))));
  refused(Capture(c, "retail/admin", {Ev("ObjectEvent", "OBSERVE", "stocking", {d1})}),
          "non-conformant lot");
  refused(Capture(c, "retail/admin", {Sale(d1)}), "no sale of a non-conformant lot");
  REQUIRE(Ok(c.Call("regulator/admin", "prov", "recall",
                    Value::Map{{"lot", "/01/10614141073464/10/L8"}, {"reason", "allergen"}})));
  CHECK(StateOf(c, e1) == "RECALLED");
  refused(Capture(c, "retail/admin", {Sale(e1)}), "recalled");
  refused(c.Call("retail/admin", "prov", "recall",
                 Value::Map{{"lot", "/01/10614141073464/10/L8"}, {"reason", "x"}}),
          "PERMISSION_DENIED");
  refused(Capture(c, "retail/admin", {Sale(f1, "2024-03-01T10:00:00Z")}), "expired lot");
  CHECK(StateOf(c, f1) == "COMMISSIONED");
}

TEST_CASE("scans count per code with a per-block limit, only from service keys") {
  Chain c;
  Consortium(c);
  CommissionAndPack(c);
  Receipt by_admin = c.Call("retail/admin", "prov", "scan", Value::Map{{"code", kItemA}});
  CHECK(by_admin.reason.find("not the service key") != std::string::npos);
  // Three scans in one block are allowed, the fourth is refused.
  ContractRegistry reg = BuiltinContracts();
  KeyPair svc = KeyFor("retail/service");
  std::vector<Receipt> rs;
  for (int i = 0; i < 4; ++i) {
    Transaction tx{.chain_id = "tidemark-test",
                   .nonce = NextNonce(c.state, svc.public_key()),
                   .contract = "prov",
                   .method = "scan",
                   .args = Value(Value::Map{{"code", kItemA}}).Encode()};
    tx.SignWith(svc);
    TxContext ctx{.chain_id = tx.chain_id,
                  .tx_id = tx.Id(),
                  .signer = tx.signer,
                  .height = 100,
                  .block_time_ms = 1800000000000,
                  .index = static_cast<uint32_t>(i)};
    rs.push_back(ApplyTransaction(reg, c.state, tx, ctx));
  }
  CHECK(Ok(rs[0]));
  CHECK(Ok(rs[2]));
  CHECK(rs[3].reason.find("RESOURCE_EXHAUSTED") == 0);
  auto t = Trace(c.state, kItemA, 0);
  CHECK(t->Find("scans")->Find("count")->as_int() == 3);
  CHECK(t->Find("scans")->Find("first_time")->as_string() == "2027-01-15T08:00:00.000Z");
}

TEST_CASE("an item used as a container can be unpacked (regression: no children list)") {
  Chain c;
  Consortium(c);
  CommissionAndPack(c);
  const std::string inner = "https://id.gs1.org/01/10614141073464/21/IN1";
  REQUIRE(Ok(Capture(c, "brand/admin", {Ev("ObjectEvent", "ADD", "commissioning", {inner})})));
  auto unpack = Ev("AggregationEvent", "DELETE", "unpacking", {inner});
  unpack["parentID"] = kItemA;  // a commissioned item that never contained anything
  REQUIRE(Ok(Capture(c, "brand/admin", {unpack})));
  auto pack = Ev("AggregationEvent", "ADD", "packing", {inner});
  pack["parentID"] = kItemA;
  REQUIRE(Ok(Capture(c, "brand/admin", {pack})));
  REQUIRE(Ok(Handover(c, "brand/admin", "forwarder", {kPallet})));
  CHECK(CustodyOf(c, inner) == "forwarder");
  REQUIRE(Ok(Capture(c, "forwarder/admin", {Ev("ObjectEvent", "OBSERVE", "shipping", {kPallet})})));
  CHECK(StateOf(c, inner) == "IN_TRANSIT");  // follows A, which follows the pallet
}

}  // namespace
}  // namespace tidemark::contracts
