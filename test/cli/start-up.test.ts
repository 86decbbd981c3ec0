import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';

/**
 * Fast start (issue 24 item 4): what a command loads, read from the ES module graph rather than timed (a
 * timed test fails on a busy machine). A module loader hook (node:module register) prints every URL the
 * process loads; each command may load only what it uses. The heavy modules: the report's charting
 * (vega, vega-lite, report/html), the typed Kubernetes models, the simulator, the sweep's thread pool.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(root, 'bin/gmpsim.js');

const MARK = 'gmpsim-start-up-loaded ';
const hooks = `export async function load(url, context, next) {
  process.stderr.write(${JSON.stringify(MARK)} + url + '\\n');
  return next(url, context);
}`;
const register = `import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
const IMPORT_HOOKS = ['--import', `data:text/javascript,${encodeURIComponent(register)}`];

/**
 * The start-up bundle's chunks are CommonJS compiled with vm.Script (src/cli/bundle-loader.ts), which the loader
 * hook does not see: a preloaded script wraps vm.Script to print each chunk's URL, and whether V8 took the
 * chunk's code cache. It also prints the CommonJS modules require() loaded (cron-parser is required lazily).
 */
const CACHE_MARK = 'gmpsim-start-up-cache ';
const scriptProbe = join(mkdtempSync(join(tmpdir(), 'gmpsim-start-up-vm-')), 'script.cjs');
writeFileSync(
  scriptProbe,
  `const vm = require('node:vm'); const { pathToFileURL } = require('node:url'); const Script = vm.Script;
vm.Script = class extends Script {
  constructor(code, options) {
    super(code, options);
    process.stderr.write(${JSON.stringify(MARK)} + pathToFileURL(options.filename).href + '\\n');
    const cache = !options.cachedData ? 'none' : this.cachedDataRejected ? 'rejected' : 'accepted';
    process.stderr.write(${JSON.stringify(CACHE_MARK)} + cache + ' ' + options.filename + '\\n');
  }
};
// CommonJS modules loaded with require() (the hook sees ES imports only): listed at exit.
process.on('exit', () => {
  for (const f of Object.keys(require.cache)) {
    process.stderr.write(${JSON.stringify(MARK)} + pathToFileURL(f).href + '\\n');
  }
});
`,
);

/**
 * The module URLs (relative to the repository) that `node <args>` loads. The bin runs dist/src here
 * (GMPSIM_BUNDLE=0), file by file, so the graph names each module; the bundle's chunks are read below.
 */
function loaded(args: string[], bundle = false): string[] {
  return loadedAndCached(args, bundle).urls;
}

/** loaded(), and for each chunk the bundle compiled: whether V8 took its code cache (accepted, rejected, none). */
function loadedAndCached(args: string[], bundle: boolean): { urls: string[]; caches: string[] } {
  const env = { ...process.env, GMPSIM_BUNDLE: bundle ? '1' : '0' };
  const node = [...IMPORT_HOOKS, '-r', scriptProbe, ...args];
  const r = spawnSync(process.execPath, node, { cwd: root, encoding: 'utf8', env });
  expect(r.status, r.stderr).to.equal(0);
  const base = pathToFileURL(`${root}/`).href;
  const lines = r.stderr.split('\n');
  return {
    urls: lines.filter((l) => l.startsWith(MARK)).map((l) => l.slice(MARK.length).replace(base, '')),
    caches: lines
      .filter((l) => l.startsWith(CACHE_MARK))
      .map((l) => l.slice(CACHE_MARK.length).replace(`${root}/`, '')),
  };
}

/**
 * How many functions `gmpsim validate` generates with new Function. zod reads z.config({ jitless }) when it
 * builds each object schema, so the setting must come before the scenario schemas are built
 * (src/cli/zod-jitless.ts); set after them it changes nothing, and zod compiles a parser per object schema
 * on the first parse (26 for this scenario).
 */
