#include "tidemark/contracts/identity.h"

#include <algorithm>
#include <array>

#include "args.h"

namespace tidemark::contracts {

namespace {

constexpr std::array<std::pair<Role, std::string_view>, 13> kRoleNames = {{
    {Role::kBrand, "BRAND"},
    {Role::kManufacturer, "MANUFACTURER"},
    {Role::kPlatform, "PLATFORM"},
    {Role::kExporter, "EXPORTER"},
    {Role::kForwarder, "FORWARDER"},
    {Role::kCustomsBroker, "CUSTOMS_BROKER"},
    {Role::kCustoms, "CUSTOMS"},
    {Role::kInspector, "INSPECTOR"},
    {Role::kBondedWarehouse, "BONDED_WAREHOUSE"},
    {Role::kRetailer, "RETAILER"},
    {Role::kBank, "BANK"},
    {Role::kIpRegistry, "IP_REGISTRY"},
    {Role::kRegulator, "REGULATOR"},
}};

std::string_view KindName(KeyKind k) {
  switch (k) {
    case KeyKind::kAdmin:
      return "admin";
    case KeyKind::kService:
      return "service";
    case KeyKind::kMember:
      break;
  }
  return "member";
}

Value KeysToValue(const std::vector<PublicKey>& keys) {
  Value::List l;
  for (const auto& k : keys) l.emplace_back(Bytes(k.begin(), k.end()));
  return Value(std::move(l));
}

bool HasRoleIn(const std::vector<Role>& roles, Role r) {
  return std::find(roles.begin(), roles.end(), r) != roles.end();
}

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [r, n] : kRoleNames) {
    if (r == role) return n;
  }
  return "?";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [r, n] : kRoleNames) {
    if (n == name) return r;
  }
  return std::nullopt;
}

const std::vector<Role>& AllRoles() {
  static const std::vector<Role> kAll = [] {
    std::vector<Role> v;
    for (const auto& [r, n] : kRoleNames) v.push_back(r);
    return v;
  }();
  return kAll;
}

Result<PublicKey> KeyFromValue(const Value& v, const std::string& field) {
  if (v.is_bytes()) {
    auto k = PublicKey::FromView(v.as_bytes());
    if (!k.ok()) return k.status().WithContext(field);
    return *k;
  }
  if (v.is_string()) {
    auto k = PublicKey::FromHex(v.as_string());
    if (!k.ok()) return k.status().WithContext(field);
    return *k;
  }
  return Status::Invalid(field + ": must be a 32-byte key (bytes or 64 hex digits)");
}

Result<std::vector<Role>> RolesFromValue(const Value& v, const std::string& field) {
  if (!v.is_list()) return Status::Invalid(field + ": must be a list of role names");
  std::vector<Role> roles;
  for (size_t i = 0; i < v.as_list().size(); ++i) {
    const Value& e = v.as_list()[i];
    std::string at = field + "[" + std::to_string(i) + "]";
    if (!e.is_string()) return Status::Invalid(at + ": must be a role name");
    auto r = ParseRole(e.as_string());
    if (!r) return Status::Invalid(at + ": unknown role '" + e.as_string() + "'");
    if (HasRoleIn(roles, *r)) return Status::Invalid(at + ": duplicate role " + e.as_string());
    roles.push_back(*r);
  }
  std::sort(roles.begin(), roles.end());
  return roles;
}

Value RolesToValue(const std::vector<Role>& roles) {
  Value::List l;
  for (Role r : roles) l.emplace_back(std::string(RoleName(r)));
  return Value(std::move(l));
}

bool OrgRecord::HasRole(Role r) const { return HasRoleIn(roles, r); }

Value OrgRecord::ToValue() const {
  Value::Map m{{"id", id},
               {"name", name},
               {"roles", RolesToValue(roles)},
               {"admin_keys", KeysToValue(admin_keys)},
               {"active", active}};
  if (validator_key) m["validator_key"] = Bytes(validator_key->begin(), validator_key->end());
  if (service_key) m["service_key"] = Bytes(service_key->begin(), service_key->end());
  return Value(std::move(m));
}

