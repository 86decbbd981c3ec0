import { readFileSync } from 'node:fs';
import { median as d3median } from 'd3-array';
import { parseScenario } from '../src/scenario/load.js';
import { CostsSchema } from '../src/scenario/schema.js';
import { runScenario } from '../src/sim/experiment.js';
import { go, goRun } from './go-programs.js';

/**
 * When the syscall backlog starts (issue 26): a net/http server on GOMAXPROCS 1 whose handler spins an
 * exponential CPU burst (mean 1 ms) then makes a 5 ms raw nanosleep (validation/go/httpsyscalls), against
 * an open-loop Poisson client in another process over keep-alive connections (server pinned to CPU 0,
 * client to CPU 1, both at nice −10 where allowed), and the same service as a scenario. The backlog starts
 * in the first second whose p50 passes 10× the service time (60 ms); its time is counted as the end of that
 * second (1 = within the first second), and a run that never falls in as horizon + 1.
 *
 * Section 9 of `npm run validate` compares medians; `npm run validate:onset` (onset-cli.ts) prints every
 * real run's and every seed's onset, since one run's onset is spread over seconds and a median of a few
 * runs moves by as much from one batch to the next.
 */
export const ONSET_RATES = [150, 300, 450] as const;
export type OnsetRate = (typeof ONSET_RATES)[number];
/** Each rate's run length: 300 req/s is the rate whose onset is seconds, not the first second. */
export const HORIZON_S: Record<OnsetRate, number> = { 150: 10, 300: 20, 450: 10 };
/**
 * Real runs per rate. At 150 req/s a 10 s run's p99 is its ~15 slowest requests and one run in six falls into
 * the backlog for a while: the median of 5. At 300 req/s one run's onset spreads over 1–6 s (the model's 20
 * seeds, and real batches whose medians were 2, 2.5, 3.5 and 4.5 s): 10 runs, whose median's 89 % interval is
 * the 3rd to the 8th smallest onset (medianInterval), where 6 runs' narrowest is the whole range (97 %).
 * 450 req/s: 5.
 */
export const RUNS: Record<OnsetRate, number> = { 150: 5, 300: 10, 450: 5 };
export const SEEDS = 20;
/** 10× the mean service time (1 ms CPU + 5 ms syscall). */
export const BACKLOG_P50_MS = 60;

/** One real run (httpsyscalls' JSON): trapS is the 0-based second whose p50 first passed 60 ms, or −1. */
export interface RealRun {
  trapS: number;
  p99Ms: number;
  cpuStretch: number;
}
/** One seed of the model; p99Ms without the network's round trip. */
export interface ModelRun {
  trapS: number;
  p99Ms: number;
}

export const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;

/**
 * The scenario: the server as written (`server: net/http`: its read of each request is a syscall), on one
 * host CPU, as httpsyscalls runs: it re-executes itself under `taskset -c 0`, so its handler's M, the Ms in
 * syscalls and sysmon all share CPU 0 (with costs.sysmonWakeCpuUs set, sysmon's wakes cost the handler).
 */
export function onsetDoc(rate: number, horizonS: number): Record<string, unknown> {
  return {
    durationS: horizonS,
    warmupS: 0,
    metrics: { sampleIntervalMs: 1000 },
    workload: {
      arrival: { process: 'poisson', ratePerS: rate },
      request: {
        steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }, { syscall: { dist: 'constant', valueMs: 5 } }],
      },
    },
    runtime: { gomaxprocs: 1, hostCpus: 1, server: 'net/http' },
  };
}

/** `n` real runs of httpsyscalls (seeds firstSeed…), one after another. */
export function realRuns(rate: number, n: number, horizonS: number, firstSeed = 1): RealRun[] {
  return Array.from({ length: n }, (_, i) =>
    go<RealRun>('httpsyscalls', 1, [firstSeed + i, rate, horizonS * 1000, 1000, 5, 0, 1], {}, ['nice', '-n', '-10']),
  );
}

/** Where the onset case's probes run: CPU 0 at nice −10, as the server (httpsyscalls pins every thread there). */
const ON_CPU0 = ['taskset', '-c', '0', 'nice', '-n', '-10'];

