// Fuzzes Transaction::Decode: never crashes; what it accepts re-encodes to the same bytes.
#include "fuzz_util.h"
#include "tidemark/types.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tidemark::ByteView in(data, size);
  auto decoded = tidemark::Transaction::Decode(in);
  if (decoded.ok()) tidemark::fuzz::CheckCanonical(in, decoded->Encode(), "transaction");
  return 0;
}
