// provenance.h — the "prov" contract: GS1 EPCIS 2.0 events, master data, item lifecycle, customs,
// inspection certificates, recalls and consumer scans; plus the pure reads the node serves.
//
// Writes (contract "prov"; args are Value maps; identifiers as EPC URNs or Digital Links):
//   capture         {events: [<event Value from ParseEpcisDocument>, ...],
//                    context?: [<the document's @context entries but the standard one>]}
//                                                                         supply-chain roles
//   register_product {gtin, name, brand?, origin_country, company_prefix_length?,
//                     description?}                                        BRAND / MANUFACTURER
//   register_lot    {gtin, lot, production_date?, expiry_date?}  (YYYY-MM-DD) BRAND / MANUFACTURER
//   register_location {gln, name, country?, kind?}   register_party {id, name, country?}
//   customs_declare {declaration_no, mode: "0110"|"1210"|"1239"|"9610"|"9710"|"9810", order_no,
//                    payment_no, waybill_no, items: [ids; containers expand, as they were at
//                    declared_time], declared_time?, origin_country?}  CUSTOMS_BROKER / PLATFORM
//   customs_inspect | customs_return {declaration_no}                     CUSTOMS
//   customs_release {declaration_no, release_time?}                        CUSTOMS
//   customs_reject  {declaration_no, reason}                               CUSTOMS
//   certify         {certificate_id, result: "conformant"|"non_conformant", report_sha256,
//                    issue_date, expiry_date, lots: [lot ids]}             INSPECTOR
//   recall          {lot, reason, recall_id?}                 BRAND / MANUFACTURER / REGULATOR
//   scan            {code}                                     an organisation's service key
//   delegate        {gtin | location, org, acts?}   the product's / location's owner
//   revoke_delegation {gtin | location, org}         the product's / location's owner
//   transfer_custody {items, to}                     the holder: offers custody to org `to`
//   accept_custody  {items}                          the addressee of the pending handover
// Ownership (docs/provenance.md, "Who may do what to whose object"): products, lots and their
// items belong to the brand that registered the GTIN, locations to their registrant; both may be
// delegated; custody moves only by a handover both sides sign. Refusals name the rule.
//
// Reads (pure, over any StateView; what GET /epcis/events and the Digital Link resolver call):
//   TM_ASSIGN_OR_RETURN(EventQuery q, EventQuery::FromParams({{"MATCH_epc", "urn:epc:..."}}));
//   TM_ASSIGN_OR_RETURN(std::vector<Value> events, QueryEvents(view, q));
//   TM_ASSIGN_OR_RETURN(Value page, Trace(view, "/01/09521234543213/10/L1/21/42", as_of_ms));
//
// Lifecycle (docs/provenance.md): COMMISSIONED, PACKED, IN_TRANSIT, RECEIVED, STORED,
// CUSTOMS_HOLD, INSPECTED, RELEASED, CUSTOMS_REJECTED, IN_BONDED_WAREHOUSE, ON_SHELF, SOLD,
// RECALLED, RETURNED, DESTROYED. Rules bind only items commissioned on the ledger; events about
// other identifiers are recorded and indexed. A tx that breaks a rule fails whole, naming it.
// Thread safety: the contract object is immutable; reads take a const view.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tidemark/contracts/framework.h"

namespace tidemark::contracts {

class ProvenanceContract : public Contract {
 public:
  std::string_view name() const override { return "prov"; }
  Status Execute(const TxContext& ctx, std::string_view method, const Value& args, StateView& state,
                 EventSink& events) const override;
};

// One filter of an EPCIS 2.0 simple event query beyond the indexed ones (EQ_action, sensor
// filters, extension fields, ...): `test` sees the stored record (with its resolved "context").
struct EventFilter {
  std::string param;
  std::function<bool(const StateView& view, const Value& record)> test;
};

// EPCIS 2.0 simple event query parameters (values are OR-ed within one parameter, parameters
// AND-ed). docs/api.md ("EPCIS query") lists every parameter of the standard and what happens.
struct EventQuery {
  std::vector<std::string> event_type;
  std::optional<int64_t> ge_event_time_ms;
  std::optional<int64_t> lt_event_time_ms;
  std::vector<std::string> eq_biz_step;
  std::vector<std::string> eq_disposition;
  std::vector<std::string> match_epc;      // epcList, childEPCs
  std::vector<std::string> match_any_epc;  // + inputEPCList, outputEPCList, parentID
  std::vector<std::string> match_parent_id;
  std::vector<std::string> match_epc_class;  // any quantity list's epcClass
  std::vector<std::string> eq_biz_location;
  std::vector<std::string> eq_event_id;
  std::vector<EventFilter> filters;         // every other parameter (AND-ed)
  uint32_t event_count_limit = 1000;        // results over all pages (eventCountLimit; max 1000000)
  std::optional<uint32_t> max_event_count;  // more matches: QueryTooLarge (RESOURCE_EXHAUSTED)
  uint32_t per_page = 1000;                 // perPage (1..1000)
  std::string order_by;    // "" capture order, "eventTime", "recordTime" or an extension field
  bool order_desc = true;  // orderDirection (the standard's default DESC; only with order_by)

