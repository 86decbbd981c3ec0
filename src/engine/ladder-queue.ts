import type { EventHandle } from './event-queue.js';
import type { EventSet } from './event-set.js';

/**
 * The pending-event set as a ladder queue (Tang, Goh & Thng, "Ladder Queue: An O(1) Priority Queue
 * Structure for Large-Scale Discrete Event Simulation", ACM TOMACS 2005): amortised O(1) insert and
 * remove, where a heap pays O(log n) cache misses per event.
 *
 * Three tiers, every event in a lower tier earlier than every event in a higher one:
 * - bottom: a small array sorted by time, served from its head;
 * - rungs: up to MAX_RUNGS levels of time buckets (unsorted FIFO lists); a bucket with more than THRES
 *   events is split into a finer rung, smaller ones are sorted into bottom a batch at a time;
 * - top: an unsorted FIFO list of far-future events, spread over a new first rung when the ladder empties.
 *
 * Equal times fire in insertion order without a sequence number: equal times always share a tier and a
 * bucket; every list is newest-first (an insert prepends, touching no other node) and is walked
 * oldest-first when it is spread or sorted; sorting into bottom is stable; and an insert into bottom goes
 * after the events of equal time already there.
 * Bucket widths are whole nanoseconds, so bucket arithmetic on integer-ns times is exact.
 *
 * Nodes are 32-byte records in one buffer, viewed as doubles [time, arg] and as int32
 * [next, stamp, kind, target]: an event is one cache line, and integers stay integers.
 * Same contract as the heap (`EventQueue`): lazy O(1) cancellation with generation-checked handles.
 *
 * Beside the ladder, a lane: events added in time order (`addInOrder`: a pod's routed arrivals, delivered
 * a window at a time) wait in a FIFO array and are merged with the ladder's head at `take`, skipping the
 * ladder's placement and sorting. Equal times keep insertion order across the two: each lane entry takes
 * a new epoch number, and an event added to the ladder while the lane holds entries is stamped with the
 * current one (`epochs`, per slot); at a tie the ladder's head goes first iff its stamp is older than the
 * lane head's. A slot added while the lane is empty keeps an older stamp, which is right: every lane
 * entry added later is newer.
 */

const SLOT_BITS = 26;
const SLOT_SPACE = 2 ** SLOT_BITS;
const GEN_LIMIT = 2 ** (53 - SLOT_BITS);
const FREE = 0;
const PENDING = 1;
const CANCELLED = 2;

const THRES = 50; // the paper's threshold for splitting a bucket
const MAX_RUNGS = 8;
const BOTTOM_BATCH = 16; // refill bottom with at least this many events when the rung has them
// Up to this many events, the whole set lives in bottom (a sorted array): with a handful of pending
// events (an M/M/c queue, one pod) spreading top over rungs costs more than shifting a few slots.
const SMALL = 32;
// A bottom up to this long takes an insert by shifting entries (from the nearer end); a longer one by
// binary search and copyWithin.
const SHORT = 64;
const NIL = -1;

// Node record: 4 doubles = 8 int32 = 32 bytes. Doubles at (slot << 2) + offset, int32 at (slot << 3) + offset.
const NODE_DOUBLES = 4;
const ARG = 1; // double offset (time is offset 0)
const NEXT = 4; // int32 offsets, after the two doubles
const STAMP = 5; // generation × 4 + state
const KIND = 6;
const TARGET = 7;
// Lane entry: 32 bytes, as a node: doubles [time, arg, epoch], int32 [kind, target] at (entry << 1) + 6, + 7.
const LANE = 4;
const EPOCH = 2;

export class LadderQueue implements EventSet {
  private nodes: Float64Array;
  private ints: Int32Array;
  private freeSlots: Int32Array;
  private nFree = 0;
  private nSlots = 0;
  private live = 0;
  private cancelled = 0;

  // Top: newest-first list, its time range, and the time from which events go to top.
  private topHead = NIL;
  private topCount = 0;
  private topMin = Infinity;
  private topMax = -Infinity;
  private topStart = -Infinity;

