import { grow } from '../../engine/grow.js';
import type { Simulation } from '../../engine/simulation.js';
import { CfsQuota } from './cfs-quota.js';

/** Why the pod's Ps cannot run now: CFS throttling, a stop-the-world pause, the process is gone. */
export const STALL_THROTTLE = 1;
export const STALL_STW = 2;
export const STALL_DEAD = 4;
/** runtime.GOMAXPROCS's stop-the-world (procresize.ts): apart from the GC's, so neither ends the other's. */
export const STALL_GOMAXPROCS = 8;

export interface NumaConfig {
  nodes: number;
  /** CPU work of a G runs this many times slower on a P of another node than its memory's. */
  remoteFactor: number;
  /** Cold-cache cost of running a G stolen from a P on another node, ns. */
  migrationNs: number;
  /** 'random': Go's steal order; 'numa-aware': Ps of the thief's node first (Vyukov's 2014 proposal). */
  stealOrder: 'random' | 'numa-aware';
}

/** NUMA counters: CPU work run away from its memory, and steals across nodes. */
export class NumaStats {
  workNs = 0;
  remoteWorkNs = 0;
  crossNodeSteals = 0;
}

/** What the pod's threads run on: the machine and the container around the Go runtime. */
export interface CpuConfig {
  /** Shared with the cluster: CPU work takes this many times as long now (a noisy-neighbour fault). */
  cpu?: { slowdown: number };
  /** The container's CPU limit as a CFS quota per period (absent: no limit). */
  cpuQuota?: { quotaNs: number; periodNs: number };
  /** The Ps spread over NUMA nodes (absent or nodes = 1: uniform memory). */
  numa?: NumaConfig;
  /** The node's cores the pod's threads compete for with other pods' (absent: as many cores as Ps). */
  cpuShare?: CpuShare;
  /** The container's warm-up after Ready (cluster.pod.warmup; src/runtime/warmup.ts); absent: always warm. */
  warmup?: { factor(): number };
  /**
   * sysmon's wakes on the pod's cores (costs.sysmonWakeCpuUs, issue 26): the CPU one wake takes from a thread
   * on its core, ns, and the host CPUs the pod's threads run on (runtime.hostCpus). Absent: sysmon is free.
   */
  sysmonWake?: { cpuNs: number; hostCpus: number };
}

/** sysmon's loop times as the CPU needs them (sysmon.ts): how many loops wake it in (from, to]. */
export interface SysmonLoops {
  loopsIn(from: number, to: number): number;
}

/**
 * The node the pod runs on, as its CPUs see it (src/cluster/node-cpu.ts): told how many of the pod's
 * threads want a CPU whenever that changes, it answers (now or later in the same instant) with the
 * pod's share factor through `setShareFactor`.
 */
export interface CpuShare {
  demandChanged(cpu: Cpu, threadsOnCpu: number): void;
}

/**
 * The CPUs under one pod's Ps — not Go, the machine and kernel around it: each P's CPU burst (a thread on
 * a CPU) as one engine event, CPU-time accounting, the container's CFS quota (which stalls every thread
 * when spent), stop-the-world stalls, the noisy-neighbour slowdown and the NUMA factor of running a G away
 * from its memory. A leaf: the scheduler starts bursts and hears of their end through its own engine kind
 * (`kBurstEnd`, argument: the P); nothing here calls the scheduler.
 */
export class Cpu {
  /** Each P's burst: its engine event (−1: none running), end time, and whether it is program work. */
  readonly burstH: Float64Array;
  readonly burstEnd: Float64Array;
  readonly burstWork: Uint8Array;
  /** A burst held while the pod is stalled: its remaining length, and whether one is held. */
  private readonly frozenLeft: Float64Array;
  private readonly frozen: Uint8Array;
  /** STALL_* bits; any set → no P makes progress. */
  private stalled = 0;
  /** Ps in a burst now (threads on a CPU), the time that count last changed, and ∫ of it before then. */
  private onCpu = 0;
  private lastOnCpuChange = 0;
  private busyNs = 0;
  readonly cfs: CfsQuota | undefined;
  /** The slowdown the bursts in progress were scheduled with: the global one × the node share factor. */
  private appliedSlowdown: number;
  /** The global (noisy-neighbour) slowdown and the node share factor that make up appliedSlowdown. */
  private appliedGlobal: number;
  private shareFactor = 1;
  /** Cores the pod gets now: its threads on a CPU ÷ the share factor (what CPU time and the quota count). */
  private rate = 0;
  /** The node this pod's threads share (cfg.cpuShare), kept in a field for the hot path. */
  private readonly share: CpuShare | undefined;
  /** Warm-up: the multiplier each P's current work burst was started with (used only with cfg.warmup). */
  private readonly pWarm: Float64Array;
  /** NUMA: each P's node, each G's memory node (first touch; −1 until it first runs), the factor of
   * each P's current burst, and counters. */
  readonly pNode: Uint8Array | undefined;
  private gHome: Int8Array | undefined;
  private readonly pBurstFactor: Float64Array;
  readonly numa: NumaStats | undefined;
  /** Every P there may be (the loops over bursts look at each; a P above GOMAXPROCS has none). */
  private readonly nP: number;
  /** sysmon's loops, when its wakes cost the running Ms CPU (cfg.sysmonWake): set by the scheduler. */
  sysmon: SysmonLoops | undefined;
  /** Each P's burst's length over what it was asked for (sysmon's wakes charged to it; 1: none). */
  private readonly pSysmonFactor: Float64Array;
  /** CPU the bursts lost to sysmon's wakes, ns, counted when each burst starts (a preempted one's whole). */
  sysmonChargedNs = 0;

