import { type MeanCi, meanCi, type PairedDiff, pairedDiff } from '../metrics/confidence.js';
import type { Scenario } from '../scenario/schema.js';
import { SWEEP_METRICS, type SweepMetric } from '../scenario/sweep-schema.js';
import type { RunResult } from '../sim/experiment.js';
import { toCsv } from './format.js';

/** One variant's figures, averaged over the seeds it ran with. */
export interface VariantRow {
  variant: string;
  seeds: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  sloViolationMin: number;
  /** Requests that ended in an error: the sum of ERROR_PARTS (each part is a field of its own, below). */
  errors: number;
  /** The caller gave up: its last attempt timed out, was refused (no Ready pod) or was lost with its pod. */
  errorsGaveUp: number;
  /** Answered with an error: a call failed (a dependency error, a call or request deadline, a breaker refusal). */
  errorsFailed: number;
  /** Answered 503 at once by the limiter (shed). */
  errorsShed: number;
  /** Behind errorsFailed, per call attempt (a request may retry a call): dependency errors, deadlines, refusals. */
  callErrors: number;
  callTimeouts: number;
  breakerRejected: number;
  /** Attempts the caller gave up on (each may have been retried). */
  timeouts: number;
  podSeconds: number;
  replicaChanges: number;
  flapping: number;
  maxGoroutinesPerPod: number;
  /** Containers OOM-killed. */
  oomKills: number;
  /** Share of pod time spent CFS-throttled, % (gmp only; NaN otherwise). */
  throttledPct: number;
  /** GC CPU over the CPU the pods' Ps could use, % (gmp only; NaN otherwise). */
  gcCpuPct: number;
}

/** The table's columns: the variant, its seeds, then the per-run figures (the ones a sweep records too). */
export const COMPARE_COLUMNS: readonly (keyof VariantRow)[] = ['variant', 'seeds', ...SWEEP_METRICS];

/** Σ over the series of a per-second column × the sample interval: the total over the run (NaN if absent). */
function seriesTotal(result: RunResult, column: string, intervalS: number): number {
  const i = result.series.columns.indexOf(column);
  if (i < 0) return NaN;
  // A long run keeps every stride-th row (TimeSeries): each stands for stride intervals.
  const stride = result.series.stride;
  let sum = 0;
  for (const row of result.series.rows) sum += row[i]! * intervalS * stride;
  return sum;
}

/** Minutes of measured time whose sample-interval p99 exceeded the SLO. */
export function sloViolationMinutes(scenario: Scenario, result: RunResult): number {
  const cols = result.series.columns;
  const t = cols.indexOf('t_s');
  const p99 = cols.indexOf('latency_p99_ms');
  let bad = 0;
  for (const row of result.series.rows) {
    if (row[t]! <= scenario.warmupS) continue;
    if (Number.isFinite(row[p99]!) && row[p99]! > scenario.slo.p99Ms) bad++;
  }
  return (bad * result.series.stride * scenario.metrics.sampleIntervalMs) / 60_000;
}

/**
 * What the errors column sums: every way a request can end in an error, each counted once (a request the
 * callers retried counts by its last attempt only). `requests.failed` alone misses the service's failures.
 * (The caller's give-ups count over the whole run; the service's answers after warm-up, as summary.json has them.)
 */
type ErrorPart = 'errorsGaveUp' | 'errorsFailed' | 'errorsShed';
export const ERROR_PARTS: readonly { name: ErrorPart; read(r: RunResult): number }[] = [
  { name: 'errorsGaveUp', read: (r) => r.summary.requests.failed },
  { name: 'errorsFailed', read: (r) => r.summary.service?.requestsFailed ?? 0 },
  { name: 'errorsShed', read: (r) => r.summary.service?.requestsShed ?? 0 },
];

