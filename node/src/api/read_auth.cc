// Signed reads on the node (read_auth.h, docs/api.md §Signed reads).
#include "tidemark/node/api/read_auth.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "tidemark/signed_read.h"

namespace tidemark::node::api {

bool Reader::Has(contracts::Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<Reader> AuthenticateRead(LedgerApi& ledger, std::string_view chain_id,
                                const http::HttpRequest& req, int64_t now_ms) {
  auto it = req.headers.find("authorization");
  if (it == req.headers.end()) {
    return Status::Unauthenticated(
        "this read needs a signed request: Authorization: Tidemark-Read key=..,ts=..,sig=..");
  }
  TM_ASSIGN_OR_RETURN(ReadAuth auth, ParseReadAuthHeader(it->second));
  int64_t skew = now_ms - auth.ts_ms;
  if (skew > kReadAuthWindowMs || -skew > kReadAuthWindowMs) {
    return Status::Unauthenticated("Authorization: ts is " + std::to_string(skew / 1000) +
                                   " s away from the node's clock (window " +
                                   std::to_string(kReadAuthWindowMs / 1000) + " s)");
  }
  Reader reader{.key = auth.key};
  Status read = ledger.ReadState([&](const contracts::StateView& view, uint64_t) -> Status {
    TM_ASSIGN_OR_RETURN(std::optional<contracts::KeyRecord> rec,
                        contracts::LoadKey(view, auth.key));
    if (!rec)
      return Status::Unauthenticated("Authorization: the key is not enrolled on the ledger");
    if (!rec->active) return Status::Unauthenticated("Authorization: the key was revoked");
    if (rec->kind == contracts::KeyKind::kService) {
      return Status::Unauthenticated("Authorization: a service key cannot sign reads");
    }
    TM_ASSIGN_OR_RETURN(std::optional<contracts::OrgRecord> org,
                        contracts::LoadOrg(view, rec->org));
    if (!org || !org->active) {
      return Status::Unauthenticated("Authorization: the key's organisation is not active");
    }
    reader.org = rec->org;
    for (contracts::Role r : rec->roles) {
      if (org->HasRole(r)) reader.roles.push_back(r);
    }
    return Status::Ok();
  });
  // Another code (a state that cannot be read) is the node's trouble and maps to a 5xx.
  TM_RETURN_IF_ERROR(read);
  TM_RETURN_IF_ERROR(VerifyReadAuth(auth, chain_id, req.method, req.target, now_ms));
  return reader;
}

http::HttpResponse ReadAuthProblem(const Status& status, const http::HttpRequest& req) {
  http::HttpResponse r = http::ProblemFromStatus(status, req.path);
  if (status.code() == Code::kUnauthenticated) r.SetHeader("WWW-Authenticate", "Tidemark-Read");
  return r;
}

http::HttpResponse ProtectedReadRefusal() {
  static const std::string body =
      nlohmann::json{{"type", "urn:tidemark:problem:permission-denied"},
                     {"title", "Forbidden"},
                     {"status", 403},
                     {"detail",
                      "not readable by this reader: finance records are readable by their "
                      "parties and the regulator only (docs/finance.md §1)"}}
          .dump();
  return http::TextResponse(403, "application/problem+json", body);
}

}  // namespace tidemark::node::api
