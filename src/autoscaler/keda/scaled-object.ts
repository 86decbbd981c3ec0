import type { Deployment } from '../../cluster/deployment.js';
import type { MetricsPipelineModel } from '../../cluster/metrics-pipeline.js';
import type { Simulation } from '../../engine/simulation.js';
import { nsToS } from '../../engine/time.js';
import type { Keda } from '../../scenario/cluster-schema.js';
import type { Autoscaler } from '../autoscaler.js';
import { decisionRecord, every, type HpaDecisionRecord } from '../hpa/controller.js';
import {
  DEFAULT_HORIZONTAL_CONFIG,
  HpaMemory,
  hpaTolerances,
  type MetricProposal,
  reconcileReplicas,
} from '../hpa/horizontal.js';
import { getExternalPerPodMetricReplicas } from '../hpa/replica-calculator.js';
import { CronWindow } from './cron.js';

/**
 * A KEDA ScaledObject: KEDA itself handles 0 <-> 1 (every pollingIntervalS: activate when the trigger
 * exceeds activationThreshold; return to minReplicaCount once it has been inactive for
 * cooldownPeriodS), and creates an HPA with an External AverageValue metric (target = threshold per
 * replica, min = max(1, minReplicaCount)) that scales 1 <-> N with the Kubernetes algorithm. Cron
 * triggers (keda.cron) add an External metric each and count as active inside their windows.
 */
export class KedaScaledObject implements Autoscaler {
  readonly kind = 'keda';
  readonly decisions: HpaDecisionRecord[] = [];
  down = false;
  private readonly mem = new HpaMemory();
  private lastActiveS = -Infinity;
  private readonly crons: CronWindow[];

  constructor(
    private readonly sim: Simulation,
    private readonly spec: Keda,
    private readonly deployment: Deployment,
    private readonly metrics: MetricsPipelineModel,
    /** Wall-clock time of simulated t = 0, ms since the epoch (what the cron triggers read). */
    clockStartMs = 0,
  ) {
    this.crons = spec.cron.map((c) => new CronWindow(c.start, c.end, c.timezone, clockStartMs, c.desiredReplicas));
    every(
      sim,
      'keda.poll',
      spec.pollingIntervalS,
      () => this.down,
      () => this.poll(),
    );
    every(
      sim,
      'keda.hpa-sync',
      spec.hpaSyncPeriodS,
      () => this.down,
      () => this.hpaSync(),
    );
  }

  /** The trigger's value (requests/s), undefined when the metric is unavailable. */
  private value(): number | undefined {
    return this.metrics.ingressRequestsPerSecond();
  }

  private poll(): void {
    const nowS = nsToS(this.sim.now);
    const v = this.value();
    const current = this.deployment.replicas;
    const cronActive = this.crons.some((c) => c.isActive(nowS));
    if (v === undefined && !cronActive) return; // scaler error: KEDA keeps the current size
    // The ScaledObject is active when any of its triggers is (scale_handler.go: isScaledObjectActive).
    const active = cronActive || (v !== undefined && v > this.spec.trigger.activationThreshold);
    if (active) this.lastActiveS = nowS;
    if (current === 0 && active) {
      this.rescale(nowS, current, Math.max(1, this.spec.minReplicaCount), 'KEDA: trigger active, scaling from zero');
    } else if (
      current > this.spec.minReplicaCount &&
      !active &&
      nowS - this.lastActiveS >= this.spec.cooldownPeriodS &&
      this.spec.minReplicaCount === 0
    ) {
      this.rescale(nowS, current, 0, 'KEDA: inactive for the cooldown period, scaling to zero');
    }
  }

  private hpaSync(): void {
    const nowS = nsToS(this.sim.now);
    const current = this.deployment.replicas;
    const v = this.value();
    const cfg = DEFAULT_HORIZONTAL_CONFIG;
    const proposals: MetricProposal[] = [];
    const d = reconcileReplicas(
      this.mem,
      { minReplicas: Math.max(1, this.spec.minReplicaCount), maxReplicas: this.spec.maxReplicaCount },
      current,
      () => {
        if (v === undefined)
          proposals.push({
            error: 'unable to get external metric ingress_requests_per_second: no metrics returned',
            reason: 'FailedGetExternalMetric',
          });
        else {
          const r = getExternalPerPodMetricReplicas(
            current,
            [Math.ceil(v * 1000)],
            Math.round(this.spec.trigger.threshold * 1000),
            hpaTolerances(undefined, cfg),
          );
          proposals.push({ replicas: r.replicas, metricName: 'external metric ingress_requests_per_second' });
        }
        for (const c of this.crons) {
          // GetMetricSpecForScaling: an External metric with an AverageValue target of 1 replica.
          const r = getExternalPerPodMetricReplicas(
            current,
            [c.metric(nowS) * 1000],
            1000,
            hpaTolerances(undefined, cfg),
          );
          proposals.push({ replicas: r.replicas, metricName: 'external metric cron' });
        }
        return proposals;
      },
      nowS,
      cfg,
    );
    if (d.rescale) this.deployment.scale(d.desiredReplicas);
    this.decisions.push(decisionRecord(nowS, current, d, proposals));
  }

  private rescale(nowS: number, current: number, desired: number, reason: string): void {
    this.deployment.scale(desired);
    this.decisions.push({
      tS: nowS,
      currentReplicas: current,
      desiredReplicas: desired,
      rescale: true,
      reason,
      proposals: '',
      ableToScale: '',
      scalingActive: '',
      scalingLimited: '',
    });
  }
}