Result<OrgRecord> OrgRecord::FromValue(const Value& v) {
  TM_RETURN_IF_ERROR(internal::NeedMap(v, "org"));
  OrgRecord o;
  TM_ASSIGN_OR_RETURN(o.id, internal::Str(v, "id"));
  if (!IsValidOrgId(o.id)) return Status::Invalid("id: must match [a-z0-9_-]{1,64}");
  TM_ASSIGN_OR_RETURN(o.name, internal::OptStr(v, "name"));
  const Value* roles = v.Find("roles");
  if (roles == nullptr) return Status::Invalid("roles: required");
  TM_ASSIGN_OR_RETURN(o.roles, RolesFromValue(*roles, "roles"));
  TM_ASSIGN_OR_RETURN(Value::List admins, internal::List(v, "admin_keys"));
  for (size_t i = 0; i < admins.size(); ++i) {
    TM_ASSIGN_OR_RETURN(PublicKey k,
                        KeyFromValue(admins[i], "admin_keys[" + std::to_string(i) + "]"));
    o.admin_keys.push_back(k);
  }
  if (const Value* k = v.Find("validator_key"); k != nullptr && !k->is_null()) {
    TM_ASSIGN_OR_RETURN(o.validator_key, KeyFromValue(*k, "validator_key"));
  }
  if (const Value* k = v.Find("service_key"); k != nullptr && !k->is_null()) {
    TM_ASSIGN_OR_RETURN(o.service_key, KeyFromValue(*k, "service_key"));
  }
  o.active = internal::BoolOr(v, "active", true);
  return o;
}

bool KeyRecord::HasRole(Role r) const { return HasRoleIn(roles, r); }

Value KeyRecord::ToValue() const {
  return Value::Map{{"key", Bytes(key.begin(), key.end())},
                    {"org", org},
                    {"kind", std::string(KindName(kind))},
                    {"roles", RolesToValue(roles)},
                    {"label", label},
                    {"active", active},
                    {"enrolled_height", static_cast<int64_t>(enrolled_height)},
                    {"revoked_height", static_cast<int64_t>(revoked_height)}};
}

Result<KeyRecord> KeyRecord::FromValue(const Value& v) {
  TM_RETURN_IF_ERROR(internal::NeedMap(v, "key record"));
  KeyRecord k;
  const Value* key = v.Find("key");
  if (key == nullptr) return Status::Corruption("key record: no key");
  TM_ASSIGN_OR_RETURN(k.key, KeyFromValue(*key, "key"));
  k.org = internal::StrOr(v, "org");
  std::string kind = internal::StrOr(v, "kind", "member");
  k.kind = kind == "admin"     ? KeyKind::kAdmin
           : kind == "service" ? KeyKind::kService
                               : KeyKind::kMember;
  if (const Value* roles = v.Find("roles")) {
    TM_ASSIGN_OR_RETURN(k.roles, RolesFromValue(*roles, "roles"));
  }
  k.label = internal::StrOr(v, "label");
  k.active = internal::BoolOr(v, "active", false);
  k.enrolled_height = static_cast<uint64_t>(internal::IntOr(v, "enrolled_height", 0));
  k.revoked_height = static_cast<uint64_t>(internal::IntOr(v, "revoked_height", 0));
  return k;
}

bool IsValidOrgId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string OrgKey(std::string_view org_id) { return state_keys::identity::Org(org_id); }
std::string KeyRecordKey(const PublicKey& key) { return state_keys::identity::Key(key); }

Result<std::optional<OrgRecord>> LoadOrg(const StateView& view, std::string_view org_id) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> v, GetValue(view, OrgKey(org_id)));
  if (!v) return std::optional<OrgRecord>();
  auto o = OrgRecord::FromValue(*v);
  if (!o.ok())
    return Status::Corruption("org " + std::string(org_id) + ": " + o.status().message());
  return std::optional<OrgRecord>(std::move(*o));
}

Result<std::optional<KeyRecord>> LoadKey(const StateView& view, const PublicKey& key) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> v, GetValue(view, KeyRecordKey(key)));
  if (!v) return std::optional<KeyRecord>();
  auto k = KeyRecord::FromValue(*v);
  if (!k.ok()) return Status::Corruption("key " + key.Hex() + ": " + k.status().message());
  return std::optional<KeyRecord>(std::move(*k));
}

void StoreOrg(StateView& view, const OrgRecord& org) {
  PutValue(view, OrgKey(org.id), org.ToValue());
}

void StoreKey(StateView& view, const KeyRecord& key) {
  PutValue(view, KeyRecordKey(key.key), key.ToValue());
  view.Put(state_keys::identity::OrgKey(key.org, key.key), {});
}

Result<std::vector<OrgRecord>> ListOrgs(const StateView& view) {
  std::vector<OrgRecord> out;
  Status st;
  const std::string orgs(state_keys::identity::kOrgPrefix);
  view.Scan(orgs, [&](const std::string& key, const Bytes& raw) {
    auto v = Value::Decode(raw);
    if (!v.ok()) {
      st = Status::Corruption(key + ": " + v.status().message());
      return false;
    }
    auto o = OrgRecord::FromValue(*v);
    if (!o.ok()) {
      st = Status::Corruption(key + ": " + o.status().message());
      return false;
    }
    out.push_back(std::move(*o));
    return true;
  });
  TM_RETURN_IF_ERROR(st);
  return out;
}

