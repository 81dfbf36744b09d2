// block_store.h — committed blocks, their commit certificates, the tx and signer indexes,
// receipts, the committed tip and the consensus safety record, over a KvStore.
//
// A block commit is ONE WriteBatch: PrepareCommit gathers the block, its certificate, its
// receipts, the state version's writes for the same height (opaque here: the state tree, one
// layer up, computes them) and, optionally, the consensus safety record, then Commit writes it
// with sync. A crash at any instant leaves the store at the previous tip or at the new one,
// never in between; Open checks that the tip's block, certificate, receipts and state root are
// all present. The node commits through ChainStore (node/chain/chain_store.h), which adds the
// rest of the block's records to the same batch.
//
//   TM_ASSIGN_OR_RETURN(std::unique_ptr<BlockStore> blocks, BlockStore::Open(kv));
//   TM_ASSIGN_OR_RETURN(StateUpdate up, StateTree(kv).ApplyChanges(h, changes));
//   TM_ASSIGN_OR_RETURN(WriteBatch b,
//                       blocks->PrepareCommit(block, cert, receipts, h, up.writes, {}));
//   TM_RETURN_IF_ERROR(blocks->Commit(b));
//
// Heights: the first block committed to an empty store fixes the base (normally 0, genesis);
// every later block must be at tip + 1 with parent == tip's id.
// Duplicate tx ids: the first occurrence (lowest height, then index) is indexed; a later copy of
// the same signed tx gets neither a location nor a receipt entry of its own.
// Thread safety: reads are safe from any thread (the KvStore is thread-safe and every commit is
// atomic). PrepareCommit + Commit must be serialised by the caller (single writer).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "tidemark/node/storage/kv_store.h"
#include "tidemark/types.h"

namespace tidemark::node {

struct CommitTip {
  uint64_t height = 0;
  Hash256 block_id;
  friend bool operator==(const CommitTip&, const CommitTip&) = default;
};

struct TxLocation {
  uint64_t height = 0;
  uint32_t index = 0;
  friend bool operator==(const TxLocation&, const TxLocation&) = default;
  friend auto operator<=>(const TxLocation&, const TxLocation&) = default;
};

struct SignerTx {
  Hash256 tx_id;
  TxLocation location;
};

class BlockStore {
 public:
  // Checks the store's consistency (see Recover) and returns a BlockStore over it.
  static Result<std::unique_ptr<BlockStore>> Open(KvStore& store);
  explicit BlockStore(KvStore& store) : store_(store) {}

  // OK for an empty store or one whose tip is complete: block (decodes, id and height match),
  // id index, certificate, every tx's location and receipt, and the state root at the tip.
  // kCorruption naming the first missing or damaged piece otherwise.
  Status Recover() const;

  // The batch that commits `block` at the tip. Validates that the block follows the tip, that
  // `cert` commits it (cert.data.commit_id == block id, except at the base height),
  // that receipts match the txs one to one (tx id, height, index) and that `state_writes` are
  // those of the state version of the same height (`state_height`). Reads the store; writes
  // nothing. The returned batch is `state_writes` with the block's records appended: pass it
  // with std::move and a state version's ~1 MB of tree nodes is not copied once more.
  Result<WriteBatch> PrepareCommit(const Block& block, const QuorumCert& cert,
                                   const std::vector<Receipt>& receipts, uint64_t state_height,
                                   WriteBatch state_writes,
                                   const std::optional<Bytes>& safety_record) const;
  // Writes a prepared batch durably (sync).
  Status Commit(const WriteBatch& batch) { return store_.Write(batch, /*sync=*/true); }

  // Persists the consensus safety record alone, durably (before a vote is sent).
  Status WriteSafetyRecord(ByteView record);
  Result<std::optional<Bytes>> SafetyRecord() const;

  Result<std::optional<CommitTip>> Tip() const;
  Result<std::optional<Block>> BlockAt(uint64_t height) const;
  Result<std::optional<Block>> BlockById(const Hash256& id) const;
  Result<std::optional<uint64_t>> HeightOf(const Hash256& block_id) const;
  Result<std::optional<QuorumCert>> CertAt(uint64_t height) const;
  Result<std::optional<TxLocation>> FindTx(const Hash256& tx_id) const;
  Result<std::optional<Receipt>> ReceiptOf(const Hash256& tx_id) const;
  // The signer's txs in commit order, after `after` (a cursor: the last location returned),
  // at most `limit`.
  Result<std::vector<SignerTx>> TxsBySigner(const PublicKey& signer,
                                            std::optional<TxLocation> after, size_t limit) const;

 private:
  Status CheckFollowsTip(const Block& block) const;
  Status CheckTipComplete(const CommitTip& tip) const;

  KvStore& store_;
};

}  // namespace tidemark::node
