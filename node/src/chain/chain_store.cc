#include "tidemark/node/chain/chain_store.h"

#include <algorithm>
#include <chrono>

#include "tidemark/node/storage/key_layout.h"

namespace tidemark::node {

const char* RecordKindName(RecordKind kind) {
  switch (kind) {
    case RecordKind::kTreeNodes:
      return "tree_nodes";
    case RecordKind::kStaleSets:
      return "stale_sets";
    case RecordKind::kFlatIndex:
      return "flat_index";
    case RecordKind::kBlocks:
      return "blocks";
    case RecordKind::kReceipts:
      return "receipts";
    case RecordKind::kTxIndexes:
      return "tx_indexes";
    case RecordKind::kOther:
    case RecordKind::kCount:
      break;
  }
  return "other";
}

RecordKind RecordKindOf(ByteView key) {
  if (key.empty()) return RecordKind::kOther;
  switch (static_cast<char>(key[0])) {
    case keys::kStateNode:
      return RecordKind::kTreeNodes;
    case keys::kStateStale:
      return RecordKind::kStaleSets;
    case keys::kStateValue:
      return RecordKind::kFlatIndex;
    case keys::kBlock:
    case keys::kPendingBlock:
      return RecordKind::kBlocks;
    case keys::kReceipt:
      return RecordKind::kReceipts;
    case keys::kTxLocation:
    case keys::kSignerTx:
    case keys::kBlockId:
      return RecordKind::kTxIndexes;
    default:
      return RecordKind::kOther;
  }
}

namespace {

constexpr size_t kStaleSetKeySize = 1 + 8;        // Z | stale since
constexpr size_t kStaleKeySize = 1 + 8 + 8 + 32;  // Z | stale since | version | hash (older stores)
constexpr size_t kPruneBatch = 10'000;            // entries per batch of an explicit Prune

Result<std::vector<KvPair>> ScanAll(const KvReader& kv, char prefix) {
  std::string p(1, prefix);
  std::vector<KvPair> out;
  std::optional<Bytes> after;
  for (;;) {
    TM_ASSIGN_OR_RETURN(std::vector<KvPair> page,
                        kv.Scan({.prefix = AsBytes(p), .start_after = after, .limit = 4096}));
    if (page.empty()) return out;
    after = page.back().key;
    for (KvPair& row : page) out.push_back(std::move(row));
  }
}

}  // namespace

Result<std::unique_ptr<ChainStore>> ChainStore::Open(std::unique_ptr<KvStore> kv,
                                                     ChainStoreOptions options) {
  std::unique_ptr<ChainStore> store(new ChainStore(std::move(kv), options));
  TM_RETURN_IF_ERROR(store->blocks_.Recover());
  // A store written before flat records holds raw values in S: rewritten once, here.
  TM_RETURN_IF_ERROR(StateTree::UpgradeFlatIndex(*store->kv_).status());
  TM_RETURN_IF_ERROR(store->Load());
  return store;
}

Result<std::unique_ptr<ChainStore>> ChainStore::OpenLevelDb(const std::string& dir,
                                                            const LevelDbOptions& kv_options,
                                                            ChainStoreOptions options) {
  TM_ASSIGN_OR_RETURN(std::unique_ptr<LevelDbKvStore> kv, LevelDbKvStore::Open(dir, kv_options));
  return Open(std::move(kv), options);
}

Status ChainStore::Load() {
  TM_ASSIGN_OR_RETURN(std::vector<KvPair> voted, ScanAll(*kv_, keys::kPendingBlock));
  for (const KvPair& row : voted) {
    if (auto b = Block::Decode(row.value); b.ok()) voted_.emplace_back(b->Id(), b->header.height);
  }
  TM_ASSIGN_OR_RETURN(std::vector<KvPair> pins, ScanAll(*kv_, keys::kPinnedVersion));
  std::vector<uint64_t> pinned = {0};
  for (const KvPair& row : pins) {
    if (row.key.size() != 9) return Status::Corruption("bad pinned-version key");
    pinned.push_back(keys::ReadU64(&row.key[1]));
  }
  std::sort(pinned.begin(), pinned.end());
  pinned.erase(std::unique(pinned.begin(), pinned.end()), pinned.end());
  GcProgress gc;
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, kv_->Get(AsBytes(keys::Meta(keys::kStateGcName))));
  if (raw) {
    // The cursor is a Z key: a stale set's (9 bytes) or, in older stores, a per-node row's.
    if (raw->size() != 16 && raw->size() != 16 + kStaleSetKeySize &&
        raw->size() != 16 + kStaleKeySize) {
      return Status::Corruption("state GC record: bad length");
    }
    gc.oldest_kept = keys::ReadU64(raw->data());
    gc.roots_from = keys::ReadU64(raw->data() + 8);
    if (raw->size() > 16) gc.stale_after = Bytes(raw->begin() + 16, raw->end());
  }
  std::lock_guard l(meta_mu_);
  pinned_ = std::move(pinned);
  gc_ = std::move(gc);
  return Status::Ok();
}

