import type { RandomStream } from '../../engine/random.js';
import type { Simulation } from '../../engine/simulation.js';
import type { PodService } from '../../service/calls.js';
import { GC_MARK, GcDriver, WORKER_IDLE, WORKER_NONE } from '../gc/cycle.js';
import { GcMark } from '../gc/mark.js';
import { GO_FEATURES } from '../version.js';
import { Chans } from './chan.js';
import { Cpu, STALL_STW } from './cpu.js';
import { callReady } from './dependency-call.js';
import { GFreeLists } from './gfree.js';
import { dropg, injectRunnable, newG, preemptPark } from './goroutines.js';
import { GTable } from './gtable.js';
import { burstEnded, gcBgMarkStartWorkers, interpret } from './interp.js';
import { Memory } from './memory.js';
import { Netpoll } from './netpoll.js';
import { becomePoller, checkTimers, injectglist, ioDue, netpollready, netpollWake, timersDue } from './poller.js';
import { type ProcResize, procresizeAfterGC } from './procresize.js';
import type { Programs } from './program.js';
import { RunQueues } from './runq.js';
import { RWMutexes } from './rwmutex.js';
import { GoFatalError, type RequestSink, type SchedConfig, SchedStats, type SchedTracer } from './sched-config.js';
import { SelectTimers } from './select.js';
import { Stacks } from './stack.js';
import {
  Grunnable,
  Grunning,
  Gsyscall,
  Gwaiting,
  Mparked,
  Mrunning,
  Msyscall,
  Mwaking,
  Pdead,
  Pidle,
  Prunning,
  Psyscall,
  WAIT_IO,
  WAIT_NONE,
} from './states.js';
import { runnextStealRetry, STEAL_USLEEP, StealOrder, stealWork } from './steal.js';
import { SyncMutexes } from './sync-mutex.js';
import { Sysmon } from './sysmon.js';
import { Timers } from './timers.js';

export {
  GoFatalError,
  type RequestSink,
  type SchedConfig,
  type SchedCosts,
  SchedStats,
  type SchedTracer,
} from './sched-config.js';

/**
 * One pod's Go scheduler (proc.go): Ps with local run queues, Ms created on demand, Gs running small
 * programs, netpoll, timers, syscalls with sysmon retake, and time-slice preemption. Functions carry
 * the names of the runtime functions they mirror. All times are simulated ns; no wall clock, and every
 * random draw (steal order) comes from the `sched.steal` stream.
 */
export class Sched {
  readonly g: GTable;
  readonly rq: RunQueues;
  readonly sysmon: Sysmon;
  readonly stats = new SchedStats();
  tracer: SchedTracer | undefined;
  /** The pod's side of the service's world (dependencies, pools, limiter): runs `call` ops. */
  service: PodService | undefined;

