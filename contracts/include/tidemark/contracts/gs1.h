// gs1.h — GS1 keys (GTIN, SSCC, GLN) and identifiers: EPC URNs and GS1 Digital Link URIs.
//
// Every identifier the ledger stores is normalised to ONE canonical form, the Digital Link path
// with the standard's primary key and key qualifiers and no domain:
//   urn:epc:id:sgtin:0614141.107346.2017         -> /01/10614141073464/21/2017
//   https://id.gs1.org/01/10614141073464/21/2017  -> /01/10614141073464/21/2017
//   /01/10614141073464/10/L1/21/2017              -> /01/10614141073464/21/2017   (lot kept aside)
//   urn:epc:class:lgtin:4012345.012345.998877     -> /01/04012345123456/10/998877
//   urn:epc:idpat:sgtin:4012345.066666.*          -> /01/04012345666663           (a class)
//   urn:epc:id:sscc:0614141.1234567890            -> /00/106141412345678908
//   urn:epc:id:sgln:0614141.07346.1234            -> /414/0614141073467/254/1234
//   urn:epc:id:pgln:0614141.00001                 -> /417/0614141000012          (a party)
//   https://id.gs1.org/417/0614141000012          -> /417/0614141000012
// Other URIs (GIAI, GRAI, GSRN, GDTI URNs, http URLs) are kept as given (IdKind::kOther).
// A GTIN with a wrong check digit, a malformed URN or a non-numeric key is an INVALID_ARGUMENT.
//
// The company prefix length is not derivable from a GTIN, so converting a Digital Link back to an
// EPC URN needs it (products record it as master data):
//   TM_ASSIGN_OR_RETURN(Gs1Id id, ParseIdentifier("https://id.gs1.org/01/10614141073464/21/2017"));
//   TM_ASSIGN_OR_RETURN(std::string urn, ToEpcUrn(id, 7));
//   // urn == "urn:epc:id:sgtin:0614141.107346.2017"
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "tidemark/status.h"

namespace tidemark::contracts {

// Computes the GS1 mod-10 check digit of `body` (all digits, without the check digit).
char Gs1CheckDigit(std::string_view body);
// OK iff `key` is all digits and its last digit is the right check digit.
Status CheckGs1Key(std::string_view key, std::string_view what);
// GTIN-8/12/13/14 -> GTIN-14 (left-padded with zeros) after checking the check digit.
Result<std::string> NormaliseGtin(std::string_view gtin);

enum class IdKind { kSgtin, kLgtin, kGtin, kSscc, kSgln, kPgln, kOther };

struct Gs1Id {
  IdKind kind = IdKind::kOther;
  std::string gtin;       // 14 digits (kSgtin, kLgtin, kGtin)
  std::string lot;        // AI 10 (kLgtin; optional qualifier of kSgtin in a Digital Link)
  std::string serial;     // AI 21 (kSgtin)
  std::string sscc;       // 18 digits (kSscc)
  std::string gln;        // 13 digits (kSgln; the party's GLN for kPgln)
  std::string gln_ext;    // AI 254, "" if none (URN extension "0")
  std::string canonical;  // the canonical form described above

  // "/01/<gtin>/10/<lot>" for an item or lot with a known lot, else "".
  std::string LotId() const;
};

// Parses and normalises an EPC URN, a GS1 Digital Link URI (any host) or a bare Digital Link path.
Result<Gs1Id> ParseIdentifier(std::string_view uri);
// The canonical form, or the input unchanged if it is not a GS1 key we normalise; errors only on
// a malformed GS1 identifier.
Result<std::string> CanonicalId(std::string_view uri);

// A location id (bizLocation, readPoint, a `location` source/destination, prov args naming a
// place) in any GS1 form — a bare 13-digit GLN, an SGLN URN, a Digital Link `/414/<gln>` with
// an optional `/254/<extension>` on any host — as its canonical `/414/...` form. A URI that is
// not a GS1 key is returned unchanged; a party id (PGLN) or another GS1 key is an error.
Result<std::string> CanonicalLocationId(std::string_view id);
// A party id (owning_party / possessing_party source/destination, prov.register_party) in any GS1
// form — a bare 13-digit GLN, a PGLN URN, a Digital Link `/417/<gln>` on any host, and (as
// EPCIS 1.x documents wrote parties) an SGLN URN or `/414/<gln>` without an extension — as its
// canonical `/417/<gln>` form. A URI that is not a GS1 key is returned unchanged; a GLN with an
// extension or another GS1 key is an error.
Result<std::string> CanonicalPartyId(std::string_view id);

// An EPC URN for an SGTIN, LGTIN, GTIN class (idpat), SSCC, SGLN or PGLN given its company prefix
// length (6..12).
Result<std::string> ToEpcUrn(const Gs1Id& id, int company_prefix_length);
// A Digital Link URI on `domain` (e.g. "https://id.gs1.org"); with an item's lot if known.
std::string ToDigitalLink(const Gs1Id& id, std::string_view domain = "https://id.gs1.org");

// "/01/<gtin14>/10/<lot>" — the canonical lot identifier.
std::string LotKey(std::string_view gtin14, std::string_view lot);

}  // namespace tidemark::contracts
