#!/usr/bin/env bash
# The README's main command: builds the release preset and runs the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
echo "Tidemark built. Nothing to run yet."