Result<KeyRecord> ActiveSigner(const StateView& view, const PublicKey& key) {
  TM_ASSIGN_OR_RETURN(std::optional<KeyRecord> rec, LoadKey(view, key));
  if (!rec) return Status::PermissionDenied("signer " + key.Hex() + " is not a registered key");
  if (!rec->active) {
    return Status::PermissionDenied("signer " + key.Hex() + " was revoked at height " +
                                    std::to_string(rec->revoked_height));
  }
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(view, rec->org));
  if (!org || !org->active) {
    return Status::PermissionDenied("signer's organisation " + rec->org + " is not active");
  }
  return *rec;
}

Result<KeyRecord> RequireRole(const StateView& view, const TxContext& ctx,
                              std::initializer_list<Role> roles) {
  TM_ASSIGN_OR_RETURN(KeyRecord rec, ActiveSigner(view, ctx.signer));
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(view, rec.org));
  std::string wanted;
  for (Role r : roles) {
    if (rec.HasRole(r) && org && org->HasRole(r)) return rec;
    wanted += (wanted.empty() ? "" : " or ") + std::string(RoleName(r));
  }
  return Status::PermissionDenied("signer of org " + rec.org + " lacks role " + wanted);
}

Result<KeyRecord> RequireAdmin(const StateView& view, const TxContext& ctx) {
  TM_ASSIGN_OR_RETURN(KeyRecord rec, ActiveSigner(view, ctx.signer));
  if (rec.kind != KeyKind::kAdmin) {
    return Status::PermissionDenied("signer is not an admin key of org " + rec.org);
  }
  return rec;
}

Result<KeyRecord> RequireServiceKey(const StateView& view, const TxContext& ctx) {
  TM_ASSIGN_OR_RETURN(KeyRecord rec, ActiveSigner(view, ctx.signer));
  if (rec.kind != KeyKind::kService) {
    return Status::PermissionDenied("signer is not the service key of org " + rec.org);
  }
  return rec;
}

Status RegisterOrg(StateView& view, const OrgRecord& org, uint64_t height) {
  if (!IsValidOrgId(org.id)) return Status::Invalid("org id '" + org.id + "' is not valid");
  if (org.admin_keys.empty()) return Status::Invalid("org " + org.id + ": needs an admin key");
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> existing, LoadOrg(view, org.id));
  if (existing) return Status::AlreadyExists("org " + org.id + " already exists");
  std::vector<KeyRecord> keys;
  for (const auto& k : org.admin_keys) {
    keys.push_back(KeyRecord{.key = k,
                             .org = org.id,
                             .kind = KeyKind::kAdmin,
                             .roles = org.roles,
                             .label = "admin",
                             .active = true,
                             .enrolled_height = height});
  }
  if (org.service_key) {
    keys.push_back(KeyRecord{.key = *org.service_key,
                             .org = org.id,
                             .kind = KeyKind::kService,
                             .label = "service",
                             .active = true,
                             .enrolled_height = height});
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    TM_ASSIGN_OR_RETURN(std::optional<KeyRecord> dup, LoadKey(view, keys[i].key));
    for (size_t j = 0; j < i; ++j) {
      if (keys[j].key == keys[i].key) dup = keys[j];
    }
    if (dup) return Status::AlreadyExists("key " + keys[i].key.Hex() + " is already registered");
  }
  StoreOrg(view, org);
  for (const auto& k : keys) StoreKey(view, k);
  return Status::Ok();
}

Status DeactivateOrg(StateView& view, std::string_view org_id, uint64_t height) {
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(view, org_id));
  if (!org || !org->active) return Status::NotFound("no active org " + std::string(org_id));
  org->active = false;
  StoreOrg(view, *org);
  std::vector<PublicKey> keys;
  Status st;
  view.Scan(state_keys::identity::OrgKeyPrefix(org_id), [&](const std::string& key, const Bytes&) {
    auto k = PublicKey::FromHex(key.substr(key.rfind('/') + 1));
    if (k.ok()) keys.push_back(*k);
    return true;
  });
  for (const auto& k : keys) {
    TM_ASSIGN_OR_RETURN(std::optional<KeyRecord> rec, LoadKey(view, k));
    if (rec && rec->active) {
      rec->active = false;
      rec->revoked_height = height;
      StoreKey(view, *rec);
    }
  }
  return st;
}

