import { z } from 'zod';
import { DurationDistSchema } from './distribution-schema.js';

/** The arrival processes that are k6 executors (they time requests out after K6_TIMEOUT_MS by default). */
export const K6_PROCESSES: readonly string[] = ['constant-vus', 'ramping-vus', 'ramping-arrival-rate'];

/** k6's default request timeout (the `timeout` request parameter), ms. */
export const K6_TIMEOUT_MS = 60_000;

/** Most virtual users one k6-style executor may run (each keeps a few numbers of state). */
export const MAX_VUS = 100_000;

const vusStages = z
  .array(
    z.strictObject({
      durationS: z.number().positive().describe("the stage's length, s (k6 `duration`)"),
      target: z
        .number()
        .int()
        .min(0)
        .max(MAX_VUS)
        .describe('virtual users at the end of the stage, reached by a linear ramp (k6 `target`)'),
    }),
  )
  .min(1);
const thinkTime = DurationDistSchema.default({ dist: 'constant', valueMs: 0 }).describe(
  "a virtual user's pause after each response (or timeout) before its next request (k6 `sleep()`, a user's " +
    'think time; 0 = `hey -c N`)',
);

/**
 * k6's executors (lib/executor: constant_vus.go, ramping_vus.go, ramping_arrival_rate.go), named as k6 names
 * them. The two VU executors are closed-loop: a user sends its next request only after the previous one ended
 * (response, or workload.client.timeoutMs, k6's 60 s by default) and its think time. src/workload/virtual-users.ts.
 */
const CLOSED_LOOP_ARRIVALS = [
  z.strictObject({
    process: z.literal('constant-vus'),
    vus: z
      .number()
      .int()
      .min(1)
      .max(MAX_VUS)
      .default(10)
      .describe('virtual users, each looping request → response → think time (k6 `vus`; `hey -c`)'),
    thinkTime,
  }),
  z.strictObject({
    process: z.literal('ramping-vus'),
    startVUs: z.number().int().min(0).max(MAX_VUS).default(1).describe('virtual users at time 0 (k6 `startVUs`)'),
    stages: vusStages.describe(
      'linear ramps of the number of users, one after another; after the last stage no user starts a request (k6)',
    ),
    thinkTime,
  }),
  z
    .strictObject({
      process: z.literal('ramping-arrival-rate'),
      startRatePerS: z
        .number()
        .nonnegative()
        .default(0)
        .describe('iterations (requests) started per second at time 0 (k6 `startRate` / `timeUnit`)'),
      stages: z
        .array(
          z.strictObject({
            durationS: z.number().positive().describe("the stage's length, s (k6 `duration`)"),
            targetPerS: z
              .number()
              .nonnegative()
              .describe('iterations per second at the end of the stage, reached by a linear ramp (k6 `target`)'),
          }),
        )
        .min(1)
        .describe(
          'open-loop rate ramps; iterations start at evenly spaced times (not Poisson), none after the last stage',
        ),
      preAllocatedVUs: z
        .number()
        .int()
        .min(1)
        .max(MAX_VUS)
        .default(10)
        .describe('virtual users allocated before the run (k6 `preAllocatedVUs`)'),
      maxVUs: z
        .number()
        .int()
        .min(1)
        .max(MAX_VUS)
        .optional()
        .describe(
          'most iterations in flight at once: when every VU is busy an iteration is dropped (k6 ' +
            '`dropped_iterations`); default preAllocatedVUs',
        ),
    })
    .refine((p) => p.maxVUs === undefined || p.maxVUs >= p.preAllocatedVUs, {
      message: 'expected maxVUs ≥ preAllocatedVUs (k6 refuses a smaller maxVUs)',
      path: ['maxVUs'],
    }),
] as const;

