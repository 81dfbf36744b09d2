// The pledge registry reads (plg_api.h, read_auth.h), through HttpService on a loopback port.
// Pledge state is written directly in the shapes of docs/finance.md §12-§16 (as the plg contract
// would write it); proofs come from a real state tree and are checked with VerifyStateBundle.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
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
#include "tidemark/state_keys/finance.h"
#include "tidemark/state_keys/pledge.h"
#include "tidemark/value.h"

using namespace tidemark;
using namespace tidemark::node;
using namespace tidemark::testing;
using nlohmann::json;
using namespace std::chrono_literals;
namespace plg = tidemark::state_keys::plg;
namespace fin = tidemark::state_keys::fin;
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
  // The state version ReadState reports (the fake's own is its block count, 0 here).
  std::atomic<uint64_t> state_version{0};
  tidemark::Status ReadState(const StateReader& fn) override {
    uint64_t v = state_version;
    return FakeLedger::ReadState(
        [&](const contracts::StateView& view, uint64_t) { return fn(view, v); });
  }
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

  explicit Api(bool with_state = true, uint64_t block_time_ms = 1'767'225'600'000,
               void (*more_state)(PlgLedger&) = nullptr) {
    // Without finance state, no anchor either: blocks are then the fake's own (CommitBlock).
    if (with_state) {
      PutPlgState(ledger);
      if (more_state != nullptr) more_state(ledger);
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

// ---- The regulator's export, the borrower view, the access matrix ----------------------------

namespace {

namespace al = tidemark::state_keys::alerts;

const std::string kRcv = "rcv_0123456789abcdef0123";    // held by supplier, bank1 finances it
const std::string kRcvB2 = "rcv_0123456789abcdef0456";  // supplier's, bank2 a party
const std::string kNoRcv = "rcv_ffffffffffffffffffff";  // never registered
const std::string kFpA = std::string(64, 'a');          // kRcv's invoice: encumbered
const std::string kFpB = std::string(64, 'b');          // kRcvB2's invoice: no key (free)
const std::string kEqp1 = "eqp_11111111111111111111";   // bank2's, registered second
const std::string kEqp2 = "eqp_22222222222222222222";   // bank1's, registered first
const std::string kUscc = "91350100M000100Y43";
const std::string kTm = "trademark:TM1";           // pledged (kIpp)
const std::string kCn = "invention:CN2";           // free
const std::string kEqh = "eqh:supplier:" + kUscc;  // supplier's holding in kUscc

Value Rcv(const std::string& id, const Value::List& parties, const std::string& fp,
          std::optional<std::string> financier) {
  Value::Map part{{"id", id},
                  {"parent", ""},
                  {"amount", int64_t{5000}},
                  {"holder", "supplier"},
                  {"state", "ACTIVE"},
                  {"children", Value::List{}}};
  if (financier) {
    part["encumbrance"] = Value::Map{{"kind", "pledge"},
                                     {"financier", *financier},
                                     {"amount", int64_t{4000}},
                                     {"state", "ACTIVE"},
                                     {"since_height", int64_t{4}}};
  }
  return Value::Map{
      {"id", id},
      {"creditor", "supplier"},
      {"debtor", "core"},
      {"currency", "CNY"},
      {"amount", int64_t{5000}},
      {"due_date", "2026-12-01"},
      {"state", "CONFIRMED"},
      {"invoices", Value::List{Value::Map{{"number", "INV" + id.substr(20)}, {"fingerprint", fp}}}},
      {"parties", parties},
      {"parts", Value::Map{{id, Value(part)}}}};
}

Value EqPledge(const std::string& id, const std::string& pledgee, int64_t height, int64_t index) {
  return Value::Map{{"id", id},
                    {"uscc", kUscc},
                    {"pledgor", "supplier"},
                    {"pledgee", pledgee},
                    {"amount", int64_t{300}},
                    {"state", "REGISTERED"},
                    {"registration_no", "EQ-" + id.substr(4, 4)},
                    {"registered_height", height},
                    {"registered_index", index},
                    {"parties", Value::List{pledgee, "supplier"}}};
}

// What the borrower view reads: supplier's receivables, IP assets, equity and receipt.
void PutBorrowerState(PlgLedger& l) {
  l.Put(fin::Receivable(kRcv), Rcv(kRcv, {"bank1", "core", "supplier"}, kFpA, "bank1"));
  l.Put(fin::Receivable(kRcvB2), Rcv(kRcvB2, {"bank2", "core", "supplier"}, kFpB, std::nullopt));
  l.Put(fin::Fingerprint(kFpA), Value::Map{{"state", "encumbered"}});
  for (const char* org : {"supplier", "core", "bank1"}) l.Put(fin::Party(org, kRcv), Value(""));
  for (const char* org : {"supplier", "core", "bank2"}) l.Put(fin::Party(org, kRcvB2), Value(""));
  l.Put(fin::History(kRcv, 1), Value::Map{{"seq", int64_t{1}}, {"action", "register"}});
  l.Put(plg::IpAsset(kTm), Value::Map{{"id", kTm},
                                      {"kind", "trademark"},
                                      {"number", "TM1"},
                                      {"title", "Tide"},
                                      {"owners", Value::List{"supplier"}},
                                      {"status", "valid"},
                                      {"pledge", kIpp}});
  l.Put(plg::IpAsset(kCn), Value::Map{{"id", kCn},
                                      {"kind", "invention"},
                                      {"number", "CN2"},
                                      {"owners", Value::List{"supplier"}},
                                      {"status", "valid"}});
  for (const std::string& a : {kTm, kCn}) l.Put(plg::Owner("supplier", a), Value(""));
  l.Put(plg::EncIp(kTm), Value::Map{{"state", "pledged"}});
  for (uint64_t seq = 1; seq <= 2; ++seq) {
    l.Put(plg::History(kTm, seq),
          Value::Map{{"seq", static_cast<int64_t>(seq)},
                     {"action", seq == 1 ? "ip_asset_register" : "ip_register"},
                     {"org", "ipreg"}});
  }
  // The holding as eq_holding writes it (docs/finance.md §14): recorded twice, supplier a party.
  l.Put(plg::Holding("supplier", kUscc), Value::Map{{"id", kEqh},
                                                    {"org", "supplier"},
                                                    {"uscc", kUscc},
                                                    {"company", "Acme Co"},
                                                    {"listed", false},
                                                    {"amount", int64_t{1000}},
                                                    {"registrar", "reg"},
                                                    {"height", int64_t{4}},
                                                    {"parties", Value::List{"supplier"}},
                                                    {"next_hist", int64_t{3}}});
  l.Put(plg::Party("supplier", kEqh), Value(""));
  for (uint64_t seq = 1; seq <= 2; ++seq) {
    l.Put(plg::History(kEqh, seq),
          Value::Map{{"seq", static_cast<int64_t>(seq)}, {"action", "eq_holding"}, {"org", "reg"}});
  }
  l.Put(plg::EncEquity("supplier", kUscc), Value::Map{{"state", "pledged"}});
  l.Put(plg::EqPledge(kEqp1), EqPledge(kEqp1, "bank2", 5, 0));
  l.Put(plg::EqPledge(kEqp2), EqPledge(kEqp2, "bank1", 3, 2));
  for (const auto& [id, bank] : {std::pair(kEqp1, "bank2"), std::pair(kEqp2, "bank1")}) {
    for (const char* org : {"supplier", bank}) l.Put(plg::Party(org, id), Value(""));
  }
  l.Put(plg::EncReceipt(kWr), Value::Map{{"state", "issued"}});
}

// History log rows (state version 10): plg@1000, fin@2000, fin@3000 (tx 0), plg@3000 (tx 1),
// and one of block 11 (above the version: not exported).
void PutExportState(PlgLedger& l) {
  l.Put(al::HistLog("plg/", 1000, 1, 0, 0), Value::Map{{"id", kIpp}, {"seq", int64_t{0}}});
  l.Put(al::HistLog("fin/", 2000, 2, 0, 0), Value::Map{{"id", kRcv}, {"seq", int64_t{1}}});
  l.Put(al::HistLog("fin/", 3000, 3, 0, 0), Value::Map{{"id", kRcv}, {"seq", int64_t{2}}});
  l.Put(al::HistLog("plg/", 3000, 3, 1, 0), Value::Map{{"id", kIpp}, {"seq", int64_t{1}}});
  l.Put(al::HistLog("plg/", 4000, 11, 0, 0), Value::Map{{"id", kIpp}, {"seq", int64_t{0}}});
  l.Put(fin::History(kRcv, 1),
        Value::Map{{"seq", int64_t{1}},
                   {"height", int64_t{2}},
                   {"time_ms", int64_t{2000}},
                   {"tx", std::string(64, 'e')},
                   {"action", "register"},
                   {"org", "supplier"},
                   {"signer", std::string(64, 'f')},
                   {"args", Value::Map{{"number", "INV,1 \"q\""}, {"amount", int64_t{5}}}}});
  l.Put(fin::History(kRcv, 2),
        Value::Map{{"seq", int64_t{2}},
                   {"height", int64_t{3}},
                   {"time_ms", int64_t{3000}},
                   {"action", "settle"},
                   {"org", "core"},
                   {"args", Value::Map{{"id", kRcv}}},
                   {"payees", Value::List{Value::Map{{"org", "supplier"}}}}});
  l.state_version = 10;
}

// 600 plg rows at block 5 (three pieces of 256).
void PutManyRows(PlgLedger& l) {
  for (uint32_t i = 0; i < 600; ++i) {
    l.Put(al::HistLog("plg/", 10'000 + i, 5, i, 0), Value::Map{{"id", kIpp}, {"seq", int64_t{1}}});
  }
  l.state_version = 10;
}

// The body of a chunked answer and the number of chunks; nullopt when malformed or cut short.
std::optional<std::string> Dechunk(const std::string& in, int* chunks) {
  std::string out;
  size_t pos = 0;
  *chunks = 0;
  while (true) {
    size_t eol = in.find("\r\n", pos);
    if (eol == std::string::npos) return std::nullopt;
    size_t n = std::stoul(in.substr(pos, eol - pos), nullptr, 16);
    pos = eol + 2;
    if (n == 0) return in.substr(pos) == "\r\n" ? std::optional(out) : std::nullopt;
    if (in.size() < pos + n + 2 || in.substr(pos + n, 2) != "\r\n") return std::nullopt;
    out += in.substr(pos, n);
    pos += n + 2;
    ++*chunks;
  }
}

// RFC 4180 records (CRLF, quoted fields with doubled quotes).
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    std::string& field = rows.back().back();
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.emplace_back(1);
      ++i;
    } else {
      field += c;
    }
  }
  if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
  return rows;
}

json ExportJson(Api& api, const std::string& query, int* chunks = nullptr) {
  auto r = api.Signed(Regulator(), "/v1/reg/export?" + query);
  INFO(r.raw.substr(0, 400));
  REQUIRE(r.status == 200);
  CHECK(r.headers["transfer-encoding"] == "chunked");
  CHECK(r.headers["content-type"] == "application/json");
  CHECK(r.headers["x-tidemark-state-version"] == "10");
  int n = 0;
  auto body = Dechunk(r.body, &n);
  REQUIRE(body.has_value());
  if (chunks != nullptr) *chunks = n;
  return json::parse(*body);
}

}  // namespace

TEST_CASE("reg export: fin and plg entries in time order, [from, to), of one state version") {
  Api api(true, 1'767'225'600'000, PutExportState);
  json all = ExportJson(api, "from_ms=0&to_ms=5000&format=json");
  REQUIRE(all.is_array());
  REQUIRE(all.size() == 4);  // the block-11 row is above the version read
  std::vector<std::string> got;
  for (const auto& e : all)
    got.push_back(e["ns"].get<std::string>() + ":" + e["id"].get<std::string>());
  CHECK(got ==
        std::vector<std::string>{"plg:" + kIpp, "fin:" + kRcv, "fin:" + kRcv, "plg:" + kIpp});
  CHECK(all[1]["action"] == "register");
  CHECK(all[1]["args"]["number"] == "INV,1 \"q\"");
  CHECK(all[2]["payees"][0]["org"] == "supplier");
  CHECK(all[3]["tx_index"] == 1);
  CHECK(all[3]["action"] == "ip_register");
  // to_ms is excluded, from_ms included; json is the default format.
  json mid = ExportJson(api, "from_ms=2000&to_ms=3000");
  REQUIRE(mid.size() == 1);
  CHECK(mid[0]["seq"] == 1);
  CHECK(ExportJson(api, "from_ms=5000&to_ms=9000").empty());
}

TEST_CASE("reg export: csv has a header row and RFC 4180 quoting, args as JSON text") {
  Api api(true, 1'767'225'600'000, PutExportState);
  auto r = api.Signed(Regulator(), "/v1/reg/export?from_ms=0&to_ms=5000&format=csv");
  REQUIRE(r.status == 200);
  CHECK(r.headers["content-type"].rfind("text/csv", 0) == 0);
  CHECK(r.headers["content-disposition"].find("attachment") != std::string::npos);
  int chunks = 0;
  auto body = Dechunk(r.body, &chunks);
  REQUIRE(body.has_value());
  auto rows = ParseCsv(*body);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0] == std::vector<std::string>{"ns", "time_ms", "height", "tx_index", "k", "id", "seq",
                                            "action", "org", "signer", "tx", "args", "extra"});
  for (const auto& row : rows) CHECK(row.size() == 13);
  CHECK(rows[2][0] == "fin");
  CHECK(rows[2][1] == "2000");
  CHECK(rows[2][5] == kRcv);
  CHECK(rows[2][7] == "register");
  CHECK(json::parse(rows[2][11]) == json{{"amount", 5}, {"number", "INV,1 \"q\""}});
  CHECK(rows[2][12].empty());
  CHECK(json::parse(rows[3][12])["payees"][0]["org"] == "supplier");
  // The quoted field went over the wire quoted, quotes doubled.
  CHECK(body->find("\"{\"\"amount\"\":5,\"\"number\"\":\"\"INV,1 \\\"\"q\\\"\"\"\"}\"") !=
        std::string::npos);
}

