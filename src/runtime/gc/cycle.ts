import { grow } from '../../engine/grow.js';
import type { Simulation } from '../../engine/simulation.js';
import { Histogram } from '../../metrics/histogram.js';
import { SampleLog } from '../../metrics/sample-log.js';
import { GcPacer, gcOverAssistWork } from './pacer.js';

export interface GcConfig {
  /** GOGC; −1 = off. */
  gogc: number;
  /** GOMEMLIMIT, bytes (Infinity: none). */
  memoryLimitBytes: number;
  baseLiveBytes: number;
  globalsBytes: number;
  /** Mark throughput of one CPU, bytes per ns. */
  scanBytesPerNs: number;
  stwSweepTermNs: number;
  stwMarkTermNs: number;
  /** Sweeping one byte of heap span, ns. */
  sweepNsPerByte: number;
  writeBarrierSlowdown: number;
  /** Share of heap bytes that hold pointers and must be scanned ([]byte and other noscan objects do not). */
  scanFraction: number;
  markAssist: boolean;
  cpuLimiter: boolean;
}

/** Receives each GC phase as it ends: a trace's GC track (`gmpsim run --trace`). */
export interface GcTracer {
  gcPhase(
    name: 'STW sweep termination' | 'mark' | 'STW mark termination',
    startNs: number,
    endNs: number,
    cycle: number,
  ): void;
}

/** What the collector needs from the scheduler. */
export interface GcHost {
  /** GOMAXPROCS now (procresize may change it between cycles). */
  readonly nP: number;
  /** The most Ps there may be (per-P arrays are this long); absent: nP. */
  readonly pCap?: number;
  stallWorld(): void;
  startWorld(): void;
  /** Time for stopTheWorld to preempt the Gs running now (0 when none runs). */
  stopLatencyNs(): number;
  /** gcWakeAllAssists / gcFlushBgCredit: make parked assists runnable. */
  wakeAssists(gs: readonly number[]): void;
  /** shrinkstack over every G (done while scanning stacks in the mark). */
  shrinkStacks(): void;
  /** Allocated goroutine stack bytes now (scannableStackSize). */
  stackBytes(): number;
  /** Memory the limit counts besides the heap (stacks, runtime overhead). */
  nonHeapBytes(): number;
}

export const GC_OFF = 0;
export const GC_STW_SWEEPTERM = 1;
export const GC_MARK = 2;
export const GC_STW_MARKTERM = 3;

export const WORKER_NONE = 0;
export const WORKER_DEDICATED = 1;
export const WORKER_FRACTIONAL = 2;
export const WORKER_IDLE = 3;

/** gcDrain looks up from its work (preemption, idle exit) every ~100k units of scan work. */
export const MARK_CHUNK_BYTES = 100_000;

/**
 * One pod's garbage collector (mgc.go): the cycle's phases — STW sweep termination, concurrent mark with
 * dedicated / fractional / idle background workers on Ps and mark assists by allocating Gs, STW mark
 * termination — driven by the pacer (mgcpacer.go) — then sweeping: allocating Gs sweep in proportion
 * (deductSweepCredit, paced by gcPaceSweeper to finish by the next trigger) and the next cycle's sweep
 * termination finishes what is left (finishsweep_m); the background sweeper is not modelled. Objects are live while the
 * G that allocated them lives; objects allocated
 * during a mark are marked (allocate-black), and everything reachable at the start of a mark survives it.
 */
