// Property test of warehouse receipts (docs/finance.md §18 invariant 3): seeded random sequences
// of wr_* methods and provenance moves over a few items. After every step: an item is in at most
// one live receipt, plg/wr/item/<id> exists iff it is (and names that receipt), and an item that
// was under a live receipt before the step has the same custody and state after it.
// A failure prints the seed and the step.
#include <catch2/catch.hpp>
#include <random>

#include "prov_util.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/contracts/pledge.h"
#include "tidemark/contracts/state.h"
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

std::string Str(const Value& m, const std::string& k) {
  const Value* v = m.Find(k);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

struct World {
  Chain c;
  std::mt19937_64 rng;
  std::vector<std::string> receipts;
  explicit World(uint64_t seed) : rng(seed) {
    c.Init({{"brand", {Role::kBrand, Role::kManufacturer}},
            {"warehouse", {Role::kBondedWarehouse}},
            {"retail", {Role::kRetailer}},
            {"bank", {Role::kBank}}});
    REQUIRE(Ok(c.Call("brand/admin", "prov", "register_product",
                      Value::Map{{"gtin", kGtin},
                                 {"name", "Cream"},
                                 {"origin_country", "FR"},
                                 {"company_prefix_length", 7}})));
    auto commission = Ev("ObjectEvent", "ADD", "commissioning", kItems);
    REQUIRE(Ok(Capture(c, "brand/admin", {commission})));
    REQUIRE(Ok(c.Call("warehouse/admin", "prov", "register_location",
                      Value::Map{{"gln", kWh}, {"name", "Bonded warehouse"}})));
    REQUIRE(Ok(Handover(c, "brand/admin", "warehouse", kItems)));
    auto store = Ev("ObjectEvent", "OBSERVE", "storing", kItems);
    store["bizLocation"] = {{"id", kWh}};
    REQUIRE(Ok(Capture(c, "warehouse/admin", {store})));
  }
  uint64_t U(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); }
  std::string Item() { return kItems[U(kItems.size())]; }
  std::string AnyReceipt() { return receipts.empty() ? "wr_none" : receipts[U(receipts.size())]; }

  std::string Step() {
    switch (U(9)) {
      case 0: {
        Value::List l;
        for (const auto& it : kItems) {
          if (U(2) == 0) l.push_back(it);
        }
        if (l.empty()) l.push_back(Item());
        Receipt r = c.Call("warehouse/admin", "plg", "wr_issue", Value::Map{{"items", Value(l)}});
        if (Ok(r)) receipts.push_back(PlgIdFor("wr", r.tx_id));
        return "wr_issue " + r.reason;
      }
      case 1:
        return "wr_offer " + c.Call("warehouse/admin", "plg", "wr_offer",
                                    Value::Map{{"receipt", AnyReceipt()},
                                               {"bank", "bank"},
                                               {"amount", 100},
                                               {"currency", "CNY"},
                                               {"debt_due", "2027-01-01"}})
                                 .reason;
      case 2:
        return "wr_accept " +
               c.Call("bank/admin", "plg", "wr_accept", Value::Map{{"receipt", AnyReceipt()}})
                   .reason;
      case 3:
        return "wr_release q " + c.Call("bank/admin", "plg", "wr_release",
                                        Value::Map{{"receipt", AnyReceipt()},
                                                   {"quantity", static_cast<int64_t>(1 + U(2))}})
                                     .reason;
      case 4:
        return "wr_release i " +
               c.Call("bank/admin", "plg", "wr_release",
                      Value::Map{{"receipt", AnyReceipt()}, {"items", Value::List{Item()}}})
                   .reason;
      case 5:
        return "wr_cancel " +
               c.Call("warehouse/admin", "plg", "wr_cancel", Value::Map{{"receipt", AnyReceipt()}})
                   .reason;
      case 6:
        return "handover " + Handover(c, "warehouse/admin", "retail", {Item()}).reason;
      case 7:
        return "ship " +
               Capture(c, "warehouse/admin", {Ev("ObjectEvent", "OBSERVE", "shipping", {Item()})})
                   .reason;
      default: {
        auto e = Ev("ObjectEvent", "OBSERVE", "retail_selling", {Item()});
        e["disposition"] = "retail_sold";
        return "sale " + Capture(c, "retail/admin", {e}).reason;
      }
    }
  }

  // item (canonical) → live receipt covering it, checking "at most one".
  std::map<std::string, std::string> Live() {
    std::map<std::string, std::string> live;
    for (const auto& id : receipts) {
      auto rec = GetValue(c.state, pk::Receipt(id));
      REQUIRE(rec.ok());
      REQUIRE(rec->has_value());
      const std::string st = Str(**rec, "state");
      const bool is_live = st == "ISSUED" || st == "PLEDGED";
      CHECK(GetValue(c.state, pk::EncReceipt(id))->has_value() == is_live);
      if (!is_live) continue;
      for (const auto& it : (*rec)->Find("items")->as_list()) {
        CHECK(live.count(it.as_string()) == 0);  // at most one live receipt
        live[it.as_string()] = id;
      }
    }
    return live;
  }
};

int g_issued = 0, g_pledged = 0, g_blocked = 0, g_released = 0;

void RunSeed(uint64_t seed, int steps) {
  World w(seed);
  for (int i = 0; i < steps; ++i) {
    auto before_live = w.Live();
    std::map<std::string, std::pair<std::string, std::string>> before;
    for (const auto& it : kItems) before[*CanonicalId(it)] = {CustodyOf(w.c, it), StateOf(w.c, it)};
    const std::string what = w.Step();
    if (what == "wr_issue ") ++g_issued;
    if (what == "wr_accept ") ++g_pledged;
    if (what == "wr_release q " || what == "wr_release i ") ++g_released;
    if (what.find("rule prov-pledged") != std::string::npos) ++g_blocked;
    INFO("seed " << seed << " step " << i << ": " << what);
    auto live = w.Live();
    for (const auto& it : kItems) {
      const std::string id = *CanonicalId(it);
      auto row = GetValue(w.c.state, pk::ReceiptItem(id));
      REQUIRE(row.ok());
      CHECK(row->has_value() == (live.count(id) == 1));
      if (row->has_value() && live.count(id) == 1) CHECK(Str(**row, "receipt") == live[id]);
      if (before_live.count(id) == 1) {
        CHECK(CustodyOf(w.c, it) == before[id].first);
        CHECK(StateOf(w.c, it) == before[id].second);
      }
    }
  }
}

TEST_CASE("warehouse receipts keep invariant 3 under random wr_* and prov moves") {
  for (uint64_t seed = 1; seed <= 20; ++seed) RunSeed(seed, 60);
  // The sequences reach every interesting case.
  CHECK(g_issued > 0);
  CHECK(g_pledged > 0);
  CHECK(g_released > 0);
  CHECK(g_blocked > 0);
}

}  // namespace
}  // namespace tidemark::contracts
