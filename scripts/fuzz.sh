#!/usr/bin/env bash
# Builds the `fuzz` preset (clang, libFuzzer + ASan + UBSan) and runs every fuzz target
# (build/fuzz/fuzz/*_fuzz, one per fuzz/*_fuzz.cc) for a bounded time, one after another.
# Seeds: the test vectors whose kind matches the target (tidemark-vectors --corpus) plus
# fuzz/corpus/<name>/. Exits non-zero if any target finds a crash, leak, UB, timeout or
# non-canonical round trip; the reproducer is kept in build/fuzz/fuzz-work/<name>/.
#   scripts/fuzz.sh                     # 20 s per target
#   FUZZ_SECONDS=300 scripts/fuzz.sh    # longer
#   FUZZ_TARGETS="value transaction" scripts/fuzz.sh
#   FUZZ_PARALLEL=2 FUZZ_SECONDS=600 FUZZ_MERGE=1 scripts/fuzz.sh   # the documented long run
# FUZZ_PARALLEL runs that many targets at once (one core each). FUZZ_MERGE=1 then adds to
# fuzz/corpus/<name>/ the inputs of each target's run and seeds that add coverage (libFuzzer
# -merge=1), the committed corpus the next runs and the replay tests start from.
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

FUZZ_PARALLEL="${FUZZ_PARALLEL:-1}"
SUMMARY="$BUILD/fuzz-work/summary.txt"
mkdir -p "$BUILD/fuzz-work"
: >"$SUMMARY"

run_one() {  # $1 = binary; appends one line to $SUMMARY, returns non-zero on a finding
  local bin="$1" name work seeds rc execs cov
  name="$(basename "$bin" _fuzz)"
  work="$BUILD/fuzz-work/$name"
  rm -rf "$work/artifacts"
  mkdir -p "$work/corpus" "$work/artifacts"
  seeds=()
  [[ -d "$SEEDS/$name" ]] && seeds+=("$SEEDS/$name")
  [[ -d "fuzz/corpus/$name" ]] && seeds+=("fuzz/corpus/$name")
  [[ ${#seeds[@]} -eq 0 ]] && echo "   (no seed corpus for $name: starting from nothing)"
  rc=0
  "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
      "$work/corpus" "${seeds[@]}" >"$work/log" 2>&1 || rc=$?
  execs="$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$work/log" | grep -Eo '[0-9]+$' || echo '?')"
  cov="$(grep -Eo 'cov: [0-9]+' "$work/log" | tail -1 | grep -Eo '[0-9]+' || echo '?')"
  if [[ $rc -eq 0 ]]; then
    printf '%-16s ok      %6ss %12s runs  cov %s\n' "$name" "$FUZZ_SECONDS" "$execs" "$cov" | tee -a "$SUMMARY"
    if [[ "${FUZZ_MERGE:-0}" == 1 ]]; then
      # Into the committed folder: what is there stays (hand-written seeds keep their names);
      # an input of the run or of the test vectors is added when it adds coverage.
      mkdir -p "fuzz/corpus/$name"
      "$bin" -merge=1 -timeout=10 -rss_limit_mb=2048 "fuzz/corpus/$name" "$work/corpus" \
          "${seeds[@]}" >"$work/merge.log" 2>&1
      echo "   $name: committed corpus now $(ls "fuzz/corpus/$name" | wc -l) inputs"
    fi
  else
    printf '%-16s FAILED  %6ss %12s runs\n' "$name" "$FUZZ_SECONDS" "$execs" | tee -a "$SUMMARY"
    tail -40 "$work/log"
    echo "   reproducer(s): $(ls "$work/artifacts" | tr '\n' ' ')"
    echo "   replay: $bin $work/artifacts/<file>"
    return 1
  fi
}

for bin in "${targets[@]}"; do
  while (( $(jobs -rp | wc -l) >= FUZZ_PARALLEL )); do wait -n || true; done
  run_one "$bin" &
done
wait || true
# A target that died before writing its line counts as a finding too.
failed=()
for bin in "${targets[@]}"; do
  name="$(basename "$bin" _fuzz)"
  grep -q "^$name  *ok " "$SUMMARY" || failed+=("$name")
done

echo "fuzz: summary ($FUZZ_SECONDS s per target, $FUZZ_PARALLEL at a time):"
sort "$SUMMARY"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: findings in: ${failed[*]}"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets clean"
