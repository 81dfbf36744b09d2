// The finance answer verifiers (tidemark/fin_answer.h) against the "fin_answers" of
// tests/vectors/proof_vectors.json (fin_answer_vectors.h; the JS twins run the same cases in
// sdk/js/test/finance.test.js): every good answer verifies with the proven states, every tampered
// one is refused. Plus the overdue boundary and malformed questions.
#include "tidemark/fin_answer.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tidemark/trace_answer.h"

namespace tidemark {
namespace {

using nlohmann::json;

const json& Doc() {
  static const json doc = [] {
    std::ifstream f(TIDEMARK_SOURCE_DIR "/tests/vectors/proof_vectors.json", std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return json::parse(ss.str());
  }();
  return doc;
}

Hash256 H(const json& j) {
  auto h = Hash256::FromHex(j.get<std::string>());
  REQUIRE(h.ok());
  return *h;
}

}  // namespace

TEST_CASE("fin_answers vectors: C++ accepts the good answers and refuses every tampered one") {
  auto trust = TrustFromGenesisJson(Doc()["trust"]);
  REQUIRE(trust.ok());
  REQUIRE(Doc()["fin_answers"].size() >= 20);
  size_t ok = 0, rejected = 0;
  for (const auto& c : Doc()["fin_answers"]) {
    INFO(c["name"].get<std::string>());
    const bool want_ok = c["expect"] == "ok";
    if (c["kind"] == "check") {
      auto v = VerifyFinCheckAnswer(c["answer"], *trust, H(c["ask"]["fingerprint"]),
                                    H(c["ask"]["invoice_key"]));
      if (!v.ok()) INFO(v.status().ToString());
      CHECK(v.ok() == want_ok);
      if (v.ok() && c.contains("state")) CHECK(v->state == c["state"].get<std::string>());
      if (!v.ok()) CHECK(v.status().code() == Code::kUnauthenticated);
      if (!v.ok()) CHECK(v.status().message() == c["reason"].get<std::string>());
    } else {
      REQUIRE(c["kind"] == "receivable");
      auto v = VerifyReceivableAnswer(c["answer"], *trust, c["ask"]["id"].get<std::string>());
      if (!v.ok()) INFO(v.status().ToString());
      CHECK(v.ok() == want_ok);
      if (v.ok()) {
        CHECK(v->record["id"] == c["ask"]["id"]);
        CHECK(v->overdue == c["answer"]["overdue"].get<bool>());
      }
      if (!v.ok()) CHECK(v.status().code() == Code::kUnauthenticated);
      if (!v.ok()) CHECK(v.status().message() == c["reason"].get<std::string>());
    }
    (want_ok ? ok : rejected)++;
  }
  CHECK(ok >= 5);
  CHECK(rejected >= 15);
}

TEST_CASE("fin_answers: a free check proves the absence of both keys, not just their silence") {
  auto trust = TrustFromGenesisJson(Doc()["trust"]);
  REQUIRE(trust.ok());
  for (const auto& c : Doc()["fin_answers"]) {
    if (c["name"] != "check_free") continue;
    auto v = VerifyFinCheckAnswer(c["answer"], *trust, H(c["ask"]["fingerprint"]),
                                  H(c["ask"]["invoice_key"]));
    REQUIRE(v.ok());
    CHECK(v->fingerprint.state == "free");
    CHECK(!v->fingerprint.record);
    CHECK(v->invoice_key.state == "free");
    REQUIRE(v->proof.entries.size() == 2);
    for (const auto& e : v->proof.entries) CHECK(!e.present());
    // Asked about other keys, the same answer proves nothing.
    Hash256 other = H(c["ask"]["invoice_key"]);
    other.data[0] ^= 1;
    CHECK(!VerifyFinCheckAnswer(c["answer"], *trust, H(c["ask"]["fingerprint"]), other).ok());
    return;
  }
  FAIL("no check_free vector");
}

TEST_CASE("FinOverdueAt: overdue from 00:00 UTC of the day after the due date, if CONFIRMED") {
  const uint64_t day = 86'400'000;
  const uint64_t due_end = 20'601 * day;  // 2026-05-28T00:00:00Z
  json r{{"state", "CONFIRMED"}, {"due_date", "2026-05-27"}};
  CHECK(!FinOverdueAt(r, due_end - 1));
  CHECK(FinOverdueAt(r, due_end));
  r["state"] = "SETTLED";
  CHECK(!FinOverdueAt(r, due_end + day));
  r["state"] = "REGISTERED";
  CHECK(!FinOverdueAt(r, due_end + day));
  CHECK(!FinOverdueAt(json{{"state", "CONFIRMED"}, {"due_date", "2026-02-29"}}, due_end));
  CHECK(!FinOverdueAt(json::array(), due_end));
}

TEST_CASE("VerifyReceivableAnswer refuses a malformed id before looking at the answer") {
  auto trust = TrustFromGenesisJson(Doc()["trust"]);
  REQUIRE(trust.ok());
  CHECK(VerifyReceivableAnswer(json::object(), *trust, "").status().code() ==
        Code::kInvalidArgument);
  CHECK(VerifyReceivableAnswer(json::object(), *trust, "rcv_1 x").status().code() ==
        Code::kInvalidArgument);
  CHECK(VerifyReceivableAnswer(json::object(), *trust, "rcv_1").status().code() ==
        Code::kUnauthenticated);
}

}  // namespace tidemark
