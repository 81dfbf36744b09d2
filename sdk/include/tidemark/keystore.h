// keystore.h — Ed25519 keys at rest, encrypted with a password (Argon2id + XSalsa20-Poly1305).
//
// A key file is JSON:
//   {"version": 1, "name": "alice", "public_key": "<64 hex>",
//    "kdf": {"alg": "argon2id13", "opslimit": 3, "memlimit": 67108864, "salt": "<32 hex>"},
//    "cipher": {"alg": "xsalsa20poly1305", "nonce": "<48 hex>", "ciphertext": "<96 hex>"}}
// The ciphertext is crypto_secretbox_easy(seed) under the key crypto_pwhash(password, salt,
// opslimit, memlimit, ARGON2ID13). KDF parameters read from a file are bounded (kMaxOpsLimit,
// kMaxMemLimit), so a hostile file cannot make a reader spend 100 GiB or an hour.
//
//   Keystore ks("/home/me/.tidemark/keys");
//   Result<KeyInfo> k = ks.Add("alice", password);           // generates a key
//   Result<KeyPair> kp = ks.Load("alice", password);          // UNAUTHENTICATED on a bad password
//   Result<std::vector<KeyInfo>> all = ks.List();            // names + public keys, no password
//
// Errors: a wrong password (or a ciphertext that was tampered with — they are indistinguishable)
// is kUnauthenticated "wrong password or corrupted key file"; a file that is not a key file
// (bad JSON, missing or mistyped field, wrong version, wrong sizes, KDF parameters out of bounds)
// is kInvalidArgument naming the field; a missing key is kNotFound; an existing name on Add or
// Import is kAlreadyExists; file-system failures are kIoError.
//
// Thread safety: a Keystore holds only its directory and options; calls may run concurrently,
// but two processes adding the same name race (one of them gets kAlreadyExists).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/bytes.h"
#include "tidemark/crypto.h"
#include "tidemark/status.h"

namespace tidemark {

// Argon2id cost. Bounds apply to parameters read from files; writing uses the same bounds.
struct KdfParams {
  uint64_t opslimit = 3;
  uint64_t memlimit = 64ull << 20;  // bytes; the default costs well under a second per key

  static KdfParams Interactive();  // libsodium's INTERACTIVE (2, 64 MiB): tests
  static KdfParams Moderate();     // libsodium's MODERATE (3, 256 MiB): a few seconds
  Status Check() const;            // within [kMin*, kMax*]
};

inline constexpr uint64_t kMinOpsLimit = 1;
inline constexpr uint64_t kMaxOpsLimit = 10;
inline constexpr uint64_t kMinMemLimit = 8 * 1024;
inline constexpr uint64_t kMaxMemLimit = 1ull << 30;  // libsodium's SENSITIVE
inline constexpr size_t kMaxKeyFileSize = 64 * 1024;
inline constexpr int kKeyFileVersion = 1;

// One encrypted key, as stored in `<name>.json`.
struct KeyFile {
  std::string name;
  PublicKey public_key;
  KdfParams kdf;
  FixedBytes<16> salt;
  FixedBytes<24> nonce;
  Bytes ciphertext;  // seed (32) + MAC (16)

  std::string ToJson() const;  // pretty-printed, ends with a newline
  // Validates structure and bounds; does not need the password.
  static Result<KeyFile> Parse(std::string_view text);
};

// Encrypts `seed` under `password` with a fresh salt and nonce.
Result<KeyFile> EncryptKey(std::string_view name, const Seed& seed, std::string_view password,
                           const KdfParams& kdf);
// kUnauthenticated on a wrong password; kInvalidArgument if the decrypted seed does not match
// the file's public key.
Result<KeyPair> DecryptKey(const KeyFile& file, std::string_view password);

// A plain (unencrypted, development) key file's text, `{"public_key", "seed"}` (public_key
// optional, checked against the seed when present). INVALID_ARGUMENT names `path` and says the
// file should be `expected` when it is not one.
Result<KeyPair> ParsePlainKeyFile(std::string_view text, const std::string& path,
                                  std::string_view expected = "{\"public_key\", \"seed\"}");

struct KeyInfo {
  std::string name;
  PublicKey public_key;
};

class Keystore {
 public:
  struct Options {
    KdfParams kdf;  // for keys written by this keystore
  };

  // `dir` is created (mode 0700) on the first write.
  explicit Keystore(std::filesystem::path dir, Options options = {});

  // Names: 1..64 of [A-Za-z0-9_-], starting with a letter or digit.
  static Status ValidateName(std::string_view name);

  Result<KeyInfo> Add(std::string_view name, std::string_view password);
  Result<KeyInfo> ImportSeed(std::string_view name, const Seed& seed, std::string_view password);
  // Imports an exported (encrypted) key file; `password` is the one it was encrypted with, and
  // the key is stored re-encrypted under the same password with this keystore's KDF cost.
  Result<KeyInfo> ImportFile(std::string_view name, std::string_view file_text,
                             std::string_view password);
  // Sorted by name. A file that does not parse is an error naming it.
  Result<std::vector<KeyInfo>> List() const;
  Result<KeyInfo> Show(std::string_view name) const;
  Result<KeyPair> Load(std::string_view name, std::string_view password) const;
  // The key file's text, after checking the password (an encrypted export).
  Result<std::string> ExportFile(std::string_view name, std::string_view password) const;
  Status Remove(std::string_view name);

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path PathOf(std::string_view name) const;
  Result<KeyFile> Read(std::string_view name) const;
  Result<KeyInfo> Store(std::string_view name, const Seed& seed, std::string_view password);

  std::filesystem::path dir_;
  Options options_;
};

}  // namespace tidemark
