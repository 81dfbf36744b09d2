// Tests of the state views, ApplyTransaction's checks and genesis.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_util.h"
#include "tidemark/contracts/governance.h"
#include "tidemark/contracts/testing/test_contract.h"

namespace tidemark::contracts {
namespace {

using testing::Chain;
using testing::KeyFor;
using testing::Ok;

Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

std::vector<std::string> Keys(const StateView& v, const std::string& prefix,
                              const std::string& start = "") {
  std::vector<std::string> out;
  v.Scan(prefix, start, [&](const std::string& k, const Bytes&) {
    out.push_back(k);
    return true;
  });
  return out;
}

TEST_CASE("overlay reads through, buffers writes and merges scans in key order") {
  MemStateView base;
  base.Put("a/1", B("x"));
  base.Put("a/3", B("y"));
  base.Put("a/5", B("z"));
  base.Put("b/1", B("w"));
  OverlayStateView o(base);
  o.Put("a/2", B("new"));
  o.Delete("a/3");
  o.Put("a/5", B("over"));
  o.Put("a/6", B("tail"));
  CHECK(o.Get("a/3") == std::nullopt);
  CHECK(o.Get("a/5") == B("over"));
  CHECK(base.Get("a/5") == B("z"));
  CHECK(Keys(o, "a/") == std::vector<std::string>{"a/1", "a/2", "a/5", "a/6"});
  CHECK(Keys(o, "a/", "a/3") == std::vector<std::string>{"a/5", "a/6"});
  // Stopping early stops for good.
  std::vector<std::string> first2;
  o.Scan("a/", [&](const std::string& k, const Bytes&) {
    first2.push_back(k);
    return first2.size() < 2;
  });
  CHECK(first2 == std::vector<std::string>{"a/1", "a/2"});
  auto changes = o.Changes();
  REQUIRE(changes.size() == 4);
  CHECK(changes[0].first == "a/2");
  CHECK(changes[1] == StateChange{"a/3", std::nullopt});
  o.Commit();
  CHECK(Keys(base, "a/") == std::vector<std::string>{"a/1", "a/2", "a/5", "a/6"});
  CHECK(base.Get("a/5") == B("over"));
  CHECK(o.Changes().empty());
}

TEST_CASE("a successful call commits writes and events, the nonce advances") {
  Chain c;
  c.Init({{"brand", {Role::kBrand}}});
  Receipt r = c.Call("brand/admin", "test", "put", Value::Map{{"key", "k"}, {"value", 7}});
  REQUIRE(Ok(r));
  CHECK(r.events.size() == 1);
  CHECK(**TestContractGet(c.state, "k") == Value(7));
  CHECK(NextNonce(c.state, KeyFor("brand/admin").public_key()) == 2);
}

TEST_CASE("a failing call changes nothing but the nonce, and cannot be replayed") {
  Chain c;
  c.Init({{"brand", {Role::kBrand}}});
  MemStateView before = c.state;
  Receipt r = c.Call("brand/admin", "test", "fail", Value::Map{});
  CHECK(r.status == TxStatus::kRejected);
  CHECK(r.reason.rfind("FAILED_PRECONDITION: test: asked to fail", 0) == 0);
  CHECK(r.events.empty());
  CHECK(c.state.Get("test/fail") == std::nullopt);
  auto nonce_key = NonceKey(KeyFor("brand/admin").public_key());
  for (const auto& [k, v] : c.state.entries()) {
    if (k != nonce_key) CHECK(before.Get(k) == v);
  }
  CHECK(c.state.entries().size() == before.entries().size() + 1);
  Receipt replay =
      c.Call("brand/admin", "test", "put", Value::Map{{"key", "k"}, {"value", 1}}, /*nonce=*/1);
  CHECK(replay.status == TxStatus::kRejected);
  CHECK(replay.reason.find("next nonce is 2") != std::string::npos);
}

TEST_CASE("ApplyTransaction rejects expired, unregistered, bad-nonce and garbage txs untouched") {
  Chain c;
  c.Init({{"brand", {Role::kBrand}}});
  KeyPair admin = KeyFor("brand/admin");
  auto apply = [&](Transaction tx, uint64_t height) {
    tx.SignWith(tx.signer == PublicKey{} ? admin : KeyFor("stranger"));
    TxContext ctx{.chain_id = tx.chain_id, .tx_id = tx.Id(), .signer = tx.signer, .height = height};
    return ApplyTransaction(TestContracts(), c.state, tx, ctx);
  };
  Transaction tx{.chain_id = "tidemark-test",
                 .nonce = 1,
                 .contract = "test",
                 .method = "put",
                 .args = Value(Value::Map{{"key", "k"}, {"value", 1}}).Encode(),
                 .expiry_height = 5};
  MemStateView before = c.state;
  Receipt expired = apply(tx, 6);
  CHECK(expired.reason == "FAILED_PRECONDITION: tx expired at height 5");
  Transaction stranger = tx;
  stranger.signer = KeyFor("stranger").public_key();
  Receipt denied = apply(stranger, 1);
  CHECK(denied.reason.rfind("PERMISSION_DENIED: signer", 0) == 0);
  Transaction future = tx;
  future.nonce = 2;
  CHECK(apply(future, 1).reason.find("next nonce is 1") != std::string::npos);
  CHECK(c.state.entries() == before.entries());  // nonce untouched by these three
  Transaction other_chain = tx;
  other_chain.chain_id = "tidemark-other";
  {
    other_chain.SignWith(admin);
    TxContext ctx{.chain_id = "tidemark-test",
                  .tx_id = other_chain.Id(),
                  .signer = other_chain.signer,
                  .height = 1};
    CHECK(ApplyTransaction(TestContracts(), c.state, other_chain, ctx).reason ==
          "INVALID_ARGUMENT: tx is for chain 'tidemark-other', not 'tidemark-test'");
  }
  CHECK(c.state.entries() == before.entries());
  Transaction garbage = tx;
  garbage.args = {0xff};
  Receipt bad = apply(garbage, 1);
  CHECK(bad.reason.rfind("INVALID_ARGUMENT: args", 0) == 0);
  Transaction unknown = tx;
  unknown.nonce = 2;
  unknown.contract = "nosuch";
  CHECK(apply(unknown, 1).reason == "NOT_FOUND: no contract 'nosuch'");
  CHECK(NextNonce(c.state, admin.public_key()) == 3);
}

TEST_CASE("genesis JSON round-trips and writes orgs, keys, validators and params") {
  nlohmann::json j = {{"chain_id", "tidemark-local"},
                      {"genesis_time_ms", 1767225600000ULL},
                      {"orgs",
                       {{{"id", "brand-a"},
                         {"name", "Brand A"},
                         {"roles", {"BRAND", "MANUFACTURER"}},
                         {"admin_keys", {KeyFor("a").public_key().Hex()}},
                         {"validator_key", KeyFor("a/node").public_key().Hex()},
                         {"service_key", KeyFor("a/svc").public_key().Hex()}},
                        {{"id", "customs"},
                         {"name", "Customs"},
                         {"roles", {"CUSTOMS"}},
                         {"admin_keys", {KeyFor("c").public_key().Hex()}},
                         {"validator_key", KeyFor("c/node").public_key().Hex()}}}},
                      {"params", {{"prov.scan_max_per_block", 3}}}};
  auto g = Genesis::FromJson(j);
  REQUIRE(g.ok());
  CHECK(Genesis::FromJson(g->ToJson())->ToJson() == g->ToJson());
  MemStateView state;
  REQUIRE(WriteGenesisState(*g, state).ok());
  auto admin = ActiveSigner(state, KeyFor("a").public_key());
  REQUIRE(admin.ok());
  CHECK(admin->org == "brand-a");
  CHECK(admin->kind == KeyKind::kAdmin);
  CHECK(admin->HasRole(Role::kManufacturer));
  CHECK(ActiveSigner(state, KeyFor("a/svc").public_key())->kind == KeyKind::kService);
  // Validator node keys are not transaction keys.
  CHECK(!ActiveSigner(state, KeyFor("a/node").public_key()).ok());
  auto set = CurrentValidatorSet(state);
  REQUIRE(set.ok());
  REQUIRE(set->size() == 2);
  CHECK(set->validators[0].org == "brand-a");
  CHECK(set->validators[1].key == KeyFor("c/node").public_key());
  CHECK(GetIntParam(state, "prov.scan_max_per_block", 0) == 3);
  CHECK(!WriteGenesisState(*g, state).ok());  // not twice

  auto bad = j;
  bad["orgs"][1]["roles"] = {"CUSTOMS", "POPE"};
  CHECK(Genesis::FromJson(bad).status().message() ==
        "genesis.orgs[1]: roles[1]: unknown role 'POPE'");
  bad = j;
  bad["orgs"][1]["admin_keys"] = {KeyFor("a").public_key().Hex()};
  CHECK(Genesis::FromJson(bad).status().message().find("used twice") != std::string::npos);
  bad = j;
  bad["orgs"][1]["id"] = "Customs!";
  CHECK(!Genesis::FromJson(bad).ok());
}

TEST_CASE("the production registry holds no test contract") {
  // A hostile tester once wrote 400 KB under test/* with any key: BuiltinContracts() is what
  // tidemark-node runs, and it must know only the production contracts.
  ContractRegistry prod = BuiltinContracts();
  CHECK(prod.Find("test") == nullptr);
  CHECK(prod.Names() == std::vector<std::string>{"fin", "gov", "identity", "plg", "prov"});
  CHECK(TestContracts().Find("test") != nullptr);
  // A "test" call against the production registry is rejected and writes nothing but the nonce.
  Chain c;
  c.Init({{"brand", {Role::kBrand}}});
  KeyPair admin = KeyFor("brand/admin");
  Transaction tx{
      .chain_id = "tidemark-test",
      .nonce = NextNonce(c.state, admin.public_key()),
      .contract = "test",
      .method = "put",
      .args = Value(Value::Map{{"key", "big"}, {"value", std::string(1000, 'x')}}).Encode()};
  tx.SignWith(admin);
  TxContext ctx{.chain_id = tx.chain_id, .tx_id = tx.Id(), .signer = tx.signer, .height = 1};
  Receipt r = ApplyTransaction(prod, c.state, tx, ctx);
  CHECK(r.status == TxStatus::kRejected);
  CHECK(r.reason.find("no contract 'test'") != std::string::npos);
  CHECK(!TestContractGet(c.state, "big")->has_value());
}

}  // namespace
}  // namespace tidemark::contracts