TEST_CASE("reg export: streamed in several chunks, nothing lost or repeated") {
  Api api(true, 1'767'225'600'000, PutManyRows);
  int chunks = 0;
  json all = ExportJson(api, "from_ms=10000&to_ms=20000", &chunks);
  REQUIRE(all.size() == 600);
  CHECK(chunks >= 3);
  for (size_t i = 0; i < all.size(); ++i) CHECK(all[i]["tx_index"] == i);
  // HEAD: the headers only.
  const std::string target = "/v1/reg/export?from_ms=10000&to_ms=20000";
  auto h = Request(
      api.http->port(), "HEAD", target, "", "",
      "Authorization: " + ReadAuthHeader(Regulator(), kChain, "HEAD", target, Now()) + "\r\n");
  CHECK(h.status == 200);
  CHECK(h.body.empty());
}

TEST_CASE("reg export: regulator only (403 first), bad parameters 400, unsigned 401") {
  Api api(true, 1'767'225'600'000, PutExportState);
  const std::string refusal = api::ProtectedReadRefusal().body;
  for (const KeyPair& k : {Supplier(), Bank1(), Core(), Retailer()}) {
    for (std::string q : {"from_ms=0&to_ms=5000", "from_ms=x"}) {
      auto r = api.Signed(k, "/v1/reg/export?" + q);
      CHECK(r.status == 403);
      CHECK(r.body == refusal);
    }
  }
  CHECK(api.Get("/v1/reg/export?from_ms=0&to_ms=5000").status == 401);
  for (std::string q :
       {"to_ms=5000", "from_ms=0", "from_ms=x&to_ms=5", "from_ms=5&to_ms=5", "from_ms=6&to_ms=5",
        "from_ms=0&to_ms=5000&format=xml", "from_ms=0&to_ms=99999999999999999999"}) {
    auto r = api.Signed(Regulator(), "/v1/reg/export?" + q);
    INFO(q << " " << r.body);
    CHECK(r.status == 400);
    CHECK(r.headers["content-type"] == "application/problem+json");
  }
}

