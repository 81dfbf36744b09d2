#include "tidemark/consensus/teeth.h"

#ifdef TIDEMARK_CONSENSUS_TEETH

namespace tidemark::consensus {

namespace {
constexpr const char* kNames[] = {"none",
                                  "lock",
                                  "last-voted-round",
                                  "duplicate-signer",
                                  "qc-quorum",
                                  "tc-quorum",
                                  "consecutive-round",
                                  "tc-high-qc",
                                  "persist-before-send"};
constexpr size_t kCount = sizeof(kNames) / sizeof(kNames[0]);
}  // namespace

const char* TestOnlyBreakName(TestOnlyBreak b) {
  const auto i = static_cast<size_t>(b);
  return i < kCount ? kNames[i] : "?";
}

std::optional<TestOnlyBreak> ParseTestOnlyBreak(const std::string& name) {
  for (size_t i = 0; i < kCount; ++i) {
    if (name == kNames[i]) return static_cast<TestOnlyBreak>(i);
  }
  return std::nullopt;
}

std::vector<TestOnlyBreak> AllTestOnlyBreaks() {
  std::vector<TestOnlyBreak> all;
  for (size_t i = 1; i < kCount; ++i) all.push_back(static_cast<TestOnlyBreak>(i));
  return all;
}

}  // namespace tidemark::consensus

#endif  // TIDEMARK_CONSENSUS_TEETH
