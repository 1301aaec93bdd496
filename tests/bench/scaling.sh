#!/usr/bin/env bash
# Does heapdive's load scale linearly with the file? Tiles a snapshot K times
# (examples/tile.rs: every Summary count K times the original's), then loads the original
# and the tiled file alternately, RUNS times each, in the same run, and prints the time per
# GB of the big file against the small one's (wall and CPU), RSS / file size, user and
# system time, minor page faults, and each load phase side by side.
#
#   tests/bench/scaling.sh [SNAPSHOT] [K]     default: bench-out/big-16m.heapsnapshot, 5
#
# SNAPSHOT defaults to the 1 GB benchmark snapshot (made with tools/snapshot-gen/big.js if
# missing). The tiled file (K times the size) is written next to it and deleted at the end
# unless KEEP=1. RUNS (default 3) sets the runs per size. Binaries: `cargo build --release`;
# OPT3=1 builds an optimised dev build instead (no cold release build of the dependencies).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
src=${1:-$root/bench-out/big-16m.heapsnapshot}
k=${2:-5}
runs=${RUNS:-3}
tiled=${TILED:-${src%.heapsnapshot}-x$k.heapsnapshot}
work=$(mktemp -d)
trap 'rm -rf "$work"; [[ ${KEEP:-0} == 1 ]] || rm -f "$tiled"' EXIT

if [[ ${OPT3:-0} == 1 ]]; then
  CARGO_PROFILE_DEV_OPT_LEVEL=3 cargo build --quiet --bin heapdive --example tile
  bin=$root/target/debug
else
  cargo build --release --quiet --bin heapdive --example tile
  bin=$root/target/release
fi
if [[ ! -f $src ]]; then
  mkdir -p "$(dirname "$src")"
  node --max-old-space-size=20000 "$root/tools/snapshot-gen/big.js" "$src" 16000000 >/dev/null
fi
if [[ ! -f $tiled ]]; then
  "$bin/examples/tile" "$src" "$tiled" "$k"
fi

# One load: the CLI's phase timings (stderr) and /usr/bin/time -v's counters, as key=value.
measure() {
  local f=$1 err=$work/run.err
  /usr/bin/time -v "$bin/heapdive" summary "$f" --top 0 --timings >/dev/null 2>"$err"
  python3 - "$f" "$err" <<'EOF'
import os, re, sys
f, err = sys.argv[1], sys.argv[2]
out = {"file": f, "bytes": os.path.getsize(f)}
for line in open(err):
    m = re.match(r"\s*([\d.]+) ms  (?:rss\s+(\d+) MB  peak\s+(\d+) MB  )?(.*)", line)
    if m:
        name = "total load" if m.group(4).startswith("total load of") else m.group(4)
        out["phase:" + name] = float(m.group(1))
        if m.group(3):
            out["peak:" + name] = int(m.group(3))
    m = re.match(r"\s*(User time|System time) \(seconds\): ([\d.]+)", line)
    if m:
        out[m.group(1)] = float(m.group(2))
    m = re.match(r"\s*Minor .*page faults: (\d+)", line)
    if m:
        out["minor faults"] = int(m.group(1))
    m = re.match(r"\s*Maximum resident set size \(kbytes\): (\d+)", line)
    if m:
        out["rss"] = int(m.group(1)) * 1024
    m = re.match(r"\s*Elapsed \(wall clock\) time .*: (.*)", line)
    if m:
        s = 0.0
        for part in m.group(1).split(":"):
            s = s * 60 + float(part)
        out["wall"] = s
print(repr(out))
EOF
}

for i in $(seq "$runs"); do
  for f in "$src" "$tiled"; do
    measure "$f" | tee -a "$work/runs.txt" >&2
  done
done

python3 - "$work/runs.txt" "$k" <<'EOF'
import ast, statistics, sys
runs = [ast.literal_eval(l) for l in open(sys.argv[1])]
k = sys.argv[2]
by = {}
for r in runs:
    r["load"] = r.get("phase:total load", 0) + r.get("phase:Summary aggregates", 0)
    by.setdefault(r["file"], []).append(r)
small, big = list(by.values())
med = lambda rs, key: statistics.median(r[key] for r in rs)
gb = lambda rs: rs[0]["bytes"] / 1e9
cpu = lambda rs: statistics.median(r["User time"] + r["System time"] for r in rs)
def row(rs):
    return (f"| {rs[0]['file'].rsplit('/', 1)[-1]} | {gb(rs):.2f} GB | {med(rs, 'load') / 1e3:.2f} s"
            f" (min {min(r['load'] for r in rs) / 1e3:.2f}, max {max(r['load'] for r in rs) / 1e3:.2f})"
            f" | {med(rs, 'load') / 1e3 / gb(rs):.2f} s | {med(rs, 'User time'):.1f} s"
            f" | {med(rs, 'System time'):.1f} s | {cpu(rs) / gb(rs):.1f} s"
            f" | {med(rs, 'minor faults') / 1e3:.0f}k"
            f" | {med(rs, 'rss') / 2**20:.0f} MiB | {med(rs, 'rss') / rs[0]['bytes']:.2f} |")
print(f"medians of {len(small)} runs each, alternating")
print("| file | size | load→Summary (wall) | wall per GB | user | system | CPU per GB | minor faults | peak RSS | RSS ÷ file |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
print(row(small))
print(row(big))
ratio = (med(big, "load") / gb(big)) / (med(small, "load") / gb(small))
cpu_ratio = (cpu(big) / gb(big)) / (cpu(small) / gb(small))
print(f"\ntime per GB, x{k} file / original: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU (user + system)")
print(f"\n| phase | {gb(small):.2f} GB | {gb(big):.2f} GB | ratio | peak RSS so far, {gb(small):.2f} GB | {gb(big):.2f} GB |")
print("| --- | --- | --- | --- | --- | --- |")
for key in [k for k in small[0] if k.startswith("phase:")]:
    a, b = med(small, key), med(big, key)
    name = key[6:]
    peaks = [f"{med(rs, 'peak:' + name):.0f} MiB" if "peak:" + name in rs[0] else "" for rs in (small, big)]
    print(f"| {name} | {a:.0f} ms | {b:.0f} ms | {b / a if a else 0:.1f}x | {peaks[0]} | {peaks[1]} |")
EOF
