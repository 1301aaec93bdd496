// Makes the node-service series: S0 after warm-up, then ROUNDS rounds of 40 requests to each leaking
// route, each followed by a full GC and a snapshot. Writes OUT/S<i>.heapsnapshot.gz and OUT/expected.json.
//   node gen.mjs OUT [ROUNDS=3] [APP_DIR=/srv/shop]
// APP_DIR is where the service runs (copied there, `npm ci`), so the snapshots name no folder of this machine.
import { fork, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { countClasses } from '../count-classes.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const [out, roundsArg = '3', appDir = '/srv/shop'] = process.argv.slice(2);
if (!out) { console.error('usage: node gen.mjs OUT [ROUNDS=3] [APP_DIR=/srv/shop]'); process.exit(2); }
const rounds = +roundsArg;
const PER_ROUND = 40;

fs.mkdirSync(appDir, { recursive: true });
for (const f of ['package.json', 'package-lock.json', 'service.js']) fs.copyFileSync(path.join(here, f), path.join(appDir, f));
execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--silent'], { cwd: appDir, stdio: 'inherit' });
fs.rmSync(path.join(appDir, 'snapshots'), { recursive: true, force: true });
fs.mkdirSync(path.join(appDir, 'snapshots'));

// HOME too: Node keeps $HOME/.node_modules in its module search paths.
const service = fork('service.js', [], { cwd: appDir, execArgv: ['--expose-gc'], stdio: 'inherit',
  env: { PATH: process.env.PATH, HOME: appDir } });
const port = await new Promise(r => service.once('message', m => r(m.port)));

// One request per connection (no agent): no kept-alive sockets linger in the service's heap.
function call(method, url, body) {
  return new Promise((resolve, reject) => {
    const data = body ? JSON.stringify(body) : '';
    const req = http.request({ host: '127.0.0.1', port, method, path: url, agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, res => {
      let text = '';
      res.on('data', c => { text += c; });
      res.on('end', () => res.statusCode < 300 ? resolve(JSON.parse(text)) : reject(new Error(`${method} ${url}: ${res.statusCode} ${text}`)));
    });
    req.on('error', reject);
    req.end(data);
  });
}
let productId = 1;
async function action(n) {
  for (let i = 0; i < n; i++) {
    await call('POST', '/sessions', { user: 'user' + i });
    await call('POST', '/prices/watch', { sku: 'sku-' + (i % 5) });
    await call('POST', '/stock/poll', { sku: 'sku-' + (i % 5) });
    await call('POST', '/reports', {});
    await call('POST', '/audit', { action: 'checkout' });
    await call('GET', '/products/' + productId++);
  }
  for (let i = 0; i < 3; i++) await call('GET', '/search?q=q' + i);
}
const snaps = [];
async function snapshot(name) {
  const r = await call('POST', '/__heap?name=' + name);
  console.log(name, JSON.stringify(r));
  snaps.push(name);
}

// Warm-up: every route runs (its code is compiled before S0) and the LRU cache fills past its max of 50.
await action(5);
for (let i = 0; i < 60; i++) await call('GET', '/products/' + productId++);
await snapshot('S0');
for (let r = 1; r <= rounds; r++) {
  if (r === 1) await call('POST', '/admin/config', {});
  await action(PER_ROUND);
  await snapshot('S' + r);
}
service.kill();

fs.mkdirSync(out, { recursive: true });
const classes = ['Session', 'PriceWatcher', 'StockPoller', 'Timeout', 'ChainLink', 'AuditRecord', 'CacheEntry', 'ScratchRow', 'FeatureFlag', 'StartupConfig'];
const counts = [];
for (const name of snaps) {
  const src = path.join(appDir, 'snapshots', name + '.heapsnapshot');
  const dst = path.join(out, name + '.heapsnapshot.gz');
  fs.writeFileSync(dst, zlib.gzipSync(fs.readFileSync(src), { level: 9 }));
  counts.push(await countClasses(dst, classes));
  console.log(name, JSON.stringify(counts.at(-1)));
}
// counts: the first class's objects in each snapshot, as counted in the files themselves.
const withCounts = e => ({ ...e, counts: counts.map(c => c[e.classes[0]]) });
const expected = {
  snapshots: snaps.map(s => s + '.heapsnapshot.gz'),
  leaks: [
    { name: 'sessions Map', classes: ['Session'], pattern: 'collection', per_round: PER_ROUND },
    { name: 'price listeners', classes: ['PriceWatcher'], pattern: 'listeners', per_round: PER_ROUND },
    { name: 'stock pollers', classes: ['StockPoller', 'Timeout'], pattern: 'timers', per_round: PER_ROUND },
    { name: 'closure chain', classes: ['ChainLink'], pattern: 'closure', per_round: PER_ROUND },
    { name: 'audit globals', classes: ['AuditRecord'], pattern: 'global', per_round: PER_ROUND },
  ].map(withCounts),
  not_leaks: [
    { name: 'bounded LRU', classes: ['CacheEntry'] },
    { name: 'churn', classes: ['ScratchRow'] },
    { name: 'one-off', classes: ['FeatureFlag', 'StartupConfig'] },
  ].map(withCounts),
};
fs.writeFileSync(path.join(out, 'expected.json'), JSON.stringify(expected, null, 2) + '\n');
