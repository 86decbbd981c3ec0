import { median as d3median, quantile as d3quantile } from 'd3-array';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/report/atomic-dir.js';
import { toStableJson } from '../src/report/format.js';
import { parseScenario } from '../src/scenario/load.js';
import { runScenario } from '../src/sim/experiment.js';
import type { RunSummary } from '../src/sim/summary.js';

/**
 * `npm run validate`: each case runs a small real Go program (validation/go/, built with the machine's
 * Go — Debian's golang-go is 1.19) and the equivalent gmpsim scenario, and compares one figure. A case
 * passes when |simulated − measured| ≤ max(relTol × measured, absTol). Every case stays in the table,
 * pass or fail; none is tuned to its number. Writes results/validation/report.md and report.json.
 */
interface Row {
  case: string;
  figure: string;
  measured: number;
  simulated: number;
  relError: number;
  tolerance: string;
  pass: boolean;
  note: string;
}

const BIN = '.cache/validation-bin';
const goVersion = execFileSync('go', ['version'], { encoding: 'utf8' }).trim();

function build(prog: string): string {
  mkdirSync(BIN, { recursive: true });
  const out = join(BIN, prog);
  execFileSync('go', ['build', '-o', join('..', '..', out), `./${prog}`], { cwd: 'validation/go', stdio: 'inherit' });
  return out;
}

