// plg_eq.cc — the family's methods of the "plg" contract (docs/finance.md). Stub until its family
// lands.
#include "plg_internal.h"

namespace tidemark::contracts::plg {

Status EqMethod(Call& c, std::string_view method) {
  (void)c;
  return Bad("method", "no method " + std::string(method) + " in contract plg");
}

}  // namespace tidemark::contracts::plg
