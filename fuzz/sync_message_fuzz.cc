// Fuzzes the block-sync channel's messages (the payload of every p2p sync frame, from any
// authenticated peer): DecodeSyncMessage never crashes and bounds what it allocates.
#include "fuzz_util.h"
#include "tidemark/node/app/sync.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidemark;
  auto msg = node::DecodeSyncMessage(ByteView(data, size));
  if (msg.ok()) {
    if (auto* r = std::get_if<node::SyncResponse>(&*msg)) {
      // What was accepted is well formed: every block and certificate re-encodes.
      for (const auto& [block, cert] : r->blocks) {
        if (Block::Decode(block.Encode()).status().code() != Code::kOk) __builtin_trap();
        if (QuorumCert::Decode(cert.Encode()).status().code() != Code::kOk) __builtin_trap();
      }
    }
  }
  return 0;
}