  // Ps.
  /** GOMAXPROCS: the Ps 0 … nP−1 exist; runtime.GOMAXPROCS(n) changes it live (procresize.ts). */
  nP: number;
  /** The most Ps there may ever be (cfg.maxProcs): per-P arrays are this long; those ≥ nP are _Pdead. */
  readonly pCap: number;
  /** A live GOMAXPROCS change (procresize.ts), made on the first one. */
  procresize: ProcResize | undefined;
  readonly pStatus: Uint8Array;
  readonly pM: Int32Array;
  readonly pCurG: Int32Array;
  /**
   * p.schedtick, a uint32 as in Go (wraps at 2^32 as Go's does). A Uint32Array also keeps findRunnable's
   * `schedtick % 61` an integer remainder: on a Float64Array V8 computes it as a float fmod, a C call.
   */
  readonly schedtick: Uint32Array;
  readonly syscalltick: Float64Array;
  readonly syscallStart: Float64Array;
  /** The CPUs under the Ps: bursts, CPU time, CFS and STW stalls, slowdown, NUMA (cpu.ts). */
  readonly cpu: Cpu;
  readonly cfs: Cpu['cfs'];
  readonly numa: Cpu['numa'];
  /** The collector (when the workload allocates), and per P its mark workers and assists (gc/mark.ts). */
  readonly gc: GcDriver | undefined;
  readonly mark: GcMark;
  /** Goroutine stacks (stack.go), when some step runs deep. */
  readonly stacks: Stacks | undefined;
  /** The process's memory: heap + stacks + overhead (RSS), its peak, the container limit (memory.ts). */
  readonly mem: Memory;
  /** Runtime-owned Gs (the background mark workers, G index = P): not goroutines of the program. */
  readonly nSystemGs: number;
  /** Timers (time.go): pending ones, and per P those due but not yet run (checkTimers runs them). */
  readonly timers: Timers;
  /** Due timers per P (timers.dueCount). */
  readonly dueCount: Int32Array;
  /** Dead Gs kept for reuse (gfput/gfget). */
  readonly gfree: GFreeLists;
  /** sched.pidle: the idle Ps, a LIFO stack (procresize.ts rebuilds it). */
  readonly pidle: Int32Array;
  npidle = 0;
  /** Ps in _Psyscall. */
  nPsyscall = 0;

  // Ms.
  mcount = 0;
  readonly mStatus: Uint8Array;
  readonly mP: Int32Array;
  readonly mNextP: Int32Array;
  readonly mOldP: Int32Array;
  readonly mCurG: Int32Array;
  readonly mSpinning: Uint8Array;
  private readonly midle: Int32Array;
  nmidle = 0;
  nmspinning = 0;
  /**
   * sched.needspinning (Go 1.21+, so goVersion 1.25): work was found that no idle P could take; the next
   * M about to drop its P spins once more instead (pidlegetSpinning / the "delicate dance"). Always 0 in 1.19.
   */
  needspinning = 0;
  /** Go 1.21+ spinning protocol (version.ts needspinning; wakep without the npidle pre-check). */
  private readonly go121: boolean;

  /** The network poller (netpoll.go): I/O waits, ready Gs, the M blocked in netpoll. */
  readonly netpoll: Netpoll;
  /** Channels (chan.go). */
  readonly chans: Chans;
  /** sync.Mutex (mutex.go, sema.go), sync.RWMutex (rwmutex.go), select timers (select.go): their own files. */
  readonly mutexes: SyncMutexes;
  readonly rwmutexes: RWMutexes;
  readonly selects = new SelectTimers();

  /** goid of the last G made (sched.goidgen); goroutines.ts's newG takes the next. */
  goidgen = 0;
  /** Ps running a G now (runningPs). */
  running = 0;
  private readonly kSyscallEnd: number;
  private readonly kMWake: number;
  private readonly kPreempt: number;
  private readonly kRunnextSteal: number;
  /** Work stealing's random victim order and what stealWork found (steal.ts). */
  readonly steal: StealOrder;

