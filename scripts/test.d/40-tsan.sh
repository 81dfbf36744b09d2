#!/usr/bin/env bash
# ThreadSanitizer stress (docs/architecture.md, "Threads"): configures the `tsan` preset, builds
# ONLY the stress test tests/node/app_concurrency_test.cc and the execution stage's test (and the
# libraries they link, all with -fsanitize=thread), and runs them: readers of state, nonces,
# proofs and blocks and REST submissions from several threads while blocks commit, through the
# stage's writer thread too (background writes). Any race report fails the run
# (halt_on_error); tests/tsan.supp holds the third-party false positives, each with its reason.
# Called by scripts/test.sh after ctest; runs on its own too:  bash scripts/test.d/40-tsan.sh
# Cost (2 cores, ccache disabled, 2026-12-05): the build of the 92 steps took 288 s wall, 312 s
# of CPU (-O1 -g1; with full -g it was 429 s of CPU); the run takes about 5 s. ccache makes a
# rebuild of unchanged files free.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
TARGETS=(app_concurrency_test app_execution_stage_test)

cmake --preset tsan >/dev/null
start=$(date +%s)
cmake --build --preset tsan --target "${TARGETS[@]}" -j2
echo "40-tsan: built ${TARGETS[*]} in $(( $(date +%s) - start )) s"

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$ROOT/tests/tsan.supp"
for target in "${TARGETS[@]}"; do
  "$ROOT/build/tsan/tests/node/$target"
done
