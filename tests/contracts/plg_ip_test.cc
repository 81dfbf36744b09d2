// The IP family of the "plg" contract (docs/finance.md §13, §16): assets kept by the IP registry;
// a pledge refused on each of the registry's grounds in turn, then registered, changed, extended,
// objected and released; enforcement, expiry, withdrawal; transfer / licence of pledged IP only
// with the pledgee's consent (consumed); who may do what; refusals that change nothing; the IP
// alerts raised by the stories that should raise them and not by a clean one; the gazette.
#include <catch2/catch.hpp>
#include <functional>

#include "fin_util.h"
#include "tidemark/contracts/pledge.h"
#include "tidemark/state_keys/pledge.h"

namespace tidemark::contracts {
namespace {

using namespace testing;
namespace pk = state_keys::plg;

constexpr uint64_t kDay = 86'400'000;
constexpr uint64_t k20261206 = 1796515200000;  // 2026-12-06T00:00:00Z

// owner_a and owner_b co-own the patent; bank1 / bank2 lend; registry is the IP registry; buyer
// and stranger are nobody's party at first.
void IpConsortium(Chain& c) {
  c.Init({{"registry", {Role::kIpRegistry}},
          {"owner_a", {Role::kBrand}},
          {"owner_b", {Role::kManufacturer}},
          {"bank1", {Role::kBank}},
          {"bank2", {Role::kBank}},
          {"buyer", {Role::kRetailer}},
          {"stranger", {Role::kRetailer, Role::kBank}},
          {"regulator", {Role::kRegulator}}});
  c.block_time_ms = k20261206;
}

void Must(const Receipt& r) {
  INFO(r.reason);
  REQUIRE(Ok(r));
}

void Refused(Chain& c, const std::function<Receipt()>& act, const std::string& code,
             const std::string& rule) {
  auto before = Snapshot(c);
  Receipt r = act();
  INFO(r.reason);
  CHECK(r.status == TxStatus::kRejected);
  CHECK(r.reason.rfind(code + ": rule " + rule + ": ", 0) == 0);
  CHECK(r.events.empty());
  CHECK(Snapshot(c) == before);
}

Receipt Plg(Chain& c, const std::string& signer, const std::string& method, const Value& args) {
  return c.Call(signer, "plg", method, args);
}

const std::string kAsset = "invention:ZL2020100001.X";

Value AssetArgs() {
  return Value::Map{{"kind", "invention"},
                    {"number", "zl2020100001.x"},
                    {"title", "Cold-chain tag"},
                    {"owners", Value::List{"owner_b", "owner_a"}},
                    {"filing_date", "2020-01-15"},
                    {"grant_date", "2022-03-01"},
                    {"expiry_date", "2040-01-15"},
                    {"annuity_paid_until", "2027-01-15"},
                    {"status", "valid"}};
}

Value Update(Value::Map m) {
  m["asset"] = kAsset;
  return Value(std::move(m));
}

Value ApplyArgs(const std::string& pledgee = "bank1", const std::string& due = "2028-12-01") {
  return Value::Map{{"asset", kAsset},
                    {"pledgee", pledgee},
                    {"debt_amount", 8000000},
                    {"currency", "CNY"},
                    {"debt_start", "2026-12-01"},
                    {"debt_due", due},
                    {"contract_hash", Hex64('c')}};
}

Value P(const std::string& id) { return Value::Map{{"pledge", id}}; }
Value RegNo(const std::string& id, const std::string& no) {
  return Value::Map{{"pledge", id}, {"registration_no", no}};
}

std::string Applied(Chain& c, const std::string& pledgee = "bank1",
                    const std::string& due = "2028-12-01") {
  Receipt r = Plg(c, "owner_a/admin", "ip_apply", ApplyArgs(pledgee, due));
  Must(r);
  return PlgIdFor("ipp", r.tx_id);
}

Value Get(Chain& c, const std::string& key) {
  auto v = GetValue(c.state, key);
  REQUIRE(v.ok());
  REQUIRE(v->has_value());
  return **v;
}
bool Has(Chain& c, const std::string& key) {
  auto v = GetValue(c.state, key);
  REQUIRE(v.ok());
  return v->has_value();
}
Value Pledge(Chain& c, const std::string& id) { return Get(c, pk::IpPledge(id)); }
Value Asset(Chain& c) { return Get(c, pk::IpAsset(kAsset)); }
std::string Enc(Chain& c) {
  return Has(c, pk::EncIp(kAsset)) ? Str(Get(c, pk::EncIp(kAsset)), "state") : "free";
}

// "kind subject" of every plg alert, in order.
std::vector<std::string> Alerts(Chain& c) {
  std::vector<std::string> out;
  c.state.Scan(state_keys::alerts::AlertPrefix("plg/"), [&](const std::string&, const Bytes& b) {
    auto v = Value::Decode(b);
    REQUIRE(v.ok());
    out.push_back(Str(*v, "kind") + " " + Str(*v, "subject"));
    return true;
  });
  return out;
}

// A registered pledge by owner_a to bank1 with owner_b's consent.
std::string Registered(Chain& c, const std::string& regno = "IP-1",
                       const std::string& due = "2028-12-01") {
  const std::string id = Applied(c, "bank1", due);
  Must(Plg(c, "owner_b/admin", "ip_consent", P(id)));
  Must(Plg(c, "bank1/admin", "ip_accept", P(id)));
  Must(Plg(c, "registry/admin", "ip_register", RegNo(id, regno)));
  return id;
}

void Setup(Chain& c) {
  IpConsortium(c);
  Must(Plg(c, "registry/admin", "ip_asset_register", AssetArgs()));
}

TEST_CASE("ip_asset_register: the registry records an asset; owners indexed; number upper-cased") {
  Chain c;
  Setup(c);
  Value a = Asset(c);
  CHECK(Str(a, "id") == kAsset);
  CHECK(Str(a, "number") == "ZL2020100001.X");
  CHECK(a.Find("owners")->as_list() == Value::List{"owner_a", "owner_b"});
  CHECK(a.Find("pledge") == nullptr);
  CHECK(Has(c, pk::Owner("owner_a", kAsset)));
  CHECK(Has(c, pk::Owner("owner_b", kAsset)));
  CHECK(Enc(c) == "free");
  // Asset changes get history entries (the regulator's export, replay).
  Must(Plg(c, "registry/admin", "ip_asset_update", Update({{"annuity_paid_until", "2028-01-15"}})));
  auto h = LoadPlgHistory(c.state, kAsset);
  REQUIRE(h.ok());
  REQUIRE(h->size() == 2);
  CHECK(Str((*h)[0], "action") == "ip_asset_register");
  CHECK(Str((*h)[1], "action") == "ip_asset_update");
  CHECK(Str(Asset(c), "annuity_paid_until") == "2028-01-15");

  Refused(
      c, [&] { return Plg(c, "registry/admin", "ip_asset_register", AssetArgs()); },
      "FAILED_PRECONDITION", "plg-exists");
  Refused(
      c,
      [&] {
        return Plg(c, "registry/admin", "ip_asset_register",
                   With(AssetArgs(), "owners", Value::List{"owner_a", "nobody"}));
      },
      "FAILED_PRECONDITION", "plg-parties");
  for (const auto& [field, bad] :
       std::vector<std::pair<std::string, Value>>{{"kind", "patent"},
                                                  {"number", "ZL/1"},
                                                  {"number", std::string(33, '1')},
                                                  {"owners", Value::List{}},
                                                  {"owners", Value::List{"owner_a", "owner_a"}},
                                                  {"owners", Value::List{"Owner A"}},
                                                  {"filing_date", "2020-02-30"},
                                                  {"expiry_date", "2019-01-01"},
                                                  {"status", "pending"},
                                                  {"x", 1}}) {
    INFO(field);
    Refused(
        c,
        [&] {
          return Plg(c, "registry/admin", "ip_asset_register",
                     With(With(AssetArgs(), "number", "N2"), field, bad));
        },
        "INVALID_ARGUMENT", "plg-args");
  }
  // Annuities apply to the patent kinds only.
  Refused(
      c,
      [&] {
        return Plg(c, "registry/admin", "ip_asset_register",
                   With(AssetArgs(), "kind", "trademark"));
      },
      "INVALID_ARGUMENT", "plg-args");
  Must(Plg(c, "registry/admin", "ip_asset_register",
           Without(With(AssetArgs(), "kind", "trademark"), "annuity_paid_until")));
  CHECK(Has(c, pk::IpAsset("trademark:ZL2020100001.X")));

  for (const char* who : {"owner_a/admin", "bank1/admin", "regulator/admin"}) {
    INFO(who);
    Refused(
        c, [&] { return Plg(c, who, "ip_asset_register", With(AssetArgs(), "number", "N3")); },
        "PERMISSION_DENIED", "plg-registry");
    Refused(
        c,
        [&] {
          return Plg(c, who, "ip_asset_update", Update({{"status", "invalid"}}));
        },
        "PERMISSION_DENIED", "plg-registry");
  }
  Refused(
      c,
      [&] {
        return Plg(c, "registry/admin", "ip_asset_update",
                   Value::Map{{"asset", "invention:NOPE"}, {"status", "invalid"}});
      },
      "FAILED_PRECONDITION", "plg-unknown");
  Refused(
      c, [&] { return Plg(c, "registry/admin", "ip_asset_update", Update({})); },
      "INVALID_ARGUMENT", "plg-args");
  Refused(
      c,
      [&] {
        return Plg(c, "registry/admin", "ip_asset_update", Update({{"status", "gone"}}));
      },
      "INVALID_ARGUMENT", "plg-args");
}

TEST_CASE("ip_register: refused on each registry ground in turn, then registered") {
  Chain c;
  IpConsortium(c);
  Must(Plg(c, "registry/admin", "ip_asset_register", Without(AssetArgs(), "grant_date")));
  const std::string id = Applied(c);
  CHECK(Str(Pledge(c, id), "state") == "APPLIED");
  CHECK(Pledge(c, id).Find("co_owners")->as_list() == Value::List{"owner_b"});
  auto refused = [&](const std::string& rule, const std::string& regno = "IP-1") {
    INFO(rule);
    Refused(
        c, [&] { return Plg(c, "registry/admin", "ip_register", RegNo(id, regno)); },
        "FAILED_PRECONDITION", rule);
  };
  auto update = [&](Value::Map m) { Must(Plg(c, "registry/admin", "ip_asset_update", Update(m))); };

  // 1. the pledgor no longer an owner.
  Must(Plg(c, "owner_a/admin", "ip_transfer",
           Value::Map{{"asset", kAsset}, {"to", Value::List{"owner_b"}}}));
  refused("plg-owner");
  Must(Plg(c, "owner_b/admin", "ip_transfer",
           Value::Map{{"asset", kAsset}, {"to", Value::List{"owner_a", "owner_b"}}}));
  // 2. not granted.
  refused("plg-not-granted");
  update({{"grant_date", "2022-03-01"}});
  // 3. status, then expiry before the block day.
  for (const char* s : {"invalid", "expired", "preservation"}) {
    update({{"status", s}});
    refused("plg-ip-status");
  }
  update({{"status", "valid"}, {"expiry_date", "2026-12-01"}});
  refused("plg-ip-status");
  update({{"expiry_date", "2040-01-15"}});
  // 4. annuity: fees unpaid, then paid only until before the block day.
  update({{"status", "fee_unpaid"}});
  refused("plg-annuity");
  update({{"status", "valid"}, {"annuity_paid_until", "2026-11-30"}});
  refused("plg-annuity");
  update({{"annuity_paid_until", "2027-11-30"}});
  // 5. an invalidation pending, not acknowledged by the pledgee.
  update({{"status", "invalidation_pending"}});
  refused("plg-invalidation");
  update({{"status", "valid"}});
  // 6. another live pledge on the asset (bank2's, registered first).
  const std::string other = Applied(c, "bank2");
  Must(Plg(c, "owner_b/admin", "ip_consent", P(other)));
  Must(Plg(c, "bank2/admin", "ip_accept", P(other)));
  Must(Plg(c, "registry/admin", "ip_register", RegNo(other, "IP-0")));
  refused("plg-already-pledged");
  Must(Plg(c, "bank2/admin", "ip_release", P(other)));
  // 7. the debt falls due after the asset expires.
  update({{"expiry_date", "2028-06-30"}});
  refused("plg-term");
  update({{"expiry_date", "2040-01-15"}});
  // 8. the co-owner has not consented.
  refused("plg-consent");
  Refused(
      c, [&] { return Plg(c, "owner_a/admin", "ip_consent", P(id)); }, "PERMISSION_DENIED",
      "plg-co-owner");
  Must(Plg(c, "owner_b/admin", "ip_consent", P(id)));
  Refused(
      c, [&] { return Plg(c, "owner_b/admin", "ip_consent", P(id)); }, "FAILED_PRECONDITION",
      "plg-state");
  // 9. the pledgee has not accepted.
  refused("plg-pledgee-accept");
  Must(Plg(c, "bank1/admin", "ip_accept", P(id)));
  // 10. the registration number is taken.
  refused("plg-regno", "IP-0");
  CHECK(Enc(c) == "free");

  Receipt r = Plg(c, "registry/admin", "ip_register", RegNo(id, "IP-1"));
  Must(r);
  Value p = Pledge(c, id);
  CHECK(Str(p, "state") == "REGISTERED");
  CHECK(Str(p, "registration_no") == "IP-1");
  CHECK(Str(Asset(c), "pledge") == id);
  CHECK(Enc(c) == "pledged");
  CHECK(Get(c, pk::EncIp(kAsset)).as_map().size() == 1);
  // The gazette: what a registry publishes, no amount, no contract hash.
  Value g = Get(c, pk::Gazette("IP-1"));
  CHECK(Str(g, "kind") == "ip");
  CHECK(Str(g, "asset") == kAsset);
  CHECK(Str(g, "asset_kind") == "invention");
  CHECK(Str(g, "title") == "Cold-chain tag");
  CHECK(Str(g, "pledgor") == "owner_a");
  CHECK(Str(g, "pledgee") == "bank1");
  CHECK(Str(g, "registered_on") == "2026-12-06");
  CHECK(Str(g, "state") == "REGISTERED");
  for (const char* f : {"debt_amount", "currency", "contract_hash", "debt_due", "amount"}) {
    CHECK(g.Find(f) == nullptr);
  }
  const std::string text = g.ToJson().dump();
  CHECK(text.find("8000000") == std::string::npos);
  CHECK(text.find(Hex64('c')) == std::string::npos);
  // History: apply, consent, accept, register on the pledge; the asset records the pledge too.
  auto h = LoadPlgHistory(c.state, id);
  REQUIRE(h.ok());
  REQUIRE(h->size() == 4);
  CHECK(Str(h->back(), "action") == "ip_register");
  auto ah = LoadPlgHistory(c.state, kAsset);
  REQUIRE(ah.ok());
  CHECK(Str(ah->back(), "action") == "ip_register");
  // No alert: nothing was wrong while a pledge was live.
  CHECK(Alerts(c).empty());
}

TEST_CASE("ip pledge: changed, extended, objected / resolved, released; gazette follows") {
  Chain c;
  Setup(c);
  const std::string id = Registered(c);
  const Value hash = Hex64('d');
  Must(Plg(c, "registry/admin", "ip_change",
           Value::Map{{"pledge", id}, {"debt_amount", 9000000}, {"application_hash", hash}}));
  CHECK(Str(Pledge(c, id), "state") == "CHANGED");
  CHECK(Pledge(c, id).Find("debt_amount")->as_int() == 9000000);
  Refused(
      c,
      [&] {
        return Plg(
            c, "registry/admin", "ip_change",
            Value::Map{{"pledge", id}, {"debt_due", "2041-01-01"}, {"application_hash", hash}});
      },
      "FAILED_PRECONDITION", "plg-term");
  Must(Plg(c, "registry/admin", "ip_change",
           Value::Map{{"pledge", id}, {"debt_due", "2029-12-01"}, {"application_hash", hash}}));
  CHECK(Str(Pledge(c, id), "state") == "EXTENDED");
  CHECK(Str(Pledge(c, id), "debt_due") == "2029-12-01");

  // Objection by the co-owner; dismissed: back to EXTENDED.
  Refused(
      c,
      [&] {
        return Plg(c, "stranger/admin", "ip_object",
                   Value::Map{{"pledge", id}, {"reason_hash", hash}});
      },
      "PERMISSION_DENIED", "plg-party");
  Must(Plg(c, "owner_b/admin", "ip_object", Value::Map{{"pledge", id}, {"reason_hash", hash}}));
  CHECK(Str(Pledge(c, id), "state") == "OBJECTED");
  CHECK(Str(Pledge(c, id), "prior_state") == "EXTENDED");
  CHECK(Enc(c) == "pledged");
  Refused(
      c,
      [&] {
        return Plg(c, "bank1/admin", "ip_object",
                   Value::Map{{"pledge", id}, {"reason_hash", hash}});
      },
      "FAILED_PRECONDITION", "plg-state");
  Refused(
      c,
      [&] {
        return Plg(c, "registry/admin", "ip_change",
                   Value::Map{{"pledge", id}, {"debt_amount", 1}, {"application_hash", hash}});
      },
      "FAILED_PRECONDITION", "plg-state");
  Refused(
      c,
      [&] {
        return Plg(c, "bank1/admin", "ip_resolve_objection",
                   Value::Map{{"pledge", id}, {"upheld", false}});
      },
      "PERMISSION_DENIED", "plg-registry");
  Must(Plg(c, "registry/admin", "ip_resolve_objection",
           Value::Map{{"pledge", id}, {"upheld", false}}));
  CHECK(Str(Pledge(c, id), "state") == "EXTENDED");
  CHECK(Pledge(c, id).Find("prior_state") == nullptr);
  Refused(
      c,
      [&] {
        return Plg(c, "registry/admin", "ip_resolve_objection",
                   Value::Map{{"pledge", id}, {"upheld", false}});
      },
      "FAILED_PRECONDITION", "plg-state");

  // Release: only the pledgee; the asset is free again.
  for (const char* who : {"owner_a/admin", "bank2/admin", "registry/admin"}) {
    INFO(who);
    Refused(
        c, [&] { return Plg(c, who, "ip_release", P(id)); }, "PERMISSION_DENIED", "plg-pledgee");
  }
  Must(Plg(c, "bank1/admin", "ip_release", P(id)));
  CHECK(Str(Pledge(c, id), "state") == "RELEASED");
  CHECK(Asset(c).Find("pledge") == nullptr);
  CHECK(Enc(c) == "free");
  Refused(
      c, [&] { return Plg(c, "bank1/admin", "ip_release", P(id)); }, "FAILED_PRECONDITION",
      "plg-state");
  Value g = Get(c, pk::Gazette("IP-1"));
  CHECK(Str(g, "state") == "RELEASED");
  std::vector<std::string> what;
  for (const Value& ch : g.Find("changes")->as_list()) what.push_back(Str(ch, "what"));
  CHECK(what == std::vector<std::string>{"changed", "extended", "objection filed",
                                         "objection dismissed", "released"});
  // One history entry per successful method, in order; the asset's shows the pledge's life.
  auto actions = [&](const std::string& id) {
    auto h = LoadPlgHistory(c.state, id);
    REQUIRE(h.ok());
    std::vector<std::string> out;
    for (const Value& e : *h) out.push_back(Str(e, "action"));
    return out;
  };
  CHECK(actions(id) == std::vector<std::string>{"ip_apply", "ip_consent", "ip_accept",
                                                "ip_register", "ip_change", "ip_change",
                                                "ip_object", "ip_resolve_objection", "ip_release"});
  CHECK(actions(kAsset) ==
        std::vector<std::string>{"ip_asset_register", "ip_register", "ip_release"});
  // A fresh pledge of the freed asset registers; an upheld objection releases it.
  const std::string again = Registered(c, "IP-2");
  Must(Plg(c, "bank1/admin", "ip_object", Value::Map{{"pledge", again}, {"reason_hash", hash}}));
  Must(Plg(c, "registry/admin", "ip_resolve_objection",
           Value::Map{{"pledge", again}, {"upheld", true}}));
  CHECK(Str(Pledge(c, again), "state") == "RELEASED");
  CHECK(Enc(c) == "free");
  CHECK(Alerts(c).empty());
}

TEST_CASE("ip pledge: enforce moves the asset; expire only after the debt falls due; withdraw") {
  Chain c;
  Setup(c);
  const std::string id = Registered(c);
  for (const char* who : {"bank1/admin", "owner_a/admin"}) {
    INFO(who);
    Refused(
        c,
        [&] {
          return Plg(c, who, "ip_enforce",
                     Value::Map{{"pledge", id}, {"to", Value::List{"buyer"}}});
        },
        "PERMISSION_DENIED", "plg-registry");
    Refused(
        c, [&] { return Plg(c, who, "ip_expire", P(id)); }, "PERMISSION_DENIED", "plg-registry");
  }
  Refused(
      c,
      [&] {
        return Plg(c, "registry/admin", "ip_enforce",
                   Value::Map{{"pledge", id}, {"to", Value::List{"nobody"}}});
      },
      "FAILED_PRECONDITION", "plg-parties");
  Must(Plg(c, "registry/admin", "ip_enforce",
           Value::Map{{"pledge", id}, {"to", Value::List{"buyer"}}}));
  CHECK(Str(Pledge(c, id), "state") == "ENFORCED");
  CHECK(Asset(c).Find("owners")->as_list() == Value::List{"buyer"});
  CHECK(Has(c, pk::Owner("buyer", kAsset)));
  CHECK_FALSE(Has(c, pk::Owner("owner_a", kAsset)));
  CHECK_FALSE(Has(c, pk::Owner("owner_b", kAsset)));
  CHECK(Enc(c) == "free");
  CHECK(Asset(c).Find("pledge") == nullptr);
  CHECK(Str(Get(c, pk::Gazette("IP-1")), "state") == "ENFORCED");
  Refused(
      c, [&] { return Plg(c, "registry/admin", "ip_expire", P(id)); }, "FAILED_PRECONDITION",
      "plg-state");

  // Expiry: the new owner pledges; not before the day after debt_due.
  Receipt r = Plg(c, "buyer/admin", "ip_apply", ApplyArgs("bank2", "2027-03-01"));
  Must(r);
  const std::string p2 = PlgIdFor("ipp", r.tx_id);
  Must(Plg(c, "bank2/admin", "ip_accept", P(p2)));
  Must(Plg(c, "registry/admin", "ip_register", RegNo(p2, "IP-2")));
  Refused(
      c, [&] { return Plg(c, "registry/admin", "ip_expire", P(p2)); }, "FAILED_PRECONDITION",
      "plg-not-due");
  c.block_time_ms = k20261206 + 85 * kDay;  // 2027-03-01: the due day itself
  Refused(
      c, [&] { return Plg(c, "registry/admin", "ip_expire", P(p2)); }, "FAILED_PRECONDITION",
      "plg-not-due");
  c.block_time_ms = k20261206 + 86 * kDay;  // 2027-03-02
  Must(Plg(c, "registry/admin", "ip_expire", P(p2)));
  CHECK(Str(Pledge(c, p2), "state") == "EXPIRED");
  CHECK(Enc(c) == "free");

  // Withdraw: only the pledgor, only while APPLIED.
  r = Plg(c, "buyer/admin", "ip_apply", ApplyArgs("bank2", "2028-03-01"));
  Must(r);
  const std::string p3 = PlgIdFor("ipp", r.tx_id);
  for (const char* who : {"bank2/admin", "owner_a/admin", "registry/admin"}) {
    INFO(who);
    Refused(
        c, [&] { return Plg(c, who, "ip_withdraw", P(p3)); }, "PERMISSION_DENIED", "plg-pledgor");
  }
  Must(Plg(c, "buyer/admin", "ip_withdraw", P(p3)));
  CHECK(Str(Pledge(c, p3), "state") == "WITHDRAWN");
  Refused(
      c, [&] { return Plg(c, "buyer/admin", "ip_withdraw", P(p3)); }, "FAILED_PRECONDITION",
      "plg-state");
  Refused(
      c, [&] { return Plg(c, "bank2/admin", "ip_accept", P(p3)); }, "FAILED_PRECONDITION",
      "plg-state");
  Refused(
      c, [&] { return Plg(c, "registry/admin", "ip_register", RegNo(p3, "IP-3")); },
      "FAILED_PRECONDITION", "plg-state");
  CHECK(Enc(c) == "free");
}

TEST_CASE("ip transfer / licence of pledged IP: refused without the pledgee's consent") {
  Chain c;
  Setup(c);
  // Free: the owners transfer and license freely.
  Must(Plg(c, "owner_a/admin", "ip_licence",
           Value::Map{{"asset", kAsset}, {"licensee", "buyer"}, {"contract_hash", Hex64('e')}}));
  const std::string id = Registered(c);
  const Value to_buyer = Value::Map{{"asset", kAsset}, {"to", Value::List{"owner_a", "buyer"}}};
  const Value licence =
      Value::Map{{"asset", kAsset}, {"licensee", "stranger"}, {"contract_hash", Hex64('e')}};
  Refused(
      c, [&] { return Plg(c, "owner_b/admin", "ip_transfer", to_buyer); }, "FAILED_PRECONDITION",
      "plg-pledgee-consent");
  Refused(
      c, [&] { return Plg(c, "owner_a/admin", "ip_licence", licence); }, "FAILED_PRECONDITION",
      "plg-pledgee-consent");
  Refused(
      c, [&] { return Plg(c, "buyer/admin", "ip_transfer", to_buyer); }, "PERMISSION_DENIED",
      "plg-owner");
  Refused(
      c, [&] { return Plg(c, "stranger/admin", "ip_licence", licence); }, "PERMISSION_DENIED",
      "plg-owner");
  // Consent: only the pledgee, only a live pledge; a consent for something else does not serve.
  const Value consent_t =
      Value::Map{{"pledge", id}, {"action", "transfer"}, {"to", "owner_a,buyer"}};
  for (const char* who : {"owner_a/admin", "bank2/admin", "registry/admin"}) {
    INFO(who);
    Refused(
        c, [&] { return Plg(c, who, "ip_pledgee_consent", consent_t); }, "PERMISSION_DENIED",
        "plg-pledgee");
  }
  Refused(
      c,
      [&] {
        return Plg(c, "bank1/admin", "ip_pledgee_consent", With(consent_t, "action", "sell"));
      },
      "INVALID_ARGUMENT", "plg-args");
  Must(Plg(c, "bank1/admin", "ip_pledgee_consent",
           Value::Map{{"pledge", id}, {"action", "transfer"}, {"to", "buyer"}}));
  Refused(
      c, [&] { return Plg(c, "owner_b/admin", "ip_transfer", to_buyer); }, "FAILED_PRECONDITION",
      "plg-pledgee-consent");
  // "to" is normalised: the same set in any order.
  Must(Plg(c, "bank1/admin", "ip_pledgee_consent", consent_t));
  const std::string ckey = pk::IpConsent(id, "transfer", "buyer,owner_a");
  CHECK(Has(c, ckey));
  Must(Plg(c, "owner_b/admin", "ip_transfer", to_buyer));
  CHECK_FALSE(Has(c, ckey));  // consumed
  CHECK(Asset(c).Find("owners")->as_list() == Value::List{"buyer", "owner_a"});
  CHECK(Str(Asset(c), "pledge") == id);
  CHECK(Enc(c) == "pledged");
  CHECK(IsPlgParty(Pledge(c, id), "buyer"));  // the transferee takes the asset under the pledge
  CHECK(Has(c, pk::Owner("buyer", kAsset)));
  CHECK_FALSE(Has(c, pk::Owner("owner_b", kAsset)));
  // owner_b is no longer an owner; the same transfer again needs a new consent.
  Refused(
      c, [&] { return Plg(c, "owner_b/admin", "ip_licence", licence); }, "PERMISSION_DENIED",
      "plg-owner");
  Must(Plg(c, "bank1/admin", "ip_pledgee_consent",
           Value::Map{{"pledge", id}, {"action", "licence"}, {"to", "stranger"}}));
  Must(Plg(c, "owner_a/admin", "ip_licence", licence));
  CHECK_FALSE(Has(c, pk::IpConsent(id, "licence", "stranger")));
  CHECK(Asset(c).Find("licences")->as_list().size() == 2);
  Refused(
      c, [&] { return Plg(c, "owner_a/admin", "ip_licence", licence); }, "FAILED_PRECONDITION",
      "plg-pledgee-consent");
  // An unused consent goes with the pledge.
  Must(Plg(c, "bank1/admin", "ip_pledgee_consent",
           Value::Map{{"pledge", id}, {"action", "licence"}, {"to", "bank2"}}));
  Must(Plg(c, "bank1/admin", "ip_release", P(id)));
  CHECK_FALSE(Has(c, pk::IpConsent(id, "licence", "bank2")));
  Refused(
      c,
      [&] {
        return Plg(c, "bank1/admin", "ip_pledgee_consent",
                   Value::Map{{"pledge", id}, {"action", "licence"}, {"to", "bank2"}});
      },
      "FAILED_PRECONDITION", "plg-state");
  Must(Plg(c, "buyer/admin", "ip_transfer",
           Value::Map{{"asset", kAsset}, {"to", Value::List{"buyer"}}}));
  CHECK(Alerts(c).empty());
}

TEST_CASE("ip pledge: wrong callers, unknown ids and bad args are refused and change nothing") {
  Chain c;
  Setup(c);
  Refused(
      c, [&] { return Plg(c, "stranger/admin", "ip_apply", ApplyArgs()); }, "PERMISSION_DENIED",
      "plg-owner");
  Refused(
      c,
      [&] {
        return Plg(c, "owner_a/admin", "ip_apply", With(ApplyArgs(), "asset", "invention:NO"));
      },
      "PERMISSION_DENIED", "plg-owner");
  for (const char* pledgee : {"owner_b", "owner_a", "buyer", "nobody"}) {
    INFO(pledgee);
    Refused(
        c, [&] { return Plg(c, "owner_a/admin", "ip_apply", ApplyArgs(pledgee)); },
        "FAILED_PRECONDITION", "plg-parties");
  }
  for (const auto& [field, bad] :
       std::vector<std::pair<std::string, Value>>{{"debt_amount", 0},
                                                  {"currency", "cny"},
                                                  {"debt_due", "2026-11-01"},
                                                  {"contract_hash", "abc"},
                                                  {"asset", "ZL1"},
                                                  {"pledgee", "Bank 1"}}) {
    INFO(field);
    Refused(
        c, [&] { return Plg(c, "owner_a/admin", "ip_apply", With(ApplyArgs(), field, bad)); },
        "INVALID_ARGUMENT", "plg-args");
  }
  const std::string id = Applied(c);
  for (const char* who : {"bank2/admin", "owner_a/admin", "registry/admin", "stranger/admin"}) {
    INFO(who);
    Refused(
        c, [&] { return Plg(c, who, "ip_accept", P(id)); }, "PERMISSION_DENIED", "plg-pledgee");
  }
  Refused(
      c, [&] { return Plg(c, "bank1/admin", "ip_accept", P("ipp_unknown")); }, "PERMISSION_DENIED",
      "plg-pledgee");
  Refused(
      c,
      [&] {
        return Plg(c, "bank1/admin", "ip_accept",
                   Value::Map{{"pledge", id}, {"acknowledge_invalidation", "yes"}});
      },
      "INVALID_ARGUMENT", "plg-args");
  for (const char* who : {"stranger/admin", "bank1/admin", "owner_a/admin"}) {
    INFO(who);
    Refused(
        c, [&] { return Plg(c, who, "ip_consent", P(id)); }, "PERMISSION_DENIED", "plg-co-owner");
  }
  Refused(
      c, [&] { return Plg(c, "owner_b/admin", "ip_consent", P("ipp_unknown")); },
      "PERMISSION_DENIED", "plg-co-owner");
  for (const char* who : {"owner_a/admin", "bank1/admin", "regulator/admin"}) {
    INFO(who);
    Refused(
        c, [&] { return Plg(c, who, "ip_register", RegNo(id, "IP-9")); }, "PERMISSION_DENIED",
        "plg-registry");
    Refused(
        c,
        [&] {
          return Plg(
              c, who, "ip_change",
              Value::Map{{"pledge", id}, {"debt_amount", 1}, {"application_hash", Hex64('d')}});
        },
        "PERMISSION_DENIED", "plg-registry");
  }
  Refused(
      c, [&] { return Plg(c, "registry/admin", "ip_register", RegNo(id, "IP 9")); },
      "INVALID_ARGUMENT", "plg-args");
  Refused(
      c, [&] { return Plg(c, "registry/admin", "ip_register", RegNo("ipp_unknown", "IP-9")); },
      "FAILED_PRECONDITION", "plg-state");
  // Not yet live: no change, object, release, enforce, expire, consent.
  Refused(
      c,
      [&] {
        return Plg(
            c, "registry/admin", "ip_change",
            Value::Map{{"pledge", id}, {"debt_amount", 1}, {"application_hash", Hex64('d')}});
      },
      "FAILED_PRECONDITION", "plg-state");
  Refused(
      c,
      [&] {
        return Plg(c, "owner_a/admin", "ip_object",
                   Value::Map{{"pledge", id}, {"reason_hash", Hex64('d')}});
      },
      "FAILED_PRECONDITION", "plg-state");
  Refused(
      c, [&] { return Plg(c, "bank1/admin", "ip_release", P(id)); }, "FAILED_PRECONDITION",
      "plg-state");
  Refused(
      c, [&] { return Plg(c, "registry/admin", "ip_expire", P(id)); }, "FAILED_PRECONDITION",
      "plg-state");
  Refused(
      c,
      [&] {
        return Plg(c, "bank1/admin", "ip_pledgee_consent",
                   Value::Map{{"pledge", id}, {"action", "licence"}, {"to", "buyer"}});
      },
      "FAILED_PRECONDITION", "plg-state");
  // The pledgee accepts once (again only to acknowledge an invalidation).
  Must(Plg(c, "bank1/admin", "ip_accept", P(id)));
  Refused(
      c, [&] { return Plg(c, "bank1/admin", "ip_accept", P(id)); }, "FAILED_PRECONDITION",
      "plg-state");
  Must(Plg(c, "bank1/admin", "ip_accept",
           Value::Map{{"pledge", id}, {"acknowledge_invalidation", true}}));
  CHECK(Pledge(c, id).Find("acknowledge_invalidation")->as_bool());
  // review: any active key; an unknown asset is plg-unknown.
  Refused(
      c,
      [&] {
        return Plg(c, "stranger/admin", "review", Value::Map{{"subject", "invention:NO"}});
      },
      "FAILED_PRECONDITION", "plg-unknown");
  Refused(
      c,
      [&] {
        return Plg(c, "stranger/admin", "review", Value::Map{{"subject", "x"}});
      },
      "INVALID_ARGUMENT", "plg-args");
  Refused(
      c, [&] { return Plg(c, "registry/admin", "ip_nothing", P(id)); }, "INVALID_ARGUMENT",
      "plg-method");
}

TEST_CASE("ip_register: an acknowledged invalidation does not stop registration") {
  Chain c;
  Setup(c);
  Must(Plg(c, "registry/admin", "ip_asset_update", Update({{"status", "invalidation_pending"}})));
  const std::string id = Applied(c);
  Must(Plg(c, "owner_b/admin", "ip_consent", P(id)));
  Must(Plg(c, "bank1/admin", "ip_accept",
           Value::Map{{"pledge", id}, {"acknowledge_invalidation", true}}));
  Must(Plg(c, "registry/admin", "ip_register", RegNo(id, "IP-1")));
  CHECK(Enc(c) == "pledged");
  // Pending before registration: not "filed" while the pledge was live.
  CHECK(Alerts(c).empty());
}

TEST_CASE("ip alerts: each raised by its story, once, with the pledge's parties") {
  SECTION("annuity-lapsed: fees unpaid while pledged (update), raised once") {
    Chain c;
    Setup(c);
    const std::string id = Registered(c);
    Receipt r = Plg(c, "registry/admin", "ip_asset_update", Update({{"status", "fee_unpaid"}}));
    Must(r);
    CHECK(Alerts(c) == std::vector<std::string>{"annuity-lapsed " + id});
    REQUIRE(r.events.size() == 1);
    CHECK(r.events[0].type == "plg.alert");
    // Any ip_* on the asset and review re-evaluate it; it is raised once.
    Must(Plg(c, "bank1/admin", "ip_pledgee_consent",
             Value::Map{{"pledge", id}, {"action", "licence"}, {"to", "buyer"}}));
    Must(Plg(c, "stranger/admin", "review", Value::Map{{"subject", kAsset}}));
    CHECK(Alerts(c).size() == 1);
  }
  SECTION("annuity-lapsed: the paid-until day passes; review raises it") {
    Chain c;
    Setup(c);
    const std::string id = Registered(c);
    Must(Plg(c, "stranger/admin", "review", Value::Map{{"subject", kAsset}}));
    CHECK(Alerts(c).empty());
    c.block_time_ms = k20261206 + 60 * kDay;  // 2027-02-04, past 2027-01-15
    Must(Plg(c, "stranger/admin", "review", Value::Map{{"subject", kAsset}}));
    REQUIRE(Alerts(c) == std::vector<std::string>{"annuity-lapsed " + id});
    Value alert;
    c.state.Scan(state_keys::alerts::AlertPrefix("plg/"), [&](const std::string&, const Bytes& b) {
      alert = *Value::Decode(b);
      return false;
    });
    CHECK(alert.Find("orgs")->as_list() == Value::List{"bank1", "owner_a", "owner_b"});
    CHECK(Str(*alert.Find("detail"), "asset") == kAsset);
    CHECK(Has(c, state_keys::alerts::Alerted("plg/", "annuity-lapsed", id)));
    // Raised once: a later review adds nothing.
    Must(Plg(c, "stranger/admin", "review", Value::Map{{"subject", kAsset}}));
    CHECK(Alerts(c).size() == 1);
  }
  SECTION("invalidation-filed: an invalidation request while pledged") {
    Chain c;
    Setup(c);
    const std::string id = Registered(c);
    Must(Plg(c, "registry/admin", "ip_asset_update", Update({{"status", "invalidation_pending"}})));
    CHECK(Alerts(c) == std::vector<std::string>{"invalidation-filed " + id});
  }
  SECTION("pledge-outlives-asset: expiry moved before debt_due; asset invalid") {
    Chain c;
    Setup(c);
    const std::string id = Registered(c);
    Must(Plg(c, "registry/admin", "ip_asset_update", Update({{"expiry_date", "2028-01-01"}})));
    CHECK(Alerts(c) == std::vector<std::string>{"pledge-outlives-asset " + id});
    Must(Plg(c, "bank1/admin", "ip_release", P(id)));
    Must(Plg(c, "registry/admin", "ip_asset_update", Update({{"expiry_date", "2040-01-15"}})));
    const std::string id2 = Registered(c, "IP-2");
    CHECK(Alerts(c).size() == 1);
    // The asset declared invalid: raised (per pledge: a new subject).
    Must(Plg(c, "registry/admin", "ip_asset_update", Update({{"status", "invalid"}})));
    CHECK(Alerts(c) ==
          std::vector<std::string>{"pledge-outlives-asset " + id, "pledge-outlives-asset " + id2});
  }
  SECTION("pledge-outlives-asset: review after the asset's expiry day passes") {
    Chain c;
    Setup(c);
    Must(Plg(c, "registry/admin", "ip_asset_update",
             Update({{"expiry_date", "2028-12-01"}, {"annuity_paid_until", "2030-01-15"}})));
    const std::string id = Registered(c);      // debt due 2028-12-01: the last day, allowed
    c.block_time_ms = k20261206 + 725 * kDay;  // 2028-11-30
    Must(Plg(c, "stranger/admin", "review", Value::Map{{"subject", kAsset}}));
    CHECK(Alerts(c).empty());
    c.block_time_ms = k20261206 + 727 * kDay;  // 2028-12-02
    Must(Plg(c, "stranger/admin", "review", Value::Map{{"subject", kAsset}}));
    CHECK(Alerts(c) == std::vector<std::string>{"pledge-outlives-asset " + id});
  }
  SECTION("a clean register -> change -> release story raises none") {
    Chain c;
    Setup(c);
    const std::string id = Registered(c);
    Must(Plg(c, "stranger/admin", "review", Value::Map{{"subject", kAsset}}));
    Must(Plg(
        c, "registry/admin", "ip_change",
        Value::Map{{"pledge", id}, {"debt_due", "2029-06-01"}, {"application_hash", Hex64('d')}}));
    Must(Plg(c, "registry/admin", "ip_asset_update",
             Update({{"annuity_paid_until", "2028-01-15"}})));
    Must(Plg(c, "stranger/admin", "review", Value::Map{{"subject", kAsset}}));
    Must(Plg(c, "bank1/admin", "ip_release", P(id)));
    // Lapses of a free asset raise nothing.
    Must(Plg(c, "registry/admin", "ip_asset_update", Update({{"status", "fee_unpaid"}})));
    Must(Plg(c, "registry/admin", "ip_asset_update", Update({{"status", "invalid"}})));
    CHECK(Alerts(c).empty());
  }
}

}  // namespace
}  // namespace tidemark::contracts
