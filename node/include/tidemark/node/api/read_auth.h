// read_auth.h — who is asking: the signed-read authentication of protected REST reads
// (docs/api.md §Signed reads, sdk tidemark/signed_read.h), and the one refusal every protected
// read gives a reader without access.
//
//   auto reader = api::AuthenticateRead(*ledger, chain_id, req, api::WallClockMs());
//   if (!reader.ok()) return api::ReadAuthProblem(reader.status(), req);     // 401
//   if (!reader->Has(contracts::Role::kRegulator) && ...) return api::ProtectedReadRefusal();
//
// Order of the checks, cheapest first, so a stranger costs a header parse and one state read:
//   1. the header parses strictly (ParseReadAuthHeader);
//   2. |now - ts| <= 120 s (arithmetic);
//   3. one state read: the key's record — unknown, revoked or a service key: refused here, before
//      any signature is checked (an Ed25519 verify costs ~50 µs, a state read ~1-5 µs);
//   4. the key's organisation (a second read, only for enrolled keys) is active;
//   5. the signature over METHOD "\n" TARGET "\n" TS verifies for this node's chain id.
// A reader's roles are those both its key and its organisation hold (as contracts' RequireRole).
//
// Thread safety: pure functions over a thread-safe LedgerApi.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/contracts/identity.h"
#include "tidemark/node/api/ledger_api.h"
#include "tidemark/node/http/message.h"

namespace tidemark::node::api {

struct Reader {
  PublicKey key;
  std::string org;
  std::vector<contracts::Role> roles;  // held by both the key and its organisation

  bool Has(contracts::Role role) const;
};

// The wall clock in unix ms.
int64_t WallClockMs();

// The reader of a request carrying `Authorization: Tidemark-Read ...` signed for `chain_id`,
// checked against the latest state through LedgerApi::ReadState; kUnauthenticated naming what
// failed (other codes: the state could not be read).
Result<Reader> AuthenticateRead(LedgerApi& ledger, std::string_view chain_id,
                                const http::HttpRequest& req, int64_t now_ms);

// 401 problem+json (type unauthenticated) with `WWW-Authenticate: Tidemark-Read`.
http::HttpResponse ReadAuthProblem(const Status& status, const http::HttpRequest& req);

// The 403 every protected read answers when the reader may not see the resource or it does not
// exist, and /v1/state answers for fin/ keys: the same bytes whatever the route, id or reason,
// so it tells nothing (docs/finance.md §1).
http::HttpResponse ProtectedReadRefusal();

}  // namespace tidemark::node::api
