import { type Autoscaler, autoscalerSpec, createAutoscaler, pipelineNeeds } from '../autoscaler/autoscaler.js';
import { ClusterAutoscaler } from '../cluster/cluster-autoscaler.js';
import { Deployment, type ServiceSink } from '../cluster/deployment.js';
import { MetricsPipelineModel } from '../cluster/metrics-pipeline.js';
import { NodeCpus } from '../cluster/node-cpu.js';
import type { KeyedStream, RandomStreams } from '../engine/random.js';
import type { Simulation } from '../engine/simulation.js';
import type { WindowEngines } from '../parallel/pod-engines.js';
import type { CpuShare } from '../runtime/gmp/cpu.js';
import { GmpPod } from '../runtime/gmp/pod.js';
import { GMP_COLUMNS } from '../runtime/gmp/report.js';
import { IdealFifoPod } from '../runtime/ideal-fifo.js';
import type { Column, CompletionSink, PodRuntime, RuntimeSettings } from '../runtime/pod-runtime.js';
import { Warmup } from '../runtime/warmup.js';
import type { TimelineEvent } from '../scenario/cluster-schema.js';
import type { Runtime, Scenario, Step } from '../scenario/schema.js';
import { type PodService, ServiceWorld } from '../service/calls.js';
import type { RequestTable } from '../workload/requests.js';
import { type NetworkFaultState, PodNetwork, snap } from './faults.js';

/**
 * A windowed run's pods: on engines of this thread (`sim`), or on worker threads (`remotePod`: a view of
 * pod k's runtime, which a worker builds with `podRuntime` from the same inputs).
 */
export type FleetEngines = WindowEngines & {
  sim?(k: number): Simulation;
  remotePod?(k: number, rt: Runtime, initial: boolean): PodRuntime;
};

/** The most Ps a container may ever have from a live timeline change of GOMAXPROCS (0: none). */
export function liveMaxProcsOf(scenario: Scenario): number {
  return Math.max(
    0,
    ...scenario.timeline.flatMap((e) =>
      e.type === 'runtime' && e.gomaxprocs !== undefined && e.gomaxprocsApplies === 'running-containers'
        ? [e.gomaxprocs]
        : [],
    ),
  );
}

/** What pod k's Go runtime is built from (PodFleet on this thread, a pod worker on its own). */
export interface PodRuntimeInputs {
  sim: Simulation;
  requests: RequestTable;
  /** The runtime settings now (the timeline may have changed them since the run began). */
  rt: Runtime;
  steps: readonly Step[];
  /** The run's streams: pod 0 draws from them, pod k from its entity's ("pod-k"). */
  rng: RandomStreams;
  network: PodNetwork;
  cpu: { slowdown: number };
  service: PodService | undefined;
  cpuShare: CpuShare | undefined;
  warmup: Warmup | undefined;
  maxProcs: number;
}

/** Pod k's runtime (one container's Go process), by the scenario's scheduler. */
export function podRuntime(k: number, x: PodRuntimeInputs, sink: CompletionSink): PodRuntime {
  const r = k === 0 ? x.rng : x.rng.forEntity(`pod-${k}`);
  return x.rt.scheduler === 'ideal-fifo'
    ? new IdealFifoPod(x.sim, x.requests, x.rt.gomaxprocs, sink)
    : new GmpPod(
        x.sim,
        x.requests,
        x.rt,
        x.steps,
        r,
        sink,
        x.network,
        x.cpu,
        x.service,
        x.cpuShare,
        x.warmup,
        x.maxProcs,
      );
}

/**
 * The pods of a run and what drives their number: the Deployment (with its Service), the metrics
 * pipeline and, when the scenario has one, the HPA. Also the sums over pods the run's metrics need.
 * Pod 0 draws from the run's own random streams (a one-pod run is the single-pod model exactly);
 * pod k's scheduler from its own entity's streams ("pod-k"); request work from keyed streams that do
 * not depend on the pod (common random numbers).
 */
