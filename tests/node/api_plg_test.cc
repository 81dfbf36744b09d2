// The pledge registry reads (plg_api.h, read_auth.h), through HttpService on a loopback port.
// Pledge state is written directly in the shapes of docs/finance.md §12-§16 (as the plg contract
// would write it); proofs come from a real state tree and are checked with VerifyStateBundle.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "fake_ledger.h"
#include "http_test_client.h"
#include "tidemark/contracts/finance.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/contracts/identity.h"
#include "tidemark/contracts/pledge.h"
#include "tidemark/node/api/http_service.h"
#include "tidemark/node/api/read_auth.h"
#include "tidemark/node/state/state_tree.h"
#include "tidemark/node/storage/memory_kv_store.h"
#include "tidemark/proof_bundle.h"
#include "tidemark/signed_read.h"
#include "tidemark/state_keys/pledge.h"
#include "tidemark/value.h"

using namespace tidemark;
using namespace tidemark::node;
using namespace tidemark::testing;
using nlohmann::json;
using namespace std::chrono_literals;
namespace plg = tidemark::state_keys::plg;
using contracts::Role;

namespace {

constexpr const char* kChain = "test-chain";

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The readers: one admin key per organisation (the same keys as api_fin_test).
KeyPair Supplier() { return TestKey(21); }
KeyPair Core() { return TestKey(22); }
KeyPair Bank1() { return TestKey(23); }
KeyPair Bank2() { return TestKey(24); }
KeyPair Regulator() { return TestKey(25); }
KeyPair Retailer() { return TestKey(26); }

// A FakeLedger whose state is also a real sparse Merkle tree once sealed: an anchor block (the
// next height, certifying state version 0 = the state as it is now) signed by the fake's four
// validators, so the proof routes build bundles that VerifyStateBundle accepts.
class PlgLedger : public FakeLedger {
 public:
  void Put(const std::string& k, const Value& v) { PutRaw(k, v.Encode()); }
  void PutRaw(const std::string& k, const Bytes& b) { PutState(Bytes(k.begin(), k.end()), b); }

  void Seal(uint64_t time_ms) {
    std::vector<StateChange> changes;
    REQUIRE(ReadState([&](const contracts::StateView& view, uint64_t) {
              view.Scan("", [&](const std::string& k, const Bytes& v) {
                changes.push_back({Bytes(k.begin(), k.end()), v});
                return true;
              });
              return tidemark::Status::Ok();
            }).ok());
    std::sort(changes.begin(), changes.end(),
              [](const auto& a, const auto& b) { return a.key < b.key; });
    auto up = StateTree(kv_).ApplyChanges(0, changes);
    REQUIRE(up.ok());
    REQUIRE(kv_.Write(up->writes, true).ok());
    root_ = up->root;
    anchor_height_ = FakeLedger::Status().height + 1;
    Block b;
    b.header = BlockHeader{.chain_id = kChain,
                           .epoch = 0,
                           .round = 2,
                           .height = anchor_height_,
                           .parent = Sha256(AsBytes("genesis")),
                           .timestamp_ms = time_ms,
                           .tx_root = TxRoot({}),
                           .exec_height = 0,
                           .state_root = root_,
                           .receipts_root = TxRoot({}),
                           .validators_hash = validators().Hash()};
    anchor_ = api::BlockRecord{b, Certify(b.Id(), anchor_height_, 2), std::vector<Receipt>{}};
  }

  TrustAnchor Trust() const { return TrustAnchor{.chain_id = kChain, .genesis = validators()}; }

