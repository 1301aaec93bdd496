#!/usr/bin/env bash
# Real snapshots against the synthetic benchmark, in the same run: per file, the load's ms
# per MB, each main phase's share of the load, the dominator pass's ns per node, peak RSS
# over the file's size, and (WORKER=1) the speed-up over DevTools' own worker.
#
#   tests/bench/real.sh FILE...          snapshot files (.heapsnapshot)
#
# bench-out/big-4m.heapsnapshot (made with tools/snapshot-gen/big.js if missing) is always
# measured too: every file's ms per MB and ns per node are also given as a ratio to it.
# RUNS (default 3) loads per file and binary; the figures are medians. BASE=/path/to/heapdive
# measures a second (older) binary too, alternating with this one run by run (the machine is
# shared and noisy: only figures from the same run compare). BIN overrides this tree's binary
# (default: `cargo build --release --no-default-features`, the CLI without the window).
# WORKER=1 also runs DevTools' worker (tools/devtools-oracle, see compare.sh) once per file.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$root/bench-out
runs=${RUNS:-3}
mkdir -p "$out"
if [[ -z ${BIN:-} ]]; then
  cargo build --release --no-default-features --quiet --bin heapdive
  BIN=$root/target/release/heapdive
fi
big=$out/big-4m.heapsnapshot
if [[ ! -f $big ]]; then
  node --max-old-space-size=20000 "$root/tools/snapshot-gen/big.js" "$big" 4000000 >/dev/null
fi
oracle=$root/tools/devtools-oracle
if [[ ${WORKER:-0} == 1 && ! -f $oracle/dist/devtools-heap.mjs ]]; then
  (cd "$oracle" && npm ci --no-audit --no-fund >/dev/null && node build.mjs >/dev/null)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One load: the CLI's phase timings and node count, and /usr/bin/time -v's peak RSS.
measure() {
  local tag=$1 bin=$2 f=$3
  /usr/bin/time -v "$bin" summary "$f" --top 0 --timings >"$work/run.out" 2>"$work/run.err"
  python3 - "$tag" "$f" "$work/run.out" "$work/run.err" <<'EOF'
import os, re, sys
tag, f, out_path, err = sys.argv[1:]
r = {"tag": tag, "file": f, "bytes": os.path.getsize(f)}
m = re.search(r"(\d+) nodes, (\d+) edges", open(out_path).read())
r["nodes"], r["edges"] = int(m.group(1)), int(m.group(2))
for line in open(err):
    m = re.match(r"\s*([\d.]+) ms  (?:rss\s+\d+ MB  peak\s+\d+ MB  )?(.*)", line)
    if m:
        name = "total load" if m.group(2).startswith("total load of") else m.group(2)
        r["phase:" + name] = float(m.group(1))
    m = re.match(r"\s*Maximum resident set size \(kbytes\): (\d+)", line)
    if m:
        r["rss"] = int(m.group(1)) * 1024
print(repr(r))
EOF
}

files=("$big" "$@")
for _ in $(seq "$runs"); do
  for f in "${files[@]}"; do
    measure new "$BIN" "$f" >>"$work/runs.txt"
    if [[ -n ${BASE:-} ]]; then
      measure base "$BASE" "$f" >>"$work/runs.txt"
    fi
  done
done
if [[ ${WORKER:-0} == 1 ]]; then
  for f in "${files[@]}"; do
    node --max-old-space-size=20000 "$oracle/run.mjs" "$f" --top-classes=1 --top-objects=1 >"$work/or.json"
    python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["timingsMs"]; print(repr({"tag": "worker", "file": sys.argv[2], "load": t["totalLoad"] + t["summaryAggregates"]}))' \
      "$work/or.json" "$f" >>"$work/runs.txt"
  done
fi

python3 - "$work/runs.txt" "$big" <<'EOF'
import ast, statistics, sys
runs = [ast.literal_eval(l) for l in open(sys.argv[1])]
big = sys.argv[2]
med = statistics.median
by = {}
for r in runs:
    if r["tag"] != "worker":
        r["load"] = r.get("phase:total load", 0) + r.get("phase:Summary aggregates", 0)
    by.setdefault((r["tag"], r["file"]), []).append(r)
files = list(dict.fromkeys(r["file"] for r in runs))
tags = [t for t in ("base", "new") if any(k[0] == t for k in by)]
phases = [("parse", "Parsing"), ("essential", "Finding essential edges"),
          ("dominators", "Building dominator tree")]

def fig(tag, f):
    rs = by[(tag, f)]
    mb = rs[0]["bytes"] / 1e6
    d = {"mb": mb, "nodes": rs[0]["nodes"], "load": med(r["load"] for r in rs)}
    d["ms/MB"] = d["load"] / mb
    d["dom ns/node"] = med(r.get("phase:Building dominator tree", 0) for r in rs) * 1e6 / d["nodes"]
    d["rss/file"] = med(r["rss"] for r in rs) / rs[0]["bytes"]
    for short, name in phases:
        d[short] = med(r.get("phase:" + name, 0) / r["load"] for r in rs)
    return d

print(f"medians of {len(by[(tags[0], files[0])])} runs per file and binary"
      + (", binaries alternating" if len(tags) > 1 else ""))
head = ("| binary | file | size | nodes | load | ms/MB (÷ big-4m) | dominators ns/node (÷ big-4m)"
        " | parse / essential / dominators share | peak RSS ÷ file | worker ÷ heapdive |")
print(head)
print("| --- " * (head.count("|") - 1) + "|")
for f in files:
    for tag in tags:
        d, ref = fig(tag, f), fig(tag, big)
        w = by.get(("worker", f))
        ratio = f"{w[0]['load'] / d['load']:.1f}x" if w else ""
        name = f.rsplit("/", 1)[-1].removesuffix(".heapsnapshot")
        print(f"| {tag} | {name} | {d['mb']:.0f} MB | {d['nodes']:,} | {d['load']:.0f} ms"
              f" | {d['ms/MB']:.2f} ({d['ms/MB'] / ref['ms/MB']:.2f}x)"
              f" | {d['dom ns/node']:.0f} ({d['dom ns/node'] / ref['dom ns/node']:.2f}x)"
              f" | {d['parse']:.0%} / {d['essential']:.0%} / {d['dominators']:.0%}"
              f" | {d['rss/file']:.2f} | {ratio} |")
if len(tags) > 1:
    print("\nnew ÷ base, per file: load, dominators")
    for f in files:
        a, b = fig("new", f), fig("base", f)
        print(f"  {f.rsplit('/', 1)[-1]}: {a['load'] / b['load']:.2f}x, "
              f"{a['dom ns/node'] / b['dom ns/node']:.2f}x")
EOF
