#include "tidemark/node/state/state_tree.h"

#include <algorithm>

#include "tidemark/hash.h"
#include "tidemark/node/storage/key_layout.h"

namespace tidemark::node {
namespace {

// One change, with its path, ready for the tree walk.
struct PathChange {
  Hash256 key_hash;
  const StateChange* change;
};

// A leaf that will be part of a rebuilt subtree: its path and its (existing or new) node.
struct PathLeaf {
  Hash256 key_hash;
  NodeRef ref;
};

template <typename T>
size_t SplitAt(std::span<const T> items, size_t depth) {
  auto it = std::partition_point(items.begin(), items.end(),
                                 [&](const T& x) { return !SmtPathBit(x.key_hash, depth); });
  return static_cast<size_t>(it - items.begin());
}

// Computes one new version. Holds the batch being built; used once, by one thread.
class Updater {
 public:
  Updater(const KvReader& store, NodeCache* cache, uint64_t version, WriteBatch* out,
          std::span<const StateChange> changes)
      : store_(store),
        cache_(cache),
        version_(version),
        out_(out),
        changes_(changes),
        new_leaves_(changes.size()) {}
  size_t stale() const { return stale_; }
  // The nodes this version replaced — the value of Z | version (key_layout.h).
  const Bytes& stale_set() const { return stale_set_; }
  std::vector<NewInternalNode>& created() { return created_; }
  // The leaf this version wrote for changes[i] (empty: none — a delete, an index key, or the
  // value the key already had, whose leaf is kept).
  const NodeRef& new_leaf(size_t i) const { return new_leaves_[i]; }

  Result<NodeRef> Update(const NodeRef& ref, size_t depth, std::span<const PathChange> changes);

 private:
  Result<NodeRef> UpdateInternal(const NodeRef& ref, size_t depth,
                                 std::span<const PathChange> changes);
  Result<NodeRef> UpdateLeafOrEmpty(const NodeRef& ref, size_t depth,
                                    std::span<const PathChange> changes);
  NodeRef Build(size_t depth, std::span<const PathLeaf> leaves);
  // `path`: any key hash below the node (its position, for the cache).
  NodeRef MakeInternal(const NodeRef& left, const NodeRef& right, size_t depth,
                       const Hash256& path);
  NodeRef PutLeaf(const Hash256& key_hash, const StateChange& change);
  void MarkStale(const NodeRef& ref);
  Result<SmtNode> Load(const NodeRef& ref, size_t depth, const Hash256& path);
  bool Cached(size_t depth) const { return cache_ != nullptr && depth < cache_->max_depth(); }

