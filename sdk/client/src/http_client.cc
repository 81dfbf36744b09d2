#include "tidemark/client/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

namespace tidemark::client {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Result<Url> Url::Parse(const std::string& text) {
  std::string rest = text;
  if (rest.rfind("https://", 0) == 0) return Status::Invalid("https is not supported: " + text);
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  if (rest.find("://") != std::string::npos)
    return Status::Invalid("unsupported URL scheme: " + text);
  Url url;
  size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  if (slash != std::string::npos) {
    url.base_path = rest.substr(slash);
    while (!url.base_path.empty() && url.base_path.back() == '/') url.base_path.pop_back();
  }
  size_t colon = hostport.rfind(':');
  url.host = hostport.substr(0, colon);
  if (colon != std::string::npos) {
    std::string port = hostport.substr(colon + 1);
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
      return Status::Invalid("bad port in URL: " + text);
    }
    url.port = static_cast<uint16_t>(value);
  }
  if (url.host.empty()) return Status::Invalid("missing host in URL: " + text);
  for (char c : url.host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) {
      return Status::Invalid("bad host in URL: " + text);
    }
  }
  return url;
}

std::string Url::ToString() const {
  return "http://" + host + ":" + std::to_string(port) + base_path;
}

namespace {

Result<beast::tcp_stream> Connect(asio::io_context& io, const Url& url, int timeout_ms) {
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec) return Status::Unavailable("cannot resolve " + url.host + ": " + ec.message());
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::milliseconds(timeout_ms));
  stream.connect(results, ec);
  if (ec) return Status::Unavailable("cannot connect to " + url.ToString() + ": " + ec.message());
  return stream;
}

template <typename Req>
void SetHeaders(Req& req, const Url& url, const std::map<std::string, std::string>& headers) {
  req.set(http::field::host, url.host + ":" + std::to_string(url.port));
  req.set(http::field::user_agent, "tidemark-sdk");
  for (const auto& [k, v] : headers) req.set(k, v);
}

}  // namespace

Result<HttpResponse> HttpClient::Get(const std::string& path,
                                     const std::map<std::string, std::string>& headers) {
  return Do("GET", path, "", "", headers);
}

Result<HttpResponse> HttpClient::Post(const std::string& path, const std::string& body,
                                      const std::string& content_type,
                                      const std::map<std::string, std::string>& headers) {
  return Do("POST", path, body, content_type, headers);
}

Result<HttpResponse> HttpClient::Do(const std::string& method, const std::string& path,
                                    const std::string& body, const std::string& content_type,
                                    const std::map<std::string, std::string>& headers) {
  try {
    asio::io_context io;
    auto stream = Connect(io, url_, timeout_ms_);
    if (!stream.ok()) return stream.status();
    http::request<http::string_body> req(http::string_to_verb(method), url_.base_path + path, 11);
    SetHeaders(req, url_, headers);
    if (method == "POST") {
      req.set(http::field::content_type, content_type);
      req.body() = body;
      req.prepare_payload();
    }
    boost::system::error_code ec;
    stream->expires_after(std::chrono::milliseconds(timeout_ms_));
    http::write(*stream, req, ec);
    if (ec) return Status::Unavailable("sending request: " + ec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    http::read(*stream, buffer, parser, ec);
    if (ec == beast::error::timeout)
      return Status::DeadlineExceeded("no answer from " + url_.ToString());
    if (ec) return Status::Unavailable("reading response: " + ec.message());
    const auto& res = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(f.value());
    }
    out.content_type = out.headers["content-type"];
    stream->socket().shutdown(tcp::socket::shutdown_both, ec);
    return out;
  } catch (const std::exception& e) {
    return Status::Unavailable(std::string("http: ") + e.what());
  }
}

Status HttpClient::Stream(const std::string& path, const std::string& last_event_id,
                          const std::function<bool(const SseEvent&)>& on_event) {
  try {
    asio::io_context io;
    auto stream = Connect(io, url_, timeout_ms_);
    if (!stream.ok()) return stream.status();
    http::request<http::empty_body> req(http::verb::get, url_.base_path + path, 11);
    std::map<std::string, std::string> headers{{"Accept", "text/event-stream"}};
    if (!last_event_id.empty()) headers["Last-Event-ID"] = last_event_id;
    SetHeaders(req, url_, headers);
    boost::system::error_code ec;
    http::write(*stream, req, ec);
    if (ec) return Status::Unavailable("sending request: " + ec.message());
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    stream->expires_after(std::chrono::milliseconds(timeout_ms_));
    http::read_header(*stream, buffer, parser, ec);
    if (ec) return Status::Unavailable("reading response: " + ec.message());
    if (parser.get().result_int() != 200) {
      return Status::Unavailable("event stream answered HTTP " +
                                 std::to_string(parser.get().result_int()));
    }
    std::string pending;
    SseEvent event;
    char chunk[4096];
    while (!parser.is_done()) {
      parser.get().body().data = chunk;
      parser.get().body().size = sizeof chunk;
      stream->expires_after(std::chrono::milliseconds(timeout_ms_));
      http::read(*stream, buffer, parser, ec);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) return ec == beast::error::timeout ? Status::Ok() : Status::Unavailable(ec.message());
      pending.append(chunk, sizeof chunk - parser.get().body().size);
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) {
          if (!event.data.empty() || !event.event.empty()) {
            if (!event.data.empty() && event.data.back() == '\n') event.data.pop_back();
            if (!on_event(event)) return Status::Ok();
          }
          event = {};
          continue;
        }
        if (line[0] == ':') continue;  // comment / keep-alive
        size_t colon = line.find(':');
        std::string field = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        if (field == "id")
          event.id = value;
        else if (field == "event")
          event.event = value;
        else if (field == "data")
          event.data += value + "\n";
      }
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::Unavailable(std::string("http: ") + e.what());
  }
}

}  // namespace tidemark::client
