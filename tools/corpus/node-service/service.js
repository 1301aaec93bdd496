// A small shop service (express + lru-cache) with five planted leaks, one per pattern of the
// Node memory-debugging guide, and three things that look like leaks but are not.
// Each leaking route leaks exactly one object of its own class per request:
//   POST /sessions        collection  Session       kept in an unbounded Map
//   POST /prices/watch    listeners   PriceWatcher  held by a listener added per request, never removed
//   POST /stock/poll      timers      StockPoller   held by a setInterval per request, never cleared
//   POST /reports         closure     ChainLink     the classic closure chain (previous/unused)
//   POST /audit           global      AuditRecord   a property of globalThis under a generated key
// Not leaks:
//   GET /products/:id     CacheEntry    lru-cache with max 50 (warm-up fills it past 50)
//   GET /search           ScratchRow    churn: the last search's rows replace the previous ones
//   POST /admin/config    StartupConfig + FeatureFlag, built once (the driver calls it in round 1 only)
// POST /__heap?name=S0 forces a full GC and writes snapshots/S0.heapsnapshot (needs --expose-gc).
// Run it from a neutral folder (e.g. /srv/shop) so the snapshots carry no machine paths.
'use strict';
const express = require('express');
const { LRUCache } = require('lru-cache');
const { EventEmitter } = require('node:events');
const v8 = require('node:v8');
const path = require('node:path');

class Session {
  constructor(id, user) {
    this.id = id;
    this.user = user;
    this.cart = [{ sku: 'sku-' + (id % 97), qty: 1 + (id % 3) }];
    this.createdAt = Date.now();
  }
}
class PriceWatcher {
  constructor(id, sku) { this.id = id; this.sku = sku; this.seen = []; }
  onPrice(sku, price) { if (sku === this.sku) this.seen.push(price); }
}
class StockPoller {
  constructor(id, sku) { this.id = id; this.sku = sku; this.lastLevel = -1; this.history = new Array(16).fill(0); }
  check() { this.lastLevel = stock.get(this.sku) ?? 0; }
}
class ChainLink {
  constructor(id, big, method) { this.id = id; this.big = big; this.method = method; }
}
class AuditRecord {
  constructor(id, action) { this.id = id; this.action = action; this.at = new Date(); this.detail = { ip: '127.0.0.1', n: id }; }
}
class CacheEntry {
  constructor(id) { this.id = id; this.title = 'Product ' + id; this.price = (id * 7) % 100; this.tags = ['shop', 'p' + id]; }
}
class ScratchRow {
  constructor(q, i) { this.q = q; this.i = i; this.score = (i * 31) % 17; }
}
class FeatureFlag {
  constructor(name, on) { this.name = name; this.on = on; }
}
class StartupConfig {
  constructor(flags) { this.flags = flags; this.loadedAt = new Date(); this.region = 'eu-west'; }
}

const sessions = new Map();                      // leak: collection
const prices = new EventEmitter();               // leak: listeners
prices.setMaxListeners(0);
const stock = new Map([['sku-1', 5]]);
let current = null;                              // leak: closure chain
const products = new LRUCache({ max: 50 });      // not a leak: bounded
let lastSearch = [];                             // not a leak: churn
let startupConfig = null;                        // not a leak: allocated once
let nextId = 1;

// The classic closure leak: `unused` shares the scope of `method`, so each ChainLink keeps the previous one.
function replaceCurrent(id) {
  const previous = current;
  const unused = () => previous;
  current = new ChainLink(id, new Array(256).fill(id), function method() { return id; });
  return unused === null;
}

const app = express();
app.use(express.json());
app.post('/sessions', (req, res) => {
  const id = nextId++;
  sessions.set('sess-' + id, new Session(id, (req.body && req.body.user) || 'guest'));
  res.json({ id });
});
app.post('/prices/watch', (req, res) => {
  const w = new PriceWatcher(nextId++, (req.body && req.body.sku) || 'sku-1');
  prices.on('price', (sku, price) => w.onPrice(sku, price));
  res.json({ watching: w.sku });
});
app.post('/stock/poll', (req, res) => {
  const p = new StockPoller(nextId++, (req.body && req.body.sku) || 'sku-1');
  setInterval(() => p.check(), 3600 * 1000);
  res.json({ polling: p.sku });
});
app.post('/reports', (req, res) => {
  replaceCurrent(nextId++);
  res.json({ ok: true });
});
app.post('/audit', (req, res) => {
  const id = nextId++;
  globalThis['__audit_' + id.toString(36)] = new AuditRecord(id, (req.body && req.body.action) || 'view');
  res.json({ id });
});
app.get('/products/:id', (req, res) => {
  const id = +req.params.id;
  let p = products.get(id);
  if (!p) { p = new CacheEntry(id); products.set(id, p); }
  res.json({ title: p.title, price: p.price });
});
app.get('/search', (req, res) => {
  const q = String(req.query.q || '');
  lastSearch = Array.from({ length: 40 }, (_, i) => new ScratchRow(q, i));
  res.json({ hits: lastSearch.length });
});
app.post('/admin/config', (req, res) => {
  if (!startupConfig) startupConfig = new StartupConfig(Array.from({ length: 40 }, (_, i) => new FeatureFlag('flag' + i, i % 2 === 0)));
  res.json({ flags: startupConfig.flags.length });
});
app.post('/__heap', (req, res) => {
  const name = String(req.query.name || 'snap').replace(/[^\w-]/g, '');
  global.gc();
  global.gc();
  const file = v8.writeHeapSnapshot(path.join('snapshots', name + '.heapsnapshot'));
  res.json({ file, sessions: sessions.size, listeners: prices.listenerCount('price'), products: products.size });
});

const server = app.listen(+process.env.PORT || 0, '127.0.0.1', () => {
  process.send ? process.send({ port: server.address().port }) : console.log('port', server.address().port);
});
