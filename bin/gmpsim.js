#!/usr/bin/env node
// Entry point for `npx gmpsim`; the TypeScript is compiled to dist/ by `npm ci` (the prepare script).
// It runs the start-up bundle (dist/bundle/cli, tools/bundle-cli.ts; src/cli/bundle-loader.ts runs it with
// V8's code cache) when that was built from the current dist/src, else dist/src itself: a bare `tsc` leaves
// the bundle stale, and a stale bundle is never run. GMPSIM_BUNDLE=0 forces dist/src.
// CommonJS (bin/package.json), as the bundle's loader is: an ES module entry costs Node ~5 ms of start-up.
const { readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '../dist');
let stamp;
if (process.env.GMPSIM_BUNDLE !== '0') {
  try {
    const s = JSON.parse(readFileSync(join(dist, 'bundle/cli/stamp.json'), 'utf8'));
    if (s.builtFrom === statSync(join(dist, 'src/cli/main.js')).mtimeMs) stamp = s;
  } catch {
    // no bundle: run dist/src
  }
}
if (stamp) require(join(dist, 'bundle/cli/loader.cjs')).runBundle(join(dist, 'bundle/cli'), stamp);
else import('../dist/src/cli/main.js');
