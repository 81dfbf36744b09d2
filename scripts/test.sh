#!/usr/bin/env bash
# The README's test command: installs what is needed, builds the `dev` preset and runs every suite
# with ctest. Extra suites (JS SDK, browser, fuzz smoke) run when their folders exist.
#   scripts/test.sh            # dev build + all tests
#   PRESET=asan scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET="${PRESET:-dev}"

bash scripts/install-deps.sh

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