/** Average a variant's runs (one per seed; the same seeds for every variant). */
export function variantRow(variant: string, scenario: Scenario, results: readonly RunResult[]): VariantRow {
  const mean = (f: (r: RunResult) => number) => results.reduce((a, r) => a + f(r), 0) / results.length;
  const dt = scenario.metrics.sampleIntervalMs / 1000;
  return {
    variant,
    seeds: results.length,
    p50Ms: mean((r) => r.summary.latencyMs.p50),
    p95Ms: mean((r) => r.summary.latencyMs.p95),
    p99Ms: mean((r) => r.summary.latencyMs.p99),
    sloViolationMin: mean((r) => sloViolationMinutes(scenario, r)),
    errors: mean((r) => ERROR_PARTS.reduce((a, p) => a + p.read(r), 0)),
    ...(Object.fromEntries(ERROR_PARTS.map((p) => [p.name, mean(p.read)])) as Record<ErrorPart, number>),
    callErrors: mean((r) => r.summary.service?.calls.errors ?? 0),
    callTimeouts: mean((r) => r.summary.service?.calls.timeouts ?? 0),
    breakerRejected: mean((r) => r.summary.service?.calls.breakerRejected ?? 0),
    timeouts: mean((r) => r.summary.requests.timeouts),
    podSeconds: mean((r) => r.summary.cluster.podSeconds),
    replicaChanges: mean((r) => r.summary.hpa?.rescales ?? 0),
    flapping: mean((r) => r.summary.hpa?.directionReversals ?? 0),
    maxGoroutinesPerPod: Math.max(...results.map((r) => r.summary.cluster.maxGoroutinesPerPod)),
    oomKills: mean((r) => r.summary.cluster.oomKills),
    throttledPct: mean((r) => (100 * seriesTotal(r, 'throttled_ms_per_s', dt)) / (1000 * r.summary.cluster.podSeconds)),
    gcCpuPct: mean(
      (r) =>
        (100 * seriesTotal(r, 'gc_cpu_ms_per_s', dt)) / (1000 * r.summary.cluster.podSeconds * r.summary.gomaxprocs),
    ),
  };
}

/** One run's figures (SWEEP_METRICS): a row of compare.csv, of a sweep's runs.csv. */
export type Figures = Record<SweepMetric, number>;

export function runFigures(scenario: Scenario, result: RunResult): Figures {
  const row = variantRow('', scenario, [result]);
  return Object.fromEntries(SWEEP_METRICS.map((m) => [m, row[m]])) as Figures;
}

/** A variant's runs, seed by seed (the same seeds, in the same order, for every variant). */
export interface VariantRuns {
  variant: string;
  runs: Figures[];
}

/** A variant's figures with intervals, and its paired difference against the baseline (the first variant). */
export interface VariantStats {
  variant: string;
  seeds: number;
  /** Mean ± 95 % CI (Student t) over the seeds, per figure. */
  figures: Record<SweepMetric, MeanCi>;
  /** This variant − the baseline, seed by seed (absent for the baseline itself). */
  diff?: Record<SweepMetric, PairedDiff>;
}

/** Intervals for every variant and paired differences against the first. */
export function compareStats(variants: readonly VariantRuns[]): VariantStats[] {
  const col = (v: VariantRuns, m: SweepMetric) => v.runs.map((r) => r[m]);
  const base = variants[0]!;
  return variants.map((v, i) => ({
    variant: v.variant,
    seeds: v.runs.length,
    figures: Object.fromEntries(SWEEP_METRICS.map((m) => [m, meanCi(col(v, m))])) as Record<SweepMetric, MeanCi>,
    ...(i > 0
      ? {
          diff: Object.fromEntries(SWEEP_METRICS.map((m) => [m, pairedDiff(col(base, m), col(v, m))])) as Record<
            SweepMetric,
            PairedDiff
          >,
        }
      : {}),
  }));
}

/** The figures a verdict speaks of, with their names in words. */
export const VERDICT_FIGURES: readonly { metric: SweepMetric; label: string }[] = [
  { metric: 'p99Ms', label: 'p99' },
  { metric: 'errors', label: 'errors' },
  { metric: 'sloViolationMin', label: 'minutes over SLO' },
  { metric: 'podSeconds', label: 'pod-seconds' },
];

/** A signed percentage the way people write it: +9 %, −12 % (a real minus sign). */
function pct(x: number): string {
  const r = Math.abs(x) < 9.95 ? Math.round(x * 10) / 10 : Math.round(x);
  return `${r > 0 ? '+' : r < 0 ? '−' : '±'}${Math.abs(r)}`;
}

/**
 * One plain line per variant against the baseline, e.g.
 * "window-60s vs prod-300s: p99 +9 % (+4…+14 %), pod-seconds −12 % (−15…−9 %)". A figure whose interval
 * includes zero says "no clear difference"; one that is zero in both is left out; one whose baseline is
 * zero is given in its own unit.
 */
