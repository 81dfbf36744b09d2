// `tidemark verify` on finance answers (cli/proof_cmd.cc, fin_answer.h): the built binary judges
// every "fin_answers" case of tests/vectors/proof_vectors.json as the SDK verifiers do — exit 0
// with what is proven, or exit 1 naming why — and checks the answer against what was asked
// (--fingerprint / --invoice-key / --receivable) rather than what the answer says it is about.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#ifndef TIDEMARK_CLI
#error "TIDEMARK_CLI (path of the tidemark binary) must be defined by CMake"
#endif

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Run {
  int code = -1;
  std::string out, err;
};

class Dir {
 public:
  Dir() {
    std::string tmpl = (fs::temp_directory_path() / "tm-finverify-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~Dir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const json& j) const {
    std::ofstream(path_ / name) << j.dump();
    return (path_ / name).string();
  }
  Run Tidemark(const std::string& args) const {
    const std::string err_file = (path_ / "stderr").string();
    std::string cmd = "env -u TIDEMARK_HOME -u TIDEMARK_NODE '" + std::string(TIDEMARK_CLI) +
                      "' --home '" + path_.string() + "' " + args + " </dev/null 2>'" + err_file +
                      "'";
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

 private:
  fs::path path_;
};

const json& Doc() {
  static const json doc = [] {
    std::ifstream f(TIDEMARK_SOURCE_DIR "/tests/vectors/proof_vectors.json", std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return json::parse(ss.str());
  }();
  return doc;
}

// The flags that say what was asked.
std::string Asked(const json& c) {
  if (c["kind"] == "check") {
    return " --fingerprint " + c["ask"]["fingerprint"].get<std::string>() + " --invoice-key " +
           c["ask"]["invoice_key"].get<std::string>();
  }
  return " --receivable " + c["ask"]["id"].get<std::string>();
}

}  // namespace

TEST_CASE("cli: verify judges every fin_answers vector as the SDK verifiers do") {
  Dir dir;
  const std::string genesis = dir.Write("genesis.json", Doc()["trust"]);
  for (const auto& c : Doc()["fin_answers"]) {
    const std::string name = c["name"];
    INFO(name);
    std::string file = dir.Write(name + ".json", c["answer"]);
    Run r =
        dir.Tidemark("verify '" + file + "' --genesis '" + genesis + "'" + Asked(c) + " -o json");
    INFO(r.out << r.err);
    if (c["expect"] == "ok") {
      REQUIRE(r.code == 0);
      json out = json::parse(r.out);
      CHECK(out["verified"] == true);
      CHECK(out["height"] == 12);
      CHECK(out["what"] == (c["kind"] == "check" ? "fin_check" : "fin_receivable"));
      if (c.contains("state")) CHECK(out["state"] == c["state"]);
      if (c["kind"] == "receivable") CHECK(out["overdue"] == c["answer"]["overdue"]);
    } else {
      CHECK(r.code == 1);
      json err = json::parse(r.err, nullptr, false);
      REQUIRE(err.is_object());
      const std::string message = err["error"]["message"];
      if (name == "check_no_proof") {
        CHECK(message.find("no \"proof\"") != std::string::npos);
      } else {
        CHECK(message == "verification failed: " + c["reason"].get<std::string>());
      }
    }
  }
}

TEST_CASE("cli: verify checks a fin answer against what was asked, not what it names") {
  Dir dir;
  const std::string genesis = dir.Write("genesis.json", Doc()["trust"]);
  const json* registered = nullptr;
  const json* free_check = nullptr;
  for (const auto& c : Doc()["fin_answers"]) {
    if (c["name"] == "check_registered") registered = &c;
    if (c["name"] == "check_free") free_check = &c;
  }
  REQUIRE(registered != nullptr);
  REQUIRE(free_check != nullptr);
  // A true "free" answer about another invoice, shown for the registered one: refused.
  std::string file = dir.Write("free.json", (*free_check)["answer"]);
  Run r = dir.Tidemark("verify '" + file + "' --genesis '" + genesis + "'" + Asked(*registered));
  CHECK(r.code == 1);
  CHECK(r.err.find("verification failed") != std::string::npos);
  // Without the flags it verifies what it names, and says so.
  r = dir.Tidemark("verify '" + file + "' --genesis '" + genesis + "'");
  CHECK(r.code == 0);
  CHECK(r.out.find("invoice: free (as the answer names them") != std::string::npos);
  CHECK(r.out.find("VERIFIED at height 12") != std::string::npos);
}
