// Supply-chain finance end to end (docs/finance.md) through the REST API of a running 4-node
// network, with the C++ SDK a platform, a supplier and a bank would use (contract_calls.h,
// ledger_client.h signed reads): the three-tier chain (supplier -> split -> transfer to a trucking
// sub-contractor; a bank finances the sub-contractor's part), confirmation refused before the
// debtor's delivery evidence and accepted after its `receiving` event naming the PO, the second
// financing refused (the same part by a second bank; the same invoice registered again, with
// another amount too), settlement paying the holders and the financier as the ledger computes
// them, and the protected reads: a non-party gets 403 and learns nothing, a party 200, the
// bank's check answer verifies from the genesis.
//
// Organisations: the four validators platform (debtor, core enterprise), supplier (creditor: the
// bonded warehouse's operator), bank and bank2; trucking (the sub-tier, no validator) joins by a
// governance vote, as a new supplier would.
#include <catch2/catch.hpp>

#include "net_util.h"
#include "tidemark/client/contract_calls.h"
#include "tidemark/client/ledger_client.h"
#include "tidemark/contracts/epcis.h"
#include "tidemark/fin_answer.h"
#include "tidemark/fin_fingerprint.h"
#include "tidemark/hash.h"
#include "tidemark/state_keys/finance.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;

