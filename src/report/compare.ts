import type { RunResult } from '../sim/experiment.js';
import type { Scenario } from '../scenario/schema.js';
import { SWEEP_METRICS } from '../scenario/sweep-schema.js';
import { toCsv } from './format.js';

/** One variant's figures, averaged over the seeds it ran with. */
export interface VariantRow {
  variant: string;
  seeds: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  sloViolationMin: number;
  /** Requests that failed for good (refused, lost or timed out on their last attempt). */
  errors: number;
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
  let sum = 0;
  for (const row of result.series.rows) sum += row[i]! * intervalS;
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
  return (bad * scenario.metrics.sampleIntervalMs) / 60_000;
}

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
    errors: mean((r) => r.summary.requests.failed),
    timeouts: mean((r) => r.summary.requests.timeouts),
    podSeconds: mean((r) => r.summary.cluster.podSeconds),
    replicaChanges: mean((r) => r.summary.hpa?.rescales ?? 0),
    flapping: mean((r) => r.summary.hpa?.directionReversals ?? 0),
    maxGoroutinesPerPod: Math.max(...results.map((r) => r.summary.cluster.maxGoroutinesPerPod)),
    oomKills: mean((r) => r.summary.cluster.oomKills),
    throttledPct: mean((r) => (100 * seriesTotal(r, 'throttled_ms_per_s', dt)) / (1000 * r.summary.cluster.podSeconds)),
    gcCpuPct: mean((r) => (100 * seriesTotal(r, 'gc_cpu_ms_per_s', dt)) / (1000 * r.summary.cluster.podSeconds * r.summary.gomaxprocs)),
  };
}

/** The side-by-side table printed by `gmpsim compare`. */
export function compareTable(rows: readonly VariantRow[], sloMs: number): string {
  const f = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const header = ['variant', 'p50 ms', 'p95 ms', 'p99 ms', `SLO>${sloMs}ms min`, 'errors', 'timeouts', 'pod-s', 'rescales', 'flaps', 'max G/pod', 'OOM', 'throttled %', 'GC CPU %'];
  const body = rows.map((r) => [
    r.variant, f(r.p50Ms, 2), f(r.p95Ms, 2), f(r.p99Ms, 2), f(r.sloViolationMin, 2), f(r.errors, 1), f(r.timeouts, 1), f(r.podSeconds, 0), f(r.replicaChanges, 1),
    f(r.flapping, 1), String(r.maxGoroutinesPerPod), f(r.oomKills, 1), f(r.throttledPct, 1), f(r.gcCpuPct, 1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export function compareCsv(rows: readonly VariantRow[]): string {
  return toCsv(COMPARE_COLUMNS as string[], rows.map((r) => COMPARE_COLUMNS.map((c) => r[c])));
}