export class PodFleet {
  readonly deployment: Deployment;
  readonly metrics: MetricsPipelineModel;
  /** The autoscaler (an HPA, a KEDA ScaledObject with its HPA, or the density controller), if any. */
  readonly autoscaler: Autoscaler | undefined;
  readonly gomaxprocs: number;
  /** The cluster-autoscaler on the node pool, if the scenario has one. */
  readonly nodeAutoscaler: ClusterAutoscaler | undefined;
  /** What all-pods faults do to every pod's network now: a pod started during them begins with it. */
  readonly network: NetworkFaultState = { extraNs: 0, jitterNs: 0, lossFraction: 0 };
  /** Network jitter draws, keyed by (request, step): the same whichever pod serves the request. */
  private readonly jitter: KeyedStream;
  /** CPU work takes this many times as long in every pod (all-pods noisy-neighbour faults). */
  readonly cpu = { slowdown: 1 };
  /** CPUs of each node a pod runs on (runtime.hostCpus). */
  readonly hostCpus: number;
  /** Dependencies, pools, breakers, deadline and limiter, when the scenario declares any (service/calls.ts). */
  readonly service: ServiceWorld | undefined;
  /** Per pod index: its network and CPU as the faults left them (kept across its container restarts). */
  private readonly podNet: PodNetwork[] = [];
  private readonly podCpu: { slowdown: number }[] = [];
  /**
   * The nodes' cores under the pods' threads: a pod never has more threads on a CPU than its node has
   * cores (runtime.hostCpus). With cluster.nodeCpuSharing the pods on one node compete for them; without,
   * each pod is alone on a node of its own.
   */
  readonly nodeCpus: NodeCpus;

  /** Pod k's network state (created from the all-pods state when its first container starts). */
  podNetwork(k: number): PodNetwork {
    this.podNet[k] ??= new PodNetwork(this.network, this.jitter);
    return this.podNet[k];
  }

  /** Every pod's network state made so far. */
  podNetworks(): PodNetwork[] {
    return this.podNet.filter((n) => n !== undefined);
  }

  /** Indices of the pods whose CPU state exists (their container started at least once). */
  podIndices(): number[] {
    return this.podCpu.flatMap((c, k) => (c !== undefined ? [k] : []));
  }

  private podCpuOf(k: number): { slowdown: number } {
    this.podCpu[k] ??= { slowdown: this.cpu.slowdown };
    return this.podCpu[k];
  }

  /** Pod k's CPU work takes `factor` times as long from now on (bursts already running stretch or shrink). */
  scalePodCpu(k: number, factor: number): void {
    const c = this.podCpuOf(k);
    c.slowdown = snap(c.slowdown * factor);
    const pod = this.deployment.pods[k];
    if (pod && !pod.gone) pod.runtime.cpuSlowdownChanged?.();
  }
  /** The runtime settings a container started now gets (the scenario's, as the timeline changed them). */
  private rt: Runtime;

  /**
   * A timeline `runtime` event: every running container's Go runtime takes the new GOGC / GOMEMLIMIT
   * (debug.SetGCPercent, debug.SetMemoryLimit) and, with gomaxprocsApplies running-containers, the new
   * GOMAXPROCS (runtime.GOMAXPROCS: procresize.ts); containers started from now on get every new setting.
   */
  applyRuntimeSettings(e: Extract<TimelineEvent, { type: 'runtime' }>): void {
    const gogc = e.gc?.gogc;
    const limitMB = e.gc?.memoryLimitMB;
    this.rt = {
      ...this.rt,
      ...(e.gomaxprocs !== undefined ? { gomaxprocs: e.gomaxprocs } : {}),
      gc: {
        ...this.rt.gc,
        ...(gogc !== undefined ? { gogc } : {}),
        ...(limitMB !== undefined ? { memoryLimitMB: limitMB } : {}),
      },
    };
    const live = e.gomaxprocs !== undefined && e.gomaxprocsApplies === 'running-containers';
    const s: RuntimeSettings = {
      ...(live ? { gomaxprocs: e.gomaxprocs } : {}),
      ...(gogc !== undefined ? { gogc: gogc === 'off' ? -1 : gogc } : {}),
      ...(limitMB !== undefined ? { memoryLimitBytes: limitMB * 1024 * 1024 } : {}),
    };
    for (const p of this.deployment.pods) if (!p.gone) p.runtime.applySettings?.(s);
  }

