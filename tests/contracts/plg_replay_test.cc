// docs/finance.md §18 invariant 4 for the equity and warehouse-receipt families of the "plg"
// contract: a seeded random sequence of eq_* / wr_* calls (right and wrong callers) and
// provenance moves; then the plg/hist entries are re-executed in block order on a fresh state
// and every plg/ key must come out equal.
//
// The fresh state is the genesis and set-up (orgs, product, items) plus, block by block, the
// writes of the other contracts (prov: custody and item states, which wr_issue reads); the plg/
// state comes only from the replay. Each entry runs with the context it records (tx, signer,
// height, time_ms) and the tx index its plg/hlog row carries (the entry itself has none).
//
// Holdings are replayed like the rest: each successful eq_holding writes a history entry of the
// holding "eqh:<org>:<uscc>" with its plg/hlog row (docs/finance.md §14), so the holdings an
// eq_apply / eq_register / eq_change found come from the history alone (no block-log feeding).
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <tuple>

#include "prov_util.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/contracts/pledge.h"
#include "tidemark/state_keys/alerts.h"
#include "tidemark/state_keys/pledge.h"

namespace tidemark::contracts {
namespace {

using namespace testing;
namespace pk = tidemark::state_keys::plg;

const std::string kGtin = "10614141073464";
const std::string kWh = "urn:epc:id:sgln:0012345.22222.0";
const std::vector<std::string> kItems = {
    "https://id.gs1.org/01/10614141073464/21/P1", "https://id.gs1.org/01/10614141073464/21/P2",
    "https://id.gs1.org/01/10614141073464/21/P3", "https://id.gs1.org/01/10614141073464/21/P4"};
const std::vector<std::string> kUscc = {"91110000802100433B", "91440300708461136T"};

std::string Str(const Value& m, const std::string& k) {
  const Value* v = m.Find(k);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

bool IsPlg(const std::string& k) { return k.rfind("plg/", 0) == 0; }

// One block of the run: its height and the writes of every contract but plg (nullopt: a delete).
struct Block {
  uint64_t height = 0;
  std::map<std::string, std::optional<Bytes>> other;
};

struct World {
  Chain c;
  std::mt19937_64 rng;
  std::vector<std::string> receipts, pledges;
  std::vector<Block> blocks;
  std::map<std::string, int> ok;  // successful calls by method
  int regno = 0;

  explicit World(uint64_t seed) : rng(seed) {
    c.Init({{"brand", {Role::kBrand, Role::kManufacturer}},
            {"warehouse", {Role::kBondedWarehouse}},
            {"retail", {Role::kRetailer}},
            {"bank", {Role::kBank}},
            {"bank2", {Role::kBank}},
            {"registrar", {Role::kRegulator}}});
    REQUIRE(Ok(c.Call("brand/admin", "prov", "register_product",
                      Value::Map{{"gtin", kGtin},
                                 {"name", "Cream"},
                                 {"origin_country", "FR"},
                                 {"company_prefix_length", 7}})));
    REQUIRE(Ok(Capture(c, "brand/admin", {Ev("ObjectEvent", "ADD", "commissioning", kItems)})));
    REQUIRE(Ok(c.Call("warehouse/admin", "prov", "register_location",
                      Value::Map{{"gln", kWh}, {"name", "Bonded warehouse"}})));
    REQUIRE(Ok(Handover(c, "brand/admin", "warehouse", kItems)));
    auto store = Ev("ObjectEvent", "OBSERVE", "storing", kItems);
    store["bizLocation"] = {{"id", kWh}};
    REQUIRE(Ok(Capture(c, "warehouse/admin", {store})));
  }
  uint64_t U(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); }
  template <class T>
  const T& Pick(const std::vector<T>& v) {
    return v[U(v.size())];
  }
  // Half of the time the newest one (likelier to be in an early state).
  std::string AnyReceipt() {
    if (receipts.empty()) return "wr_none";
    return U(2) == 0 ? receipts.back() : Pick(receipts);
  }
  std::string AnyPledge() {
    if (pledges.empty()) return "eqp_none";
    return U(2) == 0 ? pledges.back() : Pick(pledges);
  }
  // The bank a record names at `path` (the right caller), or a random bank.
  std::string BankOf(const std::string& key, std::initializer_list<const char*> path) {
    auto rec = GetValue(c.state, key);
    if (rec.ok() && rec->has_value()) {
      const Value* v = &**rec;
      for (const char* p : path) v = v != nullptr && v->is_map() ? v->Find(p) : nullptr;
      if (v != nullptr && v->is_string()) return v->as_string();
    }
    return Bank();
  }
  std::string Pledgor() { return U(2) == 0 ? "warehouse" : "retail"; }
  std::string Bank() { return U(2) == 0 ? "bank" : "bank2"; }

  Receipt Plg(const std::string& signer, const std::string& method, const Value& args) {
    Receipt r = c.Call(signer, "plg", method, args);
    if (Ok(r)) ++ok[method];
    return r;
  }

  // One random call; plg calls by the right party most of the time, sometimes by a wrong one.
  Receipt Step() {
    const std::string wrong = U(6) == 0 ? "retail/admin" : "";
    auto by = [&](const std::string& right) { return wrong.empty() ? right : wrong; };
    switch (U(16)) {
      case 0: {
        Value::List l;
        for (const auto& it : kItems) {
          if (U(2) == 0) l.push_back(it);
        }
        if (l.empty()) l.push_back(Pick(kItems));
        Value args = Value::Map{{"items", Value(l)}};
        if (U(3) == 0) args.as_map()["depositor"] = "retail";
        Receipt r = Plg(by("warehouse/admin"), "wr_issue", args);
        if (Ok(r)) receipts.push_back(PlgIdFor("wr", r.tx_id));
        return r;
      }
      case 1:
        return Plg(by(U(2) == 0 ? "warehouse/admin" : "retail/admin"), "wr_offer",
                   Value::Map{{"receipt", AnyReceipt()},
                              {"bank", Bank()},
                              {"amount", static_cast<int64_t>(100 + U(900))},
                              {"currency", "CNY"},
                              {"debt_due", "2027-01-01"}});
      case 2: {
        const std::string rid = AnyReceipt();
        return Plg(by(BankOf(pk::Receipt(rid), {"offer", "bank"}) + "/admin"), "wr_accept",
                   Value::Map{{"receipt", rid}});
      }
      case 3: {
        const std::string rid = AnyReceipt();
        return Plg(by(BankOf(pk::Receipt(rid), {"pledge", "bank"}) + "/admin"), "wr_release",
                   U(2) == 0
                       ? Value::Map{{"receipt", rid}, {"quantity", static_cast<int64_t>(1 + U(2))}}
                       : Value::Map{{"receipt", rid}, {"items", Value::List{Pick(kItems)}}});
      }
      case 4:
        return Plg(by("warehouse/admin"), "wr_cancel", Value::Map{{"receipt", AnyReceipt()}});
      case 5:
        return Plg(by(U(2) == 0 ? "warehouse/admin" : "retail/admin"), "wr_transfer",
                   Value::Map{{"receipt", AnyReceipt()}, {"to", U(2) == 0 ? "retail" : "bank"}});
      case 6:
        return Handover(c, "warehouse/admin", "retail", {Pick(kItems)});
      case 7: {
        auto e = Ev("ObjectEvent", "OBSERVE", "retail_selling", {Pick(kItems)});
        e["disposition"] = "retail_sold";
        return Capture(c, "retail/admin", {e});
      }
      case 8:
        return Plg(by("registrar/admin"), "eq_holding",
                   Value::Map{{"org", Pledgor()},
                              {"uscc", Pick(kUscc)},
                              {"company", "Example Co."},
                              {"listed", U(2) == 0},
                              {"amount", static_cast<int64_t>(500 + U(1500))}});
      case 9: {
        const std::string pledgor = Pledgor();
        Receipt r = Plg(by(pledgor + "/admin"), "eq_apply",
                        Value::Map{{"uscc", Pick(kUscc)},
                                   {"pledgee", Bank()},
                                   {"amount", static_cast<int64_t>(100 + U(700))},
                                   {"debt_amount", static_cast<int64_t>(1000 + U(9000))},
                                   {"currency", "CNY"},
                                   {"debt_due", "2027-06-30"},
                                   {"contract_hash", std::string(64, 'c')}});
        if (Ok(r)) pledges.push_back(PlgIdFor("eqp", r.tx_id));
        return r;
      }
      case 10: {
        const std::string id = AnyPledge();
        return Plg(by(BankOf(pk::EqPledge(id), {"pledgee"}) + "/admin"), "eq_accept",
                   Value::Map{{"pledge", id}});
      }
      case 11:
        return Plg(by("registrar/admin"), "eq_register",
                   Value::Map{{"pledge", AnyPledge()},
                              {"registration_no", "EQ-" + std::to_string(++regno % 40)}});
      case 12: {
        Value args =
            Value::Map{{"pledge", AnyPledge()}, {"application_hash", std::string(64, 'd')}};
        if (U(2) == 0) args.as_map()["amount"] = static_cast<int64_t>(50 + U(900));
        if (U(2) == 0) args.as_map()["debt_due"] = "2027-12-31";
        return Plg(by("registrar/admin"), "eq_change", args);
      }
      case 13: {
        const std::string id = AnyPledge();
        return Plg(by(BankOf(pk::EqPledge(id), {"pledgee"}) + "/admin"), "eq_release",
                   Value::Map{{"pledge", id}});
      }
      case 14:
        return Plg(by("registrar/admin"), "eq_enforce", Value::Map{{"pledge", AnyPledge()}});
      default:
        if (U(3) != 0) return Step();  // withdrawals rarer: they end applications early
        return Plg(by(Pledgor() + "/admin"), "eq_withdraw", Value::Map{{"pledge", AnyPledge()}});
    }
  }

  // One step, remembering the other contracts' writes.
  void Run(int steps) {
    for (int i = 0; i < steps; ++i) {
      const auto before = c.state.entries();
      Step();
      const auto& after = c.state.entries();
      Block b{.height = c.height};
      for (const auto& [k, v] : after) {
        auto it = before.find(k);
        if (!IsPlg(k) && (it == before.end() || it->second != v)) b.other[k] = v;
      }
      for (const auto& [k, v] : before) {
        if (!IsPlg(k) && after.count(k) == 0) b.other[k] = std::nullopt;
      }
      blocks.push_back(std::move(b));
    }
  }
};

// A history entry with the tx index and k of its plg/hlog row.
struct Entry {
  int64_t height = 0;
  uint32_t index = 0, k = 0;
  Value e;
};

// Every plg/hist entry, in block order: (height, index, k) from the plg/hlog rows
// "<time:20> <height:16> <index:16> <k:16>" = {id, seq}.
std::vector<Entry> HistoryInBlockOrder(const StateView& s) {
  std::map<std::pair<std::string, int64_t>, std::pair<uint32_t, uint32_t>> pos;
  const std::string hlog = state_keys::alerts::HistLogPrefix("plg/");
  s.Scan(hlog, [&](const std::string& key, const Bytes& b) {
    const std::string r = key.substr(hlog.size());
    REQUIRE(r.size() == 20 + 3 * 17);
    auto row = Value::Decode(b);
    REQUIRE(row.ok());
    pos[{Str(*row, "id"), row->Find("seq")->as_int()}] = {
        static_cast<uint32_t>(std::stoul(r.substr(38, 16))),
        static_cast<uint32_t>(std::stoul(r.substr(55, 16)))};
    return true;
  });
  std::vector<Entry> out;
  s.Scan(std::string(pk::kHistoryPrefix), [&](const std::string& key, const Bytes& b) {
    auto e = Value::Decode(b);
    REQUIRE(e.ok());
    const std::string id =
        key.substr(pk::kHistoryPrefix.size(),
                   key.find(' ', pk::kHistoryPrefix.size()) - pk::kHistoryPrefix.size());
    auto it = pos.find({id, e->Find("seq")->as_int()});
    INFO(key << ": no plg/hlog row");
    REQUIRE(it != pos.end());
    out.push_back(Entry{.height = e->Find("height")->as_int(),
                        .index = it->second.first,
                        .k = it->second.second,
                        .e = *e});
    return true;
  });
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.height, a.index, a.k) < std::tie(b.height, b.index, b.k);
  });
  return out;
}

