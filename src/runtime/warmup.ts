import type { Clock } from '../engine/simulation.js';

/** cluster.pod.warmup: how much slower a just-Ready container serves, and how fast that wears off. */
export interface WarmupConfig {
  /** A request's CPU work takes this many times as long at Ready. */
  initialMultiplier: number;
  /** The extra cost halves every halfLifeS since Ready … */
  halfLifeS?: number | undefined;
  /** … or every halfLifeRequests requests the container has accepted. */
  halfLifeRequests?: number | undefined;
}

/**
 * One container's warm-up after Ready (lazy initialisation, cold CPU and application caches, a JIT or
 * template cache filling, pools growing): request CPU work costs 1 + (m₀ − 1) · 2^(−x / h) times its
 * warm cost, x being the time since the container first became Ready (h = halfLifeS) or the requests it
 * has accepted (h = halfLifeRequests). Before Ready (startup probes) it is m₀. A restarted container is a
 * new process and starts cold again; the initial replicas, Ready since before the run, start warm. The
 * per-new-connection set-up cost is not this (see the connection pools).
 */
export class Warmup {
  /** Requests this container has accepted. */
  served = 0;
  /** When the container first became Ready, ns (NaN: not yet). */
  private readyAtNs = NaN;

  constructor(
    private readonly cfg: WarmupConfig,
    private readonly clock: Clock,
    /** The pod's Ready time now (NaN while not Ready). */
    private readonly readyNs: () => number,
    /** Ready since before the run: no warm-up left. */
    private readonly warm: boolean,
  ) {}

  /** The multiplier on a CPU burst of request work starting now. */
  factor(): number {
    if (this.warm) return 1;
    const c = this.cfg;
    const extra = c.initialMultiplier - 1;
    if (c.halfLifeRequests !== undefined) return 1 + extra * 2 ** (-this.served / c.halfLifeRequests);
    if (Number.isNaN(this.readyAtNs)) {
      const r = this.readyNs();
      if (Number.isNaN(r)) return c.initialMultiplier;
      this.readyAtNs = r;
    }
    return 1 + extra * 2 ** (-(this.clock.now - this.readyAtNs) / (c.halfLifeS! * 1e9));
  }
}
