#include "tidemark/node/config/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tidemark/keystore.h"
#include "tidemark/node/http/json_body.h"

namespace tidemark::node::config {

namespace {

std::string Octal(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
  return buf;
}

Result<std::string> ReadSmall(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > limit) return Status::Invalid(path + ": larger than expected");
  return ss.str();
}

Result<std::string> Passphrase(const std::string& key_path, const KeyPassphrase& pass) {
  if (!pass.file.empty()) {
    TM_RETURN_IF_ERROR(CheckPrivateFile(pass.file).WithContext("key passphrase file"));
    TM_ASSIGN_OR_RETURN(std::string text, ReadSmall(pass.file, 4096));
    if (size_t nl = text.find_first_of("\r\n"); nl != std::string::npos) text.resize(nl);
    if (text.empty()) return Status::Invalid("key passphrase file " + pass.file + " is empty");
    return text;
  }
  if (!pass.env.empty()) {
    const char* v = std::getenv(pass.env.c_str());
    if (v == nullptr || *v == '\0') {
      return Status::FailedPrecondition("key file " + key_path + " is encrypted and $" + pass.env +
                                        " (key_passphrase_env) is not set");
    }
    return std::string(v);
  }
  return Status::FailedPrecondition(
      "key file " + key_path +
      " is encrypted: set key_passphrase_file or key_passphrase_env in the node config");
}

}  // namespace

Status CheckPrivateFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::IoError("cannot read " + path);
  if (!S_ISREG(st.st_mode)) return Status::Invalid(path + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    return Status::PermissionDenied(path + " has mode " + Octal(st.st_mode) +
                                    ": a secret key file must not be accessible by group or "
                                    "others; run `chmod 600 " +
                                    path + "`");
  }
  return Status::Ok();
}

Result<KeyPair> LoadKeyFile(const std::string& path, const KeyPassphrase& pass) {
  TM_RETURN_IF_ERROR(CheckPrivateFile(path).WithContext("key file"));
  TM_ASSIGN_OR_RETURN(std::string text, ReadSmall(path, kMaxKeyFileSize));
  auto parsed = http::ParseJsonBody(text, 8);
  if (!parsed.ok()) return parsed.status().WithContext("key file " + path);
  nlohmann::json& j = *parsed;
  if (j.is_object() && j.contains("cipher")) {
    auto file = KeyFile::Parse(text);
    if (!file.ok()) return file.status().WithContext("key file " + path);
    TM_ASSIGN_OR_RETURN(std::string pw, Passphrase(path, pass));
    auto key = DecryptKey(*file, pw);
    if (!key.ok() && key.status().code() == Code::kUnauthenticated) {
      return Status::Unauthenticated("key file " + path +
                                     ": wrong passphrase (or a corrupted key file)");
    }
    if (!key.ok()) return key.status().WithContext("key file " + path);
    return key;
  }
  return ParsePlainKeyFile(text, path, "{\"public_key\", \"seed\"} or an encrypted key file");
}

Status WritePlainKeyFile(const std::string& path, const KeyPair& key) {
  nlohmann::json j{{"public_key", key.public_key().Hex()}, {"seed", key.seed().Hex()}};
  std::string text = j.dump(2) + "\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("cannot write " + path);
  bool ok = ::fchmod(fd, 0600) == 0;  // an existing file keeps its mode otherwise
  ok = ok && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = (::close(fd) == 0) && ok;
  return ok ? Status::Ok() : Status::IoError("cannot write " + path);
}

}  // namespace tidemark::node::config
