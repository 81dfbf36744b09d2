// The protected finance reads (fin_api.h, read_auth.h) and the redaction of fin txs in every
// public view (json.h), through HttpService on a loopback port. Finance state is written directly
// in the shapes of docs/finance.md §4-5; proofs come from a real state tree (FinLedger::Seal) and
// are checked with the sdk's VerifyStateBundle.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "fake_ledger.h"
#include "http_test_client.h"
#include "tidemark/contracts/finance.h"
#include "tidemark/contracts/genesis.h"
#include "tidemark/contracts/identity.h"
#include "tidemark/fin_fingerprint.h"
#include "tidemark/node/api/cursor.h"
#include "tidemark/node/api/fin_api.h"
#include "tidemark/node/api/http_service.h"
#include "tidemark/node/api/json.h"
#include "tidemark/node/api/read_auth.h"
#include "tidemark/node/state/state_tree.h"
#include "tidemark/node/storage/memory_kv_store.h"
#include "tidemark/proof_bundle.h"
#include "tidemark/signed_read.h"
#include "tidemark/state_keys/finance.h"
#include "tidemark/value.h"

using namespace tidemark;
using namespace tidemark::node;
using namespace tidemark::testing;
using nlohmann::json;
using namespace std::chrono_literals;
namespace fin = tidemark::state_keys::fin;
using contracts::Role;

namespace {

constexpr const char* kChain = "test-chain";
const std::string kRcv1 = "rcv_00112233445566778899";
const std::string kRcv2 = "rcv_aabbccddeeff00112233";
const std::string kNoRcv = "rcv_ffffffffffffffffffff";  // never registered
const std::string kFp1 = std::string(64, 'a'), kIk1 = std::string(64, 'b');
const std::string kFpFree = std::string(64, 'c'), kIkFree = std::string(64, 'd');

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The readers: one admin key per organisation, plus a revoked member key of the supplier, a
// member key of the bank without the BANK role, and the supplier's service key.
KeyPair Supplier() { return TestKey(21); }
KeyPair Core() { return TestKey(22); }
KeyPair Bank1() { return TestKey(23); }
KeyPair Bank2() { return TestKey(24); }
KeyPair Regulator() { return TestKey(25); }
KeyPair Retailer() { return TestKey(26); }
KeyPair Revoked() { return TestKey(27); }
KeyPair BankClerk() { return TestKey(28); }
KeyPair Service() { return TestKey(29); }
KeyPair Unknown() { return TestKey(30); }

// A FakeLedger whose state is also a real sparse Merkle tree once sealed: an anchor block (the
// next height, certifying state version 0 = the state as it is now) signed by the fake's four
// validators, so the proof routes build bundles that VerifyStateBundle accepts.
class FinLedger : public FakeLedger {
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

Value Receivable(const std::string& id, const std::string& state, Value::List parties,
                 const std::string& holder) {
  Value part = Value::Map{{"id", id},         {"parent", ""},      {"amount", int64_t{100000}},
                          {"holder", holder}, {"state", "ACTIVE"}, {"children", Value::List{}}};
  return Value::Map{{"id", id},
                    {"creditor", "supplier"},
                    {"debtor", "core"},
                    {"currency", "CNY"},
                    {"amount", int64_t{100000}},
                    {"contract", Value::Map{{"number", "C-1"}, {"hash", std::string(64, '1')}}},
                    {"invoices", Value::List{Value::Map{{"number", "INV1"},
                                                        {"amount", int64_t{100000}},
                                                        {"tax", int64_t{0}},
                                                        {"date", "2025-06-01"},
                                                        {"hash", std::string(64, '2')},
                                                        {"fingerprint", kFp1},
                                                        {"invoice_key", kIk1}}}},
                    {"issue_date", "2025-06-01"},
                    {"due_date", "2025-12-01"},
                    {"refs", Value::List{}},
                    {"require_delivery", false},
                    {"state", state},
                    {"parties", Value(std::move(parties))},
                    {"parts", Value::Map{{id, part}}},
                    {"created_height", int64_t{1}},
                    {"next_hist", int64_t{3}}};
}

// Organisations, keys and two receivables: rcv1 (supplier -> core, financed by bank1) and rcv2
// (supplier -> core, bank2 a party).
void PutFinState(FinLedger& l) {
  contracts::MemStateView view;
  auto supplier = Org("supplier", {Role::kBondedWarehouse}, Supplier());
  supplier.service_key = Service().public_key();
  for (const auto& o :
       {supplier, Org("core", {Role::kPlatform}, Core()), Org("bank1", {Role::kBank}, Bank1()),
        Org("bank2", {Role::kBank}, Bank2()), Org("reg", {Role::kRegulator}, Regulator()),
        Org("shop", {Role::kRetailer}, Retailer())}) {
    REQUIRE(contracts::RegisterOrg(view, o, 0).ok());
  }
  contracts::StoreKey(view, contracts::KeyRecord{.key = Revoked().public_key(),
                                                 .org = "supplier",
                                                 .roles = {Role::kBondedWarehouse},
                                                 .active = false,
                                                 .enrolled_height = 1,
                                                 .revoked_height = 2});
  contracts::StoreKey(
      view,
      contracts::KeyRecord{
          .key = BankClerk().public_key(), .org = "bank1", .roles = {}, .enrolled_height = 1});
  for (const auto& [k, v] : view.entries()) l.PutRaw(k, v);
  l.Put(fin::Receivable(kRcv1),
        Receivable(kRcv1, "CONFIRMED", {"bank1", "core", "supplier"}, "supplier"));
  l.Put(fin::Receivable(kRcv2),
        Receivable(kRcv2, "REGISTERED", {"bank2", "core", "supplier"}, "supplier"));
  l.Put(fin::Fingerprint(kFp1), Value::Map{{"state", "encumbered"}});
  l.Put(fin::InvoiceKey(kIk1), Value::Map{{"state", "encumbered"}});
  l.Put(fin::FingerprintId(kFp1), Value::Map{{"receivable", kRcv1}});
  for (const char* org : {"supplier", "core", "bank1"}) l.Put(fin::Party(org, kRcv1), Value(""));
  for (const char* org : {"supplier", "core", "bank2"}) l.Put(fin::Party(org, kRcv2), Value(""));
  for (uint64_t seq = 0; seq < 3; ++seq) {
    l.Put(fin::History(kRcv1, seq), Value::Map{{"seq", static_cast<int64_t>(seq)},
                                               {"action", seq == 0 ? "register" : "confirm"},
                                               {"org", "supplier"}});
  }
}

struct Api {
  FinLedger ledger;
  std::unique_ptr<api::HttpService> http;

