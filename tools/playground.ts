/**
 * Build and serve the playground (playground/): `node dist/tools/playground.js build [OUTDIR]` bundles
 * the page and its worker with esbuild into docs/playground/ (static files, any host); `serve [PORT]`
 * builds into a temporary folder and serves it on 127.0.0.1 (a worker needs http:, not file:).
 *
 * The model code is bundled from src/ as it is. Its only Node imports are the scenario loader's
 * (src/scenario/load.ts and calibration.ts: node:fs, node:path, node:url; src/autoscaler/keda/cron.ts's lazy
 * require of cron-parser: node:module); the bundle maps them to
 * playground/shims/, a read-only in-memory file system holding the curated scenarios/, their traces
 * and calibrations/, so the loader's own code runs in the browser. The Kubernetes typed models are
 * loaded lazily by the loader only after it has read a manifest file, which the browser never has:
 * they are left out (external).
 */

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'playground');

/** The files the browser's in-memory file system holds, by the absolute path the shims use ("/scenarios/x.yaml"). */
export function bundledFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (dir: string, keep: (f: string) => boolean) => {
    const abs = join(ROOT, dir);
    if (!existsSync(abs)) return;
    for (const f of readdirSync(abs).sort()) {
      const p = join(abs, f);
      if (statSync(p).isFile() && keep(f)) out[`/${relative(ROOT, p).split('\\').join('/')}`] = readFileSync(p, 'utf8');
    }
  };
  add('scenarios', (f) => f.endsWith('.yaml'));
  add('scenarios/traces', () => true);
  add('calibrations', (f) => f.endsWith('.json'));
  return out;
}

const shims: Plugin = {
  name: 'gmpsim-browser',
  setup(b) {
    const shim = (name: string) => ({ path: join(SRC, 'shims', `${name}.ts`) });
    b.onResolve({ filter: /^node:(fs|path|url|module)$/ }, (a) => shim(a.path.slice(5)));
    b.onResolve({ filter: /^(kubernetes-models|@kubernetes-models)\// }, (a) => ({ path: a.path, external: true }));
    b.onResolve({ filter: /^gmpsim-bundled-files$/ }, () => ({ path: 'bundled-files', namespace: 'gmpsim' }));
    b.onLoad({ filter: /.*/, namespace: 'gmpsim' }, () => ({
      contents: `export const BUNDLED_FILES = ${JSON.stringify(bundledFiles())};`,
      loader: 'js',
    }));
    // Any other node: import would be a model module reaching for I/O: fail the build, name it.
    b.onResolve({ filter: /^node:/ }, (a) => ({
      errors: [{ text: `${a.path} imported by ${a.importer}: model code must not do I/O` }],
    }));
  },
};

export interface BuildReport {
  outDir: string;
  files: { name: string; bytes: number; gzipBytes: number }[];
  jsGzipBytes: number;
}

/** Bundle the page and the worker into outDir; returns the sizes (gzip -9 of each file). */
export async function buildPlayground(outDir: string): Promise<BuildReport> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { main: join(SRC, 'main.ts'), worker: join(SRC, 'worker.ts') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    // calibration.ts finds calibrations/ next to the package from its own URL: give it one on the shims' paths.
    define: { 'import.meta.url': JSON.stringify('file:///dist/src/scenario/calibration.js') },
    plugins: [shims],
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(SRC, f), join(outDir, f));
  const files = readdirSync(outDir)
    .filter((f) => ['.js', '.html', '.css'].includes(extname(f)))
    .sort()
    .map((name) => {
      const buf = readFileSync(join(outDir, name));
      return { name, bytes: buf.length, gzipBytes: gzipSync(buf, { level: 9 }).length };
    });
  const jsGzipBytes = files.filter((f) => f.name.endsWith('.js')).reduce((a, f) => a + f.gzipBytes, 0);
  return { outDir, files, jsGzipBytes };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** Serve a folder of static files on 127.0.0.1:port (0: any free port); resolves to the URL. */
export function serveDir(dir: string, port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = resolve(dir, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    if (!file.startsWith(resolve(dir)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  return new Promise((ok) =>
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address() as { port: number };
      ok({
        url: `http://127.0.0.1:${addr.port}/`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    }),
  );
}

async function main(argv: string[]): Promise<void> {
  const [cmd = 'build', arg] = argv;
  if (cmd === 'build') {
    const out = resolve(arg ?? join(ROOT, 'docs/playground'));
    const r = await buildPlayground(out);
    for (const f of r.files)
      process.stdout.write(
        `${f.name.padEnd(12)} ${String(f.bytes).padStart(9)} B  ${String(f.gzipBytes).padStart(8)} B gzipped\n`,
      );
    process.stdout.write(
      `JavaScript: ${(r.jsGzipBytes / 1024).toFixed(0)} KiB gzipped -> ${relative(process.cwd(), out) || '.'}/\n`,
    );
  } else if (cmd === 'serve') {
    const dir = mkdtempSync(join(tmpdir(), 'gmpsim-playground-'));
    await buildPlayground(dir);
    const { url } = await serveDir(dir, arg !== undefined ? Number(arg) : 8080);
    process.stdout.write(`playground: ${url} (Ctrl-C to stop)\n`);
    const stop = () => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } else {
    process.stderr.write(`usage: playground.js build [OUTDIR] | serve [PORT]\n`);
    process.exit(2);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
