// Identity (enrol / revoke / roles) and governance (2/3 threshold, double votes, validator sets).
#include "tidemark/contracts/identity.h"

#include <catch2/catch.hpp>

#include "test_util.h"
#include "tidemark/contracts/governance.h"

namespace tidemark::contracts {
namespace {

using testing::Chain;
using testing::KeyFor;
using testing::Ok;

Value Enrol(const std::string& name, std::vector<std::string> roles) {
  Value::List r(roles.begin(), roles.end());
  return Value::Map{{"key", KeyFor(name).public_key().Hex()}, {"roles", Value(r)}};
}

void FourOrgs(Chain& c) {
  c.Init({{"brand", {Role::kBrand, Role::kManufacturer}},
          {"customs", {Role::kCustoms}},
          {"retail", {Role::kRetailer}},
          {"bank", {Role::kBank}}});
}

TEST_CASE("an admin enrols a member key, a revoked key can no longer sign") {
  Chain c;
  FourOrgs(c);
  REQUIRE(Ok(c.Call("brand/admin", "identity", "enrol_key", Enrol("brand/clerk", {"BRAND"}))));
  REQUIRE(Ok(c.Call("brand/clerk", "test", "put", Value::Map{{"key", "a"}, {"value", 1}})));
  auto rec = ActiveSigner(c.state, KeyFor("brand/clerk").public_key());
  REQUIRE(rec.ok());
  CHECK(rec->roles == std::vector<Role>{Role::kBrand});
  REQUIRE(Ok(c.Call("brand/admin", "identity", "revoke_key",
                    Value::Map{{"key", KeyFor("brand/clerk").public_key().Hex()}})));
  Receipt r = c.Call("brand/clerk", "test", "put", Value::Map{{"key", "b"}, {"value", 1}});
  CHECK(r.status == TxStatus::kRejected);
  CHECK(r.reason.find("PERMISSION_DENIED") == 0);
  CHECK(r.reason.find("revoked at height") != std::string::npos);
}

TEST_CASE("enrolment is limited to the org's roles, its admins and its own keys") {
  Chain c;
  FourOrgs(c);
  Receipt wrong_role = c.Call("brand/admin", "identity", "enrol_key", Enrol("x", {"CUSTOMS"}));
  CHECK(wrong_role.reason == "PERMISSION_DENIED: org brand does not hold role CUSTOMS");
  REQUIRE(Ok(c.Call("brand/admin", "identity", "enrol_key", Enrol("brand/clerk", {"BRAND"}))));
  Receipt by_member = c.Call("brand/clerk", "identity", "enrol_key", Enrol("y", {"BRAND"}));
  CHECK(by_member.reason.find("PERMISSION_DENIED: signer is not an admin key") == 0);
  Receipt other_org = c.Call("retail/admin", "identity", "revoke_key",
                             Value::Map{{"key", KeyFor("brand/clerk").public_key().Hex()}});
  CHECK(other_org.reason.find("belongs to org brand") != std::string::npos);
  Receipt twice = c.Call("brand/admin", "identity", "enrol_key", Enrol("brand/clerk", {"BRAND"}));
  CHECK(twice.reason.find("ALREADY_EXISTS") == 0);
  Receipt last_admin = c.Call("brand/admin", "identity", "revoke_key",
                              Value::Map{{"key", KeyFor("brand/admin").public_key().Hex()}});
  CHECK(last_admin.reason.find("last admin key") != std::string::npos);
}

TEST_CASE("RequireRole refuses a signer without the role") {
  Chain c;
  FourOrgs(c);
  REQUIRE(Ok(c.Call("brand/admin", "identity", "enrol_key", Enrol("brand/clerk", {"BRAND"}))));
  TxContext ctx{.signer = KeyFor("brand/clerk").public_key()};
  CHECK(RequireRole(c.state, ctx, {Role::kBrand}).ok());
  auto denied = RequireRole(c.state, ctx, {Role::kManufacturer, Role::kCustoms});
  CHECK(denied.status().ToString() ==
        "PERMISSION_DENIED: signer of org brand lacks role MANUFACTURER or CUSTOMS");
}

int64_t Propose(Chain& c, const std::string& by, const Value& p) {
  Receipt r = c.Call(by, "gov", "propose", p);
  REQUIRE(Ok(r));
  auto ev = Value::Decode(r.events.at(0).data);
  return ev->Find("id")->as_int();
}

Receipt Vote(Chain& c, const std::string& by, int64_t id, bool yes = true) {
  return c.Call(by, "gov", "vote", Value::Map{{"proposal", id}, {"yes", yes}});
}

TEST_CASE("a proposal passes with 3 of 4 orgs and not with 2 of 4, each org votes once") {
  Chain c;
  FourOrgs(c);
  int64_t id =
      Propose(c, "brand/admin", Value::Map{{"kind", "set_param"}, {"name", "x"}, {"value", 42}});
  REQUIRE(Ok(Vote(c, "brand/admin", id)));
  Receipt again = Vote(c, "brand/admin", id);
  CHECK(again.reason == "ALREADY_EXISTS: org brand already voted on proposal 1");
  REQUIRE(Ok(Vote(c, "customs/admin", id)));
  CHECK(GetProposal(c.state, id)->Find("status")->as_string() == "OPEN");  // 2 of 4
  CHECK(GetIntParam(c.state, "x", 0) == 0);
  REQUIRE(Ok(Vote(c, "retail/admin", id)));  // 3 of 4
  CHECK(GetProposal(c.state, id)->Find("status")->as_string() == "PASSED");
  CHECK(GetIntParam(c.state, "x", 0) == 42);
  CHECK(Vote(c, "bank/admin", id).reason == "FAILED_PRECONDITION: proposal 1 is PASSED");

  // Two no votes out of four make it impossible to pass.
  int64_t id2 =
      Propose(c, "bank/admin", Value::Map{{"kind", "set_param"}, {"name", "y"}, {"value", 1}});
  REQUIRE(Ok(Vote(c, "bank/admin", id2, true)));
  REQUIRE(Ok(Vote(c, "brand/admin", id2, true)));
  REQUIRE(Ok(Vote(c, "customs/admin", id2, false)));
  REQUIRE(Ok(Vote(c, "retail/admin", id2, false)));
  CHECK(GetProposal(c.state, id2)->Find("status")->as_string() == "REJECTED");
  CHECK(GetIntParam(c.state, "y", 0) == 0);
  // Members (non-admins) cannot vote.
  REQUIRE(Ok(c.Call("brand/admin", "identity", "enrol_key", Enrol("brand/clerk", {"BRAND"}))));
  int64_t id3 = Propose(c, "brand/admin", Value::Map{{"kind", "remove_org"}, {"org_id", "bank"}});
  CHECK(Vote(c, "brand/clerk", id3).reason.find("PERMISSION_DENIED") == 0);
}

TEST_CASE("adding an org with a validator records the pending validator set, removal too") {
  Chain c;
  FourOrgs(c);
  Value org = Value::Map{{"id", "warehouse"},
                         {"name", "Bonded WH"},
                         {"roles", Value::List{"BONDED_WAREHOUSE"}},
                         {"admin_keys", Value::List{KeyFor("warehouse/admin").public_key().Hex()}},
                         {"validator_key", KeyFor("warehouse/node").public_key().Hex()}};
  int64_t id = Propose(c, "brand/admin", Value::Map{{"kind", "add_org"}, {"org", org}});
  CHECK(!ActiveSigner(c.state, KeyFor("warehouse/admin").public_key()).ok());
  REQUIRE(Ok(Vote(c, "brand/admin", id)));
  REQUIRE(Ok(Vote(c, "customs/admin", id)));
  Receipt r = Vote(c, "bank/admin", id);
  REQUIRE(Ok(r));
  bool changed = false;
  for (const auto& e : r.events) changed |= e.type == "gov.ValidatorSetChanged";
  CHECK(changed);
  CHECK(ActiveSigner(c.state, KeyFor("warehouse/admin").public_key()).ok());
  auto pending = PendingValidatorSet(c.state);
  REQUIRE(pending.ok());
  REQUIRE(pending->has_value());
  CHECK((*pending)->epoch == 1);
  CHECK((*pending)->size() == 5);
  CHECK(CurrentValidatorSet(c.state)->size() == 4);
  REQUIRE(ActivatePendingValidatorSet(c.state).ok());
  CHECK(CurrentValidatorSet(c.state)->size() == 5);
  CHECK(!PendingValidatorSet(c.state)->has_value());

  // Now 5 orgs: 3 yes is not > 2/3 (9 <= 10); 4 is.
  int64_t rm = Propose(c, "brand/admin", Value::Map{{"kind", "remove_org"}, {"org_id", "bank"}});
  for (const char* who : {"brand/admin", "customs/admin", "retail/admin"}) {
    REQUIRE(Ok(Vote(c, who, rm)));
  }
  CHECK(GetProposal(c.state, rm)->Find("status")->as_string() == "OPEN");
  REQUIRE(Ok(Vote(c, "warehouse/admin", rm)));
  CHECK(GetProposal(c.state, rm)->Find("status")->as_string() == "PASSED");
  CHECK(!ActiveSigner(c.state, KeyFor("bank/admin").public_key()).ok());
  auto next = PendingValidatorSet(c.state);
  REQUIRE(next->has_value());
  CHECK((*next)->epoch == 2);
  CHECK((*next)->size() == 4);
  CHECK(!(*next)->IndexOf(KeyFor("bank/node").public_key()).has_value());
}

TEST_CASE("a passed proposal that can no longer execute is closed as FAILED, changing nothing") {
  Chain c;
  FourOrgs(c);
  auto org = [](const std::string& admin) {
    return Value::Map{{"id", "newco"},
                      {"name", "New Co"},
                      {"roles", Value::List{"RETAILER"}},
                      {"admin_keys", Value::List{KeyFor(admin).public_key().Hex()}}};
  };
  int64_t a = Propose(c, "brand/admin", Value::Map{{"kind", "add_org"}, {"org", org("n1")}});
  int64_t b = Propose(c, "bank/admin", Value::Map{{"kind", "add_org"}, {"org", org("n2")}});
  for (const char* who : {"brand/admin", "customs/admin", "retail/admin"}) {
    REQUIRE(Ok(Vote(c, who, a)));
  }
  // Five orgs now: the second proposal needs 4 yes votes.
  for (const char* who : {"brand/admin", "customs/admin", "retail/admin"}) {
    REQUIRE(Ok(Vote(c, who, b)));
  }
  Receipt last = Vote(c, "bank/admin", b);
  REQUIRE(Ok(last));
  auto rec = GetProposal(c.state, b);
  CHECK(rec->Find("status")->as_string() == "FAILED");
  CHECK(rec->Find("failure")->as_string() == "ALREADY_EXISTS: org newco already exists");
  CHECK(ActiveSigner(c.state, KeyFor("n1").public_key()).ok());
  CHECK(!ActiveSigner(c.state, KeyFor("n2").public_key()).ok());
  CHECK(last.events.back().type == "gov.ProposalFailed");
}

}  // namespace
}  // namespace tidemark::contracts
