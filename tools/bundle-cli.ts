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
 * Even joined, compiling the chunks is a third of `validate`'s CPU, and Node 20 has no compile cache for ES
 * modules. So each chunk is then turned into CommonJS (esbuild's transform), which src/cli/bundle-loader.ts
 * compiles with vm.Script from a V8 code cache written here (`<chunk>.cjs.cache`), after a `--help` and a
 * `validate` have run through the bundle in a child process.
 *
 * bin/gmpsim.js runs the bundle only when it was built from the current dist/src (stamp.json records
 * the mtime of dist/src/cli/main.js, which every tsc build rewrites); after a bare `tsc` it falls back
 * to dist/src, slower but never stale. `npm run build` (and so `npm ci`) and `npm test` rebuild it.
 * stamp.json is written last: a build that failed half-way leaves no bundle to run.
 *
 * The chunks sit three directories below the repository, as dist/src/cli does, so the relative
 * `../../../package.json` and `../../../calibrations/` the modules compute from import.meta.url still
 * point at the same files. The sweep's worker is the one module loaded by path: its URL is rewritten
 * to dist/src/sweep/worker.js, which the worker threads load unbundled (they return plain data).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin, transform } from 'esbuild';
import type { BundleChunk, BundleStamp } from '../src/cli/bundle-loader.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUNDLE_DIR = join(ROOT, 'dist/bundle/cli');
const ENTRY = join(ROOT, 'dist/src/cli/main.js');
/** src/cli/bundle-loader.ts as one CommonJS file, which bin/gmpsim.js (CommonJS too) requires. */
const LOADER = 'loader.cjs';

/** Libraries joined into the bundle: small, and on the path of `--help`, `validate` or scenario loading. */
// cron-parser and luxon are not among them: src/autoscaler/keda/cron.ts requires them on the first cron trigger.
export const BUNDLED_PACKAGES = ['commander', 'zod', 'yaml', 'fastest-levenshtein', 'd3-dsv'];

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

/**
 * The worker threads' files, loaded by path: sweep/runner.js hands piscina its worker's URL, and
 * parallel/worker-transport.js starts the pod workers of `run --threads`. From the bundle those files are
 * dist/src/sweep/worker.js and dist/src/parallel/pod-worker.js, which the threads load unbundled.
 */
const WORKER_URLS: { file: RegExp; from: string; to: string }[] = [
  {
    file: /[\\/]dist[\\/]src[\\/]sweep[\\/]runner\.js$/,
    from: "new URL('./worker.js', import.meta.url)",
    to: "new URL('../../src/sweep/worker.js', import.meta.url)",
  },
  {
    file: /[\\/]dist[\\/]src[\\/]parallel[\\/]worker-transport\.js$/,
    from: "new URL('./pod-worker.js', import.meta.url)",
    to: "new URL('../../src/parallel/pod-worker.js', import.meta.url)",
  },
];
const workerPath: Plugin = {
  name: 'worker-paths',
  setup(b) {
    for (const w of WORKER_URLS) {
      b.onLoad({ filter: w.file }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes(w.from)) throw new Error(`${args.path}: expected ${w.from} (the bundle rewrites it)`);
        return { contents: text.replace(w.from, w.to), loader: 'js' };
      });
    }
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

const CHILD_PROCESS = "const childProcess = require('node:child_process');";
/**
 * commander requires node:child_process when it loads (~2 ms of CPU: it pulls in net, dgram and streams), for
 * executable subcommands (`git-style`), which gmpsim has none of. In the bundle it is required on first use.
 */
const commanderChildProcessOnUse: Plugin = {
  name: 'commander-child-process-on-use',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(CHILD_PROCESS))
        throw new Error(`${args.path}: expected ${CHILD_PROCESS} (the bundle rewrites it)`);
      const onUse = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: text.replace(CHILD_PROCESS, onUse), loader: 'js' };
    });
  },
};

/** What bin/gmpsim.js compares: the bundle was built from this dist/src/cli/main.js. */
export function entryStamp(): number {
  return statSync(ENTRY).mtimeMs;
}

/** The command lines the code cache is written after (besides `--help`): `validate` of the benchmarked scenario. */
export const CACHE_RUNS = [['validate', 'scenarios/hpa-flash-crowd.yaml']];

/** esbuild's CommonJS form of a chunk's `import(x)` (dynamic-import unsupported), and what it becomes. */
const DYNAMIC_IMPORT = 'Promise.resolve().then(() => __toESM(require(';
const BUNDLE_IMPORT = 'Promise.resolve().then(() => (__gmpsimImport(';

