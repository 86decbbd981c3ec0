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
  /** The runtimes of the pod's earlier (OOM-killed) containers: their counters still count in totals. */
  readonly priorRuntimes: PodRuntime[] = [];
  runtime!: PodRuntime;
  constructor(
    readonly index: number,
    readonly createdNs: number,
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

/**
 * A Deployment (one ReplicaSet) behind a Service. Pods go Pending → Running (startupS) → Ready
 * (readinessDelayS); scaling down deletes pods in the ReplicaSet controller's order (not running
 * first, then not ready, then the most recently ready, then the newest), which leave the Service at
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
      // controller.ActivePods order: not running < running; not ready < ready; ready for less time <
      // longer; newer < older. The first ones are deleted.
      const victims = active.slice().sort((a, b) => {
        if (a.running !== b.running) return a.running ? 1 : -1;
        if (a.ready !== b.ready) return a.ready ? 1 : -1;
        if (a.ready && a.readyNs !== b.readyNs) return b.readyNs - a.readyNs;
        return b.createdNs - a.createdNs || b.index - a.index;
      });
      for (const pod of victims.slice(0, active.length - n)) this.deletePod(pod);
    }
  }

  private createPod(): ClusterPod {
    const pod = new ClusterPod(this.pods.length, this.sim.now);
    this.pods.push(pod);
    this.startContainer(pod);
    return pod;
  }

  /** A new container process (its own Go runtime) for the pod; the previous one's callbacks go stale. */
  private startContainer(pod: ClusterPod): void {
    const gen = pod.generation;
    pod.containerStartNs = this.sim.now;
    if (pod.runtime !== undefined) pod.priorRuntimes.push(pod.runtime);
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
