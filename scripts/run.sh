#!/usr/bin/env bash
# The README's main command: builds Tidemark and runs a local 4-organisation network
# (a platform, a customs broker, a bank, a regulator) as four `tidemark-node` processes on
# loopback, until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target tidemark-node tidemark
# The block explorer, built from its lockfile; every node serves it at /.
(cd explorer && npm ci --no-audit --no-fund --loglevel=error && npm run build)
BIN=build/release
NET=run/local-4
rm -rf "$NET"
"$BIN/cli/tidemark" network init --out "$NET" --chain-id tidemark-local --dev-seed tidemark-local-demo
python3 scripts/explorer-config.py "$NET" explorer/dist
trap 'scripts/local-net.sh stop "$NET"; exit 0' INT TERM
scripts/local-net.sh start "$NET" "$BIN/node"
echo
scripts/local-net.sh status "$NET"
echo
# The demo story (infant formula, 1210 bonded import, a recall) through the REST API.
"$BIN/cli/tidemark" demo load --url http://127.0.0.1:8080 --network "$NET" ||
  echo "demo load failed (the network keeps running); see the message above" >&2
echo
echo "Tidemark local network is up. REST API: http://127.0.0.1:8080/v1/status  (nodes on 8080-8083)"
echo "Block explorer: http://127.0.0.1:8080/  (a product's trace page is its Digital Link path, /01/...)"
echo "REST capture: each org's node accepts the bearer token in $NET/<org>/capture_token.txt (expires in"
echo "  90 days; see capture_tokens in its node.json), e.g."
echo "  $BIN/cli/tidemark --node http://127.0.0.1:8080 epcis capture doc.jsonld --token-file $NET/platform/capture_token.txt"
echo "  curl -H \"Authorization: Bearer \$(cat $NET/platform/capture_token.txt)\" -H 'Content-Type: application/ld+json' \\"
echo "    --data-binary @doc.jsonld http://127.0.0.1:8080/epcis/capture   # 202, then GET the Location"
echo "Logs: $NET/<org>/node.log.  Press Ctrl-C to stop."
while true; do sleep 3600; done