TEST_CASE("reg alerts: from_height starts at a block height") {
  Api api;
  auto kinds = [&](const std::string& target) {
    std::vector<std::string> out;
    json j = api.Ok(Regulator(), target);
    for (const auto& a : j["alerts"]) out.push_back(a["kind"]);
    return out;
  };
  CHECK(kinds("/v1/reg/alerts?from_height=5") ==
        std::vector<std::string>{"overdue", "release_late", "value_drop"});
  CHECK(kinds("/v1/reg/alerts?from_height=6") ==
        std::vector<std::string>{"release_late", "value_drop"});
  CHECK(kinds("/v1/reg/alerts?from_height=8").empty());
  // With a cursor: the later position of the two.
  json p = api.Ok(Regulator(), "/v1/reg/alerts?limit=1");
  std::string c = p["next_cursor"];
  CHECK(kinds("/v1/reg/alerts?cursor=" + c + "&from_height=7") ==
        std::vector<std::string>{"release_late", "value_drop"});
  CHECK(kinds("/v1/reg/alerts?cursor=" + c + "&from_height=0").size() == 3);
  CHECK(api.Signed(Regulator(), "/v1/reg/alerts?from_height=x").status == 400);
  CHECK(api.Signed(Regulator(), "/v1/reg/alerts?from_height=-1").status == 400);
}

