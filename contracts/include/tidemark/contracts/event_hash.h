// event_hash.h — the CBV 2.0 EPCIS event hash ("ni:///sha-256;<hex>?ver=CBV2.0").
//
// The hash is SHA-256 over the event's pre-hash string (CBV 2.0, "EPCIS event hash ID"): the event
// type, then the standard fields in the standard's order (eventTime, eventTimeZoneOffset, epcList,
// parentID, inputEPCList, childEPCs, the quantity lists, outputEPCList, outputQuantityList,
// action, transformationID, bizStep, disposition, persistentDisposition, readPoint, bizLocation,
// bizTransactionList, sourceList, destinationList, sensorElementList), then every other field
// (ilmd, errorDeclaration, extensions) sorted; each value as `name=value`, repeated elements and
// list items sorted, with
//   - timestamps in UTC at millisecond precision ("2005-04-04T02:33:31.116Z"),
//   - GS1 keys as canonical Digital Link URIs on id.gs1.org (urn:epc:id:sgtin:... ->
//     https://id.gs1.org/01/.../21/...), other URIs as written,
//   - CBV terms as web URIs (shipping -> https://ref.gs1.org/cbv/BizStep-shipping),
//   - decimals without leading '+' or insignificant zeros,
//   - extension names expanded with the event's own @context ("ex:f" -> "https://ex.org/f").
// eventID and recordTime are left out.
//
// GS1's EPCIS 2.0 example documents carry ids hashed over the same string with identifiers as
// written and CBV terms as URNs (urn:epcglobal:cbv:bizstep:shipping); that legacy form is
// accepted when an eventID is checked, never produced.
//
//   std::string id = EventHashId(event);   // "ni:///sha-256;3e0f24...?ver=CBV2.0"
//   Status st = CheckEventHashId(event, claimed_event_id);
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "tidemark/status.h"
#include "tidemark/value.h"

namespace tidemark::contracts {

enum class PreHashForm { kCbv20, kLegacyUrn };

// The pre-hash string of an EPCIS event Value (as ParseEpcisEvent returns it). `context`: the
// capturing document's @context entries (a list of strings / prefix maps, or one of them), used
// with the event's own @context to expand extension names; nullptr if none.
std::string EventPreHash(const Value& event, PreHashForm form = PreHashForm::kCbv20,
                         const Value* context = nullptr);
// "ni:///sha-256;<64 lower-case hex>?ver=CBV2.0" of the CBV 2.0 pre-hash.
std::string EventHashId(const Value& event, const Value* context = nullptr);
// The @context prefix declarations of an EPCIS document's text (a list of {prefix: namespace}
// maps; empty if none or not JSON), what a capture passes to prov.capture as "context".
Value::List EpcisContextOf(std::string_view document_text);
// True iff `id` claims to be an event hash ("ni:///sha-256;" prefix, any case).
bool IsEventHashId(std::string_view id);
// OK iff `id` is "ni:///sha-256;<hex>" (optionally "?ver=CBV2.0") and the hex is the event's hash
// (CBV 2.0 or legacy form); else INVALID_ARGUMENT saying what was expected, or
// FAILED_PRECONDITION when it does not match but an extension field's prefix is declared nowhere
// (the hash cannot be computed as GS1 defines it).
Status CheckEventHashId(const Value& event, std::string_view id, const Value* context = nullptr);

}  // namespace tidemark::contracts
