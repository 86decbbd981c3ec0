import type { Deployment } from '../../cluster/deployment.js';
import type { MetricsPipelineModel } from '../../cluster/metrics-pipeline.js';
import type { Simulation } from '../../engine/simulation.js';
import { nsToS, sToNs } from '../../engine/time.js';
import { toMilli, type Hpa, type MetricSpec } from '../../scenario/cluster-schema.js';
import { HpaMemory, hpaTolerances, reconcileReplicas, type HorizontalControllerConfig, type HpaCondition, type HpaDecision, type MetricProposal } from './horizontal.js';
import {
  calcPlainMetricReplicas, getExternalMetricReplicas, getExternalPerPodMetricReplicas, getObjectMetricReplicas, getObjectPerPodMetricReplicas,
  getResourceReplicas, HpaMetricError, type HpaPod, type ReplicaCalculatorConfig,
} from './replica-calculator.js';

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
}

/** ScalingActive reasons when a metric of each source type cannot be computed (computeStatusFor*Metric). */
const FAILED_GET: Record<MetricSpec['type'], string> = {
  Resource: 'FailedGetResourceMetric',
  ContainerResource: 'FailedGetContainerResourceMetric',
  Pods: 'FailedGetPodsMetric',
  Object: 'FailedGetObjectMetric',
  External: 'FailedGetExternalMetric',
};

/** The record of one reconcileReplicas decision (conditions as status/reason). */
export function decisionRecord(tS: number, currentReplicas: number, d: HpaDecision, proposals: readonly MetricProposal[]): HpaDecisionRecord {
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
export class HpaController {
  private readonly mem = new HpaMemory();
  readonly decisions: HpaDecisionRecord[] = [];
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
    this.hcfg = { syncPeriodS: c.syncPeriodS, downscaleStabilisationWindowS: c.downscaleStabilizationS, tolerance: c.tolerance };
    this.rcfg = { cpuInitializationPeriodS: c.cpuInitializationPeriodS, delayOfInitialReadinessStatusS: c.initialReadinessDelayS };
    every(sim, 'hpa.sync', spec.controller.syncPeriodS, () => this.down, () => this.sync());
  }

  /** The HPA object was edited (kubectl edit / apply): new bounds from the next sync on. */
  setReplicaBounds(minReplicas: number | undefined, maxReplicas: number | undefined): void {
    this.spec = { ...this.spec, minReplicas: minReplicas ?? this.spec.minReplicas, maxReplicas: maxReplicas ?? this.spec.maxReplicas };
  }

  private sync(): void {
    const nowS = nsToS(this.sim.now);
    const current = this.deployment.replicas;
    const proposals: MetricProposal[] = [];
    const d = reconcileReplicas(
      this.mem,
      { minReplicas: this.spec.minReplicas, maxReplicas: this.spec.maxReplicas, ...(this.spec.behavior ? { behavior: this.spec.behavior } : {}) },
      current,
      () => {
        for (const m of this.spec.metrics) {
          const res = m.type === 'Resource' ? m.resource.name : m.type === 'ContainerResource' ? m.containerResource.name : 'cpu';
          proposals.push(this.proposal(m, current, this.listPods(res), nowS));
        }
        return proposals;
      },
      nowS,
      this.hcfg,
    );
    if (d.rescale) this.deployment.scale(d.desiredReplicas);
    this.decisions.push(decisionRecord(nowS, current, d, proposals));
  }

  /** The pod lister's view of the Deployment's pods. */
  private listPods(resource: 'cpu' | 'memory'): HpaPod[] {
    return this.deployment.live().map((p) => ({
      name: p.name,
      phase: p.running ? 'Running' : 'Pending',
      deleting: p.terminating,
      ...(p.running ? { startTimeS: nsToS(p.runningNs) } : {}),
      ...(p.running
        ? { ready: p.ready ? { status: 'True' as const, lastTransitionTimeS: nsToS(p.readyNs) } : { status: 'False' as const, lastTransitionTimeS: nsToS(p.runningNs) } }
        : {}),
      requestMilli: this.requestMilli[resource],
    }));
  }

  private proposal(m: MetricSpec, current: number, pods: HpaPod[], nowS: number): MetricProposal {
    const tolerances = hpaTolerances(this.spec.behavior, this.hcfg);
    try {
      if (m.type === 'Resource' || m.type === 'ContainerResource') {
        // A pod has one container ('app'): its container resource is the pod's resource.
        const spec = m.type === 'Resource' ? m.resource : m.containerResource;
        if (m.type === 'ContainerResource' && m.containerResource.container !== 'app') {
          throw new HpaMetricError(`container ${m.containerResource.container} not present in metrics for pods`);
        }
        const t = spec.target;
        const res = spec.name;
        if (t.type === 'Utilization') {
          const r = getResourceReplicas({ currentReplicas: current, pods, metrics: this.metrics.get(res), tolerances, nowS, cfg: this.rcfg, targetUtilization: t.averageUtilization!, resource: res });
          return { replicas: r.replicas, metricName: `${res} resource utilization (percentage of request)` };
        }
        const r = calcPlainMetricReplicas({ currentReplicas: current, pods, metrics: this.metrics.get(res), tolerances, nowS, cfg: this.rcfg, targetUsage: toMilli(t.averageValue!), resource: res });
        return { replicas: r.replicas, metricName: `${res} resource` };
      }
      if (m.type === 'Object' || m.type === 'External') {
        // computeStatusForObjectMetric / computeStatusForExternalMetric: one value from the adapter.
        const name = m.type === 'Object' ? m.object.metric.name : m.external.metric.name;
        const t = m.type === 'Object' ? m.object.target : m.external.target;
        const raw = name === 'ingress_latency_p99_ms' ? this.metrics.ingressLatencyP99Ms() : this.metrics.ingressRequestsPerSecond();
        if (raw === undefined) throw new HpaMetricError(`unable to get ${m.type === 'Object' ? 'object' : 'external'} metric ${name}: no metrics returned`);
        const v = toMilli(raw);
        const label = m.type === 'Object' ? `${name} on Service/${m.object.describedObject.name} (target ${t.type === 'Value' ? 'value' : 'average value'})` : `external metric ${name}`;
        if (t.type === 'Value') {
          const r = m.type === 'Object' ? getObjectMetricReplicas(current, v, toMilli(t.value!), tolerances, pods) : getExternalMetricReplicas(current, [v], toMilli(t.value!), tolerances, pods);
          return { replicas: r.replicas, metricName: label };
        }
        const r = m.type === 'Object' ? getObjectPerPodMetricReplicas(current, v, toMilli(t.averageValue!), tolerances) : getExternalPerPodMetricReplicas(current, [v], toMilli(t.averageValue!), tolerances);
        return { replicas: r.replicas, metricName: label };
      }
      const name = m.pods.metric.name;
      const series = this.metrics.get(name);
      if (series.size === 0) throw new HpaMetricError(`unable to get metric ${name}: no metrics returned`);
      const r = calcPlainMetricReplicas({ currentReplicas: current, pods, metrics: series, tolerances, nowS, cfg: this.rcfg, targetUsage: toMilli(m.pods.target.averageValue!) });
      return { replicas: r.replicas, metricName: `pods metric ${name}` };
    } catch (e) {
      if (e instanceof HpaMetricError) return { error: e.message, reason: FAILED_GET[m.type] };
      throw e;
    }
  }
}
