/**
 * The command line's start-up bundle (issue 24 item 4: `--help` and `validate` in ≤ 150 ms of CPU).
 *
 * Node 20 loads an ES module graph file by file: resolving, reading, compiling and linking ~130 modules
 * (zod alone is 95 files, yaml 40 CommonJS files) costs more CPU than running them. esbuild joins the
 * CLI's own modules and its small, start-up-critical libraries into a few chunks in dist/bundle/cli/,
 * split at each command's `await import(...)` so each command still loads only what it uses. The heavy
 * libraries (vega, the Kubernetes models, piscina, cli-progress) stay outside, loaded from node_modules
 * as before, only by the commands that need them.
 *
 * bin/gmpsim.js runs the bundle only when it was built from the current dist/src (stamp.json records
 * the mtime of dist/src/cli/main.js, which every tsc build rewrites); after a bare `tsc` it falls back
 * to dist/src, slower but never stale. `npm run build` (and so `npm ci`) and `npm test` rebuild it.
 *
 * The chunks sit three directories below the repository, as dist/src/cli does, so the relative
 * `../../../package.json` and `../../../calibrations/` the modules compute from import.meta.url still
 * point at the same files. The sweep's worker is the one module loaded by path: its URL is rewritten
 * to dist/src/sweep/worker.js, which the worker threads load unbundled (they return plain data).
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUNDLE_DIR = join(ROOT, 'dist/bundle/cli');
const ENTRY = join(ROOT, 'dist/src/cli/main.js');

/** Libraries joined into the bundle: small, and on the path of `--help`, `validate` or scenario loading. */
export const BUNDLED_PACKAGES = ['commander', 'zod', 'yaml', 'cron-parser', 'luxon', 'fastest-levenshtein', 'd3-dsv'];

/** The package a bare import names (`@scope/name/sub` → `@scope/name`). */
function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Every other package stays an import from node_modules, as in dist/src. */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      return BUNDLED_PACKAGES.includes(packageOf(args.path)) ? undefined : { path: args.path, external: true };
    });
  },
};

const WORKER_URL = "new URL('./worker.js', import.meta.url)";
/** sweep/runner.js hands piscina its worker's URL; from the bundle that file is dist/src/sweep/worker.js. */
const workerPath: Plugin = {
  name: 'sweep-worker-path',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]src[\\/]sweep[\\/]runner\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(WORKER_URL)) throw new Error(`${args.path}: expected ${WORKER_URL} (the bundle rewrites it)`);
      return {
        contents: text.replace(WORKER_URL, "new URL('../../src/sweep/worker.js', import.meta.url)"),
        loader: 'js',
      };
    });
  },
};

/**
 * zod re-exports its ~50 message locales (`z.locales`, 366 kB of the bundle's 750 kB of zod); gmpsim reads
 * only the English messages zod installs by default (classic/external.js imports locales/en.js itself).
 * In the bundle, `z.locales` holds English only.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: "export { default as en } from './en.js';\n",
      loader: 'js',
    }));
  },
};

/** What bin/gmpsim.js compares: the bundle was built from this dist/src/cli/main.js. */
export function entryStamp(): number {
  return statSync(ENTRY).mtimeMs;
}

/** Build dist/bundle/cli/ from dist/src (run `tsc` first). Writes meta.json (esbuild's metafile) and stamp.json. */
export async function bundleCli(): Promise<void> {
  const builtFrom = entryStamp();
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: BUNDLE_DIR,
    metafile: true,
    logLevel: 'warning',
    plugins: [externalPackages, workerPath, zodEnglishOnly],
    // CommonJS libraries (commander, yaml) call require() for Node's built-ins; ES modules have none.
    banner: {
      js:
        "import { createRequire as __gmpsimRequire } from 'node:module';\nconst require = " +
        '__gmpsimRequire(import.meta.url);',
    },
  });
  writeFileSync(join(BUNDLE_DIR, 'meta.json'), JSON.stringify(result.metafile));
  writeFileSync(join(BUNDLE_DIR, 'stamp.json'), `${JSON.stringify({ builtFrom })}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await bundleCli();
