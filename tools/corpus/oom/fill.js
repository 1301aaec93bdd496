// A request cache that is never pruned: `cache` (a module variable) keeps every Req until the
// process runs out of heap. Run with --max-old-space-size=N --heapsnapshot-near-heap-limit=1: V8
// writes one snapshot near the limit (in the working directory), then the process dies.
'use strict';
class Req {
  constructor(i) {
    this.id = i;
    this.method = i % 5 === 0 ? 'POST' : 'GET';
    this.url = '/api/items/' + i;
    this.headers = { accept: 'application/json', 'x-request-id': 'req-' + i };
    this.receivedAt = Date.now();
  }
}
const cache = new Map();
const recentLog = [];     // bounded: the last 100 lines
let next = 0;
function handle(req) {
  cache.set(req.headers['x-request-id'], req);
  recentLog.push(`${req.method} ${req.url}`);
  if (recentLog.length > 100) recentLog.shift();
}
function batch() {
  for (let i = 0; i < 2000; i++) handle(new Req(next++));
  setImmediate(batch);
}
batch();
