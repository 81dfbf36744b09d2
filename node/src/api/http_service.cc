#include "tidemark/node/api/http_service.h"

#include <spdlog/spdlog.h>

namespace tidemark::node::api {

http::ServerOptions ServerOptionsFrom(const config::NodeConfig& c, std::string* note) {
  http::ServerOptions o;
  auto hp = config::SplitHostPort(c.http.listen);  // validated by the config parser
  if (hp.ok()) {
    o.listen_host = hp->first;
    o.listen_port = hp->second;
  }
  o.max_body_bytes = c.http.max_body_bytes;
  o.max_header_bytes = c.http.max_header_bytes;
  o.max_connections = c.http.max_connections;
  o.reserved_connections = c.http.reserved_connections;
  o.max_connections_per_client = c.http.max_connections_per_client;
  o.requests_per_second_per_client = c.http.requests_per_second_per_client;
  o.request_burst_per_client = c.http.request_burst_per_client;
  o.max_sse_streams = c.http.sse_max_clients;
  o.max_sse_per_client = c.http.max_sse_per_client;
  o.max_queued_requests = c.http.max_queued_requests;
  o.header_timeout_ms = c.http.header_timeout_ms;
  o.read_timeout_ms = c.http.read_timeout_ms;
  o.idle_timeout_ms = c.http.idle_timeout_ms;
  o.write_timeout_ms = c.http.write_timeout_ms;
  o.io_threads = c.http.io_threads;
  o.handler_threads = c.http.handler_threads;
  o.essential_threads = c.http.essential_threads;
  o.sse_keepalive_ms = c.http.sse_keepalive_ms;
  o.sse_max_duration_ms = c.http.sse_max_duration_ms;
  return http::BoundByDescriptors(o, http::RaiseDescriptorLimit(), note);
}

RestOptions RestOptionsFrom(const config::NodeConfig& c) {
  return RestOptions{.max_json_depth = c.http.max_json_depth,
                     .wait_commit_timeout_ms = c.http.wait_commit_timeout_ms,
                     .max_commit_waiters = c.http.max_commit_waiters,
                     .sse_queue = c.http.sse_queue,
                     .explorer_dir = c.explorer_dir};
}

mempool::MempoolOptions MempoolOptionsFrom(const config::NodeConfig& c) {
  return mempool::MempoolOptions{.chain_id = c.chain_id,
                                 .max_txs = c.mempool.max_txs,
                                 .max_bytes = c.mempool.max_bytes,
                                 .nonce_window = c.mempool.nonce_window,
                                 .max_signer_txs = c.mempool.max_signer_txs,
                                 .max_signer_bytes = c.mempool.max_signer_bytes,
                                 .max_org_txs = c.mempool.max_org_txs,
                                 .max_org_bytes = c.mempool.max_org_bytes,
                                 .status_cache = c.mempool.status_cache};
}

HttpService::HttpService(const config::NodeConfig& config, LedgerApi* ledger, BundleTamper tamper)
    : bus_(http::EventBusOptions{.ring_capacity = config.http.sse_ring,
                                 .max_subscribers = ServerOptionsFrom(config).max_sse_streams}),
      rest_(ledger, &bus_, &metrics_,
            [&] {
              RestOptions o = RestOptionsFrom(config);
              o.tamper = tamper;
              return o;
            }()),
      epcis_(ledger, EpcisOptions{.max_json_depth = config.http.max_json_depth,
                                  .tokens = config.capture_tokens,
                                  .passphrase = {.file = config.key_passphrase_file,
                                                 .env = config.key_passphrase_env},
                                  .data_dir = config.data_dir,
                                  .capture_file_size_limit = config.http.max_body_bytes,
                                  .webhook_hosts = config.epcis_webhook_hosts}),
      proofs_(ledger, ProofOptions{.explorer_dir = config.explorer_dir,
                                   .tamper = tamper,
                                   .on_scan =
                                       [this](const std::string& code) {
                                         if (scan_hook_) scan_hook_(code);
                                       }}),
      fin_(ledger, FinOptions{.chain_id = config.chain_id, .tamper = tamper}),
      plg_(ledger, PlgOptions{.chain_id = config.chain_id, .tamper = tamper}) {
  rest_.Register(&router_);
  epcis_.Register(&router_);
  proofs_.Register(&router_);
  fin_.Register(&router_);
  plg_.Register(&router_);
  std::string bounded;
  http::ServerOptions server_options = ServerOptionsFrom(config, &bounded);
  if (!bounded.empty()) spdlog::warn("{}", bounded);
  server_ = std::make_unique<http::HttpServer>(server_options, &router_, &metrics_);
}

HttpService::~HttpService() { Stop(); }

Status HttpService::Start() {
  TM_RETURN_IF_ERROR(epcis_.Init());
  return server_->Start();
}
void HttpService::Stop() { server_->Stop(); }

}  // namespace tidemark::node::api
