// state_keys/parts.h — the pieces the built-in contracts' state keys are made of
// (docs/contracts.md, "State key layout"). Each contract's layout is one header beside this one
// (system.h, identity.h, governance.h, provenance.h); the contracts, the node's REST reads, the CLI
// and the sdk's verifiers all build keys with them, and the JS twin (sdk/js/src/state_keys.js) is
// pinned to them by the "state_keys" vectors of tests/vectors/vectors.json.
//
//   std::string k = Cat({"prov/event/", SeqPart(42)});   // "prov/event/0000000000000042"
//   if (HasPrefix(k, "prov/")) { ... }
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace tidemark::state_keys {

// The parts joined in order.
inline std::string Cat(std::initializer_list<std::string_view> parts) {
  size_t n = 0;
  for (std::string_view p : parts) n += p.size();
  std::string out;
  out.reserve(n);
  for (std::string_view p : parts) out.append(p);
  return out;
}

inline bool HasPrefix(std::string_view key, std::string_view prefix) {
  return key.substr(0, prefix.size()) == prefix;
}

// A sequence number as at least 16 decimal digits, zero-padded, so that keys sort in number order
// up to 10^16 - 1: SeqPart(42) == "0000000000000042".
std::string SeqPart(uint64_t n);

// A time in ms since the epoch as 20 decimal digits of (ms XOR 2^63), so that keys sort in time
// order, times before 1970 first: TimePart(0) == "09223372036854775808".
std::string TimePart(int64_t ms);

}  // namespace tidemark::state_keys
