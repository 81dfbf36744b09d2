// Signed reads (signed_read.h, docs/api.md §Signed reads).
#include "tidemark/signed_read.h"

#include <string>

namespace tidemark {
namespace {

Status Bad(std::string what) {
  return Status::Unauthenticated("Authorization: " + std::move(what));
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Consumes "<name>=<value>" up to the next ',' (or the end when `last`).
Result<std::string_view> TakeParam(std::string_view* rest, std::string_view name, bool last) {
  std::string prefix = std::string(name) + "=";
  if (rest->substr(0, prefix.size()) != prefix) {
    return Bad("expected parameter \"" + std::string(name) +
               "=\" (exactly key=,ts=,sig= in order)");
  }
  rest->remove_prefix(prefix.size());
  size_t comma = rest->find(',');
  if (last) {
    if (comma != std::string_view::npos) return Bad("unexpected parameter after sig");
    std::string_view v = *rest;
    *rest = {};
    return v;
  }
  if (comma == std::string_view::npos) return Bad("missing parameters after " + std::string(name));
  std::string_view v = rest->substr(0, comma);
  rest->remove_prefix(comma + 1);
  return v;
}

}  // namespace

Bytes ReadAuthBody(std::string_view method, std::string_view target, int64_t ts_ms) {
  std::string body;
  body.reserve(method.size() + target.size() + 24);
  body.append(method).push_back('\n');
  body.append(target).push_back('\n');
  body.append(std::to_string(ts_ms));
  return Bytes(body.begin(), body.end());
}

std::string ReadAuthHeader(const KeyPair& key, std::string_view chain_id, std::string_view method,
                           std::string_view target, int64_t ts_ms) {
  Signature sig = key.Sign(SigKind::kRead, chain_id, ReadAuthBody(method, target, ts_ms));
  return std::string(kReadAuthScheme) + " key=" + key.public_key().Hex() +
         ",ts=" + std::to_string(ts_ms) + ",sig=" + sig.Hex();
}

Result<ReadAuth> ParseReadAuthHeader(std::string_view value) {
  if (value.size() > 512) return Bad("header too long");
  std::string scheme = std::string(kReadAuthScheme) + " ";
  if (value.substr(0, scheme.size()) != scheme) {
    return Bad("expected scheme \"Tidemark-Read \"");
  }
  std::string_view rest = value.substr(scheme.size());
  TM_ASSIGN_OR_RETURN(std::string_view key_hex, TakeParam(&rest, "key", false));
  TM_ASSIGN_OR_RETURN(std::string_view ts_dec, TakeParam(&rest, "ts", false));
  TM_ASSIGN_OR_RETURN(std::string_view sig_hex, TakeParam(&rest, "sig", true));

  if (key_hex.size() != 2 * PublicKey::kSize || !IsLowerHex(key_hex)) {
    return Bad("key must be 64 lower-case hex digits");
  }
  if (sig_hex.size() != 2 * Signature::kSize || !IsLowerHex(sig_hex)) {
    return Bad("sig must be 128 lower-case hex digits");
  }
  if (ts_dec.empty() || ts_dec.size() > 13) return Bad("ts must be 1 to 13 decimal digits");
  if (ts_dec.size() > 1 && ts_dec[0] == '0') return Bad("ts must not have leading zeros");
  int64_t ts = 0;
  for (char c : ts_dec) {
    if (c < '0' || c > '9') return Bad("ts must be decimal digits");
    ts = ts * 10 + (c - '0');
  }
  if (ts > kReadAuthMaxTsMs) return Bad("ts out of range");

  ReadAuth out;
  auto key = PublicKey::FromHex(key_hex);
  auto sig = Signature::FromHex(sig_hex);
  if (!key.ok() || !sig.ok()) return Bad("bad hex");
  out.key = *key;
  out.sig = *sig;
  out.ts_ms = ts;
  return out;
}

Status VerifyReadAuth(const ReadAuth& auth, std::string_view chain_id, std::string_view method,
                      std::string_view target, int64_t now_ms, int64_t window_ms) {
  // Both sides are bounded (ts by the parser; a clock in ms), so the difference cannot overflow
  // for any sane now_ms; guard anyway.
  if (auth.ts_ms < 0 || auth.ts_ms > kReadAuthMaxTsMs || now_ms < 0 || now_ms > kReadAuthMaxTsMs) {
    return Status::Unauthenticated("Authorization: ts out of range");
  }
  int64_t skew = now_ms - auth.ts_ms;
  if (skew > window_ms || -skew > window_ms) {
    return Status::Unauthenticated("Authorization: ts is " + std::to_string(skew / 1000) +
                                   " s away from the node's clock (window " +
                                   std::to_string(window_ms / 1000) + " s)");
  }
  if (!Verify(auth.key, SigKind::kRead, chain_id, ReadAuthBody(method, target, auth.ts_ms),
              auth.sig)) {
    return Status::Unauthenticated(
        "Authorization: signature does not verify (chain, method, target and ts must be the "
        "signed ones)");
  }
  return Status::Ok();
}

}  // namespace tidemark
