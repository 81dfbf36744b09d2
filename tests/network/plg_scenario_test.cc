// The pledge registry end to end (docs/finance.md §12-§17) through the REST API of a running
// 4-node network, with the C++ SDK a warehouse, a bank and a registrar would use
// (contract_calls.h plg section, ledger_client.h signed reads):
//  - a warehouse receipt over a pallet in a bonded warehouse, pledged to a bank; its goods are
//    blocked from shipping (the EPCIS REST capture job answers a 409 problem with rule
//    prov-pledged naming the receipt) and from sale (the prov.capture tx is rejected with it);
//    the bank releases two cans, they are sold, the still-covered ones stay blocked;
//  - an equity pledge registered by the registrar, and the double over the same shares refused
//    (plg-holding);
//  - every refusal changes nothing: the record, its history and the goods' provenance records
//    read the same before and after;
//  - the reads are party-only: a non-party org's signed read is 403 and tells nothing.
//
// Organisations (validators): wh (the bonded warehouse's operator and goods owner: every
// supply-chain role it needs), bank (the pledgee), bank2 (another bank, party to nothing) and
// regulator (REGULATOR: the equity registrar).
#include <catch2/catch.hpp>
#include <functional>

#include "net_util.h"
#include "tidemark/client/contract_calls.h"
#include "tidemark/client/ledger_client.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/contracts/gs1.h"
#include "tidemark/hash.h"
#include "tidemark/state_keys/provenance.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;