struct Replayed {
  Status failure = Status::Ok();  // the first entry the replay could not re-execute
  std::string failed_action;
  std::map<std::string, Bytes> plg;  // every plg/ key of the replayed state
};

// Re-executes the entry `e` on `view` as the tx it records, committing its writes only if it
// succeeds.
Status Exec(MemStateView& view, const Value& e, uint32_t index) {
  TxContext ctx{.chain_id = "tidemark-test",
                .tx_id = *Hash256::FromHex(Str(e, "tx")),
                .signer = *PublicKey::FromHex(Str(e, "signer")),
                .height = static_cast<uint64_t>(e.Find("height")->as_int()),
                .block_time_ms = static_cast<uint64_t>(e.Find("time_ms")->as_int()),
                .index = index};
  OverlayStateView call(view);
  EventSink sink;
  Status st = PledgeContract().Execute(ctx, Str(e, "action"), *e.Find("args"), call, sink);
  if (st.ok()) call.Commit();
  return st;
}

// The replay on `base` (the state before the run): block by block, the plg/hist entries of the
// block, then the other contracts' writes.
Replayed Replay(const MemStateView& base, const World& w) {
  MemStateView fresh;
  for (const auto& [k, v] : base.entries()) fresh.Put(k, v);
  const std::vector<Entry> hist = HistoryInBlockOrder(w.c.state);
  size_t next = 0;
  Replayed out;
  for (const Block& b : w.blocks) {
    for (; next < hist.size() && hist[next].height == static_cast<int64_t>(b.height); ++next) {
      Status st = Exec(fresh, hist[next].e, hist[next].index);
      if (!st.ok()) {
        out.failure = st;
        out.failed_action = Str(hist[next].e, "action");
        return out;
      }
    }
    for (const auto& [k, v] : b.other) {
      if (v) {
        fresh.Put(k, *v);
      } else {
        fresh.Delete(k);
      }
    }
  }
  REQUIRE(next == hist.size());
  for (const auto& [k, v] : fresh.entries()) {
    if (IsPlg(k)) out.plg.emplace(k, v);
  }
  return out;
}

