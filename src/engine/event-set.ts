import type { EventHandle } from './event-queue.js';

/**
 * The pending-event set behind the Simulation (ns-3's Scheduler, OMNeT++'s FES): a small interface so
 * the structure can change without touching models. Two implementations: `LadderQueue` (default,
 * amortised O(1)) and `EventQueue` (a 4-ary heap, O(log n); the simpler reference).
 *
 * Contract: events come out in (time, insertion order); `take(limit)` loads the earliest live event into
 * the `taken*` fields if its time is ≤ limit (one look at the head instead of a peek then a take);
 * `finishTake` completes it (a push in between may reuse its place).
 */
export interface EventSet {
  readonly size: number;
  takenTime: number;
  takenKind: number;
  takenTarget: number;
  takenArg: number;
  /** Insert an event; returns its handle (`add` then `lastHandle`). */
  push(time: number, kind: number, target: number, arg: number): EventHandle;
  /**
   * Insert an event; its handle is then `lastHandle`. No return value: a handle is a double past the
   * 31-bit small-integer range, and V8 boxes a double returned from a call it does not inline (`push` is
   * too large to inline) — one 16-byte heap object per event. A field read after an inlined call is not boxed.
   */
  add(time: number, kind: number, target: number, arg: number): void;
  /**
   * The time of the event the next `addNext` inserts. `addNext` is `add` with its time passed in this
   * field: a time past 2^31 ns is a double, and one passed as an argument to a call V8 does not inline
   * (`add` is too large) is boxed into a new 16-byte heap number; a store into a double field is not.
   */
  nextTime: number;
  /** Insert an event at `nextTime`; its handle is then `lastHandle`. */
  addNext(kind: number, target: number, arg: number): void;
  /**
   * Insert an event at `nextTime`, without a handle (it cannot be cancelled), for callers that add in
   * non-decreasing time (a pod's routed arrivals): the ladder keeps them in a lane beside it, unsorted
   * work skipped; the heap inserts them as `addNext`. Same order as `addNext` in every case.
   */
  addInOrder(kind: number, target: number, arg: number): void;
  /** The handle of the event the last `add`, `addNext` (or `push`) inserted. */
  readonly lastHandle: EventHandle;
  cancel(handle: EventHandle): boolean;
  isPending(handle: EventHandle): boolean;
  peekTime(): number;
  take(limit?: number): boolean;
  finishTake(): void;
}

export type EventSetKind = 'ladder' | 'heap';
