// Fuzzes the EPCIS 2.0 document parser behind POST /epcis/capture: any text either parses or is
// refused with a Status; it never crashes, leaks or hits undefined behaviour.
#include <string_view>

#include "fuzz_util.h"
#include "tidemark/contracts/epcis.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto events = tidemark::contracts::ParseEpcisDocumentText(text);
  (void)events.ok();
  return 0;
}
