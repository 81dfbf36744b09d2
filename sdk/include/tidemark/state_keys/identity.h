// state_keys/identity.h — the state layout of the identity contract ("identity/…";
// contracts/identity.h; docs/contracts.md, "State key layout").
//
//   view.Scan(state_keys::identity::OrgKeyPrefix("acme"), ...);  // the keys of org "acme"
//
// Thread safety: constants and pure functions.
#pragma once

#include <string>
#include <string_view>

#include "tidemark/crypto.h"
#include "tidemark/state_keys/parts.h"

namespace tidemark::state_keys::identity {

// Every identity key starts with it (the mempool re-reads signers when a block writes one).
inline constexpr std::string_view kPrefix = "identity/";
// OrgRecord of an organisation.
inline constexpr std::string_view kOrgPrefix = "identity/org/";
inline std::string Org(std::string_view org_id) { return Cat({kOrgPrefix, org_id}); }
// KeyRecord of a key (lower-case hex).
inline constexpr std::string_view kKeyPrefix = "identity/key/";
inline std::string Key(const PublicKey& key) { return Cat({kKeyPrefix, key.Hex()}); }
// "" — one row per key of an organisation, for listing: OrgKeyPrefix(org) + <hex key>.
inline constexpr std::string_view kOrgKeyPrefix = "identity/orgkey/";
inline std::string OrgKeyPrefix(std::string_view org_id) {
  return Cat({kOrgKeyPrefix, org_id, "/"});
}
inline std::string OrgKey(std::string_view org_id, const PublicKey& key) {
  return Cat({kOrgKeyPrefix, org_id, "/", key.Hex()});
}

}  // namespace tidemark::state_keys::identity
