import { DeadlineHeap } from '../../engine/deadline-heap.js';
import { grow } from '../../engine/grow.js';
import { SampleLog } from '../../metrics/sample-log.js';
import { mixKey, type RandomStream } from '../../engine/random.js';
import type { Simulation } from '../../engine/simulation.js';
import { WaitQueues } from './waitq.js';
import { GTable } from './gtable.js';
import {
  OP_ALLOC, OP_CPU, OP_END, OP_GC_MARK, OP_GOSCHED, OP_LOCK, OP_NETPOLL, OP_SLEEP, OP_SPAWN, OP_STACK_GROW, OP_STACK_POP, OP_SYSCALL,
  OP_UNLOCK, OP_WAIT_CHILDREN, OP_SEND, OP_RECV,
  type Programs,
} from './program.js';
import { GC_MARK, GcDriver, WORKER_IDLE, WORKER_NONE, type GcConfig } from '../gc/cycle.js';
import { RunQueues } from './runq.js';
import {
  Gdead, Grunnable, Grunning, Gsyscall, Gwaiting, Mparked, Mpolling, Mrunning, Msyscall, Mwaking, Pidle, Prunning, Psyscall,
  WAIT_CHAN_RECEIVE, WAIT_CHAN_SEND, WAIT_GC_ASSIST, WAIT_GC_WORKER, WAIT_IO, WAIT_NONE, WAIT_SLEEP, WAIT_SYNC_MUTEX,
} from './states.js';
import { Sysmon } from './sysmon.js';
import { CfsQuota } from './cfs-quota.js';

/** Why the pod's Ps cannot run now: CFS throttling, a stop-the-world pause. */
export const STALL_THROTTLE = 1;
export const STALL_STW = 2;
export const STALL_DEAD = 4;

/** stealWork's answer when it must first usleep(3) before taking a running victim's runnext. */
const STEAL_USLEEP = -2;

/** Costs of runtime operations, ns (scenario `runtime.costs`, converted). */
export interface SchedCosts {
  ctxSwitchNs: number;
  stealNs: number;
  goroutineCreateNs: number;
  threadCreateNs: number;
  threadWakeNs: number;
  syscallNs: number;
  /** A channel send or receive that does not block. */
  chanOpNs: number;
  preemptSignalNs: number;
  /** runqgrab's usleep(3) before taking a running victim's runnext. */
  runnextStealWaitNs: number;
  /** Kernel timer slack: how late a runtime thread's usleep returns past its delay (sysmon's loop). */
  timerSlackNs?: number;
  /** copystack: ns per byte of stack copied when a stack grows. */
  stackCopyNsPerByte?: number;
}

export interface SchedConfig {
  gomaxprocs: number;
  /** 'go': Go's netpoll; 'always-polling': an ideal poller injects each ready G at once. */
  netpoll: 'go' | 'always-polling';
  goVersion: '1.19' | '1.25';
  costs: SchedCosts;
  maxThreads: number;
  /** Shared with the cluster: extra latency added to every network wait now (a network fault). */
  network?: { extraNs: number };
  /** Shared with the cluster: CPU work takes this many times as long now (a noisy-neighbour fault). */
  cpu?: { slowdown: number };
  /** The container's CPU limit as a CFS quota per period (absent: no limit). */
  cpuQuota?: { quotaNs: number; periodNs: number };
  /** The garbage collector (used when some program allocates). */
  gc?: GcConfig;
  /** Runtime memory besides heap and stacks (counted by GOMEMLIMIT and the container), bytes. */
  runtimeOverheadBytes?: number;
  /** The container's memory limit, bytes: past it the pod is OOM-killed (absent: none). */
  memoryLimitBytes?: number;
  /** Called once when the memory limit is passed. */
  onOom?: () => void;
  /** The Ps spread over NUMA nodes (absent or nodes = 1: uniform memory). */
  numa?: NumaConfig;
}

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

/** Every G holds at least the starting stack (stackMin, 2 KiB); dead Gs keep theirs on the free lists. */
const STACK_MIN = 2048;

/** Optional hooks for the trace exporter and metrics; never called when absent. */
export interface SchedTracer {
  gStart(pp: number, m: number, gp: number, goid: number): void;
  gStop(pp: number, m: number, gp: number, reason: string): void;
  instant(kind: 'steal' | 'preempt' | 'handoff' | 'syscall' | 'newm', pp: number, m: number, detail: string): void;
}

/** A fatal runtime error ("runtime: program exceeds 10000-thread limit"); the pod dies. */
export class GoFatalError extends Error {
  override name = 'GoFatalError';
}

/** What the pod tells the scheduler about requests. */
export interface RequestSink {
  complete(requestId: number): void;
  /** The request's G runs for the first time (end of its wait). */
  started(requestId: number): void;
}

