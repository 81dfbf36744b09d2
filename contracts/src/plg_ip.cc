// plg_ip.cc — the IP family of the "plg" contract (docs/finance.md §13, §16): assets kept by an
// IP_REGISTRY key; pledges over them (ip_apply → ip_accept / ip_consent → ip_register, checked on
// the registry's grounds in the order §13 gives → ip_change / ip_object / ip_resolve_objection →
// ip_release / ip_enforce / ip_expire; ip_withdraw); the pledgee's consent to a transfer or
// licence of pledged IP; the standing plg/enc/ip/<asset>; the public gazette entry; and the IP
// alerts (annuity-lapsed, invalidation-filed, pledge-outlives-asset) with `review`.
//
// Invariant kept (§18.1): an asset has at most one live pledge (REGISTERED / CHANGED / EXTENDED /
// OBJECTED); its record's `pledge` field names it and plg/enc/ip/<asset> exists exactly then.
#include <algorithm>
#include <cctype>
#include <vector>

#include "plg_internal.h"

namespace tidemark::contracts::plg {
namespace {

constexpr std::string_view kKinds[] = {"invention", "utility_model", "design",
                                       "trademark", "copyright",     "software_copyright"};
constexpr std::string_view kStatuses[] = {"valid",   "fee_unpaid", "invalidation_pending",
                                          "invalid", "expired",    "preservation"};

template <size_t N>
bool OneOf(std::string_view s, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), s) != std::end(set);
}

template <size_t N>
std::string Joined(const std::string_view (&set)[N]) {
  std::string out;
  for (std::string_view s : set) out += (out.empty() ? "" : ", ") + std::string(s);
  return out;
}

// The three patent kinds (annuities apply to them).
bool IsPatent(std::string_view kind) {
  return kind == "invention" || kind == "utility_model" || kind == "design";
}

bool IsLive(const Value& p) {
  const std::string s = S(p, "state");
  return s == "REGISTERED" || s == "CHANGED" || s == "EXTENDED" || s == "OBJECTED";
}

bool Flag(const Value& m, const std::string& k) {
  const Value* v = m.Find(k);
  return v != nullptr && v->is_bool() && v->as_bool();
}

Value ListOf(const std::vector<std::string>& v) {
  Value::List l;
  for (const auto& s : v) l.emplace_back(s);
  return Value(std::move(l));
}

bool Contains(const Value& m, const std::string& k, const std::string& x) {
  const auto l = Strings(m, k);
  return std::find(l.begin(), l.end(), x) != l.end();
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i == 0 ? "" : std::string(sep)) + v[i];
  return out;
}

Result<std::string> EnumArg(const Value& args, const std::string& field,
                            std::initializer_list<std::string_view> allowed) {
  TM_ASSIGN_OR_RETURN(std::string s, StrArg(args, field, 32));
  for (std::string_view a : allowed) {
    if (s == a) return s;
  }
  std::string list;
  for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  return Bad("args", field + ": must be one of " + list);
}

Result<std::string> StatusArg(const Value& args) {
  TM_ASSIGN_OR_RETURN(std::string s, StrArg(args, "status", 32));
  if (!OneOf(s, kStatuses)) return Bad("args", "status: must be one of " + Joined(kStatuses));
  return s;
}

// "<kind>:<NUMBER>": kind one of §13's, number [A-Z0-9.]{1,32} after upper-casing (plg-args,
// naming `field`).
Result<std::string> MakeAssetId(const std::string& kind, std::string number,
                                const std::string& field) {
  if (!OneOf(kind, kKinds)) return Bad("args", field + ": kind must be one of " + Joined(kKinds));
  for (char& ch : number) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const bool ok = !number.empty() && number.size() <= 32 &&
                  std::all_of(number.begin(), number.end(), [](char ch) {
                    return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.';
                  });
  if (!ok) return Bad("args", field + ": the number must be [A-Z0-9.]{1,32}");
  return kind + ":" + number;
}

// An asset id arg ("<kind>:<number>", the number upper-cased).
Result<std::string> AssetArg(const Value& args, const std::string& field = "asset") {
  TM_ASSIGN_OR_RETURN(std::string a, StrArg(args, field, 64));
  const size_t colon = a.find(':');
  if (colon == std::string::npos) return Bad("args", field + ": must be <kind>:<number>");
  return MakeAssetId(a.substr(0, colon), a.substr(colon + 1), field);
}

Result<std::string> OrgArg(const Value& args, const std::string& field) {
  TM_ASSIGN_OR_RETURN(std::string org, StrArg(args, field, 64));
  if (!IsValidOrgId(org)) return Bad("args", field + ": not an organisation id");
  return org;
}

// A list of 1..8 distinct organisation ids, returned sorted (plg-args).
Result<std::vector<std::string>> OrgsArg(const Value& args, const std::string& field) {
  const Value* v = args.Find(field);
  if (v == nullptr) return Bad("args", field + ": required");
  if (!v->is_list() || v->as_list().empty() || v->as_list().size() > 8) {
    return Bad("args", field + ": must be a list of 1 to 8 organisation ids");
  }
  std::vector<std::string> out;
  for (const Value& x : v->as_list()) {
    if (!x.is_string() || !IsValidOrgId(x.as_string())) {
      return Bad("args", field + ": must be a list of 1 to 8 organisation ids");
    }
    out.push_back(x.as_string());
  }
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) {
    return Bad("args", field + ": an organisation is listed twice");
  }
  return out;
}

