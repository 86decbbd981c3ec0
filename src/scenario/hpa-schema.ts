import { z } from 'zod';
import { HPA_CONTROLLER_DEFAULTS as HPA } from '../autoscaler/hpa/horizontal.js';
import { MIN_CONTROL_PERIOD_S } from './shared-fields.js';

/**
 * The scenario's `hpa` block: a HorizontalPodAutoscaler in the autoscaling/v2 spec's shape (metrics with
 * their targets, behavior), so an SRE can paste the `spec` of a real HPA; Kubernetes quantities; the
 * metric names the simulator serves; validateMetricSpec's target checks.
 */

const QUANTITY = /^(\d+(?:\.\d+)?)(m|k|M|G|Ki|Mi|Gi)?$/;
const QUANTITY_SCALE: Record<string, number> = {
  m: 1,
  '': 1e3,
  k: 1e6,
  M: 1e9,
  G: 1e12,
  Ki: 1024e3,
  Mi: 1048576e3,
  Gi: 1073741824e3,
};

/** A Kubernetes quantity as in YAML: 200, "200", "500m", "1.5k", "256Mi". */
const QuantitySchema = z
  .union([z.number().nonnegative(), z.string().regex(QUANTITY, 'a quantity such as 200, "500m", "2k" or "256Mi"')])
  .describe(
    'a Kubernetes quantity (200, "500m", "2k", "256Mi"); kept as written so scenario.resolved.yaml re-reads the same',
  );

/** Quantity.MilliValue(): milli-units, rounded up. */
export function toMilli(q: number | string): number {
  if (typeof q === 'number') return Math.ceil(Math.round(q * 1e9) / 1e6);
  const m = QUANTITY.exec(q)!;
  return Math.ceil(Math.round(Number(m[1]) * QUANTITY_SCALE[m[2] ?? '']! * 1e6) / 1e6);
}

/** MetricTarget: the field that holds the value for each target type. */
const TARGET_VALUE_FIELD = { Utilization: 'averageUtilization', AverageValue: 'averageValue', Value: 'value' } as const;

const TargetSchema = z
  .strictObject({
    type: z.enum(['Utilization', 'AverageValue', 'Value']).describe('MetricTarget.type'),
    averageUtilization: z.number().int().positive().optional().describe('percent of the request (Utilization)'),
    averageValue: QuantitySchema.optional(),
    value: QuantitySchema.optional(),
  })
  .superRefine((t, ctx) => {
    const need = TARGET_VALUE_FIELD[t.type];
    if (t[need] === undefined)
      ctx.addIssue({ code: 'custom', path: [need], message: `expected ${need} for a ${t.type} target, found nothing` });
    // Kubernetes' validateMetricTarget (pkg/apis/autoscaling/validation/validation.go): "must be positive".
    for (const k of ['averageValue', 'value'] as const) {
      const q = t[k];
      if (q !== undefined && toMilli(q) <= 0)
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: `expected a positive quantity (Kubernetes: must be positive), found ${JSON.stringify(q)}`,
        });
    }
  })
  .describe('MetricTarget: the value the HPA keeps the metric at (type names which of the fields below holds it)');

/** Per-pod metrics the simulator exports (the `go_goroutines`-style series an adapter would serve). */
export const POD_METRIC_NAMES = [
  'go_goroutines',
  'http_requests_in_flight',
  'http_requests_per_second',
  'go_sched_runnable_goroutines',
  'go_gc_cpu_fraction',
  'go_gc_pause_fraction',
  'http_request_duration_p99_ms',
  'go_sql_in_use_connections',
  'go_sql_idle_connections',
  'go_sql_wait_duration_seconds',
] as const;

/** Metrics of the Service object (Object metrics) and of the ingress in front of it (External metrics). */
export const OBJECT_METRIC_NAMES = ['requests_per_second'] as const;
export const EXTERNAL_METRIC_NAMES = ['ingress_requests_per_second', 'ingress_latency_p99_ms'] as const;
export type ObjectMetricName = (typeof OBJECT_METRIC_NAMES)[number];
export type ExternalMetricName = (typeof EXTERNAL_METRIC_NAMES)[number];

