// prov_internal.h (internal) — shared helpers of the provenance contract. Its state keys are
// built by tidemark/state_keys/provenance.h (here as `keys::`), the one definition of the layout
// that the node, the CLI and the sdk's verifiers use too (docs/contracts.md, "State key layout").
// Thread safety: stateless functions.
#pragma once

#include <string>
#include <vector>

#include "tidemark/contracts/state.h"
#include "tidemark/state_keys/provenance.h"
#include "tidemark/value.h"

namespace tidemark::contracts::prov {

namespace keys = ::tidemark::state_keys::prov;

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
