// SHA-256 against NIST vectors; Ed25519 against RFC 8032; domain separation of signatures.
#include "tidemark/crypto.h"

#include <catch2/catch.hpp>

#include "tidemark/hash.h"

using namespace tidemark;

namespace {
Bytes HexBytes(const std::string& h) {
  auto b = FromHex(h);
  REQUIRE(b.ok());
  return *b;
}
}  // namespace

TEST_CASE("sha256 matches the NIST FIPS 180-4 examples") {
  REQUIRE(Sha256({}).Hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  REQUIRE(Sha256(AsBytes("abc")).Hex() ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  REQUIRE(Sha256(AsBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).Hex() ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  REQUIRE(Sha256(AsBytes("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                         "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"))
              .Hex() == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  std::string million(1000000, 'a');
  REQUIRE(Sha256(AsBytes(million)).Hex() ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("incremental sha256 equals one-shot, and Final resets") {
  std::string msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  Sha256Hasher h;
  for (char c : msg) h.Update(static_cast<uint8_t>(c));
  REQUIRE(h.Final() == Sha256(AsBytes(msg)));
  REQUIRE(h.Final() == Sha256({}));
}

TEST_CASE("ed25519 matches RFC 8032 test 1 and test 2") {
  auto seed = Seed::FromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  REQUIRE(seed.ok());
  KeyPair k = KeyPair::FromSeed(*seed);
  REQUIRE(k.public_key().Hex() ==
          "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  REQUIRE(k.SignRaw({}).Hex() ==
          "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
          "1cf9b46bd25bf5f0595bbe24655141438e7a100b");
  auto seed2 = Seed::FromHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
  REQUIRE(seed2.ok());
  KeyPair k2 = KeyPair::FromSeed(*seed2);
  Bytes msg = {0x72};
  Signature sig = k2.SignRaw(msg);
  REQUIRE(sig.Hex() ==
          "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613"
          "d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
  REQUIRE(VerifyRaw(k2.public_key(), msg, sig));
}

TEST_CASE("signing message is Str(domain) || Str(chain id) || body") {
  Bytes body = {0xde, 0xad};
  REQUIRE(ToHex(SigningMessage(SigKind::kVote, "c1", body)) ==
          "00000010" + ToHex(AsBytes("tidemark/vote/v1")) + "00000002" + ToHex(AsBytes("c1")) +
              "dead");
}

TEST_CASE("a signature verifies only for its key, kind, chain id, body and bytes") {
  Seed seed;
  seed.data.fill(1);
  KeyPair k = KeyPair::FromSeed(seed);
  Seed other_seed;
  other_seed.data.fill(2);
  KeyPair other = KeyPair::FromSeed(other_seed);
  Bytes body = HexBytes("0102030405");
  const SigKind kinds[] = {SigKind::kTx,       SigKind::kVote,      SigKind::kTimeout,
                           SigKind::kProposal, SigKind::kHandshake, SigKind::kRead};
  for (SigKind kind : kinds) {
    INFO(SigDomain(kind));
    Signature sig = k.Sign(kind, "chain-a", body);
    REQUIRE(Verify(k.public_key(), kind, "chain-a", body, sig));
    REQUIRE_FALSE(Verify(other.public_key(), kind, "chain-a", body, sig));
    REQUIRE_FALSE(Verify(k.public_key(), kind, "chain-b", body, sig));
    REQUIRE_FALSE(Verify(k.public_key(), kind, "", body, sig));
    for (SigKind wrong : kinds) {
      if (wrong != kind) REQUIRE_FALSE(Verify(k.public_key(), wrong, "chain-a", body, sig));
    }
    // No domain at all: a raw signature over the body is not a domain signature and vice versa.
    REQUIRE_FALSE(VerifyRaw(k.public_key(), body, sig));
    REQUIRE_FALSE(Verify(k.public_key(), kind, "chain-a", body, k.SignRaw(body)));
    for (size_t bit = 0; bit < body.size() * 8; ++bit) {
      Bytes b = body;
      b[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
      REQUIRE_FALSE(Verify(k.public_key(), kind, "chain-a", b, sig));
    }
    for (size_t bit = 0; bit < 64 * 8; bit += 7) {
      Signature s = sig;
      s.data[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
      REQUIRE_FALSE(Verify(k.public_key(), kind, "chain-a", body, s));
    }
  }
}

TEST_CASE("chain id boundary cannot be shifted into the body") {
  // Without length prefixes, ("ab", "c"+body) and ("abc", body) would sign the same bytes.
  Seed seed;
  seed.data.fill(3);
  KeyPair k = KeyPair::FromSeed(seed);
  Bytes body = {'c', 1};
  Signature sig = k.Sign(SigKind::kTx, "ab", body);
  REQUIRE_FALSE(Verify(k.public_key(), SigKind::kTx, "abc", Bytes{1}, sig));
}

TEST_CASE("fresh keys differ and the all-zero public key never verifies") {
  KeyPair a = KeyPair::Generate(), b = KeyPair::Generate();
  REQUIRE(a.public_key() != b.public_key());
  Signature sig = a.Sign(SigKind::kTx, "c", {});
  REQUIRE_FALSE(Verify(PublicKey{}, SigKind::kTx, "c", {}, sig));
  REQUIRE_FALSE(Verify(a.public_key(), SigKind::kTx, "c", {}, Signature{}));
}