  constructor(
    readonly sim: Simulation,
    readonly cfg: SchedConfig,
    readonly progs: Programs,
    stealRng: RandomStream,
    /** Where a request's start and completion go (goroutines.ts goexit, execute). */
    readonly sink: RequestSink,
  ) {
    this.nP = cfg.gomaxprocs;
    const n = this.nP;
    this.pCap = Math.max(n, cfg.maxProcs ?? n);
    const cap = this.pCap;
    this.go121 = GO_FEATURES[cfg.goVersion].needspinning;
    this.g = new GTable(1024);
    this.rq = new RunQueues(cap);
    this.pStatus = new Uint8Array(cap).fill(Pdead).fill(Pidle, 0, n);
    this.pM = new Int32Array(cap).fill(-1);
    this.pCurG = new Int32Array(cap).fill(-1);
    this.schedtick = new Uint32Array(cap);
    this.syscalltick = new Float64Array(cap);
    this.syscallStart = new Float64Array(cap);
    const kBurstEnd = sim.registerKind('gmp.burst-end', (pp, _) => burstEnded(this, pp));
    this.cpu = new Cpu(sim, n, cfg, kBurstEnd, cap);
    this.cfs = this.cpu.cfs;
    this.numa = this.cpu.numa;
    if (progs.growsStacks) this.stacks = new Stacks(1024);
    this.nSystemGs = progs.allocates && cfg.gc ? cap : 0;
    this.mem = new Memory(this.g, this.stacks, cfg.runtimeOverheadBytes ?? 0, cfg.memoryLimitBytes, this.nSystemGs);
    if (progs.allocates && cfg.gc) {
      const sched = this;
      this.gc = new GcDriver(sim, cfg.gc, {
        get nP() {
          return sched.nP;
        },
        pCap: cap,
        stallWorld: () => this.cpu.stall(STALL_STW),
        startWorld: () => {
          this.cpu.unstall(STALL_STW);
          this.wakep(); // startTheWorldWithSema: idle Ps may run idle mark workers
          procresizeAfterGC(this); // a runtime.GOMAXPROCS waiting in stopTheWorldGC goes on
        },
        stopLatencyNs: () => (this.cpu.anyBurst() ? this.cfg.costs.preemptSignalNs : 0),
        wakeAssists: (gs) => injectRunnable(this, gs),
        stackBytes: () => this.mem.stackBytes(),
        shrinkStacks: () => this.mem.shrinkStacks(),
        nonHeapBytes: () => this.mem.stackBytes() + (this.cfg.runtimeOverheadBytes ?? 0),
      });
      this.mem.gc = this.gc;
      gcBgMarkStartWorkers(this);
    }
    this.mark = new GcMark(this.gc, cap);
    this.gfree = new GFreeLists(cap, this.g);
    this.pidle = new Int32Array(cap);
    // All Ps start idle (procresize), pushed so that P0 is taken first.
    for (let p = n - 1; p >= 0; p--) this.pidleput(p);
    const maxM = cfg.maxThreads;
    this.mStatus = new Uint8Array(maxM);
    this.mP = new Int32Array(maxM).fill(-1);
    this.mNextP = new Int32Array(maxM).fill(-1);
    this.mOldP = new Int32Array(maxM).fill(-1);
    this.mCurG = new Int32Array(maxM).fill(-1);
    this.mSpinning = new Uint8Array(maxM);
    this.midle = new Int32Array(maxM);
    this.chans = new Chans(progs.chanCapacity, this.g, progs.chanNames);
    this.mutexes = new SyncMutexes(progs.mutexNames.length, this.g, cfg.syncMutex);
    this.rwmutexes = new RWMutexes(progs.rwmutexNames.length, this.g);
    this.steal = new StealOrder(n, maxM, stealRng);

    this.kSyscallEnd = sim.registerKind('gmp.syscall-end', (gp) => this.exitsyscall(gp));
    const kNetpollReady = sim.registerKind('gmp.netpoll-ready', (_t, _a) => ioDue(this));
    const kTimer = sim.registerKind('gmp.timer', () => timersDue(this));
    this.timers = new Timers(sim, cap, kTimer, this.stats.timerDelayMs);
    this.dueCount = this.timers.dueCount;
    this.kMWake = sim.registerKind('gmp.m-wake', (m) => this.mstart(m));
    const kPollWake = sim.registerKind('gmp.netpoll-wake', (m, _) => netpollWake(this, m));
    // A request's own events, ~5 of its ~6 (issue 24): dispatched from call sites of their own. Their
    // handlers declare both parameters: a call with as many arguments as the callee declares is a direct
    // call of its code, where a mismatch goes through V8's generic CallFunction builtin.
    sim.markHot(kBurstEnd);
    sim.markHot(kPollWake);
    sim.markHot(kNetpollReady);
    this.netpoll = new Netpoll(sim, this.g, kNetpollReady, kPollWake);
    this.kPreempt = sim.registerKind('gmp.preempt', (pp, tick) => preemptPark(this, pp, tick));
    this.kRunnextSteal = sim.registerKind('gmp.runnext-steal', (m, victim) => runnextStealRetry(this, m, victim));
    // sysmon's usleep(delay) returns after delay + timer slack + the thread's wake-up (issue 26).
    this.sysmon = new Sysmon(sim, this, (cfg.costs.timerSlackNs ?? 0) + cfg.costs.threadWakeNs, cfg.costs.usleepLate);
    // Its wakes take CPU from the running Ms when they and it outnumber the host CPUs (costs.sysmonWakeCpuUs).
    if (cfg.sysmonWake !== undefined && cfg.sysmonWake.cpuNs > 0) this.cpu.sysmon = this.sysmon;
    // The main M (m0) exists from the start and parks as the network poller of an idle server.
    const m0 = this.allocm();
    becomePoller(this, m0);
    // A server pod starts idle (main blocked in Serve): sysmon will go into its deep sleep.
    this.sysmon.noteAllIdle();
  }

