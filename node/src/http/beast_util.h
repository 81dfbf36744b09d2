// beast_util.h (internal) — conversions between Beast messages and HttpRequest / HttpResponse,
// and the problem answers for parse errors. Included only by .cc files in node/src/http.
#pragma once

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>

#include "tidemark/node/http/message.h"

namespace tidemark::node::http::internal {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Fills `out`; returns a problem (400) when the target is not an origin-form path or its query is
// malformed.
std::optional<HttpResponse> FromBeast(BeastRequest&& in, HttpRequest* out);
BeastResponse ToBeast(HttpResponse&& in, unsigned version, bool keep_alive, bool head);
// 431 for header_limit, 413 for body_limit, 400 for other parse errors.
HttpResponse ProblemForParseError(const boost::beast::error_code& ec, std::string_view target);

}  // namespace tidemark::node::http::internal
