// json_body.h — parses an untrusted JSON request body with a nesting-depth bound.
//
//   Result<nlohmann::json> j = ParseJsonBody(req.body, /*max_depth=*/32);
//   if (!j.ok()) return ProblemFromStatus(j.status(), req.path);   // 400 with the reason
//
// The depth is checked by a linear scan before nlohmann parses anything, so a body of 100,000
// '[' costs one pass and no recursion. No exception escapes.
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "tidemark/status.h"

namespace tidemark::node::http {

// The maximum nesting depth of arrays / objects in `text` (strings are skipped).
size_t JsonNestingDepth(std::string_view text);

// InvalidArgument "json: nesting depth 40 exceeds 32" or "json: parse error at byte 7: ...".
Result<nlohmann::json> ParseJsonBody(std::string_view text, size_t max_depth);

}  // namespace tidemark::node::http
