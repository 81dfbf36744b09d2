// state_keys/system.h — state keys the transaction framework and genesis write ("sys/…";
// contracts/framework.h, contracts/genesis.h; docs/contracts.md, "State key layout").
//
//   uint64_t next = ...GetValue(view, state_keys::sys::Nonce(signer));  // "sys/nonce/<hex key>"
//
// Thread safety: constants and pure functions.
#pragma once

#include <string>
#include <string_view>

#include "tidemark/crypto.h"
#include "tidemark/state_keys/parts.h"

namespace tidemark::state_keys::sys {

inline constexpr std::string_view kPrefix = "sys/";
// int: the signer's next nonce (absent: 1).
inline constexpr std::string_view kNoncePrefix = "sys/nonce/";
inline std::string Nonce(const PublicKey& signer) { return Cat({kNoncePrefix, signer.Hex()}); }
// {chain_id, genesis_time_ms}
inline constexpr std::string_view kGenesis = "sys/genesis";

}  // namespace tidemark::state_keys::sys
