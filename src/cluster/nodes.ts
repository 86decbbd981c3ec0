/**
 * The nodes pods are scheduled on, reduced to CPU requests: a pod fits on a node whose allocatable
 * CPU minus the requests of its pods covers the pod's request (the scheduler's NodeResourcesFit);
 * the first node that fits is used. count = 0 means unlimited (every pod fits at once).
 */
export class NodePool {
  private free: Float64Array;
  private up: Uint8Array;
  /** Cordoned nodes (spec.unschedulable: kubectl cordon / drain): no new pod is placed there. */
  private readonly cordoned = new Set<number>();

  constructor(
    public count: number,
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
      if (this.up[n] && this.free[n]! >= milli && !this.cordoned.has(n)) {
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

  /** kubectl cordon / uncordon: spec.unschedulable (the scheduler's NodeUnschedulable filter). */
  setCordoned(node: number, on: boolean): void {
    if (on) this.cordoned.add(node);
    else this.cordoned.delete(node);
  }

  isCordoned(node: number): boolean {
    return this.cordoned.has(node);
  }

  isUp(node: number): boolean {
    return this.unlimited || this.up[node] === 1;
  }

  /** A new, empty node joins (the cluster autoscaler provisioned it); returns its index. */
  add(): number {
    const n = this.count++;
    if (n >= this.free.length) {
      const f = new Float64Array(Math.max(4, 2 * n));
      f.set(this.free);
      this.free = f;
      const u = new Uint8Array(f.length);
      u.set(this.up);
      this.up = u;
    }
    this.free[n] = this.allocatableMilli;
    this.up[n] = 1;
    return n;
  }

  /** No pod requests anything on the node. */
  isEmpty(node: number): boolean {
    return this.free[node] === this.allocatableMilli;
  }

  /** Nodes that are up. */
  upCount(): number {
    let c = 0;
    for (let n = 0; n < this.count; n++) c += this.up[n]!;
    return c;
  }

  /** How many pods requesting `milli` fit on an empty node. */
  podsPerNode(milli: number): number {
    return Math.floor(this.allocatableMilli / milli);
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

  private of(image: number, node = 0): Float64Array {
    let a = this.readyAtNs.get(image);
    if (!a || node >= a.length) {
      const g = new Float64Array(Math.max(1, this.count, 2 * node + 1)).fill(NaN);
      if (a) g.set(a);
      a = g;
      this.readyAtNs.set(image, a);
    }
    return a;
  }

  /** The node holds the image from now on (a pod started there before the run). */
  hold(node: number, image = 0): void {
    this.of(image, node)[node] = 0;
  }

  /** When a pod bound to `node` at `nowNs` has the image: now if cached, else the end of a (shared) pull. */
  acquire(node: number, nowNs: number, pullNs: number, image = 0): number {
    const a = this.of(image, node);
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
    for (const a of this.readyAtNs.values()) if (node < a.length) a[node] = NaN;
  }
}
