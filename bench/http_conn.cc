#include "http_conn.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace tidemark::bench {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct HttpConn::Impl {
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

HttpConn::HttpConn(client::Url url, int timeout_ms)
    : impl_(std::make_unique<Impl>()), url_(std::move(url)), timeout_ms_(timeout_ms) {}

HttpConn::~HttpConn() {
  if (impl_->stream) {
    boost::system::error_code ec;
    impl_->stream->socket().shutdown(tcp::socket::shutdown_both, ec);
  }
}

Result<client::HttpResponse> HttpConn::Get(const std::string& path) { return Do(false, path, ""); }

Result<client::HttpResponse> HttpConn::Post(const std::string& path, const std::string& body) {
  return Do(true, path, body);
}

Result<client::HttpResponse> HttpConn::Do(bool post, const std::string& path,
                                          const std::string& body) {
  // A kept-alive socket the server closed fails on write or read: connect again, once.
  for (int attempt = 0; attempt < 2; ++attempt) {
    boost::system::error_code ec;
    if (!impl_->stream) {
      tcp::resolver resolver(impl_->io);
      auto results = resolver.resolve(url_.host, std::to_string(url_.port), ec);
      if (ec) return Status::Unavailable("cannot resolve " + url_.host + ": " + ec.message());
      impl_->stream.emplace(impl_->io);
      impl_->stream->expires_after(std::chrono::milliseconds(timeout_ms_));
      impl_->stream->connect(results, ec);
      if (ec) {
        impl_->stream.reset();
        return Status::Unavailable("cannot connect to " + url_.ToString() + ": " + ec.message());
      }
      impl_->stream->socket().set_option(tcp::no_delay(true), ec);
      impl_->buffer.clear();
      ++connects_;
    }
    http::request<http::string_body> req(post ? http::verb::post : http::verb::get,
                                         url_.base_path + path, 11);
    req.set(http::field::host, url_.host + ":" + std::to_string(url_.port));
    req.set(http::field::user_agent, "tidemark-bench");
    req.keep_alive(true);
    if (post) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    impl_->stream->expires_after(std::chrono::milliseconds(timeout_ms_));
    http::write(*impl_->stream, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 << 20);
    if (!ec) http::read(*impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
      impl_->stream.reset();
      if (ec == beast::error::timeout)
        return Status::DeadlineExceeded("no answer from " + url_.ToString());
      if (attempt == 0) continue;
      return Status::Unavailable("http: " + ec.message());
    }
    const auto& res = parser.get();
    client::HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    out.content_type = std::string(res[http::field::content_type]);
    if (!res.keep_alive()) impl_->stream.reset();
    return out;
  }
  return Status::Unavailable("http: unreachable");
}

}  // namespace tidemark::bench
