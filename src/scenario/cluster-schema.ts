import { z } from 'zod';

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

export const ClusterSchema = z
  .strictObject({
    replicas: z.number().int().min(0).max(10_000).default(1).describe('Deployment replicas at time 0 (all start Ready)'),
    loadBalancer: z
      .enum(['round-robin', 'random', 'least-outstanding'])
      .default('round-robin')
      .describe('how the Service spreads requests over Ready pods (kube-proxy iptables mode is random)'),
    pod: z
      .strictObject({
        cpuRequestCores: z.number().positive().default(1).describe('resources.requests.cpu of the pod (what CPU utilization is relative to), cores'),
        memoryRequestMB: z.number().positive().default(256).describe('resources.requests.memory of the pod (what memory utilization is relative to), MiB'),
        startupS: z.number().nonnegative().default(5).describe('a new pod: scheduling, image pull and container start until Running, s'),
        readinessDelayS: z.number().nonnegative().default(5).describe('Running until Ready (app warm-up and the first successful readiness probe), s'),
        terminationGracePeriodS: z
          .number()
          .nonnegative()
          .default(30)
          .describe('a deleted pod finishes its in-flight requests for at most this long; those still running are lost'),
        maxInFlightRequests: z
          .number()
          .int()
          .min(1)
          .max(10_000_000)
          .default(100_000)
          .describe('a pod already serving this many requests refuses the next (its accept queue is full), so an overload cannot grow memory without bound; the summary counts them as cluster.overloadRefused'),
      })
      .prefault({})
      .describe('the pod template'),
    nodes: z
      .strictObject({
        count: z.number().int().min(0).max(10_000).default(0).describe('nodes pods can run on; 0 = unlimited (every pod is scheduled at once)'),
        allocatableCores: z.number().positive().default(4).describe("each node's allocatable CPU: pods fit while their requests sum to at most this, cores"),
      })
      .prefault({})
      .describe('the nodes: a pod that fits nowhere stays Pending until room appears'),
  })
  .describe('the Deployment and Service the workload is sent to');
export type Cluster = z.infer<typeof ClusterSchema>;

export const MetricsPipelineSchema = z
  .strictObject({
    scrapeIntervalS: z.number().min(MIN_CONTROL_PERIOD_S).default(15).describe('metrics-server / Prometheus scrape interval, s (metrics-server manifests ship 15 s)'),
    cpuWindowS: z.number().min(MIN_CONTROL_PERIOD_S).default(15).describe('window of the CPU usage rate a scrape reports, s'),
    rateWindowS: z.number().min(MIN_CONTROL_PERIOD_S).default(60).describe('window of per-pod request rates and of the ingress rate and p99 (Prometheus rate(), histogram_quantile), s'),
    adapterDelayS: z
      .number()
      .nonnegative()
      .default(0)
      .describe("custom (Pods, Object) and External metrics reach the HPA this much later than they were scraped (the Prometheus adapter's relist and cache; 30–60 s is common), s; resource metrics (metrics-server) are not delayed"),
  })
  .describe('how pod metrics reach the autoscaler');
export type MetricsPipeline = z.infer<typeof MetricsPipelineSchema>;

const QUANTITY = /^(\d+(?:\.\d+)?)(m|k|M|G|Ki|Mi|Gi)?$/;
const QUANTITY_SCALE: Record<string, number> = { m: 1, '': 1e3, k: 1e6, M: 1e9, G: 1e12, Ki: 1024e3, Mi: 1048576e3, Gi: 1073741824e3 };

/** A Kubernetes quantity as in YAML: 200, "200", "500m", "1.5k", "256Mi". */
const QuantitySchema = z
  .union([z.number().nonnegative(), z.string().regex(QUANTITY, 'a quantity such as 200, "500m", "2k" or "256Mi"')])
  .describe('a Kubernetes quantity (200, "500m", "2k", "256Mi"); kept as written so scenario.resolved.yaml re-reads the same');

/** Quantity.MilliValue(): milli-units, rounded up. */
export function toMilli(q: number | string): number {
  if (typeof q === 'number') return Math.ceil(Math.round(q * 1e9) / 1e6);
  const m = QUANTITY.exec(q)!;
  return Math.ceil(Math.round(Number(m[1]) * QUANTITY_SCALE[m[2] ?? '']! * 1e6) / 1e6);
}

