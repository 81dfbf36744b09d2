#include "tidemark/node/http/json_body.h"

namespace tidemark::node::http {

size_t JsonNestingDepth(std::string_view text) {
  size_t depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

Result<nlohmann::json> ParseJsonBody(std::string_view text, size_t max_depth) {
  size_t depth = JsonNestingDepth(text);
  if (depth > max_depth) {
    return Status::Invalid("json: nesting depth " + std::to_string(depth) + " exceeds " +
                           std::to_string(max_depth));
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Status::Invalid(std::string("json: ") + e.what());
  }
}

}  // namespace tidemark::node::http
