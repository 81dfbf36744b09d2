// Issue 19 finding 9 (party and location ids): party ids in PGLN URN and Digital Link /417/ form,
// location ids in every GS1 form, accepted and matched across forms by the prov contract.
#include <catch2/catch.hpp>

#include "prov_util.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/contracts/state.h"
#include "tidemark/state_keys/provenance.h"

namespace tidemark::contracts {
namespace {

using namespace testing;
namespace keys = state_keys::prov;

const std::string kItem = "https://id.gs1.org/01/10614141073464/21/P1";
const std::string kShopPgln = "urn:epc:id:pgln:0614141.00001";  // GLN 0614141000012
const std::string kShopParty = "/417/0614141000012";
const std::string kBondedGln = "0012345222221";

void Commission(Chain& c) {
  auto commission = Ev("ObjectEvent", "ADD", "commissioning", {kItem});
  REQUIRE(Ok(Capture(c, "brand/admin", {commission})));
}

TEST_CASE("issue 19 finding 9: a PGLN party is registered and addressed in any GS1 form") {
  Chain c;
  Consortium(c);
  Commission(c);
  // On 22dc8aa the PGLN URN was refused as a party id.
  Receipt reg = c.Call("retail/admin", "prov", "register_party",
                       Value::Map{{"id", kShopPgln}, {"name", "Retail shop"}});
  INFO(reg.reason);
  REQUIRE(Ok(reg));
  auto party = GetValue(c.state, keys::Party(kShopParty));
  REQUIRE(party.ok());
  REQUIRE(party->has_value());
  CHECK((*party)->Find("id")->as_string() == kShopParty);
  // The same party in its Digital Link form is the same record: another org cannot take it.
  auto before = Snapshot(c);
  Receipt dup = c.Call("brand/admin", "prov", "register_party",
                       Value::Map{{"id", "https://id.gs1.org/417/0614141000012"}, {"name", "X"}});
  CHECK(dup.status == TxStatus::kRejected);
  CHECK(dup.reason.find("party registered by retail") != std::string::npos);
  CHECK(Snapshot(c) == before);
  // A malformed PGLN is a clear error, nothing written.
  Receipt bad = c.Call("retail/admin", "prov", "register_party",
                       Value::Map{{"id", "urn:epc:id:pgln:0614141.0001"}, {"name", "X"}});
  CHECK(bad.status == TxStatus::kRejected);
  CHECK(bad.reason.find("PGLN") != std::string::npos);
  CHECK(Snapshot(c) == before);
  // Shipping to the party written as a /417/ Digital Link offers custody to its organisation,
  // which then receives the goods.
  auto ship = Ev("ObjectEvent", "OBSERVE", "shipping", {kItem});
  ship["destinationList"] = {
      {{"type", "possessing_party"}, {"destination", "https://id.gs1.org/417/0614141000012"}}};
  ship["sourceList"] = {{{"type", "owning_party"}, {"source", "urn:epc:id:pgln:0614141.00000"}}};
  REQUIRE(Ok(Capture(c, "brand/admin", {ship})));
  CHECK(StateOf(c, kItem) == "IN_TRANSIT");
  REQUIRE(Ok(Capture(c, "retail/admin", {Ev("ObjectEvent", "OBSERVE", "receiving", {kItem})})));
  CHECK(CustodyOf(c, kItem) == "retail");
}

TEST_CASE("issue 19 finding 9: a location in any GS1 form is the same registered location") {
  Chain c;
  Consortium(c);
  Commission(c);
  // Registered as a bare GLN; events name it as SGLN URN, /414/ Digital Link or readPoint.
  REQUIRE(
      Ok(c.Call("warehouse/admin", "prov", "register_location",
                Value::Map{{"gln", "https://id.gs1.org/414/" + kBondedGln}, {"name", "Bonded"}})));
  REQUIRE(GetValue(c.state, keys::Location("/414/" + kBondedGln))->has_value());
  for (const std::string& form :
       std::vector<std::string>{"urn:epc:id:sgln:0012345.22222.0", "/414/" + kBondedGln,
                                "https://id.gs1.org/414/" + kBondedGln, kBondedGln}) {
    for (const char* field : {"bizLocation", "readPoint"}) {
      INFO(form << " " << field);
      auto ev = Ev("ObjectEvent", "OBSERVE", "inspecting", {kItem});
      ev[field] = {{"id", form}};
      auto before = Snapshot(c);
      Receipt r = Capture(c, "brand/admin", {ev});
      CHECK(r.status == TxStatus::kRejected);
      CHECK(r.reason.find("rule location-owner") != std::string::npos);
      CHECK(Snapshot(c) == before);
    }
  }
  // A sub-location (/254/ extension) is another place, registered on its own.
  REQUIRE(Ok(c.Call("brand/admin", "prov", "register_location",
                    Value::Map{{"gln", "urn:epc:id:sgln:0012345.22222.dock1"}, {"name", "Dock"}})));
  REQUIRE(GetValue(c.state, keys::Location("/414/" + kBondedGln + "/254/dock1"))->has_value());
  auto ev = Ev("ObjectEvent", "OBSERVE", "inspecting", {kItem});
  ev["bizLocation"] = {{"id", "https://id.gs1.org/414/" + kBondedGln + "/254/dock1"}};
  CHECK(Ok(Capture(c, "brand/admin", {ev})));
  // A party id is not a location.
  Receipt not_loc = c.Call("warehouse/admin", "prov", "register_location",
                           Value::Map{{"gln", kShopPgln}, {"name", "X"}});
  CHECK(not_loc.status == TxStatus::kRejected);
}

}  // namespace
}  // namespace tidemark::contracts
