#include "tidemark/node/app/verify_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <unordered_set>

#include "tidemark/hash.h"
#include "tidemark/node/app/executor.h"
#include "tidemark/node/chain/chain_store.h"
#include "tidemark/node/state/smt_node.h"
#include "tidemark/node/state/state_tree.h"
#include "tidemark/node/storage/key_layout.h"
#include "tidemark/node/storage/leveldb_kv_store.h"
#include "tidemark/proof_bundle.h"
#include "tidemark/state_keys/provenance.h"
#include "tidemark/state_proof.h"
#include "tidemark/types.h"

namespace tidemark::node {
namespace {

namespace fs = std::filesystem;

std::string Short(const Hash256& h) { return h.Hex().substr(0, 16); }

class Verifier {
 public:
  explicit Verifier(const KvReader& kv) : kv_(kv), tree_(kv) {}

  VerifyReport Run() {
    std::optional<Hash256> tip_id;
    auto tip_raw = Read("tip record", "Mtip", keys::Meta(keys::kTipName), "no tip record");
    if (tip_raw && tip_raw->size() == 40) {
      report_.tip = keys::ReadU64(tip_raw->data());
      tip_id.emplace();
      std::copy(tip_raw->begin() + 8, tip_raw->end(), tip_id->begin());
    } else {
      if (tip_raw) {
        Problem("tip record", "Mtip", "has " + std::to_string(tip_raw->size()) + " bytes");
      }
      // Go on to the highest stored block, so that one damaged record does not hide the rest.
      std::optional<uint64_t> highest = HighestBlock();
      if (!highest) return std::move(report_);
      report_.tip = *highest;
    }
    CheckBlocks(tip_id);
    CheckStateVersions();
    CheckFlatIndex();
    return std::move(report_);
  }

 private:
  void Problem(std::string where, std::string key, std::string what) {
    report_.problems.push_back({std::move(where), std::move(key), std::move(what)});
  }

  // A read that fails (I/O error, LevelDB checksum) is itself a problem at `where`; so is an
  // absent key when `if_missing` says what is missing.
  std::optional<Bytes> Read(const std::string& where, const std::string& key_name,
                            const std::string& key, const char* if_missing = nullptr) {
    auto r = kv_.Get(AsBytes(key));
    if (!r.ok()) {
      Problem(where, key_name, "cannot read: " + r.status().ToString());
      return std::nullopt;
    }
    if (!r->has_value() && if_missing) Problem(where, key_name, if_missing);
    return std::move(*r);
  }

  // The validator set in state version `version`, if that version is retained and readable.
  std::optional<ValidatorSet> ValidatorsAt(uint64_t version) {
    if (!tree_.HasVersion(version)) return std::nullopt;
    auto raw = tree_.GetAt(version, AsBytes(kValidatorSetStateKey));
    if (!raw.ok() || !raw->has_value()) {
      Problem("state version " + std::to_string(version), "",
              "no readable validator set: " +
                  (raw.ok() ? std::string("absent") : raw.status().ToString()));
      return std::nullopt;
    }
    auto set = ValidatorSet::Decode(**raw);
    if (!set.ok()) {
      Problem("state version " + std::to_string(version), "",
              "validator set does not decode: " + set.status().ToString());
      return std::nullopt;
    }
    return std::move(*set);
  }

  // The execution record of height h; its problems are reported when `report` (once per height).
  std::optional<ExecInfo> ExecRecord(uint64_t h, bool report) {
    std::string where = "height " + std::to_string(h);
    std::string name = "E|" + std::to_string(h);
    std::optional<Bytes> raw;
    if (report) {
      raw = Read(where, name, keys::ExecResult(h), "execution record missing");
    } else if (auto r = kv_.Get(AsBytes(keys::ExecResult(h))); r.ok()) {
      raw = std::move(*r);
    }
    if (!raw) return std::nullopt;
    if (raw->size() != 64 && raw->size() != 32) {
      if (report) {
        Problem(where, name, "execution record has " + std::to_string(raw->size()) + " bytes");
      }
      return std::nullopt;
    }
    ExecInfo e{.height = h};
    std::copy(raw->begin(), raw->begin() + 32, e.receipts_root.begin());
    if (raw->size() == 64) {
      std::copy(raw->begin() + 32, raw->end(), e.state_root.begin());
    } else {
      auto root = tree_.Root(h);  // an old record: the root is only in the tree
      if (!root.ok()) return std::nullopt;
      e.state_root = *root;
    }
    return e;
  }

