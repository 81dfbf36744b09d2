#!/usr/bin/env bash
# The README's test command: installs what is needed, builds the `dev` preset and runs every suite
# with ctest, then the extra suites in scripts/test.d/ (JS SDK, every target of the release
# preset, browser). Every fuzz target runs in
# ctest too (fuzz/replay.cmake); scripts/fuzz.sh is the coverage-guided libFuzzer run (clang).
#   scripts/test.sh                # all tests (about 18 min on a fresh 2-core machine, plus
#                                  # about 15 min for 20-release.sh's build on a cold ccache)
#   PRESET=asan scripts/test.sh    # the same under ASan + UBSan (about 35 min: compiling with the
#                                  # sanitizers takes twice as long; run it before merging)
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET="${PRESET:-dev}"

bash scripts/install-deps.sh

# The JS SDK's pinned packages first: process tests run its verifier under node on live answers.
(cd sdk/js && npm ci --no-audit --no-fund --loglevel=error)

# Static checks first: they take a second and say what is wrong before a long build.
python3 scripts/check-layers.py
bash scripts/check-format.sh  # clang-format-14 over every tracked .cc/.h (--fix formats them)

cmake --preset "$PRESET" >/dev/null
cmake --build --preset "$PRESET"
ctest --preset "$PRESET" -j2 --timeout 900

# Extra suites hook in here (each script exits non-zero on failure).
[[ "${SKIP_EXTRAS:-0}" == 1 ]] && exit 0
for extra in scripts/test.d/*.sh; do
  [[ -e "$extra" ]] || continue
  echo "== $extra"
  PRESET="$PRESET" bash "$extra"
done
