// The common run of a page case: install the app in APP_DIR, bundle it with esbuild (minified, with a
// source map) into APP_DIR/app/, load it in headless Chromium, take S0 after the warm-up and one
// snapshot after each round, then write expected.json (both the original and the minified class
// names, which the page reports at run time through app.names()) and copy the app beside the series.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch } from './chrome.mjs';
import { countClasses, countWithProperty } from '../count-classes.mjs';
import { minifiedNames } from '../minified-names.mjs';

const sleep = ms => new Promise(r => setTimeout(r, ms));

// opts: here (the case's folder), out, appDir, rounds, files (copied to appDir), builds (esbuild
// argument lists, run in appDir), bundle (the built script with a map, relative to appDir),
// warmUp(page), round(page, r), leaks/notLeaks (entries of expected.json whose classes and related
// are original names; the minified ones, from the page and from the map, are added). A leak whose
// minified name other classes share (esbuild names many `var X = class n {...}` classes `n`) gives
// `prop`, a property its instances own, to be counted by; its entry then says minified_shared.
export async function runPageCase(opts) {
  const { here, out, appDir, rounds } = opts;
  fs.mkdirSync(appDir, { recursive: true });
  for (const f of ['package.json', 'package-lock.json', ...opts.files]) fs.copyFileSync(path.join(here, f), path.join(appDir, f));
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--silent'], { cwd: appDir, stdio: 'inherit' });
  const web = path.join(appDir, 'app');
  fs.rmSync(web, { recursive: true, force: true });
  fs.mkdirSync(web);
  fs.copyFileSync(path.join(here, 'index.html'), path.join(web, 'index.html'));
  const esbuild = path.join(appDir, 'node_modules', '.bin', 'esbuild');
  for (const args of opts.builds) execFileSync(esbuild, [...args, '--log-level=warning'], { cwd: appDir, stdio: 'inherit' });

  const server = await serve(appDir);
  const page = await launch(`http://127.0.0.1:${server.port}/app/index.html`, appDir);
  fs.mkdirSync(out, { recursive: true });
  const snaps = [];
  const snapshot = async name => {
    await sleep(1000);
    await page.snapshot(path.join(out, name + '.heapsnapshot.gz'));
    snaps.push(name + '.heapsnapshot.gz');
    console.log('wrote', name);
  };
  try {
    const names = await page.evaluate('app.names()');
    console.log('minified names', JSON.stringify(names));
    await opts.warmUp(page);
    await snapshot('S0');
    for (let r = 1; r <= rounds; r++) {
      await opts.round(page, r);
      await snapshot('S' + r);
    }
    const originals = [...opts.leaks, ...opts.notLeaks].flatMap(e => [...e.classes, ...(e.related || [])]);
    const fromMap = minifiedNames(path.join(appDir, opts.bundle), originals);
    const expand = list => [...new Set(list.flatMap(c => [c, ...(names[c] ? [names[c]] : []), ...(fromMap[c] || [])]))];
    const both = e => ({ ...e, classes: expand(e.classes), ...(e.related ? { related: expand(e.related) } : {}) });
    const leaks = opts.leaks.map(both);
    const notLeaks = opts.notLeaks.map(both);
    const all = [...new Set([...leaks, ...notLeaks].flatMap(e => e.classes))];
    const counts = [];
    for (const s of snaps) counts.push(await countClasses(path.join(out, s), all));
    counts.forEach((c, i) => console.log(snaps[i], JSON.stringify(c)));
    // counts: objects of the leak's main class (its minified name) in each snapshot.
    const withCounts = ({ prop, ...e }) => {
      const min = e.classes[1] || e.classes[0];
      if (!prop) return { ...e, counts: counts.map(c => c[min]) };
      return { ...e, minified_shared: true, counts: snaps.map(s => countWithProperty(path.join(out, s), min, prop)) };
    };
    const expected = { snapshots: snaps, leaks: leaks.map(withCounts), not_leaks: notLeaks.map(withCounts) };
    fs.writeFileSync(path.join(out, 'expected.json'), JSON.stringify(expected, null, 2) + '\n');
    fs.cpSync(web, path.join(out, 'app'), { recursive: true });
    return expected;
  } finally {
    await page.close();
    await server.close();
  }
}
