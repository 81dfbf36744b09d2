#include "tidemark/keystore.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace tidemark {

namespace {

using nlohmann::json;

constexpr const char* kKdfAlg = "argon2id13";
constexpr const char* kCipherAlg = "xsalsa20poly1305";
constexpr size_t kCiphertextSize = Seed::kSize + crypto_secretbox_MACBYTES;

static_assert(crypto_pwhash_argon2id_SALTBYTES == 16);
static_assert(crypto_secretbox_NONCEBYTES == 24);
static_assert(crypto_secretbox_KEYBYTES == 32);

Status Bad(const std::string& what) { return Status::Invalid("key file: " + what); }

// Field accessors that never throw.
Result<const json*> Field(const json& obj, const char* key, const std::string& path) {
  if (!obj.is_object() || !obj.contains(key)) return Bad("missing field " + path);
  return &obj[key];
}

Result<std::string> StringField(const json& obj, const char* key, const std::string& path) {
  TM_ASSIGN_OR_RETURN(const json* f, Field(obj, key, path));
  if (!f->is_string()) return Bad(path + " must be a string");
  return f->get<std::string>();
}

Result<uint64_t> UintField(const json& obj, const char* key, const std::string& path) {
  TM_ASSIGN_OR_RETURN(const json* f, Field(obj, key, path));
  if (!f->is_number_unsigned()) return Bad(path + " must be a non-negative integer");
  return f->get<uint64_t>();
}

template <size_t N>
Result<FixedBytes<N>> HexField(const json& obj, const char* key, const std::string& path) {
  TM_ASSIGN_OR_RETURN(std::string s, StringField(obj, key, path));
  auto b = FixedBytes<N>::FromHex(s);
  if (!b.ok()) return Bad(path + " must be " + std::to_string(2 * N) + " hex digits");
  return *b;
}

// The secretbox key from the password; wiped by the caller.
Status DeriveKey(std::string_view password, const FixedBytes<16>& salt, const KdfParams& kdf,
                 FixedBytes<32>* key) {
  TM_RETURN_IF_ERROR(kdf.Check());
  if (!CryptoInit()) return Status::Internal("libsodium failed to initialise");
  if (crypto_pwhash(key->data.data(), key->size(), password.data(), password.size(),
                    salt.data.data(), kdf.opslimit, static_cast<size_t>(kdf.memlimit),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::ResourceExhausted("key derivation failed (out of memory?)");
  }
  return Status::Ok();
}

Result<std::string> ReadSmallFile(const std::filesystem::path& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) {
      return Status::NotFound("no key file " + path.string());
    }
    return Status::IoError("cannot read " + path.string() + ": " + ec.message());
  }
  if (size > kMaxKeyFileSize) {
    return Bad(path.string() + " is larger than " + std::to_string(kMaxKeyFileSize) + " bytes");
  }
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  if (!f) return Status::IoError("cannot read " + path.string());
  return ss.str();
}

// Creates `path` with mode 0600 and `text`, failing with kAlreadyExists if it exists. The text is
// written to a temporary file first and linked into place, so a crash never leaves half a key.
Status WriteNewFile(const std::filesystem::path& path, const std::string& text) {
  std::string tmp = path.string() + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("cannot create " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    ::unlink(tmp.c_str());
    return Status::IoError("cannot write " + tmp);
  }
  int rc = ::link(tmp.c_str(), path.c_str());
  int err = errno;
  ::unlink(tmp.c_str());
  if (rc != 0) {
    if (err == EEXIST) return Status::AlreadyExists("key file " + path.string() + " exists");
    return Status::IoError("cannot create " + path.string() + ": " + std::strerror(err));
  }
  return Status::Ok();
}

}  // namespace

// ---- KdfParams ---------------------------------------------------------------------------------

KdfParams KdfParams::Interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}
KdfParams KdfParams::Moderate() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
}

Status KdfParams::Check() const {
  if (opslimit < kMinOpsLimit || opslimit > kMaxOpsLimit) {
    return Bad("kdf.opslimit " + std::to_string(opslimit) + " outside [" +
               std::to_string(kMinOpsLimit) + ", " + std::to_string(kMaxOpsLimit) + "]");
  }
  if (memlimit < kMinMemLimit || memlimit > kMaxMemLimit) {
    return Bad("kdf.memlimit " + std::to_string(memlimit) + " outside [" +
               std::to_string(kMinMemLimit) + ", " + std::to_string(kMaxMemLimit) + "]");
  }
  return Status::Ok();
}

// ---- KeyFile -----------------------------------------------------------------------------------

std::string KeyFile::ToJson() const {
  nlohmann::ordered_json j;
  j["version"] = kKeyFileVersion;
  j["name"] = name;
  j["public_key"] = public_key.Hex();
  j["kdf"] = {{"alg", kKdfAlg},
              {"opslimit", kdf.opslimit},
              {"memlimit", kdf.memlimit},
              {"salt", salt.Hex()}};
  j["cipher"] = {{"alg", kCipherAlg}, {"nonce", nonce.Hex()}, {"ciphertext", ToHex(ciphertext)}};
  return j.dump(2) + "\n";
}

