// http_service.h — everything the node serves over HTTP, assembled from a NodeConfig.
//
//   NodeLedger ledger(...);                               // your LedgerApi
//   api::HttpService http(cfg, &ledger);
//   TM_RETURN_IF_ERROR(http.Start());                      // binds cfg.http.listen
//   ...on every commit: api::PublishCommitted(&http.bus(), block, &receipts);
//   http.Stop();
//
// It owns the event bus, the metrics registry (other modules may register their metrics in
// metrics()), the router with the REST API and the explorer files, and the server.
//
// Thread safety: Start() / Stop() from one thread; bus() and metrics() are thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "tidemark/node/api/epcis_api.h"
#include "tidemark/node/api/fin_api.h"
#include "tidemark/node/api/plg_api.h"
#include "tidemark/node/api/proof_api.h"
#include "tidemark/node/api/rest_api.h"
#include "tidemark/node/config/config.h"
#include "tidemark/node/http/server.h"

namespace tidemark::node::api {

// The server's options from the config, its pools bounded by the process's descriptor limit
// (raised to the hard limit first; http::BoundByDescriptors); `*note` says what was lowered.
http::ServerOptions ServerOptionsFrom(const config::NodeConfig& c, std::string* note = nullptr);
RestOptions RestOptionsFrom(const config::NodeConfig& c);
mempool::MempoolOptions MempoolOptionsFrom(const config::NodeConfig& c);

class HttpService {
 public:
  // `tamper`: null in production (a test binary's hook, see proof_api.h).
  HttpService(const config::NodeConfig& config, LedgerApi* ledger, BundleTamper tamper = nullptr);
  ~HttpService();

  Status Start();
  void Stop();
  uint16_t port() const { return server_->port(); }
  http::EventBus& bus() { return bus_; }
  metrics::Registry& metrics() { return metrics_; }
  const http::Router& router() const { return router_; }
  // Called with the code of every Digital Link answered as JSON (the scan recorder). Set it
  // before Start().
  void SetScanHook(std::function<void(const std::string&)> hook) { scan_hook_ = std::move(hook); }

 private:
  http::EventBus bus_;
  metrics::Registry metrics_;
  http::Router router_;
  RestApi rest_;
  EpcisApi epcis_;
  std::function<void(const std::string&)> scan_hook_;
  ProofApi proofs_;
  FinApi fin_;
  PlgApi plg_;
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace tidemark::node::api