  /** The runtime's own time-series columns (names and kinds; each pod reads its own). */
  readonly columns: readonly Pick<Column<unknown>, 'name' | 'kind'>[];

  constructor(
    sim: Simulation,
    scenario: Scenario,
    rng: RandomStreams,
    requests: RequestTable,
    sink: ServiceSink,
    /** Told of each container's runtime as it starts (a trace attaches to it); absent: nobody is. */
    onRuntime?: (podIndex: number, runtime: PodRuntime) => void,
    /** Each pod on an engine of its own, advanced between barriers (a windowed run); absent: all on `sim`. */
    engines?: FleetEngines,
  ) {
    /** The engine pod k's runtime runs on. */
    const podSim = (k: number): Simulation => (engines?.sim ? engines.sim(k) : sim);
    this.jitter = rng.keyed('fault.network-jitter');
    this.rt = scenario.runtime;
    const rt = this.rt;
    const steps = scenario.workload.request.steps;
    this.gomaxprocs = rt.gomaxprocs;
    this.hostCpus = rt.hostCpus;
    const sv = scenario.service;
    const world =
      Object.keys(scenario.dependencies).length > 0 || sv.limiter !== undefined || sv.requestTimeoutMs !== undefined
        ? new ServiceWorld(sim, scenario.dependencies, sv, rng, this.network)
        : undefined;
    this.service = world;
    const cl = scenario.cluster;
    // A pod on a node of its own (unlimited nodes, count 0, or sharing off) has its node key k.
    const shareNodes = cl.nodeCpuSharing && cl.nodes.count > 0;
    this.nodeCpus = new NodeCpus(sim, rt.hostCpus, Math.round(cl.pod.cpuRequestCores * 1000), (k) =>
      shareNodes ? this.deployment.pods[k]!.node : k,
    );
    const nodeCpus = this.nodeCpus;
    // The most Ps a container may ever have: its GOMAXPROCS at start, or more from a live timeline change.
    const liveMaxProcs = liveMaxProcsOf(scenario);
    // Alone on a node whose cores outnumber its Ps, a pod can never be held back: it skips the node's
    // bookkeeping (the same results, no cost per burst).
    const cpuShare = (k: number, procs: number) =>
      cl.nodeCpuSharing || Math.max(procs, liveMaxProcs) > rt.hostCpus ? nodeCpus.forPod(k) : undefined;
    const wcfg = cl.pod.warmup;
    // Containers made while the Deployment is being built are the initial replicas, Ready since before
    // the run: warm. Every later one (scale-out, restart, rollout) starts cold.
    const warmup = (k: number): Warmup | undefined =>
      wcfg && new Warmup(wcfg, podSim(k), () => this.deployment.pods[k]!.readyNs, this.deployment === undefined);
    this.deployment = new Deployment(
      sim,
      scenario.cluster,
      (k, podSink): PodRuntime => {
        const now = this.rt; // the timeline may have changed the settings since the run began
        // A pod on a worker thread: built there from the same inputs (pod-threads.ts), seen here through a view.
        const pod = engines?.remotePod
          ? engines.remotePod(k, now, this.deployment === undefined)
          : now.scheduler === 'ideal-fifo'
            ? new IdealFifoPod(podSim(k), requests, now.gomaxprocs, podSink)
            : podRuntime(
                k,
                {
                  sim: podSim(k),
                  requests,
                  rt: now,
                  steps,
                  rng,
                  network: this.podNetwork(k),
                  cpu: this.podCpuOf(k),
                  service: world?.podService(requests),
                  cpuShare: cpuShare(k, now.gomaxprocs),
                  warmup: warmup(k),
                  maxProcs: Math.max(now.gomaxprocs, liveMaxProcs),
                },
                podSink,
              );
        onRuntime?.(k, pod);
        return pod;
      },
      sink,
      rng.stream('service.load-balancer'),
      rng.stream('cluster.pod-uid'),
      rng.stream('kubelet.prober'),
      engines,
    );
    engines?.attach(this.deployment);
    const ca = scenario.cluster.nodes.autoscaler;
    this.nodeAutoscaler = ca ? new ClusterAutoscaler(sim, ca, this.deployment) : undefined;
    const probe = this.deployment.pods[0]?.runtime;
    this.columns = probe?.columns ?? (rt.scheduler === 'gmp' ? GMP_COLUMNS : []);
    const scaler = autoscalerSpec(scenario);
    // Metrics a timeline edit switches the HPA to must be kept from the start, as the initial ones are.
    const later = scenario.timeline.flatMap((e) => (e.type === 'hpa' && e.metrics ? e.metrics : []));
    const needs = pipelineNeeds(
      scaler?.kind === 'hpa' && later.length > 0
        ? { kind: 'hpa', spec: { ...scaler.spec, metrics: [...scaler.spec.metrics, ...later] } }
        : scaler,
    );
    this.metrics = new MetricsPipelineModel(sim, scenario.metricsPipeline, this.deployment, needs);
    const clockStartMs = Date.parse(scenario.clockStart);
    const ctx = { sim, deployment: this.deployment, metrics: this.metrics, cluster: scenario.cluster, clockStartMs };
    this.autoscaler = scaler ? createAutoscaler(scaler, ctx) : undefined;
  }

