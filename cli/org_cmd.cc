// `tidemark org enrol|revoke|service-key` (identity contract) and
// `tidemark gov propose ...|vote` (governance contract), signed by an org admin key.
//
//   tidemark org enrol <member public key> --roles RETAILER,PLATFORM --label shop-1 --key admin
//   tidemark gov propose add-org --id retail2 --name "Retail 2" --roles RETAILER
//       --admin-key <hex> [--validator-key <hex>] [--service-key <hex>] --key-file admin_key.json
//   tidemark gov vote 3 --yes --key-file admin_key.json
#include <memory>

#include "commands.h"
#include "tidemark/contracts/identity.h"
#include "tx_support.h"

namespace tidemark::cli {

namespace {

Result<std::string> KeyHex(const std::string& text, const std::string& what) {
  auto k = PublicKey::FromHex(text);
  if (!k.ok() || text.size() != 64) {
    return Status::Invalid(what + ": expected a 64-digit hex public key, got '" +
                           text.substr(0, 80) + "'");
  }
  return k->Hex();
}

Result<Value> RolesValue(const std::string& list, const std::string& what) {
  Value::List roles;
  for (const std::string& r : SplitList(list)) {
    if (!contracts::ParseRole(r)) {
      return Status::Invalid(what + ": unknown role '" + r +
                             "' (one of BRAND, MANUFACTURER, "
                             "PLATFORM, EXPORTER, FORWARDER, CUSTOMS_BROKER, CUSTOMS, INSPECTOR, "
                             "BONDED_WAREHOUSE, RETAILER, BANK, IP_REGISTRY, REGULATOR)");
    }
    roles.push_back(r);
  }
  if (roles.empty()) return Status::Invalid(what + ": at least one role");
  return Value(roles);
}

struct OrgArgs {
  std::string member, roles, label;
};

void RegisterOrg(CLI::App& app, Context& ctx) {
  auto* org = app.add_subcommand("org", "Member keys of your organisation (org admin)");
  org->require_subcommand(1);
  auto signer = std::make_shared<SignerOptions>();
  auto a = std::make_shared<OrgArgs>();

  auto* enrol = org->add_subcommand("enrol", "Enrol a member key with roles of your org");
  enrol->add_option("public_key", a->member, "The member's public key (64 hex)")->required();
  enrol->add_option("--roles", a->roles, "Comma-separated roles (a subset of the org's)")
      ->required();
  enrol->add_option("--label", a->label, "A label for the key");
  AddSignerOptions(enrol, *signer);
  OnSubmit(enrol, ctx, signer, "identity", "enrol_key", [a]() -> Result<Value> {
    TM_ASSIGN_OR_RETURN(std::string key, KeyHex(a->member, "public_key"));
    TM_ASSIGN_OR_RETURN(Value roles, RolesValue(a->roles, "--roles"));
    Value::Map m{{"key", key}, {"roles", roles}};
    if (!a->label.empty()) m["label"] = a->label;
    return Value(m);
  });

  auto* revoke = org->add_subcommand("revoke", "Revoke a key of your org");
  revoke->add_option("public_key", a->member, "The key to revoke (64 hex)")->required();
  AddSignerOptions(revoke, *signer);
  OnSubmit(revoke, ctx, signer, "identity", "revoke_key", [a]() -> Result<Value> {
    TM_ASSIGN_OR_RETURN(std::string key, KeyHex(a->member, "public_key"));
    return Value::MakeMap({{"key", key}});
  });

  auto* service = org->add_subcommand("service-key", "Set your org's service key (consumer scans)");
  service->add_option("public_key", a->member, "The new service key (64 hex)")->required();
  AddSignerOptions(service, *signer);
  OnSubmit(service, ctx, signer, "identity", "set_service_key", [a]() -> Result<Value> {
    TM_ASSIGN_OR_RETURN(std::string key, KeyHex(a->member, "public_key"));
    return Value::MakeMap({{"key", key}});
  });
}

struct GovArgs {
  std::string id, name, roles, validator_key, service_key, org, key, param, value;
  std::vector<std::string> admin_keys;
  int64_t proposal = 0;
  bool yes = false, no = false;
};

void RegisterGov(CLI::App& app, Context& ctx) {
  auto* gov = app.add_subcommand("gov", "Consortium governance (org admins)");
  gov->require_subcommand(1);
  auto signer = std::make_shared<SignerOptions>();
  auto a = std::make_shared<GovArgs>();
  auto* propose = gov->add_subcommand("propose", "Propose a change; > 2/3 of orgs must vote yes");
  propose->require_subcommand(1);

  auto* add_org = propose->add_subcommand("add-org", "Add an organisation");
  add_org->add_option("--id", a->id, "Org id [a-z0-9_-]{1,64}")->required();
  add_org->add_option("--name", a->name, "Display name")->required();
  add_org->add_option("--roles", a->roles, "Comma-separated roles")->required();
  add_org->add_option("--admin-key", a->admin_keys, "Admin public key (repeat)")->required();
  add_org->add_option("--validator-key", a->validator_key, "Its validator node key");
  add_org->add_option("--service-key", a->service_key, "Its service key");
  AddSignerOptions(add_org, *signer);
  OnSubmit(add_org, ctx, signer, "gov", "propose", [a]() -> Result<Value> {
    if (!contracts::IsValidOrgId(a->id)) return Status::Invalid("--id: [a-z0-9_-]{1,64}");
    TM_ASSIGN_OR_RETURN(Value roles, RolesValue(a->roles, "--roles"));
    Value::List admins;
    for (const auto& k : a->admin_keys) {
      TM_ASSIGN_OR_RETURN(std::string h, KeyHex(k, "--admin-key"));
      admins.push_back(h);
    }
    Value::Map org{{"id", a->id}, {"name", a->name}, {"roles", roles}, {"admin_keys", admins}};
    if (!a->validator_key.empty()) {
      TM_ASSIGN_OR_RETURN(std::string h, KeyHex(a->validator_key, "--validator-key"));
      org["validator_key"] = h;
    }
    if (!a->service_key.empty()) {
      TM_ASSIGN_OR_RETURN(std::string h, KeyHex(a->service_key, "--service-key"));
      org["service_key"] = h;
    }
    return Value::MakeMap({{"kind", "add_org"}, {"org", Value(org)}});
  });

  auto* remove_org = propose->add_subcommand("remove-org", "Remove an organisation");
  remove_org->add_option("org", a->org, "Org id")->required();
  AddSignerOptions(remove_org, *signer);
  OnSubmit(remove_org, ctx, signer, "gov", "propose", [a]() -> Result<Value> {
    if (!contracts::IsValidOrgId(a->org)) return Status::Invalid("org: [a-z0-9_-]{1,64}");
    return Value::MakeMap({{"kind", "remove_org"}, {"org_id", a->org}});
  });

  auto* add_val = propose->add_subcommand("add-validator", "Give an org a validator");
  add_val->add_option("org", a->org, "Org id")->required();
  add_val->add_option("--node-key", a->key, "The validator's node public key")->required();
  AddSignerOptions(add_val, *signer);
  OnSubmit(add_val, ctx, signer, "gov", "propose", [a]() -> Result<Value> {
    if (!contracts::IsValidOrgId(a->org)) return Status::Invalid("org: [a-z0-9_-]{1,64}");
    TM_ASSIGN_OR_RETURN(std::string h, KeyHex(a->key, "--node-key"));
    return Value::MakeMap({{"kind", "add_validator"}, {"org_id", a->org}, {"key", h}});
  });

  auto* rm_val = propose->add_subcommand("remove-validator", "Remove an org's validator");
  rm_val->add_option("org", a->org, "Org id")->required();
  AddSignerOptions(rm_val, *signer);
  OnSubmit(rm_val, ctx, signer, "gov", "propose", [a]() -> Result<Value> {
    if (!contracts::IsValidOrgId(a->org)) return Status::Invalid("org: [a-z0-9_-]{1,64}");
    return Value::MakeMap({{"kind", "remove_validator"}, {"org_id", a->org}});
  });

  auto* set_param = propose->add_subcommand("set-param", "Set a governance parameter");
  set_param->add_option("name", a->param, "Parameter, e.g. prov.scan_max_per_block")->required();
  set_param->add_option("value", a->value, "Integer or string value")->required();
  AddSignerOptions(set_param, *signer);
  OnSubmit(set_param, ctx, signer, "gov", "propose", [a]() -> Result<Value> {
    if (a->param.empty()) return Status::Invalid("name: empty");
    Value v(a->value);
    bool digits = !a->value.empty() && a->value.size() < 19 &&
                  a->value.find_first_not_of("0123456789") == std::string::npos;
    if (digits) v = Value(static_cast<int64_t>(std::stoll(a->value)));
    return Value::MakeMap({{"kind", "set_param"}, {"name", a->param}, {"value", v}});
  });

  auto* vote = gov->add_subcommand("vote", "Vote on a proposal (one vote per organisation)");
  vote->add_option("proposal", a->proposal, "Proposal id")->required()->check(CLI::PositiveNumber);
  auto* y = vote->add_flag("--yes", a->yes, "Vote yes");
  auto* n = vote->add_flag("--no", a->no, "Vote no");
  y->excludes(n);
  AddSignerOptions(vote, *signer);
  OnSubmit(vote, ctx, signer, "gov", "vote", [a]() -> Result<Value> {
    if (a->yes == a->no) return Status::Invalid("give --yes or --no");
    return Value::MakeMap({{"proposal", a->proposal}, {"yes", a->yes}});
  });
}

}  // namespace

void RegisterOrgCommands(CLI::App& app, Context& ctx) {
  RegisterOrg(app, ctx);
  RegisterGov(app, ctx);
}

}  // namespace tidemark::cli
