// Counts a snapshot's objects by constructor name, to check a series against its expected.json.
//   node count-classes.mjs CLASS[,CLASS...] FILE.heapsnapshot[.gz]...
// Counts nodes of type object whose name is one of the classes (what DevTools' Summary counts).
import fs from 'node:fs';
import zlib from 'node:zlib';

export function countClasses(text, classes) {
  const snap = JSON.parse(text);
  const meta = snap.snapshot.meta;
  const width = meta.node_fields.length;
  const typeAt = meta.node_fields.indexOf('type');
  const nameAt = meta.node_fields.indexOf('name');
  const types = meta.node_types[typeAt];
  const wanted = new Map(classes.map(c => [c, 0]));
  const ids = new Map();
  snap.strings.forEach((s, i) => { if (wanted.has(s)) ids.set(i, s); });
  const { nodes } = snap;
  for (let i = 0; i < nodes.length; i += width) {
    const name = ids.get(nodes[i + nameAt]);
    if (name === undefined) continue;
    const type = types[nodes[i + typeAt]];
    if (type === 'object') wanted.set(name, wanted.get(name) + 1);
  }
  return Object.fromEntries(wanted);
}

export function readSnapshot(file) {
  const buf = fs.readFileSync(file);
  return (file.endsWith('.gz') ? zlib.gunzipSync(buf) : buf).toString('utf8');
}

if (import.meta.url === 'file://' + fs.realpathSync(process.argv[1] || '')) {
  const [list, ...files] = process.argv.slice(2);
  if (!list || !files.length) { console.error('usage: node count-classes.mjs CLASS[,CLASS...] FILE...'); process.exit(2); }
  for (const f of files) console.log(f, JSON.stringify(countClasses(readSnapshot(f), list.split(','))));
}