  // Heights are contiguous from 0: the highest stored one by galloping and bisecting over
  // B | h. A read that fails counts as present (that height is then reported as unreadable).
  std::optional<uint64_t> HighestBlock() {
    auto present = [&](uint64_t h) {
      auto r = kv_.Get(AsBytes(keys::BlockByHeight(h)));
      return !r.ok() || r->has_value();
    };
    if (!present(0)) {
      Problem("blocks", "B|0", "no genesis block: nothing to verify");
      return std::nullopt;
    }
    uint64_t lo = 0, hi = 1;  // present(lo), and hi is the first absent one found
    while (present(hi)) {
      lo = hi;
      hi *= 2;
    }
    while (hi - lo > 1) {
      uint64_t mid = lo + (hi - lo) / 2;
      (present(mid) ? lo : hi) = mid;
    }
    Problem("tip record", "Mtip", "checking up to the highest stored block, " + std::to_string(lo));
    return lo;
  }

  void CheckBlocks(const std::optional<Hash256>& tip_id) {
    std::optional<ValidatorSet> vs = ValidatorsAt(0);
    if (!vs)
      Problem("state version 0", "R|0",
              "genesis validator set unavailable: "
              "certificates cannot be checked");
    std::optional<Hash256> prev_id;
    for (uint64_t h = 0; h <= report_.tip; ++h) {
      ++report_.blocks;
      const std::string where = "height " + std::to_string(h);
      const std::string bkey = "B|" + std::to_string(h);
      std::optional<ExecInfo> exec = ExecRecord(h, /*report=*/true);
      auto raw = Read(where, bkey, keys::BlockByHeight(h), "block missing");
      if (!raw) {
        prev_id.reset();
        continue;
      }
      auto block = Block::Decode(*raw);
      if (!block.ok()) {
        Problem(where, bkey, "block does not decode: " + block.status().ToString());
        prev_id.reset();
        continue;
      }
      const Block& b = *block;
      const Hash256 id = b.Id();
      if (b.header.height != h) {
        Problem(where, bkey, "block says height " + std::to_string(b.header.height));
      }
      if (Status s = b.CheckInternal(); !s.ok()) Problem(where, bkey, s.ToString());
      if (h > 0 && prev_id && b.header.parent != *prev_id) {
        Problem(where, bkey,
                "parent " + Short(b.header.parent) + " is not block " + std::to_string(h - 1) +
                    " (" + Short(*prev_id) + ")");
      }
      if (h == report_.tip && tip_id && id != *tip_id) {
        Problem(where, "Mtip",
                "tip record names " + Short(*tip_id) + ", the block is " + Short(id));
      }
      const std::string ikey = "I|" + Short(id);
      if (auto idx = Read(where, ikey, keys::BlockById(id),
                          "no id index for this block (its bytes changed, or the index is lost)")) {
        if (idx->size() != 8 || keys::ReadU64(idx->data()) != h) {
          Problem(where, ikey, "id index does not point at this height");
        }
      }
      CheckCert(h, b, id, vs);
      CheckReceipts(h, b, exec);
      if (h > 0) CheckHeaderRoots(h, b.header);
      prev_id = id;
      // The set that certifies the next block: the one in the state this block certifies
      // (epoch boundaries are pinned versions, so a change is never in a pruned version).
      if (b.header.exec_height != last_set_version_) {
        last_set_version_ = b.header.exec_height;
        if (auto next = ValidatorsAt(b.header.exec_height);
            next && (!vs || next->epoch > vs->epoch))
          vs = std::move(next);
      }
    }
  }

