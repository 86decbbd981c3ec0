import type { Deployment } from '../../cluster/deployment.js';
import type { MetricsPipelineModel } from '../../cluster/metrics-pipeline.js';
import type { Simulation } from '../../engine/simulation.js';
import { nsToS } from '../../engine/time.js';
import type { Density } from '../../scenario/cluster-schema.js';
import type { Autoscaler } from '../autoscaler.js';
import { every, type HpaDecisionRecord } from '../hpa/controller.js';

/**
 * One step of the density law (the source article's dρ/dt = α(ρ_target − ρ) − β·λ_in + γ·σ_gc, Euler
 * forward over one period Δt), pure. The law runs on the density relative to the target, x = ρ / ρ_target,
 * so β and γ have a scale whatever the target:
 *   x* = x + Δt·(α·e − β·λ̂ + γ·σ_gc),  e = 1 − x (0 inside the deadband),
 *   λ̂ = per-pod arrival rate / referenceRatePerPodPerS,  σ_gc = stop-the-world ms per second;
 * ρ* = ρ_target·x* (kept ≥ 1), and the replicas that give it are ceil(G / ρ*) for the G goroutines now,
 * limited to ±maxStep and [min, max]. α's term is the article's exactly (α(ρ_target − ρ) / ρ_target).
 */
export function densityStep(
  spec: Density,
  current: number,
  totalGoroutines: number,
  readyPods: number,
  arrivalRatePerPod: number,
  gcPauseMsPerS: number,
): { desired: number; rho: number; rhoStar: number } {
  const target = spec.targetGoroutinesPerPod;
  const rho = readyPods > 0 ? totalGoroutines / readyPods : 0;
  const x = rho / target;
  const e = Math.abs(1 - x) * 100 <= spec.deadbandPct ? 0 : 1 - x;
  const drift =
    spec.alpha * e - spec.beta * (arrivalRatePerPod / spec.referenceRatePerPodPerS) + spec.gamma * gcPauseMsPerS;
  const rhoStar = Math.max(1, target * (x + spec.periodS * drift));
  let desired = Math.ceil(totalGoroutines / rhoStar);
  desired = Math.min(current + spec.maxStepReplicas, Math.max(current - spec.maxStepReplicas, desired));
  desired = Math.min(spec.maxReplicas, Math.max(spec.minReplicas, desired));
  return { desired, rho, rhoStar };
}

/**
 * The discrete loop's stability, from α × Δt: with the plant following the aim within a period the
 * error evolves as e[k+1] = (1 − αΔt)·e[k], so it decays monotonically for αΔt ≤ 1, overshoots and rings
 * for 1 < αΔt < 2, and diverges (bounded only by maxStepReplicas and [min, max]) for αΔt ≥ 2. A warning
 * for the last two, undefined when the loop is monotone.
 */
export function densityStability(spec: Density): string | undefined {
  const k = spec.alpha * spec.periodS;
  if (k <= 1) return undefined;
  const fix = `keep α ≤ 1/periodS = ${(1 / spec.periodS).toPrecision(3)} /s, or shorten periodS`;
  return k >= 2
    ? `densityController: α × periodS = ${k.toPrecision(3)} ≥ 2: the discrete loop is unstable (the error grows ` +
        `×${Math.abs(1 - k).toPrecision(3)} a period); ${fix}`
    : `densityController: α × periodS = ${k.toPrecision(3)} > 1: the discrete loop overshoots and oscillates ` +
        `(the error flips sign, ×${(1 - k).toPrecision(3)} a period); ${fix}`;
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
    every(
      sim,
      'density.sync',
      spec.periodS,
      () => this.down,
      () => this.sync(),
    );
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
    // σ_gc: the pods' mean stop-the-world ms per second (0 while no pod has a full window or none allocates).
    const pauses = this.metrics.get('go_gc_pause_fraction');
    let sigma = 0;
    for (const m of pauses.values()) sigma += m.value / 1000;
    if (pauses.size > 0) sigma = (1000 * sigma) / pauses.size; // fraction → ms per s
    const { desired, rho, rhoStar } = densityStep(
      this.spec,
      current,
      g,
      ready,
      ready > 0 ? (ingress ?? 0) / ready : (ingress ?? 0),
      sigma,
    );
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
