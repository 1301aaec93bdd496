// Counts the objects of CLASS that the collection in variable VAR holds directly, in a snapshot:
// finds the context (closure scope) variable VAR, follows the Map/Set's `table` and counts its
// entries' targets named CLASS. Prints {"variable", "holder", "class", "count", "total"}.
//   node count-held.mjs FILE VAR CLASS
import { loadSnapshot } from '../lib/snapshot.mjs';

const [file, variable, cls] = process.argv.slice(2);
if (!cls) { console.error('usage: node count-held.mjs FILE VAR CLASS'); process.exit(2); }
const { meta, nodes, edges, strings } = await loadSnapshot(file);
const nf = meta.node_fields, ef = meta.edge_fields;
const nw = nf.length, ew = ef.length;
const T = nf.indexOf('type'), N = nf.indexOf('name'), C = nf.indexOf('edge_count');
const ET = ef.indexOf('type'), EN = ef.indexOf('name_or_index'), TO = ef.indexOf('to_node');
const edgeTypes = meta.edge_types[ET];
const nodeTypes = meta.node_types[T];
const firstEdge = new Float64Array(nodes.length / nw + 1);
for (let i = 0, e = 0; i < nodes.length; i += nw) { firstEdge[i / nw] = e; e += nodes[i + C] * ew; }
firstEdge[nodes.length / nw] = edges.length;
const edgesOf = function* (node) {
  const o = node / nw;
  for (let e = firstEdge[o]; e < firstEdge[o + 1]; e += ew) yield e;
};
const nameOf = node => strings[nodes[node + N]];
const edgeName = e => (['element', 'hidden'].includes(edgeTypes[edges[e + ET]]) ? String(edges[e + EN]) : strings[edges[e + EN]]);
const isClass = node => nodeTypes[nodes[node + T]] === 'object' && nameOf(node) === cls;

let total = 0;
for (let i = 0; i < nodes.length; i += nw) if (isClass(i)) total++;
const holders = [];
for (let i = 0; i < nodes.length; i += nw) {
  for (const e of edgesOf(i)) {
    if (edgeTypes[edges[e + ET]] === 'context' && edgeName(e) === variable) holders.push(edges[e + TO]);
  }
}
for (const h of holders) {
  let count = 0;
  for (const e of edgesOf(h)) {
    if (edgeName(e) !== 'table') continue;
    for (const t of edgesOf(edges[e + TO])) if (isClass(edges[t + TO])) count++;
  }
  console.log(JSON.stringify({ variable, holder: `${nameOf(h)} @${nodes[h + nf.indexOf('id')]}`, class: cls, count, total }));
}
