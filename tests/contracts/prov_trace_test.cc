// The trace answer (contracts::Trace) for the consumer page: it proves the item's own event
// records and the registered places they name (bizLocation and readPoint), takes the origin from
// the commissioning event's ILMD, writes warnings by the verifier's rules, and stays within one
// proof bundle however long the item's history.
#include <catch2/catch.hpp>

#include "prov_util.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/proof_bundle.h"
#include "tidemark/state_keys/provenance.h"
#include "tidemark/trace_answer.h"

namespace tidemark::contracts {
namespace {

using namespace testing;
namespace keys = state_keys::prov;

const std::string kGtin = "10614141073464";
const std::string kItem = "https://id.gs1.org/01/10614141073464/10/L1/21/A1";
const std::string kId = "/01/10614141073464/21/A1";
const std::string kFactory = "urn:epc:id:sgln:0614141.00888.0";
const std::string kAirport = "urn:epc:id:sgln:0614141.00777.0";

bool HasKey(const Value& trace, const std::string& key) {
  for (const auto& k : trace.Find("state_keys")->as_list()) {
    if (k.as_string() == key) return true;
  }
  return false;
}

void Commission(Chain& c) {
  REQUIRE(Ok(c.Call("brand/admin", "prov", "register_product",
                    Value::Map{{"gtin", kGtin},
                               {"name", "Face cream 50 ml"},
                               {"origin_country", "FR"},
                               {"company_prefix_length", 7}})));
  for (const auto& [gln, name] :
       {std::pair{kFactory, "Grasse factory"}, {kAirport, "Nice airport"}}) {
    REQUIRE(Ok(c.Call("brand/admin", "prov", "register_location",
                      Value::Map{{"gln", gln}, {"name", name}, {"country", "FR"}})));
  }
  auto made = Ev("ObjectEvent", "ADD", "commissioning", {kItem}, "2024-01-15T08:00:00Z");
  made["bizLocation"] = {{"id", kFactory}};
  made["ilmd"] = {{"cbvmda:countryOfOrigin", "MC"}};
  REQUIRE(Ok(Capture(c, "brand/admin", {made})));
}

TEST_CASE("the trace proves the item's events and named places; origin from the ILMD") {
  Chain c;
  Consortium(c);
  Commission(c);
  auto ship = Ev("ObjectEvent", "OBSERVE", "shipping", {kItem}, "2024-01-16T08:00:00Z");
  ship["bizLocation"] = {{"id", kFactory}};
  ship["readPoint"] = {{"id", kAirport}};
  REQUIRE(Ok(Capture(c, "brand/admin", {ship})));
  auto t = Trace(c.state, kItem, 0);
  REQUIRE(t.ok());
  // Regression (issue 19, finding 10): origin from the product record, no read points or names.
  CHECK(t->Find("origin_country")->as_string() == "MC");
  const auto& timeline = t->Find("timeline")->as_list();
  REQUIRE(timeline.size() == 2);
  for (const auto& e : timeline) {
    CHECK(HasKey(*t, keys::Event(static_cast<uint64_t>(e.Find("seq")->as_int()))));
  }
  CHECK(HasKey(*t, keys::Location(*CanonicalId(kFactory))));
  CHECK(HasKey(*t, keys::Location(*CanonicalId(kAirport))));  // the read point's master record
  CHECK(t->Find("warnings")->as_list().empty());
}

TEST_CASE("a long history keeps the trace within one proof bundle, commissioning event first") {
  Chain c;
  Consortium(c);
  Commission(c);
  for (int batch = 0; batch < 5; ++batch) {
    std::vector<nlohmann::json> evs;
    for (int i = 0; i < 60; ++i) {
      auto e = Ev("ObjectEvent", "OBSERVE", "inspecting", {kItem}, "2024-02-01T08:00:00Z");
      e["readPoint"] = {{"id", kAirport}};
      evs.push_back(e);
    }
    REQUIRE(Ok(Capture(c, "brand/admin", evs)));
  }
  auto t = Trace(c.state, kItem, 0);
  REQUIRE(t.ok());
  CHECK(t->Find("timeline")->as_list().size() == 301);
  CHECK(t->Find("state_keys")->as_list().size() <= kMaxMultiProofKeys);
  const auto& first = t->Find("timeline")->as_list()[0];
  CHECK(HasKey(*t, keys::Event(static_cast<uint64_t>(first.Find("seq")->as_int()))));
  CHECK(t->Find("origin_country")->as_string() == "MC");
}

}  // namespace
}  // namespace tidemark::contracts
