import { mixKey, type RandomStream } from '../../engine/random.js';
import type { Simulation } from '../../engine/simulation.js';
import { GTable } from './gtable.js';
import {
  OP_ALLOC, OP_CPU, OP_END, OP_GC_MARK, OP_GOSCHED, OP_LOCK, OP_NETPOLL, OP_SLEEP, OP_SPAWN, OP_STACK_GROW, OP_STACK_POP, OP_SYSCALL,
  OP_UNLOCK, OP_WAIT_CHILDREN, OP_SEND, OP_RECV, OP_CALL,
  type Programs,
} from './program.js';
import { GC_MARK, GcDriver, WORKER_IDLE, WORKER_NONE } from '../gc/cycle.js';
import { ASSIST_GO_ON, GcMark } from '../gc/mark.js';
import { RunQueues } from './runq.js';
import {
  Gdead, Grunnable, Grunning, Gsyscall, Gwaiting, Mparked, Mpolling, Mrunning, Msyscall, Mwaking, Pidle, Prunning, Psyscall,
  WAIT_CHAN_RECEIVE, WAIT_CHAN_SEND, WAIT_GC_ASSIST, WAIT_GC_WORKER, WAIT_IO, WAIT_NONE, WAIT_SLEEP, WAIT_SYNC_MUTEX,
} from './states.js';
import { Sysmon } from './sysmon.js';
import { Cpu, STALL_STW } from './cpu.js';
import { STACK_MIN, Stacks } from './stack.js';
import { CHAN_BLOCK, Chans } from './chan.js';
import { Timers } from './timers.js';
import { Netpoll } from './netpoll.js';
import { GO_FEATURES } from '../version.js';
import { GFreeLists } from './gfree.js';
import { SchedStats, GoFatalError, type RequestSink, type SchedConfig, type SchedTracer } from './sched-config.js';
import type { PodService } from '../../service/calls.js';

const NO_STACK_STATS: Stacks['stats'] = Object.freeze({ growths: 0, shrinks: 0, copiedBytes: 0 });

/** stealWork's answer when it must first usleep(3) before taking a running victim's runnext. */
const STEAL_USLEEP = -2;

