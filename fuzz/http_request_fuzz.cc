// Fuzzes the REST request path without sockets: HTTP/1.1 parsing with the server's limits, target
// and query decoding, routing, content-type checks, JSON bodies with the depth bound, and every
// /v1 handler over a mempool-only ledger.
//
// Contract checked on every input (trap otherwise): the answer has a valid status; every error
// (>= 400) is an RFC 9457 problem whose JSON "status" equals the HTTP status.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "../tests/node/fake_ledger.h"  // the in-memory LedgerApi of the REST tests
#include "tidemark/node/api/rest_api.h"
#include "tidemark/node/http/event_bus.h"
#include "tidemark/node/http/raw_request.h"
#include "tidemark/node/http/router.h"
#include "tidemark/node/metrics/registry.h"

namespace {

using namespace tidemark::node;

struct World {
  tidemark::testing::FakeLedger ledger{"fuzz-chain"};
  http::EventBus bus{{.ring_capacity = 4, .max_subscribers = 4}};
  metrics::Registry metrics;
  api::RestApi rest{
      &ledger, &bus, &metrics, {.max_json_depth = 16, .wait_commit_timeout_ms = 0, .sse_queue = 4}};
  http::Router router;
  http::ServerOptions limits{.max_body_bytes = 64 << 10, .max_header_bytes = 8 << 10};
  World() { rest.Register(&router); }
};

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  http::HttpResponse r = http::HandleRawRequest(bytes, world->router, world->limits);
  if (r.event_stream) r.event_stream->Close();  // no socket to stream to
  Check(r.status >= 200 && r.status <= 599);
  if (r.status >= 400) {
    Check(r.Header("content-type") == "application/problem+json");
    nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
    Check(j.is_object() && j.contains("status") && j["status"] == r.status);
    Check(j.contains("type") && j.contains("title") && j.contains("detail"));
  }
  return 0;
}
