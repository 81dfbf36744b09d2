// Fuzzes the consensus wire messages (the payload of every p2p consensus frame): DecodeMessage
// never crashes, and what it accepts re-encodes to the same bytes.
#include "fuzz_util.h"
#include "tidemark/consensus/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidemark;
  ByteView in(data, size);
  auto msg = consensus::DecodeMessage(in);
  if (msg.ok()) fuzz::CheckCanonical(in, consensus::EncodeMessage(*msg), "consensus message");
  return 0;
}
