// sync.h — block sync: a node that is behind (restarted, new, partitioned) fetches committed
// blocks with their commit certificates from peers, verifies them against the validator set,
// executes and writes them through the consensus driver's ExecutionStage (on its strand, so the
// same write path as consensus commits), then hands back to consensus.
//
//   BlockSync sync(io, ledger, driver, send_to_peer, connected_peers);
//   sync.Start();                       // polls peers while this node makes no progress
//   sync.OnMessage(from, body);         // p2p frames of the sync channel (requests and answers)
//
// Wire (docs/network.md): request  = 0x00 | from_height u64 | max u32
//                         response = 0x01 | peer_height u64 | count u32 | (block blob, cert blob)*
// A block is applied only if it follows the ledger's tip and a certificate of the current
// validator set commits it (directly, or through a later block of the same response that the
// certificate names). Anything else is dropped without changing the ledger.
//
// Thread safety: public methods may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <variant>
#include <vector>

#include "tidemark/crypto.h"
#include "tidemark/node/app/consensus_driver.h"
#include "tidemark/node/app/ledger.h"

namespace boost::asio {
class io_context;
}

namespace tidemark::node {

struct BlockSyncOptions {
  uint32_t poll_ms = 500;     // how often a stalled node asks a peer
  uint32_t stall_ms = 1500;   // no commit for this long: ask peers
  uint32_t max_blocks = 128;  // per response
  size_t max_response_bytes = 8 << 20;
  uint64_t min_gap = 3;  // smaller gaps are left to consensus
  // Responses held in memory waiting to be applied (each at most max_response_bytes); more are
  // dropped and the range is asked for again once the queue drains.
  size_t max_queued_responses = 2;
};

// The sync channel's messages, decoded strictly (exposed for fuzz/sync_message_fuzz.cc).
struct SyncRequest {
  uint64_t from_height = 0;
  uint32_t max_blocks = 0;
};
struct SyncResponse {
  uint64_t peer_height = 0;
  std::vector<std::pair<Block, QuorumCert>> blocks;  // at most 1024
};
Result<std::variant<SyncRequest, SyncResponse>> DecodeSyncMessage(ByteView body);

class BlockSync {
 public:
  using SendFn = std::function<void(const PublicKey& to, Bytes body)>;
  using PeersFn = std::function<std::vector<PublicKey>()>;

  BlockSync(boost::asio::io_context& io, Ledger& ledger, ConsensusDriver& driver, SendFn send,
            PeersFn peers, BlockSyncOptions options = {});
  ~BlockSync();

  void Start();
  void Stop();
  void OnMessage(const PublicKey& from, ByteView body);
  // Consensus committed a block: this node is making progress.
  void OnLocalCommit();
  bool catching_up() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace tidemark::node