namespace {

Status EnrolKey(const TxContext& ctx, const Value& args, StateView& state, EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord admin, RequireAdmin(state, ctx));
  const Value* kv = args.Find("key");
  if (kv == nullptr) return Status::Invalid("key: required");
  TM_ASSIGN_OR_RETURN(PublicKey key, KeyFromValue(*kv, "key"));
  const Value* rv = args.Find("roles");
  if (rv == nullptr) return Status::Invalid("roles: required");
  TM_ASSIGN_OR_RETURN(std::vector<Role> roles, RolesFromValue(*rv, "roles"));
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(state, admin.org));
  for (Role r : roles) {
    if (!org->HasRole(r)) {
      return Status::PermissionDenied("org " + admin.org + " does not hold role " +
                                      std::string(RoleName(r)));
    }
  }
  TM_ASSIGN_OR_RETURN(std::optional<KeyRecord> existing, LoadKey(state, key));
  if (existing) return Status::AlreadyExists("key " + key.Hex() + " is already registered");
  KeyRecord rec{.key = key,
                .org = admin.org,
                .kind = KeyKind::kMember,
                .roles = roles,
                .label = internal::StrOr(args, "label"),
                .active = true,
                .enrolled_height = ctx.height};
  StoreKey(state, rec);
  events.Emit("identity.KeyEnrolled",
              Value::Map{{"org", admin.org}, {"key", key.Hex()}, {"roles", RolesToValue(roles)}});
  return Status::Ok();
}

Status RevokeKey(const TxContext& ctx, const Value& args, StateView& state, EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord admin, RequireAdmin(state, ctx));
  const Value* kv = args.Find("key");
  if (kv == nullptr) return Status::Invalid("key: required");
  TM_ASSIGN_OR_RETURN(PublicKey key, KeyFromValue(*kv, "key"));
  TM_ASSIGN_OR_RETURN(std::optional<KeyRecord> rec, LoadKey(state, key));
  if (!rec) return Status::NotFound("key " + key.Hex() + " is not registered");
  if (rec->org != admin.org) {
    return Status::PermissionDenied("key " + key.Hex() + " belongs to org " + rec->org);
  }
  if (!rec->active) return Status::FailedPrecondition("key " + key.Hex() + " is already revoked");
  if (rec->kind == KeyKind::kAdmin) {
    size_t active_admins = 0;
    TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(state, admin.org));
    for (const auto& k : org->admin_keys) {
      TM_ASSIGN_OR_RETURN(std::optional<KeyRecord> a, LoadKey(state, k));
      if (a && a->active) ++active_admins;
    }
    if (active_admins <= 1) {
      return Status::FailedPrecondition("cannot revoke the last admin key of org " + admin.org);
    }
  }
  rec->active = false;
  rec->revoked_height = ctx.height;
  StoreKey(state, *rec);
  events.Emit("identity.KeyRevoked", Value::Map{{"org", admin.org}, {"key", key.Hex()}});
  return Status::Ok();
}

Status SetServiceKey(const TxContext& ctx, const Value& args, StateView& state, EventSink& events) {
  TM_ASSIGN_OR_RETURN(KeyRecord admin, RequireAdmin(state, ctx));
  const Value* kv = args.Find("key");
  if (kv == nullptr) return Status::Invalid("key: required");
  TM_ASSIGN_OR_RETURN(PublicKey key, KeyFromValue(*kv, "key"));
  TM_ASSIGN_OR_RETURN(std::optional<KeyRecord> existing, LoadKey(state, key));
  if (existing) return Status::AlreadyExists("key " + key.Hex() + " is already registered");
  TM_ASSIGN_OR_RETURN(std::optional<OrgRecord> org, LoadOrg(state, admin.org));
  if (org->service_key) {
    TM_ASSIGN_OR_RETURN(std::optional<KeyRecord> old, LoadKey(state, *org->service_key));
    if (old && old->active) {
      old->active = false;
      old->revoked_height = ctx.height;
      StoreKey(state, *old);
    }
  }
  org->service_key = key;
  StoreOrg(state, *org);
  StoreKey(state, KeyRecord{.key = key,
                            .org = admin.org,
                            .kind = KeyKind::kService,
                            .label = "service",
                            .active = true,
                            .enrolled_height = ctx.height});
  events.Emit("identity.ServiceKeySet", Value::Map{{"org", admin.org}, {"key", key.Hex()}});
  return Status::Ok();
}

}  // namespace

Status IdentityContract::Execute(const TxContext& ctx, std::string_view method, const Value& args,
                                 StateView& state, EventSink& events) const {
  TM_RETURN_IF_ERROR(internal::NeedMap(args, "args"));
  if (method == "enrol_key") return EnrolKey(ctx, args, state, events);
  if (method == "revoke_key") return RevokeKey(ctx, args, state, events);
  if (method == "set_service_key") return SetServiceKey(ctx, args, state, events);
  return Status::Invalid("identity: unknown method '" + std::string(method) + "'");
}

}  // namespace tidemark::contracts
