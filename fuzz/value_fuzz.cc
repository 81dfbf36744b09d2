// Fuzzes Value::Decode: never crashes; what it accepts re-encodes to the same bytes, and its JSON
// form reads back as the same value (except maps with a "$bytes" key, which JSON cannot express).
#include <nlohmann/json.hpp>

#include "fuzz_util.h"
#include "tidemark/value.h"

namespace {
bool HasBytesKey(const tidemark::Value& v) {
  if (v.is_list()) {
    for (const auto& e : v.as_list()) {
      if (HasBytesKey(e)) return true;
    }
  }
  if (v.is_map()) {
    for (const auto& [k, e] : v.as_map()) {
      if (k == "$bytes" || HasBytesKey(e)) return true;
    }
  }
  return false;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidemark;
  ByteView in(data, size);
  auto v = Value::Decode(in);
  if (!v.ok()) return 0;
  fuzz::CheckCanonical(in, v->Encode(), "value");
  if (HasBytesKey(*v)) return 0;
  auto back = Value::FromJson(v->ToJson());
  if (!back.ok() || !(*back == *v)) {
    std::fprintf(stderr, "value: JSON round trip failed for %s\n", ToHex(in).c_str());
    std::abort();
  }
  return 0;
}
