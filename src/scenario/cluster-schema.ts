import { z } from 'zod';
import { HPA_CONTROLLER_DEFAULTS as HPA } from '../autoscaler/hpa/horizontal.js';
import { cronProblem } from '../autoscaler/keda/cron.js';

export type { Fault, FaultContext, FaultTarget, FaultTargetKind, FaultType } from './fault-schema.js';
export { checkFaults, FAULT_TARGETS, FaultSchema, FaultTargetSchema } from './fault-schema.js';

/**
 * Floor of every controller, scrape and polling period, s (1 ms of simulated time): a period that rounds
 * to 0 ns would fire forever at t = 0. Real controllers run at seconds; 1 ms leaves room for experiments.
 */
export const MIN_CONTROL_PERIOD_S = 0.001;

/**
 * Scenario blocks for the cluster around the pods: the Deployment and its Service, the metrics
 * pipeline, and the HorizontalPodAutoscaler. The `hpa` block follows the autoscaling/v2 spec's shape
 * (metrics, behavior) so an SRE can paste the `spec` of a real HPA and only adjust the indentation.
 */

/**
 * A new pod's way to Ready, phase by phase (kubelet's syncPod order): scheduling → image pull (skipped
 * when the node already holds the image) → init containers → process start (Running) → application
 * initialisation → Ready. A container restarted in place pays only process start and initialisation.
 */
export const StartupPhasesSchema = z.strictObject({
  schedulingS: z
    .number()
    .nonnegative()
    .default(1)
    .describe('kube-scheduler: from creation (or from room appearing) to bound to a node, s'),
  imageSizeMB: z
    .number()
    .positive()
    .default(200)
    .describe("the container image's compressed size, MB (pulled once per node: nodes.imagePullMBps)"),
  initContainersS: z
    .number()
    .nonnegative()
    .default(0)
    .describe('init containers, run one after another before the app container, s in all'),
  processStartS: z
    .number()
    .nonnegative()
    .default(1)
    .describe('container create and process start until the container is Running, s'),
  appInitializationS: z
    .number()
    .nonnegative()
    .default(5)
    .describe('the application initialising after Running (config, connections, caches) before it can serve, s'),
});
export type StartupPhases = z.infer<typeof StartupPhasesSchema>;

/** A core/v1 Probe's timing and thresholds (defaults of SetDefaults_Probe); the handler is an HTTP GET. */
const ProbeSchema = z.strictObject({
  initialDelaySeconds: z.number().int().min(0).default(0).describe('no probe until the container has run this long, s'),
  periodSeconds: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('a probe every this many s (the grid starts when the kubelet gets the pod)'),
  timeoutSeconds: z.number().int().min(1).default(1).describe('a probe without a response after this long fails, s'),
  successThreshold: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe('consecutive successes to count as Success (1 for liveness and startup)'),
  failureThreshold: z.number().int().min(1).default(3).describe('consecutive failures to count as Failure'),
});
export type Probe = z.infer<typeof ProbeSchema>;

/** With probes and no startupPhases the phases take their defaults: probes need a Running container to probe. */
export function startupPhasesOf(pod: Cluster['pod']): StartupPhases | undefined {
  if (pod.startupPhases) return pod.startupPhases;
  if (pod.startupProbe || pod.readinessProbe || pod.livenessProbe) return StartupPhasesSchema.parse({});
  return undefined;
}

/** An IntOrString of the Deployment spec: a count or a percentage ("25%"). */
const IntOrPercentSchema = z.union([
  z.number().int().min(0),
  z.string().regex(/^\d+%$/, 'a count or a percentage such as "25%"'),
]);
const isZero = (v: number | string) => v === 0 || v === '0%';

export const StrategySchema = z
  .strictObject({
    rollingUpdate: z
      .strictObject({
        maxSurge: IntOrPercentSchema.default('25%').describe(
          'pods above replicas during a rollout (a count, or a percentage rounded up)',
        ),
        maxUnavailable: IntOrPercentSchema.default('25%').describe(
          'pods below replicas during a rollout (a count, or a percentage rounded down); not 0 when maxSurge is 0',
        ),
      })
      .prefault({})
      .superRefine((r, ctx) => {
        if (isZero(r.maxSurge) && isZero(r.maxUnavailable)) {
          ctx.addIssue({
            code: 'custom',
            path: ['maxUnavailable'],
            message: 'expected a value > 0: may not be 0 when `maxSurge` is 0',
          });
        }
        if (typeof r.maxUnavailable === 'string' && Number.parseInt(r.maxUnavailable, 10) > 100) {
          ctx.addIssue({
            code: 'custom',
            path: ['maxUnavailable'],
            message: `expected at most 100%, found ${r.maxUnavailable}`,
          });
        }
      })
      .describe('RollingUpdate parameters (the only strategy modelled)'),
  })
  .prefault({})
  .describe("the Deployment's update strategy, used by timeline rollouts");