  const KvReader& store_;
  NodeCache* cache_;  // may be null
  uint64_t version_;
  WriteBatch* out_;
  size_t stale_ = 0;
  uint32_t next_seq_ = 0;  // the seq of the next node this version creates
  Bytes stale_set_;
  std::vector<NewInternalNode> created_;  // for the cache, once written (only with a cache)
  std::span<const StateChange> changes_;
  std::vector<NodeRef> new_leaves_;  // by index in changes_
};

Result<SmtNode> Updater::Load(const NodeRef& ref, size_t depth, const Hash256& path) {
  const bool cacheable = Cached(depth) && ref.kind == NodeKind::kInternal;
  if (cacheable) {
    if (auto children = cache_->Get(ref, depth, path)) {
      return SmtNode{
          .kind = NodeKind::kInternal, .left = children->first, .right = children->second};
    }
  }
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, store_.Get(AsBytes(NodeKey(ref))));
  if (!raw) {
    return Status::Corruption("state node missing: " + std::to_string(ref.version) + "/" +
                              ref.hash.Hex());
  }
  TM_ASSIGN_OR_RETURN(SmtNode node, DecodeNode(*raw));
  if (cacheable && node.kind == NodeKind::kInternal) {
    cache_->Put(ref, depth, path, node.left, node.right);
  }
  return node;
}

Result<NodeRef> Updater::Update(const NodeRef& ref, size_t depth,
                                std::span<const PathChange> changes) {
  if (changes.empty()) return ref;
  if (depth > kSmtDepth) return Status::Corruption("state tree deeper than 256");
  if (ref.kind == NodeKind::kInternal) return UpdateInternal(ref, depth, changes);
  return UpdateLeafOrEmpty(ref, depth, changes);
}

Result<NodeRef> Updater::UpdateInternal(const NodeRef& ref, size_t depth,
                                        std::span<const PathChange> changes) {
  TM_ASSIGN_OR_RETURN(SmtNode node, Load(ref, depth, changes.front().key_hash));
  if (node.kind != NodeKind::kInternal) return Status::Corruption("state node kind mismatch");
  size_t split = SplitAt(changes, depth);
  TM_ASSIGN_OR_RETURN(NodeRef left, Update(node.left, depth + 1, changes.first(split)));
  TM_ASSIGN_OR_RETURN(NodeRef right, Update(node.right, depth + 1, changes.subspan(split)));
  if (left == node.left && right == node.right) return ref;
  MarkStale(ref);
  return MakeInternal(left, right, depth, changes.front().key_hash);
}

Result<NodeRef> Updater::UpdateLeafOrEmpty(const NodeRef& ref, size_t depth,
                                           std::span<const PathChange> changes) {
  std::optional<SmtNode> old;  // only its key and value hashes are used
  if (ref.kind == NodeKind::kLeaf && ref.has_summary) {
    old = SmtNode{.kind = NodeKind::kLeaf, .key_hash = ref.key_hash, .value_hash = ref.value_hash};
  } else if (ref.kind == NodeKind::kLeaf) {  // a reference without the summary: read the leaf
    TM_ASSIGN_OR_RETURN(SmtNode n, Load(ref, depth, changes.front().key_hash));
    if (n.kind != NodeKind::kLeaf) return Status::Corruption("state node kind mismatch");
    old = std::move(n);
  }
  // The leaf, if kept, is referred to with its summary from now on.
  const NodeRef kept = old && !ref.has_summary
                           ? LeafRef(ref.version, old->key_hash, old->value_hash)
                           : ref;  // (no second hash of a leaf whose reference has it already)
  bool old_kept = old.has_value();
  std::vector<PathLeaf> leaves;
  for (const PathChange& c : changes) {
    if (old && c.key_hash == old->key_hash) {
      bool same = c.change->value && Sha256(*c.change->value) == old->value_hash;
      if (same) continue;  // rewriting the same value keeps the old leaf
      old_kept = false;
    }
    if (c.change->value) leaves.push_back({c.key_hash, {}});
  }
  if (old_kept && leaves.empty()) return kept;  // nothing changes below here
  if (old && !old_kept) MarkStale(ref);
  if (!old && leaves.empty()) return ref;  // deletes of absent keys in an empty subtree
  size_t next = 0;
  for (const PathChange& c : changes) {
    if (!c.change->value) continue;
    if (old && c.key_hash == old->key_hash && old_kept) continue;
    leaves[next++].ref = PutLeaf(c.key_hash, *c.change);
  }
  if (old_kept) leaves.push_back({old->key_hash, kept});
  std::sort(leaves.begin(), leaves.end(),
            [](const PathLeaf& a, const PathLeaf& b) { return a.key_hash < b.key_hash; });
  return Build(depth, leaves);
}

NodeRef Updater::Build(size_t depth, std::span<const PathLeaf> leaves) {
  if (leaves.empty()) return NodeRef{};
  if (leaves.size() == 1) return leaves[0].ref;
  size_t split = SplitAt(leaves, depth);
  NodeRef left = Build(depth + 1, leaves.first(split));
  NodeRef right = Build(depth + 1, leaves.subspan(split));
  return MakeInternal(left, right, depth, leaves.front().key_hash);
}

NodeRef Updater::MakeInternal(const NodeRef& left, const NodeRef& right, size_t depth,
                              const Hash256& path) {
  // A subtree with at most one leaf is that leaf (or empty): compression.
  if (left.empty() && right.kind != NodeKind::kInternal) return right;
  if (right.empty() && left.kind != NodeKind::kInternal) return left;
  NodeRef ref{.kind = NodeKind::kInternal,
              .version = version_,
              .hash = SmtNodeHash(left.hash, right.hash),
              .by_seq = true,
              .seq = next_seq_++};
  out_->Put(AsBytes(NodeKey(ref)), EncodeInternal(left, right));
  if (Cached(depth)) created_.push_back({ref, left, right, depth, path});
  return ref;
}

NodeRef Updater::PutLeaf(const Hash256& key_hash, const StateChange& change) {
  NodeRef ref = LeafRef(version_, key_hash, Sha256(*change.value));
  ref.by_seq = true;
  ref.seq = next_seq_++;
  out_->Put(AsBytes(NodeKey(ref)), EncodeLeaf(change.key, *change.value));
  new_leaves_[static_cast<size_t>(&change - changes_.data())] = ref;
  return ref;
}

// A stale-node set (key_layout.h): the marker, then per node version u64 | seq u32, or version
// with its top bit set | hash (32) for a node keyed by hash.
constexpr uint8_t kStaleSetMarker = 0xFF;
constexpr uint64_t kStaleByHashBit = uint64_t{1} << 63;

void AppendStaleEntry(Bytes* out, const NodeRef& ref) {
  if (out->empty()) out->push_back(kStaleSetMarker);
  const uint64_t v = ref.by_seq ? ref.version : (ref.version | kStaleByHashBit);
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<uint8_t>(v >> shift));
  if (ref.by_seq) {
    for (int shift = 24; shift >= 0; shift -= 8)
      out->push_back(static_cast<uint8_t>(ref.seq >> shift));
  } else {
    out->insert(out->end(), ref.hash.begin(), ref.hash.end());
  }
}

