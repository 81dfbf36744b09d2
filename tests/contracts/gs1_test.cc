// GS1 keys and identifiers: check digits, GTIN normalisation, EPC URN <-> Digital Link.
#include "tidemark/contracts/gs1.h"

#include <catch2/catch.hpp>

namespace tidemark::contracts {
namespace {

TEST_CASE("GTIN check digits and normalisation to GTIN-14") {
  CHECK(*NormaliseGtin("10614141073464") == "10614141073464");
  CHECK(*NormaliseGtin("4006381333931") == "04006381333931");  // GTIN-13
  CHECK(*NormaliseGtin("036000291452") == "00036000291452");   // GTIN-12 (UPC-A)
  CHECK(*NormaliseGtin("96385074") == "00000096385074");       // GTIN-8
  CHECK(NormaliseGtin("10614141073465").status().message() == "GTIN check digit is wrong");
  CHECK(!NormaliseGtin("1061414107346").ok());  // 13 digits, wrong check
  CHECK(!NormaliseGtin("123456789").ok());      // 9 digits
  CHECK(!NormaliseGtin("1061414107346X").ok());
}

TEST_CASE("SGTIN URN and Digital Link normalise to one identity and convert back") {
  auto urn = ParseIdentifier("urn:epc:id:sgtin:0614141.107346.2017");
  REQUIRE(urn.ok());
  CHECK(urn->kind == IdKind::kSgtin);
  CHECK(urn->gtin == "10614141073464");
  CHECK(urn->canonical == "/01/10614141073464/21/2017");
  CHECK(*CanonicalId("https://id.gs1.org/01/10614141073464/21/2017") == urn->canonical);
  CHECK(*CanonicalId("https://brand.example.com/shop/01/10614141073464/10/L1/21/2017?x=1") ==
        urn->canonical);
  CHECK(*ToEpcUrn(*urn, 7) == "urn:epc:id:sgtin:0614141.107346.2017");
  // Other company-prefix lengths give other (equally valid) URNs of the same GTIN.
  CHECK(*ToEpcUrn(*urn, 9) == "urn:epc:id:sgtin:061414107.1346.2017");
  auto back = ParseIdentifier(*ToEpcUrn(*urn, 9));
  CHECK(back->canonical == urn->canonical);
  for (int cpl = 6; cpl <= 12; ++cpl) {
    CHECK(ParseIdentifier(*ToEpcUrn(*urn, cpl))->canonical == urn->canonical);
  }
  // Serials with characters escaped differently in URNs and links.
  auto odd = ParseIdentifier("urn:epc:id:sgtin:4012345.011111.A%2FB%25c!");
  REQUIRE(odd.ok());
  CHECK(odd->serial == "A/B%c!");
  CHECK(odd->canonical == "/01/04012345111118/21/A%2FB%25c!");
  CHECK(*CanonicalId("/01/04012345111118/21/A%2fB%25c%21") == odd->canonical);
  CHECK(*ToEpcUrn(*odd, 7) == "urn:epc:id:sgtin:4012345.011111.A%2FB%25c!");
  // The lot of a serialised Digital Link is kept aside.
  auto with_lot = ParseIdentifier("https://id.gs1.org/01/10614141073464/10/LOT%2F1/21/2017");
  REQUIRE(with_lot.ok());
  CHECK(with_lot->lot == "LOT/1");
  CHECK(with_lot->LotId() == "/01/10614141073464/10/LOT%2F1");
  CHECK(ToDigitalLink(*with_lot) == "https://id.gs1.org/01/10614141073464/10/LOT%2F1/21/2017");
}

TEST_CASE("LGTIN, GTIN patterns, SSCC and SGLN") {
  CHECK(*CanonicalId("urn:epc:class:lgtin:4012345.012345.998877") ==
        "/01/04012345123456/10/998877");
  CHECK(*CanonicalId("https://id.gs1.org/01/04012345123456/10/998877") ==
        "/01/04012345123456/10/998877");
  CHECK(*CanonicalId("urn:epc:idpat:sgtin:4012345.066666.*") == "/01/04012345666663");
  CHECK(*CanonicalId("https://id.gs1.org/01/04012345666663") == "/01/04012345666663");
  auto sscc = ParseIdentifier("urn:epc:id:sscc:0614141.1234567890");
  REQUIRE(sscc.ok());
  CHECK(sscc->canonical == "/00/106141412345678908");
  CHECK(*ToEpcUrn(*sscc, 7) == "urn:epc:id:sscc:0614141.1234567890");
  CHECK(*CanonicalId("https://id.gs1.org/00/106141412345678908") == sscc->canonical);
  CHECK(!CanonicalId("https://id.gs1.org/00/106141412345678907").ok());
  auto sgln = ParseIdentifier("urn:epc:id:sgln:0614141.07346.1234");
  REQUIRE(sgln.ok());
  CHECK(sgln->canonical == "/414/0614141073467/254/1234");
  CHECK(*ToEpcUrn(*sgln, 7) == "urn:epc:id:sgln:0614141.07346.1234");
  CHECK(*CanonicalId("urn:epc:id:sgln:0614141.00777.0") == "/414/0614141007776");
  CHECK(*CanonicalId("urn:epc:id:sgln:952005385.011.ts4711") == "/414/9520053850113/254/ts4711");
}

TEST_CASE("other URIs pass through, malformed GS1 identifiers are refused") {
  CHECK(*CanonicalId("urn:epc:id:giai:952005385.w2") == "urn:epc:id:giai:952005385.w2");
  CHECK(*CanonicalId("http://transaction.acme.com/po/12345678") ==
        "http://transaction.acme.com/po/12345678");
  CHECK(!CanonicalId("urn:epc:id:sgtin:0614141.10734.2017").ok());  // 12 digits
  CHECK(!CanonicalId("urn:epc:id:sgtin:06141X1.107346.2017").ok());
  CHECK(!CanonicalId("urn:epc:id:sgtin:0614141.107346").ok());
  CHECK(!CanonicalId("urn:epc:id:sgtin:0614141.107346.").ok());  // empty serial
  CHECK(!CanonicalId("urn:epc:id:sgtin:0614141.107346.123456789012345678901").ok());
  CHECK(CanonicalId("https://id.gs1.org/01/10614141073465/21/1").status().message() ==
        "GTIN check digit is wrong");
  CHECK(!CanonicalId("https://id.gs1.org/01/10614141073464/21").ok());
  CHECK(!CanonicalId("https://id.gs1.org/01/10614141073464/21/1/10/L").ok());  // order
  CHECK(!CanonicalId("https://id.gs1.org/01/10614141073464/21/a%zz").ok());
}

TEST_CASE("issue 19 finding 9: PGLN party ids in URN and Digital Link /417/ form") {
  auto urn = ParseIdentifier("urn:epc:id:pgln:0614141.00001");
  REQUIRE(urn.ok());
  CHECK(urn->kind == IdKind::kPgln);
  CHECK(urn->gln == "0614141000012");
  CHECK(urn->canonical == "/417/0614141000012");
  CHECK(*ToEpcUrn(*urn, 7) == "urn:epc:id:pgln:0614141.00001");
  CHECK(*CanonicalId("https://id.gs1.org/417/0614141000012") == "/417/0614141000012");
  CHECK(*CanonicalId("/417/0614141000012") == "/417/0614141000012");
  CHECK(ToDigitalLink(*urn) == "https://id.gs1.org/417/0614141000012");
  CHECK(*CanonicalId("urn:epc:id:pgln:4012345.00000") == "/417/4012345000009");
  // Malformed PGLNs are refused, not passed through.
  CHECK(!CanonicalId("urn:epc:id:pgln:0614141.0001").ok());  // 11 digits
  CHECK(!CanonicalId("urn:epc:id:pgln:0614141.00001.0").ok());
  CHECK(!CanonicalId("/417/0614141000013").ok());  // check digit
  CHECK(!CanonicalId("https://id.gs1.org/417/0614141000012/254/1").ok());
}

TEST_CASE("issue 19 finding 9: party and location ids in every GS1 form canonicalise") {
  // Parties: GLN, PGLN URN, /417/ on any host, EPCIS 1.x SGLN without extension.
  for (const char* p :
       {"0614141000012", "urn:epc:id:pgln:0614141.00001", "https://id.gs1.org/417/0614141000012",
        "https://example.com/x/417/0614141000012", "/417/0614141000012",
        "urn:epc:id:sgln:0614141.00001.0", "https://id.gs1.org/414/0614141000012"}) {
    INFO(p);
    auto c = CanonicalPartyId(p);
    REQUIRE(c.ok());
    CHECK(*c == "/417/0614141000012");
  }
  CHECK(*CanonicalPartyId("urn:example:party:acme") == "urn:example:party:acme");
  CHECK(!CanonicalPartyId("urn:epc:id:sgln:0614141.00001.7").ok());  // a place, not a party
  CHECK(!CanonicalPartyId("urn:epc:id:sgtin:0614141.107346.2017").ok());
  CHECK(!CanonicalPartyId("0614141000013").ok());  // bad check digit
  // Locations: GLN, SGLN URN, /414/ with and without /254/ on any host.
  for (const char* l : {"0614141073467", "urn:epc:id:sgln:0614141.07346.0",
                        "https://id.gs1.org/414/0614141073467", "/414/0614141073467"}) {
    INFO(l);
    CHECK(*CanonicalLocationId(l) == "/414/0614141073467");
  }
  for (const char* l :
       {"urn:epc:id:sgln:0614141.07346.1234", "https://id.gs1.org/414/0614141073467/254/1234",
        "https://resolver.example.org/414/0614141073467/254/1234?linkType=all"}) {
    INFO(l);
    CHECK(*CanonicalLocationId(l) == "/414/0614141073467/254/1234");
  }
  CHECK(*CanonicalLocationId("urn:example:dock:7") == "urn:example:dock:7");
  CHECK(!CanonicalLocationId("urn:epc:id:pgln:0614141.00001").ok());
  CHECK(!CanonicalLocationId("/414/0614141073468").ok());
}

}  // namespace
}  // namespace tidemark::contracts
