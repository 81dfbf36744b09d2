// Signed reads (signed_read.h): the header round trip, and every way a header or its signature can
// be wrong is refused with kUnauthenticated.
#include "tidemark/signed_read.h"

#include <catch2/catch.hpp>

using namespace tidemark;

namespace {

constexpr int64_t kNow = 1'796'000'000'000;  // 2026-11-29, unix ms
constexpr std::string_view kChain = "tidemark-local";
constexpr std::string_view kTarget = "/v1/fin/receivables/rcv_0a1b2c3d4e5f60718293?proof=true";

KeyPair Reader() {
  Seed s;
  s.data.fill(7);
  return KeyPair::FromSeed(s);
}

Status Check(std::string_view header, std::string_view chain = kChain,
             std::string_view method = "GET", std::string_view target = kTarget,
             int64_t now = kNow) {
  auto a = ParseReadAuthHeader(header);
  if (!a.ok()) return a.status();
  return VerifyReadAuth(*a, chain, method, target, now);
}

}  // namespace

TEST_CASE("a signed read header round-trips and verifies") {
  KeyPair k = Reader();
  std::string h = ReadAuthHeader(k, kChain, "GET", kTarget, kNow);
  REQUIRE(
      h.rfind("Tidemark-Read key=" + k.public_key().Hex() + ",ts=" + std::to_string(kNow) + ",sig=",
              0) == 0);
  auto a = ParseReadAuthHeader(h);
  REQUIRE(a.ok());
  REQUIRE(a->key == k.public_key());
  REQUIRE(a->ts_ms == kNow);
  REQUIRE(VerifyReadAuth(*a, kChain, "GET", kTarget, kNow).ok());
  // The signature is the documented one over METHOD\nTARGET\nTS, domain kRead.
  std::string body = "GET\n" + std::string(kTarget) + "\n" + std::to_string(kNow);
  REQUIRE(Verify(k.public_key(), SigKind::kRead, kChain, AsBytes(body), a->sig));
  REQUIRE(ReadAuthBody("GET", kTarget, kNow) == Bytes(body.begin(), body.end()));
  // Anywhere in the window, both ways.
  REQUIRE(Check(h, kChain, "GET", kTarget, kNow + kReadAuthWindowMs).ok());
  REQUIRE(Check(h, kChain, "GET", kTarget, kNow - kReadAuthWindowMs).ok());
}

TEST_CASE("a signed read is refused for another chain, method, target or time") {
  KeyPair k = Reader();
  std::string h = ReadAuthHeader(k, kChain, "GET", kTarget, kNow);
  auto unauth = [](const Status& s) { return s.code() == Code::kUnauthenticated; };
  REQUIRE(unauth(Check(h, "tidemark-other")));
  REQUIRE(unauth(Check(h, kChain, "POST")));
  REQUIRE(unauth(Check(h, kChain, "get")));
  REQUIRE(unauth(Check(h, kChain, "GET", "/v1/fin/receivables/rcv_0a1b2c3d4e5f60718293")));
  REQUIRE(
      unauth(Check(h, kChain, "GET", "/v1/fin/receivables/rcv_0a1b2c3d4e5f60718294?proof=true")));
  REQUIRE(unauth(Check(h, kChain, "GET", kTarget, kNow + kReadAuthWindowMs + 1)));
  REQUIRE(unauth(Check(h, kChain, "GET", kTarget, kNow - kReadAuthWindowMs - 1)));
  // A signature of another kind (a tx signature over the same body) is not a read signature.
  Signature tx_sig = k.Sign(SigKind::kTx, kChain, ReadAuthBody("GET", kTarget, kNow));
  ReadAuth forged{k.public_key(), kNow, tx_sig};
  REQUIRE(unauth(VerifyReadAuth(forged, kChain, "GET", kTarget, kNow)));
  // Another key claiming the signature.
  KeyPair other = KeyPair::Generate();
  auto a = ParseReadAuthHeader(h);
  REQUIRE(a.ok());
  ReadAuth swapped = *a;
  swapped.key = other.public_key();
  REQUIRE(unauth(VerifyReadAuth(swapped, kChain, "GET", kTarget, kNow)));
  // A changed ts with the old signature.
  ReadAuth moved = *a;
  moved.ts_ms += 1;
  REQUIRE(unauth(VerifyReadAuth(moved, kChain, "GET", kTarget, kNow)));
}