void Updater::MarkStale(const NodeRef& ref) {
  AppendStaleEntry(&stale_set_, ref);
  ++stale_;
}

// One row of the stale-node index: the set of nodes version `stale_since` replaced
// (Z | stale_since -> the set, key_layout.h), or, in a store written before sets, one such node
// (Z | stale_since | version | hash -> ""). Each node is used by versions version..stale_since-1.
struct StaleEntry {
  NodeRef node;  // version and where it is stored (by seq, or by hash); kind is not recorded
  std::string Key() const { return NodeKey(node); }
};
struct StaleRow {
  uint64_t stale_since = 0;
  bool single = false;  // the per-node row of older stores
  std::vector<StaleEntry> entries;
};
constexpr size_t kStaleEntrySize = 8 + 32;  // by hash
constexpr size_t kStaleSeqEntrySize = 8 + 4;

Result<StaleRow> ParseStaleRow(const KvPair& kv) {
  StaleRow row;
  auto entry_at = [](const uint8_t* p) {  // by hash
    StaleEntry e{.node = {.version = keys::ReadU64(p) & ~kStaleByHashBit}};
    std::copy(p + 8, p + kStaleEntrySize, e.node.hash.begin());
    return e;
  };
  if (kv.key.size() == 1 + 8) {
    row.stale_since = keys::ReadU64(&kv.key[1]);
    const Bytes& v = kv.value;
    if (!v.empty() && v[0] == kStaleSetMarker) {
      for (size_t at = 1; at < v.size();) {
        if (v.size() - at < 8) return Status::Corruption("bad stale-node set");
        if ((v[at] & 0x80) != 0) {
          if (v.size() - at < kStaleEntrySize) return Status::Corruption("bad stale-node set");
          row.entries.push_back(entry_at(&v[at]));
          at += kStaleEntrySize;
          continue;
        }
        if (v.size() - at < kStaleSeqEntrySize) return Status::Corruption("bad stale-node set");
        row.entries.push_back(StaleEntry{.node = {.version = keys::ReadU64(&v[at]),
                                                  .by_seq = true,
                                                  .seq = keys::ReadU32(&v[at + 8])}});
        at += kStaleSeqEntrySize;
      }
      return row;
    }
    if (v.size() % kStaleEntrySize != 0) return Status::Corruption("bad stale-node set");
    for (size_t at = 0; at < v.size(); at += kStaleEntrySize)
      row.entries.push_back(entry_at(&v[at]));
    return row;
  }
  if (kv.key.size() != 1 + 8 + kStaleEntrySize) return Status::Corruption("bad stale-node key");
  row.stale_since = keys::ReadU64(&kv.key[1]);
  row.single = true;
  row.entries.push_back(entry_at(&kv.key[9]));
  return row;
}