namespace {

// Checks every standing of a borrower answer against its bundle: each key proven, present with
// exactly {state} or absent for "free"; and nothing else in the bundle.
void CheckStandings(PlgLedger& l, const json& j) {
  std::vector<json> standings;
  for (const auto& r : j["receivables"]) {
    for (const auto& inv : r["invoices"]) standings.push_back(inv["standing"]);
  }
  for (const char* section : {"ip_assets", "equity", "receipts"}) {
    for (const auto& item : j[section]) standings.push_back(item["standing"]);
  }
  REQUIRE(!standings.empty());
  REQUIRE(j["proof"].is_object());
  auto bytes = FromHex(j["proof"]["bundle"].get<std::string>());
  REQUIRE(bytes.ok());
  auto bundle = StateBundle::Decode(*bytes);
  REQUIRE(bundle.ok());
  auto v = VerifyStateBundle(l.Trust(), *bundle);
  REQUIRE(v.ok());
  for (const json& s : standings) {
    INFO(s.dump());
    const auto* e = v->Find(s["key"].get<std::string>());
    REQUIRE(e != nullptr);
    if (s["state"] == "free") {
      CHECK(!e->value.has_value());
    } else {
      REQUIRE(e->value.has_value());
      CHECK(Value::Decode(*e->value)->ToJson() == json{{"state", s["state"]}});
    }
  }
  CHECK(v->entries.size() == standings.size());
}

}  // namespace

