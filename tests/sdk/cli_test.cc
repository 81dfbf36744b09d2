// End to end: the built `tidemark` binary, run through its path, against a temporary home.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tidemark/hash.h"

#ifndef TIDEMARK_CLI
#error "TIDEMARK_CLI (path of the tidemark binary) must be defined by CMake"
#endif

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TempHome {
 public:
  TempHome() {
    std::string tmpl = (fs::temp_directory_path() / "tm-cli-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
    Write("pw", "s3cret pass\n");
    Write("wrong-pw", "nope\n");
  }
  ~TempHome() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct Run {
  int code = -1;
  std::string out, err;
  json Json() const {
    json j = json::parse(out, nullptr, false);
    INFO(out);
    REQUIRE_FALSE(j.is_discarded());
    return j;
  }
};

// Runs `tidemark <args>` with stdin from /dev/null and no TIDEMARK_* variables unless given.
Run Tidemark(const TempHome& home, const std::string& args, const std::string& env = "") {
  std::string err_file = home / "stderr";
  std::string cmd = "env -u TIDEMARK_PASSWORD -u TIDEMARK_HOME -u TIDEMARK_NODE " + env + " '" +
                    std::string(TIDEMARK_CLI) + "' --home '" + home.path().string() + "' " + args +
                    " </dev/null 2>'" + err_file + "'";
  Run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  return r;
}

std::string PwFlag(const TempHome& h) { return "--password-file '" + (h / "pw") + "'"; }

}  // namespace

TEST_CASE("cli: keys add, list, show, export, import round trip with --output json") {
  TempHome h;
  Run add = Tidemark(h, "--output json keys add alice --kdf interactive " + PwFlag(h));
  INFO(add.err);
  REQUIRE(add.code == 0);
  std::string pk = add.Json()["public_key"];
  REQUIRE(pk.size() == 64);
  REQUIRE(fs::exists(h.path() / "keys" / "alice.json"));

  Run list = Tidemark(h, "-o json keys list");
  REQUIRE(list.code == 0);
  REQUIRE(list.Json() ==
          json::parse(R"({"keys":[{"name":"alice","public_key":")" + pk + R"("}]})"));

  Run show = Tidemark(h, "keys show alice -o json");  // global flag after the command
  REQUIRE(show.code == 0);
  REQUIRE(show.Json()["public_key"] == pk);

  Run seed = Tidemark(h, "-o json keys export alice --seed", "TIDEMARK_PASSWORD='s3cret pass'");
  INFO(seed.err);
  REQUIRE(seed.code == 0);
  std::string seed_hex = seed.Json()["seed"];
  REQUIRE(seed_hex.size() == 64);
  REQUIRE(seed.Json()["public_key"] == pk);

  h.Write("seed.hex", seed_hex + "\n");
  Run imp = Tidemark(h, "-o json keys import bob --kdf interactive --seed-file '" +
                            (h / "seed.hex") + "' " + PwFlag(h));
  INFO(imp.err);
  REQUIRE(imp.code == 0);
  REQUIRE(imp.Json()["public_key"] == pk);

  Run exported = Tidemark(h, "keys export alice " + PwFlag(h));
  REQUIRE(exported.code == 0);
  REQUIRE(json::parse(exported.out)["public_key"] == pk);
  REQUIRE(exported.out.find(seed_hex) == std::string::npos);  // encrypted by default
  h.Write("alice.export.json", exported.out);
  Run imp2 = Tidemark(h, "-o json keys import carol --kdf interactive --key-file '" +
                             (h / "alice.export.json") + "' " + PwFlag(h));
  INFO(imp2.err);
  REQUIRE(imp2.code == 0);
  REQUIRE(imp2.Json()["public_key"] == pk);

  Run all = Tidemark(h, "-o json keys list");
  REQUIRE(all.Json()["keys"].size() == 3);
  REQUIRE(all.Json()["keys"][2]["name"] == "carol");

  Run rm = Tidemark(h, "keys remove bob");
  REQUIRE(rm.code == 1);  // needs --yes
  REQUIRE(Tidemark(h, "keys remove bob --yes").code == 0);
  REQUIRE(Tidemark(h, "-o json keys list").Json()["keys"].size() == 2);
}

TEST_CASE("cli: failures exit 1 with a clear message") {
  TempHome h;
  REQUIRE(Tidemark(h, "keys add alice --kdf interactive " + PwFlag(h)).code == 0);

  Run wrong = Tidemark(h, "keys export alice --seed --password-file '" + (h / "wrong-pw") + "'");
  REQUIRE(wrong.code == 1);
  REQUIRE(wrong.err == "error: wrong password or corrupted key file\n");
  REQUIRE(wrong.out.empty());

  Run wrong_json =
      Tidemark(h, "-o json keys export alice --password-file '" + (h / "wrong-pw") + "'");
  REQUIRE(wrong_json.code == 1);
  REQUIRE(json::parse(wrong_json.err)["error"]["code"] == "UNAUTHENTICATED");

  Run dup = Tidemark(h, "keys add alice " + PwFlag(h));
  REQUIRE(dup.code == 1);
  REQUIRE_THAT(dup.err, Catch::Contains("already exists"));

  Run missing = Tidemark(h, "keys show nobody");
  REQUIRE(missing.code == 1);
  REQUIRE_THAT(missing.err, Catch::Contains("no key named \"nobody\""));

  Run no_pw = Tidemark(h, "keys add bob");
  REQUIRE(no_pw.code == 1);
  REQUIRE_THAT(no_pw.err,
               Catch::Contains("--password-file") && Catch::Contains("TIDEMARK_PASSWORD"));

  h.Write("keys/broken.json", "{\"version\": 9}");
  Run broken = Tidemark(h, "keys show broken");
  REQUIRE(broken.code == 1);
  REQUIRE_THAT(broken.err, Catch::Contains("unsupported version 9"));
}

TEST_CASE("cli: bad arguments exit 2") {
  TempHome h;
  for (const char* args : {"", "keys", "frobnicate", "keys frob", "keys add",
                           "keys add 'bad/name' --password-file /dev/null", "keys add -x alice",
                           "--output yaml keys list", "keys show", "keys import x",
                           "keys add alice --password-file /no/such/file",
                           "keys add alice --kdf fast", "keys add alice s3cret"}) {
    INFO(args);
    Run r = Tidemark(h, args);
    REQUIRE(r.code == 2);
    REQUIRE_THAT(r.err, Catch::StartsWith("error: "));
  }
  REQUIRE_FALSE(fs::exists(h.path() / "keys"));  // nothing was written
}

TEST_CASE("cli: --help exits 0 and lists the keys commands") {
  TempHome h;
  Run r = Tidemark(h, "keys --help");
  REQUIRE(r.code == 0);
  for (const char* cmd : {"add", "list", "show", "export", "import"}) {
    REQUIRE_THAT(r.out, Catch::Contains(cmd));
  }
}

TEST_CASE("cli: --node is accepted, $TIDEMARK_HOME is the default home") {
  TempHome h;
  REQUIRE(Tidemark(h, "--node http://127.0.0.1:9 keys list").code == 0);
  std::string other = h / "elsewhere";
  std::string cmd = "env -u TIDEMARK_PASSWORD TIDEMARK_HOME='" + other + "' '" +
                    std::string(TIDEMARK_CLI) + "' keys add k --kdf interactive " + PwFlag(h) +
                    " </dev/null >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  REQUIRE(fs::exists(fs::path(other) / "keys" / "k.json"));
}

TEST_CASE("cli: epcis token carries an expiry (--ttl), bad --ttl exits 2") {
  TempHome home;
  Run r = Tidemark(home, "--output json epcis token --ttl 2h");
  REQUIRE(r.code == 0);
  json j = r.Json();
  CHECK(j["token"].get<std::string>().rfind("tmk_", 0) == 0);
  CHECK(j["expires_at"].is_string());
  CHECK(j["config_entry"]["expires_at"] == j["expires_at"]);
  Run d = Tidemark(home, "--output json epcis token");  // default 90 days
  REQUIRE(d.code == 0);
  CHECK(d.Json()["expires_at"] > j["expires_at"]);
  for (const char* bad : {"0d", "2w", "h", "-1d", "9999999d"}) {
    INFO(bad);
    CHECK(Tidemark(home, std::string("epcis token --ttl ") + bad).code == 2);
  }
}

TEST_CASE("cli: network init writes private key files and a capture token per organisation") {
  TempHome home;
  std::string net = home / "net";
  Run r = Tidemark(home, "--output json network init --out '" + net +
                             "' --org acme:BRAND --org bank:BANK --dev-seed cli-test");
  INFO(r.err);
  REQUIRE(r.code == 0);
  for (const char* org : {"acme", "bank"}) {
    for (const char* f :
         {"node_key.json", "admin_key.json", "service_key.json", "capture_token.txt"}) {
      fs::path p = fs::path(net) / org / f;
      INFO(p);
      REQUIRE(fs::exists(p));
      auto perms = fs::status(p).permissions();
      CHECK((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
    }
    std::ifstream in(fs::path(net) / org / "node.json");
    json cfg = json::parse(in);
    REQUIRE(cfg["capture_tokens"].size() == 1);
    CHECK(cfg["capture_tokens"][0]["key_file"] == "admin_key.json");
    CHECK(cfg["capture_tokens"][0]["expires_at"].is_string());
  }
}

namespace {

// A listening socket on a free loopback port that never accepts: a CLI run that connected to it
// leaves a connection in the backlog, so Connected() tells whether anything was sent.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    ::fcntl(fd_, F_SETFL, O_NONBLOCK);
  }
  ~Listener() { ::close(fd_); }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool Connected() const {
    int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return false;
    ::close(c);
    return true;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// docs/finance.md §3, computed here independently of the CLI.
std::string FinHash(const std::string& domain, const std::vector<std::string>& fields) {
  std::string text = domain;
  for (const auto& f : fields) text += "\n" + f;
  return tidemark::Sha256(tidemark::AsBytes(text)).Hex();
}

}  // namespace

TEST_CASE("cli: fin fingerprint computes the fingerprint and invoice key locally") {
  TempHome home;
  Listener node;  // nothing may be sent: the invoice never leaves the machine
  std::string fp = FinHash("tidemark/fin/fingerprint/v1",
                           {"hzbonded", "platform", "INV20260001", "1250000", "2026-11-30"});
  std::string ik =
      FinHash("tidemark/fin/invoice/v1", {"hzbonded", "platform", "INV20260001", "2026-11-30"});
  Run r = Tidemark(home, "--node " + node.Url() +
                             " -o json fin fingerprint --creditor HZBonded --debtor platform "
                             "--number ' inv-2026/0001 ' --amount 1250000 --date 2026-11-30");
  INFO(r.err);
  REQUIRE(r.code == 0);
  json j = r.Json();
  REQUIRE(j["invoices"].size() == 1);
  CHECK(j["invoices"][0]["normalised_number"] == "INV20260001");
  CHECK(j["invoices"][0]["fingerprint"] == fp);
  CHECK(j["invoices"][0]["invoice_key"] == ik);

  // The same invoice from a file (with a second invoice) gives the same hashes; text output
  // names both.
  std::string hex(64, 'a');
  home.Write(
      "inv.json",
      json{{"creditor", "hzbonded"},
           {"debtor", "platform"},
           {"currency", "CNY"},
           {"contract", {{"number", "WS-1"}, {"hash", hex}}},
           {"invoices",
            {{{"number", "INV-2026/0001"},
              {"amount", 1250000},
              {"tax", 0},
              {"date", "2026-11-30"},
              {"hash", hex}},
             {{"number", "INV-2026/0002"}, {"amount", 5}, {"date", "2026-12-01"}, {"hash", hex}}}},
           {"issue_date", "2026-11-30"},
           {"due_date", "2027-05-29"}}
          .dump());
  Run f = Tidemark(
      home, "--node " + node.Url() + " fin fingerprint --invoice '" + (home / "inv.json") + "'");
  INFO(f.err);
  REQUIRE(f.code == 0);
  CHECK_THAT(f.out, Catch::Contains("fingerprint: " + fp));
  CHECK_THAT(f.out, Catch::Contains("invoice_key: " + ik));
  CHECK_THAT(f.out, Catch::Contains("INV20260002"));
  // Another amount: another fingerprint, the same invoice key (what catches a re-registration
  // with a changed amount).
  Run other = Tidemark(home,
                       "-o json fin fingerprint --creditor hzbonded --debtor platform "
                       "--number INV20260001 --amount 1250001 --date 2026-11-30");
  REQUIRE(other.code == 0);
  CHECK(other.Json()["invoices"][0]["fingerprint"] != fp);
  CHECK(other.Json()["invoices"][0]["invoice_key"] == ik);
  CHECK_FALSE(node.Connected());
}

TEST_CASE("cli: fin bad arguments exit 2, name the problem and send nothing") {
  TempHome home;
  Listener node;
  home.Write("k.json", "{}");
  const std::string key = " --key-file '" + (home / "k.json") + "'";
  const std::string id = "rcv_0123456789abcdef0123";
  const std::string hex(64, 'a');
  const std::string good_register =
      "fin register --debtor platform --currency CNY --contract-number WS-1 --contract-hash " +
      hex + " --number INV-1 --amount 100 --date 2026-11-30 --invoice-hash " + hex;
  auto file = [&](const std::string& name, json j) {
    json base = {{"debtor", "platform"},
                 {"currency", "CNY"},
                 {"contract", {{"number", "WS-1"}, {"hash", hex}}},
                 {"invoices",
                  {{{"number", "INV-1"}, {"amount", 100}, {"date", "2026-11-30"}, {"hash", hex}}}},
                 {"issue_date", "2026-11-30"},
                 {"due_date", "2027-05-29"}};
    base.merge_patch(j);
    home.Write(name, base.dump());
    return " --invoice '" + (home / name) + "'";
  };
  struct Bad {
    std::string args, says;
  };
  const std::vector<Bad> cases = {
      {"fin fingerprint --creditor a --debtor b --number 'INV#1' --amount 1 --date 2026-01-01",
       "number"},
      {"fin fingerprint --creditor a --debtor b --number X --amount 1 --date 2026-02-30", "date"},
      {"fin fingerprint --creditor a --debtor b --number X --amount -1 --date 2026-01-01",
       "--amount"},
      {"fin fingerprint --creditor a --debtor b --number X --amount 1000000000000001 --date "
       "2026-01-01",
       "10^15"},
      {"fin fingerprint --debtor b --number X --amount 1 --date 2026-01-01", "--creditor"},
      {"fin fingerprint --creditor 'A B' --debtor b --number X --amount 1 --date 2026-01-01",
       "organisation"},
      {good_register + " --due-date 2026-11-30" + key, "fin-term"},
      {good_register + " --due-date 2027-12-02" + key, "fin-term"},  // 367 days
      {good_register + " --due-date 2027-05-29 --require-delivery" + key, "fin-delivery-refs"},
      {good_register + " --due-date 2027-05-29 --ref po" + key, "--ref"},
      {good_register + " --due-date 2027-05-29 --currency cny" + key, "currency"},
      {good_register + " --due-date 2027-05-29 --creditor platform" + key, "fin-parties"},
      {good_register + " --due-date 2027-05-29", "--key"},
      {"fin register --debtor platform --currency CNY --contract-number WS-1 --contract-hash "
       "abc --number INV-1 --amount 100 --date 2026-11-30 --invoice-hash " +
           hex + " --due-date 2027-05-29" + key,
       "64 hex"},
      {"fin register --currency CNY" + file("f0.json", json::object()) + key, "not both"},
      {"fin register --contract-hash " + hex + file("f0.json", json::object()) + key, "not both"},
      {"fin register" + file("f1.json", {{"amount", 5}}) + key, "unknown field"},
      {"fin register" +
           file("f2.json",
                {{"invoices",
                  {{{"number", "INV-1"}, {"amount", 1}, {"date", "2026-11-30"}, {"hash", hex}},
                   {{"number", "inv 1"}, {"amount", 2}, {"date", "2026-11-30"}, {"hash", hex}}}}}) +
           key,
       "fin-duplicate"},
      {"fin register" +
           file("f3.json", {{"invoices",
                             {{{"number", "INV-1"},
                               {"amount", 1.5},
                               {"date", "2026-11-30"},
                               {"hash", hex}}}}}) +
           key,
       "amount"},
      {"fin confirm rcv_123" + key, "rcv_"},
      {"fin confirm " + id + ".1" + key, "rcv_"},
      {"fin dispute " + id + key, "--reason"},
      {"fin reject " + id + " --reason x --reason-hash " + hex + key, "exactly one"},
      {"fin split " + id + " --amounts 100" + key, "--amounts"},
      {"fin split " + id + " --amounts 1,,2" + key, "--amounts"},
      {"fin split " + id + " --amounts 1,0" + key, "--amounts"},
      {"fin split " + id + ".0 --amounts 1,2" + key, "PART"},
      {"fin split " + id + ".1.17 --amounts 1,2" + key, "PART"},
      {"fin transfer " + id +
           [] {
             std::string deep;
             for (int i = 0; i < 40; ++i) deep += ".1";  // 24 + 160 characters: > 128
             return deep + deep;
           }() +
           " --to bank" + key,
       "128"},
      {"fin transfer " + id + ".1 --to 'Not An Org'" + key, "--to"},
      {"fin offer " + id + ".1 --bank bank --kind loan --amount 5" + key, "--kind"},
      {"fin offer " + id + ".1 --bank bank --kind pledge --amount 0" + key, "--amount"},
      {"fin accept " + id + "x" + key, "PART"},
      {"fin show " + id, "--key"},
      {"fin list --org 'x y'" + key, "--org"},
      {"fin check --creditor a --debtor b --number X --amount 1 --date 2026-01-01", "--key"},
      {"fin check --creditor a --debtor b --number X --amount 1x --date 2026-01-01" + key,
       "--amount"},
  };
  for (const Bad& b : cases) {
    INFO(b.args);
    Run r = Tidemark(home, "--node " + node.Url() + " " + b.args);
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::StartsWith("error: ") && Catch::Contains(b.says));
  }
  CHECK_FALSE(node.Connected());
}

TEST_CASE("cli: plg bad arguments exit 2, name the problem and send nothing") {
  using namespace std::string_literals;
  TempHome home;
  Listener node;
  home.Write("k.json", "{}");
  const std::string key = " --key-file '" + (home / "k.json") + "'";
  const std::string ipp = "ipp_0123456789abcdef0123";
  const std::string eqp = "eqp_0123456789abcdef0123";
  const std::string wr = "wr_0123456789abcdef0123";
  const std::string hex(64, 'a');
  const std::string uscc = "91350100M000100Y43";  // GB 32100-2015's example: valid
  // `cmd` with `flags`, each overridden by `over` when named there (an empty value drops it):
  // CLI11 refuses a flag given twice, so each case changes one flag of a good command.
  using Flags = std::vector<std::pair<std::string, std::string>>;
  auto cmd = [](const std::string& head, const Flags& flags, const Flags& over = {}) {
    std::string out = head;
    for (auto [k, v] : flags) {
      for (const auto& [ok, ov] : over) {
        if (ok == k) v = ov;
      }
      if (!v.empty()) out += " " + k + " " + v;
    }
    for (const auto& [ok, ov] : over) {
      bool known = false;
      for (const auto& [k, v] : flags) known = known || k == ok;
      if (!known) out += " " + ok + " " + ov;
    }
    return out;
  };
  const Flags asset_flags = {{"--kind", "invention"},
                             {"--number", "ZL1"},
                             {"--title", "Pump"},
                             {"--owner", "acme"},
                             {"--filing-date", "2024-01-02"},
                             {"--expiry-date", "2044-01-02"}};
  auto asset_register = [&](const Flags& over) {
    return cmd("ip asset-register", asset_flags, over);
  };
  const Flags ip_flags = {{"--asset", "invention:ZL1"},   {"--pledgee", "bank"},
                          {"--debt-amount", "5000000"},   {"--currency", "CNY"},
                          {"--debt-start", "2026-12-01"}, {"--debt-due", "2027-12-01"},
                          {"--contract-hash", hex}};
  auto ip_apply = [&](const Flags& over) { return cmd("ip apply", ip_flags, over); };
  const Flags eq_flags = {{"--uscc", uscc},        {"--pledgee", "bank"},
                          {"--amount", "400"},     {"--debt-amount", "2000"},
                          {"--currency", "CNY"},   {"--debt-due", "2027-12-01"},
                          {"--contract-hash", hex}};
  auto eq_apply = [&](const Flags& over) { return cmd("equity apply", eq_flags, over); };
  const Flags wr_flags = {{"--bank", "bank"},
                          {"--amount", "900000"},
                          {"--currency", "CNY"},
                          {"--debt-due", "2027-06-01"}};
  auto wr_offer = [&](const Flags& over) { return cmd("wr offer " + wr, wr_flags, over); };
  struct Bad {
    std::string args, says;
  };
  const std::vector<Bad> cases = {
      // IP assets.
      {asset_register({{"--kind", "patent"}}) + key, "--kind"},
      {asset_register({{"--number", "'ZL/1'"}}) + key, "--number"},
      {asset_register({{"--number", std::string(33, '1')}}) + key, "--number"},
      {asset_register({{"--owner", "'Acme Ltd'"}}) + key, "--owner"},
      {asset_register({{"--owner", "acme,acme"}}) + key, "listed twice"},
      {asset_register({{"--owner", "a,b,c,d,e,f,g,h,i"}}) + key, "1 to 8"},
      {asset_register({{"--grant-date", "2025-02-30"}}) + key, "--grant-date"},
      {asset_register({{"--status", "lapsed"}}) + key, "--status"},
      {asset_register({{"--filing-date", ""}}) + key, "--filing-date"},
      {asset_register({{"--expiry-date", "2024-01-01"}}) + key, "--expiry-date: before"},
      {asset_register({{"--grant-date", "2023-12-31"}}) + key, "--grant-date: before"},
      {asset_register({{"--kind", "trademark"}, {"--annuity-paid-until", "2027-01-01"}}) + key,
       "patent kinds only"},
      {"ip asset-update trademark:T1 --annuity-paid-until 2027-01-01" + key, "patent kinds only"},
      {"ip asset-update invention:ZL1 --grant-date 2025-02-29" + key, "--grant-date"},
      {asset_register({{"--title", "''"}}) + key, "--title"},
      {asset_register({}), "--key"},
      {"ip asset-update invention:ZL1" + key, "at least one"},
      {"ip asset-update patent:ZL1 --status valid" + key, "ASSET"},
      {"ip transfer invention:ZL1" + key, "--to"},
      {"ip licence invention:ZL1 --licensee lic" + key, "--contract-hash"},
      {"ip licence invention:ZL1 --licensee lic --contract-hash abc" + key, "64 hex"},
      {"ip pledgee-consent " + ipp + " --action sell --to a" + key, "--action"},
      {"ip pledgee-consent " + ipp + " --action licence --to a,b" + key, "--to"},
      // IP pledges.
      {ip_apply({{"--debt-due", "2026-11-30"}}) + key, "--debt-due: before --debt-start"},
      {ip_apply({{"--contract-hash", ""}}) + key, "--contract-hash"},
      {ip_apply({{"--debt-amount", "0"}}) + key, "--debt-amount"},
      {ip_apply({{"--debt-amount", "1000000000000001"}}) + key, "10^15"},
      {ip_apply({{"--debt-amount", "12.5"}}) + key, "--debt-amount"},
      {ip_apply({{"--currency", "cny"}}) + key, "--currency"},
      {ip_apply({{"--debt-start", ""}}) + key, "--debt-start"},
      {ip_apply({{"--asset", "ZL1"}}) + key, "--asset"},
      {"ip accept ipp_123" + key, "PLEDGE"},
      {"ip accept " + eqp + key, "ipp_"},
      {"ip register " + ipp + key, "--registration-no"},
      {"ip register " + ipp + " --registration-no 'Y 1'" + key, "--registration-no"},
      {"ip change " + ipp + " --application-hash " + hex + key, "--debt-amount"},
      {"ip change " + ipp + " --debt-due 2028-01-01" + key, "--application-hash"},
      {"ip object " + ipp + key, "--reason"},
      {"ip resolve " + ipp + key, "exactly one of --upheld, --dismissed"},
      {"ip resolve " + ipp + " --upheld --dismissed" + key, "exactly one"},
      {"ip enforce " + ipp + key, "--to"},
      {"ip review invention" + key, "ASSET"},
      // Equity.
      {"equity holding --org acme --uscc 91350100M000100Y44 --company Acme --amount 5" + key,
       "GB 32100-2015"},
      {"equity holding --org acme --uscc 91350100M000100Y4 --company Acme --amount 5" + key,
       "--uscc"},
      {"equity holding --org acme --uscc " + uscc + " --company Acme --amount -5" + key,
       "--amount"},
      {"equity holding --org acme --uscc " + uscc + " --amount 5" + key, "--company"},
      {eq_apply({{"--pledgee", "'Bank One'"}}) + key, "--pledgee"},
      {eq_apply({{"--uscc", "91350100m000100y43"}}) + key, "--uscc"},
      {eq_apply({{"--debt-due", "2027-13-01"}}) + key, "--debt-due"},
      {eq_apply({{"--contract-hash", ""}}) + key, "--contract-hash"},
      {"equity register " + ipp + " --registration-no Y1" + key, "eqp_"},
      {"equity change " + eqp + " --application-hash " + hex + key, "at least one"},
      {"equity withdraw " + eqp, "--key"},
      // Warehouse receipts.
      {"wr issue" + key, "--item"},
      {"wr issue --item x --depositor 'A B'" + key, "--depositor"},
      {"wr issue --item " + std::string(257, 'x') + key, "--item"},
      {wr_offer({{"--amount", "0"}}) + key, "--amount"},
      {wr_offer({{"--debt-due", "tomorrow"}}) + key, "--debt-due"},
      {wr_offer({{"--bank", ""}}) + key, "--bank"},
      {"wr accept wr_0123" + key, "RECEIPT"},
      {"wr release " + wr + key, "exactly one"},
      {"wr release " + wr + " --item a --quantity 2" + key, "exactly one"},
      {"wr release " + wr + " --quantity 1001" + key, "--quantity"},
      {"wr transfer " + wr + " --to 'X Y'" + key, "--to"},
      // Reads.
      {"plg show rcv_0123456789abcdef0123" + key, "ID"},
      {"plg show " + ipp, "--key"},
      {"plg history " + wr + "x" + key, "ID"},
      {"plg show patent:ZL1" + key, "ID"},
      {"plg history eqh:acme:91350100M000100Y44" + key, "ID"},
      {"plg show eqh:Acme:" + uscc + key, "ID"},
      {"plg list --org 'x y'" + key, "--org"},
      {"plg gazette 'Y 1'", "REGISTRATION_NO"},
      {"reg alerts --limit 0" + key, "--limit"},
      {"reg alerts --limit 101" + key, "--limit"},
      {"reg alerts --from-height -1" + key, "--from-height"},
      {"reg alerts --from-height 12a" + key, "--from-height"},
      {"reg export --from 2026-12-01 --to 2026-12-31 --format xml" + key, "--format"},
      {"reg export --from 2026-02-30 --to 2026-12-31" + key, "--from"},
      {"reg export --from 2026-12-02 --to 2026-12-01" + key, "--to"},
      {"reg export --from 2026-12-01" + key, "--to"},
      {"reg export --from 1796169600000 --to 1796169600000" + key, "--to: after --from"},
      {"reg export --from 2026-12-01 --to 12.5" + key, "--to"},
      {"reg export --from 2026-12-01 --to 2026-12-31", "--key"},
  };
  for (const Bad& b : cases) {
    INFO(b.args);
    Run r = Tidemark(home, "--node " + node.Url() + " " + b.args);
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::StartsWith("error: ") && Catch::Contains(b.says));
  }
  // The good commands each case spoils pass every check: they fail only on the (empty) key file,
  // after parsing and before anything is sent.
  for (const std::string& good : {
           asset_register({}),
           asset_register({{"--grant-date", "2025-03-04"}, {"--status", "fee_unpaid"}}),
           ip_apply({}),
           eq_apply({}),
           wr_offer({}),
           "ip asset-update invention:zl1 --status valid"s,
           "ip asset-update design:D1 --grant-date 2025-03-04 --annuity-paid-until 2027-01-01"s,
           ip_apply({{"--debt-due", "2026-12-01"}}),
           "ip pledgee-consent " + ipp + " --action transfer --to b,a",
           "ip change " + ipp + " --debt-due 2028-01-01 --application-hash " + hex,
           "ip resolve " + ipp + " --dismissed",
           "ip review invention:ZL1"s,
           "equity holding --org acme --uscc " + uscc + " --company 'Acme Ltd' --amount 5",
           "equity change " + eqp + " --amount 300 --application-hash " + hex,
           "wr issue --item urn:epc:id:sgtin:0614141.107346.1 --depositor acme"s,
           "wr release " + wr + " --quantity 3",
           "plg list --org acme"s,
           "plg show trademark:58231477"s,
           "plg history invention:zl1"s,
           "plg show eqh:acme:" + uscc,
           "reg alerts --from-height 0 --limit 100"s,
           "reg export --from 2026-12-01 --to 1796169600000 --format csv"s,
       }) {
    INFO(good);
    Run r = Tidemark(home, "--node " + node.Url() + " " + good + key);
    INFO(r.err);
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("key file"));
  }
  CHECK_FALSE(node.Connected());
}
