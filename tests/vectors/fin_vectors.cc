// The finance vectors (docs/finance.md §3, docs/api.md §Signed reads): invoice fingerprints with
// the normalisation's edge cases and the inputs that must be refused ("fin_fingerprints"), and
// signed-read headers from fixed seeds ("fin_signed_reads"; Ed25519 is deterministic). The JS
// twin (sdk/js/src/finance.js) must reproduce every one (sdk/js/test/finance.test.js).
#include <string>

#include "tidemark/fin_fingerprint.h"
#include "vectors_internal.h"

namespace tidemark::vectors {

namespace {

struct FpCase {
  const char* name;
  std::string creditor, debtor, number, amount, date;
};

// The field an error names: the message up to its first ':'.
std::string FieldOf(const Status& s) { return s.message().substr(0, s.message().find(':')); }

Json FingerprintCase(const FpCase& c) {
  Json out{{"name", c.name},     {"creditor", c.creditor}, {"debtor", c.debtor},
           {"number", c.number}, {"amount", c.amount},     {"date", c.date}};
  // Amounts are decimal strings; one that is not an int64 is refused as the amount.
  int64_t amount = 0;
  bool amount_ok = !c.amount.empty() && c.amount.size() <= 18 &&
                   c.amount.find_first_not_of("0123456789") == std::string::npos &&
                   !(c.amount.size() > 1 && c.amount[0] == '0');
  if (amount_ok) amount = std::stoll(c.amount);
  InvoiceFields f{.creditor = c.creditor,
                  .debtor = c.debtor,
                  .number = c.number,
                  .amount = amount_ok ? amount : -1,
                  .date = c.date};
  auto h = InvoiceFingerprint(f);
  if (!h.ok()) {
    out["expect"] = "refused";
    out["field"] = FieldOf(h.status());
    return out;
  }
  out["expect"] = "ok";
  out["normalised"] = *NormaliseInvoiceNumber(c.number);
  out["fingerprint"] = h->fingerprint.Hex();
  out["invoice_key"] = h->invoice_key.Hex();
  return out;
}

Json SignedRead(const char* name, uint8_t seed_fill, const std::string& chain_id,
                const std::string& method, const std::string& target, int64_t ts_ms) {
  // The header of docs/api.md §Signed reads, written out here from KeyPair::Sign so that the
  // vector does not depend on the code it pins (signed_read.h is checked against it).
  KeyPair key = TestKey(seed_fill);
  std::string body = method + "\n" + target + "\n" + std::to_string(ts_ms);
  Signature sig = key.Sign(SigKind::kRead, chain_id, AsBytes(body));
  return Json{{"name", name},
              {"seed", ToHex(key.seed().view())},
              {"chain_id", chain_id},
              {"method", method},
              {"target", target},
              {"ts_ms", DecSigned(ts_ms)},
              {"body", body},
              {"header", "Tidemark-Read key=" + key.public_key().Hex() +
                             ",ts=" + std::to_string(ts_ms) + ",sig=" + sig.Hex()}};
}

}  // namespace

Json FinFingerprintVectors() {
  const std::string a64(64, 'A');
  const FpCase cases[] = {
      {"basic", "bondedwh", "platform", "INV-2026/0001", "1250000", "2026-11-30"},
      {"lower_case_and_trailing_space", "bondedwh", "platform", "inv-2026/0001 ", "1250000",
       "2026-11-30"},
      {"org_ids_folded", "BondedWH", "PLATFORM", "INV20260001", "1250000", "2026-11-30"},
      {"white_space_trimmed", "bondedwh", "platform", " \t INV 2026.0001\r\n", "1250000",
       "2026-11-30"},
      {"every_separator", "bondedwh", "platform", "a_b.c/d-e f", "1250000", "2026-11-30"},
      {"another_amount", "bondedwh", "platform", "INV-2026/0001", "1250001", "2026-11-30"},
      {"leading_zeros_kept", "bondedwh", "platform", "000123", "1250000", "2026-11-30"},
      {"no_leading_zeros", "bondedwh", "platform", "123", "1250000", "2026-11-30"},
      {"number_64_chars", "bondedwh", "platform", a64, "1250000", "2026-11-30"},
      {"number_64_chars_after_separators", "bondedwh", "platform", "--" + a64 + "//", "1250000",
       "2026-11-30"},
      {"amount_one", "sup-1_b", "core-ent", "X1", "1", "1900-01-01"},
      {"amount_max", "sup-1_b", "core-ent", "X1", "1000000000000000", "9999-12-31"},
      {"leap_day_2028", "bondedwh", "platform", "INV-1", "500", "2028-02-29"},
      {"leap_day_2000", "bondedwh", "platform", "INV-1", "500", "2000-02-29"},
      {"number_65_chars", "bondedwh", "platform", a64 + "B", "1250000", "2026-11-30"},
      {"number_empty", "bondedwh", "platform", "", "1250000", "2026-11-30"},
      {"number_only_separators", "bondedwh", "platform", " -_/. ", "1250000", "2026-11-30"},
      {"number_non_ascii_letter", "bondedwh", "platform", "INV-2026/\xC3\xA9", "1250000",
       "2026-11-30"},
      {"number_fullwidth_digit", "bondedwh", "platform", "INV-2026/\xEF\xBC\x90\x30\x30\x31",
       "1250000", "2026-11-30"},
      {"number_other_punctuation", "bondedwh", "platform", "INV#1", "1250000", "2026-11-30"},
      {"number_inner_tab", "bondedwh", "platform", "INV\t1", "1250000", "2026-11-30"},
      {"number_vertical_tab_not_trimmed", "bondedwh", "platform", "\vINV1", "1250000",
       "2026-11-30"},
      {"amount_zero", "bondedwh", "platform", "INV-1", "0", "2026-11-30"},
      {"amount_over_max", "bondedwh", "platform", "INV-1", "1000000000000001", "2026-11-30"},
      {"amount_negative", "bondedwh", "platform", "INV-1", "-5", "2026-11-30"},
      {"date_not_leap", "bondedwh", "platform", "INV-1", "500", "2026-02-29"},
      {"date_1900_not_leap", "bondedwh", "platform", "INV-1", "500", "1900-02-29"},
      {"date_april_31", "bondedwh", "platform", "INV-1", "500", "2026-04-31"},
      {"date_month_13", "bondedwh", "platform", "INV-1", "500", "2026-13-01"},
      {"date_day_0", "bondedwh", "platform", "INV-1", "500", "2026-01-00"},
      {"date_short_form", "bondedwh", "platform", "INV-1", "500", "2026-2-01"},
      {"date_before_1900", "bondedwh", "platform", "INV-1", "500", "1899-12-31"},
      {"date_with_time", "bondedwh", "platform", "INV-1", "500", "2026-11-30T00:00:00Z"},
      {"creditor_not_an_org_id", "bonded wh", "platform", "INV-1", "500", "2026-11-30"},
      {"creditor_empty", "", "platform", "INV-1", "500", "2026-11-30"},
      {"debtor_non_ascii", "bondedwh", "plattform-\xC3\x84", "INV-1", "500", "2026-11-30"},
      {"debtor_65_chars", "bondedwh", std::string(65, 'p'), "INV-1", "500", "2026-11-30"},
  };
  Json out = Json::array();
  for (const FpCase& c : cases) out.push_back(FingerprintCase(c));
  return out;
}

Json FinSignedReadVectors() {
  Json out = Json::array();
  out.push_back(SignedRead("receivable", 1, kChainId, "GET",
                           "/v1/fin/receivables/rcv_0a1b2c3d4e5f60718293", 1780000000000));
  out.push_back(SignedRead(
      "check_with_query", 2, kChainId, "GET",
      "/v1/fin/check?fingerprint=8cc2fc136e6eef7d5a7833ad30bd63511e8e81daf2886b5671e2e3ccccee65cc"
      "&invoice_key=654eb055f533ae12062829197f6a7cece4347e288c853d7b6b8a1c055d851b0d",
      1780000123456));
  out.push_back(SignedRead("percent_encoding_untouched", 3, "tidemark-local", "GET",
                           "/v1/fin/receivables?party=acme%2Dbank&cursor=rcv_00%20x&limit=10", 1));
  out.push_back(SignedRead("ts_zero_other_chain", 1, "tidemark-other", "GET", "/v1/fin/check", 0));
  return out;
}

}  // namespace tidemark::vectors