TEST_CASE("a tampered signature is refused") {
  KeyPair k = Reader();
  std::string h = ReadAuthHeader(k, kChain, "GET", kTarget, kNow);
  size_t sig_at = h.find("sig=") + 4;
  for (size_t i : {sig_at, sig_at + 63, h.size() - 1}) {
    std::string t = h;
    t[i] = t[i] == '0' ? '1' : '0';
    REQUIRE(Check(t).code() == Code::kUnauthenticated);
  }
}

TEST_CASE("malformed signed read headers are refused by the parser") {
  KeyPair k = Reader();
  std::string h = ReadAuthHeader(k, kChain, "GET", kTarget, kNow);
  std::string key = k.public_key().Hex();
  std::string sig = h.substr(h.find("sig=") + 4);
  std::string ts = std::to_string(kNow);
  auto make = [&](std::string_view kv, std::string_view t, std::string_view s) {
    return "Tidemark-Read key=" + std::string(kv) + ",ts=" + std::string(t) +
           ",sig=" + std::string(s);
  };
  REQUIRE(ParseReadAuthHeader(make(key, ts, sig)).ok());
  std::string upper_key = key;
  for (char& c : upper_key) c = static_cast<char>(std::toupper(c));
  const std::vector<std::string> bad = {
      "",
      "Tidemark-Read",
      "Tidemark-Read ",
      "Bearer abc",
      "tidemark-read key=" + key + ",ts=" + ts + ",sig=" + sig,   // scheme is exact
      "Tidemark-Read  key=" + key + ",ts=" + ts + ",sig=" + sig,  // two spaces
      "Tidemark-Read key=" + key + ", ts=" + ts + ",sig=" + sig,  // space after comma
      "Tidemark-Read key=" + key + ",ts=" + ts + ",sig=" + sig + " ",
      "Tidemark-Read key=" + key + ",ts=" + ts + ",sig=" + sig + ",x=1",  // extra param
      "Tidemark-Read key=" + key + ",ts=" + ts + ",sig=" + sig + ",",
      "Tidemark-Read ts=" + ts + ",key=" + key + ",sig=" + sig,      // order
      "Tidemark-Read key=" + key + ",sig=" + sig,                    // missing ts
      "Tidemark-Read key=" + key + ",ts=" + ts,                      // missing sig
      "Tidemark-Read key=\"" + key + "\",ts=" + ts + ",sig=" + sig,  // quoted
      make(upper_key, ts, sig),                                      // upper-case hex
      make(key.substr(2), ts, sig),                                  // short key
      make(key + "00", ts, sig),                                     // long key
      make("g" + key.substr(1), ts, sig),                            // not hex
      make(key, ts, sig.substr(2)),                                  // short sig
      make(key, ts, "zz" + sig.substr(2)),                           // bad hex sig
      make(key, "", sig),                                            // empty ts
      make(key, "-" + ts, sig),                                      // negative
      make(key, "+" + ts, sig),                                      // sign
      make(key, "0" + ts, sig),                                      // leading zero
      make(key, ts + ".0", sig),                                     // not an integer
      make(key, "99999999999999", sig),                              // 14 digits
      make(key, "99999999999999999999999999", sig),                  // would overflow int64
      make(key, "1e12", sig),
      make(key, ts, sig) + std::string(600, 'a'),  // huge
  };
  for (const std::string& b : bad) {
    INFO(b);
    auto r = ParseReadAuthHeader(b);
    REQUIRE(!r.ok());
    REQUIRE(r.status().code() == Code::kUnauthenticated);
  }
  // ts 0 parses (and then fails the window, not the parser).
  auto zero = ParseReadAuthHeader(make(key, "0", sig));
  REQUIRE(zero.ok());
  REQUIRE(VerifyReadAuth(*zero, kChain, "GET", kTarget, kNow).code() == Code::kUnauthenticated);
}
