// trace_answer.h — checks a Digital Link resolver answer (GET /01/...?proof=true, JSON): the
// bundle verifies from the trust anchor, every key in the answer's state_keys is proven present
// and nothing else is in the bundle, and the answer's fields (item state, custody, timeline,
// product, lot, customs, certificates, scans) equal the proven records. What a reader is warned
// about (recall, sale, customs hold, ...) and the origin are DERIVED from the proven records by
// DeriveTraceWarnings / DeriveOrigin; the answer's own unproven `warnings` and `origin_country`
// are only compared with them, and a difference is reported in `disagreements` (the node lied or
// runs other rules), never trusted. The JS twins are verifyTraceAnswer, deriveTraceWarnings and
// deriveOrigin (sdk/js/src/trace_answer.js); both pass tests/vectors/proof_vectors.json and
// tests/vectors/trace_warnings_vectors.json.
//
//   TM_ASSIGN_OR_RETURN(VerifiedTrace v, VerifyTraceAnswer(answer_json, trust, now_ms));
//   v.state.height, v.records[state_keys::prov::Obj(id)], v.warnings, v.disagreements
//
// Thread safety: pure function.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tidemark/proof_bundle.h"

namespace tidemark {

struct VerifiedTrace {
  VerifiedState state;                                // header, signers, proven entries
  std::map<std::string, nlohmann::json> records;      // key -> proven record (Value as JSON)
  std::vector<std::string> checked;                   // the answer fields compared with the records
  nlohmann::json warnings = nlohmann::json::array();  // DeriveTraceWarnings of the records
  std::string origin_country;                         // DeriveOrigin of the records ("" unknown)
  // Unproven answer fields that differ from what the records give: [{field, answer, proven}].
  nlohmann::json disagreements = nlohmann::json::array();
};

// The warnings a reader of item `id` must see, from proven records only (key -> record as JSON),
// in this order, each {"kind", "params"} (params are strings and integers):
//   recalled       {recall_id, lot, reason}      the item's recall, else its lot's
//   customs_hold   {declaration, status}         under customs control, not released
//   sold           {time}                        the item was sold (eventTime of the sale)
//   destroyed      {time}
//   non_conformant {lot}                         the lot was inspected non-conformant
//   expired        {expiry_date}                 as_of_ms (> 0) is after the lot's expiry day
//   scanned        {count, first_time}           the code was scanned before
// The rules are docs/proofs.md "Warnings"; the node's answer carries the same list.
nlohmann::json DeriveTraceWarnings(const std::string& id,
                                   const std::map<std::string, nlohmann::json>& records,
                                   int64_t as_of_ms);

// The origin country: ILMD countryOfOrigin of the item's commissioning event when that event's
// record is proven, else the product record's origin_country, else the customs declaration's.
std::string DeriveOrigin(const std::string& id,
                         const std::map<std::string, nlohmann::json>& records);

// kUnauthenticated with the reason when anything does not hold. `as_of_ms` is the reader's time
// for the expiry warning (0: the answer's own as_of_ms, if any).
Result<VerifiedTrace> VerifyTraceAnswer(const nlohmann::json& answer, const TrustAnchor& trust,
                                        int64_t as_of_ms = 0);

// The trust anchor from a GET /v1/genesis answer ({chain_id, validator_set: hex}).
Result<TrustAnchor> TrustFromGenesisJson(const nlohmann::json& genesis);

}  // namespace tidemark
