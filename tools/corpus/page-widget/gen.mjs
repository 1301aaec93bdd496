// Makes the page-widget series: CodeMirror 6 (codemirror 6.0.2) bundled and minified by esbuild with
// a source map, in headless Chromium. S0 after a warm-up (panels opened and destroyed properly), then
// ROUNDS rounds that each open 5 editor panels and drop their DOM without view.destroy().
//   node gen.mjs OUT [ROUNDS=3] [APP_DIR=/srv/app]
// Writes OUT/S<i>.heapsnapshot.gz, OUT/expected.json and OUT/app/ (widget.js and widget.js.map, the
// script's URL being http://127.0.0.1:PORT/app/widget.js).
import path from 'node:path';
import { runPageCase } from '../lib/page-case.mjs';

const [out, rounds = '3', appDir = '/srv/app'] = process.argv.slice(2);
if (!out) { console.error('usage: node gen.mjs OUT [ROUNDS=3] [APP_DIR=/srv/app]'); process.exit(2); }
const PER_ROUND = 5;

await runPageCase({
  here: path.dirname(new URL(import.meta.url).pathname), out, appDir, rounds: +rounds,
  files: ['main.js'],
  bundle: 'app/widget.js',
  builds: [['main.js', '--bundle', '--minify', '--sourcemap', '--format=iife', '--target=chrome120', '--outfile=app/widget.js']],
  async warmUp(page) {
    await page.evaluate('app.openAndDestroy(5)');
    await page.evaluate('app.useSnippets(40)');
    await page.evaluate('app.lint()');
  },
  async round(page, r) {
    if (r === 1) await page.evaluate('app.loadPrefs()');
    await page.evaluate(`app.leakPanels(${PER_ROUND})`);
    await page.evaluate('app.useSnippets(10)');
    await page.evaluate('app.lint()');
  },
  leaks: [
    { name: 'editor views never destroyed', classes: ['EditorView'], pattern: 'listeners', per_round: PER_ROUND, prop: 'docView' },
  ],
  notLeaks: [
    { name: 'bounded snippet cache', classes: ['SnippetEntry'] },
    { name: 'churn', classes: ['LintMark'] },
    { name: 'one-off', classes: ['EditorPrefs'] },
  ],
});
