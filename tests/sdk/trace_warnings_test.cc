// The warnings and origin a verifier derives from proven trace records (DeriveTraceWarnings,
// DeriveOrigin) against the shared vectors tests/vectors/trace_warnings_vectors.json, which the
// JS twins pass too (sdk/js/test/trace_warnings.test.js).
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tidemark/trace_answer.h"

namespace tidemark {
namespace {

nlohmann::json Vectors() {
  std::ifstream f(TIDEMARK_SOURCE_DIR "/tests/vectors/trace_warnings_vectors.json",
                  std::ios::binary);
  REQUIRE(f.good());
  return nlohmann::json::parse(f);
}

std::map<std::string, nlohmann::json> Records(const nlohmann::json& c) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& [k, v] : c["records"].items()) out[k] = v;
  return out;
}

TEST_CASE("every warnings vector derives its warnings and origin") {
  const nlohmann::json doc = Vectors();
  REQUIRE(doc["cases"].size() >= 15);
  for (const auto& c : doc["cases"]) {
    INFO("case " << c["name"]);
    auto records = Records(c);
    const std::string id = c["id"];
    CHECK(DeriveTraceWarnings(id, records, c["as_of_ms"].get<int64_t>()) == c["warnings"]);
    CHECK(DeriveOrigin(id, records) == c["origin_country"].get<std::string>());
  }
}

TEST_CASE("a recall in the proven records is a warning whatever the answer says") {
  // Regression (issue 19, finding 1): the page used the answer's unproven warnings list.
  const nlohmann::json doc = Vectors();
  for (const auto& c : doc["cases"]) {
    if (c["name"] != "recalled_and_sold_item") continue;
    nlohmann::json w = DeriveTraceWarnings(c["id"], Records(c), 0);
    REQUIRE(w.size() == 2);
    CHECK(w[0]["kind"] == "recalled");
    CHECK(w[1]["kind"] == "sold");
    CHECK(w[1]["params"]["time"] == "2026-03-05T10:00:00Z");  // a time, not a block height
  }
}

TEST_CASE("an answer whose unproven warnings or origin differ from its proof is flagged") {
  std::ifstream f(TIDEMARK_SOURCE_DIR "/tests/vectors/proof_vectors.json", std::ios::binary);
  REQUIRE(f.good());
  const nlohmann::json doc = nlohmann::json::parse(f);
  auto trust = TrustFromGenesisJson(doc["trust"]);
  REQUIRE(trust.ok());
  int flagged = 0;
  for (const auto& c : doc["trace_answers"]) {
    if (c["expect"] == "reject") continue;
    INFO("trace answer " << c["name"]);
    auto v = VerifyTraceAnswer(c["answer"], *trust);
    REQUIRE(v.ok());
    CHECK(v->disagreements.empty() == (c["expect"] == "ok"));
    if (c["name"] == "answer_warnings_emptied") {
      ++flagged;
      REQUIRE(v->disagreements.size() == 1);
      CHECK(v->disagreements[0]["field"] == "warnings");
      CHECK(v->disagreements[0]["answer"] == nlohmann::json::array());
      CHECK(v->warnings.size() == 1);  // the derived ones stand
    }
    if (c["name"] == "answer_origin_changed") {
      ++flagged;
      CHECK(v->disagreements[0]["field"] == "origin_country");
      CHECK(v->origin_country == "NZ");
    }
  }
  CHECK(flagged == 2);
}

}  // namespace
}  // namespace tidemark
