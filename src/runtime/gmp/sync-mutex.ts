import type { GTable } from './gtable.js';
import { WaitQueues } from './waitq.js';

/** mutex.go's starvationThresholdNs: a waiter that waited longer switches the mutex to starvation mode. */
export const STARVATION_THRESHOLD_NS = 1e6;

/**
 * How sync.Mutex hands itself on (runtime.syncMutex):
 * - 'fifo': every Unlock hands the mutex to the first waiter (a FIFO queue; no barging). The model's
 *   behaviour before Go's two modes were modelled, kept as the default so existing results hold.
 * - 'go': mutex.go's normal and starvation modes (below).
 */
export type SyncMutexMode = 'fifo' | 'go';

/**
 * sync.Mutex (sync/mutex.go over runtime/sema.go), one per name. A leaf: `tryLock` answers whether the G
 * holds the mutex now (else the caller parks it and `park` queues it, leaving its pc on the Lock so the G
 * runs Lock again when woken); `unlock` answers the G to ready, or -1, and whether it was a hand-off.
 *
 * Go's two modes ('go'):
 * - normal: Unlock releases the mutex and wakes the queue's head (semrelease, handoff false) but does
 *   not give it the mutex: the woken G runs Lock again and competes with new arrivals, which usually win
 *   (they are already on a CPU). One that loses queues again at the head (semacquire lifo: it waited
 *   before). While a woken waiter is on its way (mutexWoken), Unlock wakes nobody else.
 * - starvation: a waiter that finds it waited more than 1 ms sets mutexStarving. Unlock then hands the
 *   mutex straight to the head (semrelease handoff, and the unlocker yields: `handoff`), and new arrivals
 *   queue at the tail without trying. The waiter that takes it ends starvation if it waited less than
 *   1 ms or is the last waiter.
 * Not modelled: active spinning (sync_runtime_canSpin: up to 4 × 30 PAUSEs on a multicore before queueing).
 */
export class SyncMutexes {
  private readonly owner: Int32Array;
  private readonly starving: Uint8Array;
  private readonly woken: Uint8Array;
  private readonly waiters: WaitQueues;
  /** Per G: when it first queued for the mutex it is after (waitStartTime), -1 when it is not waiting. */
  private waitStart = new Float64Array(0);
  /** The last unlock handed the mutex to the G it returned (starvation mode): the unlocker yields. */
  handoff = false;

  constructor(
    n: number,
    g: GTable,
    private readonly mode: SyncMutexMode = 'fifo',
  ) {
    this.owner = new Int32Array(n).fill(-1);
    this.starving = new Uint8Array(n);
    this.woken = new Uint8Array(n);
    this.waiters = new WaitQueues(n, g);
  }

  /** Mutex mu's owner G, or -1. */
  ownerOf(mu: number): number {
    return this.owner[mu]!;
  }

  /** Whether mu is in starvation mode (mutexStarving). */
  isStarving(mu: number): boolean {
    return this.starving[mu] === 1;
  }

  private waitedSince(gp: number): number {
    if (gp >= this.waitStart.length) {
      const w = new Float64Array(Math.max(64, (gp + 1) * 2)).fill(-1);
      w.set(this.waitStart);
      this.waitStart = w;
    }
    return this.waitStart[gp]!;
  }

  /**
   * Lock (lockSlow's loop, run again each time the G wakes): true when gp holds mu now. False: gp must
   * park (then `park` queues it). Deciding changes only flags, so the caller may run it again.
   */
  tryLock(mu: number, gp: number, now: number): boolean {
    const since = this.waitedSince(gp);
    if (this.owner[mu] === gp) {
      // Handed off in starvation mode (or by 'fifo'): leave starvation if this waiter did not starve or
      // was the last one ("old>>mutexWaiterShift == 1").
      if (this.mode === 'go' && (now - since <= STARVATION_THRESHOLD_NS || this.waiters.empty(mu)))
        this.starving[mu] = 0;
      this.waitStart[gp] = -1;
      return true;
    }
    const awoke = since >= 0; // woken by a normal-mode Unlock, running Lock again
    if (awoke) this.woken[mu] = 0;
    if (this.owner[mu] === -1 && !this.starving[mu]) {
      this.owner[mu] = gp;
      this.waitStart[gp] = -1;
      return true;
    }
    if (this.mode === 'go' && awoke && now - since > STARVATION_THRESHOLD_NS && this.owner[mu] !== -1)
      this.starving[mu] = 1;
    return false;
  }

  /** semacquire: gp queues at the tail the first time, at the head after waking and losing (lifo). */
  park(mu: number, gp: number, now: number): void {
    if (this.waitedSince(gp) >= 0) this.waiters.enqueueFront(mu, gp);
    else {
      this.waitStart[gp] = now;
      this.waiters.enqueue(mu, gp);
    }
  }

  /** Unlock (unlockSlow): the G to ready (the new owner if `handoff`), or -1. */
  unlock(mu: number): number {
    this.handoff = false;
    if (this.mode === 'fifo' || this.starving[mu]) {
      const w = this.waiters.dequeue(mu);
      this.owner[mu] = w;
      this.handoff = this.mode === 'go' && w !== -1;
      return w;
    }
    this.owner[mu] = -1;
    if (this.woken[mu] || this.waiters.empty(mu)) return -1;
    this.woken[mu] = 1;
    return this.waiters.dequeue(mu);
  }
}
