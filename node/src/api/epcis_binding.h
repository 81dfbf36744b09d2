// epcis_binding.h (internal) — the EPCIS 2.0 REST binding beyond capture and GET /events: the
// binding's headers, OPTIONS discovery, the top-level resource routes, capture job lists, single
// events, named queries and their subscriptions (docs/api.md §EPCIS REST binding).
//
// epcis_binding.cc: headers, negotiation, OPTIONS, /, /capture (list), /events/{eventID}, the
// resource routes, /nextPageToken/{token}. epcis_queries.cc: /queries..., persistence of named
// queries and subscriptions (<data_dir>/epcis_queries.json), the subscription worker (webhooks,
// streams).
//
// Thread safety: every member function is safe from any thread once Register/Init ran.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "tidemark/node/api/epcis_api.h"
#include "tidemark/node/http/event_bus.h"

namespace tidemark::node::api {

// An RFC 7807 problem whose type is the binding's "epcisException:<exception>".
http::HttpResponse EpcisProblem(int status, const std::string& exception, const std::string& title,
                                const std::string& detail, const std::string& instance);

struct EpcisApi::Binding {
  explicit Binding(EpcisApi* a) : api(a) {}
  ~Binding();

  EpcisApi* api;

  // --- headers (epcis_binding.cc) ---
  // Runs `fn` after version negotiation (406 when the client's ranges exclude EPCIS / CBV 2.0),
  // then adds the binding's response headers and applies GS1-EPC-Format to identifiers.
  http::HttpResponse Answer(const http::HttpRequest& req,
                            const std::function<http::HttpResponse()>& fn);
  http::HttpResponse Options(const http::HttpRequest& req, const std::string& allow, bool capture);
  // GS1-EPC-Format applied to one identifier / to a query document / to a list of identifiers.
  // `cache` (optional): GTIN -> company prefix length already read for this answer.
  std::string ConvertId(const std::string& id, const std::string& format,
                        std::map<std::string, int>* cache = nullptr);
  void ConvertDocument(nlohmann::json* doc, const std::string& format);

  // --- capture jobs ---
  struct Job {
    Hash256 id;
    Hash256 token;  // the token's sha256: a token lists its own jobs
    uint64_t created_ms = 0;
  };
  std::mutex jobs_mu;
  std::deque<Job> jobs;  // newest last; at most options.max_remembered_jobs
  http::HttpResponse ListJobs(const http::HttpRequest& req);

  // --- resources ---
  http::HttpResponse Root(const http::HttpRequest& req);
  http::HttpResponse ResourceList(const http::HttpRequest& req, const std::string& resource);
  http::HttpResponse ResourceItem(const http::HttpRequest& req, const std::string& resource,
                                  const std::string& value);
  http::HttpResponse ResourceEvents(const http::HttpRequest& req, const std::string& resource,
                                    const std::string& value);
  http::HttpResponse OneEvent(const http::HttpRequest& req, const std::string& event_id);
  http::HttpResponse CaptureOne(const http::HttpRequest& req);

  // --- named queries and subscriptions (epcis_queries.cc) ---
  struct NamedQuery {
    std::string name;
    nlohmann::json query;                       // as given: {"EQ_bizStep": ["shipping"], ...}
    std::map<std::string, std::string> params;  // binding parameters ("a|b" for several)
    std::string owner;                          // sha256 hex of the creating capture token
    std::string created_at;
  };
  struct Sub {
    std::string id;
    std::string query;
    std::string owner;
    std::string dest;
    std::string secret;           // appended as ?secret= (the binding's callback)
    std::string signature_token;  // HMAC-SHA256 key of the GS1-Signature header
    bool report_if_empty = false;
    std::string created_at;
    int64_t last_ms = 0;                 // recordTime of the newest event delivered
    std::set<std::string> at_last;       // eventIDs delivered with recordTime == last_ms
    uint64_t delivered = 0, failed = 0;  // documents delivered / given up after retries
  };
  struct Stream {  // the SSE channel of one named query (stream=true)
    std::unique_ptr<http::EventBus> bus;
    int64_t last_ms = 0;
    std::set<std::string> at_last;
  };
  std::mutex q_mu;
  std::map<std::string, NamedQuery> queries;
  std::map<std::string, Sub> subs;  // by subscriptionID
  std::map<std::string, Stream> streams;
  uint64_t last_height = 0;

  Status Load();
  Status SaveLocked();  // REQUIRES q_mu
  std::string Path() const;
  http::HttpResponse ListQueries(const http::HttpRequest& req);
  http::HttpResponse CreateQuery(const http::HttpRequest& req);
  http::HttpResponse GetQuery(const http::HttpRequest& req, const std::string& name);
  http::HttpResponse DeleteQuery(const http::HttpRequest& req, const std::string& name);
  http::HttpResponse QueryEvents(const http::HttpRequest& req, const std::string& name);
  http::HttpResponse ListSubs(const http::HttpRequest& req, const std::string& name);
  http::HttpResponse CreateSub(const http::HttpRequest& req, const std::string& name);
  http::HttpResponse GetSub(const http::HttpRequest& req, const std::string& name,
                            const std::string& id);
  http::HttpResponse DeleteSub(const http::HttpRequest& req, const std::string& name,
                               const std::string& id);

  // The worker: on each new committed block, the new events of every subscribed query go to its
  // webhooks and its stream.
  std::mutex w_mu;
  std::condition_variable w_cv;
  bool stopping = false;
  std::thread worker;
  void Start();
  void Stop();
  void Run();
  void Tick();
  int64_t HeadTimeMs();
  // The named query's events recorded at or after `since_ms`, every page of them, as one query
  // document (or the engine's non-200 answer).
  http::HttpResponse NewerThan(const http::HttpRequest& req,
                               std::map<std::string, std::string> params, int64_t since_ms);
  // Marks the events `params` matches at `*last_ms` (the head block's time) as already seen.
  void Seed(const std::map<std::string, std::string>& params, int64_t* last_ms,
            std::set<std::string>* at_last);
};

}  // namespace tidemark::node::api
