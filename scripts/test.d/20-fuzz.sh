#!/usr/bin/env bash
# Fuzz smoke test, run by scripts/test.sh: every fuzz target for 5 s (see scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
FUZZ_SECONDS="${FUZZ_SECONDS:-5}" exec bash scripts/fuzz.sh