export class GcDriver {
  readonly pacer: GcPacer;
  phase = GC_OFF;
  cycles = 0;
  /** Per G: heap bytes it allocated (live until it exits) and its assist credit (gcAssistBytes). */
  gAlloc = new Float64Array(1024);
  gAssist = new Float64Array(1024);
  private inflightBytes = 0;
  // This cycle.
  private markHeap = 0;
  /** The scannable part of markHeap (heap scan work this cycle). */
  private scanHeap = 0;
  private markTotal = 0;
  private claimed = 0;
  private done = 0;
  private allocatedBlack = 0;
  private dedicatedNeeded = 0;
  private idleWorkers = 0;
  private maxIdleWorkers = 0;
  readonly pFractionalNs: Float64Array;
  private assistQueue: number[] = [];
  private heap0 = 0;
  private heap1 = 0;
  private tSweepTerm = 0;
  private tMark = 0;
  private tMarkTerm = 0;
  private stw1Ns = 0;
  private stw2Ns = 0;
  private cycleGoal = 0;
  // Totals.
  /** GC CPU time that counts against the CPU limiter: STW × GOMAXPROCS, assists, dedicated and fractional workers. */
  gcCpuNs = 0;
  idleMarkNs = 0;
  assistNs = 0;
  /** Time with a mark phase on (write barrier and assists active), ns. */
  markPhaseNs = 0;
  readonly stwPauseMs = new SampleLog();
  /** Total stop-the-world time, ns. */
  stwNs = 0;
  /** Stop-the-world pauses, µs, Prometheus-style (`le` buckets). */
  readonly stwPauseHistUs = new Histogram([10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]);
  // GC CPU limiter (mgclimit.go): a bucket filled by GC time and drained by mutator time.
  private limiterFill = 0;
  private limiterLast = 0;
  private limiterGcLast = 0;
  limiting = false;
  onTrace: ((line: string) => void) | undefined;
  /** The phases as slices, when a trace is recorded. */
  tracer: GcTracer | undefined;
  /** Called with each mark phase's [start, end) in ns when it ends (reports, traces, tests). */
  onMarkPhase: ((startNs: number, endNs: number) => void) | undefined;
  /** Heap span bytes still to sweep, and bytes to sweep per byte allocated (sweepPagesPerByte). */
  private sweepLeft = 0;
  private sweepPerByte = 0;
  /** Sweep time the last `alloc` call costs its G, ns. */
  sweepNs = 0;
  /** Bytes handed to sweeping, swept by allocation, and swept at sweep termination (STW). */
  readonly sweep = { assigned: 0, byAllocation: 0, atStw: 0 };
  private readonly kMarkStart: number;
  private readonly kMarkTermEnd: number;

  constructor(
    private readonly sim: Simulation,
    readonly cfg: GcConfig,
    private readonly host: GcHost,
  ) {
    this.pacer = new GcPacer(cfg.gogc, cfg.memoryLimitBytes, () => host.nonHeapBytes());
    this.pacer.globalsScan = cfg.globalsBytes;
    // The program starts warmed up: its base live heap was marked by earlier cycles.
    this.pacer.heapMarked = this.pacer.heapLive = cfg.baseLiveBytes;
    this.pacer.heapScan = this.pacer.lastHeapScan = cfg.baseLiveBytes * cfg.scanFraction;
    this.pacer.commit();
    this.pFractionalNs = new Float64Array(host.pCap ?? host.nP);
    this.kMarkStart = sim.registerKind('gc.mark-start', () => this.markStart());
    this.kMarkTermEnd = sim.registerKind('gc.mark-termination', () => this.markTermination());
  }

  get marking(): boolean {
    return this.phase === GC_MARK;
  }

  /** heapLive + stacks + runtime overhead is the pod's memory; this is the heap part. */
  /** Heap still to sweep from the last cycle, bytes. */
  get unswept(): number {
    return this.sweepLeft;
  }

  get heapLive(): number {
    return this.pacer.heapLive;
  }

  /** The G table grew: keep per-G arrays as long. */
  /**
   * debug.SetGCPercent and debug.SetMemoryLimit (mgcpacer.go setGCPercent / setMemoryLimit, each followed
   * by gcControllerCommit under the heap lock): a new heap goal and trigger from now on; the next
   * allocation past the trigger starts a cycle (mallocgc's gcTrigger test). `gogc` < 0: off.
   */
  setGCPercent(gogc: number): void {
    this.pacer.setGCPercent(gogc);
  }

  setMemoryLimit(bytes: number): void {
    this.pacer.memoryLimit = bytes;
    this.pacer.commit();
  }

  ensureCapacity(n: number): void {
    if (n <= this.gAlloc.length) return;
    this.gAlloc = grow(this.gAlloc, new Float64Array(n));
    this.gAssist = grow(this.gAssist, new Float64Array(n));
  }

