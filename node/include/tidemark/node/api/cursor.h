// cursor.h — the one codec of the opaque page cursors every list route hands out.
//
// A cursor is a tag naming the list ("c1" blocks, "a1" an account's txs, ...) followed by the hex
// of its fields, each a big-endian u64. Clients treat it as opaque and pass it back; the server
// refuses anything it did not issue (wrong tag, length or digits) with one INVALID_ARGUMENT.
//
//   std::string c = EncodeCursor("c1", {next_height});
//   TM_ASSIGN_OR_RETURN(std::vector<uint64_t> f, DecodeCursor(c, "c1", 1));   // f[0] ==
//   next_height
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "tidemark/status.h"

namespace tidemark::node::api {

std::string EncodeCursor(std::string_view tag, std::initializer_list<uint64_t> fields);
// The `n_fields` fields of a cursor issued with `tag`; INVALID_ARGUMENT for anything else.
Result<std::vector<uint64_t>> DecodeCursor(std::string_view cursor, std::string_view tag,
                                           size_t n_fields);

}  // namespace tidemark::node::api
