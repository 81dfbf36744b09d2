// state_keys/governance.h — the state layout of the governance contract ("gov/…";
// contracts/governance.h; docs/contracts.md, "State key layout").
//
//   tree.Prove(version, AsBytes(state_keys::gov::kValidators));  // the current validator set
//
// Thread safety: constants and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tidemark/state_keys/parts.h"

namespace tidemark::state_keys::gov {

inline constexpr std::string_view kPrefix = "gov/";
// int: the id the next proposal gets (ids from 1).
inline constexpr std::string_view kNextProposal = "gov/next_proposal";
// proposal record, by id in SeqPart form.
inline constexpr std::string_view kProposalPrefix = "gov/proposal/";
inline std::string Proposal(uint64_t id) { return Cat({kProposalPrefix, SeqPart(id)}); }
// ValidatorSet::Encode() of the current set (light clients prove it: proof_bundle.h) and of the
// set that takes over at the next epoch.
inline constexpr std::string_view kValidators = "gov/validators";
inline constexpr std::string_view kValidatorsPending = "gov/validators_pending";
// Value of a network parameter.
inline constexpr std::string_view kParamPrefix = "gov/param/";
inline std::string Param(std::string_view name) { return Cat({kParamPrefix, name}); }

}  // namespace tidemark::state_keys::gov
