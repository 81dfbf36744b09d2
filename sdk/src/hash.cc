#include "tidemark/hash.h"

#include <cryptopp/sha.h>

namespace tidemark {

Hash256 Sha256(ByteView data) {
  Hash256 out;
  CryptoPP::SHA256().CalculateDigest(out.data.data(), data.data(), data.size());
  return out;
}

struct Sha256Hasher::Impl {
  CryptoPP::SHA256 sha;
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) {}
Sha256Hasher::~Sha256Hasher() = default;

Sha256Hasher& Sha256Hasher::Update(ByteView data) {
  impl_->sha.Update(data.data(), data.size());
  return *this;
}

Hash256 Sha256Hasher::Final() {
  Hash256 out;
  impl_->sha.Final(out.data.data());
  return out;
}

}  // namespace tidemark