/**
 * How late sysmon's usleep(20) returns on CPU 0 now (µs; validation/go/calibrate's usleepLateNs, on the
 * server's core, at its nice): the kernel's timer slack plus this machine's wake-up, which moves with the VM
 * and its load (66.5 to 88.5 µs on the Intel VM of 2026-11-30). The onset turns on it (README, *How likely,
 * and when*), so the report also runs the model with the value measured beside the real runs.
 */
export function measureUsleepLateUs(): number {
  const r = goRun<{ usleepLateNs: number }>('calibrate', 1, ['usleep'], {}, ON_CPU0);
  return r.out.usleepLateNs / 1000;
}

/** The scenario with sysmon's sleeps returning `lateUs` late (timer slack + the default wake-up, as calibrate). */
export function withUsleepLate(doc: Record<string, unknown>, lateUs: number): Record<string, unknown> {
  const wakeUs = CostsSchema.shape.threadWakeUs.parse(undefined);
  const runtime = doc.runtime as Record<string, unknown>;
  const costs = (runtime.costs ?? {}) as Record<string, unknown>;
  return { ...doc, runtime: { ...runtime, costs: { ...costs, timerSlackUs: Math.max(0, lateUs - wakeUs) } } };
}

/**
 * What one wake of sysmon's thread costs the handler's thread on their shared core, µs: `calibrate
 * sysmoncost` on the Intel VM of 2026-11-30 (load 1.4–1.5; results/reference/sysmon-cost/): a spinner lost
 * 29.4–30.5 µs of progress per wake of a thread doing nanosleep(20 µs) back to back on its core (1.43–1.48×
 * slower beside it). Mostly the VM's: the sleeper's own CPU is 18 µs a wake, and the rest falls to neither.
 */
export const SYSMON_WAKE_CPU_US_2026_11_30 = 29.8;

/** What a sysmon-like wake costs a spinning thread on CPU 0 now (calibrate sysmoncost, 10 pairs of 200 ms). */
export function measureSysmonWakeCpuUs(): number {
  const r = goRun<{ sysmonCost: { medianCostNsPerWake: number } }>(
    'calibrate',
    1,
    ['sysmoncost', 10, 200],
    {},
    ON_CPU0,
  );
  return r.out.sysmonCost.medianCostNsPerWake / 1000;
}

/** The scenario with each sysmon wake costing the running M `us` (costs.sysmonWakeCpuUs). */
export function withSysmonWakeCpu(doc: Record<string, unknown>, us: number): Record<string, unknown> {
  const runtime = doc.runtime as Record<string, unknown>;
  const costs = (runtime.costs ?? {}) as Record<string, unknown>;
  return { ...doc, runtime: { ...runtime, costs: { ...costs, sysmonWakeCpuUs: us } } };
}

/** A table of usleep(20) lateness quantiles (costs.usleepLateQuantilesUs). */
export type LateQuantiles = { q: number; us: number }[];

/**
 * usleep(20)'s lateness beside a thread running the handler's work on the same core (calibrate usleepdist,
 * 20,000 sleeps, beside `handler`), as sysmon's sleeps are beside the real server's handler: each quantile
 * the median of five runs on the Intel VM of 2026-11-30 (load 1.9–3.3): p50 70 µs, p99 208 µs, p99.9 3.1 ms;
 * 0.7–1.6 % of sleeps over 300 µs, 0.3–0.95 % over 1.2 ms. Alone on the core: p50 68–73 µs, 0.15–0.4 % over
 * 300 µs. `npm run validate:onset -- --model-only` runs the model with this table's shape.
 */
export const USLEEP_LATE_BESIDE_HANDLER_2026_11_30: LateQuantiles = [
  { q: 0, us: 10 },
  { q: 0.01, us: 47.5 },
  { q: 0.1, us: 59.8 },
  { q: 0.5, us: 70 },
  { q: 0.9, us: 83.1 },
  { q: 0.97, us: 97.7 },
  { q: 0.99, us: 208 },
  { q: 0.999, us: 3087.4 },
  { q: 1, us: 9996 },
];

/** The distribution of usleep(20)'s lateness on CPU 0 now, beside a handler-like thread (calibrate usleepdist). */
export function measureUsleepLateDist(): { quantilesUs: LateQuantiles; over300us: number } {
  const r = goRun<{ usleepLate: { quantilesUs: LateQuantiles; over300us: number } }>(
    'calibrate',
    1,
    ['usleepdist', 20_000, 'handler'],
    {},
    ON_CPU0,
  );
  return r.out.usleepLate;
}

