// rest_api.h — the /v1 REST routes (DESIGN.md §4) over a LedgerApi, plus health, metrics,
// OpenAPI, server-sent events and the explorer's static files.
//
//   http::EventBus bus;
//   metrics::Registry metrics;
//   api::RestApi rest(&ledger, &bus, &metrics, {.explorer_dir = cfg.explorer_dir});
//   http::Router router;
//   rest.Register(&router);                              // every route below
//   http::HttpServer server(opts, &router, &metrics);
//   ...on commit: api::PublishCommitted(&bus, block, &receipts);
//
// Routes: GET /v1/status, GET /v1/blocks?limit&cursor, GET /v1/blocks/{id} (height or hash),
// GET /v1/validators, POST /v1/txs[?wait=commit[&timeout_ms=N]], GET /v1/txs/{id}[?proof=true],
// GET /v1/state/{key}/proof[?height=N], GET /v1/events (SSE; Last-Event-ID header or
// ?last_event_id=N), GET /healthz, GET /readyz, GET /metrics, GET /openapi.json, and any other GET
// from explorer_dir. docs/api.md documents each shape.
//
// POST /v1/txs?wait=commit never holds a handler thread: the request is parked (http::
// DeferredResponse) and answered when the bus carries the tx's "tx" event (PublishCommitted) or
// at the timeout, whichever is first. At most max_commit_waiters requests are parked; beyond,
// ?wait=commit is refused with 503 + Retry-After before the tx is submitted.
//
// Thread safety: Register() once; the handlers are then safe from any thread. The ledger, bus and
// metrics must outlive the router.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "tidemark/node/api/ledger_api.h"
#include "tidemark/node/api/proof_api.h"
#include "tidemark/node/http/event_bus.h"
#include "tidemark/node/http/router.h"
#include "tidemark/node/metrics/registry.h"

namespace tidemark::node::api {

struct RestOptions {
  size_t max_json_depth = 32;
  uint32_t wait_commit_timeout_ms = 10'000;  // default and maximum for ?wait=commit
  size_t max_commit_waiters = 1024;          // parked ?wait=commit requests
  size_t default_page_size = 20;
  size_t max_page_size = 100;
  size_t sse_queue = 256;    // events a slow SSE client may lag behind before it is dropped
  std::string explorer_dir;  // "" serves no static files
  BundleTamper tamper;       // null in production; see proof_api.h
};

class CommitWaiters;  // rest_api.cc

class RestApi {
 public:
  RestApi(LedgerApi* ledger, http::EventBus* bus, metrics::Registry* metrics, RestOptions options);
  ~RestApi();
  void Register(http::Router* router);

 private:
  http::HttpResponse GetStatus(const http::HttpRequest& req);
  http::HttpResponse ListBlocks(const http::HttpRequest& req);
  http::HttpResponse GetBlock(const http::HttpRequest& req, const std::string& id);
  http::HttpResponse GetValidators(const http::HttpRequest& req);
  http::HttpResponse SubmitTx(const http::HttpRequest& req);
  http::HttpResponse GetTx(const http::HttpRequest& req, const std::string& id);
  http::HttpResponse GetStateProof(const http::HttpRequest& req, const std::string& key);
  http::HttpResponse Events(const http::HttpRequest& req);
  http::HttpResponse Ready(const http::HttpRequest& req);
  // 200 with the final record, 202 while pending; `info` (GetTx) when known.
  http::HttpResponse TxAnswer(const mempool::TxRecord& rec, const std::optional<TxInfo>& info);

  LedgerApi* ledger_;
  http::EventBus* bus_;
  metrics::Registry* metrics_;
  RestOptions options_;
  std::shared_ptr<CommitWaiters> waiters_;  // shared with the bus listener
};

// Publishes a "block" event (BlockSummaryToJson plus "receipts": count) and one "tx" event per
// receipt (TxRecordToJson) for a committed block.
void PublishCommitted(http::EventBus* bus, const Block& block,
                      const std::vector<Receipt>* receipts);

// Block page cursors (cursor.h): tag "c1", the next height to list.
std::string EncodeBlockCursor(uint64_t next_height);
Result<uint64_t> DecodeBlockCursor(std::string_view cursor);

// The OpenAPI 3.1 document served at /openapi.json.
const std::string& OpenApiDocument();

}  // namespace tidemark::node::api