Bytes EncodeStaleEntries(std::span<const StaleEntry> entries) {
  Bytes out;
  out.reserve(1 + entries.size() * kStaleEntrySize);
  for (const StaleEntry& e : entries) AppendStaleEntry(&out, e.node);
  return out;
}

// Flat records (key_layout.h, kStateValue).
constexpr uint8_t kFlatInline = 0x00;
constexpr uint8_t kFlatLeaf = 0x01;
constexpr size_t kFlatLeafRecordSize = 1 + 8 + 4;
constexpr uint8_t kFlatFormatUpgrading = 0x01;
constexpr uint8_t kFlatFormatDone = 0x02;

// `leaf`: the tree leaf just written for the value (by seq), or empty.
Bytes EncodeFlatRecord(ByteView value, const NodeRef& leaf) {
  Bytes out;
  if (!leaf.empty() && leaf.by_seq && value.size() > kFlatInlineMax) {
    std::string r(1, static_cast<char>(kFlatLeaf));
    keys::AppendU64(&r, leaf.version);
    keys::AppendU32(&r, leaf.seq);
    out.assign(r.begin(), r.end());
    return out;
  }
  out.reserve(1 + value.size());
  out.push_back(kFlatInline);
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

Status CheckChanges(std::span<const StateChange> changes) {
  for (size_t i = 0; i < changes.size(); ++i) {
    const StateChange& c = changes[i];
    if (c.key.empty() || c.key.size() > kMaxStateKeyLen) {
      return Status::Invalid("state change: key length must be 1.." +
                             std::to_string(kMaxStateKeyLen));
    }
    if (c.value && c.value->size() > kMaxStateValueLen) {
      return Status::Invalid("state change: value above " + std::to_string(kMaxStateValueLen) +
                             " bytes");
    }
    if (i > 0 && !(changes[i - 1].key < c.key)) {
      return Status::Invalid("state change: keys not strictly ascending");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<NodeRef> StateTree::RootRef(uint64_t height) const {
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, store_.Get(AsBytes(keys::StateRoot(height))));
  if (!raw) return Status::NotFound("state version " + std::to_string(height) + " not retained");
  return DecodeRefBytes(*raw);
}

Result<Hash256> StateTree::Root(uint64_t height) const {
  TM_ASSIGN_OR_RETURN(NodeRef ref, RootRef(height));
  return ref.hash;
}

bool StateTree::HasVersion(uint64_t height) const { return RootRef(height).ok(); }

Result<SmtNode> StateTree::LoadNode(const NodeRef& ref) const {
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, store_.Get(AsBytes(NodeKey(ref))));
  if (!raw) return Status::Corruption("state node missing: " + ref.hash.Hex());
  TM_ASSIGN_OR_RETURN(SmtNode node, DecodeNode(*raw));
  if (node.kind != ref.kind) return Status::Corruption("state node kind mismatch");
  return node;
}

Result<StateUpdate> StateTree::ApplyChanges(uint64_t height,
                                            std::span<const StateChange> changes) const {
  TM_RETURN_IF_ERROR(CheckChanges(changes));
  NodeRef base;
  if (height > 0) {
    Result<NodeRef> prev = RootRef(height - 1);
    if (!prev.ok() && prev.status().code() == Code::kNotFound) {
      return Status::FailedPrecondition("state version " + std::to_string(height - 1) +
                                        " missing: cannot apply version " + std::to_string(height));
    }
    TM_RETURN_IF_ERROR(prev.status());
    base = *prev;
  }
  if (HasVersion(height)) {
    return Status::FailedPrecondition("state version " + std::to_string(height) + " exists");
  }
  std::vector<PathChange> paths;
  paths.reserve(changes.size());
  for (const StateChange& c : changes) {
    if (c.in_tree) paths.push_back({SmtKeyHash(c.key), &c});
  }
  std::sort(paths.begin(), paths.end(),
            [](const PathChange& a, const PathChange& b) { return a.key_hash < b.key_hash; });

  StateUpdate up{.height = height};
  // A changed key rewrites the ~log2(n) + 1 nodes of its path less those it shares with others
  // (~150 bytes each with the key, a leaf more with its value): reserving for 24 per change keeps
  // a block's ~1 MB batch from being regrown and copied as it grows (with the move into the
  // block's batch, PrepareCommit: -21 % of tidemark-store-bench's CPU, docs/benchmarks.md). Only
  // capacity: pages that are never written are never touched.
  size_t value_bytes = 0;
  for (const StateChange& c : changes)
    value_bytes += c.key.size() + (c.value ? c.value->size() : 0);
  up.writes.Reserve(paths.size() * 24 * 150 + 2 * value_bytes,
                    paths.size() * 25 + changes.size() + 4);
  Updater updater(store_, cache_, height, &up.writes, changes);
  if (cache_ != nullptr) updater.created().reserve(paths.size() * 12 + cache_->max_depth());
  TM_ASSIGN_OR_RETURN(NodeRef root, updater.Update(base, 0, paths));
  up.root = root.hash;
  up.stale_nodes = updater.stale();
  up.new_internal = std::move(updater.created());
  if (up.stale_nodes > 0) up.writes.Put(AsBytes(keys::StaleSet(height)), updater.stale_set());
  up.writes.Put(AsBytes(keys::StateRoot(height)), EncodeRefBytes(root));
  // The flat index (docs/storage.md, "Flat records"): the value once more, or, when it is large
  // and in the tree, where the tree's new leaf holds it. A change to the value the key already
  // had keeps its leaf, so it keeps its record too.
  for (size_t i = 0; i < changes.size(); ++i) {
    const StateChange& c = changes[i];
    std::string k = keys::StateValue(c.key);
    if (!c.value) {
      up.writes.Delete(AsBytes(k));
      continue;
    }
    const NodeRef& leaf = updater.new_leaf(i);
    if (c.in_tree && leaf.empty()) continue;
    up.writes.Put(AsBytes(k), EncodeFlatRecord(*c.value, leaf));
  }
  if (height == 0) {
    up.writes.Put(AsBytes(keys::Meta(keys::kFlatFormatName)), ByteView(&kFlatFormatDone, 1));
  }
  return up;
}

Result<Bytes> StateTree::FlatValue(ByteView key, ByteView record) const {
  if (!record.empty() && record[0] == kFlatInline) return Bytes(record.begin() + 1, record.end());
  if (record.size() != kFlatLeafRecordSize || record[0] != kFlatLeaf) {
    return Status::Corruption("bad flat-index record");
  }
  const std::string node_key =
      keys::StateNodeBySeq(keys::ReadU64(&record[1]), keys::ReadU32(&record[9]));
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> raw, store_.Get(AsBytes(node_key)));
  if (!raw) return Status::Corruption("flat-index record names a state node that is not stored");
  // Its key and value only: a read of the current value hashes nothing.
  Bytes leaf_key, value;
  if (!DecodeLeafKeyValue(*raw, &leaf_key, &value).ok() || !std::ranges::equal(leaf_key, key)) {
    return Status::Corruption("flat-index record names another key's leaf");
  }
  return value;
}

Result<std::optional<Bytes>> StateTree::Get(ByteView key) const {
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> record, store_.Get(AsBytes(keys::StateValue(key))));
  if (!record) return std::optional<Bytes>();
  TM_ASSIGN_OR_RETURN(Bytes value, FlatValue(key, *record));
  return std::optional<Bytes>(std::move(value));
}

