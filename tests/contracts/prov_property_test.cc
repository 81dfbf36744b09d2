// Property test: random EPCIS event sequences and custody handovers (fixed seeds) applied to items
// and pallets by random actors — the brand that owns the goods, a shop it works with, and a rival
// that holds every supply-chain role but owns and holds nothing of the brand's. After every
// transaction the contract's acceptance and every object's state, container, holder and pending
// handover equal an independent model's; a refused transaction changes no state at all; an actor
// that neither holds, owns nor is offered an object never gets an act on it accepted; at the end,
// replaying only the accepted transactions on a fresh ledger gives the same records.
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "prov_util.h"
#include "tidemark/contracts/gs1.h"

namespace tidemark::contracts {
namespace {

using namespace testing;

const std::vector<std::string> kActors = {"brand", "shop", "rival"};

struct Op {
  int kind;  // 0 ship 1 receive 2 stock 3 sell 4 return 5 destroy 6 pack 7 unpack
             // 8 observe 9 store 10 transfer_custody 11 accept_custody
  std::string actor;
  std::string subject;
  std::string pallet;  // pack / unpack
  std::string to;      // transfer_custody
};

struct ModelObj {
  std::string state;
  std::string parent;
  std::vector<std::string> children;
  bool container = false;
  std::string holder;
  std::string owner;
  std::string handover;  // org a handover is pending to, "" if none
  bool bonded = false;  // stored by a bonded warehouse: under customs control (never released here)
};

bool TakesCustody(const std::string& t) {
  return t == "RECEIVED" || t == "STORED" || t == "IN_BONDED_WAREHOUSE" || t == "ON_SHELF" ||
         t == "RETURNED";
}

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
  static std::string Target(const Op& op) {
    switch (op.kind) {
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
        return op.actor == "brand" ? "STORED" : "IN_BONDED_WAREHOUSE";  // bonded role
      default:
        return "";
    }
  }
  static bool Allowed(const ModelObj& o, const std::string& target) {
    const std::string& state = o.state;
    if (state == "DESTROYED") return false;
    if (target.empty()) return true;
    // Rule prov-bonded-unreleased: no sale, shelf or shipping (these events name no bonded
    // destination) of goods under bonded control.
    if (o.bonded && (target == "SOLD" || target == "ON_SHELF" || target == "IN_TRANSIT")) {
      return false;
    }
    if (state == "SOLD" && (target == "SOLD" || target == "ON_SHELF" || target == "PACKED" ||
                            target == "IN_BONDED_WAREHOUSE")) {
      return false;
    }
    return true;
  }
  // Ownership and custody (docs/provenance.md, "Who may do what to whose object").
  static bool Authorised(const ModelObj& o, const std::string& target, const std::string& actor) {
    if (target == "DESTROYED") return actor == o.holder || actor == o.owner;
    if (actor == o.holder) return true;
    return TakesCustody(target) && o.handover == actor;
  }
  static void Take(ModelObj& o, const std::string& target, const std::string& actor) {
    if (!target.empty()) o.state = target;
    if (target == "IN_BONDED_WAREHOUSE") o.bonded = true;
    if (TakesCustody(target)) {
      if (o.holder != actor || o.handover == actor) o.handover = "";
      o.holder = actor;
    }
  }
  static bool Step(std::map<std::string, ModelObj>& m, const std::string& id,
                   const std::string& target, const std::string& actor) {
    auto it = m.find(id);
    if (it == m.end()) return true;
    if (!Allowed(it->second, target)) return false;
    if (!Authorised(it->second, target, actor)) return false;
    Take(it->second, target, actor);
    for (const auto& c : std::vector<std::string>(it->second.children)) {
      if (!Step(m, c, target, actor)) return false;
    }
    return true;
  }
  static void Covered(const std::map<std::string, ModelObj>& m, const std::string& id,
                      std::vector<std::string>& out) {
    auto it = m.find(id);
    if (it == m.end()) return;
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    for (const auto& c : it->second.children) Covered(m, c, out);
  }
  static bool ApplyTo(std::map<std::string, ModelObj>& m, const Op& op) {
    if (op.kind == 3 && op.actor == "brand") return false;  // lacks RETAILER
    if (op.kind == 10 || op.kind == 11) {
      if (op.kind == 10 && op.to == op.actor) return false;
      std::vector<std::string> covered;
      Covered(m, op.subject, covered);
      if (covered.empty()) return false;  // not tracked
      for (const auto& id : covered) {
        auto& o = m.at(id);
        if (o.state == "DESTROYED") return false;
        if (op.kind == 10 && o.holder != op.actor) return false;
        if (op.kind == 10 && o.bonded && op.to == "brand") return false;  // not bonded regime
        if (op.kind == 11 && o.handover != op.actor) return false;
        if (op.kind == 10) {
          o.handover = op.to;
        } else {
          o.holder = op.actor;
          o.handover = "";
        }
      }
      return true;
    }
    if (op.kind == 6) {
      auto& kid = m.at(op.subject);
      if (m.find(op.pallet) == m.end()) {
        m[op.pallet] =
            ModelObj{.state = "PACKED", .container = true, .holder = op.actor, .owner = op.actor};
      }
      auto& p = m.at(op.pallet);
      if (!Allowed(p, "") || !Authorised(p, "", op.actor)) return false;
      if (!kid.parent.empty() && kid.parent != op.pallet) return false;
      if (!Allowed(kid, "PACKED") || !Authorised(kid, "PACKED", op.actor)) return false;
      Take(kid, "PACKED", op.actor);
      kid.parent = op.pallet;
      if (std::find(p.children.begin(), p.children.end(), op.subject) == p.children.end()) {
        p.children.push_back(op.subject);
      }
      return true;
    }
    if (op.kind == 7) {
      auto& kid = m.at(op.subject);
      if (!Authorised(kid, "", op.actor)) return false;
      auto it = m.find(op.pallet);
      if (it == m.end()) return true;
      if (!Allowed(it->second, "") || !Authorised(it->second, "", op.actor)) return false;
      auto& kids = it->second.children;
      kids.erase(std::remove(kids.begin(), kids.end(), op.subject), kids.end());
      if (!Allowed(kid, "")) return false;
      if (kid.parent == op.pallet) kid.parent = "";
      return true;
    }
    return Step(m, op.subject, Target(op), op.actor);
  }
};

Receipt Run(Chain& c, const Op& op) {
  static const char* kSteps[] = {"shipping",   "receiving",  "stocking", "retail_selling",
                                 "returning",  "destroying", "packing",  "unpacking",
                                 "inspecting", "storing"};
  const std::string signer = op.actor + "/admin";
  if (op.kind == 10) {
    return c.Call(signer, "prov", "transfer_custody",
                  Value::Map{{"items", Value::List{op.subject}}, {"to", op.to}});
  }
  if (op.kind == 11) {
    return c.Call(signer, "prov", "accept_custody", Value::Map{{"items", Value::List{op.subject}}});
  }
  if (op.kind == 6 || op.kind == 7) {
    auto e = Ev("AggregationEvent", op.kind == 6 ? "ADD" : "DELETE", kSteps[op.kind], {op.subject});
    e["parentID"] = op.pallet;
    return Capture(c, signer, {e});
  }
  auto e = Ev("ObjectEvent", op.kind == 5 ? "DELETE" : "OBSERVE", kSteps[op.kind], {op.subject});
  if (op.kind == 3) e["disposition"] = "retail_sold";
  return Capture(c, signer, {e});
}

void Setup(Chain& c, Model& model, const std::vector<std::string>& items) {
  c.Init({{"brand", {Role::kBrand, Role::kManufacturer}},
          {"shop", {Role::kRetailer, Role::kBondedWarehouse, Role::kForwarder}},
          {"rival",
           {Role::kBrand, Role::kManufacturer, Role::kRetailer, Role::kBondedWarehouse,
            Role::kForwarder}}});
  REQUIRE(
      Ok(c.Call("brand/admin", "prov", "register_product",
                Value::Map{{"gtin", "10614141073464"}, {"name", "P"}, {"origin_country", "FR"}})));
  std::vector<std::string> urns(items.begin(), items.end());
  REQUIRE(Ok(Capture(c, "brand/admin", {Ev("ObjectEvent", "ADD", "commissioning", urns)})));
  for (const auto& i : items) {
    model.objs[*CanonicalId(i)] =
        ModelObj{.state = "COMMISSIONED", .holder = "brand", .owner = "brand"};
  }
}

void CheckSame(Chain& c, const Model& model) {
  for (const auto& [id, m] : model.objs) {
    auto obj = GetObject(c.state, id);
    REQUIRE(obj.ok());
    REQUIRE(obj->has_value());
    INFO(id);
    const Value& o = **obj;
    CHECK(o.Find("state")->as_string() == m.state);
    CHECK(o.Find("parent")->as_string() == m.parent);
    CHECK(o.Find("custody")->as_string() == m.holder);
    const Value* h = o.Find("handover");
    CHECK((h != nullptr && h->is_map() ? h->Find("to")->as_string() : "") == m.handover);
  }
}

// Whether `actor` has no claim at all on the op's subject: neither holds, owns nor is offered it.
bool Stranger(const Model& model, const Op& op) {
  auto it = model.objs.find(op.subject);
  if (it == model.objs.end()) return false;
  const ModelObj& o = it->second;
  return op.actor != o.holder && op.actor != o.owner && op.actor != o.handover;
}

TEST_CASE(
    "random events and handovers by random actors: state equals the model, strangers change "
    "nothing") {
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
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
    int accepted_count = 0, rejected_count = 0, stranger_count = 0, handovers = 0;
    for (int step = 0; step < 200; ++step) {
      Op op;
      op.kind = static_cast<int>(rng() % 12);
      op.actor = kActors[rng() % kActors.size()];  // often replaced by the holder below
      bool on_pallet = op.kind != 6 && op.kind != 7 && rng() % 4 == 0;
      op.subject = on_pallet ? pallets[rng() % pallets.size()] : items[rng() % items.size()];
      op.pallet = pallets[rng() % pallets.size()];
      op.to = kActors[rng() % kActors.size()];
      Op canon = op;
      canon.subject = *CanonicalId(op.subject);
      canon.pallet = *CanonicalId(op.pallet);
      if (op.kind == 5 && rng() % 3 != 0) op.kind = canon.kind = 8;  // destroy less often
      if (rng() % 2 == 0) {
        auto it = model.objs.find(canon.subject);
        if (it != model.objs.end()) {
          // The holder acts, or the addressee of a pending handover accepts it.
          const std::string& who = op.kind == 11 && !it->second.handover.empty()
                                       ? it->second.handover
                                       : it->second.holder;
          canon.actor = op.actor = who;
        }
      }
      const bool stranger = Stranger(model, canon);
      bool expect = model.Apply(canon);
      auto before = Snapshot(c);
      Receipt r = Run(c, op);
      INFO("step " << step << " op " << op.kind << " by " << op.actor << " on " << op.subject
                   << ": " << r.reason);
      REQUIRE(Ok(r) == expect);
      if (stranger) {
        ++stranger_count;
        CHECK(!Ok(r));
      }
      if (Ok(r)) {
        accepted.push_back(op);
        ++accepted_count;
        handovers += op.kind == 11;
      } else {
        ++rejected_count;
        CHECK(Snapshot(c) == before);  // a refused act changes nothing
      }
      CheckSame(c, model);
    }
    CHECK(accepted_count > 40);
    CHECK(rejected_count > 20);
    CHECK(stranger_count > 10);
    CHECK(handovers > 0);
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
      CHECK((*a)->Find("custody")->as_string() == (*b)->Find("custody")->as_string());
      CHECK((*a)->Find("timeline")->as_list().size() == (*b)->Find("timeline")->as_list().size());
      // The last lifecycle entry carries the current state.
      const Value rec = **a;
      const auto& tl = rec.Find("timeline")->as_list();
      if (!tl.empty() && m.state != "PACKED") {
        CHECK(tl.back().Find("state")->as_string() == m.state);
      }
    }
  }
}

}  // namespace
}  // namespace tidemark::contracts
