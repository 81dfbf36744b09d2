// http_options.h — the `http` section of node.json: HttpConfig, and kHttpOptions, the one table of
// its numeric options. A row names an option (its key under "http", the HttpConfig member it
// fills), the range a config may give it and, in one line, what it bounds. From the table come the
// parser (config.cc: an unknown key, a wrong type or a value out of range is an error naming
// `http.<key>`), the range checks, NodeConfigToJson, and the option table of docs/api.md
// (tests/node/config_http_options_test.cc fails when the two differ and prints the table to paste;
// TIDEMARK_UPDATE_DOCS=1 rewrites it). Defaults stay in the member declarations — the server's
// limits refer to http::ServerOptions, the server's own defaults — and the table reads them
// (HttpOption::Default), so every number is written once.
//
//   for (const config::HttpOption& o : config::kHttpOptions) {
//     std::cout << "http." << o.name << " = " << o.Get(cfg.http) << " (default " << o.Default()
//               << ")\n";
//   }
//
// Adding an HTTP option: the member (with its default) below, its row in kHttpOptions, its use
// (api/http_service.cc hands the options to the server and the REST layer), then the docs test.
//
// Thread safety: constant data and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <variant>

#include "tidemark/node/http/server.h"

namespace tidemark::node::config {

// The server's own limits keep their defaults in http::ServerOptions (one place); the rest are
// the REST layer's. Every member but `listen` has a row in kHttpOptions.
struct HttpConfig {
  static inline const http::ServerOptions kServer{};  // (not constexpr: it holds a std::string)
  std::string listen = "127.0.0.1:8080";              // host:port; port 0 = ephemeral
  size_t max_body_bytes = kServer.max_body_bytes;
  size_t max_header_bytes = kServer.max_header_bytes;
  size_t max_connections = kServer.max_connections;
  size_t reserved_connections = kServer.reserved_connections;
  size_t max_connections_per_client = kServer.max_connections_per_client;
  uint32_t requests_per_second_per_client = kServer.requests_per_second_per_client;
  uint32_t request_burst_per_client = kServer.request_burst_per_client;
  size_t max_sse_per_client = kServer.max_sse_per_client;
  size_t max_queued_requests = kServer.max_queued_requests;
  uint32_t header_timeout_ms = kServer.header_timeout_ms;
  uint32_t read_timeout_ms = kServer.read_timeout_ms;
  uint32_t idle_timeout_ms = kServer.idle_timeout_ms;
  uint32_t write_timeout_ms = kServer.write_timeout_ms;
  uint32_t max_json_depth = 32;
  uint32_t io_threads = kServer.io_threads;
  uint32_t handler_threads = kServer.handler_threads;
  uint32_t essential_threads = kServer.essential_threads;
  uint32_t wait_commit_timeout_ms = 10'000;
  size_t max_commit_waiters = 1024;  // parked ?wait=commit requests, all clients
  uint32_t sse_keepalive_ms = kServer.sse_keepalive_ms;
  uint32_t sse_max_duration_ms = kServer.sse_max_duration_ms;
  size_t sse_queue = 256;
  size_t sse_ring = 4096;  // holds a full block's events (2000 txs + 1): see event_bus.h
  size_t sse_max_clients = kServer.max_sse_streams;
};

struct HttpOption {
  using Member = std::variant<size_t HttpConfig::*, uint32_t HttpConfig::*>;
  static constexpr uint64_t kNoMax = std::numeric_limits<uint64_t>::max();

  const char* name;  // key under "http" in node.json
  Member member;
  uint64_t min = 0;       // 1: "must be > 0"
  uint64_t max = kNoMax;  // kNoMax: the member type's maximum
  const char* doc;        // one line for docs/api.md: what it bounds, what a client gets beyond it

