import { Gdead } from './states.js';

/** The request table's draw keys (workload/requests.ts RequestTable), which a root G reads. */
export interface RequestKeys {
  readonly drawKey: Int32Array;
}
const NO_REQUESTS: RequestKeys = { drawKey: new Int32Array(0) };

/**
 * All Gs of one pod, struct-of-arrays (46 bytes per G, 12 more once the program spawns; timers and I/O
 * waits live in the scheduler's deadline heaps), indexed by a dense G number. Dead Gs are recycled
 * through per-P free lists (gfput/gfget) as the runtime does, so a pod's memory follows its peak live
 * goroutine count.
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
  /** Where root Gs' draw keys are: the request table (set by the pod; not copied per G). */
  requestKeys: RequestKeys = NO_REQUESTS;
  /** A child G's own draw key (a mix of its parent's); allocated with the first child (setChild). */
  private childKey = new Int32Array(0);
  /**
   * The goid a child's parent had when it spawned the child (allocated with the first child): gfput
   * recycles an exited parent's slot, and the G that takes it must not be counted another G's children.
   */
  private parentGoid = new Float64Array(0);
  count = 0;

  constructor(capacity = 1024) {
    this.alloc(capacity);
  }

  get capacity(): number {
    return this.status.length;
  }

  /**
   * Where gp's random draws come from: a root G reads its request's key from the request table (its id
   * stays allocated until the G has exited); a child has its own.
   */
  drawKey(gp: number): number {
    const r = this.request[gp]!;
    if (r >= 0) return this.requestKeys.drawKey[r]!;
    return gp < this.childKey.length ? this.childKey[gp]! : 0;
  }

  /** A child G's draw key and its parent's goid (newproc; parent[gp] is set by newG). */
  setChild(gp: number, key: number): void {
    if (this.childKey.length < this.capacity) this.growChildArrays(this.capacity);
    this.childKey[gp] = key;
    this.parentGoid[gp] = this.goid[this.parent[gp]!]!;
  }

  /**
   * gp's parent while that G lives on, else -1 (no parent, or it exited: a child spawned without waiting
   * may outlive its spawner, whose slot may by then hold another G).
   */
  liveParent(gp: number): number {
    const p = this.parent[gp]!;
    return p >= 0 && this.status[p] !== Gdead && this.goid[p] === this.parentGoid[gp] ? p : -1;
  }

  private growChildArrays(c: number): void {
    const k = new Int32Array(c);
    k.set(this.childKey);
    this.childKey = k;
    const pg = new Float64Array(c);
    pg.set(this.parentGoid);
    this.parentGoid = pg;
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
    ] as const) {
      (this[k] as unknown as { set(a: ArrayLike<number>): void }).set(old[k] as ArrayLike<number>);
    }
    if (this.childKey.length > 0) this.growChildArrays(c);
  }
}