  /**
   * mallocgc's GC side: heapLive grows, a cycle starts at the trigger, and during a mark the G's assist
   * credit is debited. Returns 0 when the G goes on, 1 when it must assist (scan `assistWork` bytes, in
   * chunks: claimChunk / assistChunkDone), or −1 when it must park until background marking pays its
   * debt (gcParkAssist).
   */
  alloc(gp: number, bytes: number): number {
    this.sweepNs = this.sweepLeft > 0 ? this.deductSweepCredit(bytes) : 0;
    this.gAlloc[gp]! += bytes;
    this.inflightBytes += bytes;
    const p = this.pacer;
    p.heapLive += bytes;
    if (this.phase === GC_MARK) {
      this.allocatedBlack += bytes;
      p.revise();
    } else if (this.phase === GC_OFF && p.heapLive >= p.trigger) {
      this.gcStart(); // gcTrigger{kind: gcTriggerHeap}.test()
      return 0;
    }
    if (this.phase !== GC_MARK || !this.cfg.markAssist) return 0;
    this.gAssist[gp]! -= bytes;
    if (this.gAssist[gp]! >= 0) return 0;
    return this.gcAssistAlloc(gp);
  }

  /** runtime.GC() (gcTrigger{kind: gcTriggerCycle}, mgc.go): a cycle starts now unless one is under way. */
  forceGC(): void {
    if (this.phase === GC_OFF) this.gcStart();
  }

  /**
   * Live heap held apart from any G (a leak, a cache filling: the memory-pressure fault): `bytes` more, or
   * fewer when negative (garbage for the next cycle, as a G's allocations when it exits). A rise may trigger a cycle.
   */
  holdLive(bytes: number): void {
    this.inflightBytes += bytes;
    if (bytes <= 0) return;
    const p = this.pacer;
    p.heapLive += bytes;
    if (this.phase === GC_MARK) {
      this.allocatedBlack += bytes;
      p.revise();
    } else if (this.phase === GC_OFF && p.heapLive >= p.trigger) this.gcStart();
  }

  /** deductSweepCredit: sweep sweepPagesPerByte × bytes before allocating; returns the time, ns. */
  private deductSweepCredit(bytes: number): number {
    const swept = Math.min(this.sweepLeft, bytes * this.sweepPerByte);
    this.sweepLeft -= swept;
    this.sweep.byAllocation += swept;
    return swept * this.cfg.sweepNsPerByte;
  }

  /** A G exits: what it allocated becomes garbage (collected by the next cycle). */
  gExit(gp: number): void {
    this.inflightBytes -= this.gAlloc[gp]!;
    this.gAlloc[gp] = 0;
    this.gAssist[gp] = 0;
  }

  /** gcAssistAlloc: steal background credit, else scan (at least gcOverAssistWork), else park. */
  private gcAssistAlloc(gp: number): number {
    if (this.cfg.cpuLimiter && this.limiterUpdate()) return 0; // limiting: skip assists
    const p = this.pacer;
    let debtBytes = -this.gAssist[gp]!;
    let scanWork = p.assistWorkPerByte * debtBytes;
    if (scanWork < gcOverAssistWork) {
      scanWork = gcOverAssistWork;
      debtBytes = p.assistBytesPerWork * scanWork;
    }
    if (p.bgScanCredit > 0) {
      const stolen = Math.min(p.bgScanCredit, scanWork);
      p.bgScanCredit -= stolen;
      if (stolen >= scanWork) {
        this.gAssist[gp]! += debtBytes;
        return 0;
      }
      this.gAssist[gp]! += p.assistBytesPerWork * stolen;
      scanWork -= stolen;
    }
    if (this.markTotal - this.claimed <= 0) {
      this.assistQueue.push(gp);
      return -1;
    }
    this.assistWork = scanWork;
    return 1;
  }

  /** Scan work the assist `alloc` just asked for (gcAssistAlloc1 → gcDrainN). */
  assistWork = 0;

  /** The next piece of mark work (≤ one chunk, ≤ want) for a worker or an assist; 0 when none is left. */
  claimChunk(want: number): number {
    return this.claim(Math.min(want, MARK_CHUNK_BYTES));
  }

  /** gp's assist scanned `work` bytes: its debt shrinks, the mark advances. */
  assistChunkDone(gp: number, work: number): void {
    const p = this.pacer;
    this.gAssist[gp]! += p.assistBytesPerWork * work;
    const ns = work / this.cfg.scanBytesPerNs;
    p.assistTime += ns;
    this.assistNs += ns;
    this.gcCpuNs += ns;
    this.credit(work);
  }

