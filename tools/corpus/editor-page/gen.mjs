// Makes the editor-page series: Monaco (monaco-editor 0.57) bundled and minified by esbuild with a
// source map, in headless Chromium. S0 after a warm-up (editors opened and disposed properly), then
// ROUNDS rounds that each open 5 editors with their models and drop them without dispose().
//   node gen.mjs OUT [ROUNDS=3] [APP_DIR=/srv/app]
// MINIFY=0 bundles without --minify (the authors' class names in the snapshot, as an unbundled app).
// Writes OUT/S<i>.heapsnapshot.gz, OUT/expected.json and OUT/app/ (the page, bundle.js and bundle.js.map,
// served as http://127.0.0.1:PORT/app/..., so a tool finds the map by the script URL's path suffix).
import path from 'node:path';
import { runPageCase } from '../lib/page-case.mjs';

const [out, rounds = '3', appDir = '/srv/app'] = process.argv.slice(2);
if (!out) { console.error('usage: node gen.mjs OUT [ROUNDS=3] [APP_DIR=/srv/app]'); process.exit(2); }
const PER_ROUND = 5;
const minify = process.env.MINIFY === '0' ? [] : ['--minify'];

await runPageCase({
  here: path.dirname(new URL(import.meta.url).pathname), out, appDir, rounds: +rounds,
  files: ['main.js', 'worker.js'],
  bundle: 'app/bundle.js',
  builds: [
    ['main.js', '--bundle', ...minify, '--sourcemap', '--format=iife', '--target=chrome120', '--loader:.ttf=file', '--outfile=app/bundle.js'],
    ['worker.js', '--bundle', ...minify, '--format=iife', '--target=chrome120', '--outfile=app/editor.worker.js'],
  ],
  async warmUp(page) {
    await page.evaluate('app.openAndDispose(5)');
    await page.evaluate('app.openRecent(40)');
    await page.evaluate('app.diff()');
  },
  async round(page, r) {
    if (r === 1) await page.evaluate('app.loadSettings()');
    console.log('round', r, 'editors registered:', await page.evaluate(`app.leakEditors(${PER_ROUND})`));
    await page.evaluate('app.openRecent(10)');
    await page.evaluate('app.diff()');
  },
  leaks: [
    // related: records Monaco's services keep per editor or per model (context keys, DOM listeners,
    // undo stacks, markers): rows of the same leak if a report shows them apart.
    { name: 'editors never disposed', classes: ['StandaloneEditor'], pattern: 'collection', per_round: PER_ROUND,
      related: ['Context', 'DomNodeListeners'] },
    { name: 'models never disposed', classes: ['TextModel', 'ModelData'], pattern: 'collection', per_round: PER_ROUND,
      related: ['ResourceEditStack', 'ResourceMapEntry'] },
  ],
  notLeaks: [
    { name: 'bounded recent-files cache', classes: ['FileInfo'] },
    { name: 'churn', classes: ['DiffChunk'] },
    { name: 'one-off', classes: ['WorkspaceSettings'] },
  ],
});
