import { z } from 'zod';

/**
 * The scenario file schema. Conventions:
 * - every field has a default, so the smallest scenario is `{}`; a block's discriminator (`dist`,
 *   `process`) is the one thing you must name when you write that block;
 * - units are in field names (`durationS`, `meanMs`, `ratePerS`), times convert to integer ns at load;
 * - unknown keys are errors (strict objects), so a typo never silently falls back to a default.
 * The reference table in docs/scenario-reference.md is generated from these descriptions.
 */

const nonNegMs = (what: string) => z.number().nonnegative().describe(what);

/** A random (or fixed) duration in milliseconds. */
export const DurationDistSchema = z
  .discriminatedUnion('dist', [
    z.strictObject({
      dist: z.literal('constant'),
      valueMs: nonNegMs('the fixed duration, ms').default(1),
    }),
    z.strictObject({
      dist: z.literal('exponential'),
      meanMs: z.number().positive().default(1).describe('mean, ms'),
    }),
    z.strictObject({
      dist: z.literal('lognormal'),
      meanMs: z.number().positive().default(1).describe('mean, ms'),
      cv: z.number().positive().default(1).describe('coefficient of variation (stdev / mean), unitless'),
    }),
    z
      .strictObject({
        dist: z.literal('uniform'),
        minMs: nonNegMs('lower bound, ms').default(0),
        maxMs: nonNegMs('upper bound, ms').default(2),
      })
      .refine((u) => u.maxMs >= u.minMs, { message: 'expected maxMs ≥ minMs', path: ['maxMs'] }),
  ])
  .describe('a duration distribution: constant | exponential | lognormal | uniform');
export type DurationDist = z.infer<typeof DurationDistSchema>;

export const ArrivalSchema = z
  .discriminatedUnion('process', [
    z.strictObject({
      process: z.literal('poisson'),
      ratePerS: z.number().positive().default(100).describe('mean arrival rate, requests per second'),
    }),
    z.strictObject({
      process: z.literal('constant'),
      ratePerS: z.number().positive().default(100).describe('arrival rate, requests per second (fixed gaps)'),
    }),
  ])
  .describe('the arrival process: poisson | constant');
export type Arrival = z.infer<typeof ArrivalSchema>;

export const WorkloadSchema = z.strictObject({
  arrival: ArrivalSchema.default({ process: 'poisson', ratePerS: 100 }),
  request: z
    .strictObject({
      cpu: DurationDistSchema.default({ dist: 'exponential', meanMs: 1 }).describe(
        'CPU time each request needs, ms',
      ),
    })
    .prefault({})
    .describe('what one request does'),
});
export type Workload = z.infer<typeof WorkloadSchema>;

export const RuntimeSchema = z.strictObject({
  scheduler: z
    .enum(['ideal-fifo'])
    .default('ideal-fifo')
    .describe('ideal-fifo: one FIFO queue served by gomaxprocs Ps with no scheduling overhead (the M/M/c reference)'),
  gomaxprocs: z.number().int().min(1).max(1024).default(4).describe('number of Ps (GOMAXPROCS)'),
});
export type Runtime = z.infer<typeof RuntimeSchema>;

export const MetricsSchema = z.strictObject({
  sampleIntervalMs: z
    .number()
    .positive()
    .default(1000)
    .describe('time-series sampling interval, ms of simulated time'),
});

export const ScenarioSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit')
      .optional()
      .describe('scenario name, used for the results folder; default: the file name without extension'),
    description: z.string().default('').describe('free text: what this scenario shows'),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1).describe('master random seed (`run --seed` overrides)'),
    durationS: z.number().positive().max(1e6).default(60).describe('simulated duration, s'),
    warmupS: z
      .number()
      .nonnegative()
      .default(0)
      .describe('statistics ignore requests that arrive before this simulated time, s'),
    metrics: MetricsSchema.prefault({}).describe('what is recorded, and how often'),
    workload: WorkloadSchema.prefault({}).describe('the requests arriving at the pod'),
    runtime: RuntimeSchema.prefault({}).describe("the pod's Go runtime (scheduler model and its parameters)"),
  })
  .superRefine((s, ctx) => {
    // Only compare two values that are each valid on their own (their own errors are reported already).
    if (s.durationS > 0 && s.warmupS >= 0 && s.warmupS >= s.durationS) {
      ctx.addIssue({
        code: 'custom',
        path: ['warmupS'],
        message: `expected warmupS < durationS (${s.durationS}), found ${s.warmupS}`,
      });
    }
  });

/** A scenario with every default filled in (what `run` writes as scenario.resolved.yaml). */
export type Scenario = z.infer<typeof ScenarioSchema> & { name: string };