  // The roots a header certifies are the ones recorded when its exec_height was executed.
  void CheckHeaderRoots(uint64_t h, const BlockHeader& header) {
    auto e = ExecRecord(header.exec_height, /*report=*/false);
    if (!e) return;  // reported at its own height
    const std::string where = "height " + std::to_string(h);
    if (header.state_root != e->state_root) {
      Problem(where, "B|" + std::to_string(h),
              "header's state root " + Short(header.state_root) + " differs from the root " +
                  Short(e->state_root) + " recorded for height " +
                  std::to_string(header.exec_height));
    }
    if (header.receipts_root != e->receipts_root) {
      Problem(where, "B|" + std::to_string(h),
              "header's receipts root differs from the one recorded for height " +
                  std::to_string(header.exec_height));
    }
  }

  void CheckCert(uint64_t h, const Block& b, const Hash256& id,
                 const std::optional<ValidatorSet>& vs) {
    const std::string where = "height " + std::to_string(h);
    const std::string ckey = "C|" + std::to_string(h);
    auto raw = Read(where, ckey, keys::Cert(h), "certificate missing");
    if (!raw) return;
    auto cert = QuorumCert::Decode(*raw);
    if (!cert.ok()) {
      Problem(where, ckey, "certificate does not decode: " + cert.status().ToString());
      return;
    }
    if (h == 0) return;  // genesis has no certificate of its own
    if (cert->data.commit_id != id || cert->data.commit_height != h) {
      Problem(where, ckey,
              "certificate commits " + Short(cert->data.commit_id) + " at height " +
                  std::to_string(cert->data.commit_height) + ", not this block " + Short(id));
      return;
    }
    if (!vs) return;
    if (Status s = cert->Verify(*vs, b.header.chain_id); !s.ok()) {
      Problem(where, ckey,
              "certificate does not verify against the validator set of epoch " +
                  std::to_string(vs->epoch) + ": " + s.ToString());
      return;
    }
    ++report_.certificates;
  }

  void CheckReceipts(uint64_t h, const Block& b, const std::optional<ExecInfo>& exec) {
    const std::string where = "height " + std::to_string(h);
    std::vector<Receipt> receipts;
    bool complete = true;  // every receipt of the block is stored under its tx id
    for (uint32_t i = 0; i < b.txs.size(); ++i) {
      const Hash256 tx = b.txs[i].Id();
      const std::string tkey = "T|" + Short(tx);
      auto loc = Read(where, tkey, keys::TxLocation(tx), "tx location missing");
      if (!loc || loc->size() != 12) {
        if (loc) Problem(where, tkey, "tx location malformed");
        complete = false;
        continue;
      }
      if (keys::ReadU64(loc->data()) != h || keys::ReadU32(loc->data() + 8) != i) {
        complete = false;  // a repeated tx id keeps its first location and receipt
        continue;
      }
      const std::string xkey = "X|" + Short(tx);
      auto raw = Read(where, xkey, keys::Receipt(tx), "receipt missing");
      if (!raw) {
        complete = false;
        continue;
      }
      auto r = Receipt::Decode(*raw);
      if (!r.ok()) {
        Problem(where, xkey, "receipt does not decode: " + r.status().ToString());
        complete = false;
        continue;
      }
      if (r->tx_id != tx || r->height != h || r->index != i) {
        Problem(where, xkey, "receipt is for another tx or place");
        complete = false;
        continue;
      }
      receipts.push_back(std::move(*r));
    }
    if (complete && exec && ReceiptsRoot(receipts) != exec->receipts_root) {
      Problem(where, "E|" + std::to_string(h),
              "receipts hash to " + Short(ReceiptsRoot(receipts)) + ", the execution record says " +
                  Short(exec->receipts_root));
    }
  }