TEST_CASE("fin borrowers: a bank sees the borrower's standings, proven, with priority") {
  Api api(true, 1'767'225'600'000, PutBorrowerState);
  json j = api.Ok(Bank1(), "/v1/fin/borrowers/supplier");
  INFO(j.dump(1));
  CHECK(j["org"] == "supplier");
  // Receivables: only those bank1 is a party of.
  REQUIRE(j["receivables"].size() == 1);
  CHECK(j["receivables"][0]["id"] == kRcv);
  CHECK(j["receivables"][0]["invoices"][0]["standing"]["state"] == "encumbered");
  CHECK(j["receivables"][0]["encumbrances"][0]["financier"] == "bank1");
  CHECK(j["receivables"][0]["encumbrances"][0]["rank"] == 1);
  // IP: both assets, pledged and free; the pledge's detail for bank1, its pledgee.
  REQUIRE(j["ip_assets"].size() == 2);
  CHECK(j["ip_assets"][0]["asset"] == kCn);
  CHECK(j["ip_assets"][0]["standing"]["state"] == "free");
  CHECK(j["ip_assets"][1]["asset"] == kTm);
  CHECK(j["ip_assets"][1]["standing"]["state"] == "pledged");
  CHECK(j["ip_assets"][1]["pledge"]["id"] == kIpp);
  // Equity: registration order, bank1's first (height 3) though its id sorts second.
  REQUIRE(j["equity"].size() == 1);
  CHECK(j["equity"][0]["standing"]["state"] == "pledged");
  const json& pl = j["equity"][0]["pledges"];
  REQUIRE(pl.size() == 2);
  CHECK(pl[0]["rank"] == 1);
  CHECK(pl[0]["pledgee"] == "bank1");
  CHECK(pl[0]["id"] == kEqp2);
  CHECK(pl[1]["rank"] == 2);
  CHECK(pl[1]["pledgee"] == "bank2");
  CHECK(!pl[1].contains("id"));  // bank2's pledge: not bank1's to read
  CHECK(!pl[1].contains("amount"));
  // Receipt: standing, but no record detail (bank1 is no party of it).
  REQUIRE(j["receipts"].size() == 1);
  CHECK(j["receipts"][0]["id"] == kWr);
  CHECK(j["receipts"][0]["as"] == json::array({"holder"}));
  CHECK(j["receipts"][0]["standing"]["state"] == "issued");
  CHECK(!j["receipts"][0].contains("state"));
  CheckStandings(api.ledger, j);

  // bank2: the other receivable (free invoice, absence proven), the receipt's detail.
  json b2 = api.Ok(Bank2(), "/v1/fin/borrowers/supplier");
  REQUIRE(b2["receivables"].size() == 1);
  CHECK(b2["receivables"][0]["id"] == kRcvB2);
  CHECK(b2["receivables"][0]["invoices"][0]["standing"]["state"] == "free");
  CHECK(b2["receipts"][0]["state"] == "ISSUED");
  CHECK(!b2["ip_assets"][1].contains("pledge"));
  CheckStandings(api.ledger, b2);

  // The regulator: everything.
  json reg = api.Ok(Regulator(), "/v1/fin/borrowers/supplier");
  CHECK(reg["receivables"].size() == 2);
  CHECK(reg["equity"][0]["pledges"][1]["id"] == kEqp1);
  CheckStandings(api.ledger, reg);

  // An org with nothing: empty lists, no proof.
  json none = api.Ok(Bank1(), "/v1/fin/borrowers/shop");
  CHECK(none["receivables"].empty());
  CHECK(none["ip_assets"].empty());
  CHECK(none["proof"].is_null());
}

TEST_CASE("fin borrowers: non-bank readers 403 (first), unknown org 404, bad org 400") {
  Api api(true, 1'767'225'600'000, PutBorrowerState);
  const std::string refusal = api::ProtectedReadRefusal().body;
  for (const KeyPair& k : {Supplier(), Core(), Retailer()}) {
    for (std::string org : {"supplier", "nobody", "NOT%20AN%20ORG"}) {
      auto r = api.Signed(k, "/v1/fin/borrowers/" + org);
      CHECK(r.status == 403);
      CHECK(r.body == refusal);
    }
  }
  CHECK(api.Get("/v1/fin/borrowers/supplier").status == 401);
  CHECK(api.Signed(Bank1(), "/v1/fin/borrowers/nobody").status == 404);
  CHECK(api.Signed(Bank1(), "/v1/fin/borrowers/NOT%20AN%20ORG").status == 400);
}

