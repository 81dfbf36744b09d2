#!/usr/bin/env bash
# Installs every system dependency of Tidemark from Debian 12 packages.
# Idempotent: packages already present are skipped by apt; safe to run repeatedly.
# Usage: scripts/install-deps.sh [--with-browser]
set -euo pipefail

PKGS=(
  build-essential g++ cmake ninja-build pkg-config git ca-certificates
  clang libclang-rt-14-dev
  libsodium-dev libcrypto++-dev libleveldb-dev libsnappy-dev
  libboost1.81-dev
  nlohmann-json3-dev catch2 libcli11-dev libspdlog-dev libfmt-dev libqrencode-dev
  curl procps
)
# Node.js: keep an existing installation (it bundles npm); otherwise take Debian's.
if ! command -v node >/dev/null 2>&1; then PKGS+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then PKGS+=(npm); fi
if [[ "${1:-}" == "--with-browser" ]]; then
  PKGS+=(chromium fonts-dejavu-core)
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all system packages present"
fi
