// Scores `heapdive leaks --json` against the leak corpus (tools/corpus/README.md).
//   node tests/bench/verdict.mjs HEAPDIVE_BIN CASE_DIR...
// Each CASE_DIR holds snapshots and an expected.json. For each case the script runs
// `HEAPDIVE_BIN leaks --json SNAPSHOTS...` in the case's folder and prints the number of rows, then
// for each true leak its rank among the groups (1-based, first group whose class or original_class
// is one of the leak's classes), how many rows it is spread over (groups and allocated_once), the
// row's counts per snapshot, its pattern and its name; for each non-leak whether it is among the
// groups (a false positive); for a single snapshot (suspects) the first group's holder, pattern and
// count. A rank marked "m" is a group that holds the leak's objects as members (not named after
// them); the spread counts every row that names or holds them, or is named after one of the leak's
// `related` classes (records a library keeps per leaked object in another service). Groups that
// belong to no planted leak are listed as "other groups". One SUMMARY line per case ends its block. Fields the report lacks print as "-".
// A leak marked minified_shared in expected.json has a minified name other classes share: while the
// report gives no original_class, its rank and spread count those other classes too (marked "~").
// No dependencies beyond node.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [bin, ...cases] = process.argv.slice(2);
if (!bin || !cases.length) {
  console.error('usage: node tests/bench/verdict.mjs HEAPDIVE_BIN CASE_DIR...');
  process.exit(2);
}
const heapdive = path.resolve(bin);

