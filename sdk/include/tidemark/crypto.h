// crypto.h — Ed25519 keys and domain-separated signatures (libsodium).
//
// Every signature in Tidemark is over
//     SigningMessage(kind, chain_id, body) = Str("tidemark/<kind>/v1") || Str(chain_id) || body
// (Str = u32 big-endian length + bytes, see docs/encoding.md), so a signature made for one kind of
// message (a tx, a vote, a timeout, a p2p handshake, a read request) or for one chain can never be
// replayed as another.
//
//   KeyPair k = KeyPair::Generate();
//   Signature s = k.Sign(SigKind::kTx, "tidemark-local", body);
//   bool ok = Verify(k.public_key(), SigKind::kTx, "tidemark-local", body, s);
//
// Thread safety: all functions are thread-safe; KeyPair is a value type (its secret is wiped on
// destruction).
#pragma once

#include <string>
#include <string_view>

#include "tidemark/bytes.h"

namespace tidemark {

using PublicKey = FixedBytes<32>;
using Signature = FixedBytes<64>;
using Seed = FixedBytes<32>;

enum class SigKind {
  kTx,         // "tidemark/tx/v1"
  kVote,       // "tidemark/vote/v1"
  kTimeout,    // "tidemark/timeout/v1"
  kProposal,   // "tidemark/proposal/v1"
  kHandshake,  // "tidemark/handshake/v1"
  kRead,       // "tidemark/read/v1"  (authenticated reads of protected data)
};

// "tidemark/tx/v1" etc.
std::string_view SigDomain(SigKind kind);

// The exact bytes that are signed.
Bytes SigningMessage(SigKind kind, std::string_view chain_id, ByteView body);

// Initialises libsodium once; called by every function here. Returns false if it cannot.
bool CryptoInit();

class KeyPair {
 public:
  KeyPair() = default;  // all-zero; not usable until assigned
  ~KeyPair();
  KeyPair(const KeyPair&) = default;
  KeyPair& operator=(const KeyPair&) = default;

  static KeyPair FromSeed(const Seed& seed);
  // A fresh key from the OS random source.
  static KeyPair Generate();

  const PublicKey& public_key() const { return pk_; }
  const Seed& seed() const { return seed_; }

  Signature Sign(SigKind kind, std::string_view chain_id, ByteView body) const;
  // Signs raw bytes with no domain (only for test vectors of the primitive itself).
  Signature SignRaw(ByteView message) const;

 private:
  Seed seed_;
  PublicKey pk_;
  FixedBytes<64> sk_;  // libsodium's expanded secret key (seed || pk)
};

bool Verify(const PublicKey& pk, SigKind kind, std::string_view chain_id, ByteView body,
            const Signature& sig);
bool VerifyRaw(const PublicKey& pk, ByteView message, const Signature& sig);

// Fills `out` with random bytes from the OS.
void RandomBytes(std::span<uint8_t> out);

}  // namespace tidemark
