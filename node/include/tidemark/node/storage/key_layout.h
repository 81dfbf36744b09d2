// key_layout.h — every key prefix the node stores in its KvStore, in one place so no two
// subsystems can collide. docs/storage.md explains each one. Integers in keys are big-endian so
// that byte order is numeric order.
//
//   std::string k = keys::BlockByHeight(42);   // "B" + u64 BE
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "tidemark/bytes.h"

namespace tidemark::node::keys {

// Block store.
inline constexpr char kBlock = 'B';        // B | height u64         -> Block::Encode()
inline constexpr char kBlockId = 'I';      // I | block id (32)      -> height u64
inline constexpr char kCert = 'C';         // C | height u64         -> QuorumCert::Encode()
inline constexpr char kTxLocation = 'T';   // T | tx id (32)         -> height u64 | index u32
inline constexpr char kSignerTx = 'A';     // A | signer (32) | height u64 | index u32 -> tx id
inline constexpr char kReceipt = 'X';      // X | tx id (32)         -> Receipt::Encode()
inline constexpr char kMeta = 'M';         // M | name               -> see below
inline constexpr char kTipName[] = "tip";  // height u64 | block id (32)
inline constexpr char kSafetyName[] = "safety";     // opaque bytes from consensus
inline constexpr char kStateGcName[] = "state_gc";  // GC progress (node/chain/chain_store.h)
inline constexpr char kSyncSeqName[] =
    "sync_seq";  // u64: synced writes so far (leveldb_kv_store.h)
// 0x02: the flat index holds flat records (kStateValue); 0x01 | S key: a rewrite of an older
// store's raw values is done up to that key (StateTree::UpgradeFlatIndex).
inline constexpr char kFlatFormatName[] = "flat_format";
// State tree.
// N | version u64 | seq u32 -> encoded SMT node: the seq-th node version `version` created.
// Stores written before compact records keyed a node by its hash: N | version u64 | hash (32);
// the reference to a node says which (smt_node.h, NodeKey).
inline constexpr char kStateNode = 'N';
inline constexpr char kStateRoot = 'R';  // R | height u64         -> root node reference
// Z | stale since u64 -> 0xFF | entry*: the nodes version `stale since` replaced, each
// version u64 | seq u32, or (the version's top bit set) version | hash (32) for a node keyed by
// hash. Rows written before compact records are (version u64 | hash 32)* with no marker.
// Stores written before that record kept one row per node: Z | stale since | version | hash -> "";
// the GC still reads them (state_tree.cc, StaleRow).
inline constexpr char kStateStale = 'Z';
// S | state key -> the key's current value as a flat record: 0x00 | value, or, for a value of
// more than kFlatInlineMax bytes held by the tree, 0x01 | version u64 | seq u32 — the key's leaf
// in the latest version, which holds the value (state_tree.h). Stores written before flat
// records held the raw value; ChainStore::Open rewrites them once (M | flat_format).
inline constexpr char kStateValue = 'S';
inline constexpr char kPinnedVersion = 'V';  // V | version u64     -> "" (kept by state GC)
// Execution results (node/chain/chain_store.h).
inline constexpr char kExecResult = 'E';  // E | height u64 -> receipts root (32) | state root (32)
// Consensus records (node/chain/chain_store.h).
inline constexpr char kPendingBlock = 'P';  // P | block id (32)     -> Block (voted, uncommitted)
inline constexpr char kEpochProof = 'Q';    // Q | epoch u64         -> EpochProof message bytes

void AppendU64(std::string* out, uint64_t v);
void AppendU32(std::string* out, uint32_t v);
uint64_t ReadU64(const uint8_t* p);  // REQUIRES: 8 readable bytes
uint32_t ReadU32(const uint8_t* p);  // REQUIRES: 4 readable bytes

std::string BlockByHeight(uint64_t height);
std::string BlockById(const Hash256& id);
std::string Cert(uint64_t height);
std::string TxLocation(const Hash256& tx_id);
std::string SignerTxPrefix(ByteView signer);
std::string SignerTx(ByteView signer, uint64_t height, uint32_t index);
std::string Receipt(const Hash256& tx_id);
std::string Meta(const char* name);
std::string StateNode(uint64_t version, const Hash256& hash);  // a node keyed by hash (older)
std::string StateNodeBySeq(uint64_t version, uint32_t seq);
std::string StaleSet(uint64_t stale_since);
std::string StateStale(uint64_t stale_since, uint64_t version, const Hash256& hash);  // old rows
std::string StateRoot(uint64_t height);
std::string StateValue(ByteView key);
std::string PinnedVersion(uint64_t version);
std::string ExecResult(uint64_t height);
std::string PendingBlock(const Hash256& id);
std::string EpochProof(uint64_t epoch);

}  // namespace tidemark::node::keys