Result<KeyFile> KeyFile::Parse(std::string_view text) {
  if (text.size() > kMaxKeyFileSize) return Bad("larger than 64 KiB");
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("not valid JSON");
  if (!j.is_object()) return Bad("not a JSON object");
  TM_ASSIGN_OR_RETURN(uint64_t version, UintField(j, "version", "version"));
  if (version != kKeyFileVersion) {
    return Bad("unsupported version " + std::to_string(version) + " (expected " +
               std::to_string(kKeyFileVersion) + ")");
  }
  KeyFile f;
  TM_ASSIGN_OR_RETURN(f.name, StringField(j, "name", "name"));
  TM_ASSIGN_OR_RETURN(f.public_key, HexField<32>(j, "public_key", "public_key"));
  TM_ASSIGN_OR_RETURN(const json* kdf, Field(j, "kdf", "kdf"));
  TM_ASSIGN_OR_RETURN(std::string kdf_alg, StringField(*kdf, "alg", "kdf.alg"));
  if (kdf_alg != kKdfAlg) return Bad("unsupported kdf.alg \"" + kdf_alg + "\"");
  TM_ASSIGN_OR_RETURN(f.kdf.opslimit, UintField(*kdf, "opslimit", "kdf.opslimit"));
  TM_ASSIGN_OR_RETURN(f.kdf.memlimit, UintField(*kdf, "memlimit", "kdf.memlimit"));
  TM_RETURN_IF_ERROR(f.kdf.Check());
  TM_ASSIGN_OR_RETURN(f.salt, HexField<16>(*kdf, "salt", "kdf.salt"));
  TM_ASSIGN_OR_RETURN(const json* cipher, Field(j, "cipher", "cipher"));
  TM_ASSIGN_OR_RETURN(std::string cipher_alg, StringField(*cipher, "alg", "cipher.alg"));
  if (cipher_alg != kCipherAlg) return Bad("unsupported cipher.alg \"" + cipher_alg + "\"");
  TM_ASSIGN_OR_RETURN(f.nonce, HexField<24>(*cipher, "nonce", "cipher.nonce"));
  TM_ASSIGN_OR_RETURN(auto ct,
                      HexField<kCiphertextSize>(*cipher, "ciphertext", "cipher.ciphertext"));
  f.ciphertext.assign(ct.begin(), ct.end());
  return f;
}

Result<KeyFile> EncryptKey(std::string_view name, const Seed& seed, std::string_view password,
                           const KdfParams& kdf) {
  KeyFile f;
  f.name = std::string(name);
  f.public_key = KeyPair::FromSeed(seed).public_key();
  f.kdf = kdf;
  RandomBytes(f.salt.data);
  RandomBytes(f.nonce.data);
  FixedBytes<32> key;
  Status s = DeriveKey(password, f.salt, kdf, &key);
  if (s.ok()) {
    f.ciphertext.resize(kCiphertextSize);
    crypto_secretbox_easy(f.ciphertext.data(), seed.data.data(), seed.size(), f.nonce.data.data(),
                          key.data.data());
  }
  sodium_memzero(key.data.data(), key.size());
  if (!s.ok()) return s;
  return f;
}

Result<KeyPair> DecryptKey(const KeyFile& file, std::string_view password) {
  if (file.ciphertext.size() != kCiphertextSize) return Bad("ciphertext has the wrong size");
  FixedBytes<32> key;
  Status s = DeriveKey(password, file.salt, file.kdf, &key);
  Seed seed;
  bool opened = s.ok() && crypto_secretbox_open_easy(seed.data.data(), file.ciphertext.data(),
                                                     file.ciphertext.size(), file.nonce.data.data(),
                                                     key.data.data()) == 0;
  sodium_memzero(key.data.data(), key.size());
  if (!s.ok()) return s;
  if (!opened) return Status::Unauthenticated("wrong password or corrupted key file");
  KeyPair kp = KeyPair::FromSeed(seed);
  sodium_memzero(seed.data.data(), seed.size());
  if (kp.public_key() != file.public_key) {
    return Bad("public_key does not match the encrypted key");
  }
  return kp;
}

// ---- Keystore ----------------------------------------------------------------------------------

Keystore::Keystore(std::filesystem::path dir, Options options)
    : dir_(std::move(dir)), options_(options) {}

Status Keystore::ValidateName(std::string_view name) {
  auto bad = [&](const std::string& why) {
    return Status::Invalid("invalid key name \"" + std::string(name) + "\": " + why);
  };
  if (name.empty() || name.size() > 64) return bad("must be 1 to 64 characters");
  char c0 = name[0];
  if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || (c0 >= '0' && c0 <= '9'))) {
    return bad("must start with a letter or digit");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return bad("only letters, digits, '_' and '-' are allowed");
  }
  return Status::Ok();
}

