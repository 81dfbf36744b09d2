#!/usr/bin/env bash
# Builds the `fuzz` preset (clang, libFuzzer + ASan + UBSan) and runs every fuzz target
# (build/fuzz/fuzz/*_fuzz, one per fuzz/*_fuzz.cc) for a bounded time, one after another.
# Seeds: the test vectors whose kind matches the target (tidemark-vectors --corpus) plus
# fuzz/corpus/<name>/. Exits non-zero if any target finds a crash, leak, UB, timeout or
# non-canonical round trip; the reproducer is kept in build/fuzz/fuzz-work/<name>/.
#   scripts/fuzz.sh                     # 20 s per target
#   FUZZ_SECONDS=300 scripts/fuzz.sh    # longer
#   FUZZ_TARGETS="value transaction" scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
JOBS="${JOBS:-2}"
BUILD=build/fuzz
BIN="$BUILD/fuzz"

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzz_all -j "$JOBS"

SEEDS="$BUILD/fuzz-seeds"
rm -rf "$SEEDS"
"$BIN/tidemark-vectors" --corpus "$SEEDS"

targets=()
if [[ -n "${FUZZ_TARGETS:-}" ]]; then
  for t in $FUZZ_TARGETS; do targets+=("$BIN/${t}_fuzz"); done
else
  for f in fuzz/*_fuzz.cc; do targets+=("$BIN/$(basename "$f" .cc)"); done
fi

failed=()
for bin in "${targets[@]}"; do
  name="$(basename "$bin" _fuzz)"
  work="$BUILD/fuzz-work/$name"
  mkdir -p "$work/corpus" "$work/artifacts"
  seeds=()
  [[ -d "$SEEDS/$name" ]] && seeds+=("$SEEDS/$name")
  [[ -d "fuzz/corpus/$name" ]] && seeds+=("fuzz/corpus/$name")
  [[ ${#seeds[@]} -eq 0 ]] && echo "   (no seed corpus for $name: starting from nothing)"
  printf '== %-16s %ss ... ' "$name" "$FUZZ_SECONDS"
  if "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
      "$work/corpus" "${seeds[@]}" >"$work/log" 2>&1; then
    echo "ok ($(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$work/log" | grep -Eo '[0-9]+$' || echo '?') runs)"
  else
    echo "FAILED"
    tail -40 "$work/log"
    echo "   reproducer(s): $(ls "$work/artifacts" | tr '\n' ' ')"
    echo "   replay: $bin $work/artifacts/<file>"
    failed+=("$name")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: findings in: ${failed[*]}"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets clean"
