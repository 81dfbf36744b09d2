// Tests of the sparse Merkle state tree against a naive reference, plus versions, reads and GC.
#include "tidemark/node/state/state_tree.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <span>
#include <thread>

#include "tidemark/hash.h"
#include "tidemark/node/storage/fault_injecting_kv_store.h"
#include "tidemark/node/storage/key_layout.h"
#include "tidemark/node/storage/memory_kv_store.h"

namespace tidemark::node {
namespace {

using Model = std::map<Bytes, Bytes>;

// The definition, computed from scratch: empty -> 0, one leaf -> leaf hash, else node of halves.
Hash256 NaiveRoot(std::vector<std::pair<Hash256, Hash256>>& leaves, size_t lo, size_t hi,
                  size_t depth) {
  if (lo == hi) return kSmtEmptyHash;
  if (hi - lo == 1) return SmtLeafHash(leaves[lo].first, leaves[lo].second);
  size_t mid = lo;
  while (mid < hi && !SmtPathBit(leaves[mid].first, depth)) ++mid;
  return SmtNodeHash(NaiveRoot(leaves, lo, mid, depth + 1), NaiveRoot(leaves, mid, hi, depth + 1));
}

Hash256 NaiveRoot(const Model& model) {
  std::vector<std::pair<Hash256, Hash256>> leaves;
  for (const auto& [k, v] : model) leaves.push_back({SmtKeyHash(k), Sha256(v)});
  std::sort(leaves.begin(), leaves.end());
  return NaiveRoot(leaves, 0, leaves.size(), 0);
}

Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

// Applies one version and writes it; returns the new root.
Hash256 Commit(MemoryKvStore& kv, uint64_t height, std::vector<StateChange> changes) {
  std::sort(changes.begin(), changes.end(),
            [](const StateChange& a, const StateChange& b) { return a.key < b.key; });
  StateTree tree(kv);
  Result<StateUpdate> up = tree.ApplyChanges(height, changes);
  REQUIRE(up.ok());
  REQUIRE(kv.Write(up->writes, true).ok());
  return up->root;
}

// One version's changes (nullopt deletes), applied to the model too.
std::vector<StateChange> ApplyToModel(const std::map<Bytes, std::optional<Bytes>>& batch,
                                      Model& model) {
  std::vector<StateChange> changes;
  for (const auto& [k, v] : batch) {
    changes.push_back({k, v});
    if (v) {
      model[k] = *v;
    } else {
      model.erase(k);
    }
  }
  return changes;
}

void CheckProof(const StateTree& tree, uint64_t height, const Hash256& root, const Bytes& key,
                const std::optional<Bytes>& expected) {
  Result<StateProof> proof = tree.Prove(height, key);
  REQUIRE(proof.ok());
  REQUIRE(proof->value == expected);
  REQUIRE(VerifyStateProof(root, key, expected, *proof).ok());
  Result<StateProof> back = StateProof::Decode(proof->Encode());
  REQUIRE(back.ok());
  REQUIRE(*back == *proof);
}

TEST_CASE("empty tree has the empty root and proves absence") {
  MemoryKvStore kv;
  Hash256 root = Commit(kv, 0, {});
  CHECK(root == kSmtEmptyHash);
  CHECK(root == NaiveRoot({}));
  CheckProof(StateTree(kv), 0, root, B("anything"), std::nullopt);
}

TEST_CASE("single leaf sits at the root, two leaves split at their first differing bit") {
  MemoryKvStore kv;
  Hash256 r0 = Commit(kv, 0, {{B("a"), B("1")}});
  CHECK(r0 == SmtLeafHash(SmtKeyHash(B("a")), Sha256(B("1"))));
  Hash256 r1 = Commit(kv, 1, {{B("b"), B("2")}});
  CHECK(r1 == NaiveRoot({{B("a"), B("1")}, {B("b"), B("2")}}));
  StateTree tree(kv);
  Result<StateProof> p = tree.Prove(1, B("a"));
  REQUIRE(p.ok());
  CHECK(p->siblings.size() == 1);  // the other leaf; the empty siblings above it are bitmap zeros
  // Deleting "b" collapses the tree back to the single leaf.
  Hash256 r2 = Commit(kv, 2, {{B("b"), std::nullopt}});
  CHECK(r2 == r0);
}

TEST_CASE("2,000 random operations match the naive tree at every version (seed 20261129)") {
  std::mt19937_64 rng(20261129);
  MemoryKvStore kv;
  StateTree tree(kv);
  Model model;
  std::vector<Hash256> roots;
  std::vector<Model> models;
  int ops = 0;
  uint64_t height = 0;
  while (ops < 2000) {
    std::map<Bytes, std::optional<Bytes>> batch;
    size_t n = 1 + rng() % 25;
    for (size_t i = 0; i < n; ++i, ++ops) {
      Bytes key = B("k" + std::to_string(rng() % 400));
      if (rng() % 4 == 0) {
        batch[key] = std::nullopt;
      } else {
        batch[key] = B("v" + std::to_string(rng() % 1000));
      }
    }
    Hash256 root = Commit(kv, height, ApplyToModel(batch, model));
    REQUIRE(root == NaiveRoot(model));
    roots.push_back(root);
    models.push_back(model);
    for (int probe = 0; probe < 3; ++probe) {
      Bytes key = B("k" + std::to_string(rng() % 450));  // some never written
      auto it = model.find(key);
      CheckProof(tree, height, root, key,
                 it == model.end() ? std::nullopt : std::optional<Bytes>(it->second));
    }
    ++height;
  }
  // Old versions stay readable and provable.
  for (uint64_t h = 0; h < height; h += 17) {
    REQUIRE(tree.Root(h).value() == roots[h]);
    const Model& m = models[h];
    if (m.empty()) continue;
    const auto& [k, v] = *m.begin();
    REQUIRE(tree.GetAt(h, k).value() == std::optional<Bytes>(v));
    CheckProof(tree, h, roots[h], k, v);
  }
  // The flat index holds exactly the current model.
  Result<std::vector<KvPair>> all = tree.Scan({.prefix = B("k"), .limit = 10000});
  REQUIRE(all.ok());
  REQUIRE(all->size() == model.size());
  auto it = model.begin();
  for (const KvPair& kv_pair : *all) {
    REQUIRE(kv_pair.key == it->first);
    REQUIRE(kv_pair.value == it->second);
    ++it;
  }
}

TEST_CASE("root is independent of insertion order and batching") {
  std::mt19937_64 rng(7);
  Model model;
  for (int i = 0; i < 300; ++i) model[B("key/" + std::to_string(i))] = B(std::to_string(rng()));
  MemoryKvStore one_batch;
  std::vector<StateChange> all;
  for (auto& [k, v] : model) all.push_back({k, v});
  Hash256 r1 = Commit(one_batch, 0, all);

  MemoryKvStore one_by_one;
  std::vector<StateChange> shuffled = all;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  Hash256 r2;
  for (size_t i = 0; i < shuffled.size(); ++i) r2 = Commit(one_by_one, i, {shuffled[i]});

  // Insert extra keys then delete them again: the root must come back.
  MemoryKvStore with_churn;
  Commit(with_churn, 0, all);
  Commit(with_churn, 1, {{B("extra/1"), B("x")}, {B("extra/2"), B("y")}});
  Hash256 r3 = Commit(with_churn, 2, {{B("extra/1"), std::nullopt}, {B("extra/2"), std::nullopt}});

  CHECK(r1 == NaiveRoot(model));
  CHECK(r2 == r1);
  CHECK(r3 == r1);
}

TEST_CASE("ApplyChanges writes nothing and checks its input") {
  MemoryKvStore kv;
  StateTree tree(kv);
  Result<StateUpdate> up = tree.ApplyChanges(0, std::vector<StateChange>{{B("a"), B("1")}});
  REQUIRE(up.ok());
  CHECK(kv.Size() == 0);
  CHECK(!tree.Root(0).ok());
  CHECK(tree.ApplyChanges(1, {}).status().code() == Code::kFailedPrecondition);  // no version 0
  REQUIRE(kv.Write(up->writes, true).ok());
  CHECK(tree.ApplyChanges(0, {}).status().code() == Code::kFailedPrecondition);  // exists
  std::vector<StateChange> unsorted = {{B("b"), B("1")}, {B("a"), B("1")}};
  CHECK(tree.ApplyChanges(1, unsorted).status().code() == Code::kInvalidArgument);
  std::vector<StateChange> dup = {{B("a"), B("1")}, {B("a"), B("2")}};
  CHECK(tree.ApplyChanges(1, dup).status().code() == Code::kInvalidArgument);
  std::vector<StateChange> empty_key = {{Bytes(), B("1")}};
  CHECK(tree.ApplyChanges(1, empty_key).status().code() == Code::kInvalidArgument);
  std::vector<StateChange> long_key = {{Bytes(kMaxStateKeyLen + 1, 'k'), B("1")}};
  CHECK(tree.ApplyChanges(1, long_key).status().code() == Code::kInvalidArgument);
  std::vector<StateChange> long_value = {{B("a"), Bytes(kMaxStateValueLen + 1, 0)}};
  CHECK(tree.ApplyChanges(1, long_value).status().code() == Code::kInvalidArgument);
  std::vector<StateChange> max_sizes = {{Bytes(kMaxStateKeyLen, 'k'), Bytes(kMaxStateValueLen, 1)}};
  CHECK(tree.ApplyChanges(1, max_sizes).ok());
}

TEST_CASE("no-op changes keep the root and write no nodes") {
  MemoryKvStore kv;
  Hash256 r0 = Commit(kv, 0, {{B("a"), B("1")}, {B("b"), B("2")}, {B("c"), B("3")}});
  StateTree tree(kv);
  std::vector<StateChange> noop = {{B("a"), B("1")}, {B("zz"), std::nullopt}};
  Result<StateUpdate> up = tree.ApplyChanges(1, noop);
  REQUIRE(up.ok());
  CHECK(up->root == r0);
  for (const WriteBatch::Op& op : up->writes.ops()) CHECK(op.key[0] != 'N');
}

TEST_CASE(
    "index keys (in_tree = false) are in the flat index only: no root, GetAt or proof sees them") {
  MemoryKvStore kv;
  Hash256 r0 = Commit(kv, 0, {{B("a"), B("1")}, {B("b"), B("2")}});
  // Only index changes: the root stays, no node is written, the value is served.
  StateTree tree(kv);
  std::vector<StateChange> only_index = {{.key = B("ix/a 1"), .value = Bytes{}, .in_tree = false},
                                         {.key = B("ix/b 1"), .value = B("x"), .in_tree = false}};
  Result<StateUpdate> up = tree.ApplyChanges(1, only_index);
  REQUIRE(up.ok());
  CHECK(up->root == r0);
  CHECK(up->stale_nodes == 0);
  for (const WriteBatch::Op& op : up->writes.ops()) CHECK(op.key[0] != 'N');
  REQUIRE(kv.Write(up->writes, true).ok());
  CHECK(*tree.Root(1) == r0);
  CHECK(*tree.Get(B("ix/a 1")) == Bytes{});
  CHECK(*tree.Get(B("ix/b 1")) == B("x"));
  Result<std::vector<KvPair>> page = tree.Scan({.prefix = B("ix/")});
  REQUIRE(page.ok());
  CHECK(page->size() == 2);
  CHECK(*tree.GetAt(1, B("ix/b 1")) == std::nullopt);
  CheckProof(tree, 1, r0, B("ix/b 1"), std::nullopt);  // what the root commits to: absent
  // Mixed with tree changes: the root is the one of the tree changes alone.
  Hash256 r2 = Commit(kv, 2,
                      {{B("a"), B("9")},
                       {.key = B("ix/a 1"), .value = std::nullopt, .in_tree = false},
                       {.key = B("ix/c 2"), .value = Bytes{}, .in_tree = false}});
  CHECK(r2 == NaiveRoot(Model{{B("a"), B("9")}, {B("b"), B("2")}}));
  CHECK(*tree.Get(B("ix/a 1")) == std::nullopt);
  CHECK(*tree.Get(B("ix/c 2")) == Bytes{});
  CHECK(*tree.GetAt(2, B("a")) == B("9"));
  CheckProof(tree, 2, r2, B("ix/c 2"), std::nullopt);
}

TEST_CASE("Scan pages through the current values of a prefix") {
  MemoryKvStore kv;
  std::vector<StateChange> changes;
  for (int i = 0; i < 25; ++i) changes.push_back({B("p/" + std::to_string(100 + i)), B("v")});
  changes.push_back({B("q/1"), B("other prefix")});
  Commit(kv, 0, changes);
  StateTree tree(kv);
  std::vector<Bytes> seen;
  std::optional<Bytes> cursor;
  for (;;) {
    Result<std::vector<KvPair>> page =
        tree.Scan({.prefix = B("p/"), .start_after = cursor, .limit = 10});
    REQUIRE(page.ok());
    if (page->empty()) break;
    for (const KvPair& p : *page) seen.push_back(p.key);
    cursor = page->back().key;
  }
  REQUIRE(seen.size() == 25);
  CHECK(seen.front() == B("p/100"));
  CHECK(seen.back() == B("p/124"));
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  Result<std::vector<KvPair>> from = tree.Scan({.prefix = B("p/"), .start_at = B("p/120")});
  REQUIRE(from.ok());
  REQUIRE(from->size() == 5);
  CHECK(from->front().key == B("p/120"));
  CHECK(from->front().value == B("v"));
}

TEST_CASE("proofs stay short: 8,000 keys, every proof well under 4 KiB") {
  MemoryKvStore kv;
  std::vector<StateChange> changes;
  for (int i = 0; i < 8000; ++i) {
    changes.push_back({B("lot/" + std::to_string(i)), B("owner-" + std::to_string(i))});
  }
  std::sort(changes.begin(), changes.end(),
            [](const StateChange& a, const StateChange& b) { return a.key < b.key; });
  Hash256 root = Commit(kv, 0, changes);
  StateTree tree(kv);
  size_t max_size = 0;
  for (int i = 0; i < 8000; i += 41) {
    Result<StateProof> p = tree.Prove(0, B("lot/" + std::to_string(i)));
    REQUIRE(p.ok());
    REQUIRE(VerifyStateProof(root, p->key, p->value, *p).ok());
    max_size = std::max(max_size, p->Encode().size());
    Result<StateProof> absent = tree.Prove(0, B("missing/" + std::to_string(i)));
    REQUIRE(absent.ok());
    REQUIRE(VerifyStateProof(root, absent->key, std::nullopt, *absent).ok());
    max_size = std::max(max_size, absent->Encode().size());
  }
  // log2(8000) ~ 13 siblings of 32 bytes expected; allow generous slack, far below 4 KiB.
  CHECK(max_size < 1100);
}

// Commits `versions` versions of `per_version` random changes over keys k0..k<keys-1> (one in
// `delete_one_in` a delete) and returns the model of every version.
std::vector<Model> CommitRandomVersions(MemoryKvStore& kv, uint64_t seed, uint64_t versions,
                                        int per_version, int keys, int delete_one_in) {
  std::mt19937_64 rng(seed);
  std::vector<Model> models;
  Model model;
  for (uint64_t h = 0; h < versions; ++h) {
    std::map<Bytes, std::optional<Bytes>> batch;
    for (int i = 0; i < per_version; ++i) {
      Bytes k = B("k" + std::to_string(rng() % keys));
      batch[k] = rng() % delete_one_in == 0 ? std::nullopt
                                            : std::optional<Bytes>(B(std::to_string(rng())));
    }
    std::vector<StateChange> changes;
    for (auto& [k, v] : batch) {
      changes.push_back({k, v});
      if (v)
        model[k] = *v;
      else
        model.erase(k);
    }
    Commit(kv, h, changes);
    models.push_back(model);
  }
  return models;
}

TEST_CASE("GC deletes exactly what versions below the cut use") {
  MemoryKvStore kv;
  std::vector<Model> models = CommitRandomVersions(kv, 99, 40, 8, 60, 5);
  Model model = models.back();
  StateTree tree(kv);
  CHECK(tree.PrepareGc(40, 10).status().code() == Code::kFailedPrecondition);  // not written
  size_t before = kv.Size();
  for (;;) {
    Result<WriteBatch> gc = tree.PrepareGc(30, 50);
    REQUIRE(gc.ok());
    if (gc->empty()) break;
    REQUIRE(kv.Write(*gc, true).ok());
  }
  CHECK(kv.Size() < before);
  CHECK(!tree.Root(29).ok());
  // Every key of every retained version is still readable and provable.
  for (uint64_t h = 30; h < 40; ++h) {
    Hash256 root = tree.Root(h).value();
    REQUIRE(root == NaiveRoot(models[h]));
    for (int i = 0; i < 60; ++i) {
      Bytes k = B("k" + std::to_string(i));
      auto it = models[h].find(k);
      CheckProof(tree, h, root, k,
                 it == models[h].end() ? std::nullopt : std::optional<Bytes>(it->second));
    }
  }
  // And the tree keeps growing correctly on top of a pruned store.
  model[B("after-gc")] = B("1");
  CHECK(Commit(kv, 40, {{B("after-gc"), B("1")}}) == NaiveRoot(model));
}

// Runs PrepareGcStep to completion with `budget` entries per step, writing each batch.
void RunGcSteps(MemoryKvStore& kv, uint64_t oldest_kept, std::span<const uint64_t> pinned,
                size_t budget) {
  StateTree tree(kv);
  GcRequest req{.oldest_kept = oldest_kept, .pinned = pinned, .max_entries = budget};
  for (int steps = 0;; ++steps) {
    REQUIRE(steps < 100000);
    Result<GcStep> step = tree.PrepareGcStep(req);
    REQUIRE(step.ok());
    REQUIRE(kv.Write(step->batch, true).ok());
    if (step->done) return;
    req.roots_from = step->roots_from;
    req.stale_after = step->stale_after;
  }
}

std::set<std::string> RowsWithPrefix(const MemoryKvStore& kv, char prefix) {
  std::set<std::string> out;
  for (const auto& [k, v] : kv.Contents()) {
    if (!k.empty() && k[0] == prefix) out.insert(k);
  }
  return out;
}

// The same store in the format written before compact records (smt_node.h): nodes keyed by
// hash, references without seq (ref kind bytes 1-3), leaves holding their hashes, stale sets of
// (version | hash)* without the marker. With strip_summaries, as before leaf summaries too
// (every reference kind byte 1 or 2). REQUIRES: every stale entry's node is still stored.
MemoryKvStore::Map LegacyStore(const MemoryKvStore& kv, bool strip_summaries = false) {
  auto legacy = [&](NodeRef r) {
    r.by_seq = false;
    r.seq = 0;
    if (strip_summaries) r.has_summary = false;
    return r;
  };
  std::map<std::pair<uint64_t, uint32_t>, Hash256> hash_of;
  MemoryKvStore::Map out;
  for (const auto& [k, v] : kv.Contents()) {
    if (k.empty() || k[0] != keys::kStateNode) continue;
    REQUIRE(k.size() == 13);  // N | version | seq
    const auto* p = reinterpret_cast<const uint8_t*>(k.data());
    SmtNode n = DecodeNode(AsBytes(v)).value();
    Hash256 h;
    Bytes value;
    if (n.kind == NodeKind::kLeaf) {
      h = SmtLeafHash(n.key_hash, n.value_hash);
      value = EncodeLeafWithHashes(n.key, n.value);
    } else {
      h = SmtNodeHash(n.left.hash, n.right.hash);
      value = EncodeInternal(legacy(n.left), legacy(n.right));
    }
    hash_of[{keys::ReadU64(p + 1), keys::ReadU32(p + 9)}] = h;
    out[keys::StateNode(keys::ReadU64(p + 1), h)] = ToString(value);
  }
  for (const auto& [k, v] : kv.Contents()) {
    if (k.empty() || k[0] == keys::kStateNode) continue;
    if (k[0] == keys::kStateRoot) {
      out[k] = ToString(EncodeRefBytes(legacy(DecodeRefBytes(AsBytes(v)).value())));
    } else if (k[0] == keys::kStateStale) {
      REQUIRE(k.size() == 9);
      REQUIRE((!v.empty() && static_cast<uint8_t>(v[0]) == 0xFF && (v.size() - 1) % 12 == 0));
      std::string row;
      for (size_t at = 1; at < v.size(); at += 12) {
        const auto* e = reinterpret_cast<const uint8_t*>(v.data()) + at;
        auto it = hash_of.find({keys::ReadU64(e), keys::ReadU32(e + 8)});
        REQUIRE(it != hash_of.end());
        keys::AppendU64(&row, keys::ReadU64(e));
        row.append(reinterpret_cast<const char*>(it->second.data.data()), it->second.size());
      }
      out[k] = row;
    } else {
      out[k] = v;
    }
  }
  return out;
}

// The stored nodes of a store, named as a store keyed by hash would name them.
std::set<std::string> LegacyNodeKeys(const MemoryKvStore& kv) {
  std::set<std::string> out;
  for (const auto& [k, v] : kv.Contents()) {
    if (k.empty() || k[0] != keys::kStateNode) continue;
    if (k.size() == 1 + 8 + 32) {
      out.insert(k);
      continue;
    }
    SmtNode n = DecodeNode(AsBytes(v)).value();
    const Hash256 h = n.kind == NodeKind::kLeaf ? SmtLeafHash(n.key_hash, n.value_hash)
                                                : SmtNodeHash(n.left.hash, n.right.hash);
    out.insert(keys::StateNode(keys::ReadU64(reinterpret_cast<const uint8_t*>(&k[1])), h));
  }
  return out;
}

size_t BytesWithPrefix(const MemoryKvStore::Map& rows, char prefix) {
  size_t n = 0;
  for (const auto& [k, v] : rows) {
    if (!k.empty() && k[0] == prefix) n += k.size() + v.size();
  }
  return n;
}

// Every key of version h proves against the naive root of models[h].
void CheckVersion(const StateTree& tree, uint64_t h, const Model& model, int n_keys) {
  Hash256 root = tree.Root(h).value();
  REQUIRE(root == NaiveRoot(model));
  for (int i = 0; i < n_keys; ++i) {
    Bytes k = B("k" + std::to_string(i));
    auto it = model.find(k);
    CheckProof(tree, h, root, k,
               it == model.end() ? std::nullopt : std::optional<Bytes>(it->second));
  }
}

TEST_CASE("GC steps: budgets ending inside a stale set, pins, and old per-node rows agree") {
  MemoryKvStore kv;
  const std::vector<Model> models = CommitRandomVersions(kv, 20261206, 60, 12, 80, 6);
  // One row per version that replaced nodes: Z | version -> 0xFF | (version | seq)*.
  size_t sets = 0, entries = 0;
  for (const auto& [k, v] : kv.Contents()) {
    if (k[0] != keys::kStateStale) continue;
    REQUIRE(k.size() == 9);
    REQUIRE(static_cast<uint8_t>(v[0]) == 0xFF);
    REQUIRE((v.size() - 1) % 12 == 0);
    ++sets;
    entries += (v.size() - 1) / 12;
  }
  REQUIRE(sets > 50);
  REQUIRE(entries > 5 * sets);
  // The same store as one written before stale sets (so before compact records too, keyed by
  // hash): one row per stale node.
  MemoryKvStore::Map old_rows;
  for (const auto& [k, v] : LegacyStore(kv)) {
    if (k[0] != keys::kStateStale) {
      old_rows[k] = v;
      continue;
    }
    for (size_t at = 0; at < v.size(); at += 40) {
      Hash256 hash = Hash256::FromView(AsBytes(v).subspan(at + 8, 32)).value();
      const auto* key = reinterpret_cast<const uint8_t*>(k.data());
      const auto* entry = reinterpret_cast<const uint8_t*>(v.data()) + at;
      old_rows[keys::StateStale(keys::ReadU64(key + 1), keys::ReadU64(entry), hash)] = "";
    }
  }
  MemoryKvStore small(kv.Contents()), large(kv.Contents()), old(old_rows);
  const std::vector<uint64_t> pinned = {0, 17, 33};
  const uint64_t kept = 45;
  RunGcSteps(small, kept, pinned, 3);  // budgets end inside most sets
  RunGcSteps(large, kept, pinned, 1 << 20);
  RunGcSteps(old, kept, pinned, 7);
  const size_t nodes_before = RowsWithPrefix(kv, keys::kStateNode).size();
  const std::set<std::string> nodes = RowsWithPrefix(large, keys::kStateNode);
  CHECK(nodes.size() < nodes_before);
  CHECK(RowsWithPrefix(small, keys::kStateNode) == nodes);
  CHECK(LegacyNodeKeys(old) == LegacyNodeKeys(large));
  // Every set at or below the cut is gone; the later ones are untouched.
  for (const std::string& k : RowsWithPrefix(small, keys::kStateStale)) {
    CHECK(keys::ReadU64(reinterpret_cast<const uint8_t*>(&k[1])) > kept);
  }
  for (MemoryKvStore* store : {&small, &old}) {
    StateTree tree(*store);
    for (uint64_t h = 0; h < 60; ++h) {
      bool retained = h >= kept || std::find(pinned.begin(), pinned.end(), h) != pinned.end();
      REQUIRE(tree.HasVersion(h) == retained);
      if (!retained) continue;
      Hash256 root = tree.Root(h).value();
      REQUIRE(root == NaiveRoot(models[h]));
      for (int i = 0; i < 80; ++i) {
        Bytes k = B("k" + std::to_string(i));
        auto it = models[h].find(k);
        CheckProof(tree, h, root, k,
                   it == models[h].end() ? std::nullopt : std::optional<Bytes>(it->second));
      }
    }
  }
}

TEST_CASE("a node cache changes no root, and a version never written leaves nothing in it") {
  MemoryKvStore plain, cached;
  NodeCache cache(64);  // 63 slots: the six upper levels
  StateTree with_cache(cached, &cache);
  std::mt19937_64 rng(7);
  Model model;
  for (uint64_t h = 0; h < 200; ++h) {
    std::map<Bytes, std::optional<Bytes>> batch;
    for (int i = 0; i < 10; ++i) {
      Bytes k = B("k" + std::to_string(rng() % 300));
      batch[k] = rng() % 5 == 0 ? std::nullopt : std::optional<Bytes>(B(std::to_string(rng())));
    }
    std::vector<StateChange> changes;
    for (auto& [k, v] : batch) changes.push_back({k, v});
    if (h % 10 == 5) {
      // A version computed and thrown away (its block was refused), then a different one at the
      // same height: only what was written may be in the cache.
      std::vector<StateChange> other = changes;
      for (StateChange& c : other) c.value = B("discarded");
      REQUIRE(with_cache.ApplyChanges(h, other).ok());
    }
    Hash256 root = Commit(plain, h, changes);
    Result<StateUpdate> up = with_cache.ApplyChanges(h, changes);
    REQUIRE(up.ok());
    REQUIRE(cached.Write(up->writes, true).ok());
    for (const NewInternalNode& n : up->new_internal)
      cache.Put(n.ref, n.depth, n.path, n.left, n.right);
    REQUIRE(up->root == root);
    for (auto& [k, v] : batch) {
      if (v)
        model[k] = *v;
      else
        model.erase(k);
    }
  }
  REQUIRE(StateTree(cached).Root(199).value() == NaiveRoot(model));
  CHECK(plain.Contents() == cached.Contents());
  NodeCache::Stats stats = cache.stats();
  CHECK(stats.hits > 0);
  CHECK(cache.max_depth() == 6);
  CHECK(stats.entries <= 63);
}

// Counts the stored tree nodes of one kind (leaf or internal) read through it.
class NodeReadCounter final : public KvReader {
 public:
  NodeReadCounter(const KvReader& inner, NodeKind kind) : inner_(inner), kind_(kind) {}
  Result<std::optional<Bytes>> Get(ByteView key) const override {
    auto v = inner_.Get(key);
    if (v.ok() && v->has_value() && !key.empty() && key[0] == keys::kStateNode) {
      auto node = DecodeNode(**v);
      if (node.ok() && node->kind == kind_) ++reads;
    }
    return v;
  }
  Result<std::vector<KvPair>> Scan(const ScanOptions& o) const override { return inner_.Scan(o); }
  mutable size_t reads = 0;

