import type { EventSet } from './event-set.js';
import { grow } from './grow.js';

/**
 * The pending-event set: a 4-ary min-heap over typed arrays keyed by (time, insertion sequence).
 *
 * Why this shape:
 * - No object per event. An event is a slot in struct-of-arrays tables (kind, target, arg) and a heap
 *   entry (time, seq, slot) in three parallel typed arrays, so the hot path allocates nothing.
 * - 4-ary instead of binary: half the depth, and the four children of a node are adjacent in memory.
 * - Ties break by the global insertion sequence, so equal-time events fire in the order they were scheduled.
 * - Cancellation is lazy: the slot is flagged and skipped when it reaches the root; the heap is compacted
 *   when cancelled entries outnumber live ones, so memory stays bounded.
 * - `take`/`finishTake` let the first event scheduled while dispatching replace the root in one sift-down
 *   instead of a pop plus a push (the common "event schedules its follow-up" case, e.g. the hold model).
 *
 * Handles are doubles: slot + generation × 2^26, so a stale handle (event already fired or cancelled,
 * slot reused) is recognised and ignored.
 */

const SLOT_BITS = 26;
const SLOT_SPACE = 2 ** SLOT_BITS; // at most 67M simultaneously pending events
const GEN_LIMIT = 2 ** (53 - SLOT_BITS);

/** Entries read past the end of the heap by the branchless 4-child scan (children c..c+3 with c < n). */
const HEAP_PAD = 3;

const FREE = 0;
const PENDING = 1;
const CANCELLED = 2;

/** An opaque number identifying one scheduled event; pass it to `cancel`. */
export type EventHandle = number;

export class EventQueue implements EventSet {
  // Heap entries (index 0 is the root).
  private hTime: Float64Array;
  private hSeq: Float64Array;
  private hSlot: Int32Array;
  private n = 0; // heap entries, cancelled ones included

  // Event slots: one stride-4 record per slot [kind, target, arg, stamp] so that reading the root's
  // payload is one cache miss, not four. stamp = generation × 4 + state.
  private slots: Float64Array;
  private freeSlots: Int32Array;
  private nFree = 0;
  private nSlots = 0; // slots ever handed out (high-water mark)

  private seq = 0;
  private cancelled = 0;
  /** True between `take` and `finishTake`: the root is the taken event and may be overwritten by a push. */
  private rootTaken = false;

  /** The event most recently returned by `take`. */
  takenTime = 0;
  takenKind = 0;
  takenTarget = 0;
  takenArg = 0;

  constructor(initialCapacity = 1024) {
    const c = Math.max(16, initialCapacity);
    this.hTime = new Float64Array(c + HEAP_PAD).fill(Infinity);
    this.hSeq = new Float64Array(c + HEAP_PAD);
    this.hSlot = new Int32Array(c + HEAP_PAD);
    this.slots = new Float64Array(c * 4);
    this.freeSlots = new Int32Array(c);
  }

  /** Live (not cancelled, not yet taken) events. */
  get size(): number {
    return this.n - this.cancelled - (this.rootTaken ? 1 : 0);
  }

  /** The handle of the event the last `add` inserted. */
  lastHandle: EventHandle = -1;

  /** Insert an event; returns its handle. `time` must not be below the time of the event being dispatched. */
  push(time: number, kind: number, target: number, arg: number): EventHandle {
    this.add(time, kind, target, arg);
    return this.lastHandle;
  }

  /** As push, the handle left in `lastHandle` (EventSet.add: no boxed return value). */
  add(time: number, kind: number, target: number, arg: number): void {
    this.nextTime = time;
    this.addNext(kind, target, arg);
  }

  /** EventSet.nextTime: the time of the event the next `addNext` inserts. */
  nextTime = 0;

  /** As add, at `nextTime` (EventSet.addNext). */
  addNext(kind: number, target: number, arg: number): void {
    const time = this.nextTime;
    const slot = this.allocSlot();
    const r = slot << 2,
      d = this.slots;
    d[r] = kind;
    d[r + 1] = target;
    d[r + 2] = arg;
    const gen = (d[r + 3]! - FREE) / 4;
    d[r + 3] = gen * 4 + PENDING;
    const s = this.seq++;
    if (this.rootTaken) {
      // The root holds the event being dispatched: reuse its place (one sift-down instead of pop + push).
      this.rootTaken = false;
      this.siftDown(0, time, s, slot);
    } else {
      if (this.n + HEAP_PAD >= this.hTime.length) this.growHeap();
      this.siftUp(this.n++, time, s, slot);
    }
    this.lastHandle = slot + gen * SLOT_SPACE;
  }

  /** EventSet.addInOrder: the heap orders by (time, insertion) anyway, so this is `addNext`. */
  addInOrder(kind: number, target: number, arg: number): void {
    this.addNext(kind, target, arg);
  }

  /** Cancel a pending event. Returns false if it already fired, was cancelled, or the handle is stale. */
  cancel(handle: EventHandle): boolean {
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    if (slot >= this.nSlots || this.slots[(slot << 2) + 3] !== gen * 4 + PENDING) return false;
    this.slots[(slot << 2) + 3] = gen * 4 + CANCELLED;
    this.cancelled++;
    if (this.cancelled > 1024 && this.cancelled * 2 > this.n && !this.rootTaken) this.compact();
    return true;
  }

  /** Whether the handle names an event that is still pending. */
  isPending(handle: EventHandle): boolean {
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    return slot < this.nSlots && this.slots[(slot << 2) + 3] === gen * 4 + PENDING;
  }

