#!/usr/bin/env bash
# Starts and stops a local network of `tidemark-node` processes on loopback.
#   scripts/local-net.sh start DIR BIN_DIR   # DIR from `tidemark network init`; waits until ready
#   scripts/local-net.sh stop DIR            # SIGTERM, then SIGKILL after 10 s
#   scripts/local-net.sh status DIR
set -euo pipefail
cmd="${1:-}"; dir="${2:-}"
[[ -n "$cmd" && -n "$dir" && -d "$dir" ]] || { echo "usage: $0 start|stop|status DIR [BIN_DIR]" >&2; exit 2; }

orgs() { for f in "$dir"/*/node.json; do basename "$(dirname "$f")"; done; }
http_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"]["listen"])' "$dir/$1/node.json"; }

case "$cmd" in
  start)
    bin="${3:?BIN_DIR}"
    # The node refuses key files that group or others may read (like ssh); git checkouts and
    # copies do not keep modes, so make the network's secrets private first.
    find "$dir" -maxdepth 2 \( -name '*key*.json' -o -name 'capture_token.txt' -o -name 'passphrase*' \) \
      -exec chmod 600 {} +
    for org in $(orgs); do
      pidfile="$dir/$org/node.pid"
      if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then continue; fi
      "$bin/tidemark-node" --config "$dir/$org/node.json" >"$dir/$org/node.log" 2>&1 &
      echo $! >"$pidfile"
    done
    for org in $(orgs); do
      addr=$(http_of "$org")
      for _ in $(seq 1 300); do
        curl -fsS "http://$addr/readyz" >/dev/null 2>&1 && break
        sleep 0.1
      done
      curl -fsS "http://$addr/readyz" >/dev/null || { echo "node $org did not become ready; see $dir/$org/node.log" >&2; exit 1; }
    done
    ;;
  stop)
    for org in $(orgs); do
      pidfile="$dir/$org/node.pid"
      [[ -f "$pidfile" ]] || continue
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$pidfile"
    done
    ;;
  status)
    for org in $(orgs); do
      addr=$(http_of "$org")
      printf '%-12s %s  ' "$org" "http://$addr"
      curl -fsS "http://$addr/v1/status" 2>/dev/null | python3 -c 'import json,sys; s=json.load(sys.stdin); print("height", s.get("height"), "peers", s.get("peers"))' || echo "down"
    done
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
