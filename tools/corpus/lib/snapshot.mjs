// Streams a heap snapshot (plain or .gz) into flat arrays: nodes, edges, strings and the meta.
// For files too big for one JavaScript string (near-heap-limit snapshots run to 600 MB).
import fs from 'node:fs';
import zlib from 'node:zlib';

class Numbers {
  constructor() { this.a = new Float64Array(1 << 20); this.n = 0; }
  push(v) {
    if (this.n === this.a.length) { const b = new Float64Array(this.a.length * 2); b.set(this.a); this.a = b; }
    this.a[this.n++] = v;
  }
  done() { return this.a.subarray(0, this.n); }
}

export async function loadSnapshot(file) {
  let input = fs.createReadStream(file, { highWaterMark: 1 << 22 });
  if (file.endsWith('.gz')) input = input.pipe(zlib.createGunzip({ chunkSize: 1 << 22 }));
  const head = [];
  const tail = [];
  let section = null;           // 'nodes' | 'edges' while reading one, 'strings' to the end
  let seek = '';                // text since the last section, to find the next key
  let num = 0, inNum = false;
  const arrays = { nodes: new Numbers(), edges: new Numbers() };
  let meta = null;
  for await (const chunk of input) {
    let i = 0;
    while (i < chunk.length) {
      if (section === 'strings') { tail.push(chunk.subarray(i)); break; }
      if (section === 'nodes' || section === 'edges') {
        const out = arrays[section];
        for (; i < chunk.length; i++) {
          const c = chunk[i];
          if (c >= 48 && c <= 57) { num = num * 10 + (c - 48); inNum = true; continue; }
          if (inNum) { out.push(num); num = 0; inNum = false; }
          if (c === 93) { section = null; i++; break; }
        }
        continue;
      }
      // Between sections: find the next key.
      const text = chunk.subarray(i, Math.min(chunk.length, i + 4096)).toString('latin1');
      seek += text;
      if (!meta) head.push(text);
      const m = /"(nodes|edges|strings)":\s*\[/.exec(seek);
      if (!m) { i += text.length; if (seek.length > 1 << 16) seek = seek.slice(-64); continue; }
      const consumed = text.length - (seek.length - (m.index + m[0].length));
      if (!meta) {
        const all = head.join('');
        meta = JSON.parse(all.slice(0, all.indexOf('"nodes"')).trim().replace(/,$/, '') + '}').snapshot.meta;
      }
      section = m[1];
      if (section === 'strings') tail.push(Buffer.from('['));
      seek = '';
      i += consumed;
    }
  }
  const strings = JSON.parse(Buffer.concat(tail).toString('utf8').trim().replace(/\}\s*$/, ''));
  return { meta, nodes: arrays.nodes.done(), edges: arrays.edges.done(), strings };
}
