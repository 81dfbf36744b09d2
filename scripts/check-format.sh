#!/usr/bin/env bash
# Fails when a tracked C++ file is not formatted as .clang-format says (clang-format 14, Debian's
# clang-format-14). To fix: scripts/check-format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
CF="$(command -v clang-format-14 || command -v clang-format || true)"
if [[ -z "$CF" ]]; then
  echo "check-format: clang-format-14 is not installed (scripts/install-deps.sh installs it)" >&2
  exit 2
fi
mapfile -t files < <(git ls-files -- '*.cc' '*.h' ':!:**/node_modules/**')
if [[ "${1:-}" == "--fix" ]]; then
  "$CF" -i "${files[@]}"
  echo "check-format: formatted ${#files[@]} files"
  exit 0
fi
out="$("$CF" --dry-run --Werror "${files[@]}" 2>&1)" && rc=0 || rc=$?
if ((rc != 0)); then
  grep -oE '^[^: ]+\.(cc|h):' <<<"$out" | sort -u | sed 's/:$//; s/^/  /'
  n=$(grep -oE '^[^: ]+\.(cc|h):' <<<"$out" | sort -u | wc -l)
  echo "check-format: $n of ${#files[@]} files are not formatted (scripts/check-format.sh --fix)"
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
