import { z } from 'zod';

/** Largest lognormal cv: 1000 already puts half the mass below mean / 10^3 (σ ≈ 3.7). */
export const MAX_CV = 1000;

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
      cv: z
        .number()
        .positive()
        .max(MAX_CV)
        .default(1)
        .describe(
          `coefficient of variation (stdev / mean), unitless (at most ${MAX_CV}: beyond, σ² = ln(1 + cv²) ` +
            `overflows what a double can draw)`,
        ),
    }),
    z
      .strictObject({
        dist: z.literal('uniform'),
        minMs: nonNegMs('lower bound, ms').default(0),
        maxMs: nonNegMs('upper bound, ms').default(2),
      })
      .refine((u) => u.maxMs >= u.minMs, { message: 'expected maxMs ≥ minMs', path: ['maxMs'] }),
    z
      .strictObject({
        dist: z.literal('empirical'),
        samplesMs: z
          .array(z.number().nonnegative())
          .min(1)
          .optional()
          .describe('observed durations, ms: each draw picks one at random (a bootstrap of your measurements)'),
        file: z
          .string()
          .min(1)
          .optional()
          .describe(
            'or a CSV/text file of observed durations in ms, one per line (relative to the scenario file; ' +
              'becomes samplesMs when loaded)',
          ),
      })
      .refine((e) => (e.samplesMs === undefined) !== (e.file === undefined), {
        message: 'expected exactly one of samplesMs or file',
      }),
  ])
  .describe('a duration distribution: constant | exponential | lognormal | uniform | empirical');
export type DurationDist = z.infer<typeof DurationDistSchema>;

/** The size of each object an alloc step makes: mallocgc's cost is per object (runtime/gmp/malloc.ts). */
const objectBytes = () =>
  z
    .number()
    .int()
    .min(1)
    .max(1 << 30)
    .default(64)
    .describe(
      'bytes per object (the step allocates its bytes as objects this big; mallocgc is charged per object, plus ' +
        'zeroing at the size class), B',
    );

export const AllocSizeSchema = z
  .discriminatedUnion('dist', [
    z.strictObject({
      dist: z.literal('constant'),
      valueKB: z.number().positive().default(64).describe('bytes allocated, KiB'),
      objectBytes: objectBytes(),
    }),
    z.strictObject({
      dist: z.literal('exponential'),
      meanKB: z.number().positive().default(64).describe('mean bytes allocated, KiB'),
      objectBytes: objectBytes(),
    }),
  ])
  .describe('an allocation size distribution: constant | exponential');
export type AllocSize = z.infer<typeof AllocSizeSchema>;
