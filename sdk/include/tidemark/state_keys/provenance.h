// state_keys/provenance.h — the state layout of the provenance contract ("prov/…";
// contracts/provenance.h; docs/provenance.md says what each record holds, docs/contracts.md,
// "State key layout", lists them). Identifiers are in canonical form (contracts/gs1.h): items,
// lots and products as Digital Link paths ("/01/<gtin14>/21/<serial>", "/01/<gtin14>/10/<lot>"),
// locations by their canonical id. A space separates the parts of composite keys (indexes, graph
// edges, delegations): it cannot occur in an identifier, so a prefix scan never runs into a longer
// id.
//
//   GetValue(view, state_keys::prov::Obj("/01/09506000134352/21/SER-1"));  // the item's record
//   view.Scan(state_keys::prov::LotPrefixOfProduct(gtin14), ...);         // the product's lots
//
// Thread safety: constants and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tidemark/state_keys/parts.h"

namespace tidemark::state_keys::prov {

inline constexpr std::string_view kPrefix = "prov/";

// --- Event store ---------------------------------------------------------------------------------
// int: the sequence number of the next stored event (absent: 1).
inline constexpr std::string_view kNextSeq = "prov/next_seq";
// Stored event record, by sequence number.
inline constexpr std::string_view kEventPrefix = "prov/event/";
inline std::string Event(uint64_t seq) { return Cat({kEventPrefix, SeqPart(seq)}); }
// int: the seq of the first event with that eventID.
inline constexpr std::string_view kEventIdPrefix = "prov/eventid/";
inline std::string EventId(std::string_view event_id) { return Cat({kEventIdPrefix, event_id}); }
// Error declaration about an event.
inline constexpr std::string_view kErrPrefix = "prov/err/";
inline std::string Err(std::string_view event_id) { return Cat({kErrPrefix, event_id}); }

// --- Query indexes: "" at "prov/ix/<index>/<value> <seq>" ----------------------------------------
// index: epc, any, parent, class, type, step, disp, loc, time (value = TimePart(event time)),
// biztx (value = a bizTransactionList entry's bizTransaction id, trimmed; fin.confirm's delivery
// evidence, docs/finance.md §7).
inline constexpr std::string_view kIndexPrefix = "prov/ix/";
inline std::string IndexPrefix(std::string_view index, std::string_view value) {
  return Cat({kIndexPrefix, index, "/", value, " "});
}
inline std::string Index(std::string_view index, std::string_view value, uint64_t seq) {
  return Cat({kIndexPrefix, index, "/", value, " ", SeqPart(seq)});
}
// The time index in event-time order, and where its events at or after `ms` begin.
inline constexpr std::string_view kTimeIndexPrefix = "prov/ix/time/";
inline std::string TimeIndexFrom(int64_t ms) { return Cat({kTimeIndexPrefix, TimePart(ms)}); }

// --- Graph edges: "" at "prov/g/<rel>/<a> <b>" --------------------------------------------------
// rel: in (child -> container), has (container -> child), made (input -> output), from (output ->
// input), lotitem (lot -> item).
inline constexpr std::string_view kEdgePrefix = "prov/g/";
inline std::string EdgePrefix(std::string_view rel, std::string_view from) {
  return Cat({kEdgePrefix, rel, "/", from, " "});
}
inline std::string Edge(std::string_view rel, std::string_view from, std::string_view to) {
  return Cat({kEdgePrefix, rel, "/", from, " ", to});
}

// --- Index keys: the two families above ----------------------------------------------------------
// Query indexes and graph edges are kept in the node's flat index only, not in the authenticated
// state tree (docs/storage.md, "Index keys"): an answer built from an index walk is not proven
// anyway (a proof of each entry would not show that none is missing, docs/proofs.md), and they are
// six to ten keys per captured event against one event record — most of a capture's tree work.
// Contracts read and scan them like any key; a proof of one is refused. A consensus rule: changing
// the set changes every later state root.
inline bool IsIndexKey(std::string_view key) {
  return key.starts_with(kIndexPrefix) || key.starts_with(kEdgePrefix);
}

// --- Records, one key each -----------------------------------------------------------------------
// Item / container record (lifecycle state, custody, timeline).
inline constexpr std::string_view kObjPrefix = "prov/obj/";
inline std::string Obj(std::string_view id) { return Cat({kObjPrefix, id}); }
// Lot record, by lot id "/01/<gtin14>/10/<lot>".
inline constexpr std::string_view kLotPrefix = "prov/lot/";
inline std::string Lot(std::string_view lot_id) { return Cat({kLotPrefix, lot_id}); }
// Where the lots of one product (14-digit GTIN) begin: every key below it is one of its lots.
inline std::string LotPrefixOfProduct(std::string_view gtin14) {
  return Cat({kLotPrefix, "/01/", gtin14, "/10/"});
}
// Product record, by 14-digit GTIN.
inline constexpr std::string_view kProductPrefix = "prov/product/";
inline std::string Product(std::string_view gtin14) { return Cat({kProductPrefix, gtin14}); }
// Location record, by canonical location id.
inline constexpr std::string_view kLocationPrefix = "prov/location/";
inline std::string Location(std::string_view id) { return Cat({kLocationPrefix, id}); }
// Party record.
inline constexpr std::string_view kPartyPrefix = "prov/party/";
inline std::string Party(std::string_view id) { return Cat({kPartyPrefix, id}); }
// Customs declaration, by declaration number.
inline constexpr std::string_view kCustomsPrefix = "prov/customs/";
inline std::string Customs(std::string_view declaration_no) {
  return Cat({kCustomsPrefix, declaration_no});
}
// Inspection certificate.
inline constexpr std::string_view kCertPrefix = "prov/cert/";
inline std::string Cert(std::string_view id) { return Cat({kCertPrefix, id}); }
// Recall record (with the items it affected).
inline constexpr std::string_view kRecallPrefix = "prov/recall/";
inline std::string Recall(std::string_view id) { return Cat({kRecallPrefix, id}); }
// Consumer scan counter of a code.
inline constexpr std::string_view kScanPrefix = "prov/scan/";
inline std::string Scan(std::string_view id) { return Cat({kScanPrefix, id}); }
// Delegation of a scope (a product "/01/<gtin14>", a location id or a holder "/org/<org>") to an
// organisation.
inline constexpr std::string_view kDelegPrefix = "prov/deleg/";
inline std::string Deleg(std::string_view scope, std::string_view org) {
  return Cat({kDelegPrefix, scope, " ", org});
}

}  // namespace tidemark::state_keys::prov