  // Rungs (0 = coarsest). buckets[r][b] is the head of bucket b's newest-first list (no count is kept:
  // a smaller array means fewer cache misses on the push path; lists are counted when walked).
  private nRungs = 0;
  private readonly rStart = new Float64Array(MAX_RUNGS);
  private readonly rWidth = new Float64Array(MAX_RUNGS);
  private readonly rCur = new Int32Array(MAX_RUNGS);
  private readonly rN = new Int32Array(MAX_RUNGS);
  private readonly buckets: Int32Array[] = [];
  /** Scratch for walking a list oldest-first. */
  private walk = new Int32Array(256);

  // Bottom: slots ascending by time (insertion order among equals) in [bHead, bEnd).
  private bSlot = new Int32Array(256);
  private bHead = 0;
  private bEnd = 0;

  // Lane: entries in [laneHead, laneEnd) (indices into `lane`, LANE doubles each), times non-decreasing.
  private lane = new Float64Array(LANE * 64);
  private laneInts = new Int32Array(this.lane.buffer);
  private laneHead = 0;
  private laneEnd = 0;
  /** The epoch of the newest lane entry; `epochs[slot]` is the epoch a ladder event was added in. */
  private epoch = 0;
  private epochs: Float64Array;

  takenTime = 0;
  takenKind = 0;
  takenTarget = 0;
  takenArg = 0;

  constructor(initialCapacity = 1024) {
    const c = Math.max(16, initialCapacity);
    this.nodes = new Float64Array(c * NODE_DOUBLES);
    this.ints = new Int32Array(this.nodes.buffer);
    this.freeSlots = new Int32Array(c);
    this.epochs = new Float64Array(c);
    for (let r = 0; r < MAX_RUNGS; r++) this.buckets.push(new Int32Array(0));
  }

  get size(): number {
    return this.live + (this.laneEnd - this.laneHead) / LANE;
  }

  /** The handle of the event the last `add` inserted. */
  lastHandle: EventHandle = -1;

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

  /** As add, at `nextTime` (EventSet.addNext: no boxed time argument). */
  addNext(kind: number, target: number, arg: number): void {
    const time = this.nextTime;
    const slot = this.allocSlot();
    const di = this.ints,
      ri = slot << 3;
    this.nodes[slot << 2] = time;
    this.nodes[(slot << 2) + ARG] = arg;
    di[ri + KIND] = kind;
    di[ri + TARGET] = target;
    const gen = di[ri + STAMP]! >> 2;
    di[ri + STAMP] = (gen << 2) | PENDING;
    this.live++;
    if (this.laneEnd !== this.laneHead) this.epochs[slot] = this.epoch;
    // Small mode's fast path, tested here so that the common case needs no call into enqueue.
    if (this.nRungs === 0 && this.topCount === 0 && this.bEnd - this.bHead < SMALL && this.bEnd < this.bSlot.length) {
      this.insertShort(slot);
    } else this.enqueue(slot);
    this.lastHandle = slot + gen * SLOT_SPACE;
  }

  /**
   * EventSet.addInOrder: an event at `nextTime` no earlier than the last one added this way (while any of
   * those is pending), without a handle: it waits in the lane, not in the ladder. An earlier one goes into
   * the ladder (after the lane's entries at equal time, as its insertion order says).
   */
  addInOrder(kind: number, target: number, arg: number): void {
    const time = this.nextTime;
    let e = this.laneEnd;
    if (e !== this.laneHead && time < this.lane[e - LANE]!) {
      this.addNext(kind, target, arg);
      return;
    }
    if (e === this.lane.length) e = this.makeLaneRoom();
    const ln = this.lane,
      li = this.laneInts;
    ln[e] = time;
    ln[e + ARG] = arg;
    ln[e + EPOCH] = ++this.epoch;
    li[(e << 1) + KIND] = kind;
    li[(e << 1) + TARGET] = target;
    this.laneEnd = e + LANE;
  }