Result<uint64_t> StateTree::UpgradeFlatIndex(KvStore& store, size_t batch_entries) {
  const std::string mark_key = keys::Meta(keys::kFlatFormatName);
  TM_ASSIGN_OR_RETURN(std::optional<Bytes> mark, store.Get(AsBytes(mark_key)));
  std::optional<Bytes> after;  // the last S key already rewritten
  if (mark) {
    if (mark->size() == 1 && (*mark)[0] == kFlatFormatDone) return 0;
    if (mark->empty() || (*mark)[0] != kFlatFormatUpgrading) {
      return Status::Corruption("flat index format record: unknown value");
    }
    after = Bytes(mark->begin() + 1, mark->end());
  } else {
    // No record and no state version: a new store, which version 0 marks.
    TM_ASSIGN_OR_RETURN(std::optional<Bytes> root0, store.Get(AsBytes(keys::StateRoot(0))));
    if (!root0) return 0;
  }
  const std::string prefix(1, keys::kStateValue);
  uint64_t rewritten = 0;
  for (;;) {
    TM_ASSIGN_OR_RETURN(std::vector<KvPair> page,
                        store.Scan({.prefix = AsBytes(prefix),
                                    .start_after = after,
                                    .limit = std::max<size_t>(batch_entries, 1)}));
    WriteBatch batch;
    for (const KvPair& kv : page) batch.Put(kv.key, EncodeFlatRecord(kv.value, NodeRef{}));
    rewritten += page.size();
    if (page.size() < std::max<size_t>(batch_entries, 1)) {  // the last page
      batch.Put(AsBytes(mark_key), ByteView(&kFlatFormatDone, 1));
      TM_RETURN_IF_ERROR(store.Write(batch, /*sync=*/true));
      return rewritten;
    }
    after = page.back().key;
    Bytes progress(1 + after->size(), kFlatFormatUpgrading);
    std::copy(after->begin(), after->end(), progress.begin() + 1);
    batch.Put(AsBytes(mark_key), progress);
    TM_RETURN_IF_ERROR(store.Write(batch, /*sync=*/true));  // one fsync per batch: resumable
  }
}