std::map<std::string, Bytes> PlgState(const World& w) {
  std::map<std::string, Bytes> out;
  for (const auto& [k, v] : w.c.state.entries()) {
    if (IsPlg(k)) out.emplace(k, v);
  }
  return out;
}

MemStateView Copy(const MemStateView& s) {
  MemStateView out;
  for (const auto& [k, v] : s.entries()) out.Put(k, v);
  return out;
}

// §18 invariant 2, from the state alone: for every holding, the live (REGISTERED / CHANGED)
// equity pledges of (org, uscc) sum to at most its amount, plg/enc/eq/<org> <uscc> says
// "fully-pledged" when they reach it, "pledged" when below, and is absent at 0; no live pledge
// stands over shares without a holding.
void CheckEquityInvariant(const StateView& s) {
  std::map<std::pair<std::string, std::string>, int64_t> live;
  s.Scan(std::string(pk::kEqPledgePrefix), [&](const std::string&, const Bytes& b) {
    auto p = Value::Decode(b);
    REQUIRE(p.ok());
    const std::string st = Str(*p, "state");
    if (st == "REGISTERED" || st == "CHANGED") {
      live[{Str(*p, "pledgor"), Str(*p, "uscc")}] += p->Find("amount")->as_int();
    }
    return true;
  });
  std::map<std::pair<std::string, std::string>, int64_t> held;
  s.Scan(std::string(pk::kHoldingPrefix), [&](const std::string&, const Bytes& b) {
    auto h = Value::Decode(b);
    REQUIRE(h.ok());
    held[{Str(*h, "org"), Str(*h, "uscc")}] = h->Find("amount")->as_int();
    return true;
  });
  for (const auto& [k, sum] : live) {
    INFO(k.first << " " << k.second << ": live pledges " << sum);
    REQUIRE(held.count(k) == 1);
    CHECK(sum <= held.at(k));
  }
  for (const auto& [k, amount] : held) {
    const int64_t sum = live.count(k) ? live.at(k) : 0;
    auto enc = GetValue(s, pk::EncEquity(k.first, k.second));
    REQUIRE(enc.ok());
    INFO(k.first << " " << k.second << ": live " << sum << " of " << amount);
    if (sum == 0) {
      CHECK(!enc->has_value());
    } else {
      REQUIRE(enc->has_value());
      CHECK(Str(**enc, "state") == (sum >= amount ? "fully-pledged" : "pledged"));
    }
  }
}

