// raw_request.h — parses one HTTP/1.1 request from bytes and routes it, without sockets.
//
// The same conversion and limit checks the server applies, for the fuzz target and unit tests:
//
//   HttpResponse r = HandleRawRequest("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", router, {});
//
// Thread safety: pure, given a router that is safe to call.
#pragma once

#include <string_view>

#include "tidemark/node/http/router.h"
#include "tidemark/node/http/server.h"

namespace tidemark::node::http {

// Parses `bytes` as one request (header limit, body limit as in `options`); a parse failure gives
// the same problem the server would send (400 / 413 / 431), an incomplete request a 400.
HttpResponse HandleRawRequest(std::string_view bytes, const Router& router,
                              const ServerOptions& options);

}  // namespace tidemark::node::http
