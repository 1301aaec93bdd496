// Makes the editor-page series: Monaco (monaco-editor 0.57) bundled and minified by esbuild with a
// source map, in headless Chromium. S0 after a warm-up (editors opened and disposed properly), then
// ROUNDS rounds that each open 5 editors with their models and drop them without dispose().
//   node gen.mjs OUT [ROUNDS=3] [APP_DIR=/srv/app]
// Writes OUT/S<i>.heapsnapshot.gz, OUT/expected.json and OUT/app/ (the page, bundle.js and bundle.js.map,
// served as http://127.0.0.1:PORT/app/..., so a tool finds the map by the script URL's path suffix).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch } from '../lib/chrome.mjs';
import { countClasses, readSnapshot } from '../count-classes.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const [out, roundsArg = '3', appDir = '/srv/app'] = process.argv.slice(2);
if (!out) { console.error('usage: node gen.mjs OUT [ROUNDS=3] [APP_DIR=/srv/app]'); process.exit(2); }
const rounds = +roundsArg;
const PER_ROUND = 5;

fs.mkdirSync(appDir, { recursive: true });
for (const f of ['package.json', 'package-lock.json', 'main.js', 'worker.js']) fs.copyFileSync(path.join(here, f), path.join(appDir, f));
execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--silent'], { cwd: appDir, stdio: 'inherit' });
const web = path.join(appDir, 'app');
fs.rmSync(web, { recursive: true, force: true });
fs.mkdirSync(web);
fs.copyFileSync(path.join(here, 'index.html'), path.join(web, 'index.html'));
const esbuild = path.join(appDir, 'node_modules', '.bin', 'esbuild');
execFileSync(esbuild, ['main.js', '--bundle', '--minify', '--sourcemap', '--format=iife', '--target=chrome120',
  '--loader:.ttf=file', '--outfile=app/bundle.js', '--log-level=warning'], { cwd: appDir, stdio: 'inherit' });
execFileSync(esbuild, ['worker.js', '--bundle', '--minify', '--format=iife', '--target=chrome120',
  '--outfile=app/editor.worker.js', '--log-level=warning'], { cwd: appDir, stdio: 'inherit' });

const server = await serve(appDir);
const page = await launch(`http://127.0.0.1:${server.port}/app/index.html`, appDir);
fs.mkdirSync(out, { recursive: true });
const snaps = [];
async function snapshot(name) {
  await page.snapshot(path.join(out, name + '.heapsnapshot.gz'));
  snaps.push(name + '.heapsnapshot.gz');
  console.log(name, 'editors alive:', await page.evaluate('monaco_editors()'));
}
await page.evaluate('window.monaco_editors = () => document.querySelectorAll(".monaco-editor").length + " in DOM"');
try {
  const names = await page.evaluate('app.names()');
  console.log('minified names', JSON.stringify(names));
  await page.evaluate('app.openAndDispose(5)');
  await page.evaluate('app.openRecent(40)');
  await page.evaluate('app.diff()');
  await new Promise(r => setTimeout(r, 1000));
  await snapshot('S0');
  for (let r = 1; r <= rounds; r++) {
    if (r === 1) await page.evaluate('app.loadSettings()');
    console.log('round', r, 'editors registered:', await page.evaluate(`app.leakEditors(${PER_ROUND})`));
    await page.evaluate('app.openRecent(10)');
    await page.evaluate('app.diff()');
    await new Promise(r => setTimeout(r, 1000));
    await snapshot('S' + r);
  }

  const both = c => names[c] === c ? [c] : [c, names[c]];
  const leaks = [
    { name: 'editors never disposed', classes: both('StandaloneEditor'), pattern: 'collection', per_round: PER_ROUND },
    { name: 'models never disposed', classes: both('TextModel'), pattern: 'collection', per_round: PER_ROUND },
  ];
  const notLeaks = [
    { name: 'bounded recent-files cache', classes: both('FileInfo') },
    { name: 'churn', classes: both('DiffChunk') },
    { name: 'one-off', classes: both('WorkspaceSettings') },
  ];
  const minified = Object.values(names);
  const counts = snaps.map(s => countClasses(readSnapshot(path.join(out, s)), minified));
  counts.forEach((c, i) => console.log(snaps[i], JSON.stringify(c)));
  const withCounts = e => ({ ...e, counts: counts.map(c => c[e.classes.at(-1)]) });
  const expected = { snapshots: snaps, leaks: leaks.map(withCounts), not_leaks: notLeaks.map(withCounts) };
  fs.writeFileSync(path.join(out, 'expected.json'), JSON.stringify(expected, null, 2) + '\n');
  fs.cpSync(web, path.join(out, 'app'), { recursive: true });
} finally {
  await page.close();
  await server.close();
}
