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
const PathKey = z.string().regex(/^[A-Za-z_][\w]*(\[\d+\])*(\.[A-Za-z_][\w]*(\[\d+\])*)*$/, 'a scenario path such as runtime.gomaxprocs or hpa.metrics[0].resource.target.averageUtilization');

const RangeSchema = z
  .strictObject({
    min: z.number().describe('lower bound'),
    max: z.number().describe('upper bound'),
    int: z.boolean().default(false).describe('draw whole numbers (min..max inclusive)'),
    log: z.boolean().default(false).describe('draw uniformly on a log scale (min > 0)'),
  })
  .refine((r) => r.max >= r.min, { message: 'expected max ≥ min', path: ['max'] })
  .refine((r) => !r.log || r.min > 0, { message: 'expected min > 0 for a log range', path: ['min'] });
export type SweepRange = z.infer<typeof RangeSchema>;

export const SweepSchema = z
  .strictObject({
    grid: z
      .record(PathKey, z.array(z.unknown()).min(1))
      .default({})
      .describe('values per scenario path; the points are their cartesian product (first path varies slowest)'),
    random: z
      .strictObject({
        samples: z.number().int().min(1).max(100_000).describe('random points to draw (each combined with every grid point)'),
        ranges: z.record(PathKey, RangeSchema).describe('a range per scenario path'),
      })
      .optional()
      .describe('random samples of ranges, drawn from the master seed (the same points on every run)'),
    replications: z.number().int().min(1).max(10_000).default(1).describe('seeds per point; each seed is a hash of (master seed, point, replication)'),
    objective: z
      .partialRecord(z.enum(SWEEP_METRICS), z.number())
      .default({ podSeconds: 1, sloViolationMin: 60 })
      .describe(`minimise Σ weight × mean(metric) over these per-run figures: ${SWEEP_METRICS.join(', ')}`),
  })
  .describe('for `gmpsim sweep` and `gmpsim tune`: the points to run');
export type Sweep = z.infer<typeof SweepSchema>;
