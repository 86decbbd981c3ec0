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

  /** dequeue: the first waiter of queue q, or -1. */
  dequeue(q: number): number {
    const gp = this.head[q]!;
    if (gp === -1) return -1;
    this.head[q] = this.g.link[gp]!;
    if (this.head[q] === -1) this.tail[q] = -1;
    return gp;
  }
}
