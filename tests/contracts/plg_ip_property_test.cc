// Property test of IP pledges (docs/finance.md §18 invariants 1 and 4): seeded random sequences of
// ip_* methods, review and the passing of days over two assets. After every step: an asset has at
// most one live pledge (REGISTERED / CHANGED / EXTENDED / OBJECTED), its record's `pledge` field
// names it, plg/enc/ip/<asset> exists iff it has one, the owner index matches its owners and
// pledgee consents exist only for live pledges. At the end of each sequence, re-executing the
// history entries in block order on a fresh genesis rebuilds every plg/ key but the alerts' audit.
// A failure prints the seed and the step.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "prov_util.h"
#include "tidemark/contracts/pledge.h"
#include "tidemark/state_keys/pledge.h"

namespace tidemark::contracts {
namespace {

using namespace testing;
namespace pk = tidemark::state_keys::plg;

constexpr uint64_t kDay = 86'400'000;
constexpr uint64_t k20261206 = 1796515200000;

const std::vector<std::string> kAssets = {"invention:A1", "trademark:T1"};
const std::vector<std::string> kOwners = {"own1", "own2", "own3"};
const std::vector<std::string> kBanks = {"bank1", "bank2"};
const std::vector<std::string> kAll = {"own1", "own2", "own3", "bank1", "bank2", "registry"};
const std::vector<std::string> kDates = {"2027-01-01", "2027-06-30", "2028-01-01", "2029-12-31",
                                         "2035-01-01"};

std::string Str(const Value& m, const std::string& k) {
  const Value* v = m.Find(k);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

bool IsLive(const std::string& s) {
  return s == "REGISTERED" || s == "CHANGED" || s == "EXTENDED" || s == "OBJECTED";
}

void Genesis(Chain& c) {
  c.Init({{"registry", {Role::kIpRegistry}},
          {"own1", {Role::kBrand}},
          {"own2", {Role::kManufacturer}},
          {"own3", {Role::kRetailer}},
          {"bank1", {Role::kBank}},
          {"bank2", {Role::kBank}}});
  c.block_time_ms = k20261206;
}

struct World {
  Chain c;
  std::mt19937_64 rng;
  std::vector<std::string> pledges;
  std::map<std::string, int> outcomes;  // "method ok" / "method rule" -> count

  explicit World(uint64_t seed) : rng(seed) {
    Genesis(c);
    Must("ip_asset_register", "registry",
         Value::Map{{"kind", "invention"},
                    {"number", "A1"},
                    {"title", "Tag"},
                    {"owners", Value::List{"own1", "own2"}},
                    {"filing_date", "2020-01-01"},
                    {"grant_date", "2021-01-01"},
                    {"expiry_date", "2040-01-01"},
                    {"annuity_paid_until", "2028-01-01"},
                    {"status", "valid"}});
    Must("ip_asset_register", "registry",
         Value::Map{{"kind", "trademark"},
                    {"number", "T1"},
                    {"title", "Mark"},
                    {"owners", Value::List{"own3"}},
                    {"filing_date", "2019-01-01"},
                    {"grant_date", "2019-06-01"},
                    {"expiry_date", "2029-06-01"},
                    {"status", "valid"}});
  }
  void Must(const std::string& method, const std::string& who, const Value& args) {
    Receipt r = c.Call(who + "/admin", "plg", method, args);
    INFO(r.reason);
    REQUIRE(Ok(r));
  }
  uint64_t U(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[U(v.size())];
  }
  // Mostly one of the last few applications (so that sequences get somewhere).
  std::string AnyPledge() {
    if (pledges.empty()) return "ipp_none";
    if (U(4) == 0) return Pick(pledges);
    return pledges[pledges.size() - 1 - U(std::min<size_t>(pledges.size(), 3))];
  }
  Value Orgs() {
    Value::List l;
    for (const auto& o : kOwners) {
      if (U(2) == 0) l.emplace_back(o);
    }
    if (l.empty()) l.emplace_back(Pick(kOwners));
    return Value(l);
  }
  // An owner of the asset most of the time (so that the sequences get somewhere).
  // Mostly a pledge in one of `states`.
  std::string PledgeIn(std::initializer_list<std::string_view> states) {
    std::vector<std::string> in;
    for (const auto& id : pledges) {
      auto p = GetValue(c.state, pk::IpPledge(id));
      if (!p.ok() || !p->has_value()) continue;
      const std::string st = Str(**p, "state");
      if (std::find(states.begin(), states.end(), st) != states.end()) in.push_back(id);
    }
    return in.empty() || U(4) == 0 ? AnyPledge() : Pick(in);
  }
  std::string OwnerOf(const std::string& asset) {
    auto a = GetValue(c.state, pk::IpAsset(asset));
    if (U(5) == 0 || !a.ok() || !a->has_value()) return Pick(kAll);
    const auto& l = (*a)->Find("owners")->as_list();
    return l[U(l.size())].as_string();
  }
  std::string Field(const std::string& pledge, const std::string& f) {
    auto p = GetValue(c.state, pk::IpPledge(pledge));
    if (U(6) == 0 || !p.ok() || !p->has_value()) return Pick(kAll);
    return Str(**p, f);
  }

  Receipt Call(const std::string& who, const std::string& method, const Value& args) {
    return c.Call(who + "/admin", "plg", method, args);
  }

  std::string Step() {
    const std::string asset = Pick(kAssets);
    const std::string applied = PledgeIn({"APPLIED"});
    const std::string live = PledgeIn({"REGISTERED", "CHANGED", "EXTENDED", "OBJECTED"});
    const std::string objected = PledgeIn({"OBJECTED"});
    const std::string pledge = AnyPledge();
    std::string method;
    Receipt r;
    switch (U(17)) {
      case 0: {
        method = "ip_asset_update";
        Value::Map m{{"asset", asset}};
        static const std::vector<std::string> kSt = {
            "valid", "valid", "valid", "valid", "fee_unpaid", "invalidation_pending", "invalid"};
        if (U(2) == 0) m["status"] = Pick(kSt);
        if (U(3) == 0) m["expiry_date"] = Pick(kDates);
        if (U(3) == 0 && asset[0] == 'i') m["annuity_paid_until"] = Pick(kDates);
        if (m.size() == 1) m["status"] = "valid";
        r = Call("registry", method, Value(m));
        break;
      }
      case 1: {
        method = "ip_apply";
        r = Call(OwnerOf(asset), method,
                 Value::Map{{"asset", asset},
                            {"pledgee", Pick(kBanks)},
                            {"debt_amount", 1000},
                            {"currency", "CNY"},
                            {"debt_start", "2026-12-01"},
                            {"debt_due", Pick(kDates)},
                            {"contract_hash", std::string(64, 'c')}});
        if (Ok(r)) pledges.push_back(PlgIdFor("ipp", r.tx_id));
        break;
      }
      case 3: {
        method = "ip_accept";
        Value::Map m{{"pledge", applied}};
        if (U(3) == 0) m["acknowledge_invalidation"] = true;
        r = Call(Field(applied, "pledgee"), method, Value(m));
        break;
      }
      case 4:
        method = "ip_consent";
        r = Call(OwnerOf(Field(applied, "asset")), method, Value::Map{{"pledge", applied}});
        break;
      case 2:
      case 5:
      case 6:
        method = "ip_register";
        r = Call("registry", method,
                 Value::Map{{"pledge", applied}, {"registration_no", "R-" + std::to_string(U(6))}});
        break;
      case 7: {
        method = "ip_change";
        Value::Map m{{"pledge", live}, {"application_hash", std::string(64, 'a')}};
        if (U(2) == 0) m["debt_due"] = Pick(kDates);
        if (U(2) == 0) m["debt_amount"] = static_cast<int64_t>(1 + U(5000));
        r = Call("registry", method, Value(m));
        break;
      }
      case 8:
        method = "ip_object";
        r = Call(U(2) == 0 ? Field(live, "pledgor") : Field(live, "pledgee"), method,
                 Value::Map{{"pledge", live}, {"reason_hash", std::string(64, 'b')}});
        break;
      case 9:
        method = "ip_resolve_objection";
        r = Call("registry", method, Value::Map{{"pledge", objected}, {"upheld", U(2) == 0}});
        break;
      case 10:
        method = "ip_release";
        r = Call(Field(live, "pledgee"), method, Value::Map{{"pledge", live}});
        break;
      case 11:
        method = U(2) == 0 ? "ip_enforce" : "ip_expire";
        r = Call("registry", method,
                 method == "ip_expire" ? Value::Map{{"pledge", live}}
                                       : Value::Map{{"pledge", live}, {"to", Orgs()}});
        break;
      case 12:
        if (U(3) != 0) {
          method = "ip_accept";
          r = Call(Field(applied, "pledgee"), method, Value::Map{{"pledge", applied}});
          break;
        }
        method = "ip_withdraw";
        r = Call(Field(applied, "pledgor"), method, Value::Map{{"pledge", applied}});
        break;
      case 13: {
        method = "ip_pledgee_consent";
        const bool transfer = U(2) == 0;
        std::string to;
        if (transfer) {
          const Value orgs = Orgs();
          for (const auto& o : orgs.as_list()) to += (to.empty() ? "" : ",") + o.as_string();
        } else {
          to = Pick(kAll);
        }
        r = Call(Field(live, "pledgee"), method,
                 Value::Map{
                     {"pledge", live}, {"action", transfer ? "transfer" : "licence"}, {"to", to}});
        break;
      }
      case 14:
        method = "ip_transfer";
        r = Call(OwnerOf(asset), method, Value::Map{{"asset", asset}, {"to", Orgs()}});
        break;
      case 15:
        method = "ip_licence";
        r = Call(OwnerOf(asset), method,
                 Value::Map{{"asset", asset},
                            {"licensee", Pick(kAll)},
                            {"contract_hash", std::string(64, 'e')}});
        break;
      default:
        if (U(2) == 0) {
          c.block_time_ms += (1 + U(60)) * kDay;
          return "days pass";
        }
        method = "review";
        r = Call(Pick(kAll), method, Value::Map{{"subject", asset}});
        break;
    }
    const size_t rule = r.reason.find("rule ");
    const std::string what = Ok(r) ? "ok" : r.reason.substr(rule, r.reason.find(':', rule) - rule);
    ++outcomes[method + " " + what];
    return method + " " + r.reason;
  }

  // Invariant 1 (and the owner index, consents, gazette state that go with it).
  void Check() {
    std::map<std::string, std::vector<std::string>> live;  // asset -> live pledges
    std::set<std::string> live_ids;
    for (const auto& id : pledges) {
      auto p = GetValue(c.state, pk::IpPledge(id));
      REQUIRE(p.ok());
      REQUIRE(p->has_value());
      const std::string st = Str(**p, "state");
      if (IsLive(st)) {
        live[Str(**p, "asset")].push_back(id);
        live_ids.insert(id);
      }
      const std::string regno = Str(**p, "registration_no");
      if (!regno.empty()) {
        auto g = GetValue(c.state, pk::Gazette(regno));
        REQUIRE(g.ok());
        REQUIRE(g->has_value());
        CHECK(Str(**g, "state") == st);
      }
    }
    for (const auto& asset : kAssets) {
      INFO(asset);
      auto a = GetValue(c.state, pk::IpAsset(asset));
      REQUIRE(a.ok());
      REQUIRE(a->has_value());
      const auto& l = live[asset];
      CHECK(l.size() <= 1);
      CHECK(GetValue(c.state, pk::EncIp(asset))->has_value() == (l.size() == 1));
      CHECK(Str(**a, "pledge") == (l.empty() ? "" : l[0]));
      std::set<std::string> owners, indexed;
      for (const auto& o : (*a)->Find("owners")->as_list()) owners.insert(o.as_string());
      for (const auto& org : kAll) {
        if (GetValue(c.state, pk::Owner(org, asset))->has_value()) indexed.insert(org);
      }
      CHECK(owners == indexed);
    }
    c.state.Scan("plg/ip/consent/", [&](const std::string& k, const Bytes&) {
      const std::string id = k.substr(15, k.find(' ', 15) - 15);
      INFO(k);
      CHECK(live_ids.count(id) == 1);
      return true;
    });
  }
};

// Every plg/ key but the alerts' audit.
std::map<std::string, Bytes> PlgKeys(const Chain& c) {
  std::map<std::string, Bytes> out;
  for (const auto& [k, v] : c.state.entries()) {
    if (k.rfind("plg/", 0) == 0 && k.rfind("plg/alert/", 0) != 0 &&
        k.rfind("plg/alerted/", 0) != 0) {
      out.emplace(k, v);
    }
  }
  return out;
}

// Invariant 4: the history entries, one tx each (by height), re-executed in block order.
void Replay(const World& w) {
  std::map<std::string, PublicKey> keys;
  for (const auto& org : kAll) {
    const PublicKey k = KeyFor(org + "/admin").public_key();
    keys.emplace(k.Hex(), k);
  }
  std::map<int64_t, Value> txs;  // height -> one history entry of that tx
  w.c.state.Scan(std::string(pk::kHistoryPrefix), [&](const std::string&, const Bytes& b) {
    auto v = Value::Decode(b);
    REQUIRE(v.ok());
    txs.emplace(v->Find("height")->as_int(), *v);
    return true;
  });
  Chain fresh;
  Genesis(fresh);
  PledgeContract plg;
  for (const auto& [height, e] : txs) {
    auto tx = Hash256::FromHex(Str(e, "tx"));
    REQUIRE(tx.ok());
    REQUIRE(keys.count(Str(e, "signer")) == 1);
    TxContext ctx{.chain_id = "tidemark-test",
                  .tx_id = *tx,
                  .signer = keys.at(Str(e, "signer")),
                  .height = static_cast<uint64_t>(height),
                  .block_time_ms = static_cast<uint64_t>(e.Find("time_ms")->as_int()),
                  .index = 0};
    EventSink sink;
    Status st = plg.Execute(ctx, Str(e, "action"), *e.Find("args"), fresh.state, sink);
    INFO("replay at height " << height << ": " << Str(e, "action") << " " << st.ToString());
    REQUIRE(st.ok());
  }
  CHECK(PlgKeys(fresh) == PlgKeys(w.c));
}

std::map<std::string, int> g_outcomes;

// The plg alerts, as stored values, oldest first.
std::vector<Value> AlertsOf(const Chain& c) {
  std::vector<Value> out;
  c.state.Scan(state_keys::alerts::AlertPrefix("plg/"), [&](const std::string&, const Bytes& b) {
    auto v = Value::Decode(b);
    REQUIRE(v.ok());
    out.push_back(*v);
    return true;
  });
  return out;
}

void RunSeed(uint64_t seed, int steps) {
  World w(seed);
  for (int i = 0; i < steps; ++i) {
    const size_t alerts_before = AlertsOf(w.c).size();
    const std::string what = w.Step();
    INFO("seed " << seed << " step " << i << ": " << what);
    w.Check();
    // A new alert is an IP kind about a pledge that is live.
    const auto alerts = AlertsOf(w.c);
    for (size_t k = alerts_before; k < alerts.size(); ++k) {
      const std::string kind = Str(alerts[k], "kind");
      CHECK((kind == "annuity-lapsed" || kind == "invalidation-filed" ||
             kind == "pledge-outlives-asset"));
      auto p = GetValue(w.c.state, pk::IpPledge(Str(alerts[k], "subject")));
      REQUIRE(p.ok());
      REQUIRE(p->has_value());
      CHECK(IsLive(Str(**p, "state")));
      ++w.outcomes["alert " + kind];
    }
  }
  INFO("seed " << seed);
  Replay(w);
  for (const auto& [k, n] : w.outcomes) g_outcomes[k] += n;
}

TEST_CASE("IP pledges keep invariant 1 and replay (invariant 4) under random ip_* sequences") {
  for (uint64_t seed = 1; seed <= 25; ++seed) RunSeed(seed, 120);
  // The sequences reach the interesting cases.
  if (std::getenv("PLG_IP_OUTCOMES") != nullptr) {
    for (const auto& [k, n] : g_outcomes) std::printf("%6d %s\n", n, k.c_str());
  }
  for (const char* k :
       {"ip_register ok", "ip_register rule plg-already-pledged", "ip_register rule plg-consent",
        "ip_register rule plg-pledgee-accept", "ip_change ok", "ip_object ok",
        "ip_resolve_objection ok", "ip_release ok", "ip_enforce ok", "ip_transfer ok",
        "ip_transfer rule plg-pledgee-consent", "ip_pledgee_consent ok", "ip_withdraw ok"}) {
    INFO(k);
    CHECK(g_outcomes[k] > 0);
  }
}

}  // namespace
}  // namespace tidemark::contracts
