#!/usr/bin/env bash
# Remakes the bundled sample and fixture snapshots from a neutral folder, so that they name no
# folder of the machine they are made on: every script runs from SHOP (default /srv/shop) with
# HOME=SHOP (Node keeps $HOME/.node_modules and $HOME/.node_libraries in its module paths), and
# the snapshots name only SHOP/... (plus file:///SHOP/page.html for the Chromium page).
#   tools/snapshot-gen/make-fixtures.sh [SHOP=/srv/shop]
# Writes, gzipped, into fixtures/:
#   leak/leak-{0..3}        node --expose-gc leak.js . 4 400    (4 rounds of 400 requests: 400
#                           Sessions and listeners, 4 timers more each round)
#   node/small              node -e "require('v8').writeHeapSnapshot(...)"
#   redact/secrets          node secrets.js secrets.heapsnapshot
#   alloc/tracked.*         node realms.js realms.heapsnapshot
pack realms.heapsnapshot "$fx/contexts/realms.heapsnapshot.gz"

node --expose-gc tracked.js tracked.heapsnapshot tracked.heaptimeline
#   chrome/chrome-{0,1,2}   chrome-snap.mjs on file://SHOP/page.html: 3 rounds of step() twice
#                           (the page runs step() once on load: 3, 5 and 7 detached trees)
#   srcmap/app              fixtures/srcmap/make.sh SHOP (the bundle runs as SHOP/app.bundle.js)
#   contexts/realms         node realms.js realms.heapsnapshot (two vm contexts)
#   contexts/shop           chrome-snap.mjs on tools/snapshot-gen/contexts served over http as
#                           http://shop.localhost:8080 (a page with an iframe and a worker; the
#                           snapshot names no folder at all)
# The scripts copied into SHOP are the repository's own (leak.js beside the samples is the one that
# made them), so heapdive finds their code by path suffix when run from the repository. SHOP may
# be shared: what this script puts there is removed at the end (and a package.json it found there
# put back), so that no copy in SHOP shadows the repository's scripts.
# fixtures/alloc/sampled.heapprofile names no folder and is not remade here.
# Then run fixtures/make-expected.sh for the oracle's numbers. Needs node, npm and /usr/bin/chromium.
set -euo pipefail
gen=$(cd "$(dirname "$0")" && pwd)
fx=$(cd "$gen/../../fixtures" && pwd)
shop=${1:-/srv/shop}
mkdir -p "$shop"
tools=$(mktemp -d)
made=(leak.js secrets.js package.json tracked.js page.html realms.js realms.heapsnapshot
  leak-{0,1,2,3}.heapsnapshot
  node-small.heapsnapshot secrets.heapsnapshot tracked.heapsnapshot tracked.heaptimeline
  app.bundle.js app.bundle.js.map app.heapsnapshot)
[[ -e $shop/package.json ]] && cp -p "$shop/package.json" "$tools/package.json.found"
cleanup() {
  (cd "$shop" && rm -f "${made[@]}")
  if [[ -e $tools/package.json.found ]]; then cp -p "$tools/package.json.found" "$shop/package.json"; fi
  rm -rf "$tools"
}
trap cleanup EXIT
export HOME=$shop
cp "$fx/leak/leak.js" "$gen/secrets.js" "$gen/package.json" "$fx/alloc/tracked.js" "$fx/chrome/page.html" \
  "$gen/realms.js" "$shop/"
cd "$shop"
pack() { gzip -9n -c "$1" > "$2"; }

node --expose-gc leak.js . 4 400
for r in 0 1 2 3; do pack "leak-$r.heapsnapshot" "$fx/leak/leak-$r.heapsnapshot.gz"; done

node -e "require('v8').writeHeapSnapshot('node-small.heapsnapshot')"
pack node-small.heapsnapshot "$fx/node/small.heapsnapshot.gz"

node secrets.js secrets.heapsnapshot
pack secrets.heapsnapshot "$fx/redact/secrets.heapsnapshot.gz"

node --expose-gc tracked.js tracked.heapsnapshot tracked.heaptimeline
pack tracked.heapsnapshot "$fx/alloc/tracked.heapsnapshot.gz"
pack tracked.heaptimeline "$fx/alloc/tracked.heaptimeline.gz"

# chrome-snap.mjs is only the driver (it is not in the snapshots); it needs ws. npm and
# Chromium keep their caches and profile in a HOME of their own.
mkdir -p "$tools/gen" "$tools/home"
cp "$gen/chrome-snap.mjs" "$gen/package.json" "$tools/gen/"
(cd "$tools/gen" && HOME=$tools/home npm install --silent --no-audit --no-fund >/dev/null)
HOME=$tools/home node "$tools/gen/chrome-snap.mjs" "$shop/page.html" "$tools/out" 3 'step()' 2
for r in 0 1 2; do pack "$tools/out/chrome-$r.heapsnapshot" "$fx/chrome/chrome-$r.heapsnapshot.gz"; done
HOME=$tools/home node "$tools/gen/chrome-snap.mjs" "$gen/contexts" "$tools/ctx" 1
pack "$tools/ctx/chrome-0.heapsnapshot" "$fx/contexts/shop.heapsnapshot.gz"

HOME=$tools/home "$fx/srcmap/make.sh" "$shop"
