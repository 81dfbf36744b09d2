#include "tidemark/client/ledger_client.h"

#include <nlohmann/json.hpp>
#include <thread>

#include "tidemark/hash.h"
#include "tidemark/signed_read.h"
#include "tidemark/state_keys/system.h"
#include "tidemark/state_proof.h"

namespace tidemark::client {

namespace {

using nlohmann::json;

Result<json> ParseAnswer(const Result<HttpResponse>& r, const std::string& what) {
  if (!r.ok()) return r.status();
  json j = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Invalid(what + ": the node answered HTTP " + std::to_string(r->status) +
                           " with a body that is not a JSON object");
  }
  if (r->status >= 400) {
    std::string detail = j.value("detail", j.value("title", std::string("error")));
    Code code = r->status == 404   ? Code::kNotFound
                : r->status == 401 ? Code::kUnauthenticated
                : r->status == 403 ? Code::kPermissionDenied
                : r->status == 409 ? Code::kFailedPrecondition
                : r->status >= 500 ? Code::kUnavailable
                                   : Code::kInvalidArgument;
    return Status(code, what + ": " + detail);
  }
  return j;
}

Result<std::string> Str(const json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_string()) return Status::Invalid(std::string("missing ") + field);
  return it->get<std::string>();
}

Result<TxOutcome> Outcome(const json& j) {
  TxOutcome o;
  TM_ASSIGN_OR_RETURN(std::string id, Str(j, "id"));
  TM_ASSIGN_OR_RETURN(o.id, Hash256::FromHex(id));
  TM_ASSIGN_OR_RETURN(o.status, Str(j, "status"));
  if (j.contains("height") && j["height"].is_number_unsigned()) o.height = j["height"];
  if (j.contains("reason") && j["reason"].is_string()) o.reason = j["reason"];
  o.answer_json = j.dump();
  return o;
}

}  // namespace

Result<TxOutcome> LedgerClient::Submit(const Transaction& tx, bool wait_commit) {
  auto r = http_.Post(std::string("/v1/txs") + (wait_commit ? "?wait=commit" : ""),
                      json{{"tx", ToHex(tx.Encode())}}.dump());
  TM_ASSIGN_OR_RETURN(json j, ParseAnswer(r, "submit"));
  return Outcome(j);
}

Result<TxOutcome> LedgerClient::GetTx(const Hash256& id) {
  TM_ASSIGN_OR_RETURN(json j, ParseAnswer(http_.Get("/v1/txs/" + id.Hex()), "tx"));
  return Outcome(j);
}

Result<VerifiedState> LedgerClient::ReadVerified(ByteView key, const ValidatorSet& validators) {
  TM_ASSIGN_OR_RETURN(json page, ParseAnswer(http_.Get("/v1/blocks?limit=1"), "blocks"));
  if (!page.contains("blocks") || !page["blocks"].is_array() || page["blocks"].empty()) {
    return Status::Unavailable("the node has no committed block");
  }
  TM_ASSIGN_OR_RETURN(std::string tip_id, Str(page["blocks"][0], "id"));
  auto block = http_.Get("/v1/blocks/" + tip_id);
  TM_ASSIGN_OR_RETURN(json bj, ParseAnswer(block, "block"));
  if (!bj.contains("header") || !bj["header"].contains("exec_height")) {
    return Status::Invalid("block: no header");
  }
  uint64_t exec = bj["header"]["exec_height"].get<uint64_t>();
  auto proof = http_.Get("/v1/state/" + ToHex(key) + "/proof?height=" + std::to_string(exec));
  TM_RETURN_IF_ERROR(ParseAnswer(proof, "state proof").status());
  return VerifyStateAnswer(block->body, proof->body, key, validators, chain_id_);
}

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<std::string> LedgerClient::ChainId() {
  if (!chain_id_.empty()) return chain_id_;
  TM_ASSIGN_OR_RETURN(json j, ParseAnswer(http_.Get("/v1/status"), "status"));
  TM_ASSIGN_OR_RETURN(chain_id_, Str(j, "chain_id"));
  return chain_id_;
}