  // ---- entry points from the pod -----------------------------------------------------------------

  /**
   * A request arrives: its connection goroutine becomes ready in the netpoller (net/http's model). Shed
   * by the pod's limiter, its handler answers 503 at once: the G runs straight to its end.
   */
  acceptRequest(requestId: number, shed = false): void {
    const gp = newG(this, 0, requestId, -1, -1); // its draws use its request's key (g.drawKey)
    if (shed) this.g.pc[gp] = this.progs.endPc(0);
    this.g.status[gp] = Gwaiting;
    this.g.waitReason[gp] = WAIT_IO;
    netpollready(this, gp);
  }

  /** CallWaker (service/calls.ts): a dependency call of gp is over. */
  callDone(gp: number, ok: boolean): void {
    callReady(this, gp, ok);
  }

  // ---- Ps and Ms -------------------------------------------------------------------------------

  /** pidleput: P goes on the idle list (LIFO). */
  private pidleput(pp: number): void {
    this.pStatus[pp] = Pidle;
    this.pM[pp] = -1;
    this.pidle[this.npidle++] = pp;
    if (this.npidle === this.nP) this.sysmon?.noteAllIdle();
    else if (this.nPsyscall > 0) this.sysmon.poke(); // retake's "spinning or idle Ps" may have changed
  }

  /** pidleget: the most recently idled P, or -1. */
  pidleget(): number {
    if (this.npidle === 0) return -1;
    const pp = this.pidle[--this.npidle]!;
    // The P will run a G: sysmon may need to look at it in 10 ms.
    if (this.nPsyscall > 0) this.sysmon.poke();
    else this.sysmon.pokeIfLater(this.sim.now + 10_000_000);
    return pp;
  }

  allocm(): number {
    if (this.mcount >= this.cfg.maxThreads) {
      throw new GoFatalError(`runtime: program exceeds ${this.cfg.maxThreads}-thread limit`);
    }
    const m = this.mcount++;
    this.mStatus[m] = Mrunning;
    this.tracer?.instant('newm', -1, m, `M${m} created`);
    return m;
  }

  /** mput: park M on the idle list (stopm). */
  stopm(m: number): void {
    this.mStatus[m] = Mparked;
    this.mP[m] = -1;
    this.mCurG[m] = -1;
    this.midle[this.nmidle++] = m;
  }

  /** acquirep: wire P to M. */
  acquirep(m: number, pp: number): void {
    this.mP[m] = pp;
    this.pM[pp] = m;
    this.pStatus[pp] = Prunning;
  }