  // Walks a version's tree from its root, re-hashing every node not seen before.
  void CheckStateVersions() {
    std::optional<Bytes> after;
    const std::string prefix(1, keys::kStateRoot);
    while (true) {
      auto page = kv_.Scan({.prefix = AsBytes(prefix), .start_after = after, .limit = 256});
      if (!page.ok()) {
        Problem("state roots", "R", "cannot scan: " + page.status().ToString());
        return;
      }
      for (const KvPair& kv : *page) {
        if (kv.key.size() != 9) {
          Problem("state roots", "R|" + ToHex(kv.key), "malformed key");
          continue;
        }
        const uint64_t v = keys::ReadU64(kv.key.data() + 1);
        const std::string where = "state version " + std::to_string(v);
        auto ref = DecodeRefBytes(kv.value);
        if (!ref.ok()) {
          Problem(where, "R|" + std::to_string(v), "root reference: " + ref.status().ToString());
          continue;
        }
        ++report_.versions;
        bool ok = Walk(where, *ref, v == report_.tip ? &tip_leaves_ : nullptr);
        if (v > report_.tip) {
          Problem(where, "R|" + std::to_string(v), "a state version above the tip");
        } else if (auto exec = ExecRecord(v, /*report=*/false); !exec) {
          // its missing record is reported at its height
        } else if (exec->state_root != ref->hash) {
          Problem(where, "R|" + std::to_string(v),
                  "root " + Short(ref->hash) + " differs from the execution record's " +
                      Short(exec->state_root));
        }
        if (v == report_.tip) tip_walked_ = ok;
      }
      if (page->size() < 256) return;
      after = page->back().key;
    }
  }

  // Returns false if any node under `ref` is missing or damaged.
  // With `leaves` (the tip version), every node is visited and the leaves are counted.
  bool Walk(const std::string& where, const NodeRef& root, uint64_t* leaves) {
    bool ok = true;
    std::vector<NodeRef> stack{root};
    while (!stack.empty()) {
      NodeRef ref = stack.back();
      stack.pop_back();
      if (ref.empty()) continue;
      std::string key = NodeKey(ref);
      if (!leaves && good_.count(key)) continue;
      if (bad_.count(key)) {
        ok = false;
        continue;
      }
      const std::string name =
          "N|" + std::to_string(ref.version) + "|" + ref.hash.Hex().substr(0, 16);
      auto raw = Read(where, name, key, "state node missing");
      if (!raw) {
        bad_.insert(key);
        ok = false;
        continue;
      }
      auto node = DecodeNode(*raw);
      if (!node.ok()) {
        Problem(where, name, "state node does not decode: " + node.status().ToString());
        bad_.insert(key);
        ok = false;
        continue;
      }
      Hash256 h;
      if (node->kind == NodeKind::kLeaf) {
        // A leaf holds its hashes (older stores) or its parent's reference does (its summary).
        const bool summary_differs = ref.has_summary && (ref.key_hash != node->key_hash ||
                                                         ref.value_hash != node->value_hash);
        if (SmtKeyHash(node->key) != node->key_hash || Sha256(node->value) != node->value_hash ||
            summary_differs) {
          Problem(where, name, "leaf's key or value does not match its hashes");
          bad_.insert(key);
          ok = false;
          continue;
        }
        h = SmtLeafHash(node->key_hash, node->value_hash);
        if (leaves) ++*leaves;
      } else {
        h = SmtNodeHash(node->left.hash, node->right.hash);
      }
      if (node->kind != ref.kind || h != ref.hash) {
        Problem(where, name,
                "state node re-hashes to " + Short(h) + ", its parent expects " + Short(ref.hash));
        bad_.insert(key);
        ok = false;
        continue;
      }
      if (good_.insert(key).second) ++report_.nodes;
      if (node->kind == NodeKind::kInternal) {
        stack.push_back(node->left);
        stack.push_back(node->right);
      }
    }
    return ok;
  }