TEST_CASE("plg equity: after every step no two live pledges exceed the holding (invariant 2)") {
  int registered = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    INFO("seed " << seed);
    World w(seed);
    for (int i = 0; i < 200; ++i) {
      w.Run(1);
      CheckEquityInvariant(w.c.state);
    }
    registered += w.ok["eq_register"];
  }
  CHECK(registered > 10);  // not vacuous: pledges were registered against the holdings
}

TEST_CASE("plg replay: every successful eq_holding is a history entry of its holding") {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    INFO("seed " << seed);
    World w(seed);
    w.Run(200);
    int entries = 0;
    for (const Entry& e : HistoryInBlockOrder(w.c.state)) {
      if (Str(e.e, "action") != "eq_holding") continue;
      ++entries;
      const Value& a = *e.e.Find("args");
      // The entry sits under the holding's id, whose record names it.
      auto rec = LoadPledgeRecord(w.c.state, HoldingId(Str(a, "org"), Str(a, "uscc")));
      REQUIRE(rec.ok());
      REQUIRE(rec->has_value());
      CHECK((*rec)->Find("next_hist")->as_int() > e.e.Find("seq")->as_int());
    }
    CHECK(entries == w.ok["eq_holding"]);
  }
}

TEST_CASE("plg replay: the history entries alone rebuild every plg/ key (holdings included)") {
  std::map<std::string, int> ok;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    INFO("seed " << seed);
    World w(seed);
    const MemStateView base = Copy(w.c.state);
    w.Run(200);
    for (const auto& [m, n] : w.ok) ok[m] += n;
    Replayed r = Replay(base, w);
    INFO(r.failed_action << ": " << r.failure.ToString());
    REQUIRE(r.failure.ok());
    const auto want = PlgState(w);
    CHECK(r.plg.size() == want.size());
    CHECK(r.plg == want);
  }
  std::string counts;
  for (const auto& [m, n] : ok) counts += " " + m + "=" + std::to_string(n);
  WARN("successful calls:" << counts);
  // Not vacuous: every method succeeded somewhere.
  for (const char* m : {"wr_issue", "wr_offer", "wr_accept", "wr_release", "wr_cancel",
                        "wr_transfer", "eq_holding", "eq_apply", "eq_accept", "eq_register",
                        "eq_change", "eq_release", "eq_enforce", "eq_withdraw"}) {
    INFO(m);
    CHECK(ok[m] > 0);
  }
}

}  // namespace
}  // namespace tidemark::contracts