Status Registry(const Call& c) {
  if (!c.signer.HasRole(Role::kIpRegistry)) {
    return Deny("registry", "only an IP_REGISTRY key may do this");
  }
  return Status::Ok();
}

Result<std::optional<Value>> LoadAsset(const Call& c, const std::string& id) {
  return GetValue(c.view, keys::IpAsset(id));
}

// The asset of an existing pledge (Corruption if it is gone: assets are never deleted).
Result<Value> AssetOf(const Call& c, const Value& p) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> a, LoadAsset(c, S(p, "asset")));
  if (!a) return Status::Corruption("pledge " + S(p, "id") + ": asset " + S(p, "asset") + " gone");
  return *a;
}

Status LiveNow(const Value& p) {
  if (IsLive(p)) return Status::Ok();
  return Refuse("state", "pledge " + S(p, "id") + " is " + S(p, "state") + ", not live");
}

std::string OrgName(const Call& c, const std::string& org) {
  auto rec = LoadOrg(c.view, org);
  return rec.ok() && rec->has_value() ? (*rec)->name : org;
}

// Replaces the asset's owners and their owner-index rows.
void SetOwners(Call& c, Value& asset, const std::vector<std::string>& owners) {
  const std::string id = S(asset, "id");
  for (const auto& o : Strings(asset, "owners")) c.view.Delete(keys::Owner(o, id));
  for (const auto& o : owners) PutValue(c.view, keys::Owner(o, id), Value(std::string()));
  asset.as_map()["owners"] = ListOf(owners);
}

// Updates the gazette entry of a registered pledge with its state and a change line.
void Gazette(Call& c, const Value& p, const std::string& what) {
  const std::string key = keys::Gazette(S(p, "registration_no"));
  auto g = GetValue(c.view, key);
  if (!g.ok() || !g->has_value()) return;
  Value entry = **g;
  entry.as_map()["state"] = S(p, "state");
  entry.as_map()["changes"].as_list().push_back(
      Value(Value::Map{{"on", BlockDay(c.ctx)}, {"what", what}}));
  PutValue(c.view, key, entry);
}

// A live pledge ends: the asset's `pledge` field, its standing plg/enc/ip/<asset> and the
// pledgee's unused consents go.
void FreeAsset(Call& c, Value& asset, const Value& p) {
  if (S(asset, "pledge") == S(p, "id")) asset.as_map().erase("pledge");
  c.view.Delete(keys::EncIp(S(asset, "id")));
  std::string prefix = keys::IpConsent(S(p, "id"), "", "");
  prefix.pop_back();  // "plg/ip/consent/<pledge> "
  std::vector<std::string> rows;
  c.view.Scan(prefix, [&](const std::string& k, const Bytes&) {
    rows.push_back(k);
    return true;
  });
  for (const auto& k : rows) c.view.Delete(k);
}

// The IP alerts (§16) of the asset's live pledge, evaluated after a successful method on the
// asset: annuity-lapsed always; pledge-outlives-asset when `outlives`; invalidation-filed when
// `invalidation_filed` (ip_asset_update made the status invalidation_pending). Subject: the pledge.
Status Alerts(Call& c, const std::string& asset_id, bool outlives, bool invalidation_filed) {
  TM_ASSIGN_OR_RETURN(std::optional<Value> a, LoadAsset(c, asset_id));
  if (!a || S(*a, "pledge").empty()) return Status::Ok();
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, GetValue(c.view, keys::IpPledge(S(*a, "pledge"))));
  if (!p || !IsLive(*p)) return Status::Ok();
  const std::string pid = S(*p, "id"), status = S(*a, "status"), day = BlockDay(c.ctx);
  const Value::List orgs = p->Find("parties")->as_list();
  const std::string paid = S(*a, "annuity_paid_until");
  if (status == "fee_unpaid" || (IsPatent(S(*a, "kind")) && !paid.empty() && paid < day)) {
    RaiseAlert(c, "annuity-lapsed", pid, orgs,
               {{"asset", asset_id},
                {"pledge", pid},
                {"status", status},
                {"annuity_paid_until", paid},
                {"day", day}});
  }
  if (invalidation_filed) {
    RaiseAlert(c, "invalidation-filed", pid, orgs,
               {{"asset", asset_id}, {"pledge", pid}, {"status", status}});
  }
  const std::string due = S(*p, "debt_due"), expiry = S(*a, "expiry_date");
  if (outlives && (due > expiry || expiry < day || status == "invalid" || status == "expired")) {
    RaiseAlert(c, "pledge-outlives-asset", pid, orgs,
               {{"asset", asset_id},
                {"pledge", pid},
                {"debt_due", due},
                {"expiry_date", expiry},
                {"status", status}});
  }
  return Status::Ok();
}

