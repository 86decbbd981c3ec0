import { type EventHandle, EventQueue } from './event-queue.js';
import type { EventSet, EventSetKind } from './event-set.js';
import { LadderQueue } from './ladder-queue.js';

/**
 * Called when an event of the kind it was registered for fires. `target` and `arg` are whatever the
 * scheduler passed (typically an entity index and a small payload), so models need no closure per event.
 */
export type EventHandler = (target: number, arg: number) => void;

/** The handler of an unused hot slot (Simulation.markHot): never called. */
const noHandler: EventHandler = () => {};

/*
 * The scheduling calls' errors, made out of line: a template string and a `new` in post/postAt were half
 * their bytecode, and V8 charges an inlined callee's whole bytecode to its caller's inlining budget (920
 * bytes cumulative by default), so every handler that schedules an event paid for the message it never
 * builds and had that much less budget for inlining its own hot callees (issue 24).
 */
function negativeDelay(delayNs: number): RangeError {
  return new RangeError(`schedule: delay must be ≥ 0 ns, got ${delayNs}`);
}

function timeBeforeNow(timeNs: number, now: number): RangeError {
  return new RangeError(`scheduleAt: time ${timeNs} ns is before now (${now} ns)`);
}

/** Read-only view of simulated time that models receive (they never see the wall clock). */
export interface Clock {
  /** Simulated time in integer nanoseconds (exact in a double up to 2^53 ns ≈ 104 days). */
  readonly now: number;
}

/**
 * The simulation environment (SimPy's `Environment`, ns-3's `Simulator`): a clock, an event set and a
 * dispatch loop. Models register event kinds once, with a handler, and then schedule
 * (time, kind, target, arg) tuples.
 */
export class Simulation implements Clock {
  now = 0;
  /** Events dispatched so far. */
  eventsProcessed = 0;
  /** The kind of the event the last `step()` dispatched (-1 before any): for one-event stepping views. */
  lastKind = -1;

  private readonly queue: EventSet;
  private readonly handlers: EventHandler[] = [];
  private readonly kindNames: string[] = [];
  private stopped = false;

  /** `eventSet` picks the pending-event structure; results are identical, only speed differs. */
  constructor(initialCapacity = 1024, eventSet: EventSetKind = 'ladder') {
    this.queue = eventSet === 'heap' ? new EventQueue(initialCapacity) : new LadderQueue(initialCapacity);
  }

  /** Register an event kind; returns its number. Register once at model set-up, never per event. */
  registerKind(name: string, handler: EventHandler): number {
    this.kindNames.push(name);
    return this.handlers.push(handler) - 1;
  }

  /**
   * Up to four kinds that fire most often, each dispatched by `runUntil` from a call site of its own
   * (issue 24: monomorphic handlers). One call site for every kind sees a dozen handler functions, so
   * V8 calls each through its generic call builtin (~2.6 % of the cluster benchmark in that builtin
   * alone, by `perf` on the JIT's code); a site that only ever sees one function (the same closure
   * literal in every pod's engine) calls it directly, or inlines it. The order of events is unchanged.
   * Kinds marked past the fourth, or twice, are dispatched as any other.
   */
  markHot(kind: number): void {
    const h = this.handlers[kind];
    if (h === undefined) throw new RangeError(`markHot: no kind ${kind}`);
    if (kind === this.hot0 || kind === this.hot1 || kind === this.hot2 || kind === this.hot3) return;
    if (this.hot0 < 0) [this.hot0, this.hotH0] = [kind, h];
    else if (this.hot1 < 0) [this.hot1, this.hotH1] = [kind, h];
    else if (this.hot2 < 0) [this.hot2, this.hotH2] = [kind, h];
    else if (this.hot3 < 0) [this.hot3, this.hotH3] = [kind, h];
  }

  /** The hot kinds (−1: none) and their handlers (see markHot). */
  private hot0 = -1;
  private hot1 = -1;
  private hot2 = -1;
  private hot3 = -1;
  private hotH0: EventHandler = noHandler;
  private hotH1: EventHandler = noHandler;
  private hotH2: EventHandler = noHandler;
  private hotH3: EventHandler = noHandler;

  kindName(kind: number): string {
    return this.kindNames[kind] ?? `kind#${kind}`;
  }

  /** Schedule an event `delayNs` after now (delay ≥ 0; rounded to whole nanoseconds). */
  schedule(delayNs: number, kind: number, target = 0, arg = 0): EventHandle {
    this.post(delayNs, kind, target, arg);
    return this.lastHandle;
  }

  /** Schedule an event at absolute time `timeNs` (≥ now). */
  scheduleAt(timeNs: number, kind: number, target = 0, arg = 0): EventHandle {
    this.nextTime = timeNs;
    this.postAt(kind, target, arg);
    return this.lastHandle;
  }

