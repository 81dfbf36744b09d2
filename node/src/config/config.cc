#include "tidemark/node/config/config.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <variant>

#include "tidemark/contracts/epcis.h"
#include "tidemark/node/http/json_body.h"

namespace tidemark::node::config {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* TypeName(const json& v) { return v.type_name(); }

// One object's fields: each key maps to a reader; unknown keys are errors.
class ObjectReader {
 public:
  using Reader = std::function<Status(const json&, const std::string& path)>;
  ObjectReader(std::string prefix) : prefix_(std::move(prefix)) {}

  template <typename T>
  ObjectReader& Uint(const char* key, T* out) {
    readers_[key] = [out](const json& v, const std::string& path) -> Status {
      bool non_negative =
          v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
      if (!non_negative) {
        return Status::Invalid(path + ": expected a non-negative integer, got " +
                               (v.is_number_integer() ? "a negative integer" : TypeName(v)));
      }
      uint64_t x = v.get<uint64_t>();
      if (x > std::numeric_limits<T>::max()) return Status::Invalid(path + ": too large");
      *out = static_cast<T>(x);
      return Status::Ok();
    };
    return *this;
  }
  // A row of kHttpOptions: a non-negative integer that fits its member (the range is Validate's).
  ObjectReader& Option(const HttpOption& o, HttpConfig* out) {
    std::visit([&](auto member) { Uint(o.name, &(out->*member)); }, o.member);
    return *this;
  }
  ObjectReader& Str(const char* key, std::string* out) {
    readers_[key] = [out](const json& v, const std::string& path) -> Status {
      if (!v.is_string()) return Status::Invalid(path + ": expected a string, got " + TypeName(v));
      *out = v.get<std::string>();
      return Status::Ok();
    };
    return *this;
  }
  ObjectReader& StrList(const char* key, std::vector<std::string>* out) {
    readers_[key] = [out](const json& v, const std::string& path) -> Status {
      if (!v.is_array()) return Status::Invalid(path + ": expected a list, got " + TypeName(v));
      out->clear();
      for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) {
          return Status::Invalid(path + "[" + std::to_string(i) + "]: expected a string, got " +
                                 TypeName(v[i]));
        }
        out->push_back(v[i].get<std::string>());
      }
      return Status::Ok();
    };
    return *this;
  }
  ObjectReader& Object(const char* key, Reader r) {
    readers_[key] = std::move(r);
    return *this;
  }

  Status Read(const json& j) const {
    std::string where = prefix_.empty() ? "config" : "config: " + prefix_;
    if (!j.is_object()) return Status::Invalid(where + ": expected an object, got " + TypeName(j));
    for (const auto& [k, v] : j.items()) {
      std::string path = prefix_.empty() ? k : prefix_ + "." + k;
      auto it = readers_.find(k);
      if (it == readers_.end()) return Status::Invalid("config: unknown key '" + path + "'");
      Status s = it->second(v, path);
      if (!s.ok()) return Status::Invalid("config: " + s.message());
    }
    return Status::Ok();
  }

 private:
  std::string prefix_;
  std::map<std::string, Reader> readers_;
};

Status StripPrefix(Status s) {
  // Nested readers already say "config: ..."; the outer Read adds it again.
  const std::string twice = "config: config: ";
  if (!s.ok() && s.message().rfind(twice, 0) == 0) {
    return Status(s.code(), "config: " + s.message().substr(twice.size()));
  }
  return s;
}

