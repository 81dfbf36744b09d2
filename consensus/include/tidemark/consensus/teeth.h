// teeth.h — test-only switches, each breaking one safety rule of the consensus, so that the
// simulator and the tests can prove they would find that bug (docs/consensus.md, "Teeth").
//
// They exist only when TIDEMARK_CONSENSUS_TEETH is defined. CMake compiles the consensus sources
// a second time as `tidemark_consensus_teeth` with that definition, for the simulator and the
// tests; `tidemark_consensus`, the library the node links, has none of them.
//
//   ReplicaOptions opts{.chain_id = "sim"};
//   opts.test_only_break = TestOnlyBreak::kTcQuorum;    // compiles only in a teeth build
//   auto b = ParseTestOnlyBreak("tc-quorum");          // for the simulator's command line
//
// Thread safety: value types and pure functions.
#pragma once

#ifdef TIDEMARK_CONSENSUS_TEETH

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tidemark::consensus {

enum class TestOnlyBreak : uint8_t {
  kNone,
  kLockCheck,          // vote on a TC without `q >= max hqc_round`; time out below the lock
  kLastVotedRound,     // vote without `round > last_voted_round`
  kDuplicateSigner,    // QC / TC signers only non-decreasing: a repeated signer counts twice
  kQcQuorum,           // a QC needs (and forms with) 2f signatures
  kTcQuorum,           // a TC needs (and forms with) 2f signatures
  kConsecutiveRound,   // a vote commits the parent even when parent.round + 1 != round
  kTcHighQc,           // a TC's high QC is not adopted (the next leader extends its own)
  kPersistBeforeSend,  // the vote leaves before its PersistSafety
};

// "lock", "last-voted-round", "duplicate-signer", "qc-quorum", "tc-quorum",
// "consecutive-round", "tc-high-qc", "persist-before-send" (and "none").
const char* TestOnlyBreakName(TestOnlyBreak b);
std::optional<TestOnlyBreak> ParseTestOnlyBreak(const std::string& name);
std::vector<TestOnlyBreak> AllTestOnlyBreaks();

}  // namespace tidemark::consensus

#endif  // TIDEMARK_CONSENSUS_TEETH
