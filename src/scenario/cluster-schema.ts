import { z } from 'zod';
import { MIN_CONTROL_PERIOD_S } from './shared-fields.js';

export type { Fault, FaultContext, FaultTarget, FaultTargetKind, FaultType } from './fault-schema.js';
export { checkFaults, FAULT_TARGETS, FaultSchema, FaultTargetSchema } from './fault-schema.js';
export {
  EXTERNAL_METRIC_NAMES,
  type ExternalMetricName,
  type Hpa,
  HpaSchema,
  type MetricSpec,
  OBJECT_METRIC_NAMES,
  type ObjectMetricName,
  POD_METRIC_NAMES,
  toMilli,
} from './hpa-schema.js';
export { type Keda, KedaSchema } from './keda-schema.js';
export { MIN_CONTROL_PERIOD_S } from './shared-fields.js';
export { checkTimeline, type TimelineEvent, TimelineEventSchema } from './timeline-schema.js';

/**
 * Scenario blocks for the cluster around the pods: the Deployment and its Service, the metrics
 * pipeline, and the density controller. The HorizontalPodAutoscaler (hpa-schema.ts), the KEDA
 * ScaledObject (keda-schema.ts), the timeline (timeline-schema.ts) and the faults (fault-schema.ts) have
 * their own modules; this one re-exports them.
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
            'a pod already serving this many requests refuses the next (its accept queue is full), so an ' +
              'overload cannot grow memory without bound; the summary counts them as cluster.overloadRefused',
          ),
        startupPhases: StartupPhasesSchema.optional().describe(
          'the start-up phases of a new pod, each with its own duration (absent: startupS and readinessDelayS)',
        ),
        startupProbe: ProbeSchema.optional().describe(
          'kubelet startupProbe: until it succeeds the other probes wait; failureThreshold failures restart the ' +
            'container',
        ),
        readinessProbe: ProbeSchema.optional().describe(
          'kubelet readinessProbe, a request queued with the traffic: Failure takes the pod out of the Service, ' +
            'Success puts it back',
        ),
        warmup: z
          .strictObject({
            initialMultiplier: z
              .number()
              .min(1)
              .max(1000)
              .default(3)
              .describe(
                "a request's CPU work takes this many times as long when the container becomes Ready (lazy " +
                  'initialisation, cold caches)',
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
            'warm-up after Ready: request CPU bursts cost 1 + (initialMultiplier − 1) · 2^(−x / half-life) ' +
              'times their warm cost; restarted containers start cold, the initial replicas warm (absent: always warm)',
          ),
        livenessProbe: ProbeSchema.optional().describe(
          'kubelet livenessProbe, a request queued with the traffic: Failure restarts the container (in-flight ' +
            'requests lost)',
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
        "the threads of every pod on a node compete for its runtime.hostCpus cores (CFS between pods' cgroups, " +
          'weighted by cpuRequestCores; each pod still throttled by its own cpuLimitCores quota): GOMAXPROCS 8 ' +
          'on a 4-core node does at most 4 cores of work, and the CPU metric is what the pod got. With ' +
          'nodes.count 0 each pod is alone on its own node. false: pods do not compete, each as if alone on its ' +
          'node — still never more threads on a CPU than its runtime.hostCpus',
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
        'custom (Pods, Object) and External metrics reach the HPA this much later than they were scraped (the ' +
          "Prometheus adapter's relist and cache; 30–60 s is common), s; resource metrics (metrics-server) are " +
          'not delayed',
      ),
  })
  .describe('how pod metrics reach the autoscaler');
export type MetricsPipeline = z.infer<typeof MetricsPipelineSchema>;

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
        'α, 1/s: how fast ρ is pulled to the target (the discrete loop overshoots when α × periodS > 1 and ' +
          'diverges at ≥ 2)',
      ),
    beta: z
      .number()
      .nonnegative()
      .default(0)
      .describe(
        'β, 1/s: lowers the density aimed for by β·λ̂ of the target per second, λ̂ = per-pod arrival rate / ' +
          'referenceRatePerPodPerS (scale ahead of load)',
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
        'γ, 1/s per ms/s: raises the density aimed for by γ·σ_gc of the target per second, σ_gc = ' +
          "stop-the-world ms per second (the pods' mean go_gc_pause_fraction × 1000)",
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
    'the goroutine-density controller, an alternative to hpa and keda: dx/dt = α(1 − x) − β·λ̂ + γ·σ_gc with x ' +
      '= ρ / ρ_target',
  );
export type Density = z.infer<typeof DensitySchema>;

/** The scenario keys that each configure an autoscaler (at most one per scenario). */
export const AUTOSCALER_KINDS = ['hpa', 'keda', 'densityController'] as const;
export type AutoscalerKind = (typeof AUTOSCALER_KINDS)[number];
