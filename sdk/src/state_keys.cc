// The formatted parts of state keys (state_keys/parts.h).
#include <cstdio>

#include "tidemark/state_keys/parts.h"

namespace tidemark::state_keys {

std::string SeqPart(uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%016llu", static_cast<unsigned long long>(n));
  return buf;
}

std::string TimePart(int64_t ms) {
  uint64_t shifted = static_cast<uint64_t>(ms) ^ (uint64_t{1} << 63);
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%020llu", static_cast<unsigned long long>(shifted));
  return buf;
}

}  // namespace tidemark::state_keys