// ip_asset_register {kind, number, title, owners, filing_date, grant_date?, expiry_date,
// annuity_paid_until?, status}: an IP_REGISTRY key.
Status AssetRegister(Call& c) {
  TM_RETURN_IF_ERROR(
      OnlyFields(c.args, {"kind", "number", "title", "owners", "filing_date", "grant_date",
                          "expiry_date", "annuity_paid_until", "status"}));
  TM_ASSIGN_OR_RETURN(std::string kind, StrArg(c.args, "kind", 32));
  if (!OneOf(kind, kKinds)) return Bad("args", "kind: must be one of " + Joined(kKinds));
  TM_ASSIGN_OR_RETURN(std::string number, StrArg(c.args, "number", 32));
  TM_ASSIGN_OR_RETURN(std::string id, MakeAssetId(kind, number, "number"));
  number = id.substr(kind.size() + 1);
  TM_ASSIGN_OR_RETURN(std::string title, StrArg(c.args, "title", 256));
  TM_ASSIGN_OR_RETURN(std::vector<std::string> owners, OrgsArg(c.args, "owners"));
  TM_ASSIGN_OR_RETURN(std::string filing, DateArg(c.args, "filing_date"));
  std::string grant, paid;
  if (c.args.Find("grant_date") != nullptr) {
    TM_ASSIGN_OR_RETURN(grant, DateArg(c.args, "grant_date"));
  }
  TM_ASSIGN_OR_RETURN(std::string expiry, DateArg(c.args, "expiry_date"));
  if (c.args.Find("annuity_paid_until") != nullptr) {
    TM_ASSIGN_OR_RETURN(paid, DateArg(c.args, "annuity_paid_until"));
    if (!IsPatent(kind)) {
      return Bad("args", "annuity_paid_until: annuities apply to the patent kinds only");
    }
  }
  TM_ASSIGN_OR_RETURN(std::string status, StatusArg(c.args));
  if (!grant.empty() && grant < filing) return Bad("args", "grant_date: before filing_date");
  if (expiry < filing) return Bad("args", "expiry_date: before filing_date");
  TM_RETURN_IF_ERROR(Registry(c));
  for (const auto& o : owners) TM_RETURN_IF_ERROR(ActiveOrg(c, o, "owner").status());
  TM_ASSIGN_OR_RETURN(std::optional<Value> old, LoadAsset(c, id));
  if (old) return Refuse("exists", "IP asset " + id + " is already registered");
  Value asset(Value::Map{{"id", id},
                         {"kind", kind},
                         {"number", number},
                         {"title", title},
                         {"owners", Value::List{}},
                         {"filing_date", filing},
                         {"expiry_date", expiry},
                         {"status", status},
                         {"registry", c.signer.org},
                         {"created_height", static_cast<int64_t>(c.ctx.height)},
                         {"next_hist", 1}});
  if (!grant.empty()) asset.as_map()["grant_date"] = grant;
  if (!paid.empty()) asset.as_map()["annuity_paid_until"] = paid;
  SetOwners(c, asset, owners);
  Save(c, asset, keys::IpAsset(id), "ip_asset_register");
  return Status::Ok();
}

// ip_asset_update {asset, status?, annuity_paid_until?, expiry_date?, grant_date?}: an IP_REGISTRY
// key (grant_date records a later grant; it cannot be removed).
Status AssetUpdate(Call& c) {
  TM_RETURN_IF_ERROR(
      OnlyFields(c.args, {"asset", "status", "annuity_paid_until", "expiry_date", "grant_date"}));
  TM_ASSIGN_OR_RETURN(std::string id, AssetArg(c.args));
  std::optional<std::string> status, paid, expiry, grant;
  if (c.args.Find("status") != nullptr) {
    TM_ASSIGN_OR_RETURN(status, StatusArg(c.args));
  }
  if (c.args.Find("annuity_paid_until") != nullptr) {
    TM_ASSIGN_OR_RETURN(paid, DateArg(c.args, "annuity_paid_until"));
    if (!IsPatent(id.substr(0, id.find(':')))) {
      return Bad("args", "annuity_paid_until: annuities apply to the patent kinds only");
    }
  }
  if (c.args.Find("expiry_date") != nullptr) {
    TM_ASSIGN_OR_RETURN(expiry, DateArg(c.args, "expiry_date"));
  }
  if (c.args.Find("grant_date") != nullptr) {
    TM_ASSIGN_OR_RETURN(grant, DateArg(c.args, "grant_date"));
  }
  if (!status && !paid && !expiry && !grant) {
    return Bad("args", "give at least one of status, annuity_paid_until, expiry_date, grant_date");
  }
  TM_RETURN_IF_ERROR(Registry(c));
  TM_ASSIGN_OR_RETURN(std::optional<Value> a, LoadAsset(c, id));
  if (!a) return Refuse("unknown", "no IP asset " + id);
  if (expiry && *expiry < S(*a, "filing_date")) {
    return Bad("args", "expiry_date: before the filing date " + S(*a, "filing_date"));
  }
  if (grant && *grant < S(*a, "filing_date")) {
    return Bad("args", "grant_date: before the filing date " + S(*a, "filing_date"));
  }
  const std::string before = S(*a, "status");
  if (status) a->as_map()["status"] = *status;
  if (paid) a->as_map()["annuity_paid_until"] = *paid;
  if (expiry) a->as_map()["expiry_date"] = *expiry;
  if (grant) a->as_map()["grant_date"] = *grant;
  Save(c, *a, keys::IpAsset(id), "ip_asset_update");
  return Alerts(c, id, true, status == "invalidation_pending" && before != *status);
}