  /** Room for one more lane entry: slide the pending ones to the front, or grow. Returns the new end. */
  private makeLaneRoom(): number {
    const n = this.laneEnd - this.laneHead;
    if (n <= this.lane.length / 2) this.lane.copyWithin(0, this.laneHead, this.laneEnd);
    else {
      const b = new Float64Array(this.lane.length * 2);
      b.set(this.lane.subarray(this.laneHead, this.laneEnd));
      this.lane = b;
      this.laneInts = new Int32Array(b.buffer);
    }
    this.laneHead = 0;
    this.laneEnd = n;
    return n;
  }

  cancel(handle: EventHandle): boolean {
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    const k = (slot << 3) + STAMP;
    if (slot >= this.nSlots || this.ints[k] !== ((gen << 2) | PENDING)) return false;
    this.ints[k] = (gen << 2) | CANCELLED;
    this.live--;
    this.cancelled++;
    if (this.cancelled > 65536 && this.cancelled > this.live) this.rebuild();
    return true;
  }

  isPending(handle: EventHandle): boolean {
    const slot = handle % SLOT_SPACE;
    const gen = (handle - slot) / SLOT_SPACE;
    return slot < this.nSlots && this.ints[(slot << 3) + STAMP] === ((gen << 2) | PENDING);
  }

  peekTime(): number {
    const t = this.fillBottom() ? this.nodes[this.bSlot[this.bHead]! << 2]! : Infinity;
    return this.laneHead !== this.laneEnd && this.lane[this.laneHead]! < t ? this.lane[this.laneHead]! : t;
  }

  take(limit = Infinity): boolean {
    if (this.laneHead !== this.laneEnd) return this.takeMerged(limit);
    if (!this.fillBottom()) return false;
    const slot = this.bSlot[this.bHead]!;
    const t = this.nodes[slot << 2]!;
    if (t > limit) return false;
    this.takeBottom(slot);
    return true;
  }

  /** take with the lane non-empty: the earlier of the ladder's head and the lane's (at a tie, the older). */
  private takeMerged(limit: number): boolean {
    const ln = this.lane,
      i = this.laneHead;
    const lt = ln[i]!;
    if (this.fillBottom()) {
      const slot = this.bSlot[this.bHead]!;
      const t = this.nodes[slot << 2]!;
      if (t < lt || (t === lt && this.epochs[slot]! < ln[i + EPOCH]!)) {
        if (t > limit) return false;
        this.takeBottom(slot);
        return true;
      }
    }
    if (lt > limit) return false;
    this.takenTime = lt;
    this.takenArg = ln[i + ARG]!;
    this.takenKind = this.laneInts[(i << 1) + KIND]!;
    this.takenTarget = this.laneInts[(i << 1) + TARGET]!;
    if (i + LANE === this.laneEnd) this.laneHead = this.laneEnd = 0;
    else this.laneHead = i + LANE;
    return true;
  }

  /** Take bottom's head `slot` into the taken fields and free it (its time read here: no boxed argument). */
  private takeBottom(slot: number): void {
    this.bHead++;
    this.takenTime = this.nodes[slot << 2]!;
    this.takenArg = this.nodes[(slot << 2) + ARG]!;
    this.takenKind = this.ints[(slot << 3) + KIND]!;
    this.takenTarget = this.ints[(slot << 3) + TARGET]!;
    this.live--;
    this.freeSlot(slot);
  }

  /** Nothing to do: a take removes the event at once (O(1)), so there is no root to reuse. */
  finishTake(): void {}

  // ---- placement -------------------------------------------------------------------------------

  // The placement functions read an event's time from nodes (where add stored it), not from an argument:
  // V8 does not inline them all, and a time past 2^31 ns passed to a call it does not inline is a new
  // heap number (issue 24: no boxed double per event).