  /** Still in debt with no work to take: gp waits for background credit or mark termination. */
  parkAssist(gp: number): void {
    this.assistQueue.push(gp);
  }

  /** Whole bytes, so claimed and done (summed in different orders) stay exact and meet at markTotal. */
  private claim(want: number): number {
    const w = Math.min(Math.ceil(want), this.markTotal - this.claimed);
    if (w <= 0) return 0;
    this.claimed += w;
    return w;
  }

  private credit(work: number): void {
    this.done += work;
    const p = this.pacer;
    // Heap bytes first, then stacks and globals, in proportion.
    p.heapScanWork += this.markTotal > 0 ? (work * this.scanHeap) / this.markTotal : 0;
    p.otherScanWork += this.markTotal > 0 ? (work * (this.markTotal - this.scanHeap)) / this.markTotal : 0;
    if (this.phase === GC_MARK && this.done >= this.markTotal) this.gcMarkDone();
  }

  // ---- background mark workers ------------------------------------------------------------------

  /** findRunnableGCWorker: a dedicated slot, or a fractional worker if this P is behind its goal. */
  findRunnableGCWorker(pp: number): number {
    if (this.phase !== GC_MARK || this.claimed >= this.markTotal) return WORKER_NONE; // gcMarkWorkAvailable
    if (this.dedicatedNeeded > 0) {
      this.dedicatedNeeded--;
      return WORKER_DEDICATED;
    }
    const goal = this.pacer.fractionalUtilizationGoal;
    if (goal === 0) return WORKER_NONE;
    const delta = this.sim.now - this.pacer.markStartTime;
    if (delta > 0 && this.pFractionalNs[pp]! / delta > goal) return WORKER_NONE;
    return WORKER_FRACTIONAL;
  }

  /** addIdleMarkWorker: a P with nothing to run marks instead of idling. */
  addIdleMarkWorker(): boolean {
    if (this.phase !== GC_MARK || this.claimed >= this.markTotal || this.idleWorkers >= this.maxIdleWorkers)
      return false;
    this.idleWorkers++;
    return true;
  }

  /** The next chunk a worker scans (bytes), or 0 when it should stop (gcDrain's exit checks). */
  workerNextChunk(pp: number, mode: number, otherWork: boolean): number {
    if (this.phase !== GC_MARK) return 0;
    if (mode === WORKER_IDLE && otherWork) return 0; // pollWork
    if (mode === WORKER_FRACTIONAL) {
      // pollFractionalWorkerExit: over 1.2 × the goal.
      const delta = this.sim.now - this.pacer.markStartTime;
      if (delta > 0 && this.pFractionalNs[pp]! / delta > 1.2 * this.pacer.fractionalUtilizationGoal) return 0;
    }
    return this.claimChunk(MARK_CHUNK_BYTES);
  }

  /** A worker scanned `work` bytes in `ns`: credit (gcFlushBgCredit first pays parked assists). */
  workerChunkDone(pp: number, mode: number, work: number, ns: number): void {
    const p = this.pacer;
    if (mode === WORKER_DEDICATED) p.dedicatedMarkTime += ns;
    else if (mode === WORKER_FRACTIONAL) {
      p.fractionalMarkTime += ns;
      this.pFractionalNs[pp]! += ns;
    } else p.idleMarkTime += ns;
    if (mode === WORKER_IDLE) this.idleMarkNs += ns;
    else this.gcCpuNs += ns;
    this.flushBgCredit(work);
    this.credit(work);
  }

  /** markWorkerStop. */
  workerStop(mode: number): void {
    if (mode === WORKER_DEDICATED) this.dedicatedNeeded++;
    else if (mode === WORKER_IDLE) this.idleWorkers--;
  }

