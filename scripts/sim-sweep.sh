#!/usr/bin/env bash
# The long simulator sweep to run before a release (docs/consensus.md, "Simulator"): 21,000
# seeds across every fault mix, n = 4 and 7, on seed ranges CI does not run. CI keeps its short
# run (ctest -L sim); this is the same simulator, longer.
#   scripts/sim-sweep.sh                 # 21,000 seeds, 2 jobs (35 min on a busy shared 2-core box)
#   N4=4000 N7=2000 JOBS=8 scripts/sim-sweep.sh  # 84,000 seeds (per mix: N4 at n=4, N7 at n=7)
#   nice -n 10 scripts/sim-sweep.sh      # on a shared machine
# Exits 1 if any seed violates an invariant (safety or liveness), printing its replay command.
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET="${PRESET:-dev}"
JOBS="${JOBS:-2}"
N4="${N4:-1000}"
N7="${N7:-500}"
FIRST="${FIRST:-100000}"  # CI runs seeds below 20,000
SIM="${SIM:-build/$PRESET/consensus/sim/tidemark-sim}"
if [[ ! -x "$SIM" ]]; then
  cmake --preset "$PRESET" >/dev/null
  cmake --build --preset "$PRESET" --target tidemark-sim
fi

BYZ=equivocate,doublevote,badsig,unknown,future,fork
# mix name | faults | extra args ; each runs N4 seeds at n = 4 and N7 at n = 7
MIXES=(
  "network|drop,dup,partition,crash|"
  "byzantine|$BYZ,partition,drop|"
  "forge|forge,withhold,equivocate,crash,partition,drop|"
  "forge-only|forge|"
  "withhold|withhold,crash,drop,dup|"
  "fork|fork,partition|"
  "twins|twins,partition,crash,drop|"
  "epochs|epochs,crash,drop,partition|--fault-ms 6000"
  "epochs-forge|epochs,forge,withhold,crash,drop|--fault-ms 6000"
  "all|all|"
  "all-long-faults|all|--fault-ms 8000"
  "silent|silent,drop,crash,partition|"
  "crash-only|crash|"
  "none|none|"
)

LOG="$(mktemp -d "${TMPDIR:-/tmp}/sim-sweep.XXXXXX")"
jobs_file="$LOG/jobs"
: >"$jobs_file"
start="$FIRST"
for mix in "${MIXES[@]}"; do
  IFS='|' read -r name faults extra <<<"$mix"
  for n in 4 7; do
    count=$(( n == 4 ? N4 : N7 ))
    last=$(( start + count - 1 ))
    echo "$name n$n $n $start-$last $faults${extra:+ $extra}" >>"$jobs_file"
    start=$(( last + 1 ))
  done
done

run_one() {
  local sim="$1" log="$2" name="$3" tag="$4" n="$5" seeds="$6" faults="$7"
  shift 7
  if "$sim" --quiet --n "$n" --seeds "$seeds" --faults "$faults" "$@" >"$log/$name-$tag.log" 2>&1; then
    echo "ok   $name $tag seeds $seeds: $(tail -1 "$log/$name-$tag.log")"
  else
    echo "FAIL $name $tag seeds $seeds"
    sed -n '1,4p' "$log/$name-$tag.log"
    return 1
  fi
}
export -f run_one

t0=$(date +%s)
status=0
# shellcheck disable=SC2016
xargs -P "$JOBS" -L 1 bash -c 'run_one "$0" "$1" "$2" "$3" "$4" "$5" "$6" "${@:7}"' "$SIM" "$LOG" \
  <"$jobs_file" || status=1
seeds=$(( (start - FIRST) ))
echo "sim-sweep: $seeds seeds, $(( $(date +%s) - t0 )) s with $JOBS jobs, logs in $LOG"
if [[ $status != 0 ]]; then
  echo "sim-sweep: VIOLATIONS found (see FAIL lines above; each log holds the replay command)"
  exit 1
fi
echo "sim-sweep: no safety or liveness violation"