namespace {

const std::string kPo = "urn:epcglobal:cbv:bt:6901234000017:PO-88121";

client::LedgerClient ClientOf(const NodeProc& n) {
  return client::LedgerClient({"127.0.0.1", n.http_port, ""}, "");
}

void Committed(const Result<client::TxOutcome>& o, const std::string& what) {
  INFO(what);
  REQUIRE(o.ok());
  INFO(o->reason);
  REQUIRE(o->status == "committed");
}

// Rejected in a block naming `rule` (the public reason of a fin tx keeps only the rule).
void Refused(const Result<client::TxOutcome>& o, const std::string& rule, const std::string& what) {
  INFO(what);
  REQUIRE(o.ok());
  INFO(o->reason);
  REQUIRE(o->status == "rejected");
  CHECK(o->reason.find(rule) != std::string::npos);
}

json Parse(const Result<client::HttpResponse>& r) {
  REQUIRE(r.ok());
  return json::parse(r->body, nullptr, false);
}

// Runs the CLI; returns its exit code and fills `out` with stdout + stderr.
int Cli(const std::vector<std::string>& args, const fs::path& log, std::string* out) {
  fs::remove(log);
  std::vector<std::string> argv = {kCliBinary.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  int rc = Wait(Spawn(argv, log));
  *out = Slurp(log);
  return rc;
}

std::string KeyFile(const fs::path& dir, const std::string& name, const KeyPair& k) {
  fs::path p = dir / (name + ".json");
  std::ofstream(p) << json{{"public_key", k.public_key().Hex()}, {"seed", k.seed().Hex()}}.dump();
  return p.string();
}

client::FinReceivable Invoice(const std::string& number, int64_t amount) {
  return client::FinReceivable{
      .debtor = "platform",
      .currency = "CNY",
      .contract_number = "WS-2026-014",
      .contract_hash = Sha256(AsBytes("warehouse services contract 2026-014")).Hex(),
      .invoices = {{.number = number,
                    .amount = amount,
                    .tax = amount / 100 * 6,
                    .date = "2026-11-30",
                    .hash = Sha256(AsBytes("invoice " + number)).Hex()}},
      .issue_date = "2026-11-30",
      .due_date = "2027-05-29",
      .refs = {{.type = "po", .id = kPo}},
      .require_delivery = true};
}

// What the bank learns of an invoice, proven from the genesis: the state the answer claims once
// it is `want` (the proof is of the latest certified state, which may trail the last commit by a
// block), or the last one seen after 10 s.
std::string VerifiedCheck(client::LedgerClient& c, const KeyPair& bank, const TrustAnchor& trust,
                          const InvoiceHashes& h, const std::string& want) {
  std::string state;
  WaitFor(
      [&] {
        auto body = c.FinCheck(bank, h.fingerprint, h.invoice_key);
        INFO(body.status().ToString());
        REQUIRE(body.ok());
        json answer = json::parse(*body);
        auto v = VerifyFinCheckAnswer(answer, trust, h.fingerprint, h.invoice_key);
        INFO(v.status().ToString());
        REQUIRE(v.ok());
        CHECK(v->fingerprint.state == answer["fingerprint"]["state"]);
        // A tampered answer does not verify: another state claimed than the bundle proves.
        json lie = answer;
        lie["fingerprint"]["state"] = answer["fingerprint"]["state"] == "free" ? "closed" : "free";
        CHECK_FALSE(VerifyFinCheckAnswer(lie, trust, h.fingerprint, h.invoice_key).ok());
        state = v->state;
        return state == want;
      },
      10s);
  return state;
}

}  // namespace

TEST_CASE("fin scenario: three tiers, delivery evidence, one financing, settlement, privacy") {
  TestNet net("tidemark-fin", {.orgs = {"platform:PLATFORM,RETAILER", "supplier:BONDED_WAREHOUSE",
                                        "bank:BANK", "bank2:BANK"}});
  net.StartAll();
  const size_t kPlatform = 0, kSupplier = 1, kBank = 2, kBank2 = 3;
  KeyPair platform = net.AdminKey(kPlatform), supplier = net.AdminKey(kSupplier),
          bank = net.AdminKey(kBank), bank2 = net.AdminKey(kBank2);
  // Each organisation talks to its own node.
  client::LedgerClient pc = ClientOf(net.nodes[kPlatform]), sc = ClientOf(net.nodes[kSupplier]),
                       bc = ClientOf(net.nodes[kBank]), b2c = ClientOf(net.nodes[kBank2]);
  auto trust = GenesisTrust(net.nodes[kBank]);
  REQUIRE(trust.ok());

  // 0. The trucking sub-contractor joins the consortium (3 of 4 vote yes); no validator.
  Seed tseed;
  tseed.data = Sha256(AsBytes("fin scenario trucking")).data;
  KeyPair trucking = KeyPair::FromSeed(tseed);
  client::LedgerClient tc = ClientOf(net.nodes[kPlatform]);
  Committed(
      client::Propose(
          pc, platform,
          Value::MakeMap(
              {{"kind", "add_org"},
               {"org", Value::MakeMap(
                           {{"id", "trucking"},
                            {"name", "Yangtze Trucking"},
                            {"roles", Value::List{"FORWARDER"}},
                            {"admin_keys", Value::List{Value(trucking.public_key().Hex())}}})}})),
      "propose trucking");
  Committed(client::Vote(pc, platform, 1, true), "platform votes");
  Committed(client::Vote(sc, supplier, 1, true), "supplier votes");
  Committed(client::Vote(bc, bank, 1, true), "bank votes");

  // 1. Before lending, the bank checks the invoice: free, with an absence proof.
  const client::FinReceivable inv = Invoice("INV-2026/0001", 1'250'000);
  auto hashes = InvoiceFingerprint({.creditor = "supplier",
                                    .debtor = "platform",
                                    .number = "INV-2026/0001",
                                    .amount = 1'250'000,
                                    .date = "2026-11-30"});
  REQUIRE(hashes.ok());
  CHECK(VerifiedCheck(bc, bank, *trust, *hashes, "free") == "free");

  // 2. The supplier registers it; the platform may not confirm before the goods arrived.
  auto reg = client::FinRegister(sc, supplier, inv);
  Committed(reg, "register");
  const std::string id = client::ReceivableIdOf(reg->id);
  Refused(client::FinConfirm(pc, platform, id), "fin-delivery", "confirm before delivery");
  // Only the debtor confirms.
  Refused(client::FinConfirm(bc, bank, id), "fin-debtor", "confirm by the bank");

  // 3. The platform records the receiving of the consignment, naming the PO; then confirms.
  json receiving = {{"type", "ObjectEvent"},
                    {"action", "OBSERVE"},
                    {"bizStep", "receiving"},
                    {"eventTime", "2026-11-28T09:00:00.000+08:00"},
                    {"eventTimeZoneOffset", "+08:00"},
                    {"epcList", {"urn:epc:id:sscc:0614141.1234567890"}},
                    {"bizTransactionList", {{{"type", "po"}, {"bizTransaction", kPo}}}}};
  auto ev = contracts::ParseEpcisEvent(receiving, "receiving");
  REQUIRE(ev.ok());
  Committed(client::CaptureEvents(pc, platform, {*ev}), "capture receiving");
  Committed(client::FinConfirm(pc, platform, id), "confirm after delivery");

  // 4. Three tiers: the supplier splits and hands a part to its trucking sub-contractor.
  Committed(client::FinSplit(sc, supplier, id, {700'000, 550'000}), "split");
  Committed(client::FinTransfer(sc, supplier, id + ".2", "trucking"), "transfer");
  Refused(client::FinTransfer(sc, supplier, id + ".2", "bank"), "fin-holder",
          "transfer of a part the supplier no longer holds");

  // 5. The bank finances the sub-contractor's part (a pledge of 400,000 of its 550,000).
  CHECK(VerifiedCheck(bc, bank, *trust, *hashes, "registered") == "registered");
  Committed(client::FinOfferFinance(tc, trucking, id + ".2", "bank", "pledge", 400'000), "offer");
  Refused(client::FinAcceptFinance(b2c, bank2, id + ".2"), "fin-offer", "accept by bank2");
  Committed(client::FinAcceptFinance(bc, bank, id + ".2"), "accept");
  CHECK(VerifiedCheck(b2c, bank2, *trust, *hashes, "encumbered") == "encumbered");

  // 6. A second financing of the same part is refused, and so is splitting or moving it.
  Refused(client::FinOfferFinance(tc, trucking, id + ".2", "bank2", "factoring_recourse", 550'000),
          "fin-encumbered", "second offer of the financed part");
  Refused(client::FinAcceptFinance(b2c, bank2, id + ".2"), "fin-offer", "bank2 takes it anyway");
  Refused(client::FinSplit(tc, trucking, id + ".2", {275'000, 275'000}), "fin-encumbered",
          "split of the financed part");
  Refused(client::FinTransfer(tc, trucking, id + ".2", "bank2"), "fin-encumbered",
          "transfer of the financed part");

  // 7. The same invoice registered again under a new receivable: refused, in the same amount
  // and in another (the invoice key has no amount), and as part of a two-invoice receivable.
  auto dup = client::FinRegister(sc, supplier, Invoice("INV-2026/0001", 1'250'000));
  Refused(dup, "fin-duplicate", "same invoice again");
  // The refusal leaves its audit event in the receipt (data redacted in public views).
  json again_answer = json::parse(dup->answer_json);
  bool audited = false;
  for (const json& e : again_answer["receipt"]["events"]) {
    audited |= e["type"] == "fin.duplicate_attempt";
    CHECK(e["data"].value("redacted", false));
  }
  CHECK(audited);
  Refused(client::FinRegister(sc, supplier, Invoice("inv 2026 0001", 900'000)), "fin-duplicate",
          "same invoice, another amount, another spelling");
  client::FinReceivable two = Invoice("INV-2026/0002", 10'000);
  two.invoices.push_back(Invoice("INV-2026/0001", 1'250'000).invoices[0]);
  Refused(client::FinRegister(sc, supplier, two), "fin-duplicate", "hidden in a bundle");

  // 8. Protected reads: parties 200, a non-party 403 that tells nothing, unsigned 401.
  for (auto [who, key, client] :
       {std::tuple{"platform", &platform, &pc}, std::tuple{"supplier", &supplier, &sc},
        std::tuple{"trucking", &trucking, &tc}, std::tuple{"bank", &bank, &bc}}) {
    INFO(who);
    json rec = Parse(client->SignedGet(*key, "/v1/fin/receivables/" + id));
    REQUIRE(rec.contains("receivable"));
    CHECK(rec["receivable"]["state"] == "CONFIRMED");
    auto hist = client->FinHistory(*key, id);
    REQUIRE(hist.ok());
  }
  std::string missing = "rcv_" + std::string(20, '0');
  auto denied = b2c.SignedGet(bank2, "/v1/fin/receivables/" + id);
  auto denied_missing = b2c.SignedGet(bank2, "/v1/fin/receivables/" + missing);
  REQUIRE(denied.ok());
  REQUIRE(denied_missing.ok());
  CHECK(denied->status == 403);
  CHECK(denied_missing->status == 403);
  CHECK(denied->body == denied_missing->body);  // existence is not revealed
  CHECK(denied->body.find(id) == std::string::npos);
  CHECK(denied->body.find("supplier") == std::string::npos);
  for (const std::string& path :
       {"/v1/fin/receivables/" + id + "/history", "/v1/fin/receivables/" + id + "?proof=true"}) {
    INFO(path);
    auto r = b2c.SignedGet(bank2, path);
    REQUIRE(r.ok());
    CHECK(r->status == 403);
    CHECK(r->body.find("1250000") == std::string::npos);
  }
  CHECK(b2c.FinReceivable(bank2, id).status().code() == Code::kPermissionDenied);
  // A party list shows another reader only what it is a party of: bank2 sees none of the
  // platform's, the bank the one it financed.
  json others = Parse(b2c.SignedGet(bank2, "/v1/fin/parties/platform/receivables"));
  CHECK(others["receivables"].empty());
  CHECK(others.dump().find(id) == std::string::npos);
  json banks = Parse(bc.SignedGet(bank, "/v1/fin/parties/platform/receivables"));
  REQUIRE(banks["receivables"].size() == 1);
  CHECK(banks["receivables"][0]["id"] == id);
  auto unsigned_read = net.nodes[kBank2].Http().Get("/v1/fin/receivables/" + id);
  REQUIRE(unsigned_read.ok());
  CHECK(unsigned_read->status == 401);
  // The supplier's list names the receivable; the public state route does not serve fin/ keys.
  json list = Parse(sc.SignedGet(supplier, "/v1/fin/parties/supplier/receivables"));
  REQUIRE(list["receivables"].size() == 1);
  CHECK(list["receivables"][0]["id"] == id);
  auto raw = net.nodes[kBank2].Get("/v1/state/" + ToHex(AsBytes(state_keys::fin::Receivable(id))) +
                                   "/proof");
  CHECK_FALSE(raw.has_value());
  // The sub-contractor's part: with proof, as the bank would keep it.
  json proven = Parse(bc.SignedGet(bank, "/v1/fin/receivables/" + id + "?proof=true"));
  REQUIRE(proven.contains("proof"));
  auto vs = VerifyStateAnswer(*trust, proven);
  INFO(vs.status().ToString());
  CHECK(vs.ok());

  // 9. Settlement at the end (the debtor): the ledger pays the supplier for its part, the bank
  // (pledgee) and the sub-contractor the rest of its part.
  Refused(client::FinSettle(sc, supplier, id), "fin-debtor", "settle by the creditor");
  Committed(client::FinSettle(pc, platform, id), "settle");
  json done = Parse(pc.SignedGet(platform, "/v1/fin/receivables/" + id));
  const json& r = done["receivable"];
  CHECK(r["state"] == "SETTLED");
  std::vector<std::tuple<std::string, std::string, int64_t, std::string>> payees;
  int64_t paid = 0;
  for (const json& p : r["settled"]["payees"]) {
    payees.emplace_back(p["part"], p["org"], p["amount"], p["as"]);
    paid += p["amount"].get<int64_t>();
  }
  std::sort(payees.begin(), payees.end());
  CHECK(payees == std::vector<std::tuple<std::string, std::string, int64_t, std::string>>{
                      {id + ".1", "supplier", 700'000, "holder"},
                      {id + ".2", "bank", 400'000, "pledgee"},
                      {id + ".2", "trucking", 150'000, "holder"}});
  CHECK(paid == 1'250'000);
  CHECK(VerifiedCheck(bc, bank, *trust, *hashes, "closed") == "closed");

  // 10. The history tells the whole story, in order.
  json hist = json::parse(*pc.FinHistory(platform, id));
  std::vector<std::string> actions;
  for (const json& e : hist["entries"]) actions.push_back(e["action"]);
  CHECK(actions == std::vector<std::string>{"register", "confirm", "split", "transfer",
                                            "offer_finance", "accept_finance", "settle"});

  // 11. The same through the CLI: the bank's check (fingerprint computed locally, the proof
  // verified against the network's genesis file), a party's verified read, a non-party's
  // refusal, a re-registration refused by the ledger, a mismatched creditor refused unsent.
  std::string out;
  fs::path log = net.dir / "cli.log";
  std::string node = "http://127.0.0.1:" + std::to_string(net.nodes[kBank].http_port);
  std::vector<std::string> invoice = {"--creditor", "supplier",      "--debtor", "platform",
                                      "--number",   "INV-2026/0001", "--amount", "1250000",
                                      "--date",     "2026-11-30"};
  std::vector<std::string> check = {"--node",     node,
                                    "-o",         "json",
                                    "fin",        "check",
                                    "--key-file", KeyFile(net.dir, "bank", bank),
                                    "--genesis",  (net.dir / "genesis.json").string()};
  check.insert(check.end(), invoice.begin(), invoice.end());
  REQUIRE(Cli(check, log, &out) == 0);
  json checked = json::parse(out.substr(out.find('{')));
  CHECK(checked["invoices"][0]["state"] == "closed");
  CHECK(checked["invoices"][0]["verified"] == true);
  CHECK(checked["invoices"][0]["fingerprint"] == hashes->fingerprint.Hex());
  CHECK(Cli({"--node", node, "fin", "show", id, "--proof", "--key-file",
             KeyFile(net.dir, "trucking", trucking), "--genesis",
             (net.dir / "genesis.json").string()},
            log, &out) == 0);
  CHECK_THAT(
      out, Catch::Contains("SETTLED") && Catch::Contains("verified") && Catch::Contains("pledgee"));
  CHECK(Cli({"--node", node, "fin", "show", id, "--key-file", KeyFile(net.dir, "bank2", bank2)},
            log, &out) == 1);
  CHECK_THAT(out, Catch::Contains("error: "));
  CHECK(out.find("SETTLED") == std::string::npos);
  std::string hex = std::string(64, 'a');
  std::vector<std::string> again = {"--node",
                                    node,
                                    "fin",
                                    "register",
                                    "--debtor",
                                    "platform",
                                    "--currency",
                                    "CNY",
                                    "--contract-number",
                                    "WS-2026-014",
                                    "--contract-hash",
                                    hex,
                                    "--number",
                                    "INV 2026 0001",
                                    "--amount",
                                    "5",
                                    "--date",
                                    "2026-11-30",
                                    "--invoice-hash",
                                    hex,
                                    "--due-date",
                                    "2027-01-30",
                                    "--key-file",
                                    KeyFile(net.dir, "supplier", supplier)};
  CHECK(Cli(again, log, &out) == 1);
  CHECK_THAT(out, Catch::Contains("rejected") && Catch::Contains("fin-duplicate"));
  uint64_t nonce_before = *sc.NextNonce(supplier.public_key());
  again.insert(again.end(), {"--creditor", "trucking"});
  CHECK(Cli(again, log, &out) == 1);
  CHECK_THAT(out, Catch::Contains("nothing was sent"));
  client::LedgerClient fresh = ClientOf(net.nodes[kSupplier]);
  CHECK(*fresh.NextNonce(supplier.public_key()) == nonce_before);
}

TEST_CASE("fin scenario: the side states and every write through the CLI on a 4-node network") {
  TestNet net("tidemark-fincli",
              {.orgs = {"platform:PLATFORM,RETAILER", "supplier:BONDED_WAREHOUSE", "bank:BANK",
                        "stranger:RETAILER"}});
  net.StartAll();
  std::string out;
  fs::path log = net.dir / "cli.log";
  std::string node = "http://127.0.0.1:" + std::to_string(net.nodes[1].http_port);
  std::string platform = KeyFile(net.dir, "platform", net.AdminKey(0));
  std::string supplier = KeyFile(net.dir, "supplier", net.AdminKey(1));
  std::string bank = KeyFile(net.dir, "bank", net.AdminKey(2));
  std::string stranger = KeyFile(net.dir, "stranger", net.AdminKey(3));
  // Runs `tidemark --node <node> -o json fin <args> --key-file <key>`; the JSON answer.
  auto fin = [&](std::vector<std::string> args, const std::string& key, int want_rc) {
    std::vector<std::string> argv = {"--node", node, "-o", "json", "fin"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--key-file", key});
    int rc = Cli(argv, log, &out);
    INFO(out);
    REQUIRE(rc == want_rc);
    size_t brace = out.find('{');
    return brace == std::string::npos ? json() : json::parse(out.substr(brace), nullptr, false);
  };
  auto state = [&](const std::string& id) {
    return fin({"show", id}, supplier, 0)["receivable"]["state"].get<std::string>();
  };
  auto register_invoice = [&](const std::string& number) {
    fs::path file = net.dir / (number + ".json");
    std::ofstream(file) << json{
        {"creditor", "supplier"},
        {"debtor", "platform"},
        {"currency", "CNY"},
        {"contract", {{"number", "C-7"}, {"hash", std::string(64, 'C')}}},
        {"invoices",
         {{{"number", number},
           {"amount", 500'000},
           {"tax", 30'000},
           {"date", "2026-12-01"},
           {"hash", std::string(64, 'b')}}}},
        {"issue_date", "2026-12-01"},
        {"due_date",
         "2027-06-01"}}.dump();
    json r = fin({"register", "--invoice", file.string()}, supplier, 0);
    return r["receivable"].get<std::string>();
  };

  // Dispute and resolve, then confirm; a stranger may do none of it.
  std::string a = register_invoice("A-1");
  fin({"dispute", a, "--reason", "short delivery"}, stranger, 1);
  CHECK_THAT(out, Catch::Contains("fin-debtor"));
  fin({"dispute", a, "--reason", "short delivery"}, platform, 0);
  CHECK(state(a) == "DISPUTED");
  fin({"resolve", a}, supplier, 0);
  CHECK(state(a) == "REGISTERED");
  fin({"confirm", a}, platform, 0);
  // An offer withdrawn, another accepted, released on repayment; a financed receivable was
  // encumbered once, so the creditor can no longer cancel it.
  fin({"offer", a, "--bank", "bank", "--kind", "pledge", "--amount", "400000"}, supplier, 0);
  fin({"withdraw-offer", a}, supplier, 0);
  fin({"accept", a}, bank, 1);
  CHECK_THAT(out, Catch::Contains("fin-offer"));
  fin({"offer", a, "--bank", "bank", "--kind", "factoring_nonrecourse", "--amount", "500000"},
      supplier, 0);
  fin({"accept", a}, bank, 0);
  fin({"release", a}, supplier, 1);
  fin({"release", a}, bank, 0);
  json shown = fin({"show", a}, bank, 0);
  CHECK(shown["receivable"]["parts"][a]["encumbrance"]["state"] == "RELEASED");
  fin({"cancel", a}, supplier, 1);
  CHECK_THAT(out, Catch::Contains("fin-cancel"));
  fin({"show", a}, stranger, 1);

  // Rejected by the debtor; cancelled by the creditor; neither moves again.
  std::string b = register_invoice("B-1");
  fin({"reject", b, "--reason-hash", std::string(64, 'd')}, platform, 0);
  CHECK(state(b) == "REJECTED");
  fin({"confirm", b}, platform, 1);
  CHECK_THAT(out, Catch::Contains("fin-state"));
  std::string c = register_invoice("C-1");
  fin({"cancel", c}, supplier, 0);
  CHECK(state(c) == "CANCELLED");
  json history = fin({"history", a}, platform, 0);
  std::vector<std::string> actions;
  for (const json& e : history["entries"]) actions.push_back(e["action"]);
  CHECK(actions == std::vector<std::string>{"register", "dispute", "resolve", "confirm",
                                            "offer_finance", "withdraw_offer", "offer_finance",
                                            "accept_finance", "release"});
  json list = fin({"list", "--org", "supplier"}, supplier, 0);
  CHECK(list["receivables"].size() == 3);
  CHECK(fin({"list", "--org", "supplier"}, stranger, 0)["receivables"].empty());
}