  api::NodeStatus Status() override {
    api::NodeStatus s = FakeLedger::Status();
    if (anchor_) {
      s.height = anchor_height_;
      s.head_id = anchor_->block.Id();
      s.head_timestamp_ms = anchor_->block.header.timestamp_ms;
    }
    return s;
  }
  Result<api::BlockRecord> BlockAt(uint64_t height) override {
    if (anchor_ && height == anchor_height_) return *anchor_;
    return FakeLedger::BlockAt(height);
  }
  Result<api::StateProofAnswer> ProveState(ByteView key, std::optional<uint64_t> h) override {
    if (!anchor_) return FakeLedger::ProveState(key, h);
    TM_ASSIGN_OR_RETURN(StateProof p, StateTree(kv_).Prove(0, key));
    return api::StateProofAnswer{.key = Bytes(key.begin(), key.end()),
                                 .value = p.value,
                                 .height = 0,
                                 .state_root = root_,
                                 .proof = p.Encode()};
  }
  tidemark::Status ReadStateAt(uint64_t, const StateReader& fn) override { return ReadState(fn); }
  Result<ValidatorSet> GenesisValidators() override { return validators(); }

 private:
  MemoryKvStore kv_;
  uint64_t anchor_height_ = 0;
  Hash256 root_;
  std::optional<api::BlockRecord> anchor_;
};

contracts::OrgRecord Org(const std::string& id, std::vector<Role> roles, const KeyPair& admin) {
  return contracts::OrgRecord{
      .id = id, .name = id, .roles = std::move(roles), .admin_keys = {admin.public_key()}};
}

const std::string kIpp = "ipp_00112233445566778899";
const std::string kWr = "wr_aabbccddeeff00112233";
const std::string kNoIpp = "ipp_ffffffffffffffffffff";  // never registered
const std::string kRegNo = "IPP-2026-000001";

// Organisations as in api_fin_test, and two records: an IP pledge (supplier pledges to bank1)
// and a warehouse receipt (supplier's, bank2 a party); a gazette entry of the pledge.
void PutPlgState(PlgLedger& l) {
  contracts::MemStateView view;
  for (const auto& o :
       {Org("supplier", {Role::kBondedWarehouse}, Supplier()),
        Org("core", {Role::kPlatform}, Core()), Org("bank1", {Role::kBank}, Bank1()),
        Org("bank2", {Role::kBank}, Bank2()), Org("reg", {Role::kRegulator}, Regulator()),
        Org("shop", {Role::kRetailer}, Retailer())}) {
    REQUIRE(contracts::RegisterOrg(view, o, 0).ok());
  }
  for (const auto& [k, v] : view.entries()) l.PutRaw(k, v);
  l.Put(plg::IpPledge(kIpp), Value::Map{{"id", kIpp},
                                        {"pledgor", "supplier"},
                                        {"pledgee", "bank1"},
                                        {"state", "REGISTERED"},
                                        {"registration_no", kRegNo},
                                        {"parties", Value::List{"bank1", "supplier"}}});
  l.Put(plg::Receipt(kWr), Value::Map{{"id", kWr},
                                      {"holder", "supplier"},
                                      {"state", "ISSUED"},
                                      {"parties", Value::List{"bank2", "supplier"}}});
  for (const char* org : {"supplier", "bank1"}) l.Put(plg::Party(org, kIpp), Value(""));
  for (const char* org : {"supplier", "bank2"}) l.Put(plg::Party(org, kWr), Value(""));
  for (uint64_t seq = 0; seq < 2; ++seq) {
    l.Put(plg::History(kIpp, seq), Value::Map{{"seq", static_cast<int64_t>(seq)},
                                              {"action", seq == 0 ? "ip_pledge" : "ip_register"},
                                              {"org", "supplier"}});
  }
  // Alerts of both contracts, interleaved: plg (3,1,0), fin (5,0,0), plg (7,0,0), plg (7,0,1).
  namespace al = tidemark::state_keys::alerts;
  auto alert = [](const char* kind, int64_t height) {
    return Value::Map{{"kind", kind}, {"height", height}, {"orgs", Value::List{"supplier"}}};
  };
  l.Put(al::Alert("plg/", 3, 1, 0), alert("double_pledge", 3));
  l.Put(al::Alert("fin/", 5, 0, 0), alert("overdue", 5));
  l.Put(al::Alert("plg/", 7, 0, 0), alert("release_late", 7));
  l.Put(al::Alert("plg/", 7, 0, 1), alert("value_drop", 7));
  l.Put(plg::Gazette(kRegNo), Value::Map{{"registration_no", kRegNo},
                                         {"kind", "ip"},
                                         {"pledgor", "supplier"},
                                         {"pledgee", "bank1"},
                                         {"state", "REGISTERED"}});
}

struct Api {
  PlgLedger ledger;
  std::unique_ptr<api::HttpService> http;

