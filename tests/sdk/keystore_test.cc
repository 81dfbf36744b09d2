// Keystore: encryption round trip, every way a key file can be wrong, and the directory API.
// Uses libsodium's INTERACTIVE Argon2id cost so each derivation stays well under a second.
#include "tidemark/keystore.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace tidemark;
using nlohmann::json;

namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tm-keystore-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

Seed SeedOf(uint8_t b) {
  Seed s;
  s.data.fill(b);
  return s;
}

// One encrypted file shared by the parsing tests (one Argon2id run).
const std::string& GoodFileText() {
  static const std::string text = [] {
    auto f = EncryptKey("alice", SeedOf(1), "correct horse", KdfParams::Interactive());
    REQUIRE(f.ok());
    return f->ToJson();
  }();
  return text;
}

std::string Mutate(const std::function<void(json&)>& fn) {
  json j = json::parse(GoodFileText());
  fn(j);
  return j.dump();
}

Keystore MakeStore(const TempDir& d) {
  return Keystore(d.path() / "keys", Keystore::Options{.kdf = KdfParams::Interactive()});
}

}  // namespace

TEST_CASE("key file: encrypt, parse, decrypt with the right password") {
  auto f = KeyFile::Parse(GoodFileText());
  REQUIRE(f.ok());
  REQUIRE(f->name == "alice");
  REQUIRE(f->public_key == KeyPair::FromSeed(SeedOf(1)).public_key());
  REQUIRE(f->kdf.opslimit == KdfParams::Interactive().opslimit);
  REQUIRE(f->ToJson() == GoodFileText());
  auto k = DecryptKey(*f, "correct horse");
  REQUIRE(k.ok());
  REQUIRE(k->seed() == SeedOf(1));
  json j = json::parse(GoodFileText());
  REQUIRE(j["version"] == 1);
  REQUIRE(j["kdf"]["alg"] == "argon2id13");
  REQUIRE(j["cipher"]["alg"] == "xsalsa20poly1305");
  // The seed is not in the file in clear.
  REQUIRE(GoodFileText().find(SeedOf(1).Hex()) == std::string::npos);
}

TEST_CASE("key file: wrong password and tampered ciphertext are UNAUTHENTICATED") {
  auto f = KeyFile::Parse(GoodFileText());
  REQUIRE(f.ok());
  auto wrong = DecryptKey(*f, "Correct horse");
  REQUIRE(wrong.status().code() == Code::kUnauthenticated);
  REQUIRE(wrong.status().message() == "wrong password or corrupted key file");
  KeyFile t = *f;
  t.ciphertext[5] ^= 0x01;
  REQUIRE(DecryptKey(t, "correct horse").status().code() == Code::kUnauthenticated);
  t = *f;
  t.nonce.data[0] ^= 0x01;
  REQUIRE(DecryptKey(t, "correct horse").status().code() == Code::kUnauthenticated);
  t = *f;
  t.salt.data[0] ^= 0x01;
  REQUIRE(DecryptKey(t, "correct horse").status().code() == Code::kUnauthenticated);
}

TEST_CASE("key file: a swapped public key is detected after decryption") {
  auto f = KeyFile::Parse(GoodFileText());
  REQUIRE(f.ok());
  f->public_key = KeyPair::FromSeed(SeedOf(2)).public_key();
  auto k = DecryptKey(*f, "correct horse");
  REQUIRE(k.status().code() == Code::kInvalidArgument);
  REQUIRE_THAT(k.status().message(), Catch::Contains("public_key does not match"));
}