// The pledgee's consent row for `action` / `to` of the asset's live pledge: must exist when the
// asset is pledged (plg-pledgee-consent); returns its key ("" when the asset is free).
Result<std::string> ConsentFor(const Call& c, const Value& asset, const std::string& action,
                               const std::string& to) {
  const std::string pid = S(asset, "pledge");
  if (pid.empty()) return std::string();
  const std::string key = keys::IpConsent(pid, action, to);
  TM_ASSIGN_OR_RETURN(std::optional<Value> row, GetValue(c.view, key));
  if (!row) {
    return Refuse("pledgee-consent", "asset " + S(asset, "id") + " is pledged under " + pid +
                                         ": the pledgee has not consented to its " + action +
                                         " to " + to);
  }
  return key;
}

// After a transfer / licence of pledged IP: the consent is consumed and the pledge's history
// records the act (new owners become parties of the pledge they take the asset under).
Status UseConsent(Call& c, const std::string& consent_key, const Value& asset,
                  const std::vector<std::string>& new_parties, std::string_view action) {
  if (consent_key.empty()) return Status::Ok();
  c.view.Delete(consent_key);
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, GetValue(c.view, keys::IpPledge(S(asset, "pledge"))));
  if (!p) return Status::Corruption("asset " + S(asset, "id") + ": pledge gone");
  for (const auto& o : new_parties) AddParty(c, *p, o);
  Save(c, *p, keys::IpPledge(S(*p, "id")), action, {{"asset", S(asset, "id")}});
  return Status::Ok();
}

// ip_transfer {asset, to: [org…]}: a key of an owner org.
Status Transfer(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"asset", "to"}));
  TM_ASSIGN_OR_RETURN(std::string id, AssetArg(c.args));
  TM_ASSIGN_OR_RETURN(std::vector<std::string> to, OrgsArg(c.args, "to"));
  TM_ASSIGN_OR_RETURN(std::optional<Value> a, LoadAsset(c, id));
  if (!a || !Contains(*a, "owners", c.signer.org)) {
    return Deny("owner", "only a key of an owner org transfers IP asset " + id);
  }
  for (const auto& o : to) TM_RETURN_IF_ERROR(ActiveOrg(c, o, "to").status());
  if (to == Strings(*a, "owners")) {
    return Refuse("parties", "IP asset " + id + " already belongs to " + Join(to, ","));
  }
  TM_ASSIGN_OR_RETURN(std::string consent, ConsentFor(c, *a, "transfer", Join(to, ",")));
  TM_RETURN_IF_ERROR(UseConsent(c, consent, *a, to, "ip_transfer"));
  SetOwners(c, *a, to);
  Save(c, *a, keys::IpAsset(id), "ip_transfer");
  return Alerts(c, id, false, false);
}

// ip_licence {asset, licensee, contract_hash}: a key of an owner org.
Status Licence(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"asset", "licensee", "contract_hash"}));
  TM_ASSIGN_OR_RETURN(std::string id, AssetArg(c.args));
  TM_ASSIGN_OR_RETURN(std::string licensee, OrgArg(c.args, "licensee"));
  TM_ASSIGN_OR_RETURN(std::string contract, HashArg(c.args, "contract_hash"));
  TM_ASSIGN_OR_RETURN(std::optional<Value> a, LoadAsset(c, id));
  if (!a || !Contains(*a, "owners", c.signer.org)) {
    return Deny("owner", "only a key of an owner org licenses IP asset " + id);
  }
  TM_RETURN_IF_ERROR(ActiveOrg(c, licensee, "licensee").status());
  if (Contains(*a, "owners", licensee)) {
    return Refuse("parties", "licensee " + licensee + " is an owner of " + id);
  }
  TM_ASSIGN_OR_RETURN(std::string consent, ConsentFor(c, *a, "licence", licensee));
  TM_RETURN_IF_ERROR(UseConsent(c, consent, *a, {}, "ip_licence"));
  Value& licences = a->as_map()["licences"];
  if (!licences.is_list()) licences = Value(Value::List{});
  licences.as_list().push_back(Value(Value::Map{{"licensee", licensee},
                                                {"contract_hash", contract},
                                                {"on", BlockDay(c.ctx)},
                                                {"height", static_cast<int64_t>(c.ctx.height)}}));
  Save(c, *a, keys::IpAsset(id), "ip_licence");
  return Alerts(c, id, false, false);
}