export const ClusterSchema = z
  .strictObject({
    replicas: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(1)
      .describe('Deployment replicas at time 0 (all start Ready)'),
    loadBalancer: z
      .enum(['round-robin', 'random', 'least-outstanding'])
      .default('round-robin')
      .describe('how the Service spreads requests over Ready pods (kube-proxy iptables mode is random)'),
    pod: z
      .strictObject({
        cpuRequestCores: z
          .number()
          .positive()
          .default(1)
          .describe('resources.requests.cpu of the pod (what CPU utilization is relative to), cores'),
        memoryRequestMB: z
          .number()
          .positive()
          .default(256)
          .describe('resources.requests.memory of the pod (what memory utilization is relative to), MiB'),
        startupS: z
          .number()
          .nonnegative()
          .default(5)
          .describe('a new pod: scheduling, image pull and container start until Running, s'),
        readinessDelayS: z
          .number()
          .nonnegative()
          .default(5)
          .describe('Running until Ready (app warm-up and the first successful readiness probe), s'),
        terminationGracePeriodS: z
          .number()
          .nonnegative()
          .default(30)
          .describe(
            'a deleted pod finishes its in-flight requests for at most this long; those still running are lost',
          ),
        maxInFlightRequests: z
          .number()
          .int()
          .min(1)
          .max(10_000_000)
          .default(100_000)
          .describe(
            'a pod already serving this many requests refuses the next (its accept queue is full), so an overload cannot grow memory without bound; the summary counts them as cluster.overloadRefused',
          ),
        startupPhases: StartupPhasesSchema.optional().describe(
          'the start-up phases of a new pod, each with its own duration (absent: startupS and readinessDelayS)',
        ),
        startupProbe: ProbeSchema.optional().describe(
          'kubelet startupProbe: until it succeeds the other probes wait; failureThreshold failures restart the container',
        ),
        readinessProbe: ProbeSchema.optional().describe(
          'kubelet readinessProbe, a request queued with the traffic: Failure takes the pod out of the Service, Success puts it back',
        ),
        warmup: z
          .strictObject({
            initialMultiplier: z
              .number()
              .min(1)
              .max(1000)
              .default(3)
              .describe(
                "a request's CPU work takes this many times as long when the container becomes Ready (lazy initialisation, cold caches)",
              ),
            halfLifeS: z
              .number()
              .positive()
              .optional()
              .describe('the extra cost halves every this many s since the container first became Ready'),
            halfLifeRequests: z
              .number()
              .positive()
              .optional()
              .describe('… or every this many requests the container has accepted (use one of the two)'),
          })
          .superRefine((w, ctx) => {
            const n = (w.halfLifeS !== undefined ? 1 : 0) + (w.halfLifeRequests !== undefined ? 1 : 0);
            if (n !== 1)
              ctx.addIssue({
                code: 'custom',
                path: ['halfLifeS'],
                message: `expected one of halfLifeS or halfLifeRequests, found ${n === 0 ? 'neither' : 'both'}`,
              });
          })
          .optional()
          .describe(
            'warm-up after Ready: request CPU bursts cost 1 + (initialMultiplier − 1) · 2^(−x / half-life) times their warm cost; restarted containers start cold, the initial replicas warm (absent: always warm)',
          ),
        livenessProbe: ProbeSchema.optional().describe(
          'kubelet livenessProbe, a request queued with the traffic: Failure restarts the container (in-flight requests lost)',
        ),
      })
      .superRefine((p, ctx) => {
        for (const k of ['startupProbe', 'livenessProbe'] as const) {
          const t = p[k]?.successThreshold;
          if (t !== undefined && t !== 1) {
            ctx.addIssue({
              code: 'custom',
              path: [k, 'successThreshold'],
              message: `expected 1 (must be 1 for ${k}s), found ${t}`,
            });
          }
        }
      })
      .prefault({})
      .describe('the pod template'),
    strategy: StrategySchema,
    minReadySeconds: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('a Ready pod counts as available for a rollout only after this long, s'),
    nodes: z
      .strictObject({
        count: z
          .number()
          .int()
          .min(0)
          .max(10_000)
          .default(0)
          .describe('nodes pods can run on; 0 = unlimited (every pod is scheduled at once)'),
        allocatableCores: z
          .number()
          .positive()
          .default(4)
          .describe("each node's allocatable CPU: pods fit while their requests sum to at most this, cores"),
        imagePullMBps: z
          .number()
          .positive()
          .default(50)
          .describe(
            "each node's image pull bandwidth, MB/s (used with pod.startupPhases: a pull takes imageSizeMB ÷ this)",
          ),
        autoscaler: z
          .strictObject({
            minNodes: z.number().int().min(0).default(1).describe('the node pool never shrinks below this'),
            maxNodes: z.number().int().min(1).max(10_000).default(10).describe('the node pool never grows beyond this'),
            scanIntervalS: z
              .number()
              .min(MIN_CONTROL_PERIOD_S)
              .default(10)
              .describe('--scan-interval: how often it looks for Pending pods and unneeded nodes, s'),
            provisioningDelayS: z
              .number()
              .nonnegative()
              .default(180)
              .describe(
                'from the scale-up decision to the node being Ready for pods, s (GCE: "usually 3 to 4 minutes")',
              ),
            scaleDownUnneededS: z
              .number()
              .nonnegative()
              .default(600)
              .describe('--scale-down-unneeded-time: an empty node goes after this long, s'),
          })
          .optional()
          .describe('a cluster-autoscaler on the node pool (absent: a fixed count)'),
      })
      .prefault({})
      .superRefine((n, ctx) => {
        const a = n.autoscaler;
        if (a && n.count === 0)
          ctx.addIssue({
            code: 'custom',
            path: ['count'],
            message: 'expected count ≥ 1 with an autoscaler, found 0 (unlimited)',
          });
        if (a && a.minNodes > a.maxNodes) {
          ctx.addIssue({
            code: 'custom',
            path: ['autoscaler', 'minNodes'],
            message: `expected minNodes ≤ maxNodes (${a.maxNodes}), found ${a.minNodes}`,
          });
        }
        if (a && n.count > a.maxNodes) {
          ctx.addIssue({
            code: 'custom',
            path: ['count'],
            message: `expected count ≤ autoscaler.maxNodes (${a.maxNodes}), found ${n.count}`,
          });
        }
      })
      .describe('the nodes: a pod that fits nowhere stays Pending until room appears'),
    nodeCpuSharing: z
      .boolean()
      .default(false)
      .describe(
        "the threads of every pod on a node compete for its runtime.hostCpus cores (CFS between pods' cgroups, weighted by cpuRequestCores; each pod still throttled by its own cpuLimitCores quota): GOMAXPROCS 8 on a 4-core node does at most 4 cores of work, and the CPU metric is what the pod got. With nodes.count 0 each pod is alone on its own node. false: pods do not compete, each as if alone on its node — still never more threads on a CPU than its runtime.hostCpus",
      ),
  })
  .describe('the Deployment and Service the workload is sent to');
