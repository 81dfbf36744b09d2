// Property test: random EPCIS event sequences (fixed seeds) applied to items and pallets. After
// every transaction the contract's acceptance and every item's state and container equal an
// independent model's; at the end, replaying only the accepted events on a fresh ledger gives the
// same states (item state == a replay of its history).
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "prov_util.h"
#include "tidemark/contracts/gs1.h"

namespace tidemark::contracts {
namespace {

using namespace testing;

struct Op {
  int kind;  // 0 ship 1 receive 2 stock 3 sell 4 return 5 destroy 6 pack 7 unpack
             // 8 observe 9 store (bonded)
  std::string subject;
  std::string pallet;  // pack / unpack
};

struct ModelObj {
  std::string state;
  std::string parent;
  std::vector<std::string> children;
  bool container = false;
};

class Model {
 public:
  std::map<std::string, ModelObj> objs;

  // Returns whether the op is accepted (and applies it if so).
  bool Apply(const Op& op) {
    std::map<std::string, ModelObj> next = objs;
    bool ok = ApplyTo(next, op);
    if (ok) objs = std::move(next);
    return ok;
  }

 private:
  static std::string Target(int kind) {
    switch (kind) {
      case 0:
        return "IN_TRANSIT";
      case 1:
        return "RECEIVED";
      case 2:
        return "ON_SHELF";
      case 3:
        return "SOLD";
      case 4:
        return "RETURNED";
      case 5:
        return "DESTROYED";
      case 9:
        return "IN_BONDED_WAREHOUSE";
      default:
        return "";
    }
  }
  static bool Allowed(const std::string& state, const std::string& target) {
    if (state == "DESTROYED") return false;
    if (target.empty()) return true;
    if (state == "SOLD" && (target == "SOLD" || target == "ON_SHELF" || target == "PACKED" ||
                            target == "IN_BONDED_WAREHOUSE")) {
      return false;
    }
    return true;
  }
  static bool Step(std::map<std::string, ModelObj>& m, const std::string& id,
                   const std::string& target) {
    auto it = m.find(id);
    if (it == m.end()) return true;
    if (!Allowed(it->second.state, target)) return false;
    if (!target.empty()) it->second.state = target;
    for (const auto& c : std::vector<std::string>(it->second.children)) {
      if (!Step(m, c, target)) return false;
    }
    return true;
  }
  static bool ApplyTo(std::map<std::string, ModelObj>& m, const Op& op) {
    if (op.kind == 6) {
      auto& p = m[op.pallet];
      if (!p.container) p = ModelObj{.state = "PACKED", .container = true};
      if (!Allowed(p.state, "")) return false;
      auto& kid = m.at(op.subject);
      if (!kid.parent.empty() && kid.parent != op.pallet) return false;
      if (!Allowed(kid.state, "PACKED")) return false;
      kid.state = "PACKED";
      kid.parent = op.pallet;
      if (std::find(p.children.begin(), p.children.end(), op.subject) == p.children.end()) {
        p.children.push_back(op.subject);
      }
      return true;
    }
    if (op.kind == 7) {
      auto it = m.find(op.pallet);
      if (it == m.end()) return true;
      if (!Allowed(it->second.state, "")) return false;
      auto& kids = it->second.children;
      kids.erase(std::remove(kids.begin(), kids.end(), op.subject), kids.end());
      auto& kid = m.at(op.subject);
      if (!Allowed(kid.state, "")) return false;
      if (kid.parent == op.pallet) kid.parent = "";
      return true;
    }
    return Step(m, op.subject, Target(op.kind));
  }
};

Receipt Run(Chain& c, const Op& op) {
  static const char* kSteps[] = {"shipping",   "receiving",  "stocking", "retail_selling",
                                 "returning",  "destroying", "packing",  "unpacking",
                                 "inspecting", "storing"};
  std::string signer = op.kind == 3 || op.kind == 5 ? "retail/admin"
                       : op.kind == 9               ? "warehouse/admin"
                                                    : "forwarder/admin";
  if (op.kind == 6 || op.kind == 7) {
    auto e = Ev("AggregationEvent", op.kind == 6 ? "ADD" : "DELETE", kSteps[op.kind], {op.subject});
    e["parentID"] = op.pallet;
    return Capture(c, "brand/admin", {e});
  }
  auto e = Ev("ObjectEvent", op.kind == 5 ? "DELETE" : "OBSERVE", kSteps[op.kind], {op.subject});
  if (op.kind == 3) e["disposition"] = "retail_sold";
  return Capture(c, signer, {e});
}

void Setup(Chain& c, Model& model, const std::vector<std::string>& items) {
  Consortium(c);
  std::vector<std::string> urns(items.begin(), items.end());
  REQUIRE(Ok(Capture(c, "brand/admin", {Ev("ObjectEvent", "ADD", "commissioning", urns)})));
  for (const auto& i : items) model.objs[*CanonicalId(i)] = ModelObj{.state = "COMMISSIONED"};
}

void CheckSame(Chain& c, const Model& model) {
  for (const auto& [id, m] : model.objs) {
    auto obj = GetObject(c.state, id);
    REQUIRE(obj.ok());
    REQUIRE(obj->has_value());
    INFO(id);
    CHECK((*obj)->Find("state")->as_string() == m.state);
    CHECK((*obj)->Find("parent")->as_string() == m.parent);
  }
}

TEST_CASE("random event sequences: item state equals the model and a replay of its history") {
  for (uint64_t seed : {1u, 2u, 3u}) {
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    std::vector<std::string> items, pallets;
    for (int i = 0; i < 5; ++i)
      items.push_back("urn:epc:id:sgtin:0614141.107346.P" + std::to_string(i));
    for (int i = 0; i < 2; ++i)
      pallets.push_back("urn:epc:id:sscc:0614141.000000000" + std::to_string(i));
    Chain c;
    Model model;
    Setup(c, model, items);
    std::vector<Op> accepted;
    int accepted_count = 0, rejected_count = 0;
    for (int step = 0; step < 150; ++step) {
      Op op;
      op.kind = static_cast<int>(rng() % 10);
      bool on_pallet = op.kind != 6 && op.kind != 7 && rng() % 4 == 0;
      op.subject = on_pallet ? pallets[rng() % pallets.size()] : items[rng() % items.size()];
      op.pallet = pallets[rng() % pallets.size()];
      Op canon = op;
      canon.subject = *CanonicalId(op.subject);
      canon.pallet = *CanonicalId(op.pallet);
      bool expect = model.Apply(canon);
      Receipt r = Run(c, op);
      INFO("step " << step << " op " << op.kind << " " << op.subject << ": " << r.reason);
      REQUIRE(Ok(r) == expect);
      if (Ok(r)) {
        accepted.push_back(op);
        ++accepted_count;
      } else {
        ++rejected_count;
      }
      CheckSame(c, model);
    }
    CHECK(accepted_count > 20);
    CHECK(rejected_count > 5);
    // Replay the accepted history on a fresh ledger.
    Chain replay;
    Model unused;
    Setup(replay, unused, items);
    for (const auto& op : accepted) REQUIRE(Ok(Run(replay, op)));
    for (const auto& [id, m] : model.objs) {
      auto a = GetObject(c.state, id);
      auto b = GetObject(replay.state, id);
      CHECK((*a)->Find("state")->as_string() == (*b)->Find("state")->as_string());
      CHECK((*a)->Find("parent")->as_string() == (*b)->Find("parent")->as_string());
      CHECK((*a)->Find("timeline")->as_list().size() == (*b)->Find("timeline")->as_list().size());
      // The last timeline entry carries the current state.
      const auto& tl = (*a)->Find("timeline")->as_list();
      if (!tl.empty() && m.state != "PACKED") {
        CHECK(tl.back().Find("state")->as_string() == m.state);
      }
    }
  }
}

}  // namespace
}  // namespace tidemark::contracts