// ip_pledgee_consent {pledge, action: transfer|licence, to}: a key of the pledgee org, live pledge.
Status PledgeeConsent(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"pledge", "action", "to"}));
  TM_ASSIGN_OR_RETURN(std::string action, EnumArg(c.args, "action", {"transfer", "licence"}));
  TM_ASSIGN_OR_RETURN(std::string to, StrArg(c.args, "to", 8 * 65));
  if (action == "transfer") {
    // The new owners, sorted-joined by ",", as ip_transfer will name them.
    std::vector<std::string> orgs;
    size_t from = 0;
    while (true) {
      const size_t comma = to.find(',', from);
      orgs.push_back(
          to.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
      if (comma == std::string::npos) break;
      from = comma + 1;
    }
    std::sort(orgs.begin(), orgs.end());
    const bool ok =
        orgs.size() <= 8 && std::adjacent_find(orgs.begin(), orgs.end()) == orgs.end() &&
        std::all_of(orgs.begin(), orgs.end(), [](const std::string& o) { return IsValidOrgId(o); });
    if (!ok) return Bad("args", "to: must be 1 to 8 distinct organisation ids joined by ','");
    to = Join(orgs, ",");
  } else if (!IsValidOrgId(to)) {
    return Bad("args", "to: not an organisation id");
  }
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, "ipp_"));
  if (!p || S(*p, "pledgee") != c.signer.org) {
    return Deny("pledgee", "only the pledgee consents to a transfer or licence of pledged IP");
  }
  TM_RETURN_IF_ERROR(LiveNow(*p));
  PutValue(c.view, keys::IpConsent(S(*p, "id"), action, to),
           Value(Value::Map{{"pledgee", c.signer.org},
                            {"action", action},
                            {"to", to},
                            {"height", static_cast<int64_t>(c.ctx.height)}}));
  Save(c, *p, keys::IpPledge(S(*p, "id")), "ip_pledgee_consent");
  return Alerts(c, S(*p, "asset"), false, false);
}

// ip_apply {asset, pledgee, debt_amount, currency, debt_start, debt_due, contract_hash}: a key of
// an owner org (the pledgor).
Status Apply(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"asset", "pledgee", "debt_amount", "currency",
                                         "debt_start", "debt_due", "contract_hash"}));
  TM_ASSIGN_OR_RETURN(std::string id, AssetArg(c.args));
  TM_ASSIGN_OR_RETURN(std::string pledgee, OrgArg(c.args, "pledgee"));
  TM_ASSIGN_OR_RETURN(int64_t debt, AmountArg(c.args, "debt_amount"));
  TM_ASSIGN_OR_RETURN(std::string currency, StrArg(c.args, "currency", 3));
  if (currency.size() != 3 || !std::all_of(currency.begin(), currency.end(),
                                           [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
    return Bad("args", "currency: must be an ISO 4217 code");
  }
  TM_ASSIGN_OR_RETURN(std::string start, DateArg(c.args, "debt_start"));
  TM_ASSIGN_OR_RETURN(std::string due, DateArg(c.args, "debt_due"));
  if (due < start) return Bad("args", "debt_due: before debt_start");
  TM_ASSIGN_OR_RETURN(std::string contract, HashArg(c.args, "contract_hash"));
  const std::string& pledgor = c.signer.org;
  TM_ASSIGN_OR_RETURN(std::optional<Value> a, LoadAsset(c, id));
  if (!a || !Contains(*a, "owners", pledgor)) {
    return Deny("owner", "only a key of an owner org pledges IP asset " + id);
  }
  TM_ASSIGN_OR_RETURN(OrgRecord bank, ActiveOrg(c, pledgee, "pledgee"));
  if (!bank.HasRole(Role::kBank) || pledgee == pledgor) {
    return Refuse("parties", "pledgee " + pledgee + " must be a BANK other than the pledgor");
  }
  std::vector<std::string> co;
  for (const auto& o : Strings(*a, "owners")) {
    if (o != pledgor) co.push_back(o);
  }
  const std::string pid = PlgIdFor("ipp", c.ctx.tx_id);
  Value rec(Value::Map{{"id", pid},
                       {"asset", id},
                       {"pledgor", pledgor},
                       {"pledgee", pledgee},
                       {"co_owners", ListOf(co)},
                       {"consents", Value::List{}},
                       {"pledgee_accepted", false},
                       {"acknowledge_invalidation", false},
                       {"debt_amount", debt},
                       {"currency", currency},
                       {"debt_start", start},
                       {"debt_due", due},
                       {"contract_hash", contract},
                       {"state", "APPLIED"},
                       {"parties", Value::List{}},
                       {"created_height", static_cast<int64_t>(c.ctx.height)},
                       {"next_hist", 1}});
  AddParty(c, rec, pledgor);
  AddParty(c, rec, pledgee);
  for (const auto& o : co) AddParty(c, rec, o);
  Save(c, rec, keys::IpPledge(pid), "ip_apply");
  return Alerts(c, id, false, false);
}

// ip_accept {pledge, acknowledge_invalidation?}: a BANK key of the pledgee org, APPLIED.
Status Accept(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"pledge", "acknowledge_invalidation"}));
  const Value* ack = c.args.Find("acknowledge_invalidation");
  if (ack != nullptr && !ack->is_bool()) {
    return Bad("args", "acknowledge_invalidation: must be a boolean");
  }
  const bool acknowledge = ack != nullptr && ack->as_bool();
  TM_RETURN_IF_ERROR(StrArg(c.args, "pledge", 64).status());
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, "ipp_"));
  if (!p || S(*p, "pledgee") != c.signer.org || !c.signer.HasRole(Role::kBank)) {
    return Deny("pledgee", "only a BANK key of the pledgee accepts a pledge");
  }
  TM_RETURN_IF_ERROR(StateIs(*p, {"APPLIED"}));
  // A second accept only to add the acknowledgement of a pending invalidation.
  if (Flag(*p, "pledgee_accepted") && !(acknowledge && !Flag(*p, "acknowledge_invalidation"))) {
    return Refuse("state", "pledge " + S(*p, "id") + " is already accepted");
  }
  p->as_map()["pledgee_accepted"] = true;
  if (acknowledge) p->as_map()["acknowledge_invalidation"] = true;
  Save(c, *p, keys::IpPledge(S(*p, "id")), "ip_accept");
  return Alerts(c, S(*p, "asset"), false, false);
}

