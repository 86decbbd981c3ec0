import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Experiment } from '../src/sim/experiment.js';
import { type Point, scalingScenario } from './scaling-scenario.js';

/**
 * Why the pods curve of bench/scaling.ts is super-linear (issue 24 item 5), measured rather than guessed.
 * This VM exposes no hardware counters (`perf stat` reports cache events as not supported), so the runs go
 * through Valgrind's cachegrind, which counts every instruction and simulates the data caches. The last
 * level is set to this machine's per-core L2 (2 MiB, 16-way; `lscpu`), the level a pod's state outgrows.
 *
 * The same request as the scaling curves at 100 req/s a pod, with 10 pods and with 500. Each size runs
 * twice, for T and 2T simulated seconds, and the figures of the shorter run are subtracted from the longer:
 * what is left is the cost of the extra requests alone, without Node's start-up or building the pods.
 * Writes results/bench/scaling-cache.json: instructions, L1 data misses and L2-sized misses per request.
 * `npm run bench:cache` (needs valgrind: `apt-get install -y valgrind`; ≈ 3 minutes of CPU).
 * Run with an argument `child PODS SECONDS` it is the simulated process itself.
 */
const L2 = '--LL=2097152,16,64';
/** The scaling curves' request at 100 req/s a pod. */
const point = (pods: number, durationS: number): Point => ({
  pods,
  ratePerS: 100 * pods,
  durationS,
  goroutinesPerRequest: 1,
});
const SIZES = [
  { pods: 10, seconds: 50 },
  { pods: 500, seconds: 1 },
];

interface Counts {
  requests: number;
  events: number;
  instructions: number;
  l1dMisses: number;
  l2Misses: number;
}

/** cachegrind's totals, as it prints them: `==pid== I   refs:      3,686,294,168`. */
function total(text: string, label: string): number {
  const m = new RegExp(`==\\d+== ${label}:\\s+([\\d,]+)`).exec(text);
  if (!m) throw new Error(`cachegrind printed no "${label}" line`);
  return Number(m[1]!.replaceAll(',', ''));
}

function measure(pods: number, seconds: number, dir: string): Counts {
  const self = fileURLToPath(import.meta.url);
  const args = ['--tool=cachegrind', '--cache-sim=yes', L2, `--cachegrind-out-file=${join(dir, 'cg.out')}`];
  const node = [process.execPath, '--single-threaded', self, 'child', String(pods), String(seconds)];
  const r = spawnSync('valgrind', [...args, ...node], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`valgrind: ${r.error.message} (apt-get install -y valgrind)`);
  if (r.status !== 0) throw new Error(`valgrind exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const m = /^gmpsim-run (\d+) (\d+)$/m.exec(r.stdout);
  if (!m) throw new Error('the simulated run printed no counts');
  return {
    requests: Number(m[1]),
    events: Number(m[2]),
    instructions: total(r.stderr, 'I {3}refs'),
    l1dMisses: total(r.stderr, 'D1 {2}misses'),
    l2Misses: total(r.stderr, 'LLd misses'),
  };
}

if (process.argv[2] === 'child') {
  const { summary } = new Experiment(
    scalingScenario(point(Number(process.argv[3]), Number(process.argv[4]))),
    1,
  ).finish();
  process.stdout.write(`gmpsim-run ${summary.requests.completed} ${summary.engine.events}\n`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'gmpsim-cachegrind-'));
  const rows = SIZES.map(({ pods, seconds }) => {
    const short = measure(pods, seconds, dir);
    const long = measure(pods, 2 * seconds, dir);
    const requests = long.requests - short.requests;
    const per = (k: keyof Counts) => Math.round(((long[k] - short[k]) / requests) * 10) / 10;
    const row = {
      pods,
      simulatedS: [seconds, 2 * seconds],
      extraRequests: requests,
      eventsPerRequest: per('events'),
      instructionsPerRequest: per('instructions'),
      l1dMissesPerRequest: per('l1dMisses'),
      l2MissesPerRequest: per('l2Misses'),
    };
    process.stderr.write(`${JSON.stringify(row)}\n`);
    return row;
  });
  rmSync(dir, { recursive: true, force: true });
  const [few, many] = [rows[0]!, rows[1]!];
  const ratio = (k: 'instructionsPerRequest' | 'l1dMissesPerRequest' | 'l2MissesPerRequest') =>
    Math.round((many[k] / few[k]) * 100) / 100;
  const report = {
    benchmark: 'cachegrind counts per request of the scaling curves request, 10 pods against 500',
    date: new Date().toISOString(),
    node: process.version,
    method:
      'valgrind --tool=cachegrind with the last level set to a 2 MiB, 16-way L2; each size run for T and 2T ' +
      'simulated seconds and the shorter subtracted, so start-up and building the pods cancel out',
    rows,
    manyOverFew: {
      instructions: ratio('instructionsPerRequest'),
      l1dMisses: ratio('l1dMissesPerRequest'),
      l2Misses: ratio('l2MissesPerRequest'),
    },
  };
  const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../results/bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, '.scaling-cache.json.tmp'), `${JSON.stringify(report, null, 2)}\n`);
  renameSync(join(out, '.scaling-cache.json.tmp'), join(out, 'scaling-cache.json'));
  process.stderr.write(`wrote results/bench/scaling-cache.json ${JSON.stringify(report.manyOverFew)}\n`);
}