Bytes ChainStore::EncodeGc(const GcProgress& p) {
  std::string v;
  keys::AppendU64(&v, p.oldest_kept);
  keys::AppendU64(&v, p.roots_from);
  Bytes out(v.begin(), v.end());
  if (p.stale_after) out.insert(out.end(), p.stale_after->begin(), p.stale_after->end());
  return out;
}

bool ChainStore::IsPinned(uint64_t version) const {
  return std::binary_search(pinned_.begin(), pinned_.end(), version);
}

uint64_t ChainStore::oldest_retained() const {
  std::lock_guard l(meta_mu_);
  return gc_.oldest_kept;
}

std::vector<uint64_t> ChainStore::pinned_versions() const {
  std::lock_guard l(meta_mu_);
  return pinned_;
}

std::optional<uint64_t> ChainStore::TargetAfter(uint64_t height, uint64_t exec_height,
                                                uint64_t keep_last) const {
  if (keep_last == 0 || height + 1 <= keep_last) return std::nullopt;
  // Never above the version the tip's header certifies: ProveCertified, consensus's ExecAt and
  // ValidatorsAfter(tip) read it.
  uint64_t target = std::min(height + 1 - keep_last, exec_height);
  std::lock_guard l(meta_mu_);
  if (target <= gc_.oldest_kept) return std::nullopt;  // already there (or retention was raised)
  return target;
}

Result<ChainStore::GcProgress> ChainStore::GcInto(uint64_t target, size_t budget, WriteBatch* batch,
                                                  bool* done) const {
  GcProgress p;
  std::vector<uint64_t> pinned;
  {
    std::lock_guard l(meta_mu_);
    p = gc_;
    pinned = pinned_;
  }
  p.oldest_kept = std::max(p.oldest_kept, target);
  TM_ASSIGN_OR_RETURN(GcStep step, state_.PrepareGcStep({.oldest_kept = p.oldest_kept,
                                                         .pinned = pinned,
                                                         .max_entries = budget,
                                                         .roots_from = p.roots_from,
                                                         .stale_after = p.stale_after}));
  batch->Append(step.batch);
  *done = step.done;
  p.roots_from = step.roots_from;
  p.stale_after = std::move(step.stale_after);
  return p;
}