TEST_CASE("access: every protected fin/plg/reg read refuses a non-party with the one 403") {
  Api api(true, 1'767'225'600'000, PutBorrowerState);
  const std::string refusal = api::ProtectedReadRefusal().body;
  const std::string no_tx = std::string(64, '7');
  // Per protected route: targets a non-party (shop: no role, no party of anything; core for the
  // plg records) must get the 403 for, known ids and unknown ones alike.
  const std::map<std::string, std::vector<std::string>> refused = {
      {"/v1/fin/receivables/{id}",
       {"/v1/fin/receivables/" + kRcv, "/v1/fin/receivables/" + kRcv + "?proof=true",
        "/v1/fin/receivables/" + kNoRcv}},
      {"/v1/fin/receivables/{id}/history",
       {"/v1/fin/receivables/" + kRcv + "/history", "/v1/fin/receivables/" + kNoRcv + "/history"}},
      {"/v1/fin/check", {"/v1/fin/check?fingerprint=" + kFpA + "&invoice_key=" + kFpA}},
      {"/v1/fin/txs/{id}", {"/v1/fin/txs/" + no_tx}},
      {"/v1/fin/borrowers/{org}", {"/v1/fin/borrowers/supplier", "/v1/fin/borrowers/nobody"}},
      {"/v1/plg/records/{id}",
       {"/v1/plg/records/" + kIpp, "/v1/plg/records/" + kIpp + "?proof=true",
        "/v1/plg/records/" + kEqp1, "/v1/plg/records/" + kNoIpp, "/v1/plg/records/" + kTm,
        "/v1/plg/records/" + kTm + "?proof=true", "/v1/plg/records/" + kEqh,
        "/v1/plg/records/" + kEqh + "?proof=true"}},
      {"/v1/plg/records/{id}/history",
       {"/v1/plg/records/" + kIpp + "/history", "/v1/plg/records/" + kNoIpp + "/history",
        "/v1/plg/records/" + kTm + "/history", "/v1/plg/records/" + kEqh + "/history"}},
      {"/v1/reg/alerts", {"/v1/reg/alerts", "/v1/reg/alerts?from_height=1"}},
      {"/v1/reg/export", {"/v1/reg/export?from_ms=0&to_ms=5000"}},
  };
  // Party lists answer 200 but list only what the reader may read: nothing, for shop.
  const std::map<std::string, std::pair<std::string, std::string>> lists = {
      {"/v1/fin/parties/{org}/receivables",
       {"/v1/fin/parties/supplier/receivables", "receivables"}},
      {"/v1/plg/parties/{org}/records", {"/v1/plg/parties/supplier/records", "records"}},
  };
  const std::set<std::string> public_routes = {"/v1/plg/gazette/{registration_no}"};
  size_t covered = 0;
  for (const auto& route : api.http->router().Routes()) {
    const std::string& p = route.pattern;
    if (!(p.starts_with("/v1/fin/") || p.starts_with("/v1/plg/") || p.starts_with("/v1/reg/"))) {
      continue;
    }
    INFO(route.method << " " << p);
    ++covered;
    if (public_routes.count(p)) continue;
    if (auto it = lists.find(p); it != lists.end()) {
      CHECK(api.Get(it->second.first).status == 401);
      json j = api.Ok(Retailer(), it->second.first);
      CHECK(j[it->second.second].empty());
      continue;
    }
    auto it = refused.find(p);
    REQUIRE(it != refused.end());  // a new protected route needs its access test here
    for (const std::string& t : it->second) {
      INFO(t);
      CHECK(api.Get(t).status == 401);
      // core is the receivables' debtor (a party): a non-party of the rest only.
      std::vector<KeyPair> readers = {Retailer()};
      if (!p.starts_with("/v1/fin/receivables")) readers.push_back(Core());
      for (const KeyPair& k : readers) {
        auto r = api.Signed(k, t);
        CHECK(r.status == 403);
        CHECK(r.body == refusal);
      }
    }
  }
  CHECK(covered == refused.size() + lists.size() + public_routes.size());
  // Unknown ids are indistinguishable from no access, for a reader with access elsewhere.
  CHECK(api.Signed(Supplier(), "/v1/fin/receivables/" + kNoRcv).body ==
        api.Signed(Bank2(), "/v1/fin/receivables/" + kRcv).body);
  CHECK(api.Signed(Supplier(), "/v1/plg/records/" + kNoIpp).body ==
        api.Signed(Bank2(), "/v1/plg/records/" + kIpp).body);
}