  /** The first pod's runtime (schedtrace, --trace and the gmp summary describe it). */
  get pod0(): PodRuntime | undefined {
    return this.deployment.pods[0]?.runtime;
  }

  /** ∫ running Ps dt over every pod that ever existed, P·ns. */
  busyIntegralNs(): number {
    let s = 0;
    for (const p of this.deployment.pods) s += p.priorBusyNs + p.runtime.busyIntegralNs();
    return s;
  }

  /**
   * Netpoll delay so far over every container that ran (a restarted container starts again from 0, so the
   * sum may step back; its reader clamps the per-interval difference at 0).
   */
  netpollDelay(): { taken: number; delayNs: number } {
    let taken = 0;
    let delayNs = 0;
    for (const p of this.deployment.pods) {
      const d = p.runtime.netpollDelay?.();
      if (d) {
        taken += d.taken;
        delayNs += d.delayNs;
      }
    }
    return { taken, delayNs };
  }

  runnable(): number {
    let s = 0;
    for (const p of this.deployment.pods) if (!p.gone) s += p.runtime.runnable();
    return s;
  }

  running(): number {
    let s = 0;
    for (const p of this.deployment.pods) if (!p.gone) s += p.runtime.running();
    return s;
  }

  /** The most goroutines in any live pod now. */
  maxGoroutinesPerPod(): number {
    let m = 0;
    for (const p of this.deployment.pods) if (!p.gone && p.running) m = Math.max(m, p.runtime.goroutines());
    return m;
  }

  /** Running pods now (started, not yet gone). */
  runningPods(): number {
    let n = 0;
    for (const p of this.deployment.pods) if (p.running && !p.gone) n++;
    return n;
  }

  /**
   * The runtime's sample columns summed over pods: gauges over live pods; counters over every container
   * that ever ran — an OOM-killed container's totals stay in them after its restart, as the pod's CPU
   * time does, so a rate taken from two samples never goes negative.
   */
  sample(): number[] {
    const cols = this.columns;
    const out = cols.map(() => 0);
    // Every pod notes its memory before any is read (each only changes itself, so the order of the two
    // makes no difference): a pod on a worker thread is then asked once per thread, not once per pod.
    for (const p of this.deployment.pods) if (p.runtime.columns) p.runtime.sampleStart?.();
    for (const p of this.deployment.pods) {
      const own = p.runtime.columns;
      if (!own) continue;
      for (let i = 0; i < out.length; i++) if (!p.gone || cols[i]!.kind === 'counter') out[i]! += own[i]!.read();
      for (const prior of p.priorRuntimes) {
        const cs = prior.columns!;
        for (let i = 0; i < out.length; i++) if (cols[i]!.kind === 'counter') out[i]! += cs[i]!.read();
      }
    }
    return out;
  }
}
