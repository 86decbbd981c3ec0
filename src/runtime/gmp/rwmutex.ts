import type { GTable } from './gtable.js';
import { WaitQueues } from './waitq.js';

/**
 * sync.RWMutex (sync/rwmutex.go), one per name. readerCount counts readers holding it (`active`) and
 * those queued behind a writer; a writer first takes w (the writers' own mutex: writers queue FIFO here),
 * then announces itself (readerCount -= rwmutexMaxReaders): from then on new readers queue on readerSem
 * (writer preference), and the writer waits on writerSem until the readers holding it leave (readerWait).
 * Unlock releases every queued reader at once (they hold the lock together) and then w. A leaf: each
 * operation answers whether the caller holds the lock (else it is queued and parks, resuming past the op
 * once it holds it) or the Gs to ready (woken[0 … n)).
 *
 * One shortcut: when Unlock hands w to the next writer, that writer announces itself at once (Go wakes
 * it and it announces when it runs); readers released by the same Unlock are counted in its readerWait
 * either way.
 */
export class RWMutexes {
  /** Readers holding it. */
  private readonly active: Int32Array;
  /** The writer that announced itself and waits for the readers to leave, or -1. */
  private readonly pendingWriter: Int32Array;
  /** Readers the pending writer still waits for (readerWait). */
  private readonly readerWait: Int32Array;
  /** A writer holds it. */
  private readonly writing: Uint8Array;
  /** The writer holding w (pending or writing), or -1. */
  private readonly wOwner: Int32Array;
  private readonly readers: WaitQueues;
  private readonly writers: WaitQueues;
  /** The Gs the last unlock readied: woken[0 … n). */
  woken = new Int32Array(16);

  constructor(n: number, g: GTable) {
    this.active = new Int32Array(n);
    this.pendingWriter = new Int32Array(n).fill(-1);
    this.readerWait = new Int32Array(n);
    this.writing = new Uint8Array(n);
    this.wOwner = new Int32Array(n).fill(-1);
    this.readers = new WaitQueues(n, g);
    this.writers = new WaitQueues(n, g);
  }

  /** Readers holding rw now. */
  readersHolding(rw: number): number {
    return this.active[rw]!;
  }

  /** A writer holds rw now. */
  writerHolding(rw: number): boolean {
    return this.writing[rw] === 1;
  }

  /** RLock: true when gp holds a read lock; false: queued behind a writer (readerSem), park. */
  rlock(rw: number, gp: number): boolean {
    if (this.writing[rw] || this.pendingWriter[rw] !== -1) {
      this.readers.enqueue(rw, gp);
      return false;
    }
    this.active[rw]!++;
    return true;
  }

  /** RUnlock (rUnlockSlow): the pending writer to ready when the last reader it waited for leaves, or -1. */
  runlock(rw: number): number {
    this.active[rw]!--;
    const w = this.pendingWriter[rw]!;
    if (w === -1 || --this.readerWait[rw]! > 0) return -1;
    this.pendingWriter[rw] = -1;
    this.writing[rw] = 1;
    return w;
  }

  /** Lock: true when gp holds rw; false: queued on w or waiting for readers (writerSem), park. */
  lock(rw: number, gp: number): boolean {
    if (this.wOwner[rw] !== -1) {
      this.writers.enqueue(rw, gp);
      return false;
    }
    return this.announce(rw, gp);
  }

  /** The writer holding w announces itself: it holds rw if no reader does, else waits for them. */
  private announce(rw: number, gp: number): boolean {
    this.wOwner[rw] = gp;
    if (this.active[rw] === 0) {
      this.writing[rw] = 1;
      return true;
    }
    this.pendingWriter[rw] = gp;
    this.readerWait[rw] = this.active[rw]!;
    return false;
  }

  /** Unlock: every queued reader now holds rw, then w goes to the next writer; the Gs to ready, woken[0 … n). */
  unlock(rw: number): number {
    this.writing[rw] = 0;
    this.wOwner[rw] = -1;
    let n = 0;
    for (let r = this.readers.dequeue(rw); r !== -1; r = this.readers.dequeue(rw)) {
      this.active[rw]!++;
      n = this.push(n, r);
    }
    const next = this.writers.dequeue(rw);
    if (next !== -1 && this.announce(rw, next)) n = this.push(n, next);
    return n;
  }

  private push(n: number, gp: number): number {
    if (n === this.woken.length) {
      const w = new Int32Array(n * 2);
      w.set(this.woken);
      this.woken = w;
    }
    this.woken[n] = gp;
    return n + 1;
  }
}
