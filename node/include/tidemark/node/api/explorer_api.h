// explorer_api.h — the REST reads the block explorer needs (search, statistics, organisations,
// accounts, traces) and the explorer's single-page-app file fallback.
//
//   api::RegisterExplorerRoutes(&router, &ledger, {.max_page_size = 100});
//   router.SetFallback(api::ExplorerFallback(cfg.explorer_dir));
//
// Routes (docs/api.md, "Explorer reads"):
//   GET /v1/search?q=            height, block id, tx id, account key, GTIN, Digital Link, EPC URN,
//                                organisation id or name -> [{kind, id, label, path}]
//   GET /v1/stats?blocks=N       recent block times, tx counts, finality estimate, and each
//                                validator's signed / missed commit certificates over N blocks
//   GET /v1/orgs                 every organisation
//   GET /v1/orgs/{id}            one organisation with its keys
//   GET /v1/accounts/{key}       a key's record (organisation, roles)
//   GET /v1/accounts/{key}/txs?limit&cursor   the txs it signed, oldest first
//   GET /v1/trace?code=          the provenance contract's Trace() of a code (no proof)
//   GET /v1/products/{gtin}      a product's master data and lots
// Contract state is read through LedgerApi::ReadState, so one answer sees one state version.
// ExplorerFallback serves explorer_dir's files, and index.html for the app's own page paths (an
// extensionless GET that asks for HTML), so the app can route by location.pathname.
//
// Thread safety: register once before serving; the handlers are then safe from any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tidemark/node/api/ledger_api.h"
#include "tidemark/node/http/router.h"

namespace tidemark::node::api {

struct ExplorerOptions {
  size_t default_page_size = 20;
  size_t max_page_size = 100;
  size_t default_stats_blocks = 50;
  size_t max_stats_blocks = 200;
  size_t max_search_results = 20;
};

void RegisterExplorerRoutes(http::Router* router, LedgerApi* ledger, ExplorerOptions options = {});

// The static-file fallback with the single-page-app rule above.
http::Handler ExplorerFallback(const std::string& explorer_dir);

// The "paths" entries of the routes above and the component schemas they use, merged into
// /openapi.json.
const nlohmann::json& ExplorerOpenApiPaths();
const nlohmann::json& ExplorerOpenApiSchemas();

// Account tx cursors (cursor.h): tag "a1", the height and index of the last tx listed.
std::string EncodeAccountCursor(const TxLocationRef& after);
Result<TxLocationRef> DecodeAccountCursor(std::string_view cursor);

}  // namespace tidemark::node::api