// ip_consent {pledge}: a key of a (current) co-owner org other than the pledgor, APPLIED.
Status Consent(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"pledge"}));
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, "ipp_"));
  bool co = false;
  if (p && S(*p, "pledgor") != c.signer.org) {
    TM_ASSIGN_OR_RETURN(Value a, AssetOf(c, *p));
    co = Contains(a, "owners", c.signer.org);
  }
  if (!co) return Deny("co-owner", "only a co-owner other than the pledgor consents to a pledge");
  TM_RETURN_IF_ERROR(StateIs(*p, {"APPLIED"}));
  if (Contains(*p, "consents", c.signer.org)) {
    return Refuse("state", c.signer.org + " has already consented to pledge " + S(*p, "id"));
  }
  auto sorted_add = [&](const std::string& field) {
    auto l = Strings(*p, field);
    if (std::find(l.begin(), l.end(), c.signer.org) == l.end()) l.push_back(c.signer.org);
    std::sort(l.begin(), l.end());
    p->as_map()[field] = ListOf(l);
  };
  sorted_add("consents");
  sorted_add("co_owners");
  AddParty(c, *p, c.signer.org);
  Save(c, *p, keys::IpPledge(S(*p, "id")), "ip_consent");
  return Alerts(c, S(*p, "asset"), false, false);
}

// ip_register {pledge, registration_no}: an IP_REGISTRY key; the registry's grounds in §13's order.
Status Register(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"pledge", "registration_no"}));
  TM_RETURN_IF_ERROR(StrArg(c.args, "pledge", 64).status());
  TM_ASSIGN_OR_RETURN(std::string regno, StrArg(c.args, "registration_no", 64));
  for (char ch : regno) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') {
      return Bad("args", "registration_no: must be [A-Za-z0-9-]{1,64}");
    }
  }
  TM_RETURN_IF_ERROR(Registry(c));
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, "ipp_"));
  if (!p) return Refuse("state", "no APPLIED IP pledge " + S(c.args, "pledge"));
  TM_RETURN_IF_ERROR(StateIs(*p, {"APPLIED"}));
  TM_ASSIGN_OR_RETURN(Value a, AssetOf(c, *p));
  const std::string pid = S(*p, "id"), aid = S(a, "id"), pledgor = S(*p, "pledgor");
  const std::string day = BlockDay(c.ctx), status = S(a, "status"), expiry = S(a, "expiry_date");
  if (!Contains(a, "owners", pledgor)) {
    return Refuse("owner", "pledgor " + pledgor + " is no longer an owner of " + aid);
  }
  if (S(a, "grant_date").empty()) return Refuse("not-granted", aid + " has not been granted");
  if (status == "invalid" || status == "expired" || status == "preservation") {
    return Refuse("ip-status", aid + " is " + status);
  }
  if (expiry < day) return Refuse("ip-status", aid + " expired on " + expiry);
  const std::string paid = S(a, "annuity_paid_until");
  if (status == "fee_unpaid") return Refuse("annuity", aid + ": fees unpaid");
  if (IsPatent(S(a, "kind")) && !paid.empty() && paid < day) {
    return Refuse("annuity", aid + ": annuity paid only until " + paid);
  }
  if (status == "invalidation_pending" && !Flag(*p, "acknowledge_invalidation")) {
    return Refuse("invalidation", aid + " has an invalidation request pending that the pledgee " +
                                      S(*p, "pledgee") + " has not acknowledged");
  }
  if (!S(a, "pledge").empty()) {
    return Refuse("already-pledged", aid + " is already pledged under " + S(a, "pledge"));
  }
  if (S(*p, "debt_due") > expiry) {
    return Refuse("term", "the debt falls due on " + S(*p, "debt_due") + ", after " + aid +
                              " expires on " + expiry);
  }
  for (const auto& o : Strings(a, "owners")) {
    if (o != pledgor && !Contains(*p, "consents", o)) {
      return Refuse("consent", "co-owner " + o + " has not consented to pledge " + pid);
    }
  }
  if (!Flag(*p, "pledgee_accepted")) {
    return Refuse("pledgee-accept", "the pledgee has not accepted pledge " + pid);
  }
  TM_ASSIGN_OR_RETURN(std::optional<Value> taken, GetValue(c.view, keys::Gazette(regno)));
  if (taken) return Refuse("regno", "registration number " + regno + " is taken");

  p->as_map()["state"] = "REGISTERED";
  p->as_map()["registration_no"] = regno;
  p->as_map()["registered_on"] = day;
  p->as_map()["registered_height"] = static_cast<int64_t>(c.ctx.height);
  Save(c, *p, keys::IpPledge(pid), "ip_register");
  a.as_map()["pledge"] = pid;
  Save(c, a, keys::IpAsset(aid), "ip_register", {{"pledge", pid}});
  PutValue(c.view, keys::EncIp(aid), Value(Value::Map{{"state", "pledged"}}));
  PutValue(c.view, keys::Gazette(regno),
           Value(Value::Map{{"registration_no", regno},
                            {"kind", "ip"},
                            {"asset", aid},
                            {"asset_kind", S(a, "kind")},
                            {"title", S(a, "title")},
                            {"pledgor", OrgName(c, pledgor)},
                            {"pledgee", OrgName(c, S(*p, "pledgee"))},
                            {"registered_on", day},
                            {"state", "REGISTERED"},
                            {"changes", Value::List{}}}));
  return Alerts(c, aid, false, false);
}

