// proof_bundle.h — self-contained, verifiable answers: several state values (or absences), or a
// tx and its receipt, proven against a committed block header whose commit certificate a client
// checks with validator keys it reached from the genesis set (docs/proofs.md).
//
//   TrustAnchor trust{.chain_id = "tidemark-local", .genesis = genesis_validators};
//   TM_ASSIGN_OR_RETURN(StateBundle b, StateBundle::Decode(bytes_from_server));
//   TM_ASSIGN_OR_RETURN(VerifiedState v, VerifyStateBundle(trust, b));
//   for (const auto& e : v.entries) { /* e.key -> e.value (nullopt: proven absent) */ }
//
// Pieces:
//   MultiStateProof  several keys against one state root; siblings shared by the keys' paths are
//                    carried once, siblings computable from the other keys are not carried.
//   EpochChange      a committed header of epoch e (signed by the set of epoch e) whose state holds
//                    "gov/validators" = the set of epoch e + 1: one link of the chain from genesis.
//   StateBundle      epoch chain + header + commit certificate + MultiStateProof.
//   TxBundle         epoch chain + header + certificate + tx + RFC 6962 path to tx_root, and
//                    optionally a receipt + path to receipts_root of a header certifying its block.
//
// Thread safety: value types and pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tidemark/merkle.h"
#include "tidemark/state_keys/governance.h"
#include "tidemark/state_proof.h"
#include "tidemark/types.h"

namespace tidemark {

inline constexpr uint8_t kProofBundleVersion = 1;
inline constexpr size_t kMaxMultiProofKeys = 256;
inline constexpr size_t kMaxEpochChain = 1024;
// The state key where governance keeps the current validator set (contracts/governance.h).
inline constexpr std::string_view kValidatorSetStateKey = state_keys::gov::kValidators;

// What a client trusts: the chain id and the genesis validator set (GET /v1/genesis; the page
// shows the hash of its encoding so it can be compared with a published one).
struct TrustAnchor {
  std::string chain_id;
  ValidatorSet genesis;
};

struct MultiStateProof {
  // A key and what is proven about it: its value, only its value's hash (the value travels
  // beside the proof, e.g. as the answer's JSON record: see MatchesValue), or its absence.
  struct Entry {
    Bytes key;
    std::optional<Bytes> value;         // present, value carried
    std::optional<Hash256> value_hash;  // present, only SHA-256(value) carried
    uint16_t depth = 0;                 // where the key's leaf is / would be
    std::optional<SmtLeaf> other_leaf;  // absence: another key's leaf sits there
    bool present() const { return value.has_value() || value_hash.has_value(); }
    // True iff the entry proves exactly these value bytes.
    bool MatchesValue(ByteView v) const;
    friend bool operator==(const Entry&, const Entry&) = default;
  };
  std::vector<Entry> entries;  // strictly ascending by SmtKeyHash(key)
  // The subtrees hanging off the keys' paths, in depth-first (left before right) order: bit i
  // (MSB first) of `present` is set iff slot i is non-empty, `siblings` holds those in order.
  uint32_t slots = 0;
  Bytes present;
  std::vector<Hash256> siblings;

  // u8 version | u32 n | n × (blob key | u8 value tag: 0 absent, 1 blob value, 2 value hash (32)
  // | u16 depth | u8 has_other [key_hash value_hash]) | u32 slots | present raw | siblings raw
  Bytes Encode() const;
  static Result<MultiStateProof> Decode(ByteView in);
  static Status DecodeFrom(Reader& r, MultiStateProof* out);
  // Merges single-key proofs against the same root (any order; duplicates rejected).
  static Result<MultiStateProof> FromProofs(std::vector<StateProof> proofs);
  // Replaces every carried value by its hash (the values are then shipped separately).
  void StripValues();
  friend bool operator==(const MultiStateProof&, const MultiStateProof&) = default;
};

// The root the proof hashes to; an error if malformed (structure only).
Result<Hash256> MultiStateProofRoot(const MultiStateProof& proof);

struct EpochChange {
  BlockHeader header;  // a committed header of the old epoch
  QuorumCert cert;     // its commit certificate, by the old set
  StateProof proof;    // "gov/validators" -> the next set's encoding, under header.state_root
  void EncodeTo(Writer& w) const;
  static Status DecodeFrom(Reader& r, EpochChange* out);
};

// Follows `chain` from `genesis`: each link must be signed by the set reached so far and give
// the set of the next epoch. Returns the sets of every epoch, index = epoch.
Result<std::vector<ValidatorSet>> FollowEpochChain(const TrustAnchor& trust,
                                                   const std::vector<EpochChange>& chain);

// A committed header: the certificate names it and verifies with the set of its epoch.
Status VerifyCommittedHeader(const std::vector<ValidatorSet>& sets, std::string_view chain_id,
                             const BlockHeader& header, const QuorumCert& cert);

struct Signer {
  uint32_t index = 0;
  std::string org;
  PublicKey key;
};

struct StateBundle {
  std::vector<EpochChange> epochs;
  BlockHeader header;
  QuorumCert cert;
  MultiStateProof state;

  // u8 version | u32 n epochs | EpochChange… | header | cert | MultiStateProof
  Bytes Encode() const;
  static Result<StateBundle> Decode(ByteView in);
};

struct VerifiedState {
  uint64_t height = 0;       // the certified block
  uint64_t exec_height = 0;  // the state version proven (state after this block)
  uint64_t epoch = 0;
  Hash256 block_id;
  Hash256 state_root;
  uint64_t timestamp_ms = 0;
  std::vector<Signer> signers;
  std::vector<MultiStateProof::Entry> entries;  // as proven (depth / other_leaf: structure)
  const MultiStateProof::Entry* Find(std::string_view key) const;  // nullptr: not in the bundle
};

// OK iff the epoch chain leads from the trusted genesis to the header's epoch, the certificate
// commits the header with a quorum of that epoch's set, and the proof hashes to its state_root.
// Every failure is kUnauthenticated with the reason.
Result<VerifiedState> VerifyStateBundle(const TrustAnchor& trust, const StateBundle& bundle);

struct TxBundle {
  std::vector<EpochChange> epochs;
  BlockHeader header;  // the block holding the tx
  QuorumCert cert;
  Transaction tx;
  MerkleProof tx_path;  // tx id -> header.tx_root
  struct ReceiptPart {
    BlockHeader header;  // exec_height == the tx's block height
    QuorumCert cert;
    Receipt receipt;
    MerkleProof path;  // receipt hash -> header.receipts_root
  };
  std::optional<ReceiptPart> receipt;

  Bytes Encode() const;
  static Result<TxBundle> Decode(ByteView in);
};

struct VerifiedTx {
  Hash256 tx_id;
  uint64_t height = 0;
  uint32_t index = 0;
  uint64_t epoch = 0;
  std::vector<Signer> signers;
  std::optional<Receipt> receipt;  // proven receipt, when the bundle carried one
};

Result<VerifiedTx> VerifyTxBundle(const TrustAnchor& trust, const TxBundle& bundle);

}  // namespace tidemark