  explicit Api(bool with_state = true, uint64_t block_time_ms = 1'767'225'600'000) {
    // Without finance state, no anchor either: blocks are then the fake's own (CommitBlock).
    if (with_state) {
      PutPlgState(ledger);
      ledger.Seal(block_time_ms);
    }
    config::NodeConfig c;
    c.chain_id = kChain;
    c.http.listen = "127.0.0.1:0";
    http = std::make_unique<api::HttpService>(c, &ledger);
    ledger.SetBus(&http->bus());
    REQUIRE(http->Start().ok());
  }
  RawResponse Get(const std::string& target, const std::string& extra = "") {
    return Request(http->port(), "GET", target, "", "", extra);
  }
  // A read signed by `key` (ts: now unless given; chain: this one unless given).
  RawResponse Signed(const KeyPair& key, const std::string& target, int64_t ts = 0,
                     const std::string& chain = kChain, const std::string& signed_target = "") {
    std::string h = ReadAuthHeader(key, chain, "GET",
                                   signed_target.empty() ? target : signed_target, ts ? ts : Now());
    return Get(target, "Authorization: " + h + "\r\n");
  }
  json Ok(const KeyPair& key, const std::string& target) {
    auto r = Signed(key, target);
    INFO(target << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == 200);
    return json::parse(r.body);
  }
};

// The proof of an answer, decoded and verified against the chain's trust anchor; the entry of
// `key`.
std::optional<Bytes> ProvenValue(PlgLedger& l, const json& proof, const std::string& key) {
  REQUIRE(proof["format"] == "tidemark-state-bundle/v1");
  auto bytes = FromHex(proof["bundle"].get<std::string>());
  REQUIRE(bytes.ok());
  auto bundle = StateBundle::Decode(*bytes);
  REQUIRE(bundle.ok());
  auto v = VerifyStateBundle(l.Trust(), *bundle);
  REQUIRE(v.ok());
  const auto* e = v->Find(key);
  REQUIRE(e != nullptr);
  return e->value;
}

const std::vector<std::string>& ProtectedTargets() {
  static const std::vector<std::string> t = {
      "/v1/plg/records/" + kIpp,
      "/v1/plg/records/" + kIpp + "?proof=true",
      "/v1/plg/records/" + kIpp + "/history",
      "/v1/plg/parties/supplier/records",
      "/v1/reg/alerts",
  };
  return t;
}

}  // namespace

TEST_CASE("plg reads: unsigned requests are 401") {
  Api api;
  for (const auto& t : ProtectedTargets()) {
    INFO(t);
    auto r = api.Get(t);
    CHECK(r.status == 401);
    CHECK(r.headers["www-authenticate"] == "Tidemark-Read");
  }
}

TEST_CASE("plg reads: a non-party and an unknown id get the finance 403, byte for byte") {
  Api api;
  const std::string fin_body = api::ProtectedReadRefusal().body;
  for (const std::string& t : {"/v1/plg/records/" + kIpp, "/v1/plg/records/" + kIpp + "?proof=true",
                               "/v1/plg/records/" + kIpp + "/history"}) {
    for (const KeyPair& k : {Bank2(), Core(), Retailer()}) {
      auto r = api.Signed(k, t);
      INFO(t << " " << r.body);
      CHECK(r.status == 403);
      CHECK(r.body == fin_body);
    }
  }
  for (const std::string& t :
       {"/v1/plg/records/" + kNoIpp, "/v1/plg/records/" + kNoIpp + "/history"}) {
    for (const KeyPair& k : {Supplier(), Regulator()}) {
      auto r = api.Signed(k, t);
      CHECK(r.status == 403);
      CHECK(r.body == fin_body);
    }
  }
}

