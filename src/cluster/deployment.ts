import type { RandomStream } from '../engine/random.js';
import type { Simulation } from '../engine/simulation.js';
import { sToNs } from '../engine/time.js';
import type { CompletionSink, PodRuntime } from '../runtime/pod-runtime.js';
import type { Cluster } from '../scenario/cluster-schema.js';
import { loadBalancer, type LoadBalancer } from './load-balancer.js';
import { NodePool } from './nodes.js';

/** Builds pod `index`'s Go runtime; its completions go to `sink`. */
export type PodFactory = (index: number, sink: CompletionSink) => PodRuntime;

/** Where the Deployment reports requests: completed ones, and ones lost with a killed pod. */
export interface ServiceSink {
  /** The request completed on pod `podIndex`. */
  complete(requestId: number, podIndex: number): void;
  /**
   * The request's pod was killed before it finished; it will never complete. Its id must not be
   * reused: the killed pod's runtime may still hold it.
   */
  lost(requestId: number): void;
}

/** One pod of the Deployment. Times are simulated ns; NaN = not (yet). */
export class ClusterPod {
  runningNs = NaN;
  readyNs = NaN;
  deletedNs = NaN;
  /** Removed from the cluster (drained or killed); its runtime gets no more work. */
  gone = false;
  inFlight = 0;
  completed = 0;
  /** The node it was scheduled on; -1 while Pending without room. */
  node = -1;
  /** Container restarts (OOM kills), the current container's generation and start, kubelet's next back-off (s). */
  restarts = 0;
  generation = 0;
  containerStartNs = 0;
  backoffS = 0;
  /** CPU used by the pod's earlier (OOM-killed) containers, ns. */
  priorBusyNs = 0;
  runtime!: PodRuntime;
  constructor(
    readonly index: number,
    readonly createdNs: number,
    /** metadata.uid as a number (drawn from the `cluster.pod-uid` stream at creation). */
    readonly uid: number,
  ) {}
  get name(): string {
    return `pod-${this.index}`;
  }
  get running(): boolean {
    return !Number.isNaN(this.runningNs);
  }
  get ready(): boolean {
    return !Number.isNaN(this.readyNs) && Number.isNaN(this.deletedNs);
  }
  get terminating(): boolean {
    return !Number.isNaN(this.deletedNs);
  }
}

/** A pod as the ReplicaSet controller's deletion order sees it. Times in simulated ns (NaN: unset). */
export interface DeletionCandidate {
  /** The node it is bound to; −1 while unscheduled (Spec.NodeName empty). */
  readonly node: number;
  /** Phase Running (else Pending). */
  readonly running: boolean;
  readonly ready: boolean;
  /** The Ready condition's lastTransitionTime (meaningful while ready). */
  readonly readyNs: number;
  /** Container restarts (maxContainerRestarts: the pod has one container). */
  readonly restarts: number;
  readonly createdNs: number;
  /** metadata.uid, reduced to a number: the pseudo-random tie-break. */
  readonly uid: number;
}

/** A candidate with its rank: active pods of the ReplicaSet on the same node (getPodsRankedByRelatedPodsOnSameNode). */
export type RankedPod<P extends DeletionCandidate = DeletionCandidate> = { pod: P; rank: number };

/**
 * metav1.Time as the controller reads it: the API server stores times at one-second resolution
 * (RFC 3339), so pods that became Ready within the same second compare equal. Simulated time 0 is
 * taken to be a whole second.
 */
function apiTimeNs(ns: number): number {
  return Math.floor(ns / 1e9) * 1e9;
}

/** logarithmicRankDiff (controller_utils.go): compare ages by floor(log2(age in ns)); −1 for no age. */
export function logarithmicRankDiff(t1Ns: number, t2Ns: number, nowNs: number): number {
  const d1 = nowNs - t1Ns;
  const d2 = nowNs - t2Ns;
  const r1 = d1 > 0 ? Math.trunc(Math.log2(d1)) : -1;
  const r2 = d2 > 0 ? Math.trunc(Math.log2(d2)) : -1;
  return r1 - r2;
}

/**
 * ActivePodsWithRanks.Less (k/k pkg/controller/controller_utils.go, LogarithmicScaleDown on, its default
 * since 1.22): true if `a` should be deleted before `b`.
 * 1. unassigned < assigned; 2. Pending < Running (no Unknown phase here); 3. not ready < ready;
 * 4. lower pod-deletion-cost (no annotations here: skipped); 5. more co-located ready siblings (rank) <
 * fewer; 6. ready for less time < longer, in log2 buckets of age, the same bucket by UID; 7. more restarts
 * < fewer; 8. newer < older creation, in log2 buckets, the same bucket by UID.
 */
