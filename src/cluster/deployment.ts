import type { RandomStream } from '../engine/random.js';
import type { Simulation } from '../engine/simulation.js';
import { sToNs } from '../engine/time.js';
import type { CompletionSink, PodRuntime } from '../runtime/pod-runtime.js';
import { type Cluster, type Probe, type StartupPhases, startupPhasesOf } from '../scenario/cluster-schema.js';
import {
  maxSurge,
  newRSNewReplicas,
  proportionalScale,
  type RollingUpdate,
  type RsView,
  reconcileOldReplicaSets,
} from './deployment-util.js';
import { type LoadBalancer, loadBalancer } from './load-balancer.js';
import { NodeImages, NodePool } from './nodes.js';
import { type ContainerView, PROBE_TYPES, type ProbeResult, ProbeWorker } from './prober.js';

/**
 * Where a pod is (pods.csv's phase column): Pending (no node has room), then the start-up phases of
 * pod.startupPhases, Initializing (Running, not yet Ready), Ready, NotReady (a failing readiness
 * probe), CrashLoopBackOff (waiting to restart a container) and Terminating.
 */
export const POD_PHASES = [
  'Pending',
  'Scheduling',
  'PullingImage',
  'Init',
  'ContainerCreating',
  'Initializing',
  'Ready',
  'NotReady',
  'CrashLoopBackOff',
  'Terminating',
] as const;
export type PodPhase = (typeof POD_PHASES)[number];

/** The start-up phases whose durations the summary reports, in order. */
export const STARTUP_PHASES = ['Scheduling', 'PullingImage', 'Init', 'ContainerCreating', 'Initializing'] as const;
type StartupPhase = (typeof STARTUP_PHASES)[number];

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
  /** A request id for a kubelet probe (an HTTP GET to the pod, queued with the traffic); needed with probes. */
  probeRequest?(): number;
  /** The probe's request completed (in time or not): its id is free again. */
  probeDone?(requestId: number): void;
  /** Whether the probe's answer (read before probeDone) was an error: a 503 from the limiter, a 500. */
  probeFailed?(requestId: number): boolean;
}

/** One pod of the Deployment. Times are simulated ns; NaN = not (yet). */
export class ClusterPod {
  runningNs = NaN;
  readyNs = NaN;
  /** When it last lost readiness (readiness failed, or its container was killed); NaN: never. */
  unreadyNs = NaN;
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
  phase: PodPhase = 'Pending';
  /** With start-up phases: when the current phase began, and the first start's time in each phase, s. */
  phaseStartNs = 0;
  startupS: Float64Array | undefined;
  /** The ReplicaSet (Deployment revision) that owns it: 0 until the first rollout. */
  revision = 0;
  /** The first start reached Ready (startupS is complete). */
  startedUp = false;
  /** With phases: the current container is running (since containerRunningNs) and its app listens. */
  containerUp = false;
  containerRunningNs = NaN;
  listening = false;
  /** The runtimes of the pod's earlier (OOM-killed) containers: their counters still count in totals. */
  readonly priorRuntimes: PodRuntime[] = [];
  runtime!: PodRuntime;
  constructor(
    readonly index: number,
    readonly createdNs: number,
    /** metadata.uid as a number (drawn from the `cluster.pod-uid` stream at creation). */
    readonly uid: number,
  ) {
    this.phaseStartNs = createdNs;
  }
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
  /** Probe specs by PROBE_TYPES index (undefined: that probe is not configured), the workers (pod·3 + type). */
  private readonly probeSpecs: (Probe | undefined)[] | undefined;
  private readonly workers: (ProbeWorker | undefined)[] = [];
  /** Per worker: its probe seq and whether one is outstanding; a tick during a probe is buffered (time.Ticker). */
  private readonly probeSeq: number[] = [];
  private readonly probeOut: boolean[] = [];
  private readonly probeMissed: boolean[] = [];
  /** Per request id: the worker + 1 whose probe it is (0: a client request). */
  private probeOf = new Int32Array(0);
  private readonly kProbeTick: number = -1;
  private readonly kProbeTimeout: number = -1;
  /** ReplicaSets by revision, from the first rollout on (before it the one ReplicaSet is implicit). */
  private replicaSets: ReplicaSetState[] | undefined;
  private readonly kSync: number;
  private syncQueued = false;
  /** Rollouts: when each began and when its new ReplicaSet had every replica available (NaN: not yet). */
  readonly rollouts: { startNs: number; completeNs: number }[] = [];