  constructor(
    private readonly sim: Simulation,
    nP: number,
    private readonly cfg: CpuConfig,
    private readonly kBurstEnd: number,
    /** Ps there may ever be (GOMAXPROCS may rise live to it: procresize.ts); per-P arrays are this long. */
    pCap = nP,
  ) {
    const n = Math.max(nP, pCap);
    this.nP = n;
    this.burstH = new Float64Array(n).fill(-1);
    this.burstEnd = new Float64Array(n);
    this.burstWork = new Uint8Array(n);
    this.frozenLeft = new Float64Array(n);
    this.frozen = new Uint8Array(n);
    this.cfs = cfg.cpuQuota
      ? new CfsQuota(sim, cfg.cpuQuota.quotaNs, cfg.cpuQuota.periodNs, {
          throttle: () => this.stall(STALL_THROTTLE),
          unthrottle: () => this.unstall(STALL_THROTTLE),
        })
      : undefined;
    this.pBurstFactor = new Float64Array(n).fill(1);
    this.pSysmonFactor = new Float64Array(n).fill(1);
    this.appliedSlowdown = this.appliedGlobal = cfg.cpu?.slowdown ?? 1;
    this.share = cfg.cpuShare;
    this.pWarm = new Float64Array(cfg.warmup ? n : 0);
    if (cfg.numa && cfg.numa.nodes > 1) {
      // Ps are numbered node by node, as Linux numbers the cores of a socket together.
      // A P above the starting GOMAXPROCS (a live rise) takes the node of P (p mod GOMAXPROCS).
      this.pNode = Uint8Array.from({ length: n }, (_, p) => Math.floor(((p % nP) * cfg.numa!.nodes) / nP));
      this.gHome = new Int8Array(1024).fill(-1);
      this.numa = new NumaStats();
    }
  }

  /** A P's thread goes on or off a CPU: CPU-time accounting, the CFS quota and the node's share follow. */
  private setOnCpu(delta: number): void {
    const now = this.sim.now;
    this.busyNs += this.rate * (now - this.lastOnCpuChange);
    this.lastOnCpuChange = now;
    this.onCpu += delta;
    this.rate = this.share === undefined ? this.onCpu : this.onCpu / this.shareFactor;
    this.cfs?.setOnCpu(this.rate);
    this.share?.demandChanged(this, this.onCpu);
  }

  /** CPU time the pod's Ps have used, ns (bursts only: throttled and stopped time excluded; on a shared
   * node, the cores the pod got, not the threads it had on a CPU). */
  busyIntegralNs(): number {
    return this.busyNs + this.rate * (this.sim.now - this.lastOnCpuChange);
  }

  /**
   * The node's CFS gives the pod's threads on a CPU `onCpu ÷ f` cores (f ≥ 1: processor sharing among
   * the node's threads, weighted by cgroup). Bursts in progress stretch or shrink by the change from now
   * on; CPU time and the quota are spent at the cores the pod gets.
   */
  setShareFactor(f: number): void {
    if (f === this.shareFactor) return;
    const now = this.sim.now;
    this.busyNs += this.rate * (now - this.lastOnCpuChange);
    this.lastOnCpuChange = now;
    this.shareFactor = f;
    this.rate = this.onCpu / f;
    this.cfs?.setOnCpu(this.rate);
    this.rescale(this.appliedGlobal * f);
  }

