// The OpenAPI entries of the explorer's routes (explorer_api.h), merged into /openapi.json.
#include <nlohmann/json.hpp>

#include "explorer_openapi_json.h"  // kExplorerPaths, kExplorerSchemas (from the .json files)
#include "tidemark/node/api/explorer_api.h"

using nlohmann::json;

namespace tidemark::node::api {

const nlohmann::json& ExplorerOpenApiPaths() {
  static const json paths = json::parse(kExplorerPaths);
  return paths;
}

const nlohmann::json& ExplorerOpenApiSchemas() {
  static const json schemas = json::parse(kExplorerSchemas);
  return schemas;
}

}  // namespace tidemark::node::api
