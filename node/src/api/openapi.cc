// The OpenAPI 3.1 description of the REST API, served at /openapi.json. A test checks that every
// route the router registers appears here with its method, and nothing else does.
#include "tidemark/node/api/explorer_api.h"
#include "tidemark/node/api/rest_api.h"

namespace tidemark::node::api {

namespace {

constexpr const char* kOpenApi = R"json({
  "openapi": "3.1.0",
  "info": {
    "title": "Tidemark node API",
    "version": "1.0.0",
    "description": "REST API of a Tidemark node. Errors are RFC 9457 problem documents (application/problem+json). Hashes, keys and signatures are lowercase hex. See docs/api.md."
  },
  "paths": {
    "/v1/status": {"get": {"summary": "Node and chain status", "operationId": "getStatus",
      "responses": {"200": {"description": "Status", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}}}},
    "/v1/blocks": {"get": {"summary": "Committed blocks, newest first", "operationId": "listBlocks",
      "parameters": [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
        {"name": "cursor", "in": "query", "description": "Opaque: the next_cursor of the previous page", "schema": {"type": "string"}}],
      "responses": {"200": {"description": "A page of block summaries", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BlockPage"}}}},
                    "400": {"$ref": "#/components/responses/Problem"}}}},
    "/v1/blocks/{id}": {"get": {"summary": "A block with its commit certificate and receipts", "operationId": "getBlock",
      "parameters": [{"name": "id", "in": "path", "required": true, "description": "Height (decimal) or block id (64 hex digits)", "schema": {"type": "string"}}],
      "responses": {"200": {"description": "The block", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Block"}}}},
                    "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/v1/validators": {"get": {"summary": "The current validator set", "operationId": "getValidators",
      "responses": {"200": {"description": "Validators", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValidatorSet"}}}}}}},
    "/v1/txs": {"post": {"summary": "Submit a signed transaction (idempotent)", "operationId": "submitTx",
      "parameters": [
        {"name": "wait", "in": "query", "schema": {"type": "string", "enum": ["commit"]}, "description": "Wait until the tx is committed or rejected"},
        {"name": "timeout_ms", "in": "query", "schema": {"type": "integer", "minimum": 0}, "description": "Longest wait (capped by the server)"}],
      "requestBody": {"required": true, "content": {
        "application/json": {"schema": {"type": "object", "required": ["tx"], "additionalProperties": false, "properties": {"tx": {"type": "string", "description": "hex of the canonical signed tx bytes"}}}},
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
      "responses": {
        "200": {"description": "Final: committed or rejected", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TxInfo"}}}},
        "202": {"description": "Accepted, pending", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TxInfo"}}}},
        "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
        "409": {"$ref": "#/components/responses/Problem"}, "413": {"$ref": "#/components/responses/Problem"},
        "415": {"$ref": "#/components/responses/Problem"}, "503": {"$ref": "#/components/responses/Problem"}}}},
    "/v1/txs/{id}": {"get": {"summary": "A transaction's status; with proof=true, its inclusion proof (docs/proofs.md)", "operationId": "getTx",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}},
        {"name": "proof", "in": "query", "schema": {"type": "boolean"}, "description": "Add \"proof\": a TxBundle (tx in the block's tx_root, receipt in a later header's receipts_root) with the block's commit certificate and the epoch chain"}],
      "responses": {"200": {"description": "pending / committed / rejected", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TxInfo"}}}},
                    "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/v1/state/{key}/proof": {"get": {"summary": "Proof of inclusion or absence of a state key", "operationId": "getStateProof",
      "parameters": [
        {"name": "key", "in": "path", "required": true, "description": "hex of the key bytes", "schema": {"type": "string"}},
        {"name": "height", "in": "query", "description": "state version (default: the latest); a version this node pruned answers 410 (storage.retain_versions, docs/storage.md)", "schema": {"type": "integer", "minimum": 0}}],
      "responses": {"200": {"description": "The proof", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/StateProof"}}}},
                    "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"},
                    "410": {"$ref": "#/components/responses/Problem"}}}},
    "/v1/genesis": {"get": {"summary": "The light-client trust anchor: chain id and genesis validator set (docs/proofs.md)", "operationId": "getGenesis",
      "responses": {"200": {"description": "Genesis validators", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Genesis"}}}},
                    "503": {"$ref": "#/components/responses/Problem"}}}},
    "/v1/epochs": {"get": {"summary": "Epoch-change links from the genesis set to epoch `to`", "operationId": "getEpochChain",
      "parameters": [{"name": "to", "in": "query", "schema": {"type": "integer", "minimum": 0}, "description": "Default: the current epoch"}],
      "responses": {"200": {"description": "Links, oldest first", "content": {"application/json": {"schema": {"type": "object", "properties": {
          "to_epoch": {"type": "integer"}, "links": {"type": "array", "items": {"type": "object", "properties": {"epoch": {"type": "integer"}, "link": {"type": "string", "description": "hex of EpochChange::EncodeTo"}}}}}}}}},
                    "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}}},
    "/v1/state/{key}": {"get": {"summary": "A state value; with proof=true, proven by a StateBundle", "operationId": "getState",
      "parameters": [
        {"name": "key", "in": "path", "required": true, "description": "hex of the key bytes", "schema": {"type": "string"}},
        {"name": "proof", "in": "query", "schema": {"type": "boolean"}, "description": "Read at the newest certified state version and add the bundle"}],
      "responses": {"200": {"description": "The value (null: absent)", "content": {"application/json": {"schema": {"type": "object", "properties": {
          "key": {"type": "string"}, "value": {"type": ["string", "null"]}, "value_json": {}, "state_version": {"type": "integer"},
          "proof": {"$ref": "#/components/schemas/ProofBundle"}}}}}},
                    "400": {"$ref": "#/components/responses/Problem"}, "503": {"$ref": "#/components/responses/Problem"}}}},
    "/01/{gtin}": {"get": {"summary": "GS1 Digital Link resolver: the trace as JSON (Accept: application/json) or the explorer page (text/html)", "operationId": "resolveGtin",
      "parameters": [{"name": "gtin", "in": "path", "required": true, "schema": {"type": "string"}},
        {"name": "proof", "in": "query", "schema": {"type": "boolean"}, "description": "Trace at the newest certified state version, with the bundle proving every state_keys entry"}],
      "responses": {"200": {"description": "Trace (JSON) or the explorer's index.html", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TraceAnswer"}}, "text/html": {"schema": {"type": "string"}}}},
                    "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "406": {"$ref": "#/components/responses/Problem"}}}},
    "/01/{gtin}/10/{lot}": {"get": {"summary": "GS1 Digital Link resolver: the trace as JSON (Accept: application/json) or the explorer page (text/html)", "operationId": "resolveLot",
      "parameters": [{"name": "gtin", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "lot", "in": "path", "required": true, "schema": {"type": "string"}},
        {"name": "proof", "in": "query", "schema": {"type": "boolean"}, "description": "Trace at the newest certified state version, with the bundle proving every state_keys entry"}],
      "responses": {"200": {"description": "Trace (JSON) or the explorer's index.html", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TraceAnswer"}}, "text/html": {"schema": {"type": "string"}}}},
                    "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "406": {"$ref": "#/components/responses/Problem"}}}},
    "/01/{gtin}/21/{serial}": {"get": {"summary": "GS1 Digital Link resolver: the trace as JSON (Accept: application/json) or the explorer page (text/html)", "operationId": "resolveSerial",
      "parameters": [{"name": "gtin", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "serial", "in": "path", "required": true, "schema": {"type": "string"}},
        {"name": "proof", "in": "query", "schema": {"type": "boolean"}, "description": "Trace at the newest certified state version, with the bundle proving every state_keys entry"}],
      "responses": {"200": {"description": "Trace (JSON) or the explorer's index.html", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TraceAnswer"}}, "text/html": {"schema": {"type": "string"}}}},
                    "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "406": {"$ref": "#/components/responses/Problem"}}}},
    "/01/{gtin}/10/{lot}/21/{serial}": {"get": {"summary": "GS1 Digital Link resolver: the trace as JSON (Accept: application/json) or the explorer page (text/html)", "operationId": "resolveLotSerial",
      "parameters": [{"name": "gtin", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "lot", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "serial", "in": "path", "required": true, "schema": {"type": "string"}},
        {"name": "proof", "in": "query", "schema": {"type": "boolean"}, "description": "Trace at the newest certified state version, with the bundle proving every state_keys entry"}],
      "responses": {"200": {"description": "Trace (JSON) or the explorer's index.html", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TraceAnswer"}}, "text/html": {"schema": {"type": "string"}}}},
                    "400": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "406": {"$ref": "#/components/responses/Problem"}}}},
    "/v1/events": {"get": {"summary": "Server-sent events: block and tx", "operationId": "events",
      "parameters": [
        {"name": "Last-Event-ID", "in": "header", "schema": {"type": "integer"}},
        {"name": "last_event_id", "in": "query", "schema": {"type": "integer"}, "description": "Same as the header, for EventSource's first connection"}],
      "responses": {"200": {"description": "text/event-stream of frames: id, event (block | tx | gap | reset), data (JSON)", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                    "503": {"$ref": "#/components/responses/Problem"}}}},
    "/epcis/capture": {"post": {"summary": "EPCIS 2.0 capture: validate an EPCISDocument, sign one prov.capture tx with the member key the bearer token maps to, submit it", "operationId": "epcisCapture",
      "security": [{"captureToken": []}],
      "parameters": [
        {"name": "GS1-EPCIS-Version", "in": "header", "schema": {"type": "string"}, "description": "2.0.x; anything else is 406"},
        {"name": "GS1-Capture-Error-Behaviour", "in": "header", "schema": {"type": "string", "enum": ["rollback"]}, "description": "Only rollback: a capture is one atomic tx"}],
      "requestBody": {"required": true, "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/EPCISDocument"}},
        "application/ld+json": {"schema": {"$ref": "#/components/schemas/EPCISDocument"}}}},
      "responses": {
        "202": {"description": "Accepted; Location: /epcis/capture/{captureID}", "headers": {"Location": {"schema": {"type": "string"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaptureJob"}}}},
        "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
        "403": {"$ref": "#/components/responses/Problem"}, "406": {"$ref": "#/components/responses/Problem"},
        "413": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"},
        "503": {"$ref": "#/components/responses/Problem"}}}},
    "/epcis/capture/{captureID}": {"get": {"summary": "An EPCIS capture job (captureID = the tx id)", "operationId": "epcisCaptureJob",
      "parameters": [{"name": "captureID", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}}],
      "responses": {"200": {"description": "The job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaptureJob"}}}},
                    "404": {"$ref": "#/components/responses/Problem"}}}},
    "/epcis/events": {"get": {"summary": "EPCIS 2.0 event query (simple event query parameters; several values of one parameter separated by |)", "operationId": "epcisEvents",
      "parameters": [
        {"name": "eventType", "in": "query", "schema": {"type": "string"}},
        {"name": "GE_eventTime", "in": "query", "schema": {"type": "string", "format": "date-time"}},
        {"name": "LT_eventTime", "in": "query", "schema": {"type": "string", "format": "date-time"}},
        {"name": "EQ_bizStep", "in": "query", "schema": {"type": "string"}},
        {"name": "EQ_disposition", "in": "query", "schema": {"type": "string"}},
        {"name": "MATCH_epc", "in": "query", "schema": {"type": "string"}},
        {"name": "MATCH_anyEPC", "in": "query", "schema": {"type": "string"}},
        {"name": "MATCH_parentID", "in": "query", "schema": {"type": "string"}},
        {"name": "MATCH_epcClass", "in": "query", "schema": {"type": "string"}},
        {"name": "MATCH_anyEPCClass", "in": "query", "schema": {"type": "string"}},
        {"name": "EQ_bizLocation", "in": "query", "schema": {"type": "string"}},
        {"name": "EQ_eventID", "in": "query", "schema": {"type": "string"}},
        {"name": "eventCountLimit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}],
      "responses": {"200": {"description": "EPCISQueryDocument", "content": {"application/json": {"schema": {"type": "object"}}}},
                    "400": {"$ref": "#/components/responses/Problem"}}}},
    "/healthz": {"get": {"summary": "Liveness", "operationId": "healthz",
      "responses": {"200": {"description": "The process serves requests", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    "/readyz": {"get": {"summary": "Readiness", "operationId": "readyz",
      "responses": {"200": {"description": "Ready", "content": {"application/json": {"schema": {"type": "object"}}}}, "503": {"$ref": "#/components/responses/Problem"}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics", "operationId": "metrics",
      "responses": {"200": {"description": "Prometheus text format 0.0.4", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    "/openapi.json": {"get": {"summary": "This document", "operationId": "openapi",
      "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
  },
  "components": {
    "responses": {
      "Problem": {"description": "RFC 9457 problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    },
    "securitySchemes": {
      "captureToken": {"type": "http", "scheme": "bearer", "description": "A capture token the node's config maps (by SHA-256) to a member key"}
    },
    "schemas": {
      "Hex": {"type": "string", "pattern": "^[0-9a-f]*$"},
      "EPCISDocument": {"type": "object", "required": ["type", "schemaVersion", "creationDate", "epcisBody"], "properties": {
        "type": {"const": "EPCISDocument"}, "schemaVersion": {"type": "string"}, "creationDate": {"type": "string"},
        "epcisBody": {"type": "object", "required": ["eventList"], "properties": {"eventList": {"type": "array", "maxItems": 1000, "items": {"type": "object"}}}}}},
      "CaptureJob": {"type": "object", "required": ["captureID", "running", "success"], "properties": {
        "captureID": {"type": "string"}, "createdAt": {"type": "string"}, "finishedAt": {"type": "string"},
        "running": {"type": "boolean"}, "success": {"type": "boolean"}, "captureErrorBehaviour": {"type": "string"},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Problem"}},
        "tx": {"$ref": "#/components/schemas/Hex"}, "status": {"type": "string", "enum": ["pending", "committed", "rejected"]},
        "height": {"type": "integer"}, "eventCount": {"type": "integer"}}},
      "Problem": {"type": "object", "required": ["type", "title", "status"], "properties": {
        "type": {"type": "string", "format": "uri"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"}}},
      "Status": {"type": "object", "properties": {
        "chain_id": {"type": "string"}, "node_version": {"type": "string"}, "height": {"type": "integer"},
        "head_id": {"$ref": "#/components/schemas/Hex"}, "head_timestamp_ms": {"type": "integer"},
        "exec_height": {"type": "integer"}, "state_root": {"$ref": "#/components/schemas/Hex"},
        "epoch": {"type": "integer"}, "validator_count": {"type": "integer"},
        "validator_index": {"type": ["integer", "null"]},
        "mempool": {"type": "object", "properties": {"txs": {"type": "integer"}, "bytes": {"type": "integer"}}},
        "peers": {"type": "integer"}, "syncing": {"type": "boolean"}}},
      "BlockSummary": {"type": "object", "properties": {
        "id": {"$ref": "#/components/schemas/Hex"}, "height": {"type": "integer"}, "round": {"type": "integer"},
        "timestamp_ms": {"type": "integer"}, "proposer": {"type": "integer"}, "tx_count": {"type": "integer"}}},
      "BlockPage": {"type": "object", "properties": {
        "blocks": {"type": "array", "items": {"$ref": "#/components/schemas/BlockSummary"}},
        "next_cursor": {"type": ["string", "null"]}}},
      "Header": {"type": "object", "properties": {
        "chain_id": {"type": "string"}, "epoch": {"type": "integer"}, "round": {"type": "integer"}, "height": {"type": "integer"},
        "parent": {"$ref": "#/components/schemas/Hex"}, "justify_hash": {"$ref": "#/components/schemas/Hex"},
        "proposer": {"type": "integer"}, "timestamp_ms": {"type": "integer"}, "tx_root": {"$ref": "#/components/schemas/Hex"},
        "tx_count": {"type": "integer"}, "exec_height": {"type": "integer"}, "state_root": {"$ref": "#/components/schemas/Hex"},
        "receipts_root": {"$ref": "#/components/schemas/Hex"}, "validators_hash": {"$ref": "#/components/schemas/Hex"}}},
      "QuorumCert": {"type": "object", "properties": {
        "epoch": {"type": "integer"}, "round": {"type": "integer"}, "height": {"type": "integer"},
        "block_id": {"$ref": "#/components/schemas/Hex"}, "commit_height": {"type": "integer"},
        "commit_id": {"$ref": "#/components/schemas/Hex"},
        "signatures": {"type": "array", "items": {"type": "object", "properties": {"index": {"type": "integer"}, "signature": {"$ref": "#/components/schemas/Hex"}}}},
        "raw": {"$ref": "#/components/schemas/Hex"}}},
      "Tx": {"type": "object", "properties": {
        "id": {"$ref": "#/components/schemas/Hex"}, "chain_id": {"type": "string"}, "signer": {"$ref": "#/components/schemas/Hex"},
        "nonce": {"type": "integer"}, "contract": {"type": "string"}, "method": {"type": "string"},
        "args": {"description": "the decoded Value (bytes as {\"$bytes\": hex})"}, "args_hex": {"$ref": "#/components/schemas/Hex"},
        "expiry_height": {"type": ["integer", "null"]}, "signature": {"$ref": "#/components/schemas/Hex"}, "raw": {"$ref": "#/components/schemas/Hex"}}},
      "Receipt": {"type": "object", "properties": {
        "tx_id": {"$ref": "#/components/schemas/Hex"}, "height": {"type": "integer"}, "index": {"type": "integer"},
        "status": {"type": "string", "enum": ["committed", "rejected"]}, "reason": {"type": "string"},
        "events": {"type": "array", "items": {"type": "object", "properties": {"type": {"type": "string"}, "data": {}}}},
        "hash": {"$ref": "#/components/schemas/Hex"}}},
      "Block": {"type": "object", "properties": {
        "id": {"$ref": "#/components/schemas/Hex"}, "header": {"$ref": "#/components/schemas/Header"},
        "raw_header": {"$ref": "#/components/schemas/Hex"}, "justify": {"$ref": "#/components/schemas/QuorumCert"},
        "certificate": {"oneOf": [{"$ref": "#/components/schemas/QuorumCert"}, {"type": "null"}]},
        "txs": {"type": "array", "items": {"$ref": "#/components/schemas/Tx"}},
        "receipts": {"oneOf": [{"type": "array", "items": {"$ref": "#/components/schemas/Receipt"}}, {"type": "null"}]}}},
      "ValidatorSet": {"type": "object", "properties": {
        "epoch": {"type": "integer"}, "quorum": {"type": "integer"}, "max_faulty": {"type": "integer"},
        "hash": {"$ref": "#/components/schemas/Hex"},
        "validators": {"type": "array", "items": {"type": "object", "properties": {
          "index": {"type": "integer"}, "key": {"$ref": "#/components/schemas/Hex"}, "org": {"type": "string"}}}}}},
      "TxInfo": {"type": "object", "required": ["id", "status"], "properties": {
        "id": {"$ref": "#/components/schemas/Hex"}, "status": {"type": "string", "enum": ["pending", "committed", "rejected"]},
        "height": {"type": "integer"}, "index": {"type": "integer"}, "reason": {"type": "string"}, "code": {"type": "string"},
        "tx": {"oneOf": [{"$ref": "#/components/schemas/Tx"}, {"type": "null"}]},
        "receipt": {"oneOf": [{"$ref": "#/components/schemas/Receipt"}, {"type": "null"}]}}},
      "Genesis": {"type": "object", "properties": {
        "chain_id": {"type": "string"}, "epoch": {"type": "integer"},
        "validators": {"type": "array", "items": {"type": "object"}},
        "validator_set": {"type": "string", "description": "hex of ValidatorSet::Encode (what verifiers decode)"},
        "validator_set_hash": {"type": "string", "description": "SHA-256 of validator_set: compare it with a published value"}}},
      "ProofBundle": {"type": "object", "description": "docs/proofs.md", "properties": {
        "format": {"type": "string", "enum": ["tidemark-state-bundle/v1", "tidemark-tx-bundle/v1"]},
        "bundle": {"type": "string", "description": "hex of StateBundle / TxBundle"},
        "bytes": {"type": "integer"}, "height": {"type": "integer"}, "state_version": {"type": "integer"},
        "epoch": {"type": "integer"}, "block_id": {"type": "string"}, "state_root": {"type": "string"},
        "available": {"type": "boolean"}, "reason": {"type": "string"}, "receipt_proven": {"type": "boolean"},
        "tampered": {"type": "boolean", "description": "Only from the test binary (tidemark-node-test --tamper-proofs)"}}},
      "TraceAnswer": {"type": "object", "description": "contracts::Trace as JSON (docs/provenance.md) plus as_of and, with proof=true, proof", "properties": {
        "id": {"type": "string"}, "digital_link": {"type": "string"}, "tracked": {"type": "boolean"},
        "product": {}, "lot": {}, "customs": {}, "scans": {}, "origin_country": {"type": "string"},
        "certificates": {"type": "array"}, "state": {"type": "string"}, "custody": {"type": "string"},
        "timeline": {"type": "array"}, "warnings": {"type": "array", "items": {"type": "string"}},
        "state_keys": {"type": "array", "items": {"type": "string"}},
        "as_of": {"type": "object", "properties": {"state_version": {"type": "integer"}, "height": {"type": "integer"}}},
        "proof": {"$ref": "#/components/schemas/ProofBundle"}}},
      "StateProof": {"type": "object", "properties": {
        "key": {"$ref": "#/components/schemas/Hex"}, "exists": {"type": "boolean"},
        "value": {"oneOf": [{"$ref": "#/components/schemas/Hex"}, {"type": "null"}]},
        "height": {"type": "integer"}, "state_root": {"$ref": "#/components/schemas/Hex"},
        "proof": {"$ref": "#/components/schemas/Hex"}}}
    }
  }
})json";

}  // namespace

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
         {{"application/problem+json",
           {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};
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