export function verdictLine(base: string, v: VariantStats): string {
  const parts: string[] = [];
  for (const { metric, label } of VERDICT_FIGURES) {
    const d = v.diff![metric];
    if (d.n === 0 || (d.mean === 0 && d.ci95 === 0 && metric !== 'p99Ms' && metric !== 'podSeconds')) continue;
    if (d.n >= 2 && d.mean === 0 && d.ci95 === 0) {
      parts.push(`${label} the same on every seed`);
      continue;
    }
    const sure = d.excludesZero ? '' : ', no clear difference';
    if (Number.isFinite(d.pct)) {
      const ci = Number.isFinite(d.ci95) ? ` (${pct(d.pctLo)}…${pct(d.pctHi)} %${sure})` : ' (one seed: no interval)';
      parts.push(`${label} ${pct(d.pct)} %${ci}`);
    } else {
      const f = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toPrecision(3)}`;
      const ci = Number.isFinite(d.ci95) ? ` (${f(d.mean - d.ci95)}…${f(d.mean + d.ci95)}${sure})` : '';
      parts.push(`${label} ${f(d.mean)}${ci}`);
    }
  }
  return `${v.variant} vs ${base}: ${parts.join(', ')}`;
}

/** compare.csv: one row per (variant, seed) with that run's figures. */
export function compareRunsCsv(variants: readonly VariantRuns[], seeds: readonly number[]): string {
  const rows = variants.flatMap((v) => v.runs.map((r, i) => [v.variant, seeds[i]!, ...SWEEP_METRICS.map((m) => r[m])]));
  return toCsv(['variant', 'seed', ...SWEEP_METRICS], rows);
}

/**
 * compare-summary.csv: one row per variant: each figure's mean and the half-width of its 95 % CI, then
 * the paired difference against the baseline, its half-width and whether it excludes zero (1/0).
 */
export function compareSummaryCsv(stats: readonly VariantStats[]): string {
  const cols = [
    'variant',
    'seeds',
    ...SWEEP_METRICS.flatMap((m) => [m, `${m}_ci95`, `${m}_diff`, `${m}_diff_ci95`, `${m}_diff_excludes_zero`]),
  ];
  const rows = stats.map((v) => [
    v.variant,
    v.seeds,
    ...SWEEP_METRICS.flatMap((m) => {
      const d = v.diff?.[m];
      return [v.figures[m].mean, v.figures[m].ci95, d?.mean ?? 0, d?.ci95 ?? 0, d ? (d.excludesZero ? 1 : 0) : 0];
    }),
  ]);
  return toCsv(cols, rows);
}

/** The side-by-side table printed by `gmpsim compare`: means, with ± the 95 % CI half-width when seeds ≥ 2. */
export function compareTable(rows: readonly VariantRow[], sloMs: number, stats?: readonly VariantStats[]): string {
  const plain = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  let at = 0;
  const f = (x: number, d: number, m?: SweepMetric) => {
    const ci = m ? stats?.[at]?.figures[m].ci95 : undefined;
    return ci !== undefined && Number.isFinite(ci) && Number.isFinite(x)
      ? `${x.toFixed(d)} ±${ci.toFixed(d)}`
      : plain(x, d);
  };
  const header = [
    'variant',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    `SLO>${sloMs}ms min`,
    'errors',
    'timeouts',
    'pod-s',
    'rescales',
    'flaps',
    'max G/pod',
    'OOM',
    'throttled %',
    'GC CPU %',
  ];
  const body = rows.map((r, i) => {
    at = i;
    return [
      r.variant,
      f(r.p50Ms, 2, 'p50Ms'),
      f(r.p95Ms, 2, 'p95Ms'),
      f(r.p99Ms, 2, 'p99Ms'),
      f(r.sloViolationMin, 2, 'sloViolationMin'),
      f(r.errors, 1, 'errors'),
      f(r.timeouts, 1),
      f(r.podSeconds, 0, 'podSeconds'),
      f(r.replicaChanges, 1),
      f(r.flapping, 1),
      String(r.maxGoroutinesPerPod),
      f(r.oomKills, 1),
      f(r.throttledPct, 1),
      f(r.gcCpuPct, 1),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export function compareCsv(rows: readonly VariantRow[]): string {
  return toCsv(
    COMPARE_COLUMNS as string[],
    rows.map((r) => COMPARE_COLUMNS.map((c) => r[c])),
  );
}
