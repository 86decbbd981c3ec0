import { Gdead } from './states.js';

/**
 * All Gs of one pod, struct-of-arrays (46 bytes per G; timers and I/O waits live in the scheduler's deadline heaps), indexed by a dense G number. Dead Gs are
 * recycled through per-P free lists (gfput/gfget) as the runtime does, so a pod's memory follows its
 * peak live goroutine count.
 */
export class GTable {
  status!: Uint8Array;
  waitReason!: Uint8Array;
  prog!: Int32Array;
  pc!: Int32Array;
  /** CPU still to run in the current burst, ns (kept across preemption). */
  workLeft!: Float64Array;
  /** Request this G serves (root G of a request), or -1. */
  request!: Int32Array;
  parent!: Int32Array;
  /** Children still running (for spawn with wait). */
  children!: Int32Array;
  m!: Int32Array;
  /** Intrusive list link: free lists, mutex waiters. */
  link!: Int32Array;
  goid!: Float64Array;
  /** Where this G's random draws come from: its request's key, or a child's mix of its parent's. */
  drawKey!: Int32Array;
  count = 0;

  constructor(capacity = 1024) {
    this.alloc(capacity);
  }

  get capacity(): number {
    return this.status.length;
  }

  /** A new G number (grows the table); the caller initialises its fields. */
  add(): number {
    if (this.count === this.capacity) this.grow();
    return this.count++;
  }

  private alloc(c: number): void {
    this.status = new Uint8Array(c).fill(Gdead);
    this.waitReason = new Uint8Array(c);
    this.prog = new Int32Array(c);
    this.pc = new Int32Array(c);
    this.workLeft = new Float64Array(c);
    this.request = new Int32Array(c).fill(-1);
    this.parent = new Int32Array(c).fill(-1);
    this.children = new Int32Array(c);
    this.m = new Int32Array(c).fill(-1);
    this.link = new Int32Array(c).fill(-1);
    this.goid = new Float64Array(c);
    this.drawKey = new Int32Array(c);
  }

  private grow(): void {
    const old = { ...this } as Record<string, unknown>;
    const c = this.capacity * 2;
    this.alloc(c);
    for (const k of [
      'status',
      'waitReason',
      'prog',
      'pc',
      'workLeft',
      'request',
      'parent',
      'children',
      'm',
      'link',
      'goid',
      'drawKey',
    ] as const) {
      (this[k] as unknown as { set(a: ArrayLike<number>): void }).set(old[k] as ArrayLike<number>);
    }
  }
}
