// types.h — the ledger's core objects and their canonical encodings (docs/encoding.md).
//
// Every object that is hashed or signed encodes with a leading version byte (kEncodingVersion);
// decoders reject other versions, trailing bytes, over-long fields and non-canonical forms.
//
//   Transaction tx{.chain_id = "tidemark-local", .nonce = 1, .contract = "test",
//                  .method = "put", .args = Value::MakeMap({{"k", "v"}}).Encode()};
//   tx.SignWith(key);                       // sets signer + signature
//   Bytes wire = tx.Encode();
//   Hash256 id = tx.Id();                   // SHA-256 of the signed encoding
//   Result<Transaction> back = Transaction::Decode(wire);
//
// Thread safety: value types.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tidemark/bytes.h"
#include "tidemark/codec.h"
#include "tidemark/crypto.h"

namespace tidemark {

inline constexpr uint8_t kEncodingVersion = 1;

// Limits enforced by the decoders (and by the mempool before decoding).
inline constexpr size_t kMaxChainIdLen = 64;
inline constexpr size_t kMaxContractLen = 32;
inline constexpr size_t kMaxMethodLen = 64;
inline constexpr size_t kMaxArgsLen = 512 * 1024;
inline constexpr size_t kMaxTxSize = kMaxArgsLen + 1024;
inline constexpr size_t kMaxTxsPerBlock = 10000;
inline constexpr size_t kMaxValidators = 256;
inline constexpr size_t kMaxReasonLen = 1024;
inline constexpr size_t kMaxEventsPerReceipt = 256;
inline constexpr size_t kMaxEventDataLen = 64 * 1024;

struct Transaction {
  std::string chain_id;
  PublicKey signer;
  uint64_t nonce = 0;
  std::string contract;                   // [a-z0-9_]{1,32}
  std::string method;                     // [A-Za-z0-9_.]{1,64}
  Bytes args;                             // a canonical Value encoding (value.h)
  std::optional<uint64_t> expiry_height;  // not valid in blocks above this height
  Signature signature;

  // What the signer signs (everything but the signature), domain kTx over chain_id.
  Bytes SigningBody() const;
  Bytes Encode() const;
  Hash256 Id() const;                 // Sha256(Encode())
  void SignWith(const KeyPair& key);  // sets signer, then signature
  bool VerifySignature() const;
  static Result<Transaction> Decode(ByteView in);
  static Status DecodeFrom(Reader& r, Transaction* out);
};

// What a vote signs: a block, plus (two-chain HotStuff) the ancestor that a quorum on this block
// commits. A quorum certificate whose commit_id is B is B's commit certificate.
struct VoteData {
  uint64_t epoch = 0;
  uint64_t round = 0;
  uint64_t height = 0;
  Hash256 block_id;
  uint64_t commit_height = 0;  // 0 with a zero commit_id: this quorum commits nothing
  Hash256 commit_id;

  void EncodeTo(Writer& w) const;
  Bytes Encode() const;  // the signed body (domain kVote)
  static Status DecodeFrom(Reader& r, VoteData* out);
  friend bool operator==(const VoteData&, const VoteData&) = default;
};

struct Vote {
  VoteData data;
  uint32_t voter = 0;  // index into the epoch's validator set
  Signature signature;

  Bytes Encode() const;
  static Result<Vote> Decode(ByteView in);
};

struct Validator {
  PublicKey key;
  std::string org;  // organisation id, [a-z0-9_-]{1,64}
  friend bool operator==(const Validator&, const Validator&) = default;
};

// Equal voting power; n = 3f + 1 tolerates f Byzantine validators; quorum = n - f (>= 2f + 1).
struct ValidatorSet {
  uint64_t epoch = 0;
  std::vector<Validator> validators;

  size_t size() const { return validators.size(); }
  size_t MaxFaulty() const { return validators.empty() ? 0 : (validators.size() - 1) / 3; }
  size_t Quorum() const { return validators.size() - MaxFaulty(); }
  std::optional<uint32_t> IndexOf(const PublicKey& key) const;
  Bytes Encode() const;
  Hash256 Hash() const;
  static Result<ValidatorSet> Decode(ByteView in);
  static Status DecodeFrom(Reader& r, ValidatorSet* out);
};

// 2f+1 signatures over the same VoteData. Signers strictly ascending by index (canonical).
struct QuorumCert {
  VoteData data;
  std::vector<std::pair<uint32_t, Signature>> signatures;

  bool IsGenesis() const { return signatures.empty() && data.round == 0; }
  void EncodeTo(Writer& w) const;
  Bytes Encode() const;
  Hash256 Hash() const;
  static Result<QuorumCert> Decode(ByteView in);
  static Status DecodeFrom(Reader& r, QuorumCert* out);
  // OK iff epochs match, signers are distinct members, there are >= Quorum() of them, and every
  // signature verifies over data with domain kVote and chain_id.
  Status Verify(const ValidatorSet& validators, std::string_view chain_id) const;
};

struct BlockHeader {
  std::string chain_id;
  uint64_t epoch = 0;
  uint64_t round = 0;
  uint64_t height = 0;
  Hash256 parent;             // id of the parent block (zero for genesis)
  Hash256 justify_hash;       // Sha256 of the QC for the parent carried in the block
  uint32_t proposer = 0;      // index into the epoch's validator set
  uint64_t timestamp_ms = 0;  // the proposer's clock; monotonic, bounded drift
  Hash256 tx_root;            // RFC 6962 Merkle root over the tx ids, in block order
  uint32_t tx_count = 0;
  // Execution results lag: this header certifies the state after executing block exec_height
  // (the highest block committed and executed when this block was proposed).
  uint64_t exec_height = 0;
  Hash256 state_root;       // sparse-Merkle root after exec_height
  Hash256 receipts_root;    // RFC 6962 root over the receipt hashes of block exec_height
  Hash256 validators_hash;  // ValidatorSet::Hash() of this epoch

  void EncodeTo(Writer& w) const;
  Bytes Encode() const;
  Hash256 Id() const;  // Sha256(Encode())
  static Result<BlockHeader> Decode(ByteView in);
  static Status DecodeFrom(Reader& r, BlockHeader* out);
  friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

struct Block {
  BlockHeader header;
  QuorumCert justify;
  std::vector<Transaction> txs;

  Hash256 Id() const { return header.Id(); }
  Bytes Encode() const;
  static Result<Block> Decode(ByteView in);
  // Checks what the block says about itself: justify_hash, parent == justify.block_id,
  // tx_root and tx_count. Not signatures or state.
  Status CheckInternal() const;
};

Hash256 TxRoot(const std::vector<Transaction>& txs);

struct Event {
  std::string type;  // e.g. "provenance.EventCaptured"
  Bytes data;        // canonical Value encoding
  friend bool operator==(const Event&, const Event&) = default;
};

enum class TxStatus : uint8_t { kCommitted = 0, kRejected = 1 };

struct Receipt {
  Hash256 tx_id;
  uint64_t height = 0;
  uint32_t index = 0;  // position in the block
  TxStatus status = TxStatus::kCommitted;
  std::string reason;  // "PERMISSION_DENIED: ..." when rejected
  std::vector<Event> events;

  Bytes Encode() const;
  Hash256 Hash() const;
  static Result<Receipt> Decode(ByteView in);
};

}  // namespace tidemark
