// Fuzzes the p2p wire format a peer's bytes reach first (node/p2p/wire.h): the plaintext hello
// (what it accepts re-encodes to the same bytes) and a stream of encrypted frames read the way
// the transport reads them — u32 length checked before anything is allocated, then the
// ciphertext opened — over a fixed key, with a genuine frame sealed in front so the opener's
// state is exercised past the first frame. Never crashes; a frame that fails authentication
// stops the stream, as it drops the connection.
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "tidemark/node/p2p/wire.h"

using namespace tidemark;
using namespace tidemark::node::p2p;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(data, size);
  if (auto h = Hello::Decode(in); h.ok()) fuzz::CheckCanonical(in, h->Encode(), "hello");

  static const uint8_t kKey[kStreamKeyBytes] = {7};
  uint8_t header[kStreamHeaderBytes];
  FrameSealer sealer(kKey, header);
  FrameOpener opener(kKey, header);
  Bytes first = sealer.Seal(ByteView(data, size < 16 ? size : 16));
  auto plain = opener.Open(ByteView(first.data() + 4, first.size() - 4));
  if (!plain.ok()) __builtin_trap();  // our own frame must open

  constexpr size_t kMaxPlain = 4096;
  size_t pos = 0;
  while (pos + 4 <= size) {
    auto len = CheckFrameLength(GetU32(data + pos), kMaxPlain);
    pos += 4;
    if (!len.ok()) break;
    if (*len > size - pos) break;  // the connection would wait for more bytes
    auto msg = opener.Open(ByteView(data + pos, *len));
    pos += *len;
    if (!msg.ok()) break;
  }
  return 0;
}
