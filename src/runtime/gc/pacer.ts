/**
 * The GC pacer (runtime/mgcpacer.go, the Go 1.18+ redesign, proposal 44167), as pure state and
 * functions: the heap goal from GOGC and GOMEMLIMIT, the trigger from the cons/mark estimate, the mark
 * worker split, and the assist ratio. Byte quantities are plain numbers (exact up to 2^53).
 */

export const gcBackgroundUtilization = 0.25; // gcGoalUtilization = gcBackgroundUtilization
export const gcOverAssistWork = 64 << 10;
export const defaultHeapMinimum = 4 << 20;
export const memoryLimitHeapGoalHeadroomPercent = 3;
export const memoryLimitMinHeapGoalHeadroom = 1 << 20;

/** piController (mgcpacer.go): smooths the measured cons/mark ratio across cycles. */
export class PiController {
  errIntegral = 0;
  constructor(
    readonly kp: number,
    readonly ti: number,
    readonly tt: number,
    readonly min: number,
    readonly max: number,
  ) {}

  /** piController.next: the new output and false when the state overflowed (then reset). */
  next(input: number, setpoint: number, period: number): [number, boolean] {
    const prop = this.kp * (setpoint - input);
    const rawOutput = prop + this.errIntegral;
    let output = rawOutput;
    if (!Number.isFinite(output)) {
      this.errIntegral = 0;
      return [this.min, false];
    }
    if (output < this.min) output = this.min;
    else if (output > this.max) output = this.max;
    if (this.ti !== 0 && this.tt !== 0) {
      this.errIntegral +=
        ((this.kp * period) / this.ti) * (setpoint - input) + (period / this.tt) * (output - rawOutput);
      if (!Number.isFinite(this.errIntegral)) {
        this.errIntegral = 0;
        return [this.min, false];
      }
    }
    return [output, true];
  }
}

export class GcPacer {
  gcPercent: number;
  heapMinimum: number;
  /** GOMEMLIMIT, bytes (Infinity: none). */
  memoryLimit: number;
  trigger = 0;
  heapGoal = 0;
  heapLive = 0;
  heapMarked = 0;
  /** Scannable heap; fixed at cycle start. The model treats every live byte as scannable. */
  heapScan = 0;
  lastHeapScan = 0;
  stackScan = 0;
  globalsScan = 0;
  consMark = 0;
  readonly consMarkController = new PiController(0.9, 4.0, 1000, -1000, 1000);
  // This cycle.
  heapScanWork = 0;
  /** Stack and globals scan work this cycle (stackScanWork + globalsScanWork). */
  otherScanWork = 0;
  bgScanCredit = 0;
  assistTime = 0;
  dedicatedMarkTime = 0;
  fractionalMarkTime = 0;
  idleMarkTime = 0;
  markStartTime = 0;
  dedicatedMarkWorkersNeeded = 0;
  fractionalUtilizationGoal = 0;
  assistWorkPerByte = 0;
  assistBytesPerWork = 0;

  /** `nonHeap()` gives the memory the limit counts besides the heap (stacks, runtime overhead). */
  constructor(
    gcPercent: number,
    memoryLimit: number,
    private readonly nonHeap: () => number = () => 0,
  ) {
    this.gcPercent = gcPercent;
    this.memoryLimit = memoryLimit;
    this.heapMinimum = defaultHeapMinimum;
    this.setGCPercent(gcPercent);
  }

  /** setGCPercent: GOGC (< 0: off); heapMinimum scales with it; recommit. */
  setGCPercent(pct: number): void {
    this.gcPercent = pct < 0 ? -1 : pct;
    this.heapMinimum = pct < 0 ? 0 : (defaultHeapMinimum * pct) / 100;
    this.commit();
  }

  /** The GOGC goal: heapMarked + (heapMarked + stacks + globals) × GOGC/100; Infinity when GOGC=off. */
  gcPercentHeapGoal(): number {
    if (this.gcPercent < 0) return Infinity;
    const goal =
      this.heapMarked + Math.floor(((this.heapMarked + this.stackScan + this.globalsScan) * this.gcPercent) / 100);
    // heapMinimum: don't collect below 4 MB × GOGC/100.
    return Math.max(goal, this.heapMinimum);
  }

  /** memoryLimitHeapGoal: the limit minus non-heap memory, minus max(3%, 1 MiB) headroom, never below heapMarked. */
  memoryLimitHeapGoal(): number {
    if (!Number.isFinite(this.memoryLimit)) return Infinity;
    let goal = this.memoryLimit - this.nonHeap();
    if (goal < 0) goal = 0;
    let headroom = Math.floor(goal / 100) * memoryLimitHeapGoalHeadroomPercent;
    if (headroom < memoryLimitMinHeapGoalHeadroom) headroom = memoryLimitMinHeapGoalHeadroom;
    goal = goal < headroom || goal - headroom < headroom ? headroom : goal - headroom;
    return Math.max(goal, this.heapMarked);
  }

