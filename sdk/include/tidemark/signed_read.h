// signed_read.h — the `Authorization: Tidemark-Read ...` header of a protected REST read
// (docs/api.md §Signed reads, docs/finance.md §1): the reader signs the request with a key
// enrolled on the ledger, so the node can tell who is asking before it answers with finance data.
//
//   Authorization: Tidemark-Read key=<64 hex>,ts=<unix ms>,sig=<128 hex>
//   sig = key.Sign(SigKind::kRead, chain_id, METHOD "\n" TARGET "\n" TS)
//
// TARGET is the request target exactly as on the request line (path plus "?query", percent-encoding
// untouched). The node checks the signature and the time window here, and that the key is an
// active key of an active organisation in its own state (node/src/api/read_auth.cc).
//
//   std::string h = ReadAuthHeader(key, "tidemark-local", "GET", "/v1/fin/receivables/rcv_01",
//                                  now_ms);                      // client side
//   TM_ASSIGN_OR_RETURN(ReadAuth a, ParseReadAuthHeader(h));     // node side
//   TM_RETURN_IF_ERROR(VerifyReadAuth(a, chain_id, "GET", target, now_ms));
//
// The JS twin is readAuthHeader (sdk/js/src/finance.js); both pass the "fin_signed_reads" vectors.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tidemark/bytes.h"
#include "tidemark/crypto.h"
#include "tidemark/status.h"

namespace tidemark {

inline constexpr std::string_view kReadAuthScheme = "Tidemark-Read";
// How far the reader's clock may be from the node's (either way).
inline constexpr int64_t kReadAuthWindowMs = 120000;
// The largest ts accepted by the parser (year ~2286 in unix ms; 13 digits).
inline constexpr int64_t kReadAuthMaxTsMs = 9'999'999'999'999;

struct ReadAuth {
  PublicKey key;
  int64_t ts_ms = 0;
  Signature sig;
};

// The signed body: METHOD "\n" TARGET "\n" TS (TS in decimal, as in the header).
Bytes ReadAuthBody(std::string_view method, std::string_view target, int64_t ts_ms);

// The full header value ("Tidemark-Read key=...,ts=...,sig=..."), without "Authorization: ".
std::string ReadAuthHeader(const KeyPair& key, std::string_view chain_id, std::string_view method,
                           std::string_view target, int64_t ts_ms);

// Strict parse: the scheme, one space, then exactly key=,ts=,sig= in that order, no spaces, key and
// sig lower-case hex of 64 / 128 digits, ts decimal without sign or leading zeros, at most
// kReadAuthMaxTsMs. kUnauthenticated naming what is wrong.
Result<ReadAuth> ParseReadAuthHeader(std::string_view value);

// kUnauthenticated unless |now_ms - ts_ms| <= window_ms and the signature verifies over
// ReadAuthBody(method, target, ts_ms) with domain kRead and `chain_id`. The time window is checked
// first (it is free). Does not check that the key is enrolled: that needs the ledger's state.
Status VerifyReadAuth(const ReadAuth& auth, std::string_view chain_id, std::string_view method,
                      std::string_view target, int64_t now_ms,
                      int64_t window_ms = kReadAuthWindowMs);

}  // namespace tidemark
