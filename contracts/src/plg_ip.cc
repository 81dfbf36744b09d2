// plg_ip.cc — the family's methods of the "plg" contract (docs/finance.md). Stub until its family
// lands.
#include "plg_internal.h"

namespace tidemark::contracts::plg {

Status IpMethod(Call& c, std::string_view method) {
  (void)c;
  return Bad("method", "no method " + std::string(method) + " in contract plg");
}
Status Review(Call& c) {
  (void)c;
  return Bad("method", "no method review in contract plg");
}
}  // namespace tidemark::contracts::plg