  uint64_t Get(const HttpConfig& c) const {
    return std::visit([&](auto m) -> uint64_t { return c.*m; }, member);
  }
  // The largest value the config may give: `max`, bounded by the member's type.
  uint64_t Max() const {
    uint64_t type_max = std::visit(
        [](auto m) -> uint64_t {
          return std::numeric_limits<std::remove_reference_t<decltype(HttpConfig{}.*m)>>::max();
        },
        member);
    return max < type_max ? max : type_max;
  }
  uint64_t Default() const { return Get(HttpConfig{}); }
};

inline constexpr HttpOption kHttpOptions[] = {
    {.name = "max_body_bytes",
     .member = &HttpConfig::max_body_bytes,
     .min = 1,
     .doc = "request body (or its Content-Length); beyond: 413, closed. A maximum-size tx (513 "
            "KiB) as JSON hex fits the default"},
    {.name = "max_header_bytes",
     .member = &HttpConfig::max_header_bytes,
     .min = 1,
     .doc = "request line and headers; beyond: 431, closed"},
    {.name = "max_connections",
     .member = &HttpConfig::max_connections,
     .min = 1,
     .doc = "ordinary connections, all clients; beyond, a connection goes to the reserve"},
    {.name = "reserved_connections",
     .member = &HttpConfig::reserved_connections,
     .doc = "the reserve: essential routes only, one request per connection (other routes: 503 "
            "`too-many-connections`; reserve full: 503, closed); 0 disables it"},
    {.name = "max_connections_per_client",
     .member = &HttpConfig::max_connections_per_client,
     .min = 1,
     .doc = "open connections of one client; beyond: 429 `too-many-connections-from-client`, "
            "closed (a browser opens ~6)"},
    {.name = "requests_per_second_per_client",
     .member = &HttpConfig::requests_per_second_per_client,
     .min = 1,
     .doc = "a client's token bucket refill; empty: 429 `rate-limited` with `Retry-After` "
            "(seconds until a token), closed"},
    {.name = "request_burst_per_client",
     .member = &HttpConfig::request_burst_per_client,
     .min = 1,
     .doc = "that bucket's size"},
    {.name = "max_sse_per_client",
     .member = &HttpConfig::max_sse_per_client,
     .min = 1,
     .doc = "event streams of one client; beyond: 429 `too-many-streams-from-client` (the "
            "explorer opens one per tab)"},
    {.name = "max_queued_requests",
     .member = &HttpConfig::max_queued_requests,
     .min = 1,
     .doc = "requests waiting for a handler thread (per pool); beyond: 503 `server-busy`"},
    {.name = "header_timeout_ms",
     .member = &HttpConfig::header_timeout_ms,
     .min = 1,
     .doc = "the whole request header, from its first byte (from the accept on a new "
            "connection); late: 408 (silently if nothing arrived), closed"},
    {.name = "read_timeout_ms",
     .member = &HttpConfig::read_timeout_ms,
     .min = 1,
     .doc = "the whole request, header and body; late: 408, closed"},
    {.name = "idle_timeout_ms",
     .member = &HttpConfig::idle_timeout_ms,
     .min = 1,
     .doc = "a kept-alive connection must start its next request within it, else closed"},
    {.name = "write_timeout_ms",
     .member = &HttpConfig::write_timeout_ms,
     .min = 1,
     .doc = "a response or an SSE frame must be taken by the client within it, else closed"},
    {.name = "max_json_depth",
     .member = &HttpConfig::max_json_depth,
     .min = 1,
     .doc = "JSON nesting of a request body; deeper: 400 (a linear scan before parsing)"},
    {.name = "io_threads",
     .member = &HttpConfig::io_threads,
     .min = 1,
     .max = 64,
     .doc = "threads that run the sockets"},
    {.name = "handler_threads",
     .member = &HttpConfig::handler_threads,
     .min = 1,
     .max = 256,
     .doc = "threads that run the route handlers"},
    {.name = "essential_threads",
     .member = &HttpConfig::essential_threads,
     .min = 1,
     .max = 64,
     .doc = "threads of the essential routes alone, so slow handlers never delay `/healthz`"},
    {.name = "wait_commit_timeout_ms",
     .member = &HttpConfig::wait_commit_timeout_ms,
     .doc = "default and cap of `?wait=commit`"},
    {.name = "max_commit_waiters",
     .member = &HttpConfig::max_commit_waiters,
     .min = 1,
     .doc = "parked `?wait=commit` requests, all clients; beyond: 503 `too-many-waiters` before "
            "the tx is submitted"},
    {.name = "sse_keepalive_ms",
     .member = &HttpConfig::sse_keepalive_ms,
     .min = 1,
     .doc = "a `: keep-alive` comment on every event stream this often"},
    {.name = "sse_max_duration_ms",
     .member = &HttpConfig::sse_max_duration_ms,
     .min = 1,
     .doc = "an event stream is ended after it; EventSource reconnects with `Last-Event-ID`"},
    {.name = "sse_queue",
     .member = &HttpConfig::sse_queue,
     .min = 1,
     .doc = "live events an SSE client may lag; beyond, it catches up from the ring (never "
            "dropped for lag)"},
    {.name = "sse_ring",
     .member = &HttpConfig::sse_ring,
     .min = 1,
     .doc = "recent events kept for `Last-Event-ID` resumption and lagging clients; the default "
            "holds a full block's events (2000 txs + 1), keep it above `max_block_txs`"},
    {.name = "sse_max_clients",
     .member = &HttpConfig::sse_max_clients,
     .min = 1,
     .doc = "event streams (GET /v1/events), all clients: a pool apart from ordinary "
            "connections, so full it never denies REST or scans; beyond: 503 `resource-exhausted` "
            "with `Retry-After`. With `max_connections` and `reserved_connections` it is bounded "
            "by the descriptor limit (see Limits)"},
};

}  // namespace tidemark::node::config