  /**
   * startm: run P (an idle one if pp < 0) on an idle M, or a new one (newm). The M starts after the OS
   * wake-up (or thread creation) latency; it holds the P meanwhile (mp.nextp).
   */
  startm(pp: number, spinning: boolean): void {
    if (pp < 0) {
      pp = this.pidleget();
      if (pp < 0) {
        if (spinning) this.spinningDone();
        return;
      }
    }
    let m: number;
    let latency: number;
    if (this.nmidle > 0) {
      m = this.midle[--this.nmidle]!;
      latency = this.cfg.costs.threadWakeNs;
    } else {
      m = this.allocm();
      latency = this.cfg.costs.threadCreateNs;
    }
    this.mStatus[m] = Mwaking;
    this.mSpinning[m] = spinning ? 1 : 0;
    this.mNextP[m] = pp;
    this.pStatus[pp] = Prunning; // owned by the waking M: not idle, not schedulable by others
    this.pM[pp] = m;
    this.sim.schedule(latency, this.kMWake, m);
  }

  /** mstart/mspinning: the woken M acquires its P and enters the scheduler. */
  private mstart(m: number): void {
    const pp = this.mNextP[m]!;
    this.mNextP[m] = -1;
    this.mStatus[m] = Mrunning;
    if (pp < 0) {
      this.stopm(m); // procresize destroyed its P and had no other for it
      return;
    }
    this.acquirep(m, pp);
    this.schedule(m);
  }

  /**
   * wakep: start a spinning M if there is an idle P and nobody is spinning (nmspinning 0 → 1).
   * 1.19 returns first when npidle == 0; 1.21+ takes nmspinning, then pidlegetSpinning finds no P and
   * sets needspinning instead.
   */
  wakep(): void {
    if (!this.go121 && this.npidle === 0) return;
    if (this.nmspinning !== 0) return;
    if (this.npidle === 0) {
      this.needspinning = 1; // pidlegetSpinning; the nmspinning increment is undone
      return;
    }
    this.nmspinning = 1;
    this.startm(-1, true);
  }

  /** m.becomeSpinning (1.21+; in 1.19 the same two writes inline): also clears needspinning. */
  private becomeSpinning(m: number): void {
    this.mSpinning[m] = 1;
    this.nmspinning++;
    this.needspinning = 0;
  }

  /** resetspinning: a spinning M found work: stop spinning and wake another (chained wakeups). */
  resetspinning(m: number): void {
    this.mSpinning[m] = 0;
    this.spinningDone();
    this.wakep();
  }

  /**
   * One spinning M fewer. sysmon reads nmspinning in retake ("keep a syscall's P if someone is spinning
   * or idle"): with a P in a syscall, it must look again, as its next real loop would.
   */
  private spinningDone(): void {
    this.nmspinning--;
    if (this.nPsyscall > 0) this.sysmon.poke();
  }

  /**
   * handoffp: a P taken from a syscall. Start an M for it if there is work or nobody else is spinning
   * or idle, or if it would be the last running P with nobody polling; else it goes idle.
   */
  handoffp(pp: number): void {
    this.stats.handoffs++;
    this.handoffpStart(pp);
    // after the decision: the M it started holds the P (pM), or -1 when the P went idle (trace's arrow)
    this.tracer?.instant('handoff', pp, this.pM[pp]!, 'handoffp');
  }

  private handoffpStart(pp: number): void {
    if (!this.rq.runqempty(pp) || this.rq.runqsize !== 0 || this.dueCount[pp]! > 0) {
      this.startm(pp, false);
      return;
    }
    if (this.nmspinning + this.npidle === 0) {
      this.nmspinning++;
      this.needspinning = 0;
      this.startm(pp, true);
      return;
    }
    if (this.npidle === this.nP - 1 && this.netpoll.pollerM < 0) {
      this.startm(pp, false);
      return;
    }
    this.pidleput(pp);
  }

  // ---- the scheduler ---------------------------------------------------------------------------

