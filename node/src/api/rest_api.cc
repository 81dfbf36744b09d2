#include "tidemark/node/api/rest_api.h"

#include <atomic>
#include <charconv>
#include <map>
#include <mutex>

#include "tidemark/node/api/cursor.h"
#include "tidemark/node/api/explorer_api.h"
#include "tidemark/node/api/json.h"
#include "tidemark/node/api/proof_api.h"
#include "tidemark/node/api/read_auth.h"
#include "tidemark/node/http/deferred.h"
#include "tidemark/node/http/json_body.h"
#include "tidemark/node/http/static_files.h"
#include "tidemark/state_keys/finance.h"

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

// The parked ?wait=commit requests by tx id. Holds them weakly: a connection that goes away
// (server stopped) drops its deferred answer, and the entry is swept.
class CommitWaiters {
 public:
  explicit CommitWaiters(size_t max) : max_(max) {}

  bool Full() {
    std::lock_guard<std::mutex> lock(mu_);
    return FullLocked();
  }
  // False when max_ requests are parked.
  bool Add(const Hash256& id, const std::shared_ptr<http::DeferredResponse>& d) {
    std::lock_guard<std::mutex> lock(mu_);
    if (FullLocked()) return false;
    waiting_.emplace(id, d);
    size_.store(waiting_.size());
    return true;
  }
  // Forgets the answered or abandoned waiters of `id`.
  void Sweep(const Hash256& id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto [b, e] = waiting_.equal_range(id);
    for (auto it = b; it != e;) it = Gone(it->second) ? waiting_.erase(it) : std::next(it);
    size_.store(waiting_.size());
  }
  // A "tx" event (TxRecordToJson): wakes the waiters of that tx.
  void OnTxEvent(const std::string& data) {
    if (size_.load() == 0) return;
    json j = json::parse(data, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string()) return;
    auto id = Hash256::FromHex(j["id"].get_ref<const std::string&>());
    if (!id.ok()) return;
    std::vector<std::shared_ptr<http::DeferredResponse>> wake;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto [b, e] = waiting_.equal_range(*id);
      for (auto it = b; it != e; ++it) {
        if (auto d = it->second.lock()) wake.push_back(std::move(d));
      }
    }
    for (auto& d : wake) d->Signal();
  }

 private:
  static bool Gone(const std::weak_ptr<http::DeferredResponse>& w) {
    auto d = w.lock();
    return !d || d->claimed();
  }
  bool FullLocked() {
    if (waiting_.size() < max_) return false;
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      it = Gone(it->second) ? waiting_.erase(it) : std::next(it);
    }
    size_.store(waiting_.size());
    return waiting_.size() >= max_;
  }

  const size_t max_;
  std::mutex mu_;
  std::multimap<Hash256, std::weak_ptr<http::DeferredResponse>> waiting_;
  std::atomic<size_t> size_{0};
};

std::string EncodeBlockCursor(uint64_t next_height) { return EncodeCursor("c1", {next_height}); }

Result<uint64_t> DecodeBlockCursor(std::string_view cursor) {
  TM_ASSIGN_OR_RETURN(std::vector<uint64_t> f, DecodeCursor(cursor, "c1", 1));
  return f[0];
}

RestApi::RestApi(LedgerApi* ledger, http::EventBus* bus, metrics::Registry* metrics,
                 RestOptions options)
    : ledger_(ledger),
      bus_(bus),
      metrics_(metrics),
      options_(std::move(options)),
      waiters_(std::make_shared<CommitWaiters>(std::max<size_t>(1, options_.max_commit_waiters))) {
  if (bus_) {
    bus_->AddListener([w = waiters_](const http::BusEvent& e) {
      if (e.type == "tx") w->OnTxEvent(e.data);
    });
  }
}

RestApi::~RestApi() = default;

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
  for (const char* essential : {"/v1/status", "/healthz", "/readyz"}) {
    r->MarkEssential("GET", essential);
  }
  RegisterExplorerRoutes(
      r, ledger_,
      {.default_page_size = options_.default_page_size, .max_page_size = options_.max_page_size});
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
  if (wait && waiters_->Full()) {
    if (metrics_) {
      metrics_
          ->GetCounter("tidemark_http_refused_total",
                       "Connections and requests refused or cut off, by reason",
                       {{"reason", "commit_waiters"}})
          ->Inc();
    }
    HttpResponse busy = http::Problem(
        503, "too-many-waiters", "Service Unavailable",
        "too many ?wait=commit requests are waiting (" +
            std::to_string(options_.max_commit_waiters) +
            "); the tx was not submitted: retry later, or submit without wait and poll "
            "GET /v1/txs/{id}",
        req.path);
    busy.SetHeader("Retry-After", "1");
    return busy;
  }
  auto rec = ledger_->SubmitTx(raw);
  if (!rec.ok()) return Fail(rec.status(), req);
  if (!wait || rec->state != mempool::TxState::kPending) return TxAnswer(*rec, std::nullopt);
  // Park the request: answered on the tx's commit event or at the timeout, by a handler thread.
  mempool::TxRecord submitted = *rec;
  auto waiters = waiters_;
  auto deferred = std::make_shared<http::DeferredResponse>(
      std::chrono::milliseconds(timeout_ms), [this, waiters, submitted](bool) {
        waiters->Sweep(submitted.id);
        auto info = ledger_->GetTx(submitted.id);
        return TxAnswer(submitted, info.ok() ? std::optional<TxInfo>(*info) : std::nullopt);
      });
  if (!waiters_->Add(submitted.id, deferred)) return TxAnswer(submitted, std::nullopt);
  // It may have become final before it was registered.
  if (auto now = ledger_->GetTx(submitted.id);
      now.ok() && now->record.state != mempool::TxState::kPending) {
    deferred->Signal();
  }
  HttpResponse parked;
  parked.deferred = std::move(deferred);
  return parked;
}

HttpResponse RestApi::TxAnswer(const mempool::TxRecord& rec, const std::optional<TxInfo>& info) {
  json body = info ? TxInfoToJson(*info) : TxRecordToJson(rec);
  mempool::TxState state = info ? info->record.state : rec.state;
  HttpResponse resp = http::JsonResponse(state == mempool::TxState::kPending ? 202 : 200, body);
  resp.SetHeader("Location", "/v1/txs/" + rec.id.Hex());
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
  if (IsProtectedStateKey(ToString(*key))) {
    return ProtectedReadRefusal();
  }
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
    bool redact = r.index < block.txs.size() && IsPrivateContract(block.txs[r.index].contract);
    rec.reason = redact && !r.reason.empty() ? RedactedReason(r.reason) : r.reason;
    bus->Publish("tx", TxRecordToJson(rec).dump());
  }
}

}  // namespace tidemark::node::api
