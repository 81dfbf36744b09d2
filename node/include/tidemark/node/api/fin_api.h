// fin_api.h — the protected reads of supply-chain finance (docs/finance.md §1, docs/api.md
// §Finance): receivables for their parties and the regulator, and the bank's check of an invoice
// fingerprint with a proof of its state or of its absence.
//
//   api::FinApi fin(&ledger, {.chain_id = cfg.chain_id});
//   fin.Register(&router);
//
// Routes (every one needs `Authorization: Tidemark-Read ...`, read_auth.h; 401 without it):
//   GET /v1/fin/receivables/{id}[?proof=true]       the record, overdue, as_of [, proof]
//   GET /v1/fin/receivables/{id}/history?cursor&limit   its history entries, in order
//   GET /v1/fin/parties/{org}/receivables?cursor&limit  the receivables `org` is a party of
//   GET /v1/fin/check?fingerprint=<hex>&invoice_key=<hex>  free / registered / encumbered /
//                                                  closed of both, with a StateBundle (BANK or
//                                                  REGULATOR readers only)
//   GET /v1/fin/txs/{id}                            a tx as GET /v1/txs/{id}, unredacted, for
//                                                  the signer's organisation and REGULATOR
//   GET /v1/fin/borrowers/{org}                     what a lender checks of a borrower: its
//                                                  receivables, IP assets, equity holdings and
//                                                  receipts, each standing proven present or
//                                                  absent in one StateBundle, with priority
//                                                  (BANK or REGULATOR readers only)
// A receivable (and its history) is readable by its `parties` and any REGULATOR; anyone else,
// and any id that does not exist, gets ProtectedReadRefusal(): the same bytes either way.
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

struct FinOptions {
  std::string chain_id;  // the chain reads are signed for
  size_t default_page_size = 20;
  size_t max_page_size = 100;
  // Party-list entries examined per page (the reader may see few of them): a page ends early with
  // a next_cursor rather than scanning an unbounded index.
  size_t max_scan_per_page = 1000;
  // Items per section of a borrower answer (its bundle proves one key per item or invoice).
  size_t max_borrower_items = 200;
  BundleTamper tamper;              // null in production; see proof_api.h
  std::function<int64_t()> now_ms;  // null: the wall clock (tests inject one)
};

class FinApi {
 public:
  FinApi(LedgerApi* ledger, FinOptions options);
  void Register(http::Router* router);

 private:
  http::HttpResponse Receivable(const http::HttpRequest& req, const std::string& id);
  http::HttpResponse History(const http::HttpRequest& req, const std::string& id);
  http::HttpResponse PartyReceivables(const http::HttpRequest& req, const std::string& org);
  http::HttpResponse Check(const http::HttpRequest& req);
  http::HttpResponse Tx(const http::HttpRequest& req, const std::string& id);
  http::HttpResponse Borrower(const http::HttpRequest& req, const std::string& org);

  LedgerApi* ledger_;
  FinOptions options_;
};

// History cursors (cursor.h): tag "h1", the next sequence number to list.
std::string EncodeHistoryCursor(uint64_t next_seq);
Result<uint64_t> DecodeHistoryCursor(std::string_view cursor);
// Party-list cursors: tag "p1", the next receivable id ("rcv_" + 20 hex digits) as two fields.
Result<std::string> EncodePartyCursor(std::string_view next_id);
Result<std::string> DecodePartyCursor(std::string_view cursor);

}  // namespace tidemark::node::api
