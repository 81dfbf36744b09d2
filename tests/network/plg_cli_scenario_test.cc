// The pledge registry through the CLI (cli/plg_cmd.cc) on a running 4-node network: a bonded
// warehouse issues a receipt over goods it stores, offers it to a bank, the bank accepts and
// releases it in two steps; the registrar records an equity holding, the holder applies to pledge
// part of it, the bank accepts, the registrar registers it and the gazette publishes it; the
// signed reads answer the parties and the regulator and refuse a stranger (docs/finance.md
// §12-§17). The goods are set up with the C++ SDK (provenance is not this test's subject): the
// warehouse, also a MANUFACTURER here, commissions them and stores them at its own location.
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <thread>

#include "net_util.h"
#include "tidemark/client/contract_calls.h"
#include "tidemark/client/ledger_client.h"
#include "tidemark/contracts/epcis.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;

namespace {

const std::string kWh = "urn:epc:id:sgln:0614141.22222.0";
const std::vector<std::string> kItems = {"urn:epc:id:sgtin:0614141.107346.2001",
                                         "urn:epc:id:sgtin:0614141.107346.2002"};
const std::string kUscc = "91350100M000100Y43";

void Committed(const Result<client::TxOutcome>& o, const std::string& what) {
  INFO(what);
  REQUIRE(o.ok());
  INFO(o->reason);
  REQUIRE(o->status == "committed");
}

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

json StockEvent(const std::string& action, const std::string& step) {
  return json{{"type", "ObjectEvent"},
              {"action", action},
              {"bizStep", step},
              {"eventTime", "2026-11-28T09:00:00.000+08:00"},
              {"eventTimeZoneOffset", "+08:00"},
              {"epcList", kItems},
              {"bizLocation", {{"id", kWh}}}};
}

// A stand-in node on 127.0.0.1 that answers GET <path> (query ignored) with a fixed JSON body,
// one connection at a time, until destroyed: a node that lies.
class FakeNode {
 public:
  explicit FakeNode(std::map<std::string, json> answers) : answers_(std::move(answers)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    REQUIRE(::listen(fd_, 8) == 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeNode() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void Serve() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      while (req.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      std::string path = req.substr(4, req.find(' ', 4) - 4);
      path = path.substr(0, path.find('?'));
      auto it = answers_.find(path);
      std::string body = it == answers_.end() ? R"({"title":"not found"})" : it->second.dump();
      std::string resp =
          std::string("HTTP/1.1 ") + (it == answers_.end() ? "404" : "200") +
          " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\nConnection: close\r\n\r\n" + body;
      ::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }
  std::map<std::string, json> answers_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("plg cli scenario: a warehouse receipt and an equity pledge through the CLI") {
  TestNet net("tidemark-plgcli", {.orgs = {"warehouse:BONDED_WAREHOUSE,MANUFACTURER", "bank:BANK",
                                           "regulator:REGULATOR", "acme:RETAILER"}});
  net.StartAll();
  const size_t kWarehouse = 0, kBank = 1, kRegulator = 2, kAcme = 3;
  std::string out;
  fs::path log = net.dir / "cli.log";
  std::string node = "http://127.0.0.1:" + std::to_string(net.nodes[kBank].http_port);
  std::string warehouse = KeyFile(net.dir, "warehouse", net.AdminKey(kWarehouse));
  std::string bank = KeyFile(net.dir, "bank", net.AdminKey(kBank));
  std::string regulator = KeyFile(net.dir, "regulator", net.AdminKey(kRegulator));
  std::string acme = KeyFile(net.dir, "acme", net.AdminKey(kAcme));
  // `tidemark --node <node> -o json <args> [--key-file <key>]`; the JSON answer.
  auto cli = [&](std::vector<std::string> args, const std::string& key, int want_rc) {
    std::vector<std::string> argv = {"--node", node, "-o", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    if (!key.empty()) argv.insert(argv.end(), {"--key-file", key});
    int rc = Cli(argv, log, &out);
    INFO(out);
    REQUIRE(rc == want_rc);
    size_t brace = out.find('{');
    return brace == std::string::npos ? json() : json::parse(out.substr(brace), nullptr, false);
  };
  // A --proof read answers at the newest certified state, a block or two behind: asks again until
  // `done` holds of the answer (10 s at most).
  auto proven_read = [&](std::vector<std::string> args, const std::string& key,
                         const std::function<bool(const json&)>& done) {
    std::vector<std::string> argv = {"--node", node, "-o", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    if (!key.empty()) argv.insert(argv.end(), {"--key-file", key});
    json j;
    for (int i = 0; i < 100; ++i) {
      int rc = Cli(argv, log, &out);
      size_t brace = out.find('{');
      j = brace == std::string::npos ? json() : json::parse(out.substr(brace), nullptr, false);
      if (rc == 0 && done(j)) return j;
      std::this_thread::sleep_for(100ms);
    }
    INFO(out);
    FAIL("no proven answer");
    return j;
  };
  auto state = [&](const std::string& id, const std::string& key) {
    return cli({"plg", "show", id}, key, 0)["record"]["state"].get<std::string>();
  };

  // The goods: commissioned and stored by the warehouse at its own location.
  client::LedgerClient wc({"127.0.0.1", net.nodes[kWarehouse].http_port, ""}, "");
  KeyPair wkey = net.AdminKey(kWarehouse);
  Committed(client::RegisterLocation(wc, wkey, {.gln = kWh, .name = "Bonded warehouse"}),
            "location");
  for (const auto& [action, step] : {std::pair{"ADD", "commissioning"}, {"OBSERVE", "storing"}}) {
    auto ev = contracts::ParseEpcisEvent(StockEvent(action, step), step);
    REQUIRE(ev.ok());
    Committed(client::CaptureEvents(wc, wkey, {*ev}), step);
  }

  // Warehouse receipt: issue, offer, accept, release one item, then the last.
  json issued = cli({"wr", "issue", "--item", kItems[0] + "," + kItems[1], "--description",
                     "face cream, 2 cases"},
                    warehouse, 0);
  const std::string wr = issued["receipt"];
  REQUIRE(wr.rfind("wr_", 0) == 0);
  CHECK(state(wr, warehouse) == "ISSUED");
  cli({"wr", "offer", wr, "--bank", "bank", "--amount", "900000", "--currency", "CNY", "--debt-due",
       "2027-06-01"},
      warehouse, 0);
  cli({"wr", "accept", wr}, acme, 1);  // not the offered bank: refused by the ledger
  CHECK_THAT(out, Catch::Contains("rejected") && Catch::Contains("rule plg-receipt"));
  cli({"wr", "accept", wr}, bank, 0);
  CHECK(state(wr, bank) == "PLEDGED");
  cli({"wr", "release", wr, "--quantity", "1"}, bank, 0);
  json partly = cli({"plg", "show", wr}, bank, 0);
  CHECK(partly["record"]["state"] == "PLEDGED");
  CHECK(partly["record"]["released"].size() == 1);
  cli({"wr", "release", wr, "--quantity", "1"}, bank, 0);
  CHECK(state(wr, warehouse) == "RELEASED");
  // The record, verified from the network's genesis file.
  const std::string genesis = (net.dir / "genesis.json").string();
  json proven = proven_read({"plg", "show", wr, "--proof", "--genesis", genesis}, bank,
                            [](const json& j) { return j["record"]["state"] == "RELEASED"; });
  CHECK(proven["verified"] == true);
  cli({"plg", "show", wr}, acme, 1);  // a stranger reads nothing
  CHECK(out.find("RELEASED") == std::string::npos);
  json hist = cli({"plg", "history", wr}, regulator, 0);
  std::vector<std::string> actions;
  for (const json& e : hist["entries"]) actions.push_back(e["action"]);
  CHECK(actions ==
        std::vector<std::string>{"wr_issue", "wr_offer", "wr_accept", "wr_release", "wr_release"});

  // Equity: holding, apply, accept, register; the gazette publishes it.
  cli({"equity", "holding", "--org", "acme", "--uscc", kUscc, "--company", "Acme Trading Co",
       "--amount", "1000000"},
      regulator, 0);
  json applied = cli({"equity", "apply", "--uscc", kUscc, "--pledgee", "bank", "--amount", "400000",
                      "--debt-amount", "2000000", "--currency", "CNY", "--debt-due", "2027-12-01",
                      "--contract-hash", std::string(64, 'c')},
                     acme, 0);
  const std::string eqp = applied["pledge"];
  REQUIRE(eqp.rfind("eqp_", 0) == 0);
  CHECK(state(eqp, acme) == "APPLIED");
  cli({"equity", "accept", eqp}, bank, 0);
  cli({"equity", "register", eqp, "--registration-no", "GQ-2026-0001"}, regulator, 0);
  CHECK(state(eqp, bank) == "REGISTERED");
  json gazette = cli({"plg", "gazette", "GQ-2026-0001"}, "", 0);  // public: no key
  CHECK(gazette["entry"]["kind"] == "equity");
  CHECK(gazette["entry"]["uscc"] == kUscc);
  CHECK(gazette["entry"].dump().find("400000") == std::string::npos);  // no amounts
  json gz = proven_read({"plg", "gazette", "GQ-2026-0001", "--proof", "--genesis", genesis}, "",
                        [](const json& j) { return j["entry"]["state"] == "REGISTERED"; });
  CHECK(gz["verified"] == true);
  // A node that lies about the entry, or ships no proof, is caught: exit 1, nothing proven.
  json lie = gz;
  lie.erase("verified");
  lie["entry"]["state"] = "RELEASED";
  json bare = lie;
  bare.erase("proof");
  for (const auto& [answer, says] :
       {std::pair{lie, "differs from the proven value"}, {bare, "carries no proof bundle"}}) {
    FakeNode fake({{"/v1/status", *net.nodes[kBank].Get("/v1/status")},
                   {"/v1/plg/gazette/GQ-2026-0001", answer}});
    REQUIRE(Cli({"--node", fake.Url(), "plg", "gazette", "GQ-2026-0001", "--proof", "--genesis",
                 genesis},
                log, &out) == 1);
    CHECK_THAT(out, Catch::Contains("does not verify") && Catch::Contains(says));
    CHECK(out.find("verified:") == std::string::npos);
  }
  json listed = cli({"plg", "list", "--org", "acme"}, acme, 0);
  // The equity pledge and acme's holding (eqh:acme:<uscc>, docs/finance.md §14).
  CHECK(listed["records"].size() == 2);
  CHECK(listed.dump().find("eqh:acme:" + std::string(kUscc)) != std::string::npos);
  cli({"reg", "alerts"}, regulator, 0);
  cli({"reg", "alerts"}, bank, 1);  // the regulator's only

  // The regulator's export: every history entry, in time order, as JSON lines or CSV. The route
  // (GET /v1/reg/export) comes with branch plg-api2; until a node serves it, this part is skipped.
  std::vector<std::string> all = {"--node", node,         "-o",         "json",
                                  "reg",    "export",     "--from",     "2000-01-01",
                                  "--to",   "2999-12-31", "--key-file", regulator};
  int rc = Cli(all, log, &out);
  if (rc == 1 && out.find("NOT_FOUND") != std::string::npos) {
    WARN("GET /v1/reg/export is not served by this node yet: reg export not exercised");
    return;
  }
  INFO(out);
  REQUIRE(rc == 0);
  std::vector<std::string> lines;
  for (size_t at = 0; at < out.size();) {
    size_t nl = out.find('\n', at);
    std::string line = out.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    if (line.find("\"action\"") != std::string::npos) lines.push_back(line);
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  // 5 entries of the receipt, 3 of the equity pledge, 1 of the holding (its eq_holding).
  CHECK(lines.size() == 9);
  CHECK_THAT(out, Catch::Contains("wr_issue") && Catch::Contains("eq_register") &&
                      Catch::Contains("eq_holding"));
  fs::path csv = net.dir / "export.csv";
  all.insert(all.end(), {"--format", "csv", "--out", csv.string()});
  REQUIRE(Cli(all, log, &out) == 0);
  CHECK_THAT(out, Catch::Contains(csv.string()));
  std::string body = Slurp(csv);
  CHECK_THAT(body, Catch::Contains("wr_offer") && Catch::Contains("eq_accept"));
  CHECK(body.find("\r\n") != std::string::npos);
  cli({"reg", "export", "--from", "2000-01-01", "--to", "2999-12-31"}, bank, 1);
  CHECK_THAT(out, Catch::Contains("PERMISSION_DENIED"));
}

TEST_CASE("plg cli scenario: an IP pledge over a co-owned patent through the CLI") {
  TestNet net("tidemark-ipcli",
              {.orgs = {"cnipa:IP_REGISTRY", "acme:RETAILER", "beta:RETAILER", "bank:BANK"}});
  net.StartAll();
  std::string out;
  fs::path log = net.dir / "cli.log";
  std::string node = "http://127.0.0.1:" + std::to_string(net.nodes[0].http_port);
  std::string cnipa = KeyFile(net.dir, "cnipa", net.AdminKey(0));
  std::string acme = KeyFile(net.dir, "acme", net.AdminKey(1));
  std::string beta = KeyFile(net.dir, "beta", net.AdminKey(2));
  std::string bank = KeyFile(net.dir, "bank", net.AdminKey(3));
  auto cli = [&](std::vector<std::string> args, const std::string& key, int want_rc) {
    std::vector<std::string> argv = {"--node", node, "-o", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    if (!key.empty()) argv.insert(argv.end(), {"--key-file", key});
    int rc = Cli(argv, log, &out);
    INFO(out);
    REQUIRE(rc == want_rc);
    size_t brace = out.find('{');
    return brace == std::string::npos ? json() : json::parse(out.substr(brace), nullptr, false);
  };

  // The registry records the patent (owners given in any order, the number in lower case).
  std::vector<std::string> argv = {"--node",
                                   node,
                                   "-o",
                                   "json",
                                   "ip",
                                   "asset-register",
                                   "--kind",
                                   "invention",
                                   "--number",
                                   "zl2024100001.1",
                                   "--title",
                                   "Impeller pump",
                                   "--owner",
                                   "beta,acme",
                                   "--filing-date",
                                   "2024-01-02",
                                   "--grant-date",
                                   "2025-03-04",
                                   "--expiry-date",
                                   "2044-01-02",
                                   "--key-file",
                                   cnipa};
  int rc = Cli(argv, log, &out);
  if (rc == 1 && out.find("plg-method") != std::string::npos) {
    WARN("the plg contract has no ip_* methods on this build (plg_ip.cc, branch plg-ip2)");
    return;
  }
  INFO(out);
  REQUIRE(rc == 0);
  const std::string asset = "invention:ZL2024100001.1";
  CHECK_THAT(out, Catch::Contains(asset));
  cli({"ip", "asset-update", asset, "--annuity-paid-until", "2099-01-02"}, cnipa, 0);

  // acme applies, the bank accepts, the co-owner consents, the registry registers.
  json applied = cli({"ip", "apply", "--asset", "invention:zl2024100001.1", "--pledgee", "bank",
                      "--debt-amount", "5000000", "--currency", "CNY", "--debt-start", "2026-12-01",
                      "--debt-due", "2030-12-01", "--contract-hash", std::string(64, 'e')},
                     acme, 0);
  const std::string ipp = applied["pledge"];
  REQUIRE(ipp.rfind("ipp_", 0) == 0);
  cli({"ip", "register", ipp, "--registration-no", "Y2026990001"}, cnipa, 1);  // no consent yet
  CHECK_THAT(out, Catch::Contains("rule plg-"));
  cli({"ip", "accept", ipp}, bank, 0);
  cli({"ip", "consent", ipp}, beta, 0);
  cli({"ip", "register", ipp, "--registration-no", "Y2026990001"}, cnipa, 0);
  auto state = [&] {
    return cli({"plg", "show", ipp}, bank, 0)["record"]["state"].get<std::string>();
  };
  CHECK(state() == "REGISTERED");
  json gazette = cli({"plg", "gazette", "Y2026990001"}, "", 0);
  CHECK(gazette["entry"]["kind"] == "ip");
  CHECK(gazette["entry"]["asset"] == asset);

  // The registry extends the debt; the pledgee consents to a licence, the owner licenses; the
  // bank releases on repayment; anyone may ask for a review.
  cli({"ip", "change", ipp, "--debt-due", "2031-12-01", "--application-hash", std::string(64, 'f')},
      cnipa, 0);
  CHECK(state() == "EXTENDED");
  cli({"ip", "licence", asset, "--licensee", "bank", "--contract-hash", std::string(64, '1')}, acme,
      1);  // the pledgee has not consented
  CHECK_THAT(out, Catch::Contains("rule plg-pledgee-consent"));
  cli({"ip", "pledgee-consent", ipp, "--action", "licence", "--to", "bank"}, bank, 0);
  cli({"ip", "licence", asset, "--licensee", "bank", "--contract-hash", std::string(64, '1')}, acme,
      0);
  cli({"ip", "release", ipp}, acme, 1);  // only the pledgee
  cli({"ip", "release", ipp}, bank, 0);
  CHECK(state() == "RELEASED");
  cli({"ip", "review", asset}, beta, 0);
  json hist = cli({"plg", "history", ipp}, acme, 0);
  std::vector<std::string> actions;
  for (const json& e : hist["entries"]) actions.push_back(e["action"]);
  CHECK(actions.front() == "ip_apply");
  CHECK(actions.back() == "ip_release");
}
