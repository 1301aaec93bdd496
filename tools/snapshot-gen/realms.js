// A Node process with two vm contexts (realms) besides its own, an object they share and one
// each keeps: fixtures/contexts/realms.heapsnapshot.gz for the native-context tests.
//   node realms.js OUT.heapsnapshot   (run from a neutral folder with HOME there: make-fixtures.sh)
const vm = require('node:vm');
const v8 = require('node:v8');
const out = process.argv[2];
if (!out) {
  console.error('usage: node realms.js OUT.heapsnapshot');
  process.exit(2);
}
const shared = { orders: new Map([['o1', { total: 12 }]]) };
const realms = ['billing', 'catalog'].map((name, i) => {
  const sandbox = { shared, name };
  vm.createContext(sandbox, { name });
  vm.runInContext(`
    class Entry { constructor(i) { this.i = i; this.tags = ['a', 'b']; } }
    globalThis.entries = [];
    for (let i = 0; i < ${200 * (i + 1)}; i++) entries.push(new Entry(i));
    globalThis.keep = shared;
  `, sandbox);
  return sandbox;
});
globalThis.realms = realms;
v8.writeHeapSnapshot(out);
console.log(out);
