import type { RandomStream } from '../engine/random.js';
import type { Simulation } from '../engine/simulation.js';
import { sToNs } from '../engine/time.js';
import { COMPLETED, DRAINED } from '../parallel/pod-engines.js';
import { type Cluster, type StartupPhases, startupPhasesOf } from '../scenario/cluster-schema.js';
import {
  ClusterPod,
  type PodFactory,
  type PodPhase,
  type ServiceSink,
  STARTUP_PHASES,
  type StartupPhase,
  type StartupSummary,
} from './cluster-pod.js';
import { getPodsToDelete } from './controller-utils.js';
import { DeploymentController, type ReplicaSetState } from './deployment-controller.js';
import { type LoadBalancer, loadBalancer } from './load-balancer.js';
import { NodeImages, NodePool } from './nodes.js';
import { newProbeStats, ProberManager, type ProbeStats } from './prober-manager.js';
import { scale as scaleReplicaSets } from './sync.js';

export {
  ClusterPod,
  POD_PHASES,
  type PodFactory,
  type PodPhase,
  type ServiceSink,
  STARTUP_PHASES,
  type StartupSummary,
} from './cluster-pod.js';
export {
  activePodsLess,
  type DeletionCandidate,
  getPodsToDelete,
  logarithmicRankDiff,
  type RankedPod,
} from './controller-utils.js';
export type { ProbeStats } from './prober-manager.js';

/**
 * A windowed run's pods (src/parallel/pod-engines.ts): each pod on its own engine. The Deployment routes
 * ahead into them and records, on the pod's engine, what the cluster hears of at the next barrier.
 */
export interface PodWindows {
  /** The pods run on worker threads: the cluster's side of each request is kept here (pod-threads.ts). */
  readonly remote: boolean;
  deliver(podIndex: number, id: number, seq: number, tNs: number): void;
  record(podIndex: number, id: number, tag: number): void;
  /** A pod's Ready instant or terminating flag changed at a barrier (a worker's pod reads both). */
  podChanged?(pod: ClusterPod): void;
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
  /**
   * Requests refused because the chosen pod already had cluster.pod.maxInFlightRequests in flight: its
   * accept queue is full (a listen backlog overflow — the kernel refuses or drops the connection, and
   * the Service does not try another endpoint).
   */
  overloaded = 0;
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
  /** Start-up phases (pod.startupPhases), the node image caches and the phase-end event; absent = off. */
  private readonly phases: StartupPhases | undefined;
  readonly images: NodeImages | undefined;
  private readonly kPhase: number = -1;
  /** The kubelet's probes of the pods (prober-manager.ts); absent without probes. */
  private readonly prober: ProberManager | undefined;
  /** The Deployment controller: ReplicaSets and rolling updates (deployment-controller.ts). */
  private readonly controller: DeploymentController;

  get probesOn(): boolean {
    return this.prober !== undefined;
  }
  readonly probeStats: ProbeStats = newProbeStats();
  /** Rollouts: when each began and when its new ReplicaSet had every replica available (NaN: not yet). */
  get rollouts(): readonly { startNs: number; completeNs: number }[] {
    return this.controller.rollouts;
  }

