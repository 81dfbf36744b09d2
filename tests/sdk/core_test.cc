#include <catch2/catch.hpp>

#include "tidemark/hash.h"
#include "tidemark/merkle.h"
#include "tidemark/types.h"
#include "tidemark/value.h"

using namespace tidemark;

TEST_CASE("sha256 of abc matches FIPS 180-2") {
  REQUIRE(Sha256(AsBytes("abc")).Hex() ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("tx round-trips and its signature verifies") {
  Seed seed;
  seed.data.fill(7);
  KeyPair k = KeyPair::FromSeed(seed);
  Transaction tx{.chain_id = "c",
                 .nonce = 1,
                 .contract = "test",
                 .method = "put",
                 .args = Value::MakeMap({{"k", "v"}}).Encode()};
  tx.SignWith(k);
  auto back = Transaction::Decode(tx.Encode());
  REQUIRE(back.ok());
  REQUIRE(back->Id() == tx.Id());
  REQUIRE(back->VerifySignature());
}
