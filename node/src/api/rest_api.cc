#include "tidemark/node/api/rest_api.h"

#include <charconv>

#include "tidemark/node/api/explorer_api.h"
#include "tidemark/node/api/json.h"
#include "tidemark/node/api/proof_api.h"
#include "tidemark/node/http/json_body.h"
#include "tidemark/node/http/static_files.h"

namespace tidemark::node::api {

using http::HttpRequest;
using http::HttpResponse;
using http::PathParams;
using nlohmann::json;

namespace {

Result<uint64_t> ParseU64(std::string_view s, const std::string& what) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return Status::Invalid(what + ": expected a non-negative integer, got '" +
                           std::string(s.substr(0, 40)) + "'");
  }
  return v;
}

Result<Hash256> ParseHash(std::string_view s, const std::string& what) {
  auto h = Hash256::FromHex(s);
  if (!h.ok()) return h.status().WithContext(what);
  return h;
}

// Matches kMaxStateKeyLen of the state tree (sdk state_proof.h).
constexpr size_t kMaxStateKeyBytes = 1024;

HttpResponse Fail(const Status& s, const HttpRequest& req) {
  return http::ProblemFromStatus(s, req.path);
}

}  // namespace

std::string EncodeBlockCursor(uint64_t next_height) {
  uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(next_height >> (56 - 8 * i));
  return "c1" + ToHex(ByteView(b, 8));
}

Result<uint64_t> DecodeBlockCursor(std::string_view cursor) {
  if (cursor.size() != 18 || cursor.substr(0, 2) != "c1") {
    return Status::Invalid("cursor: not a cursor this server issued");
  }
  auto b = FromHex(cursor.substr(2));
  if (!b.ok()) return Status::Invalid("cursor: not a cursor this server issued");
  uint64_t h = 0;
  for (uint8_t x : *b) h = (h << 8) | x;
  return h;
}

RestApi::RestApi(LedgerApi* ledger, http::EventBus* bus, metrics::Registry* metrics,
                 RestOptions options)
    : ledger_(ledger), bus_(bus), metrics_(metrics), options_(std::move(options)) {}

void RestApi::Register(http::Router* r) {
  auto plain = [this](HttpResponse (RestApi::*fn)(const HttpRequest&)) {
    return [this, fn](const HttpRequest& req, const PathParams&) { return (this->*fn)(req); };
  };
  auto with = [this](HttpResponse (RestApi::*fn)(const HttpRequest&, const std::string&),
                     std::string param) {
    return [this, fn, param](const HttpRequest& req, const PathParams& p) {
      return (this->*fn)(req, p.at(param));
    };
  };
  r->Add("GET", "/v1/status", plain(&RestApi::GetStatus));
  r->Add("GET", "/v1/blocks", plain(&RestApi::ListBlocks));
  r->Add("GET", "/v1/blocks/{id}", with(&RestApi::GetBlock, "id"));
  r->Add("GET", "/v1/validators", plain(&RestApi::GetValidators));
  r->Add("POST", "/v1/txs", plain(&RestApi::SubmitTx),
         {"application/json", "application/octet-stream"});
  r->Add("GET", "/v1/txs/{id}", with(&RestApi::GetTx, "id"));
  r->Add("GET", "/v1/state/{key}/proof", with(&RestApi::GetStateProof, "key"));
  r->Add("GET", "/v1/events", plain(&RestApi::Events));
  r->Add("GET", "/healthz", [](const HttpRequest&, const PathParams&) {
    return http::JsonResponse(200, json{{"status", "ok"}});
  });
  r->Add("GET", "/readyz", plain(&RestApi::Ready));
  r->Add("GET", "/metrics", [this](const HttpRequest&, const PathParams&) {
    return http::TextResponse(200, "text/plain; version=0.0.4; charset=utf-8",
                              metrics_ ? metrics_->Render() : std::string());
  });
  r->Add("GET", "/openapi.json", [](const HttpRequest&, const PathParams&) {
    return http::TextResponse(200, "application/json", OpenApiDocument());
  });
  RegisterExplorerRoutes(r, ledger_,
                         {.default_page_size = options_.default_page_size,
                          .max_page_size = options_.max_page_size});
  r->SetFallback(ExplorerFallback(options_.explorer_dir));
}

