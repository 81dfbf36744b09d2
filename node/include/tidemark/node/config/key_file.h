// key_file.h — the secret key files a node loads at start-up (validator key, scan key, capture
// token keys), plain or encrypted, and the permission check they all pass.
//
//   config::KeyPassphrase pass{.file = cfg.key_passphrase_file, .env = cfg.key_passphrase_env};
//   TM_ASSIGN_OR_RETURN(KeyPair k, config::LoadKeyFile(cfg.validator_key_file, pass));
//
// Two formats, told apart by their fields:
// - plain: {"public_key": hex, "seed": hex} (what `tidemark network init` writes);
// - encrypted: the keystore format of tidemark/keystore.h (Argon2id + XSalsa20-Poly1305, a
//   `tidemark keys export` file), decrypted with the passphrase from `pass`: the first line of a
//   file (itself mode 0600), else the environment variable it names.
// Like ssh, a key file (and a passphrase file) that group or others may read or write is refused
// with kPermissionDenied naming the file, its mode and the fix `chmod 600 <file>`. A wrong
// passphrase is kUnauthenticated; an encrypted file with no passphrase configured is
// kFailedPrecondition naming the config keys.
//
// Thread safety: pure functions (they read files and the environment).
#pragma once

#include <string>

#include "tidemark/crypto.h"
#include "tidemark/status.h"

namespace tidemark::node::config {

struct KeyPassphrase {
  std::string file;  // a file whose first line is the passphrase ("" : none)
  std::string env;   // else the name of an environment variable holding it ("" : none)
};

// OK iff `path` is a regular file with no group / other permission bits.
Status CheckPrivateFile(const std::string& path);

Result<KeyPair> LoadKeyFile(const std::string& path, const KeyPassphrase& pass = {});

// Writes a plain key file created with mode 0600 (never readable by others, not even briefly).
Status WritePlainKeyFile(const std::string& path, const KeyPair& key);

}  // namespace tidemark::node::config
