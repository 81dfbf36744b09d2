// The EPCIS 2.0 simple event query (issue 19, findings 6 and 7): every parameter of the
// standard's query language over GS1's example documents (expected sets read off the documents),
// the captured @context kept with the events, paging that resumes deterministically under a
// visit cap, ordering, eventCountLimit / maxEventCount, and the standard's errors.
#include <catch2/catch.hpp>
#include <set>

#include "../epcis_examples.h"
#include "prov_util.h"
#include "tidemark/state_keys/provenance.h"

namespace tidemark::contracts {
namespace {

using namespace testing;
using Labels = std::set<std::string>;

// Every example document captured in file order into one chain, each with its @context.
struct Examples {
  Chain c;
  std::vector<std::pair<std::string, Value>> events;  // label -> event as captured

  Examples() {
    Consortium(c);
    const std::vector<std::pair<std::string, std::vector<std::string>>> files = {
        {"ErrorDeclarationAndCorrectiveEvent.jsonld", {"E0", "E1"}},
        {"Example-TransactionEvents-2020_07_03y.jsonld", {"T0", "T1"}},
        {"Example_9.6.1-ObjectEvent.jsonld", {"O1a", "O1b"}},
        {"Example_9.6.1-ObjectEventWithDigitalLink.jsonld", {"D1a", "D1b"}},
        {"Example_9.6.2-ObjectEvent.jsonld", {"O2"}},
        {"Example_9.6.3-AggregationEvent.jsonld", {"A3"}},
        {"Example_9.6.3-AggregationEventWithDigitalLink.jsonld", {"A3D"}},
        {"Example_9.6.4-TransformationEvent.jsonld", {"X4"}},
        {"Example_9.6.4-TransformationEventWithDigitalLink.jsonld", {"X4D"}}};
    for (const auto& [file, labels] : files) {
      Value::List context;
      auto evs = ParseEpcisDocumentText(tidemark::testing::ReadEpcisExample(file), &context);
      REQUIRE(evs.ok());
      REQUIRE(evs->size() == labels.size());
      REQUIRE(!context.empty());
      if (tidemark::testing::ClaimsFalseEventHash(file)) {
        for (Value& ev : *evs) {  // refused as published (rule epcis-event-hash)
          Value::Map m = ev.as_map();
          m.erase("eventID");
          ev = Value(std::move(m));
        }
      }
      Value::Map args;
      args["events"] = Value(Value::List(evs->begin(), evs->end()));
      args["context"] = Value(context);
      Receipt r = c.Call("brand/admin", "prov", "capture", Value(args));
      INFO(r.reason);
      REQUIRE(Ok(r));
      for (size_t i = 0; i < labels.size(); ++i) events.emplace_back(labels[i], (*evs)[i]);
    }
  }

  std::string Label(const Value& rec) const {
    for (const auto& [l, ev] : events) {
      if (*rec.Find("event") == ev) return l;
    }
    return "?";
  }

  Result<std::vector<std::string>> Ordered(std::map<std::string, std::string> p) {
    TM_ASSIGN_OR_RETURN(EventQuery q, EventQuery::FromParams(p));
    TM_ASSIGN_OR_RETURN(EventPage page, QueryEventPage(c.state, q));
    std::vector<std::string> out;
    for (const auto& rec : page.records) out.push_back(Label(rec));
    return out;
  }

