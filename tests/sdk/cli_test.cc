// End to end: the built `tidemark` binary, run through its path, against a temporary home.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

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
