import type { Deployment, StartupSummary } from '../cluster/deployment.js';
import type { Regime } from '../explain/regimes.js';
import type { GmpSummary } from '../runtime/gmp/report.js';
import type { ServiceSummary } from '../service/calls.js';
import type { SteadyStateResult } from './steady-state.js';

/** The per-run summary written to summary.json: deterministic (no wall-clock values). */
export interface RunSummary {
  scenario: string;
  seed: number;
  durationS: number;
  warmupS: number;
  scheduler: string;
  gomaxprocs: number;
  goVersion: string;
  /**
   * When a windowed run was asked for (issue 24 item 6): whether it ran with each pod on its own engine
   * between barriers, how many engines, and if not every reason it could not (src/parallel/eligibility.ts).
   */
  parallel?: { windowed: boolean; podEngines?: number; notEligible?: string[] };
  /** Set when the simulated Go runtime died (e.g. the thread limit); the run stopped there. */
  fatal?: string;
  /** What the scenario asks of the pod, from its parameters (not measured). */
  offeredLoad: { arrivalRatePerS: number; meanCpuMs: number; cores: number; utilization: number };
  /** Logical requests (a retry is another attempt of the same request); attempts the caller gave up on. */
  requests: {
    timeouts: number;
    retries: number;
    /** Requests that failed for good: the last attempt timed out, was refused or was lost. */
    failed: number;
    /** Attempts the server completed after the caller had given up (wasted work). */
    wastedAttempts: number;
    arrived: number;
    arrivedAfterWarmup: number;
    completed: number;
    measured: number;
    inFlightAtEnd: number;
    /** With workload.client's retry-policy fields: attempts sent, first attempts and retries (offered load). */
    offered?: number;
  };
  /** Completions of measured requests per second of measured time. */
  throughputPerS: number;
  /** Response time (arrival to completion) of requests arriving after warm-up. */
  latencyMs: {
    mean: number;
    min: number;
    p50: number;
    p90: number;
    p95: number;
    p99: number;
    p999: number;
    max: number;
  };
  /** Time from arrival to first running. */
  waitMs: { mean: number; p50: number; p99: number };
  /** Time from first running to completion (the handler's own time: CPU, assists, preemption, blocking). */
  serviceMs: { mean: number; p50: number; p99: number };
  /** Histogram of the measured response times: `le` bounds in ms ("+Inf" last), cumulative counts, sum (ms). */
  latencyHistogramMs: { le: (number | '+Inf')[]; cumulativeCounts: number[]; count: number; sum: number };
  /** Busy Ps / (GOMAXPROCS × running pods) over the measured window. */
  utilization: number;
  /** The Deployment over the measured window: cost and losses. */
  cluster: {
    /** ∫ running pods dt (what the run costs). */
    podSeconds: number;
    replicasAtEnd: number;
    maxReplicas: number;
    /** Requests refused because no pod was Ready. */
    rejected: number;
    /** Requests lost with a pod killed at the end of its termination grace period. */
    killed: number;
    /** Containers OOM-killed (memory over runtime.memoryLimitMB) and the requests they took with them (whole run). */
    oomKills: number;
    oomLostRequests: number;
    /** The most goroutines any pod had at a sample time (measured window). */
    maxGoroutinesPerPod: number;
    /** With pod.startupPhases: time per start-up phase of the pods started during the run, image pulls. */
    startup?: StartupSummary;
    /** With probes: probes sent, timed out, failed; readiness losses; restarts by liveness and startup probes. */
    probes?: Deployment['probeStats'];
    /** Timeline rollouts: when each began and when every new replica was available (null: not by the end). */
    rollouts?: { atS: number; completedS: number | null }[];
    /** With nodes.autoscaler: nodes added and removed, the most nodes up at once, nodes at the end. */
    nodeAutoscaler?: { nodesAdded: number; nodesRemoved: number; maxNodes: number; nodesAtEnd: number };
  };
  /**
   * With a k6 executor (constant-vus, ramping-vus, ramping-arrival-rate): the most VUs, the iterations
   * (requests) started, those dropped because every VU was busy (k6 dropped_iterations), the client timeout.
   */
  loadGenerator?: {
    executor: string;
    maxVUs: number;
    iterations: number;
    droppedIterations: number;
    timeoutMs: number;
  };
  /**
   * Targeted chaos (a fault with a target, a newer fault type, or a steadyState): each fault with the pods it
   * hit at its start, responses lost to packet loss, and the steady-state hypothesis checked around each fault.
   */
  chaos?: {
    faults: { type: string; atS: number; target: string; started: boolean; pods: number[] }[];
    lostResponses: number;
    steadyState?: SteadyStateResult;
  };
  /** HPA activity (when the scenario has an hpa). */
  hpa?: { syncs: number; rescales: number; scaleUps: number; scaleDowns: number; directionReversals: number };
  /** GMP scheduler counters (scheduler: gmp only): the runtime's own block (runtime/gmp/report.ts). */
  gmp?: GmpSummary;
  /** Dependencies, pools, breakers, limiter (when the scenario declares any): service/calls.ts. */
  service?: ServiceSummary;
  engine: { events: number };
  /**
   * Present only when the run outgrew the in-memory bounds (sim/experiment.ts MAX_KEPT_ROWS, metrics/sample-log.ts
   * EXACT_SAMPLES): past exactSamples measured requests the latency, wait and service quantiles come from a
   * log-linear histogram (within 0.05 %); past keptRows samples, what reads the time series after the run
   * (regimes, the steady-state check, compare's totals) reads every seriesStride-th row. The files hold every row.
   */
  bounded?: { exactSamples: number; quantilesExact: boolean; keptRows: number; seriesStride: number };
  /**
   * The regimes the run fell into (arrivals above capacity, the syscall backlog, CFS throttling, mark
   * assist, pods not Ready, the HPA at its bounds…), each with its window and evidence: src/explain/regimes.ts.
   */
  regimes?: Regime[];
}

/** Columns of timeseries.csv (units in the names). */
export const SERIES_COLUMNS = [
  't_s',
  'arrivals_per_s',
  'completions_per_s',
  'in_flight',
  'runnable',
  'running',
  'utilization',
  'replicas_desired',
  'replicas_ready',
  'pods_pending',
  'latency_p50_ms',
  'latency_p99_ms',
] as const;
