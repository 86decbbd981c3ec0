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

/**
 * Each node's image cache for the pod's one image (kubelet's image manager with imagePullPolicy
 * IfNotPresent: pull only if absent — pkg/kubelet/images/image_manager.go shouldPullImage). A pull in
 * progress is shared: a second pod on the node waits for it (serializeImagePulls, the default).
 */
export class NodeImages {
  /** Per node: NaN = no image, else the time the image is (or will be) on the node, ns. */
  private readyAtNs: Float64Array;
  pulls = 0;
  hits = 0;

  constructor(count: number) {
    this.readyAtNs = new Float64Array(Math.max(1, count)).fill(NaN);
  }

  /** The node holds the image from now on (a pod started there before the run). */
  hold(node: number): void {
    this.readyAtNs[node] = 0;
  }

  /** When a pod bound to `node` at `nowNs` has the image: now if cached, else the end of a (shared) pull. */
  acquire(node: number, nowNs: number, pullNs: number): number {
    const at = this.readyAtNs[node]!;
    if (!Number.isNaN(at)) {
      if (at <= nowNs) this.hits++;
      return Math.max(at, nowNs);
    }
    this.pulls++;
    this.readyAtNs[node] = nowNs + pullNs;
    return nowNs + pullNs;
  }

  /** The node came back empty (a replacement node): its cache is gone. */
  clear(node: number): void {
    this.readyAtNs[node] = NaN;
  }
}
