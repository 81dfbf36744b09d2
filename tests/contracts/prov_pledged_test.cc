// Rule prov-pledged (docs/finance.md §15): while plg/wr/item/<id> names an ISSUED or PLEDGED
// warehouse receipt, no prov event or method moves the item out; released items move freely.
// The plg rows are written directly here (the wr_* methods are tested in plg_wr_test.cc).
#include <catch2/catch.hpp>

#include "prov_util.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/contracts/state.h"
#include "tidemark/state_keys/pledge.h"

namespace tidemark::contracts {
namespace {

using namespace testing;
namespace pk = tidemark::state_keys::plg;

const std::string kGtin = "10614141073464";
const std::string kItemA = "https://id.gs1.org/01/10614141073464/10/L1/21/A1";
const std::string kItemB = "https://id.gs1.org/01/10614141073464/10/L1/21/B1";
const std::string kPallet = "urn:epc:id:sscc:0614141.1234567890";
const std::string kWr = "wr_0123456789abcdef0123";

std::string Canon(const std::string& id) { return *CanonicalId(id); }

void Commission(Chain& c) {
  REQUIRE(Ok(c.Call("brand/admin", "prov", "register_product",
                    Value::Map{{"gtin", kGtin},
                               {"name", "Face cream 50 ml"},
                               {"origin_country", "FR"},
                               {"company_prefix_length", 7}})));
  auto commission = Ev("ObjectEvent", "ADD", "commissioning", {kItemA, kItemB});
  commission["bizLocation"] = {{"id", "urn:epc:id:sgln:0614141.00888.0"}};
  REQUIRE(Ok(Capture(c, "brand/admin", {commission})));
}

void Pledge(Chain& c, const std::string& item, const std::string& state) {
  PutValue(c.state, pk::Receipt(kWr), Value::Map{{"id", kWr}, {"state", state}});
  PutValue(c.state, pk::ReceiptItem(Canon(item)), Value::Map{{"receipt", kWr}, {"state", state}});
}

void RefusedPledged(Chain& c, const Receipt& r, const std::string& item,
                    const std::map<std::string, Bytes>& before, const std::string& state) {
  INFO(r.reason);
  CHECK(r.status == TxStatus::kRejected);
  CHECK(r.reason.find("FAILED_PRECONDITION") != std::string::npos);
  CHECK(r.reason.find("rule prov-pledged: " + Canon(item) + " is under warehouse receipt " + kWr +
                      " (" + state + ")") != std::string::npos);
  CHECK(Snapshot(c) == before);
}

nlohmann::json Ship(const std::vector<std::string>& ids) {
  return Ev("ObjectEvent", "OBSERVE", "shipping", ids);
}

nlohmann::json Sale(const std::string& id) {
  auto e = Ev("ObjectEvent", "OBSERVE", "retail_selling", {id});
  e["disposition"] = "retail_sold";
  return e;
}

TEST_CASE("prov-pledged: an item under a live receipt does not move out") {
  for (const std::string state : {"ISSUED", "PLEDGED"}) {
    Chain c;
    Consortium(c);
    Commission(c);
    REQUIRE(Ok(Handover(c, "brand/admin", "retail", {kItemA})));
    Pledge(c, kItemA, state);
    const auto before = Snapshot(c);
    RefusedPledged(c, Capture(c, "retail/admin", {Ship({kItemA})}), kItemA, before, state);
    RefusedPledged(c, Capture(c, "retail/admin", {Sale(kItemA)}), kItemA, before, state);
    RefusedPledged(
        c, Capture(c, "retail/admin", {Ev("ObjectEvent", "OBSERVE", "destroying", {kItemA})}),
        kItemA, before, state);
    RefusedPledged(c,
                   c.Call("retail/admin", "prov", "transfer_custody",
                          Value::Map{{"items", Value::List{kItemA}}, {"to", "forwarder"}}),
                   kItemA, before, state);
    // B is free: it ships.
    CHECK(Ok(Capture(c, "brand/admin", {Ship({kItemB})})));
  }
}

TEST_CASE("prov-pledged: a container's contents are checked; released items move freely") {
  Chain c;
  Consortium(c);
  Commission(c);
  auto pack = Ev("AggregationEvent", "ADD", "packing", {kItemA, kItemB});
  pack["parentID"] = kPallet;
  REQUIRE(Ok(Capture(c, "brand/admin", {pack})));
  Pledge(c, kItemB, "PLEDGED");
  const auto before = Snapshot(c);
  RefusedPledged(c, Capture(c, "brand/admin", {Ship({kPallet})}), kItemB, before, "PLEDGED");
  auto unpack = Ev("AggregationEvent", "DELETE", "unpacking", {});
  unpack["parentID"] = kPallet;
  RefusedPledged(c, Capture(c, "brand/admin", {unpack}), kItemB, before, "PLEDGED");
  // The receipt is released: the row names a RELEASED receipt, nothing blocks.
  PutValue(c.state, pk::Receipt(kWr), Value::Map{{"id", kWr}, {"state", "RELEASED"}});
  CHECK(Ok(Capture(c, "brand/admin", {Ship({kPallet})})));
  CHECK(StateOf(c, kItemB) == "IN_TRANSIT");
}

}  // namespace
}  // namespace tidemark::contracts
