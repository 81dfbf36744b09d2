// fuzz_util.h — helpers shared by the fuzz targets.
//   fuzz::CheckCanonical(in, decoded->Encode(), "tx");   // aborts unless equal
// Thread safety: pure functions.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "tidemark/bytes.h"

namespace tidemark::fuzz {

// Aborts (a libFuzzer finding) unless `again` equals the input: a decoder accepted bytes that
// are not the canonical encoding of what it decoded.
inline void CheckCanonical(ByteView in, const Bytes& again, const char* what) {
  if (again.size() == in.size() && std::equal(again.begin(), again.end(), in.begin())) return;
  std::fprintf(stderr, "%s: accepted non-canonical input\n  in:  %s\n  out: %s\n", what,
               ToHex(in).c_str(), ToHex(again).c_str());
  std::abort();
}

}  // namespace tidemark::fuzz
