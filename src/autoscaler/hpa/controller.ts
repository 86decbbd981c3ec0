import type { Deployment } from '../../cluster/deployment.js';
import type { MetricsPipelineModel } from '../../cluster/metrics-pipeline.js';
import type { Simulation } from '../../engine/simulation.js';
import { nsToS, sToNs } from '../../engine/time.js';
import {
  type ExternalMetricName,
  type Hpa,
  type MetricSpec,
  type ObjectMetricName,
  toMilli,
} from '../../scenario/cluster-schema.js';
import type { Autoscaler } from '../autoscaler.js';
import {
  type HorizontalControllerConfig,
  type HpaCondition,
  type HpaDecision,
  HpaMemory,
  hpaTolerances,
  type MetricProposal,
  reconcileReplicas,
} from './horizontal.js';
import {
  calcPlainMetricReplicas,
  getExternalMetricReplicas,
  getExternalPerPodMetricReplicas,
  getObjectMetricReplicas,
  getObjectPerPodMetricReplicas,
  getResourceReplicas,
  HpaMetricError,
  type HpaPod,
  type PodCounts,
  type ReplicaCalculatorConfig,
} from './replica-calculator.js';
import { formatHpaMetrics, type HpaEvent, type MetricStatus } from './status.js';

/** One sync of the HPA, as recorded in hpa_decisions.csv. */
export interface HpaDecisionRecord {
  tS: number;
  currentReplicas: number;
  desiredReplicas: number;
  rescale: boolean;
  reason: string;
  /** Proposals per metric in spec order ("" if the metric was invalid). */
  proposals: string;
  ableToScale: string;
  scalingActive: string;
  scalingLimited: string;
  /** status.currentMetrics as `kubectl get hpa` prints it (formatHPAMetrics): `cpu: 93%/60%`. HPA only. */
  currentMetrics?: string;
  /** groupPods' counts per metric in spec order, space-separated ("" where a metric groups no pods). */
  readyPods?: string;
  unreadyPods?: string;
  missingPods?: string;
  ignoredPods?: string;
  /** The metrics' recommendation, and after stabilisation (before rate and min/max limits); "" if not computed. */
  recommendedReplicas?: number | '';
  stabilizedReplicas?: number | '';
}

/** One metric's result: the proposal, and (when computed) its status and how the calculator grouped the pods. */
export interface MetricResult {
  proposal: MetricProposal;
  status?: MetricStatus;
  pods?: PodCounts;
}