TEST_CASE("plg reads: parties and the regulator are served") {
  Api api;
  for (const KeyPair& k : {Supplier(), Bank1(), Regulator()}) {
    json j = api.Ok(k, "/v1/plg/records/" + kIpp);
    CHECK(j["id"] == kIpp);
    CHECK(j["record"]["pledgee"] == "bank1");
    json h = api.Ok(k, "/v1/plg/records/" + kIpp + "/history");
    REQUIRE(h["entries"].size() == 2);
    CHECK(h["entries"][1]["action"] == "ip_register");
  }
  json w = api.Ok(Bank2(), "/v1/plg/records/" + kWr);
  CHECK(w["record"]["holder"] == "supplier");
}

TEST_CASE("plg reads: the record with ?proof=true carries a bundle that verifies") {
  Api api;
  json j = api.Ok(Bank1(), "/v1/plg/records/" + kIpp + "?proof=true");
  CHECK(j["key"] == plg::IpPledge(kIpp));
  REQUIRE(j.contains("proof"));
  auto proven = ProvenValue(api.ledger, j["proof"], plg::IpPledge(kIpp));
  REQUIRE(proven.has_value());
  CHECK(Value::Decode(*proven)->ToJson() == j["record"]);
}

TEST_CASE("plg reads: a party list shows only what the reader may read") {
  Api api;
  auto ids = [](const json& j) {
    std::vector<std::string> out;
    for (const auto& r : j["records"]) out.push_back(r["id"]);
    return out;
  };
  CHECK(ids(api.Ok(Supplier(), "/v1/plg/parties/supplier/records")) ==
        std::vector<std::string>{kIpp, kWr});
  CHECK(ids(api.Ok(Regulator(), "/v1/plg/parties/supplier/records")) ==
        std::vector<std::string>{kIpp, kWr});
  CHECK(ids(api.Ok(Bank1(), "/v1/plg/parties/supplier/records")) == std::vector<std::string>{kIpp});
  CHECK(ids(api.Ok(Retailer(), "/v1/plg/parties/supplier/records")).empty());
  auto bad = api.Signed(Supplier(), "/v1/plg/parties/NOT%20AN%20ORG/records");
  CHECK(bad.status == 400);
}

TEST_CASE("plg reads: bad record ids are 400") {
  Api api;
  auto r = api.Signed(Supplier(), "/v1/plg/records/rcv_00112233445566778899");
  CHECK(r.status == 400);
}

TEST_CASE("plg gazette: public, plg/gazette/ keys only, 404 when absent") {
  Api api;
  auto r = api.Get("/v1/plg/gazette/" + kRegNo);
  INFO(r.body);
  REQUIRE(r.status == 200);
  json j = json::parse(r.body);
  CHECK(j["entry"]["pledgee"] == "bank1");
  CHECK(j["key"] == plg::Gazette(kRegNo));
  auto p = api.Get("/v1/plg/gazette/" + kRegNo + "?proof=true");
  REQUIRE(p.status == 200);
  CHECK(ProvenValue(api.ledger, json::parse(p.body)["proof"], plg::Gazette(kRegNo)).has_value());
  CHECK(api.Get("/v1/plg/gazette/IPP-2026-999999").status == 404);
  // Nothing but the gazette: a record id is not a registration number of anything.
  CHECK(api.Get("/v1/plg/gazette/" + kIpp).status == 404);
}