const TargetSchema = z
  .strictObject({
    type: z.enum(['Utilization', 'AverageValue', 'Value']).describe('MetricTarget.type'),
    averageUtilization: z.number().int().positive().optional().describe('percent of the request (Utilization)'),
    averageValue: QuantitySchema.optional(),
    value: QuantitySchema.optional(),
  })
  .superRefine((t, ctx) => {
    const need = t.type === 'Utilization' ? 'averageUtilization' : t.type === 'AverageValue' ? 'averageValue' : 'value';
    if (t[need] === undefined) ctx.addIssue({ code: 'custom', path: [need], message: `expected ${need} for a ${t.type} target, found nothing` });
    // Kubernetes' validateMetricTarget (pkg/apis/autoscaling/validation/validation.go): "must be positive".
    for (const k of ['averageValue', 'value'] as const) {
      const q = t[k];
      if (q !== undefined && toMilli(q) <= 0) ctx.addIssue({ code: 'custom', path: [k], message: `expected a positive quantity (Kubernetes: must be positive), found ${JSON.stringify(q)}` });
    }
  });

/** Per-pod metrics the simulator exports (the `go_goroutines`-style series an adapter would serve). */
export const POD_METRIC_NAMES = [
  'go_goroutines',
  'http_requests_in_flight',
  'http_requests_per_second',
  'go_sched_runnable_goroutines',
  'go_gc_cpu_fraction',
  'go_gc_pause_fraction',
  'http_request_duration_p99_ms',
] as const;

/** Metrics of the Service object (Object metrics) and of the ingress in front of it (External metrics). */
export const OBJECT_METRIC_NAMES = ['requests_per_second'] as const;
export const EXTERNAL_METRIC_NAMES = ['ingress_requests_per_second', 'ingress_latency_p99_ms'] as const;

const MetricSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('Resource'),
    resource: z.strictObject({
      name: z.enum(['cpu', 'memory']).describe("the resource: cpu (cores, usage over cpuWindowS) or memory (bytes: the pod's heap + stacks + runtime overhead)"),
      target: TargetSchema,
    }),
  }),
  z.strictObject({
    type: z.literal('ContainerResource'),
    containerResource: z.strictObject({
      name: z.enum(['cpu', 'memory']).describe('the resource of one container'),
      container: z.string().min(1).default('app').describe("the container (the pod has one, named 'app')"),
      target: TargetSchema,
    }),
  }),
  z.strictObject({
    type: z.literal('Object'),
    object: z.strictObject({
      describedObject: z
        .strictObject({ apiVersion: z.string().default('v1'), kind: z.literal('Service').default('Service'), name: z.string().default('app') })
        .prefault({})
        .describe("the object the metric describes (the Deployment's Service)"),
      metric: z.strictObject({ name: z.enum(OBJECT_METRIC_NAMES).describe(`object metric: ${OBJECT_METRIC_NAMES.join(', ')} (requests/s reaching the Service over rateWindowS)`) }),
      target: TargetSchema,
    }),
  }),
  z.strictObject({
    type: z.literal('External'),
    external: z.strictObject({
      metric: z.strictObject({
        name: z.enum(EXTERNAL_METRIC_NAMES).describe(`external metric: ${EXTERNAL_METRIC_NAMES.join(', ')} (the ingress request rate, or its p99 latency in ms, over rateWindowS)`),
      }),
      target: TargetSchema,
    }),
  }),
  z.strictObject({
    type: z.literal('Pods'),
    pods: z.strictObject({
      metric: z.strictObject({
        name: z.enum(POD_METRIC_NAMES).describe(`per-pod metric: ${POD_METRIC_NAMES.join(', ')} (run-queue length, GC CPU fraction and GC stop-the-world pause fraction come from the pod's Go runtime; the p99 is over rateWindowS)`),
      }),
      target: TargetSchema,
    }),
  }),
]);
export type MetricSpec = z.infer<typeof MetricSpecSchema>;

const PolicySchema = z.strictObject({
  type: z.enum(['Pods', 'Percent']),
  value: z.number().int().positive(),
  periodSeconds: z.number().int().min(1).max(1800),
});

