#include "tidemark/node/api/epcis_api.h"

#include <sodium.h>

#include <array>
#include <cctype>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "epcis_binding.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/event_hash.h"
#include "tidemark/contracts/identity.h"
#include "tidemark/contracts/provenance.h"
#include "tidemark/hash.h"
#include "tidemark/node/config/key_file.h"
#include "tidemark/node/http/json_body.h"

namespace tidemark::node::api {

using http::HttpRequest;
using http::HttpResponse;
using nlohmann::json;

namespace {

HttpResponse Fail(const Status& s, const HttpRequest& req) {
  return http::ProblemFromStatus(s, req.path);
}

bool CanCapture(const contracts::KeyRecord& k) {
  using contracts::Role;
  for (Role r : {Role::kBrand, Role::kManufacturer, Role::kPlatform, Role::kExporter,
                 Role::kForwarder, Role::kCustomsBroker, Role::kCustoms, Role::kInspector,
                 Role::kBondedWarehouse, Role::kRetailer, Role::kRegulator}) {
    if (k.HasRole(r)) return true;
  }
  return false;
}

// The binding lets a capture carry an EPCISQueryDocument (e.g. the answer of another repository):
// its events are captured as if they came in an EPCISDocument. Other bodies are returned as is.
Result<std::string> AsEpcisDocument(const std::string& body, size_t max_depth) {
  if (body.find("EPCISQueryDocument") == std::string::npos) return body;
  TM_ASSIGN_OR_RETURN(json j, http::ParseJsonBody(body, max_depth));
  if (!j.is_object() || j.value("type", "") != "EPCISQueryDocument") return body;
  json::json_pointer list_at("/epcisBody/queryResults/resultsBody/eventList");
  if (!j.contains(list_at)) {
    return Status::Invalid(
        "epcisBody.queryResults.resultsBody.eventList: required in an "
        "EPCISQueryDocument");
  }
  json doc{{"type", "EPCISDocument"},
           {"schemaVersion", j.value("schemaVersion", "2.0")},
           {"creationDate", j.value("creationDate", "")},
           {"epcisBody", {{"eventList", j[list_at]}}}};
  if (j.contains("@context")) doc["@context"] = j["@context"];
  return doc.dump();
}

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

EpcisApi::EpcisApi(LedgerApi* ledger, EpcisOptions options)
    : ledger_(ledger), options_(std::move(options)), binding_(std::make_unique<Binding>(this)) {}

Status EpcisApi::Init() {
  tokens_.clear();
  for (size_t i = 0; i < options_.tokens.size(); ++i) {
    const config::CaptureTokenConfig& c = options_.tokens[i];
    std::string where = "capture_tokens[" + std::to_string(i) + "]";
    auto hash = Hash256::FromHex(c.token_sha256);
    if (!hash.ok()) return hash.status().WithContext(where + ".token_sha256");
    auto key = config::LoadKeyFile(c.key_file, options_.passphrase);
    if (!key.ok()) return key.status().WithContext(where + ".key_file");
    auto t = std::make_unique<Token>();
    t->token_sha256 = *hash;
    t->key = *key;
    t->label = c.label;
    t->expires_at_ms = c.expires_at_ms;
    t->expires_at = c.expires_at;
    t->revoked = c.revoked;
    tokens_.push_back(std::move(t));
  }
  return InitBinding();
}

void EpcisApi::Register(http::Router* r) {
  r->Add("POST", "/epcis/capture",
         [this](const HttpRequest& req, const http::PathParams&) {
           return binding_->Answer(req, [&] { return Capture(req); });
         },
         {"application/json", "application/ld+json"});
  r->Add("GET", "/epcis/capture/{captureID}",
         [this](const HttpRequest& req, const http::PathParams& p) {
           return binding_->Answer(req, [&] { return GetJob(req, p.at("captureID")); });
         });
  r->Add("GET", "/epcis/events", [this](const HttpRequest& req, const http::PathParams&) {
    return binding_->Answer(req, [&] { return Events(req); });
  });
  RegisterBinding(r);
}

Result<EpcisApi::Token*> EpcisApi::Authenticate(const HttpRequest& req, int64_t now_ms) {
  std::string auth = req.Header("authorization");
  const std::string scheme = "bearer ";
  bool bearer = auth.size() > scheme.size();
  for (size_t i = 0; bearer && i < scheme.size(); ++i) {
    bearer = std::tolower(static_cast<unsigned char>(auth[i])) == scheme[i];
  }
  if (!bearer) {
    return Status::Unauthenticated(
        "Authorization: expected \"Bearer <capture token>\" (or submit a signed prov.capture tx "
        "to POST /v1/txs)");
  }
  Hash256 h = Sha256(AsBytes(std::string_view(auth).substr(scheme.size())));
  Token* found = nullptr;
  for (const auto& t : tokens_) {  // every entry compared, in constant time
    if (sodium_memcmp(t->token_sha256.data.data(), h.data.data(), h.data.size()) == 0) {
      found = t.get();
    }
  }
  if (!found) return Status::Unauthenticated("Authorization: unknown capture token");
  if (found->revoked) {
    return Status::Unauthenticated("Authorization: capture token '" + found->label +
                                   "' was revoked; ask the node operator for a new one");
  }
  if (now_ms >= found->expires_at_ms) {
    return Status::Unauthenticated("Authorization: capture token '" + found->label +
                                   "' expired at " + found->expires_at +
                                   "; ask the node operator for a new one");
  }
  return found;
}

Result<Hash256> EpcisApi::SignAndSubmit(Token& token, const Bytes& args) {
  std::lock_guard<std::mutex> lock(token.mu);
  uint64_t committed = 0;
  std::string chain_id = ledger_->Status().chain_id;
  TM_RETURN_IF_ERROR(ledger_->ReadState([&](const contracts::StateView& view, uint64_t) -> Status {
    auto signer = contracts::ActiveSigner(view, token.key.public_key());
    if (!signer.ok()) {
      return Status::PermissionDenied("the capture token's key is not active: " +
                                      signer.status().message());
    }
    if (!CanCapture(*signer)) {
      return Status::PermissionDenied(
          "the capture token's key holds no role that may "
          "capture EPCIS events");
    }
    committed = contracts::NextNonce(view, token.key.public_key());
    return Status::Ok();
  }));
  token.in_flight.erase(token.in_flight.begin(), token.in_flight.lower_bound(committed));
  // Continue after our earlier submissions only while the first of them is still alive;
  // otherwise (dropped, refused) restart at the committed nonce.
  bool alive = false;
  if (auto it = token.in_flight.find(committed); it != token.in_flight.end()) {
    auto info = ledger_->GetTx(it->second);
    alive = info.ok() && info->record.state != mempool::TxState::kRejected;
  }
  if (!alive) token.in_flight.clear();
  uint64_t nonce = alive ? std::max(committed, token.next_nonce) : committed;
  Transaction tx{
      .chain_id = chain_id, .nonce = nonce, .contract = "prov", .method = "capture", .args = args};
  tx.SignWith(token.key);
  TM_ASSIGN_OR_RETURN(mempool::TxRecord rec, ledger_->SubmitTx(tx.Encode()));
  if (rec.state == mempool::TxState::kRejected) {
    return Status::Unavailable("the node refused the capture tx: " + rec.reason);
  }
  token.in_flight[nonce] = rec.id;
  token.next_nonce = nonce + 1;
  return rec.id;
}

HttpResponse EpcisApi::Capture(const HttpRequest& req) {
  auto token = Authenticate(req, static_cast<int64_t>(NowMs()));
  if (!token.ok()) {
    HttpResponse r = Fail(token.status(), req);
    r.SetHeader("WWW-Authenticate", "Bearer realm=\"epcis-capture\"");
    return r;
  }
  if (std::string v = req.Header("gs1-epcis-version"); !v.empty() && v.rfind("2.0", 0) != 0) {
    return http::Problem(406, "not-acceptable", "Not Acceptable",
                         "GS1-EPCIS-Version: this node speaks EPCIS 2.0, not " + v.substr(0, 20),
                         req.path);
  }
  if (std::string b = req.Header("gs1-capture-error-behaviour"); !b.empty() && b != "rollback") {
    return Fail(Status::Invalid("GS1-Capture-Error-Behaviour: only 'rollback' is supported (a "
                                "capture is one atomic transaction)"),
                req);
  }
  if (http::JsonNestingDepth(req.body) > options_.max_json_depth) {
    return Fail(
        Status::Invalid("json: nested deeper than " + std::to_string(options_.max_json_depth)),
        req);
  }
  auto text = AsEpcisDocument(req.body, options_.max_json_depth);
  if (!text.ok()) return Fail(Status::Invalid(text.status().message()), req);
  Value::List context;
  auto events = contracts::ParseEpcisDocumentText(*text, &context);
  if (!events.ok()) return Fail(Status::Invalid(events.status().message()), req);
  Value::List list(events->begin(), events->end());
  Value::Map arg_map{{"events", Value(std::move(list))}};
  if (!context.empty()) {
    // The document's namespace declarations travel with its events (docs/api.md, EPCIS query).
    Value ctx(std::move(context));
    if (Status c = contracts::CheckCaptureContext(ctx); !c.ok()) return Fail(c, req);
    arg_map["context"] = std::move(ctx);
  }
  Bytes args = Value(std::move(arg_map)).Encode();
  if (args.size() > kMaxArgsLen) {
    return http::Problem(
        413, "payload-too-large", "Payload Too Large",
        "the document's " + std::to_string(events->size()) + " events take " +
            std::to_string(args.size()) + " bytes; one capture is one transaction of at most " +
            std::to_string(kMaxArgsLen) + " bytes: split the document into several captures",
        req.path);
  }
  auto id = SignAndSubmit(**token, args);
  if (!id.ok()) return Fail(id.status(), req);
  uint64_t now = NowMs();
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    if (created_ms_.size() >= options_.max_remembered_jobs) created_ms_.clear();
    created_ms_[*id] = now;
  }
  RememberJob(*id, **token, now);
  json job{{"captureID", id->Hex()},
           {"createdAt", contracts::FormatEpcisTime(static_cast<int64_t>(now))},
           {"running", true},
           {"success", true},
           {"captureErrorBehaviour", "rollback"},
           {"errors", json::array()},
           {"tx", id->Hex()},
           {"status", "pending"},
           {"eventCount", events->size()}};
  HttpResponse r = http::JsonResponse(202, job);
  r.SetHeader("Location", "/epcis/capture/" + id->Hex());
  r.SetHeader("GS1-EPCIS-Capture-Limit", std::to_string(contracts::kMaxEventsPerCapture));
  r.SetHeader("GS1-Capture-Error-Behaviour", "rollback");
  return r;
}

HttpResponse EpcisApi::GetJob(const HttpRequest& req, const std::string& id_text) {
  auto id = Hash256::FromHex(id_text);
  if (!id.ok() || id_text.size() != 64) {
    return Fail(Status::NotFound("no capture job " + id_text.substr(0, 80)), req);
  }
  auto info = ledger_->GetTx(*id);
  if (!info.ok()) return Fail(info.status(), req);
  if (info->tx && (info->tx->contract != "prov" || info->tx->method != "capture")) {
    return Fail(Status::NotFound("tx " + id_text + " is not an EPCIS capture"), req);
  }
  const mempool::TxRecord& rec = info->record;
  json job{{"captureID", id_text},
           {"running", rec.state == mempool::TxState::kPending},
           {"success", rec.state != mempool::TxState::kRejected},
           {"captureErrorBehaviour", "rollback"},
           {"errors", json::array()},
           {"tx", id_text},
           {"status", mempool::TxStateName(rec.state)}};
  {
    std::lock_guard<std::mutex> lock(jobs_mu_);
    if (auto it = created_ms_.find(*id); it != created_ms_.end()) {
      job["createdAt"] = contracts::FormatEpcisTime(static_cast<int64_t>(it->second));
    }
  }
  if (info->tx) {
    if (auto args = Value::Decode(info->tx->args);
        args.ok() && args->Find("events") && args->Find("events")->is_list()) {
      job["eventCount"] = args->Find("events")->as_list().size();
    }
  }
  if (rec.state != mempool::TxState::kPending && rec.height > 0) {
    job["height"] = rec.height;
    if (auto b = ledger_->BlockAt(rec.height); b.ok()) {
      job["finishedAt"] =
          contracts::FormatEpcisTime(static_cast<int64_t>(b->block.header.timestamp_ms));
    }
  }
  if (rec.state == mempool::TxState::kRejected) {
    std::string reason = info->receipt ? info->receipt->reason : rec.reason;
    job["errors"].push_back({{"type", "urn:tidemark:problem:capture-rejected"},
                             {"title", "Capture rejected"},
                             {"status", 409},
                             {"detail", reason}});
  }
  HttpResponse r = http::JsonResponse(200, job);
  r.SetHeader("GS1-Capture-Error-Behaviour", "rollback");
  return r;
}

HttpResponse EpcisApi::Events(const HttpRequest& req) { return QueryResponse(req, req.query); }

namespace {

// ---- query answers: the binding's problem types and next-page tokens ------------------------

constexpr int64_t kPageTokenTtlMs = 60 * 60 * 1000;

// An RFC 9457 problem of the binding ("epcisException:QueryParameterException", ...).
HttpResponse EpcisProblem(int status, const std::string& exception, const std::string& detail,
                          const HttpRequest& req) {
  json body{{"type", "epcisException:" + exception},
            {"title", exception},
            {"status", status},
            {"detail", detail},
            {"instance", req.path}};
  HttpResponse r = http::JsonResponse(status, body);
  r.SetHeader("Content-Type", "application/problem+json");
  return r;
}

// A node-local secret for next-page tokens (a restart invalidates outstanding tokens).
const std::array<unsigned char, crypto_auth_hmacsha256_KEYBYTES>& PageTokenKey() {
  static const auto key = [] {
    std::array<unsigned char, crypto_auth_hmacsha256_KEYBYTES> k{};
    if (sodium_init() < 0) std::abort();
    crypto_auth_hmacsha256_keygen(k.data());
    return k;
  }();
  return key;
}

std::string B64(const std::string& bin) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bin.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bin.data()),
                    bin.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::string> UnB64(const std::string& text) {
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::string Mac(const std::string& payload) {
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256(reinterpret_cast<unsigned char*>(mac.data()),
                         reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                         PageTokenKey().data());
  return mac;
}

// The query a token belongs to: every parameter but nextPageToken, in name order.
std::string QueryDigest(const std::map<std::string, std::string>& params) {
  std::string all;
  for (const auto& [k, v] : params) {
    if (k == "nextPageToken") continue;
    all += k + "=" + v + "\n";
  }
  return Sha256(AsBytes(all)).Hex();
}

// Token: base64url("<expires ms>\n<query digest>\n<cursor>") "." base64url(HMAC-SHA256).
std::string MakePageToken(const std::string& cursor, const std::string& digest,
                          int64_t expires_ms) {
  std::string payload = std::to_string(expires_ms) + "\n" + digest + "\n" + cursor;
  return B64(payload) + "." + B64(Mac(payload));
}

Result<std::string> OpenPageToken(const std::string& token, const std::string& digest,
                                  int64_t now_ms) {
  const Status bad = Status::Invalid(
      "nextPageToken: not a token this node issued for this query (tampered, from another "
      "node or query, or issued before a restart)");
  size_t dot = token.find('.');
  if (token.size() > 4096 || dot == std::string::npos) return bad;
  auto payload = UnB64(token.substr(0, dot));
  auto mac = UnB64(token.substr(dot + 1));
  if (!payload || !mac || mac->size() != crypto_auth_hmacsha256_BYTES) return bad;
  if (crypto_auth_hmacsha256_verify(reinterpret_cast<const unsigned char*>(mac->data()),
                                    reinterpret_cast<const unsigned char*>(payload->data()),
                                    payload->size(), PageTokenKey().data()) != 0) {
    return bad;
  }
  size_t a = payload->find('\n');
  size_t b = a == std::string::npos ? a : payload->find('\n', a + 1);
  if (b == std::string::npos) return bad;
  if (payload->substr(a + 1, b - a - 1) != digest) return bad;
  int64_t expires = std::strtoll(payload->substr(0, a).c_str(), nullptr, 10);
  if (now_ms >= expires) {
    return Status::Invalid("nextPageToken: expired at " + contracts::FormatEpcisTime(expires) +
                           "; run the query again from its first page");
  }
  return payload->substr(b + 1);
}

}  // namespace

HttpResponse EpcisApi::QueryResponse(const HttpRequest& req,
                                     const std::map<std::string, std::string>& params) {
  std::map<std::string, std::string> query = params;
  std::string token;
  if (auto it = query.find("nextPageToken"); it != query.end()) {
    token = it->second;
    query.erase(it);
  }
  auto q = contracts::EventQuery::FromParams(query);
  if (!q.ok()) return EpcisProblem(400, "QueryParameterException", q.status().message(), req);
  const std::string digest = QueryDigest(query);
  const int64_t now = static_cast<int64_t>(NowMs());
  std::string cursor;
  if (!token.empty()) {
    auto c = OpenPageToken(token, digest, now);
    if (!c.ok()) return EpcisProblem(400, "QueryParameterException", c.status().message(), req);
    cursor = *c;
  }
  contracts::EventPage page;
  Status s = ledger_->ReadState([&](const contracts::StateView& view, uint64_t) -> Status {
    TM_ASSIGN_OR_RETURN(page, contracts::QueryEventPage(view, *q, cursor));
    return Status::Ok();
  });
  if (!s.ok()) {
    if (s.code() == Code::kInvalidArgument) {
      return EpcisProblem(400, "QueryParameterException", s.message(), req);
    }
    if (s.code() == Code::kResourceExhausted) {
      return EpcisProblem(413, "QueryTooLargeException", s.message(), req);
    }
    return EpcisProblem(http::HttpStatusFor(s.code()) == 503 ? 503 : 500, "ImplementationException",
                        s.message(), req);
  }
  HttpResponse r = http::JsonResponse(200, contracts::EventsToQueryDocument(page.records));
  if (!page.next_cursor.empty()) {
    const int64_t expires = now + kPageTokenTtlMs;
    std::string next = MakePageToken(page.next_cursor, digest, expires);
    std::string link = req.path + "?";
    for (const auto& [k, v] : query)
      link += http::PercentEncode(k) + "=" + http::PercentEncode(v) + "&";
    link += "nextPageToken=" + next;
    r.SetHeader("Link", "<" + link + ">; rel=\"next\"");
    r.SetHeader("GS1-Next-Page-Token-Expires", contracts::FormatEpcisTime(expires));
  }
  return r;
}

}  // namespace tidemark::node::api