Result<std::optional<Value>> LedgerClient::ReadValue(const std::string& key) {
  TM_ASSIGN_OR_RETURN(json j, ParseAnswer(http_.Get("/v1/state/" + ToHex(AsBytes(key)) + "/proof"),
                                          "state " + key));
  if (!j.contains("value") || j["value"].is_null()) return std::optional<Value>();
  TM_ASSIGN_OR_RETURN(std::string hex, Str(j, "value"));
  TM_ASSIGN_OR_RETURN(Bytes raw, FromHex(hex));
  TM_ASSIGN_OR_RETURN(Value v, Value::Decode(raw));
  return std::optional<Value>(std::move(v));
}

Result<uint64_t> LedgerClient::NextNonce(const PublicKey& signer) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> v, ReadValue(state_keys::sys::Nonce(signer)));
  uint64_t committed = 1;
  if (v && v->is_int() && v->as_int() > 0) committed = static_cast<uint64_t>(v->as_int());
  auto it = submitted_next_.find(signer);
  return it == submitted_next_.end() ? committed : std::max(committed, it->second);
}

Result<TxOutcome> LedgerClient::WaitFinal(const Hash256& id, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (true) {
    TM_ASSIGN_OR_RETURN(json j, ParseAnswer(http_.Get("/v1/txs/" + id.Hex()), "tx " + id.Hex()));
    TM_ASSIGN_OR_RETURN(TxOutcome o, Outcome(j));
    if (o.status != "pending") return o;
    if (std::chrono::steady_clock::now() >= until) {
      return Status::DeadlineExceeded("tx " + id.Hex() + " still pending");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Result<TxOutcome> LedgerClient::Call(const KeyPair& key, const std::string& contract,
                                     const std::string& method, const Value& args,
                                     std::chrono::milliseconds timeout) {
  TM_ASSIGN_OR_RETURN(std::string chain, ChainId());
  TM_ASSIGN_OR_RETURN(uint64_t nonce, NextNonce(key.public_key()));
  Transaction tx{.chain_id = chain,
                 .nonce = nonce,
                 .contract = contract,
                 .method = method,
                 .args = args.Encode()};
  if (tx.args.size() > kMaxArgsLen) {
    return Status::ResourceExhausted("args of " + contract + "." + method + " are " +
                                     std::to_string(tx.args.size()) + " bytes; a tx holds " +
                                     std::to_string(kMaxArgsLen));
  }
  tx.SignWith(key);
  TM_ASSIGN_OR_RETURN(TxOutcome first, Submit(tx, /*wait_commit=*/true));
  submitted_next_[key.public_key()] = nonce + 1;
  json answer = json::parse(first.answer_json, nullptr, false);
  if (first.status != "pending" && answer.is_object() && answer.contains("receipt") &&
      !answer["receipt"].is_null()) {
    return first;
  }
  return WaitFinal(tx.Id(), timeout);
}

Result<std::string> LedgerClient::QueryEpcisEvents(
    const std::map<std::string, std::string>& params) {
  std::string target = "/epcis/events";
  char sep = '?';
  for (const auto& [k, v] : params) {
    target += sep + UrlEncode(k) + "=" + UrlEncode(v);
    sep = '&';
  }
  auto r = http_.Get(target, {{"Accept", "application/json"}});
  TM_RETURN_IF_ERROR(ParseAnswer(r, "events").status());
  return r->body;
}

Result<std::string> LedgerClient::CaptureEpcisDocument(const std::string& document,
                                                       const std::string& token,
                                                       std::chrono::milliseconds timeout) {
  auto r = http_.Post("/epcis/capture", document, "application/ld+json",
                      {{"Authorization", "Bearer " + token}, {"GS1-EPCIS-Version", "2.0.0"}});
  TM_ASSIGN_OR_RETURN(json job, ParseAnswer(r, "capture"));
  std::string location = r->headers.count("location") ? r->headers.at("location") : "";
  if (location.rfind("/epcis/capture/", 0) != 0) {
    return Status::Invalid("capture: the node's 202 has no capture job Location");
  }
  auto until = std::chrono::steady_clock::now() + timeout;
  while (job.value("running", false)) {
    if (std::chrono::steady_clock::now() >= until) {
      return Status::DeadlineExceeded("capture job " + location + " still running");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    TM_ASSIGN_OR_RETURN(job, ParseAnswer(http_.Get(location), "capture job"));
  }
  return job.dump();
}

Result<HttpResponse> LedgerClient::SignedGet(const KeyPair& reader, const std::string& path) {
  TM_ASSIGN_OR_RETURN(std::string chain, ChainId());
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  // The target exactly as it goes on the request line (HttpClient prefixes the base path).
  std::string target = http_.url().base_path + path;
  return http_.Get(path, {{"Authorization", ReadAuthHeader(reader, chain, "GET", target, now_ms)},
                          {"Accept", "application/json"}});
}

namespace {

Result<std::string> FinAnswer(const Result<HttpResponse>& r, const std::string& what) {
  TM_RETURN_IF_ERROR(ParseAnswer(r, what).status());
  return r->body;
}

}  // namespace

Result<std::string> LedgerClient::FinReceivable(const KeyPair& reader, const std::string& id,
                                                bool proof) {
  return FinAnswer(
      SignedGet(reader, "/v1/fin/receivables/" + UrlEncode(id) + (proof ? "?proof=true" : "")),
      "receivable " + id);
}

Result<std::string> LedgerClient::FinHistory(const KeyPair& reader, const std::string& id) {
  return FinAnswer(SignedGet(reader, "/v1/fin/receivables/" + UrlEncode(id) + "/history"),
                   "history of " + id);
}

Result<std::string> LedgerClient::FinPartyReceivables(const KeyPair& reader, const std::string& org,
                                                      const std::string& cursor) {
  std::string path = "/v1/fin/parties/" + UrlEncode(org) + "/receivables";
  if (!cursor.empty()) path += "?cursor=" + UrlEncode(cursor);
  return FinAnswer(SignedGet(reader, path), "receivables of " + org);
}

Result<std::string> LedgerClient::FinCheck(const KeyPair& reader, const Hash256& fingerprint,
                                           const Hash256& invoice_key) {
  return FinAnswer(SignedGet(reader, "/v1/fin/check?fingerprint=" + fingerprint.Hex() +
                                         "&invoice_key=" + invoice_key.Hex()),
                   "check");
}

Result<VerifiedState> VerifyStateAnswer(const std::string& block_json,
                                        const std::string& proof_json, ByteView key,
                                        const ValidatorSet& validators, std::string_view chain_id) {
  json bj = json::parse(block_json, nullptr, false);
  json pj = json::parse(proof_json, nullptr, false);
  if (bj.is_discarded() || pj.is_discarded()) return Status::Invalid("answers are not JSON");
  // The header, by its canonical bytes.
  TM_ASSIGN_OR_RETURN(std::string raw_header, Str(bj, "raw_header"));
  TM_ASSIGN_OR_RETURN(Bytes header_bytes, FromHex(raw_header));
  TM_ASSIGN_OR_RETURN(BlockHeader header, BlockHeader::Decode(header_bytes));
  if (header.chain_id != chain_id) return Status::Unauthenticated("block is from another chain");
  Hash256 id = header.Id();
  // Its commit certificate, by its canonical bytes.
  if (!bj.contains("certificate") || !bj["certificate"].is_object()) {
    return Status::Unauthenticated("block has no commit certificate");
  }
  TM_ASSIGN_OR_RETURN(std::string raw_cert, Str(bj["certificate"], "raw"));
  TM_ASSIGN_OR_RETURN(Bytes cert_bytes, FromHex(raw_cert));
  TM_ASSIGN_OR_RETURN(QuorumCert cert, QuorumCert::Decode(cert_bytes));
  if (cert.data.commit_id != id || cert.data.commit_height != header.height) {
    return Status::Unauthenticated("the certificate does not commit this block");
  }
  TM_RETURN_IF_ERROR(cert.Verify(validators, chain_id));
  // The state proof against the certified root.
  TM_ASSIGN_OR_RETURN(std::string raw_proof, Str(pj, "proof"));
  TM_ASSIGN_OR_RETURN(Bytes proof_bytes, FromHex(raw_proof));
  TM_ASSIGN_OR_RETURN(StateProof proof, StateProof::Decode(proof_bytes));
  if (!pj.contains("height") || pj["height"] != header.exec_height) {
    return Status::Unauthenticated("the proof is not for the certified state");
  }
  TM_RETURN_IF_ERROR(VerifyStateProof(header.state_root, key, proof.value, proof));
  return VerifiedState{
      .value = proof.value, .state_height = header.exec_height, .block_height = header.height};
}

}  // namespace tidemark::client