  explicit Api(bool with_fin_state = true, uint64_t block_time_ms = 1'767'225'600'000) {
    // Without finance state, no anchor either: blocks are then the fake's own (CommitBlock).
    if (with_fin_state) {
      PutFinState(ledger);
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

void CheckUnauthenticated(RawResponse r, const std::string& detail_part) {
  INFO(r.body);
  CHECK(r.status == 401);
  CHECK(r.headers["content-type"] == "application/problem+json");
  CHECK(r.headers["www-authenticate"] == "Tidemark-Read");
  json j = json::parse(r.body);
  CHECK(j["type"] == "urn:tidemark:problem:unauthenticated");
  CHECK(j["detail"].get<std::string>().find(detail_part) != std::string::npos);
}

const std::vector<std::string>& ProtectedTargets() {
  static const std::vector<std::string> t = {
      "/v1/fin/receivables/" + kRcv1,
      "/v1/fin/receivables/" + kRcv1 + "?proof=true",
      "/v1/fin/receivables/" + kRcv1 + "/history",
      "/v1/fin/parties/supplier/receivables",
      "/v1/fin/check?fingerprint=" + kFp1 + "&invoice_key=" + kIk1,
  };
  return t;
}

}  // namespace

TEST_CASE("fin api: missing, malformed, expired, wrong-chain, forged and revoked reads are 401") {
  Api a;
  for (const std::string& t : ProtectedTargets()) {
    INFO(t);
    CheckUnauthenticated(a.Get(t), "signed request");
    CheckUnauthenticated(a.Get(t, "Authorization: Bearer abc\r\n"), "scheme");
    std::string good = ReadAuthHeader(Supplier(), kChain, "GET", t, Now());
    CheckUnauthenticated(a.Get(t, "Authorization: " + good + ",x=1\r\n"), "unexpected parameter");
    CheckUnauthenticated(a.Signed(Supplier(), t, Now() - 200'000), "away from the node's clock");
    CheckUnauthenticated(a.Signed(Supplier(), t, Now() + 200'000), "away from the node's clock");
    CheckUnauthenticated(a.Signed(Supplier(), t, 0, "other-chain"), "signature does not verify");
    CheckUnauthenticated(a.Signed(Supplier(), t, 0, kChain, t + "&x"), "signature does not verify");
    CheckUnauthenticated(a.Signed(Revoked(), t), "revoked");
    CheckUnauthenticated(a.Signed(Unknown(), t), "not enrolled");
    // A stranger is refused on the state read, before any signature is checked (docs/api.md,
    // "What a stranger costs"): a garbage signature gets the same answer.
    std::string junk = ReadAuthHeader(Unknown(), kChain, "GET", t, Now());
    junk.replace(junk.find(",sig=") + 5, 128, std::string(128, '0'));
    CheckUnauthenticated(a.Get(t, "Authorization: " + junk + "\r\n"), "not enrolled");
    CheckUnauthenticated(a.Signed(Service(), t), "service key");
    // A good signature moved to another key's header.
    std::string other = ReadAuthHeader(Core(), kChain, "GET", t, Now());
    std::string forged = other.substr(0, other.find(",ts=")) + good.substr(good.find(",ts="));
    CheckUnauthenticated(a.Get(t, "Authorization: " + forged + "\r\n"), "signature");
  }
}

TEST_CASE("fin api: a non-party gets the same 403 bytes as for a receivable that does not exist") {
  Api a;
  const auto refusal = api::ProtectedReadRefusal();
  for (const std::string suffix : {"", "?proof=true", "/history", "/history?limit=1"}) {
    std::string q = suffix.rfind("?", 0) == 0 ? suffix : suffix;
    RawResponse denied = a.Signed(Retailer(), "/v1/fin/receivables/" + kRcv1 + q);
    auto missing = a.Signed(Supplier(), "/v1/fin/receivables/" + kNoRcv + q);
    auto missing_stranger = a.Signed(Retailer(), "/v1/fin/receivables/" + kNoRcv + q);
    // bank2 is a party of rcv2 but not of rcv1.
    auto other_bank = a.Signed(Bank2(), "/v1/fin/receivables/" + kRcv1 + q);
    INFO(suffix << ": " << denied.body);
    CHECK(denied.status == 403);
    CHECK(denied.headers["content-type"] == "application/problem+json");
    CHECK(denied.body == refusal.body);
    CHECK(missing.status == 403);
    CHECK(missing.body == denied.body);
    CHECK(missing_stranger.body == denied.body);
    CHECK(other_bank.status == 403);
    CHECK(other_bank.body == denied.body);
    CHECK(denied.body.find(kRcv1) == std::string::npos);
  }
  // The check route: only BANK and REGULATOR readers (a bank key without the role is refused).
  std::string check = "/v1/fin/check?fingerprint=" + kFp1 + "&invoice_key=" + kIk1;
  for (const KeyPair& k : {Supplier(), Core(), Retailer(), BankClerk()}) {
    auto r = a.Signed(k, check);
    CHECK(r.status == 403);
    CHECK(r.body == refusal.body);
  }
}

TEST_CASE("fin api: parties and the regulator read a receivable, with a proof that verifies") {
  Api a;
  for (const KeyPair& k : {Supplier(), Core(), Bank1(), Regulator()}) {
    json j = a.Ok(k, "/v1/fin/receivables/" + kRcv1);
    CHECK(j["id"] == kRcv1);
    CHECK(j["receivable"]["creditor"] == "supplier");
    CHECK(j["receivable"]["amount"] == 100000);
    // Block time 2026-01-01 is past the due date 2025-12-01 of a CONFIRMED receivable.
    CHECK(j["overdue"] == true);
    CHECK(j["as_of"]["height"] == 1);
    CHECK(j["as_of"]["time_ms"] == 1'767'225'600'000);
    CHECK_FALSE(j.contains("proof"));
  }
  CHECK(a.Ok(Bank2(), "/v1/fin/receivables/" + kRcv2)["overdue"] == false);  // not CONFIRMED

  json p = a.Ok(Bank1(), "/v1/fin/receivables/" + kRcv1 + "?proof=true");
  REQUIRE(p.contains("proof"));
  CHECK(p["proof"]["format"] == "tidemark-state-bundle/v1");
  auto bytes = FromHex(p["proof"]["bundle"].get<std::string>());
  REQUIRE(bytes.ok());
  auto bundle = StateBundle::Decode(*bytes);
  REQUIRE(bundle.ok());
  auto v = VerifyStateBundle(a.ledger.Trust(), *bundle);
  REQUIRE(v.ok());
  const auto* e = v->Find(fin::Receivable(kRcv1));
  REQUIRE(e != nullptr);
  REQUIRE(e->value.has_value());
  auto proven = Value::Decode(*e->value);
  REQUIRE(proven.ok());
  CHECK(proven->ToJson() == p["receivable"]);
  CHECK(p["as_of"]["block_id"] == v->block_id.Hex());
}

TEST_CASE("fin api: not due yet is not overdue") {
  Api a(true, /*block_time_ms=*/1'764'547'200'000);  // 2025-12-01T00:00Z, the due date itself
  CHECK(a.Ok(Supplier(), "/v1/fin/receivables/" + kRcv1)["overdue"] == false);
}

TEST_CASE("fin api: history pages with the cursor codec") {
  Api a;
  json p1 = a.Ok(Core(), "/v1/fin/receivables/" + kRcv1 + "/history?limit=2");
  REQUIRE(p1["entries"].size() == 2);
  CHECK(p1["entries"][0]["action"] == "register");
  REQUIRE(p1["next_cursor"].is_string());
  CHECK(p1["next_cursor"] == api::EncodeHistoryCursor(2));
  json p2 = a.Ok(Regulator(), "/v1/fin/receivables/" + kRcv1 + "/history?limit=2&cursor=" +
                                  p1["next_cursor"].get<std::string>());
  REQUIRE(p2["entries"].size() == 1);
  CHECK(p2["entries"][0]["seq"] == 2);
  CHECK(p2["next_cursor"].is_null());
  auto bad = a.Signed(Core(), "/v1/fin/receivables/" + kRcv1 + "/history?cursor=c100");
  CHECK(bad.status == 400);
  CHECK(a.Signed(Core(), "/v1/fin/receivables/bad%20id").status == 400);
}

TEST_CASE("fin api: a party list shows each reader what it may see") {
  Api a;
  auto ids = [](const json& j) {
    std::vector<std::string> out;
    for (const auto& r : j["receivables"]) out.push_back(r["id"]);
    return out;
  };
  const std::string t = "/v1/fin/parties/supplier/receivables";
  CHECK(ids(a.Ok(Supplier(), t)) == std::vector<std::string>{kRcv1, kRcv2});
  CHECK(ids(a.Ok(Regulator(), t)) == std::vector<std::string>{kRcv1, kRcv2});
  CHECK(ids(a.Ok(Bank1(), t)) == std::vector<std::string>{kRcv1});
  CHECK(ids(a.Ok(Bank2(), t)) == std::vector<std::string>{kRcv2});
  CHECK(ids(a.Ok(Retailer(), t)).empty());
  json s = a.Ok(Supplier(), t)["receivables"][0];
  CHECK(s["state"] == "CONFIRMED");
  CHECK(s["amount"] == 100000);
  CHECK(s["currency"] == "CNY");
  CHECK(s["roles"] == json{"creditor", "holder"});
  // Paging: one per page, then the end.
  json p1 = a.Ok(Supplier(), t + "?limit=1");
  CHECK(ids(p1) == std::vector<std::string>{kRcv1});
  REQUIRE(p1["next_cursor"].is_string());
  json p2 = a.Ok(Supplier(), t + "?limit=1&cursor=" + p1["next_cursor"].get<std::string>());
  CHECK(ids(p2) == std::vector<std::string>{kRcv2});
  CHECK(p2["next_cursor"].is_null());
  // A reader that is not the org pages with limit=1 to the end: no page and no cursor names a
  // receivable it may not read (a cursor is an encoded id; Bank1 may read only kRcv1).
  std::string cursor;
  for (int page = 0; page < 4; ++page) {
    json pj = a.Ok(Bank1(), t + "?limit=1" + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& id : ids(pj)) CHECK(id == kRcv1);
    CHECK(pj.dump().find(kRcv2) == std::string::npos);
    if (pj["next_cursor"].is_null()) break;
    cursor = pj["next_cursor"].get<std::string>();
    auto decoded = node::api::DecodeCursor(cursor, "p1", 2);
    REQUIRE(decoded.ok());
    char buf[24];
    std::snprintf(buf, sizeof(buf), "%016llx%04llx", static_cast<unsigned long long>((*decoded)[0]),
                  static_cast<unsigned long long>((*decoded)[1]));
    CHECK("rcv_" + std::string(buf) != kRcv2);
  }
  CHECK(a.Ok(Bank1(), "/v1/fin/parties/core/receivables")["receivables"].size() == 1);
  CHECK(a.Signed(Supplier(), "/v1/fin/parties/Bad%20Org/receivables").status == 400);
}

TEST_CASE("fin api: a bank checks fingerprints, present and absent, with proofs that verify") {
  Api a;
  for (const KeyPair& k : {Bank1(), Bank2(), Regulator()}) {
    for (bool registered : {true, false}) {
      const std::string& fp = registered ? kFp1 : kFpFree;
      const std::string& ik = registered ? kIk1 : kIkFree;
      json j = a.Ok(k, "/v1/fin/check?fingerprint=" + fp + "&invoice_key=" + ik);
      INFO(j.dump());
      CHECK(j["fingerprint"]["state"] == (registered ? "encumbered" : "free"));
      CHECK(j["invoice_key"]["state"] == (registered ? "encumbered" : "free"));
      CHECK(j.dump().find(kRcv1) == std::string::npos);  // never the receivable id
      auto bytes = FromHex(j["proof"]["bundle"].get<std::string>());
      REQUIRE(bytes.ok());
      auto bundle = StateBundle::Decode(*bytes);
      REQUIRE(bundle.ok());
      auto v = VerifyStateBundle(a.ledger.Trust(), *bundle);
      REQUIRE(v.ok());
      const auto* fe = v->Find(fin::Fingerprint(fp));
      const auto* ie = v->Find(fin::InvoiceKey(ik));
      REQUIRE(fe != nullptr);
      REQUIRE(ie != nullptr);
      CHECK(fe->present() == registered);
      CHECK(ie->present() == registered);
      if (registered) {
        CHECK(fe->MatchesValue(Value(Value::Map{{"state", "encumbered"}}).Encode()));
      }
      CHECK(v->entries.size() == 2);
      // A tampered bundle does not verify.
      Bytes bad = *bytes;
      bad[bad.size() - 5] ^= 1;
      auto tampered = StateBundle::Decode(bad);
      CHECK((!tampered.ok() || !VerifyStateBundle(a.ledger.Trust(), *tampered).ok()));
    }
  }
  // Upper-case hex is accepted; malformed parameters are 400.
  std::string upper = kFp1;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  CHECK(a.Ok(Bank1(), "/v1/fin/check?fingerprint=" + upper +
                          "&invoice_key=" + kIk1)["fingerprint"]["state"] == "encumbered");
  CHECK(a.Signed(Bank1(), "/v1/fin/check?fingerprint=" + kFp1).status == 400);
  CHECK(a.Signed(Bank1(), "/v1/fin/check?fingerprint=zz&invoice_key=" + kIk1).status == 400);
}

TEST_CASE("fin api: the public state routes refuse fin/ keys with the same 403") {
  Api a;
  const auto refusal = api::ProtectedReadRefusal();
  for (const std::string& k :
       {fin::Receivable(kRcv1), fin::Receivable(kNoRcv), fin::FingerprintId(kFp1),
        fin::Fingerprint(kFp1), std::string("fin/")}) {
    std::string hex = ToHex(AsBytes(k));
    for (const std::string& t :
         {"/v1/state/" + hex, "/v1/state/" + hex + "?proof=true", "/v1/state/" + hex + "/proof"}) {
      auto r = a.Get(t);
      INFO(t);
      CHECK(r.status == 403);
      CHECK(r.body == refusal.body);
    }
  }
  // Other keys are still served.
  std::string org = ToHex(AsBytes(contracts::OrgKey("supplier")));
  CHECK(a.Get("/v1/state/" + org).status == 200);
}

TEST_CASE("fin api: a fin tx's args, events and reason are redacted in every public view") {
  Api a(/*with_fin_state=*/false);
  const std::string secret = "INV-SECRET-0042";
  Transaction ftx{.chain_id = kChain,
                  .nonce = 0,
                  .contract = "fin",
                  .method = "register",
                  .args = Value::MakeMap({{"invoice", Value(secret)}}).Encode()};
  ftx.SignWith(TestKey(5));
  Transaction ptx = MakeTx(TestKey(6), 0, kChain, "public-payload");
  int fd = ConnectLoopback(a.http->port());
  SendAll(fd, "GET /v1/events HTTP/1.1\r\nHost: a\r\n\r\n");
  REQUIRE(ReadUntil(fd, ": connected").find(": connected") != std::string::npos);
  for (int i = 0; i < 200 && a.http->bus().subscriber_count() == 0; ++i) {
    std::this_thread::sleep_for(5ms);
  }
  REQUIRE(a.ledger.SubmitTx(ftx.Encode()).ok());
  REQUIRE(a.ledger.SubmitTx(ptx.Encode()).ok());
  Receipt rejected{
      .status = TxStatus::kRejected,
      .reason = "FAILED_PRECONDITION: rule fin-duplicate: already registered as " + kRcv1,
      .events = {{"fin.duplicate_attempt", Value::MakeMap({{"invoice", Value(secret)}}).Encode()}}};
  Receipt committed{.events = {{"test.Put", Value::MakeMap({{"k", "visible"}}).Encode()}}};
  a.ledger.SetNextReceipts({rejected, committed});
  auto rec = a.ledger.CommitBlock();
  REQUIRE(rec.block.txs.size() == 2);
  REQUIRE(rec.block.txs[0].contract == "fin");
  std::string sse = ReadUntil(fd, "\"index\":1");
  ::close(fd);

  auto no_secret = [&](const std::string& body) {
    INFO(body);
    CHECK(body.find(secret) == std::string::npos);
    CHECK(body.find(ToHex(AsBytes(secret))) == std::string::npos);
    CHECK(body.find(kRcv1) == std::string::npos);
    CHECK(body.find(ToHex(ftx.args)) == std::string::npos);
  };
  const std::string args_sha = Sha256(ftx.args).Hex();
  // GET /v1/txs/{id} (and with ?proof=true: no bundle, it would carry the args).
  for (const std::string q : {"", "?proof=true"}) {
    auto r = a.Get("/v1/txs/" + ftx.Id().Hex() + q);
    REQUIRE(r.status == 200);
    no_secret(r.body);
    json j = json::parse(r.body);
    CHECK(j["tx"]["contract"] == "fin");
    CHECK(j["tx"]["method"] == "register");
    CHECK(j["tx"]["signer"] == TestKey(5).public_key().Hex());
    CHECK(j["tx"]["args"] == json{{"redacted", true}, {"args_sha256", args_sha}});
    CHECK(j["tx"]["raw"].is_null());
    CHECK(j["status"] == "rejected");
    CHECK(j["reason"] == "FAILED_PRECONDITION: rule fin-duplicate (details redacted)");
    CHECK(j["receipt"]["reason"] == j["reason"]);
    CHECK(j["receipt"]["events"][0]["type"] == "fin.duplicate_attempt");
    CHECK(j["receipt"]["events"][0]["data"]["redacted"] == true);
    CHECK(j["receipt"]["redacted"] == true);
    if (!q.empty()) CHECK(j["proof"]["available"] == false);
  }
  // The block, by height and by id: the fin tx redacted, the other tx untouched.
  for (const std::string& id : {std::string("1"), rec.block.Id().Hex()}) {
    auto r = a.Get("/v1/blocks/" + id);
    REQUIRE(r.status == 200);
    no_secret(r.body);
    json b = json::parse(r.body);
    CHECK(b["txs"][0]["args"]["redacted"] == true);
    CHECK(b["txs"][1]["args"] == json{{"k", "public-payload"}});
    CHECK(b["txs"][1]["raw"] == ToHex(ptx.Encode()));
    CHECK(b["receipts"][0]["events"][0]["data"]["data_sha256"] ==
          Sha256(rejected.events[0].data).Hex());
    CHECK(b["receipts"][1]["events"][0]["data"] == json{{"k", "visible"}});
    CHECK(b["receipts"][0]["redacted"] == true);
    CHECK_FALSE(b["receipts"][1].contains("redacted"));
    CHECK(b["receipts"][0]["hash"] == rec.receipts->at(0).Hash().Hex());
  }
  // The explorer's account view and search.
  auto acct = a.Get("/v1/accounts/" + TestKey(5).public_key().Hex() + "/txs");
  REQUIRE(acct.status == 200);
  no_secret(acct.body);
  CHECK(json::parse(acct.body)["txs"][0]["method"] == "register");
  no_secret(a.Get("/v1/search?q=" + ftx.Id().Hex()).body);
  // The event stream.
  CHECK(sse.find("rule fin-duplicate") != std::string::npos);
  no_secret(sse);
}

TEST_CASE("fin api: redaction of reasons keeps the code and the rule only") {
  CHECK(api::RedactedReason("FAILED_PRECONDITION: rule fin-state: receivable rcv_1 is SETTLED") ==
        "FAILED_PRECONDITION: rule fin-state (details redacted)");
  CHECK(api::RedactedReason("PERMISSION_DENIED: rule fin-creditor") ==
        "PERMISSION_DENIED: rule fin-creditor (details redacted)");
  CHECK(api::RedactedReason("INVALID_ARGUMENT: amount 12 of acme") ==
        "INVALID_ARGUMENT: (details redacted)");
  CHECK(api::RedactedReason("something about nofin-x and acme") == "(details redacted)");
  // The pledge registry's rules are kept alike (its txs are private like fin's).
  CHECK(api::RedactedReason("PERMISSION_DENIED: rule plg-offer: wr_1 has no offer to bank") ==
        "PERMISSION_DENIED: rule plg-offer (details redacted)");
  CHECK(api::RedactedReason("FAILED_PRECONDITION: rule plg-holding: 400 of acme in 9135...") ==
        "FAILED_PRECONDITION: rule plg-holding (details redacted)");
  CHECK(api::RedactedReason("INVALID_ARGUMENT: uplg-x of acme") ==
        "INVALID_ARGUMENT: (details redacted)");
  CHECK(api::IsPrivateContract("fin"));
  CHECK(api::IsPrivateContract("plg"));
  CHECK_FALSE(api::IsPrivateContract("prov"));
  CHECK(api::IsPrivateEventType("plg.alert"));
  CHECK(api::IsProtectedStateKey("fin/rcv/rcv_0"));
  CHECK(api::IsProtectedStateKey("plg/ip/pledge/ipp_0"));
  CHECK(api::IsProtectedStateKey("plg/enc/ip/trademark:1"));
  CHECK_FALSE(api::IsProtectedStateKey("plg/gazette/R-1"));
  CHECK_FALSE(api::IsProtectedStateKey("prov/obj/x"));
}

TEST_CASE("fin api: cursors round-trip and refuse what the server did not issue") {
  auto c = api::EncodePartyCursor(kRcv2);
  REQUIRE(c.ok());
  auto back = api::DecodePartyCursor(*c);
  REQUIRE(back.ok());
  CHECK(*back == kRcv2);
  CHECK_FALSE(api::EncodePartyCursor("rcv_12").ok());
  CHECK_FALSE(api::DecodePartyCursor("h10000000000000001").ok());
  CHECK_FALSE(api::DecodePartyCursor("p1" + std::string(16, '0') + "0000000000010000").ok());
  CHECK(*api::DecodeHistoryCursor(api::EncodeHistoryCursor(7)) == 7);
}

namespace {

// The same consortium as PutFinState, as a genesis the built-in contracts execute over.
contracts::Genesis FinGenesis() {
  contracts::Genesis g;
  g.chain_id = kChain;
  g.genesis_time_ms = 1'767'225'600'000;
  auto supplier = Org("supplier", {Role::kBondedWarehouse}, Supplier());
  supplier.validator_key = TestKey(40).public_key();
  g.orgs = {supplier,
            Org("core", {Role::kPlatform}, Core()),
            Org("bank1", {Role::kBank}, Bank1()),
            Org("bank2", {Role::kBank}, Bank2()),
            Org("reg", {Role::kRegulator}, Regulator()),
            Org("shop", {Role::kRetailer}, Retailer())};
  return g;
}

// Submits a fin call signed by `key` at its next nonce and commits it alone in a block.
Receipt CallFin(FinLedger& l, const KeyPair& key, const std::string& method, const Value& args) {
  uint64_t nonce = 0;
  REQUIRE(l.ReadState([&](const contracts::StateView& view, uint64_t) {
             nonce = contracts::NextNonce(view, key.public_key());
             return tidemark::Status::Ok();
           }).ok());
  Transaction tx{.chain_id = kChain,
                 .nonce = nonce,
                 .contract = "fin",
                 .method = method,
                 .args = args.Encode()};
  tx.SignWith(key);
  auto added = l.SubmitTx(tx.Encode());
  INFO(added.status().ToString());
  REQUIRE(added.ok());
  auto rec = l.CommitBlock();
  REQUIRE(rec.receipts->size() == 1);
  return rec.receipts->front();
}

}  // namespace

TEST_CASE("fin api: records the fin contract writes are served, checked and redacted") {
  Api a(/*with_fin_state=*/false);
  a.ledger.EnableContracts(FinGenesis());
  const std::string invno = "INV-2026/0042";
  Value reg =
      Value::Map{{"debtor", "core"},
                 {"currency", "CNY"},
                 {"contract", Value::Map{{"number", "C-7"}, {"hash", std::string(64, 'c')}}},
                 {"invoices", Value::List{Value::Map{{"number", invno},
                                                     {"amount", int64_t{250000}},
                                                     {"tax", int64_t{0}},
                                                     {"date", "2025-12-01"},
                                                     {"hash", std::string(64, 'a')}}}},
                 {"issue_date", "2025-12-01"},
                 {"due_date", "2026-03-01"}};
  Receipt r1 = CallFin(a.ledger, Supplier(), "register", reg);
  INFO(r1.reason);
  REQUIRE(r1.status == TxStatus::kCommitted);
  const std::string id = contracts::ReceivableIdFor(r1.tx_id);
  REQUIRE(CallFin(a.ledger, Core(), "confirm", Value::MakeMap({{"id", id}})).status ==
          TxStatus::kCommitted);
  REQUIRE(
      CallFin(
          a.ledger, Supplier(), "offer_finance",
          Value::MakeMap(
              {{"part", id}, {"bank", "bank1"}, {"kind", "pledge"}, {"amount", int64_t{200000}}}))
          .status == TxStatus::kCommitted);
  REQUIRE(CallFin(a.ledger, Bank1(), "accept_finance", Value::MakeMap({{"part", id}})).status ==
          TxStatus::kCommitted);
  // The same invoice again: refused, and the refusal names the receivable to its party only.
  Receipt dup = CallFin(a.ledger, Supplier(), "register", reg);
  REQUIRE(dup.status == TxStatus::kRejected);
  CHECK(dup.reason.find(id) != std::string::npos);
  a.ledger.Seal(1'767'300'000'000);

  // Parties read it; others get the refusal.
  json rec = a.Ok(Bank1(), "/v1/fin/receivables/" + id + "?proof=true");
  CHECK(rec["receivable"]["state"] == "CONFIRMED");
  CHECK(rec["receivable"]["parties"] == json{"bank1", "core", "supplier"});
  auto bundle = StateBundle::Decode(*FromHex(rec["proof"]["bundle"].get<std::string>()));
  REQUIRE(bundle.ok());
  REQUIRE(VerifyStateBundle(a.ledger.Trust(), *bundle).ok());
  for (const KeyPair& k : {Bank2(), Retailer()}) {
    auto r = a.Signed(k, "/v1/fin/receivables/" + id);
    CHECK(r.status == 403);
    CHECK(r.body == api::ProtectedReadRefusal().body);
  }
  json hist = a.Ok(Core(), "/v1/fin/receivables/" + id + "/history");
  CHECK(hist["entries"].size() == 4);
  json list = a.Ok(Supplier(), "/v1/fin/parties/supplier/receivables");
  REQUIRE(list["receivables"].size() == 1);
  CHECK(list["receivables"][0]["roles"] == json{"creditor", "holder"});
  CHECK(a.Ok(Bank1(), "/v1/fin/parties/bank1/receivables")["receivables"][0]["roles"] ==
        json{"financier"});

  // The bank that did not finance it learns "encumbered" for the real fingerprint, with a proof.
  auto h = InvoiceFingerprint({.creditor = "supplier",
                               .debtor = "core",
                               .number = invno,
                               .amount = 250000,
                               .date = "2025-12-01"});
  REQUIRE(h.ok());
  json check = a.Ok(Bank2(), "/v1/fin/check?fingerprint=" + h->fingerprint.Hex() +
                                 "&invoice_key=" + h->invoice_key.Hex());
  CHECK(check["fingerprint"]["state"] == "encumbered");
  CHECK(check["invoice_key"]["state"] == "encumbered");
  CHECK(check.dump().find(id) == std::string::npos);
  auto cb = StateBundle::Decode(*FromHex(check["proof"]["bundle"].get<std::string>()));
  REQUIRE(cb.ok());
  REQUIRE(VerifyStateBundle(a.ledger.Trust(), *cb).ok());

  // The public view of the refused registration: no id, no invoice, no args.
  auto t = a.Get("/v1/txs/" + dup.tx_id.Hex());
  REQUIRE(t.status == 200);
  CHECK(t.body.find(id) == std::string::npos);
  CHECK(t.body.find("0042") == std::string::npos);
  json tj = json::parse(t.body);
  CHECK(tj["reason"].get<std::string>().find("rule fin-duplicate (details redacted)") !=
        std::string::npos);
  for (const auto& e : tj["receipt"]["events"]) CHECK(e["data"]["redacted"] == true);
  CHECK(tj["receipt"]["events"].size() >= 1);
}

TEST_CASE("fin api: the signer's organisation and the regulator see their fin tx unredacted") {
  Api a(/*with_fin_state=*/false);
  a.ledger.EnableContracts(FinGenesis());
  Value reg =
      Value::Map{{"debtor", "core"},
                 {"currency", "CNY"},
                 {"contract", Value::Map{{"number", "C-8"}, {"hash", std::string(64, 'c')}}},
                 {"invoices", Value::List{Value::Map{{"number", "INV-77"},
                                                     {"amount", int64_t{1000}},
                                                     {"tax", int64_t{0}},
                                                     {"date", "2025-12-01"},
                                                     {"hash", std::string(64, 'a')}}}},
                 {"issue_date", "2025-12-01"},
                 {"due_date", "2026-03-01"}};
  Receipt first = CallFin(a.ledger, Supplier(), "register", reg);
  REQUIRE(first.status == TxStatus::kCommitted);
  const std::string id = contracts::ReceivableIdFor(first.tx_id);
  Receipt dup = CallFin(a.ledger, Supplier(), "register", reg);
  REQUIRE(dup.status == TxStatus::kRejected);
  const std::string t = "/v1/fin/txs/" + dup.tx_id.Hex();
  for (const KeyPair& k : {Supplier(), Regulator()}) {
    json j = a.Ok(k, t);
    CHECK(j["tx"]["args"]["invoices"][0]["number"] == "INV-77");
    CHECK_FALSE(j["tx"]["raw"].is_null());
    CHECK(j["reason"].get<std::string>().find(id) != std::string::npos);
    CHECK(j["receipt"]["reason"].get<std::string>().find(id) != std::string::npos);
  }
  // The debtor is a party of the receivable but did not sign this tx; strangers and unknown ids.
  for (const KeyPair& k : {Core(), Bank1(), Retailer()}) {
    auto r = a.Signed(k, t);
    CHECK(r.status == 403);
    CHECK(r.body == api::ProtectedReadRefusal().body);
  }
  auto unknown = a.Signed(Supplier(), "/v1/fin/txs/" + std::string(64, '0'));
  CHECK(unknown.status == 403);
  CHECK(unknown.body == api::ProtectedReadRefusal().body);
  CHECK(a.Signed(Supplier(), "/v1/fin/txs/xyz").status == 400);
  CheckUnauthenticated(a.Get(t), "signed request");
}
