import { deviation, mean, quantile } from 'd3-array';
import { t975 } from '../metrics/confidence.js';
import { toCsv, toStableJson } from '../report/format.js';
import { SWEEP_METRICS, type SweepMetric } from '../scenario/sweep-schema.js';

/** One finished (point, replication): what the journal holds and the result files are built from. */
export interface RunRecord {
  point: number;
  rep: number;
  seed: number;
  params: [string, unknown][];
  /** SWEEP_METRICS order; absent when the run failed. */
  metrics?: number[];
  error?: string;
}

/** What every shard of one sweep agrees on. */
export interface SweepMeta {
  name: string;
  masterSeed: number;
  replications: number;
  totalPoints: number;
  paths: string[];
  objective: Partial<Record<SweepMetric, number>>;
}

export interface MetricStats {
  mean: number;
  sd: number;
  /** Half-width of the 95% confidence interval of the mean (Student t). */
  ci95: number;
  p05: number;
  p50: number;
  p95: number;
}

export interface PointSummary {
  point: number;
  params: [string, unknown][];
  /** Successful runs. */
  n: number;
  failed: number;
  objective: number;
  metrics: Record<SweepMetric, MetricStats>;
}

export { t975 };

function stats(xs: number[]): MetricStats {
  const finite = xs.filter(Number.isFinite);
  const n = finite.length;
  const sd = n >= 2 ? deviation(finite)! : NaN;
  return {
    mean: n > 0 ? mean(finite)! : NaN,
    sd,
    ci95: n >= 2 ? (t975(n - 1) * sd) / Math.sqrt(n) : NaN,
    p05: n > 0 ? quantile(finite, 0.05)! : NaN,
    p50: n > 0 ? quantile(finite, 0.5)! : NaN,
    p95: n > 0 ? quantile(finite, 0.95)! : NaN,
  };
}

/** Per-point aggregates over replications, in point order; the objective is Σ weight × mean. */
export function summarisePoints(meta: SweepMeta, runs: readonly RunRecord[]): PointSummary[] {
  const byPoint = new Map<number, RunRecord[]>();
  for (const r of runs) byPoint.set(r.point, [...(byPoint.get(r.point) ?? []), r]);
  return [...byPoint.keys()]
    .sort((a, b) => a - b)
    .map((point) => {
      const rs = byPoint.get(point)!;
      const ok = rs.filter((r) => r.metrics);
      const metrics = Object.fromEntries(
        SWEEP_METRICS.map((m, i) => [m, stats(ok.map((r) => r.metrics![i]!))]),
      ) as Record<SweepMetric, MetricStats>;
      let objective = ok.length > 0 ? 0 : NaN;
      for (const [m, w] of Object.entries(meta.objective) as [SweepMetric, number][]) objective += w * metrics[m].mean;
      return { point, params: rs[0]!.params, n: ok.length, failed: rs.length - ok.length, objective, metrics };
    });
}

/** The best points by objective (lowest first; ties by point index); points with no finite objective last out. */
export function bestPoints(points: readonly PointSummary[], k: number): PointSummary[] {
  return points
    .filter((p) => Number.isFinite(p.objective))
    .sort((a, b) => a.objective - b.objective || a.point - b.point)
    .slice(0, k);
}

const cell = (v: unknown): number | string =>
  typeof v === 'number' ? v : typeof v === 'string' ? v : JSON.stringify(v);

/**
 * The sweep's result files, a pure function of (meta, runs): runs.csv (one row per point × replication,
 * in index order), points.csv (aggregates per point) and sweep.json (both, the best points). The same
 * runs give the same bytes however many workers, shards or resumes produced them.
 */
export function sweepFiles(meta: SweepMeta, runs: readonly RunRecord[]): Record<string, string> {
  const sorted = runs.slice().sort((a, b) => a.point - b.point || a.rep - b.rep);
  const runsCsv = toCsv(
    ['point', 'rep', 'seed', ...meta.paths, ...SWEEP_METRICS, 'error'],
    sorted.map((r) => {
      const params = new Map(r.params);
      return [
        r.point,
        r.rep,
        r.seed,
        ...meta.paths.map((p) => cell(params.get(p))),
        ...SWEEP_METRICS.map((_, i) => r.metrics?.[i] ?? NaN),
        r.error ?? '',
      ];
    }),
  );
  const points = summarisePoints(meta, sorted);
  const statCols = ['mean', 'sd', 'ci95', 'p05', 'p50', 'p95'] as const;
  const pointsCsv = toCsv(
    [
      'point',
      ...meta.paths,
      'n',
      'failed',
      'objective',
      ...SWEEP_METRICS.flatMap((m) => statCols.map((s) => `${m}_${s}`)),
    ],
    points.map((p) => {
      const params = new Map(p.params);
      return [
        p.point,
        ...meta.paths.map((q) => cell(params.get(q))),
        p.n,
        p.failed,
        p.objective,
        ...SWEEP_METRICS.flatMap((m) => statCols.map((s) => p.metrics[m][s])),
      ];
    }),
  );
  const json = toStableJson({
    ...meta,
    best: bestPoints(points, 5).map((p) => p.point),
    points,
    runs: sorted,
  });
  return { 'runs.csv': runsCsv, 'points.csv': pointsCsv, 'sweep.json': json };
}
