// Capture and query: every shared EPCIS example captured unchanged and found again; malformed
// documents refused with nothing written; error declarations never overwrite history.
#include <catch2/catch.hpp>

#include "../epcis_examples.h"
#include "prov_util.h"
#include "tidemark/contracts/event_hash.h"
#include "tidemark/contracts/gs1.h"

namespace tidemark::contracts {
namespace {

using namespace testing;

// `context`: the document's @context prefixes, as the REST capture passes them (event hashes).
Receipt CaptureDoc(Chain& c, const std::string& signer, const std::vector<Value>& events,
                   const Value::List& context = {}) {
  Value::Map args{{"events", Value(Value::List(events))}};
  if (!context.empty()) args["context"] = Value(context);
  return c.Call(signer, "prov", "capture", Value(args));
}

// Finds `ev` again through the query that fits it best, and checks it is stored unchanged.
void FindAgain(Chain& c, const Value& ev) {
  EventQuery q;
  EventIds ids = IdsOf(ev);
  if (!ids.AnyEpc().empty()) {
    q.match_any_epc = {ids.AnyEpc().front()};
  } else if (!ids.classes.empty()) {
    q.match_epc_class = {ids.classes.front()};
  } else {
    q.event_type = {ev.Find("type")->as_string()};
  }
  auto t = ParseEpcisTime(ev.Find("eventTime")->as_string());
  q.ge_event_time_ms = *t;
  q.lt_event_time_ms = *t + 1;
  auto found = QueryEvents(c.state, q);
  REQUIRE(found.ok());
  bool seen = false;
  for (const auto& rec : *found) seen |= (*rec.Find("event") == ev);
  CHECK(seen);
  if (const Value* id = ev.Find("eventID")) {
    EventQuery by_id;
    by_id.eq_event_id = {id->as_string()};
    auto r = QueryEvents(c.state, by_id);
    REQUIRE(r.ok());
    REQUIRE(!r->empty());
    CHECK(*r->front().Find("event") == ev);
  }
}

TEST_CASE("every shared EPCIS example is captured unchanged and each event found again") {
  Chain all;
  Consortium(all);
  for (const auto& f : tidemark::testing::EpcisExamples()) {
    INFO(f.filename().string());
    const std::string text = tidemark::testing::ReadTextFile(f);
    auto events = ParseEpcisDocumentText(text);
    REQUIRE(events.ok());
    const Value::List context = EpcisContextOf(text);
    Chain one;
    Consortium(one);
    Receipt r = CaptureDoc(one, "brand/admin", *events, context);
    INFO(r.reason);
    if (tidemark::testing::ClaimsFalseEventHash(f)) {
      CHECK(r.reason.find("rule epcis-event-hash") != std::string::npos);
      continue;
    }
    REQUIRE(Ok(r));
    for (const auto& ev : *events) FindAgain(one, ev);
    Receipt r_all = CaptureDoc(all, "brand/admin", *events, context);
    INFO(r_all.reason);
    REQUIRE(Ok(r_all));
    for (const auto& ev : *events) FindAgain(all, ev);
  }
  // Digital Link and URN forms of one item are one identity.
  auto urn = QueryEvents(
      all.state, *EventQuery::FromParams({{"MATCH_epc", "urn:epc:id:sgtin:4012345.077889.25"}}));
  std::string link = ToDigitalLink(*ParseIdentifier("urn:epc:id:sgtin:4012345.077889.25"));
  CHECK(link == "https://id.gs1.org/01/04012345778892/21/25");
  auto dl = QueryEvents(all.state, *EventQuery::FromParams({{"MATCH_epc", link}}));
  REQUIRE(urn.ok());
  REQUIRE(dl.ok());
  CHECK(urn->size() == 0);  // an output, not in epcList / childEPCs
  auto any = QueryEvents(all.state, *EventQuery::FromParams({{"MATCH_anyEPC", link}}));
  CHECK(any->size() == 2);  // the two TransformationEvent examples
}

TEST_CASE("query parameters: times, CBV forms, parent, location, limits") {
  Chain c;
  Consortium(c);
  const std::string text = tidemark::testing::ReadEpcisExample("Example_9.6.1-ObjectEvent.jsonld");
  auto events = ParseEpcisDocumentText(text);
  REQUIRE(Ok(CaptureDoc(c, "brand/admin", *events, EpcisContextOf(text))));
  const std::string agg_text =
      tidemark::testing::ReadEpcisExample("Example_9.6.3-AggregationEvent.jsonld");
  auto agg = ParseEpcisDocumentText(agg_text);
  REQUIRE(Ok(CaptureDoc(c, "brand/admin", *agg, EpcisContextOf(agg_text))));
  auto q = [&](std::map<std::string, std::string> p) {
    auto query = EventQuery::FromParams(p);
    REQUIRE(query.ok());
    auto r = QueryEvents(c.state, *query);
    REQUIRE(r.ok());
    return r->size();
  };
  CHECK(q({{"EQ_bizStep", "urn:epcglobal:cbv:bizstep:shipping"}}) == 1);
  CHECK(q({{"EQ_bizStep", "receiving"}}) == 2);
  CHECK(q({{"EQ_bizStep", "receiving"}, {"eventType", "AggregationEvent"}}) == 1);
  CHECK(q({{"eventType", "ObjectEvent|AggregationEvent"}}) == 3);
  CHECK(q({{"GE_eventTime", "2005-04-04T12:00:00Z"}}) == 2);
  CHECK(q({{"LT_eventTime", "2005-04-04T12:00:00Z"}}) == 1);
  CHECK(q({{"MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2018"}}) == 3);
  CHECK(q({{"MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2018"}, {"eventCountLimit", "2"}}) == 2);
  CHECK(q({{"MATCH_parentID", "https://id.gs1.org/00/106141412345678908"}}) == 1);
  CHECK(q({{"MATCH_anyEPC", "urn:epc:id:sscc:0614141.1234567890"}}) == 1);
  CHECK(q({{"EQ_bizLocation", "urn:epc:id:sgln:0012345.11111.0"}}) == 1);
  CHECK(q({{"EQ_disposition", "in_transit"}}) == 1);
  CHECK(q({{"MATCH_epcClass", "urn:epc:class:lgtin:4012345.012345.998877"}}) == 1);
  // Trace of identifiers never commissioned on the ledger comes from the indexes.
  auto t = Trace(c.state, "urn:epc:id:sgtin:0614141.107346.2018", 0);
  REQUIRE(t.ok());
  CHECK(!t->Find("tracked")->as_bool());
  CHECK(t->Find("timeline")->as_list().size() == 3);
  auto lot = Trace(c.state, "urn:epc:class:lgtin:4012345.012345.998877", 0);
  REQUIRE(lot.ok());
  CHECK(lot->Find("timeline")->as_list().size() == 1);
  CHECK(Trace(c.state, "urn:epc:id:sgtin:0614141.107346.9999", 0).status().code() ==
        Code::kNotFound);
  auto shipped = QueryEvents(c.state, *EventQuery::FromParams({{"EQ_bizStep", "shipping"}}));
  nlohmann::json doc = EventsToQueryDocument(*shipped);
  const auto& listed = doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"];
  REQUIRE(listed.size() == 1);
  CHECK(
      listed[0]["eventID"] ==
      "ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0");
  CHECK(listed[0]["recordTime"].get<std::string>().size() == 24);
  CHECK(listed[0]["epcList"].size() == 2);
  CHECK(EventQuery::FromParams({{"EQ_colour", "red"}}).status().message() ==
        "EQ_colour: unsupported query parameter");
  CHECK(!EventQuery::FromParams({{"GE_eventTime", "yesterday"}}).ok());
  CHECK(!EventQuery::FromParams({{"MATCH_epc", "urn:epc:id:sgtin:0614141.10734.1"}}).ok());
}

TEST_CASE("a malformed capture is refused naming the field, and writes nothing") {
  Chain c;
  Consortium(c);
  auto good = ParseEpcisEvent(
      Ev("ObjectEvent", "OBSERVE", "shipping", {"urn:epc:id:sgtin:0614141.107346.2017"}));
  REQUIRE(good.ok());
  Value bad = *good;
  bad.as_map()["epcList"] = Value::List{"https://id.gs1.org/01/10614141073465/21/1"};
  MemStateView before = c.state;
  Receipt r = CaptureDoc(c, "brand/admin", {*good, *good, bad});
  CHECK(r.reason == "INVALID_ARGUMENT: events[2].epcList[0]: GTIN check digit is wrong");
  Value no_type = *good;
  no_type.as_map().erase("type");
  CHECK(CaptureDoc(c, "brand/admin", {no_type}).reason ==
        "INVALID_ARGUMENT: events[0].type: required");
  Value floaty = *good;
  floaty.as_map()["quantityList"] = Value::List{
      Value::Map{{"epcClass", "urn:epc:class:lgtin:4012345.012345.998877"}, {"quantity", "1.5kg"}}};
  CHECK(CaptureDoc(c, "brand/admin", {floaty}).reason ==
        "INVALID_ARGUMENT: events[0].quantityList[0].quantity: must be a number");
  // Only the signer's nonce moved.
  std::string nonce = NonceKey(KeyFor("brand/admin").public_key());
  for (const auto& [k, v] : c.state.entries()) {
    if (k != nonce) CHECK(before.Get(k) == v);
  }
  CHECK(c.state.entries().size() == before.entries().size() + 1);
}

TEST_CASE("error declarations add to history and never overwrite it") {
  Chain c;
  Consortium(c);
  auto ev = Ev("ObjectEvent", "OBSERVE", "shipping", {"urn:epc:id:sgtin:0614141.107346.2017"});
  ev["eventID"] = "urn:uuid:11111111-1111-1111-1111-111111111111";
  REQUIRE(Ok(Capture(c, "forwarder/admin", {ev})));
  Receipt dup = Capture(c, "forwarder/admin", {ev});
  CHECK(dup.reason.find("ALREADY_EXISTS: events[0].eventID") == 0);
  auto decl = ev;
  decl["errorDeclaration"] = {{"declarationTime", "2024-03-02T00:00:00Z"},
                              {"reason", "incorrect_data"},
                              {"correctiveEventIDs", {"urn:uuid:2"}}};
  auto fix = Ev("ObjectEvent", "OBSERVE", "receiving", {"urn:epc:id:sgtin:0614141.107346.2017"});
  fix["eventID"] = "urn:uuid:2";
  REQUIRE(Ok(Capture(c, "forwarder/admin", {decl, fix})));
  auto all = QueryEvents(
      c.state, *EventQuery::FromParams({{"MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2017"}}));
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].Find("event")->Find("errorDeclaration") == nullptr);  // original untouched
  CHECK((*all)[1].Find("errorDeclared")->as_bool());
  CHECK((*all)[2].Find("eventID")->as_string() == "urn:uuid:2");
}

}  // namespace
}  // namespace tidemark::contracts
