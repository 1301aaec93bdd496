// A small price-feed service over plain Node http, for `heapdive check` tests. Its load comes
// from a child process: the parent forks a client, and each round (globalThis.round(), the
// check's action) asks it over IPC to make 30 /watch and 30 /quote requests to the server,
// one after another, and waits for its "done". With FEED_EVERY=MS the client drives the load
// on its own instead (10 of each, then a pause of MS), and the parent has nothing to call.
//
// /watch subscribes a Watcher to the ticker and answers with one tick. With LEAK=1 the
// watcher's listener is never removed when its response closes (the leak: 30 Watchers per
// round, each keeping its closed response); without, it is removed on 'close'. Not leaks:
// the quote cache (at most 25 QuoteEntry), the log of the last 20 requests (churn), the
// FeedConfig made once. It prints a line on stdout once listening, which check must keep out
// of its own stdout (the report's, or the MCP server's protocol). With CRASH=1 the server
// throws (uncaught) in the first round after the warm-up.
const http = require('http');
const { fork } = require('child_process');
const { EventEmitter } = require('events');

if (process.argv[2] === 'client') {
  // The load generator: requests when the parent says so.
  const get = (port, path) => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
  const batch = async (port, count) => {
    for (let i = 0; i < count; i++) {
      await get(port, '/watch?sym=S' + (i % 7));
      await get(port, '/quote?sym=Q' + i);
    }
  };
  process.on('message', async ({ port, count, every }) => {
    if (every) {
      // On its own: a batch every `every` ms, whatever the parent does.
      for (;;) {
        await batch(port, count);
        await new Promise((r) => setTimeout(r, every));
      }
    }
    await batch(port, count);
    process.send({ done: count });
  });
  process.on('disconnect', () => process.exit(0)); // the parent is gone
  process.send({ hello: true });
} else {
  class FeedConfig { constructor() { this.symbols = ['S0', 'S1', 'S2']; this.tickMs = 1000; } }
  class Watcher { constructor(sym, res) { this.sym = sym; this.res = res; this.seen = 0; } }
  class QuoteEntry { constructor(sym) { this.sym = sym; this.price = sym.length * 10.5; } }
  class LogLine { constructor(url) { this.url = url; this.at = Date.now(); } }

  const config = new FeedConfig();
  const ticker = new EventEmitter();
  ticker.setMaxListeners(0);
  const quotes = new Map();
  const log = [];
  let served = 0;

  const server = http.createServer((req, res) => {
    served++;
    if (process.env.CRASH === '1' && served > 100) throw new Error('feed: the tick buffer overflowed');
    log.push(new LogLine(req.url));
    if (log.length > 20) log.shift();
    const sym = new URL(req.url, 'http://feed').searchParams.get('sym') || 'S0';
    if (req.url.startsWith('/watch')) {
      const w = new Watcher(sym, res);
      const onTick = (price) => { w.seen++; if (!w.res.writableEnded) w.res.end(JSON.stringify({ sym, price })); };
      ticker.on('tick', onTick);
      if (process.env.LEAK !== '1') res.on('close', () => ticker.off('tick', onTick));
      ticker.emit('tick', 100 + (served % 10));
      return;
    }
    if (!quotes.has(sym)) quotes.set(sym, new QuoteEntry(sym));
    if (quotes.size > 25) quotes.delete(quotes.keys().next().value);
    res.end(JSON.stringify(quotes.get(sym)));
  });

  // The client needs no inspector of its own (fork would pass on --inspect).
  const client = fork(__filename, ['client'], { execArgv: [] });
  globalThis.round = () => new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error('the client exited (' + code + ')'));
    client.once('exit', onExit);
    client.once('message', (m) => { client.off('exit', onExit); resolve(m.done); });
    client.send({ port: server.address().port, count: 30 });
  });
  client.once('message', () => {
    server.listen(0, '127.0.0.1', () => {
      // FEED_EVERY=MS: the client drives the load on its own (round() is not needed).
      const every = Number(process.env.FEED_EVERY || 0);
      if (every) client.send({ port: server.address().port, count: 10, every });
      globalThis.ready = config.symbols.length > 0;
      console.log('feed: listening on port ' + server.address().port);
    });
  });
}
