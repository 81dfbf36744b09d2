#!/usr/bin/env bash
# Browser tests of the explorer (explorer/test/browser.test.mjs): builds the explorer with npm from
# its lockfile, starts a local 4-node network in a temp folder with the PRESET's binaries (built by
# scripts/test.sh), loads the demo story through the REST API, and drives Debian's chromium with
# playwright-core. Screenshots of every page go to build/screenshots/. The network is always
# stopped. Runs on its own too:  PRESET=dev bash scripts/test.d/30-browser.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
PRESET="${PRESET:-dev}"
BIN="$ROOT/build/$PRESET"
SHOTS="$ROOT/build/screenshots"

[[ -x /usr/bin/chromium ]] || bash scripts/install-deps.sh --with-browser
for b in "$BIN/node/tidemark-node" "$BIN/node/tidemark-node-test" "$BIN/cli/tidemark"; do
  [[ -x "$b" ]] || { echo "30-browser: $b is missing; build the $PRESET preset first" >&2; exit 1; }
done

# The SDK's packages (the demo loader signs txs with it) and the explorer's, exactly as locked.
(cd sdk/js && npm ci --no-audit --no-fund --loglevel=error)
(cd explorer && npm ci --no-audit --no-fund --loglevel=error && npm run build && npm test)

NET="$(mktemp -d /tmp/tidemark-browser.XXXXXX)"
cleanup() {
  "$ROOT/scripts/local-net.sh" stop "$NET" >/dev/null 2>&1 || true
  if [[ "${KEEP_NET:-0}" != 1 ]]; then rm -rf "$NET"; fi
}
trap cleanup EXIT
trap "exit 143" INT TERM  # so that the EXIT trap stops the network on Ctrl-C or a kill too
# Ports below the ephemeral range, from the pid, so parallel runs do not collide.
BASE_HTTP=$((20000 + ($$ % 1000) * 10))
"$BIN/cli/tidemark" network init --out "$NET" --chain-id tidemark-local \
  --dev-seed tidemark-browser-test --base-http "$BASE_HTTP" --base-p2p "$((BASE_HTTP + 5))" >/dev/null
python3 scripts/explorer-config.py "$NET" "$ROOT/explorer/dist"
scripts/local-net.sh start "$NET" "$BIN/node"

# With proof bundles on this node, restart one validator with tampered proofs for the warning test
# (the test binary: `tidemark-node` has no way to tamper).
TAMPER_URL=""
openapi="$(curl -fsS "http://127.0.0.1:$BASE_HTTP/openapi.json")"  # (grep -q in a pipe: SIGPIPE)
if grep -q '"/01/' <<<"$openapi"; then
  pid=$(cat "$NET/regulator/node.pid")
  kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  "$BIN/node/tidemark-node-test" --tamper-proofs --config "$NET/regulator/node.json" \
    >>"$NET/regulator/node.log" 2>&1 &
  echo $! >"$NET/regulator/node.pid"
  TAMPER_URL="http://127.0.0.1:$((BASE_HTTP + 3))"
  for _ in $(seq 1 100); do curl -fsS "$TAMPER_URL/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
fi

# The README's demo story too, when the CLI has the loader (the tests load their own story).
if "$BIN/cli/tidemark" --help | grep -qE "^  demo[[:space:]]"; then
  "$BIN/cli/tidemark" demo load --url "http://127.0.0.1:$BASE_HTTP" --network "$NET" ||
    { echo "30-browser: tidemark demo load failed" >&2; exit 1; }
fi

rm -rf "$SHOTS"
mkdir -p "$SHOTS"
cd explorer
EXPLORER_URL="http://127.0.0.1:$BASE_HTTP" NET_DIR="$NET" SCREENSHOTS="$SHOTS" TAMPER_URL="$TAMPER_URL" \
  NODE_BIN="$BIN/node/tidemark-node" CLI_BIN="$BIN/cli/tidemark" DEBUG=pw:browser DEBUG_FILE="$SHOTS/chromium.log" \
  timeout 300 node --test --test-concurrency=1 test/browser.test.mjs || {
  rc=$?
  echo "30-browser: failed ($rc); chromium's log ($SHOTS/chromium.log, last 80 lines, no D-Bus noise):" >&2
  grep -v 'dbus/' "$SHOTS/chromium.log" | tail -n 80 >&2 || true
  df -h /tmp /dev/shm >&2 || true
  free -m >&2 || true
  exit "$rc"
}
echo "30-browser: screenshots in $SHOTS"