export {
  GoFatalError, SchedStats, type RequestSink, type SchedConfig, type SchedCosts, type SchedTracer,
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
  readonly nP: number;
  readonly pStatus: Uint8Array;
  readonly pM: Int32Array;
  readonly pCurG: Int32Array;
  readonly schedtick: Float64Array;
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
  /** Runtime-owned Gs (the background mark workers, G index = P): not goroutines of the program. */
  readonly nSystemGs: number;
  /** Timers (time.go): pending ones, and per P those due but not yet run (checkTimers runs them). */
  readonly timers: Timers;
  /** Due timers per P (timers.dueCount). */
  readonly dueCount: Int32Array;
  /** Dead Gs kept for reuse (gfput/gfget). */
  readonly gfree: GFreeLists;
  private readonly pidle: Int32Array;
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
  /** Channels and mutexes (chan.go, sema.go). */
  readonly chans: Chans;

  private goidgen = 0;
  private running = 0;
  private readonly kBurstEnd: number;
  private readonly kSyscallEnd: number;
  private readonly kNetpollReady: number;
  private readonly kTimer: number;
  private readonly kMWake: number;
  private readonly kPollWake: number;
  private readonly kPreempt: number;
  private readonly kRunnextSteal: number;
  /** The victim stealWork chose to usleep(3) on, and per M the runnext G it hopes to take. */
  private stealWaitVictim = -1;
  private readonly mStealG: Int32Array;
  private readonly coprimes: number[];

  constructor(
    readonly sim: Simulation,
    readonly cfg: SchedConfig,
    readonly progs: Programs,
    private readonly stealRng: RandomStream,
    private readonly sink: RequestSink,
  ) {
    const n = (this.nP = cfg.gomaxprocs);
    this.go121 = GO_FEATURES[cfg.goVersion].needspinning;
    this.g = new GTable(1024);
    this.rq = new RunQueues(n);
    this.pStatus = new Uint8Array(n).fill(Pidle);
    this.pM = new Int32Array(n).fill(-1);
    this.pCurG = new Int32Array(n).fill(-1);
    this.schedtick = new Float64Array(n);
    this.syscalltick = new Float64Array(n);
    this.syscallStart = new Float64Array(n);
    this.kBurstEnd = sim.registerKind('gmp.burst-end', (pp) => this.burstEnded(pp));
    this.cpu = new Cpu(sim, n, cfg, this.kBurstEnd);
    this.cfs = this.cpu.cfs;
    this.numa = this.cpu.numa;
    if (progs.growsStacks) this.stacks = new Stacks(1024);
    if (progs.allocates && cfg.gc) {
      this.gc = new GcDriver(sim, cfg.gc, {
        nP: n,
        stallWorld: () => this.cpu.stall(STALL_STW),
        startWorld: () => {
          this.cpu.unstall(STALL_STW);
          this.wakep(); // startTheWorldWithSema: idle Ps may run idle mark workers
        },
        stopLatencyNs: () => (this.cpu.anyBurst() ? this.cfg.costs.preemptSignalNs : 0),
        wakeAssists: (gs) => this.injectRunnable(gs),
        stackBytes: () => this.stackBytes(),
        shrinkStacks: () => this.shrinkStacks(),
        nonHeapBytes: () => this.stackBytes() + (this.cfg.runtimeOverheadBytes ?? 0),
      });
      // gcBgMarkStartWorkers: one background mark worker G per P, parked until a mark phase.
      for (let p = 0; p < n; p++) {
        const gp = this.g.add();
        this.g.status[gp] = Gwaiting;
        this.g.waitReason[gp] = WAIT_GC_WORKER;
        this.g.prog[gp] = progs.gcWorkerProg;
        this.g.pc[gp] = progs.start[progs.gcWorkerProg]!;
        this.g.workLeft[gp] = -1;
        this.g.goid[gp] = ++this.goidgen;
      }
    }
    this.nSystemGs = this.gc ? n : 0;
    this.mark = new GcMark(this.gc, n);
    this.gfree = new GFreeLists(n, this.g);
    this.pidle = new Int32Array(n);
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
    this.mStealG = new Int32Array(maxM).fill(-1);
    this.chans = new Chans(progs.mutexNames.length, progs.chanCapacity, this.g);
    // stealOrder: the numbers coprime with GOMAXPROCS (randomOrder.reset).
    this.coprimes = [];
    for (let i = 1; i <= n; i++) if (gcd(i, n) === 1) this.coprimes.push(i);

    this.kSyscallEnd = sim.registerKind('gmp.syscall-end', (gp) => this.exitsyscall(gp));
    this.kNetpollReady = sim.registerKind('gmp.netpoll-ready', () => this.ioDue());
    this.kTimer = sim.registerKind('gmp.timer', () => this.timersDue());
    this.timers = new Timers(sim, n, this.kTimer, this.stats.timerDelayMs);
    this.dueCount = this.timers.dueCount;
    this.kMWake = sim.registerKind('gmp.m-wake', (m) => this.mstart(m));
    this.kPollWake = sim.registerKind('gmp.netpoll-wake', (m) => this.netpollWake(m));
    this.netpoll = new Netpoll(sim, this.g, this.kNetpollReady, this.kPollWake);
    this.kPreempt = sim.registerKind('gmp.preempt', (pp, tick) => this.preemptPark(pp, tick));
    this.kRunnextSteal = sim.registerKind('gmp.runnext-steal', (m, victim) => this.runnextStealRetry(m, victim));
    // sysmon's usleep(delay) returns after delay + timer slack + the thread's wake-up (issue 26).
    this.sysmon = new Sysmon(sim, this, (cfg.costs.timerSlackNs ?? 0) + cfg.costs.threadWakeNs);
    // The main M (m0) exists from the start and parks as the network poller of an idle server.
    const m0 = this.allocm();
    this.becomePoller(m0);
    // A server pod starts idle (main blocked in Serve): sysmon will go into its deep sleep.
    this.sysmon.noteAllIdle();
  }

  // ---- entry points from the pod -----------------------------------------------------------------

  /** A request arrives: its connection goroutine becomes ready in the netpoller (net/http's model). */
  acceptRequest(requestId: number, drawKey: number, shed = false): void {
    const gp = this.newG(0, requestId, -1, -1);
    this.g.drawKey[gp] = drawKey;
    // Shed by the limiter: the handler answers 503 at once (its G runs straight to the end).
    if (shed) this.g.pc[gp] = this.progs.endPc(0);
    this.g.status[gp] = Gwaiting;
    this.g.waitReason[gp] = WAIT_IO;
    this.netpollready(gp);
  }

  // ---- Gs --------------------------------------------------------------------------------------

  /** newproc1/gfget: a G running program `prog`, reusing a dead G from pp's (or the global) free list. */
  newG(prog: number, request: number, parent: number, pp: number): number {
    const g = this.g;
    let gp = -1;
    if (pp >= 0) gp = this.gfree.gfget(pp);
    else gp = this.gfree.gfgetGlobal();
    if (gp < 0) {
      gp = g.add();
      this.gc?.ensureCapacity(g.capacity);
      this.stacks?.ensureCapacity(g.capacity);
      this.cpu.ensureCapacity(g.capacity);
    }
    this.cpu.newG(gp, pp); // NUMA first touch
    g.status[gp] = Grunnable;
    g.waitReason[gp] = WAIT_NONE;
    g.prog[gp] = prog;
    g.pc[gp] = this.progs.start[prog]!;
    g.workLeft[gp] = -1;
    g.request[gp] = request;
    g.parent[gp] = parent;
    g.children[gp] = 0;
    g.m[gp] = -1;
    g.link[gp] = -1;
    g.goid[gp] = ++this.goidgen;
    this.stats.gCreated++;
    return gp;
  }

  /** ready/goready: a parked G becomes runnable in the runnext of the P that readied it, then wakep. */
  private ready(gp: number, pp: number): void {
    this.g.status[gp] = Grunnable;
    this.g.waitReason[gp] = WAIT_NONE;
    this.rq.runqput(pp, gp, true);
    this.wakep();
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
  private startm(pp: number, spinning: boolean): void {
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
    this.acquirep(m, pp);
    this.schedule(m);
  }

  /**
   * wakep: start a spinning M if there is an idle P and nobody is spinning (nmspinning 0 → 1).
   * 1.19 returns first when npidle == 0; 1.21+ takes nmspinning, then pidlegetSpinning finds no P and
   * sets needspinning instead.
   */
  private wakep(): void {
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
  private resetspinning(m: number): void {
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
    this.tracer?.instant('handoff', pp, -1, 'handoffp');
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
      this.checkTimers(pp, pp);
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
      if (this.netpollPending() > 0 && this.netpoll.pollerM < 0) {
        gp = this.netpoll.take();
        this.injectglist(pp);
        return this.found(gp, false);
      }
      if (this.mSpinning[m] || 2 * this.nmspinning < this.nP - this.npidle) {
        if (!this.mSpinning[m]) this.becomeSpinning(m);
        gp = this.stealWork(pp);
        if (gp >= 0) return this.found(gp, this.stealInherit);
        if (gp === STEAL_USLEEP) {
          // The M keeps its P and stays spinning while it sleeps; runnextStealRetry goes on from there.
          const victim = this.stealWaitVictim;
          this.mStealG[m] = this.rq.runnext[victim]!;
          this.sim.schedule(this.cfg.costs.runnextStealWaitNs, this.kRunnextSteal, m, victim);
          return -1;
        }
        if (this.stealRanTimer) continue; // new work may have appeared: goto top
      }
      // Nothing to do: in a mark phase, mark instead of giving up the P (idle-priority worker).
      if (this.gc !== undefined && this.gc.phase === GC_MARK && this.gc.addIdleMarkWorker()) return this.gcWorker(pp, WORKER_IDLE);
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
      if (this.netpoll.pollerM < 0) this.becomePoller(m);
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

  private stealInherit = false;
  private stealRanTimer = false;

  /**
   * stealWork: 4 rounds over all Ps in random order (random start, stride coprime to GOMAXPROCS),
   * skipping idle Ps; the last round also runs other Ps' due timers and may take runnext.
   */
  private stealWork(pp: number): number {
    this.stealRanTimer = false;
    this.stealInherit = false;
    const n = this.nP;
    for (let i = 0; i < 4; i++) {
      const last = i === 3;
      const r = Math.floor(this.stealRng.next() * 4294967296);
      const start = r % n;
      const inc = this.coprimes[Math.floor(r / n) % this.coprimes.length]!;
      // NUMA-aware order: the same random walk, but the thief's own node first, then the others.
      const local = this.cpu.numaAwareNode(pp);
      for (let k = 0, pos = start; k < n * (local >= 0 ? 2 : 1); k++, pos = (pos + inc) % n) {
        const p2 = pos;
        if (p2 === pp) continue;
        if (local >= 0 && (this.cpu.pNode![p2] === local) !== k < n) continue;
        if (last && this.dueCount[p2]! > 0) {
          this.checkTimers(p2, pp);
          const gp = this.rq.runqget(pp);
          if (gp >= 0) {
            this.stealInherit = this.rq.inheritTime;
            return gp;
          }
          this.stealRanTimer = true;
        }
        if (this.pStatus[p2] !== Pidle) {
          // runqgrab: a running victim's runnext is taken only after usleep(3) — the victim may be about
          // to run it — and only if it is still there then (the CAS). The M sleeps in simulated time.
          if (last && this.pStatus[p2] === Prunning && this.rq.runqlen(p2) === 0 && this.rq.runnext[p2] !== -1) {
            this.stealWaitVictim = p2;
            return STEAL_USLEEP;
          }
          const gp = this.rq.runqsteal(pp, p2, last);
          if (gp >= 0) {
            this.foundOverhead += this.noteSteal(pp, p2, this.rq.stolen);
            return gp;
          }
        }
      }
    }
    return -1;
  }

  /**
   * After runqgrab's usleep(3): take the victim's runnext if it still holds the same G (the CAS), else
   * look for work again from the top of findRunnable (Go retries the grab; the victim ran its G).
   */
  private runnextStealRetry(m: number, victim: number): void {
    const gp = this.mStealG[m]!;
    this.mStealG[m] = -1;
    const pp = this.mP[m]!;
    if (this.rq.runnext[victim] === gp && this.pStatus[victim] !== Pidle) {
      this.rq.runnext[victim] = -1;
      const overhead = this.noteSteal(pp, victim, 1);
      this.resetspinning(m);
      this.execute(m, pp, gp, false, overhead);
      return;
    }
    this.schedule(m);
  }

  /** Count a steal of `stolen` Gs by pp from p2 and return what it costs the thief, ns. */
  private noteSteal(pp: number, p2: number, stolen: number): number {
    this.stats.steals++;
    this.stats.stolenGs += stolen;
    const cost = this.cfg.costs.stealNs + this.cpu.stealCostNs(pp, p2);
    this.tracer?.instant('steal', pp, this.pM[pp]!, `stole ${stolen} from P${p2}`);
    return cost;
  }

  /** execute: run gp on pp; a G not inherited from runnext starts a new time slice (schedtick++). */
  private execute(m: number, pp: number, gp: number, inheritTime: boolean, extraNs: number): void {
    const g = this.g;
    g.status[gp] = Grunning;
    g.m[gp] = m;
    this.mCurG[m] = gp;
    this.pCurG[pp] = gp;
    this.setRunning(+1);
    if (!inheritTime) this.schedtick[pp]!++;
    this.sysmon.pVisible(pp); // sysmon times the slice from the first loop that sees it
    this.tracer?.gStart(pp, m, gp, g.goid[gp]!);
    if (g.request[gp]! >= 0) this.sink.started(g.request[gp]!);
    this.runProgram(pp, gp, this.cfg.costs.ctxSwitchNs + extraNs);
  }

  /** The P stops running its G (park, exit, syscall, preemption): dropg. */
  private dropg(pp: number, reason: string): void {
    const gp = this.pCurG[pp]!;
    const m = this.pM[pp]!;
    this.tracer?.gStop(pp, m, gp, reason);
    this.pCurG[pp] = -1;
    if (m >= 0) this.mCurG[m] = -1;
    this.setRunning(-1);
    // A G entering a syscall leaves its P _Psyscall: still visible to sysmon's retake.
    if (reason !== 'syscall') this.sysmon.pHidden(pp);
  }

  private setRunning(delta: number): void {
    this.running += delta;
  }

  /** Ps running a G now. */
  runningPs(): number {
    return this.running;
  }

  /** CPU time the pod's Ps have used, ns (bursts only: throttled and stopped time excluded). */
  busyIntegralNs(): number {
    return this.cpu.busyIntegralNs();
  }

  // ---- running a G's program -------------------------------------------------------------------

  /**
   * Interpret gp's ops from its pc until it blocks, parks or starts a CPU burst. `overheadNs` (context
   * switch, steal, goroutine creation) occupies the P before the next CPU burst; before a blocking op it
   * is paid as a burst of its own so the P's time is accounted for.
   */
  private runProgram(pp: number, gp: number, overheadNs: number): void {
    const g = this.g, progs = this.progs;
    for (;;) {
      const pc = g.pc[gp]!;
      const op = progs.op[pc]!;
      if (op === OP_CPU) {
        if (g.workLeft[gp]! < 0) {
          const w = progs.draw(progs.arg[pc]!, g.drawKey[gp]!, pc);
          // A burst that starts while the write barrier is on runs slower.
          g.workLeft[gp] = this.gc !== undefined && this.gc.marking ? w * this.gc.cfg.writeBarrierSlowdown : w;
        }
        let work = g.workLeft[gp]!;
        if (this.cpu.pNode !== undefined) work = this.cpu.numaWork(pp, gp, work);
        this.startBurst(pp, overheadNs + work, true);
        return;
      }
      if (op === OP_ALLOC) {
        g.pc[gp] = pc + 1;
        const r = this.gc ? this.gc.alloc(gp, progs.draw(progs.arg[pc]!, g.drawKey[gp]!, pc)) : 0;
        if (this.gc) overheadNs += this.gc.sweepNs; // proportional sweeping before the allocation
        this.noteMemory();
        if (r === 0) continue;
        // Mark assist: the G scans in chunks before it goes on, or parks (pending overhead ≤ µs dropped).
        if (r > 0) this.mark.startAssist(pp);
        if (this.assistNext(pp, gp, overheadNs, r < 0)) return;
        continue;
      }
      if (op === OP_STACK_GROW) {
        overheadNs += this.stacks!.morestack(gp, progs.arg[pc]!) * (this.cfg.costs.stackCopyNsPerByte ?? 0);
        g.pc[gp] = pc + 1;
        continue;
      }
      if (op === OP_STACK_POP) {
        this.stacks!.pop(gp);
        g.pc[gp] = pc + 1;
        continue;
      }
      if (op === OP_GC_MARK) {
        this.gcMarkWorkerStep(pp, gp, overheadNs);
        return;
      }
      if (op === OP_SPAWN) {
        const child = progs.arg[pc]!, count = progs.arg2[pc]!;
        for (let k = 0; k < count; k++) this.newproc(pp, gp, child, mixKey(mixKey(g.drawKey[gp]!, pc), k));
        g.pc[gp] = pc + 1;
        overheadNs += count * this.cfg.costs.goroutineCreateNs;
        continue;
      }
      if (op === OP_UNLOCK) {
        const w = this.chans.unlock(progs.arg[pc]!);
        if (w !== -1) this.ready(w, pp);
        g.pc[gp] = pc + 1;
        continue;
      }
      if (op === OP_LOCK && this.chans.tryLock(progs.arg[pc]!, gp)) {
        g.pc[gp] = pc + 1;
        continue;
      }
      if (op === OP_SEND || op === OP_RECV) {
        const r = op === OP_SEND ? this.chans.chansend(progs.arg[pc]!) : this.chans.chanrecv(progs.arg[pc]!);
        if (r !== CHAN_BLOCK) {
          if (r !== -1) this.ready(r, pp);
          g.pc[gp] = pc + 1;
          overheadNs += this.cfg.costs.chanOpNs;
          continue;
        }
      }
      if (op === OP_WAIT_CHILDREN && g.children[gp] === 0) {
        g.pc[gp] = pc + 1;
        continue;
      }
      // Everything below gives up the P (or the M): pay pending overhead first.
      if (overheadNs > 0) {
        this.startBurst(pp, overheadNs, false);
        return;
      }
      const m = this.pM[pp]!;
      switch (op) {
        case OP_END:
          this.goexit(pp, gp);
          break;
        case OP_SYSCALL:
          g.pc[gp] = pc + 1;
          this.entersyscall(pp, gp, progs.draw(progs.arg[pc]!, g.drawKey[gp]!, pc));
          return; // the M is blocked; the P stays with it until exitsyscall or retake
        case OP_NETPOLL:
          g.pc[gp] = pc + 1;
          this.gopark(pp, gp, WAIT_IO);
          this.netpoll.ioWaitAdd(this.sim.now + progs.draw(progs.arg[pc]!, g.drawKey[gp]!, pc) + (this.cfg.network?.extraNs ?? 0), gp);
          break;
        case OP_CALL:
          // A call to a dependency: the G parks in netpoll, as on its TCP connection (service/calls.ts).
          g.pc[gp] = pc + 1;
          this.gopark(pp, gp, WAIT_IO);
          this.service!.call(gp, progs.arg[pc]!, g.drawKey[gp]!, pc, this.rootRequest(gp));
          break;
        case OP_SLEEP:
          g.pc[gp] = pc + 1;
          this.gopark(pp, gp, WAIT_SLEEP);
          this.addtimer(pp, gp, this.sim.now + progs.draw(progs.arg[pc]!, g.drawKey[gp]!, pc));
          break;
        case OP_WAIT_CHILDREN:
          g.pc[gp] = pc + 1;
          this.gopark(pp, gp, WAIT_CHAN_RECEIVE);
          break;
        case OP_LOCK: {
          const mu = progs.arg[pc]!;
          g.pc[gp] = pc + 1;
          this.gopark(pp, gp, WAIT_SYNC_MUTEX);
          this.chans.parkLock(mu, gp);
          break;
        }
        case OP_SEND:
        case OP_RECV:
          // gopark on the channel's sendq/recvq; the partner completes the transfer and readies gp.
          g.pc[gp] = pc + 1;
          this.gopark(pp, gp, op === OP_SEND ? WAIT_CHAN_SEND : WAIT_CHAN_RECEIVE);
          if (op === OP_SEND) this.chans.parkSend(progs.arg[pc]!, gp);
          else this.chans.parkRecv(progs.arg[pc]!, gp);
          break;
        case OP_GOSCHED:
          g.pc[gp] = pc + 1;
          this.goschedImpl(pp, gp, 'gosched');
          break;
        default:
          throw new Error(`gmp: unknown op ${op}`);
      }
      this.schedule(m);
      return;
    }
  }

  /**
   * gcBgMarkWorker's loop on pp: credit the chunk just scanned, then scan another (gcDrain) or, when the
   * mode says stop (no work; a fractional worker over its share; an idle worker with other work), park.
   */
  private gcMarkWorkerStep(pp: number, gp: number, overheadNs: number): void {
    this.mark.workerCredit(pp);
    // pollWork: runnable Gs, or network-ready Gs no M is blocked in netpoll for.
    const otherWork = !this.rq.runqempty(pp) || this.rq.runqsize !== 0 || (this.netpollPending() > 0 && this.netpoll.pollerM < 0);
    const ns = this.mark.workerNext(pp, otherWork);
    if (ns >= 0) {
      this.startBurst(pp, overheadNs + ns, false);
      return;
    }
    const m = this.pM[pp]!;
    this.gopark(pp, gp, WAIT_GC_WORKER);
    this.schedule(m);
  }

  /** An assist chunk ended: credit it, then scan on, park, or (false) let the G continue its program. */
  private assistEnded(pp: number): boolean {
    const gp = this.pCurG[pp]!;
    this.mark.assistChunkEnded(pp, gp);
    return this.assistNext(pp, gp, 0, false);
  }

  /**
   * gcAssistAlloc's loop: scan the next chunk of the G's assist (true: a burst started), or, out of work
   * while still in debt during a mark (or told to park), gcParkAssist (true: parked). False: go on.
   */
  private assistNext(pp: number, gp: number, overheadNs: number, park: boolean): boolean {
    const ns = this.mark.assistNext(pp, gp, park);
    if (ns >= 0) {
      this.startBurst(pp, overheadNs + ns, false);
      return true;
    }
    if (ns === ASSIST_GO_ON) return false;
    const m = this.pM[pp]!;
    this.gopark(pp, gp, WAIT_GC_ASSIST);
    this.schedule(m);
    return true;
  }

  /** Parked Gs become runnable on the global queue, with an M started per idle P (injectglist without a P). */
  private injectRunnable(gs: readonly number[]): void {
    for (const gp of gs) {
      this.g.status[gp] = Grunnable;
      this.g.waitReason[gp] = WAIT_NONE;
      this.rq.globrunqput(gp);
    }
    for (let n = gs.length; n > 0 && this.npidle > 0; n--) this.startm(-1, false);
  }

  /** The pod's memory: heap (live + not yet collected) + goroutine stacks + runtime overhead, bytes. */
  rssBytes(): number {
    return (this.gc ? this.gc.heapLive : 0) + this.stackBytes() + (this.cfg.runtimeOverheadBytes ?? 0);
  }

  /** The highest rssBytes seen at an allocation or a sample. */
  peakRssBytes = 0;

  /** Note the memory now; past the container limit, the kernel's OOM killer ends the pod. */
  noteMemory(): void {
    const rss = this.rssBytes();
    if (rss > this.peakRssBytes) this.peakRssBytes = rss;
    if (!this.dead && this.cfg.memoryLimitBytes !== undefined && rss > this.cfg.memoryLimitBytes) this.cfg.onOom?.();
  }

  /** The process is gone: every P stops for good, and sysmon and the CFS timer with it. */
  dead = false;
  stop(): void {
    if (this.dead) return;
    this.dead = true;
    this.cpu.stop();
  }

  /** Goroutine stack memory: every G ever made keeps at least a 2 KiB stack (gfput keeps standard stacks). */
  stackBytes(): number {
    return this.g.count * STACK_MIN + (this.stacks?.extra ?? 0);
  }

  /** Stack growths, shrinks and bytes copied (zeros when no step runs deep). */
  get stackStats(): Stacks['stats'] {
    return this.stacks?.stats ?? NO_STACK_STATS;
  }

  /** shrinkstack over every goroutine (at each GC's mark). */
  shrinkStacks(): void {
    this.stacks?.shrinkStacks(this.g, this.nSystemGs);
  }

  private startBurst(pp: number, durationNs: number, work: boolean): void {
    this.cpu.startBurst(pp, durationNs, work);
  }

  private burstEnded(pp: number): void {
    this.cpu.burstEnded(pp);
    if (this.mark.assistWork[pp]! > 0 && this.assistEnded(pp)) return;
    const gp = this.pCurG[pp]!;
    if (this.cpu.burstWork[pp]) {
      this.g.workLeft[gp] = -1;
      this.g.pc[gp]!++;
    }
    this.runProgram(pp, gp, 0);
  }

  /** newproc: the child goes to the creator's runnext, then wakep. */
  private newproc(pp: number, parent: number, prog: number, drawKey: number): void {
    const gp = this.newG(prog, -1, parent, pp);
    this.g.drawKey[gp] = drawKey;
    this.g.children[parent]!++;
    this.rq.runqput(pp, gp, true);
    this.wakep();
  }

  /** gopark: gp waits; the P goes back to the scheduler. */
  private gopark(pp: number, gp: number, reason: number): void {
    this.g.status[gp] = Gwaiting;
    this.g.waitReason[gp] = reason;
    this.g.m[gp] = -1;
    this.dropg(pp, 'park');
  }

  /** goexit: the G finishes; its request completes or its parent is told (a channel send). */
  private goexit(pp: number, gp: number): void {
    const g = this.g;
    this.dropg(pp, 'exit');
    g.status[gp] = Gdead;
    g.m[gp] = -1;
    this.stats.gExited++;
    this.gc?.gExit(gp);
    this.stacks?.gfree(gp);
    const req = g.request[gp]!;
    const parent = g.parent[gp]!;
    // The parent is woken only if it waits for its children (not if it is parked on a channel of its own).
    if (parent >= 0 && --g.children[parent]! === 0 && g.status[parent] === Gwaiting && this.progs.op[g.pc[parent]! - 1] === OP_WAIT_CHILDREN) {
      this.ready(parent, pp);
    }
    g.request[gp] = -1;
    g.parent[gp] = -1;
    this.gfree.gfput(pp, gp);
    if (req >= 0) this.sink.complete(req);
  }

  /** goschedImpl (Gosched, time-slice preemption): the G goes to the *global* queue. */
  private goschedImpl(pp: number, gp: number, reason: string): void {
    this.g.status[gp] = Grunnable;
    this.g.m[gp] = -1;
    this.dropg(pp, reason);
    this.rq.globrunqput(gp);
  }

  // ---- preemption --------------------------------------------------------------------------------

  /** preemptone (from sysmon's retake): the signal reaches the M after preemptSignalNs. */
  preemptone(pp: number): void {
    if (this.pCurG[pp]! < 0 || this.cpu.burstH[pp]! < 0 || this.mark.mode[pp] !== WORKER_NONE) return; // mark workers yield per chunk
    this.sim.schedule(this.cfg.costs.preemptSignalNs, this.kPreempt, pp, this.schedtick[pp]!);
  }

  /** The async preemption lands: if the same slice is still running, gopreempt_m → goschedImpl. */
  private preemptPark(pp: number, tick: number): void {
    if (this.schedtick[pp] !== tick || this.pCurG[pp]! < 0 || this.cpu.burstH[pp]! < 0) return;
    const gp = this.pCurG[pp]!;
    this.cpu.stopBurst(pp);
    const left = this.cpu.workLeftNs(pp);
    this.mark.preemptAssist(pp, gp); // a preempted assist's chunk counts as scanned
    if (this.cpu.burstWork[pp]) this.g.workLeft[gp] = Math.max(0, Math.min(this.g.workLeft[gp]!, left));
    this.stats.preemptions++;
    this.tracer?.instant('preempt', pp, this.pM[pp]!, `G${this.g.goid[gp]} preempted`);
    const m = this.pM[pp]!;
    this.goschedImpl(pp, gp, 'preempted');
    this.schedule(m);
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
    this.dropg(pp, 'syscall');
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
    const m = this.g.m[gp]!;
    const oldp = this.mOldP[m]!;
    this.mOldP[m] = -1;
    let pp = -1;
    if (oldp >= 0 && this.pStatus[oldp] === Psyscall) {
      pp = oldp;
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
      this.setRunning(+1);
      // No schedtick++ here (the G goes on): a P that sysmon last saw running with this same schedtick
      // looks to retake like one slice all along, and may be preempted at once.
      this.sysmon.pokeIfStale(pp);
      this.tracer?.gStart(pp, m, gp, this.g.goid[gp]!);
      this.runProgram(pp, gp, 0);
      return;
    }
    this.g.status[gp] = Grunnable;
    this.g.m[gp] = -1;
    this.rq.globrunqput(gp);
    // exitsyscall0 wakes a deep-sleeping sysmon only when it got a P ("else if sched.sysmonwait"): with
    // every P busy, sysmon sleeps on until the next entersyscall wakes it with its backoff reset.
    this.stopm(m);
  }

  // ---- netpoll ---------------------------------------------------------------------------------

  /** The M blocked in netpoll(delay), or -1. */
  get pollerM(): number {
    return this.netpoll.pollerM;
  }

  netpollPending(): number {
    return this.netpoll.pending();
  }

  /** I/O completed: the Gs become ready in the netpoller (netpollready), earliest and first-parked first. */
  private ioDue(): void {
    const now = this.sim.now;
    for (let gp = this.netpoll.ioDue(now); gp >= 0; gp = this.netpoll.ioDue(now)) this.netpollready(gp);
    this.netpoll.rearmIo();
  }

  /**
   * A dependency call of gp is over (CallWaker): its connection's read is ready, so the G is readied
   * through netpoll. A failed call fails the request, and gp's program ends (the handler returns the error).
   */
  callDone(gp: number, ok: boolean): void {
    if (!ok) {
      this.service!.failRequest(this.rootRequest(gp));
      this.g.pc[gp] = this.progs.endPc(this.g.prog[gp]!);
    }
    this.netpollready(gp);
  }

  /** The request gp serves: its own, or its spawner's (up the chain). -1 for none (a GC worker). */
  private rootRequest(gp: number): number {
    const g = this.g;
    while (g.request[gp]! < 0 && g.parent[gp]! >= 0) gp = g.parent[gp]!;
    return g.request[gp]!;
  }

  /** The network made gp ready: a blocked poller wakes at once; otherwise it waits for a poll. */
  private netpollready(gp: number): void {
    const pending = this.netpoll.ready(gp);
    if (this.cfg.netpoll === 'always-polling') {
      // As if an M were always blocked in netpoll: inject at once (global queue, an M per idle P).
      this.injectglist(-1);
      return;
    }
    if (this.netpoll.pollerM >= 0) this.netpoll.wake(this.sim.now + this.cfg.costs.threadWakeNs);
    else if (pending === 1) this.sysmon.poke(); // sysmon's 10 ms poll now has work
  }

  /**
   * injectglist: with a P, one G per idle P goes to the global queue (and an M is started for each),
   * the rest to pp's local queue; without a P, all go to the global queue. Takes all netpoll-ready Gs.
   */
  injectglist(pp: number): void {
    let n = this.netpollPending();
    if (n === 0) return;
    if (pp < 0) {
      for (let i = 0; i < n; i++) this.rq.globrunqput(this.netpoll.take());
      for (; n > 0 && this.npidle > 0; n--) this.startm(-1, false);
      return;
    }
    let toGlobal = Math.min(this.npidle, n);
    const started = toGlobal;
    for (; toGlobal > 0; toGlobal--, n--) this.rq.globrunqput(this.netpoll.take());
    for (let i = 0; i < started && this.npidle > 0; i++) this.startm(-1, false);
    for (; n > 0; n--) this.rq.runqput(pp, this.netpoll.take(), false);
  }

  /** The last M out blocks in netpoll(delay) until I/O or the next timer (sched.lastpoll = 0). */
  private becomePoller(m: number): void {
    this.mStatus[m] = Mpolling;
    this.mP[m] = -1;
    this.mCurG[m] = -1;
    this.netpoll.block(m);
    // netpoll(delay) until the next timer. Due timers of running Ps are left to those Ps' own
    // checkTimers; only a due timer on an idle P needs this M.
    if (this.netpollPending() > 0 || this.idlePWithDueTimers() >= 0) this.netpoll.wake(this.sim.now);
    else this.netpoll.wake(this.timers.nextPending());
  }

  /** netpoll returns (I/O or timeout): take an idle P and run, or inject everything and stopm. */
  private netpollWake(m: number): void {
    this.netpoll.unblock();
    this.sysmon.lastpoll = this.sim.now;
    // Take the idle P whose timers are due, if any (its checkTimers then runs them), else any.
    const pp = this.pidlegetPrefer(this.idlePWithDueTimers());
    if (pp < 0) {
      this.injectglist(-1);
      this.stopm(m);
      return;
    }
    this.mStatus[m] = Mrunning;
    this.acquirep(m, pp);
    if (this.netpollPending() > 0) {
      const gp = this.netpoll.take();
      this.injectglist(pp);
      this.execute(m, pp, gp, false, 0);
      return;
    }
    this.schedule(m);
  }

  // ---- timers ----------------------------------------------------------------------------------

  /** addtimer on pp; wakeNetPoller: shorten the poller's sleep, or wakep if nobody polls. */
  private addtimer(pp: number, gp: number, when: number): void {
    this.timers.addtimer(pp, gp, when);
    if (this.netpoll.pollerM >= 0) this.netpoll.wake(when);
    else this.wakep();
  }

  /** The earliest timers are due: each joins its P's due list, in deadline then insertion order. */
  private timersDue(): void {
    const now = this.sim.now;
    for (let pp = this.timers.fireDue(now); pp >= 0; pp = this.timers.fireDue(now)) this.timerFired(pp);
    this.timers.rearm();
  }

  /** A timer of pp is due: it waits on pp's list until checkTimers runs there (or a thief runs it). */
  private timerFired(pp: number): void {
    if (this.pStatus[pp] === Pidle && this.pM[pp] === -1) {
      if (this.netpoll.pollerM >= 0) this.netpoll.wake(this.sim.now); // netpoll(delay) times out for it
      else this.wakep();
    } else if (this.npidle > 0) this.sysmon.poke(); // "next < now": sysmon starts an M for it
  }

  /** checkTimers(timersOf, runOn): run timersOf's due timers; each G is readied onto runOn's runnext. */
  private checkTimers(timersOf: number, runOn: number): void {
    if (this.dueCount[timersOf] === 0) return;
    // ready() never fires a timer synchronously, so the list cannot grow while it is drained.
    const n = this.timers.takeDue(timersOf, this.sim.now);
    const gs = this.timers.dueGs(timersOf);
    for (let i = 0; i < n; i++) this.ready(gs[i]!, runOn);
  }

  /** An idle P that has due timers, or -1. */
  private idlePWithDueTimers(): number {
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

  /** timeSleepUntil: the earliest timer, due-but-unrun ones included; +Infinity if none. */
  nextTimerAt(): number {
    return Math.min(this.timers.nextPending(), this.timers.overdueSince());
  }

  /** Earliest due-but-unrun timer, +Infinity if none (sysmon: "next < now → startm"). */
  overdueSince(): number {
    return this.timers.overdueSince();
  }

  /** sysmon's netpoll when nobody polled for 10 ms: inject without a P. */
  sysmonNetpoll(): void {
    this.injectglist(-1);
  }

  /** sysmon: overdue timers and an idle P: start an M to run them. */
  sysmonStartm(): void {
    this.startm(-1, false);
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

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
