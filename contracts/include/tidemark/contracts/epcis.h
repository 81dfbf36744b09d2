// epcis.h — GS1 EPCIS 2.0 JSON(-LD) documents and events: parsing, validation, time, CBV terms.
//
// The REST layer calls the parser for POST /epcis/capture and submits a "prov.capture" tx whose
// args carry the returned events: {"events": [<event Value>, ...]}.
//
//   nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
//   Result<std::vector<Value>> events = ParseEpcisDocument(doc);
//   if (!events.ok()) return Problem(400, events.status().message());
//       // "epcisBody.eventList[2].epcList[0]: GTIN check digit is wrong"
//
// An event Value keeps every field of the JSON event as given (field names, identifiers as
// written, extension fields such as "example:myField"); the only change is that non-integer
// numbers (quantities, sensor values) become decimal strings ("200.5"), since Value has no floats.
// ParseEpcisDocumentText keeps the decimal's exact text; ParseEpcisDocument (already-parsed JSON)
// keeps the shortest text that round-trips the double. EpcisEventToJson turns the decimal strings
// of the standard numeric fields back into JSON numbers.
// Validation: required fields per event type, field types, known event types and actions,
// identifiers (GTIN / SSCC / GLN check digits, URN syntax), timestamps and offsets, and no unknown
// un-prefixed fields; every error names the field path.
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/status.h"
#include "tidemark/value.h"

namespace tidemark::contracts {

inline constexpr size_t kMaxEventsPerCapture = 1000;

Result<std::vector<Value>> ParseEpcisDocument(const nlohmann::json& document);
// Parses the document's text itself (decimals kept exactly as written).
Result<std::vector<Value>> ParseEpcisDocumentText(std::string_view text);
// The same, and the document's "@context" entries but the standard EPCIS context (namespace
// objects such as {"example": "https://ns.example.com/epcis/"}, other context URLs) into
// `*context` — what prov.capture's `context` argument carries.
Result<std::vector<Value>> ParseEpcisDocumentText(std::string_view text, Value::List* context);
// "https://ref.gs1.org/standards/epcis/[2.0.0/]epcis-context.jsonld".
bool IsStandardEpcisContext(std::string_view entry);
// One event (as found in an eventList); `path` prefixes errors.
Result<Value> ParseEpcisEvent(const nlohmann::json& event, const std::string& path = "event");
// Validates an event Value (what the contract re-checks on capture).
Status ValidateEpcisEvent(const Value& event, const std::string& path);
// Whether `name` is one of the standard's own (un-prefixed) event fields, as validation knows them.
bool IsEpcisEventField(std::string_view name);
// The JSON form of a stored event Value.
nlohmann::json EpcisEventToJson(const Value& event);

// "2005-04-03T20:33:31.116-06:00" -> milliseconds since 1970-01-01T00:00Z (sub-ms truncated).
Result<int64_t> ParseEpcisTime(std::string_view text);
// Milliseconds since the epoch -> "2005-04-04T02:33:31.116Z".
std::string FormatEpcisTime(int64_t ms);
// "2024-05-01" -> days since 1970-01-01.
Result<int64_t> ParseDate(std::string_view text);

// CBV terms in any of their forms ("shipping", "urn:epcglobal:cbv:bizstep:shipping",
// "https://ref.gs1.org/cbv/BizStep-shipping") -> the bare term; other URIs unchanged.
std::string NormaliseBizStep(std::string_view term);
std::string NormaliseDisposition(std::string_view term);

// Every identifier an event names, by role (canonical forms).
struct EventIds {
  std::vector<std::string> epcs;            // epcList, childEPCs
  std::vector<std::string> inputs;          // inputEPCList
  std::vector<std::string> outputs;         // outputEPCList
  std::vector<std::string> input_classes;   // inputQuantityList epcClass
  std::vector<std::string> output_classes;  // outputQuantityList epcClass
  std::vector<std::string> classes;         // every quantity list's epcClass
  std::string parent;                       // parentID
  std::vector<std::string> AnyEpc() const;  // epcs, inputs, outputs, parent: sorted, unique
};
// REQUIRES: ValidateEpcisEvent(event) is OK.
EventIds IdsOf(const Value& event);

}  // namespace tidemark::contracts