// ip_change {pledge, debt_amount?, debt_due?, application_hash}: an IP_REGISTRY key.
Status Change(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"pledge", "debt_amount", "debt_due", "application_hash"}));
  TM_RETURN_IF_ERROR(StrArg(c.args, "pledge", 64).status());
  TM_RETURN_IF_ERROR(HashArg(c.args, "application_hash").status());
  std::optional<int64_t> debt;
  std::optional<std::string> due;
  if (c.args.Find("debt_amount") != nullptr) {
    TM_ASSIGN_OR_RETURN(debt, AmountArg(c.args, "debt_amount"));
  }
  if (c.args.Find("debt_due") != nullptr) {
    TM_ASSIGN_OR_RETURN(due, DateArg(c.args, "debt_due"));
  }
  TM_RETURN_IF_ERROR(Registry(c));
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, "ipp_"));
  if (!p) return Refuse("state", "no live IP pledge " + S(c.args, "pledge"));
  TM_RETURN_IF_ERROR(StateIs(*p, {"REGISTERED", "CHANGED", "EXTENDED"}));
  TM_ASSIGN_OR_RETURN(Value a, AssetOf(c, *p));
  if (due && *due > S(a, "expiry_date")) {
    return Refuse("term", "the debt would fall due on " + *due + ", after " + S(a, "id") +
                              " expires on " + S(a, "expiry_date"));
  }
  if (due && *due < S(*p, "debt_start")) {
    return Refuse("term", "the debt would fall due on " + *due + ", before it starts on " +
                              S(*p, "debt_start"));
  }
  const bool later = due && *due > S(*p, "debt_due");
  if (debt) p->as_map()["debt_amount"] = *debt;
  if (due) p->as_map()["debt_due"] = *due;
  p->as_map()["state"] = later ? "EXTENDED" : "CHANGED";
  Save(c, *p, keys::IpPledge(S(*p, "id")), "ip_change");
  Gazette(c, *p, later ? "extended" : "changed");
  return Alerts(c, S(a, "id"), true, false);
}

// ip_object {pledge, reason_hash}: a key of the pledgor, the pledgee or a co-owner.
Status Object(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"pledge", "reason_hash"}));
  TM_RETURN_IF_ERROR(StrArg(c.args, "pledge", 64).status());
  TM_ASSIGN_OR_RETURN(std::string reason, HashArg(c.args, "reason_hash"));
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, "ipp_"));
  const std::string& org = c.signer.org;
  if (!p ||
      (S(*p, "pledgor") != org && S(*p, "pledgee") != org && !Contains(*p, "co_owners", org))) {
    return Deny("party", "only the pledgor, the pledgee or a co-owner objects to a pledge");
  }
  TM_RETURN_IF_ERROR(StateIs(*p, {"REGISTERED", "CHANGED", "EXTENDED"}));
  p->as_map()["prior_state"] = S(*p, "state");
  p->as_map()["state"] = "OBJECTED";
  p->as_map()["objection"] = Value(Value::Map{{"by", org},
                                              {"reason_hash", reason},
                                              {"on", BlockDay(c.ctx)},
                                              {"height", static_cast<int64_t>(c.ctx.height)}});
  Save(c, *p, keys::IpPledge(S(*p, "id")), "ip_object");
  Gazette(c, *p, "objection filed");
  return Alerts(c, S(*p, "asset"), false, false);
}

// Ends the live pledge `p` in `state`, freeing its asset (whose owners become `owners` when
// given); history on both, gazette line `what`.
Status Finish(Call& c, Value& p, std::string_view state, std::string_view action,
              const std::string& what, const std::vector<std::string>* owners = nullptr) {
  TM_ASSIGN_OR_RETURN(Value a, AssetOf(c, p));
  p.as_map()["state"] = std::string(state);
  p.as_map().erase("prior_state");
  if (owners != nullptr) p.as_map()["enforced_to"] = ListOf(*owners);
  Save(c, p, keys::IpPledge(S(p, "id")), action);
  FreeAsset(c, a, p);
  if (owners != nullptr) SetOwners(c, a, *owners);
  Save(c, a, keys::IpAsset(S(a, "id")), action, {{"pledge", S(p, "id")}});
  Gazette(c, p, what);
  return Status::Ok();
}

