import { z } from 'zod';

/** The per-run figures a sweep records (the compare table's columns, for one run). */
export const SWEEP_METRICS = [
  'p50Ms',
  'p95Ms',
  'p99Ms',
  'sloViolationMin',
  'errors',
  'timeouts',
  'podSeconds',
  'replicaChanges',
  'flapping',
  'maxGoroutinesPerPod',
  'oomKills',
  'throttledPct',
  'gcCpuPct',
] as const;
export type SweepMetric = (typeof SWEEP_METRICS)[number];

/** A scenario path: `hpa.metrics[0].resource.target.averageUtilization`, `runtime.gomaxprocs`. */
const PathKey = z
  .string()
  .regex(
    /^[A-Za-z_][\w]*(\[\d+\])*(\.[A-Za-z_][\w]*(\[\d+\])*)*$/,
    'a scenario path such as runtime.gomaxprocs or hpa.metrics[0].resource.target.averageUtilization',
  );

const RangeSchema = z
  .strictObject({
    min: z.number().describe('lower bound'),
    max: z.number().describe('upper bound'),
    int: z.boolean().default(false).describe('draw whole numbers (min..max inclusive)'),
    log: z.boolean().default(false).describe('draw uniformly on a log scale (min > 0)'),
  })
  .refine((r) => r.max >= r.min, { message: 'expected max ≥ min', path: ['max'] })
  .refine((r) => !r.log || r.min > 0, { message: 'expected min > 0 for a log range', path: ['min'] })
  .refine((r) => !r.int || Math.ceil(r.min) <= Math.floor(r.max), {
    message: 'expected an integer between min and max for an int range, found none',
    path: ['max'],
  });
export type SweepRange = z.infer<typeof RangeSchema>;

/**
 * A grid path given as a range instead of a list: `{min, max, int?, log?, steps?}`. `sweep` and tune's
 * grid and halving run `steps` values spread evenly from min to max (on a log scale for `log`, rounded
 * and without repeats for `int`: gridValues in src/sweep/points.ts); `tune --method bo` searches the whole
 * range between them.
 */
const GridRangeSchema = z
  .strictObject({
    min: z.number().describe('lower bound'),
    max: z.number().describe('upper bound'),
    int: z.boolean().default(false).describe('whole numbers only (values rounded; bo proposes integers)'),
    log: z.boolean().default(false).describe('spread the values, and search, on a log scale (min > 0)'),
    steps: z
      .number()
      .int()
      .min(2)
      .max(1000)
      .default(5)
      .describe('values a grid or halving run takes from the range, min and max included'),
  })
  .refine((r) => r.max > r.min, { message: 'expected max > min (a range of one value is a list: [v])', path: ['max'] })
  .refine((r) => !r.log || r.min > 0, { message: 'expected min > 0 for a log range', path: ['min'] })
  .refine((r) => !r.int || Math.ceil(r.min) < Math.floor(r.max), {
    message: 'expected at least two integers between min and max for an int range',
    path: ['max'],
  });
export type GridRange = z.infer<typeof GridRangeSchema>;

export const SweepSchema = z
  .strictObject({
    grid: z
      .record(PathKey, z.union([z.array(z.unknown()).min(1), GridRangeSchema]))
      .default({})
      .describe(
        'values per scenario path — a list, or a range {min, max, int (default false), log (default false), steps ' +
          '(default 5, 2–1000)} that grid and halving run at `steps` even values and `tune --method bo` searches ' +
          'whole; the points are their cartesian product (first path varies slowest)',
      ),
    random: z
      .strictObject({
        samples: z
          .number()
          .int()
          .min(1)
          .max(100_000)
          .describe('random points to draw (each combined with every grid point)'),
        ranges: z.record(PathKey, RangeSchema).describe('a range per scenario path'),
      })
      .optional()
      .describe('random samples of ranges, drawn from the master seed (the same points on every run)'),
    replications: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(1)
      .describe('seeds per point; each seed is a hash of (master seed, point, replication)'),
    objective: z
      .partialRecord(z.enum(SWEEP_METRICS), z.number())
      .default({ podSeconds: 1, sloViolationMin: 60 })
      .describe(`minimise Σ weight × mean(metric) over these per-run figures: ${SWEEP_METRICS.join(', ')}`),
  })
  .superRefine((s, ctx) => {
    // Counted before expanding: a few lines of grid can multiply to more points than memory holds.
    const n = sweepPointCount(s);
    if (n > MAX_SWEEP_POINTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['grid'],
        message:
          `expected at most ${MAX_SWEEP_POINTS.toLocaleString('en-US')} points (grid values multiplied, ` +
          `× random samples), found ${n.toLocaleString('en-US')}; shorten the grid's lists or lower random.samples`,
      });
    } else if (n * s.replications > MAX_SWEEP_RUNS) {
      ctx.addIssue({
        code: 'custom',
        path: ['replications'],
        message:
          `expected at most ${MAX_SWEEP_RUNS.toLocaleString('en-US')} runs (points × replications), ` +
          `found ${(n * s.replications).toLocaleString('en-US')}; lower replications or the number of points`,
      });
    }
  })
  .describe('for `gmpsim sweep` and `gmpsim tune`: the points to run');

/** Most points one sweep may have (each point's scenario is validated and held in memory). */
export const MAX_SWEEP_POINTS = 100_000;
/** Most runs (points × replications) one sweep may have. */
export const MAX_SWEEP_RUNS = 1_000_000;

/** How many points a sweep has — grid lists multiplied, × random samples — without expanding them. */
export function sweepPointCount(s: {
  grid: Record<string, unknown[] | GridRange>;
  random?: { samples: number } | undefined;
}): number {
  let n = s.random?.samples ?? 1;
  for (const values of Object.values(s.grid)) n *= Array.isArray(values) ? values.length : gridValues(values).length;
  return n;
}

/**
 * A grid range's values: `steps` evenly spaced from min to max (evenly in log space for `log`), rounded
 * to 12 significant digits (so 0.1 + 0.2 prints as 0.3); for `int`, rounded to whole numbers within
 * [⌈min⌉, ⌊max⌋], repeats dropped.
 */
export function gridValues(r: GridRange): number[] {
  const f = (v: number) => (r.log ? Math.log(v) : v);
  const g = (v: number) => (r.log ? Math.exp(v) : v);
  const out: number[] = [];
  for (let i = 0; i < r.steps; i++) {
    const u = i / (r.steps - 1);
    let v = i === 0 ? r.min : i === r.steps - 1 ? r.max : g(f(r.min) + u * (f(r.max) - f(r.min)));
    v = Number(v.toPrecision(12));
    if (r.int) v = Math.min(Math.floor(r.max), Math.max(Math.ceil(r.min), Math.round(v)));
    if (!out.includes(v)) out.push(v);
  }
  return out;
}
export type Sweep = z.infer<typeof SweepSchema>;
