#include "tidemark/node/p2p/wire.h"

#include <cstring>

#include "tidemark/codec.h"

namespace tidemark::node::p2p {

Bytes Hello::Encode() const {
  Writer w;
  w.Raw(ByteView(kWireMagic, 4));
  w.U8(static_cast<uint8_t>(role));
  w.Str(chain_id);
  w.Fixed(static_key);
  w.Fixed(eph_key);
  return w.Take();
}

Result<Hello> Hello::Decode(ByteView in) {
  if (in.size() > kMaxHelloBytes) return Status::Invalid("hello: too large");
  Reader r(in, "hello");
  uint8_t magic[4];
  TM_RETURN_IF_ERROR(r.Raw(magic, 4, "magic"));
  if (std::memcmp(magic, kWireMagic, 4) != 0) return r.Error("bad magic or protocol version");
  Hello h;
  uint8_t role;
  TM_RETURN_IF_ERROR(r.U8(&role, "role"));
  if (role > 1) return r.Error("bad role");
  h.role = static_cast<HelloRole>(role);
  TM_RETURN_IF_ERROR(r.Str(&h.chain_id, kMaxChainIdLen, "chain_id"));
  TM_RETURN_IF_ERROR(r.Fixed(&h.static_key, "static_key"));
  TM_RETURN_IF_ERROR(r.Fixed(&h.eph_key, "eph_key"));
  TM_RETURN_IF_ERROR(r.Finish());
  return h;
}

void PutU32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

uint32_t GetU32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

Result<size_t> CheckFrameLength(uint32_t len, size_t max_plain) {
  if (len < kFrameTagBytes || len > max_plain + kFrameTagBytes) {
    return Status::Invalid("frame length " + std::to_string(len) + " out of bounds");
  }
  return static_cast<size_t>(len);
}

FrameSealer::FrameSealer(const uint8_t key[kStreamKeyBytes], uint8_t header[kStreamHeaderBytes]) {
  crypto_secretstream_xchacha20poly1305_init_push(&st_, header, key);
}

Bytes FrameSealer::Seal(ByteView plain) {
  Bytes frame(4 + plain.size() + kFrameTagBytes);
  PutU32(frame.data(), static_cast<uint32_t>(plain.size() + kFrameTagBytes));
  crypto_secretstream_xchacha20poly1305_push(&st_, frame.data() + 4, nullptr, plain.data(),
                                             plain.size(), nullptr, 0,
                                             crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  return frame;
}

FrameOpener::FrameOpener(const uint8_t key[kStreamKeyBytes],
                         const uint8_t header[kStreamHeaderBytes]) {
  ok_ = crypto_secretstream_xchacha20poly1305_init_pull(&st_, header, key) == 0;
}

Result<Bytes> FrameOpener::Open(ByteView cipher) {
  if (!ok_) return Status::Invalid("frame: the stream header was refused");
  if (cipher.size() < kFrameTagBytes) return Status::Invalid("frame: shorter than its tag");
  Bytes plain(cipher.size() - kFrameTagBytes);
  unsigned char tag = 0;
  if (crypto_secretstream_xchacha20poly1305_pull(&st_, plain.data(), nullptr, &tag, cipher.data(),
                                                 cipher.size(), nullptr, 0) != 0 ||
      tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
    ok_ = false;  // the state is spent: nothing after a bad frame can be trusted
    return Status::Invalid("frame failed authentication");
  }
  return plain;
}

}  // namespace tidemark::node::p2p
