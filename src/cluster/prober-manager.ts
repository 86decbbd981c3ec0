import type { RandomStream } from '../engine/random.js';
import type { Simulation } from '../engine/simulation.js';
import { sToNs } from '../engine/time.js';
import type { Probe } from '../scenario/cluster-schema.js';
import type { ClusterPod, ServiceSink } from './cluster-pod.js';
import { type ContainerView, PROBE_TYPES, type ProbeResult, ProbeWorker } from './prober.js';

/*
 * The kubelet's prober manager for the Deployment's pods (k/k pkg/kubelet/prober/prober_manager.go, and
 * worker.go's run loop): one worker per configured probe, its ticks on a time.Ticker grid, the HTTP GET
 * it sends to the pod (queued with the traffic), its timeout, and what the kubelet does with a result
 * (UpdatePodStatus: readiness; a restart on a failed liveness or startup probe). The decisions of one
 * worker are prober.ts's ProbeWorker.
 */

/** Probe counts for summary.json cluster.probes. */
export interface ProbeStats {
  sent: number;
  timeouts: number;
  failures: number;
  readinessLost: number;
  livenessRestarts: number;
  startupRestarts: number;
}

/** Counters at zero: a run's, before its first probe. */
export function newProbeStats(): ProbeStats {
  return { sent: 0, timeouts: 0, failures: 0, readinessLost: 0, livenessRestarts: 0, startupRestarts: 0 };
}

/** The pods the prober watches, and what the kubelet does to them on a probe's result. */
export interface ProbedPods {
  readonly pods: readonly ClusterPod[];
  /** Ready if started, readiness Success and the app listens (prober_manager.go UpdatePodStatus). */
  maybeReady(pod: ClusterPod): void;
  /** Readiness failed: out of the Service's endpoints. */
  notReady(pod: ClusterPod): void;
  /** A failed liveness or startup probe: the container is killed and restarted after back-off. */
  killContainer(pod: ClusterPod): void;
}

export class ProberManager {
  /** The workers, pod·3 + PROBE_TYPES index (undefined: that probe is not configured, or stopped). */
  private readonly workers: (ProbeWorker | undefined)[] = [];
  /** Per worker: its probe seq and whether one is outstanding; a tick during a probe is buffered (time.Ticker). */
  private readonly probeSeq: number[] = [];
  private readonly probeOut: boolean[] = [];
  private readonly probeMissed: boolean[] = [];
  /** Per request id: the worker + 1 whose probe it is (0: a client request). */
  private probeOf = new Int32Array(0);
  private readonly kProbeTick: number;
  private readonly kProbeTimeout: number;

  constructor(
    private readonly sim: Simulation,
    /** Probe specs by PROBE_TYPES index (undefined: that probe is not configured). */
    private readonly specs: readonly (Probe | undefined)[],
    private readonly sink: ServiceSink,
    private readonly owner: ProbedPods,
    readonly stats: ProbeStats,
  ) {
    this.kProbeTick = sim.registerKind('kubelet.probe-tick', (w) => this.probeTick(w));
    this.kProbeTimeout = sim.registerKind('kubelet.probe-timeout', (w, seq) => this.probeTimeout(w, seq));
  }

  /** Request `id` is a probe's (its completion goes to probeCompleted, not to the Service). */
  isProbe(id: number): boolean {
    return id < this.probeOf.length && this.probeOf[id]! > 0;
  }

  /**
   * The probe gates of Ready: started (startup probe Success, or none) and readiness Success (or none),
   * for the pod's current container — results belong to a container ID, and a new container has none
   * until its worker probes it.
   */
  readyGates(pod: ClusterPod): boolean {
    const w = pod.index * 3;
    const ok = (x: ProbeWorker | undefined) => !x || (x.containerId === pod.generation && x.result === 'Success');
    return ok(this.workers[w]) && ok(this.workers[w + 1]);
  }

  /**
   * One worker per configured probe, created when the kubelet gets the pod: it probes at once, then on a
   * time.Ticker grid of periodSeconds (worker.go run). Pods that exist before the run had their kubelet
   * tick at a random phase of the period, their container started and Ready long ago.
   */
  startProbeWorkers(pod: ClusterPod, rng: RandomStream | undefined, running: boolean): void {
    for (let t = 0; t < PROBE_TYPES.length; t++) {
      const spec = this.specs[t];
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
    const pod = this.owner.pods[Math.floor(w / 3)]!;
    if (!worker || pod.gone) return; // the worker stopped
    this.sim.schedule(sToNs(worker.spec.periodSeconds), this.kProbeTick, w);
    if (this.probeOut[w])
      this.probeMissed[w] = true; // doProbe still running: the tick waits in the channel
    else this.doProbe(w);
  }

  /** worker.go doProbe: the gates, then an HTTP GET to the pod — refused while the app does not listen. */
  private doProbe(w: number): void {
    const worker = this.workers[w]!;
    const pod = this.owner.pods[Math.floor(w / 3)]!;
    const action = worker.tick(this.containerView(pod));
    if (action === 'stop') {
      this.workers[w] = undefined;
      return;
    }
    if (action === 'skip') return;
    this.stats.sent++;
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
    this.stats.timeouts++;
    this.probeAnswered(w, 'Failure');
  }

  /** A probe's request completed on the pod: Success (a 200) or Failure (a 503 or 500) if the worker waits. */
  probeCompleted(id: number): void {
    const w = this.probeOf[id]! - 1;
    this.probeOf[id] = 0;
    // pkg/probe/http/http.go DoHTTPProbe: a status in [200, 400) is Success, anything else (a shed 503) Failure.
    const failed = this.sink.probeFailed?.(id) === true;
    this.sink.probeDone!(id);
    if (this.probeOut[w] && this.workers[w] && !this.owner.pods[Math.floor(w / 3)]!.gone)
      this.probeAnswered(w, failed ? 'Failure' : 'Success');
  }

  private probeAnswered(w: number, r: 'Success' | 'Failure'): void {
    this.probeOut[w] = false;
    if (this.workers[w]) this.probeResult(w, r);
    if (this.probeMissed[w] && this.workers[w] && !this.owner.pods[Math.floor(w / 3)]!.gone) {
      this.probeMissed[w] = false;
      this.doProbe(w);
    }
  }

  /** Count the result; when it sets the cached result, the kubelet acts on it. */
  private probeResult(w: number, r: 'Success' | 'Failure'): void {
    if (r === 'Failure') this.stats.failures++;
    const worker = this.workers[w]!;
    const set: ProbeResult | undefined = worker.record(r);
    if (set === undefined) return;
    const pod = this.owner.pods[Math.floor(w / 3)]!;
    if (pod.gone || pod.terminating) return;
    if (worker.containerId !== pod.generation || !pod.containerUp) return; // a result for a dead container
    switch (worker.type) {
      case 'readiness':
        if (set === 'Success') {
          this.owner.maybeReady(pod);
          return;
        }
        if (pod.ready) this.owner.notReady(pod);
        return;
      case 'startup':
        if (set === 'Success') {
          this.owner.maybeReady(pod);
          return;
        }
        this.stats.startupRestarts++;
        this.owner.killContainer(pod);
        return;
      case 'liveness':
        if (set === 'Success') return;
        this.stats.livenessRestarts++;
        this.owner.killContainer(pod); // "failed liveness probe, will be restarted"
        return;
      default: {
        const never: never = worker.type;
        throw new Error(`unknown probe type ${String(never)}`);
      }
    }
  }
}