TEST_CASE("key file: malformed files are rejected with the field named") {
  struct Case {
    std::string text, expect;
  };
  const std::vector<Case> cases = {
      {"", "not valid JSON"},
      {"{", "not valid JSON"},
      {GoodFileText().substr(0, GoodFileText().size() / 2), "not valid JSON"},
      {"[]", "not a JSON object"},
      {"{}", "missing field version"},
      {Mutate([](json& j) { j["version"] = 2; }), "unsupported version 2"},
      {Mutate([](json& j) { j["version"] = "1"; }), "version must be a non-negative integer"},
      {Mutate([](json& j) { j["version"] = -1; }), "version must be a non-negative integer"},
      {Mutate([](json& j) { j.erase("public_key"); }), "missing field public_key"},
      {Mutate([](json& j) { j["public_key"] = "abcd"; }), "public_key must be 64 hex digits"},
      {Mutate([](json& j) { j["name"] = 5; }), "name must be a string"},
      {Mutate([](json& j) { j.erase("kdf"); }), "missing field kdf"},
      {Mutate([](json& j) { j["kdf"] = "x"; }), "missing field kdf.alg"},
      {Mutate([](json& j) { j["kdf"]["alg"] = "scrypt"; }), "unsupported kdf.alg"},
      {Mutate([](json& j) { j["kdf"]["salt"] = "00"; }), "kdf.salt must be 32 hex digits"},
      {Mutate([](json& j) { j["kdf"]["opslimit"] = 2.5; }), "kdf.opslimit must be"},
      {Mutate([](json& j) { j["cipher"]["alg"] = "aes"; }), "unsupported cipher.alg"},
      {Mutate([](json& j) { j["cipher"]["nonce"] = "zz"; }), "cipher.nonce must be 48 hex"},
      {Mutate([](json& j) {
         std::string c = j["cipher"]["ciphertext"];
         j["cipher"]["ciphertext"] = c.substr(0, c.size() - 2);
       }),
       "cipher.ciphertext must be 96 hex digits"},
      {std::string(kMaxKeyFileSize + 1, ' '), "larger than 64 KiB"},
  };
  for (const auto& c : cases) {
    INFO(c.text.substr(0, 200));
    auto f = KeyFile::Parse(c.text);
    REQUIRE_FALSE(f.ok());
    REQUIRE(f.status().code() == Code::kInvalidArgument);
    REQUIRE_THAT(f.status().message(),
                 Catch::StartsWith("key file: ") && Catch::Contains(c.expect));
  }
}

TEST_CASE("key file: absurd KDF parameters are refused before any derivation") {
  for (uint64_t mem :
       {uint64_t{100} << 30, kMaxMemLimit + 1, uint64_t{0}, kMinMemLimit - 1, UINT64_MAX}) {
    auto f = KeyFile::Parse(Mutate([&](json& j) { j["kdf"]["memlimit"] = mem; }));
    REQUIRE_THAT(f.status().message(), Catch::Contains("kdf.memlimit"));
  }
  for (uint64_t ops : {uint64_t{0}, kMaxOpsLimit + 1, uint64_t{1} << 40}) {
    auto f = KeyFile::Parse(Mutate([&](json& j) { j["kdf"]["opslimit"] = ops; }));
    REQUIRE_THAT(f.status().message(), Catch::Contains("kdf.opslimit"));
  }
  // Above uint64: parsed as a float by JSON, refused as not an integer.
  auto huge = KeyFile::Parse(Mutate([](json& j) { j["kdf"]["memlimit"] = 1e30; }));
  REQUIRE_FALSE(huge.ok());
  // Encrypting with absurd parameters is refused too.
  REQUIRE_FALSE(EncryptKey("x", SeedOf(1), "p", KdfParams{1, uint64_t{100} << 30}).ok());
}

TEST_CASE("keystore: names are validated") {
  for (std::string ok : {std::string("a"), std::string("alice"), std::string("Org_1-admin"),
                         std::string("0"), std::string(64, 'k')}) {
    INFO(ok);
    REQUIRE(Keystore::ValidateName(ok).ok());
  }
  for (std::string bad :
       {std::string(""), std::string("-x"), std::string("_x"), std::string("a/b"),
        std::string(".."), std::string("a.json"), std::string("a b"), std::string(65, 'k'),
        std::string("caf\xc3\xa9"), std::string("a\0b", 3)}) {
    INFO(bad);
    REQUIRE(Keystore::ValidateName(bad).code() == Code::kInvalidArgument);
  }
}

