// The OpenAPI 3.1 description of the REST API, served at /openapi.json. A test checks that every
// route the router registers appears here with its method, and nothing else does.
#include "openapi_json.h"  // kOpenApi, embedded from openapi.json at configure time
#include "tidemark/node/api/explorer_api.h"
#include "tidemark/node/api/rest_api.h"

namespace tidemark::node::api {

const std::string& OpenApiDocument() {
  static const std::string doc = [] {
    nlohmann::json d = nlohmann::json::parse(kOpenApi);
    d["paths"].update(ExplorerOpenApiPaths());
    d["components"]["schemas"].update(ExplorerOpenApiSchemas());
    // The server itself may refuse any request before a route sees it (docs/api.md, Limits):
    // 429 for a client over its connection, stream or rate limit; 503 when a pool or the
    // handler queue is full. Both carry Retry-After.
    d["components"]["responses"]["Refused"] = {
        {"description", "Refused by the server's limits; retry after Retry-After seconds"},
        {"headers", {{"Retry-After", {{"schema", {{"type", "integer"}}}}}}},
        {"content",
         {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};
    for (auto& [path, ops] : d["paths"].items()) {
      for (auto& [method, op] : ops.items()) {
        if (!op.is_object() || !op.contains("responses")) continue;
        for (const char* code : {"429", "503"}) {
          if (!op["responses"].contains(code)) {
            op["responses"][code] = {{"$ref", "#/components/responses/Refused"}};
          }
        }
      }
    }
    return d.dump(2);
  }();
  return doc;
}

}  // namespace tidemark::node::api
