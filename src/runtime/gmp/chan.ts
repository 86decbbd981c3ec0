import type { GTable } from './gtable.js';
import { WaitQueues } from './waitq.js';

/** chansend/chanrecv's answer when the G must park (otherwise: the G to ready, or -1 for none). */
export const CHAN_BLOCK = -2;

/**
 * Channels and mutexes (chan.go, sema.go): each hchan's buffered count and capacity with FIFO queues of
 * parked receivers (recvq) and senders (sendq); each sync.Mutex's owner and FIFO waiters. A leaf: an
 * operation answers with the G it readies (the scheduler readies it on its P) or CHAN_BLOCK when the
 * caller must park; the caller then parks and enqueues itself with parkSend / parkRecv / parkLock.
 */
export class Chans {
  private readonly muOwner: Int32Array;
  private readonly muWaiters: WaitQueues;
  private readonly chCap: Int32Array;
  private readonly chCount: Int32Array;
  private readonly chRecvq: WaitQueues;
  private readonly chSendq: WaitQueues;

  constructor(mutexes: number, chanCapacity: readonly number[], g: GTable) {
    this.muOwner = new Int32Array(mutexes).fill(-1);
    this.muWaiters = new WaitQueues(mutexes, g);
    this.chCap = Int32Array.from(chanCapacity);
    this.chCount = new Int32Array(chanCapacity.length);
    this.chRecvq = new WaitQueues(chanCapacity.length, g);
    this.chSendq = new WaitQueues(chanCapacity.length, g);
  }

  /** Values buffered in channel c now. */
  buffered(c: number): number {
    return this.chCount[c]!;
  }

  /** Mutex mu's owner G, or -1. */
  owner(mu: number): number {
    return this.muOwner[mu]!;
  }

  /** sync.Mutex.Lock's fast path: take mu if it is free (true), else the caller parks (parkLock). */
  tryLock(mu: number, gp: number): boolean {
    if (this.muOwner[mu] !== -1) return false;
    this.muOwner[mu] = gp;
    return true;
  }

  /** semacquire: wait in FIFO order; unlock hands the mutex to the first waiter. */
  parkLock(mu: number, gp: number): void {
    this.muWaiters.enqueue(mu, gp);
  }

  /** Unlock with semrelease handoff: the first waiter owns mu now; returns it to ready, or -1. */
  unlock(mu: number): number {
    const w = this.muWaiters.dequeue(mu);
    this.muOwner[mu] = w;
    return w;
  }

  /**
   * chansend without blocking, if it can: hand the value to the first parked receiver (send → goready,
   * so the receiver runs next on this P; returned) or put it in the buffer (-1). CHAN_BLOCK: the sender
   * must park.
   */
  chansend(c: number): number {
    const r = this.chRecvq.dequeue(c);
    if (r !== -1) return r;
    if (this.chCount[c]! < this.chCap[c]!) {
      this.chCount[c]!++;
      return -1;
    }
    return CHAN_BLOCK;
  }

  /**
   * chanrecv without blocking, if it can: take the buffer's head (a parked sender's value then fills the
   * freed slot) or, unbuffered, take a parked sender's value directly; that sender is returned to ready
   * (-1: none). CHAN_BLOCK: the receiver must park.
   */
  chanrecv(c: number): number {
    const s = this.chSendq.dequeue(c);
    if (this.chCount[c]! > 0) {
      if (s === -1) this.chCount[c]!--;
      return s;
    }
    if (s === -1) return CHAN_BLOCK;
    return s;
  }

  /** gopark on c's sendq: the receiver that takes the value readies gp. */
  parkSend(c: number, gp: number): void {
    this.chSendq.enqueue(c, gp);
  }

  /** gopark on c's recvq: the sender that brings a value readies gp. */
  parkRecv(c: number, gp: number): void {
    this.chRecvq.enqueue(c, gp);
  }
}