Result<std::vector<KvPair>> StateTree::Scan(const ScanRange& range) const {
  auto with_prefix = [](const Bytes& key) {
    std::string k = keys::StateValue(key);
    return Bytes(k.begin(), k.end());
  };
  Bytes full_prefix = with_prefix(range.prefix);
  ScanOptions opts{.prefix = full_prefix, .limit = range.limit};
  if (range.start_after) opts.start_after = with_prefix(*range.start_after);
  if (range.start_at) opts.start_at = with_prefix(*range.start_at);
  TM_ASSIGN_OR_RETURN(std::vector<KvPair> page, store_.Scan(opts));
  for (KvPair& kv : page) {
    kv.key.erase(kv.key.begin());  // strip the index prefix
    TM_ASSIGN_OR_RETURN(kv.value, FlatValue(kv.key, kv.value));
  }
  return page;
}

Result<std::optional<Bytes>> StateTree::GetAt(uint64_t height, ByteView key) const {
  TM_ASSIGN_OR_RETURN(StateProof proof, Prove(height, key));
  return proof.value;
}

Result<StateProof> StateTree::Prove(uint64_t height, ByteView key) const {
  if (key.empty() || key.size() > kMaxStateKeyLen) return Status::Invalid("state key length");
  TM_ASSIGN_OR_RETURN(NodeRef ref, RootRef(height));
  const Hash256 path = SmtKeyHash(key);
  StateProof proof{.key = Bytes(key.begin(), key.end())};
  std::vector<bool> bits;
  size_t depth = 0;
  while (ref.kind == NodeKind::kInternal) {
    if (depth >= kSmtDepth) return Status::Corruption("state tree deeper than 256");
    TM_ASSIGN_OR_RETURN(SmtNode node, LoadNode(ref));
    bool right = SmtPathBit(path, depth);
    const NodeRef& sibling = right ? node.left : node.right;
    bits.push_back(!sibling.empty());
    if (!sibling.empty()) proof.siblings.push_back(sibling.hash);
    ref = right ? node.right : node.left;
    ++depth;
  }
  if (ref.kind == NodeKind::kLeaf) {
    TM_ASSIGN_OR_RETURN(SmtNode leaf, LoadNode(ref));
    if (leaf.key_hash == path) {
      proof.value = std::move(leaf.value);
    } else {
      proof.other_leaf = SmtLeaf{leaf.key_hash, leaf.value_hash};
    }
  }
  proof.depth = static_cast<uint16_t>(depth);
  proof.bitmap.assign((depth + 7) / 8, 0);
  for (size_t i = 0; i < depth; ++i) {
    if (bits[i]) proof.bitmap[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
  }
  return proof;
}

Result<WriteBatch> StateTree::PrepareGc(uint64_t oldest_kept, size_t max_entries) const {
  if (!HasVersion(oldest_kept)) {
    return Status::FailedPrecondition("state GC: version " + std::to_string(oldest_kept) +
                                      " to keep does not exist");
  }
  WriteBatch batch;
  const std::string stale_prefix(1, keys::kStateStale);
  TM_ASSIGN_OR_RETURN(std::vector<KvPair> stale,
                      store_.Scan({.prefix = AsBytes(stale_prefix), .limit = max_entries}));
  size_t examined = 0;
  for (const KvPair& kv : stale) {
    if (examined >= max_entries) break;
    TM_ASSIGN_OR_RETURN(StaleRow row, ParseStaleRow(kv));
    if (row.stale_since > oldest_kept) break;
    for (const StaleEntry& e : row.entries) batch.Delete(AsBytes(e.Key()));
    batch.Delete(kv.key);
    examined += row.entries.size();
  }
  const std::string root_prefix(1, keys::kStateRoot);
  TM_ASSIGN_OR_RETURN(std::vector<KvPair> roots,
                      store_.Scan({.prefix = AsBytes(root_prefix), .limit = max_entries}));
  for (const KvPair& kv : roots) {
    if (kv.key.size() != 9) return Status::Corruption("bad state root key");
    if (keys::ReadU64(&kv.key[1]) >= oldest_kept) break;
    batch.Delete(kv.key);
  }
  return batch;
}

Result<GcStep> StateTree::PrepareGcStep(const GcRequest& req) const {
  if (!HasVersion(req.oldest_kept)) {
    return Status::FailedPrecondition("state GC: version " + std::to_string(req.oldest_kept) +
                                      " to keep does not exist");
  }
  auto pinned = [&](uint64_t from, uint64_t to) {  // a pinned version in [from, to)?
    auto it = std::lower_bound(req.pinned.begin(), req.pinned.end(), from);
    return it != req.pinned.end() && *it < to;
  };
  GcStep step{.roots_from = req.roots_from, .stale_after = req.stale_after};
  size_t budget = std::max<size_t>(req.max_entries, 1);
  // Roots first: a version stops being readable before any of its nodes goes.
  while (step.roots_from < req.oldest_kept && budget > 0) {
    uint64_t v = step.roots_from++;
    --budget;
    if (!pinned(v, v + 1)) step.batch.Delete(AsBytes(keys::StateRoot(v)));
  }
  if (step.roots_from < req.oldest_kept) return step;
  // Pages of a few rows, so that a step with nothing to collect reads little. A row is handled
  // entry by entry within the budget; when the budget ends inside a row, the rest of it is
  // written back under the same key (ahead of the cursor) for the next step.
  const std::string stale_prefix(1, keys::kStateStale);
  bool reached_end = false;
  bool stopped = false;
  while (budget > 0 && !reached_end && !stopped) {
    ScanOptions opts{.prefix = AsBytes(stale_prefix), .limit = std::min<size_t>(budget, 32)};
    if (step.stale_after) opts.start_after = *step.stale_after;
    TM_ASSIGN_OR_RETURN(std::vector<KvPair> rows, store_.Scan(opts));
    reached_end = rows.size() < opts.limit;
    for (const KvPair& kv : rows) {
      TM_ASSIGN_OR_RETURN(StaleRow row, ParseStaleRow(kv));
      if (row.stale_since > req.oldest_kept) {
        reached_end = true;
        break;
      }
      if (budget == 0) {
        stopped = true;
        break;
      }
      size_t i = 0;
      bool kept = false;
      for (; i < row.entries.size() && budget > 0; ++i, --budget) {
        const StaleEntry& e = row.entries[i];
        if (pinned(e.node.version, row.stale_since)) {  // a pinned version still uses it: keep it
          kept = true;
          continue;
        }
        step.batch.Delete(AsBytes(e.Key()));
        ++step.deleted_nodes;
      }
      if (i < row.entries.size()) {
        step.batch.Put(kv.key, EncodeStaleEntries(std::span(row.entries).subspan(i)));
        stopped = true;
        break;
      }
      // A set is done with (its pinned nodes are kept for good); an old per-node row of a
      // pinned node stays, as it always did, behind the cursor.
      if (!(row.single && kept)) step.batch.Delete(kv.key);
      step.stale_after = kv.key;
    }
  }
  if (stopped) reached_end = false;
  step.done = reached_end;
  return step;
}

}  // namespace tidemark::node