  /**
   * The handle of the event scheduled last (by any of the four; `schedule` and `scheduleAt` are `post` and
   * `postAt` returning it). Hot model paths schedule through `post`/`postAt` and read it here (issue 24): a
   * handle is a double past V8's small integers, and one returned from a call V8 does not inline is boxed
   * into a new 16-byte heap number per event, where a store into this double field is not.
   */
  lastHandle: EventHandle = -1;
  /**
   * The time `postAt` schedules at (`scheduleAt` sets it too). A time past 2^31 ns passed as an argument to
   * a call V8 does not inline is boxed as well; a store into this field is not.
   */
  nextTime = 0;

  /** As `schedule`, the handle left in `lastHandle`. */
  post(delayNs: number, kind: number, target = 0, arg = 0): void {
    if (!(delayNs >= 0)) throw negativeDelay(delayNs);
    const q = this.queue;
    q.nextTime = this.now + Math.round(delayNs);
    q.addNext(kind, target, arg);
    this.lastHandle = q.lastHandle;
  }

  /** As `scheduleAt` at `nextTime`, the handle left in `lastHandle`. */
  postAt(kind: number, target = 0, arg = 0): void {
    const timeNs = this.nextTime;
    if (!(timeNs >= this.now)) throw timeBeforeNow(timeNs, this.now);
    const q = this.queue;
    q.nextTime = Math.round(timeNs);
    q.addNext(kind, target, arg);
    this.lastHandle = q.lastHandle;
  }

  /**
   * As `postAt`, for a caller whose events come in non-decreasing time (PodEngines.deliver: a window's
   * routed arrivals into a pod's engine), and without a handle (it cannot be cancelled): the ladder keeps
   * them in a lane and merges it at take instead of sorting each into its bottom (issue 24). Same order.
   */
  postInOrder(kind: number, target = 0, arg = 0): void {
    const timeNs = this.nextTime;
    if (!(timeNs >= this.now)) throw timeBeforeNow(timeNs, this.now);
    const q = this.queue;
    q.nextTime = Math.round(timeNs);
    q.addInOrder(kind, target, arg);
  }

  /** Cancel a pending event; false if it already fired or was cancelled. */
  cancel(handle: EventHandle): boolean {
    return this.queue.cancel(handle);
  }

  isPending(handle: EventHandle): boolean {
    return this.queue.isPending(handle);
  }

  /** Live pending events. */
  get pending(): number {
    return this.queue.size;
  }

  /** Time of the next event, +Infinity if none. */
  peek(): number {
    return this.queue.peekTime();
  }

  /** Dispatch exactly one event. Returns false if there was none. */
  step(): boolean {
    const q = this.queue;
    if (!q.take()) return false;
    this.now = q.takenTime;
    this.eventsProcessed++;
    this.lastKind = q.takenKind;
    this.handlers[q.takenKind]!(q.takenTarget, q.takenArg);
    q.finishTake();
    return true;
  }

  /**
   * Dispatch every event with time ≤ `untilNs`, then set the clock to `untilNs` (so metrics sampled at
   * the horizon see the full interval). Stops early if a handler calls `stop()`. Returns events dispatched.
   */
  runUntil(untilNs: number): number {
    const q = this.queue;
    const handlers = this.handlers;
    const start = this.eventsProcessed;
    const k0 = this.hot0,
      k1 = this.hot1,
      k2 = this.hot2,
      k3 = this.hot3;
    const h0 = this.hotH0,
      h1 = this.hotH1,
      h2 = this.hotH2,
      h3 = this.hotH3;
    this.stopped = false;
    while (!this.stopped && q.take(untilNs)) {
      this.now = q.takenTime;
      this.eventsProcessed++;
      const k = q.takenKind;
      // Each hot kind from a call site of its own (markHot); the rest through the table.
      if (k === k0) h0(q.takenTarget, q.takenArg);
      else if (k === k1) h1(q.takenTarget, q.takenArg);
      else if (k === k2) h2(q.takenTarget, q.takenArg);
      else if (k === k3) h3(q.takenTarget, q.takenArg);
      else handlers[k]!(q.takenTarget, q.takenArg);
      q.finishTake();
    }
    if (!this.stopped && untilNs > this.now && Number.isFinite(untilNs)) this.now = untilNs;
    return this.eventsProcessed - start;
  }

  /** Dispatch until the event set is empty or a handler calls `stop()`. */
  run(): number {
    return this.runUntil(Infinity);
  }

  /** Ask the running loop to return after the current event. */
  stop(): void {
    this.stopped = true;
  }
}
