/**
 * Run queues, mirroring proc.go: each P has a 256-slot ring `runq` plus a `runnext` slot; the global
 * queue (sched.runq) is unbounded. Function names and rules follow the Go source so the two can be read
 * side by side. Heads and tails are monotonic counters (like Go's uint32 runqhead/runqtail); the ring
 * index is counter % 256.
 */
export const RUNQ_SIZE = 256;

export class RunQueues {
  readonly runq: Int32Array;
  readonly runqhead: Float64Array;
  readonly runqtail: Float64Array;
  readonly runnext: Int32Array;
  /** Set by runqget: true when the G came from runnext (it inherits the time slice). */
  inheritTime = false;

  private gq = new Int32Array(1024);
  private gqHead = 0;
  /** sched.runqsize */
  runqsize = 0;

  constructor(readonly nP: number) {
    this.runq = new Int32Array(nP * RUNQ_SIZE);
    this.runqhead = new Float64Array(nP);
    this.runqtail = new Float64Array(nP);
    this.runnext = new Int32Array(nP).fill(-1);
  }

  runqlen(pp: number): number {
    return this.runqtail[pp]! - this.runqhead[pp]!;
  }

  /** runqempty: no G in the ring and none in runnext. */
  runqempty(pp: number): boolean {
    return this.runqtail[pp] === this.runqhead[pp] && this.runnext[pp] === -1;
  }

  /**
   * runqput: with next, gp goes into runnext and the G it displaces goes to the tail. A full ring sends
   * half of it plus the new G (128 + 1 = 129) to the global queue (runqputslow).
   */
  runqput(pp: number, gp: number, next: boolean): void {
    if (next) {
      const old = this.runnext[pp]!;
      this.runnext[pp] = gp;
      if (old === -1) return;
      gp = old;
    }
    const h = this.runqhead[pp]!,
      t = this.runqtail[pp]!;
    if (t - h < RUNQ_SIZE) {
      this.runq[pp * RUNQ_SIZE + (t % RUNQ_SIZE)] = gp;
      this.runqtail[pp] = t + 1;
      return;
    }
    this.runqputslow(pp, gp, h);
  }

  /** runqputslow: move half the local queue and gp, in that order, to the global queue. */
  private runqputslow(pp: number, gp: number, h: number): void {
    const n = RUNQ_SIZE / 2;
    for (let i = 0; i < n; i++) this.globrunqput(this.runq[pp * RUNQ_SIZE + ((h + i) % RUNQ_SIZE)]!);
    this.runqhead[pp] = h + n;
    this.globrunqput(gp);
  }

  /** runqget: runnext first (inheritTime = true), else the ring's head. Returns -1 if empty. */
  runqget(pp: number): number {
    const next = this.runnext[pp]!;
    if (next !== -1) {
      this.runnext[pp] = -1;
      this.inheritTime = true;
      return next;
    }
    this.inheritTime = false;
    const h = this.runqhead[pp]!;
    if (h === this.runqtail[pp]) return -1;
    this.runqhead[pp] = h + 1;
    return this.runq[pp * RUNQ_SIZE + (h % RUNQ_SIZE)]!;
  }

  /**
   * runqgrab + runqsteal: take half (rounded up, n − n/2) of p2's ring into pp's ring and return the
   * last G taken to run now. An empty ring yields p2's runnext only when stealRunNextG (the last round).
   * Returns -1 if nothing was stolen. `stolen` is set to how many Gs moved.
   */
  stolen = 0;
  runqsteal(pp: number, p2: number, stealRunNextG: boolean): number {
    const h = this.runqhead[p2]!,
      t = this.runqtail[p2]!;
    let n = t - h;
    n = n - Math.floor(n / 2);
    if (n === 0) {
      if (stealRunNextG) {
        const next = this.runnext[p2]!;
        if (next !== -1) {
          this.runnext[p2] = -1;
          this.stolen = 1;
          return next;
        }
      }
      this.stolen = 0;
      return -1;
    }
    // Copy the batch to the thief's tail; the thief's ring is empty when it steals (findRunnable).
    const tt = this.runqtail[pp]!;
    for (let i = 0; i < n; i++)
      this.runq[pp * RUNQ_SIZE + ((tt + i) % RUNQ_SIZE)] = this.runq[p2 * RUNQ_SIZE + ((h + i) % RUNQ_SIZE)]!;
    this.runqhead[p2] = h + n;
    this.stolen = n;
    // The last one is returned to run; the rest stay queued on the thief.
    const gp = this.runq[pp * RUNQ_SIZE + ((tt + n - 1) % RUNQ_SIZE)]!;
    this.runqtail[pp] = tt + n - 1;
    return gp;
  }

  /** globrunqput: append to the global queue. */
  globrunqput(gp: number): void {
    const cap = this.gq.length;
    if (this.runqsize === cap) {
      const q = new Int32Array(cap * 2);
      for (let i = 0; i < this.runqsize; i++) q[i] = this.gq[(this.gqHead + i) % cap]!;
      this.gq = q;
      this.gqHead = 0;
    }
    this.gq[(this.gqHead + this.runqsize) % this.gq.length] = gp;
    this.runqsize++;
  }

  /** globrunqputhead: put gp at the head of the global queue (p.destroy moves a P's runq there). */
  globrunqputhead(gp: number): void {
    let cap = this.gq.length;
    if (this.runqsize === cap) {
      // Grown as globrunqput grows it, leaving one free slot before the head.
      const q = new Int32Array(cap * 2);
      for (let i = 0; i < this.runqsize; i++) q[i + 1] = this.gq[(this.gqHead + i) % cap]!;
      this.gq = q;
      this.gqHead = 1;
      cap *= 2;
    }
    this.gqHead = (this.gqHead + cap - 1) % cap;
    this.gq[this.gqHead] = gp;
    this.runqsize++;
  }

  private globpop(): number {
    const gp = this.gq[this.gqHead]!;
    this.gqHead = (this.gqHead + 1) % this.gq.length;
    this.runqsize--;
    return gp;
  }

  /**
   * globrunqget: take n = min(runqsize, runqsize/gomaxprocs + 1, max (if > 0), 128) Gs; return the first
   * and put the others on pp's local queue. Returns -1 if the global queue is empty.
   */
  globrunqget(pp: number, max: number, gomaxprocs: number): number {
    if (this.runqsize === 0) return -1;
    let n = Math.floor(this.runqsize / gomaxprocs) + 1;
    if (n > this.runqsize) n = this.runqsize;
    if (max > 0 && n > max) n = max;
    if (n > RUNQ_SIZE / 2) n = RUNQ_SIZE / 2;
    const gp = this.globpop();
    for (let i = 1; i < n; i++) this.runqput(pp, this.globpop(), false);
    return gp;
  }

  /** The i-th G of the global queue from its head (-1 past its end): for views, which only read. */
  globalAt(i: number): number {
    return i < this.runqsize ? this.gq[(this.gqHead + i) % this.gq.length]! : -1;
  }

  /** Every G waiting in any queue (for invariants and metrics). */
  totalQueued(): number {
    let n = this.runqsize;
    for (let p = 0; p < this.nP; p++) n += this.runqlen(p) + (this.runnext[p] !== -1 ? 1 : 0);
    return n;
  }
}
