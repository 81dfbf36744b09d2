// Tests of StateProof verification (inclusion, both kinds of absence, every tampering) and of
// its strict decoder. Proofs come from a real StateTree over an in-memory store.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tidemark/hash.h"
#include "tidemark/node/state/state_tree.h"
#include "tidemark/node/storage/memory_kv_store.h"

namespace tidemark::node {
namespace {

Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

struct Fixture {
  MemoryKvStore kv;
  Hash256 root;
  Fixture() {
    std::vector<StateChange> changes;
    for (int i = 0; i < 64; ++i) changes.push_back({B("key" + std::to_string(1000 + i)), B("v")});
    changes.insert(changes.begin() + 1, {B("key1000x"), B("value of x")});  // keys ascending
    Result<StateUpdate> up = StateTree(kv).ApplyChanges(0, changes);
    REQUIRE(up.ok());
    REQUIRE(kv.Write(up->writes, true).ok());
    root = up->root;
  }
  StateProof Prove(const Bytes& key) {
    Result<StateProof> p = StateTree(kv).Prove(0, key);
    REQUIRE(p.ok());
    return *p;
  }
  // An absent key whose path ends in an empty subtree (other == false) or at another leaf.
  Bytes AbsentKey(bool other) {
    for (int i = 0;; ++i) {
      Bytes k = B("absent" + std::to_string(i));
      if (Prove(k).other_leaf.has_value() == other) return k;
    }
  }
};

bool Verifies(const Hash256& root, const StateProof& p) {
  return VerifyStateProof(root, p.key, p.value, p).ok();
}

TEST_CASE("inclusion proof verifies, every tampering is rejected") {
  Fixture f;
  StateProof p = f.Prove(B("key1000x"));
  REQUIRE(p.value == B("value of x"));
  REQUIRE(!p.siblings.empty());
  CHECK(Verifies(f.root, p));

  SECTION("value") {
    CHECK(!VerifyStateProof(f.root, p.key, B("value of y"), p).ok());  // caller's value differs
    StateProof t = p;
    t.value = B("value of y");
    CHECK(!Verifies(f.root, t));
    t.value = std::nullopt;  // claim absence with the same path
    CHECK(!Verifies(f.root, t));
  }
  SECTION("every byte of every sibling") {
    for (size_t s = 0; s < p.siblings.size(); ++s) {
      for (size_t b = 0; b < 32; ++b) {
        StateProof t = p;
        t.siblings[s].data[b] ^= 0x01;
        CHECK(!Verifies(f.root, t));
      }
    }
  }
  SECTION("every bit of the bitmap and the depth") {
    for (size_t bit = 0; bit < p.bitmap.size() * 8; ++bit) {
      StateProof t = p;
      t.bitmap[bit / 8] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
      CHECK(!Verifies(f.root, t));
    }
    StateProof deeper = p;
    deeper.depth++;
    deeper.bitmap.resize((deeper.depth + 7) / 8);
    CHECK(!Verifies(f.root, deeper));
    StateProof shallower = p;
    shallower.depth--;
    CHECK(!Verifies(f.root, shallower));
  }
  SECTION("key, and the caller's key") {
    CHECK(!VerifyStateProof(f.root, B("key1001"), p.value, p).ok());
    StateProof t = p;
    t.key = B("key1001");
    CHECK(!Verifies(f.root, t));
  }
  SECTION("root") {
    Hash256 other = f.root;
    other.data[31] ^= 1;
    CHECK(!Verifies(other, p));
    CHECK(!Verifies(kSmtEmptyHash, p));
  }
  SECTION("dropping or adding a sibling") {
    StateProof t = p;
    t.siblings.pop_back();
    CHECK(!Verifies(f.root, t));
    t = p;
    t.siblings.push_back(Sha256(B("x")));
    CHECK(!Verifies(f.root, t));
  }
}

TEST_CASE("absence proof through an empty subtree") {
  Fixture f;
  Bytes key = f.AbsentKey(false);
  StateProof p = f.Prove(key);
  CHECK(!p.value);
  CHECK(!p.other_leaf);
  CHECK(Verifies(f.root, p));
  CHECK(!VerifyStateProof(f.root, key, B("v"), p).ok());  // cannot claim a value
  StateProof t = p;
  t.value = B("v");
  CHECK(!Verifies(f.root, t));
  t = p;
  t.key = B("key1000");  // a present key whose path differs
  CHECK(!Verifies(f.root, t));
  for (size_t s = 0; s < p.siblings.size(); ++s) {
    t = p;
    t.siblings[s].data[0] ^= 0x80;
    CHECK(!Verifies(f.root, t));
  }
}

TEST_CASE("absence proof through another key's leaf") {
  Fixture f;
  Bytes key = f.AbsentKey(true);
  StateProof p = f.Prove(key);
  REQUIRE(p.other_leaf);
  CHECK(Verifies(f.root, p));
  // The occupying leaf belongs to a present key; its inclusion proof has the same path.
  StateProof t = p;
  t.other_leaf->value_hash.data[0] ^= 1;
  CHECK(!Verifies(f.root, t));
  t = p;
  t.other_leaf->key_hash.data[31] ^= 1;
  CHECK(!Verifies(f.root, t));
  t = p;
  t.other_leaf = std::nullopt;  // pretend the subtree is empty
  CHECK(!Verifies(f.root, t));
  // Claiming absence of the present key itself with its own leaf is rejected.
  for (int i = 0; i < 64; ++i) {
    Bytes present = B("key" + std::to_string(1000 + i));
    if (SmtLeafHash(SmtKeyHash(present), Sha256(B("v"))) ==
        SmtLeafHash(p.other_leaf->key_hash, p.other_leaf->value_hash)) {
      t = p;
      t.key = present;
      CHECK(!Verifies(f.root, t));
    }
  }
}

TEST_CASE("an absence proof cannot hide a present key") {
  Fixture f;
  for (int i = 0; i < 64; ++i) {
    Bytes present = B("key" + std::to_string(1000 + i));
    StateProof p = f.Prove(present);
    StateProof t = p;
    t.value = std::nullopt;
    t.other_leaf = SmtLeaf{SmtKeyHash(present), Sha256(B("v"))};
    CHECK(!Verifies(f.root, t));
    t.other_leaf = std::nullopt;
    CHECK(!Verifies(f.root, t));
  }
}

TEST_CASE("proof encoding round-trips and the decoder is strict") {
  Fixture f;
  StateProof p = f.Prove(B("key1000x"));
  Bytes enc = p.Encode();
  Result<StateProof> back = StateProof::Decode(enc);
  REQUIRE(back.ok());
  CHECK(*back == p);

  for (size_t n = 0; n < enc.size(); ++n) {
    CHECK(!StateProof::Decode(ByteView(enc.data(), n)).ok());  // every truncation
  }
  Bytes trailing = enc;
  trailing.push_back(0);
  CHECK(!StateProof::Decode(trailing).ok());
  Bytes version = enc;
  version[0] = 2;
  CHECK(!StateProof::Decode(version).ok());

  StateProof t = p;
  t.depth = 257;
  t.bitmap.assign(33, 0);
  t.siblings.clear();
  CHECK(!StateProof::Decode(t.Encode()).ok());

  t = p;  // a bit beyond depth
  t.depth = 3;
  t.bitmap = {0x10};
  t.siblings = {Sha256(B("s"))};
  CHECK(!StateProof::Decode(t.Encode()).ok());

  t = p;  // an explicit empty sibling is not canonical
  t.siblings[0] = kSmtEmptyHash;
  CHECK(!StateProof::Decode(t.Encode()).ok());

  t = p;  // a value and another leaf at once
  t.other_leaf = SmtLeaf{};
  CHECK(!StateProof::Decode(t.Encode()).ok());

  t = p;
  t.key = Bytes(kMaxStateKeyLen + 1, 'k');
  CHECK(!StateProof::Decode(t.Encode()).ok());
  CHECK(!Verifies(f.root, t));
}

TEST_CASE("a proof for the empty tree is depth 0 with nothing else") {
  StateProof p{.key = B("k")};
  CHECK(Verifies(kSmtEmptyHash, p));
  CHECK(StateProof::Decode(p.Encode()).ok());
  Hash256 leaf_root = SmtLeafHash(SmtKeyHash(B("k")), Sha256(B("v")));
  StateProof inclusion{.key = B("k"), .value = B("v")};
  CHECK(Verifies(leaf_root, inclusion));
  CHECK(!Verifies(kSmtEmptyHash, inclusion));
}

// Test vectors (also in docs/storage.md, for other implementations such as sdk/js): the tree
// {"a": "1", "b": "2", "c": "3"}. Any change to hashing or encoding breaks them.
constexpr char kVectorRoot[] = "911b9f48e2cf2848076fedf8d7fab4fdbf01f877e80e797f1674e89a2433b946";
constexpr char kVectorA[] =  // inclusion of a = "1", depth 1
    "010000000161010000000131000180153de5347188a75778f15ede831203f3a541f05dd41bad7672b592730feae7"
    "2100";
constexpr char kVectorD[] =  // absence of d: empty subtree at depth 3
    "010000000164000003a040b3aff522c0bae10cbe057e460498e836bd21445897adb3dcf19bd6198b726025a794d8"
    "532a00e0502b32d1dfbf3c32f6c546d309eb23d8c54d3a496821c0e200";
constexpr char kVectorG[] =  // absence of g: the leaf of a occupies its path at depth 1
    "01000000016700000180153de5347188a75778f15ede831203f3a541f05dd41bad7672b592730feae72101ca9781"
    "12ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb6b86b273ff34fce19d6b804eff5a3f5747"
    "ada4eaa22f1d49c01e52ddb7875b4b";

TEST_CASE("state proof test vectors") {
  MemoryKvStore kv;
  std::vector<StateChange> changes = {{B("a"), B("1")}, {B("b"), B("2")}, {B("c"), B("3")}};
  Result<StateUpdate> up = StateTree(kv).ApplyChanges(0, changes);
  REQUIRE(up.ok());
  REQUIRE(kv.Write(up->writes, true).ok());
  CHECK(up->root.Hex() == kVectorRoot);
  Hash256 root = Hash256::FromHex(kVectorRoot).value();
  struct Vector {
    const char* key;
    std::optional<Bytes> value;
    const char* hex;
  };
  for (const Vector& v : {Vector{"a", B("1"), kVectorA}, Vector{"d", std::nullopt, kVectorD},
                          Vector{"g", std::nullopt, kVectorG}}) {
    CHECK(ToHex(StateTree(kv).Prove(0, B(v.key)).value().Encode()) == v.hex);
    Result<StateProof> p = StateProof::Decode(FromHex(v.hex).value());
    REQUIRE(p.ok());
    CHECK(VerifyStateProof(root, B(v.key), v.value, *p).ok());
  }
}

}  // namespace
}  // namespace tidemark::node
