// hash.h — SHA-256 (Crypto++, which uses the SHA-NI instructions where the CPU has them).
//
//   Hash256 h = Sha256(AsBytes("abc"));
//   Sha256Hasher s; s.Update(a); s.Update(b); Hash256 h2 = s.Final();
//
// Thread safety: Sha256() is thread-safe; a Sha256Hasher is not shared between threads.
#pragma once

#include <memory>

#include "tidemark/bytes.h"

namespace tidemark {

Hash256 Sha256(ByteView data);

class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  Sha256Hasher& Update(ByteView data);
  Sha256Hasher& Update(uint8_t byte) { return Update(ByteView(&byte, 1)); }
  // Returns the digest and resets the hasher.
  Hash256 Final();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tidemark
