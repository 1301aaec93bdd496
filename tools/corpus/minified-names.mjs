// Finds the minified names of classes in a bundle through its source map: the identifiers that the
// map names CLASS where the bundle declares a class (`class X`, `X=class`, `X=class n`: then `n`,
// the name its instances have in a heap snapshot).
//   node minified-names.mjs BUNDLE.js CLASS[,CLASS...]      (reads BUNDLE.js.map)
// Prints {"CLASS": ["min", ...]}. Independent of heapdive: it checks the names expected.json lists.
import fs from 'node:fs';

const B64 = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]));
function* segments(mappings) {
  let line = 0, col = 0, src = 0, oline = 0, ocol = 0, name = 0;
  for (const l of mappings.split(';')) {
    col = 0;
    for (const seg of l.split(',')) {
      if (!seg) continue;
      const v = [];
      let shift = 0, value = 0;
      for (const c of seg) {
        const d = B64.get(c);
        value += (d & 31) << shift;
        if (d & 32) { shift += 5; continue; }
        v.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = 0; shift = 0;
      }
      col += v[0];
      if (v.length > 1) { src += v[1]; oline += v[2]; ocol += v[3]; }
      if (v.length > 4) { name += v[4]; yield { line, col, name }; }
    }
    line++;
  }
}

export function minifiedNames(bundle, classes) {
  const map = JSON.parse(fs.readFileSync(bundle + '.map', 'utf8'));
  const lines = fs.readFileSync(bundle, 'utf8').split('\n');
  const wanted = new Set(classes);
  const found = Object.fromEntries(classes.map(c => [c, new Set()]));
  for (const { line, col, name } of segments(map.mappings)) {
    const original = map.names[name];
    if (!wanted.has(original)) continue;
    const text = lines[line];
    const id = /^[\w$]+/.exec(text.slice(col));
    if (!id) continue;
    const before = text.slice(Math.max(0, col - 6), col);
    const after = text.slice(col + id[0].length, col + id[0].length + 64);
    if (before.endsWith('class ')) { found[original].add(id[0]); continue; }
    // `X=class n{...}`: instances are named after the inner name (constructor.name), not X.
    const assigned = /^\s*=\s*class(?:\s+(?!extends\b)([\w$]+))?/.exec(after);
    if (assigned) found[original].add(assigned[1] || id[0]);
  }
  return Object.fromEntries(Object.entries(found).map(([k, v]) => [k, [...v]]));
}

const isMain = (() => { try { return import.meta.url === 'file://' + fs.realpathSync(process.argv[1]); } catch { return false; } })();
if (isMain) {
  const [bundle, list] = process.argv.slice(2);
  if (!list) { console.error('usage: node minified-names.mjs BUNDLE.js CLASS[,CLASS...]'); process.exit(2); }
  console.log(JSON.stringify(minifiedNames(bundle, list.split(','))));
}
