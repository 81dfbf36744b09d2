// messages.h — the consensus wire messages, the timeout certificate and the persisted safety
// state, with their canonical encodings (docs/consensus.md, "Message formats").
//
// Every encoding starts with the version byte kEncodingVersion; decoders are strict (no trailing
// bytes, bounded counts, canonical order of signers) and safe on untrusted input: they return a
// Status and never assert or allocate more than the bytes present.
//
//   Message m = TimeoutMsg{.epoch = 1, .round = 7, .high_qc = qc, .voter = 2, .signature = sig};
//   Bytes wire = EncodeMessage(m);
//   Result<Message> back = DecodeMessage(wire);   // fuzz target: DecodeMessage
//
// Signatures are not checked here (see replica.h / crypto.h): decoding only checks form.
// Thread safety: value types.
#pragma once

#include <optional>
#include <variant>
#include <vector>

#include "tidemark/types.h"

namespace tidemark::consensus {

// At most this many blocks in one BlockResponse.
inline constexpr uint32_t kMaxFetchBlocks = 64;
// A replica answers a BlockRequest with fewer blocks once they would pass this many bytes (one
// block is always sent): 64 large blocks would not fit the node's p2p frame (16 MiB), and a
// response that cannot be sent is a fetch that never succeeds. EstimatedSize bounds a block's
// encoding from above without encoding it.
inline constexpr size_t kMaxFetchResponseBytes = 8 * 1024 * 1024;
size_t EstimatedSize(const Block& b);
// A BlockResponse is rejected above this many bytes before decoding its blocks.
inline constexpr size_t kMaxMessageSize = 64 * 1024 * 1024;

// What a timeout signature covers (domain kTimeout): Version || epoch || round || hqc_round.
Bytes TimeoutSigningBody(uint64_t epoch, uint64_t round, uint64_t hqc_round);
// What a proposer signs (domain kProposal): Version || block id.
Bytes ProposalSigningBody(const Hash256& block_id);

// 2f+1 timeouts for one round. Each entry signs (epoch, round, its own hqc_round); high_qc is a
// QC whose round is the maximum hqc_round, so the next leader can extend it.
struct TimeoutCert {
  struct Entry {
    uint32_t signer = 0;
    uint64_t hqc_round = 0;
    Signature signature;
  };
  uint64_t epoch = 0;
  uint64_t round = 0;
  std::vector<Entry> entries;  // signers strictly ascending
  QuorumCert high_qc;

  uint64_t MaxHqcRound() const;
  void EncodeTo(Writer& w) const;
  Bytes Encode() const;
  Hash256 Hash() const;
  static Status DecodeFrom(Reader& r, TimeoutCert* out);
  static Result<TimeoutCert> Decode(ByteView in);
};

// "I give up on `round`." Carries the sender's highest QC (and the TC that brought it into
// `round`, if any) so that lagging replicas can catch up from it.
struct TimeoutMsg {
  uint64_t epoch = 0;
  uint64_t round = 0;
  QuorumCert high_qc;
  std::optional<TimeoutCert> last_tc;
  uint32_t voter = 0;
  Signature signature;  // over TimeoutSigningBody(epoch, round, high_qc.data.round)

  void EncodeTo(Writer& w) const;
  static Status DecodeFrom(Reader& r, TimeoutMsg* out);
  static Result<TimeoutMsg> Decode(ByteView in);
};

// A leader's block for block.header.round; tc is present when the round was entered by a TC.
struct ProposalMsg {
  Block block;
  std::optional<TimeoutCert> tc;
  Signature signature;  // the proposer's, over ProposalSigningBody(block id)

  void EncodeTo(Writer& w) const;
  static Status DecodeFrom(Reader& r, ProposalMsg* out);
  static Result<ProposalMsg> Decode(ByteView in);
};

// "Send me block_id and up to max_blocks - 1 of its ancestors."
struct BlockRequest {
  Hash256 block_id;
  uint32_t max_blocks = 1;
};

// Blocks newest first, each the parent of the one before.
struct BlockResponse {
  std::vector<Block> blocks;
};

// "I am in `epoch`; send me the certificate that ended it."
struct EpochRequest {
  uint64_t epoch = 0;
};

// The commit certificate (of epoch cert.data.epoch) whose committed chain ends that epoch, and
// the certified blocks from cert.data.commit_id (newest first) down to, not including, the
// epoch's last block — empty when the certificate names that block itself.
struct EpochProof {
  QuorumCert cert;
  std::vector<Block> tail;
};

using Message = std::variant<ProposalMsg, Vote, TimeoutMsg, BlockRequest, BlockResponse,
                             EpochRequest, EpochProof>;

// Version || tag (the variant index) || body.
Bytes EncodeMessage(const Message& m);
Result<Message> DecodeMessage(ByteView in);
// "proposal", "vote", ... for traces and metrics.
const char* MessageName(const Message& m);

// The replica's safety-critical state. The host persists it (PersistSafety action) before it
// sends anything that follows in the same action list.
struct SafetyState {
  uint64_t epoch = 0;
  Hash256 epoch_root_id;  // the committed block this epoch extends
  uint64_t epoch_root_height = 0;
  uint64_t last_voted_round = 0;       // never vote again at or below it
  uint64_t locked_round = 0;           // highest QC round of any block voted for (two-chain lock)
  uint64_t last_timeout_round = 0;     // never vote at or below it
  QuorumCert high_qc;                  // highest certified block known
  std::optional<TimeoutCert> last_tc;  // highest TC known (liveness: resent after a restart)

  // The state at the start of an epoch whose root is (root_id, root_height).
  static SafetyState ForEpochRoot(uint64_t epoch, const Hash256& root_id, uint64_t root_height);
  Bytes Encode() const;
  static Result<SafetyState> Decode(ByteView in);
  friend bool operator==(const SafetyState& a, const SafetyState& b);
};

// The unsigned round-0 QC every replica derives for an epoch's root block.
QuorumCert EpochRootQc(uint64_t epoch, const Hash256& root_id, uint64_t root_height);

}  // namespace tidemark::consensus