function newFunctions(bundle: boolean): number {
  const probe = join(mkdtempSync(join(tmpdir(), 'gmpsim-jitless-')), 'count.cjs');
  writeFileSync(
    probe,
    'const F = globalThis.Function; let n = 0;\n' +
      'globalThis.Function = new Proxy(F, { construct(t, a) { n++; return Reflect.construct(t, a); }, ' +
      'apply(t, self, a) { n++; return Reflect.apply(t, self, a); } });\n' +
      "process.on('exit', () => process.stderr.write('gmpsim-new-function ' + n + '\\n'));\n",
  );
  const env = { ...process.env, GMPSIM_BUNDLE: bundle ? '1' : '0' };
  const args = ['-r', probe, bin, 'validate', 'scenarios/hpa-flash-crowd.yaml'];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env });
  expect(r.status, r.stderr).to.equal(0);
  const m = /gmpsim-new-function (\d+)/.exec(r.stderr);
  expect(m, r.stderr).to.not.equal(null);
  return Number(m![1]);
}

const HEAVY: Record<string, RegExp> = {
  'vega (charts)': /node_modules\/vega\//,
  'vega-lite (charts)': /node_modules\/vega-lite\//,
  'the HTML report': /dist\/src\/report\/html\//,
  'the typed Kubernetes models': /node_modules\/(kubernetes-models|@kubernetes-models)\//,
  'the thread pool': /node_modules\/piscina\//,
  'the progress bar': /node_modules\/cli-progress\//,
  'the simulator': /dist\/src\/(sim|runtime\/gmp)\//,
};

function heavyIn(urls: string[], except: string[] = []): string[] {
  return Object.entries(HEAVY)
    .filter(([name, re]) => !except.includes(name) && urls.some((u) => re.test(u)))
    .map(([name]) => name);
}

