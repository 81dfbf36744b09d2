#!/usr/bin/env bash
# Release build: configures and builds EVERY target of the `release` preset (RelWithDebInfo, -O2,
# -Werror: what the benchmarks and scripts/run.sh use), so that an optimiser-only warning (GCC 12's
# -Wrestrict / -Warray-bounds false positives at -O2) cannot break a user's release build unseen
# while CI builds only `dev`. Then one smoke run of the release node (`--help`). No test suite: the
# sources are the ones ctest just ran. About 25 min of CPU on a cold ccache (measured 2026-12-05:
# 1137 s user + sys for 239 of its 307 steps); seconds when build/release/ is up to date.
# Called by scripts/test.sh (skipped under PRESET=asan, whose run is about the sanitizers); runs on
# its own too:  bash scripts/test.d/20-release.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PRESET="${PRESET:-dev}"

if [[ "$PRESET" == asan ]]; then
  echo "20-release: skipped under PRESET=asan (the dev run builds the release preset)"
  exit 0
fi

start=$SECONDS
cmake --preset release >/dev/null
# -j: as many jobs as cores (ninja's default is cores + 2, too many for a 2-core CI machine).
cmake --build --preset release -j "$(nproc)"

node_bin=build/release/node/tidemark-node
help="$("$node_bin" --help)" || { echo "20-release: $node_bin --help failed" >&2; exit 1; }
grep -q -- "--config" <<<"$help" || {
  echo "20-release: $node_bin --help does not list --config:" >&2
  echo "$help" >&2
  exit 1
}
echo "20-release: every release target built, tidemark-node --help ok ($((SECONDS - start)) s)"
