import type { Fault } from '../scenario/cluster-schema.js';
import type { Scenario } from '../scenario/schema.js';

/** One probe of the steady-state hypothesis: a fault's window before, during or after it. */
export interface SteadyStateCheck {
  fault: number;
  phase: 'before' | 'during' | 'after';
  fromS: number;
  toS: number;
  /** p99 latency of the requests completed in the window (from the histogram columns), ms; null: none completed. */
  p99Ms: number | null;
  /** Failed requests / requests that ended in the window, percent; null: none ended. */
  errorPercent: number | null;
  pass: boolean;
}

export interface SteadyStateResult {
  windowS: number;
  p99Ms?: number;
  errorPercent?: number;
  checks: SteadyStateCheck[];
  /** Every check passed. */
  pass: boolean;
}

type Hypothesis = NonNullable<Scenario['steadyState']>;

/**
 * The hypothesis checked around each fault, Chaos Toolkit style (before → method → after), from the run's own
 * time series, as a Prometheus probe would read it: the window's rows (sample times t with from < t ≤ to)
 * summed, p99 by histogram_quantile's linear interpolation within the `latency_le_*` buckets. A window with no
 * request that ended passes (nothing violated it); an instantaneous fault's "during" is its sample interval.
 */
export function checkSteadyState(
  h: Hypothesis,
  faults: readonly Fault[],
  series: { columns: readonly string[]; rows: readonly (readonly number[])[] },
  durationS: number,
  sampleS: number,
): SteadyStateResult {
  const col = (name: string) => series.columns.indexOf(name);
  const t = col('t_s');
  const done = col('completions_per_s');
  const errs = col('errors_per_s');
  const buckets = series.columns.flatMap((c, i) => {
    const m = /^latency_le_(.+?)(ms)?$/.exec(c);
    return m ? [{ le: m[1] === 'inf' ? Infinity : Number(m[1]), i }] : [];
  });
  const window = (fault: number, phase: SteadyStateCheck['phase'], fromS: number, toS: number): SteadyStateCheck => {
    fromS = Math.max(0, fromS);
    toS = Math.min(durationS, toS);
    const counts = buckets.map(() => 0);
    let ended = 0;
    let failed = 0;
    let prevT = 0;
    for (const r of series.rows) {
      const at = r[t]!;
      const dt = at - prevT;
      prevT = at;
      if (!(at > fromS && at <= toS + 1e-9)) continue;
      for (const [k, b] of buckets.entries()) counts[k]! += r[b.i]!;
      ended += r[done]! * dt;
      failed += r[errs]! * dt;
    }
    const p99 = quantile(
      0.99,
      buckets.map((b) => b.le),
      counts,
    );
    const errorPercent = ended + failed > 0 ? (100 * failed) / (ended + failed) : null;
    const pass =
      (h.p99Ms === undefined || p99 === null || p99 < h.p99Ms) &&
      (h.errorPercent === undefined || errorPercent === null || errorPercent < h.errorPercent);
    return { fault, phase, fromS, toS, p99Ms: p99, errorPercent, pass };
  };
  const checks: SteadyStateCheck[] = [];
  faults.forEach((f, i) => {
    const end = f.type === 'pod-kill' || f.type === 'forced-gc' ? f.atS + sampleS : f.atS + f.durationS;
    checks.push(window(i, 'before', f.atS - h.windowS, f.atS));
    checks.push(window(i, 'during', f.atS, end));
    checks.push(window(i, 'after', end, end + h.windowS));
  });
  return {
    windowS: h.windowS,
    ...(h.p99Ms !== undefined ? { p99Ms: h.p99Ms } : {}),
    ...(h.errorPercent !== undefined ? { errorPercent: h.errorPercent } : {}),
    checks,
    pass: checks.every((c) => c.pass),
  };
}

/**
 * histogram_quantile (Prometheus promql/quantile.go bucketQuantile): linear within the bucket; the +Inf bucket answers
 * its lower bound.
 */
export function quantile(q: number, le: readonly number[], cumulative: readonly number[]): number | null {
  const n = cumulative[cumulative.length - 1] ?? 0;
  if (n <= 0) return null;
  const rank = q * n;
  let b = cumulative.findIndex((c) => c >= rank);
  if (b < 0) b = cumulative.length - 1;
  if (le[b] === Infinity) return le[b - 1] ?? 0;
  const lo = b === 0 ? 0 : le[b - 1]!;
  const below = b === 0 ? 0 : cumulative[b - 1]!;
  const inBucket = cumulative[b]! - below;
  return inBucket > 0 ? lo + (le[b]! - lo) * ((rank - below) / inBucket) : le[b]!;
}
