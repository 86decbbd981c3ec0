import type { GTable } from './gtable.js';
import { GoFatalError } from './sched-config.js';
import { WaitQueues } from './waitq.js';

/** chansend/chanrecv's answer when the G must park (otherwise: the G to ready, or -1 for none). */
export const CHAN_BLOCK = -2;

/**
 * Channels (chan.go): each hchan's buffered count, capacity and closed flag with FIFO queues of parked
 * receivers (recvq) and senders (sendq). A leaf: an operation answers with the G it readies (the
 * scheduler readies it on its P) or CHAN_BLOCK when the caller must park; the caller then parks and
 * enqueues itself with parkSend / parkRecv. Go's panics (send on or close of a closed channel) are
 * GoFatalErrors: the pod dies. (sync.Mutex is sync-mutex.ts, sync.RWMutex rwmutex.ts.)
 */
export class Chans {
  private readonly chCap: Int32Array;
  private readonly chCount: Int32Array;
  private readonly chClosed: Uint8Array;
  private readonly chRecvq: WaitQueues;
  private readonly chSendq: WaitQueues;
  /** The Gs closechan readied last: woken[0 … closeWoken). */
  woken: Int32Array;

  constructor(
    chanCapacity: readonly number[],
    g: GTable,
    /** Channel names, for the panics' messages. */
    private readonly names: readonly string[] = [],
  ) {
    this.chCap = Int32Array.from(chanCapacity);
    this.chCount = new Int32Array(chanCapacity.length);
    this.chClosed = new Uint8Array(chanCapacity.length);
    this.chRecvq = new WaitQueues(chanCapacity.length, g);
    this.chSendq = new WaitQueues(chanCapacity.length, g);
    this.woken = new Int32Array(16);
  }

  /** Values buffered in channel c now. */
  buffered(c: number): number {
    return this.chCount[c]!;
  }

  /** Whether c is closed. */
  closed(c: number): boolean {
    return this.chClosed[c] === 1;
  }

  private panic(what: string, c: number): never {
    throw new GoFatalError(`panic: ${what} (channel "${this.names[c] ?? c}")`);
  }

  /**
   * chansend without blocking, if it can: hand the value to the first parked receiver (send → goready,
   * so the receiver runs next on this P; returned) or put it in the buffer (-1). CHAN_BLOCK: the sender
   * must park. A closed channel panics.
   */
  chansend(c: number): number {
    if (this.chClosed[c]) this.panic('send on closed channel', c);
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
   * (-1: none). A closed, drained channel gives the zero value at once (-1). CHAN_BLOCK: the receiver
   * must park.
   */
  chanrecv(c: number): number {
    const s = this.chSendq.dequeue(c);
    if (this.chCount[c]! > 0) {
      if (s === -1) this.chCount[c]!--;
      return s;
    }
    if (s !== -1) return s;
    return this.chClosed[c] ? -1 : CHAN_BLOCK;
  }

  /** gopark on c's sendq: the receiver that takes the value readies gp. */
  parkSend(c: number, gp: number): void {
    this.chSendq.enqueue(c, gp);
  }

  /** gopark on c's recvq: the sender that brings a value readies gp. */
  parkRecv(c: number, gp: number): void {
    this.chRecvq.enqueue(c, gp);
  }

  /** selectgo's dequeueSudoG: gp, parked in a select on c, was woken by its other case; false if not queued. */
  unpark(c: number, send: boolean, gp: number): boolean {
    return (send ? this.chSendq : this.chRecvq).remove(c, gp);
  }

  /**
   * closechan: c is closed and every parked receiver is released (with the zero value), in queue order:
   * they are woken[0 … n), returned n. A closed channel panics ("close of closed channel"), and so does
   * a parked sender (it wakes to "send on closed channel": the process dies either way).
   */
  closechan(c: number): number {
    if (this.chClosed[c]) this.panic('close of closed channel', c);
    this.chClosed[c] = 1;
    if (!this.chSendq.empty(c)) this.panic('send on closed channel', c);
    let n = 0;
    for (let gp = this.chRecvq.dequeue(c); gp !== -1; gp = this.chRecvq.dequeue(c)) {
      if (n === this.woken.length) {
        const w = new Int32Array(n * 2);
        w.set(this.woken);
        this.woken = w;
      }
      this.woken[n++] = gp;
    }
    return n;
  }
}
