import { z } from 'zod';
import { BehaviorSchema, checkMetricTargets, type Hpa, MetricSpecSchema } from './hpa-schema.js';
import { GomaxprocsSchema } from './shared-fields.js';

/*
 * The scenario's `timeline`: what happens to the cluster at given times (rollouts, kubectl scale, HPA
 * edits, runtime settings), and its cross-field checks.
 */

/** Something that happens to the cluster at a given time (kubectl, a CD pipeline, a cron scaler). */
export const TimelineEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('rollout').describe('a new pod template (new image): the Deployment rolls to a new ReplicaSet'),
    atS: z.number().nonnegative().describe('when, simulated s'),
  }),
  z.strictObject({
    type: z
      .literal('scale')
      .describe('kubectl scale: set spec.replicas (an autoscaler may change it again at its next sync)'),
    atS: z.number().nonnegative().describe('when, simulated s'),
    replicas: z.number().int().min(0).max(10_000).describe('the new spec.replicas'),
  }),
  z.strictObject({
    type: z
      .literal('hpa')
      .describe(
        'edit the HPA (kubectl apply): new minReplicas / maxReplicas (a minReplicas schedule, as a CronJob ' +
          'does), metrics (targets) or behavior, from its next sync on',
      ),
    atS: z.number().nonnegative().describe('when, simulated s'),
    minReplicas: z.number().int().min(1).max(10_000).optional().describe('the new minReplicas'),
    maxReplicas: z.number().int().min(1).max(10_000).optional().describe('the new maxReplicas'),
    metrics: z
      .array(MetricSpecSchema)
      .min(1)
      .optional()
      .describe('the new spec.metrics (replaces the list: a new target is a new list)'),
    behavior: BehaviorSchema.optional().describe(
      'the new spec.behavior (replaces it; the recommendations already recorded are kept)',
    ),
  }),
  z.strictObject({
    type: z
      .literal('runtime')
      .describe(
        "change the Go runtime's settings in every running container, as debug.SetGCPercent, " +
          'debug.SetMemoryLimit and runtime.GOMAXPROCS do, and in every container started later',
      ),
    atS: z.number().nonnegative().describe('when, simulated s'),
    gomaxprocs: GomaxprocsSchema.optional().describe(
      'the new GOMAXPROCS of containers started from now on, and with gomaxprocsApplies running-containers of ' +
        'every running container too',
    ),
    gomaxprocsApplies: z
      .enum(['new-containers', 'running-containers'])
      .default('new-containers')
      .describe(
        'new-containers: only containers started from now on (an env change: it takes a rollout); ' +
          'running-containers: every running container calls runtime.GOMAXPROCS(n) now (stop the world, ' +
          'procresize: Ps destroyed or created, their run queues and timers moved), and later ones start with n',
      ),
    gc: z
      .strictObject({
        gogc: z
          .union([z.number().int().min(0), z.literal('off')])
          .optional()
          .describe('the new GOGC (debug.SetGCPercent; off = -1)'),
        memoryLimitMB: z.number().positive().optional().describe('the new GOMEMLIMIT, MiB (debug.SetMemoryLimit)'),
      })
      .optional()
      .describe('garbage-collector settings'),
  }),
]);
export type TimelineEvent = z.infer<typeof TimelineEventSchema>;

/** Cross-field checks of the timeline: an hpa edit needs an hpa, and keeps minReplicas ≤ maxReplicas. */
export function checkTimeline(timeline: readonly TimelineEvent[], hpa: Hpa | undefined, ctx: z.RefinementCtx): void {
  let min = hpa?.minReplicas ?? 1;
  let max = hpa?.maxReplicas ?? 1;
  const order = timeline.map((_e, i) => i).sort((a, b) => timeline[a]!.atS - timeline[b]!.atS || a - b);
  for (const i of order) {
    const e = timeline[i]!;
    if (e.type === 'runtime' && e.gomaxprocsApplies === 'running-containers' && e.gomaxprocs === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeline', i, 'gomaxprocs'],
        message: 'expected a gomaxprocs for gomaxprocsApplies running-containers, found none',
      });
    }
    if (e.type !== 'hpa') continue;
    if (e.metrics) checkMetricTargets(e.metrics, ['timeline', i, 'metrics'], ctx);
    if (!hpa) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeline', i, 'type'],
        message: 'expected an hpa block for an hpa timeline event, found none',
      });
      continue;
    }
    min = e.minReplicas ?? min;
    max = e.maxReplicas ?? max;
    if (min > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeline', i, 'minReplicas'],
        message: `expected minReplicas ≤ maxReplicas (${max}) from ${e.atS} s, found ${min}`,
      });
    }
  }
}