  /** gcFlushBgCredit: background scan work satisfies parked assists in order, the rest is banked. */
  private flushBgCredit(work: number): void {
    const p = this.pacer;
    if (this.assistQueue.length === 0) {
      p.bgScanCredit += work;
      return;
    }
    let scanBytes = work * p.assistBytesPerWork;
    const woken: number[] = [];
    let i = 0;
    for (; i < this.assistQueue.length && scanBytes > 0; i++) {
      const gp = this.assistQueue[i]!;
      if (scanBytes + this.gAssist[gp]! >= 0) {
        scanBytes += this.gAssist[gp]!;
        this.gAssist[gp] = 0;
        woken.push(gp);
      } else {
        this.gAssist[gp]! += scanBytes;
        scanBytes = 0;
        break;
      }
    }
    this.assistQueue.splice(0, woken.length);
    if (scanBytes > 0) p.bgScanCredit += scanBytes * p.assistWorkPerByte;
    if (woken.length > 0) this.host.wakeAssists(woken);
  }

  // ---- the cycle ----------------------------------------------------------------------------------

  /** gcStart: stop the world for sweep termination. */
  private gcStart(): void {
    this.cycles++;
    this.heap0 = this.pacer.heapLive;
    this.cycleGoal = this.pacer.heapGoal;
    this.tSweepTerm = this.sim.now;
    // Sweep termination finishes the last cycle's sweeping (finishsweep_m) with the world stopped.
    this.stw1Ns = this.host.stopLatencyNs() + this.cfg.stwSweepTermNs + this.sweepLeft * this.cfg.sweepNsPerByte;
    this.sweep.atStw += this.sweepLeft;
    this.sweepLeft = 0;
    this.phase = GC_STW_SWEEPTERM;
    this.host.stallWorld();
    this.sim.schedule(this.stw1Ns, this.kMarkStart);
  }

  /** End of sweep termination: the mark phase begins (gcBgMarkPrepare, startCycle, startTheWorld). */
  private markStart(): void {
    const p = this.pacer;
    const now = this.sim.now;
    this.tMark = now;
    this.phase = GC_MARK;
    p.heapScan = p.heapLive * this.cfg.scanFraction;
    p.startCycle(now, this.host.nP, this.host.stackBytes());
    this.host.shrinkStacks();
    this.dedicatedNeeded = p.dedicatedMarkWorkersNeeded;
    this.maxIdleWorkers = this.host.nP - this.dedicatedNeeded;
    this.idleWorkers = 0;
    this.pFractionalNs.fill(0);
    this.markHeap = this.cfg.baseLiveBytes + this.inflightBytes;
    this.scanHeap = this.markHeap * this.cfg.scanFraction;
    this.markTotal = Math.round(this.scanHeap + p.stackScan + p.globalsScan);
    this.claimed = 0;
    this.done = 0;
    this.allocatedBlack = 0;
    this.gAssist.fill(0); // gcResetMarkState: every G's assist credit starts at 0
    this.gcCpuNs += this.stw1Ns * this.host.nP;
    this.stwPauseMs.push(this.stw1Ns / 1e6);
    this.stwNs += this.stw1Ns;
    this.stwPauseHistUs.observe(this.stw1Ns / 1e3);
    this.tracer?.gcPhase('STW sweep termination', this.tSweepTerm, now, this.cycles);
    this.host.startWorld();
    if (this.markTotal <= 0) this.gcMarkDone();
  }

  /** gcMarkDone: no work left; stop the world for mark termination. */
  private gcMarkDone(): void {
    this.phase = GC_STW_MARKTERM;
    this.heap1 = this.pacer.heapLive;
    this.tMarkTerm = this.sim.now;
    this.markPhaseNs += this.tMarkTerm - this.tMark;
    this.onMarkPhase?.(this.tMark, this.tMarkTerm);
    this.tracer?.gcPhase('mark', this.tMark, this.tMarkTerm, this.cycles);
    this.stw2Ns = this.host.stopLatencyNs() + this.cfg.stwMarkTermNs;
    this.host.stallWorld();
    this.sim.schedule(this.stw2Ns, this.kMarkTermEnd);
  }

