/**
 * Runs the command line's start-up bundle (tools/bundle-cli.ts builds it; bin/gmpsim.js calls runBundle when
 * it is fresh) with V8's code cache (issue 24 item 4).
 *
 * Node 20 has no compile cache for ES modules, so the bundle's chunks are CommonJS text, each compiled with
 * vm.Script from its `.cache` file: the bytecode V8 produced for it at build time, after a `--help` and a
 * `validate` had run, so the functions those ran need no compiling either. V8 checks a cache itself (its
 * version, flags and the source's length) and compiles from source when it rejects one
 * (`script.cachedDataRejected`); a cache from another Node version is not even read.
 *
 * A chunk's `require('./chunk-X.cjs')` evaluates that chunk (once), as its static ES `import` did, in the
 * same order. Its `__gmpsimImport(spec)` is the chunk's `import(spec)`: a chunk is loaded after its static
 * closure's package imports (vega, piscina, …: ES modules loaded by Node, as before) have been imported,
 * and a package is imported by Node. vm.Script cannot `import()` without --experimental-vm-modules, hence
 * the rename, which the build counts against esbuild's metafile.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
// The default import (not `{ Script }`): test/cli/start-up.test.ts wraps vm.Script to see which chunks load.
import vm from 'node:vm';

/** A chunk, as tools/bundle-cli.ts records it in stamp.json. */
export interface BundleChunk {
  /** Chunks it imports statically (file names in the bundle directory). */
  chunks: string[];
  /** Packages it imports statically (loaded by Node before the chunk runs). */
  packages: string[];
}

/** stamp.json: what bin/gmpsim.js checks and runBundle runs. */
export interface BundleStamp {
  /** mtimeMs of the dist/src/cli/main.js the bundle was built from. */
  builtFrom: number;
  /** The Node version whose V8 wrote the `.cache` files. */
  node: string;
  entry: string;
  chunks: Record<string, BundleChunk>;
}

/** The parameters each chunk's text is wrapped in; the first line holds the wrapper, so line numbers hold. */
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname, __gmpsimMetaUrl, __gmpsimImport) {';
const WRAP_TAIL = '\n})';

interface Loaded {
  module: { exports: Record<string, unknown> };
  script: vm.Script;
}

/** One run of the bundle: its chunks (each evaluated once) and the packages they import. */
class BundleRun {
  readonly loaded = new Map<string, Loaded>();
  private readonly packages = new Map<string, Record<string, unknown>>();
  private readonly nodeRequire: NodeJS.Require;

  constructor(
    readonly dir: string,
    readonly stamp: BundleStamp,
    private readonly useCache: boolean,
  ) {
    this.nodeRequire = createRequire(join(dir, stamp.entry));
  }

  /** The chunk's text, wrapped, compiled with its code cache when there is one. */
  compile(name: string): vm.Script {
    const filename = join(this.dir, name);
    let cachedData: Buffer | undefined;
    if (this.useCache) {
      try {
        cachedData = readFileSync(`${filename}.cache`);
      } catch {
        cachedData = undefined; // no cache: compile from source
      }
    }
    const source = `${WRAP_HEAD}${readFileSync(filename, 'utf8')}${WRAP_TAIL}`;
    return new vm.Script(source, { filename, ...(cachedData ? { cachedData } : {}) });
  }

  /** Evaluate a chunk (its static chunk imports first, as its requires run) and return its exports. */
  require(name: string): Record<string, unknown> {
    const done = this.loaded.get(name);
    if (done) return done.module.exports;
    if (!this.stamp.chunks[name]) throw new Error(`the start-up bundle has no chunk ${name}`);
    const script = this.compile(name);
    const module = { exports: {} as Record<string, unknown> };
    this.loaded.set(name, { module, script });
    const filename = join(this.dir, name);
    const fn = script.runInThisContext() as (...args: unknown[]) => void;
    const metaUrl = pathToFileURL(filename).href;
    const req = (spec: string) => this.requireFrom(spec);
    const imp = (spec: string) => this.import(spec);
    fn.call(module.exports, module.exports, req, module, filename, this.dir, metaUrl, imp);
    return module.exports;
  }

  private requireFrom(spec: string): unknown {
    if (spec.startsWith('./')) return this.require(spec.slice(2));
    // A package the chunk imports statically was imported before the chunk ran; Node's built-ins are required.
    return this.packages.get(spec) ?? this.nodeRequire(spec);
  }

  /** A chunk's `import(spec)`: a chunk after its closure's packages, or a package through Node. */
  async import(spec: string): Promise<unknown> {
    if (!spec.startsWith('./')) return import(spec);
    const name = spec.slice(2);
    await this.importPackages(name);
    return this.require(name);
  }

  /**
   * Import the packages that `name` and the chunks it imports statically import statically. Each is handed to
   * esbuild's __toESM as an ES module (`__esModule`), so `import x from 'pkg'` reads its default export.
   */
  private async importPackages(name: string): Promise<void> {
    const seen = new Set<string>();
    const walk = (n: string): string[] => {
      if (seen.has(n) || this.loaded.has(n)) return [];
      seen.add(n);
      const c = this.stamp.chunks[n];
      return c ? [...c.packages, ...c.chunks.flatMap(walk)] : [];
    };
    for (const pkg of walk(name)) {
      if (this.packages.has(pkg)) continue;
      const ns = (await import(pkg)) as Record<string, unknown>;
      this.packages.set(pkg, Object.defineProperty({ ...ns }, '__esModule', { value: true }));
    }
  }
}

/** Run the bundle's entry (the CLI's main.js, which runs the command line) from `dir`. */
export async function runBundle(dir: string, stamp: BundleStamp): Promise<void> {
  await new BundleRun(dir, stamp, stamp.node === process.version).import(`./${stamp.entry}`);
}

/**
 * Build time (tools/bundle-cli.ts, in a child process started without flags of its own, since V8 rejects a
 * cache written under other flags): run `--help` (the entry runs its command line when loaded) and then each
 * command line of `runs` through the bundle, then write every chunk's code cache: V8's bytecode for the
 * chunk's top level and for each function those runs compiled. A chunk no run loaded gets the cache of its
 * top level. Their output goes to the child's standard output, which the build discards. Returns the runs'
 * exit codes.
 */
export async function writeCodeCache(dir: string, stamp: BundleStamp, runs: string[][]): Promise<number[]> {
  const run = new BundleRun(dir, stamp, false);
  const argv = [process.execPath, 'gmpsim'];
  process.argv = [...argv, '--help'];
  await run.import(`./${stamp.entry}`);
  const main = run.loaded.get(stamp.entry)?.module.exports.main as (argv: string[]) => Promise<number>;
  const codes: number[] = [];
  for (const args of runs) codes.push(await main([...argv, ...args]));
  for (const name of Object.keys(stamp.chunks)) {
    const script = run.loaded.get(name)?.script ?? run.compile(name);
    writeFileSync(join(dir, `${name}.cache`), script.createCachedData());
  }
  process.exitCode = 0;
  return codes;
}
