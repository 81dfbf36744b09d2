// `tidemark-node verify` (node/app/verify_store.h) and the storage fault checks under it: a sound
// chain passes; a flipped byte in a block, a certificate, a state node or a LevelDB table file is
// found and located; a failed write ends the process with exit code 3 (fatal.h).
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "chain_fixture.h"
#include "tidemark/contracts/testing/test_contract.h"
#include "tidemark/hash.h"
#include "tidemark/node/app/fatal.h"
#include "tidemark/node/app/ledger.h"
#include "tidemark/node/app/verify_store.h"
#include "tidemark/node/state/smt_node.h"
#include "tidemark/node/state/state_tree.h"
#include "tidemark/node/storage/fault_injecting_kv_store.h"
#include "tidemark/node/storage/key_layout.h"
#include "tidemark/node/storage/leveldb_kv_store.h"
#include "tidemark/state_keys/provenance.h"
#include "tidemark/value.h"

using namespace tidemark;
using namespace tidemark::node;
namespace fs = std::filesystem;

namespace {
using fixture::Key;
using fixture::TestPuts;

constexpr const char* kChain = "verify-test";

contracts::Genesis TestGenesis() { return fixture::OneOrgGenesis(kChain); }

QuorumCert Signed(VoteData data) {
  QuorumCert qc;
  qc.data = data;
  qc.signatures.push_back({0, Key("node").Sign(SigKind::kVote, kChain, data.Encode())});
  return qc;
}

// The block after the tip as consensus makes it: a signed QC for its parent, the roots of the
// last written state, `n` test puts; and its signed commit certificate.
std::pair<Block, QuorumCert> NextBlock(Ledger& l, int n, bool index_key = false) {
  auto tip = l.TipBlock();
  REQUIRE(tip.ok());
  Block b;
  b.header = tip->header;
  b.header.height = tip->header.height + 1;
  b.header.round = tip->header.round + 1;
  b.header.parent = tip->Id();
  b.header.timestamp_ms += 1000;
  b.justify = Signed(VoteData{
      .epoch = 0, .round = tip->header.round, .height = tip->header.height, .block_id = tip->Id()});
  b.header.justify_hash = b.justify.Hash();
  b.header.exec_height = tip->header.height;
  auto exec = l.ExecAt(b.header.exec_height);
  REQUIRE(exec.ok());
  b.header.state_root = exec->state_root;
  b.header.receipts_root = exec->receipts_root;
  KeyPair admin = Key("admin");
  uint64_t nonce = *l.NextNonce(admin.public_key());
  b.txs = TestPuts(admin, kChain, nonce, n, b.header.height);
  if (index_key) {
    Transaction tx{
        .chain_id = kChain,
        .nonce = nonce + n,
        .contract = "test",
        .method = "index",
        .args = Value::MakeMap({{"key", "ix" + std::to_string(b.header.height)}}).Encode()};
    tx.SignWith(admin);
    b.txs.push_back(std::move(tx));
  }
  b.header.tx_root = TxRoot(b.txs);
  b.header.tx_count = static_cast<uint32_t>(b.txs.size());
  QuorumCert cert = Signed(VoteData{.epoch = 0,
                                    .round = b.header.round + 1,
                                    .height = b.header.height + 1,
                                    .block_id = Sha256(AsBytes("child of " + b.Id().Hex())),
                                    .commit_height = b.header.height,
                                    .commit_id = b.Id()});
  return {b, cert};
}

// A LevelDB store in a fresh folder with genesis and `blocks` blocks of 3 puts each.
// With `index_keys`, each block also writes one index key (test contract "index").
fs::path BuildChain(const std::string& name, int blocks, bool index_keys = false) {
  fs::path dir = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto kv = LevelDbKvStore::Open(dir.string(), {});
  REQUIRE(kv.ok());
  auto ledger = Ledger::Open(std::move(*kv), TestGenesis(), contracts::TestContracts());
  REQUIRE(ledger.ok());
  for (int i = 0; i < blocks; ++i) {
    auto [b, cert] = NextBlock(**ledger, 3, index_keys);
    auto r = (*ledger)->Commit(b, cert, std::nullopt);
    REQUIRE(r.ok());
  }
  return dir;
}

std::pair<int, std::string> Verify(const fs::path& dir) {
  std::ostringstream out, err;
  int rc = RunVerify(dir.string(), out, err);
  return {rc, out.str() + err.str()};
}

// Flips one bit of the stored value of `key` (at byte `at`, from the end if negative); returns
// the original value.
Bytes Flip(const fs::path& dir, const std::string& key, long at) {
  auto kv = LevelDbKvStore::Open(dir.string(), {});
  REQUIRE(kv.ok());
  auto v = (*kv)->Get(AsBytes(key));
  REQUIRE(v.ok());
  REQUIRE(v->has_value());
  Bytes original = **v, damaged = original;
  size_t i = at >= 0 ? static_cast<size_t>(at) : damaged.size() - static_cast<size_t>(-at);
  REQUIRE(i < damaged.size());
  damaged[i] ^= 0x04;
  WriteBatch b;
  b.Put(AsBytes(key), damaged);
  REQUIRE((*kv)->Write(b, true).ok());
  return original;
}

void Put(const fs::path& dir, const std::string& key, const Bytes& value) {
  auto kv = LevelDbKvStore::Open(dir.string(), {});
  REQUIRE(kv.ok());
  WriteBatch b;
  b.Put(AsBytes(key), value);
  REQUIRE((*kv)->Write(b, true).ok());
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE(
    "verify: a sound chain passes, flipped bytes in a block, a certificate and a state "
    "node are found where they are") {
  fs::path dir = BuildChain("tidemark-verify", 8);
  {
    auto [rc, out] = Verify(dir);
    INFO(out);
    CHECK(rc == 0);
    CHECK(Has(out, "tip 8, 9 blocks, 8 certificates verified, 9 state versions"));
    CHECK(Has(out, ": 0 problems"));
  }
  SECTION("a block") {
    Bytes original = Flip(dir, keys::BlockByHeight(4), 100);
    auto [rc, out] = Verify(dir);
    INFO(out);
    CHECK(rc == 1);
    CHECK(Has(out, "PROBLEM height 4 [B|4]"));
    CHECK(!Has(out, "PROBLEM height 3"));
    Put(dir, keys::BlockByHeight(4), original);
    CHECK(Verify(dir).first == 0);  // it was that byte
  }
  SECTION("a certificate's signature") {
    Flip(dir, keys::Cert(6), -5);
    auto [rc, out] = Verify(dir);
    INFO(out);
    CHECK(rc == 1);
    CHECK(Has(out, "PROBLEM height 6 [C|6]: certificate does not verify"));
  }
  SECTION("a state node") {
    // The root node of version 5 (an internal node: 3 keys + the genesis state).
    Hash256 root_hash;
    std::string root_key;
    {
      auto kv = LevelDbKvStore::Open(dir.string(), {});
      REQUIRE(kv.ok());
      auto root = (*kv)->Get(AsBytes(keys::StateRoot(5)));
      REQUIRE(root.ok());
      REQUIRE(root->has_value());
      auto ref = DecodeRefBytes(**root);
      REQUIRE(ref.ok());
      REQUIRE(ref->version == 5);
      REQUIRE(ref->kind == NodeKind::kInternal);
      root_hash = ref->hash;
      root_key = NodeKey(*ref);
    }
    Flip(dir, root_key, -3);  // inside the right child's hash
    auto [rc, out] = Verify(dir);
    INFO(out);
    CHECK(rc == 1);
    CHECK(Has(out, "PROBLEM state version 5 [N|5|" + root_hash.Hex().substr(0, 16) +
                       "]: state node re-hashes to"));
  }
  // The first flat record held inline (0x00 | value) or by reference to its leaf (0x01 | ...).
  auto first_flat = [&](uint8_t tag) {
    auto kv = LevelDbKvStore::Open(dir.string(), {});
    REQUIRE(kv.ok());
    auto flat = (*kv)->Scan({.prefix = AsBytes(std::string("S")), .limit = 100});
    REQUIRE(flat.ok());
    for (const KvPair& p : *flat) {
      if (p.value.size() > 1 && p.value[0] == tag) return std::string(p.key.begin(), p.key.end());
    }
    FAIL("no flat record of that kind");
    return std::string();
  };
  SECTION("a flat-index value") {
    const std::string flat_key = first_flat(0x00);
    Flip(dir, flat_key, -1);
    auto [rc, out] = Verify(dir);
    INFO(out);
    CHECK(rc == 1);
    CHECK(Has(out, "PROBLEM flat index [S|" + ToHex(AsBytes(flat_key.substr(1))).substr(0, 48) +
                       "]: value differs from state version 8"));
  }
  SECTION("a flat-index record that names another node, or cannot be read") {
    const std::string flat_key = first_flat(0x01);  // the validator set: a large value
    const std::string where = "PROBLEM flat index [S|" +
                              ToHex(AsBytes(flat_key.substr(1))).substr(0, 48) + "]: CORRUPTION: ";
    SECTION("its seq") {
      Flip(dir, flat_key, -1);
      auto [rc, out] = Verify(dir);
      INFO(out);
      CHECK(rc == 1);
      CHECK((Has(out, where + "flat-index record names another key's leaf") ||
             Has(out, where + "flat-index record names a state node that is not stored")));
    }
    SECTION("its kind") {
      Flip(dir, flat_key, 0);
      auto [rc, out] = Verify(dir);
      INFO(out);
      CHECK(rc == 1);
      CHECK(Has(out, where + "bad flat-index record"));
    }
  }
  SECTION("a leaf's value") {
    // Any leaf of the latest version: its value no longer matches its hash.
    auto kv = LevelDbKvStore::Open(dir.string(), {});
    REQUIRE(kv.ok());
    auto nodes = (*kv)->Scan(
        {.prefix = AsBytes(std::string("N") + std::string(7, '\0') + "\x08"), .limit = 100});
    REQUIRE(nodes.ok());
    std::string leaf_key;
    for (const KvPair& p : *nodes) {
      auto n = DecodeNode(p.value);
      REQUIRE(n.ok());
      if (n->kind == NodeKind::kLeaf) leaf_key = std::string(p.key.begin(), p.key.end());
    }
    REQUIRE(!leaf_key.empty());
    kv->reset();
    Flip(dir, leaf_key, -1);  // the value's last byte
    auto [rc, out] = Verify(dir);
    INFO(out);
    CHECK(rc == 1);
    CHECK(Has(out, "PROBLEM state version 8 [N|8|"));
    CHECK(Has(out, "leaf's key or value does not match its hashes"));
  }
  fs::remove_all(dir);
}

TEST_CASE(
    "verify: a store written before flat records is checked as the node reads it, untouched") {
  fs::path dir = BuildChain("tidemark-verify-older", 6);
  // What an older node wrote: raw values in S, no format record.
  std::map<std::string, Bytes> raw;
  {
    auto ledger_kv = LevelDbKvStore::Open(dir.string(), {});
    REQUIRE(ledger_kv.ok());
    StateTree tree(**ledger_kv);
    auto flat = (*ledger_kv)->Scan({.prefix = AsBytes(std::string("S")), .limit = 1000});
    REQUIRE(flat.ok());
    WriteBatch older;
    older.Delete(AsBytes(keys::Meta(keys::kFlatFormatName)));
    for (const KvPair& p : *flat) {
      Bytes value = tree.FlatValue(ByteView(p.key).subspan(1), p.value).value();
      raw[std::string(p.key.begin(), p.key.end())] = value;
      older.Put(p.key, value);
    }
    REQUIRE((*ledger_kv)->Write(older, true).ok());
  }
  auto [rc, out] = Verify(dir);
  INFO(out);
  CHECK(rc == 0);
  CHECK(Has(out, ": 0 problems"));
  // Only the copy was rewritten.
  auto kv = LevelDbKvStore::Open(dir.string(), {});
  REQUIRE(kv.ok());
  CHECK(!(*kv)->Get(AsBytes(keys::Meta(keys::kFlatFormatName))).value().has_value());
  for (const auto& [k, v] : raw) CHECK((*kv)->Get(AsBytes(k)).value() == v);
  fs::remove_all(dir);
}

TEST_CASE("verify: index keys sit in the flat index only, are counted apart, and are no problem") {
  fs::path dir = BuildChain("tidemark-verify-ix", 6, /*index_keys=*/true);
  {
    auto kv = LevelDbKvStore::Open(dir.string(), {});
    REQUIRE(kv.ok());
    auto ledger = Ledger::Open(std::move(*kv), TestGenesis(), contracts::TestContracts());
    REQUIRE(ledger.ok());
    const std::string ix = state_keys::prov::Index("test", "ix3", 1);
    auto flat = (*ledger)->store().state().Get(AsBytes(ix));  // served like any key
    REQUIRE(flat.ok());
    CHECK(*flat == Bytes{});
    auto in_tree = (*ledger)->store().state().GetAt(6, AsBytes(ix));  // not in the root
    REQUIRE(in_tree.ok());
    CHECK(!in_tree->has_value());
  }
  auto [rc, out] = Verify(dir);
  INFO(out);
  CHECK(rc == 0);
  CHECK(Has(out, "(6 of them index keys, not in the tree): 0 problems"));
  fs::remove_all(dir);
}

TEST_CASE("verify and the start-up check: a damaged or truncated table file is named") {
  fs::path dir = BuildChain("tidemark-verify-ldb", 6);
  { REQUIRE(LevelDbKvStore::Open(dir.string(), {}).ok()); }  // the log becomes a table file
  fs::path table;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".ldb") table = e.path();
  }
  REQUIRE(!table.empty());
  REQUIRE(LevelDbKvStore::Open(dir.string(), {.check_on_open = true}).ok());
  SECTION("a flipped byte") {
    {
      std::fstream f(table, std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(static_cast<std::streamoff>(fs::file_size(table) / 3));
      char c = 0;
      f.read(&c, 1);
      f.seekp(static_cast<std::streamoff>(fs::file_size(table) / 3));
      c = static_cast<char>(c ^ 0x10);
      f.write(&c, 1);
    }
    auto opened = LevelDbKvStore::Open(dir.string(), {.check_on_open = true});
    REQUIRE(!opened.ok());
    CHECK(opened.status().code() == Code::kCorruption);
    CHECK(Has(opened.status().message(), table.string()));
    auto [rc, out] = Verify(dir);
    INFO(out);
    CHECK(rc == 1);
    CHECK(Has(out, "PROBLEM leveldb: CORRUPTION: leveldb table " + table.string()));
  }
  SECTION("a truncated file") {
    fs::resize_file(table, fs::file_size(table) - 100);
    auto opened = LevelDbKvStore::Open(dir.string(), {.check_on_open = true});
    REQUIRE(!opened.ok());
    CHECK(Has(opened.status().message(), table.string()));
    CHECK(Has(opened.status().message(), "truncated"));
  }
  fs::remove_all(dir);
}

TEST_CASE("verify: a folder without a store cannot be opened (exit code 2)") {
  fs::path dir = fs::temp_directory_path() / ("tidemark-verify-none-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto [rc, out] = Verify(dir);
  CHECK(rc == 2);
  CHECK(Has(out, "holds no store"));
  fs::remove_all(dir);
}

TEST_CASE("fatal: a failed write ends the process with exit code 3 and a clear message") {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    auto inner = std::make_unique<FaultInjectingKvStore>();
    inner->FailWriteAt(1);
    std::unique_ptr<KvStore> kv = ExitOnWriteFailure(std::move(inner));
    WriteBatch b;
    b.Put(AsBytes("k"), AsBytes("v"));
    (void)kv->Write(b, true);
    std::_Exit(0);  // not reached when the write failed
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == kExitStorageFault);
}
