import { z } from 'zod';
import { HPA_CONTROLLER_DEFAULTS as HPA } from '../autoscaler/hpa/horizontal.js';
import { cronProblem } from '../autoscaler/keda/cron.js';
import { MIN_CONTROL_PERIOD_S } from './shared-fields.js';

/** The scenario's `keda` block: a KEDA ScaledObject (its trigger, cron triggers and the HPA it generates). */
export const KedaSchema = z
  .strictObject({
    pollingIntervalS: z
      .number()
      .min(MIN_CONTROL_PERIOD_S)
      .default(30)
      .describe('how often KEDA checks the trigger (activation, 0 <-> 1), s'),
    cooldownPeriodS: z
      .number()
      .nonnegative()
      .default(300)
      .describe('time since the trigger was last active before scaling to minReplicaCount (0), s'),
    minReplicaCount: z.number().int().min(0).default(0).describe('replicas when idle (0 = scale to zero)'),
    maxReplicaCount: z.number().int().min(1).max(10_000).default(100).describe('upper bound of the HPA KEDA creates'),
    trigger: z
      .strictObject({
        metric: z
          .literal('ingress_requests_per_second')
          .default('ingress_requests_per_second')
          .describe('requests/s reaching the Service (a Prometheus ingress query: it exists with zero pods)'),
        threshold: z
          .number()
          .positive()
          .default(100)
          .describe('target value per replica: the HPA gets an External AverageValue target'),
        activationThreshold: z.number().nonnegative().default(0).describe('the trigger is active above this value'),
      })
      .prefault({})
      .describe('the scaler (a Prometheus-style trigger on the ingress request rate)'),
    hpaSyncPeriodS: z
      .number()
      .min(MIN_CONTROL_PERIOD_S)
      .default(HPA.syncPeriodS)
      .describe("the generated HPA's controller sync period, s"),
    cron: z
      .array(
        z.strictObject({
          timezone: z
            .string()
            .min(1)
            .describe('IANA time zone the schedules are read in ("UTC", "Europe/Berlin"), as time.LoadLocation'),
          start: z
            .string()
            .min(1)
            .describe(
              'cron expression (minute hour day-of-month month day-of-week, or @daily …) at which the window opens',
            ),
          end: z.string().min(1).describe('cron expression at which the window closes'),
          desiredReplicas: z
            .number()
            .int()
            .min(1)
            .max(10_000)
            .describe('replicas the trigger asks for while its window is open (1 outside it)'),
        }),
      )
      .default([])
      .describe(
        "KEDA cron triggers (pkg/scalers/cron_scaler.go), read against the scenario's clockStart: while a " +
          'window is open the trigger is active and its External metric (AverageValue target 1) asks for ' +
          'desiredReplicas; the generated HPA takes the largest of its metrics',
      ),
  })
  .superRefine((k, ctx) => {
    k.cron.forEach((c, i) => {
      for (const key of ['start', 'end'] as const) {
        const problem = cronProblem(c[key], c.timezone);
        if (problem !== undefined) {
          const path = problem.includes('time zone') ? ['cron', i, 'timezone'] : ['cron', i, key];
          ctx.addIssue({ code: 'custom', path, message: problem });
          if (problem.includes('time zone')) break;
        }
      }
    });
    if (k.minReplicaCount > k.maxReplicaCount)
      ctx.addIssue({
        code: 'custom',
        path: ['minReplicaCount'],
        message: `expected minReplicaCount ≤ maxReplicaCount (${k.maxReplicaCount}), found ${k.minReplicaCount}`,
      });
  })
  .describe(
    'a KEDA ScaledObject on the Deployment (scales 0 <-> 1 itself, 1 <-> N through an HPA); exclusive with hpa',
  );
export type Keda = z.infer<typeof KedaSchema>;
