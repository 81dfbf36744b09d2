#!/usr/bin/env bash
# JS SDK suite (sdk/js): installs the pinned packages from package-lock.json and runs
# `node --test` (every vector in tests/vectors/vectors.json, QC tampering, state proofs and the
# browser bundle check with esbuild). Called by scripts/test.sh; runs on its own too:
#   bash scripts/test.d/10-js.sh
set -euo pipefail
cd "$(dirname "$0")/../../sdk/js"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "10-js: node and npm are required (scripts/install-deps.sh installs them)" >&2
  exit 1
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if (( major < 20 )); then
  echo "10-js: Node >= 20 required, found $(node --version)" >&2
  exit 1
fi

# Exactly the versions in package-lock.json (npm ci starts from an empty node_modules).
npm ci --no-audit --no-fund --loglevel=error

npm test