TEST_CASE("keystore: add, list, show, load, export, import, remove") {
  TempDir d;
  Keystore ks = MakeStore(d);
  auto empty = ks.List();
  REQUIRE(empty.ok());
  REQUIRE(empty->empty());

  auto alice = ks.Add("alice", "pw-a");
  REQUIRE(alice.ok());
  auto bob = ks.ImportSeed("bob", SeedOf(7), "pw-b");
  REQUIRE(bob.ok());
  REQUIRE(bob->public_key == KeyPair::FromSeed(SeedOf(7)).public_key());

  // Files are private.
  struct stat st;
  REQUIRE(::stat((ks.dir() / "alice.json").c_str(), &st) == 0);
  REQUIRE((st.st_mode & 0777) == 0600);
  REQUIRE(::stat(ks.dir().c_str(), &st) == 0);
  REQUIRE((st.st_mode & 0777) == 0700);

  REQUIRE(ks.Add("alice", "pw").status().code() == Code::kAlreadyExists);
  REQUIRE(ks.Add("../evil", "pw").status().code() == Code::kInvalidArgument);

  auto list = ks.List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  REQUIRE((*list)[0].name == "alice");
  REQUIRE((*list)[1].name == "bob");
  REQUIRE((*list)[0].public_key == alice->public_key);

  auto shown = ks.Show("bob");
  REQUIRE(shown.ok());
  REQUIRE(shown->public_key == bob->public_key);
  REQUIRE(ks.Show("carol").status().code() == Code::kNotFound);

  auto loaded = ks.Load("bob", "pw-b");
  REQUIRE(loaded.ok());
  REQUIRE(loaded->seed() == SeedOf(7));
  REQUIRE(ks.Load("bob", "pw-a").status().code() == Code::kUnauthenticated);

  REQUIRE(ks.ExportFile("bob", "wrong").status().code() == Code::kUnauthenticated);
  auto exported = ks.ExportFile("bob", "pw-b");
  REQUIRE(exported.ok());
  REQUIRE(ks.ImportFile("bob2", *exported, "wrong").status().code() == Code::kUnauthenticated);
  auto bob2 = ks.ImportFile("bob2", *exported, "pw-b");
  REQUIRE(bob2.ok());
  REQUIRE(bob2->public_key == bob->public_key);

  REQUIRE(ks.Remove("bob").ok());
  REQUIRE(ks.Remove("bob").code() == Code::kNotFound);
  REQUIRE(ks.List()->size() == 2);
}

TEST_CASE("keystore: a corrupted or truncated file is reported with its path") {
  TempDir d;
  Keystore ks = MakeStore(d);
  REQUIRE(ks.ImportSeed("k", SeedOf(3), "pw").ok());
  auto path = ks.dir() / "k.json";
  std::string text;
  {
    std::ifstream f(path);
    text.assign(std::istreambuf_iterator<char>(f), {});
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  {
    std::ofstream f(path, std::ios::trunc);
    f << text.substr(0, text.size() - 40);
  }
  auto shown = ks.Show("k");
  REQUIRE(shown.status().code() == Code::kInvalidArgument);
  REQUIRE_THAT(shown.status().message(),
               Catch::Contains("k.json") && Catch::Contains("not valid JSON"));
  REQUIRE_FALSE(ks.List().ok());
  // Flipping one ciphertext digit keeps the JSON valid: the password check catches it.
  json j = json::parse(text);
  std::string ct = j["cipher"]["ciphertext"];
  ct[10] = ct[10] == '0' ? '1' : '0';
  j["cipher"]["ciphertext"] = ct;
  {
    std::ofstream f(path, std::ios::trunc);
    f << j.dump();
  }
  REQUIRE(ks.Show("k").ok());
  REQUIRE(ks.Load("k", "pw").status().code() == Code::kUnauthenticated);
}