export function activePodsLess(a: RankedPod, b: RankedPod, nowNs: number): boolean {
  const p = a.pod;
  const q = b.pod;
  if (p.node !== q.node && (p.node < 0 || q.node < 0)) return p.node < 0;
  if (p.running !== q.running) return !p.running;
  if (p.ready !== q.ready) return !p.ready;
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (p.ready && q.ready) {
    const r1 = apiTimeNs(p.readyNs);
    const r2 = apiTimeNs(q.readyNs);
    if (r1 !== r2) {
      const diff = logarithmicRankDiff(r1, r2, nowNs);
      return diff === 0 ? p.uid < q.uid : diff < 0;
    }
  }
  if (p.restarts !== q.restarts) return p.restarts > q.restarts;
  const c1 = apiTimeNs(p.createdNs);
  const c2 = apiTimeNs(q.createdNs);
  if (c1 !== c2) {
    const diff = logarithmicRankDiff(c1, c2, nowNs);
    return diff === 0 ? p.uid < q.uid : diff < 0;
  }
  return false;
}

/**
 * getPodsToDelete (replica_set.go): rank each pod by the active pods on its node, sort by
 * activePodsLess and take the first `diff`. Pods Less cannot order (same second, same everything) go
 * by UID: Go's sort is unstable over the lister's arbitrary order, so Kubernetes' choice there is
 * effectively random; the UID keeps ours random but reproducible.
 */
export function getPodsToDelete<P extends DeletionCandidate>(pods: readonly P[], diff: number, nowNs: number): P[] {
  const onNode = new Map<number, number>();
  for (const p of pods) onNode.set(p.node, (onNode.get(p.node) ?? 0) + 1);
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.node)! }));
  ranked.sort((a, b) => (activePodsLess(a, b, nowNs) ? -1 : activePodsLess(b, a, nowNs) ? 1 : a.pod.uid - b.pod.uid));
  return ranked.slice(0, diff).map((r) => r.pod);
}

/**
 * A Deployment (one ReplicaSet) behind a Service. Pods go Pending → Running (startupS) → Ready
 * (readinessDelayS); scaling down deletes pods in the ReplicaSet controller's order (getPodsToDelete:
 * unscheduled, then Pending, then not ready, then the most crowded node, then the most recently ready,
 * the most restarted, the newest — ages compared in log2 buckets), which leave the Service at
 * once and drain their in-flight requests for up to terminationGracePeriodS.
 */
export class Deployment {
  readonly pods: ClusterPod[] = [];
  /** spec.replicas */
  replicas = 0;
  /** The largest spec.replicas so far. */
  maxReplicasSeen = 0;
  /** Requests that reached the Service (served or refused): what an ingress metric counts. */
  arrivals = 0;
  /** Requests refused because no pod was Ready (connection refused / 503). */
  rejected = 0;
  /** Requests lost when a pod was killed at the end of its grace period. */
  killed = 0;
  /** Containers OOM-killed, and the requests they were serving. */
  oomKills = 0;
  oomLost = 0;
  private readonly ready: number[] = [];
  private readonly pending: ClusterPod[] = [];
  readonly nodes: NodePool;
  private readonly podMilli: number;
  // ∫ running pods dt (pod-seconds, the cost of a run).
  private runningPods = 0;
  private podNs = 0;
  private podNsAt = 0;
  private readonly lb: LoadBalancer;
  /** The pod serving each request id (−1: none), 4 bytes per id: needed only to report kills. */
  private requestPod = new Int32Array(1024).fill(-1);
  private readonly kRunning: number;
  private readonly kReady: number;
  private readonly kKill: number;
  private readonly kRestart: number;

  constructor(
    private readonly sim: Simulation,
    private readonly cfg: Cluster,
    private readonly factory: PodFactory,
    private readonly sink: ServiceSink,
    rng: RandomStream,
    /** Draws each new pod's UID (the deletion order's tie-break). */
    private readonly uidRng: RandomStream,
  ) {
    this.lb = loadBalancer(cfg.loadBalancer, rng);
    this.kRunning = sim.registerKind('cluster.pod-running', (p) => this.podRunning(p));
    this.kReady = sim.registerKind('cluster.pod-ready', (p, gen) => {
      if (this.pods[p]!.generation === gen) this.podReady(p);
    });
    this.kRestart = sim.registerKind('cluster.container-restart', (p) => this.restartContainer(p));
    this.kKill = sim.registerKind('cluster.pod-kill', (p) => this.kill(p));
    this.nodes = new NodePool(cfg.nodes.count, Math.round(cfg.nodes.allocatableCores * 1000));
    this.podMilli = Math.round(cfg.pod.cpuRequestCores * 1000);
    // The initial replicas that fit exist before the run starts: Running and Ready at time 0.
    for (let i = 0; i < cfg.replicas; i++) {
      const pod = this.createPod();
      pod.node = this.nodes.place(this.podMilli);
      if (pod.node < 0) {
        this.pending.push(pod);
        continue;
      }
      pod.runningNs = pod.readyNs = 0;
      this.ready.push(pod.index);
      this.runningPods++;
    }
    this.replicas = this.maxReplicasSeen = cfg.replicas;
  }