  /** Time of the earliest live event, or +Infinity when none. Not valid between `take` and `finishTake`. */
  peekTime(): number {
    this.dropCancelledRoots();
    return this.n > 0 ? this.hTime[0]! : Infinity;
  }

  /**
   * Take the earliest live event into `taken*` fields. Its heap entry stays at the root until
   * `finishTake`, so that a push made while dispatching it can reuse the root. Returns false if empty
   * or if the earliest event is later than `limit`.
   */
  take(limit = Infinity): boolean {
    this.dropCancelledRoots();
    if (this.n === 0 || this.hTime[0]! > limit) return false;
    const r = this.hSlot[0]! << 2,
      d = this.slots;
    this.takenTime = this.hTime[0]!;
    this.takenKind = d[r]!;
    this.takenTarget = d[r + 1]!;
    this.takenArg = d[r + 2]!;
    this.freeSlot(r >> 2);
    this.rootTaken = true;
    return true;
  }

  /** Complete a `take`: remove the root unless a push already replaced it. */
  finishTake(): void {
    if (this.rootTaken) {
      this.rootTaken = false;
      this.removeRoot();
    }
  }

  private dropCancelledRoots(): void {
    while (this.n > 0) {
      const slot = this.hSlot[0]!;
      if ((this.slots[(slot << 2) + 3]! & 3) !== CANCELLED) return;
      this.cancelled--;
      this.freeSlot(slot);
      this.removeRoot();
    }
  }

  private removeRoot(): void {
    const last = --this.n;
    const t = this.hTime[last]!;
    this.hTime[last] = Infinity; // keep the padding invariant: every entry at or past n is +Infinity
    if (last > 0) this.siftDown(0, t, this.hSeq[last]!, this.hSlot[last]!);
  }

  private siftUp(i: number, t: number, s: number, slot: number): void {
    const hT = this.hTime,
      hS = this.hSeq,
      hL = this.hSlot;
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = hT[p]!;
      if (pt < t || (pt === t && hS[p]! < s)) break;
      hT[i] = pt;
      hS[i] = hS[p]!;
      hL[i] = hL[p]!;
      i = p;
    }
    hT[i] = t;
    hS[i] = s;
    hL[i] = slot;
  }

  /**
   * Move the hole at `i` down until (t, s) fits. The smallest of the four children is chosen without
   * branches (random keys make that branch unpredictable, which costs more than the comparisons);
   * entries past the end hold +Infinity, so a partial last family needs no bounds checks.
   */
  private siftDown(i: number, t: number, s: number, slot: number): void {
    const hT = this.hTime,
      hS = this.hSeq,
      hL = this.hSlot;
    const n = this.n;
    for (;;) {
      const c = (i << 2) + 1;
      if (c >= n) break;
      const a = c + (+(hT[c + 1]! < hT[c]!) | (+(hT[c + 1] === hT[c]) & +(hS[c + 1]! < hS[c]!)));
      const b = c + 2 + (+(hT[c + 3]! < hT[c + 2]!) | (+(hT[c + 3] === hT[c + 2]) & +(hS[c + 3]! < hS[c + 2]!)));
      const ta = hT[a]!,
        tb = hT[b]!;
      const m = a + (b - a) * (+(tb < ta) | (+(tb === ta) & +(hS[b]! < hS[a]!)));
      const mt = hT[m]!;
      if (t < mt || (t === mt && s < hS[m]!)) break;
      hT[i] = mt;
      hS[i] = hS[m]!;
      hL[i] = hL[m]!;
      i = m;
    }
    hT[i] = t;
    hS[i] = s;
    hL[i] = slot;
  }

  private allocSlot(): number {
    if (this.nFree > 0) return this.freeSlots[--this.nFree]!;
    if (this.nSlots === this.freeSlots.length) this.growSlots();
    if (this.nSlots >= SLOT_SPACE) throw new Error(`event queue: more than ${SLOT_SPACE} pending events`);
    return this.nSlots++;
  }

  private freeSlot(slot: number): void {
    const r = (slot << 2) + 3;
    const gen = (this.slots[r]! - (this.slots[r]! & 3)) / 4 + 1;
    // Generations wrap so handles stay below 2^53; a handle is only ambiguous after 2^27 reuses of its slot.
    this.slots[r] = (gen === GEN_LIMIT ? 0 : gen) * 4 + FREE;
    this.freeSlots[this.nFree++] = slot;
  }

  /** Rebuild the heap without its cancelled entries (Floyd's heapify, O(n)). */
  private compact(): void {
    const hT = this.hTime,
      hS = this.hSeq,
      hL = this.hSlot;
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      const slot = hL[r]!;
      if ((this.slots[(slot << 2) + 3]! & 3) === CANCELLED) {
        this.freeSlot(slot);
        continue;
      }
      hT[w] = hT[r]!;
      hS[w] = hS[r]!;
      hL[w] = slot;
      w++;
    }
    hT.fill(Infinity, w, this.n);
    this.n = w;
    this.cancelled = 0;
    for (let i = (w - 2) >> 2; i >= 0; i--) this.siftDown(i, hT[i]!, hS[i]!, hL[i]!);
  }

  private growHeap(): void {
    const c = this.hTime.length * 2;
    this.hTime = grow(this.hTime, new Float64Array(c).fill(Infinity));
    this.hSeq = grow(this.hSeq, new Float64Array(c));
    this.hSlot = grow(this.hSlot, new Int32Array(c));
  }

  private growSlots(): void {
    const c = this.freeSlots.length * 2;
    this.slots = grow(this.slots, new Float64Array(c * 4));
    this.freeSlots = grow(this.freeSlots, new Int32Array(c));
  }
}