const RulesSchema = z.strictObject({
  stabilizationWindowSeconds: z.number().int().min(0).max(3600).optional().describe('window of past recommendations to stabilize over, s (default up 0, down the controller flag)'),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional().describe('which policy wins (default Max)'),
  policies: z.array(PolicySchema).min(1).optional().describe('rate limits {type: Pods | Percent, value, periodSeconds} (default up: 4 Pods and 100 Percent per 15 s; down: 100 Percent per 15 s)'),
  tolerance: z.number().nonnegative().optional().describe('per-HPA tolerance (KEP-4951)'),
});

export const HpaSchema = z
  .strictObject({
    minReplicas: z.number().int().min(1).max(10_000).default(1).describe('lower bound (≥ 1; scale to zero is KEDA\'s job here)'),
    maxReplicas: z.number().int().min(1).max(10_000).describe('upper bound (required, as in Kubernetes)'),
    metrics: z
      .array(MetricSpecSchema)
      .min(1)
      .default([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }])
      .describe('autoscaling/v2 metrics: Resource cpu (Utilization | AverageValue) or Pods (AverageValue); default cpu 80%'),
    behavior: z
      .strictObject({ scaleUp: RulesSchema.optional().describe('scale-up rules'), scaleDown: RulesSchema.optional().describe('scale-down rules') })
      .optional()
      .describe('autoscaling/v2 behavior; absent = the legacy algorithm (5-minute downscale window, max(2x, 4) scale-up cap)'),
    controller: z
      .strictObject({
        syncPeriodS: z.number().min(MIN_CONTROL_PERIOD_S).default(15).describe('--horizontal-pod-autoscaler-sync-period, s'),
        tolerance: z.number().nonnegative().default(0.1).describe('--horizontal-pod-autoscaler-tolerance'),
        downscaleStabilizationS: z.number().nonnegative().default(300).describe('--horizontal-pod-autoscaler-downscale-stabilization, s'),
        cpuInitializationPeriodS: z.number().nonnegative().default(300).describe('--horizontal-pod-autoscaler-cpu-initialization-period, s'),
        initialReadinessDelayS: z.number().nonnegative().default(30).describe('--horizontal-pod-autoscaler-initial-readiness-delay, s'),
      })
      .prefault({})
      .describe('kube-controller-manager flags of the HPA controller'),
  })
  .superRefine((h, ctx) => {
    if (h.minReplicas > h.maxReplicas) {
      ctx.addIssue({ code: 'custom', path: ['minReplicas'], message: `expected minReplicas ≤ maxReplicas (${h.maxReplicas}), found ${h.minReplicas}` });
    }
    h.metrics.forEach((m, i) => {
      // validateMetricSpec: Resource takes Utilization or AverageValue; Pods AverageValue; Object and External Value or AverageValue.
      const [key, t] =
        m.type === 'Resource'
          ? ['resource', m.resource.target.type]
          : m.type === 'ContainerResource'
            ? ['containerResource', m.containerResource.target.type]
            : m.type === 'Pods'
              ? ['pods', m.pods.target.type]
              : m.type === 'Object'
                ? ['object', m.object.target.type]
                : ['external', m.external.target.type];
      const ok = m.type === 'Resource' || m.type === 'ContainerResource' ? t !== 'Value' : m.type === 'Pods' ? t === 'AverageValue' : t !== 'Utilization';
      if (!ok) ctx.addIssue({ code: 'custom', path: ['metrics', i, key, 'target', 'type'], message: `expected a target type Kubernetes accepts for ${m.type} metrics, found ${t}` });
    });
  })
  .describe('a HorizontalPodAutoscaler on the Deployment (absent: fixed replicas)');
export type Hpa = z.infer<typeof HpaSchema>;