Result<Hash256> ChainStore::Commit(const Block& block, const QuorumCert& cert,
                                   const std::vector<Receipt>& receipts,
                                   std::span<const StateChange> changes,
                                   const CommitRecords& records, CommitTimings* timings) {
  using Clock = std::chrono::steady_clock;
  std::lock_guard commit_lock(commit_mu_);
  const uint64_t height = block.header.height;
  const auto tree_start = Clock::now();
  const NodeCache::Stats cache_before = node_cache_.stats();
  TM_ASSIGN_OR_RETURN(StateUpdate up, state_.ApplyChanges(height, changes));
  const NodeCache::Stats cache_after = node_cache_.stats();
  const auto batch_start = Clock::now();
  TM_ASSIGN_OR_RETURN(WriteBatch batch,
                      blocks_.PrepareCommit(block, cert, receipts, height, std::move(up.writes),
                                            records.safety_record));
  // The execution record: what a later header's exec_height certifies, kept for every height.
  Bytes exec(records.receipts_root.begin(), records.receipts_root.end());
  exec.insert(exec.end(), up.root.begin(), up.root.end());
  batch.Put(AsBytes(keys::ExecResult(height)), exec);
  const uint64_t exec_height = block.header.exec_height;
  const bool pin = records.ends_epoch && exec_height <= height;
  if (pin) batch.Put(AsBytes(keys::PinnedVersion(exec_height)), ByteView());
  std::optional<GcProgress> gc;
  if (options_.retain_versions > 0 && height > 0) {
    // A step towards the new target, or through a backlog towards the current one (retention
    // just turned on, or a burst of stale nodes larger than one step).
    // (Version `height` is in this batch, not yet in the store: the target stays below it.)
    uint64_t goal = TargetAfter(height, std::min(exec_height, height - 1), options_.retain_versions)
                        .value_or(oldest_retained());
    if (goal > 0) {
      size_t budget = std::max(options_.gc_entries_per_commit, 2 * up.stale_nodes);
      bool done = false;
      TM_ASSIGN_OR_RETURN(gc, GcInto(goal, budget, &batch, &done));
    }
  }
  if (gc) batch.Put(AsBytes(keys::Meta(keys::kStateGcName)), EncodeGc(*gc));
  GcProgress before;
  if (gc) {
    // Readers learn that the versions below the target are gone before their nodes go.
    std::lock_guard l(meta_mu_);
    before = gc_;
    gc_.oldest_kept = gc->oldest_kept;
  }
  WriteTimings write_timings;
  const auto write_start = Clock::now();
  std::unique_lock write_lock(write_mu_);
  // Voted blocks this commit passes. One voted meanwhile at or below `height` (the strand writes
  // votes while this commit is prepared) stays in voted_ and goes with the next commit.
  std::vector<Hash256> passed;
  for (const auto& [id, h] : voted_) {
    if (h <= height) {
      batch.Delete(AsBytes(keys::PendingBlock(id)));
      passed.push_back(id);
    }
  }
  Status written = kv_->TimedWrite(batch, /*sync=*/true, &write_timings);
  if (written.ok()) {
    std::erase_if(voted_, [&](const auto& v) {
      return std::find(passed.begin(), passed.end(), v.first) != passed.end();
    });
  }
  write_lock.unlock();
  if (written.ok()) {  // on disk: the new nodes may enter the cache (outside meta_mu_)
    for (const NewInternalNode& n : up.new_internal)
      node_cache_.Put(n.ref, n.depth, n.path, n.left, n.right);
  }
  std::lock_guard l(meta_mu_);
  if (!written.ok()) {
    if (gc) gc_ = before;
    return written;
  }
  if (timings) {
    timings->tree_update_seconds = std::chrono::duration<double>(batch_start - tree_start).count();
    timings->write_seconds = std::chrono::duration<double>(write_start - batch_start).count() +
                             write_timings.write_seconds;
    timings->sync_seconds = write_timings.sync_seconds;
    timings->bytes_written = batch.ApproximateSize();
    for (size_t i = 0; i < batch.Count(); ++i) {
      const WriteBatch::Op op = batch.op(i);
      timings->bytes_by_record[static_cast<size_t>(RecordKindOf(AsBytes(op.key)))] +=
          op.key.size() + op.value.size();
    }
    timings->node_cache_hits = cache_after.hits - cache_before.hits;
    timings->node_loads = cache_after.misses - cache_before.misses;
  }
  if (gc) gc_ = std::move(*gc);
  if (pin && !IsPinned(exec_height)) {
    pinned_.insert(std::upper_bound(pinned_.begin(), pinned_.end(), exec_height), exec_height);
  }
  return up.root;
}

