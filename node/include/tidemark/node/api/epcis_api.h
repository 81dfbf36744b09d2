// epcis_api.h — the GS1 EPCIS 2.0 REST binding of a node: capture and event queries.
//
//   api::EpcisApi epcis(&ledger, {.max_json_depth = 32, .tokens = cfg.capture_tokens});
//   TM_RETURN_IF_ERROR(epcis.Init());     // loads the capture tokens' key files
//   epcis.Register(&router);
//
// Routes (docs/api.md §EPCIS):
//   POST /epcis/capture              an EPCISDocument (application/json or application/ld+json),
//                                    `Authorization: Bearer <token>`. The whole document is
//                                    validated first (400 problem naming the field; nothing is
//                                    written), then the node signs ONE prov.capture tx with the
//                                    member key its config maps the token to and submits it:
//                                    202 + `Location: /epcis/capture/{captureID}` + the job.
//                                    A document that does not fit one tx is refused (413).
//   GET  /epcis/capture/{captureID}  the capture job: running / success / errors, with the tx id
//                                    and block height. captureID is the tx id, so any node of the
//                                    network answers it, also after a restart.
//   GET  /epcis/events?...           the standard query parameters (EventQuery::FromParams) over
//                                    one consistent executed state: an EPCISQueryDocument with
//                                    the captured @context; perPage / nextPageToken pages
//                                    (Link rel="next", HMAC-protected tokens); errors as the
//                                    binding's epcisException problem types.
//
// Unknown token: 401; a token whose key is not an active key with a capture role: 403;
// GS1-EPCIS-Version other than 2.0.x: 406; GS1-Capture-Error-Behaviour other than rollback: 400
// (a capture is one atomic transaction).
//
// Thread safety: Init() and Register() once before serving; handlers are then thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tidemark/crypto.h"
#include "tidemark/node/api/ledger_api.h"
#include "tidemark/node/config/config.h"
#include "tidemark/node/config/key_file.h"
#include "tidemark/node/http/router.h"

namespace tidemark::node::api {

struct EpcisOptions {
  size_t max_json_depth = 32;
  std::vector<config::CaptureTokenConfig> tokens;
  config::KeyPassphrase passphrase;     // for encrypted token key files (config/key_file.h)
  size_t max_remembered_jobs = 10'000;  // createdAt of recent captures (the job needs only the tx)
  // The rest of the binding (epcis_binding.cc, epcis_queries.cc; docs/api.md §EPCIS REST binding).
  std::string data_dir;                // named queries + subscriptions file; "" = memory only
  size_t capture_file_size_limit = 0;  // GS1-EPCIS-Capture-File-Size-Limit (the HTTP body limit)
  size_t max_queries = 100;            // named queries on this node
  size_t max_subscriptions = 100;      // webhook + streaming subscriptions on this node
  // Webhook destinations: http:// only, to these hosts (exact match). Loopback by default.
  std::vector<std::string> webhook_hosts = {"127.0.0.1", "localhost", "::1"};
  int webhook_timeout_ms = 3000;  // connect / send / receive, per attempt
  int webhook_attempts = 4;       // per delivery, with backoff 250 ms, 500 ms, 1 s ...
  int poll_ms = 200;              // how often new blocks are looked for
};

class EpcisApi {
 public:
  EpcisApi(LedgerApi* ledger, EpcisOptions options);
  EpcisApi(const EpcisApi&) = delete;
  EpcisApi& operator=(const EpcisApi&) = delete;
  ~EpcisApi();  // stops the subscription worker

  // Loads every token's key file; the error names the token entry and the file.
  Status Init();
  void Register(http::Router* router);

  struct Binding;  // internal: node/src/api/epcis_binding.h

 private:
  struct Token {
    Hash256 token_sha256;
    int64_t expires_at_ms = 0;
    std::string expires_at;
    bool revoked = false;
    KeyPair key;
    std::string label;
    std::mutex mu;                          // serialises this key's nonces
    uint64_t next_nonce = 0;                // one past the last nonce submitted here
    std::map<uint64_t, Hash256> in_flight;  // nonce -> tx id, submitted, not yet committed
  };

  http::HttpResponse Capture(const http::HttpRequest& req);
  http::HttpResponse GetJob(const http::HttpRequest& req, const std::string& id);
  http::HttpResponse Events(const http::HttpRequest& req);
  // The EPCISQueryDocument answer of a simple event query given as binding parameters (the
  // request's own query string for GET /epcis/events; a resource's or a named query's parameters
  // for the other query routes). Bad parameters are a problem answer naming the parameter.
  http::HttpResponse QueryResponse(const http::HttpRequest& req,
                                   const std::map<std::string, std::string>& params);
  // The token of an `Authorization: Bearer` header, or a 401 status (unknown, revoked or
  // expired token; `now_ms` is the wall clock).
  Result<Token*> Authenticate(const http::HttpRequest& req, int64_t now_ms);
  // Signs and submits a prov.capture tx with `token`'s key at its next nonce.
  Result<Hash256> SignAndSubmit(Token& token, const Bytes& args);

  // The binding's other routes, headers, named queries and subscriptions (epcis_binding.cc,
  // epcis_queries.cc).
  void RegisterBinding(http::Router* router);
  Status InitBinding();
  void RememberJob(const Hash256& id, const Token& token, uint64_t now_ms);

  LedgerApi* ledger_;
  EpcisOptions options_;
  std::unique_ptr<Binding> binding_;
  std::vector<std::unique_ptr<Token>> tokens_;
  std::mutex jobs_mu_;
  std::map<Hash256, uint64_t> created_ms_;  // captureID -> wall-clock ms of the POST
};

}  // namespace tidemark::node::api
