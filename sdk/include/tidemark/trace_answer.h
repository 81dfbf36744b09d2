// trace_answer.h — checks a Digital Link resolver answer (GET /01/...?proof=true, JSON): the
// bundle verifies from the trust anchor, every key in the answer's state_keys is proven present
// and nothing else is in the bundle, and the answer's fields (item state, custody, timeline,
// product, lot, customs, certificates, scans, origin) equal the proven records. The JS twin is
// verifyTraceAnswer (sdk/js/src/trace_answer.js); both pass tests/vectors/proof_vectors.json.
//
//   TM_ASSIGN_OR_RETURN(VerifiedTrace v, VerifyTraceAnswer(answer_json, trust));
//   v.state.height, v.state.signers, v.records[state_keys::prov::Obj(id)], v.checked
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
  VerifiedState state;                            // header, signers, proven entries
  std::map<std::string, nlohmann::json> records;  // key -> proven record (Value as JSON)
  std::vector<std::string> checked;               // the answer fields compared with the records
};

// kUnauthenticated with the reason when anything does not hold.
Result<VerifiedTrace> VerifyTraceAnswer(const nlohmann::json& answer, const TrustAnchor& trust);

// The trust anchor from a GET /v1/genesis answer ({chain_id, validator_set: hex}).
Result<TrustAnchor> TrustFromGenesisJson(const nlohmann::json& genesis);

}  // namespace tidemark