  // The flat index (S) must hold exactly the latest version's leaves, plus the index keys that
  // the tree does not hold (state_keys::prov::IsIndexKey): each other entry is looked up in the
  // tree (no copy of the state in memory), and the counts must match.
  void CheckFlatIndex() {
    if (!tip_walked_) return;  // no complete latest version to compare with (reported)
    std::optional<Bytes> after;
    const std::string prefix(1, keys::kStateValue);
    uint64_t matched = 0;
    while (true) {
      auto page = kv_.Scan({.prefix = AsBytes(prefix), .start_after = after, .limit = 1024});
      if (!page.ok()) {
        Problem("flat index", "S", "cannot scan: " + page.status().ToString());
        return;
      }
      for (const KvPair& kv : *page) {
        ByteView k = ByteView(kv.key).subspan(1);
        ++report_.flat_entries;
        const std::string name = "S|" + ToHex(k).substr(0, 48);
        // The record's value: inline, or read from the leaf it names (which must be k's).
        auto value = tree_.FlatValue(k, kv.value);
        if (!value.ok()) {
          Problem("flat index", name, value.status().ToString());
          if (!state_keys::prov::IsIndexKey(ToString(k))) ++matched;  // reported once
          continue;
        }
        if (state_keys::prov::IsIndexKey(ToString(k))) {
          ++report_.index_entries;
          continue;
        }
        auto in_tree = tree_.GetAt(report_.tip, k);
        if (!in_tree.ok()) {
          Problem("flat index", name, "cannot look up in the tree: " + in_tree.status().ToString());
        } else if (!in_tree->has_value()) {
          Problem("flat index", name,
                  "key absent from state version " + std::to_string(report_.tip));
        } else if (**in_tree != *value) {
          Problem("flat index", name,
                  "value differs from state version " + std::to_string(report_.tip));
          ++matched;
        } else {
          ++matched;
        }
      }
      if (page->size() < 1024) break;
      after = page->back().key;
    }
    if (matched != tip_leaves_) {
      Problem("flat index", "S",
              std::to_string(tip_leaves_ - std::min(matched, tip_leaves_)) +
                  " keys of state version " + std::to_string(report_.tip) +
                  " are missing from the flat index");
    }
  }