export const MetricSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('Resource'),
    resource: z
      .strictObject({
        name: z
          .enum(['cpu', 'memory'])
          .describe(
            "the resource: cpu (cores, usage over cpuWindowS) or memory (bytes: the pod's heap + stacks + " +
              'runtime overhead)',
          ),
        target: TargetSchema,
      })
      .describe("ResourceMetricSource: a resource of the pod's containers, as metrics-server reports it"),
  }),
  z.strictObject({
    type: z.literal('ContainerResource'),
    containerResource: z
      .strictObject({
        name: z.enum(['cpu', 'memory']).describe('the resource of one container'),
        container: z.string().min(1).default('app').describe("the container (the pod has one, named 'app')"),
        target: TargetSchema,
      })
      .describe('ContainerResourceMetricSource: a resource of one named container'),
  }),
  z.strictObject({
    type: z.literal('Object'),
    object: z
      .strictObject({
        describedObject: z
          .strictObject({
            apiVersion: z.string().default('v1').describe('API version of the object'),
            kind: z.literal('Service').default('Service').describe('kind of the object (the simulated Service)'),
            name: z.string().default('app').describe('name of the object'),
          })
          .prefault({})
          .describe("the object the metric describes (the Deployment's Service)"),
        metric: z
          .strictObject({
            name: z
              .enum(OBJECT_METRIC_NAMES)
              .describe(
                `object metric: ${OBJECT_METRIC_NAMES.join(', ')} (requests/s reaching the Service over rateWindowS)`,
              ),
          })
          .describe('MetricIdentifier: which metric of the object'),
        target: TargetSchema,
      })
      .describe('ObjectMetricSource: a metric describing one Kubernetes object'),
  }),
  z.strictObject({
    type: z.literal('External'),
    external: z
      .strictObject({
        metric: z
          .strictObject({
            name: z
              .enum(EXTERNAL_METRIC_NAMES)
              .describe(
                `external metric: ${EXTERNAL_METRIC_NAMES.join(', ')} (the ingress request rate, or its p99 ` +
                  `latency in ms, over rateWindowS)`,
              ),
          })
          .describe('MetricIdentifier: which external metric'),
        target: TargetSchema,
      })
      .describe('ExternalMetricSource: a metric from outside the cluster (here: the ingress in front of the Service)'),
  }),
  z.strictObject({
    type: z.literal('Pods'),
    pods: z
      .strictObject({
        metric: z
          .strictObject({
            name: z
              .enum(POD_METRIC_NAMES)
              .describe(
                `per-pod metric: ${POD_METRIC_NAMES.join(', ')} (run-queue length, GC CPU fraction and GC ` +
                  `stop-the-world pause fraction come from the pod's Go runtime; the p99 is over rateWindowS)`,
              ),
          })
          .describe('MetricIdentifier: which per-pod metric'),
        target: TargetSchema,
      })
      .describe('PodsMetricSource: a custom metric of every pod, averaged'),
  }),
]);
export type MetricSpec = z.infer<typeof MetricSpecSchema>;
type TargetType = 'Utilization' | 'AverageValue' | 'Value';

/** The target types validateMetricSpec accepts per metric source type. */
const ACCEPTED_TARGETS: Record<MetricSpec['type'], readonly TargetType[]> = {
  Resource: ['Utilization', 'AverageValue'],
  ContainerResource: ['Utilization', 'AverageValue'],
  Pods: ['AverageValue'],
  Object: ['Value', 'AverageValue'],
  External: ['Value', 'AverageValue'],
};

/** The key a metric spec keeps its source under, and its target's type. */
function metricTarget(m: MetricSpec): { key: string; type: TargetType } {
  switch (m.type) {
    case 'Resource':
      return { key: 'resource', type: m.resource.target.type };
    case 'ContainerResource':
      return { key: 'containerResource', type: m.containerResource.target.type };
    case 'Pods':
      return { key: 'pods', type: m.pods.target.type };
    case 'Object':
      return { key: 'object', type: m.object.target.type };
    case 'External':
      return { key: 'external', type: m.external.target.type };
    default: {
      const unhandled: never = m;
      throw new Error(`hpa: unhandled metric source ${JSON.stringify(unhandled)}`);
    }
  }
}

