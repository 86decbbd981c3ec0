import type { Simulation } from '../../engine/simulation.js';

/** What the quota does to the pod's threads: stop every one of them, or let them run again. */
export interface Throttleable {
  throttle(): void;
  unthrottle(): void;
}

/**
 * Linux CFS bandwidth control for one container (kernel/sched/fair.c: cfs_bandwidth, the cpu.cfs_quota_us
 * / cpu.cfs_period_us pair Kubernetes sets from `resources.limits.cpu`). Every thread of the pod that is
 * on a CPU spends the shared quota; once it is spent, all of them stall until the period ends and the
 * quota refills. With GOMAXPROCS 4 and a 1-core limit, four busy Ms spend 100 ms of quota in 25 ms and
 * then wait 75 ms: the latency trap of GOMAXPROCS above the CPU limit.
 *
 * The quota is spent continuously: the caller reports how many threads are on a CPU whenever that
 * changes, and one event sits at the instant the quota would run out at the current rate. The kernel
 * hands quota out in 5 ms slices per CPU; that slack is not modelled (the pod is throttled at exactly
 * the quota).
 */
export class CfsQuota {
  private used = 0;
  private onCpu = 0;
  private last = 0;
  private exhaustH = -1;
  private throttledSince = -1;
  private readonly kExhaust: number;
  private readonly kPeriod: number;
  /** nr_periods, nr_throttled and throttled_time of cpu.stat. */
  periods = 0;
  throttledPeriods = 0;
  private throttledNsDone = 0;

  constructor(
    private readonly sim: Simulation,
    readonly quotaNs: number,
    readonly periodNs: number,
    private readonly pod: Throttleable,
  ) {
    this.kExhaust = sim.registerKind('cfs.quota-exhausted', () => this.exhausted());
    this.kPeriod = sim.registerKind('cfs.period', () => this.refill());
    sim.scheduleAt(sim.now + periodNs, this.kPeriod);
  }

  private stopped = false;

  /** The container is gone: no more periods. */
  stop(): void {
    this.stopped = true;
    if (this.exhaustH >= 0) this.sim.cancel(this.exhaustH);
    this.exhaustH = -1;
  }

  get throttled(): boolean {
    return this.throttledSince >= 0;
  }

  /** Total time the pod spent throttled, ns (the current stall included). */
  throttledNs(): number {
    return this.throttledNsDone + (this.throttledSince >= 0 ? this.sim.now - this.throttledSince : 0);
  }

  /** The number of the pod's threads on a CPU changed to `n`. */
  setOnCpu(n: number): void {
    this.spend();
    this.onCpu = n;
    this.plan();
  }

  private spend(): void {
    const now = this.sim.now;
    this.used += this.onCpu * (now - this.last);
    this.last = now;
  }

  private plan(): void {
    if (this.exhaustH >= 0) {
      this.sim.cancel(this.exhaustH);
      this.exhaustH = -1;
    }
    if (this.throttledSince >= 0 || this.onCpu === 0 || this.stopped) return;
    // Whole ns, rounded up (the kernel accounts in ns): a pod whose threads can at most spend the quota
    // (GOMAXPROCS = limit) then runs out no earlier than the period's end, never a rounding error before.
    const at = Math.ceil(this.sim.now + Math.max(0, (this.quotaNs - this.used) / this.onCpu));
    this.exhaustH = this.sim.scheduleAt(at, this.kExhaust);
  }

  /** throttle_cfs_rq: the quota is spent; every thread of the group comes off the CPU. */
  private exhausted(): void {
    this.exhaustH = -1;
    this.spend();
    this.used = this.quotaNs;
    this.throttledSince = this.sim.now;
    this.throttledPeriods++;
    this.pod.throttle(); // reports onCpu = 0 through setOnCpu
  }

  /** sched_cfs_period_timer: a new period refills the quota and unthrottles the group. */
  private refill(): void {
    if (this.stopped) return;
    this.spend();
    this.periods++;
    this.used = 0;
    this.sim.schedule(this.periodNs, this.kPeriod);
    if (this.throttledSince >= 0) {
      this.throttledNsDone += this.sim.now - this.throttledSince;
      this.throttledSince = -1;
      this.pod.unthrottle(); // reports the threads back on the CPU
    }
    this.plan();
  }
}