// Runs `leaks --json FILES` in DIR; stdout goes to a file (reports of real apps are large).
function runLeaks(dir, files) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-'));
  const outFile = path.join(tmp, 'report.json');
  const fd = fs.openSync(outFile, 'w');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(heapdive, ['leaks', '--json', ...files], { cwd: dir, stdio: ['ignore', fd, 'pipe'], maxBuffer: 1 << 26 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.closeSync(fd);
  const text = fs.readFileSync(outFile, 'utf8');
  fs.rmSync(tmp, { recursive: true, force: true });
  if (r.error) return { error: r.error.message, secs };
  if (r.status !== 0) return { error: (r.stderr || '').toString().trim().split('\n').slice(0, 3).join(' / ') || `exit ${r.status}`, secs };
  try { return { report: JSON.parse(text), secs }; } catch (e) { return { error: `bad JSON: ${e.message}`, secs }; }
}

// The report for the case's snapshots. A binary that takes exactly three files gets the first,
// the second to last and the last (noted in the output).
function reportFor(dir, snaps) {
  const first = runLeaks(dir, snaps);
  if (first.report || snaps.length <= 3) return { ...first, files: snaps };
  const three = [snaps[0], snaps.at(-2), snaps.at(-1)];
  const second = runLeaks(dir, three);
  return { ...second, files: three, note: `refused ${snaps.length} files (${first.error}); ran on 3` };
}

const dash = v => (v === undefined || v === null || v === '' ? '-' : v);
const nameOf = g => g.original_class || g.class;
// A row named by a source map is matched by its original name only: a minified name can be shared
// by many classes (`n`). Without an original name the minified one has to do.
const inClasses = (g, classes) => (g.original_class != null ? classes.includes(g.original_class) : classes.includes(g.class));
// A row holds the objects when it is named after them or lists them among its members (a listener
// row is named after the function; the objects it keeps are members).
const holds = (g, classes) => inClasses(g, classes) || (g.members || []).some(m => inClasses(m, classes));
// The first group named after the classes; failing that, the first that has them as members ("m").
function findRow(groups, classes) {
  const named = groups.findIndex(g => inClasses(g, classes));
  if (named >= 0) return { idx: named, via: '' };
  return { idx: groups.findIndex(g => holds(g, classes)), via: 'm' };
}
const pad = (s, n) => String(s).padEnd(n);
const padl = (s, n) => String(s).padStart(n);

function scoreSeries(name, exp, report) {
  const groups = report.groups || [];
  const once = report.allocated_once || [];
  const hasOnce = Array.isArray(report.allocated_once);
  console.log(`rows: ${groups.length + once.length} (groups ${groups.length}, allocated_once ${hasOnce ? once.length : '-'})`);
  console.log(`  ${pad('leak', 30)} ${padl('rank', 5)} ${padl('rows', 5)}  ${pad('counts', 22)} ${pad('pattern (expected)', 28)} name`);
  const ranks = [];
  const marks = [];
  const explained = new Set();          // groups that belong to a planted leak
  let spreadMax = 0, patternsOk = 0, growthOk = 0;
  for (const leak of exp.leaks || []) {
    const { idx, via } = findRow(groups, leak.classes);
    const g = idx >= 0 ? groups[idx] : null;
    // related: records the library keeps per leaked object elsewhere (rows of the same leak).
    const ofLeak = g => holds(g, leak.classes) || inClasses(g, leak.related || []);
    const spread = groups.filter(ofLeak).length + once.filter(ofLeak).length;
    groups.forEach((g, i) => { if (ofLeak(g)) explained.add(i); });
    spreadMax = Math.max(spreadMax, spread);
    ranks.push(idx >= 0 ? idx + 1 : null);
    marks.push(via);
    const counts = g && Array.isArray(g.counts) ? g.counts : null;
    // The row grows by the planted count in every interval (later rows may start from a warm-up count).
    if (counts && counts.length > 1 && counts.slice(1).every((c, i) => c - counts[i] === leak.per_round)) growthOk++;
    // patterns_ok: where a leak fits two words of the taxonomy (a cron job is a timer in a registry).
    const accepted = leak.patterns_ok || [leak.pattern];
    if (g && accepted.includes(g.pattern)) patternsOk++;
    const pattern = `${dash(g && g.pattern)} (${accepted.join('|')})`;
    const approx = leak.minified_shared && g && g.original_class == null ? '~' : '';
    console.log(`  ${pad(leak.name, 30)} ${padl(idx >= 0 ? approx + (idx + 1) + via : 'none', 5)} ${padl(spread, 5)}  ${pad(counts ? counts.join(',') : (g ? `- (count ${g.count})` : '-'), 22)} ${pad(pattern, 28)} ${g ? nameOf(g) : '-'}`);
  }
  const falsePositives = [];
  for (const nl of exp.not_leaks || []) {
    const { idx, via } = findRow(groups, nl.classes);
    const inOnce = once.some(g => holds(g, nl.classes));
    const as = via ? ', as a member' : '';
    const verdict = idx >= 0 ? `FALSE POSITIVE: group rank ${idx + 1} (${nameOf(groups[idx])} ×${groups[idx].count}${as})` : inOnce ? 'ok (allocated_once)' : 'ok (not reported)';
    if (idx >= 0) falsePositives.push(`${nl.name}@${idx + 1}`);
    console.log(`  not leak ${pad(nl.name, 30)} ${verdict}`);
  }
  const others = groups.map((g, i) => [g, i]).filter(([, i]) => !explained.has(i));
  if (others.length) console.log(`  other groups (${others.length}): ${others.slice(0, 8).map(([g, i]) => `${i + 1}. ${nameOf(g)} ×${g.count}`).join('; ')}${others.length > 8 ? '; ...' : ''}`);
  const n = (exp.leaks || []).length;
  const found = ranks.filter(r => r !== null);
  const top = Math.max(5, 2 * n);        // a few rows of noise above a leak still count as found
  console.log(`SUMMARY ${name}: rows ${groups.length + once.length}; ranks ${ranks.map((r, i) => (r === null ? 'none' : r + marks[i])).join(',')}; ` +
    `in top ${top}: ${found.filter(r => r <= top).length}/${n}; max spread ${spreadMax}; patterns ${patternsOk}/${n}; ` +
    `grows by per_round ${growthOk}/${n}; false positives ${falsePositives.length ? falsePositives.join(',') : 0}; other groups ${others.length}`);
}

function scoreSuspect(name, exp, report) {
  const groups = report.groups || [];
  const s = exp.suspect;
  const g = groups[0];
  console.log(`rows: ${groups.length + (report.allocated_once || []).length}`);
  console.log(`  expected: variable ${s.variable}, pattern ${s.pattern}, ${s.count} ${s.class}`);
  if (!g) { console.log(`SUMMARY ${name}: no groups`); return; }
  const holder = g.holder ? g.holder.label : undefined;
  console.log(`  first:    holder ${dash(holder)}, pattern ${dash(g.pattern)}, count ${dash(g.count)}, class ${nameOf(g)}`);
  const names = holder != null && new RegExp(`\\b${s.variable}\\b`).test(holder);
  console.log(`SUMMARY ${name}: holder names '${s.variable}' ${holder == null ? '-' : names ? 'yes' : 'no'}; ` +
    `pattern ${g.pattern == null ? '-' : g.pattern === s.pattern ? 'ok' : 'wrong'}; ` +
    `count ${g.count === s.count ? 'exact' : `${dash(g.count)} vs ${s.count}`}; class ${nameOf(g) === s.class ? 'ok' : nameOf(g)}`);
}

for (const dir of cases) {
  const abs = path.resolve(dir);
  const name = path.basename(abs);
  let exp;
  try { exp = JSON.parse(fs.readFileSync(path.join(abs, 'expected.json'), 'utf8')); } catch (e) {
    console.log(`== ${name}: cannot read expected.json (${e.message})`);
    console.log(`SUMMARY ${name}: no expected.json`);
    continue;
  }
  const r = reportFor(abs, exp.snapshots);
  console.log(`== ${name} (${exp.snapshots.length} snapshot${exp.snapshots.length > 1 ? 's' : ''}) leaks --json ${r.files.join(' ')}  [${r.secs.toFixed(1)} s]`);
  if (r.note) console.log(`  note: ${r.note}`);
  if (!r.report) { console.log(`  heapdive failed: ${r.error}`); console.log(`SUMMARY ${name}: heapdive failed`); continue; }
  if (exp.suspect) scoreSuspect(name, exp, r.report); else scoreSeries(name, exp, r.report);
}
