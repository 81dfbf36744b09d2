// The explorer's REST reads (explorer_api.h) over the fake ledger, through HttpService.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "fake_ledger.h"
#include "http_test_client.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/identity.h"
#include "tidemark/contracts/provenance.h"
#include "tidemark/node/api/explorer_api.h"
#include "tidemark/node/api/http_service.h"

using namespace tidemark;
using namespace tidemark::node;
using namespace tidemark::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct Api {
  FakeLedger ledger;
  std::unique_ptr<api::HttpService> http;

  explicit Api(std::string explorer_dir = "") {
    config::NodeConfig c;
    c.chain_id = "test-chain";
    c.http.listen = "127.0.0.1:0";
    c.explorer_dir = explorer_dir;
    http = std::make_unique<api::HttpService>(c, &ledger);
    ledger.SetBus(&http->bus());
    REQUIRE(http->Start().ok());
  }
  RawResponse Get(const std::string& target, const std::string& accept = "") {
    if (accept.empty()) return Request(http->port(), "GET", target);
    return Request(http->port(), "GET", target, "", "", "Accept: " + accept + "\r\n");
  }
  json Ok(const std::string& target) {
    auto r = Get(target);
    INFO(target << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == 200);
    return json::parse(r.body);
  }
  // Commits one block holding `txs` (already signed).
  void Commit(const std::vector<Transaction>& txs) {
    for (const auto& tx : txs) REQUIRE(ledger.SubmitTx(tx.Encode()).ok());
    ledger.CommitBlock();
  }
  // Two organisations as genesis would write them, plus an enrolled member key of "brand".
  void PutOrgs() {
    contracts::MemStateView view;
    contracts::OrgRecord brand{.id = "brand",
                               .name = "Brand Foods Ltd",
                               .roles = {contracts::Role::kBrand},
                               .admin_keys = {TestKey(10).public_key()}};
    contracts::OrgRecord customs{.id = "customs",
                                 .name = "Port Customs",
                                 .roles = {contracts::Role::kCustoms},
                                 .admin_keys = {TestKey(11).public_key()}};
    REQUIRE(contracts::RegisterOrg(view, brand, 0).ok());
    REQUIRE(contracts::RegisterOrg(view, customs, 0).ok());
    contracts::StoreKey(view, contracts::KeyRecord{.key = TestKey(12).public_key(),
                                                   .org = "brand",
                                                   .kind = contracts::KeyKind::kMember,
                                                   .roles = {contracts::Role::kBrand},
                                                   .label = "line 1",
                                                   .enrolled_height = 3});
    for (const auto& [k, v] : view.entries()) ledger.PutState(Bytes(k.begin(), k.end()), v);
  }
};

void CheckProblem(const RawResponse& r, int status) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(r.headers.count("content-type"));
  if (r.headers.count("content-type")) {
    CHECK(r.headers.at("content-type") == "application/problem+json");
  }
}