namespace tidemark::contracts {
namespace {

// A contract that audits (framework.h, AuditSink): "audit" writes audit/<key> and fails,
// "audit_ok" does the same and succeeds, "escape" audits a key outside its namespace and fails.
class AuditingContract : public Contract {
 public:
  std::string_view name() const override { return "audit"; }
  Status Execute(const TxContext&, std::string_view method, const Value& args, StateView& state,
                 EventSink& events) const override {
    state.Put("audit/normal", B("w"));
    events.Emit("audit.normal", Value::Map{});
    const std::string key = method == "escape" ? "fin/forged" : "audit/" + args.as_string();
    events.audit().Put(key, Value("seen"));
    events.audit().Emit("audit.attempt", Value::Map{{"key", key}});
    if (method == "audit_ok") return Status::Ok();
    return Status::FailedPrecondition("rule audit-test: refused");
  }
};

TEST_CASE("audit writes and events survive the failure of the call that made them") {
  Chain c;
  c.Init({{"brand", {Role::kBrand}}});
  ContractRegistry registry = BuiltinContracts();
  REQUIRE(registry.Register(std::make_unique<AuditingContract>()).ok());
  KeyPair key = KeyFor("brand/admin");
  auto run = [&](const std::string& method, const std::string& arg) {
    Transaction tx{.chain_id = "tidemark-test",
                   .nonce = NextNonce(c.state, key.public_key()),
                   .contract = "audit",
                   .method = method,
                   .args = Value(arg).Encode()};
    tx.SignWith(key);
    TxContext ctx{.chain_id = "tidemark-test", .tx_id = tx.Id(), .signer = tx.signer, .height = 9};
    return ApplyTransaction(registry, c.state, tx, ctx);
  };
  Receipt failed = run("audit", "a");
  CHECK(failed.status == TxStatus::kRejected);
  CHECK(failed.reason == "FAILED_PRECONDITION: rule audit-test: refused");
  REQUIRE(failed.events.size() == 1);  // the audit event only
  CHECK(failed.events[0].type == "audit.attempt");
  CHECK(c.state.Get("audit/a").has_value());
  CHECK(!c.state.Get("audit/normal").has_value());  // the call's own write is discarded
  Receipt ok = run("audit_ok", "b");
  CHECK(ok.status == TxStatus::kCommitted);
  REQUIRE(ok.events.size() == 2);  // the call's events, then the audit's
  CHECK(ok.events[1].type == "audit.attempt");
  CHECK(c.state.Get("audit/b").has_value());
  CHECK(c.state.Get("audit/normal").has_value());
  // An audit outside the contract's own namespace is a contract bug: dropped whole.
  Receipt escaped = run("escape", "c");
  CHECK(escaped.status == TxStatus::kRejected);
  CHECK(escaped.events.empty());
  CHECK(!c.state.Get("fin/forged").has_value());
}

}  // namespace
}  // namespace tidemark::contracts
