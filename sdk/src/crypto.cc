#include "tidemark/crypto.h"

#include <sodium.h>

#include <cstdlib>

#include "tidemark/codec.h"

namespace tidemark {

bool CryptoInit() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string_view SigDomain(SigKind kind) {
  switch (kind) {
    case SigKind::kTx:
      return "tidemark/tx/v1";
    case SigKind::kVote:
      return "tidemark/vote/v1";
    case SigKind::kTimeout:
      return "tidemark/timeout/v1";
    case SigKind::kProposal:
      return "tidemark/proposal/v1";
    case SigKind::kHandshake:
      return "tidemark/handshake/v1";
    case SigKind::kRead:
      return "tidemark/read/v1";
  }
  return "tidemark/unknown/v1";
}

Bytes SigningMessage(SigKind kind, std::string_view chain_id, ByteView body) {
  Writer w;
  w.Str(SigDomain(kind));
  w.Str(chain_id);
  w.Raw(body);
  return w.Take();
}

KeyPair::~KeyPair() {
  sodium_memzero(seed_.data.data(), seed_.size());
  sodium_memzero(sk_.data.data(), sk_.size());
}

KeyPair KeyPair::FromSeed(const Seed& seed) {
  if (!CryptoInit()) std::abort();  // cannot happen on a supported platform
  KeyPair k;
  k.seed_ = seed;
  crypto_sign_seed_keypair(k.pk_.data.data(), k.sk_.data.data(), seed.data.data());
  return k;
}

KeyPair KeyPair::Generate() {
  Seed seed;
  RandomBytes(seed.data);
  KeyPair k = FromSeed(seed);
  sodium_memzero(seed.data.data(), seed.size());
  return k;
}

Signature KeyPair::SignRaw(ByteView message) const {
  Signature sig;
  crypto_sign_detached(sig.data.data(), nullptr, message.data(), message.size(), sk_.data.data());
  return sig;
}

Signature KeyPair::Sign(SigKind kind, std::string_view chain_id, ByteView body) const {
  return SignRaw(SigningMessage(kind, chain_id, body));
}

bool VerifyRaw(const PublicKey& pk, ByteView message, const Signature& sig) {
  if (!CryptoInit()) return false;
  return crypto_sign_verify_detached(sig.data.data(), message.data(), message.size(),
                                     pk.data.data()) == 0;
}

bool Verify(const PublicKey& pk, SigKind kind, std::string_view chain_id, ByteView body,
            const Signature& sig) {
  return VerifyRaw(pk, SigningMessage(kind, chain_id, body), sig);
}

void RandomBytes(std::span<uint8_t> out) {
  if (!CryptoInit()) std::abort();
  randombytes_buf(out.data(), out.size());
}

}  // namespace tidemark
