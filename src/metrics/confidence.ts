import { deviation, mean } from 'd3-array';

/**
 * Confidence intervals for the mean of a few replications: Student t, as a sweep's points and a
 * comparison's variants need them. Small and exact enough that no statistics library is needed: t's
 * 0.975 quantile is tabulated for df = 1..30 (from any table, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2)
 * and approximated beyond (1.96 + 2.4/df, within 0.1 % of the table to df = 120 and exact in the limit).
 */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t_{0.975, df}: the multiplier of the standard error for a two-sided 95 % interval. */
export function t975(df: number): number {
  return df <= 30 ? T975[df - 1]! : 1.96 + 2.4 / df;
}

/** A mean and the half-width of its 95 % interval (NaN with fewer than two finite values). */
export interface MeanCi {
  mean: number;
  ci95: number;
  n: number;
}

/** Mean ± 95 % CI (Student t) of the finite values of xs. */
export function meanCi(xs: readonly number[]): MeanCi {
  const f = xs.filter(Number.isFinite);
  const n = f.length;
  return { mean: n > 0 ? mean(f)! : NaN, ci95: n >= 2 ? (t975(n - 1) * deviation(f)!) / Math.sqrt(n) : NaN, n };
}

/** A paired difference b − a over the same replications, and what it says. */
export interface PairedDiff extends MeanCi {
  /** The interval lies wholly above or below zero: the settings differ at the 95 % level. */
  excludesZero: boolean;
  /** The difference and its interval as % of the baseline's mean (NaN when the baseline's mean is 0). */
  pct: number;
  pctLo: number;
  pctHi: number;
}

/**
 * The paired difference b − a (replication i of b against replication i of a; pairs with a non-finite
 * side are dropped). With common random numbers the pairs share arrivals and work, so this interval is
 * far narrower than one from two independent samples.
 */
export function pairedDiff(a: readonly number[], b: readonly number[]): PairedDiff {
  const d: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (Number.isFinite(a[i]!) && Number.isFinite(b[i]!)) {
      d.push(b[i]! - a[i]!);
      base.push(a[i]!);
    }
  }
  const m = meanCi(d);
  const ref = base.length > 0 ? mean(base)! : NaN;
  const pct = (x: number) => (ref !== 0 && Number.isFinite(ref) ? (100 * x) / Math.abs(ref) : NaN);
  const zero = m.n >= 2 && m.ci95 === 0 ? m.mean !== 0 : m.mean - m.ci95 > 0 || m.mean + m.ci95 < 0;
  return {
    ...m,
    excludesZero: m.n >= 2 && zero,
    pct: pct(m.mean),
    pctLo: pct(m.mean - m.ci95),
    pctHi: pct(m.mean + m.ci95),
  };
}