TEST_CASE("access: /v1/state and its proofs refuse fin/ and plg/ keys but the gazette") {
  Api api(true, 1'767'225'600'000, PutBorrowerState);
  const std::string refusal = api::ProtectedReadRefusal().body;
  for (const std::string& k :
       {plg::IpPledge(kIpp), plg::IpPledge(kNoIpp), plg::IpAsset(kTm), plg::EncIp(kTm),
        plg::EqPledge(kEqp1), plg::Holding("supplier", kUscc), plg::Receipt(kWr),
        plg::Party("supplier", kIpp), plg::History(kIpp, 0), al::HistLogPrefix("plg/"),
        al::Alert("plg/", 3, 1, 0), std::string("plg/"), std::string("plg/gazette"),
        fin::Receivable(kRcv), fin::Fingerprint(kFpA), fin::History(kRcv, 1),
        al::HistLogPrefix("fin/"), std::string("fin/")}) {
    std::string hex = ToHex(AsBytes(k));
    for (const std::string& t :
         {"/v1/state/" + hex, "/v1/state/" + hex + "?proof=true", "/v1/state/" + hex + "/proof"}) {
      INFO(k << " " << t);
      for (const KeyPair& reader : {Retailer(), Regulator()}) {
        auto r = api.Signed(reader, t);
        CHECK(r.status == 403);
        CHECK(r.body == refusal);
      }
      auto u = api.Get(t);
      CHECK(u.status == 403);
      CHECK(u.body == refusal);
    }
  }
  std::string gz = ToHex(AsBytes(plg::Gazette(kRegNo)));
  for (const std::string& t :
       {"/v1/state/" + gz, "/v1/state/" + gz + "?proof=true", "/v1/state/" + gz + "/proof"}) {
    INFO(t);
    CHECK(api.Get(t).status == 200);
  }
}

TEST_CASE("reg export: a failure midway cuts the body (no last chunk, no closing bracket)") {
  // The log names a history entry that is not there: the export fails after its headers.
  Api api(true, 1'767'225'600'000, [](PlgLedger& l) {
    PutExportState(l);
    l.Put(al::HistLog("fin/", 2500, 2, 1, 0), Value::Map{{"id", kNoRcv}, {"seq", int64_t{1}}});
  });
  auto r = api.Signed(Regulator(), "/v1/reg/export?from_ms=0&to_ms=5000");
  CHECK(r.status == 200);
  int chunks = 0;
  CHECK(!Dechunk(r.body, &chunks).has_value());
  CHECK(r.body.find(']') == std::string::npos);
}

