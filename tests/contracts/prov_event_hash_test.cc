// Issue 19 finding 9 (event hashes): the CBV 2.0 event hash over GS1's published vectors, and the
// prov contract computing, indexing and checking it (rule epcis-event-hash).
#include <catch2/catch.hpp>

#include "../epcis_examples.h"
#include "prov_util.h"
#include "tidemark/contracts/event_hash.h"
#include "tidemark/contracts/state.h"
#include "tidemark/state_keys/provenance.h"

namespace tidemark::contracts {
namespace {

using namespace testing;
namespace keys = state_keys::prov;
using tidemark::testing::EpcisExamples;
using tidemark::testing::ReadTextFile;

std::filesystem::path Fixture(const std::string& name) {
  return std::filesystem::path(TIDEMARK_SOURCE_DIR) / "tests/contracts/fixtures/event_hash" / name;
}

std::string Line(const std::filesystem::path& p) {
  std::string s = ReadTextFile(p);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

const std::string kZeroHash = "ni:///sha-256;" + std::string(64, '0') + "?ver=CBV2.0";

TEST_CASE("event hash: GS1's published vector (pre-hash string and hash)") {
  auto events = ParseEpcisDocumentText(ReadTextFile(Fixture("epcisDocWithSingleEvent.jsonld")));
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);
  CHECK(EventPreHash((*events)[0]) == Line(Fixture("epcisDocWithSingleEvent.prehashes")));
  CHECK(EventHashId((*events)[0]) == Line(Fixture("epcisDocWithSingleEvent.hashes")));
}

TEST_CASE("event hash: every hash eventID of GS1's EPCIS 2.0 examples checks out") {
  int checked = 0;
  for (const auto& path : EpcisExamples()) {
    const std::string text = ReadTextFile(path);
    auto events = ParseEpcisDocumentText(text);
    REQUIRE(events.ok());
    const Value context(EpcisContextOf(text));
    for (const Value& ev : *events) {
      const Value* id = ev.Find("eventID");
      if (id == nullptr || !IsEventHashId(id->as_string())) continue;
      INFO(path.filename().string() << " " << id->as_string() << "\n"
                                    << EventPreHash(ev, PreHashForm::kLegacyUrn, &context));
      // Two eventIDs of GS1's Digital Link variants are not the hash of their event in any
      // form (they were not recomputed when the identifiers were changed): refused as such.
      const bool wrong = id->as_string().find("9fa42e8bf64e1cfe") != std::string::npos ||
                         id->as_string().find("20a2b5b9681b7a70") != std::string::npos;
      CHECK(CheckEventHashId(ev, id->as_string(), &context).ok() == !wrong);
      // Without the document's prefixes the hash cannot be checked: said so, not accepted.
      if (ev.as_map().end() != std::find_if(ev.as_map().begin(), ev.as_map().end(), [](auto& kv) {
            return kv.first.rfind("example:", 0) == 0;
          })) {
        CHECK(CheckEventHashId(ev, id->as_string()).code() == Code::kFailedPrecondition);
      }
      ++checked;
    }
  }
  CHECK(checked >= 9);
}

TEST_CASE("event hash: the same event written differently has one hash") {
  auto a = Ev("ObjectEvent", "OBSERVE", "shipping",
              {"urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sscc:0614141.1234567890"},
              "2024-03-01T11:00:00.5+01:00");
  a["bizLocation"] = {{"id", "urn:epc:id:sgln:0614141.07346.0"}};
  a["quantityList"] = {{{"epcClass", "urn:epc:class:lgtin:4012345.012345.998877"},
                        {"quantity", "200.50"},
                        {"uom", "KGM"}}};
  a["sourceList"] = {{{"type", "owning_party"}, {"source", "urn:epc:id:pgln:0614141.00001"}}};
  a["@context"] = {{{"ex", "https://ns.example.com/epcis/"}}};
  a["ex:note"] = "b";
  a["ex:z"] = "a";
  auto b = a;
  b["epcList"] = {"https://id.gs1.org/00/106141412345678908",
                  "https://example.com/01/10614141073464/21/2017"};
  b["eventTime"] = "2024-03-01T10:00:00.500Z";
  b["bizStep"] = "urn:epcglobal:cbv:bizstep:shipping";
  b["bizLocation"] = {{"id", "https://id.gs1.org/414/0614141073467"}};
  b["quantityList"][0]["epcClass"] = "https://id.gs1.org/01/04012345123456/10/998877";
  b["quantityList"][0]["quantity"] = "+200.5";
  b["sourceList"][0] = {{"type", "https://ref.gs1.org/cbv/SDT-owning_party"},
                        {"source", "https://id.gs1.org/417/0614141000012"}};
  b["eventID"] = "urn:uuid:ignored";
  b["recordTime"] = "2030-01-01T00:00:00Z";
  auto va = ParseEpcisEvent(a), vb = ParseEpcisEvent(b);
  REQUIRE(va.ok());
  REQUIRE(vb.ok());
  INFO(EventPreHash(*va));
  CHECK(EventPreHash(*va) == EventPreHash(*vb));
  CHECK(EventHashId(*va) == EventHashId(*vb));
  CHECK(EventPreHash(*va).find("https://ns.example.com/epcis/note=b") != std::string::npos);
  CHECK(EventPreHash(*va).find("quantity=200.5uom=KGM") != std::string::npos);
  // Sensor report types in bare, compact and full form are one type.
  auto sa = a, sb = a;
  sa["sensorElementList"] = {{{"sensorReport", {{{"type", "Temperature"}, {"value", 26.5}}}}}};
  sb["sensorElementList"] = {
      {{"sensorReport", {{{"type", "gs1:Temperature"}, {"value", "26.50"}}}}}};
  REQUIRE(ParseEpcisEvent(sa).ok());
  REQUIRE(ParseEpcisEvent(sb).ok());
  CHECK(EventPreHash(*ParseEpcisEvent(sa)) == EventPreHash(*ParseEpcisEvent(sb)));
  CHECK(EventPreHash(*ParseEpcisEvent(sa))
            .find("sensorReporttype=https://gs1.org/voc/Temperature"
                  "value=26.5") != std::string::npos);
  // A different value is a different hash.
  b["ex:z"] = "c";
  CHECK(EventHashId(*ParseEpcisEvent(b)) != EventHashId(*va));
  CHECK(!CheckEventHashId(*va, kZeroHash).ok());
  CHECK(CheckEventHashId(*va, EventHashId(*va)).ok());
}

nlohmann::json Commissioning(const std::string& serial) {
  auto ev = Ev("ObjectEvent", "ADD", "commissioning",
               {"https://id.gs1.org/01/10614141073464/21/" + serial});
  return ev;
}

TEST_CASE("issue 19 finding 9: the prov contract refuses an eventID that is not the event's hash") {
  Chain c;
  Consortium(c);
  // An all-zero hash (accepted as an eventID on 22dc8aa) is refused, nothing written.
  auto zero = Commissioning("H0");
  zero["eventID"] = kZeroHash;
  auto before = Snapshot(c);
  Receipt r = Capture(c, "brand/admin", {zero});
  INFO(r.reason);
  CHECK(r.status == TxStatus::kRejected);
  CHECK(r.reason.rfind("PERMISSION_DENIED: rule epcis-event-hash: ", 0) == 0);
  CHECK(Snapshot(c) == before);
  // Another event's hash is refused too.
  auto other = Commissioning("H1");
  other["eventID"] = EventHashId(*ParseEpcisEvent(Commissioning("H2")));
  r = Capture(c, "brand/admin", {other});
  CHECK(r.status == TxStatus::kRejected);
  CHECK(r.reason.find("rule epcis-event-hash") != std::string::npos);
  CHECK(Snapshot(c) == before);
}

TEST_CASE("issue 19 finding 9: every captured event stores its hash and is found by it") {
  Chain c;
  Consortium(c);
  auto with_id = Commissioning("H3");
  const std::string hash = EventHashId(*ParseEpcisEvent(with_id));
  with_id["eventID"] = hash;
  auto without_id = Commissioning("H4");
  const std::string hash4 = EventHashId(*ParseEpcisEvent(without_id));
  auto uuid = Commissioning("H5");
  uuid["eventID"] = "urn:uuid:6b1f0e2c-1d2e-4c1b-9a37-000000000005";
  const std::string hash5 = EventHashId(*ParseEpcisEvent(uuid));
  REQUIRE(Ok(Capture(c, "brand/admin", {with_id, without_id, uuid})));
  for (const auto& [h, id] : std::vector<std::pair<std::string, std::string>>{
           {hash, hash}, {hash4, ""}, {hash5, "urn:uuid:6b1f0e2c-1d2e-4c1b-9a37-000000000005"}}) {
    INFO(h);
    auto seq = GetValue(c.state, keys::EventId(h));
    REQUIRE(seq.ok());
    REQUIRE(seq->has_value());
    auto rec = GetValue(c.state, keys::Event(static_cast<uint64_t>((*seq)->as_int())));
    REQUIRE(rec->has_value());
    CHECK((*rec)->Find("eventHash")->as_string() == h);
    if (!id.empty()) CHECK((*rec)->Find("eventID")->as_string() == id);
    // EQ_eventID with the hash finds it.
    EventQuery q;
    q.eq_event_id = {h};
    auto found = QueryEvents(c.state, q);
    REQUIRE(found.ok());
    REQUIRE(found->size() == 1);
  }
  // The same event again, under its hash: already captured.
  auto again = Commissioning("H4");
  again["eventID"] = hash4;
  auto before = Snapshot(c);
  Receipt r = Capture(c, "brand/admin", {again});
  CHECK(r.status == TxStatus::kRejected);
  CHECK(r.reason.find("already captured") != std::string::npos);
  CHECK(Snapshot(c) == before);
}

}  // namespace
}  // namespace tidemark::contracts
