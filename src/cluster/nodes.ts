/**
 * The nodes pods are scheduled on, reduced to CPU requests: a pod fits on a node whose allocatable
 * CPU minus the requests of its pods covers the pod's request (the scheduler's NodeResourcesFit);
 * the first node that fits is used. count = 0 means unlimited (every pod fits at once).
 */
export class NodePool {
  private readonly free: Float64Array;
  private readonly up: Uint8Array;

  constructor(
    readonly count: number,
    private readonly allocatableMilli: number,
  ) {
    this.free = new Float64Array(count).fill(allocatableMilli);
    this.up = new Uint8Array(count).fill(1);
  }

  get unlimited(): boolean {
    return this.count === 0;
  }

  /** A node for a pod requesting `milli`, its capacity taken; -1 if none fits (the pod stays Pending). */
  place(milli: number): number {
    if (this.unlimited) return 0;
    for (let n = 0; n < this.count; n++) {
      if (this.up[n] && this.free[n]! >= milli) {
        this.free[n]! -= milli;
        return n;
      }
    }
    return -1;
  }

  release(node: number, milli: number): void {
    if (!this.unlimited && node >= 0 && this.up[node]) this.free[node]! += milli;
  }

  setUp(node: number, isUp: boolean): void {
    if (this.unlimited || node < 0 || node >= this.count) return;
    this.up[node] = isUp ? 1 : 0;
    if (isUp) this.free[node] = this.allocatableMilli; // it comes back empty
  }

  isUp(node: number): boolean {
    return this.unlimited || this.up[node] === 1;
  }
}