  /** schedule: find a runnable G for M's P and execute it, or release the P and park the M. */
  schedule(m: number): void {
    const gp = this.findRunnable(m);
    if (gp < 0) return; // M parked or polling; P released
    const pp = this.mP[m]!;
    if (this.mSpinning[m]) this.resetspinning(m);
    this.execute(m, pp, gp, this.foundInherit, this.foundOverhead);
  }

  private foundInherit = false;
  private foundOverhead = 0;

  /**
   * findRunnable (proc.go), in its order: timers of this P; every 61st schedtick one G from the global
   * queue; local runq; global runq (batch); non-blocking netpoll; stealWork (if spinning or spinners <
   * half the busy Ps); re-check global; release P; re-check all runqs; block in netpoll or stopm.
   * Returns the G, with foundInherit/foundOverhead set, or -1 when the M blocked.
   */
  findRunnable(m: number): number {
    let pp = this.mP[m]!;
    this.foundOverhead = 0;
    for (;;) {
      checkTimers(this, pp, pp);
      if (this.gc !== undefined && this.gc.phase === GC_MARK) {
        const mode = this.gc.findRunnableGCWorker(pp);
        if (mode !== WORKER_NONE) return this.gcWorker(pp, mode);
      }
      if (this.schedtick[pp]! % 61 === 0 && this.rq.runqsize > 0) {
        const gp = this.rq.globrunqget(pp, 1, this.nP);
        if (gp >= 0) return this.found(gp, false);
      }
      let gp = this.rq.runqget(pp);
      if (gp >= 0) return this.found(gp, this.rq.inheritTime);
      if (this.rq.runqsize !== 0) {
        gp = this.rq.globrunqget(pp, 0, this.nP);
        if (gp >= 0) return this.found(gp, false);
      }
      // Non-blocking netpoll (netpollWaiters > 0: a server always has its listener parked there).
      if (this.netpoll.pending() > 0 && this.netpoll.pollerM < 0) {
        gp = this.netpoll.take();
        injectglist(this, pp);
        return this.found(gp, false);
      }
      if (this.mSpinning[m] || 2 * this.nmspinning < this.nP - this.npidle) {
        if (!this.mSpinning[m]) this.becomeSpinning(m);
        gp = stealWork(this, pp);
        if (gp >= 0) {
          this.foundOverhead += this.steal.costNs;
          return this.found(gp, this.steal.inherit);
        }
        if (gp === STEAL_USLEEP) {
          // The M keeps its P and stays spinning while it sleeps; runnextStealRetry goes on from there.
          const victim = this.steal.waitVictim;
          this.steal.mWantG[m] = this.rq.runnext[victim]!;
          this.sim.schedule(this.cfg.costs.runnextStealWaitNs, this.kRunnextSteal, m, victim);
          return -1;
        }
        if (this.steal.ranTimer) continue; // new work may have appeared: goto top
      }
      // Nothing to do: in a mark phase, mark instead of giving up the P (idle-priority worker).
      if (this.gc !== undefined && this.gc.phase === GC_MARK && this.gc.addIdleMarkWorker())
        return this.gcWorker(pp, WORKER_IDLE);
      // Release the P and block.
      if (this.rq.runqsize !== 0) {
        gp = this.rq.globrunqget(pp, 0, this.nP);
        return this.found(gp, false);
      }
      if (!this.mSpinning[m] && this.needspinning === 1) {
        this.becomeSpinning(m); // 1.21+: someone found work no idle P could take; look once more
        continue;
      }
      this.mP[m] = -1;
      this.pidleput(pp);
      if (this.mSpinning[m]) {
        this.mSpinning[m] = 0;
        this.spinningDone();
        // checkRunqsNoP: a P with work appeared while we were dropping ours.
        let again = -1;
        for (let p2 = 0; p2 < this.nP; p2++) {
          if (this.pStatus[p2] !== Pidle && !this.rq.runqempty(p2)) {
            again = this.pidleget();
            break;
          }
        }
        if (again >= 0) {
          this.acquirep(m, again);
          this.becomeSpinning(m);
          pp = again;
          continue;
        }
      }
      if (this.netpoll.pollerM < 0) becomePoller(this, m);
      else this.stopm(m);
      return -1;
    }
  }

