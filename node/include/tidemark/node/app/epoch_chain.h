// epoch_chain.h — the epoch-change links a light client follows from the genesis validator set
// to the set of a later epoch (sdk proof_bundle.h EpochChange; docs/proofs.md).
//
//   TM_ASSIGN_OR_RETURN(std::vector<EpochChange> chain, BuildEpochChain(ledger, header.epoch));
//
// Link i is a header of epoch i committed by the epoch-i set (the certificate stored with the
// epoch's end), with a proof of "gov/validators" under its state root giving the set of epoch
// i + 1 (an epoch ends at the first committed header certifying that state:
// Ledger::ValidatorsAfter). NotFound when this node has not stored the end of an epoch. Thread
// safety: reads only; any thread.
#pragma once

#include <vector>

#include "tidemark/node/app/ledger.h"
#include "tidemark/proof_bundle.h"

namespace tidemark::node {

Result<std::vector<EpochChange>> BuildEpochChain(const Ledger& ledger, uint64_t epoch);

}  // namespace tidemark::node
