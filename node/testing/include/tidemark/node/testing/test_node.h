// test_node.h — TEST ONLY: what `tidemark-node-test` adds to a node, through NodeExtensions.
// Linked by tests and by that binary, never by `tidemark-node` (DESIGN.md: the production binary
// holds no test code).
//
//   auto ext = TestNodeExtensions(cfg, {.faults = true, .tamper_proofs = false});
//   if (!ext.ok()) ...;                               // tampering asked on a non-dev chain
//   return RunNodeUntilSignal("tidemark-node-test", cfg, std::move(*ext));
//
// - The "test" contract (contracts/testing/test_contract.h) is always registered.
// - The fault layer (--test-faults or TIDEMARK_TEST_FAULTS=1): the node reads
//   `<data_dir>/test_faults` every 200 ms: one peer key (64 hex digits) per line, `#` comments;
//   every message to and from those peers is dropped by the transport (Transport::SetBlocked),
//   as if the network between them were cut. Process tests partition a network by writing these
//   files (write a temp file, then rename it):
//     echo "<key of C>\n<key of D>" > A/data/test_faults.tmp && mv A/data/test_faults.tmp
//     A/data/test_faults
//   The node logs "test faults: blocking 2 peers" once the cut is in effect; an empty (or
//   deleted) file heals it ("test faults: blocking 0 peers").
//   A line `drop-block-requests <key>` instead drops only what that peer sends to ask for blocks
//   (consensus BlockRequest and EpochRequest, block-sync requests), silently, through
//   NodeExtensions::drop_inbound; everything else from it flows. The node logs
//   "test faults: dropping block requests of N peers" when that set changes, and then, for every
//   peer whose requests it dropped since the last change,
//   "test faults: dropped N block requests from <key hex> (consensus C, sync S)".
//   A line `slow-writes <ms>` (0–10000) makes every write of the node's ledger store sleep that
//   long first (SlowWriteKvStore, through NodeExtensions::wrap_store): a slow disk. The node logs
//   "test faults: slow writes N ms" when the delay changes; no line (or 0) restores the disk.
// - Proof tampering (--tamper-proofs or TIDEMARK_TEST_TAMPER_PROOFS=1, development chains only):
//   every bundle served still decodes but no longer verifies, and carries "tampered": true.
//
// Thread safety: pure functions; the returned hooks are safe from any thread.
#pragma once

#include <set>
#include <string>

#include "tidemark/crypto.h"
#include "tidemark/node/app/node.h"
#include "tidemark/status.h"

namespace tidemark::node::testing {

struct TestFaults {
  std::set<PublicKey> blocked;              // `<key>`: every message to and from them dropped
  std::set<PublicKey> drop_block_requests;  // `drop-block-requests <key>`: their asks for blocks
  uint32_t slow_write_ms = 0;               // `slow-writes <ms>`: every store write sleeps first
};

// The faults listed in `path`; an absent file is no fault; a bad line is an error.
Result<TestFaults> ReadTestFaults(const std::string& path);

// True for a message by which a peer asks this node for blocks: a consensus BlockRequest or
// EpochRequest, or a block-sync request.
bool IsBlockRequest(Channel channel, ByteView body);

// Alters an encoded bundle so that it still decodes but no longer verifies.
Bytes TamperBundle(api::BundleKind kind, const Bytes& bundle);

// A development chain id ("tidemark-local…", "tidemark-dev…", "tidemark-test…",
// "…-dev"): the only chains a tampering node may run on.
bool IsDevChain(const std::string& chain_id);

struct TestNodeOptions {
  bool faults = false;         // poll <data_dir>/test_faults
  bool tamper_proofs = false;  // serve tampered bundles
};

// The extensions of tidemark-node-test; FailedPrecondition when tampering is asked on a chain
// that is not a development chain.
Result<NodeExtensions> TestNodeExtensions(const config::NodeConfig& cfg, TestNodeOptions opt);

}  // namespace tidemark::node::testing
