import type { CompletionSink, PodRuntime } from '../runtime/pod-runtime.js';

/*
 * The Deployment's pods as the cluster sees them (core/v1 Pod: phase, node, conditions, container
 * restarts), what builds their Go runtimes, and where the Service reports their requests.
 */

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
export type StartupPhase = (typeof STARTUP_PHASES)[number];

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

/** Start-up phase durations over the pods that started during the run (summary.json cluster.startup). */
export interface StartupSummary {
  podsStarted: number;
  meanToReadyS: number;
  meanS: Record<string, number>;
  maxS: Record<string, number>;
  imagePulls: number;
  imageCacheHits: number;
}