TEST_CASE("reg alerts: regulator only, fin and plg merged in (height, index, k) order") {
  Api api;
  const std::string fin_body = api::ProtectedReadRefusal().body;
  for (const KeyPair& k : {Supplier(), Bank1(), Core()}) {
    auto r = api.Signed(k, "/v1/reg/alerts");
    CHECK(r.status == 403);
    CHECK(r.body == fin_body);
  }
  json all = api.Ok(Regulator(), "/v1/reg/alerts");
  std::vector<std::string> kinds;
  for (const auto& a : all["alerts"]) kinds.push_back(a["kind"]);
  CHECK(kinds ==
        std::vector<std::string>{"double_pledge", "overdue", "release_late", "value_drop"});
  CHECK(all["alerts"][1]["ns"] == "fin");
  CHECK(all["next_cursor"].is_null());

  // Paged two at a time: the same four, in the same order.
  std::vector<std::string> paged;
  std::string target = "/v1/reg/alerts?limit=2";
  for (int page = 0; page < 5; ++page) {
    json j = api.Ok(Regulator(), target);
    CHECK(j["alerts"].size() <= 2);
    for (const auto& a : j["alerts"]) paged.push_back(a["kind"]);
    if (j["next_cursor"].is_null()) break;
    target = "/v1/reg/alerts?limit=2&cursor=" + j["next_cursor"].get<std::string>();
  }
  CHECK(paged == kinds);

  CHECK(api.Signed(Regulator(), "/v1/reg/alerts?limit=0").status == 400);
  CHECK(api.Signed(Regulator(), "/v1/reg/alerts?limit=x").status == 400);
  CHECK(api.Signed(Regulator(), "/v1/reg/alerts?cursor=garbage").status == 400);
}

TEST_CASE("reg alerts: a fin alert as the fin contract writes it (circular-transfer)") {
  // The state comes from the fin contract itself: supplier's receivable on core goes to shop
  // and back (docs/finance.md §16).
  contracts::MemStateView view;
  for (const auto& o :
       {Org("supplier", {Role::kBondedWarehouse}, Supplier()),
        Org("core", {Role::kPlatform}, Core()), Org("shop", {Role::kRetailer}, Retailer()),
        Org("reg", {Role::kRegulator}, Regulator())}) {
    REQUIRE(contracts::RegisterOrg(view, o, 0).ok());
  }
  uint64_t height = 0;
  auto fin = [&](const KeyPair& key, const std::string& method, const Value& args) {
    ++height;
    contracts::TxContext ctx{.chain_id = kChain,
                             .tx_id = Sha256(AsBytes(method + std::to_string(height))),
                             .signer = key.public_key(),
                             .height = height,
                             .block_time_ms = 1'767'225'600'000 + height * 1000,
                             .index = 0};
    contracts::EventSink events;
    auto st = contracts::FinanceContract().Execute(ctx, method, args, view, events);
    INFO(method << ": " << st.ToString());
    REQUIRE(st.ok());
    return contracts::ReceivableIdFor(ctx.tx_id);
  };
  const std::string hash(64, 'a');
  const std::string id =
      fin(Supplier(), "register",
          Value::Map{
              {"debtor", "core"},
              {"currency", "CNY"},
              {"contract", Value::Map{{"number", "C-1"}, {"hash", hash}}},
              {"invoices",
               Value::List{Value::Map{
                   {"number", "INV-1"}, {"amount", 1000}, {"date", "2026-11-30"}, {"hash", hash}}}},
              {"issue_date", "2026-12-01"},
              {"due_date", "2027-03-01"}});
  fin(Core(), "confirm", Value::Map{{"id", id}});
  fin(Supplier(), "transfer", Value::Map{{"part", id}, {"to", "shop"}});
  fin(Retailer(), "transfer", Value::Map{{"part", id}, {"to", "supplier"}});

  Api api(/*with_state=*/false);
  for (const auto& [k, v] : view.entries()) api.ledger.PutRaw(k, v);
  json all = api.Ok(Regulator(), "/v1/reg/alerts");
  REQUIRE(all["alerts"].size() == 1);
  const json& a = all["alerts"][0];
  CHECK(a["ns"] == "fin");
  CHECK(a["kind"] == "circular-transfer");
  CHECK(a["subject"] == id);
  CHECK(a["height"] == 4);
  CHECK(a["orgs"] == json::array({"shop", "supplier"}));
  CHECK(a["detail"]["from"] == "shop");
  CHECK(a["detail"]["to"] == "supplier");
  CHECK(a["detail"]["held"] == id);
  CHECK(a["key"] == tidemark::state_keys::alerts::Alert("fin/", 4, 0, 1));
  CHECK(api.Signed(Supplier(), "/v1/reg/alerts").status == 403);
}