function go<T>(prog: string, gomaxprocs: number, args: (string | number)[], env: Record<string, string> = {}): T {
  const out = execFileSync(join(BIN, prog), args.map(String), { encoding: 'utf8', env: { ...process.env, GOMAXPROCS: String(gomaxprocs), ...env } });
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

function sim(doc: object, seed = 1): RunSummary {
  return runScenario(parseScenario(JSON.stringify(doc), 'validation.json'), seed).summary;
}

// d3-array's median and R-7 quantile (the project's statistics library).
const median = (xs: number[]) => d3median(xs)!;
const quantile = (xs: number[], p: number) => d3quantile(xs, p)!;

const rows: Row[] = [];
function compare(c: string, figure: string, measured: number, simulated: number, relTol: number, absTol: number, note = ''): void {
  const err = Math.abs(simulated - measured);
  rows.push({
    case: c,
    figure,
    measured,
    simulated,
    relError: measured !== 0 ? (simulated - measured) / measured : NaN,
    tolerance: `±max(${Math.round(relTol * 100)}%, ${absTol})`,
    pass: err <= Math.max(relTol * Math.abs(measured), absTol),
    note,
  });
}

for (const p of ['cpubound', 'timers', 'burst', 'syscalls', 'gcpace']) build(p);
const costs = {}; // the model's documented defaults (no calibration applied)

// 1. CPU-bound goroutines: 4 × 50 ms started together; total completion time.
for (const procs of [1, 2]) {
  const real = [1, 2, 3].map(() => go<{ totalMs: number }>('cpubound', procs, [4, 50]).totalMs);
  const s = sim({
    durationS: 2,
    workload: { arrival: { process: 'constant', ratePerS: 0.5 }, request: { steps: [{ spawn: { count: 4, wait: true, steps: [{ cpu: { dist: 'constant', valueMs: 50 } }] } }] } },
    runtime: { gomaxprocs: procs, costs },
  });
  compare(`cpu-bound 4 × 50 ms, GOMAXPROCS ${procs}`, 'completion ms (median of 3)', median(real), s.latencyMs.max, 0.15, 5);
}

// 2. Timer wake-up lateness behind CPU hogs: a goroutine sleeps 1 ms 40 times.
for (const [procs, hogs] of [[1, 0], [1, 1], [1, 2], [2, 0], [2, 2], [2, 4]] as const) {
  const real = go<{ lateMs: number[] }>('timers', procs, [hogs, 40]).lateMs;
  const steps: object[] = [];
  if (hogs > 0) steps.push({ spawn: { count: hogs, wait: false, steps: [{ cpu: { dist: 'constant', valueMs: 60_000 } }] } });
  for (let i = 0; i < 40; i++) steps.push({ sleep: { dist: 'constant', valueMs: 1 } });
  const s = sim({ durationS: 3, workload: { arrival: { process: 'constant', ratePerS: 0.2 }, request: { steps } }, runtime: { gomaxprocs: procs, costs } });
  const d = s.gmp!.timerDelayMs;
  compare(`timer behind ${hogs} hog(s), GOMAXPROCS ${procs}`, 'lateness p50 ms', median(real), d.p50, 0.2, 0.5);
  compare(`timer behind ${hogs} hog(s), GOMAXPROCS ${procs}`, 'lateness p99 ms', quantile(real, 0.99), d.p99, 0.2, 1, hogs > 0 ? '' : 'OS timer slack dominates with no hog');
}

// 3. A burst of 64 goroutines × 100 µs spawned from one goroutine, GOMAXPROCS 2.
{
  const real = go<{ burstMs: number[] }>('burst', 2, [64, 100, 20]).burstMs;
  const s = sim({
    durationS: 2,
    workload: { arrival: { process: 'constant', ratePerS: 20 }, request: { steps: [{ spawn: { count: 64, wait: true, steps: [{ cpu: { dist: 'constant', valueMs: 0.1 } }] } }] } },
    runtime: { gomaxprocs: 2, costs },
  });
  compare('burst of 64 × 100 µs, GOMAXPROCS 2', 'completion ms (median)', median(real), s.latencyMs.p50, 0.25, 0.5);
}

// 4. Blocking syscalls: 20 goroutines looping a 10 ms raw nanosleep, GOMAXPROCS 2, for 500 ms.
{
  const real = go<{ threads: number }>('syscalls', 2, [20, 10, 500]).threads;
  const s = sim({
    durationS: 0.5,
    workload: {
      arrival: { process: 'constant', ratePerS: 1 },
      request: { steps: [{ spawn: { count: 20, wait: true, steps: Array.from({ length: 60 }, () => ({ syscall: { dist: 'constant', valueMs: 10 } })) } }] },
    },
    runtime: { gomaxprocs: 2, costs },
  });
  compare('20 goroutines in 10 ms syscalls, GOMAXPROCS 2', 'OS threads', real, s.gmp!.threads, 0.25, 2, 'real Go also counts sysmon and the template thread');
}

// 5. GC pacing: a 64 MiB live heap of []byte blocks (nothing to scan) while 4 GiB more are allocated in
// 64 KiB blocks that replace the oldest; GC cycles per GiB allocated at GOGC 50/100/200 and GOMEMLIMIT.
for (const [gogc, limitMB] of [[50], [100], [200], [100, 100]] as const) {
  const env: Record<string, string> = { GOGC: String(gogc), ...(limitMB ? { GOMEMLIMIT: `${limitMB}MiB` } : {}) };
  const real = go<{ cycles: number; allocatedBytes: number }>('gcpace', 2, [64, 4096], env);
  const s = sim({
    durationS: 4096 / 625, // 4 GiB at 10,000 × 64 KiB per second
    workload: { arrival: { process: 'constant', ratePerS: 10_000 }, request: { steps: [{ alloc: { dist: 'constant', valueKB: 64 } }, { cpu: { dist: 'constant', valueMs: 0.01 } }] } },
    runtime: { gomaxprocs: 2, costs, gc: { gogc, baseLiveHeapMB: 64, scanFraction: 0, ...(limitMB ? { memoryLimitMB: limitMB } : {}) } },
  });
  compare(
    `GC, 64 MiB live, GOGC ${gogc}${limitMB ? `, GOMEMLIMIT ${limitMB} MiB` : ''}`,
    'GC cycles per GiB allocated',
    real.cycles / (real.allocatedBytes / 2 ** 30),
    s.gmp!.gc!.cycles / 4,
    0.2,
    1,
    limitMB ? 'real Go counts all mapped memory (fragmentation, metadata) against the limit; the model only heap + stacks + runtimeOverheadMB' : '',
  );
}

const passed = rows.filter((r) => r.pass).length;
const fmt = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2)) : '-');
const md = [
  `# gmpsim against real Go`,
  '',
  `${goVersion}; ${passed} of ${rows.length} figures within tolerance. Model costs: the documented defaults (no calibration).`,
  '',
  '| case | figure | real Go | gmpsim | error | tolerance | |',
  '| --- | --- | ---: | ---: | ---: | --- | --- |',
  ...rows.map((r) => `| ${r.case} | ${r.figure} | ${fmt(r.measured)} | ${fmt(r.simulated)} | ${Number.isFinite(r.relError) ? `${(100 * r.relError).toFixed(0)}%` : '-'} | ${r.tolerance} | ${r.pass ? 'pass' : `**miss**${r.note ? ` — ${r.note}` : ''}`} |`),
  '',
].join('\n');
writeFileAtomic('results/validation/report.md', md);
writeFileAtomic('results/validation/report.json', toStableJson({ go: goVersion, passed, total: rows.length, rows }));
process.stdout.write(`${md}\n`);
if (!existsSync('results/validation/report.md')) process.exitCode = 1;
