import type { Simulation } from '../engine/simulation.js';
import type { Cpu, CpuShare } from '../runtime/gmp/cpu.js';

/**
 * The nodes' cores, shared by the threads of every pod on them (cluster.nodeCpuSharing). Linux CFS
 * between cgroups (kernel/sched/fair.c: each pod's cgroup has cpu.shares = its CPU request in millicores
 * × 1024 / 1000, as the kubelet sets it — pkg/kubelet/cm/helpers_linux.go MilliCPUToShares) gives a
 * group a part of the node proportional to its shares; a group that wants less than its part leaves the
 * rest to the others; within a group the threads share equally. Modelled as processor sharing: when the
 * threads wanting a CPU on a node outnumber its cores, pod i's threads get r_i cores by weighted
 * water-filling (Σ r_i = cores, r_i = min(demand_i, w_i·λ)), and each of its bursts runs demand_i / r_i
 * times as long (Cpu.setShareFactor). Each pod's CFS quota still throttles it on its own (cfs-quota.ts),
 * spent at the r_i cores it gets. Over-commit is looked at once per simulated instant (one event), so a
 * burst that ends and the next that starts at the same time do not reshuffle the node twice.
 *
 * What the kernel does that this leaves out: time slices (sched_latency 6 ms, min granularity 0.75 ms) —
 * a short burst on a busy node waits for a core and then runs at full speed, here it runs slower from the
 * start; the mean is the same, the spread of short bursts narrower. Wake-up preemption and the cost of a
 * context switch between pods are not charged.
 */
export class NodeCpus {
  /** Per pod: its threads wanting a CPU, its weight (cpu.shares), its share factor, its node key, its slot. */
  private demand = new Float64Array(64);
  private factor = new Float64Array(64).fill(1);
  private podNode = new Int32Array(64).fill(-1);
  private podSlot = new Int32Array(64);
  private cpus: (Cpu | undefined)[] = [];
  /** Per node key: the pods with demand > 0 (first `count`), their summed demand, flags. */
  private members: Int32Array[] = [];
  private count = new Int32Array(8);
  private total = new Float64Array(8);
  /** Some member's factor is not 1 (the node was over-committed at its last look). */
  private contended = new Uint8Array(8);
  private queued = new Uint8Array(8);
  private readonly kRecompute: number;
  /** Scratch for the water-filling: which members are capped at their demand. */
  private capped = new Uint8Array(64);
  /** Looks at over-committed nodes (each a water-filling). */
  recomputes = 0;

  constructor(
    private readonly sim: Simulation,
    /** Cores of each node (runtime.hostCpus). */
    readonly cores: number,
    /** Each pod's weight: its CPU request, millicores (all pods of the one Deployment have the same). */
    private readonly weightMilli: number,
    /** The node key of a running pod: its node, or the pod itself when every pod has its own node. */
    private readonly nodeOf: (pod: number) => number,
  ) {
    this.kRecompute = sim.registerKind('node.cpu-share', (node) => this.recompute(node));
  }

  /** The handle pod `pod`'s Cpu reports to (one per container, made when the container starts). */
  forPod(pod: number): CpuShare {
    return { demandChanged: (cpu, n) => this.demandChanged(pod, cpu, n) };
  }

  private ensurePod(pod: number): void {
    if (pod < this.demand.length) return;
    const n = Math.max(2 * this.demand.length, pod + 1);
    const d = new Float64Array(n);
    d.set(this.demand);
    this.demand = d;
    const f = new Float64Array(n).fill(1);
    f.set(this.factor);
    this.factor = f;
    const pn = new Int32Array(n).fill(-1);
    pn.set(this.podNode);
    this.podNode = pn;
    const ps = new Int32Array(n);
    ps.set(this.podSlot);
    this.podSlot = ps;
  }