describe('cli start-up: each command loads only what it uses', () => {
  it('--help loads the command line parser only: no scenario parser (zod, yaml), nothing heavy', () => {
    const urls = loaded([bin, '--help']);
    expect(urls).to.include('dist/src/cli/main.js');
    expect(heavyIn(urls)).to.deep.equal([]);
    expect(urls.filter((u) => /node_modules\/(zod|yaml)\//.test(u))).to.deep.equal([]);
  });

  it('validate loads the scenario parser and nothing heavy', () => {
    const urls = loaded([bin, 'validate', 'scenarios/mmc-four-ps.yaml']);
    expect(urls).to.include('dist/src/scenario/load.js');
    expect(heavyIn(urls)).to.deep.equal([]);
  });

  it('validate loads cron-parser and luxon only for a scenario with a cron trigger (dist/src and the bundle)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmpsim-start-up-cron-'));
    const cron = join(dir, 'cron.yaml');
    const window = '{timezone: UTC, start: "0 8 * * *", end: "0 9 * * *", desiredReplicas: 2}';
    writeFileSync(cron, `durationS: 10\nkeda:\n  cron: [${window}]\n`);
    const cronLibs = (urls: string[]) => [
      ...new Set(urls.flatMap((u) => /node_modules\/(cron-parser|luxon)\//.exec(u)?.[1] ?? [])),
    ];
    for (const bundle of [false, true]) {
      expect(cronLibs(loaded([bin, 'validate', 'scenarios/hpa-flash-crowd.yaml'], bundle)), `${bundle}`).to.deep.equal(
        [],
      );
      expect(cronLibs(loaded([bin, 'validate', cron], bundle)).sort(), `${bundle}`).to.deep.equal([
        'cron-parser',
        'luxon',
      ]);
    }
  });

  it("validate builds zod's parsers jitless: not one generated function", () => {
    expect(newFunctions(false)).to.equal(0);
  });

  it('run loads the simulator but not the report; run --report loads the report (the hook sees it)', () => {
    const out = mkdtempSync(join(tmpdir(), 'gmpsim-start-up-'));
    const run = loaded([bin, 'run', 'scenarios/mmc-four-ps.yaml', '--quiet', '--no-progress', '--out', join(out, 'a')]);
    expect(heavyIn(run, ['the simulator', 'the progress bar'])).to.deep.equal([]);
    expect(run.some((u) => HEAVY['the simulator']!.test(u))).to.equal(true);
    const withReport = loaded([
      bin,
      'run',
      'scenarios/mmc-four-ps.yaml',
      '--quiet',
      '--no-progress',
      '--report',
      '--out',
      join(out, 'b'),
    ]);
    expect(heavyIn(withReport)).to.include.members(['vega (charts)', 'vega-lite (charts)', 'the HTML report']);
  });

  it('a sweep worker loads the simulator and none of the report or CLI libraries', () => {
    const worker = pathToFileURL(join(root, 'dist/src/sweep/worker.js')).href;
    const urls = loaded(['--input-type=module', '-e', `await import(${JSON.stringify(worker)});`]);
    expect(urls).to.include('dist/src/sweep/worker.js');
    expect(heavyIn(urls, ['the simulator'])).to.deep.equal([]);
    expect(urls.filter((u) => /dist\/src\/cli\//.test(u))).to.deep.equal([]);
  });
});

/**
 * The start-up bundle (tools/bundle-cli.ts): the same rule read through esbuild's metafile, which says
 * which modules each chunk holds. The bundle is built here when missing or stale (npm test builds it).
 */
describe('cli start-up bundle: each command loads only the chunks it uses', () => {
  const dir = join(root, 'dist/bundle/cli');
  type Meta = { outputs: Record<string, { inputs: Record<string, unknown> }> };
  let meta: Meta;

  before(async function () {
    this.timeout(120_000);
    const { bundleCli, entryStamp } = (await import(
      pathToFileURL(join(root, 'dist/tools/bundle-cli.js')).href
    )) as typeof import('../../tools/bundle-cli.js');
    let fresh = false;
    try {
      fresh = JSON.parse(readFileSync(join(dir, 'stamp.json'), 'utf8')).builtFrom === entryStamp();
    } catch {
      fresh = false;
    }
    if (!fresh) await bundleCli();
    meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Meta;
  });

  /** What `node <args>` loads through the bundle: node_modules URLs as loaded, each chunk as the modules it holds. */
  function loadedViaBundle(args: string[]): string[] {
    const urls = loaded(args, true);
    expect(urls, 'bin/gmpsim.js runs the bundle when it is fresh').to.include('dist/bundle/cli/main.cjs');
    return urls.flatMap((u) => {
      if (!u.startsWith('dist/bundle/cli/')) return [u];
      if (u === 'dist/bundle/cli/loader.cjs') return ['dist/src/cli/bundle-loader.js']; // the loader, bundled alone
      // The metafile names the ES chunks (.js) that tools/bundle-cli.ts turned into CommonJS (.cjs).
      const name = u.slice('dist/bundle/cli/'.length).replace(/\.cjs$/, '.js');
      const out = Object.entries(meta.outputs).find(([o]) => o.endsWith(`/${name}`));
      expect(out, `${u} is in the metafile`).to.not.equal(undefined);
      return Object.keys(out![1].inputs);
    });
  }

  it('--help loads the command line parser only: no zod, no yaml, nothing heavy', () => {
    const inputs = loadedViaBundle([bin, '--help']);
    expect(inputs).to.include('dist/src/cli/main.js');
    expect(heavyIn(inputs)).to.deep.equal([]);
    expect(inputs.filter((u) => /node_modules\/(zod|yaml)\//.test(u))).to.deep.equal([]);
  });

  it('validate loads the scenario parser and nothing heavy; zod without its other locales', () => {
    const inputs = loadedViaBundle([bin, 'validate', 'scenarios/hpa-flash-crowd.yaml']);
    expect(inputs).to.include('dist/src/scenario/load.js');
    expect(heavyIn(inputs)).to.deep.equal([]);
    expect(inputs.filter((u) => /node_modules\/zod\/v4\/locales\/(?!en\.js|index\.js)/.test(u))).to.deep.equal([]);
  });

  it("validate builds zod's parsers jitless through the bundle too (its chunks keep the order)", () => {
    expect(newFunctions(true)).to.equal(0);
  });

  it("--help and validate do not load node:child_process (commander's, for subcommands gmpsim has none of)", () => {
    const probe = join(mkdtempSync(join(tmpdir(), 'gmpsim-start-up-cp-')), 'cp.cjs');
    writeFileSync(
      probe,
      "process.on('exit', () => process.stderr.write('gmpsim-child-process ' + " +
        "process.moduleLoadList.includes('NativeModule child_process') + '\\n'));\n",
    );
    for (const args of [['--help'], ['validate', 'scenarios/hpa-flash-crowd.yaml']]) {
      const env = { ...process.env, GMPSIM_BUNDLE: '1' };
      const r = spawnSync(process.execPath, ['-r', probe, bin, ...args], { cwd: root, encoding: 'utf8', env });
      expect(r.status, r.stderr).to.equal(0);
      expect(/gmpsim-child-process (\w+)/.exec(r.stderr)?.[1], args.join(' ')).to.equal('false');
    }
  });

  it('--help and validate compile every chunk from its code cache, which V8 accepts', () => {
    for (const args of [['--help'], ['validate', 'scenarios/hpa-flash-crowd.yaml']]) {
      const { caches } = loadedAndCached([bin, ...args], true);
      expect(caches.length, args.join(' ')).to.be.greaterThan(0);
      expect(
        caches.filter((c) => !c.startsWith('accepted ')),
        args.join(' '),
      ).to.deep.equal([]);
    }
  });

  it('a cache V8 rejects, or one from another Node version, costs time, not the result', () => {
    const validate = [bin, 'validate', 'scenarios/hpa-flash-crowd.yaml'];
    const stampFile = join(dir, 'stamp.json');
    const stampText = readFileSync(stampFile, 'utf8');
    const stamp = JSON.parse(stampText) as { entry: string };
    const cacheFile = join(dir, `${stamp.entry}.cache`);
    const cache = readFileSync(cacheFile);
    try {
      writeFileSync(cacheFile, Buffer.alloc(cache.length, 7));
      const rejected = loadedAndCached(validate, true).caches;
      expect(rejected).to.include(`rejected dist/bundle/cli/${stamp.entry}`);
      writeFileSync(cacheFile, cache);
      writeFileSync(stampFile, JSON.stringify({ ...JSON.parse(stampText), node: 'v0.0.0' }));
      const other = loadedAndCached(validate, true);
      expect(other.urls).to.include('dist/bundle/cli/main.cjs');
      expect(other.caches.filter((c) => !c.startsWith('none '))).to.deep.equal([]);
    } finally {
      writeFileSync(cacheFile, cache);
      writeFileSync(stampFile, stampText);
    }
  });

  it('run --report loads the report through the bundle', () => {
    const out = mkdtempSync(join(tmpdir(), 'gmpsim-start-up-bundle-'));
    const args = ['run', 'scenarios/mmc-four-ps.yaml', '--quiet', '--no-progress', '--report', '--out', join(out, 'r')];
    expect(heavyIn(loadedViaBundle([bin, ...args]))).to.include.members(['vega (charts)', 'the HTML report']);
  });

  it('a stale bundle is never run: after a tsc build the bin falls back to dist/src', () => {
    const stamp = join(dir, 'stamp.json');
    const text = readFileSync(stamp, 'utf8');
    try {
      writeFileSync(stamp, JSON.stringify({ builtFrom: 1 }));
      const urls = loaded([bin, '--help'], true);
      expect(urls).to.include('dist/src/cli/main.js');
      expect(urls.filter((u) => u.startsWith('dist/bundle/'))).to.deep.equal([]);
    } finally {
      writeFileSync(stamp, text);
    }
  });
});