/** An ES chunk as CommonJS for bundle-loader.ts: `import(x)` → `__gmpsimImport(x)`, chunk names → `.cjs`. */
async function toCommonJs(text: string, file: string, dynamicImports: number, rename: Map<string, string>) {
  const { code, warnings } = await transform(text, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    supported: { 'dynamic-import': false },
    logLevel: 'silent',
  });
  // E.g. an `import.meta` other than import.meta.url (defined above), which CommonJS would leave empty.
  if (warnings.length > 0) throw new Error(`${file} as CommonJS: ${warnings.map((w) => w.text).join('; ')}`);
  const parts = code.split(DYNAMIC_IMPORT);
  // Every import() of the chunk, and nothing else, is renamed: a miss would be a require of an ES module.
  if (parts.length - 1 !== dynamicImports) {
    throw new Error(
      `${file}: ${parts.length - 1} dynamic imports in its CommonJS form, ${dynamicImports} in esbuild's`,
    );
  }
  return parts.join(BUNDLE_IMPORT).replace(/(["'])\.\/([\w.-]+\.js)\1/g, (m, q: string, name: string) => {
    const to = rename.get(name);
    return to ? `${q}./${to}${q}` : m;
  });
}

/** The chunk table stamp.json carries: each chunk's static chunk imports and the packages it imports statically. */
function chunkTable(meta: Metafile, rename: Map<string, string>): Record<string, BundleChunk> {
  const out: Record<string, BundleChunk> = {};
  for (const [path, o] of Object.entries(meta.outputs)) {
    const name = rename.get(basename(path));
    if (!name) continue;
    const statics = o.imports.filter((i) => i.kind === 'import-statement');
    out[name] = {
      chunks: statics.filter((i) => !i.external).map((i) => rename.get(basename(i.path))!),
      packages: [...new Set(statics.filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path))],
    };
  }
  return out;
}

/**
 * Build dist/bundle/cli/ from dist/src (run `tsc` first): the CommonJS chunks, their code caches, meta.json
 * (esbuild's metafile of the ES chunks, named `.js`) and, last, stamp.json.
 */
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
    write: false,
    metafile: true,
    logLevel: 'warning',
    plugins: [externalPackages, workerPath, zodEnglishOnly, commanderChildProcessOnUse],
    // bundle-loader.ts hands each chunk its own URL (the modules' URLs name files three directories down).
    define: { 'import.meta.url': '__gmpsimMetaUrl' },
  });
  const rename = new Map(result.outputFiles.map((f) => [basename(f.path), basename(f.path).replace(/\.js$/, '.cjs')]));
  mkdirSync(BUNDLE_DIR, { recursive: true });
  for (const f of result.outputFiles) {
    const key = Object.keys(result.metafile.outputs).find((o) => basename(o) === basename(f.path))!;
    const dynamic = result.metafile.outputs[key]!.imports.filter((i) => i.kind === 'dynamic-import').length;
    const code = await toCommonJs(f.text, f.path, dynamic, rename);
    writeFileSync(join(BUNDLE_DIR, rename.get(basename(f.path))!), code);
  }
  writeFileSync(join(BUNDLE_DIR, 'meta.json'), JSON.stringify(result.metafile));
  const stamp: BundleStamp = {
    builtFrom,
    node: process.version,
    entry: rename.get('main.js')!,
    chunks: chunkTable(result.metafile, rename),
  };
  await build({
    entryPoints: [join(ROOT, 'dist/src/cli/bundle-loader.js')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile: join(BUNDLE_DIR, LOADER),
    logLevel: 'warning',
  });
  writeCodeCache(stamp);
  writeFileSync(join(BUNDLE_DIR, 'stamp.json'), `${JSON.stringify(stamp, null, 1)}\n`);
}

/** Run CACHE_RUNS through the bundle in a child process (no flags: V8 checks them) that writes the caches. */
function writeCodeCache(stamp: BundleStamp): void {
  const script =
    `require(${JSON.stringify(join(BUNDLE_DIR, LOADER))})` +
    `.writeCodeCache(${JSON.stringify(BUNDLE_DIR)}, ${JSON.stringify(stamp)}, ${JSON.stringify(CACHE_RUNS)})` +
    ".then((codes) => { if (codes.some((c) => c !== 0)) throw new Error('exit codes ' + codes); });\n";
  const r = spawnSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`writing the start-up bundle's code cache failed: ${r.stderr}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await bundleCli();