  Labels Q(std::map<std::string, std::string> p) {
    auto r = Ordered(p);
    INFO(r.status().message());
    REQUIRE(r.ok());
    return Labels(r->begin(), r->end());
  }
};

const Labels kAll = {"E0",  "E1", "T0", "T1",  "O1a", "O1b", "D1a",
                     "D1b", "O2", "A3", "A3D", "X4",  "X4D"};
const Labels kMyField = {"O1b", "D1b", "O2", "A3", "A3D", "X4", "X4D"};

TEST_CASE("query: event fields (action, read point, locations, transformations, errors)") {
  Examples x;
  CHECK(x.Q({}) == kAll);
  CHECK(x.Q({{"EQ_action", "ADD"}}) == Labels{"T0", "T1"});
  CHECK(x.Q({{"EQ_action", "OBSERVE"}}) == Labels{"O1a", "O1b", "D1a", "D1b", "O2", "A3", "A3D"});
  CHECK(x.Q({{"EQ_action", "DELETE"}}).empty());
  CHECK(x.Q({{"EQ_readPoint", "urn:epc:id:sgln:0614141.07346.1234"}}) ==
        Labels{"E0", "E1", "O1a", "D1a"});
  CHECK(x.Q({{"WD_readPoint", "urn:epc:id:sgln:0614141.00777.0"}}) == Labels{"O2", "A3", "A3D"});
  CHECK(
      x.Q({{"EQ_readPoint", "urn:epc:id:sgln:0614141.00777.0|urn:epc:id:sgln:4012345.00001.0"}}) ==
      Labels{"O2", "A3", "A3D", "X4", "X4D"});
  CHECK(x.Q({{"WD_bizLocation", "urn:epc:id:sgln:0614141.00888.0"}}) == Labels{"O2", "A3", "A3D"});
  CHECK(x.Q({{"EQ_bizLocation", "urn:epc:id:sgln:952005385.011.scA"}}) == Labels{"T1"});
  CHECK(x.Q({{"EQ_transformationID", "urn:uuid:none"}}).empty());
  CHECK(x.Q({{"EXISTS_errorDeclaration", "true"}}) == Labels{"E0"});
  CHECK(x.Q({{"GE_errorDeclarationTime", "2020-01-14T00:00:00Z"}}) == Labels{"E0"});
  CHECK(x.Q({{"LT_errorDeclarationTime", "2020-01-14T00:00:00Z"}}).empty());
  CHECK(x.Q({{"EQ_errorReason", "incorrect_data"}}) == Labels{"E0"});
  CHECK(x.Q({{"EQ_errorReason", "urn:epcglobal:cbv:er:incorrect_data"}}) == Labels{"E0"});
  CHECK(x.Q({{"EQ_errorReason", "https://ref.gs1.org/cbv/ER-incorrect_data"}}) == Labels{"E0"});
  CHECK(x.Q({{"EQ_errorReason", "did_not_occur"}}).empty());
  CHECK(x.Q({{"EQ_correctiveEventID", "urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8"}}) ==
        Labels{"E0"});
  CHECK(x.Q({{"EXISTS_sensorElementList", "true"}}).empty());
  CHECK(x.Q({{"EXISTS_bizLocation", "true"}}) == Labels{"T1", "O1b", "D1b", "O2", "A3", "A3D"});
}

TEST_CASE("query: EPCs and classes by role, quantities") {
  Examples x;
  CHECK(x.Q({{"MATCH_inputEPC", "urn:epc:id:sgtin:4012345.011122.25"}}) == Labels{"X4", "X4D"});
  CHECK(x.Q({{"MATCH_inputEPC", "urn:epc:id:sgtin:4012345.011111.987"}}) == Labels{"E0", "E1"});
  CHECK(x.Q({{"MATCH_inputEPC", "urn:epc:id:sgtin:4012345.077889.26"}}).empty());
  CHECK(x.Q({{"MATCH_outputEPC", "https://id.gs1.org/01/04012345778892/21/26"}}) ==
        Labels{"X4", "X4D"});
  CHECK(x.Q({{"MATCH_epc", "urn:epc:id:sgtin:4012345.077889.26"}}).empty());
  CHECK(x.Q({{"MATCH_inputEPCClass", "urn:epc:class:lgtin:4012345.011111.4444"}}) ==
        Labels{"X4", "X4D"});
  CHECK(x.Q({{"MATCH_inputEPCClass", "urn:epc:class:lgtin:0614141.077777.987"}}) ==
        Labels{"X4", "X4D"});
  CHECK(x.Q({{"MATCH_outputEPCClass", "urn:epc:class:lgtin:4012345.011111.4444"}}).empty());
  // An EPC pattern is compared as written (docs/api.md): the events that name it.
  CHECK(x.Q({{"MATCH_outputEPCClass", "urn:epc:idpat:sgtin:4012345.044444.*"}}) ==
        Labels{"E0", "E1"});
  // MATCH_epcClass: quantityList and childQuantityList only; MATCH_anyEPCClass: every list.
  CHECK(x.Q({{"MATCH_epcClass", "urn:epc:class:lgtin:4012345.012345.998877"}}) ==
        Labels{"O2", "A3", "A3D"});
  CHECK(x.Q({{"MATCH_epcClass", "urn:epc:class:lgtin:4012345.011111.4444"}}).empty());
  CHECK(x.Q({{"MATCH_anyEPCClass", "urn:epc:class:lgtin:4012345.011111.4444"}}) ==
        Labels{"X4", "X4D"});
  CHECK(x.Q({{"EQ_quantity", "200"}}) == Labels{"O2"});
  CHECK(x.Q({{"EQ_quantity", "200.5"}}) == Labels{"A3", "A3D"});
  CHECK(x.Q({{"GT_quantity", "450"}}) == Labels{"E0", "E1"});
  CHECK(x.Q({{"GE_quantity", "500"}}) == Labels{"E0", "E1"});
  CHECK(x.Q({{"LT_quantity", "11"}}) == Labels{"A3", "A3D", "X4", "X4D"});
  CHECK(x.Q({{"LE_quantity", "10"}}) == Labels{"A3", "A3D", "X4", "X4D"});
}

TEST_CASE("query: business transactions, sources, destinations, record time") {
  Examples x;
  const std::string po = "http://transaction.acme.com/po/12345678";
  CHECK(x.Q({{"EQ_bizTransaction_po", po}}) == Labels{"O1a", "O1b", "D1a", "D1b"});
  CHECK(x.Q({{"EQ_bizTransaction_urn:epcglobal:cbv:btt:po", po}}) ==
        Labels{"O1a", "O1b", "D1a", "D1b"});
  CHECK(x.Q({{"EQ_bizTransaction_https://ref.gs1.org/cbv/BTT-po", po}}) ==
        Labels{"O1a", "O1b", "D1a", "D1b"});
  CHECK(x.Q({{"EQ_bizTransaction_desadv", "urn:epcglobal:cbv:bt:0614141073467:1152"}}) ==
        Labels{"O1b", "D1b"});
  CHECK(x.Q({{"EQ_bizTransaction_desadv", po}}).empty());
  CHECK(x.Q({{"EQ_bizTransaction_urn:gs1:epcisapp:rail:btt:passage",
              "http://transaction.examplerail.com/passage/xyz12345"}}) == Labels{"T1"});
  CHECK(x.Q({{"EQ_source_possessing_party", "urn:epc:id:sgln:4012345.00001.0"}}) == Labels{"O2"});
  CHECK(x.Q({{"EQ_source_location", "urn:epc:id:sgln:952005385.481.0"}}) == Labels{"T1"});
  CHECK(x.Q({{"EQ_destination_owning_party", "urn:epc:id:sgln:0614141.00001.0"}}) == Labels{"O2"});
  CHECK(x.Q({{"EQ_destination_location",
              "urn:epc:id:sgln:0614141.00777.0|urn:epc:id:sgln:952005385.011.0"}}) ==
        Labels{"O2", "T1"});
  CHECK(x.Q({{"EQ_destination_location", "urn:epc:id:sgln:4012345.00001.0"}}).empty());
  // Record time is block time: one capture per block, one second apart.
  auto all = QueryEvents(
      x.c.state, *EventQuery::FromParams({{"MATCH_anyEPC", "urn:epc:id:sscc:0614141.1234567890"}}));
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);  // A3, A3D
  std::string a3_time = all->front().Find("recordTime")->as_string();
  CHECK(x.Q({{"GE_recordTime", a3_time}}) == Labels{"A3", "A3D", "X4", "X4D"});
  CHECK(x.Q({{"LT_recordTime", a3_time}}) ==
        Labels{"E0", "E1", "T0", "T1", "O1a", "O1b", "D1a", "D1b", "O2"});
}

TEST_CASE("query: extension fields, ILMD, nested, error declaration, by prefix or namespace") {
  Examples x;
  const std::string v = "Example of a vendor/user extension";
  CHECK(x.Q({{"EQ_example:myField", v}}) == kMyField);
  CHECK(x.Q({{"EQ_http://ns.example.com/epcis/myField", v}}) == kMyField);
  CHECK(x.Q({{"EQ_http://ns.example.com/epcis/#myField", v}}) == kMyField);
  CHECK(x.Q({{"EQ_example:myField", "other"}}).empty());
  CHECK(x.Q({{"EXISTS_example:myField", "true"}}) == kMyField);
  CHECK(x.Q({{"EXISTS_https://ns.other.com/myField", "true"}}).empty());
  CHECK(x.Q({{"EQ_ILMD_example:batch", "XYZ"}}) == Labels{"X4", "X4D"});
  CHECK(x.Q({{"EXISTS_ILMD_http://ns.example.com/epcis/bestBeforeDate", "true"}}) ==
        Labels{"X4", "X4D"});
  CHECK(x.Q({{"EQ_example:batch", "XYZ"}}).empty());  // in the ILMD, not at the top
  CHECK(x.Q({{"GT_rail:trainAxleCount", "11"}}) == Labels{"T1"});
  CHECK(x.Q({{"LE_rail:trainAxleCount", "11"}}).empty());
  CHECK(x.Q({{"EQ_INNER_rail:vehiclePosition", "2"}}) == Labels{"T1"});
  CHECK(x.Q({{"EQ_INNER_urn:gs1:epcisapp:rail:vehicleMasterGIAI",
              "urn:epc:id:giai:735005385.vehicle1"}}) == Labels{"T1"});
  CHECK(x.Q({{"EXISTS_INNER_rail:vehicleMasterGIAI", "true"}}) == Labels{"T1"});
  CHECK(x.Q({{"EQ_rail:vehiclePosition", "2"}}).empty());  // nested, not at the top
  CHECK(x.Q({{"EQ_ERROR_DECLARATION_example:vendorExtension", "Test1"}}) == Labels{"E0"});
}

TEST_CASE("query: master data attributes of registered locations") {
  Examples x;
  REQUIRE(Ok(x.c.Call("brand/admin", "prov", "register_location",
                      Value::Map{{"gln", "urn:epc:id:sgln:0614141.00888.0"},
                                 {"name", "Receiving dock"},
                                 {"country", "DE"}})));
  CHECK(x.Q({{"HASATTR_bizLocation", "name"}}) == Labels{"O2", "A3", "A3D"});
  CHECK(x.Q({{"HASATTR_bizLocation", "urn:epcglobal:cbv:mda#name"}}) == Labels{"O2", "A3", "A3D"});
  CHECK(x.Q({{"HASATTR_readPoint", "name"}}).empty());
  CHECK(x.Q({{"EQATTR_bizLocation_country", "DE"}}) == Labels{"O2", "A3", "A3D"});
  CHECK(x.Q({{"EQATTR_bizLocation_country", "FR"}}).empty());
  auto other = EventQuery::FromParams({{"HASATTR_epcClass", "name"}});
  REQUIRE(!other.ok());
  CHECK(other.status().code() == Code::kInvalidArgument);
  CHECK(other.status().message().find("HASATTR_epcClass") != std::string::npos);
}

TEST_CASE("query: sensor reports, persistent disposition, transformation id") {
  Chain c;
  Consortium(c);
  nlohmann::json sensor = Ev("ObjectEvent", "OBSERVE", "inspecting",
                             {"urn:epc:id:sgtin:4012345.011111.1"}, "2024-03-01T10:00:00Z");
  sensor["persistentDisposition"] = {{"set", {"completeness_verified"}},
                                     {"unset", {"completeness_inferred"}}};
  sensor["sensorElementList"] = {
      {{"sensorMetadata",
        {{"time", "2024-03-01T09:00:00Z"},
         {"deviceID", "urn:epc:id:giai:4000001.111"},
         {"bizRules", "https://example.com/rules/1"}}},
       {"sensorReport",
        {{{"type", "gs1:Temperature"}, {"value", 26.5}, {"uom", "CEL"}},
         {{"type", "gs1:RelativeHumidity"}, {"value", 12}, {"uom", "A93"}},
         {{"type", "gs1:Temperature"},
          {"minValue", 20},
          {"maxValue", 30},
          {"meanValue", 25.2},
          {"sDev", 0.5},
          {"percRank", 90},
          {"percValue", 28},
          {"uom", "CEL"},
          {"time", "2024-03-01T08:00:00Z"}},
         {{"type", "gs1:Sound"}, {"stringValue", "loud"}, {"booleanValue", true}},
         {{"type", "gs1:Location"},
          {"uriValue", "https://example.com/place"},
          {"hexBinaryValue", "ABCD"},
          {"chemicalSubstance", "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N"},
          {"microorganism", "https://www.ncbi.nlm.nih.gov/taxonomy/1126011"},
          {"component", "x"},
          {"dataProcessingMethod", "https://example.com/method"},
          {"rawData", "https://example.com/raw"},
          {"deviceMetadata", "https://example.com/device"},
          {"example:note", "calibrated"}}}}}};
  nlohmann::json plain = Ev("ObjectEvent", "OBSERVE", "inspecting",
                            {"urn:epc:id:sgtin:4012345.011111.2"}, "2024-03-01T11:00:00Z");
  nlohmann::json transform = {{"type", "TransformationEvent"},
                              {"eventTime", "2024-03-01T12:00:00Z"},
                              {"eventTimeZoneOffset", "+00:00"},
                              {"transformationID", "urn:epc:id:gdti:4012345.00001.1"},
                              {"inputEPCList", {"urn:epc:id:sgtin:4012345.011111.3"}},
                              {"outputEPCList", {"urn:epc:id:sgtin:4012345.011111.4"}}};
  REQUIRE(Ok(Capture(c, "brand/admin", {sensor, plain, transform})));
  auto q = [&](std::map<std::string, std::string> p) {
    auto query = EventQuery::FromParams(p);
    INFO(query.status().message());
    REQUIRE(query.ok());
    auto r = QueryEvents(c.state, *query);
    REQUIRE(r.ok());
    std::set<std::string> times;
    for (const auto& rec : *r) times.insert(rec.Find("event")->Find("eventTime")->as_string());
    return times;
  };
  const std::set<std::string> kSensor = {"2024-03-01T10:00:00Z"};
  const std::set<std::string> kNone;
  CHECK(q({{"EQ_type", "gs1:Temperature"}}) == kSensor);
  CHECK(q({{"EQ_type", "https://gs1.org/voc/Temperature"}}) == kSensor);
  CHECK(q({{"EQ_type", "gs1:Pressure"}}) == kNone);
  CHECK(q({{"GT_value", "26"}}) == kSensor);
  CHECK(q({{"GT_value", "27"}}) == kNone);
  CHECK(q({{"GE_value_CEL", "26.5"}}) == kSensor);
  CHECK(q({{"GT_value_CEL", "26.5"}}) == kNone);
  CHECK(q({{"GE_value_A93", "12"}}) == kSensor);
  CHECK(q({{"GE_value_A93", "13"}}) == kNone);
  CHECK(q({{"EQ_value", "12"}}) == kSensor);
  CHECK(q({{"LT_minValue", "21"}}) == kSensor);
  CHECK(q({{"GT_maxValue", "31"}}) == kNone);
  CHECK(q({{"GE_meanValue", "25.2"}}) == kSensor);
  CHECK(q({{"LE_sDev", "0.5"}}) == kSensor);
  CHECK(q({{"EQ_percRank", "90"}}) == kSensor);
  CHECK(q({{"GT_percValue", "28"}}) == kNone);
  CHECK(q({{"GE_time", "2024-03-01T08:30:00Z"}}) == kSensor);  // the metadata's time
  CHECK(q({{"LT_time", "2024-03-01T08:30:00Z"}}) == kSensor);  // the third report's time
  CHECK(q({{"LT_time", "2024-03-01T07:00:00Z"}}) == kNone);
  CHECK(q({{"EQ_deviceID", "urn:epc:id:giai:4000001.111"}}) == kSensor);
  CHECK(q({{"EQ_bizRules", "https://example.com/rules/1"}}) == kSensor);
  CHECK(q({{"EQ_stringValue", "loud"}}) == kSensor);
  CHECK(q({{"EQ_booleanValue", "true"}}) == kSensor);
  CHECK(q({{"EQ_booleanValue", "false"}}) == kNone);
  CHECK(q({{"EQ_uriValue", "https://example.com/place"}}) == kSensor);
  CHECK(q({{"EQ_hexBinaryValue", "ABCD"}}) == kSensor);
  CHECK(q({{"EQ_chemicalSubstance",
            "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N"}}) == kSensor);
  CHECK(q({{"EQ_microorganism", "https://www.ncbi.nlm.nih.gov/taxonomy/1126011"}}) == kSensor);
  CHECK(q({{"EQ_component", "x"}}) == kSensor);
  CHECK(q({{"EQ_dataProcessingMethod", "https://example.com/method"}}) == kSensor);
  CHECK(q({{"EQ_rawData", "https://example.com/raw"}}) == kSensor);
  CHECK(q({{"EQ_deviceMetadata", "https://example.com/device"}}) == kSensor);
  CHECK(q({{"EQ_SENSORREPORT_example:note", "calibrated"}}) == kSensor);
  CHECK(q({{"EXISTS_SENSORREPORT_example:note", "true"}}) == kSensor);
  CHECK(q({{"EXISTS_SENSORMETADATA_example:note", "true"}}) == kNone);
  CHECK(q({{"EXISTS_sensorElementList", "true"}}) == kSensor);
  CHECK(q({{"EQ_persistentDisposition_set", "completeness_verified"}}) == kSensor);
  CHECK(q({{"EQ_persistentDisposition_set",
            "https://ref.gs1.org/cbv/Disp-completeness_verified"}}) == kSensor);
  CHECK(q({{"EQ_persistentDisposition_unset", "completeness_verified"}}) == kNone);
  CHECK(q({{"EQ_persistentDisposition_unset", "completeness_inferred"}}) == kSensor);
  CHECK(q({{"EQ_transformationID", "urn:epc:id:gdti:4012345.00001.1"}}) ==
        std::set<std::string>{"2024-03-01T12:00:00Z"});
  // Several parameters: all must hold.
  CHECK(q({{"EQ_type", "gs1:Temperature"}, {"EQ_action", "ADD"}}) == kNone);
}

TEST_CASE("query: the captured @context comes back with the events it declares") {
  Examples x;
  auto r = QueryEvents(x.c.state, *EventQuery::FromParams({{"eventType", "TransactionEvent"}}));
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  for (const auto& rec : *r) REQUIRE(rec.Find("context") != nullptr);  // one copy, per capture
  nlohmann::json doc = EventsToQueryDocument(*r);
  Value::List rail;
  REQUIRE(ParseEpcisDocumentText(
              tidemark::testing::ReadEpcisExample("Example-TransactionEvents-2020_07_03y.jsonld"),
              &rail)
              .ok());
  nlohmann::json want =
      nlohmann::json::array({"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"});
  for (const auto& e : rail) want.push_back(e.ToJson());
  CHECK(doc["@context"] == want);
  // Events of several captures: the union, each entry once, the standard context first.
  auto all = QueryEvents(x.c.state, EventQuery{});
  REQUIRE(all.ok());
  nlohmann::json ctx = EventsToQueryDocument(*all)["@context"];
  CHECK(ctx.size() == 3);
  CHECK(ctx[0] == "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld");
  CHECK(ctx.dump().find("\"example\":\"http://ns.example.com/epcis/\"") != std::string::npos);
  CHECK(ctx.dump().find("urn:gs1:epcisapp:rail:") != std::string::npos);
  // Only one record per capture stores the context; the others name it.
  int stored = 0;
  for (int64_t seq = 1; seq <= 13; ++seq) {
    auto v = GetValue(x.c.state, ::tidemark::state_keys::prov::Event(static_cast<uint64_t>(seq)));
    REQUIRE(v.ok());
    REQUIRE(v->has_value());
    stored += (*v)->Find("context") != nullptr ? 1 : 0;
  }
  CHECK(stored == 9);
}

TEST_CASE("query: a capture's context argument is checked, and a bad one changes nothing") {
  Chain c;
  Consortium(c);
  auto ev = ParseEpcisEvent(
      Ev("ObjectEvent", "OBSERVE", "inspecting", {"urn:epc:id:sgtin:4012345.011111.1"}));
  REQUIRE(ev.ok());
  for (Value bad :
       {Value("x"), Value(Value::List{Value(1)}), Value(Value::List{Value::Map{}}),
        Value(Value::List{Value("https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld")}),
        Value(Value::List(33, Value("https://example.com/ctx.jsonld"))),
        Value(Value::List{Value(std::string(17000, 'a'))})}) {
    auto before = c.state.entries();
    Receipt r = c.Call("brand/admin", "prov", "capture",
                       Value::Map{{"events", Value(Value::List{*ev})}, {"context", bad}});
    CHECK(!Ok(r));
    CHECK(r.reason.find("context") != std::string::npos);
    // Nothing of the contract's changed (a failed tx may still consume its nonce).
    size_t changed = 0;
    for (const auto& [k, v] : c.state.entries()) {
      auto it = before.find(k);
      if (k.rfind("prov/", 0) == 0 && (it == before.end() || it->second != v)) ++changed;
    }
    CHECK(changed == 0);
    CHECK(QueryEvents(c.state, EventQuery{})->empty());
  }
}

TEST_CASE("query: paging with perPage=1 returns every event once, in order, in every mode") {
  Examples x;
  for (std::map<std::string, std::string> p : std::vector<std::map<std::string, std::string>>{
           {},
           {{"eventType", "ObjectEvent|AggregationEvent|TransformationEvent"}},
           {{"MATCH_anyEPC",
             "urn:epc:id:sgtin:0614141.107346.2018|urn:epc:id:sgtin:4012345.011111.987"}},
           {{"orderBy", "eventTime"}, {"orderDirection", "ASC"}},
           {{"orderBy", "eventTime"}},
           {{"orderBy", "recordTime"}, {"orderDirection", "ASC"}},
           {{"orderBy", "recordTime"}, {"orderDirection", "DESC"}},
           {{"orderBy", "example:myField"}},
           {{"EQ_example:myField", "Example of a vendor/user extension"}},
           {{"LT_eventTime", "2006-01-01T00:00:00Z"}},
           {{"MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2018"},
            {"orderBy", "eventTime"},
            {"orderDirection", "ASC"}},
           {{"EQ_bizStep", "receiving"}, {"orderBy", "recordTime"}, {"orderDirection", "ASC"}}}) {
    auto whole = x.Ordered(p);
    REQUIRE(whole.ok());
    REQUIRE(!whole->empty());
    auto query = EventQuery::FromParams(p);
    REQUIRE(query.ok());
    query->per_page = 1;
    std::vector<std::string> paged;
    std::string cursor;
    int pages = 0;
    do {
      auto page = QueryEventPage(x.c.state, *query, cursor);
      REQUIRE(page.ok());
      REQUIRE(page->records.size() <= 1);
      for (const auto& rec : page->records) paged.push_back(x.Label(rec));
      cursor = page->next_cursor;
      REQUIRE(++pages < 100);
    } while (!cursor.empty());
    CHECK(paged == *whole);
    // Events recorded after the first page never shift later pages.
    CHECK(Labels(paged.begin(), paged.end()).size() == paged.size());
  }
  // A time range ends the scan at its end: no page follows the last event in range.
  auto early = QueryEventPage(x.c.state,
                              *EventQuery::FromParams({{"LT_eventTime", "2006-01-01T00:00:00Z"}}));
  REQUIRE(early.ok());
  CHECK(early->records.size() == 4);
  CHECK(early->next_cursor.empty());
  CHECK(*x.Ordered({{"MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2018"},
                    {"orderBy", "eventTime"},
                    {"orderDirection", "ASC"}}) == std::vector<std::string>{"O1a", "O1b", "A3"});
  // eventTime ASC / DESC, recordTime DESC are orders.
  auto asc = x.Ordered({{"orderBy", "eventTime"}, {"orderDirection", "ASC"}});
  auto desc = x.Ordered({{"orderBy", "eventTime"}, {"orderDirection", "DESC"}});
  REQUIRE(asc.ok());
  REQUIRE(desc.ok());
  CHECK(asc->front() == "O1a");
  CHECK(asc->back() == "E1");
  CHECK(desc->front() == "E1");
  CHECK(x.Ordered({{"orderBy", "recordTime"}, {"orderDirection", "DESC"}})->front() == "X4D");
  CHECK(x.Ordered({{"orderBy", "recordTime"}, {"orderDirection", "ASC"}})->front() == "E0");
}

TEST_CASE("query: paging resumes after events were added, and a page stops at the visit cap") {
  Examples x;
  auto query = EventQuery::FromParams({{"perPage", "5"}});
  REQUIRE(query.ok());
  auto first = QueryEventPage(x.c.state, *query);
  REQUIRE(first.ok());
  CHECK(first->records.size() == 5);
  REQUIRE(!first->next_cursor.empty());
  // A new event (later than every example) is not part of the answer being paged.
  REQUIRE(Ok(Capture(x.c, "brand/admin",
                     {Ev("ObjectEvent", "OBSERVE", "inspecting",
                         {"urn:epc:id:sgtin:4012345.011111.9"}, "2030-01-01T00:00:00Z")})));
  size_t total = first->records.size();
  std::string cursor = first->next_cursor;
  while (!cursor.empty()) {
    auto page = QueryEventPage(x.c.state, *query, cursor);
    REQUIRE(page.ok());
    total += page->records.size();
    cursor = page->next_cursor;
  }
  CHECK(total == 13);
  // Malformed cursors are refused.
  for (std::string bad : {"v1", "v2 1 0 k x", "v1 x 0 k y", "v1 1 0 q 3", "v1 99 0 s 1"}) {
    INFO(bad);
    CHECK(QueryEventPage(x.c.state, *query, bad).status().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("query: a page visits at most the cap of records, then hands on a cursor") {
  Chain c;
  Consortium(c);
  // 5100 events that do not match, then one that does.
  for (int b = 0; b < 6; ++b) {
    std::vector<nlohmann::json> evs;
    for (int i = 0; i < 850; ++i) {
      evs.push_back(Ev("ObjectEvent", "OBSERVE", "inspecting",
                       {"urn:epc:id:sgtin:4012345.011111." + std::to_string(b * 1000 + i)}));
    }
    REQUIRE(Ok(Capture(c, "brand/admin", evs)));
  }
  REQUIRE(Ok(
      Capture(c, "brand/admin",
              {Ev("ObjectEvent", "ADD", "inspecting", {"urn:epc:id:sgtin:4012345.011111.9999"})})));
  auto query = EventQuery::FromParams({{"EQ_action", "ADD"}});
  REQUIRE(query.ok());
  auto first = QueryEventPage(c.state, *query);
  REQUIRE(first.ok());
  CHECK(first->records.empty());
  REQUIRE(!first->next_cursor.empty());
  auto second = QueryEventPage(c.state, *query, first->next_cursor);
  REQUIRE(second.ok());
  CHECK(second->records.size() == 1);
  CHECK(second->next_cursor.empty());
  // Several index values share the cap; the merged pages still find the one event, once.
  auto merged =
      EventQuery::FromParams({{"eventType", "ObjectEvent|TransactionEvent"}, {"EQ_action", "ADD"}});
  REQUIRE(merged.ok());
  std::string cursor;
  size_t found = 0;
  int pages = 0;
  do {
    auto page = QueryEventPage(c.state, *merged, cursor);
    REQUIRE(page.ok());
    found += page->records.size();
    cursor = page->next_cursor;
    REQUIRE(++pages < 10);
  } while (!cursor.empty());
  CHECK(found == 1);
  CHECK(pages >= 2);
  // maxEventCount and sorts look at kMaxQuerySortVisit records at most.
  CHECK(
      QueryEventPage(c.state, *EventQuery::FromParams({{"maxEventCount", "10"}})).status().code() ==
      Code::kResourceExhausted);
}

TEST_CASE("query: eventCountLimit, maxEventCount, and what is refused") {
  Examples x;
  CHECK(x.Q({{"EQ_action", "OBSERVE"}, {"eventCountLimit", "3"}}).size() == 3);
  CHECK(x.Q({{"EQ_action", "OBSERVE"}, {"maxEventCount", "7"}}).size() == 7);
  auto q = EventQuery::FromParams({{"EQ_action", "OBSERVE"}, {"maxEventCount", "6"}});
  REQUIRE(q.ok());
  CHECK(QueryEventPage(x.c.state, *q).status().code() == Code::kResourceExhausted);
  // eventCountLimit counts over all pages.
  auto limited = EventQuery::FromParams({{"eventCountLimit", "3"}, {"perPage", "2"}});
  REQUIRE(limited.ok());
  auto p1 = QueryEventPage(x.c.state, *limited);
  REQUIRE(p1.ok());
  CHECK(p1->records.size() == 2);
  auto p2 = QueryEventPage(x.c.state, *limited, p1->next_cursor);
  REQUIRE(p2.ok());
  CHECK(p2->records.size() == 1);
  CHECK(p2->next_cursor.empty());
  for (std::map<std::string, std::string> bad : std::vector<std::map<std::string, std::string>>{
           {{"eventCountLimit", "3"}, {"maxEventCount", "3"}},
           {{"EQ_action", "MOVE"}},
           {{"GT_value", "warm"}},
           {{"GT_quantity", "x"}},
           {{"GE_recordTime", "yesterday"}},
           {{"perPage", "0"}},
           {{"orderBy", "colour"}},
           {{"orderDirection", "UP"}},
           {{"eventType", "SensorEvent"}},
           {{"EQ_colour", "red"}},
           {{"GT_example:myField", "abc"}},
           {{"HASATTR_epc", "name"}},
           {{"EQATTR_bizLocation", "x"}}}) {
    auto r = EventQuery::FromParams(bad);
    INFO(bad.begin()->first);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message().find(bad.rbegin()->first) != std::string::npos);
  }
}

}  // namespace
}  // namespace tidemark::contracts

namespace tidemark::contracts {
namespace {

// Arbitrary parameter names and values: each is answered or refused as a QueryParameterException
// (INVALID_ARGUMENT) or QueryTooLarge (RESOURCE_EXHAUSTED), never anything else.
TEST_CASE("query: arbitrary parameters are answered or refused, nothing else") {
  Examples x;
  const std::vector<std::string> ops = {"EQ_",    "GT_", "GE_",      "LT_",     "LE_", "EXISTS_",
                                        "MATCH_", "WD_", "HASATTR_", "EQATTR_", ""};
  const std::vector<std::string> names = {"INNER_",
                                          "ILMD_",
                                          "SENSORREPORT_",
                                          "example:myField",
                                          "value",
                                          "value_CEL",
                                          "quantity",
                                          "bizTransaction_",
                                          "source_location",
                                          "type",
                                          "action",
                                          "readPoint",
                                          "epc",
                                          "eventTime",
                                          "recordTime",
                                          "errorDeclarationTime",
                                          "http://ns.example.com/epcis/myField",
                                          "_",
                                          ":",
                                          "orderBy",
                                          "perPage",
                                          "eventCountLimit",
                                          "maxEventCount",
                                          "bizLocation_name",
                                          "time",
                                          "#"};
  const std::vector<std::string> values = {
      "1",    "-3.5",      "ADD",  "2013-06-08T14:58:56.591Z",
      "",     "|",         "a|b",  "urn:epc:id:sgtin:0614141.107346.2018",
      "true", "eventTime", "DESC", "99999999999",
      "nan"};
  uint64_t seed = 12345;
  auto next = [&](size_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>((seed >> 33) % n);
  };
  for (int i = 0; i < 2000; ++i) {
    std::map<std::string, std::string> p;
    for (size_t k = 0, n = 1 + next(3); k < n; ++k) {
      std::string name = ops[next(ops.size())] + names[next(names.size())];
      if (next(3) == 0) name += names[next(names.size())];
      p[name] = values[next(values.size())];
    }
    auto q = EventQuery::FromParams(p);
    if (!q.ok()) {
      CHECK(q.status().code() == Code::kInvalidArgument);
      continue;
    }
    auto page = QueryEventPage(x.c.state, *q);
    if (!page.ok()) {
      CHECK(page.status().code() == Code::kResourceExhausted);
      continue;
    }
    CHECK(page->records.size() <= 13);
  }
}

}  // namespace
}  // namespace tidemark::contracts
