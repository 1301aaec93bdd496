#!/usr/bin/env bash
# Side-by-side benchmark: heapdive against Chrome DevTools' own heap snapshot worker (the
# devtools-oracle) on the same big snapshots, in the same run, on this machine.
#
#   tests/bench/compare.sh [SIZES...]      sizes: 1m 4m 16m, or snapshot files (default: 4m 16m)
#
# A file argument is measured as it is (for example the 5 GB file tests/bench/scaling.sh
# tiles with KEEP=1). RUNS (default 5) sets heapdive's runs per file; the worker runs once.
# OPT3=1 measures an optimised dev build instead of --release (no cold release build).
#
# Makes the snapshots with tools/snapshot-gen/big.js into bench-out/ (kept between runs),
# installs and builds the oracle in tools/devtools-oracle (once; node_modules/ and dist/ are
# git-ignored), builds heapdive --release, then prints
# a markdown table: load through Summary (heapdive) vs the worker's load + first Summary
# aggregation (parse + initialize + aggregates), both processes' wall time and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$root/bench-out
oracle=$root/tools/devtools-oracle
sizes=("$@")
runs=${RUNS:-5}
[[ ${#sizes[@]} -gt 0 ]] || sizes=(4m 16m)
mkdir -p "$out"

if [[ ! -f $oracle/dist/devtools-heap.mjs ]]; then
  (cd "$oracle" && npm ci --no-audit --no-fund >/dev/null && node build.mjs >/dev/null)
fi
if [[ ${OPT3:-0} == 1 ]]; then
  CARGO_PROFILE_DEV_OPT_LEVEL=3 cargo build --quiet --bin heapdive
  bin=$root/target/debug/heapdive
else
  cargo build --release --quiet --bin heapdive
  bin=$root/target/release/heapdive
fi

objects() { case $1 in 1m) echo 1000000 ;; 4m) echo 4000000 ;; 16m) echo 16000000 ;; *) echo "$1" ;; esac; }

# time -v prints "Maximum resident set size (kbytes): N" and the wall clock.
rss_mb() { awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$1"; }
wall_s() { awk -F': ' '/Elapsed \(wall/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.2f", s}' "$1"; }

printf '| snapshot | file | heapdive load→Summary | DevTools worker load→Summary | speed-up | heapdive wall / RSS | DevTools wall / RSS | RSS ÷ file |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- |\n'
for size in "${sizes[@]}"; do
  f=$out/big-$size.heapsnapshot
  name=big-$size
  if [[ -f $size ]]; then
    f=$size
    name=$(basename "$size" .heapsnapshot)
  elif [[ ! -f $f ]]; then
    node --max-old-space-size=20000 "$root/tools/snapshot-gen/big.js" "$f" "$(objects "$size")" >/dev/null
  fi
  file_mb=$(( $(stat -L -c %s "$f") / 1000000 ))
  # heapdive: its own phase timings, summed by the CLI (load) plus the Summary aggregation;
  # the median of $runs runs (this machine is shared and noisy; the worker's 10-80 s runs
  # vary less in proportion).
  times=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -v "$bin" summary "$f" --top 0 --timings >/dev/null 2>"$out/hd.err"
    times+=("$(awk '/total load of/ {load=$1} /Summary aggregates/ {agg=$1} END {printf "%.0f", load+agg}' "$out/hd.err")")
  done
  hd_ms=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  # The oracle: DevTools' worker in Node, single thread (exact phase timings).
  /usr/bin/time -v node --max-old-space-size=20000 "$oracle/run.mjs" "$f" --top-classes=1 --top-objects=1 \
    >"$out/or.json" 2>"$out/or.err"
  or_ms=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["timingsMs"]; print(round(t["totalLoad"]+t["summaryAggregates"]))' "$out/or.json")
  ratio=$(python3 -c "print(f'{$or_ms/$hd_ms:.1f}x')")
  hd_rss=$(rss_mb "$out/hd.err"); or_rss=$(rss_mb "$out/or.err")
  printf '| %s | %s MB | %s ms | %s ms | **%s** | %s s / %s MB | %s s / %s MB | %s |\n' \
    "$name" "$file_mb" "$hd_ms" "$or_ms" "$ratio" "$(wall_s "$out/hd.err")" "$hd_rss" \
    "$(wall_s "$out/or.err")" "$or_rss" "$(python3 -c "print(f'{$hd_rss/$file_mb:.2f}')")"
done