  private ensureNode(node: number): void {
    if (node >= this.count.length) {
      const n = Math.max(2 * this.count.length, node + 1);
      const c = new Int32Array(n);
      c.set(this.count);
      this.count = c;
      const t = new Float64Array(n);
      t.set(this.total);
      this.total = t;
      const k = new Uint8Array(n);
      k.set(this.contended);
      this.contended = k;
      const q = new Uint8Array(n);
      q.set(this.queued);
      this.queued = q;
    }
    while (this.members.length <= node) this.members.push(new Int32Array(8));
  }

  /** Pod `pod` now has `n` threads wanting a CPU. */
  private demandChanged(pod: number, cpu: Cpu, n: number): void {
    this.ensurePod(pod);
    this.cpus[pod] = cpu;
    const old = this.demand[pod]!;
    if (old === n) return;
    let node = this.podNode[pod]!;
    if (old === 0) {
      node = this.nodeOf(pod);
      if (node < 0) throw new Error(`node-cpu: pod-${pod} runs on no node`);
      this.join(pod, node);
    }
    this.demand[pod] = n;
    this.total[node]! += n - old;
    if (n === 0) {
      this.leave(pod, node);
      // Off the CPU its factor means nothing; reset it so a held burst resumes unscaled until the next look.
      if (this.factor[pod] !== 1) {
        this.factor[pod] = 1;
        cpu.setShareFactor(1);
      }
    }
    if ((this.total[node]! > this.cores || this.contended[node]) && !this.queued[node]) {
      this.queued[node] = 1;
      this.sim.schedule(0, this.kRecompute, node);
    }
  }

  private join(pod: number, node: number): void {
    this.ensureNode(node);
    let m = this.members[node]!;
    const c = this.count[node]!;
    if (c === m.length) {
      const g = new Int32Array(2 * c);
      g.set(m);
      this.members[node] = m = g;
    }
    m[c] = pod;
    this.podSlot[pod] = c;
    this.podNode[pod] = node;
    this.count[node] = c + 1;
  }

  private leave(pod: number, node: number): void {
    const m = this.members[node]!;
    const last = --this.count[node]!;
    const slot = this.podSlot[pod]!;
    const moved = m[last]!;
    m[slot] = moved;
    this.podSlot[moved] = slot;
    this.podNode[pod] = -1;
  }

  /** The node's demand changed this instant: share its cores anew (weighted water-filling). */
  private recompute(node: number): void {
    this.queued[node] = 0;
    const m = this.members[node]!;
    const c = this.count[node]!;
    const cores = this.cores;
    if (this.total[node]! <= cores) {
      for (let i = 0; i < c; i++) this.setFactor(m[i]!, 1);
      this.contended[node] = 0;
      return;
    }
    this.recomputes++;
    if (this.capped.length < c) this.capped = new Uint8Array(this.members[node]!.length);
    const capped = this.capped;
    capped.fill(0, 0, c);
    const w = this.weightMilli;
    let left = cores;
    let weights = c * w;
    // Water-filling: a pod wanting less than its weighted part is capped at its demand; the rest share.
    for (let changed = true; changed; ) {
      changed = false;
      const lambda = left / weights;
      for (let i = 0; i < c; i++) {
        if (capped[i]) continue;
        const d = this.demand[m[i]!]!;
        if (d <= w * lambda) {
          capped[i] = 1;
          left -= d;
          weights -= w;
          changed = true;
        }
      }
      if (weights <= 0) break;
    }
    const lambda = weights > 0 ? left / weights : 0;
    let any = 0;
    for (let i = 0; i < c; i++) {
      const pod = m[i]!;
      const f = capped[i] ? 1 : this.demand[pod]! / (w * lambda);
      if (f !== 1) any = 1;
      this.setFactor(pod, f);
    }
    this.contended[node] = any;
  }

  private setFactor(pod: number, f: number): void {
    if (this.factor[pod] === f) return;
    this.factor[pod] = f;
    this.cpus[pod]!.setShareFactor(f);
  }
}
