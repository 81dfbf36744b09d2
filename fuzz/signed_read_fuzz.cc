// Fuzzes the signed-read header parser (sdk signed_read.h) with what a client can put in
// `Authorization:`: never crashes; a header it accepts is exactly the one it would write back
// for the parsed key, ts and signature (one spelling per header), and verifying it is safe.
#include <string>

#include "fuzz_util.h"
#include "tidemark/signed_read.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidemark;
  std::string in(reinterpret_cast<const char*>(data), size);
  auto a = ParseReadAuthHeader(in);
  if (!a.ok()) return 0;
  std::string again = std::string(kReadAuthScheme) + " key=" + a->key.Hex() +
                      ",ts=" + std::to_string(a->ts_ms) + ",sig=" + a->sig.Hex();
  fuzz::CheckCanonical(ByteView(data, size), Bytes(again.begin(), again.end()), "signed read");
  (void)VerifyReadAuth(*a, "tidemark-local", "GET", "/v1/fin/check", a->ts_ms);
  return 0;
}