export type Cluster = z.infer<typeof ClusterSchema>;

export const MetricsPipelineSchema = z
  .strictObject({
    scrapeIntervalS: z
      .number()
      .min(MIN_CONTROL_PERIOD_S)
      .default(15)
      .describe('metrics-server / Prometheus scrape interval, s (metrics-server manifests ship 15 s)'),
    cpuWindowS: z
      .number()
      .min(MIN_CONTROL_PERIOD_S)
      .default(15)
      .describe('window of the CPU usage rate a scrape reports, s'),
    rateWindowS: z
      .number()
      .min(MIN_CONTROL_PERIOD_S)
      .default(60)
      .describe(
        'window of per-pod request rates and of the ingress rate and p99 (Prometheus rate(), histogram_quantile), s',
      ),
    adapterDelayS: z
      .number()
      .nonnegative()
      .default(0)
      .describe(
        "custom (Pods, Object) and External metrics reach the HPA this much later than they were scraped (the Prometheus adapter's relist and cache; 30–60 s is common), s; resource metrics (metrics-server) are not delayed",
      ),
  })
  .describe('how pod metrics reach the autoscaler');
export type MetricsPipeline = z.infer<typeof MetricsPipelineSchema>;

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

const MetricSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('Resource'),
    resource: z
      .strictObject({
        name: z
          .enum(['cpu', 'memory'])
          .describe(
            "the resource: cpu (cores, usage over cpuWindowS) or memory (bytes: the pod's heap + stacks + runtime overhead)",
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
                `external metric: ${EXTERNAL_METRIC_NAMES.join(', ')} (the ingress request rate, or its p99 latency in ms, over rateWindowS)`,
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
                `per-pod metric: ${POD_METRIC_NAMES.join(', ')} (run-queue length, GC CPU fraction and GC stop-the-world pause fraction come from the pod's Go runtime; the p99 is over rateWindowS)`,
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
      'rate limits {type: Pods | Percent, value, periodSeconds} (default up: 4 Pods and 100 Percent per 15 s; down: 100 Percent per 15 s)',
    ),
  tolerance: z.number().nonnegative().optional().describe('per-HPA tolerance (KEP-4951)'),
});