/**
 * The scenario with each sysmon loop's lateness drawn from `table`'s shape (costs.usleepLateQuantilesUs),
 * around the median the scenario already has (timerSlackUs + threadWakeUs).
 */
export function withUsleepLateDist(doc: Record<string, unknown>, table: LateQuantiles): Record<string, unknown> {
  const runtime = doc.runtime as Record<string, unknown>;
  const costs = (runtime.costs ?? {}) as Record<string, unknown>;
  return { ...doc, runtime: { ...runtime, costs: { ...costs, usleepLateQuantilesUs: table } } };
}

/**
 * The scenario with the handler's bursts `stretch` × as long (the real runs' median CPU stretch: wall time
 * of their bursts over the time asked for, other processes sharing CPU 0), so the model runs the bursts the
 * real server ran. A diagnostic beside the compared columns: the stretch is read from the real runs.
 */
export function withBurstStretch(doc: Record<string, unknown>, stretch: number): Record<string, unknown> {
  const workload = doc.workload as { request: { steps: object[] } };
  const steps = workload.request.steps.map((st) =>
    'cpu' in st
      ? { cpu: { ...(st.cpu as { meanMs: number }), meanMs: (st.cpu as { meanMs: number }).meanMs * stretch } }
      : st,
  );
  return { ...doc, workload: { ...workload, request: { ...workload.request, steps } } };
}

/** The scenario on seeds 1…seeds. */
export function modelRuns(doc: object, seeds = SEEDS): ModelRun[] {
  return Array.from({ length: seeds }, (_, i) => {
    const r = runScenario(parseScenario(JSON.stringify(doc), 'validation/case.json'), i + 1);
    const p50 = r.series.columns.indexOf('latency_p50_ms');
    return {
      trapS: r.series.rows.findIndex((row) => row[p50]! > BACKLOG_P50_MS),
      p99Ms: r.summary.latencyMs.p99,
    };
  });
}

/** A run's onset in the report's units: the end of the second it started, horizon + 1 for never. */
export const onsetS = (trapS: number, horizonS: number): number => (trapS < 0 ? horizonS + 1 : trapS + 1);

/** The share of runs that fell in within the horizon, and the median onset. */
export function trapStats(trapS: number[], horizonS: number): { share: number; medianS: number } {
  return {
    share: trapS.filter((t) => t >= 0).length / trapS.length,
    medianS: d3median(trapS.map((t) => onsetS(t, horizonS)))!,
  };
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomHalfCdf(n: number, k: number): number {
  let c = 1; // C(n, 0)
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += c;
    c = (c * (n - i)) / (i + 1);
  }
  return sum / 2 ** n;
}

/**
 * A distribution-free interval for the median of the distribution `xs` was drawn from: the k-th smallest and
 * k-th largest values, with k the largest whose coverage 1 − 2·P(Bin(n, ½) ≤ k − 1) is at least `level` (the
 * order-statistic interval; it needs no assumption about the shape, and onsets are far from normal). With too
 * few values for `level` it is the whole range, with its own (lower) coverage.
 */
export function medianInterval(xs: number[], level = 0.85): { lo: number; hi: number; confidence: number } {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return { lo: NaN, hi: NaN, confidence: 0 };
  let k = 1;
  while (k + 1 <= Math.floor((n + 1) / 2) && 1 - 2 * binomHalfCdf(n, k) >= level) k++;
  return { lo: s[k - 1]!, hi: s[n - k]!, confidence: 1 - 2 * binomHalfCdf(n, k - 1) };
}

/** "2, 1, 4 (median 2, 79 % interval 1–4)": every onset in run order, for the report's notes. */
export function describeOnsets(trapS: number[], horizonS: number): string {
  const xs = trapS.map((t) => onsetS(t, horizonS));
  const { lo, hi, confidence } = medianInterval(xs);
  return (
    `${xs.join(', ')} (median ${d3median(xs)}, ${Math.round(confidence * 100)} % interval ` +
    `${lo === hi ? lo : `${lo}–${hi}`})`
  );
}