  // From query-string parameters; multiple values separated by '|'. Unknown parameters and bad
  // values are INVALID_ARGUMENT naming the parameter (the binding's QueryParameterException).
  // "nextPageToken" is not a query parameter (the REST layer strips it).
  static Result<EventQuery> FromParams(const std::map<std::string, std::string>& params);
};

// Records visited (loaded or index entries read) at most per page: a page that hits the cap ends
// early with a next cursor. Orders that need a sort (DESC, extension fields) and maxEventCount
// look at most kMaxQuerySortVisit records and are RESOURCE_EXHAUSTED beyond.
inline constexpr uint32_t kMaxQueryVisitPerPage = 5000;
inline constexpr uint32_t kMaxQuerySortVisit = 20000;

// One page of a query: the records, and the cursor of the next page ("" when done). A cursor is
// plain text for the node to protect (the REST layer HMACs it into nextPageToken).
struct EventPage {
  std::vector<Value> records;
  std::string next_cursor;
};
// `cursor`: "" for the first page, else a next_cursor of the same query. INVALID_ARGUMENT for a
// malformed cursor.
Result<EventPage> QueryEventPage(const StateView& view, const EventQuery& q,
                                 const std::string& cursor = "");

// Stored events matching `q`, each {"event": <as captured>, "eventID", "recordTime", "tx",
// "height", "org", "seq", "errorDeclared"?, "context"?}; in capture order (event-time order when
// only a time range is given); at most one page (per_page, event_count_limit).
Result<std::vector<Value>> QueryEvents(const StateView& view, const EventQuery& q);

// Stored event records (from QueryEvents) as an EPCIS 2.0 EPCISQueryDocument — the body of
// GET /epcis/events. Each event is as captured, plus "recordTime" (block time) and "eventID" when
// the ledger assigned it; "@context" is the standard context followed by the union of the
// captured documents' context entries of the events returned.
nlohmann::json EventsToQueryDocument(const std::vector<Value>& records);

// The `context` argument of prov.capture: a list of at most 32 @context entries (context URLs
// or maps of term definitions), 16 KiB encoded at most, without the standard EPCIS context.
// INVALID_ARGUMENT naming the entry otherwise.
Status CheckCaptureContext(const Value& context);

// The consumer / explorer view of one code (Digital Link or EPC URN): product, origin country,
// state, custody, timeline (with tx ids and heights), customs, certificates, aggregation and
// transformation links, scans, warnings ([{kind, params}], DeriveTraceWarnings of the records
// read), "as_of_ms", and "state_keys" (every state key the answer depends on, for proofs: with
// the item's event records and the registered places they name). `as_of_ms` is the reader's
// time for expiry warnings (0: ignore expiry).
// NOT_FOUND if nothing on the ledger names the code.
Result<Value> Trace(const StateView& view, const std::string& code, int64_t as_of_ms = 0);

// The stored record of an identifier tracked on the ledger (item or container), or nullopt.
Result<std::optional<Value>> GetObject(const StateView& view, const std::string& id);
// The lot record ("/01/<gtin>/10/<lot>" or any lot form), or nullopt.
Result<std::optional<Value>> GetLot(const StateView& view, const std::string& lot_id);
// A customs clearance record, or nullopt.
Result<std::optional<Value>> GetCustoms(const StateView& view, const std::string& declaration_no);

}  // namespace tidemark::contracts