export const FaultSchema = z
  .strictObject({
    type: z
      .enum(['metrics-down', 'hpa-down', 'pod-kill', 'node-loss', 'network-latency', 'noisy-neighbour'])
      .describe('metrics-down: the metrics APIs fail (the HPA cannot compute and keeps the current size); hpa-down: the controller skips its syncs; pod-kill: the oldest live pod dies at once (in-flight requests lost) and the ReplicaSet replaces it; node-loss: node 0 fails for durationS (its pods die and are recreated where they fit); network-latency: every netpoll wait started during the fault takes latencyMs longer; noisy-neighbour: another workload steals stolenCores of each node\'s runtime.hostCpus, so every pod\'s CPU work runs hostCpus / (hostCpus − stolenCores) times as long'),
    atS: z.number().nonnegative().describe('start, simulated s'),
    durationS: z.number().positive().default(60).describe('how long the fault lasts, s (ignored for pod-kill)'),
    latencyMs: z.number().nonnegative().default(50).describe('network-latency: added to each network wait, ms'),
    stolenCores: z.number().positive().default(1).describe('noisy-neighbour: cores the neighbour takes (less than runtime.hostCpus)'),
  })
  .describe('a fault injected into the run');
export type Fault = z.infer<typeof FaultSchema>;

export const KedaSchema = z
  .strictObject({
    pollingIntervalS: z.number().min(MIN_CONTROL_PERIOD_S).default(30).describe('how often KEDA checks the trigger (activation, 0 <-> 1), s'),
    cooldownPeriodS: z.number().nonnegative().default(300).describe('time since the trigger was last active before scaling to minReplicaCount (0), s'),
    minReplicaCount: z.number().int().min(0).default(0).describe('replicas when idle (0 = scale to zero)'),
    maxReplicaCount: z.number().int().min(1).max(10_000).default(100).describe('upper bound of the HPA KEDA creates'),
    trigger: z
      .strictObject({
        metric: z.literal('ingress_requests_per_second').default('ingress_requests_per_second').describe('requests/s reaching the Service (a Prometheus ingress query: it exists with zero pods)'),
        threshold: z.number().positive().default(100).describe('target value per replica: the HPA gets an External AverageValue target'),
        activationThreshold: z.number().nonnegative().default(0).describe('the trigger is active above this value'),
      })
      .prefault({})
      .describe('the scaler (a Prometheus-style trigger on the ingress request rate)'),
    hpaSyncPeriodS: z.number().min(MIN_CONTROL_PERIOD_S).default(15).describe("the generated HPA's controller sync period, s"),
  })
  .superRefine((k, ctx) => {
    if (k.minReplicaCount > k.maxReplicaCount) ctx.addIssue({ code: 'custom', path: ['minReplicaCount'], message: `expected minReplicaCount ≤ maxReplicaCount (${k.maxReplicaCount}), found ${k.minReplicaCount}` });
  })
  .describe('a KEDA ScaledObject on the Deployment (scales 0 <-> 1 itself, 1 <-> N through an HPA); exclusive with hpa');
export type Keda = z.infer<typeof KedaSchema>;

export const DensitySchema = z
  .strictObject({
    targetGoroutinesPerPod: z.number().positive().default(100).describe('ρ_target: goroutines per pod the controller steers to'),
    alpha: z.number().nonnegative().default(0.05).describe('α, 1/s: how fast ρ is pulled to the target'),
    beta: z.number().nonnegative().default(0).describe('β, goroutines per request: lowers the density aimed for as the per-pod arrival rate λ_in (req/s) grows (scale ahead of load)'),
    gamma: z.number().nonnegative().default(0).describe('γ, goroutines per unit of GC pause fraction σ_gc (stop-the-world seconds per second, the mean of the pods\' go_gc_pause_fraction)'),
    periodS: z.number().min(MIN_CONTROL_PERIOD_S).default(15).describe('decision period, s'),
    minReplicas: z.number().int().min(1).default(1).describe('lower bound'),
    maxReplicas: z.number().int().min(1).max(10_000).default(100).describe('upper bound'),
    maxStepReplicas: z.number().int().min(1).default(4).describe('largest change in one decision'),
  })
  .superRefine((d, ctx) => {
    if (d.minReplicas > d.maxReplicas) ctx.addIssue({ code: 'custom', path: ['minReplicas'], message: `expected minReplicas ≤ maxReplicas (${d.maxReplicas}), found ${d.minReplicas}` });
  })
  .describe('the goroutine-density controller, an alternative to hpa and keda: dρ/dt = α(ρ_target − ρ) − β·λ_in + γ·σ_gc');
export type Density = z.infer<typeof DensitySchema>;
