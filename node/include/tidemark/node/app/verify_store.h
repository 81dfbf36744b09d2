// verify_store.h — `tidemark-node verify --data DIR`: re-checks a node's store against its own
// certificates and roots, and says where it is wrong (docs/storage.md, "Faults and verify").
//
//   VerifyReport r = VerifyChain(kv);           // any KvReader (tests: a MemoryKvStore)
//   for (const auto& p : r.problems) std::cout << p.where << ": " << p.what << "\n";
//   int rc = RunVerify("/var/lib/tidemark/node0", std::cout, std::cerr);  // the command
//
// What is checked, for every height from 0 to the tip: the block decodes and is internally
// consistent (justify hash, tx root and count), its id index points back at it, it links to its
// parent, the tip record names the last one; its commit certificate commits exactly it with a
// quorum of valid signatures of the validator set of its epoch (read from the state version the
// previous block certifies; epoch boundaries are pinned, so always retained); its receipts decode,
// belong to its txs and hash to the receipts root of its execution record, whose roots the later
// header that certifies it carries. Every retained state version's tree is walked from its root
// and every node re-hashed (a flipped byte in any node is found, named by its key); the root must
// be the one of the execution record; the flat index must equal the latest version's leaves.
// Thread safety: plain functions over a reader no one writes meanwhile.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "tidemark/node/storage/kv_store.h"

namespace tidemark::node {

struct VerifyProblem {
  std::string where;  // "height 7", "state version 12", "leveldb", ...
  std::string key;    // the store key, readable: "B|7", "N|12|ab01…", or empty
  std::string what;
};

struct VerifyReport {
  uint64_t tip = 0;
  uint64_t blocks = 0;        // heights checked
  uint64_t certificates = 0;  // certificates verified with signatures
  uint64_t versions = 0;      // state versions walked
  uint64_t nodes = 0;         // distinct tree nodes re-hashed
  uint64_t flat_entries = 0;
  uint64_t index_entries = 0;  // of which index keys: not in the tree, nothing to check them by
  std::vector<VerifyProblem> problems;
};

VerifyReport VerifyChain(const KvReader& kv);

// The command: takes DIR (the node's data_dir, or its ledger/ folder), opens a private copy of the
// store (table files hard-linked when possible, the rest copied; the original is locked during
// the copy and never written), runs LevelDB's file check and VerifyChain, prints one line per
// problem and a summary to `out`. Returns 0 (no problem), 1 (problems found) or 2 (cannot open:
// the reason on `err`).
int RunVerify(const std::string& dir, std::ostream& out, std::ostream& err);

}  // namespace tidemark::node
