// identity.h — organisations, their keys and roles; the "identity" contract and role checks.
//
// Genesis names the organisations with their roles and admin keys (genesis.h). An org admin enrols
// member keys with a subset of the org's roles and revokes them; a revoked key can no longer sign
// (ApplyTransaction rejects it). Contracts check the signer's role with RequireRole:
//
//   TM_ASSIGN_OR_RETURN(KeyRecord signer, RequireRole(state, ctx, {Role::kCustoms}));
//   // signer.org is the signer's organisation
//
// Methods of the "identity" contract (args are Value maps; keys are 32 bytes or 64 hex digits):
//   enrol_key  {key, roles: ["RETAILER", ...], label?}  admin of the org only
//   revoke_key {key}                                    admin of the key's org only
//   set_service_key {key}                               admin; replaces the org's service key
// State (keys built by tidemark/state_keys/identity.h): "identity/org/<org id>" -> OrgRecord,
//        "identity/key/<hex key>" -> KeyRecord, "identity/orgkey/<org id>/<hex key>" -> "" (keys
//        of an org, for listing).
// Thread safety: stateless functions; the contract object is immutable.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/contracts/framework.h"
#include "tidemark/state_keys/identity.h"

namespace tidemark::contracts {

enum class Role {
  kBrand,
  kManufacturer,
  kPlatform,
  kExporter,
  kForwarder,
  kCustomsBroker,
  kCustoms,
  kInspector,
  kBondedWarehouse,
  kRetailer,
  kBank,
  kIpRegistry,
  kRegulator,
};
// "BRAND", "CUSTOMS_BROKER", ...
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);
const std::vector<Role>& AllRoles();

// Parses a key given as 32 bytes or 64 hex digits; `field` names it in the error.
Result<PublicKey> KeyFromValue(const Value& v, const std::string& field);
// Parses a list of role names (no duplicates).
Result<std::vector<Role>> RolesFromValue(const Value& v, const std::string& field);
Value RolesToValue(const std::vector<Role>& roles);

struct OrgRecord {
  std::string id;  // [a-z0-9_-]{1,64}
  std::string name;
  std::vector<Role> roles;
  std::vector<PublicKey> admin_keys;
  std::optional<PublicKey> validator_key;
  std::optional<PublicKey> service_key;
  bool active = true;

  bool HasRole(Role r) const;
  Value ToValue() const;
  static Result<OrgRecord> FromValue(const Value& v);
};

enum class KeyKind { kAdmin, kMember, kService };

struct KeyRecord {
  PublicKey key;
  std::string org;
  KeyKind kind = KeyKind::kMember;
  std::vector<Role> roles;  // admins hold all their org's roles; service keys none
  std::string label;
  bool active = true;
  uint64_t enrolled_height = 0;
  uint64_t revoked_height = 0;  // 0 while active

  bool HasRole(Role r) const;
  Value ToValue() const;
  static Result<KeyRecord> FromValue(const Value& v);
};

bool IsValidOrgId(std::string_view id);
std::string OrgKey(std::string_view org_id);     // state_keys::identity::Org
std::string KeyRecordKey(const PublicKey& key);  // state_keys::identity::Key

Result<std::optional<OrgRecord>> LoadOrg(const StateView& view, std::string_view org_id);
Result<std::optional<KeyRecord>> LoadKey(const StateView& view, const PublicKey& key);
void StoreOrg(StateView& view, const OrgRecord& org);
void StoreKey(StateView& view, const KeyRecord& key);
// Every organisation (active or not), ascending by id.
Result<std::vector<OrgRecord>> ListOrgs(const StateView& view);

// The signer's record if it is an active key of an active organisation; PERMISSION_DENIED if not.
Result<KeyRecord> ActiveSigner(const StateView& view, const PublicKey& key);
// The signer's record if it holds one of `roles` (and its org still does); PERMISSION_DENIED names
// the roles needed otherwise.
Result<KeyRecord> RequireRole(const StateView& view, const TxContext& ctx,
                              std::initializer_list<Role> roles);
// The signer's record if it is an admin key of its organisation.
Result<KeyRecord> RequireAdmin(const StateView& view, const TxContext& ctx);
// The signer's record if it is its organisation's service key (consumer-facing scans).
Result<KeyRecord> RequireServiceKey(const StateView& view, const TxContext& ctx);

// Registers an organisation with its admin and service keys (genesis and governance). Fails if
// the org id or any key is already registered.
Status RegisterOrg(StateView& view, const OrgRecord& org, uint64_t height);
// Deactivates an organisation and all its keys (governance).
Status DeactivateOrg(StateView& view, std::string_view org_id, uint64_t height);

class IdentityContract : public Contract {
 public:
  std::string_view name() const override { return "identity"; }
  Status Execute(const TxContext& ctx, std::string_view method, const Value& args, StateView& state,
                 EventSink& events) const override;
};

}  // namespace tidemark::contracts
