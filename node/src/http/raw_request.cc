#include "tidemark/node/http/raw_request.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include "beast_util.h"

namespace tidemark::node::http {

namespace bhttp = boost::beast::http;

HttpResponse HandleRawRequest(std::string_view bytes, const Router& router,
                              const ServerOptions& options) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
  parser.body_limit(options.max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == bhttp::error::need_more) {
      ec = {};
      if (n == 0) break;
    }
    if (ec) return internal::ProblemForParseError(ec, "");
    used += n;
    if (n == 0) break;
  }
  if (!parser.is_done()) {
    // put_eof asserts that something was parsed: an empty or header-incomplete input is simply
    // an incomplete request.
    if (parser.got_some()) parser.put_eof(ec);
    if (ec || !parser.is_done()) {
      return Problem(400, "malformed-request", "Bad Request", "incomplete request", "");
    }
  }
  HttpRequest req;
  if (auto problem = internal::FromBeast(parser.release(), &req)) return *problem;
  return router.Handle(req);
}

}  // namespace tidemark::node::http
