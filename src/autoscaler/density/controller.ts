import type { Autoscaler } from '../autoscaler.js';
import type { Deployment } from '../../cluster/deployment.js';
import type { MetricsPipelineModel } from '../../cluster/metrics-pipeline.js';
import type { Simulation } from '../../engine/simulation.js';
import { nsToS } from '../../engine/time.js';
import type { Density } from '../../scenario/cluster-schema.js';
import { every, type HpaDecisionRecord } from '../hpa/controller.js';

/**
 * One step of the density law, pure: ρ = goroutines per ready pod now; the density to aim for after
 * one period is ρ* = ρ + Δt·(α(ρ_target − ρ) − β·λ_in + γ·σ_gc) (kept ≥ 1), and the replicas that give
 * it are ceil(G / ρ*) for the G goroutines now, limited to ±maxStep and [min, max].
 */
export function densityStep(
  spec: Density,
  current: number,
  totalGoroutines: number,
  readyPods: number,
  arrivalRatePerPod: number,
  gcPauseFraction: number,
): { desired: number; rho: number; rhoStar: number } {
  const rho = readyPods > 0 ? totalGoroutines / readyPods : 0;
  const drift = spec.alpha * (spec.targetGoroutinesPerPod - rho) - spec.beta * arrivalRatePerPod + spec.gamma * gcPauseFraction;
  const rhoStar = Math.max(1, rho + spec.periodS * drift);
  let desired = Math.ceil(totalGoroutines / rhoStar);
  desired = Math.min(current + spec.maxStepReplicas, Math.max(current - spec.maxStepReplicas, desired));
  desired = Math.min(spec.maxReplicas, Math.max(spec.minReplicas, desired));
  return { desired, rho, rhoStar };
}

/** Runs densityStep every periodS on the metrics pipeline's go_goroutines, ingress rate and GC pause fraction. */
export class DensityController implements Autoscaler {
  readonly kind = 'densityController';
  readonly decisions: HpaDecisionRecord[] = [];
  down = false;

  constructor(
    private readonly sim: Simulation,
    private readonly spec: Density,
    private readonly deployment: Deployment,
    private readonly metrics: MetricsPipelineModel,
  ) {
    every(sim, 'density.sync', spec.periodS, () => this.down, () => this.sync());
  }

  private sync(): void {
    const series = this.metrics.get('go_goroutines');
    const ingress = this.metrics.ingressRequestsPerSecond();
    const current = this.deployment.replicas;
    const nowS = nsToS(this.sim.now);
    // No metrics yet (or no ingress rate when β needs one): no decision this period.
    if (series.size === 0 || (ingress === undefined && this.spec.beta > 0)) return;
    let g = 0;
    for (const m of series.values()) g += m.value / 1000;
    const ready = this.deployment.readyCount();
    // σ_gc: the pods' mean stop-the-world fraction (0 while no pod has a full window or none allocates).
    const pauses = this.metrics.get('go_gc_pause_fraction');
    let sigma = 0;
    for (const m of pauses.values()) sigma += m.value / 1000;
    if (pauses.size > 0) sigma /= pauses.size;
    const { desired, rho, rhoStar } = densityStep(this.spec, current, g, ready, ready > 0 ? (ingress ?? 0) / ready : (ingress ?? 0), sigma);
    const rescale = desired !== current;
    if (rescale) this.deployment.scale(desired);
    this.decisions.push({
      tS: nowS,
      currentReplicas: current,
      desiredReplicas: desired,
      rescale,
      reason: rescale ? `density ${rho.toFixed(1)} goroutines/pod, aiming for ${rhoStar.toFixed(1)}` : '',
      proposals: String(Math.ceil(g / rhoStar)),
      ableToScale: '',
      scalingActive: '',
      scalingLimited: '',
    });
  }
}
