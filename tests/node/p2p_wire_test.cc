// The p2p wire format without sockets: hello decoding, frame length bounds, and that a frame
// altered, replayed, reordered or from another stream never opens.
#include <catch2/catch.hpp>

#include "tidemark/node/p2p/wire.h"

namespace tidemark::node::p2p {
namespace {

TEST_CASE("p2p wire: a hello round-trips and bad ones are refused") {
  Hello h{.role = HelloRole::kResponder, .chain_id = "tidemark-local"};
  h.static_key.data[0] = 9;
  h.eph_key.data[31] = 4;
  Bytes enc = h.Encode();
  auto back = Hello::Decode(enc);
  REQUIRE(back.ok());
  CHECK(back->Encode() == enc);
  CHECK(back->role == HelloRole::kResponder);

  Bytes bad_magic = enc;
  bad_magic[3] = 2;  // another protocol version
  CHECK_FALSE(Hello::Decode(bad_magic).ok());
  Bytes bad_role = enc;
  bad_role[4] = 2;
  CHECK_FALSE(Hello::Decode(bad_role).ok());
  Bytes trailing = enc;
  trailing.push_back(0);
  CHECK_FALSE(Hello::Decode(trailing).ok());
  CHECK_FALSE(Hello::Decode(ByteView(enc.data(), enc.size() - 1)).ok());
  CHECK_FALSE(Hello::Decode(Bytes(kMaxHelloBytes + 1, 0)).ok());
}

TEST_CASE("p2p wire: frame lengths are bounded before anything is read") {
  CHECK_FALSE(CheckFrameLength(0, 100).ok());
  CHECK_FALSE(CheckFrameLength(kFrameTagBytes - 1, 100).ok());
  CHECK(CheckFrameLength(kFrameTagBytes, 100).ok());
  CHECK(CheckFrameLength(100 + kFrameTagBytes, 100).ok());
  CHECK_FALSE(CheckFrameLength(101 + kFrameTagBytes, 100).ok());
  CHECK_FALSE(CheckFrameLength(0xffffffffu, 100).ok());
}

TEST_CASE("p2p wire: only the stream's own frames, in order and unaltered, open") {
  uint8_t key[kStreamKeyBytes] = {1, 2, 3};
  uint8_t header[kStreamHeaderBytes];
  FrameSealer tx(key, header);
  Bytes f1 = tx.Seal(AsBytes("first"));
  Bytes f2 = tx.Seal(AsBytes("second"));
  auto body = [](const Bytes& f) { return ByteView(f.data() + 4, f.size() - 4); };
  CHECK(GetU32(f1.data()) == f1.size() - 4);

  {
    FrameOpener rx(key, header);
    auto a = rx.Open(body(f1));
    REQUIRE(a.ok());
    CHECK(std::string(a->begin(), a->end()) == "first");
    CHECK_FALSE(rx.Open(body(f1)).ok());  // a replay
    CHECK_FALSE(rx.Open(body(f2)).ok());  // the stream is spent after a bad frame
  }
  {
    FrameOpener rx(key, header);
    CHECK_FALSE(rx.Open(body(f2)).ok());  // out of order
  }
  {
    FrameOpener rx(key, header);
    Bytes flipped = f1;
    flipped.back() ^= 1;
    CHECK_FALSE(rx.Open(body(flipped)).ok());
  }
  {
    uint8_t other[kStreamKeyBytes] = {9};
    FrameOpener rx(other, header);
    CHECK_FALSE(rx.Open(body(f1)).ok());  // another key
  }
}

}  // namespace
}  // namespace tidemark::node::p2p