const PolicySchema = z.strictObject({
  type: z
    .enum(['Pods', 'Percent'])
    .describe('HPAScalingPolicy.type: limit the change to value pods, or value percent of the current size'),
  value: z.number().int().positive().describe('pods or percent allowed per period'),
  periodSeconds: z.number().int().min(1).max(1800).describe('the window the limit applies to, s'),
});

const RulesSchema = z.strictObject({
  stabilizationWindowSeconds: z
    .number()
    .int()
    .min(0)
    .max(3600)
    .optional()
    .describe('window of past recommendations to stabilize over, s (default up 0, down the controller flag)'),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional().describe('which policy wins (default Max)'),
  policies: z
    .array(PolicySchema)
    .min(1)
    .optional()
    .describe(
      'rate limits {type: Pods | Percent, value, periodSeconds} (default up: 4 Pods and 100 Percent per 15 s; ' +
        'down: 100 Percent per 15 s)',
    ),
  tolerance: z.number().nonnegative().optional().describe('per-HPA tolerance (KEP-4951)'),
});

export const BehaviorSchema = z.strictObject({
  scaleUp: RulesSchema.optional().describe('scale-up rules'),
  scaleDown: RulesSchema.optional().describe('scale-down rules'),
});

/**
 * validateMetricSpec: Resource takes Utilization or AverageValue; Pods AverageValue; Object and External Value or
 * AverageValue.
 */
export function checkMetricTargets(
  metrics: readonly MetricSpec[],
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  metrics.forEach((m, i) => {
    const { key, type } = metricTarget(m);
    if (!ACCEPTED_TARGETS[m.type].includes(type)) {
      const accepted = ACCEPTED_TARGETS[m.type].join(' | ');
      const message =
        `expected a target type Kubernetes accepts for ${m.type} metrics, found ${type} ` + `(accepted: ${accepted})`;
      ctx.addIssue({ code: 'custom', path: [...path, i, key, 'target', 'type'], message });
    }
  });
}

export const HpaSchema = z
  .strictObject({
    minReplicas: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(1)
      .describe("lower bound (≥ 1; scale to zero is KEDA's job here)"),
    maxReplicas: z.number().int().min(1).max(10_000).describe('upper bound (required, as in Kubernetes)'),
    metrics: z
      .array(MetricSpecSchema)
      .min(1)
      .default([
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      ])
      .describe(
        'autoscaling/v2 metrics: Resource cpu (Utilization | AverageValue) or Pods (AverageValue); default cpu 80%',
      ),
    behavior: BehaviorSchema.optional().describe(
      'autoscaling/v2 behavior; absent = the legacy algorithm (5-minute downscale window, max(2x, 4) scale-up cap)',
    ),
    controller: z
      .strictObject({
        syncPeriodS: z
          .number()
          .min(MIN_CONTROL_PERIOD_S)
          .default(HPA.syncPeriodS)
          .describe('--horizontal-pod-autoscaler-sync-period, s'),
        tolerance: z.number().nonnegative().default(HPA.tolerance).describe('--horizontal-pod-autoscaler-tolerance'),
        downscaleStabilizationS: z
          .number()
          .nonnegative()
          .default(HPA.downscaleStabilizationS)
          .describe('--horizontal-pod-autoscaler-downscale-stabilization, s'),
        cpuInitializationPeriodS: z
          .number()
          .nonnegative()
          .default(HPA.cpuInitializationPeriodS)
          .describe('--horizontal-pod-autoscaler-cpu-initialization-period, s'),
        initialReadinessDelayS: z
          .number()
          .nonnegative()
          .default(HPA.initialReadinessDelayS)
          .describe('--horizontal-pod-autoscaler-initial-readiness-delay, s'),
      })
      .prefault({})
      .describe('kube-controller-manager flags of the HPA controller'),
  })
  .superRefine((h, ctx) => {
    if (h.minReplicas > h.maxReplicas) {
      ctx.addIssue({
        code: 'custom',
        path: ['minReplicas'],
        message: `expected minReplicas ≤ maxReplicas (${h.maxReplicas}), found ${h.minReplicas}`,
      });
    }
    checkMetricTargets(h.metrics, ['metrics'], ctx);
  })
  .describe('a HorizontalPodAutoscaler on the Deployment (absent: fixed replicas)');
export type Hpa = z.infer<typeof HpaSchema>;