Status ChainStore::WriteSafetyRecord(ByteView record) {
  std::lock_guard lock(write_mu_);
  return blocks_.WriteSafetyRecord(record);
}

Status ChainStore::WritePendingBlock(const Block& block) {
  const Block* voted[] = {&block};
  return WriteVoteRecords(voted, std::nullopt);
}

Status ChainStore::WriteVoteRecords(std::span<const Block* const> voted,
                                    const std::optional<Bytes>& safety) {
  std::lock_guard lock(write_mu_);
  WriteBatch b;
  for (const Block* block : voted) b.Put(AsBytes(keys::PendingBlock(block->Id())), block->Encode());
  if (safety) b.Put(AsBytes(keys::Meta(keys::kSafetyName)), *safety);
  TM_RETURN_IF_ERROR(kv_->Write(b, /*sync=*/true));
  for (const Block* block : voted) voted_.emplace_back(block->Id(), block->header.height);
  return Status::Ok();
}

Result<std::vector<Block>> ChainStore::PendingBlocks() const {
  TM_ASSIGN_OR_RETURN(std::optional<CommitTip> tip, blocks_.Tip());
  const uint64_t height = tip ? tip->height : 0;
  TM_ASSIGN_OR_RETURN(std::vector<KvPair> rows, ScanAll(*kv_, keys::kPendingBlock));
  std::vector<Block> out;
  for (const KvPair& row : rows) {
    auto b = Block::Decode(row.value);
    if (!b.ok()) return Status::Corruption("pending block: " + b.status().message());
    if (b->header.height > height) out.push_back(std::move(*b));
  }
  std::sort(out.begin(), out.end(),
            [](const Block& a, const Block& b) { return a.header.height < b.header.height; });
  return out;
}

Status ChainStore::WriteEpochProof(uint64_t epoch, ByteView proof) {
  std::lock_guard lock(write_mu_);
  WriteBatch b;
  b.Put(AsBytes(keys::EpochProof(epoch)), proof);
  return kv_->Write(b, /*sync=*/true);
}

Result<std::optional<Bytes>> ChainStore::EpochProof(uint64_t epoch) const {
  return kv_->Get(AsBytes(keys::EpochProof(epoch)));
}

Status ChainStore::Prune(uint64_t keep_last) {
  if (keep_last == 0) return Status::Invalid("prune: keep_last must be at least 1");
  std::lock_guard commit_lock(commit_mu_);  // the GC's progress is the commits' too
  std::lock_guard lock(write_mu_);
  TM_ASSIGN_OR_RETURN(std::optional<CommitTip> tip, blocks_.Tip());
  if (!tip) return Status::Ok();
  TM_ASSIGN_OR_RETURN(std::optional<Block> block, blocks_.BlockAt(tip->height));
  if (!block) return Status::Corruption("tip block missing");
  std::optional<uint64_t> target =
      TargetAfter(tip->height, std::min(block->header.exec_height, tip->height), keep_last);
  uint64_t goal = target.value_or(oldest_retained());
  if (goal == 0) return Status::Ok();
  for (;;) {
    WriteBatch batch;
    bool done = false;
    TM_ASSIGN_OR_RETURN(GcProgress p, GcInto(goal, kPruneBatch, &batch, &done));
    batch.Put(AsBytes(keys::Meta(keys::kStateGcName)), EncodeGc(p));
    {
      std::lock_guard l(meta_mu_);
      gc_.oldest_kept = p.oldest_kept;
    }
    TM_RETURN_IF_ERROR(kv_->Write(batch, /*sync=*/false));
    {
      std::lock_guard l(meta_mu_);
      gc_ = std::move(p);
    }
    if (done) return Status::Ok();
  }
}

