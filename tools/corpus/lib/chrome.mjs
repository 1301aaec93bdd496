// Drives Debian's headless Chromium over the DevTools protocol for the page cases: a static file
// server on 127.0.0.1, the browser, evaluation in the page and gzipped heap snapshots after a full GC.
// `ws` (the only dependency) is loaded from the app folder's node_modules, so this file needs no install.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.map': 'application/json', '.json': 'application/json', '.ttf': 'font/ttf', '.woff2': 'font/woff2', '.svg': 'image/svg+xml' };

// Serves ROOT at http://127.0.0.1:PORT/ (only paths inside ROOT).
export async function serve(root) {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.join(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, close: () => new Promise(r => { server.closeAllConnections(); server.close(r); }) };
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

async function freePort() {
  const s = http.createServer();
  await new Promise(r => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise(r => s.close(r));
  return port;
}

// Starts Chromium on URL and connects to its page. Console messages and exceptions are printed.
export async function launch(url, appDir) {
  const WebSocket = createRequire(path.join(appDir, 'package.json'))('ws');
  const port = await freePort();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-chrome-'));
  const chrome = spawn('/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', `--remote-debugging-port=${port}`,
    '--remote-debugging-address=127.0.0.1', `--user-data-dir=${profile}`, 'about:blank'], { stdio: 'ignore' });
  let target;
  for (let i = 0; i < 150 && !target; i++) {
    try { target = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()).find(t => t.type === 'page'); } catch {}
    if (!target) await sleep(200);
  }
  if (!target) { chrome.kill(); throw new Error('chromium did not start'); }
  const ws = new WebSocket(target.webSocketDebuggerUrl, { perMessageDeflate: false, maxPayload: 1 << 30 });
  await new Promise((r, j) => { ws.on('open', r); ws.on('error', j); });
  let id = 0;
  const pending = new Map();
  let onChunk = null;
  const events = new Map();
  ws.on('message', m => {
    const msg = JSON.parse(m);
    if (msg.id && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); return; }
    if (msg.method === 'HeapProfiler.addHeapSnapshotChunk') { onChunk?.(msg.params.chunk); return; }
    if (msg.method === 'Runtime.consoleAPICalled') console.log('[page]', msg.params.type, msg.params.args.map(a => a.value ?? a.description).join(' '));
    if (msg.method === 'Runtime.exceptionThrown') console.log('[page] exception', msg.params.exceptionDetails.exception?.description || msg.params.exceptionDetails.text);
    events.get(msg.method)?.(msg.params);
  });
  const send = (method, params = {}) => new Promise((resolve, reject) => {
    const i = ++id;
    pending.set(i, msg => msg.error ? reject(new Error(`${method}: ${msg.error.message}`)) : resolve(msg.result));
    ws.send(JSON.stringify({ id: i, method, params }));
  });
  await send('Runtime.enable');
  await send('Page.enable');
  await send('HeapProfiler.enable');
  const loaded = new Promise(r => events.set('Page.loadEventFired', r));
  await send('Page.navigate', { url });
  await loaded;

  // Evaluates EXPR in the page (awaiting promises) and returns its value; throws on a page exception.
  async function evaluate(expr) {
    const r = await send('Runtime.evaluate', { expression: expr, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`${expr}: ${r.exceptionDetails.exception?.description || r.exceptionDetails.text}`);
    return r.result.value;
  }
  // Full GC (twice, so finalizers' garbage goes too), then the heap snapshot streamed into FILE (.gz).
  async function snapshot(file) {
    await send('HeapProfiler.collectGarbage');
    await sleep(200);
    await send('HeapProfiler.collectGarbage');
    const gz = zlib.createGzip({ level: 9 });
    const done = new Promise((r, j) => { gz.pipe(fs.createWriteStream(file)).on('finish', r).on('error', j); });
    onChunk = c => gz.write(c);
    await send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false });
    onChunk = null;
    gz.end();
    await done;
  }
  async function close() {
    ws.close();
    await new Promise(r => { chrome.once('exit', r); chrome.kill(); });
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  }
  return { evaluate, snapshot, close, send };
}