  get probesOn(): boolean {
    return this.probeSpecs !== undefined;
  }
  readonly probeStats = {
    sent: 0,
    timeouts: 0,
    failures: 0,
    readinessLost: 0,
    livenessRestarts: 0,
    startupRestarts: 0,
  };

  constructor(
    private readonly sim: Simulation,
    private readonly cfg: Cluster,
    private readonly factory: PodFactory,
    private readonly sink: ServiceSink,
    rng: RandomStream,
    /** Draws each new pod's UID (the deletion order's tie-break). */
    private readonly uidRng: RandomStream,
    proberRng?: RandomStream,
  ) {
    this.lb = loadBalancer(cfg.loadBalancer, rng);
    this.kRunning = sim.registerKind('cluster.pod-running', (p) => this.podRunning(p));
    this.kReady = sim.registerKind('cluster.pod-ready', (p, gen) => {
      if (this.pods[p]!.generation === gen) this.podReady(p);
    });
    this.kRestart = sim.registerKind('cluster.container-restart', (p) => this.restartContainer(p));
    this.kKill = sim.registerKind('cluster.pod-kill', (p) => this.kill(p));
    this.kSync = sim.registerKind('deployment.sync', () => {
      this.syncQueued = false;
      this.syncDeployment();
    });
    this.nodes = new NodePool(cfg.nodes.count, Math.round(cfg.nodes.allocatableCores * 1000));
    this.podMilli = Math.round(cfg.pod.cpuRequestCores * 1000);
    this.phases = startupPhasesOf(cfg.pod);
    const specs = [cfg.pod.startupProbe, cfg.pod.readinessProbe, cfg.pod.livenessProbe];
    if (specs.some((x) => x !== undefined)) {
      this.probeSpecs = specs;
      this.kProbeTick = sim.registerKind('kubelet.probe-tick', (w) => this.probeTick(w));
      this.kProbeTimeout = sim.registerKind('kubelet.probe-timeout', (w, seq) => this.probeTimeout(w, seq));
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
      if (this.probeSpecs) this.startProbeWorkers(pod, proberRng, true);
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

  /** The Service: send a request to a Ready pod; false if there is none or the chosen one is overloaded. */
  route(requestId: number): boolean {
    this.arrivals++;
    const i = this.lb.pick(this.ready, (p) => this.pods[p]!.inFlight);
    if (i < 0) {
      this.rejected++;
      return false;
    }
    const pod = this.pods[this.ready[i]!]!;
    if (pod.inFlight >= this.cfg.pod.maxInFlightRequests) {
      this.overloaded++;
      return false;
    }
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
    if (this.replicaSets) this.queueSync();
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
        if (this.probeSpecs) this.startProbeWorkers(pod, undefined, false); // the kubelet has the pod
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
      if (this.replicaSets) for (const rs of this.replicaSets) this.manageReplicas(rs);
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
    if (this.replicaSets) {
      this.scaleReplicaSets();
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
  private killContainer(pod: ClusterPod): void {
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
    if (this.probeSpecs && id < this.probeOf.length && this.probeOf[id]! > 0) {
      this.probeCompleted(id);
      return;
    }
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
    pod.phase = 'Initializing';
    this.sim.schedule(sToNs(this.cfg.pod.readinessDelayS), this.kReady, p, pod.generation);
  }

  /**
   * Ready = started (startup probe Success, or none) and readiness Success (or none) — prober_manager.go
   * UpdatePodStatus; here also only once the app listens (application initialisation ended).
   */
  private maybeReady(pod: ClusterPod): void {
    if (!pod.listening || pod.ready || pod.terminating || pod.gone) return;
    if (this.probeSpecs) {
      const w = pod.index * 3;
      const startup = this.workers[w];
      const readiness = this.workers[w + 1];
      // Results belong to a container ID: the new container has none until its worker probes it.
      const ok = (x: ProbeWorker | undefined) => !x || (x.containerId === pod.generation && x.result === 'Success');
      if (!ok(startup) || !ok(readiness)) return;
    }
    if (pod.phase === 'Initializing') this.recordPhase(pod);
    this.podReady(pod.index);
  }

  // ---- kubelet prober (pkg/kubelet/prober) ---------------------------------------------------------

  /**
   * One worker per configured probe, created when the kubelet gets the pod: it probes at once, then on a
   * time.Ticker grid of periodSeconds (worker.go run). Pods that exist before the run had their kubelet
   * tick at a random phase of the period, their container started and Ready long ago.
   */
  private startProbeWorkers(pod: ClusterPod, rng: RandomStream | undefined, running: boolean): void {
    for (let t = 0; t < PROBE_TYPES.length; t++) {
      const spec = this.probeSpecs![t];
      if (!spec) continue;
      const w = pod.index * 3 + t;
      const worker = new ProbeWorker(PROBE_TYPES[t]!, spec);
      if (running) {
        worker.containerId = pod.generation;
        worker.result = 'Success';
      }
      this.workers[w] = worker;
      this.probeSeq[w] = 0;
      this.probeOut[w] = false;
      this.probeMissed[w] = false;
      const offsetNs = rng ? Math.floor(rng.next() * sToNs(spec.periodSeconds)) : 0;
      this.sim.schedule(offsetNs, this.kProbeTick, w);
    }
  }

  private containerView(pod: ClusterPod): ContainerView {
    return {
      containerId: Number.isNaN(pod.containerRunningNs) ? -1 : pod.generation,
      running: pod.containerUp,
      secondsSinceStart: Math.trunc((this.sim.now - pod.containerRunningNs) / 1e9),
      started: this.workers[pod.index * 3] === undefined || this.workers[pod.index * 3]!.result === 'Success',
      deleting: pod.terminating,
    };
  }

  private probeTick(w: number): void {
    const worker = this.workers[w];
    const pod = this.pods[Math.floor(w / 3)]!;
    if (!worker || pod.gone) return; // the worker stopped
    this.sim.schedule(sToNs(worker.spec.periodSeconds), this.kProbeTick, w);
    if (this.probeOut[w])
      this.probeMissed[w] = true; // doProbe still running: the tick waits in the channel
    else this.doProbe(w);
  }

  /** worker.go doProbe: the gates, then an HTTP GET to the pod — refused while the app does not listen. */
  private doProbe(w: number): void {
    const worker = this.workers[w]!;
    const pod = this.pods[Math.floor(w / 3)]!;
    const action = worker.tick(this.containerView(pod));
    if (action === 'stop') {
      this.workers[w] = undefined;
      return;
    }
    if (action === 'skip') return;
    this.probeStats.sent++;
    if (!pod.listening) {
      this.probeResult(w, 'Failure'); // connection refused
      return;
    }
    const id = this.sink.probeRequest!();
    if (id >= this.probeOf.length) {
      const g = new Int32Array(Math.max(id + 1, this.probeOf.length * 2, 64));
      g.set(this.probeOf);
      this.probeOf = g;
    }
    this.probeOf[id] = w + 1;
    this.probeOut[w] = true;
    const seq = ++this.probeSeq[w]!;
    this.sim.schedule(sToNs(worker.spec.timeoutSeconds), this.kProbeTimeout, w, seq);
    pod.runtime.accept(id);
  }

  private probeTimeout(w: number, seq: number): void {
    if (!this.probeOut[w] || this.probeSeq[w] !== seq) return; // answered in time
    this.probeStats.timeouts++;
    this.probeAnswered(w, 'Failure');
  }

  /** A probe's request completed on the pod: Success (a 200) or Failure (a 503 or 500) if the worker waits for it. */
  private probeCompleted(id: number): void {
    const w = this.probeOf[id]! - 1;
    this.probeOf[id] = 0;
    // pkg/probe/http/http.go DoHTTPProbe: a status in [200, 400) is Success, anything else (a shed 503) Failure.
    const failed = this.sink.probeFailed?.(id) === true;
    this.sink.probeDone!(id);
    if (this.probeOut[w] && this.workers[w] && !this.pods[Math.floor(w / 3)]!.gone)
      this.probeAnswered(w, failed ? 'Failure' : 'Success');
  }

  private probeAnswered(w: number, r: 'Success' | 'Failure'): void {
    this.probeOut[w] = false;
    if (this.workers[w]) this.probeResult(w, r);
    if (this.probeMissed[w] && this.workers[w] && !this.pods[Math.floor(w / 3)]!.gone) {
      this.probeMissed[w] = false;
      this.doProbe(w);
    }
  }

  /** Count the result; when it sets the cached result, the kubelet acts on it. */
  private probeResult(w: number, r: 'Success' | 'Failure'): void {
    if (r === 'Failure') this.probeStats.failures++;
    const worker = this.workers[w]!;
    const set: ProbeResult | undefined = worker.record(r);
    if (set === undefined) return;
    const pod = this.pods[Math.floor(w / 3)]!;
    if (pod.gone || pod.terminating) return;
    if (worker.containerId !== pod.generation || !pod.containerUp) return; // a result for a dead container
    switch (worker.type) {
      case 'readiness':
        if (set === 'Success') {
          this.maybeReady(pod);
          return;
        }
        if (pod.ready) this.notReady(pod);
        return;
      case 'startup':
        if (set === 'Success') {
          this.maybeReady(pod);
          return;
        }
        this.probeStats.startupRestarts++;
        this.killContainer(pod);
        return;
      case 'liveness':
        if (set === 'Success') return;
        this.probeStats.livenessRestarts++;
        this.killContainer(pod); // "failed liveness probe, will be restarted"
        return;
      default: {
        const never: never = worker.type;
        throw new Error(`unknown probe type ${String(never)}`);
      }
    }
  }

  /** Readiness failed: the pod leaves the Service's endpoints but keeps its requests in flight. */
  private notReady(pod: ClusterPod): void {
    const i = this.ready.indexOf(pod.index);
    if (i >= 0) this.ready.splice(i, 1);
    if (!Number.isNaN(pod.readyNs)) pod.unreadyNs = this.sim.now;
    pod.readyNs = NaN;
    pod.phase = 'NotReady';
    this.probeStats.readinessLost++;
    if (this.replicaSets) this.queueSync();
  }

  private podReady(p: number): void {
    const pod = this.pods[p]!;
    if (pod.terminating) return;
    pod.readyNs = this.sim.now;
    pod.phase = 'Ready';
    this.ready.push(p);
    if (this.replicaSets) {
      this.queueSync();
      // The ReplicaSet controller re-queues minReadySeconds + 1 s later to see the pod available.
      const min = this.cfg.minReadySeconds;
      if (min > 0) this.sim.schedule(sToNs(min + 1), this.kSync);
    }
  }

  // ---- Deployment controller: ReplicaSets and rolling updates (pkg/controller/deployment) -----------

  /**
   * A new pod template: a new ReplicaSet with 0 replicas, then rolloutRolling at each sync. The first
   * rollout makes the implicit ReplicaSet of revision 0 explicit, with the current replicas.
   */
  rollout(): void {
    const surge = maxSurge(this.replicas, this.ru);
    const annotate = (replicas: number): ReplicaSetState => ({
      revision: this.replicaSets?.length ?? 0,
      replicas,
      desiredAnnotation: this.replicas,
      maxReplicasAnnotation: this.replicas + surge,
    });
    this.replicaSets ??= [annotate(this.replicas)];
    this.replicaSets.push(annotate(0));
    this.rollouts.push({ startNs: this.sim.now, completeNs: NaN });
    this.queueSync();
  }

  private get ru(): RollingUpdate {
    return this.cfg.strategy.rollingUpdate;
  }

  private queueSync(): void {
    if (this.syncQueued) return;
    this.syncQueued = true;
    this.sim.schedule(0, this.kSync);
  }

  /** IsPodAvailable: Ready for at least minReadySeconds ([new] ≤). */
  private available(pod: ClusterPod): boolean {
    return pod.ready && this.sim.now - pod.readyNs >= sToNs(this.cfg.minReadySeconds);
  }

  private rsView(rs: ReplicaSetState): RsView {
    let available = 0;
    for (const p of this.pods) if (!p.gone && p.revision === rs.revision && this.available(p)) available++;
    return { replicas: rs.replicas, available, maxReplicasAnnotation: rs.maxReplicasAnnotation };
  }

  /**
   * syncDeployment for RollingUpdate: a scaling event (spec.replicas changed since the ReplicaSets were
   * annotated) resizes them proportionally (sync.go scale); otherwise rolloutRolling — grow the new
   * ReplicaSet within maxSurge, and if it did not grow, shrink the old ones within maxUnavailable.
   */
  private syncDeployment(): void {
    const rss = this.replicaSets;
    if (!rss) return;
    if (rss.some((rs) => rs.replicas > 0 && rs.desiredAnnotation !== this.replicas)) {
      this.scaleReplicaSets();
      return;
    }
    const newRS = rss.at(-1)!;
    const olds = rss.slice(0, -1);
    const all = rss.reduce((a, rs) => a + rs.replicas, 0);
    const n = newRSNewReplicas(this.replicas, all, newRS.replicas, maxSurge(this.replicas, this.ru));
    if (n !== newRS.replicas) {
      newRS.replicas = n;
      this.annotate(newRS);
      this.manageReplicas(newRS);
      this.queueSync(); // the ReplicaSet's update event brings the controller back at once
      return;
    }
    const next = reconcileOldReplicaSets(
      this.replicas,
      this.ru,
      this.rsView(newRS),
      olds.map((rs) => this.rsView(rs)),
    );
    olds.forEach((rs, i) => {
      if (next[i] === rs.replicas) return;
      rs.replicas = next[i]!;
      this.annotate(rs);
      this.manageReplicas(rs);
      this.queueSync();
    });
    const last = this.rollouts.at(-1);
    if (last && Number.isNaN(last.completeNs) && olds.every((rs) => rs.replicas === 0)) {
      if (this.rsView(newRS).available >= this.replicas) last.completeNs = this.sim.now;
    }
  }

  private annotate(rs: ReplicaSetState): void {
    rs.desiredAnnotation = this.replicas;
    rs.maxReplicasAnnotation = this.replicas + maxSurge(this.replicas, this.ru);
  }

  /**
   * sync.go scale(): one active ReplicaSet (or none: the newest) takes spec.replicas; a saturated new
   * ReplicaSet leaves the old ones at 0; otherwise the change is spread in proportion (GetProportion).
   */
  private scaleReplicaSets(): void {
    const rss = this.replicaSets!;
    const newRS = rss.at(-1)!;
    const active = rss.filter((rs) => rs.replicas > 0);
    if (active.length <= 1) {
      const target = active[0] ?? newRS;
      target.replicas = this.replicas;
    } else if (newRS.replicas === this.replicas && this.rsView(newRS).available === this.replicas) {
      for (const rs of rss) if (rs !== newRS) rs.replicas = 0; // IsSaturated
    } else {
      const newestFirst = active.slice().reverse();
      const sizes = proportionalScale(
        newestFirst.map((rs) => ({ ...this.rsView(rs), createdOrder: rs.revision })),
        this.replicas,
        maxSurge(this.replicas, this.ru),
      );
      for (const [i, rs] of newestFirst.entries()) rs.replicas = sizes[i]!;
    }
    for (const rs of rss) {
      this.annotate(rs);
      this.manageReplicas(rs);
    }
    this.queueSync();
  }

  /** The ReplicaSet controller's manageReplicas: create or delete the RS's pods to match its spec. */
  private manageReplicas(rs: ReplicaSetState): void {
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
    if (this.replicaSets) this.manageReplicas(this.replicaSets[pod.revision]!);
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

/** Start-up phase durations over the pods that started during the run (summary.json cluster.startup). */
export interface StartupSummary {
  podsStarted: number;
  meanToReadyS: number;
  meanS: Record<string, number>;
  maxS: Record<string, number>;
  imagePulls: number;
  imageCacheHits: number;
}

/** A ReplicaSet of the Deployment: its revision, spec.replicas and the Deployment controller's annotations. */
interface ReplicaSetState {
  revision: number;
  replicas: number;
  /** deployment.kubernetes.io/desired-replicas and max-replicas. */
  desiredAnnotation: number;
  maxReplicasAnnotation: number;
}