TEST_CASE("reg export: an HTTP/1.0 client gets the raw body, ended by the close") {
  Api api(true, 1'767'225'600'000, PutExportState);
  const std::string target = "/v1/reg/export?from_ms=0&to_ms=5000&format=csv";
  auto r = SendRaw(api.http->port(), "GET " + target + " HTTP/1.0\r\nHost: a\r\nAuthorization: " +
                                         ReadAuthHeader(Regulator(), kChain, "GET", target, Now()) +
                                         "\r\n\r\n");
  REQUIRE(r.status == 200);
  CHECK(r.headers.count("transfer-encoding") == 0);
  auto rows = ParseCsv(r.body);
  CHECK(rows.size() == 5);
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

namespace {

KeyPair IpRegistry() { return TestKey(27); }

// The borrower state plus an IP registry org (ipreg, IP_REGISTRY).
void PutRecordState(PlgLedger& l) {
  PutBorrowerState(l);
  contracts::MemStateView view;
  REQUIRE(contracts::RegisterOrg(view, Org("ipreg", {Role::kIpRegistry}, IpRegistry()), 0).ok());
  for (const auto& [k, v] : view.entries()) l.PutRaw(k, v);
}

std::vector<std::string> Actions(const json& h) {
  std::vector<std::string> out;
  for (const auto& e : h["entries"]) out.push_back(e["action"]);
  return out;
}

}  // namespace

TEST_CASE("plg reads: an IP asset and its history: owners, the regulator, IP registries") {
  Api api(true, 1'767'225'600'000, PutRecordState);
  for (const KeyPair& k : {Supplier(), Regulator(), IpRegistry()}) {
    json j = api.Ok(k, "/v1/plg/records/" + kTm);
    CHECK(j["id"] == kTm);
    CHECK(j["record"]["owners"] == json::array({"supplier"}));
    json h = api.Ok(k, "/v1/plg/records/" + kTm + "/history");
    CHECK(Actions(h) == std::vector<std::string>{"ip_asset_register", "ip_register"});
    // The path parameter is percent-decoded: "%3A" is the same id.
    CHECK(api.Ok(k, "/v1/plg/records/trademark%3ATM1")["id"] == kTm);
  }
  // With a proof: the asset key, verified.
  json p = api.Ok(Supplier(), "/v1/plg/records/" + kTm + "?proof=true");
  CHECK(p["key"] == plg::IpAsset(kTm));
  auto proven = ProvenValue(api.ledger, p["proof"], plg::IpAsset(kTm));
  REQUIRE(proven.has_value());
  CHECK(Value::Decode(*proven)->ToJson() == p["record"]);
  // No existence leak: a non-owner (even the asset's pledgee, bank1) and an unknown asset (even
  // for the regulator and a registry) get the one 403.
  const std::string refusal = api::ProtectedReadRefusal().body;
  for (const KeyPair& k : {Bank1(), Bank2(), Core(), Retailer()}) {
    for (const std::string& t : {"/v1/plg/records/" + kTm, "/v1/plg/records/" + kTm + "/history",
                                 "/v1/plg/records/" + kTm + "?proof=true"}) {
      INFO(t);
      auto r = api.Signed(k, t);
      CHECK(r.status == 403);
      CHECK(r.body == refusal);
    }
  }
  for (const KeyPair& k : {Supplier(), Regulator(), IpRegistry()}) {
    for (const char* t : {"/v1/plg/records/trademark:TM9", "/v1/plg/records/trademark:TM9/history",
                          "/v1/plg/records/design:TM1", "/v1/plg/records/trademark:TM1.0"}) {
      INFO(t);
      auto r = api.Signed(k, t);
      CHECK(r.status == 403);
      CHECK(r.body == refusal);
    }
  }
  // A registry reads assets only: not the pledges, holdings or receipts.
  for (const std::string& id : {kIpp, kEqp1, kEqh, kWr}) {
    INFO(id);
    CHECK(api.Signed(IpRegistry(), "/v1/plg/records/" + id).body == refusal);
  }
}

TEST_CASE("plg reads: a holding and its history: the holder and the regulator") {
  Api api(true, 1'767'225'600'000, PutRecordState);
  for (const KeyPair& k : {Supplier(), Regulator()}) {
    json j = api.Ok(k, "/v1/plg/records/" + kEqh);
    CHECK(j["id"] == kEqh);
    CHECK(j["record"]["amount"] == 1000);
    json h = api.Ok(k, "/v1/plg/records/" + kEqh + "/history");
    CHECK(Actions(h) == std::vector<std::string>{"eq_holding", "eq_holding"});
  }
  json p = api.Ok(Supplier(), "/v1/plg/records/" + kEqh + "?proof=true");
  CHECK(p["key"] == plg::Holding("supplier", kUscc));
  auto proven = ProvenValue(api.ledger, p["proof"], plg::Holding("supplier", kUscc));
  REQUIRE(proven.has_value());
  CHECK(Value::Decode(*proven)->ToJson() == p["record"]);
  // The holder's party list names it.
  bool listed = false;
  const json list = api.Ok(Supplier(), "/v1/plg/parties/supplier/records");
  INFO(list.dump());
  for (const auto& r : list["records"]) {
    listed = listed || r["id"] == kEqh;
  }
  CHECK(listed);
  // The pledgees of pledges over the shares, other orgs, and unknown holdings: the one 403.
  const std::string refusal = api::ProtectedReadRefusal().body;
  for (const KeyPair& k : {Bank1(), Bank2(), Core(), Retailer(), IpRegistry()}) {
    for (const std::string& t : {"/v1/plg/records/" + kEqh, "/v1/plg/records/" + kEqh + "/history",
                                 "/v1/plg/records/" + kEqh + "?proof=true"}) {
      INFO(t);
      auto r = api.Signed(k, t);
      CHECK(r.status == 403);
      CHECK(r.body == refusal);
    }
  }
  for (const KeyPair& k : {Supplier(), Regulator()}) {
    for (const std::string& t : std::vector<std::string>{
             "/v1/plg/records/eqh:supplier:91110000802100433B",
             "/v1/plg/records/eqh:bank1:" + kUscc,
             "/v1/plg/records/eqh:supplier:" + kUscc.substr(0, 17) + "/history"}) {
      INFO(t);
      auto r = api.Signed(k, t);
      CHECK(r.status == 403);
      CHECK(r.body == refusal);
    }
  }
}

TEST_CASE("plg reads: malformed IP asset and holding ids are 400") {
  Api api(true, 1'767'225'600'000, PutRecordState);
  for (const std::string& id : std::vector<std::string>{
           "trademark:tm1", "Trademark:TM1", ":TM1", "trademark:", "trademark:TM%201",
           "eqh:supplier", "eqh:Supplier:" + kUscc, "eqh:supplier:" + kUscc + "0",
           "eqh:supplier:91350100m000100y43", "eqh:supplier%20x:" + kUscc, "eqh::" + kUscc}) {
    INFO(id);
    CHECK(api.Signed(Supplier(), "/v1/plg/records/" + id).status == 400);
    CHECK(api.Signed(Supplier(), "/v1/plg/records/" + id + "/history").status == 400);
  }
}
