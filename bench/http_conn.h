// http_conn.h — one kept-alive HTTP/1.1 connection (Boost.Beast) for the load generator.
//
// The SDK's HttpClient opens a connection per request; a benchmark that did so would measure
// connects. An HttpConn connects on its first request, keeps the socket for the next ones and
// connects again (once per request) when the server closed it.
//
//   HttpConn c({"127.0.0.1", 8080, ""});
//   Result<client::HttpResponse> r = c.Post("/v1/txs", body);
//
// Thread safety: one thread at a time; the bench gives each worker its own.
#pragma once

#include <memory>
#include <string>

#include "tidemark/client/http_client.h"
#include "tidemark/status.h"

namespace tidemark::bench {

class HttpConn {
 public:
  explicit HttpConn(client::Url url, int timeout_ms = 15000);
  ~HttpConn();
  HttpConn(const HttpConn&) = delete;
  HttpConn& operator=(const HttpConn&) = delete;

  Result<client::HttpResponse> Get(const std::string& path);
  Result<client::HttpResponse> Post(const std::string& path, const std::string& body);
  uint64_t connects() const { return connects_; }

 private:
  Result<client::HttpResponse> Do(bool post, const std::string& path, const std::string& body);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  client::Url url_;
  int timeout_ms_;
  uint64_t connects_ = 0;
};

}  // namespace tidemark::bench