 private:
  const KvReader& inner_;
  const NodeKind kind_;
};

// Random sorted changes: `fresh` new keys, `over` overwrites and `del` deletes of model keys.
std::vector<StateChange> RandomChanges(std::mt19937_64& rng, const Model& model, int fresh,
                                       int over, int del) {
  std::map<Bytes, std::optional<Bytes>> batch;
  for (int i = 0; i < fresh; ++i)
    batch[B("new" + std::to_string(rng()))] = B(std::to_string(rng()));
  std::vector<Bytes> keys;
  for (const auto& [k, v] : model) keys.push_back(k);
  for (int i = 0; i < over && !keys.empty(); ++i) {
    batch[keys[rng() % keys.size()]] = B("v" + std::to_string(rng()));
  }
  for (int i = 0; i < del && !keys.empty(); ++i) batch[keys[rng() % keys.size()]] = std::nullopt;
  std::vector<StateChange> out;
  for (auto& [k, v] : batch) out.push_back({k, v});
  return out;
}

void ApplyToModel(Model& model, const std::vector<StateChange>& changes) {
  for (const StateChange& c : changes) {
    if (c.value)
      model[c.key] = *c.value;
    else
      model.erase(c.key);
  }
}

// Commits versions 0..versions-1 of random changes to `kv`; returns the values they leave.
Model CommitRandom(MemoryKvStore& kv, std::mt19937_64& rng, uint64_t versions, int fresh, int over,
                   int del) {
  Model model;
  for (uint64_t h = 0; h < versions; ++h) {
    auto changes = RandomChanges(rng, model, fresh, over, del);
    Commit(kv, h, changes);
    ApplyToModel(model, changes);
  }
  return model;
}

TEST_CASE("an update reads no leaf: references carry the leaf's key and value hashes") {
  MemoryKvStore kv;
  std::mt19937_64 rng(17);
  Model model = CommitRandom(kv, rng, 10, 300, 20, 10);
  NodeReadCounter counter(kv, NodeKind::kLeaf);
  StateTree tree(counter);
  for (uint64_t h = 10; h < 15; ++h) {
    auto changes = RandomChanges(rng, model, 200, 100, 50);  // splits, overwrites, deletes
    Result<StateUpdate> up = tree.ApplyChanges(h, changes);
    REQUIRE(up.ok());
    REQUIRE(kv.Write(up->writes, true).ok());
    ApplyToModel(model, changes);
    REQUIRE(up->root == NaiveRoot(model));
  }
  CHECK(counter.reads == 0);
  // A reference whose summary does not hash to it is damage, not a leaf.
  NodeRef ref = LeafRef(3, Sha256(B("k")), Sha256(B("v")));
  Bytes good = EncodeRefBytes(ref);
  REQUIRE(good[0] == 3);
  REQUIRE(DecodeRefBytes(good).value().has_summary);
  Bytes bad = good;
  bad.back() ^= 1;
  REQUIRE(DecodeRefBytes(bad).status().code() == Code::kCorruption);
}

TEST_CASE("a store written before leaf summaries updates to the same roots") {
  MemoryKvStore current;
  std::mt19937_64 rng(23);
  Model model = CommitRandom(current, rng, 8, 200, 30, 10);
  // The old format: the same nodes keyed by hash, every reference without a summary (ref kind
  // byte 1).
  MemoryKvStore old(LegacyStore(current, /*strip_summaries=*/true));
  size_t leaf_refs_without_summary = 0;
  for (const auto& [k, v] : old.Contents()) {
    if (k[0] != keys::kStateNode || static_cast<uint8_t>(v[0]) != 2) continue;
    SmtNode n = DecodeNode(AsBytes(v)).value();
    for (const NodeRef& c : {n.left, n.right})
      leaf_refs_without_summary += c.kind == NodeKind::kLeaf && !c.has_summary;
  }
  REQUIRE(leaf_refs_without_summary > 100);
  NodeReadCounter counter(old, NodeKind::kLeaf);
  for (uint64_t h = 8; h < 12; ++h) {
    auto changes = RandomChanges(rng, model, 150, 60, 30);
    Hash256 root = Commit(current, h, changes);
    Result<StateUpdate> up = StateTree(counter).ApplyChanges(h, changes);
    REQUIRE(up.ok());
    REQUIRE(old.Write(up->writes, true).ok());
    ApplyToModel(model, changes);
    REQUIRE(up->root == root);
    REQUIRE(root == NaiveRoot(model));
  }
  CHECK(counter.reads > 0);  // the old references: the leaves are read instead
  for (const auto& [k, v] : model) CheckProof(StateTree(old), 11, NaiveRoot(model), k, v);
}

TEST_CASE("compact records: a store keyed by hash goes on, proves and prunes like a new one") {
  // 40 versions written in the current format, and the first 20 of the same versions in the
  // format of older stores, continued with the current code (the same changes: same seed).
  MemoryKvStore fresh;
  const std::vector<Model> models = CommitRandomVersions(fresh, 20261207, 40, 12, 80, 6);
  MemoryKvStore first20;
  CommitRandomVersions(first20, 20261207, 20, 12, 80, 6);
  MemoryKvStore mixed(LegacyStore(first20));
  const size_t legacy_rows = RowsWithPrefix(mixed, keys::kStateNode).size();
  for (uint64_t h = 20; h < 40; ++h) {
    std::vector<StateChange> changes;  // what version h changed, from the models
    for (const auto& [k, v] : models[h]) {
      auto it = models[h - 1].find(k);
      if (it == models[h - 1].end() || it->second != v) changes.push_back({k, v});
    }
    for (const auto& [k, v] : models[h - 1]) {
      if (!models[h].count(k)) changes.push_back({k, std::nullopt});
    }
    REQUIRE(Commit(mixed, h, changes) == NaiveRoot(models[h]));
  }
  // What the continued store wrote is compact (13-byte keys); the old nodes still in use stay
  // where they were, and every version reads and proves.
  size_t compact = 0, by_hash = 0;
  for (const std::string& k : RowsWithPrefix(mixed, keys::kStateNode)) {
    REQUIRE((k.size() == 13 || k.size() == 41));
    (k.size() == 13 ? compact : by_hash) += 1;
  }
  CHECK(by_hash == legacy_rows);
  CHECK(compact > 100);
  for (uint64_t h = 0; h < 40; ++h) CheckVersion(StateTree(mixed), h, models[h], 80);
  // Its stale sets mix both kinds of entry; the GC deletes exactly what it deletes in the store
  // written in one format, and keeps every retained and pinned version whole.
  const std::vector<uint64_t> pinned = {0, 9, 25};
  RunGcSteps(mixed, 33, pinned, 5);
  RunGcSteps(fresh, 33, pinned, 1 << 20);
  CHECK(LegacyNodeKeys(mixed) == LegacyNodeKeys(fresh));
  size_t by_hash_after = 0;
  for (const std::string& k : RowsWithPrefix(mixed, keys::kStateNode))
    by_hash_after += k.size() == 41;
  CHECK(by_hash_after < by_hash);
  for (uint64_t h = 0; h < 40; ++h) {
    const bool kept = h >= 33 || std::find(pinned.begin(), pinned.end(), h) != pinned.end();
    REQUIRE(StateTree(mixed).HasVersion(h) == kept);
    if (kept) CheckVersion(StateTree(mixed), h, models[h], 80);
  }
}

TEST_CASE("compact records: the tree writes a third fewer bytes for the same versions") {
  MemoryKvStore kv;
  CommitRandomVersions(kv, 7, 60, 40, 3000, 50);
  const MemoryKvStore::Map now = kv.Contents();
  const MemoryKvStore::Map before = LegacyStore(kv);
  const size_t now_bytes =
      BytesWithPrefix(now, keys::kStateNode) + BytesWithPrefix(now, keys::kStateStale);
  const size_t before_bytes =
      BytesWithPrefix(before, keys::kStateNode) + BytesWithPrefix(before, keys::kStateStale);
  INFO(now_bytes << " bytes of nodes and stale sets against " << before_bytes);
  CHECK(now_bytes < before_bytes * 2 / 3);
  // The same roots either way.
  MemoryKvStore legacy(before);
  for (uint64_t h = 0; h < 60; ++h)
    CHECK(StateTree(legacy).Root(h).value() == StateTree(kv).Root(h).value());
}

TEST_CASE("the node cache holds the tree's upper levels: updates read only the nodes below them") {
  MemoryKvStore kv;
  NodeCache cache(1023);  // depths 0..9
  REQUIRE(cache.max_depth() == 10);
  NodeReadCounter counted(kv, NodeKind::kInternal);
  StateTree with_cache(counted, &cache);
  std::mt19937_64 rng(31);
  Model model;
  size_t reads_cached = 0, reads_plain = 0, hits = 0;
  for (uint64_t h = 0; h < 30; ++h) {
    auto changes = RandomChanges(rng, model, 200, 50, 10);
    NodeReadCounter plain_counter(kv, NodeKind::kInternal);
    Result<StateUpdate> plain = StateTree(plain_counter).ApplyChanges(h, changes);
    const size_t before = counted.reads;
    const uint64_t hits_before = cache.stats().hits;
    Result<StateUpdate> up = with_cache.ApplyChanges(h, changes);
    REQUIRE(up.ok());
    REQUIRE(plain.ok());
    REQUIRE(up->root == plain->root);
    REQUIRE(kv.Write(up->writes, true).ok());
    for (const NewInternalNode& n : up->new_internal) {
      REQUIRE(n.depth < cache.max_depth());
      cache.Put(n.ref, n.depth, n.path, n.left, n.right);
    }
    ApplyToModel(model, changes);
    if (h >= 10) {  // warm: every node above depth 10 of the current tree is in its slot
      reads_cached += counted.reads - before;
      reads_plain += plain_counter.reads;
      hits += cache.stats().hits - hits_before;
    }
  }
  REQUIRE(StateTree(kv).Root(29).value() == NaiveRoot(model));
  // Every internal node above depth 10 is found in its slot (the writer created or read each),
  // and each hit is one store read fewer; the ~6,800-key tree's nodes below depth 10 are read.
  CHECK(cache.stats().misses == 0);
  CHECK(hits > 1000);
  CHECK(reads_cached + hits == reads_plain);
  CHECK(reads_cached > 0);
}

TEST_CASE("readers prove written versions while the single writer commits new ones") {
  MemoryKvStore kv;
  StateTree tree(kv);
  std::atomic<int64_t> latest{-1};
  std::atomic<bool> done{false};
  std::atomic<int> failures{0}, checks{0};
  auto reader = [&](uint64_t seed) {
    std::mt19937_64 rng(seed);
    while (!done.load()) {
      int64_t h = latest.load();
      if (h < 0) continue;
      uint64_t at = rng() % (h + 1);
      Bytes key = B("k" + std::to_string(rng() % 50));
      Result<Hash256> root = tree.Root(at);
      Result<StateProof> proof = tree.Prove(at, key);
      if (!root.ok() || !proof.ok() || !VerifyStateProof(*root, key, proof->value, *proof).ok()) {
        failures++;
      }
      checks++;
    }
  };
  std::thread r1(reader, 1), r2(reader, 2);
  std::mt19937_64 rng(3);
  for (uint64_t h = 0; h < 150; ++h) {
    std::map<Bytes, std::optional<Bytes>> batch;
    for (int i = 0; i < 5; ++i) {
      batch[B("k" + std::to_string(rng() % 50))] =
          rng() % 4 ? std::optional<Bytes>(B(std::to_string(rng()))) : std::nullopt;
    }
    std::vector<StateChange> changes;
    for (auto& [k, v] : batch) changes.push_back({k, v});
    Result<StateUpdate> up = tree.ApplyChanges(h, changes);
    if (!up.ok() || !kv.Write(up->writes, true).ok()) failures++;
    latest.store(static_cast<int64_t>(h));
  }
  while (checks.load() < 200) std::this_thread::yield();
  done.store(true);
  r1.join();
  r2.join();
  CHECK(failures.load() == 0);
}

// Flat records (docs/storage.md): a value the tree holds is not stored twice when it is large.
Bytes SizedValue(std::mt19937_64& rng, size_t size) {
  Bytes v(size);
  for (uint8_t& b : v) b = static_cast<uint8_t>('a' + rng() % 26);
  return v;
}

const std::string* FlatRecord(const MemoryKvStore::Map& rows, const Bytes& key) {
  auto it = rows.find(keys::StateValue(key));
  return it == rows.end() ? nullptr : &it->second;
}

TEST_CASE("flat records: a large value is read from its leaf, never stored twice") {
  // Values of 0..200 bytes over 150 keys, 1,500 operations: rewrites of the same value (the
  // leaf is kept, so must its record be), shrinking below and growing above kFlatInlineMax,
  // deletes; the GC keeps the last 4 versions. At every version Get and Scan answer the model.
  std::mt19937_64 rng(20261208);
  MemoryKvStore kv;
  StateTree tree(kv);
  Model model;
  uint64_t height = 0;
  size_t same_value_rewrites = 0;
  for (int ops = 0; ops < 1500; ++height) {
    std::map<Bytes, std::optional<Bytes>> batch;
    for (size_t i = 0, n = 1 + rng() % 12; i < n; ++i, ++ops) {
      Bytes key = B("k" + std::to_string(rng() % 150));
      auto old = model.find(key);
      const int pick = static_cast<int>(rng() % 8);
      if (pick == 0) {
        batch[key] = std::nullopt;
      } else if (pick == 1 && old != model.end()) {
        batch[key] = old->second;  // the value it has
        ++same_value_rewrites;
      } else {
        batch[key] = SizedValue(
            rng, rng() % 2 ? rng() % (kFlatInlineMax + 1) : kFlatInlineMax + 1 + rng() % 150);
      }
    }
    const Hash256 root = Commit(kv, height, ApplyToModel(batch, model));
    REQUIRE(root == NaiveRoot(model));
    if (height >= 4) {
      StateTree gc(kv);
      for (;;) {
        Result<WriteBatch> b = gc.PrepareGc(height - 4, 64);
        REQUIRE(b.ok());
        if (b->empty()) break;
        REQUIRE(kv.Write(*b, true).ok());
      }
    }
    const MemoryKvStore::Map rows = kv.Contents();
    for (int i = 0; i < 150; ++i) {
      const Bytes key = B("k" + std::to_string(i));
      auto it = model.find(key);
      Result<std::optional<Bytes>> got = tree.Get(key);
      REQUIRE(got.ok());
      REQUIRE(*got == (it == model.end() ? std::nullopt : std::optional<Bytes>(it->second)));
      const std::string* record = FlatRecord(rows, key);
      REQUIRE((record != nullptr) == (it != model.end()));
      if (record == nullptr) continue;
      if (it->second.size() > kFlatInlineMax) {
        REQUIRE(record->size() == 13);  // 0x01 | version | seq: the leaf's
        REQUIRE(record->front() == 0x01);
      } else {
        REQUIRE(record->size() == 1 + it->second.size());
        REQUIRE(record->front() == 0x00);
      }
    }
    Result<std::vector<KvPair>> all = tree.Scan({.prefix = B("k"), .limit = 1000});
    REQUIRE(all.ok());
    REQUIRE(all->size() == model.size());
    auto it = model.begin();
    for (const KvPair& p : *all) {
      REQUIRE(p.key == it->first);
      REQUIRE(p.value == it->second);
      ++it;
    }
  }
  CHECK(same_value_rewrites > 50);
}

TEST_CASE("flat records: an index key's value stays inline; bad records are corruption") {
  MemoryKvStore kv;
  const Bytes big(300, 'x');
  std::vector<StateChange> changes = {{B("a"), big}, {B("ix"), big, /*in_tree=*/false}};
  Commit(kv, 0, changes);
  StateTree tree(kv);
  const MemoryKvStore::Map rows = kv.Contents();
  CHECK(FlatRecord(rows, B("a"))->size() == 13);
  CHECK(FlatRecord(rows, B("ix"))->size() == 301);  // not in the tree: no leaf to name
  CHECK(tree.Get(B("ix")).value() == std::optional<Bytes>(big));
  // The record of "a" names a's leaf; read as "ix"'s record it names another key's leaf.
  const std::string a_record = *FlatRecord(rows, B("a"));
  CHECK(tree.FlatValue(B("ix"), AsBytes(a_record)).status().code() == Code::kCorruption);
  CHECK(tree.FlatValue(B("a"), AsBytes(a_record)).value() == big);
  CHECK(tree.FlatValue(B("a"), B("\x02xyz")).status().code() == Code::kCorruption);
  CHECK(tree.FlatValue(B("a"), Bytes{}).status().code() == Code::kCorruption);
  std::string missing = a_record;
  missing.back() = static_cast<char>(missing.back() + 7);  // a seq this version never wrote
  CHECK(tree.FlatValue(B("a"), AsBytes(missing)).status().code() == Code::kCorruption);
  // The leaf is read for its key and value only, in either stored form; an internal node is not
  // a leaf.
  for (const Bytes& leaf : {EncodeLeaf(B("a"), big), EncodeLeafWithHashes(B("a"), big)}) {
    Bytes k, v;
    REQUIRE(DecodeLeafKeyValue(leaf, &k, &v).ok());
    CHECK(k == B("a"));
    CHECK(v == big);
  }
  Bytes k, v;
  CHECK(DecodeLeafKeyValue(EncodeInternal(NodeRef{}, NodeRef{}), &k, &v).code() ==
        Code::kCorruption);
  Bytes cut = EncodeLeaf(B("a"), big);
  cut.pop_back();
  CHECK(DecodeLeafKeyValue(cut, &k, &v).code() == Code::kCorruption);
}

// A store written before flat records: raw values in S, no format record.
MemoryKvStore::Map RawFlatStore(const MemoryKvStore& kv, const Model& model) {
  MemoryKvStore::Map out;
  for (const auto& [k, v] : kv.Contents()) {
    if (k[0] == keys::kStateValue) continue;
    if (k == keys::Meta(keys::kFlatFormatName)) continue;
    out[k] = v;
  }
  for (const auto& [k, v] : model) out[keys::StateValue(k)] = ToString(v);
  return out;
}

TEST_CASE("flat records: a store written before them is rewritten once, resumably") {
  std::mt19937_64 rng(7);
  MemoryKvStore fresh;
  Model model;
  for (uint64_t h = 0; h < 6; ++h) {
    std::vector<StateChange> changes;
    for (int i = 0; i < 40; ++i) {
      Bytes key = B("k" + std::to_string(h * 40 + i));
      Bytes value = SizedValue(rng, rng() % 120);
      model[key] = value;
      changes.push_back({key, value});
    }
    Commit(fresh, h, changes);
  }
  MemoryKvStore::Map raw = RawFlatStore(fresh, model);
  SECTION("in one go") {
    MemoryKvStore kv(raw);
    Result<uint64_t> n = StateTree::UpgradeFlatIndex(kv);
    REQUIRE(n.ok());
    CHECK(*n == model.size());
    // Marked: a second open rewrites nothing (no value is wrapped twice).
    CHECK(StateTree::UpgradeFlatIndex(kv).value() == 0);
    StateTree tree(kv);
    for (const auto& [k, v] : model) REQUIRE(tree.Get(k).value() == std::optional<Bytes>(v));
    // New versions on top write flat records as usual.
    model[B("k0")] = Bytes(200, 'n');
    CHECK(Commit(kv, 6, {{B("k0"), Bytes(200, 'n')}}) == NaiveRoot(model));
    CHECK(tree.Get(B("k0")).value() == std::optional<Bytes>(Bytes(200, 'n')));
    CHECK(FlatRecord(kv.Contents(), B("k0"))->size() == 13);
  }
  SECTION("interrupted after each batch, then resumed") {
    // A fault-free model of a crash: the store keeps what each batch wrote (its progress record
    // included) and the next open goes on from there.
    // Each open gets one batch of 37 records done, then crashes in the next: it resumes from
    // the progress record, and no value is wrapped twice.
    FaultInjectingKvStore faulty;
    WriteBatch all;
    for (const auto& [k, v] : raw) all.Put(AsBytes(k), AsBytes(v));
    REQUIRE(faulty.Write(all, true).ok());
    int opens = 0;
    for (;; ++opens) {
      REQUIRE(opens < 100);
      faulty.CrashAtWrite(2);
      Result<uint64_t> n = StateTree::UpgradeFlatIndex(faulty, 37);
      if (n.ok()) break;
      REQUIRE(n.status().code() == Code::kIoError);
      faulty.Restart();
    }
    CHECK(opens == static_cast<int>(model.size() / 37));
    StateTree tree(faulty);
    for (const auto& [k, v] : model) REQUIRE(tree.Get(k).value() == std::optional<Bytes>(v));
    CHECK(StateTree::UpgradeFlatIndex(faulty).value() == 0);
  }
  SECTION("a new store is marked by version 0, never rewritten") {
    CHECK(StateTree::UpgradeFlatIndex(fresh).value() == 0);
    MemoryKvStore empty;
    CHECK(StateTree::UpgradeFlatIndex(empty).value() == 0);
    CHECK(empty.Size() == 0);
  }
}

}  // namespace
}  // namespace tidemark::node