  /** The P runs its background mark worker G in `mode`. */
  private gcWorker(pp: number, mode: number): number {
    this.mark.mode[pp] = mode;
    this.g.status[pp] = Grunnable;
    this.g.waitReason[pp] = WAIT_NONE;
    return this.found(pp, false);
  }

  private found(gp: number, inheritTime: boolean): number {
    this.foundInherit = inheritTime;
    return gp;
  }

  /** execute: run gp on pp; a G not inherited from runnext starts a new time slice (schedtick++). */
  execute(m: number, pp: number, gp: number, inheritTime: boolean, extraNs: number): void {
    const g = this.g;
    g.status[gp] = Grunning;
    g.m[gp] = m;
    this.mCurG[m] = gp;
    this.pCurG[pp] = gp;
    this.running++;
    if (!inheritTime) this.schedtick[pp]!++;
    this.sysmon.pVisible(pp); // sysmon times the slice from the first loop that sees it
    this.tracer?.gStart(pp, m, gp, g.goid[gp]!);
    if (g.request[gp]! >= 0) this.sink.started(g.request[gp]!);
    interpret(this, pp, gp, this.cfg.costs.ctxSwitchNs + extraNs);
  }

  /** Ps running a G now. */
  runningPs(): number {
    return this.running;
  }

  /** CPU time the pod's Ps have used, ns (bursts only: throttled and stopped time excluded). */
  busyIntegralNs(): number {
    return this.cpu.busyIntegralNs();
  }

  /** Note the memory now; past the container limit, the kernel's OOM killer ends the pod. */
  noteMemory(): void {
    if (this.mem.note() && !this.dead) this.cfg.onOom?.();
  }

  /** The process is gone: every P stops for good, and sysmon and the CFS timer with it. */
  dead = false;
  stop(): void {
    if (this.dead) return;
    this.dead = true;
    this.cpu.stop();
  }

  // ---- preemption --------------------------------------------------------------------------------

  /** preemptone (from sysmon's retake): the signal reaches the M after preemptSignalNs. */
  preemptone(pp: number): void {
    // mark workers yield per chunk
    if (this.pCurG[pp]! < 0 || this.cpu.burstH[pp]! < 0 || this.mark.mode[pp] !== WORKER_NONE) return;
    this.sim.schedule(this.cfg.costs.preemptSignalNs, this.kPreempt, pp, this.schedtick[pp]!);
  }

  /** The CPU slowdown changed: bursts in progress (running or frozen) stretch or shrink from now on. */
  cpuSlowdownChanged(): void {
    this.cpu.slowdownChanged();
  }

  // ---- syscalls ----------------------------------------------------------------------------------

  /** entersyscall (Go 1.19 reentersyscall): the P stays attached in _Psyscall until exit or retake. */
  entersyscall(pp: number, gp: number, durationNs: number): void {
    const m = this.pM[pp]!;
    this.stats.syscalls++;
    dropg(this, pp, 'syscall');
    this.mCurG[m] = gp;
    this.g.status[gp] = Gsyscall;
    this.g.m[gp] = m;
    this.mStatus[m] = Msyscall;
    this.mP[m] = -1;
    this.mOldP[m] = pp;
    this.pM[pp] = -1;
    this.pStatus[pp] = Psyscall;
    this.nPsyscall++;
    this.syscallStart[pp] = this.sim.now;
    this.tracer?.instant('syscall', pp, m, `G${this.g.goid[gp]} enters syscall`);
    this.sim.schedule(durationNs + this.cfg.costs.syscallNs, this.kSyscallEnd, gp);
    // reentersyscall: if sysmon is in its deep sleep (sched.sysmonwait), entersyscall_sysmon wakes it.
    this.sysmon.wakeFromSyscall();
    this.sysmon.poke();
  }

