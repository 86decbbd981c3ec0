#!/usr/bin/env node
// Entry point for `npx gmpsim`; the TypeScript is compiled to dist/ by `npm ci` (the prepare script).
// It runs the start-up bundle (dist/bundle/cli, tools/bundle-cli.ts) when that was built from the current
// dist/src, else dist/src itself: a bare `tsc` leaves the bundle stale, and a stale bundle is never run.
// GMPSIM_BUNDLE=0 forces dist/src.
import { readFileSync, statSync } from 'node:fs';

const dist = new URL('../dist/', import.meta.url);
let entry = '../dist/src/cli/main.js';
if (process.env.GMPSIM_BUNDLE !== '0') {
  try {
    const { builtFrom } = JSON.parse(readFileSync(new URL('bundle/cli/stamp.json', dist), 'utf8'));
    if (builtFrom === statSync(new URL('src/cli/main.js', dist)).mtimeMs) entry = '../dist/bundle/cli/main.js';
  } catch {
    // no bundle: run dist/src
  }
}
await import(entry);