std::filesystem::path Keystore::PathOf(std::string_view name) const {
  return dir_ / (std::string(name) + ".json");
}

Result<KeyFile> Keystore::Read(std::string_view name) const {
  TM_RETURN_IF_ERROR(ValidateName(name));
  auto text = ReadSmallFile(PathOf(name));
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) {
      return Status::NotFound("no key named \"" + std::string(name) + "\" in " + dir_.string());
    }
    return text.status();
  }
  auto f = KeyFile::Parse(*text);
  if (!f.ok()) return f.status().WithContext(PathOf(name).string());
  return f;
}

Result<KeyInfo> Keystore::Store(std::string_view name, const Seed& seed,
                                std::string_view password) {
  TM_RETURN_IF_ERROR(ValidateName(name));
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status::IoError("cannot create " + dir_.string() + ": " + ec.message());
  ::chmod(dir_.c_str(), 0700);
  if (std::filesystem::exists(PathOf(name), ec)) {
    return Status::AlreadyExists("a key named \"" + std::string(name) + "\" already exists");
  }
  TM_ASSIGN_OR_RETURN(KeyFile f, EncryptKey(name, seed, password, options_.kdf));
  TM_RETURN_IF_ERROR(WriteNewFile(PathOf(name), f.ToJson()));
  return KeyInfo{std::string(name), f.public_key};
}

Result<KeyInfo> Keystore::Add(std::string_view name, std::string_view password) {
  TM_RETURN_IF_ERROR(ValidateName(name));
  KeyPair k = KeyPair::Generate();
  return Store(name, k.seed(), password);
}

Result<KeyInfo> Keystore::ImportSeed(std::string_view name, const Seed& seed,
                                     std::string_view password) {
  return Store(name, seed, password);
}

Result<KeyInfo> Keystore::ImportFile(std::string_view name, std::string_view file_text,
                                     std::string_view password) {
  TM_RETURN_IF_ERROR(ValidateName(name));
  TM_ASSIGN_OR_RETURN(KeyFile f, KeyFile::Parse(file_text));
  TM_ASSIGN_OR_RETURN(KeyPair k, DecryptKey(f, password));
  return Store(name, k.seed(), password);
}

Result<std::vector<KeyInfo>> Keystore::List() const {
  std::vector<KeyInfo> out;
  std::error_code ec;
  if (!std::filesystem::exists(dir_, ec)) return out;
  std::filesystem::directory_iterator it(dir_, ec);
  if (ec) return Status::IoError("cannot list " + dir_.string() + ": " + ec.message());
  for (const auto& entry : it) {
    const auto& p = entry.path();
    if (p.extension() != ".json" || !ValidateName(p.stem().string()).ok()) continue;
    TM_ASSIGN_OR_RETURN(KeyFile f, Read(p.stem().string()));
    out.push_back({p.stem().string(), f.public_key});
  }
  std::sort(out.begin(), out.end(),
            [](const KeyInfo& a, const KeyInfo& b) { return a.name < b.name; });
  return out;
}

Result<KeyInfo> Keystore::Show(std::string_view name) const {
  TM_ASSIGN_OR_RETURN(KeyFile f, Read(name));
  return KeyInfo{std::string(name), f.public_key};
}

Result<KeyPair> Keystore::Load(std::string_view name, std::string_view password) const {
  TM_ASSIGN_OR_RETURN(KeyFile f, Read(name));
  return DecryptKey(f, password);
}

Result<std::string> Keystore::ExportFile(std::string_view name, std::string_view password) const {
  TM_ASSIGN_OR_RETURN(KeyFile f, Read(name));
  TM_ASSIGN_OR_RETURN(KeyPair k, DecryptKey(f, password));
  return f.ToJson();
}

Status Keystore::Remove(std::string_view name) {
  TM_RETURN_IF_ERROR(ValidateName(name));
  std::error_code ec;
  if (!std::filesystem::remove(PathOf(name), ec)) {
    if (ec) return Status::IoError("cannot remove " + PathOf(name).string() + ": " + ec.message());
    return Status::NotFound("no key named \"" + std::string(name) + "\"");
  }
  return Status::Ok();
}

Result<KeyPair> ParsePlainKeyFile(std::string_view text, const std::string& path,
                                  std::string_view expected) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("seed") || !j["seed"].is_string()) {
    return Status::Invalid("key file " + path + ": expected " + std::string(expected));
  }
  auto seed = Seed::FromHex(j["seed"].get<std::string>());
  if (!seed.ok()) return seed.status().WithContext("key file " + path + ": seed");
  KeyPair key = KeyPair::FromSeed(*seed);
  if (j.contains("public_key") &&
      (!j["public_key"].is_string() || j["public_key"] != key.public_key().Hex())) {
    return Status::Invalid("key file " + path + ": public_key does not match the seed");
  }
  return key;
}

}  // namespace tidemark
