// answer_util.h — the small pieces every finance read route (fin_api.cc, plg_api.cc) answers
// with: problem answers, `?proof=true`, `?limit=` and the `as_of` block of an answer.
//
// Thread safety: pure functions (AsOfLatest reads the ledger's status, itself thread-safe).
#pragma once

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>

#include "tidemark/node/api/ledger_api.h"
#include "tidemark/node/http/message.h"

namespace tidemark::node::api {

inline http::HttpResponse Fail(const Status& s, const http::HttpRequest& req) {
  return http::ProblemFromStatus(s, req.path);
}

inline bool WantsProof(const http::HttpRequest& req) {
  const std::string* p = req.Query("proof");
  return p != nullptr && (*p == "true" || *p == "1");
}

// `?limit=`: 1..max, `dflt` when absent.
inline Result<uint64_t> PageLimit(const http::HttpRequest& req, size_t dflt, size_t max) {
  const std::string* s = req.Query("limit");
  if (s == nullptr) return dflt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (s->empty() || ec != std::errc() || p != s->data() + s->size() || v == 0 || v > max) {
    return Status::Invalid("limit: must be an integer from 1 to " + std::to_string(max));
  }
  return v;
}

// The block an answer is proven at.
inline nlohmann::json AsOf(const BlockHeader& h) {
  return nlohmann::json{{"height", h.height},
                        {"block_id", h.Id().Hex()},
                        {"time_ms", h.timestamp_ms},
                        {"state_version", h.exec_height}};
}

// A plain (unproven) answer: the head the node had, and the state version it read.
inline nlohmann::json AsOfLatest(LedgerApi& ledger, uint64_t state_version) {
  NodeStatus st = ledger.Status();
  return nlohmann::json{{"height", st.height},
                        {"block_id", st.head_id.Hex()},
                        {"time_ms", st.head_timestamp_ms},
                        {"state_version", state_version}};
}

}  // namespace tidemark::node::api