HttpResponse RestApi::GetStatus(const HttpRequest&) {
  return http::JsonResponse(200, StatusToJson(ledger_->Status()));
}

HttpResponse RestApi::Ready(const HttpRequest& req) {
  if (ledger_->Ready()) return http::JsonResponse(200, json{{"status", "ready"}});
  return http::Problem(503, "not-ready", "Service Unavailable",
                       "the node is starting or catching up", req.path);
}

HttpResponse RestApi::ListBlocks(const HttpRequest& req) {
  size_t limit = options_.default_page_size;
  if (const std::string* l = req.Query("limit")) {
    auto v = ParseU64(*l, "limit");
    if (!v.ok()) return Fail(v.status(), req);
    if (*v == 0 || *v > options_.max_page_size) {
      return Fail(Status::Invalid("limit: must be 1 to " + std::to_string(options_.max_page_size)),
                  req);
    }
    limit = *v;
  }
  uint64_t height = ledger_->Status().height;
  if (const std::string* c = req.Query("cursor")) {
    auto h = DecodeBlockCursor(*c);
    if (!h.ok()) return Fail(h.status(), req);
    height = std::min(height, *h);
  }
  json blocks = json::array();
  std::optional<uint64_t> next;
  for (size_t n = 0; n < limit; ++n) {
    auto b = ledger_->BlockAt(height);
    if (!b.ok()) {
      if (b.status().code() == Code::kNotFound) break;
      return Fail(b.status(), req);
    }
    blocks.push_back(BlockSummaryToJson(b->block));
    if (height == 0) {
      next.reset();
      break;
    }
    next = --height;
  }
  return http::JsonResponse(
      200, json{{"blocks", blocks},
                {"next_cursor", next ? json(EncodeBlockCursor(*next)) : json(nullptr)}});
}

HttpResponse RestApi::GetBlock(const HttpRequest& req, const std::string& id) {
  Result<BlockRecord> b = Status::Invalid("block id: a height or a 64-digit hex hash");
  if (id.size() == 64) {
    auto h = ParseHash(id, "block id");
    if (!h.ok()) return Fail(h.status(), req);
    b = ledger_->BlockById(*h);
  } else if (id.size() <= 20 && id.find_first_not_of("0123456789") == std::string::npos) {
    auto h = ParseU64(id, "block height");
    if (!h.ok()) return Fail(h.status(), req);
    b = ledger_->BlockAt(*h);
  }
  if (!b.ok()) return Fail(b.status(), req);
  return http::JsonResponse(200, BlockToJson(*b));
}

HttpResponse RestApi::GetValidators(const HttpRequest& req) {
  auto vs = ledger_->Validators();
  if (!vs.ok()) return Fail(vs.status(), req);
  return http::JsonResponse(200, ValidatorsToJson(*vs));
}