const BehaviorSchema = z.strictObject({
  scaleUp: RulesSchema.optional().describe('scale-up rules'),
  scaleDown: RulesSchema.optional().describe('scale-down rules'),
});

/** validateMetricSpec: Resource takes Utilization or AverageValue; Pods AverageValue; Object and External Value or AverageValue. */
function checkMetricTargets(metrics: readonly MetricSpec[], path: (string | number)[], ctx: z.RefinementCtx): void {
  metrics.forEach((m, i) => {
    const { key, type } = metricTarget(m);
    if (!ACCEPTED_TARGETS[m.type].includes(type)) {
      const accepted = ACCEPTED_TARGETS[m.type].join(' | ');
      const message = `expected a target type Kubernetes accepts for ${m.type} metrics, found ${type} (accepted: ${accepted})`;
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
        "KEDA cron triggers (pkg/scalers/cron_scaler.go), read against the scenario's clockStart: while a window is open the trigger is active and its External metric (AverageValue target 1) asks for desiredReplicas; the generated HPA takes the largest of its metrics",
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

export const DensitySchema = z
  .strictObject({
    targetGoroutinesPerPod: z
      .number()
      .positive()
      .default(100)
      .describe('ρ_target: goroutines per pod the controller steers to'),
    alpha: z
      .number()
      .nonnegative()
      .default(0.05)
      .describe(
        'α, 1/s: how fast ρ is pulled to the target (the discrete loop overshoots when α × periodS > 1 and diverges at ≥ 2)',
      ),
    beta: z
      .number()
      .nonnegative()
      .default(0)
      .describe(
        'β, 1/s: lowers the density aimed for by β·λ̂ of the target per second, λ̂ = per-pod arrival rate / referenceRatePerPodPerS (scale ahead of load)',
      ),
    referenceRatePerPodPerS: z
      .number()
      .positive()
      .default(100)
      .describe('the per-pod arrival rate, req/s, that counts as λ̂ = 1 in the β term'),
    gamma: z
      .number()
      .nonnegative()
      .default(0)
      .describe(
        "γ, 1/s per ms/s: raises the density aimed for by γ·σ_gc of the target per second, σ_gc = stop-the-world ms per second (the pods' mean go_gc_pause_fraction × 1000)",
      ),
    deadbandPct: z
      .number()
      .min(0)
      .max(100)
      .default(0)
      .describe('no proportional action while ρ is within ± this % of the target (0: none)'),
    periodS: z.number().min(MIN_CONTROL_PERIOD_S).default(15).describe('decision period, s'),
    minReplicas: z.number().int().min(1).default(1).describe('lower bound'),
    maxReplicas: z.number().int().min(1).max(10_000).default(100).describe('upper bound'),
    maxStepReplicas: z.number().int().min(1).default(4).describe('largest change in one decision'),
  })
  .superRefine((d, ctx) => {
    if (d.minReplicas > d.maxReplicas)
      ctx.addIssue({
        code: 'custom',
        path: ['minReplicas'],
        message: `expected minReplicas ≤ maxReplicas (${d.maxReplicas}), found ${d.minReplicas}`,
      });
  })
  .describe(
    'the goroutine-density controller, an alternative to hpa and keda: dx/dt = α(1 − x) − β·λ̂ + γ·σ_gc with x = ρ / ρ_target',
  );
export type Density = z.infer<typeof DensitySchema>;

/** The scenario keys that each configure an autoscaler (at most one per scenario). */
export const AUTOSCALER_KINDS = ['hpa', 'keda', 'densityController'] as const;
export type AutoscalerKind = (typeof AUTOSCALER_KINDS)[number];

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
        'edit the HPA (kubectl apply): new minReplicas / maxReplicas (a minReplicas schedule, as a CronJob does), metrics (targets) or behavior, from its next sync on',
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
        "change the Go runtime's settings in every running container, as debug.SetGCPercent, debug.SetMemoryLimit and runtime.GOMAXPROCS do, and in every container started later",
      ),
    atS: z.number().nonnegative().describe('when, simulated s'),
    gomaxprocs: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .optional()
      .describe(
        'the new GOMAXPROCS of containers started from now on, and with gomaxprocsApplies running-containers of every running container too',
      ),
    gomaxprocsApplies: z
      .enum(['new-containers', 'running-containers'])
      .default('new-containers')
      .describe(
        'new-containers: only containers started from now on (an env change: it takes a rollout); running-containers: every running container calls runtime.GOMAXPROCS(n) now (stop the world, procresize: Ps destroyed or created, their run queues and timers moved), and later ones start with n',
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
