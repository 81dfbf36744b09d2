// The OpenAPI entries of the explorer's routes (explorer_api.h), merged into /openapi.json.
#include <nlohmann/json.hpp>

#include "tidemark/node/api/explorer_api.h"

using nlohmann::json;

namespace tidemark::node::api {

namespace {

constexpr const char* kExplorerPaths = R"json({
  "/v1/search": {"get": {"summary": "Find a height, block, tx, account key, GTIN, Digital Link, EPC URN or organisation", "operationId": "search",
    "parameters": [{"name": "q", "in": "query", "required": true, "schema": {"type": "string", "maxLength": 512}}],
    "responses": {"200": {"description": "What the query names and the explorer path of each", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "query": {"type": "string"},
        "results": {"type": "array", "items": {"type": "object", "properties": {
          "kind": {"type": "string", "enum": ["block", "tx", "account", "org", "product", "lot", "item", "code"]},
          "id": {"type": "string"}, "label": {"type": "string"}, "path": {"type": "string"}}}}}}}}},
                  "400": {"$ref": "#/components/responses/Problem"}}}},
  "/v1/stats": {"get": {"summary": "Recent blocks, throughput, finality estimate, validators' signed and missed certificates", "operationId": "getStats",
    "parameters": [{"name": "blocks", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}],
    "responses": {"200": {"description": "Statistics over the last N committed blocks", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "height": {"type": "integer"}, "blocks_counted": {"type": "integer"}, "tx_count": {"type": "integer"},
        "avg_block_ms": {"type": ["integer", "null"]}, "tps": {"type": "number"}, "finality_ms": {"type": ["integer", "null"]},
        "quorum": {"type": "integer"}, "epoch": {"type": "integer"}, "mempool_txs": {"type": "integer"},
        "blocks": {"type": "array", "items": {"type": "object", "properties": {
          "height": {"type": "integer"}, "timestamp_ms": {"type": "integer"}, "tx_count": {"type": "integer"}, "proposer": {"type": "integer"},
          "round": {"type": "integer"}, "signers": {"type": "array", "items": {"type": "integer"}},
          "certified_at": {"type": "integer"}, "finality_ms": {"type": ["integer", "null"]}}}},
        "validators": {"type": "array", "items": {"type": "object", "properties": {
          "index": {"type": "integer"}, "org": {"type": "string"}, "key": {"$ref": "#/components/schemas/Hex"},
          "signed": {"type": "integer"}, "missed": {"type": "integer"}, "proposed": {"type": "integer"}}}}}}}}},
                  "400": {"$ref": "#/components/responses/Problem"}}}},
  "/v1/orgs": {"get": {"summary": "Every organisation", "operationId": "listOrgs",
    "responses": {"200": {"description": "Organisations, ascending by id", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "orgs": {"type": "array", "items": {"$ref": "#/components/schemas/Org"}}}}}}}}}},
  "/v1/orgs/{id}": {"get": {"summary": "An organisation with its keys", "operationId": "getOrg",
    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[a-z0-9_-]{1,64}$"}}],
    "responses": {"200": {"description": "The organisation", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Org"}}}},
                  "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
  "/v1/accounts/{key}": {"get": {"summary": "A key's record: organisation, kind, roles", "operationId": "getAccount",
    "parameters": [{"name": "key", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}}],
    "responses": {"200": {"description": "record is null for a key the identity contract does not know", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "key": {"$ref": "#/components/schemas/Hex"}, "record": {"oneOf": [{"$ref": "#/components/schemas/KeyRecord"}, {"type": "null"}]}}}}}},
                  "400": {"$ref": "#/components/responses/Problem"}}}},
  "/v1/accounts/{key}/txs": {"get": {"summary": "Committed txs signed by a key, oldest first", "operationId": "listAccountTxs",
    "parameters": [
      {"name": "key", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}},
      {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
      {"name": "cursor", "in": "query", "description": "Opaque: the next_cursor of the previous page", "schema": {"type": "string"}}],
    "responses": {"200": {"description": "A page of txs", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "key": {"$ref": "#/components/schemas/Hex"}, "next_cursor": {"type": ["string", "null"]},
        "txs": {"type": "array", "items": {"type": "object", "properties": {
          "id": {"$ref": "#/components/schemas/Hex"}, "height": {"type": "integer"}, "index": {"type": "integer"},
          "status": {"type": "string"}, "nonce": {"type": "integer"}, "contract": {"type": "string"}, "method": {"type": "string"},
          "reason": {"type": "string"}}}}}}}}},
                  "400": {"$ref": "#/components/responses/Problem"}, "503": {"$ref": "#/components/responses/Problem"}}}},
  "/v1/trace": {"get": {"summary": "The provenance trace of a code (Digital Link, EPC URN, GTIN), without proofs", "operationId": "getTrace",
    "parameters": [{"name": "code", "in": "query", "required": true, "schema": {"type": "string", "maxLength": 512}}],
    "responses": {"200": {"description": "The contract's Trace() answer (docs/provenance.md) plus the state height", "content": {"application/json": {"schema": {"type": "object"}}}},
                  "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
  "/v1/products/{gtin}": {"get": {"summary": "A product's master data and lots", "operationId": "getProduct",
    "parameters": [{"name": "gtin", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9]{8,14}$"}}],
    "responses": {"200": {"description": "product (null if not registered) and lots", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "gtin": {"type": "string"}, "product": {}, "height": {"type": "integer"}, "lots": {"type": "array", "items": {"type": "object"}}}}}}},
                  "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}}
})json";

constexpr const char* kExplorerSchemas = R"json({
  "Org": {"type": "object", "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "roles": {"type": "array", "items": {"type": "string"}},
    "active": {"type": "boolean"}, "admin_keys": {"type": "array", "items": {"$ref": "#/components/schemas/Hex"}},
    "validator_key": {"type": ["string", "null"]}, "service_key": {"type": ["string", "null"]},
    "keys": {"type": "array", "items": {"$ref": "#/components/schemas/KeyRecord"}}}},
  "KeyRecord": {"type": "object", "properties": {
    "key": {"$ref": "#/components/schemas/Hex"}, "org": {"type": "string"}, "kind": {"type": "string", "enum": ["admin", "member", "service"]},
    "roles": {"type": "array", "items": {"type": "string"}}, "label": {"type": "string"}, "active": {"type": "boolean"},
    "enrolled_height": {"type": "integer"}, "revoked_height": {"type": "integer"}}}
})json";

}  // namespace

const nlohmann::json& ExplorerOpenApiPaths() {
  static const json paths = json::parse(kExplorerPaths);
  return paths;
}

const nlohmann::json& ExplorerOpenApiSchemas() {
  static const json schemas = json::parse(kExplorerSchemas);
  return schemas;
}

}  // namespace tidemark::node::api
