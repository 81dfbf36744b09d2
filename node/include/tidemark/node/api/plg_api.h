// plg_api.h — the reads of the pledge registry (docs/finance.md §17, docs/api.md §Pledge
// registry and regulator), built exactly like fin_api.h.
//
// Routes:
//   GET /v1/plg/records/{id}[?proof=true]     signed; the record's parties and REGULATOR
//   GET /v1/plg/records/{id}/history          signed; same rule; every entry, oldest first
//   GET /v1/plg/parties/{org}/records         signed; the records of `org` the reader may read
//   GET /v1/plg/gazette/{registration_no}[?proof=true]   public; plg/gazette/ keys only
//   GET /v1/reg/alerts?from_height&cursor&limit   signed; REGULATOR only; fin/ and plg/
//                                             alerts merged in (height, tx index, k) order
//   GET /v1/reg/export?from_ms&to_ms&format=csv|json   signed; REGULATOR only; every fin/ and
//                                             plg/ history entry logged in [from_ms, to_ms), in
//                                             time order, streamed (http::BodyStream) page by page
// A non-party and an unknown id get ProtectedReadRefusal() (read_auth.h): the same bytes.
//
// Thread safety: Register() once; handlers are then safe from any thread (the LedgerApi is).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tidemark/node/api/ledger_api.h"
#include "tidemark/node/api/proof_api.h"
#include "tidemark/node/http/router.h"

namespace tidemark::node::api {

struct PlgOptions {
  std::string chain_id;  // the chain reads are signed for
  size_t max_party_records = 1000;
  size_t default_page_size = 20;
  size_t max_page_size = 100;
  size_t export_page_rows = 256;    // history entries per streamed piece of /v1/reg/export
  BundleTamper tamper;              // null in production; see proof_api.h
  std::function<int64_t()> now_ms;  // null: the wall clock (tests inject one)
};

class PlgApi {
 public:
  PlgApi(LedgerApi* ledger, PlgOptions options);
  void Register(http::Router* router);

 private:
  http::HttpResponse Record(const http::HttpRequest& req, const std::string& id);
  http::HttpResponse History(const http::HttpRequest& req, const std::string& id);
  http::HttpResponse PartyRecords(const http::HttpRequest& req, const std::string& org);
  http::HttpResponse Gazette(const http::HttpRequest& req, const std::string& no);
  http::HttpResponse Alerts(const http::HttpRequest& req);
  http::HttpResponse Export(const http::HttpRequest& req);

  LedgerApi* ledger_;
  PlgOptions options_;
};

}  // namespace tidemark::node::api
