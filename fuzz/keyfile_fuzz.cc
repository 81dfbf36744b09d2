// Fuzzes KeyFile::Parse (key files are read from disk and imported from users): never crashes or
// throws; whatever parses serialises and parses back to the same file; decryption is attempted
// only when the (bounded) KDF cost is tiny, so the fuzzer stays fast.
#include <string_view>

#include "fuzz_util.h"
#include "tidemark/keystore.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidemark;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto f = KeyFile::Parse(text);
  if (!f.ok()) return 0;
  std::string once = f->ToJson();
  auto again = KeyFile::Parse(once);
  if (!again.ok() || again->ToJson() != once) {
    std::fprintf(stderr, "keyfile: serialised file does not parse back: %s\n", once.c_str());
    std::abort();
  }
  if (f->kdf.memlimit <= 64 * 1024 && f->kdf.opslimit <= 2) {
    (void)DecryptKey(*f, "password");
  }
  return 0;
}
