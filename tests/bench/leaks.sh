#!/usr/bin/env bash
# The leak report's cost and verdict.
#
#   tests/bench/leaks.sh [BASE_BIN]
#
# 1. Cost: makes a series of four ~240 MB snapshots of one process (tools/snapshot-gen/big.js
#    with rounds: 4M objects, then leaks added each round) into bench-out/, and times
#    `heapdive leaks` on the first, third and last alternately with BASE_BIN (an older build,
#    which takes exactly three files: baseline, target, final), RUNS times each (default 3),
#    printing medians and the ratio new/base. Without BASE_BIN only the new binary is timed.
# 2. Verdict: runs tests/bench/verdict.mjs on the committed real-app series (fixtures/verdict)
#    and on every case folder given in CORPUS (space-separated; e.g. the big series
#    tools/corpus makes): for each true leak, its rank, the rows it is spread over, its counts,
#    pattern and name.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$root/bench-out
runs=${RUNS:-3}
base=${1:-}
mkdir -p "$out"
cargo build --release --quiet --no-default-features --bin heapdive
new=$root/target/release/heapdive

series=$out/leaks-4m
if [[ ! -f $series-3.heapsnapshot ]]; then
  node --expose-gc --max-old-space-size=8000 tools/snapshot-gen/big.js "$series" 4000000 3
fi
files=("$series-0.heapsnapshot" "$series-1.heapsnapshot" "$series-3.heapsnapshot")
ls -l "${files[@]}" | awk '{printf "%s  %d MB\n", $NF, $5/1048576}'

# Wall seconds of one run.
time_once() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

new_times=()
base_times=()
for ((i = 0; i < runs; i++)); do
  new_times+=("$(time_once "$new" leaks --json "${files[@]}")")
  if [[ -n $base ]]; then
    base_times+=("$(time_once "$base" leaks --json "${files[@]}")")
  fi
done
n=$(printf '%s\n' "${new_times[@]}" | median)
echo "leaks on the 240 MB series: new ${n}s (median of $runs)"
if [[ -n $base ]]; then
  b=$(printf '%s\n' "${base_times[@]}" | median)
  echo "                            base ${b}s; new/base $(echo "scale=3; $n / $b" | bc)"
fi

echo
cases=("$root"/fixtures/verdict/*/)
for c in ${CORPUS:-}; do cases+=("$c"); done
node tests/bench/verdict.mjs "$new" "${cases[@]}"
