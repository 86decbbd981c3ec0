import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_DIR, entryStamp } from '../tools/bundle-cli.js';

/**
 * `npm run bench`: start-up CPU time (user + system, ms) of `gmpsim --help` and `gmpsim validate
 * scenarios/hpa-flash-crowd.yaml` (issue 24 item 4: ≤ 150 ms), through the start-up bundle (what
 * bin/gmpsim.js runs after `npm ci`: CommonJS chunks compiled from V8's code cache, src/cli/bundle-loader.ts)
 * and through dist/src file by file (GMPSIM_BUNDLE=0), interleaved, beside a bare `node` (an empty script:
 * Node's own start-up, the floor). CPU time, not wall time: a loaded machine stretches wall time, not the
 * work. A preloaded CommonJS file prints the process's own process.cpuUsage() at exit: the whole process,
 * Node's bootstrap and V8's helper threads included. It also counts the code caches V8 rejected: a bundle
 * run with rejected caches would measure compiling from source, so the benchmark refuses it.
 * Writes results/bench/start.json.
 */
const REPEATS = 15;
const TARGET_MS = 150;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/gmpsim.js');
// A stale bundle would silently measure dist/src twice: npm run bench builds it first.
const stamp = JSON.parse(readFileSync(join(BUNDLE_DIR, 'stamp.json'), 'utf8')) as { builtFrom: number };
if (stamp.builtFrom !== entryStamp()) throw new Error('dist/bundle/cli is stale: run node dist/tools/bundle-cli.js');
const probe = join(mkdtempSync(join(tmpdir(), 'gmpsim-bench-start-')), 'cpu.cjs');
writeFileSync(
  probe,
  "let rejected = 0; const vm = require('node:vm'); const Script = vm.Script;\n" +
    'vm.Script = class extends Script {\n' +
    '  constructor(code, o) { super(code, o); if (this.cachedDataRejected) rejected++; }\n};\n' +
    "process.on('exit', () => { const c = process.cpuUsage(); require('node:fs').writeSync(2, 'gmpsim-cpu-us ' + " +
    "(c.user + c.system) + ' rejected ' + rejected + '\\n'); });\n",
);
const empty = join(dirname(probe), 'empty.cjs');
writeFileSync(empty, '');

const COMMANDS: Record<string, string[]> = {
  help: ['--help'],
  validate: ['validate', 'scenarios/hpa-flash-crowd.yaml'],
};
const BUILDS: Record<string, string> = { bundle: '1', distSrc: '0' };

/** One process's CPU time, ms (`script` instead of the bin: a bare node). */
function cpuMs(args: string[], bundle: string, script = bin): number {
  const env = { ...process.env, GMPSIM_BUNDLE: bundle };
  const r = spawnSync(process.execPath, ['-r', probe, script, ...args], { cwd: root, encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`gmpsim ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const m = /gmpsim-cpu-us (\d+) rejected (\d+)/.exec(r.stderr);
  if (!m) throw new Error('the CPU probe printed nothing');
  if (m[2] !== '0') throw new Error(`V8 rejected ${m[2]} of the bundle's code caches: rebuild it (npm run build)`);
  return Number(m[1]) / 1000;
}

const samples: Record<string, Record<string, number[]>> = {};
const bare: number[] = [];
for (let i = 0; i < REPEATS; i++) {
  bare.push(cpuMs([], '0', empty));
  for (const [cmd, args] of Object.entries(COMMANDS)) {
    for (const [build, flag] of Object.entries(BUILDS)) {
      samples[cmd] ??= {};
      samples[cmd][build] ??= [];
      samples[cmd][build].push(cpuMs(args, flag));
    }
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]! * 10) / 10;
};
const rows = Object.entries(samples).map(([command, byBuild]) => ({
  command: `gmpsim ${COMMANDS[command]!.join(' ')}`,
  cpuMs: Object.fromEntries(Object.entries(byBuild).map(([b, xs]) => [b, median(xs)])),
  minCpuMs: Object.fromEntries(Object.entries(byBuild).map(([b, xs]) => [b, Math.round(Math.min(...xs) * 10) / 10])),
}));
for (const r of rows) {
  process.stderr.write(`${r.command}: bundle ${r.cpuMs.bundle} ms, dist/src ${r.cpuMs.distSrc} ms of CPU (median)\n`);
}
process.stderr.write(`bare node (an empty script): ${median(bare)} ms of CPU (median)\n`);
const worst = Math.max(...rows.map((r) => r.cpuMs.bundle!));
const report = {
  benchmark: 'start-up CPU time (user + system) of gmpsim --help and gmpsim validate, bundle and dist/src',
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
  method: `median of ${REPEATS} processes per command and build, interleaved; process.cpuUsage() at exit`,
  bareNodeCpuMs: median(bare),
  rows,
  target: { cpuMs: TARGET_MS, measured: worst, met: worst <= TARGET_MS },
};
mkdirSync('results/bench', { recursive: true });
writeFileSync('results/bench/.start.json.tmp', `${JSON.stringify(report, null, 2)}\n`);
renameSync('results/bench/.start.json.tmp', 'results/bench/start.json');
process.stderr.write(`wrote results/bench/start.json\n${JSON.stringify(report.target)}\n`);