  constructor(
    private readonly sim: Simulation,
    private readonly cfg: Cluster,
    private readonly factory: PodFactory,
    private readonly sink: ServiceSink,
    rng: RandomStream,
    /** Draws each new pod's UID (the deletion order's tie-break). */
    private readonly uidRng: RandomStream,
    proberRng?: RandomStream,
    /** Pods on engines of their own, advanced between barriers (a windowed run); absent: one engine. */
    private readonly windows?: PodWindows,
  ) {
    this.lb = loadBalancer(cfg.loadBalancer, rng);
    this.kRunning = sim.registerKind('cluster.pod-running', (p) => this.podRunning(p));
    this.kReady = sim.registerKind('cluster.pod-ready', (p, gen) => {
      if (this.pods[p]!.generation === gen) this.podReady(p);
    });
    this.kRestart = sim.registerKind('cluster.container-restart', (p) => this.restartContainer(p));
    this.kKill = sim.registerKind('cluster.pod-kill', (p) => this.kill(p));
    this.controller = new DeploymentController(sim, cfg, this);
    this.nodes = new NodePool(cfg.nodes.count, Math.round(cfg.nodes.allocatableCores * 1000));
    this.podMilli = Math.round(cfg.pod.cpuRequestCores * 1000);
    this.phases = startupPhasesOf(cfg.pod);
    const specs = [cfg.pod.startupProbe, cfg.pod.readinessProbe, cfg.pod.livenessProbe];
    if (specs.some((x) => x !== undefined)) {
      this.prober = new ProberManager(sim, specs, sink, this, this.probeStats);
    }
    if (this.phases) {
      this.images = new NodeImages(cfg.nodes.count);
      this.kPhase = sim.registerKind('cluster.pod-phase-end', (p, gen) => {
        if (this.pods[p]!.generation === gen) this.phaseEnd(this.pods[p]!);
      });
    }
    // The initial replicas that fit exist before the run starts: Running and Ready at time 0.
    for (let i = 0; i < cfg.replicas; i++) {
      const pod = this.createPod();
      pod.node = this.nodes.place(this.podMilli);
      if (pod.node < 0) {
        this.pending.push(pod);
        continue;
      }
      pod.runningNs = pod.readyNs = 0;
      pod.phase = 'Ready';
      this.images?.hold(pod.node);
      this.ready.push(pod.index);
      this.runningPods++;
      if (this.phases) {
        pod.containerUp = pod.listening = true;
        pod.containerRunningNs = -Infinity; // running since long before the run
      }
      this.prober?.startProbeWorkers(pod, proberRng, true);
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

  /** A pod's requests in flight, for the load balancer (made once: no closure per request). */
  private readonly inFlightOf = (p: number): number => this.pods[p]!.inFlight;

  /** The Service: send a request to a Ready pod; false if there is none or the chosen one is overloaded. */
  route(requestId: number): boolean {
    const p = this.pickReady();
    return p >= 0 && this.deliverNow(p, requestId);
  }

  /** The Service picks a Ready pod for an arrival (its index), or −1 if none is Ready (the arrival is rejected). */
  private pickReady(): number {
    this.arrivals++;
    const i = this.lb.pick(this.ready, this.inFlightOf);
    if (i < 0) {
      this.rejected++;
      return -1;
    }
    return this.ready[i]!;
  }

  /**
   * The Service in a windowed run: pick a Ready pod now (the same picks, in the same order, as `route`)
   * and send it request `id` (logical request `seq`) to arrive at tNs on the pod's engine, where the
   * accept-queue test is made (`deliverNow`). False if no pod is Ready.
   */
  routeAhead(requestId: number, seq: number, tNs: number): boolean {
    const p = this.pickReady();
    if (p < 0) return false;
    const w = this.windows!;
    w.deliver(p, requestId, seq, tNs);
    // On a worker thread the pod cannot write here: the request is the pod's until it is heard of.
    if (w.remote) this.servedBy(requestId, p);
    return true;
  }

  /** Request `id` is served by pod `p` (−1: by none), for kills (loseRequests). */
  private servedBy(requestId: number, p: number): void {
    if (requestId >= this.requestPod.length) {
      const g = new Int32Array(Math.max(requestId + 1, this.requestPod.length * 2)).fill(-1);
      g.set(this.requestPod);
      this.requestPod = g;
    }
    this.requestPod[requestId] = p;
  }

  /**
   * A windowed run's refusal at a pod on a worker thread, heard at the barrier: the pod's accept queue was
   * full (deliverNow's count, made on the worker). On this thread deliverNow counted it already.
   */
  refusedAtBarrier(requestId: number): void {
    if (!this.windows?.remote) return;
    this.overloaded++;
    this.requestPod[requestId] = -1;
  }

  /** A routed request reaches pod `p` (at once, or on its engine): accepted, or refused when its queue is full. */
  deliverNow(p: number, requestId: number): boolean {
    const pod = this.pods[p]!;
    if (pod.inFlight >= this.cfg.pod.maxInFlightRequests) {
      this.overloaded++;
      return false;
    }
    pod.inFlight++;
    this.servedBy(requestId, pod.index);
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

  /** `stopped`: the container already exited on the pod's own engine (a windowed run's drained pod). */
  private markGone(pod: ClusterPod, stopped = false): void {
    if (pod.running) {
      this.accruePodNs();
      this.runningPods--;
    }
    pod.gone = true;
    if (!stopped) pod.runtime.stop?.();
    if (this.controller.replicaSets) this.controller.queueSync();
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
    else this.bound(pod);
  }

  /** The pod has a node: its start-up begins (one delay, or the phases of pod.startupPhases). */
  private bound(pod: ClusterPod): void {
    if (this.phases) this.enterPhase(pod, 'Scheduling', this.phases.schedulingS);
    else this.sim.schedule(sToNs(this.cfg.pod.startupS), this.kRunning, pod.index);
  }

  /** Start-up phase `phase` begins now and lasts `durS`. */
  private enterPhase(pod: ClusterPod, phase: PodPhase, durS: number): void {
    this.recordPhase(pod);
    pod.phase = phase;
    this.sim.schedule(sToNs(durS), this.kPhase, pod.index, pod.generation);
  }

  /** The time spent in the phase now ending, on the pod's first start (restarts are not start-up). */
  private recordPhase(pod: ClusterPod): void {
    // Waiting for room (Pending) counts as scheduling.
    const i = pod.phase === 'Pending' ? 0 : STARTUP_PHASES.indexOf(pod.phase as StartupPhase);
    if (i >= 0 && pod.generation === 0 && pod.restarts === 0) {
      pod.startupS ??= new Float64Array(STARTUP_PHASES.length);
      pod.startupS[i]! += (this.sim.now - pod.phaseStartNs) / 1e9;
      if (pod.phase === 'Initializing') pod.startedUp = true;
    }
    pod.phaseStartNs = this.sim.now;
  }

  /** kubelet's syncPod order: image, init containers, app container, then the app initialises. */
  private phaseEnd(pod: ClusterPod): void {
    if (pod.gone || pod.terminating) return;
    const ph = this.phases!;
    switch (pod.phase) {
      case 'Scheduling': {
        this.prober?.startProbeWorkers(pod, undefined, false); // the kubelet has the pod
        const pullNs = sToNs(ph.imageSizeMB / this.cfg.nodes.imagePullMBps);
        const at = this.images!.acquire(pod.node, this.sim.now, pullNs, pod.revision); // a revision's own image
        this.recordPhase(pod);
        pod.phase = 'PullingImage';
        this.sim.scheduleAt(at, this.kPhase, pod.index, pod.generation);
        return;
      }
      case 'PullingImage':
        this.enterPhase(pod, 'Init', ph.initContainersS);
        return;
      case 'Init':
      case 'CrashLoopBackOff':
        this.enterPhase(pod, 'ContainerCreating', ph.processStartS);
        return;
      case 'ContainerCreating':
        if (!pod.running) {
          this.accruePodNs();
          this.runningPods++;
          pod.runningNs = this.sim.now;
        }
        pod.containerUp = true;
        pod.containerRunningNs = this.sim.now;
        this.enterPhase(pod, 'Initializing', ph.appInitializationS);
        return;
      case 'Initializing':
        pod.listening = true;
        this.maybeReady(pod);
        return;
      case 'Pending':
      case 'Ready':
      case 'NotReady':
      case 'Terminating':
        return; // no timed phase ends here
      default: {
        const never: never = pod.phase;
        throw new Error(`unknown pod phase ${String(never)}`);
      }
    }
  }

  /** Start-up over the pods created during the run that reached Ready: time per phase, and image pulls. */
  startupSummary(): StartupSummary | undefined {
    if (!this.phases) return undefined;
    const sum = new Float64Array(STARTUP_PHASES.length);
    const max = new Float64Array(STARTUP_PHASES.length);
    let pods = 0;
    for (const p of this.pods) {
      const d = p.startupS;
      if (!d || !p.startedUp) continue;
      pods++;
      for (let i = 0; i < d.length; i++) {
        sum[i]! += d[i]!;
        max[i] = Math.max(max[i]!, d[i]!);
      }
    }
    const byPhase = (a: Float64Array, f: number) => Object.fromEntries(STARTUP_PHASES.map((n, i) => [n, a[i]! * f]));
    let total = 0;
    for (const v of sum) total += v;
    return {
      podsStarted: pods,
      meanToReadyS: pods > 0 ? total / pods : 0,
      meanS: byPhase(sum, pods > 0 ? 1 / pods : 0),
      maxS: byPhase(max, 1),
      imagePulls: this.images!.pulls,
      imageCacheHits: this.images!.hits,
    };
  }

  /** Room appeared: Pending pods in creation order try again. */
  private schedulePending(): void {
    while (this.pending.length > 0) {
      const pod = this.pending[0]!;
      const node = this.nodes.place(this.podMilli);
      if (node < 0) return;
      this.pending.shift();
      pod.node = node;
      this.bound(pod);
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

  /**
   * `kubectl drain` (k8s.io/kubectl/pkg/drain: RunCordonOrUncordon, then DeleteOrEvictPods): the node is
   * cordoned, and every pod on it is evicted at once (evictPods runs one eviction per pod concurrently) —
   * each a graceful delete: out of the Service's endpoints now, its in-flight requests finish within
   * terminationGracePeriodS or are cut then. The ReplicaSet creates replacements at once, placed on other
   * nodes or Pending until room appears (a cluster autoscaler may add a node). No PodDisruptionBudget is
   * modelled: every eviction is allowed (the Eviction API's 429 never happens). Returns the evicted pods.
   */
  drainNode(node: number): number[] {
    this.nodes.setCordoned(node, true);
    const evicted = this.pods.filter((p) => !p.gone && !p.terminating && p.node === node);
    for (const pod of evicted) this.deletePod(pod);
    if (evicted.length > 0) {
      if (this.controller.replicaSets) for (const rs of this.controller.replicaSets) this.manageReplicas(rs);
      else this.scale(this.replicas);
    }
    return evicted.map((p) => p.index);
  }

  /** `kubectl uncordon`: the node takes pods again; Pending pods may go there. */
  uncordonNode(node: number): void {
    this.nodes.setCordoned(node, false);
    this.schedulePending();
  }

  /** A provisioned node joins the pool empty: Pending pods may be scheduled on it. */
  addNode(): void {
    this.nodes.add();
    this.schedulePending();
  }

  /** The cluster autoscaler removed an empty node. */
  removeNode(node: number): void {
    this.nodes.setUp(node, false);
    this.images?.clear(node);
  }

  /** The CPU request of one pod, millicores. */
  get podRequestMilli(): number {
    return this.podMilli;
  }

  /** The node is back, empty: Pending pods may be scheduled on it. */
  nodeUp(node: number): void {
    this.nodes.setUp(node, true);
    this.images?.clear(node);
    this.schedulePending();
  }

  /** Set spec.replicas (the HPA's scale subresource): create or delete pods to match. */
  scale(n: number): void {
    this.replicas = n;
    if (n > this.maxReplicasSeen) this.maxReplicasSeen = n;
    if (this.controller.replicaSets) {
      scaleReplicaSets(this.controller);
      return;
    }
    const active = this.pods.filter((p) => !p.terminating && !p.gone);
    if (active.length < n) {
      for (let k = active.length; k < n; k++) this.schedulePod(this.createPod());
    } else if (active.length > n) {
      for (const pod of getPodsToDelete(active, active.length - n, this.sim.now)) this.deletePod(pod);
    }
  }

  private createPod(revision = 0): ClusterPod {
    const pod = new ClusterPod(this.pods.length, this.sim.now, this.uidRng.int(2 ** 32));
    pod.revision = revision;
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
    this.oomLost += pod.inFlight;
    this.killContainer(pod);
  }

  /** The kubelet kills the container (OOM, failed liveness or startup probe) and restarts it after back-off. */
  killContainer(pod: ClusterPod): void {
    pod.restarts++;
    pod.generation++;
    pod.runtime.stop?.();
    pod.priorBusyNs += pod.runtime.busyIntegralNs();
    const i = this.ready.indexOf(pod.index);
    if (i >= 0) this.ready.splice(i, 1);
    if (!Number.isNaN(pod.readyNs)) pod.unreadyNs = this.sim.now;
    pod.readyNs = NaN;
    pod.containerUp = pod.listening = false;
    this.loseRequests(pod);
    if (this.sim.now - pod.containerStartNs >= sToNs(600)) pod.backoffS = 0;
    const delayS = pod.backoffS;
    pod.backoffS = pod.backoffS === 0 ? 10 : Math.min(300, pod.backoffS * 2);
    pod.phase = 'CrashLoopBackOff';
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
    if (this.phases) {
      this.enterPhase(pod, 'ContainerCreating', this.phases.processStartS);
      return;
    }
    this.sim.schedule(sToNs(this.cfg.pod.startupS + this.cfg.pod.readinessDelayS), this.kReady, p, pod.generation);
  }

  private completed(pod: ClusterPod, id: number): void {
    if (this.prober?.isProbe(id)) {
      this.prober.probeCompleted(id);
      return;
    }
    if (pod.gone) return; // a killed pod's requests were already reported lost
    this.requestPod[id] = -1;
    pod.inFlight--;
    pod.completed++;
    if (this.windows) {
      // On the pod's engine: the pod's own part now (a drained container exits now), the cluster's at the
      // barrier (completedAtBarrier), in the merged order.
      const drained = pod.terminating && pod.inFlight === 0;
      if (drained) pod.runtime.stop?.();
      this.windows.record(pod.index, id, drained ? DRAINED : COMPLETED);
      return;
    }
    this.sink.complete(id, pod.index);
    if (pod.terminating && pod.inFlight === 0) this.markGone(pod); // drained: the container exits
  }

  /** A windowed run's completion, heard at the barrier with the clock at its instant (`completed`'s rest). */
  completedAtBarrier(p: number, id: number, tag: typeof COMPLETED | typeof DRAINED): void {
    const pod = this.pods[p]!;
    if (this.windows?.remote) this.requestPod[id] = -1; // on this thread `completed` did it on the pod's engine
    this.sink.complete(id, pod.index);
    if (tag === DRAINED) this.markGone(pod, true);
  }

  private podRunning(p: number): void {
    const pod = this.pods[p]!;
    if (pod.terminating) return;
    this.accruePodNs();
    this.runningPods++;
    pod.runningNs = this.sim.now;
    pod.phase = 'Initializing';
    this.sim.schedule(sToNs(this.cfg.pod.readinessDelayS), this.kReady, p, pod.generation);
  }

  /**
   * Ready = started (startup probe Success, or none) and readiness Success (or none) — prober_manager.go
   * UpdatePodStatus; here also only once the app listens (application initialisation ended).
   */
  maybeReady(pod: ClusterPod): void {
    if (!pod.listening || pod.ready || pod.terminating || pod.gone) return;
    if (this.prober && !this.prober.readyGates(pod)) return;
    if (pod.phase === 'Initializing') this.recordPhase(pod);
    this.podReady(pod.index);
  }

  // ---- kubelet prober (pkg/kubelet/prober) ---------------------------------------------------------
  /** Readiness failed: the pod leaves the Service's endpoints but keeps its requests in flight. */
  notReady(pod: ClusterPod): void {
    const i = this.ready.indexOf(pod.index);
    if (i >= 0) this.ready.splice(i, 1);
    if (!Number.isNaN(pod.readyNs)) pod.unreadyNs = this.sim.now;
    pod.readyNs = NaN;
    pod.phase = 'NotReady';
    this.probeStats.readinessLost++;
    if (this.controller.replicaSets) this.controller.queueSync();
  }

  private podReady(p: number): void {
    const pod = this.pods[p]!;
    if (pod.terminating) return;
    pod.readyNs = this.sim.now;
    pod.phase = 'Ready';
    this.ready.push(p);
    this.windows?.podChanged?.(pod);
    if (this.controller.replicaSets) this.controller.podReady();
  }

  /** A new pod template (a timeline rollout): the Deployment controller rolls it out (rolling.go). */
  rollout(): void {
    this.controller.rollout();
  }

  /** The ReplicaSet controller's manageReplicas: create or delete the RS's pods to match its spec. */
  manageReplicas(rs: ReplicaSetState): void {
    const active = this.pods.filter((p) => !p.terminating && !p.gone && p.revision === rs.revision);
    if (active.length < rs.replicas) {
      for (let k = active.length; k < rs.replicas; k++) this.schedulePod(this.createPod(rs.revision));
    } else if (active.length > rs.replicas) {
      for (const pod of getPodsToDelete(active, active.length - rs.replicas, this.sim.now)) this.deletePod(pod);
    }
  }

  /** Marked for deletion and out of the Service's endpoints: no new requests reach it. */
  private leaveService(pod: ClusterPod): void {
    if (Number.isNaN(pod.deletedNs)) pod.deletedNs = this.sim.now;
    pod.phase = 'Terminating';
    const i = this.ready.indexOf(pod.index);
    if (i >= 0) this.ready.splice(i, 1);
    this.windows?.podChanged?.(pod);
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
    if (this.controller.replicaSets) this.manageReplicas(this.controller.replicaSets[pod.revision]!);
    else this.scale(this.replicas);
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
