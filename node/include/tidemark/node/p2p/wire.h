// wire.h — the p2p wire format without sockets: the plaintext hello and the encrypted frames
// (docs/network.md §Handshake). The transport (transport.cc) does the I/O; these pure pieces are
// what a peer's bytes reach first, so they are unit-tested and fuzzed on their own
// (fuzz/p2p_frame_fuzz.cc).
//
//   TM_ASSIGN_OR_RETURN(Hello theirs, Hello::Decode(raw));           // bounded by kMaxHelloBytes
//   FrameOpener rx(key, header);                                      // secretstream pull state
//   TM_ASSIGN_OR_RETURN(size_t n, CheckFrameLength(len, max_plain));  // before reading n bytes
//   TM_ASSIGN_OR_RETURN(Bytes plain, rx.Open(cipher));                // authenticated or error
//
// Thread safety: Hello and the functions are pure; a FrameSealer / FrameOpener is one stream's
// state, used by one thread at a time.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <string>

#include "tidemark/bytes.h"
#include "tidemark/status.h"
#include "tidemark/types.h"

namespace tidemark::node::p2p {

inline constexpr uint8_t kWireMagic[4] = {'T', 'M', 'K', 1};
inline constexpr size_t kMaxHelloBytes = 256;
inline constexpr size_t kFrameTagBytes = crypto_secretstream_xchacha20poly1305_ABYTES;
inline constexpr size_t kStreamHeaderBytes = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
inline constexpr size_t kStreamKeyBytes = crypto_secretstream_xchacha20poly1305_KEYBYTES;

enum class HelloRole : uint8_t { kInitiator = 0, kResponder = 1 };

// The first, plaintext message of each side: magic + version, role, chain id, the node's static
// key and a fresh key-exchange key.
struct Hello {
  HelloRole role = HelloRole::kInitiator;
  std::string chain_id;
  PublicKey static_key;
  FixedBytes<crypto_kx_PUBLICKEYBYTES> eph_key;

  Bytes Encode() const;
  // Strict: magic and version, role 0 or 1, chain id length, no trailing bytes.
  static Result<Hello> Decode(ByteView in);
};

void PutU32(uint8_t* p, uint32_t v);  // big-endian
uint32_t GetU32(const uint8_t* p);

// A frame is u32 length (big-endian) + ciphertext of that length (plaintext + tag). The ciphertext
// length a reader may accept, or an error naming the bound, before it reads (and allocates) it.
Result<size_t> CheckFrameLength(uint32_t len, size_t max_plain);

// The sending side of one connection: seals each message as one frame (length prefix included).
class FrameSealer {
 public:
  // Writes the stream header that the peer's FrameOpener needs into `header`.
  FrameSealer(const uint8_t key[kStreamKeyBytes], uint8_t header[kStreamHeaderBytes]);
  Bytes Seal(ByteView plain);

 private:
  crypto_secretstream_xchacha20poly1305_state st_;
};

// The receiving side: opens frames in order; any tampering, reordering, truncation or a frame of
// another stream is an error (and the connection must be dropped: the state is spent).
class FrameOpener {
 public:
  // Fails (ok() false) on a header the key does not accept.
  FrameOpener(const uint8_t key[kStreamKeyBytes], const uint8_t header[kStreamHeaderBytes]);
  bool ok() const { return ok_; }
  Result<Bytes> Open(ByteView cipher);

 private:
  crypto_secretstream_xchacha20poly1305_state st_;
  bool ok_ = false;
};

}  // namespace tidemark::node::p2p