  /** Some P is in a burst now (stopTheWorld must preempt it). */
  anyBurst(): boolean {
    for (let p = 0; p < this.nP; p++) if (this.burstH[p]! >= 0) return true;
    return false;
  }

  /**
   * pp's thread runs for durationNs (× the slowdown); `work`: the G's own CPU work, not overhead. A work
   * burst of a container still warming up takes the warm-up multiplier too (its overhead with it).
   */
  startBurst(pp: number, durationNs: number, work: boolean): void {
    this.burstWork[pp] = work ? 1 : 0;
    durationNs *= this.appliedSlowdown;
    // The rare cases out of line (warmedUp, freeze): every handler that starts a burst inlines this one,
    // and V8 charges each inlined byte to the handler's inlining budget (issue 24).
    if (work && this.cfg.warmup !== undefined) durationNs = this.warmedUp(pp, durationNs);
    this.pSysmonFactor[pp] = 1;
    if (this.stalled !== 0) {
      this.freeze(pp, durationNs);
      return;
    }
    if (this.sysmon !== undefined && this.onCpu + 2 > this.cfg.sysmonWake!.hostCpus && durationNs > 0)
      durationNs = this.withSysmonWakes(pp, durationNs);
    this.burstEnd[pp] = this.sim.now + durationNs;
    this.sim.post(durationNs, this.kBurstEnd, pp); // the handle through a field: no heap number per burst
    this.burstH[pp] = this.sim.lastHandle;
    this.setOnCpu(+1);
  }

  /** A work burst of a container still warming up: × the warm-up multiplier, kept for workLeftNs. */
  private warmedUp(pp: number, durationNs: number): number {
    const f = this.cfg.warmup!.factor();
    this.pWarm[pp] = f;
    return durationNs * f;
  }

  /** The thread cannot get a CPU now (throttled, or the world is stopped): the burst waits whole. */
  private freeze(pp: number, durationNs: number): void {
    this.frozen[pp] = 1;
    this.frozenLeft[pp] = durationNs;
  }

  /**
   * sysmon's thread shares a core with the running Ms (they and it outnumber the host CPUs, as when the
   * real server is pinned to one core): each of its wakes during the burst (a context switch in, the loop
   * body, a switch out: sysmon in proc.go, usleep(delay) then the loop) takes cpuNs from a running M, spread
   * over the Ms on a CPU. The burst of `ns` lasts ns + its share × the loops in it: the fixed point of
   * that, from ns up (loops only add). Its loops are those sysmon makes if none of them acts (a retake
   * during the burst, which shortens sysmon's loops, is not counted again). Returns the burst's length.
   */
  private withSysmonWakes(pp: number, ns: number): number {
    const now = this.sim.now;
    const share = this.cfg.sysmonWake!.cpuNs / (this.onCpu + 1);
    let wall = ns;
    for (let i = 0; i < 32; i++) {
      const next = ns + share * this.sysmon!.loopsIn(now, now + wall);
      if (next === wall) break;
      wall = next;
    }
    this.pSysmonFactor[pp] = wall / ns;
    this.sysmonChargedNs += wall - ns;
    return wall;
  }

  /** pp's burst ended (its kBurstEnd event ran), or was cut short by preemption (stopBurst). */
  burstEnded(pp: number): void {
    this.burstH[pp] = -1;
    this.setOnCpu(-1);
  }

  /** Preemption: pp's burst stops now (call workLeftNs before anything else moves time). */
  stopBurst(pp: number): void {
    this.sim.cancel(this.burstH[pp]!);
    this.burstEnded(pp);
  }

  /** The G's own CPU work left in pp's stopped burst, ns (without the slowdown and the NUMA factor). */
  workLeftNs(pp: number): number {
    const left =
      (this.burstEnd[pp]! - this.sim.now) / (this.pBurstFactor[pp]! * this.appliedSlowdown * this.pSysmonFactor[pp]!);
    return this.cfg.warmup !== undefined && this.burstWork[pp] ? left / this.pWarm[pp]! : left;
  }

  /**
   * procresize: pp's burst, running or held by a stall, is taken off its P for good (its G is preempted).
   * Returns the G's own CPU work left in it, ns (as workLeftNs), or −1 when pp had no burst.
   */
  dropBurst(pp: number): number {
    let left: number;
    if (this.burstH[pp]! >= 0) {
      left = this.burstEnd[pp]! - this.sim.now;
      this.stopBurst(pp);
    } else if (this.frozen[pp]) {
      left = this.frozenLeft[pp]!;
      this.frozen[pp] = 0;
    } else return -1;
    left /= this.pBurstFactor[pp]! * this.appliedSlowdown * this.pSysmonFactor[pp]!;
    return this.cfg.warmup !== undefined && this.burstWork[pp] ? left / this.pWarm[pp]! : left;
  }