namespace {

const std::string kGtin = "10614141073464";
const std::string kWh = "urn:epc:id:sgln:0614141.00777.0";
const std::string kUscc = "91330110MA2KG1N8XB";  // a valid GB 32100-2015 check character

std::string Can(int n) {
  return "https://id.gs1.org/01/" + kGtin + "/10/L7/21/S" + std::to_string(n);
}
std::string Pallet() {
  std::string body = "10614141000000001";
  return "https://id.gs1.org/00/" + body + contracts::Gs1CheckDigit(body);
}
std::string Canon(const std::string& id) { return *contracts::CanonicalId(id); }

client::LedgerClient ClientOf(const NodeProc& n) {
  return client::LedgerClient({"127.0.0.1", n.http_port, ""}, "");
}

// The full reason of a rejected tx, as a REGULATOR reads it (GET /v1/fin/txs/{id}): the public
// view of a plg tx hides it.
std::string FullReason(client::LedgerClient& auditor, const KeyPair& regulator,
                       const client::TxOutcome& o) {
  std::string reason = o.reason;
  if (reason.find("details redacted") == std::string::npos) return reason;
  // The auditor's node may trail the one that answered by a block.
  WaitFor(
      [&] {
        auto r = auditor.SignedGet(regulator, "/v1/fin/txs/" + o.id.Hex());
        if (!r.ok() || r->status != 200) return false;
        json j = json::parse(r->body, nullptr, false);
        if (!j.is_object() || j.value("status", "") != "rejected") return false;
        reason = j.value("reason", "");
        return true;
      },
      10s);
  return reason;
}

void Committed(const Result<client::TxOutcome>& o, const std::string& what,
               client::LedgerClient* auditor = nullptr, const KeyPair* regulator = nullptr) {
  INFO(what);
  REQUIRE(o.ok());
  INFO(o->reason);
  if (o->status != "committed" && auditor != nullptr) {
    INFO(FullReason(*auditor, *regulator, *o));
    REQUIRE(o->status == "committed");
  }
  REQUIRE(o->status == "committed");
}

// Rejected in a block naming `rule` (in the full reason).
void Refused(const Result<client::TxOutcome>& o, const std::string& rule, const std::string& what,
             client::LedgerClient& auditor, const KeyPair& regulator) {
  INFO(what);
  REQUIRE(o.ok());
  INFO(o->reason);
  REQUIRE(o->status == "rejected");
  const std::string reason = FullReason(auditor, regulator, *o);
  INFO(reason);
  CHECK(reason.find("rule " + rule) != std::string::npos);
}

json EpcisEv(const std::string& type, const std::string& action, const std::string& step,
             const std::vector<std::string>& epcs, const std::string& time) {
  json e = {{"type", type},
            {"eventTime", time},
            {"eventTimeZoneOffset", "+08:00"},
            {"bizStep", step},
            {"action", action},
            {"bizLocation", {{"id", kWh}}},
            {"readPoint", {{"id", kWh}}}};
  e[type == "AggregationEvent" ? "childEPCs" : "epcList"] = epcs;
  return e;
}

Value Parsed(const json& e) {
  auto v = contracts::ParseEpcisEvent(e, "events[0]");
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  return *v;
}

json Sale(const std::vector<std::string>& cans) {
  json e =
      EpcisEv("ObjectEvent", "OBSERVE", "retail_selling", cans, "2026-12-05T20:00:00.000+08:00");
  e["disposition"] = "retail_sold";
  return e;
}

// A signed read's status and JSON body.
std::pair<int, json> Read(client::LedgerClient& c, const KeyPair& reader, const std::string& path) {
  auto r = c.SignedGet(reader, path);
  REQUIRE(r.ok());
  return {r->status, json::parse(r->body, nullptr, false)};
}

// What a refusal must leave as it was: the pledge record and its history (read by a party) and
// the provenance records of `items` (public).
struct Snapshot {
  json record, history;
  std::vector<std::optional<Value>> items;
  bool operator==(const Snapshot&) const = default;
};
// Catch prints what differs.
std::ostream& operator<<(std::ostream& os, const Snapshot& s) {
  os << "record " << s.record.dump() << "\nhistory " << s.history.dump() << "\nitems";
  for (const auto& i : s.items) os << " " << (i ? i->ToJson().dump() : "null");
  return os;
}
Snapshot Take(client::LedgerClient& c, const KeyPair& party, const std::string& id,
              const std::vector<std::string>& items) {
  Snapshot s;
  auto [rs, rec] = Read(c, party, "/v1/plg/records/" + id);
  REQUIRE(rs == 200);
  s.record = rec["record"];
  auto [hs, hist] = Read(c, party, "/v1/plg/records/" + id + "/history");
  REQUIRE(hs == 200);
  s.history = hist["entries"];
  for (const auto& i : items) {
    auto v = c.ReadValue(state_keys::prov::Obj(Canon(i)));
    REQUIRE(v.ok());
    s.items.push_back(*v);
  }
  return s;
}

std::vector<std::string> Strings(const json& a) {
  std::vector<std::string> out;
  for (const auto& v : a) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("plg scenario: a pledged warehouse receipt blocks its goods, partial release, equity") {
  TestNet net("tidemark-plg",
              {.orgs = {"wh:PLATFORM,BRAND,MANUFACTURER,BONDED_WAREHOUSE,RETAILER,FORWARDER",
                        "bank:BANK", "bank2:BANK", "regulator:REGULATOR,CUSTOMS"}});
  net.StartAll();
  const size_t kWhOrg = 0, kBank = 1, kBank2 = 2, kReg = 3;
  KeyPair wh = net.AdminKey(kWhOrg), bank = net.AdminKey(kBank), bank2 = net.AdminKey(kBank2),
          reg = net.AdminKey(kReg);
  client::LedgerClient wc = ClientOf(net.nodes[kWhOrg]), bc = ClientOf(net.nodes[kBank]),
                       b2c = ClientOf(net.nodes[kBank2]), rc = ClientOf(net.nodes[kReg]);
  // Every node has the block of `o` before the next read, whichever node answers it.
  auto sync = [&](const Result<client::TxOutcome>& o) {
    if (!o.ok()) return;
    REQUIRE(WaitFor(
        [&] {
          for (const auto& n : net.nodes) {
            if (n.Height() < o->height) return false;
          }
          return true;
        },
        10s));
  };
  auto refused = [&](const Result<client::TxOutcome>& o, const std::string& rule,
                     const std::string& what) {
    Refused(o, rule, what, rc, reg);
    sync(o);
  };
  auto committed = [&](const Result<client::TxOutcome>& o, const std::string& what) {
    Committed(o, what, &rc, &reg);
    sync(o);
  };

  // 0. Six cans commissioned at the bonded warehouse, packed on a pallet, the pallet stored.
  committed(client::RegisterProduct(wc, wh,
                                    {.gtin = kGtin,
                                     .name = "Infant formula 800 g",
                                     .origin_country = "NZ",
                                     .company_prefix_length = 7}),
            "register product");
  committed(wc.Call(wh, "prov", "register_location",
                    Value::MakeMap({{"gln", kWh},
                                    {"name", "Bonded warehouse, Hangzhou"},
                                    {"country", "CN"},
                                    {"kind", "bonded_warehouse"}})),
            "register location");
  std::vector<std::string> cans;
  for (int n = 1; n <= 6; ++n) cans.push_back(Can(n));
  const std::string pallet = Pallet();
  committed(client::CaptureEvents(wc, wh,
                                  {Parsed(EpcisEv("ObjectEvent", "ADD", "commissioning", cans,
                                                  "2026-12-01T09:00:00.000+08:00"))}),
            "commission");
  json pack = EpcisEv("AggregationEvent", "ADD", "packing", cans, "2026-12-01T10:00:00.000+08:00");
  pack["parentID"] = pallet;
  committed(client::CaptureEvents(wc, wh, {Parsed(pack)}), "pack");
  committed(client::CaptureEvents(wc, wh,
                                  {Parsed(EpcisEv("ObjectEvent", "OBSERVE", "storing", {pallet},
                                                  "2026-12-01T11:00:00.000+08:00"))}),
            "store");
  std::vector<std::string> all = cans;
  all.push_back(pallet);

  // 1. The warehouse issues a receipt over the pallet (its cans come with it); only a
  //    BONDED_WAREHOUSE key may, and only over what its org holds.
  refused(client::WrIssue(bc, bank, {.items = {pallet}}), "plg-caller", "issue by the bank");
  auto issued = client::WrIssue(wc, wh, {.items = {pallet}, .description = "pallet 1, bay 7"});
  committed(issued, "wr_issue");
  const std::string receipt = client::PlgIdOf("wr_", issued->id);
  {
    auto [st, rec] = Read(wc, wh, "/v1/plg/records/" + receipt);
    REQUIRE(st == 200);
    CHECK(rec["record"]["state"] == "ISSUED");
    CHECK(rec["record"]["items"].size() == 7);
  }
  refused(client::WrIssue(wc, wh, {.items = {cans[0]}}), "plg-receipt-taken",
          "a can already under the receipt");

  // 2. Offered to the bank; the other bank can neither take it nor read it; the bank accepts.
  const client::WrPledgeOffer offer{.receipt = receipt,
                                    .bank = "bank",
                                    .amount = 50'000'000,
                                    .currency = "CNY",
                                    .debt_due = "2027-06-30"};
  refused(client::WrOffer(bc, bank, offer), "plg-receipt", "offer by a bank no party to it");
  committed(client::WrOffer(wc, wh, offer), "wr_offer");
  {
    Snapshot before = Take(bc, bank, receipt, all);
    refused(client::WrAccept(b2c, bank2, receipt), "plg-receipt", "accept by the other bank");
    CHECK(Take(bc, bank, receipt, all) == before);
  }
  committed(client::WrAccept(bc, bank, receipt), "wr_accept");

  // 3. The goods are blocked. Shipping the pallet through the EPCIS REST capture: the capture job
  //    fails with a 409 problem naming the rule and the receipt; nothing changes.
  std::string tok = Slurp(net.nodes[kWhOrg].dir / "capture_token.txt");
  while (!tok.empty() && (tok.back() == '\n' || tok.back() == '\r')) tok.pop_back();
  auto ship_doc = [&](const std::vector<std::string>& what) {
    json ship =
        EpcisEv("ObjectEvent", "OBSERVE", "shipping", what, "2026-12-05T08:00:00.000+08:00");
    ship["disposition"] = "in_transit";
    return json{{"@context", {"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"}},
                {"type", "EPCISDocument"},
                {"schemaVersion", "2.0"},
                {"creationDate", "2026-12-05T08:00:00.000+08:00"},
                {"epcisBody", {{"eventList", {ship}}}}}
        .dump();
  };
  auto blocked_rest = [&](const std::vector<std::string>& what, const std::string& item) {
    Snapshot before = Take(bc, bank, receipt, all);
    auto job = wc.CaptureEpcisDocument(ship_doc(what), tok);
    INFO(job.status().ToString());
    REQUIRE(job.ok());
    json j = json::parse(*job);
    INFO(j.dump());
    CHECK(j["success"] == false);
    REQUIRE(j["errors"].is_array());
    REQUIRE(!j["errors"].empty());
    const json& p = j["errors"][0];
    CHECK(p["status"] == 409);
    CHECK(p["type"] == "urn:tidemark:problem:capture-rejected");
    const std::string detail = p.value("detail", "");
    CHECK(detail.find("rule prov-pledged: " + Canon(item)) != std::string::npos);
    CHECK(detail.find(receipt) != std::string::npos);
    CHECK(Take(bc, bank, receipt, all) == before);
  };
  blocked_rest({pallet}, pallet);
  // Selling a can (a signed prov.capture tx): rejected with the rule, nothing changes.
  auto blocked_sale = [&](const std::string& can) {
    Snapshot before = Take(bc, bank, receipt, all);
    auto sold = client::CaptureEvents(wc, wh, {Parsed(Sale({can}))});
    refused(sold, "prov-pledged", "sale of " + can);
    CHECK(sold->reason.find(receipt) != std::string::npos);
    CHECK(Take(bc, bank, receipt, all) == before);
  };
  blocked_sale(cans[0]);
  // Nor may the holder move it on or unpack it while it is pledged.
  {
    Snapshot before = Take(bc, bank, receipt, all);
    refused(client::WrTransfer(wc, wh, receipt, "bank2"), "plg-state", "transfer when pledged");
    json unpack = EpcisEv("AggregationEvent", "DELETE", "unpacking", {cans[0]},
                          "2026-12-05T09:00:00.000+08:00");
    unpack["parentID"] = pallet;
    refused(client::CaptureEvents(wc, wh, {Parsed(unpack)}), "prov-pledged", "unpack");
    CHECK(Take(bc, bank, receipt, all) == before);
  }

  // 4. Partial release: only the pledgee, only covered items; then two cans leave the receipt.
  {
    Snapshot before = Take(bc, bank, receipt, all);
    refused(client::WrRelease(wc, wh, receipt, {cans[0]}), "plg-pledgee", "release by the holder");
    refused(client::WrRelease(b2c, bank2, receipt, {cans[0]}), "plg-receipt",
            "release by the other bank");
    refused(client::WrRelease(bc, bank, receipt, {Can(9)}), "plg-items", "an item not covered");
    refused(client::WrRelease(bc, bank, receipt, {}, 8), "plg-items", "more than covered");
    CHECK(Take(bc, bank, receipt, all) == before);
  }
  committed(client::WrRelease(bc, bank, receipt, {cans[0], cans[1]}), "partial release");
  {
    auto [st, rec] = Read(bc, bank, "/v1/plg/records/" + receipt);
    REQUIRE(st == 200);
    CHECK(rec["record"]["state"] == "PLEDGED");
    CHECK(Strings(rec["record"]["released"]) ==
          std::vector<std::string>{Canon(cans[0]), Canon(cans[1])});
    CHECK(rec["record"]["items"].size() == 5);
  }
  // The released cans are still under bonded customs control (docs/provenance.md "Customs
  // clearance"): a sale is refused until a 1210 declaration of the consumer's order is released.
  {
    Snapshot before = Take(bc, bank, receipt, all);
    refused(client::CaptureEvents(wc, wh, {Parsed(Sale({cans[0], cans[1]}))}),
            "prov-bonded-unreleased", "sale before customs release");
    CHECK(Take(bc, bank, receipt, all) == before);
  }
  committed(wc.Call(wh, "prov", "customs_declare",
                    Value::MakeMap({{"declaration_no", "HZ-1210-0001"},
                                    {"mode", "1210"},
                                    {"order_no", "ORD-1"},
                                    {"payment_no", "PAY-1"},
                                    {"waybill_no", "WB-1"},
                                    {"items", Value::List{cans[0], cans[1]}},
                                    {"declared_time", "2026-12-05T18:00:00.000+08:00"}})),
            "1210 declaration of the order");
  committed(rc.Call(reg, "prov", "customs_release",
                    Value::MakeMap({{"declaration_no", "HZ-1210-0001"},
                                    {"release_time", "2026-12-05T19:00:00.000+08:00"}})),
            "customs release");
  // The released cans are sold; the still-covered ones and the pallet stay blocked.
  committed(client::CaptureEvents(wc, wh, {Parsed(Sale({cans[0], cans[1]}))}), "sale of released");
  auto sold = wc.ReadValue(state_keys::prov::Obj(Canon(cans[0])));
  REQUIRE(sold.ok());
  REQUIRE(sold->has_value());
  CHECK((*sold)->Find("state")->as_string() == "SOLD");
  blocked_sale(cans[2]);
  blocked_rest({cans[5]}, cans[5]);
  blocked_rest({pallet}, pallet);

  // 5. Party-only reads: the parties and the regulator read the receipt, another bank gets the
  //    one 403 (the same as for an id that does not exist), unsigned is 401.
  for (auto [who, key, c] : {std::tuple{"wh", &wh, &wc}, std::tuple{"bank", &bank, &bc},
                             std::tuple{"regulator", &reg, &rc}}) {
    INFO(who);
    auto [st, rec] = Read(*c, *key, "/v1/plg/records/" + receipt);
    CHECK(st == 200);
    CHECK(rec["record"]["pledge"]["bank"] == "bank");
  }
  auto denied = b2c.SignedGet(bank2, "/v1/plg/records/" + receipt);
  auto missing = b2c.SignedGet(bank2, "/v1/plg/records/wr_" + std::string(20, '0'));
  REQUIRE(denied.ok());
  REQUIRE(missing.ok());
  CHECK(denied->status == 403);
  CHECK(missing->status == 403);
  CHECK(denied->body == missing->body);
  CHECK(denied->body.find("50000000") == std::string::npos);
  auto denied_hist = b2c.SignedGet(bank2, "/v1/plg/records/" + receipt + "/history");
  REQUIRE(denied_hist.ok());
  CHECK(denied_hist->status == 403);
  auto [ls, list] = Read(b2c, bank2, "/v1/plg/parties/wh/records");
  CHECK(ls == 200);
  CHECK(list.dump().find(receipt) == std::string::npos);
  auto unsigned_read = net.nodes[kBank2].Http().Get("/v1/plg/records/" + receipt);
  REQUIRE(unsigned_read.ok());
  CHECK(unsigned_read->status == 401);
  {
    auto [hs, hist] = Read(bc, bank, "/v1/plg/records/" + receipt + "/history");
    REQUIRE(hs == 200);
    std::vector<std::string> actions;
    for (const json& e : hist["entries"]) actions.push_back(e["action"]);
    CHECK(actions == std::vector<std::string>{"wr_issue", "wr_offer", "wr_accept", "wr_release"});
  }

  // 6. Equity: the registrar records wh's holding (1000), a pledge of 600 is applied, accepted,
  //    registered and gazetted; a second of 500 over the same shares is refused at registration
  //    (plg-holding) and so is lowering the holding below what is pledged; neither changes
  //    anything.
  refused(client::EqHolding(wc, wh, {.org = "wh", .uscc = kUscc, .company = "X", .amount = 1000}),
          "plg-registrar", "holding recorded by the holder itself");
  committed(client::EqHolding(rc, reg,
                              {.org = "wh",
                               .uscc = kUscc,
                               .company = "Kiwi Gold (Hangzhou) Trading Co., Ltd.",
                               .amount = 1000}),
            "eq_holding");
  auto apply = [&](int64_t amount) {
    auto a = client::EqApply(wc, wh,
                             {.uscc = kUscc,
                              .pledgee = "bank",
                              .amount = amount,
                              .debt_amount = 2'000'000,
                              .currency = "CNY",
                              .debt_due = "2028-06-30",
                              .contract_hash = Sha256(AsBytes("share pledge contract")).Hex()});
    committed(a, "eq_apply");
    return client::PlgIdOf("eqp_", a->id);
  };
  const std::string first = apply(600);
  refused(client::EqRegister(rc, reg, first, "EQ-2026-1"), "plg-pledgee-accept",
          "registration before the bank accepts");
  refused(client::EqAccept(b2c, bank2, first), "plg-pledgee", "accept by the other bank");
  committed(client::EqAccept(bc, bank, first), "eq_accept");
  refused(client::EqRegister(wc, wh, first, "EQ-2026-1"), "plg-registrar",
          "registration by the pledgor");
  committed(client::EqRegister(rc, reg, first, "EQ-2026-1"), "eq_register");
  {
    auto [st, rec] = Read(bc, bank, "/v1/plg/records/" + first);
    REQUIRE(st == 200);
    CHECK(rec["record"]["state"] == "REGISTERED");
    auto g = net.nodes[kBank2].Http().Get("/v1/plg/gazette/EQ-2026-1");
    REQUIRE(g.ok());
    CHECK(g->status == 200);
    CHECK(g->body.find(kUscc) != std::string::npos);
    CHECK(g->body.find("600") == std::string::npos);  // the gazette tells no amount
  }
  const std::string second = apply(500);
  committed(client::EqAccept(bc, bank, second), "eq_accept of the double");
  {
    Snapshot s1 = Take(bc, bank, first, {}), s2 = Take(bc, bank, second, {});
    refused(client::EqRegister(rc, reg, second, "EQ-2026-2"), "plg-holding",
            "the double over the same shares");
    refused(client::EqHolding(rc, reg,
                              {.org = "wh",
                               .uscc = kUscc,
                               .company = "Kiwi Gold (Hangzhou) Trading Co., Ltd.",
                               .amount = 500}),
            "plg-holding", "holding below what is pledged");
    CHECK(Take(bc, bank, first, {}) == s1);
    CHECK(Take(bc, bank, second, {}) == s2);
    CHECK(s2.record["state"] == "APPLIED");
    auto g = net.nodes[kBank2].Http().Get("/v1/plg/gazette/EQ-2026-2");
    REQUIRE(g.ok());
    CHECK(g->status == 404);
  }
  CHECK(b2c.SignedGet(bank2, "/v1/plg/records/" + first)->status == 403);
  // Within the holding it registers: 600 + 400 = 1000, fully pledged.
  const std::string third = apply(400);
  committed(client::EqAccept(bc, bank, third), "eq_accept");
  committed(client::EqRegister(rc, reg, third, "EQ-2026-3"), "eq_register within the holding");
}

TEST_CASE(
    "plg scenario: an IP pledge refused on each registry ground, then registered, changed, "
    "released") {
  // The registry org is the IP office and, for the audit reads, a REGULATOR too.
  TestNet net("tidemark-plgip", {.orgs = {"brand:BRAND,MANUFACTURER", "coowner:BRAND", "bank:BANK",
                                          "registry:IP_REGISTRY,REGULATOR"}});
  net.StartAll();
  KeyPair brand = net.AdminKey(0), coowner = net.AdminKey(1), bank = net.AdminKey(2),
          registry = net.AdminKey(3);
  client::LedgerClient brc = ClientOf(net.nodes[0]), cc = ClientOf(net.nodes[1]),
                       bc = ClientOf(net.nodes[2]), rc = ClientOf(net.nodes[3]);
  auto sync = [&](const Result<client::TxOutcome>& o) {
    if (!o.ok()) return;
    REQUIRE(WaitFor(
        [&] {
          for (const auto& n : net.nodes) {
            if (n.Height() < o->height) return false;
          }
          return true;
        },
        10s));
  };
  auto committed = [&](const Result<client::TxOutcome>& o, const std::string& what) {
    Committed(o, what, &rc, &registry);
    sync(o);
  };
  // Refused with `rule`; the pledge `id` and its history read the same before and after.
  auto refused = [&](const std::string& id, const std::function<Result<client::TxOutcome>()>& act,
                     const std::string& rule, const std::string& what) {
    Snapshot before = Take(bc, bank, id, {});
    auto o = act();
    Refused(o, rule, what, rc, registry);
    sync(o);
    CHECK(Take(bc, bank, id, {}) == before);
  };
  auto update = [&](client::IpAssetChange change, const std::string& what) {
    committed(client::IpAssetUpdate(rc, registry, change), what);
  };
  auto apply = [&](const std::string& asset, const std::string& due) {
    auto a = client::IpApply(brc, brand,
                             {.asset = asset,
                              .pledgee = "bank",
                              .debt_amount = 5'000'000,
                              .currency = "CNY",
                              .debt_start = "2026-12-01",
                              .debt_due = due,
                              .contract_hash = Sha256(AsBytes("ip pledge " + asset)).Hex()});
    committed(a, "ip_apply " + asset);
    return client::PlgIdOf("ipp_", a->id);
  };
  auto reg = [&](const std::string& pledge, const std::string& no) {
    return [&, pledge, no] { return client::IpRegister(rc, registry, pledge, no); };
  };

  auto record = [&](const std::string& id) {
    auto [st, rec] = Read(bc, bank, "/v1/plg/records/" + id);
    REQUIRE(st == 200);
    return rec["record"];
  };
  auto gazette = [&](const std::string& no) {
    auto g = net.nodes[1].Http().Get("/v1/plg/gazette/" + no);
    REQUIRE(g.ok());
    REQUIRE(g->status == 200);
    json j = json::parse(g->body);
    return j.contains("entry") ? j["entry"] : j;
  };

  // 1. A trademark of the brand alone, pledged and registered as IP-2026-1; only the registry
  //    registers.
  const std::string mark_id = "trademark:58231477";
  committed(client::IpAssetRegister(rc, registry,
                                    {.kind = "trademark",
                                     .number = "58231477",
                                     .title = "KIWI GOLD",
                                     .owners = {"brand"},
                                     .filing_date = "2021-03-02",
                                     .grant_date = "2022-01-14",
                                     .expiry_date = "2032-01-13",
                                     .status = "valid"}),
            "register the trademark");
  const std::string mark = apply(mark_id, "2029-12-31");
  committed(client::IpAccept(bc, bank, mark), "accept the trademark pledge");
  refused(
      mark, [&] { return client::IpRegister(brc, brand, mark, "IP-2026-1"); }, "plg-registry",
      "registration by the pledgor");
  committed(client::IpRegister(rc, registry, mark, "IP-2026-1"), "register the trademark pledge");
  CHECK(record(mark)["state"] == "REGISTERED");

  // 2. A co-owned patent, applied for with every registry ground open; each refusal names the
  //    first ground in §13's order and changes nothing; the registry (or the party concerned)
  //    cures it, and the next ground shows.
  const std::string patent = "invention:ZL202110001234.5";
  committed(client::IpAssetRegister(rc, registry,
                                    {.kind = "invention",
                                     .number = "ZL202110001234.5",
                                     .title = "Spray-drying of milk-protein concentrates",
                                     .owners = {"brand", "coowner"},
                                     .filing_date = "2021-01-01",
                                     .expiry_date = "2041-01-01",
                                     .annuity_paid_until = "2025-12-31",
                                     .status = "preservation"}),
            "register the patent application");
  const std::string p1 = apply(patent, "2042-06-30");
  // The pledgor is no longer an owner (it transferred its share), then is again.
  committed(client::IpTransfer(brc, brand, patent, {"coowner"}), "transfer to the co-owner");
  refused(p1, reg(p1, "IP-2026-2"), "plg-owner", "pledgor not an owner");
  committed(client::IpTransfer(cc, coowner, patent, {"brand", "coowner"}), "transfer back");
  refused(p1, reg(p1, "IP-2026-2"), "plg-not-granted", "not granted");
  update({.asset = patent, .grant_date = "2022-05-10"}, "granted");
  refused(p1, reg(p1, "IP-2026-2"), "plg-ip-status", "under preservation");
  update({.asset = patent, .status = "invalidation_pending"},
         "preservation lifted, invalidation filed");
  refused(p1, reg(p1, "IP-2026-2"), "plg-annuity", "annuity unpaid");
  update({.asset = patent, .annuity_paid_until = "2027-12-31"}, "annuity paid");
  refused(p1, reg(p1, "IP-2026-2"), "plg-invalidation", "invalidation pending, unacknowledged");
  update({.asset = patent, .status = "valid"}, "invalidation request withdrawn");
  refused(p1, reg(p1, "IP-2026-2"), "plg-term", "debt due after the patent expires");
  update({.asset = patent, .expiry_date = "2043-01-01"}, "patent term compensation granted");
  refused(p1, reg(p1, "IP-2026-2"), "plg-consent", "co-owner has not consented");
  committed(client::IpConsent(cc, coowner, p1), "co-owner consents");
  refused(p1, reg(p1, "IP-2026-2"), "plg-pledgee-accept", "pledgee has not accepted");
  committed(client::IpAccept(bc, bank, p1), "pledgee accepts");
  refused(p1, reg(p1, "IP-2026-1"), "plg-regno", "registration number taken");
  CHECK(record(p1)["state"] == "APPLIED");
  committed(client::IpRegister(rc, registry, p1, "IP-2026-2"), "register the patent pledge");
  CHECK(record(p1)["state"] == "REGISTERED");

  // 3. The trademark pledged again while its pledge is live: plg-already-pledged.
  const std::string p2 = apply(mark_id, "2028-12-31");
  committed(client::IpAccept(bc, bank, p2), "accept the second trademark pledge");
  refused(p2, reg(p2, "IP-2026-3"), "plg-already-pledged", "the double");

  // 4. Changed by the registry (a debt beyond the asset's life is refused); the gazette follows.
  const std::string app = Sha256(AsBytes("change application")).Hex();
  refused(
      mark,
      [&] {
        return client::IpChange(
            rc, registry, {.pledge = mark, .debt_due = "2033-01-01", .application_hash = app});
      },
      "plg-term", "a debt due after the trademark expires");
  committed(client::IpChange(rc, registry,
                             {.pledge = mark, .debt_amount = 4'000'000, .application_hash = app}),
            "change the debt");
  CHECK(record(mark)["state"] == "CHANGED");
  CHECK(record(mark)["debt_amount"] == 4'000'000);
  json g = gazette("IP-2026-1");
  CHECK(g["state"] == "CHANGED");
  CHECK(g["changes"].size() == 1);
  CHECK(g.dump().find("4000000") == std::string::npos);  // the gazette tells no amount

  // 5. Released by the pledgee only; the trademark is free and the waiting pledge registers.
  refused(
      mark, [&] { return client::IpRelease(brc, brand, mark); }, "plg-pledgee",
      "release by the pledgor");
  committed(client::IpRelease(bc, bank, mark), "release");
  CHECK(record(mark)["state"] == "RELEASED");
  CHECK(gazette("IP-2026-1")["state"] == "RELEASED");
  committed(client::IpRegister(rc, registry, p2, "IP-2026-3"), "register the waiting pledge");
  CHECK(record(p2)["state"] == "REGISTERED");

  // 6. Party-only: the co-owner of the patent is no party to the trademark's pledges (403, as
  //    for an id that does not exist); a party and the registry (REGULATOR) read them.
  auto denied = cc.SignedGet(coowner, "/v1/plg/records/" + mark);
  auto missing = cc.SignedGet(coowner, "/v1/plg/records/ipp_" + std::string(20, '0'));
  REQUIRE(denied.ok());
  REQUIRE(missing.ok());
  CHECK(denied->status == 403);
  CHECK(denied->body == missing->body);
  CHECK(cc.SignedGet(coowner, "/v1/plg/records/" + p1)->status == 200);
  CHECK(rc.SignedGet(registry, "/v1/plg/records/" + mark)->status == 200);
  {
    auto [hs, hist] = Read(bc, bank, "/v1/plg/records/" + mark + "/history");
    REQUIRE(hs == 200);
    std::vector<std::string> actions;
    for (const json& e : hist["entries"]) actions.push_back(e["action"]);
    CHECK(actions == std::vector<std::string>{"ip_apply", "ip_accept", "ip_register", "ip_change",
                                              "ip_release"});
  }
}
