// EPCIS 2.0 parsing and validation: every shared example accepted unchanged; malformed documents
// refused with the field named.
#include "tidemark/contracts/epcis.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>

#include "../epcis_examples.h"

namespace tidemark::contracts {
namespace {

TEST_CASE("every shared EPCIS example parses, keeping every field") {
  auto files = tidemark::testing::EpcisExamples();
  REQUIRE(files.size() >= 9);
  for (const auto& f : files) {
    INFO(f.filename().string());
    std::string text = tidemark::testing::ReadTextFile(f);
    nlohmann::json doc = nlohmann::json::parse(text);
    auto events = ParseEpcisDocument(doc);
    REQUIRE(events.ok());
    auto exact = ParseEpcisDocumentText(text);
    REQUIRE(exact.ok());
    const auto& list = doc["epcisBody"]["eventList"];
    REQUIRE(events->size() == list.size());
    for (size_t i = 0; i < list.size(); ++i) {
      // Round trip back to JSON gives the original event.
      CHECK(EpcisEventToJson((*events)[i]) == list[i]);
      CHECK(EpcisEventToJson((*exact)[i]) == list[i]);
    }
  }
}

TEST_CASE("decimals are kept exactly as strings") {
  std::string text = R"({"type":"EPCISDocument","schemaVersion":"2.0",
    "creationDate":"2024-01-01T00:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent",
    "action":"OBSERVE","eventTime":"2024-01-01T00:00:00Z","eventTimeZoneOffset":"+00:00",
    "quantityList":[{"epcClass":"urn:epc:class:lgtin:4012345.012345.998877","quantity":200.50,
    "uom":"KGM"}],"sensorElementList":[{"sensorReport":[{"type":"Temperature","value":26.0,
    "uom":"CEL"}]}]}]}})";
  auto exact = ParseEpcisDocumentText(text);
  REQUIRE(exact.ok());
  const Value& ev = (*exact)[0];
  CHECK(ev.Find("quantityList")->as_list()[0].Find("quantity")->as_string() == "200.50");
  auto sensor = ev.Find("sensorElementList")->as_list()[0].Find("sensorReport")->as_list()[0];
  CHECK(sensor.Find("value")->as_string() == "26.0");
  auto parsed = ParseEpcisDocument(nlohmann::json::parse(text));
  REQUIRE(parsed.ok());
  CHECK((*parsed)[0].Find("quantityList")->as_list()[0].Find("quantity")->as_string() == "200.5");
}

nlohmann::json Doc(nlohmann::json events) {
  return {{"type", "EPCISDocument"},
          {"schemaVersion", "2.0"},
          {"creationDate", "2024-01-01T00:00:00Z"},
          {"epcisBody", {{"eventList", events}}}};
}

nlohmann::json Obs() {
  return {{"type", "ObjectEvent"},
          {"action", "OBSERVE"},
          {"eventTime", "2024-01-01T00:00:00Z"},
          {"eventTimeZoneOffset", "+00:00"},
          {"epcList", {"urn:epc:id:sgtin:0614141.107346.2017"}}};
}

std::string ErrorOf(nlohmann::json doc) {
  auto r = ParseEpcisDocument(doc);
  return r.ok() ? "OK" : r.status().message();
}

