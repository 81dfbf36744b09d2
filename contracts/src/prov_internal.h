// prov_internal.h (internal) — state keys and shared helpers of the provenance contract.
// State layout (docs/contracts.md):
//   prov/next_seq                       int: sequence number of the next stored event
//   prov/event/<seq>                    stored event record
//   prov/eventid/<eventID>              int seq of the first event with that id
//   prov/err/<eventID>                  error declaration about an event
//   prov/ix/<index>/<value> <seq>       "" — query indexes (epc, any, parent, class, type, step,
//                                       disp, loc, time)
//   prov/g/<rel>/<a> <b>                "" — graph edges: in (child -> container), has (container
//                                       -> child), made (input -> output), from (output -> input),
//                                       lotitem (lot -> item)
//   prov/obj/<id>                       item / container record (lifecycle, timeline)
//   prov/lot/<lot id>, prov/product/<gtin>, prov/location/<gln id>, prov/party/<id>
//   prov/customs/<declaration no>, prov/cert/<id>, prov/recall/<id>, prov/scan/<id>
//   prov/deleg/<scope> <org>            delegation of a product "/01/<gtin>" or a location
// Thread safety: stateless functions.
#pragma once

#include <string>
#include <vector>

#include "tidemark/contracts/state.h"
#include "tidemark/value.h"

namespace tidemark::contracts::prov {

inline std::string ObjKey(const std::string& id) { return "prov/obj/" + id; }
inline std::string LotRecKey(const std::string& lot) { return "prov/lot/" + lot; }
inline std::string ProductKey(const std::string& gtin) { return "prov/product/" + gtin; }
inline std::string EventKey(uint64_t seq) { return "prov/event/" + SeqKey(seq); }
inline std::string EventIdKey(const std::string& id) { return "prov/eventid/" + id; }
inline std::string CustomsKey(const std::string& no) { return "prov/customs/" + no; }
inline std::string CertKey(const std::string& id) { return "prov/cert/" + id; }
inline std::string ScanKey(const std::string& id) { return "prov/scan/" + id; }
inline std::string IndexPrefix(const std::string& index, const std::string& value) {
  return "prov/ix/" + index + "/" + value + " ";
}
inline std::string EdgePrefix(const std::string& rel, const std::string& from) {
  return "prov/g/" + rel + "/" + from + " ";
}

// Time index key: event time in ms shifted to be non-negative, 20 digits.
std::string TimeKey(int64_t ms);

void PutEdge(StateView& view, const std::string& rel, const std::string& a, const std::string& b);
// The far ends of `rel` edges from `a`, ascending.
std::vector<std::string> Edges(const StateView& view, const std::string& rel, const std::string& a);

// Field helpers on Value maps.
inline std::string S(const Value& m, const std::string& k) {
  const Value* v = m.Find(k);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}
inline int64_t I(const Value& m, const std::string& k) {
  const Value* v = m.Find(k);
  return v != nullptr && v->is_int() ? v->as_int() : 0;
}
inline Value::Map& M(Value& v) { return v.as_map(); }

// Canonical form of an identifier given by a caller, or INVALID_ARGUMENT naming `field`.
Result<std::string> CanonicalArg(const Value& args, const std::string& field);

// Tracked objects `id` covers: itself (if tracked) and, for containers, everything inside,
// appended to `out` once each. Fails beyond nesting depth 8.
Status Covered(const StateView& view, const std::string& id, std::vector<std::string>& out,
               int depth = 0);

// The `items` argument of customs and custody calls (1 to 1000 identifiers): each given id in
// canonical form, and every tracked object they cover (containers expand, each once). With
// `require_tracked`, an id that is not tracked and covers nothing is NOT_FOUND naming it.
struct ItemsArg {
  Value::List given;
  std::vector<std::string> covered;
};
Result<ItemsArg> ExpandItemsArg(const StateView& view, const Value& args, bool require_tracked);

// Loads a record; nullopt when absent.
Result<std::optional<Value>> Load(const StateView& view, const std::string& key);

}  // namespace tidemark::contracts::prov