  private enqueue(slot: number): void {
    const t = this.nodes[slot << 2]!;
    if (t >= this.topStart) {
      if (this.nRungs === 0 && this.topCount === 0) {
        // Small mode: no rungs and no top, so bottom holds every event.
        if (this.bEnd - this.bHead < SMALL) {
          this.insertBottom(slot);
          return;
        }
        this.bottomToTop(); // grown past SMALL: back to the ladder
      }
      this.ints[(slot << 3) + NEXT] = this.topHead;
      this.topHead = slot;
      this.topCount++;
      if (t < this.topMin) this.topMin = t;
      if (t > this.topMax) this.topMax = t;
      return;
    }
    for (let r = 0; r < this.nRungs; r++) {
      const start = this.rStart[r]!,
        w = this.rWidth[r]!;
      if (t >= start + this.rCur[r]! * w) {
        let b = Math.floor((t - start) / w);
        if (b >= this.rN[r]!) b = this.rN[r]! - 1; // cannot happen with exact integer maths; guard anyway
        const bk = this.buckets[r]!;
        this.ints[(slot << 3) + NEXT] = bk[b]!;
        bk[b] = slot;
        return;
      }
    }
    this.insertBottom(slot);
  }

  /** Insert into the sorted bottom after every event of time ≤ t (binary search beyond a short bottom). */
  private insertBottom(slot: number): void {
    if (this.bEnd === this.bSlot.length) this.makeBottomRoom(1);
    if (this.bEnd - this.bHead <= SHORT) {
      this.insertShort(slot);
      return;
    }
    const bs = this.bSlot,
      d = this.nodes;
    const t = d[slot << 2]!;
    let lo = this.bHead,
      hi = this.bEnd;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (d[bs[mid]! << 2]! <= t) lo = mid + 1;
      else hi = mid;
    }
    bs.copyWithin(lo + 1, lo, this.bEnd);
    bs[lo] = slot;
    this.bEnd++;
  }

  /**
   * Insert into a short bottom that has room at its end: shift from the nearer end (no search, no
   * copyWithin). A model's new event usually lands near the head — a wake-up or a burst's end before the
   * later ones already pending (in the cluster benchmark ~28 of ~31 pending events are later) — so when
   * t is before the middle entry and there is room before bHead, the entries of time ≤ t move down one
   * slot instead of the later ones moving up: still after every entry of time ≤ t, so still stable.
   */
  private insertShort(slot: number): void {
    const lo = this.bHead,
      hi = this.bEnd;
    const bs = this.bSlot,
      d = this.nodes;
    const t = d[slot << 2]!;
    if (lo > 0 && hi > lo && t < d[bs[(lo + hi) >>> 1]! << 2]!) {
      let j = lo;
      while (j < hi) {
        const y = bs[j]!;
        if (d[y << 2]! > t) break;
        bs[j - 1] = y;
        j++;
      }
      bs[j - 1] = slot;
      this.bHead = lo - 1;
      return;
    }
    this.shiftInsert(lo, hi, slot);
    this.bEnd++;
  }

  /**
   * Put `slot` (time t) into the sorted run bSlot[lo, hi), after every entry of time ≤ t, shifting the
   * later ones up by one into bSlot[hi] (which the caller owns): an insertion-sort step, so stable.
   */
  private shiftInsert(lo: number, hi: number, slot: number): void {
    const bs = this.bSlot,
      d = this.nodes;
    const t = d[slot << 2]!;
    let j = hi - 1;
    while (j >= lo) {
      const y = bs[j]!;
      if (d[y << 2]! <= t) break;
      bs[j + 1] = y;
      j--;
    }
    bs[j + 1] = slot;
  }

  /** Room for `extra` more entries at bottom's end: slide the live part to the front, or grow. */
  private makeBottomRoom(extra: number): void {
    const n = this.bEnd - this.bHead;
    if (n + extra <= this.bSlot.length / 2) {
      this.bSlot.copyWithin(0, this.bHead, this.bEnd);
    } else {
      const b = new Int32Array(Math.max(this.bSlot.length * 2, 2 * (n + extra)));
      b.set(this.bSlot.subarray(this.bHead, this.bEnd));
      this.bSlot = b;
    }
    this.bHead = 0;
    this.bEnd = n;
  }

  // ---- refill ----------------------------------------------------------------------------------

  /** Make sure bottom's head is a live event; false if the set is empty. */
  private fillBottom(): boolean {
    for (;;) {
      while (this.bHead < this.bEnd) {
        const slot = this.bSlot[this.bHead]!;
        if ((this.ints[(slot << 3) + STAMP]! & 3) !== CANCELLED) return true;
        this.bHead++;
        this.dropCancelled(slot);
      }
      this.bHead = this.bEnd = 0;
      if (this.nRungs === 0) {
        if (this.topCount === 0) {
          this.topStart = -Infinity;
          return false;
        }
        if (this.topCount <= SMALL) {
          this.topToBottom();
          continue;
        }
        this.topToRung();
      }
      this.nextBuckets();
    }
  }

  /** Small mode from a short top: sort it into the (empty) bottom; top and rungs are left empty. */
  private topToBottom(): void {
    const list = this.topHead;
    this.topHead = NIL;
    this.topCount = 0;
    this.topMin = Infinity;
    this.topMax = -Infinity;
    this.topStart = -Infinity;
    this.gatherIntoBottom(list);
    this.sortBottomTail(this.bHead);
  }

  /**
   * Leave small mode: bottom (sorted, and the whole set) becomes top's list, which is walked oldest-first,
   * so pushing bottom in order keeps insertion order among equal times.
   */
  private bottomToTop(): void {
    const bs = this.bSlot,
      di = this.ints,
      d = this.nodes;
    let head = this.topHead;
    for (let k = this.bHead; k < this.bEnd; k++) {
      const s = bs[k]!;
      di[(s << 3) + NEXT] = head;
      head = s;
      const t = d[s << 2]!;
      if (t < this.topMin) this.topMin = t;
      if (t > this.topMax) this.topMax = t;
    }
    this.topHead = head;
    this.topCount += this.bEnd - this.bHead;
    this.bHead = this.bEnd = 0;
  }

  /** Spread top over a fresh first rung. */
  private topToRung(): void {
    const min = this.topMin,
      max = this.topMax,
      count = this.topCount;
    // About four buckets per event: shorter lists mean fewer dependent cache misses when walking them.
    const width = Math.max(1, Math.ceil((max - min + 1) / (count * 4)));
    const n = Math.floor((max - min) / width) + 1;
    this.openRung(0, min, width, n);
    this.nRungs = 1;
    this.topStart = min + n * width;
    const list = this.topHead;
    this.topHead = NIL;
    this.topCount = 0;
    this.topMin = Infinity;
    this.topMax = -Infinity;
    this.spread(list, 0);
  }

  /**
   * Move buckets of the lowest rung into bottom, in time order, until bottom holds BOTTOM_BATCH events
   * (rungs hold about one event per bucket, so one bucket per refill would pay this search per event);
   * a crowded bucket is split into a finer rung instead, once bottom has been served.
   */
  private nextBuckets(): void {
    while (this.nRungs > 0) {
      const r = this.nRungs - 1;
      const bk = this.buckets[r]!,
        n = this.rN[r]!;
      let b = this.rCur[r]!;
      while (b < n && bk[b] === NIL) b++;
      if (b === n) {
        this.rCur[r] = n;
        if (this.bEnd > this.bHead) return; // serve bottom first; the rung is dropped on the next refill
        this.nRungs--; // rung used up: continue in the rung above (its cursor is already past us)
        if (this.nRungs === 0) this.topStart = -Infinity;
        continue;
      }
      // Walk the bucket into bottom's tail; if it turns out crowded, split it into a finer rung instead.
      const count = this.gatherIntoBottom(bk[b]!);
      const first = this.bEnd - count;
      const w = this.rWidth[r]!;
      if (count > THRES && w > 1 && this.nRungs < MAX_RUNGS) {
        if (first > this.bHead) {
          // Serve what bottom already has first; the bucket stays where it was.
          this.relinkFromBottom(first, bk, b);
          this.rCur[r] = b;
          return;
        }
        bk[b] = NIL;
        this.rCur[r] = b + 1;
        const cw = Math.max(1, Math.ceil(w / count));
        this.openRung(r + 1, this.rStart[r]! + b * w, cw, Math.ceil(w / cw));
        this.nRungs++;
        this.spreadFromBottom(first, r + 1);
        continue;
      }
      bk[b] = NIL;
      this.rCur[r] = b + 1;
      this.sortBottomTail(first);
      if (this.bEnd - this.bHead >= BOTTOM_BATCH) return;
    }
  }

  private openRung(r: number, start: number, width: number, n: number): void {
    if (this.buckets[r]!.length < n) this.buckets[r] = new Int32Array(Math.max(n, this.buckets[r]!.length * 2));
    this.buckets[r]!.fill(NIL, 0, n);
    this.rStart[r] = start;
    this.rWidth[r] = width;
    this.rN[r] = n;
    this.rCur[r] = 0;
  }

  /**
   * Copy a newest-first list into `walk[0..n)` oldest-first, dropping cancelled events; returns n.
   * `count` bounds the list length (cancelled events included).
   */
  private gatherOldestFirst(s: number, count: number): number {
    if (this.walk.length < count) this.walk = new Int32Array(Math.max(count, this.walk.length * 2));
    const wk = this.walk,
      di = this.ints;
    let n = 0;
    while (s !== NIL) {
      const nx = di[(s << 3) + NEXT]!;
      if ((di[(s << 3) + STAMP]! & 3) === CANCELLED) this.dropCancelled(s);
      else wk[n++] = s;
      s = nx;
    }
    reverseRange(wk, 0, n);
    return n;
  }

  /** Distribute a list over rung r's buckets, oldest first, so that each bucket stays newest-first. */
  private spread(list: number, r: number): void {
    const n = this.gatherOldestFirst(list, this.nSlots);
    this.spreadSlots(this.walk, 0, n, r);
  }

  private spreadSlots(src: Int32Array, from: number, to: number, r: number): void {
    const bk = this.buckets[r]!;
    const start = this.rStart[r]!,
      w = this.rWidth[r]!,
      last = this.rN[r]! - 1;
    const d = this.nodes,
      di = this.ints;
    for (let k = from; k < to; k++) {
      const s = src[k]!;
      let b = Math.floor((d[s << 2]! - start) / w);
      if (b > last) b = last;
      di[(s << 3) + NEXT] = bk[b]!;
      bk[b] = s;
    }
  }

  /**
   * Walk a newest-first bucket list onto bottom's tail, oldest-first, dropping cancelled events.
   * Returns how many live events it appended (bottom's end grows by that much).
   */
  private gatherIntoBottom(list: number): number {
    const di = this.ints;
    let first = this.bEnd;
    let n = first;
    for (let s = list; s !== NIL; ) {
      const nx = di[(s << 3) + NEXT]!;
      if ((di[(s << 3) + STAMP]! & 3) === CANCELLED) this.dropCancelled(s);
      else {
        if (n === this.bSlot.length) {
          const oldHead = this.bHead;
          this.bEnd = n;
          this.makeBottomRoom(Math.max(64, n - first)); // slides [bHead, bEnd) to index 0
          first -= oldHead;
          n = this.bEnd;
        }
        this.bSlot[n++] = s;
      }
      s = nx;
    }
    this.bEnd = n;
    reverseRange(this.bSlot, first, n);
    return n - first;
  }

  /** Put bottom's tail [from, bEnd) back as bucket b's list (newest-first) and cut it from bottom. */
  private relinkFromBottom(from: number, bk: Int32Array, b: number): void {
    const di = this.ints,
      bs = this.bSlot;
    let head = NIL;
    for (let k = from; k < this.bEnd; k++) {
      const s = bs[k]!;
      di[(s << 3) + NEXT] = head;
      head = s;
    }
    bk[b] = head;
    this.bEnd = from;
  }

  /** Move bottom's tail [from, bEnd) (oldest-first) into rung r and cut it from bottom. */
  private spreadFromBottom(from: number, r: number): void {
    this.spreadSlots(this.bSlot, from, this.bEnd, r);
    this.bEnd = from;
  }

  /** Stably sort bottom's tail [first, bEnd) by time; it is all later than bottom's head part. */
  private sortBottomTail(first: number): void {
    const bs = this.bSlot,
      d = this.nodes,
      n = this.bEnd;
    if (n - first <= 64) {
      // Insertion sort: stable, and fast on the short, often nearly sorted buckets.
      for (let i = first + 1; i < n; i++) {
        const x = bs[i]!;
        this.shiftInsert(first, i, x);
      }
    } else {
      // Array.prototype.sort is stable.
      const sorted = Array.from(bs.subarray(first, n)).sort((a, b) => d[a << 2]! - d[b << 2]!);
      bs.set(sorted, first);
    }
  }

  /** Too many cancelled events are held: re-place the live ones from scratch, in (time, insertion) order. */
  private rebuild(): void {
    const keep: number[] = [];
    const take = (list: number) => {
      const n = this.gatherOldestFirst(list, this.nSlots);
      for (let k = 0; k < n; k++) keep.push(this.walk[k]!);
    };
    // Tiers from earliest to latest; each list oldest-first, so equal times keep their order.
    for (let i = this.bHead; i < this.bEnd; i++) {
      const s = this.bSlot[i]!;
      if ((this.ints[(s << 3) + STAMP]! & 3) === CANCELLED) this.dropCancelled(s);
      else keep.push(s);
    }
    for (let r = this.nRungs - 1; r >= 0; r--) {
      for (let b = this.rCur[r]!; b < this.rN[r]!; b++) take(this.buckets[r]![b]!);
    }
    take(this.topHead);
    this.bHead = this.bEnd = 0;
    this.nRungs = 0;
    this.topHead = NIL;
    this.topCount = 0;
    this.topMin = Infinity;
    this.topMax = -Infinity;
    this.topStart = -Infinity;
    for (const s of keep) this.enqueue(s);
  }

  // ---- slots -----------------------------------------------------------------------------------

  private dropCancelled(slot: number): void {
    this.cancelled--;
    this.freeSlot(slot);
  }

  private allocSlot(): number {
    if (this.nFree > 0) return this.freeSlots[--this.nFree]!;
    return this.newSlot();
  }

  /** A slot never used before (growing the arrays): out of allocSlot, whose every byte its inliners pay for. */
  private newSlot(): number {
    if (this.nSlots === this.freeSlots.length) this.growSlots();
    if (this.nSlots >= SLOT_SPACE) throw new Error(`event queue: more than ${SLOT_SPACE} pending events`);
    return this.nSlots++;
  }

  private freeSlot(slot: number): void {
    const k = (slot << 3) + STAMP;
    const gen = (this.ints[k]! >> 2) + 1;
    this.ints[k] = ((gen === GEN_LIMIT ? 0 : gen) << 2) | FREE;
    this.freeSlots[this.nFree++] = slot;
  }

  private growSlots(): void {
    const c = this.freeSlots.length * 2;
    const nodes = new Float64Array(c * NODE_DOUBLES);
    nodes.set(this.nodes);
    this.nodes = nodes;
    this.ints = new Int32Array(nodes.buffer);
    const free = new Int32Array(c);
    free.set(this.freeSlots);
    this.freeSlots = free;
    const epochs = new Float64Array(c);
    epochs.set(this.epochs);
    this.epochs = epochs;
  }
}

/** Reverse a[lo..hi) in place (no subarray view: this runs on every refill). */
function reverseRange(a: Int32Array, lo: number, hi: number): void {
  for (let i = lo, j = hi - 1; i < j; i++, j--) {
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