  const KvReader& kv_;
  StateTree tree_;
  VerifyReport report_;
  uint64_t last_set_version_ = 0;
  std::unordered_set<std::string> good_, bad_;
  uint64_t tip_leaves_ = 0;
  bool tip_walked_ = false;
};

// The LevelDB folder under DIR: DIR itself when it holds CURRENT, else DIR/ledger.
std::optional<fs::path> LedgerDir(const fs::path& dir) {
  if (fs::exists(dir / "CURRENT")) return dir;
  if (fs::exists(dir / "ledger" / "CURRENT")) return dir / "ledger";
  return std::nullopt;
}

// Copies the store to `to` under LevelDB's own lock (table files are immutable: hard links).
Status CopyStore(const fs::path& from, const fs::path& to) {
  // No LOCK file: no LevelDB has the folder open (it creates one when it opens).
  int fd = ::open((from / "LOCK").c_str(), O_RDWR);
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (fd >= 0 && ::fcntl(fd, F_SETLK, &lock) != 0) {
    ::close(fd);
    return Status::FailedPrecondition(from.string() +
                                      " is locked: is the node running? stop it first");
  }
  std::error_code ec;
  Status s;
  fs::remove_all(to, ec);
  fs::create_directories(to, ec);
  if (ec) {
    if (fd >= 0) ::close(fd);
    return Status::IoError(to.string() + ": " + ec.message());
  }
  for (const auto& entry : fs::directory_iterator(from, ec)) {
    const fs::path name = entry.path().filename();
    if (name == "LOCK" || !entry.is_regular_file()) continue;
    std::error_code lec;
    const std::string ext = name.extension().string();
    bool linked = false;
    if (ext == ".ldb" || ext == ".sst") {
      fs::create_hard_link(entry.path(), to / name, lec);
      linked = !lec;
    }
    if (!linked) {
      fs::copy_file(entry.path(), to / name, fs::copy_options::overwrite_existing, lec);
      if (lec) {
        s = Status::IoError("copying " + entry.path().string() + ": " + lec.message());
        break;
      }
    }
  }
  if (ec && s.ok()) s = Status::IoError(from.string() + ": " + ec.message());
  if (fd >= 0) ::close(fd);  // releases the lock
  return s;
}

std::string Unprivate(std::string msg, const std::string& copy, const std::string& original) {
  for (size_t p; (p = msg.find(copy)) != std::string::npos;) msg.replace(p, copy.size(), original);
  return msg;
}

}  // namespace

VerifyReport VerifyChain(const KvReader& kv) { return Verifier(kv).Run(); }

int RunVerify(const std::string& dir_arg, std::ostream& out, std::ostream& err) {
  auto dir = LedgerDir(dir_arg);
  if (!dir) {
    err << "verify: " << dir_arg << " holds no store (neither CURRENT nor ledger/CURRENT)\n";
    return 2;
  }
  // The copy goes beside the store (same file system: table files are hard-linked, so it costs
  // little space), else under the temp folder (a full copy).
  const std::string copy_name = ".tidemark-verify-" + std::to_string(::getpid());
  fs::path copy = dir->parent_path() / copy_name;
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{copy};
  Status copied = CopyStore(*dir, copy);
  if (!copied.ok() && copied.code() != Code::kFailedPrecondition) {
    std::error_code ec;
    fs::remove_all(copy, ec);
    copy = cleanup.p = fs::temp_directory_path() / copy_name;
    copied = CopyStore(*dir, copy);
  }
  if (!copied.ok()) {
    err << "verify: cannot copy the store: " << copied.ToString() << "\n";
    return 2;
  }
  auto store = LevelDbKvStore::Open(copy.string(), {.create_if_missing = false});
  if (!store.ok()) {
    err << "verify: cannot open " << dir->string() << ": "
        << Unprivate(store.status().ToString(), copy.string(), dir->string()) << "\n";
    return 2;
  }
  std::vector<VerifyProblem> file_problems;
  if (Status s = (*store)->CheckFiles(); !s.ok()) {
    file_problems.push_back({"leveldb", "", Unprivate(s.ToString(), copy.string(), dir->string())});
  }
  if (Status s = (*store)->CheckSyncMark(); !s.ok()) {
    file_problems.push_back(
        {"leveldb", kSyncMarkFile, Unprivate(s.ToString(), copy.string(), dir->string())});
  }
  // A store written before flat records is read as the node reads it: its copy is rewritten
  // (StateTree::UpgradeFlatIndex), as ChainStore::Open would rewrite the store itself.
  if (auto up = StateTree::UpgradeFlatIndex(**store); !up.ok()) {
    file_problems.push_back(
        {"flat index", "S", "cannot rewrite the older raw values: " + up.status().ToString()});
  }
  VerifyReport r = VerifyChain(**store);
  r.problems.insert(r.problems.begin(), file_problems.begin(), file_problems.end());
  for (const VerifyProblem& p : r.problems) {
    out << "PROBLEM " << p.where;
    if (!p.key.empty()) out << " [" << p.key << "]";
    out << ": " << Unprivate(p.what, copy.string(), dir->string()) << "\n";
  }
  out << "verify " << dir->string() << ": tip " << r.tip << ", " << r.blocks << " blocks, "
      << r.certificates << " certificates verified, " << r.versions << " state versions ("
      << r.nodes << " nodes re-hashed), " << r.flat_entries << " flat-index entries ("
      << r.index_entries << " of them index keys, not in the tree): " << r.problems.size()
      << (r.problems.size() == 1 ? " problem" : " problems") << "\n";
  return r.problems.empty() ? 0 : 1;
}

}  // namespace tidemark::node
