// Counts a snapshot's objects by constructor name, to check a series against its expected.json.
//   node count-classes.mjs CLASS[,CLASS...] FILE.heapsnapshot[.gz]...
// Counts nodes of type object whose name is one of the classes (what DevTools' Summary counts).
// Streams the file, so it works on snapshots too big for one JavaScript string (near-heap-limit ones).
import fs from 'node:fs';
import zlib from 'node:zlib';

const NODES = Buffer.from('"nodes":[');
const STRINGS = Buffer.from('"strings":');

export async function countClasses(file, classes) {
  let input = fs.createReadStream(file, { highWaterMark: 1 << 22 });
  if (file.endsWith('.gz')) input = input.pipe(zlib.createGunzip({ chunkSize: 1 << 22 }));
  let phase = 'head';
  let head = [];
  let tail = [];
  let width = 0, typeAt = 0, nameAt = 0, objectType = 0;
  let field = 0, num = 0, inNum = false, type = 0, name = 0;
  const perName = new Map();      // name index -> objects of type object
  let carry = Buffer.alloc(0);
  for await (let chunk of input) {
    if (phase === 'head') {
      head.push(chunk);
      const all = Buffer.concat(head);
      const at = all.indexOf(NODES);
      if (at < 0) continue;
      const text = all.subarray(0, at).toString('utf8').trim().replace(/,$/, '') + '}';
      const meta = JSON.parse(text).snapshot.meta;
      width = meta.node_fields.length;
      typeAt = meta.node_fields.indexOf('type');
      nameAt = meta.node_fields.indexOf('name');
      objectType = meta.node_types[typeAt].indexOf('object');
      phase = 'nodes';
      chunk = all.subarray(at + NODES.length);
      head = null;
    }
    if (phase === 'nodes') {
      let i = 0;
      for (; i < chunk.length; i++) {
        const c = chunk[i];
        if (c >= 48 && c <= 57) { num = num * 10 + (c - 48); inNum = true; continue; }
        if (inNum) {
          if (field === typeAt) type = num; else if (field === nameAt) name = num;
          if (++field === width) {
            if (type === objectType) perName.set(name, (perName.get(name) || 0) + 1);
            field = 0;
          }
          num = 0; inNum = false;
        }
        if (c === 93) break;                    // ']' ends the nodes
      }
      if (i < chunk.length) { phase = 'seek'; chunk = chunk.subarray(i + 1); } else continue;
    }
    if (phase === 'seek') {
      const all = Buffer.concat([carry, chunk]);
      const at = all.indexOf(STRINGS);
      if (at < 0) { carry = all.subarray(Math.max(0, all.length - STRINGS.length)); continue; }
      phase = 'strings';
      chunk = all.subarray(at + STRINGS.length);
    }
    if (phase === 'strings') tail.push(chunk);
  }
  const text = Buffer.concat(tail).toString('utf8').trim().replace(/\}\s*$/, '');
  const strings = JSON.parse(text);
  const wanted = new Map(classes.map(c => [c, 0]));
  for (const [idx, n] of perName) if (wanted.has(strings[idx])) wanted.set(strings[idx], wanted.get(strings[idx]) + n);
  return Object.fromEntries(wanted);
}

const isMain = (() => { try { return import.meta.url === 'file://' + fs.realpathSync(process.argv[1]); } catch { return false; } })();
if (isMain) {
  const [list, ...files] = process.argv.slice(2);
  if (!list || !files.length) { console.error('usage: node count-classes.mjs CLASS[,CLASS...] FILE...'); process.exit(2); }
  for (const f of files) console.log(f, JSON.stringify(await countClasses(f, list.split(','))));
}

// Objects named NAME that have an own property PROP: tells apart classes that minify to the same
// name (esbuild's `var X = class n {...}` gives many classes the name `n`). Reads the whole file.
export function countWithProperty(file, name, prop) {
  const buf = fs.readFileSync(file);
  const snap = JSON.parse((file.endsWith('.gz') ? zlib.gunzipSync(buf) : buf).toString('utf8'));
  const { node_fields: nf, node_types: nt, edge_fields: ef, edge_types: et } = snap.snapshot.meta;
  const [nw, ew] = [nf.length, ef.length];
  const [typeAt, nameAt, countAt] = ['type', 'name', 'edge_count'].map(f => nf.indexOf(f));
  const [etAt, enAt] = ['type', 'name_or_index'].map(f => ef.indexOf(f));
  const objectType = nt[typeAt].indexOf('object');
  const propertyType = et[etAt].indexOf('property');
  const nameId = snap.strings.indexOf(name);
  const propId = snap.strings.indexOf(prop);
  let n = 0, edge = 0;
  for (let i = 0; i < snap.nodes.length; i += nw) {
    const edges = snap.nodes[i + countAt];
    if (snap.nodes[i + typeAt] === objectType && snap.nodes[i + nameAt] === nameId) {
      for (let e = edge; e < edge + edges * ew; e += ew) {
        if (snap.edges[e + etAt] === propertyType && snap.edges[e + enAt] === propId) { n++; break; }
      }
    }
    edge += edges * ew;
  }
  return n;
}