Status Validate(const NodeConfig& c) {
  if (c.chain_id.empty() || c.chain_id.size() > 64) {
    return Status::Invalid("config: chain_id: required, 1 to 64 characters");
  }
  TM_RETURN_IF_ERROR(SplitHostPort(c.http.listen).status().WithContext("config: http.listen"));
  TM_RETURN_IF_ERROR(SplitHostPort(c.p2p.listen).status().WithContext("config: p2p.listen"));
  for (size_t i = 0; i < c.p2p.peers.size(); ++i) {
    TM_RETURN_IF_ERROR(SplitHostPort(c.p2p.peers[i])
                           .status()
                           .WithContext("config: p2p.peers[" + std::to_string(i) + "]"));
  }
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
  bool level_ok = false;
  for (const char* l : kLevels) level_ok |= c.log_level == l;
  if (!level_ok) {
    return Status::Invalid("config: log_level: one of trace, debug, info, warn, error, off; got '" +
                           c.log_level + "'");
  }
  struct Positive {
    const char* name;
    uint64_t value;
  };
  const Positive positives[] = {
      {"mempool.max_txs", c.mempool.max_txs},
      {"mempool.max_bytes", c.mempool.max_bytes},
      {"mempool.nonce_window", c.mempool.nonce_window},
      {"mempool.status_cache", c.mempool.status_cache},
      {"mempool.max_signer_txs", c.mempool.max_signer_txs},
      {"mempool.max_signer_bytes", c.mempool.max_signer_bytes},
      {"mempool.max_org_txs", c.mempool.max_org_txs},
      {"mempool.max_org_bytes", c.mempool.max_org_bytes},
      {"consensus.base_timeout_ms", c.consensus.base_timeout_ms},
  };
  for (const HttpOption& o : kHttpOptions) {
    uint64_t v = o.Get(c.http);
    std::string key = std::string("config: http.") + o.name;
    if (v < o.min) {
      return Status::Invalid(
          key + (o.min == 1 ? ": must be > 0" : ": must be >= " + std::to_string(o.min)));
    }
    if (v > o.Max()) return Status::Invalid(key + ": at most " + std::to_string(o.Max()));
  }
  for (const Positive& p : positives) {
    if (p.value == 0) return Status::Invalid(std::string("config: ") + p.name + ": must be > 0");
  }
  if (c.storage.retain_versions != 0 &&
      c.storage.retain_versions < StorageConfig::kMinRetainVersions) {
    return Status::Invalid(
        "config: storage.retain_versions: 0 (keep every state version) or at "
        "least " +
        std::to_string(StorageConfig::kMinRetainVersions) + ", got " +
        std::to_string(c.storage.retain_versions));
  }
  if (c.consensus.max_backoff_exponent > 16) {
    return Status::Invalid("config: consensus.max_backoff_exponent: at most 16");
  }
  return Status::Ok();
}

}  // namespace

Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return Status::Invalid("expected host:port, got '" + address + "'");
  }
  std::string host = address.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) {
      return Status::Invalid("bad IPv6 literal in '" + address + "'");
    }
    host = host.substr(1, host.size() - 2);
  }
  std::string_view port_s = std::string_view(address).substr(colon + 1);
  unsigned port = 0;
  auto [p, ec] = std::from_chars(port_s.data(), port_s.data() + port_s.size(), port);
  if (ec != std::errc() || p != port_s.data() + port_s.size() || port > 65535) {
    return Status::Invalid("bad port in '" + address + "'");
  }
  return std::make_pair(host, static_cast<uint16_t>(port));
}

Result<NodeConfig> ParseNodeConfig(const json& j) {
  NodeConfig c;
  ObjectReader http("http");
  http.Str("listen", &c.http.listen);
  for (const HttpOption& o : kHttpOptions) http.Option(o, &c.http);
  http.Uint("max_sse_clients", &c.http.sse_max_clients);  // another name of sse_max_clients
  ObjectReader p2p("p2p");
  p2p.Str("listen", &c.p2p.listen).StrList("peers", &c.p2p.peers).Uint("ban_ms", &c.p2p.ban_ms);
  ObjectReader consensus("consensus");
  consensus.Uint("min_block_interval_ms", &c.consensus.min_block_interval_ms)
      .Uint("idle_block_interval_ms", &c.consensus.idle_block_interval_ms)
      .Uint("base_timeout_ms", &c.consensus.base_timeout_ms)
      .Uint("max_backoff_exponent", &c.consensus.max_backoff_exponent);
  ObjectReader mempool("mempool");
  mempool.Uint("max_txs", &c.mempool.max_txs)
      .Uint("max_bytes", &c.mempool.max_bytes)
      .Uint("nonce_window", &c.mempool.nonce_window)
      .Uint("status_cache", &c.mempool.status_cache)
      .Uint("max_signer_txs", &c.mempool.max_signer_txs)
      .Uint("max_signer_bytes", &c.mempool.max_signer_bytes)
      .Uint("max_org_txs", &c.mempool.max_org_txs)
      .Uint("max_org_bytes", &c.mempool.max_org_bytes);
  ObjectReader storage("storage");
  storage.Uint("retain_versions", &c.storage.retain_versions);
  ObjectReader resolver("resolver");
  resolver.Str("scan_key_file", &c.resolver.scan_key_file)
      .Uint("scan_interval_s", &c.resolver.scan_interval_s);
  auto nested = [](const ObjectReader& r) {
    return [&r](const json& v, const std::string&) { return r.Read(v); };
  };
  auto tokens = [&c](const json& v, const std::string& path) -> Status {
    if (!v.is_array()) return Status::Invalid(path + ": expected a list, got " + TypeName(v));
    for (size_t i = 0; i < v.size(); ++i) {
      CaptureTokenConfig t;
      std::string where = path + "[" + std::to_string(i) + "]";
      ObjectReader r(where);
      r.Str("token_sha256", &t.token_sha256)
          .Str("key_file", &t.key_file)
          .Str("label", &t.label)
          .Str("expires_at", &t.expires_at)
          .Object("revoked", [&t](const json& b, const std::string& p) -> Status {
            if (!b.is_boolean()) return Status::Invalid(p + ": expected true or false");
            t.revoked = b.get<bool>();
            return Status::Ok();
          });
      TM_RETURN_IF_ERROR(r.Read(v[i]));
      bool hex = t.token_sha256.size() == 64 &&
                 t.token_sha256.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
      if (!hex) return Status::Invalid(where + ".token_sha256: expected 64 hex digits");
      if (t.key_file.empty()) return Status::Invalid(where + ".key_file: required");
      if (t.expires_at.empty()) {
        return Status::Invalid(
            where +
            ".expires_at: required (RFC 3339, e.g. "
            "\"2027-03-01T00:00:00Z\"); `tidemark epcis token --ttl` prints one");
      }
      auto ms = contracts::ParseEpcisTime(t.expires_at);
      if (!ms.ok()) {
        return Status::Invalid(where +
                               ".expires_at: not an RFC 3339 time: " + ms.status().message());
      }
      t.expires_at_ms = *ms;
      c.capture_tokens.push_back(std::move(t));
    }
    return Status::Ok();
  };
  ObjectReader top("");
  top.Str("chain_id", &c.chain_id)
      .Str("data_dir", &c.data_dir)
      .Str("genesis_file", &c.genesis_file)
      .Str("validator_key_file", &c.validator_key_file)
      .Str("key_passphrase_file", &c.key_passphrase_file)
      .Str("key_passphrase_env", &c.key_passphrase_env)
      .Str("explorer_dir", &c.explorer_dir)
      .Str("log_level", &c.log_level)
      .Object("http", nested(http))
      .Object("p2p", nested(p2p))
      .Object("mempool", nested(mempool))
      .Object("capture_tokens", tokens)
      .StrList("epcis_webhook_hosts", &c.epcis_webhook_hosts)
      .Object("resolver", nested(resolver))
      .Object("consensus", nested(consensus))
      .Object("storage", nested(storage));
  TM_RETURN_IF_ERROR(StripPrefix(top.Read(j)));
  TM_RETURN_IF_ERROR(Validate(c));
  return c;
}