  /** Pods that still exist (not drained or killed). */
  live(): ClusterPod[] {
    return this.pods.filter((p) => !p.gone);
  }

  readyCount(): number {
    return this.ready.length;
  }

  /** The Service: send a request to a Ready pod; false if there is none. */
  route(requestId: number): boolean {
    this.arrivals++;
    const i = this.lb.pick(this.ready, (p) => this.pods[p]!.inFlight);
    if (i < 0) {
      this.rejected++;
      return false;
    }
    const pod = this.pods[this.ready[i]!]!;
    pod.inFlight++;
    if (requestId >= this.requestPod.length) {
      const g = new Int32Array(Math.max(requestId + 1, this.requestPod.length * 2)).fill(-1);
      g.set(this.requestPod);
      this.requestPod = g;
    }
    this.requestPod[requestId] = pod.index;
    pod.runtime.accept(requestId);
    return true;
  }

  /** Pod-ns so far: ∫ Running pods dt (a pod counts from Running until it is gone). */
  podNsIntegral(): number {
    this.accruePodNs();
    return this.podNs;
  }

  private accruePodNs(): void {
    this.podNs += this.runningPods * (this.sim.now - this.podNsAt);
    this.podNsAt = this.sim.now;
  }

  private markGone(pod: ClusterPod): void {
    if (pod.running) {
      this.accruePodNs();
      this.runningPods--;
    }
    pod.gone = true;
    pod.runtime.stop?.();
    if (pod.node >= 0) {
      this.nodes.release(pod.node, this.podMilli);
      this.schedulePending();
    } else {
      const i = this.pending.indexOf(pod);
      if (i >= 0) this.pending.splice(i, 1);
    }
  }

  /** kube-scheduler: bind to a node with room and start, or stay Pending until room appears. */
  private schedulePod(pod: ClusterPod): void {
    pod.node = this.nodes.place(this.podMilli);
    if (pod.node < 0) this.pending.push(pod);
    else this.sim.schedule(sToNs(this.cfg.pod.startupS), this.kRunning, pod.index);
  }

  /** Room appeared: Pending pods in creation order try again. */
  private schedulePending(): void {
    while (this.pending.length > 0) {
      const pod = this.pending[0]!;
      const node = this.nodes.place(this.podMilli);
      if (node < 0) return;
      this.pending.shift();
      pod.node = node;
      this.sim.schedule(sToNs(this.cfg.pod.startupS), this.kRunning, pod.index);
    }
  }

  /** Pods waiting for a node (Pending, unschedulable). */
  pendingCount(): number {
    return this.pending.length;
  }

  /** A node fails: every pod on it dies (requests lost) and the ReplicaSet recreates them elsewhere. */
  nodeDown(node: number): void {
    this.nodes.setUp(node, false);
    for (const pod of this.pods) if (!pod.gone && pod.node === node) this.killPod(pod.index);
  }

  /** The node is back, empty: Pending pods may be scheduled on it. */
  nodeUp(node: number): void {
    this.nodes.setUp(node, true);
    this.schedulePending();
  }

  /** Set spec.replicas (the HPA's scale subresource): create or delete pods to match. */
  scale(n: number): void {
    this.replicas = n;
    if (n > this.maxReplicasSeen) this.maxReplicasSeen = n;
    const active = this.pods.filter((p) => !p.terminating && !p.gone);
    if (active.length < n) {
      for (let k = active.length; k < n; k++) this.schedulePod(this.createPod());
    } else if (active.length > n) {
      for (const pod of getPodsToDelete(active, active.length - n, this.sim.now)) this.deletePod(pod);
    }
  }

  private createPod(): ClusterPod {
    const pod = new ClusterPod(this.pods.length, this.sim.now, this.uidRng.int(2 ** 32));
    this.pods.push(pod);
    this.startContainer(pod);
    return pod;
  }