  /** sysmon retake: take pp from its syscall (status → idle, syscalltick++) and handoffp. */
  retakeSyscall(pp: number): void {
    this.pStatus[pp] = Pidle;
    this.nPsyscall--;
    this.syscalltick[pp]!++;
    this.sysmon.pHidden(pp);
    this.handoffp(pp);
  }

  /**
   * exitsyscall: fast path reacquires the old P if sysmon did not take it, else any idle P
   * (exitsyscallfast_pidle); otherwise exitsyscall0 puts the G on the global queue and stops the M.
   * Like Go's CAS on oldp.status, "old P in _Psyscall" holds even when the P has since been handed to
   * another M that is now itself in a syscall: this M takes it from under that M.
   */
  exitsyscall(gp: number): void {
    this.tracer?.exitsyscall?.(gp);
    const m = this.g.m[gp]!;
    const oldp = this.mOldP[m]!;
    this.mOldP[m] = -1;
    let pp = -1;
    if (oldp >= 0 && this.pStatus[oldp] === Psyscall) {
      pp = oldp;
      this.sysmon.syscallHidden(pp);
      this.nPsyscall--;
    } else if (this.npidle > 0) {
      pp = this.pidleget();
      this.sysmon.wakeFromSyscall();
      this.sysmon.pVisible(pp); // (the old P in _Psyscall was visible all along)
    }
    if (pp >= 0) {
      this.acquirep(m, pp);
      this.syscalltick[pp]!++;
      this.mStatus[m] = Mrunning;
      this.g.status[gp] = Grunning;
      this.pCurG[pp] = gp;
      this.running++;
      // No schedtick++ here (the G goes on): a P that sysmon last saw running with this same schedtick
      // looks to retake like one slice all along, and may be preempted at once.
      this.sysmon.pokeIfStale(pp);
      this.tracer?.gStart(pp, m, gp, this.g.goid[gp]!);
      interpret(this, pp, gp, 0);
      return;
    }
    this.g.status[gp] = Grunnable;
    this.g.m[gp] = -1;
    this.rq.globrunqput(gp);
    // exitsyscall0 wakes a deep-sleeping sysmon only when it got a P ("else if sched.sysmonwait"): with
    // every P busy, sysmon sleeps on until the next entersyscall wakes it with its backoff reset.
    this.stopm(m);
  }

  // ---- the idle P list, for netpoll and timers ------------------------------------------------

  /** An idle P that has due timers, or -1. */
  idlePWithDueTimers(): number {
    for (let i = 0; i < this.npidle; i++) {
      const p = this.pidle[i]!;
      if (this.dueCount[p]! > 0) return p;
    }
    return -1;
  }

  /** pidleget, taking P `want` off the idle list if it is there. */
  pidlegetPrefer(want: number): number {
    if (want >= 0) {
      for (let i = 0; i < this.npidle; i++) {
        if (this.pidle[i] === want) {
          this.pidle[i] = this.pidle[this.npidle - 1]!;
          this.pidle[this.npidle - 1] = want;
          break;
        }
      }
    }
    return this.pidleget();
  }

  // ---- views for metrics, invariants and schedtrace ---------------------------------------------

  /** Goroutines of the program in `status` (runtime-owned mark workers excluded). */
  countGs(status: number): number {
    let n = 0;
    for (let i = this.nSystemGs; i < this.g.count; i++) if (this.g.status[i] === status) n++;
    return n;
  }

  liveGs(): number {
    return this.stats.gCreated - this.stats.gExited;
  }

  mCountIn(status: number): number {
    let n = 0;
    for (let m = 0; m < this.mcount; m++) if (this.mStatus[m] === status) n++;
    return n;
  }
}
