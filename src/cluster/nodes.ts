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
  /** Per image (a Deployment revision's), per node: NaN = absent, else when it is (or will be) there, ns. */
  private readonly readyAtNs = new Map<number, Float64Array>();
  pulls = 0;
  hits = 0;

  constructor(private readonly count: number) {}

  private of(image: number): Float64Array {
    let a = this.readyAtNs.get(image);
    if (!a) {
      a = new Float64Array(Math.max(1, this.count)).fill(NaN);
      this.readyAtNs.set(image, a);
    }
    return a;
  }

  /** The node holds the image from now on (a pod started there before the run). */
  hold(node: number, image = 0): void {
    this.of(image)[node] = 0;
  }

  /** When a pod bound to `node` at `nowNs` has the image: now if cached, else the end of a (shared) pull. */
  acquire(node: number, nowNs: number, pullNs: number, image = 0): number {
    const a = this.of(image);
    const at = a[node]!;
    if (!Number.isNaN(at)) {
      if (at <= nowNs) this.hits++;
      return Math.max(at, nowNs);
    }
    this.pulls++;
    a[node] = nowNs + pullNs;
    return nowNs + pullNs;
  }

  /** The node came back empty (a replacement node): its cache is gone. */
  clear(node: number): void {
    for (const a of this.readyAtNs.values()) a[node] = NaN;
  }
}