  /**
   * commit + trigger (Go 1.19+): goal = min(GOGC goal, memory-limit goal); trigger = goal − runway,
   * runway = consMark × (1 − u)/u × last cycle's scan work (u = 25%), clamped to heapMarked + [45/64, 61/64]
   * of (goal − heapMarked) — the upper bound widened to goal − 4 MB for large heaps.
   */
  commit(): void {
    const goal = Math.min(this.gcPercentHeapGoal(), this.memoryLimitHeapGoal());
    this.heapGoal = goal;
    const runway =
      ((this.consMark * (1 - gcBackgroundUtilization)) / gcBackgroundUtilization) *
      (this.lastHeapScan + this.stackScan + this.globalsScan);
    if (this.heapMarked >= goal) {
      this.trigger = goal;
      return;
    }
    const span = goal - this.heapMarked;
    let minTrigger = this.heapMarked;
    const triggerLowerBound = Math.floor(span / 64) * 45 + this.heapMarked;
    if (minTrigger < triggerLowerBound) minTrigger = triggerLowerBound;
    let maxTrigger = Math.floor(span / 64) * 61 + this.heapMarked;
    if (goal > defaultHeapMinimum && goal - defaultHeapMinimum > maxTrigger) maxTrigger = goal - defaultHeapMinimum;
    if (maxTrigger < minTrigger) maxTrigger = minTrigger;
    let trigger = runway > goal ? minTrigger : goal - Math.floor(runway);
    if (trigger < minTrigger) trigger = minTrigger;
    if (trigger > maxTrigger) trigger = maxTrigger;
    this.trigger = trigger;
  }

  /**
   * startCycle: reset this cycle's counters and split the 25% background utilization into dedicated
   * workers (rounded) and a fractional goal when rounding is > 30% off (GOMAXPROCS ≤ 3 or 6).
   */
  startCycle(markStartTime: number, procs: number, stackScan: number): void {
    this.heapScanWork = 0;
    this.otherScanWork = 0;
    this.bgScanCredit = 0;
    this.assistTime = 0;
    this.dedicatedMarkTime = 0;
    this.fractionalMarkTime = 0;
    this.idleMarkTime = 0;
    this.markStartTime = markStartTime;
    this.stackScan = stackScan;
    if (this.heapGoal < this.heapLive + (64 << 10)) this.heapGoal = this.heapLive + (64 << 10);
    const totalUtilizationGoal = procs * gcBackgroundUtilization;
    this.dedicatedMarkWorkersNeeded = Math.floor(totalUtilizationGoal + 0.5);
    const utilError = this.dedicatedMarkWorkersNeeded / totalUtilizationGoal - 1;
    if (utilError < -0.3 || utilError > 0.3) {
      if (this.dedicatedMarkWorkersNeeded > totalUtilizationGoal) this.dedicatedMarkWorkersNeeded--;
      this.fractionalUtilizationGoal = (totalUtilizationGoal - this.dedicatedMarkWorkersNeeded) / procs;
    } else {
      this.fractionalUtilizationGoal = 0;
    }
    this.revise();
  }

  /** revise: the assist ratio — remaining scan work per byte of heap left before the goal. */
  revise(): void {
    const gcPercent = this.gcPercent < 0 ? 100000 : this.gcPercent;
    const live = this.heapLive;
    const work = this.heapScanWork + this.otherScanWork;
    let heapGoal = this.heapGoal;
    let scanWorkExpected = this.lastHeapScan + this.stackScan + this.globalsScan;
    const maxScanWork = this.heapScan + this.stackScan + this.globalsScan;
    if (work > scanWorkExpected) {
      // More work than expected: the heap is growing; extrapolate the goal, at most (1 + GOGC/100) × goal.
      let extHeapGoal = Math.floor(((heapGoal - this.trigger) / scanWorkExpected) * maxScanWork) + this.trigger;
      scanWorkExpected = maxScanWork;
      const hardGoal = Math.floor((1.0 + gcPercent / 100.0) * heapGoal);
      if (extHeapGoal > hardGoal) extHeapGoal = hardGoal;
      heapGoal = extHeapGoal;
    }
    if (live > heapGoal) {
      heapGoal = Math.floor(heapGoal * 1.1); // maxOvershoot
      scanWorkExpected = maxScanWork;
    }
    let scanWorkRemaining = scanWorkExpected - work;
    if (scanWorkRemaining < 1000) scanWorkRemaining = 1000;
    let heapRemaining = heapGoal - live;
    if (heapRemaining <= 0) heapRemaining = 1;
    this.assistWorkPerByte = scanWorkRemaining / heapRemaining;
    this.assistBytesPerWork = heapRemaining / scanWorkRemaining;
  }

  /** endCycle: feed this cycle's measured cons/mark ratio to the PI controller. */
  endCycle(now: number, procs: number): void {
    const assistDuration = now - this.markStartTime;
    let utilization = gcBackgroundUtilization;
    if (assistDuration > 0) utilization += this.assistTime / (assistDuration * procs);
    if (this.heapLive <= this.trigger) return;
    const idleUtilization = assistDuration > 0 ? this.idleMarkTime / (assistDuration * procs) : 0;
    const scanWork = this.heapScanWork + this.otherScanWork;
    const currentConsMark =
      ((this.heapLive - this.trigger) * (utilization + idleUtilization)) / (scanWork * (1 - utilization));
    const [next, ok] = this.consMarkController.next(this.consMark, currentConsMark, 1.0);
    this.consMark = ok ? next : 0;
  }

  /** resetLive: after mark termination, the marked bytes are the new live heap. */
  resetLive(bytesMarked: number): void {
    this.heapMarked = bytesMarked;
    this.heapLive = bytesMarked;
    this.heapScan = this.heapScanWork;
    this.lastHeapScan = this.heapScanWork;
  }
}