export const ArrivalSchema = z
  .discriminatedUnion('process', [
    z.strictObject({
      process: z.literal('poisson'),
      ratePerS: z.number().positive().default(100).describe('mean arrival rate, requests per second'),
    }),
    z.strictObject({
      process: z.literal('trace'),
      file: z
        .string()
        .min(1)
        .describe(
          "a CSV (a header line is allowed; Grafana's CSV export works) or a Prometheus query_range JSON " +
            'response, relative to the scenario file; see `format`',
        ),
      format: z
        .enum(['rates', 'counter', 'timestamps'])
        .default('rates')
        .describe(
          'rates: (time, requests/s) rows replayed as a piecewise-constant Poisson rate (becomes `steps` when ' +
            "loaded); counter: (time, request counter) samples, turned into rates as Prometheus' rate() does " +
            '(resets included); timestamps: one request arrival time per row, replayed exactly (becomes ' +
            '`timestamps`). Times: seconds from the start, Unix seconds or milliseconds, RFC 3339 or ' +
            'Grafana\'s "YYYY-MM-DD HH:MM:SS"; absolute times are rebased so the first is t = 0',
        ),
      fileType: z
        .enum(['csv', 'prometheus-json'])
        .optional()
        .describe(
          'csv or prometheus-json (a /api/v1/query_range response); default: prometheus-json for a .json file, ' +
            'else csv',
        ),
      timeColumn: z
        .union([z.string().min(1), z.number().int().min(0)])
        .optional()
        .describe('CSV column of the times: a header name or a 0-based index (default 0)'),
      valueColumn: z
        .union([z.string().min(1), z.number().int().min(0)])
        .optional()
        .describe('CSV column of the rates or counter values: a header name or a 0-based index (default 1)'),
      series: z
        .union([z.literal('sum'), z.number().int().min(0)])
        .optional()
        .describe(
          'a Prometheus response with several series: sum adds them up, an index picks one (absent: exactly one ' +
            'series expected)',
        ),
      rateScale: z
        .number()
        .positive()
        .max(1_000_000)
        .default(1)
        .describe("multiply the trace's rates by this (what if traffic doubles?); rates and counter only"),
    }),
    z
      .strictObject({
        process: z.literal('timestamps'),
        source: z.string().optional().describe('the trace file these times were read from (informational)'),
        atS: z
          .array(z.number().nonnegative())
          .min(1)
          .describe('arrival times, s, in non-decreasing order: one request each'),
      })
      .refine((p) => p.atS.every((t, i) => i === 0 || t >= p.atS[i - 1]!), {
        message: 'expected arrival times in non-decreasing order',
        path: ['atS'],
      }),
    z
      .strictObject({
        process: z.literal('steps'),
        source: z.string().optional().describe('the trace file these steps were read from (informational)'),
        steps: z
          .array(
            z.strictObject({
              atS: z.number().nonnegative().describe('from this simulated time, s'),
              ratePerS: z.number().nonnegative().describe('Poisson rate from then on, requests per second'),
            }),
          )
          .min(1)
          .default([{ atS: 0, ratePerS: 100 }])
          .describe('rate changes in time order (a flash crowd: a low rate, then a high one)'),
      })
      .refine((p) => p.steps.every((st, i) => i === 0 || st.atS > p.steps[i - 1]!.atS), {
        message: 'expected steps in increasing atS',
        path: ['steps'],
      }),
    z.strictObject({
      process: z.literal('diurnal'),
      meanPerS: z.number().positive().default(100).describe('mean rate, requests per second'),
      amplitudePerS: z
        .number()
        .nonnegative()
        .default(50)
        .describe('the rate swings ± this around the mean (at most the mean)'),
      periodS: z
        .number()
        .min(0.001)
        .default(86_400)
        .describe('one cycle, s (a day by default; shorten it to see cycles in short runs)'),
      peakAtS: z.number().nonnegative().default(0).describe('time of a peak, s'),
    }),
    z
      .strictObject({
        process: z.literal('mmpp'),
        states: z
          .array(
            z.strictObject({
              ratePerS: z.number().nonnegative().describe('Poisson rate in this state, requests per second'),
              meanDurationS: z.number().min(1e-6).describe('mean (exponential) time spent in the state, s'),
            }),
          )
          .min(2)
          .default([
            { ratePerS: 100, meanDurationS: 60 },
            { ratePerS: 500, meanDurationS: 10 },
          ])
          .describe(
            'Markov-modulated Poisson bursts: states visited in turn (the first at time 0), each with its rate',
          ),
      })
      .refine((p) => p.states.some((x) => x.ratePerS > 0), {
        message: 'expected at least one state with ratePerS > 0',
        path: ['states'],
      }),
    z.strictObject({
      process: z.literal('constant'),
      ratePerS: z
        .number()
        .positive()
        .default(100)
        .describe('arrival rate, requests per second (fixed gaps, the first at time 0)'),
    }),
    ...CLOSED_LOOP_ARRIVALS,
  ])
  .describe(
    'the arrival process: poisson | steps | trace | timestamps | diurnal | mmpp | constant | constant-vus | ' +
      'ramping-vus | ramping-arrival-rate',
  );
export type Arrival = z.infer<typeof ArrivalSchema>;