Result<ExecInfo> ChainStore::ExecAt(uint64_t height) const {
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> rr, kv_->Get(AsBytes(keys::ExecResult(height))));
  if (!rr) return Status::NotFound("no execution record at height " + std::to_string(height));
  if (rr->size() != 32 && rr->size() != 64) {
    return Status::Corruption("execution record at height " + std::to_string(height) +
                              ": bad length");
  }
  ExecInfo info{.height = height};
  TM_ASSIGN_OR_RETURN(info.receipts_root, Hash256::FromView(ByteView(*rr).first(32)));
  if (rr->size() == 64) {
    TM_ASSIGN_OR_RETURN(info.state_root, Hash256::FromView(ByteView(*rr).subspan(32)));
  } else {  // written before records carried the state root: read it from the tree
    TM_RETURN_IF_ERROR(CheckVersion(height));
    TM_ASSIGN_OR_RETURN(info.state_root, state_.Root(height));
  }
  return info;
}

Status ChainStore::CheckVersion(uint64_t version) const {
  TM_ASSIGN_OR_RETURN(std::optional<CommitTip> tip, blocks_.Tip());
  if (!tip || version > tip->height) {
    return Status::NotFound("state version " + std::to_string(version) + " not written yet");
  }
  std::lock_guard l(meta_mu_);
  if (version < gc_.oldest_kept && !IsPinned(version)) {
    std::string kept = options_.retain_versions > 0
                           ? "the last " + std::to_string(options_.retain_versions) + " versions"
                           : "the versions from " + std::to_string(gc_.oldest_kept);
    return Status::Gone("state version " + std::to_string(version) +
                        " was pruned: this node keeps " + kept +
                        " (oldest kept: " + std::to_string(gc_.oldest_kept) +
                        ") and every epoch boundary; ask a node with storage.retain_versions 0");
  }
  return Status::Ok();
}

Result<StateProof> ChainStore::ProveAt(uint64_t version, ByteView key) const {
  TM_RETURN_IF_ERROR(CheckVersion(version));
  TM_ASSIGN_OR_RETURN(std::unique_ptr<KvReader> snap, kv_->Snapshot());
  Result<StateProof> proof = StateTree(*snap).Prove(version, key);
  if (!proof.ok()) {
    // Pruned between the check and the snapshot: say so rather than "missing node".
    TM_RETURN_IF_ERROR(CheckVersion(version));
  }
  return proof;
}

Result<CertifiedStateProof> ChainStore::ProveCertified(ByteView key) const {
  TM_ASSIGN_OR_RETURN(std::optional<CommitTip> tip, blocks_.Tip());
  if (!tip) return Status::Unavailable("no committed block yet");
  TM_ASSIGN_OR_RETURN(std::optional<Block> block, blocks_.BlockAt(tip->height));
  TM_ASSIGN_OR_RETURN(std::optional<QuorumCert> cert, blocks_.CertAt(tip->height));
  if (!block || !cert) return Status::Corruption("tip block or certificate missing");
  const BlockHeader& header = block->header;
  // Blocks are never pruned; the state version the tip certifies is retained (TargetAfter), and
  // one snapshot keeps it whole while it is read.
  TM_ASSIGN_OR_RETURN(std::unique_ptr<KvReader> snap, kv_->Snapshot());
  StateTree state(*snap);
  TM_ASSIGN_OR_RETURN(Hash256 root, state.Root(header.exec_height));
  if (root != header.state_root) {
    return Status::Internal("state root of version " + std::to_string(header.exec_height) +
                            " differs from the certified header at height " +
                            std::to_string(header.height));
  }
  TM_ASSIGN_OR_RETURN(StateProof proof, state.Prove(header.exec_height, key));
  return CertifiedStateProof{header, *cert, std::move(proof)};
}

}  // namespace tidemark::node