TEST_CASE("malformed documents are refused with the field named") {
  auto bad_gtin = Obs();
  bad_gtin["epcList"] = {"https://id.gs1.org/01/10614141073465/21/1"};
  CHECK(ErrorOf(Doc({Obs(), Obs(), bad_gtin})) ==
        "epcisBody.eventList[2].epcList[0]: GTIN check digit is wrong");
  auto unknown = Obs();
  unknown["type"] = "TeleportEvent";
  CHECK(ErrorOf(Doc({unknown})) ==
        "epcisBody.eventList[0].type: unknown event type 'TeleportEvent'");
  auto no_time = Obs();
  no_time.erase("eventTime");
  CHECK(ErrorOf(Doc({no_time})) == "epcisBody.eventList[0].eventTime: required");
  auto bad_time = Obs();
  bad_time["eventTime"] = "2024-02-30T00:00:00Z";
  CHECK(ErrorOf(Doc({bad_time})).rfind("epcisBody.eventList[0].eventTime: not an ISO", 0) == 0);
  auto no_tz = Obs();
  no_tz["eventTime"] = "2024-01-01T00:00:00";
  CHECK(ErrorOf(Doc({no_tz})).rfind("epcisBody.eventList[0].eventTime:", 0) == 0);
  auto wrong_type = Obs();
  wrong_type["epcList"] = "urn:epc:id:sgtin:0614141.107346.2017";
  CHECK(ErrorOf(Doc({wrong_type})) ==
        "epcisBody.eventList[0].epcList: must be a list of identifiers");
  auto bad_action = Obs();
  bad_action["action"] = "MOVE";
  CHECK(ErrorOf(Doc({bad_action})) ==
        "epcisBody.eventList[0].action: must be ADD, OBSERVE or DELETE");
  auto qty = Obs();
  qty["quantityList"] = {
      {{"epcClass", "urn:epc:class:lgtin:4012345.012345.998877"}, {"quantity", "lots"}}};
  CHECK(ErrorOf(Doc({qty})) == "epcisBody.eventList[0].quantityList[0].quantity: must be a number");
  auto typo = Obs();
  typo["epcLst"] = nlohmann::json::array();
  CHECK(ErrorOf(Doc({typo})).rfind("epcisBody.eventList[0].epcLst: unknown field", 0) == 0);
  auto agg = Obs();
  agg["type"] = "AggregationEvent";
  agg["action"] = "ADD";
  CHECK(ErrorOf(Doc({agg})) == "epcisBody.eventList[0].parentID: required");
  auto sscc = agg;
  sscc["parentID"] = "https://id.gs1.org/00/106141412345678907";
  CHECK(ErrorOf(Doc({sscc})) == "epcisBody.eventList[0].parentID: SSCC check digit is wrong");
  auto loc = Obs();
  loc["bizLocation"] = "urn:epc:id:sgln:0614141.00888.0";
  CHECK(ErrorOf(Doc({loc})) == "epcisBody.eventList[0].bizLocation: must be an object with an id");
  auto doc = Doc({Obs()});
  doc["type"] = "EPCISQueryDocument";
  CHECK(ErrorOf(doc) == "type: must be \"EPCISDocument\"");
  doc = Doc({Obs()});
  doc["epcisBody"].erase("eventList");
  CHECK(ErrorOf(doc) == "epcisBody.eventList: required list");
  CHECK(ErrorOf(Doc({Obs()})) == "OK");
  CHECK(!ParseEpcisDocumentText("{\"type\": ").ok());
}

TEST_CASE("mutated documents never crash the parser (fixed seed)") {
  std::mt19937_64 rng(7);
  size_t accepted = 0, refused = 0;
  for (const auto& f : tidemark::testing::EpcisExamples()) {
    std::string text = tidemark::testing::ReadTextFile(f);
    for (int i = 0; i < 300; ++i) {
      std::string m = text;
      int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        size_t pos = rng() % m.size();
        switch (rng() % 4) {
          case 0:
            m[pos] = static_cast<char>(rng() % 256);
            break;
          case 1:
            m.erase(pos, 1 + rng() % 8);
            break;
          case 2:
            m.insert(pos, 1, "{}[]\",:0.eE-"[rng() % 13]);
            break;
          default:
            m.resize(pos);
            break;
        }
        if (m.empty()) m = "{";
      }
      auto r = ParseEpcisDocumentText(m);
      (r.ok() ? accepted : refused) += 1;
      auto j = nlohmann::json::parse(m, nullptr, /*allow_exceptions=*/false);
      if (!j.is_discarded()) (void)ParseEpcisDocument(j);
    }
  }
  CHECK(refused > 0);
  CHECK(accepted + refused == tidemark::testing::EpcisExamples().size() * 300);
}

TEST_CASE("event times convert to UTC milliseconds") {
  CHECK(*ParseEpcisTime("1970-01-01T00:00:00Z") == 0);
  CHECK(*ParseEpcisTime("2005-04-03T20:33:31.116000-06:00") ==
        *ParseEpcisTime("2005-04-04T02:33:31.116Z"));
  CHECK(FormatEpcisTime(*ParseEpcisTime("2005-04-03T20:33:31.116-06:00")) ==
        "2005-04-04T02:33:31.116Z");
  CHECK(*ParseEpcisTime("2005-07-11T11:30:47.0Z") % 1000 == 0);
  CHECK(*ParseEpcisTime("2024-02-29T12:00:00.5+01:00") ==
        *ParseEpcisTime("2024-02-29T11:00:00.500Z"));
  CHECK(!ParseEpcisTime("2023-02-29T12:00:00Z").ok());
  CHECK(NormaliseBizStep("urn:epcglobal:cbv:bizstep:shipping") == "shipping");
  CHECK(NormaliseBizStep("https://ref.gs1.org/cbv/BizStep-receiving") == "receiving");
  CHECK(NormaliseDisposition("urn:epcglobal:cbv:disp:in_transit") == "in_transit");
}

}  // namespace
}  // namespace tidemark::contracts