std::set<std::string> Kinds(const json& answer) {
  std::set<std::string> out;
  for (const auto& r : answer["results"]) out.insert(r["kind"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("explorer api: search finds heights, blocks, txs, accounts and organisations") {
  Api a;
  a.PutOrgs();
  Transaction tx = MakeTx(TestKey(12), 0);
  a.Commit({tx});
  a.Commit({});
  auto block1 = a.ledger.BlockAt(1);
  REQUIRE(block1.ok());

  json h = a.Ok("/v1/search?q=2");
  REQUIRE(h["results"].size() == 1);
  CHECK(h["results"][0]["path"] == "/blocks/2");
  CHECK(a.Ok("/v1/search?q=3")["results"].empty());  // above the head

  json b = a.Ok("/v1/search?q=" + block1->block.Id().Hex());
  REQUIRE(b["results"].size() == 1);
  CHECK(b["results"][0]["kind"] == "block");
  CHECK(b["results"][0]["path"] == "/blocks/1");

  json t = a.Ok("/v1/search?q=" + tx.Id().Hex());
  CHECK(Kinds(t) == std::set<std::string>{"tx"});
  CHECK(t["results"][0]["path"] == "/txs/" + tx.Id().Hex());

  std::string upper = TestKey(12).public_key().Hex();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  json k = a.Ok("/v1/search?q=" + upper);
  CHECK(Kinds(k) == std::set<std::string>{"account"});
  CHECK(k["results"][0]["path"] == "/accounts/" + TestKey(12).public_key().Hex());

  json o = a.Ok("/v1/search?q=%20port%20customs");
  REQUIRE(o["results"].size() == 1);
  CHECK(o["results"][0]["path"] == "/orgs/customs");
  CHECK(Kinds(a.Ok("/v1/search?q=bran")) == std::set<std::string>{"org"});
  CHECK(a.Ok("/v1/search?q=nothing-here")["results"].empty());
  // A well-formed GTIN nobody registered finds nothing; a malformed one is no error either.
  CHECK(a.Ok("/v1/search?q=09521234543213")["results"].empty());
  CHECK(a.Ok("/v1/search?q=urn:epc:id:sgtin:bad")["results"].empty());

  CheckProblem(a.Get("/v1/search"), 400);
  CheckProblem(a.Get("/v1/search?q="), 400);
  CheckProblem(a.Get("/v1/search?q=%20%20"), 400);  // not "every organisation"
  CheckProblem(a.Get("/v1/search?q=" + std::string(600, 'x')), 400);
}

TEST_CASE("explorer api: stats count each validator's signatures and the txs") {
  Api a;
  a.Commit({MakeTx(TestKey(1), 0), MakeTx(TestKey(2), 0)});
  a.Commit({});
  a.Commit({MakeTx(TestKey(1), 1)});
  json s = a.Ok("/v1/stats?blocks=10");
  CHECK(s["height"] == 3);
  CHECK(s["blocks_counted"] == 3);
  CHECK(s["tx_count"] == 3);
  REQUIRE(s["validators"].size() == 4);
  for (const auto& v : s["validators"]) {
    CHECK(v["signed"] == 3);  // the fake certifies with all four
    CHECK(v["missed"] == 0);
  }
  REQUIRE(s["blocks"].size() == 3);
  CHECK(s["blocks"][0]["height"] == 1);
  CHECK(s["blocks"][0]["signers"] == json::array({0, 1, 2, 3}));
  CHECK(s["avg_block_ms"] == 1000);              // the fake's blocks are 1 s apart
  CHECK(s["tps"].get<double>() == Approx(0.5));  // 1 tx after the first block over 2 s
  // The fake's certificate of block h is formed on h itself, so block h + 1 carries it.
  CHECK(s["blocks"][0]["certified_at"] == 2);
  CHECK(s["blocks"][0]["finality_ms"] == 1000);
  CHECK_FALSE(s["blocks"][2].contains("finality_ms"));  // block 4 does not exist yet
  CHECK(s["block_finality_ms"] == 1000);  // block 1's; block 2 is empty, block 3 not final
  CHECK(s["finality_source"] == "txs");   // 3 txs admitted and committed by the fake's pool
  CHECK(s["finality_txs"] == 3);

  json two = a.Ok("/v1/stats?blocks=2");
  CHECK(two["blocks_counted"] == 2);
  CHECK(two["blocks"][0]["height"] == 2);
  CheckProblem(a.Get("/v1/stats?blocks=0"), 400);
  CheckProblem(a.Get("/v1/stats?blocks=201"), 400);
  CheckProblem(a.Get("/v1/stats?blocks=x"), 400);
}

TEST_CASE("explorer api: stats' finality is what a tx waits; empty blocks do not count") {
  Api a;
  json none = a.Ok("/v1/stats");
  CHECK(none["finality_ms"].is_null());
  CHECK(none["finality_source"].is_null());
  CHECK(none["block_finality_ms"].is_null());
  CHECK(none["finality_txs"] == 0);

  // Block 1 (2 txs, admitted at 0 ms, committed at 300 ms) is final when block 2 carries its
  // certificate 1 s later; block 2 (empty) only 5 s later, when block 3 (1 tx, 100 ms) comes.
  REQUIRE(a.ledger.pool().Add(MakeTx(TestKey(1), 0).Encode()).ok());
  REQUIRE(a.ledger.pool().Add(MakeTx(TestKey(2), 0).Encode()).ok());
  a.ledger.clock_ms = 300;
  a.ledger.CommitBlock();
  a.Commit({});
  a.ledger.block_gap_ms = 5000;
  REQUIRE(a.ledger.pool().Add(MakeTx(TestKey(1), 1).Encode()).ok());
  a.ledger.clock_ms = 400;
  a.ledger.CommitBlock();
  json s = a.Ok("/v1/stats");
  CHECK(s["blocks"][0]["finality_ms"] == 1000);
  CHECK(s["blocks"][1]["finality_ms"] == 5000);  // the empty block's own
  CHECK(s["block_finality_ms"] == 1000);         // the blocks with txs only: block 1
  CHECK(s["finality_source"] == "txs");
  CHECK(s["finality_txs"] == 3);
  CHECK(s["finality_ms"] == 300);  // the median of 300, 300, 100

  // A node that restarted has timed no tx yet: the blocks with txs answer.
  a.ledger.report_tx_timings = false;
  json r = a.Ok("/v1/stats");
  CHECK(r["finality_source"] == "blocks");
  CHECK(r["finality_txs"] == 0);
  CHECK(r["finality_ms"] == 1000);
}

TEST_CASE("explorer api: organisations and their keys") {
  Api a;
  a.PutOrgs();
  json list = a.Ok("/v1/orgs");
  REQUIRE(list["orgs"].size() == 2);
  CHECK(list["orgs"][0]["id"] == "brand");
  CHECK(list["orgs"][0]["roles"] == json::array({"BRAND"}));

  json brand = a.Ok("/v1/orgs/brand");
  CHECK(brand["name"] == "Brand Foods Ltd");
  REQUIRE(brand["keys"].size() == 2);  // the admin key and the enrolled member
  std::set<std::string> kinds;
  for (const auto& k : brand["keys"]) kinds.insert(k["kind"].get<std::string>());
  CHECK(kinds == std::set<std::string>{"admin", "member"});

  json acct = a.Ok("/v1/accounts/" + TestKey(12).public_key().Hex());
  CHECK(acct["record"]["org"] == "brand");
  CHECK(acct["record"]["label"] == "line 1");
  CHECK(a.Ok("/v1/accounts/" + TestKey(99).public_key().Hex())["record"].is_null());

  CheckProblem(a.Get("/v1/orgs/nobody"), 404);
  CheckProblem(a.Get("/v1/orgs/Bad%20Id"), 400);
  CheckProblem(a.Get("/v1/accounts/xyz"), 400);
}

TEST_CASE("explorer api: an account's txs page by page") {
  Api a;
  for (uint64_t n = 0; n < 5; ++n) a.Commit({MakeTx(TestKey(7), n), MakeTx(TestKey(8), n)});
  std::string key = TestKey(7).public_key().Hex();
  json p1 = a.Ok("/v1/accounts/" + key + "/txs?limit=2");
  REQUIRE(p1["txs"].size() == 2);
  CHECK(p1["txs"][0]["nonce"] == 0);
  CHECK(p1["txs"][0]["status"] == "committed");
  CHECK(p1["txs"][0]["method"] == "put");
  REQUIRE(p1["next_cursor"].is_string());
  std::vector<uint64_t> nonces;
  std::string cursor = p1["next_cursor"];
  for (const auto& t : p1["txs"]) nonces.push_back(t["nonce"]);
  while (!cursor.empty()) {
    json p = a.Ok("/v1/accounts/" + key + "/txs?limit=2&cursor=" + cursor);
    for (const auto& t : p["txs"]) nonces.push_back(t["nonce"]);
    cursor = p["next_cursor"].is_string() ? p["next_cursor"].get<std::string>() : "";
  }
  CHECK(nonces == std::vector<uint64_t>{0, 1, 2, 3, 4});

  CheckProblem(a.Get("/v1/accounts/" + key + "/txs?cursor=c1zz"), 400);
  CheckProblem(a.Get("/v1/accounts/" + key + "/txs?limit=0"), 400);
  CheckProblem(a.Get("/v1/accounts/" + key + "/txs?limit=101"), 400);
  api::TxLocationRef loc{.height = 0x0102030405060708, .index = 0x0a0b0c0d};
  auto back = api::DecodeAccountCursor(api::EncodeAccountCursor(loc));
  REQUIRE(back.ok());
  CHECK(back->height == loc.height);
  CHECK(back->index == loc.index);
}

TEST_CASE("explorer api: traces and products reject bad codes and report unknown ones") {
  Api a;
  CheckProblem(a.Get("/v1/trace"), 400);
  CheckProblem(a.Get("/v1/trace?code=/01/09521234543213/21/1"), 404);
  CheckProblem(a.Get("/v1/trace?code=/01/09521234543219/21/1"), 400);  // check digit
  CheckProblem(a.Get("/v1/products/12ab"), 400);
  CheckProblem(a.Get("/v1/products/9521234543213"), 404);  // nothing names it
}

TEST_CASE("explorer api: the app's page paths get index.html, files and the API do not") {
  namespace fs = std::filesystem;
  fs::path dir =
      fs::temp_directory_path() / ("tidemark_explorer_spa_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "index.html") << "<title>Tidemark</title>";
  std::ofstream(dir / "app.js") << "1";
  Api a(dir.string());
  for (std::string page : {"/", "/blocks/5", "/txs/ab", "/01/09521234543213/10/L1/21/7"}) {
    auto r = a.Get(page, "text/html,application/xhtml+xml,*/*;q=0.8");
    INFO(page);
    CHECK(r.status == 200);
    CHECK(r.body == "<title>Tidemark</title>");
    CHECK(r.headers["content-security-policy"] == "default-src 'self'");
  }
  CHECK(a.Get("/app.js").body == "1");
  CheckProblem(a.Get("/missing.js"), 404);
  CheckProblem(a.Get("/blocks/5", "application/json"), 404);
  CheckProblem(a.Get("/v1/nothing"), 404);
  CheckProblem(a.Get("/../etc/passwd", "text/html"), 404);
  fs::remove_all(dir);
}

namespace {

// Runs one provenance method on `view` as `signer`, as a block at `height` would.
void Prov(contracts::MemStateView& view, const KeyPair& signer, uint64_t height,
          const std::string& method, Value args) {
  contracts::ProvenanceContract prov;
  contracts::EventSink events;
  contracts::TxContext ctx{.chain_id = "test-chain",
                           .tx_id = Sha256(AsBytes(method + std::to_string(height))),
                           .signer = signer.public_key(),
                           .height = height,
                           .block_time_ms = 1767225600000 + height * 1000};
  Status s = prov.Execute(ctx, method, args, view, events);
  INFO(method << ": " << s.message());
  REQUIRE(s.ok());
}

}  // namespace

TEST_CASE("explorer api: search, trace and product pages over real provenance records") {
  Api a;
  contracts::MemStateView view;
  contracts::OrgRecord brand{.id = "brand",
                             .name = "Kaimai Bees",
                             .roles = {contracts::Role::kBrand, contracts::Role::kManufacturer},
                             .admin_keys = {TestKey(10).public_key()}};
  REQUIRE(contracts::RegisterOrg(view, brand, 0).ok());
  const std::string gtin = "09521234543213";
  Prov(view, TestKey(10), 1, "register_product",
       Value::MakeMap({{"gtin", Value(gtin)},
                       {"name", Value("Honey 250 g")},
                       {"origin_country", Value("NZ")},
                       {"company_prefix_length", Value(int64_t{7})}}));
  Prov(view, TestKey(10), 2, "register_lot",
       Value::MakeMap({{"gtin", Value(gtin)}, {"lot", Value("L1")}}));
  auto ev = contracts::ParseEpcisEvent(
      json{{"type", "ObjectEvent"},
           {"eventTime", "2026-01-01T10:00:00Z"},
           {"eventTimeZoneOffset", "+00:00"},
           {"action", "ADD"},
           {"bizStep", "commissioning"},
           {"epcList", {"https://id.gs1.org/01/" + gtin + "/10/L1/21/42"}}});
  REQUIRE(ev.ok());
  Prov(view, TestKey(10), 3, "capture", Value::MakeMap({{"events", Value(Value::List{*ev})}}));
  for (const auto& [k, v] : view.entries()) a.ledger.PutState(Bytes(k.begin(), k.end()), v);

  const std::string item = "/01/" + gtin + "/10/L1/21/42";
  // Every form of the item's code leads to its Digital Link path (with the lot).
  for (std::string q : {"https://id.gs1.org/01/" + gtin + "/21/42", "/01/" + gtin + "/21/42",
                        std::string("urn:epc:id:sgtin:9521234.054321.42")}) {
    json r = a.Ok("/v1/search?q=" + q);
    INFO(q << " -> " << r.dump());
    REQUIRE(r["results"].size() == 1);
    CHECK(r["results"][0]["kind"] == "item");
    CHECK(r["results"][0]["path"] == item);
    CHECK(r["results"][0]["label"].get<std::string>().find("Honey 250 g") == 0);
  }
  for (std::string q : {gtin, std::string("9521234543213")}) {  // GTIN-14 and GTIN-13
    json r = a.Ok("/v1/search?q=" + q);
    REQUIRE(r["results"].size() == 1);
    CHECK(r["results"][0]["kind"] == "product");
    CHECK(r["results"][0]["path"] == "/products/" + gtin);
  }
  json lot = a.Ok("/v1/search?q=/01/" + gtin + "/10/L1");
  REQUIRE(lot["results"].size() == 1);
  CHECK(lot["results"][0]["kind"] == "lot");

  json t = a.Ok("/v1/trace?code=" + item);
  CHECK(t["product"]["name"] == "Honey 250 g");
  CHECK(t["state"] == "COMMISSIONED");
  CHECK(t["origin_country"] == "NZ");
  CHECK(t["timeline"].size() == 1);

  json p = a.Ok("/v1/products/" + gtin);
  CHECK(p["product"]["name"] == "Honey 250 g");
  REQUIRE(p["lots"].size() == 1);
  CHECK(p["lots"][0]["id"] == "/01/" + gtin + "/10/L1");
}
