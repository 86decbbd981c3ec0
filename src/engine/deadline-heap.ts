import { grow } from './grow.js';

/**
 * A min-heap of (deadline, id[, aux]) for a model's own large sets of future wake-ups — a pod's
 * network completions and timers — so that a million parked goroutines cost 16–20 bytes each here
 * instead of one engine event each (the model keeps one engine event, at the earliest deadline).
 * Go itself keeps timers in per-P heaps rather than one global queue.
 *
 * Equal deadlines pop in push order (a 32-bit sequence; renumbered in place before it would wrap), so
 * this heap breaks ties like the engine's event set. No cancellation: the models using it never
 * withdraw a wake-up. Binary heap over struct-of-arrays; grows by 1.5× to keep slack small.
 */
export class DeadlineHeap {
  private time: Float64Array;
  private seq: Uint32Array;
  private id: Int32Array;
  private aux: Int32Array | null;
  private n = 0;
  private nextSeq = 0;
  /** The deadline and aux value of the entry `pop` returned last. */
  poppedTime = 0;
  poppedAux = 0;

  constructor(capacity = 64, withAux = false) {
    const c = Math.max(4, capacity);
    this.time = new Float64Array(c);
    this.seq = new Uint32Array(c);
    this.id = new Int32Array(c);
    this.aux = withAux ? new Int32Array(c) : null;
  }

  get size(): number {
    return this.n;
  }

  /** The earliest deadline, +Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.time[0]! : Infinity;
  }

  push(time: number, id: number, aux = 0): void {
    if (this.n === this.time.length) this.grow();
    if (this.nextSeq === 0xffffffff) this.renumber();
    const t = this.time,
      s = this.seq,
      d = this.id,
      a = this.aux;
    const q = this.nextSeq++;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p]! <= time && (t[p]! < time || s[p]! < q)) break;
      t[i] = t[p]!;
      s[i] = s[p]!;
      d[i] = d[p]!;
      if (a) a[i] = a[p]!;
      i = p;
    }
    t[i] = time;
    s[i] = q;
    d[i] = id;
    if (a) a[i] = aux;
  }

  /** Remove the earliest entry and return its id (its time and aux in poppedTime / poppedAux). */
  pop(): number {
    if (this.n === 0) throw new Error('DeadlineHeap.pop on an empty heap');
    const t = this.time,
      s = this.seq,
      d = this.id,
      a = this.aux;
    const top = d[0]!;
    this.poppedTime = t[0]!;
    this.poppedAux = a ? a[0]! : 0;
    const n = --this.n;
    if (n > 0) {
      // Bottom-up deletion (Floyd): walk the hole down along the smaller child to a leaf, then sift the
      // last entry up from there. The last entry is usually a recent, late deadline, so it rarely climbs:
      // one comparison per level instead of two.
      const lt = t[n]!,
        ls = s[n]!,
        ld = d[n]!,
        la = a ? a[n]! : 0;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && (t[c + 1]! < t[c]! || (t[c + 1] === t[c] && s[c + 1]! < s[c]!))) c++;
        t[i] = t[c]!;
        s[i] = s[c]!;
        d[i] = d[c]!;
        if (a) a[i] = a[c]!;
        i = c;
      }
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (t[p]! < lt || (t[p] === lt && s[p]! < ls)) break;
        t[i] = t[p]!;
        s[i] = s[p]!;
        d[i] = d[p]!;
        if (a) a[i] = a[p]!;
        i = p;
      }
      t[i] = lt;
      s[i] = ls;
      d[i] = ld;
      if (a) a[i] = la;
    }
    if (n === 0) this.nextSeq = 0;
    return top;
  }

  private grow(): void {
    const c = Math.ceil(this.time.length * 1.5);
    this.time = grow(this.time, new Float64Array(c));
    this.seq = grow(this.seq, new Uint32Array(c));
    this.id = grow(this.id, new Int32Array(c));
    if (this.aux) this.aux = grow(this.aux, new Int32Array(c));
  }

  /** Give the live entries sequence numbers 0..n-1 in their (time, seq) order; the heap shape stays valid. */
  private renumber(): void {
    const order = Array.from({ length: this.n }, (_, i) => i);
    order.sort((x, y) => this.time[x]! - this.time[y]! || this.seq[x]! - this.seq[y]!);
    for (const [rank, slot] of order.entries()) this.seq[slot] = rank;
    this.nextSeq = this.n;
  }

  /** Every entry whose aux is `from` gets `to` (the order is by deadline only: the heap stays valid). */
  remapAux(from: number, to: number): number {
    const a = this.aux;
    let moved = 0;
    if (a) {
      for (let i = 0; i < this.n; i++) {
        if (a[i] === from) {
          a[i] = to;
          moved++;
        }
      }
    }
    return moved;
  }

  /** Test hook: start the sequence near its wrap point. */
  setNextSeqForTest(q: number): void {
    if (this.n !== 0) throw new Error('only on an empty heap');
    this.nextSeq = q;
  }
}