HttpResponse RestApi::SubmitTx(const HttpRequest& req) {
  Bytes raw;
  if (req.MediaType() == "application/json") {
    auto j = http::ParseJsonBody(req.body, options_.max_json_depth);
    if (!j.ok()) return Fail(j.status(), req);
    if (!j->is_object() || !j->contains("tx") || !(*j)["tx"].is_string()) {
      return Fail(Status::Invalid("body: expected {\"tx\": \"<hex of the signed tx>\"}"), req);
    }
    for (const auto& [k, v] : j->items()) {
      if (k != "tx") return Fail(Status::Invalid("body: unknown field '" + k + "'"), req);
    }
    auto b = FromHex((*j)["tx"].get_ref<const std::string&>());
    if (!b.ok()) return Fail(b.status().WithContext("tx"), req);
    raw = std::move(*b);
  } else {
    raw.assign(req.body.begin(), req.body.end());
  }
  if (raw.empty()) return Fail(Status::Invalid("tx: empty body"), req);
  bool wait = false;
  if (const std::string* w = req.Query("wait")) {
    if (*w != "commit") return Fail(Status::Invalid("wait: the only value is 'commit'"), req);
    wait = true;
  }
  uint64_t timeout_ms = options_.wait_commit_timeout_ms;
  if (const std::string* t = req.Query("timeout_ms")) {
    auto v = ParseU64(*t, "timeout_ms");
    if (!v.ok()) return Fail(v.status(), req);
    timeout_ms = std::min<uint64_t>(*v, options_.wait_commit_timeout_ms);
  }
  auto rec = ledger_->SubmitTx(raw);
  if (!rec.ok()) return Fail(rec.status(), req);
  json body = TxRecordToJson(*rec);
  mempool::TxState state = rec->state;
  if (wait && state == mempool::TxState::kPending) {
    auto info = ledger_->WaitTx(rec->id, std::chrono::milliseconds(timeout_ms));
    if (info.ok()) {
      body = TxInfoToJson(*info);
      state = info->record.state;
    }
  }
  HttpResponse resp = http::JsonResponse(state == mempool::TxState::kPending ? 202 : 200, body);
  resp.SetHeader("Location", "/v1/txs/" + rec->id.Hex());
  return resp;
}

HttpResponse RestApi::GetTx(const HttpRequest& req, const std::string& id) {
  auto h = ParseHash(id, "tx id");
  if (!h.ok()) return Fail(h.status(), req);
  auto info = ledger_->GetTx(*h);
  if (!info.ok()) return Fail(info.status(), req);
  json body = TxInfoToJson(*info);
  if (const std::string* p = req.Query("proof"); p != nullptr && (*p == "true" || *p == "1")) {
    body["proof"] = TxProofJson(*ledger_, *info, options_.tamper);  // proof_api.h
  }
  return http::JsonResponse(200, body);
}

HttpResponse RestApi::GetStateProof(const HttpRequest& req, const std::string& key_hex) {
  if (key_hex.size() > 2 * kMaxStateKeyBytes) {
    return Fail(Status::Invalid("key: longer than " + std::to_string(kMaxStateKeyBytes) + " bytes"),
                req);
  }
  auto key = FromHex(key_hex);
  if (!key.ok()) return Fail(key.status().WithContext("key"), req);
  if (key->empty()) return Fail(Status::Invalid("key: empty"), req);
  std::optional<uint64_t> height;
  if (const std::string* h = req.Query("height")) {
    auto v = ParseU64(*h, "height");
    if (!v.ok()) return Fail(v.status(), req);
    height = *v;
  }
  auto proof = ledger_->ProveState(*key, height);
  if (!proof.ok()) return Fail(proof.status(), req);
  return http::JsonResponse(200, StateProofToJson(*proof));
}

HttpResponse RestApi::Events(const HttpRequest& req) {
  std::optional<uint64_t> last;
  std::string header = req.Header("last-event-id");
  const std::string* q = req.Query("last_event_id");
  if (!header.empty() || q) {
    auto v = ParseU64(!header.empty() ? header : *q, "Last-Event-ID");
    if (!v.ok()) return Fail(v.status(), req);
    last = *v;
  }
  auto sub = bus_->Subscribe(last, options_.sse_queue);
  if (!sub.ok()) return Fail(sub.status(), req);
  HttpResponse resp;
  resp.event_stream = std::move(*sub);
  return resp;
}

void PublishCommitted(http::EventBus* bus, const Block& block,
                      const std::vector<Receipt>* receipts) {
  json summary = BlockSummaryToJson(block);
  summary["receipts"] = receipts ? receipts->size() : 0;
  bus->Publish("block", summary.dump());
  if (!receipts) return;
  for (const Receipt& r : *receipts) {
    mempool::TxRecord rec{.id = r.tx_id, .height = r.height, .index = r.index};
    rec.state = r.status == TxStatus::kCommitted ? mempool::TxState::kCommitted
                                                 : mempool::TxState::kRejected;
    rec.reason = r.reason;
    bus->Publish("tx", TxRecordToJson(rec).dump());
  }
}

}  // namespace tidemark::node::api