  /** gcMarkTermination: the marked bytes become the live heap; pace the next cycle; wake assists. */
  private markTermination(): void {
    const p = this.pacer;
    const now = this.sim.now;
    const marked = this.markHeap + this.allocatedBlack;
    p.endCycle(now, this.host.nP);
    p.resetLive(marked);
    p.stackScan = this.host.stackBytes();
    p.commit();
    this.phase = GC_OFF;
    // gcPaceSweeper: the spans in use are swept by allocation before the heap reaches the next trigger.
    this.sweepLeft = this.heap1;
    this.sweep.assigned += this.heap1;
    this.sweepPerByte = this.heap1 / Math.max(8192, p.trigger - p.heapLive - (1 << 20));
    this.gcCpuNs += this.stw2Ns * this.host.nP;
    this.stwPauseMs.push(this.stw2Ns / 1e6);
    this.stwNs += this.stw2Ns;
    this.stwPauseHistUs.observe(this.stw2Ns / 1e3);
    if (this.onTrace) this.onTrace(this.gctrace(now, marked));
    this.tracer?.gcPhase('STW mark termination', this.tMarkTerm, now, this.cycles);
    const woken = this.assistQueue;
    this.assistQueue = [];
    this.host.startWorld();
    if (woken.length > 0) this.host.wakeAssists(woken);
  }

  /** Is the CPU limiter limiting now? (Updated from the GC CPU time since the last look.) */
  private limiterUpdate(): boolean {
    const now = this.sim.now;
    const dt = now - this.limiterLast;
    if (dt > 0) {
      const gc = this.gcCpuNs - this.limiterGcLast;
      const mutator = this.host.nP * dt - gc;
      const cap = 1e9 * this.host.nP; // capacityPerProc × GOMAXPROCS
      this.limiterFill = Math.min(cap, Math.max(0, this.limiterFill + gc - mutator));
      this.limiting = this.limiterFill >= cap;
      this.limiterLast = now;
      this.limiterGcLast = this.gcCpuNs;
    }
    return this.limiting;
  }

  /** GC CPU (idle marking included, as gctrace counts it) / CPU available since start. */
  gcCpuFraction(nowNs: number): number {
    return nowNs > 0 ? (this.gcCpuNs + this.idleMarkNs) / (nowNs * this.host.nP) : 0;
  }

  /**
   * The GODEBUG=gctrace=1 line of the cycle that just ended (mgc.go gcMarkTermination). The CPU field is
   * `sweepTerm+assist/background/idle+markTerm`: gcMarkTermination prints "/" before the 3rd and 4th values.
   */
  private gctrace(now: number, marked: number): string {
    const p = this.pacer;
    const mb = (b: number) => Math.floor(b / (1 << 20));
    const nP = this.host.nP;
    const clock = [this.tMark - this.tSweepTerm, this.tMarkTerm - this.tMark, now - this.tMarkTerm]
      .map(fmtNSAsMS)
      .join('+');
    const cpu =
      `${fmtNSAsMS(this.stw1Ns * nP)}+${fmtNSAsMS(p.assistTime)}` +
      `/${fmtNSAsMS(p.dedicatedMarkTime + p.fractionalMarkTime)}` +
      `/${fmtNSAsMS(p.idleMarkTime)}+${fmtNSAsMS(this.stw2Ns * nP)}`;
    const util = Math.floor(this.gcCpuFraction(now) * 100);
    return (
      `gc ${this.cycles} @${(Math.floor(this.tSweepTerm / 1e6) / 1e3).toFixed(3)}s ${util}%: ${clock} ms ` +
      `clock, ${cpu} ms cpu, ` +
      `${mb(this.heap0)}->${mb(this.heap1)}->${mb(marked)} MB, ${mb(this.cycleGoal)} MB ` +
      `goal, ${mb(p.stackScan)} MB stacks, ` +
      `${mb(p.globalsScan)} MB globals, ${nP} P`
    );
  }
}

/** fmtNSAsMS (mgc.go): whole ms from 10 ms up; else two significant digits, at most three decimals. */
export function fmtNSAsMS(ns: number): string {
  if (ns >= 10e6) return String(Math.floor(ns / 1e6));
  let x = Math.floor(ns / 1e3);
  if (x === 0) return '0';
  let dec = 3;
  while (x >= 100) {
    x = Math.floor(x / 10);
    dec--;
  }
  return itoaDiv(x, dec);
}

/** itoaDiv: val / 10^dec with dec decimals. */
function itoaDiv(val: number, dec: number): string {
  if (dec === 0) return String(val);
  const s = String(val).padStart(dec + 1, '0');
  return `${s.slice(0, s.length - dec)}.${s.slice(s.length - dec)}`;
}
