#!/usr/bin/env node
// Entry point for `npx gmpsim`; the TypeScript is compiled to dist/ by `npm ci` (the prepare script).
import '../dist/src/cli/main.js';