/** The error prefix computeStatusFor*Metric (horizontal.go) puts on a calculator's error, per source and target. */
export function metricErrorPrefix(m: MetricSpec): string {
  switch (m.type) {
    case 'Resource':
      return `failed to get ${m.resource.name} ${m.resource.target.type === 'Utilization' ? 'utilization' : 'usage'}`;
    case 'ContainerResource':
      return `failed to get ${m.containerResource.name} ${
        m.containerResource.target.type === 'Utilization' ? 'utilization' : 'usage'
      }`;
    case 'Pods':
      return 'failed to get pods metric value';
    case 'Object':
      return 'failed to get object metric value';
    case 'External':
      return `failed to get external metric ${m.external.metric.name}`;
    default: {
      const unhandled: never = m;
      throw new Error(`hpa: unhandled metric source ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * The events one sync records (reconcileAutoscaler / computeReplicasForMetrics): a Warning per metric that
 * could not be computed (FailedGetResourceMetric …), FailedComputeMetricsReplicas when no recommendation
 * came of them, and SuccessfulRescale "New size: N; reason: …" when the target was scaled.
 */
export function syncEvents(
  tS: number,
  specs: readonly MetricSpec[],
  results: readonly MetricResult[],
  d: HpaDecision,
): HpaEvent[] {
  const events: HpaEvent[] = [];
  let invalid = 0;
  let first = '';
  results.forEach((r, i) => {
    const p = r.proposal;
    if (!('error' in p)) return;
    const message = `${metricErrorPrefix(specs[i]!)}: ${p.error}`;
    if (invalid++ === 0) first = message;
    events.push({ tS, type: 'Warning', reason: p.reason, message });
  });
  const active = d.conditions.find((c) => c.type === 'ScalingActive');
  if (invalid > 0 && active?.status === 'False') {
    const message = `invalid metrics (${invalid} invalid out of ${results.length}), first error is: ${first}`;
    events.push({ tS, type: 'Warning', reason: 'FailedComputeMetricsReplicas', message });
  }
  if (d.rescale) {
    const message = `New size: ${d.desiredReplicas}; reason: ${d.reason}`;
    events.push({ tS, type: 'Normal', reason: 'SuccessfulRescale', message });
  }
  return events;
}

/** ScalingActive reasons when a metric of each source type cannot be computed (computeStatusFor*Metric). */
const FAILED_GET: Record<MetricSpec['type'], string> = {
  Resource: 'FailedGetResourceMetric',
  ContainerResource: 'FailedGetContainerResourceMetric',
  Pods: 'FailedGetPodsMetric',
  Object: 'FailedGetObjectMetric',
  External: 'FailedGetExternalMetric',
};

/** External metrics of the ingress, by name: a name the schema accepts is read here or does not compile. */
const EXTERNAL_METRICS: Record<ExternalMetricName, (p: MetricsPipelineModel) => number | undefined> = {
  ingress_requests_per_second: (p) => p.ingressRequestsPerSecond(),
  ingress_latency_p99_ms: (p) => p.ingressLatencyP99Ms(),
};

/** Object metrics of the Service, by name. */
const OBJECT_METRICS: Record<ObjectMetricName, (p: MetricsPipelineModel) => number | undefined> = {
  requests_per_second: (p) => p.ingressRequestsPerSecond(),
};

type ResourceMetricSource = Extract<MetricSpec, { type: 'Resource' }>['resource'];

/** The resource whose request the pod lister reports for a metric (cpu where the metric has none). */
function podRequestResource(m: MetricSpec): 'cpu' | 'memory' {
  switch (m.type) {
    case 'Resource':
      return m.resource.name;
    case 'ContainerResource':
      return m.containerResource.name;
    case 'Pods':
    case 'Object':
    case 'External':
      return 'cpu';
    default: {
      const unhandled: never = m;
      throw new Error(`hpa: unhandled metric source ${JSON.stringify(unhandled)}`);
    }
  }
}

/** The record of one reconcileReplicas decision (conditions as status/reason). */
export function decisionRecord(
  tS: number,
  currentReplicas: number,
  d: HpaDecision,
  proposals: readonly MetricProposal[],
  view?: { specs: readonly MetricSpec[]; results: readonly MetricResult[] },
): HpaDecisionRecord {
  const cond = (t: HpaCondition['type']) => {
    const c = d.conditions.find((x) => x.type === t);
    return c ? `${c.status}/${c.reason}` : '';
  };
  return {
    tS,
    currentReplicas,
    desiredReplicas: d.desiredReplicas,
    rescale: d.rescale,
    reason: d.reason,
    proposals: proposals.map((p) => ('error' in p ? '' : String(p.replicas))).join(' '),
    ableToScale: cond('AbleToScale'),
    scalingActive: cond('ScalingActive'),
    scalingLimited: cond('ScalingLimited'),
    ...(view ? hpaView(view.specs, view.results, d) : {}),
  };
}

/**
 * The HPA's view of one sync: status.currentMetrics, the pod groups, the recommendation before and after
 * stabilising.
 */
function hpaView(
  specs: readonly MetricSpec[],
  results: readonly MetricResult[],
  d: HpaDecision,
): Partial<HpaDecisionRecord> {
  // Metrics not computed this sync (replicas outside [min, max]) leave currentMetrics empty: every one <unknown>.
  const counts = (k: keyof PodCounts) => results.map((r) => (r.pods ? String(r.pods[k]) : '')).join(' ');
  return {
    currentMetrics: formatHpaMetrics(
      specs,
      specs.map((_, i) => results[i]?.status),
    ),
    readyPods: counts('ready'),
    unreadyPods: counts('unready'),
    missingPods: counts('missing'),
    ignoredPods: counts('ignored'),
    recommendedReplicas: d.recommendation?.replicas ?? '',
    stabilizedReplicas: d.recommendation?.stabilized ?? '',
  };
}

/** Runs `fn` at time 0 and every periodS after, unless `isDown()` (a controller-down fault). */
export function every(sim: Simulation, kind: string, periodS: number, isDown: () => boolean, fn: () => void): void {
  const k = sim.registerKind(kind, () => {
    sim.schedule(sToNs(periodS), k);
    if (!isDown()) fn();
  });
  sim.scheduleAt(0, k);
}

/**
 * The HorizontalPodAutoscaler controller for one Deployment: every syncPeriodS (from time 0, as on
 * HPA creation) it lists the pods, reads the metrics APIs, asks the pure replica calculator for a
 * proposal per metric and reconcileReplicas for the decision, and scales the Deployment.
 */
export class HpaController implements Autoscaler {
  readonly kind = 'hpa';
  private readonly mem = new HpaMemory();
  readonly decisions: HpaDecisionRecord[] = [];
  /** The events it recorded (`gmpsim run --hpa-events`). */
  readonly events: HpaEvent[] = [];
  /** Controller down (faults): syncs are skipped; the Deployment keeps its size. */
  down = false;
  private readonly hcfg: HorizontalControllerConfig;
  private readonly rcfg: ReplicaCalculatorConfig;

  constructor(
    private readonly sim: Simulation,
    private spec: Hpa,
    private readonly deployment: Deployment,
    private readonly metrics: MetricsPipelineModel,
    /** The pod template's requests per resource, milli-units (cpu in millicores, memory in milli-bytes). */
    private readonly requestMilli: { cpu: number; memory: number },
  ) {
    const c = spec.controller;
    const { syncPeriodS, downscaleStabilizationS, tolerance } = c;
    this.hcfg = { syncPeriodS, downscaleStabilizationS, tolerance };
    this.rcfg = {
      cpuInitializationPeriodS: c.cpuInitializationPeriodS,
      delayOfInitialReadinessStatusS: c.initialReadinessDelayS,
    };
    every(
      sim,
      'hpa.sync',
      spec.controller.syncPeriodS,
      () => this.down,
      () => this.sync(),
    );
  }

  /**
   * The HPA object was edited (kubectl edit / apply): new bounds, metrics or behavior from the next sync
   * on. The controller keeps its recommendations and scale events (they live in the controller, keyed
   * by the HPA, not in its spec).
   */
  edit(patch: Partial<Pick<Hpa, 'minReplicas' | 'maxReplicas' | 'metrics' | 'behavior'>>): void {
    this.spec = {
      ...this.spec,
      minReplicas: patch.minReplicas ?? this.spec.minReplicas,
      maxReplicas: patch.maxReplicas ?? this.spec.maxReplicas,
      metrics: patch.metrics ?? this.spec.metrics,
      ...(patch.behavior ? { behavior: patch.behavior } : {}),
    };
  }

  private sync(): void {
    const nowS = nsToS(this.sim.now);
    const current = this.deployment.replicas;
    // scale.Status.Replicas: the ReplicaSets' active pods (not terminating), which per-pod Object and
    // External targets divide by (computeStatusForObjectMetric / ForExternalMetric take statusReplicas).
    const statusReplicas = statusReplicasOf(this.deployment);
    const results: MetricResult[] = [];
    const d = reconcileReplicas(
      this.mem,
      {
        minReplicas: this.spec.minReplicas,
        maxReplicas: this.spec.maxReplicas,
        ...(this.spec.behavior ? { behavior: this.spec.behavior } : {}),
      },
      current,
      () => {
        for (const m of this.spec.metrics) {
          results.push(this.proposal(m, current, statusReplicas, this.listPods(podRequestResource(m)), nowS));
        }
        return results.map((r) => r.proposal);
      },
      nowS,
      this.hcfg,
    );
    if (d.rescale) this.deployment.scale(d.desiredReplicas);
    const proposals = results.map((r) => r.proposal);
    this.decisions.push(decisionRecord(nowS, current, d, proposals, { specs: this.spec.metrics, results }));
    for (const e of syncEvents(nowS, this.spec.metrics, results, d)) this.events.push(e);
  }

  /** The pod lister's view of the Deployment's pods. */
  private listPods(resource: 'cpu' | 'memory'): HpaPod[] {
    return this.deployment.live().map((p) => hpaPod(p, this.requestMilli[resource]));
  }

  private proposal(m: MetricSpec, current: number, statusReplicas: number, pods: HpaPod[], nowS: number): MetricResult {
    const tolerances = hpaTolerances(this.spec.behavior, this.hcfg);
    try {
      // computeReplicasForMetric: one case per MetricSourceType; a new source does not compile until handled.
      switch (m.type) {
        case 'Resource':
          return this.resourceProposal(m.resource, current, pods, nowS, tolerances);
        case 'ContainerResource':
          // A pod has one container ('app'): its container resource is the pod's resource.
          if (m.containerResource.container !== 'app') {
            throw new HpaMetricError(`container ${m.containerResource.container} not present in metrics for pods`);
          }
          return this.resourceProposal(m.containerResource, current, pods, nowS, tolerances);
        case 'Object': {
          // computeStatusForObjectMetric: one value from the adapter.
          const { name } = m.object.metric;
          const t = m.object.target;
          const raw = OBJECT_METRICS[name](this.metrics);
          if (raw === undefined) throw new HpaMetricError(`unable to get object metric ${name}: no metrics returned`);
          const v = toMilli(raw);
          const kind = t.type === 'Value' ? 'value' : 'average value';
          const metricName = `${name} on Service/${m.object.describedObject.name} (target ${kind})`;
          if (t.type === 'Value') {
            const r = getObjectMetricReplicas(current, v, toMilli(t.value!), tolerances, pods);
            return { proposal: { replicas: r.replicas, metricName }, status: { valueMilli: r.usage } };
          }
          const r = getObjectPerPodMetricReplicas(statusReplicas, v, toMilli(t.averageValue!), tolerances);
          return { proposal: { replicas: r.replicas, metricName }, status: { averageValueMilli: r.usage } };
        }
        case 'External': {
          // computeStatusForExternalMetric: the named series, read by name (never a guess).
          const { name } = m.external.metric;
          const t = m.external.target;
          const raw = EXTERNAL_METRICS[name](this.metrics);
          if (raw === undefined) throw new HpaMetricError(`unable to get external metric ${name}: no metrics returned`);
          const v = toMilli(raw);
          const metricName = `external metric ${name}`;
          if (t.type === 'Value') {
            const r = getExternalMetricReplicas(current, [v], toMilli(t.value!), tolerances, pods);
            return { proposal: { replicas: r.replicas, metricName }, status: { valueMilli: r.usage } };
          }
          const r = getExternalPerPodMetricReplicas(statusReplicas, [v], toMilli(t.averageValue!), tolerances);
          return { proposal: { replicas: r.replicas, metricName }, status: { averageValueMilli: r.usage } };
        }
        case 'Pods': {
          const name = m.pods.metric.name;
          const series = this.metrics.get(name);
          if (series.size === 0) throw new HpaMetricError(`unable to get metric ${name}: no metrics returned`);
          const targetUsage = toMilli(m.pods.target.averageValue!);
          const r = calcPlainMetricReplicas({
            currentReplicas: current,
            pods,
            metrics: series,
            tolerances,
            nowS,
            cfg: this.rcfg,
            targetUsage,
          });
          const proposal = { replicas: r.replicas, metricName: `pods metric ${name}` };
          return { proposal, status: { averageValueMilli: r.usage }, pods: r.pods };
        }
        default: {
          const unhandled: never = m;
          throw new Error(`hpa: unhandled metric source ${JSON.stringify(unhandled)}`);
        }
      }
    } catch (e) {
      if (e instanceof HpaMetricError) return { proposal: { error: e.message, reason: FAILED_GET[m.type] } };
      throw e;
    }
  }

  /** computeStatusForResourceMetric / computeStatusForContainerResourceMetric (one container: the same). */
  private resourceProposal(
    spec: ResourceMetricSource,
    current: number,
    pods: HpaPod[],
    nowS: number,
    tolerances: { scaleUp: number; scaleDown: number },
  ): MetricResult {
    const t = spec.target;
    const res = spec.name;
    const metrics = this.metrics.get(res);
    const common = { currentReplicas: current, pods, metrics, tolerances, nowS, cfg: this.rcfg, resource: res };
    if (t.type === 'Utilization') {
      const r = getResourceReplicas({ ...common, targetUtilization: t.averageUtilization! });
      return {
        proposal: { replicas: r.replicas, metricName: `${res} resource utilization (percentage of request)` },
        status: { averageUtilization: r.utilization, averageValueMilli: r.rawUtilization },
        pods: r.pods,
      };
    }
    const r = calcPlainMetricReplicas({ ...common, targetUsage: toMilli(t.averageValue!) });
    const proposal = { replicas: r.replicas, metricName: `${res} resource` };
    return { proposal, status: { averageValueMilli: r.usage }, pods: r.pods };
  }
}

/** scale.Status.Replicas of a Deployment: its pods that are not terminating (the ReplicaSets' active pods). */
export function statusReplicasOf(deployment: { live(): readonly { terminating: boolean }[] }): number {
  let n = 0;
  for (const p of deployment.live()) if (!p.terminating) n++;
  return n;
}

/** A pod as the HPA's lister sees it. */
export interface PodForHpa {
  name: string;
  running: boolean;
  terminating: boolean;
  ready: boolean;
  runningNs: number;
  readyNs: number;
  /** When it last lost readiness (NaN: never): the Ready=False condition's lastTransitionTime. */
  unreadyNs: number;
}

/**
 * A cluster pod as the HPA's pod lister sees it. The Ready condition's lastTransitionTime is when it
 * became Ready, or — once it has lost readiness — when it did; a pod never Ready keeps its start time.
 * (groupPods counts a pod that was Ready and lost it after the CPU initialisation period, not as never-ready.)
 */
export function hpaPod(p: PodForHpa, requestMilli: number): HpaPod {
  const notReadySince = Number.isNaN(p.unreadyNs) ? p.runningNs : Math.max(p.runningNs, p.unreadyNs);
  const ready = p.ready
    ? { status: 'True' as const, lastTransitionTimeS: nsToS(p.readyNs) }
    : { status: 'False' as const, lastTransitionTimeS: nsToS(notReadySince) };
  return {
    name: p.name,
    phase: p.running ? 'Running' : 'Pending',
    deleting: p.terminating,
    ...(p.running ? { startTimeS: nsToS(p.runningNs), ready } : {}),
    requestMilli,
  };
}
