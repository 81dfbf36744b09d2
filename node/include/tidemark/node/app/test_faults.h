// test_faults.h — the test-only fault layer of a node: cut it off from chosen peers at runtime.
//
// Off unless the process runs with TIDEMARK_TEST_FAULTS=1 in its environment (the node then logs
// a warning at start). When on, the node reads `<data_dir>/test_faults` a few times a second:
// one peer key (64 hex digits) per line, `#` comments; every message to and from those peers is
// dropped by the transport (Transport::SetBlocked), as if the network between them were cut.
// Process tests partition a network by writing these files (write a temp file, then rename it):
//
//   setenv TIDEMARK_TEST_FAULTS=1; start the nodes
//   echo "<key of C>\n<key of D>" > A/data/test_faults.tmp && mv A/data/test_faults.tmp A/data/test_faults
//   ... the node logs "test faults: blocking 2 peers" once the cut is in effect; an empty (or
//   deleted) file heals it ("test faults: blocking 0 peers").
//
// Thread safety: pure functions.
#pragma once

#include <set>
#include <string>

#include "tidemark/crypto.h"
#include "tidemark/status.h"

namespace tidemark::node {

// True when TIDEMARK_TEST_FAULTS=1 is set in the environment.
bool TestFaultsEnabled();
// The blocked peers listed in `path`; an absent file blocks nobody; a bad line is an error.
Result<std::set<PublicKey>> ReadTestFaults(const std::string& path);

}  // namespace tidemark::node
