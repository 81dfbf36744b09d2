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
// Thread safety: Register() once; the handlers are then safe from any thread. The ledger, bus and
// metrics must outlive the router.
#pragma once

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
  size_t default_page_size = 20;
  size_t max_page_size = 100;
  size_t sse_queue = 256;    // events a slow SSE client may lag behind before it is dropped
  std::string explorer_dir;  // "" serves no static files
  BundleTamper tamper;        // null in production; see proof_api.h
};

class RestApi {
 public:
  RestApi(LedgerApi* ledger, http::EventBus* bus, metrics::Registry* metrics, RestOptions options);
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

  LedgerApi* ledger_;
  http::EventBus* bus_;
  metrics::Registry* metrics_;
  RestOptions options_;
};

// Publishes a "block" event (BlockSummaryToJson plus "receipts": count) and one "tx" event per
// receipt (TxRecordToJson) for a committed block.
void PublishCommitted(http::EventBus* bus, const Block& block,
                      const std::vector<Receipt>* receipts);

// Opaque page cursors: "c1" + 16 hex digits of the next height to list.
std::string EncodeBlockCursor(uint64_t next_height);
Result<uint64_t> DecodeBlockCursor(std::string_view cursor);

// The OpenAPI 3.1 document served at /openapi.json.
const std::string& OpenApiDocument();

}  // namespace tidemark::node::api