  /** Every P's burst stops where it is (its remaining time kept) until the last stall reason clears. */
  stall(reason: number): void {
    const was = this.stalled;
    this.stalled |= reason;
    if (was !== 0) return;
    const now = this.sim.now;
    for (let pp = 0; pp < this.nP; pp++) {
      if (this.burstH[pp]! < 0) continue;
      this.sim.cancel(this.burstH[pp]!);
      this.burstH[pp] = -1;
      this.frozen[pp] = 1;
      this.frozenLeft[pp] = Math.max(0, this.burstEnd[pp]! - now);
      this.setOnCpu(-1);
    }
  }

  unstall(reason: number): void {
    if ((this.stalled & reason) === 0) return;
    this.stalled &= ~reason;
    if (this.stalled !== 0) return;
    for (let pp = 0; pp < this.nP; pp++) {
      if (!this.frozen[pp]) continue;
      this.frozen[pp] = 0;
      this.burstEnd[pp] = this.sim.now + this.frozenLeft[pp]!;
      this.burstH[pp] = this.sim.schedule(this.frozenLeft[pp]!, this.kBurstEnd, pp);
      this.setOnCpu(+1);
    }
  }

  /** The process is gone: every P stops for good, and the CFS timer with it. */
  stop(): void {
    this.stall(STALL_DEAD);
    this.cfs?.stop();
  }

  /** The CPU slowdown changed: bursts in progress (running or frozen) stretch or shrink from now on. */
  slowdownChanged(): void {
    this.appliedGlobal = this.cfg.cpu?.slowdown ?? 1;
    this.rescale(this.appliedGlobal * this.shareFactor);
  }

  /** Bursts in progress (running or frozen) take `slowdown` from now on instead of appliedSlowdown. */
  private rescale(slowdown: number): void {
    const ratio = slowdown / this.appliedSlowdown;
    this.appliedSlowdown = slowdown;
    if (ratio === 1) return;
    const now = this.sim.now;
    for (let pp = 0; pp < this.nP; pp++) {
      if (this.frozen[pp]) this.frozenLeft[pp]! *= ratio;
      if (this.burstH[pp]! < 0) continue;
      this.sim.cancel(this.burstH[pp]!);
      this.burstEnd[pp] = now + (this.burstEnd[pp]! - now) * ratio;
      this.burstH[pp] = this.sim.scheduleAt(this.burstEnd[pp]!, this.kBurstEnd, pp);
    }
  }

  // ---- NUMA ------------------------------------------------------------------------------------

  /** The G table grew to `capacity`. */
  ensureCapacity(capacity: number): void {
    if (this.gHome && this.gHome.length < capacity) this.gHome = grow(this.gHome, new Int8Array(capacity).fill(-1));
  }

  /**
   * First touch: a G made by `go f()` (pp ≥ 0) has its stack and arguments on the creating P's node; a
   * request's G (made by the netpoller, without a P) gets the node where it first runs.
   */
  newG(gp: number, pp: number): void {
    if (this.gHome) this.gHome[gp] = pp >= 0 ? this.pNode![pp]! : -1;
  }

  /** The thief's node when stealing is NUMA-aware, else −1. */
  numaAwareNode(pp: number): number {
    return this.pNode !== undefined && this.cfg.numa!.stealOrder === 'numa-aware' ? this.pNode[pp]! : -1;
  }

  /** What running a G stolen by pp from p2 adds to the steal: a cold cache across nodes, ns. */
  stealCostNs(pp: number, p2: number): number {
    if (this.pNode === undefined || this.pNode[p2] === this.pNode[pp]) return 0;
    this.numa!.crossNodeSteals++;
    return this.cfg.numa!.migrationNs; // the stolen G's cache lines are on the other node
  }

  /**
   * NUMA: a G's memory lives on the node where it first ran (first touch); its CPU work on a P of
   * another node takes remoteFactor × as long. Returns the burst's length for `work` ns of CPU work.
   */
  numaWork(pp: number, gp: number, work: number): number {
    const node = this.pNode![pp]!;
    if (this.gHome![gp]! < 0) this.gHome![gp] = node;
    const remote = this.gHome![gp] !== node;
    const f = remote ? this.cfg.numa!.remoteFactor : 1;
    this.pBurstFactor[pp] = f;
    const st = this.numa!;
    st.workNs += work;
    if (remote) st.remoteWorkNs += work;
    return work * f;
  }
}