  /** A new container process (its own Go runtime) for the pod; the previous one's callbacks go stale. */
  private startContainer(pod: ClusterPod): void {
    const gen = pod.generation;
    pod.containerStartNs = this.sim.now;
    pod.runtime = this.factory(pod.index, {
      complete: (id) => {
        if (pod.generation === gen) this.completed(pod, id);
      },
      oom: () => {
        if (pod.generation === gen) this.oomKill(pod);
      },
    });
  }

  /**
   * The container passed its memory limit: the OOM killer ends it, its requests are lost, and the pod
   * leaves the Service's endpoints. The kubelet restarts it in place — at once the first time, then
   * after 10 s, 20 s, … up to 5 min (CrashLoopBackOff), the back-off reset after 10 min of running —
   * and it serves again after start-up and the readiness delay. The pod itself stays (no new pod).
   */
  private oomKill(pod: ClusterPod): void {
    if (pod.gone) return;
    this.oomKills++;
    pod.restarts++;
    pod.generation++;
    pod.runtime.stop?.();
    pod.priorBusyNs += pod.runtime.busyIntegralNs();
    const i = this.ready.indexOf(pod.index);
    if (i >= 0) this.ready.splice(i, 1);
    pod.readyNs = NaN;
    this.oomLost += pod.inFlight;
    this.loseRequests(pod);
    if (this.sim.now - pod.containerStartNs >= sToNs(600)) pod.backoffS = 0;
    const delayS = pod.backoffS;
    pod.backoffS = pod.backoffS === 0 ? 10 : Math.min(300, pod.backoffS * 2);
    this.sim.schedule(sToNs(delayS), this.kRestart, pod.index);
  }

  private restartContainer(p: number): void {
    const pod = this.pods[p]!;
    if (pod.gone) return;
    this.startContainer(pod);
    if (pod.terminating) {
      this.markGone(pod); // deleted while waiting to restart: nothing to drain
      return;
    }
    this.sim.schedule(sToNs(this.cfg.pod.startupS + this.cfg.pod.readinessDelayS), this.kReady, p, pod.generation);
  }

  private completed(pod: ClusterPod, id: number): void {
    if (pod.gone) return; // a killed pod's requests were already reported lost
    this.requestPod[id] = -1;
    pod.inFlight--;
    pod.completed++;
    this.sink.complete(id, pod.index);
    if (pod.terminating && pod.inFlight === 0) this.markGone(pod); // drained: the container exits
  }

  private podRunning(p: number): void {
    const pod = this.pods[p]!;
    if (pod.terminating) return;
    this.accruePodNs();
    this.runningPods++;
    pod.runningNs = this.sim.now;
    this.sim.schedule(sToNs(this.cfg.pod.readinessDelayS), this.kReady, p, pod.generation);
  }

  private podReady(p: number): void {
    const pod = this.pods[p]!;
    if (pod.terminating) return;
    pod.readyNs = this.sim.now;
    this.ready.push(p);
  }

  /** Marked for deletion and out of the Service's endpoints: no new requests reach it. */
  private leaveService(pod: ClusterPod): void {
    if (Number.isNaN(pod.deletedNs)) pod.deletedNs = this.sim.now;
    const i = this.ready.indexOf(pod.index);
    if (i >= 0) this.ready.splice(i, 1);
  }

  private deletePod(pod: ClusterPod): void {
    this.leaveService(pod);
    if (pod.inFlight === 0) this.markGone(pod);
    else this.sim.schedule(sToNs(this.cfg.pod.terminationGracePeriodS), this.kKill, pod.index);
  }

  /** A pod dies (node failure, OOM kill): its requests are lost and the ReplicaSet replaces it. */
  killPod(p: number): void {
    const pod = this.pods[p]!;
    if (pod.gone) return;
    this.leaveService(pod);
    this.kill(p);
    this.scale(this.replicas);
  }

  /** The grace period ended: SIGKILL; requests still in flight are lost. */
  private kill(p: number): void {
    const pod = this.pods[p]!;
    if (pod.gone) return;
    this.markGone(pod);
    this.killed += pod.inFlight;
    this.loseRequests(pod);
  }

  /** The pod's in-flight requests will never complete. Rare (kills), so a scan is fine. */
  private loseRequests(pod: ClusterPod): void {
    if (pod.inFlight === 0) return;
    for (let id = 0; id < this.requestPod.length; id++) {
      if (this.requestPod[id] !== pod.index) continue;
      this.requestPod[id] = -1;
      this.sink.lost(id);
    }
    pod.inFlight = 0;
  }
}