/** Counters for metrics (monotonic unless noted). */
export class SchedStats {
  steals = 0;
  stolenGs = 0;
  preemptions = 0;
  handoffs = 0;
  gCreated = 0;
  gExited = 0;
  syscalls = 0;
  /** ∫ (threads on a CPU: Ps in a burst) dt, ns — the CPU the pod used; throttled time is not in it. */
  busyNs = 0;
  /** How late each timer ran (due → readied by checkTimers), ms. */
  readonly timerDelayMs = new SampleLog();
}

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

  // Ps.
  readonly nP: number;
  readonly pStatus: Uint8Array;
  readonly pM: Int32Array;
  readonly pCurG: Int32Array;
  readonly schedtick: Float64Array;
  readonly syscalltick: Float64Array;
  readonly syscallStart: Float64Array;
  private readonly burstH: Float64Array;
  private readonly burstEnd: Float64Array;
  private readonly burstWork: Uint8Array;
  /** A burst held while the pod is stalled: its remaining length, and whether one is held. */
  private readonly frozenLeft: Float64Array;
  private readonly frozen: Uint8Array;
  /** STALL_* bits; any set → no P makes progress. */
  private stalled = 0;
  /** Ps in a CPU burst now (threads on a CPU), and the time that count last changed. */
  private onCpu = 0;
  private lastOnCpuChange = 0;
  readonly cfs: CfsQuota | undefined;
  /** The collector (when the workload allocates), its mark worker mode per P, and each P's current mark chunk. */
  readonly gc: GcDriver | undefined;
  private readonly pGcMode: Uint8Array;
  private readonly pChunk: Float64Array;
  private readonly pChunkNs: Float64Array;
  /** Scan work of the mark assist the P's G is doing now (0: none). */
  private readonly pAssistWork: Float64Array;
  private readonly pAssistLeft: Float64Array;
  /** NUMA: each P's node, each G's memory node (first touch; −1 until it first runs), counters. */
  private readonly pNode: Uint8Array | undefined;
  private gHome: Int8Array | undefined;
  private readonly pBurstFactor: Float64Array;
  readonly numa: NumaStats | undefined;
  /** Stacks (when some step runs deep): each G's stack size and whether it is deep now; bytes above 2 KiB each. */
  private gStack: Uint32Array | undefined;
  private gDeep: Uint8Array | undefined;
  private stackExtra = 0;
  readonly stackStats = { growths: 0, shrinks: 0, copiedBytes: 0 };
  /** Runtime-owned Gs (the background mark workers, G index = P): not goroutines of the program. */
  readonly nSystemGs: number;
  /** Per-P FIFO of timers that are due but not yet run (checkTimers runs them): G and due time. */
  private readonly dueG: Int32Array[] = [];
  private readonly dueAt: Float64Array[] = [];
  readonly dueCount: Int32Array;
  private readonly dueSince: Float64Array;
  readonly gfreeHead: Int32Array;
  readonly gfreeCnt: Int32Array;
  private gfreeGlobal = -1;
  private gfreeGlobalCnt = 0;
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
  /** Go 1.21+ spinning protocol (needspinning; wakep without the npidle pre-check). */
  private readonly go121: boolean;

  // netpoll and timers.
  private readonly netpollQ: number[] = [];
  private netpollQHead = 0;
  /** The M blocked in netpoll(delay), or -1 (then sched.lastpoll != 0). */
  pollerM = -1;
  private pollerWakeH = -1;
  private pollerWakeAt = Infinity;
  /**
   * Pending (not yet due) timers: deadline, G, and the P it was added on (aux). One engine event at
   * the earliest keeps a pod of sleepers from costing an engine event each.
   */
  private readonly timers = new DeadlineHeap(64, true);
  private timerEventH = -1;
  private timerEventAt = Infinity;
  /** Gs waiting for network I/O (netpoll), by completion time: the network, outside the runtime. */
  private readonly ioWait = new DeadlineHeap(1024);
  private ioEventH = -1;
  private ioEventAt = Infinity;
  // Mutexes: owner and FIFO waiters.
  private readonly muOwner: Int32Array;
  private readonly muWaiters: WaitQueues;
  // Channels (hchan): buffered values, and FIFO queues of parked receivers (recvq) and senders (sendq).
  private readonly chCap: Int32Array;
  private readonly chCount: Int32Array;
  private readonly chRecvq: WaitQueues;
  private readonly chSendq: WaitQueues;

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
    this.go121 = cfg.goVersion !== '1.19';
    this.g = new GTable(1024);
    this.rq = new RunQueues(n);
    this.pStatus = new Uint8Array(n).fill(Pidle);
    this.pM = new Int32Array(n).fill(-1);
    this.pCurG = new Int32Array(n).fill(-1);
    this.schedtick = new Float64Array(n);
    this.syscalltick = new Float64Array(n);
    this.syscallStart = new Float64Array(n);
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
    this.appliedSlowdown = cfg.cpu?.slowdown ?? 1;
    if (cfg.numa && cfg.numa.nodes > 1) {
      // Ps are numbered node by node, as Linux numbers the cores of a socket together.
      this.pNode = Uint8Array.from({ length: n }, (_, p) => Math.floor((p * cfg.numa!.nodes) / n));
      this.gHome = new Int8Array(1024).fill(-1);
      this.numa = new NumaStats();
    }
    if (progs.growsStacks) {
      this.gStack = new Uint32Array(1024).fill(STACK_MIN);
      this.gDeep = new Uint8Array(1024);
    }
    this.pGcMode = new Uint8Array(n);
    this.pChunk = new Float64Array(n);
    this.pChunkNs = new Float64Array(n);
    this.pAssistWork = new Float64Array(n);
    this.pAssistLeft = new Float64Array(n);
    if (progs.allocates && cfg.gc) {
      this.gc = new GcDriver(sim, cfg.gc, {
        nP: n,
        stallWorld: () => this.stall(STALL_STW),
        startWorld: () => {
          this.unstall(STALL_STW);
          this.wakep(); // startTheWorldWithSema: idle Ps may run idle mark workers
        },
        stopLatencyNs: () => {
          for (let p = 0; p < n; p++) if (this.burstH[p]! >= 0) return this.cfg.costs.preemptSignalNs;
          return 0;
        },
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
    for (let p = 0; p < n; p++) {
      this.dueG.push(new Int32Array(4));
      this.dueAt.push(new Float64Array(4));
    }
    this.dueCount = new Int32Array(n);
    this.dueSince = new Float64Array(n);
    this.gfreeHead = new Int32Array(n).fill(-1);
    this.gfreeCnt = new Int32Array(n);
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
    const nMu = progs.mutexNames.length;
    this.muOwner = new Int32Array(nMu).fill(-1);
    this.muWaiters = new WaitQueues(nMu, this.g);
    this.chCap = Int32Array.from(progs.chanCapacity);
    this.chCount = new Int32Array(progs.chanCapacity.length);
    this.chRecvq = new WaitQueues(progs.chanCapacity.length, this.g);
    this.chSendq = new WaitQueues(progs.chanCapacity.length, this.g);
    // stealOrder: the numbers coprime with GOMAXPROCS (randomOrder.reset).
    this.coprimes = [];
    for (let i = 1; i <= n; i++) if (gcd(i, n) === 1) this.coprimes.push(i);

    this.kBurstEnd = sim.registerKind('gmp.burst-end', (pp) => this.burstEnded(pp));
    this.kSyscallEnd = sim.registerKind('gmp.syscall-end', (gp) => this.exitsyscall(gp));
    this.kNetpollReady = sim.registerKind('gmp.netpoll-ready', () => this.ioDue());
    this.kTimer = sim.registerKind('gmp.timer', () => this.timersDue());
    this.kMWake = sim.registerKind('gmp.m-wake', (m) => this.mstart(m));
    this.kPollWake = sim.registerKind('gmp.netpoll-wake', (m) => this.netpollWake(m));
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
  acceptRequest(requestId: number, drawKey: number): void {
    const gp = this.newG(0, requestId, -1, -1);
    this.g.drawKey[gp] = drawKey;
    this.g.status[gp] = Gwaiting;
    this.g.waitReason[gp] = WAIT_IO;
    this.netpollready(gp);
  }

  // ---- Gs --------------------------------------------------------------------------------------

  /** newproc1/gfget: a G running program `prog`, reusing a dead G from pp's (or the global) free list. */
  private newG(prog: number, request: number, parent: number, pp: number): number {
    const g = this.g;
    let gp = -1;
    if (pp >= 0) gp = this.gfget(pp);
    else if (this.gfreeGlobal >= 0) {
      gp = this.gfreeGlobal;
      this.gfreeGlobal = g.link[gp]!;
      this.gfreeGlobalCnt--;
    }
    if (gp < 0) {
      gp = g.add();
      this.gc?.ensureCapacity(g.capacity);
      if (this.gStack && this.gStack.length < g.capacity) {
        this.gStack = grow(this.gStack, new Uint32Array(g.capacity).fill(STACK_MIN));
        this.gDeep = grow(this.gDeep!, new Uint8Array(g.capacity));
      }
      if (this.gHome && this.gHome.length < g.capacity) this.gHome = grow(this.gHome, new Int8Array(g.capacity).fill(-1));
    }
    // First touch: a G made by `go f()` has its stack and arguments on the creating P's node; a request's
    // G (made by the netpoller, without a P) gets the node where it first runs.
    if (this.gHome) this.gHome[gp] = pp >= 0 ? this.pNode![pp]! : -1;
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

  /** gfput: free lists per P; above 64, move Gs to the global list until 32 remain. */
  private gfput(pp: number, gp: number): void {
    const g = this.g;
    g.link[gp] = this.gfreeHead[pp]!;
    this.gfreeHead[pp] = gp;
    if (++this.gfreeCnt[pp]! >= 64) {
      while (this.gfreeCnt[pp]! >= 32) {
        const x = this.gfreeHead[pp]!;
        this.gfreeHead[pp] = g.link[x]!;
        this.gfreeCnt[pp]!--;
        g.link[x] = this.gfreeGlobal;
        this.gfreeGlobal = x;
        this.gfreeGlobalCnt++;
      }
    }
  }

  /** gfget: pp's free list, refilled with up to 32 from the global list when empty. */
  private gfget(pp: number): number {
    const g = this.g;
    if (this.gfreeHead[pp] === -1) {
      while (this.gfreeCnt[pp]! < 32 && this.gfreeGlobal >= 0) {
        const x = this.gfreeGlobal;
        this.gfreeGlobal = g.link[x]!;
        this.gfreeGlobalCnt--;
        g.link[x] = this.gfreeHead[pp]!;
        this.gfreeHead[pp] = x;
        this.gfreeCnt[pp]!++;
      }
    }
    const gp = this.gfreeHead[pp]!;
    if (gp >= 0) {
      this.gfreeHead[pp] = g.link[gp]!;
      this.gfreeCnt[pp]!--;
    }
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
  private pidleget(): number {
    if (this.npidle === 0) return -1;
    const pp = this.pidle[--this.npidle]!;
    // The P will run a G: sysmon may need to look at it in 10 ms.
    if (this.nPsyscall > 0) this.sysmon.poke();
    else this.sysmon.pokeIfLater(this.sim.now + 10_000_000);
    return pp;
  }

  private allocm(): number {
    if (this.mcount >= this.cfg.maxThreads) {
      throw new GoFatalError(`runtime: program exceeds ${this.cfg.maxThreads}-thread limit`);
    }
    const m = this.mcount++;
    this.mStatus[m] = Mrunning;
    this.tracer?.instant('newm', -1, m, `M${m} created`);
    return m;
  }

  /** mput: park M on the idle list (stopm). */
  private stopm(m: number): void {
    this.mStatus[m] = Mparked;
    this.mP[m] = -1;
    this.mCurG[m] = -1;
    this.midle[this.nmidle++] = m;
  }

  /** acquirep: wire P to M. */
  private acquirep(m: number, pp: number): void {
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
  private handoffp(pp: number): void {
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
    if (this.npidle === this.nP - 1 && this.pollerM < 0) {
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
  private findRunnable(m: number): number {
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
      if (this.netpollPending() > 0 && this.pollerM < 0) {
        gp = this.netpollTake();
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
      if (this.pollerM < 0) this.becomePoller(m);
      else this.stopm(m);
      return -1;
    }
  }

  /** The P runs its background mark worker G in `mode`. */
  private gcWorker(pp: number, mode: number): number {
    this.pGcMode[pp] = mode;
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
      const local = this.numaAwareNode(pp);
      for (let k = 0, pos = start; k < n * (local >= 0 ? 2 : 1); k++, pos = (pos + inc) % n) {
        const p2 = pos;
        if (p2 === pp) continue;
        if (local >= 0 && (this.pNode![p2] === local) !== k < n) continue;
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
    let cost = this.cfg.costs.stealNs;
    if (this.pNode !== undefined && this.pNode[p2] !== this.pNode[pp]) {
      this.numa!.crossNodeSteals++;
      cost += this.cfg.numa!.migrationNs; // the stolen G's cache lines are on the other node
    }
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
    this.run(pp, gp, this.cfg.costs.ctxSwitchNs + extraNs);
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

  /** A P's thread goes on or off a CPU: CPU-time accounting and the CFS quota follow. */
  private setOnCpu(delta: number): void {
    const now = this.sim.now;
    this.stats.busyNs += this.onCpu * (now - this.lastOnCpuChange);
    this.lastOnCpuChange = now;
    this.onCpu += delta;
    this.cfs?.setOnCpu(this.onCpu);
  }

  /** Ps running a G now. */
  runningPs(): number {
    return this.running;
  }

  /** CPU time the pod's Ps have used, ns (bursts only: throttled and stopped time excluded). */
  busyIntegralNs(): number {
    return this.stats.busyNs + this.onCpu * (this.sim.now - this.lastOnCpuChange);
  }

  // ---- running a G's program -------------------------------------------------------------------

  /**
   * Interpret gp's ops from its pc until it blocks, parks or starts a CPU burst. `overheadNs` (context
   * switch, steal, goroutine creation) occupies the P before the next CPU burst; before a blocking op it
   * is paid as a burst of its own so the P's time is accounted for.
   */
  private run(pp: number, gp: number, overheadNs: number): void {
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
        if (this.pNode !== undefined) work = this.numaWork(pp, gp, work);
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
        if (r > 0) this.pAssistLeft[pp] = this.gc!.assistWork;
        if (this.assistNext(pp, gp, overheadNs, r < 0)) return;
        continue;
      }
      if (op === OP_STACK_GROW) {
        overheadNs += this.morestack(gp, progs.arg[pc]!);
        g.pc[gp] = pc + 1;
        continue;
      }
      if (op === OP_STACK_POP) {
        this.gDeep![gp] = 0;
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
        this.unlock(progs.arg[pc]!, pp);
        g.pc[gp] = pc + 1;
        continue;
      }
      if (op === OP_LOCK && this.muOwner[progs.arg[pc]!] === -1) {
        this.muOwner[progs.arg[pc]!] = gp;
        g.pc[gp] = pc + 1;
        continue;
      }
      if ((op === OP_SEND && this.chansend(progs.arg[pc]!, pp)) || (op === OP_RECV && this.chanrecv(progs.arg[pc]!, pp))) {
        g.pc[gp] = pc + 1;
        overheadNs += this.cfg.costs.chanOpNs;
        continue;
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
          this.ioWaitAdd(this.sim.now + progs.draw(progs.arg[pc]!, g.drawKey[gp]!, pc) + (this.cfg.network?.extraNs ?? 0), gp);
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
          // Wait in FIFO order; unlock hands the mutex to the first waiter (semrelease handoff).
          this.muWaiters.enqueue(mu, gp);
          break;
        }
        case OP_SEND:
        case OP_RECV:
          // gopark on the channel's sendq/recvq; the partner completes the transfer and readies gp.
          g.pc[gp] = pc + 1;
          this.gopark(pp, gp, op === OP_SEND ? WAIT_CHAN_SEND : WAIT_CHAN_RECEIVE);
          (op === OP_SEND ? this.chSendq : this.chRecvq).enqueue(progs.arg[pc]!, gp);
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
    const gc = this.gc!;
    const mode = this.pGcMode[pp]!;
    if (this.pChunk[pp]! > 0) {
      const work = this.pChunk[pp]!;
      this.pChunk[pp] = 0;
      gc.workerChunkDone(pp, mode, work, this.pChunkNs[pp]!);
    }
    // pollWork: runnable Gs, or network-ready Gs no M is blocked in netpoll for.
    const otherWork = !this.rq.runqempty(pp) || this.rq.runqsize !== 0 || (this.netpollPending() > 0 && this.pollerM < 0);
    const work = gc.workerNextChunk(pp, mode, otherWork);
    if (work > 0) {
      const ns = work / gc.cfg.scanBytesPerNs;
      this.pChunk[pp] = work;
      this.pChunkNs[pp] = ns;
      this.startBurst(pp, overheadNs + ns, false);
      return;
    }
    gc.workerStop(mode);
    this.pGcMode[pp] = WORKER_NONE;
    const m = this.pM[pp]!;
    this.gopark(pp, gp, WAIT_GC_WORKER);
    this.schedule(m);
  }

  /** An assist chunk ended: credit it, then scan on, park, or (false) let the G continue its program. */
  private assistEnded(pp: number): boolean {
    const gp = this.pCurG[pp]!;
    const work = this.pAssistWork[pp]!;
    this.pAssistWork[pp] = 0;
    this.pAssistLeft[pp] = Math.max(0, this.pAssistLeft[pp]! - work);
    this.gc!.assistChunkDone(gp, work);
    return this.assistNext(pp, gp, 0, false);
  }

  /**
   * gcAssistAlloc's loop: scan the next chunk of the G's assist (true: a burst started), or, out of work
   * while still in debt during a mark (or told to park), gcParkAssist (true: parked). False: go on.
   */
  private assistNext(pp: number, gp: number, overheadNs: number, park: boolean): boolean {
    const gc = this.gc!;
    if (!park && this.pAssistLeft[pp]! > 0) {
      const w = gc.claimChunk(this.pAssistLeft[pp]!);
      if (w > 0) {
        this.pAssistWork[pp] = w;
        this.startBurst(pp, overheadNs + w / gc.cfg.scanBytesPerNs, false);
        return true;
      }
    }
    this.pAssistLeft[pp] = 0;
    if (!park && !(gc.marking && gc.gAssist[gp]! < 0)) return false;
    if (!park) gc.parkAssist(gp);
    const m = this.pM[pp]!;
    this.gopark(pp, gp, WAIT_GC_ASSIST);
    this.schedule(m);
    return true;
  }

  /** The thief's node when stealing is NUMA-aware, else −1. */
  private numaAwareNode(pp: number): number {
    return this.pNode !== undefined && this.cfg.numa!.stealOrder === 'numa-aware' ? this.pNode[pp]! : -1;
  }

  /**
   * NUMA: a G's memory lives on the node where it first ran (first touch); its CPU work on a P of
   * another node takes remoteFactor × as long. Returns the burst's length for `work` ns of CPU work.
   */
  private numaWork(pp: number, gp: number, work: number): number {
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
    this.stall(STALL_DEAD);
    this.cfs?.stop();
  }

  /** Goroutine stack memory: every G ever made keeps at least a 2 KiB stack (gfput keeps standard stacks). */
  stackBytes(): number {
    return this.g.count * STACK_MIN + this.stackExtra;
  }

  /** newstack/copystack: double the stack until `need` bytes fit; returns the copying time, ns. */
  private morestack(gp: number, need: number): number {
    const st = this.gStack!;
    this.gDeep![gp] = 1;
    let size = st[gp]!;
    if (size >= need) return 0;
    let copied = 0;
    while (size < need) {
      copied += size; // the stack was full when it overflowed: all of it is copied
      size *= 2;
    }
    this.stackExtra += size - st[gp]!;
    st[gp] = size;
    this.stackStats.growths++;
    this.stackStats.copiedBytes += copied;
    return copied * (this.cfg.costs.stackCopyNsPerByte ?? 0);
  }

  /**
   * shrinkstack, at each GC's mark (scanstack): a stack using under a quarter of itself is halved, down
   * to 2 KiB — not while the G is deep in a call chain or in a syscall. A shallow G uses ~1 KiB.
   */
  shrinkStacks(): void {
    const st = this.gStack;
    if (!st) return;
    const g = this.g;
    for (let gp = this.nSystemGs; gp < g.count; gp++) {
      const size = st[gp]!;
      if (size <= STACK_MIN || this.gDeep![gp] || g.status[gp] === Gdead || g.status[gp] === Gsyscall) continue;
      if (1024 >= size / 4) continue;
      st[gp] = size / 2;
      this.stackExtra -= size / 2;
      this.stackStats.shrinks++;
    }
  }

  private startBurst(pp: number, durationNs: number, work: boolean): void {
    this.burstWork[pp] = work ? 1 : 0;
    if (this.cfg.cpu !== undefined) durationNs *= this.cfg.cpu.slowdown;
    if (this.stalled !== 0) {
      // The thread cannot get a CPU now (throttled, or the world is stopped): the burst waits whole.
      this.frozen[pp] = 1;
      this.frozenLeft[pp] = durationNs;
      return;
    }
    this.burstEnd[pp] = this.sim.now + durationNs;
    this.burstH[pp] = this.sim.schedule(durationNs, this.kBurstEnd, pp);
    this.setOnCpu(+1);
  }

  private burstEnded(pp: number): void {
    this.burstH[pp] = -1;
    this.setOnCpu(-1);
    if (this.pAssistWork[pp]! > 0 && this.assistEnded(pp)) return;
    const gp = this.pCurG[pp]!;
    if (this.burstWork[pp]) {
      this.g.workLeft[gp] = -1;
      this.g.pc[gp]!++;
    }
    this.run(pp, gp, 0);
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
    // gfput: a grown stack is freed; the G is reused with a fresh starting stack.
    if (this.gStack && this.gStack[gp]! > STACK_MIN) {
      this.stackExtra -= this.gStack[gp]! - STACK_MIN;
      this.gStack[gp] = STACK_MIN;
      this.gDeep![gp] = 0;
    }
    const req = g.request[gp]!;
    const parent = g.parent[gp]!;
    // The parent is woken only if it waits for its children (not if it is parked on a channel of its own).
    if (parent >= 0 && --g.children[parent]! === 0 && g.status[parent] === Gwaiting && this.progs.op[g.pc[parent]! - 1] === OP_WAIT_CHILDREN) {
      this.ready(parent, pp);
    }
    g.request[gp] = -1;
    g.parent[gp] = -1;
    this.gfput(pp, gp);
    if (req >= 0) this.sink.complete(req);
  }

  /** goschedImpl (Gosched, time-slice preemption): the G goes to the *global* queue. */
  private goschedImpl(pp: number, gp: number, reason: string): void {
    this.g.status[gp] = Grunnable;
    this.g.m[gp] = -1;
    this.dropg(pp, reason);
    this.rq.globrunqput(gp);
  }

  private unlock(mu: number, pp: number): void {
    const w = this.muWaiters.dequeue(mu);
    this.muOwner[mu] = w;
    if (w !== -1) this.ready(w, pp);
  }

  /**
   * chansend without blocking, if it can: hand the value to the first parked receiver (send → goready,
   * so the receiver runs next on this P) or put it in the buffer. False: the sender must park.
   */
  private chansend(c: number, pp: number): boolean {
    const r = this.chRecvq.dequeue(c);
    if (r !== -1) {
      this.ready(r, pp);
      return true;
    }
    if (this.chCount[c]! < this.chCap[c]!) {
      this.chCount[c]!++;
      return true;
    }
    return false;
  }

  /**
   * chanrecv without blocking, if it can: take the buffer's head (a parked sender's value then fills the
   * freed slot) or, unbuffered, take a parked sender's value directly; that sender is readied. False:
   * the receiver must park.
   */
  private chanrecv(c: number, pp: number): boolean {
    const s = this.chSendq.dequeue(c);
    if (this.chCount[c]! > 0) {
      if (s === -1) this.chCount[c]!--;
      else this.ready(s, pp);
      return true;
    }
    if (s === -1) return false;
    this.ready(s, pp);
    return true;
  }

  // ---- preemption --------------------------------------------------------------------------------

  /** preemptone (from sysmon's retake): the signal reaches the M after preemptSignalNs. */
  preemptone(pp: number): void {
    if (this.pCurG[pp]! < 0 || this.burstH[pp]! < 0 || this.pGcMode[pp] !== WORKER_NONE) return; // mark workers yield per chunk
    this.sim.schedule(this.cfg.costs.preemptSignalNs, this.kPreempt, pp, this.schedtick[pp]!);
  }

  /** The async preemption lands: if the same slice is still running, gopreempt_m → goschedImpl. */
  private preemptPark(pp: number, tick: number): void {
    if (this.schedtick[pp] !== tick || this.pCurG[pp]! < 0 || this.burstH[pp]! < 0) return;
    const gp = this.pCurG[pp]!;
    this.sim.cancel(this.burstH[pp]!);
    this.burstH[pp] = -1;
    this.setOnCpu(-1);
    if (this.pAssistWork[pp]! > 0) {
      // A preempted assist: its chunk counts as scanned; the G stops assisting for now.
      this.gc!.assistChunkDone(this.pCurG[pp]!, this.pAssistWork[pp]!);
      this.pAssistWork[pp] = this.pAssistLeft[pp] = 0;
    }
    if (this.burstWork[pp]) {
      const left = (this.burstEnd[pp]! - this.sim.now) / (this.pBurstFactor[pp]! * this.appliedSlowdown);
      this.g.workLeft[gp] = Math.max(0, Math.min(this.g.workLeft[gp]!, left));
    }
    this.stats.preemptions++;
    this.tracer?.instant('preempt', pp, this.pM[pp]!, `G${this.g.goid[gp]} preempted`);
    const m = this.pM[pp]!;
    this.goschedImpl(pp, gp, 'preempted');
    this.schedule(m);
  }

  // ---- stalls: CFS throttling and stop-the-world --------------------------------------------------

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

  /** The slowdown the bursts in progress were scheduled with. */
  private appliedSlowdown = 1;

  /** The CPU slowdown changed: bursts in progress (running or frozen) stretch or shrink from now on. */
  cpuSlowdownChanged(): void {
    const f = this.cfg.cpu?.slowdown ?? 1;
    const ratio = f / this.appliedSlowdown;
    this.appliedSlowdown = f;
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

  // ---- syscalls ----------------------------------------------------------------------------------

  /** entersyscall (Go 1.19 reentersyscall): the P stays attached in _Psyscall until exit or retake. */
  private entersyscall(pp: number, gp: number, durationNs: number): void {
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
  private exitsyscall(gp: number): void {
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
      this.run(pp, gp, 0);
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

  netpollPending(): number {
    return this.netpollQ.length - this.netpollQHead;
  }

  /** A G parks on network I/O completing at `when` (one engine event at the earliest completion). */
  private ioWaitAdd(when: number, gp: number): void {
    this.ioWait.push(when, gp);
    if (when < this.ioEventAt) {
      if (this.ioEventH >= 0) this.sim.cancel(this.ioEventH);
      this.ioEventAt = when;
      this.ioEventH = this.sim.scheduleAt(when, this.kNetpollReady);
    }
  }

  /** I/O completed: the Gs become ready in the netpoller (netpollready), earliest and first-parked first. */
  private ioDue(): void {
    const now = this.sim.now;
    while (this.ioWait.peekTime() <= now) this.netpollready(this.ioWait.pop());
    this.ioEventAt = this.ioWait.peekTime();
    this.ioEventH = Number.isFinite(this.ioEventAt) ? this.sim.scheduleAt(this.ioEventAt, this.kNetpollReady) : -1;
  }

  private netpollTake(): number {
    const gp = this.netpollQ[this.netpollQHead++]!;
    if (this.netpollQHead > 1024 && this.netpollQHead * 2 > this.netpollQ.length) {
      this.netpollQ.splice(0, this.netpollQHead);
      this.netpollQHead = 0;
    }
    this.g.status[gp] = Grunnable;
    this.g.waitReason[gp] = WAIT_NONE;
    return gp;
  }

  /** The network made gp ready: a blocked poller wakes at once; otherwise it waits for a poll. */
  private netpollready(gp: number): void {
    this.netpollQ.push(gp);
    if (this.cfg.netpoll === 'always-polling') {
      // As if an M were always blocked in netpoll: inject at once (global queue, an M per idle P).
      this.injectglist(-1);
      return;
    }
    if (this.pollerM >= 0) this.wakePoller(this.sim.now + this.cfg.costs.threadWakeNs);
    else if (this.netpollPending() === 1) this.sysmon.poke(); // sysmon's 10 ms poll now has work
  }

  /**
   * injectglist: with a P, one G per idle P goes to the global queue (and an M is started for each),
   * the rest to pp's local queue; without a P, all go to the global queue. Takes all netpoll-ready Gs.
   */
  injectglist(pp: number): void {
    let n = this.netpollPending();
    if (n === 0) return;
    if (pp < 0) {
      for (let i = 0; i < n; i++) this.rq.globrunqput(this.netpollTake());
      for (; n > 0 && this.npidle > 0; n--) this.startm(-1, false);
      return;
    }
    let toGlobal = Math.min(this.npidle, n);
    const started = toGlobal;
    for (; toGlobal > 0; toGlobal--, n--) this.rq.globrunqput(this.netpollTake());
    for (let i = 0; i < started && this.npidle > 0; i++) this.startm(-1, false);
    for (; n > 0; n--) this.rq.runqput(pp, this.netpollTake(), false);
  }

  /** The last M out blocks in netpoll(delay) until I/O or the next timer (sched.lastpoll = 0). */
  private becomePoller(m: number): void {
    this.mStatus[m] = Mpolling;
    this.mP[m] = -1;
    this.mCurG[m] = -1;
    this.pollerM = m;
    this.pollerWakeAt = Infinity;
    this.pollerWakeH = -1;
    // netpoll(delay) until the next timer. Due timers of running Ps are left to those Ps' own
    // checkTimers; only a due timer on an idle P needs this M.
    if (this.netpollPending() > 0 || this.idlePWithDueTimers() >= 0) this.wakePoller(this.sim.now);
    else this.wakePoller(this.timers.peekTime());
  }

  private wakePoller(at: number): void {
    if (!(at < this.pollerWakeAt)) return;
    if (this.pollerWakeH >= 0) this.sim.cancel(this.pollerWakeH);
    this.pollerWakeAt = at;
    this.pollerWakeH = Number.isFinite(at) ? this.sim.scheduleAt(Math.max(at, this.sim.now), this.kPollWake, this.pollerM) : -1;
  }

  /** netpoll returns (I/O or timeout): take an idle P and run, or inject everything and stopm. */
  private netpollWake(m: number): void {
    this.pollerM = -1;
    this.pollerWakeH = -1;
    this.pollerWakeAt = Infinity;
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
      const gp = this.netpollTake();
      this.injectglist(pp);
      this.execute(m, pp, gp, false, 0);
      return;
    }
    this.schedule(m);
  }

  // ---- timers ----------------------------------------------------------------------------------

  /** addtimer on pp; wakeNetPoller: shorten the poller's sleep, or wakep if nobody polls. */
  private addtimer(pp: number, gp: number, when: number): void {
    this.timers.push(when, gp, pp);
    if (when < this.timerEventAt) {
      if (this.timerEventH >= 0) this.sim.cancel(this.timerEventH);
      this.timerEventAt = when;
      this.timerEventH = this.sim.scheduleAt(when, this.kTimer);
    }
    if (this.pollerM >= 0) this.wakePoller(when);
    else this.wakep();
  }

  /** The earliest timers are due: each joins its P's due list, in deadline then insertion order. */
  private timersDue(): void {
    const now = this.sim.now;
    while (this.timers.peekTime() <= now) {
      const gp = this.timers.pop();
      this.timerFired(gp, this.timers.poppedAux);
    }
    this.timerEventAt = this.timers.peekTime();
    this.timerEventH = Number.isFinite(this.timerEventAt) ? this.sim.scheduleAt(this.timerEventAt, this.kTimer) : -1;
  }

  /** The timer is due: it waits on its P's list until checkTimers runs there (or a thief runs it). */
  private timerFired(gp: number, pp: number): void {
    let n = this.dueCount[pp]!;
    if (n === 0) this.dueSince[pp] = this.sim.now;
    if (n === this.dueG[pp]!.length) {
      const g2 = new Int32Array(n * 2);
      g2.set(this.dueG[pp]!);
      this.dueG[pp] = g2;
      const a2 = new Float64Array(n * 2);
      a2.set(this.dueAt[pp]!);
      this.dueAt[pp] = a2;
    }
    this.dueG[pp]![n] = gp;
    this.dueAt[pp]![n] = this.sim.now;
    this.dueCount[pp] = ++n;
    if (this.pStatus[pp] === Pidle && this.pM[pp] === -1) {
      if (this.pollerM >= 0) this.wakePoller(this.sim.now); // netpoll(delay) times out for it
      else this.wakep();
    } else if (this.npidle > 0) this.sysmon.poke(); // "next < now": sysmon starts an M for it
  }

  /** checkTimers(timersOf, runOn): run timersOf's due timers; each G is readied onto runOn's runnext. */
  private checkTimers(timersOf: number, runOn: number): void {
    const n = this.dueCount[timersOf]!;
    if (n === 0) return;
    this.dueCount[timersOf] = 0;
    // ready() never fires a timer synchronously, so the list cannot grow while it is drained.
    const gs = this.dueG[timersOf]!, at = this.dueAt[timersOf]!;
    for (let i = 0; i < n; i++) {
      this.stats.timerDelayMs.push((this.sim.now - at[i]!) / 1e6);
      this.ready(gs[i]!, runOn);
    }
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
  private pidlegetPrefer(want: number): number {
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
    return Math.min(this.timers.peekTime(), this.overdueSince());
  }

  /** Earliest due-but-unrun timer, +Infinity if none (sysmon: "next < now → startm"). */
  overdueSince(): number {
    let t = Infinity;
    for (let p = 0; p < this.nP; p++) if (this.dueCount[p]! > 0 && this.dueSince[p]! < t) t = this.dueSince[p]!;
    return t;
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