// ip_resolve_objection {pledge, upheld}: an IP_REGISTRY key, OBJECTED.
Status ResolveObjection(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"pledge", "upheld"}));
  TM_RETURN_IF_ERROR(StrArg(c.args, "pledge", 64).status());
  const Value* upheld = c.args.Find("upheld");
  if (upheld == nullptr || !upheld->is_bool()) return Bad("args", "upheld: must be a boolean");
  TM_RETURN_IF_ERROR(Registry(c));
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, "ipp_"));
  if (!p) return Refuse("state", "no OBJECTED IP pledge " + S(c.args, "pledge"));
  TM_RETURN_IF_ERROR(StateIs(*p, {"OBJECTED"}));
  p->as_map()["objection"].as_map()["upheld"] = upheld->as_bool();
  if (upheld->as_bool()) {
    return Finish(c, *p, "RELEASED", "ip_resolve_objection", "objection upheld: released");
  }
  p->as_map()["state"] = S(*p, "prior_state");
  p->as_map().erase("prior_state");
  Save(c, *p, keys::IpPledge(S(*p, "id")), "ip_resolve_objection");
  Gazette(c, *p, "objection dismissed");
  return Alerts(c, S(*p, "asset"), false, false);
}

// ip_release {pledge}: a key of the pledgee org, live.
Status Release(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"pledge"}));
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, "ipp_"));
  if (!p || S(*p, "pledgee") != c.signer.org) {
    return Deny("pledgee", "only the pledgee releases a pledge");
  }
  TM_RETURN_IF_ERROR(LiveNow(*p));
  return Finish(c, *p, "RELEASED", "ip_release", "released");
}

// ip_enforce {pledge, to: [org…]}: an IP_REGISTRY key, live; the asset's owners become `to`.
Status Enforce(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"pledge", "to"}));
  TM_RETURN_IF_ERROR(StrArg(c.args, "pledge", 64).status());
  TM_ASSIGN_OR_RETURN(std::vector<std::string> to, OrgsArg(c.args, "to"));
  TM_RETURN_IF_ERROR(Registry(c));
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, "ipp_"));
  if (!p) return Refuse("state", "no live IP pledge " + S(c.args, "pledge"));
  TM_RETURN_IF_ERROR(LiveNow(*p));
  for (const auto& o : to) TM_RETURN_IF_ERROR(ActiveOrg(c, o, "to").status());
  return Finish(c, *p, "ENFORCED", "ip_enforce", "enforced", &to);
}

// ip_expire {pledge}: an IP_REGISTRY key, live, the debt due before the block day.
Status Expire(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"pledge"}));
  TM_RETURN_IF_ERROR(StrArg(c.args, "pledge", 64).status());
  TM_RETURN_IF_ERROR(Registry(c));
  TM_ASSIGN_OR_RETURN(std::optional<Value> p, PledgeArg(c, "ipp_"));
  if (!p) return Refuse("state", "no live IP pledge " + S(c.args, "pledge"));
  TM_RETURN_IF_ERROR(LiveNow(*p));
  if (!(S(*p, "debt_due") < BlockDay(c.ctx))) {
    return Refuse("not-due", "the debt of pledge " + S(*p, "id") + " falls due on " +
                                 S(*p, "debt_due") + "; it may expire from the day after");
  }
  return Finish(c, *p, "EXPIRED", "ip_expire", "expired");
}

}  // namespace

Status IpMethod(Call& c, std::string_view method) {
  if (method == "ip_asset_register") return AssetRegister(c);
  if (method == "ip_asset_update") return AssetUpdate(c);
  if (method == "ip_transfer") return Transfer(c);
  if (method == "ip_licence") return Licence(c);
  if (method == "ip_pledgee_consent") return PledgeeConsent(c);
  if (method == "ip_apply") return Apply(c);
  if (method == "ip_accept") return Accept(c);
  if (method == "ip_consent") return Consent(c);
  if (method == "ip_register") return Register(c);
  if (method == "ip_change") return Change(c);
  if (method == "ip_object") return Object(c);
  if (method == "ip_resolve_objection") return ResolveObjection(c);
  if (method == "ip_release") return Release(c);
  if (method == "ip_enforce") return Enforce(c);
  if (method == "ip_expire") return Expire(c);
  if (method == "ip_withdraw") return WithdrawPledge(c, "ipp_", "ip_withdraw");
  return Bad("method", "no method " + std::string(method) + " in contract plg");
}

// review {subject}: any active key; subject an IP asset id. Re-evaluates the time-based alerts
// (annuity-lapsed, pledge-outlives-asset) of the asset's live pledge; writes no history entry
// (no record changes).
Status Review(Call& c) {
  TM_RETURN_IF_ERROR(OnlyFields(c.args, {"subject"}));
  TM_ASSIGN_OR_RETURN(std::string id, AssetArg(c.args, "subject"));
  TM_ASSIGN_OR_RETURN(std::optional<Value> a, LoadAsset(c, id));
  if (!a) return Refuse("unknown", "no IP asset " + id);
  return Alerts(c, id, true, false);
}

}  // namespace tidemark::contracts::plg
