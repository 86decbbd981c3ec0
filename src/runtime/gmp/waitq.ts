import type { GTable } from './gtable.js';

/**
 * FIFO queues of parked Gs, one per object: a mutex's waiters (semaphore queue), a channel's recvq or
 * sendq (waitq of sudogs in chan.go). Linked through GTable.link, since a parked G waits in one queue.
 */
export class WaitQueues {
  private readonly head: Int32Array;
  private readonly tail: Int32Array;

  constructor(
    n: number,
    private readonly g: GTable,
  ) {
    this.head = new Int32Array(n).fill(-1);
    this.tail = new Int32Array(n).fill(-1);
  }

  /** enqueue: gp waits last in queue q. */
  enqueue(q: number, gp: number): void {
    this.g.link[gp] = -1;
    if (this.tail[q] === -1) this.head[q] = gp;
    else this.g.link[this.tail[q]!] = gp;
    this.tail[q] = gp;
  }

  /** enqueue at the head: gp waits first in queue q (semacquire with lifo: a waiter that lost a race). */
  enqueueFront(q: number, gp: number): void {
    this.g.link[gp] = this.head[q]!;
    this.head[q] = gp;
    if (this.tail[q] === -1) this.tail[q] = gp;
  }

  /** Whether queue q has no waiter. */
  empty(q: number): boolean {
    return this.head[q] === -1;
  }

  /** Take gp out of queue q wherever it waits (dequeueSudoG: a select woken by another case); false if absent. */
  remove(q: number, gp: number): boolean {
    let prev = -1;
    for (let x = this.head[q]!; x !== -1; prev = x, x = this.g.link[x]!) {
      if (x !== gp) continue;
      const next = this.g.link[x]!;
      if (prev === -1) this.head[q] = next;
      else this.g.link[prev] = next;
      if (this.tail[q] === gp) this.tail[q] = prev;
      this.g.link[gp] = -1;
      return true;
    }
    return false;
  }

  /** dequeue: the first waiter of queue q, or -1. */
  dequeue(q: number): number {
    const gp = this.head[q]!;
    if (gp === -1) return -1;
    this.head[q] = this.g.link[gp]!;
    if (this.head[q] === -1) this.tail[q] = -1;
    return gp;
  }
}
