#!/bin/sh
# Makes the oom case: fill.js under a heap limit of MB megabytes, one snapshot near the limit.
#   sh gen.sh OUT [MB=256] [APP_DIR=/srv/oom]
# Writes OUT/oom.heapsnapshot (OUT/oom.heapsnapshot.gz with COMPRESS=1) and OUT/expected.json, whose
# count is what the Map in `cache` holds, counted in the file (count-held.mjs): the script cannot
# know when V8 takes the snapshot, and a Req being built at that moment is not in the Map yet.
set -eu
out=$1; mb=${2:-256}; app=${3:-/srv/oom}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$app" "$out"
rm -f "$app"/*.heapsnapshot
cp "$here/fill.js" "$app/fill.js"
# The process is meant to die of OOM once the snapshot is written.
(cd "$app" && env -i PATH="$PATH" HOME="$app" node --max-old-space-size="$mb" --heapsnapshot-near-heap-limit=1 fill.js) >/dev/null 2>&1 || true
snap=$(ls "$app"/*.heapsnapshot | head -1)
if [ "${COMPRESS:-0}" = 1 ]; then name=oom.heapsnapshot.gz; gzip -9 -c "$snap" > "$out/$name"; else name=oom.heapsnapshot; cp "$snap" "$out/$name"; fi
rm -f "$snap"
node --max-old-space-size=8000 "$here/count-held.mjs" "$out/$name" cache Req | node -e '
  const rows = require("fs").readFileSync(0, "utf8").trim().split("\n").map(JSON.parse);
  const held = rows.reduce((a, b) => (b.count > a.count ? b : a));
  const expected = { snapshots: [process.argv[1]],
    suspect: { variable: "cache", pattern: "collection", class: "Req", count: held.count, holder_class: "Map", class_total: held.total } };
  console.log(JSON.stringify(expected, null, 2));' "$name" > "$out/expected.json"
ls -la "$out"; cat "$out/expected.json"
