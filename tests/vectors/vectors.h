// vectors.h — the cross-language test vectors (tests/vectors/vectors.json, docs/encoding.md).
//
// Generate() builds every vector deterministically from fixed seeds (no clock, no randomness), so
// regenerating the file reproduces it byte for byte; a difference means the encoding drifted.
//
//   std::string text = tidemark::vectors::GenerateText();       // what vectors.json holds
//   Result<Bytes> again = tidemark::vectors::RoundTrip("transaction", bytes);
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/bytes.h"
#include "tidemark/status.h"

namespace tidemark::vectors {

using Json = nlohmann::ordered_json;

// The chain id used by every signed vector.
inline constexpr const char* kChainId = "tidemark-test";

// The whole vectors document.
Json Generate();
// Generate().dump(2) plus a final newline: the exact content of vectors.json.
std::string GenerateText();

// Decodes `in` as an object of `kind` (the `kind` names used in the file: transaction, vote_data,
// vote, validator_set, qc, block_header, block, receipt, value, merkle_proof) and re-encodes it.
// A decode failure returns its Status; an unknown kind is kInvalidArgument.
Result<Bytes> RoundTrip(std::string_view kind, ByteView in);

// The kinds RoundTrip() understands.
const std::vector<std::string>& DecodableKinds();

}  // namespace tidemark::vectors
