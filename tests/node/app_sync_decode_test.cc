// The block-sync channel's decoder refuses what is not exactly a request or a response.
#include <catch2/catch.hpp>

#include "tidemark/codec.h"
#include "tidemark/node/app/sync.h"

using namespace tidemark;
using namespace tidemark::node;

TEST_CASE("sync decode: a request round-trips, junk and trailing bytes are refused") {
  Writer w;
  w.U8(0);
  w.U64(42);
  w.U32(128);
  auto req = DecodeSyncMessage(w.bytes());
  REQUIRE(req.ok());
  auto* q = std::get_if<SyncRequest>(&*req);
  REQUIRE(q != nullptr);
  CHECK(q->from_height == 42);
  CHECK(q->max_blocks == 128);

  Bytes trailing = w.bytes();
  trailing.push_back(0);
  CHECK(!DecodeSyncMessage(trailing).ok());
  CHECK(!DecodeSyncMessage(Bytes{}).ok());
  CHECK(!DecodeSyncMessage(Bytes{7, 0, 0}).ok());  // unknown tag

  Writer resp;  // a response that claims more blocks than it carries
  resp.U8(1);
  resp.U64(10);
  resp.U32(3);
  CHECK(!DecodeSyncMessage(resp.bytes()).ok());
  Writer empty;  // an empty answer is fine
  empty.U8(1);
  empty.U64(10);
  empty.U32(0);
  auto e = DecodeSyncMessage(empty.bytes());
  REQUIRE(e.ok());
  CHECK(std::get<SyncResponse>(*e).peer_height == 10);
}
