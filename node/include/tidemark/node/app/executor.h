// executor.h — runs a committed block's transactions through the contracts.
//
// Execution is deterministic: the same committed state and block give the same receipts and state
// changes on every node. The result is not written anywhere here; the caller applies the changes to
// the state tree and writes block, receipts and state in one batch.
//
//   contracts::ContractRegistry registry = contracts::BuiltinContracts();
//   BlockExecution out = ExecuteBlock(registry, committed_view, block);
//   // out.changes: sorted (key, value | nullopt) for the state tree; out.receipts_root for the
//   // header of a later block (execution lags consensus, docs/architecture.md)
//
// Thread safety: pure function; `committed` is only read.
#pragma once

#include <optional>
#include <vector>

#include "tidemark/contracts/framework.h"
#include "tidemark/types.h"

namespace tidemark::node {

struct BlockExecution {
  std::vector<Receipt> receipts;                // one per tx, in block order
  std::vector<contracts::StateChange> changes;  // sorted by key
  Hash256 receipts_root;                        // RFC 6962 root over the receipt hashes
};

// Validator-set changes: a set that governance left pending is activated (written to
// gov/validators, part of `changes`) at the end of the block, unless the previous change is
// still taking effect (gov/validators is already of a later epoch than the block): consensus
// switches only at the first committed block whose header certifies the activated set
// (Ledger::ValidatorsAfter), so at most one change is in flight.

BlockExecution ExecuteBlock(const contracts::ContractRegistry& registry,
                            contracts::StateView& committed, const Block& block);

Hash256 ReceiptsRoot(const std::vector<Receipt>& receipts);

}  // namespace tidemark::node
