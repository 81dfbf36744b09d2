// The exported state-key layout (sdk/include/tidemark/state_keys/): its formatted parts sort as
// their numbers do, and every builder and constant the headers declare is pinned by a
// "state_keys" vector that the JS twin must reproduce (sdk/js/test/state_keys.test.js), so a key
// added to a header cannot be left out of the JS SDK.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <climits>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tidemark/state_keys/finance.h"
#include "tidemark/state_keys/governance.h"
#include "tidemark/state_keys/identity.h"
#include "tidemark/state_keys/provenance.h"
#include "tidemark/state_keys/system.h"
#include "vectors.h"

using namespace tidemark;
namespace sk = tidemark::state_keys;

namespace {

// kObjPrefix -> OBJ_PREFIX (the JS spelling of a constant).
std::string UpperSnake(const std::string& camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    if (i > 0 && std::isupper(static_cast<unsigned char>(camel[i]))) out += '_';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(camel[i])));
  }
  return out;
}

// Obj -> obj (the JS spelling of a builder).
std::string LowerFirst(std::string s) {
  s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

// The JS names of what the headers declare: "prov.obj", "prov.OBJ_PREFIX", "seqPart", ...
std::set<std::string> DeclaredNames() {
  const std::map<std::string, std::string> ns_of = {
      {"parts.h", ""},          {"system.h", "sys."},      {"identity.h", "identity."},
      {"governance.h", "gov."}, {"provenance.h", "prov."}, {"finance.h", "fin."},
      {"alerts.h", "alerts."},  {"pledge.h", "plg."}};
  const std::regex constant(R"(^inline constexpr std::string_view k(\w+) =)");
  const std::regex builder(R"(^(?:inline )?std::string (\w+)\()");
  std::set<std::string> out;
  const std::filesystem::path dir = TIDEMARK_SOURCE_DIR "/sdk/include/tidemark/state_keys";
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    std::string name = file.path().filename().string();
    INFO(name);
    REQUIRE(ns_of.count(name) == 1);  // a new contract's header: add it here and to the vectors
    std::ifstream in(file.path());
    std::string line;
    std::smatch m;
    while (std::getline(in, line)) {
      if (std::regex_search(line, m, constant)) out.insert(ns_of.at(name) + UpperSnake(m[1]));
      if (std::regex_search(line, m, builder) && m[1] != "Cat") {
        out.insert(ns_of.at(name) + LowerFirst(m[1]));
      }
    }
  }
  return out;
}

std::set<std::string> VectorNames() {
  std::ifstream f(TIDEMARK_SOURCE_DIR "/tests/vectors/vectors.json", std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  std::set<std::string> out;
  const vectors::Json doc = vectors::Json::parse(ss.str());
  for (const auto& v : doc["state_keys"]) out.insert(v["name"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("every builder and constant of the state_keys headers is pinned by a vector") {
  std::set<std::string> declared = DeclaredNames();
  REQUIRE(declared.size() > 50);  // the parser found the headers' declarations
  CHECK(declared == VectorNames());
}

TEST_CASE("sequence and time parts sort as their numbers do") {
  const uint64_t seqs[] = {0, 1, 9, 10, 42, 1000000, 9999999999999999ULL};
  for (size_t i = 1; i < std::size(seqs); ++i) {
    CHECK(sk::SeqPart(seqs[i - 1]) < sk::SeqPart(seqs[i]));
    CHECK(sk::gov::Proposal(seqs[i - 1]) < sk::gov::Proposal(seqs[i]));
  }
  CHECK(sk::SeqPart(42) == "0000000000000042");
  const int64_t times[] = {INT64_MIN, -86400000, -1, 0, 1, 1767225600000, INT64_MAX};
  for (size_t i = 1; i < std::size(times); ++i) {
    CHECK(sk::TimePart(times[i - 1]) < sk::TimePart(times[i]));
    CHECK(sk::TimePart(times[i]).size() == 20);
  }
}

TEST_CASE("composite keys: a prefix scan of one id never reaches a longer id") {
  // "/21/A1" and "/21/A10": the space after the id ends the prefix.
  const std::string a1 = "/01/09506000134352/21/A1", a10 = "/01/09506000134352/21/A10";
  CHECK(!sk::HasPrefix(sk::prov::Index("epc", a10, 1), sk::prov::IndexPrefix("epc", a1)));
  CHECK(sk::HasPrefix(sk::prov::Index("epc", a1, 1), sk::prov::IndexPrefix("epc", a1)));
  CHECK(!sk::HasPrefix(sk::prov::Edge("in", a10, "/00/1"), sk::prov::EdgePrefix("in", a1)));
  CHECK(sk::HasPrefix(sk::prov::Edge("in", a1, "/00/1"), sk::prov::EdgePrefix("in", a1)));
  CHECK(!sk::HasPrefix(sk::identity::OrgKey("acme2", PublicKey{}),
                       sk::identity::OrgKeyPrefix("acme")));
  // Every lot of a product, and only its lots, are under LotPrefixOfProduct.
  CHECK(sk::HasPrefix(sk::prov::Lot("/01/09506000134352/10/L1"),
                      sk::prov::LotPrefixOfProduct("09506000134352")));
  CHECK(!sk::HasPrefix(sk::prov::Lot("/01/09506000134353/10/L1"),
                       sk::prov::LotPrefixOfProduct("09506000134352")));
  // Index keys (kept out of the state root: a consensus rule) are exactly the query indexes and
  // graph edges; the records a trace proves, and the event-id uniqueness entries, are not.
  CHECK(sk::prov::IsIndexKey(sk::prov::Index("epc", a1, 1)));
  CHECK(sk::prov::IsIndexKey(sk::prov::TimeIndexFrom(0)));
  CHECK(sk::prov::IsIndexKey(sk::prov::Edge("in", a1, "/00/1")));
  for (const std::string& k :
       {sk::prov::Event(1), sk::prov::EventId("urn:uuid:1"), sk::prov::Obj(a1),
        sk::prov::Lot("/01/09506000134352/10/L1"), std::string(sk::prov::kNextSeq),
        std::string(sk::gov::kValidators), std::string("prov/i"), std::string("prov/gx")}) {
    INFO(k);
    CHECK(!sk::prov::IsIndexKey(k));
  }
  // The validator-set key the light clients prove is governance's.
  CHECK(sk::gov::kValidators == "gov/validators");
}

TEST_CASE("fin composite keys: a prefix scan of one org or receivable never reaches a longer one") {
  const std::string r1 = "rcv_0a1b2c3d4e5f60718293", r10 = r1 + ".1";
  CHECK(!sk::HasPrefix(sk::fin::Party("acme2", r1), sk::fin::PartyPrefix("acme")));
  CHECK(sk::HasPrefix(sk::fin::Party("acme", r1), sk::fin::PartyPrefix("acme")));
  CHECK(!sk::HasPrefix(sk::fin::History(r10, 1), sk::fin::HistoryPrefix(r1)));
  CHECK(sk::fin::History(r1, 9) < sk::fin::History(r1, 10));
  CHECK(sk::fin::Attempt("ab", 7, 3) == "fin/attempt/ab 0000000000000007 00000003");
  CHECK(sk::fin::Attempt("ab", 7, 3) < sk::fin::Attempt("ab", 7, 12));
}