Result<NodeConfig> LoadNodeConfig(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IoError("config: cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > (1 << 20)) return Status::Invalid("config: file larger than 1 MiB");
  auto j = http::ParseJsonBody(text.str(), 16);
  if (!j.ok()) return j.status().WithContext("config: " + file.string());
  TM_ASSIGN_OR_RETURN(NodeConfig c, ParseNodeConfig(*j));
  fs::path base = file.parent_path();
  for (std::string* p : {&c.data_dir, &c.genesis_file, &c.validator_key_file, &c.explorer_dir,
                         &c.resolver.scan_key_file, &c.key_passphrase_file}) {
    if (!p->empty() && fs::path(*p).is_relative()) *p = (base / *p).lexically_normal().string();
  }
  for (CaptureTokenConfig& t : c.capture_tokens) {
    if (fs::path(t.key_file).is_relative()) {
      t.key_file = (base / t.key_file).lexically_normal().string();
    }
  }
  return c;
}

json NodeConfigToJson(const NodeConfig& c) {
  json http{{"listen", c.http.listen}};
  for (const HttpOption& o : kHttpOptions) http[o.name] = o.Get(c.http);
  json tokens = json::array();
  for (const CaptureTokenConfig& t : c.capture_tokens) {
    tokens.push_back({{"token_sha256", t.token_sha256},
                      {"key_file", t.key_file},
                      {"label", t.label},
                      {"expires_at", t.expires_at},
                      {"revoked", t.revoked}});
  }
  return json{
      {"capture_tokens", tokens},
      {"epcis_webhook_hosts", c.epcis_webhook_hosts},
      {"chain_id", c.chain_id},
      {"data_dir", c.data_dir},
      {"genesis_file", c.genesis_file},
      {"validator_key_file", c.validator_key_file},
      {"key_passphrase_file", c.key_passphrase_file},
      {"key_passphrase_env", c.key_passphrase_env},
      {"explorer_dir", c.explorer_dir},
      {"log_level", c.log_level},
      {"http", http},
      {"p2p", {{"listen", c.p2p.listen}, {"peers", c.p2p.peers}, {"ban_ms", c.p2p.ban_ms}}},
      {"consensus",
       {{"min_block_interval_ms", c.consensus.min_block_interval_ms},
        {"idle_block_interval_ms", c.consensus.idle_block_interval_ms},
        {"base_timeout_ms", c.consensus.base_timeout_ms},
        {"max_backoff_exponent", c.consensus.max_backoff_exponent}}},
      {"mempool",
       {{"max_txs", c.mempool.max_txs},
        {"max_bytes", c.mempool.max_bytes},
        {"nonce_window", c.mempool.nonce_window},
        {"status_cache", c.mempool.status_cache},
        {"max_signer_txs", c.mempool.max_signer_txs},
        {"max_signer_bytes", c.mempool.max_signer_bytes},
        {"max_org_txs", c.mempool.max_org_txs},
        {"max_org_bytes", c.mempool.max_org_bytes}}},
      {"resolver",
       {{"scan_key_file", c.resolver.scan_key_file},
        {"scan_interval_s", c.resolver.scan_interval_s}}},
      {"storage", {{"retain_versions", c.storage.retain_versions}}},
  };
}

}  // namespace tidemark::node::config
