// Issue 19 finding 5: REST capture works on the README's network out of the box. The network is
// made by `tidemark network init` exactly as scripts/run.sh makes it (default organisations, no
// edit of node.json); the platform's token from capture_token.txt captures a GS1 example with
// POST /epcis/capture, the command run.sh prints works, and signed capture keeps working.
#include <catch2/catch.hpp>

#include "process_util.h"
#include "tidemark/client/ledger_client.h"
#include "tidemark/hash.h"

using namespace tidemark;
using namespace tidemark::testing;
using nlohmann::json;

namespace {

fs::path Example(const std::string& name) {
  return fs::path(TIDEMARK_SHARED_DIR) / "epcis-examples" / name;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

int Cli(const std::vector<std::string>& args, const fs::path& log, std::string* out) {
  fs::remove(log);
  std::vector<std::string> argv = {kCliBinary.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  int rc = Wait(Spawn(argv, log));
  *out = Slurp(log);
  return rc;
}

size_t EventCount(NodeProc& n, const std::string& query) {
  auto r = n.Http().Get("/epcis/events?" + query);
  if (!r.ok() || r->status != 200) return 0;
  return json::parse(r->body)["epcisBody"]["queryResults"]["resultsBody"]["eventList"].size();
}

}  // namespace

TEST_CASE("issue 19 finding 5: capture with the token network init writes, on the README network") {
  fs::path dir = fs::temp_directory_path() / ("tidemark-token-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  int base = 15000 + (::getpid() % 500) * 10;
  std::string out;
  // As scripts/run.sh: default organisations, a dev seed, nothing edited afterwards.
  int rc =
      Cli({"network", "init", "--out", dir.string(), "--chain-id", "tidemark-local", "--dev-seed",
           "tidemark-local-demo", "--base-http", std::to_string(base), "--base-p2p",
           std::to_string(base + 5), "--output", "json"},
          fs::temp_directory_path() / ("tidemark-token-init-" + std::to_string(::getpid())), &out);
  INFO(out);
  REQUIRE(rc == 0);
  json summary = json::parse(out.substr(out.find('{')));
  std::vector<NodeProc> nodes;
  for (const char* org : {"platform", "customs", "bank", "regulator"}) {
    nodes.push_back(NodeProc::InDir(dir / org));
    nodes.back().binary = kNodeBinary;  // the production binary, as run.sh starts it
    // Every organisation has a token file (private) and its node a matching, unexpired entry.
    fs::path tok = dir / org / "capture_token.txt";
    REQUIRE(fs::exists(tok));
    CHECK((fs::status(tok).permissions() & (fs::perms::group_all | fs::perms::others_all)) ==
          fs::perms::none);
    json cfg = json::parse(Slurp(dir / org / "node.json"));
    REQUIRE(cfg["capture_tokens"].size() == 1);
    CHECK(cfg["capture_tokens"][0]["token_sha256"] == Sha256(AsBytes(Trimmed(Slurp(tok)))).Hex());
    CHECK(cfg["capture_tokens"][0]["expires_at"].get<std::string>() > "2026-");
  }
  bool listed = false;
  for (const json& n : summary["nodes"]) listed |= n.contains("capture_token_file");
  CHECK(listed);
  for (auto& n : nodes) n.Start();
  for (auto& n : nodes) REQUIRE(WaitFor([&] { return n.Ready(); }));
  NodeProc& platform = nodes[0];
  const std::string token = Trimmed(Slurp(dir / "platform" / "capture_token.txt"));

  // POST /epcis/capture with the platform's token: 202, and the capture commits.
  std::string doc = Slurp(Example("Example_9.6.1-ObjectEvent.jsonld"));
  auto r = platform.Http().Post("/epcis/capture", doc, "application/ld+json",
                                {{"Authorization", "Bearer " + token}});
  REQUIRE(r.ok());
  INFO(r->body);
  REQUIRE(r->status == 202);
  json job;
  REQUIRE(WaitFor([&] {
    auto j = platform.Get(r->headers["location"]);
    if (j) job = *j;
    return j && (*j)["running"] == false;
  }));
  INFO(job.dump());
  CHECK(job["success"] == true);
  CHECK(EventCount(platform, "EQ_bizStep=shipping") >= 1);
  // Another organisation's token is not accepted by the platform's node, nor a wrong one.
  const std::string customs_token = Trimmed(Slurp(dir / "customs" / "capture_token.txt"));
  for (const std::string& t : {customs_token, std::string("tmk_wrong")}) {
    auto denied = platform.Http().Post("/epcis/capture", doc, "application/ld+json",
                                       {{"Authorization", "Bearer " + t}});
    REQUIRE(denied.ok());
    CHECK(denied->status == 401);
  }
  // The customs node accepts the customs token.
  auto at_customs =
      nodes[1].Http().Post("/epcis/capture", Slurp(Example("Example_9.6.2-ObjectEvent.jsonld")),
                           "application/ld+json", {{"Authorization", "Bearer " + customs_token}});
  REQUIRE(at_customs.ok());
  CHECK(at_customs->status == 202);

  // The command scripts/run.sh prints (with this network's port).
  rc = Cli({"--node", "http://127.0.0.1:" + std::to_string(base), "epcis", "capture",
            Example("Example_9.6.3-AggregationEvent.jsonld").string(), "--token-file",
            (dir / "platform" / "capture_token.txt").string()},
           dir / "cli.log", &out);
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("committed") != std::string::npos);

  // Signed capture (POST /v1/txs, the admin key) keeps working beside the token.
  rc = Cli({"--node", "http://127.0.0.1:" + std::to_string(base), "epcis", "capture",
            Example("Example_9.6.4-TransformationEvent.jsonld").string(), "--key-file",
            (dir / "platform" / "admin_key.json").string()},
           dir / "cli.log", &out);
  INFO(out);
  CHECK(rc == 0);
  CHECK(EventCount(platform, "eventType=TransformationEvent") == 1);
  CHECK(EventCount(platform, "eventType=AggregationEvent") == 1);

  for (auto& n : nodes) n.Kill(SIGTERM);
  DumpLogsOnFailure(nodes);
  fs::remove_all(dir);
}
