// Fuzzes the page-cursor codec (node/api/cursor.h) with what a client can put in `?cursor=`:
// never crashes; a cursor it accepts is exactly the one it would issue for the decoded fields.
#include <string>

#include "fuzz_util.h"
#include "tidemark/node/api/cursor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidemark;
  std::string in(reinterpret_cast<const char*>(data), size);
  for (size_t n : {size_t{1}, size_t{2}}) {
    auto f = node::api::DecodeCursor(in, "c1", n);
    if (!f.ok()) continue;
    std::string again = n == 1 ? node::api::EncodeCursor("c1", {(*f)[0]})
                               : node::api::EncodeCursor("c1", {(*f)[0], (*f)[1]});
    fuzz::CheckCanonical(ByteView(data, size), Bytes(again.begin(), again.end()), "cursor");
  }
  return 0;
}
