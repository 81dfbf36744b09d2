// The finance vectors of tests/vectors/vectors.json that the JS twin also passes
// (sdk/js/test/finance.test.js): the invoice fingerprint (tidemark/fin_fingerprint.h,
// docs/finance.md §3) with the normalisation properties the vectors are meant to show (spellings
// of one invoice number give one fingerprint, another amount another fingerprint but the same
// invoice key), and the signed-read header (tidemark/signed_read.h) byte for byte.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tidemark/fin_fingerprint.h"
#include "tidemark/signed_read.h"
#include "vectors.h"

using namespace tidemark;
using vectors::Json;

namespace {

const Json& Doc() {
  static const Json doc = [] {
    std::ifstream f(TIDEMARK_SOURCE_DIR "/tests/vectors/vectors.json", std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return Json::parse(ss.str());
  }();
  return doc;
}

const Json& Case(const std::string& name) {
  for (const auto& c : Doc()["fin_fingerprints"]) {
    if (c["name"] == name) return c;
  }
  FAIL("no vector " << name);
  return Doc();
}

InvoiceFields FieldsOf(const Json& c) {
  const std::string amount = c["amount"];
  bool digits = amount.find_first_not_of("0123456789") == std::string::npos && amount.size() < 19;
  return InvoiceFields{.creditor = c["creditor"],
                       .debtor = c["debtor"],
                       .number = c["number"],
                       .amount = digits ? std::stoll(amount) : -1,
                       .date = c["date"]};
}

}  // namespace

TEST_CASE("fin_fingerprints vectors: C++ gives every fingerprint and refuses every bad input") {
  REQUIRE(Doc()["fin_fingerprints"].size() >= 12);
  size_t ok = 0, refused = 0;
  for (const auto& c : Doc()["fin_fingerprints"]) {
    INFO(c["name"].get<std::string>());
    auto h = InvoiceFingerprint(FieldsOf(c));
    if (c["expect"] == "ok") {
      REQUIRE(h.ok());
      CHECK(h->fingerprint.Hex() == c["fingerprint"].get<std::string>());
      CHECK(h->invoice_key.Hex() == c["invoice_key"].get<std::string>());
      CHECK(*NormaliseInvoiceNumber(c["number"].get<std::string>()) == c["normalised"]);
      ++ok;
    } else {
      REQUIRE(!h.ok());
      CHECK(h.status().code() == Code::kInvalidArgument);
      CHECK(h.status().message().rfind(c["field"].get<std::string>() + ":", 0) == 0);
      ++refused;
    }
  }
  CHECK(ok >= 6);
  CHECK(refused >= 6);
}

TEST_CASE("fin_fingerprints vectors: one invoice however it is spelt, and what the key ignores") {
  const Json& basic = Case("basic");
  for (const char* same :
       {"lower_case_and_trailing_space", "org_ids_folded", "white_space_trimmed"}) {
    INFO(same);
    CHECK(Case(same)["fingerprint"] == basic["fingerprint"]);
  }
  // Another amount: another fingerprint, the same invoice key (a re-registration is caught).
  CHECK(Case("another_amount")["fingerprint"] != basic["fingerprint"]);
  CHECK(Case("another_amount")["invoice_key"] == basic["invoice_key"]);
  // Leading zeros are part of the number.
  CHECK(Case("leading_zeros_kept")["normalised"] == "000123");
  CHECK(Case("leading_zeros_kept")["fingerprint"] != Case("no_leading_zeros")["fingerprint"]);
  CHECK(Case("date_not_leap")["field"] == "date");
  CHECK(Case("amount_zero")["field"] == "amount");
  CHECK(Case("amount_over_max")["field"] == "amount");
  CHECK(Case("number_non_ascii_letter")["field"] == "invoice number");
  CHECK(Case("number_only_separators")["field"] == "invoice number");
}

TEST_CASE(
    "fin_signed_reads vectors: ReadAuthHeader writes each header, the node's check takes it") {
  REQUIRE(Doc()["fin_signed_reads"].size() >= 3);
  for (const auto& v : Doc()["fin_signed_reads"]) {
    INFO(v["name"].get<std::string>());
    auto seed = Seed::FromHex(v["seed"].get<std::string>());
    REQUIRE(seed.ok());
    KeyPair key = KeyPair::FromSeed(*seed);
    const std::string chain = v["chain_id"], method = v["method"], target = v["target"];
    const int64_t ts = std::stoll(v["ts_ms"].get<std::string>());
    CHECK(ReadAuthHeader(key, chain, method, target, ts) == v["header"].get<std::string>());
    Bytes body = ReadAuthBody(method, target, ts);
    CHECK(std::string(body.begin(), body.end()) == v["body"].get<std::string>());
    auto parsed = ParseReadAuthHeader(v["header"].get<std::string>());
    REQUIRE(parsed.ok());
    CHECK(parsed->key == key.public_key());
    CHECK(VerifyReadAuth(*parsed, chain, method, target, ts).ok());
    CHECK(!VerifyReadAuth(*parsed, chain, method, target + "x", ts).ok());
    CHECK(!VerifyReadAuth(*parsed, chain + "x", method, target, ts).ok());
  }
}
