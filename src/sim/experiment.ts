import type { HpaDecisionRecord } from '../autoscaler/hpa/controller.js';
import { type KeyedStream, mixKey, RandomStreams } from '../engine/random.js';
import { Simulation } from '../engine/simulation.js';
import { msToNs, nsToMs, nsToS, sToNs } from '../engine/time.js';
import { detectRegimes } from '../explain/regimes.js';
import { Histogram } from '../metrics/histogram.js';
import { EXACT_SAMPLES, SampleLog } from '../metrics/sample-log.js';
import { type RowSink, TimeSeries } from '../metrics/time-series.js';
import {
  INELIGIBLE_REASONS,
  type OneThreadReason,
  type ParallelEligibility,
  parallelEligibility,
  threadEligibility,
} from '../parallel/eligibility.js';
import { COMPLETED, DRAINED, PodEngines, type WindowEngines } from '../parallel/pod-engines.js';
import type { HostInit } from '../parallel/pod-host.js';
import { type PodTransport, ThreadedPods } from '../parallel/pod-threads.js';
import { GoFatalError } from '../runtime/gmp/sched.js';
import type { Column, CompletionSink, PodRuntime } from '../runtime/pod-runtime.js';
import type { TraceDocument } from '../runtime/trace-events.js';
import { startupPhasesOf } from '../scenario/cluster-schema.js';
import type { Scenario } from '../scenario/schema.js';
import { serviceSummary } from '../service/calls.js';
import { type ArrivalProcess, arrivalProcess } from '../workload/arrivals.js';
import { type DurationSampler, durationSampler, stepsMeanCpuNs } from '../workload/distributions.js';
import { OUTCOME_OK, OUTCOME_SHED, RequestTable } from '../workload/requests.js';
import {
  arrivalRateMaxVUs,
  clientTimeoutMs,
  isClosedLoop,
  isK6Executor,
  VirtualUsers,
} from '../workload/virtual-users.js';
import { Clients, clientPolicySet } from './client.js';
import { chaosReported, FaultInjector } from './faults.js';
import { PodFleet } from './fleet.js';
import { chaosSummary, clusterSummary, hpaSummary } from './layer-summaries.js';
import { RunTrace, type RunTraceOptions } from './run-trace.js';
import { type RunSummary, SERIES_COLUMNS } from './summary.js';
import { scheduleTimeline } from './timeline.js';

/** The attempt number that keys a kubelet probe's draws: no client makes 2^20 attempts of one request. */
const PROBE_ATTEMPT = 1 << 20;

/** A windowed run's slices routed ahead of the one being heard (2: the hosts run one while it is heard). */
const PIPELINE_DEPTH = 2;
/**
 * A windowed run's slices per sample interval (the windows' usual length). More slices overlap more of
 * the coordinator's routing and hearing with the hosts' running, but each costs every pod a return to its
 * engine (~2-3 µs of cache misses a pod a slice). On 2 vCPUs a threaded run is bound by its total CPU,
 * and 2 slices made the fleet bench's 600 s with 2 workers slower, not faster (6.96-7.11 s wall against
 * 6.60-6.64 with 1; README, *Pipelined slices*), so 1: no pipelining unless asked for (slicesPerSample).
 * The same on every thread count, because a run that a Go fatal error ends hears the slices of its last
 * window before the failing one, so its files depend on the slice count (and must not on the threads).
 */
export const SLICES_PER_SAMPLE = 1;

/** Options that change what is observed, never what happens. */
export interface ExperimentOptions {
  /** Emit a schedtrace line every this many ms of simulated time (GODEBUG=schedtrace=N). */
  schedtraceMs?: number;
  /** With schedtrace: the per-P/M/G lines too (GODEBUG=scheddetail=1). */
  scheddetail?: boolean;
  /** Emit a gctrace line per GC cycle of the first pod (GODEBUG=gctrace=1). */
  gctrace?: boolean;
  /** Receives schedtrace and gctrace text; the model never prints. */
  onTrace?: (text: string) => void;
  /** Record a Chrome/Perfetto trace of the run (pods, runtimes, cluster) for simulated times in [startS, endS]. */
  trace?: RunTraceOptions;
  /** Every time-series and per-pod row as it is sampled (the CLI streams them to their files). */
  sinks?: { series?: RowSink; pods?: RowSink<number | string> };
  /**
   * Threads asked for (gmpsim run --threads): summary.parallel then says whether the run was windowed and,
   * if not, why. A scenario that qualifies (src/parallel/eligibility.ts) always runs windowed, whatever
   * the count, so the count never changes a result. With 2 or more and `podHosts`, the pods run on the
   * hosts it makes for that many threads (issue 24 item 6, step 3; the CLI's: this thread and N - 1 worker
   * threads, worker-transport.ts's podThreads); else the windows run on this thread.
   */
  threads?: number;
  /** Every pod on one engine even when the scenario qualifies for a windowed run (tests compare the two). */
  singleEngine?: boolean;
  /** A windowed run's pods run in this many groups, one after another (tests: results do not depend on it). */
  podGroups?: number;
  /**
   * A windowed run's slices per sample interval (default SLICES_PER_SAMPLE). Results do not depend on it,
   * except where a Go fatal error ends the run: then the records of its slice are not heard (bench, tests).
   */
  slicesPerSample?: number;
  /**
   * With `threads` of 2 or more and a scenario that qualifies: the pod hosts a windowed run's pods live on,
   * one per thread (src/parallel/worker-transport.ts spawns worker threads; tests pass hosts on this thread).
   * Absent: the windows run on this thread. Model code never starts a thread itself.
   */
  podHosts?: (init: HostInit, count: number) => PodTransport[];
}

/**
 * Samples whose rows a run keeps in memory: past this, the time series keeps every stride-th sample's row
 * (TimeSeries), the stride fixed before the run, so memory is flat in simulated time. Every row goes to the
 * sinks. 4,096 samples: 68 minutes at the default 1 s; no curated run has more. The per-pod series keeps
 * the same samples' rows, or none when a sink takes them (nothing reads them in memory then).
 */
export const MAX_KEPT_ROWS = 4096;

/** Everything a run produces; pure data, written to disk by report/ and printed by cli/. */
export interface RunResult {
  summary: RunSummary;
  series: TimeSeries;
  /**
   * One row per Running pod per sample: t_s, pod, ready, in_flight, goroutines, cpu_cores; with the pod
   * lifecycle features (pod.startupPhases) one row per live pod, and its phase.
   */
  podSeries: TimeSeries<number | string>;
  /** Every HPA sync (when the scenario has an hpa). */
  hpaDecisions?: HpaDecisionRecord[];
  /** Chrome Trace Event / Perfetto JSON document, when a trace was asked for. */
  trace?: TraceDocument;
}

/**
 * One run of one scenario with one seed: builds the model on a Simulation and advances it. Pure model
 * code (no I/O, no wall clock); `advanceTo` lets a caller run it in slices to show progress.
 */
export class Experiment implements CompletionSink {
  readonly sim = new Simulation();
  readonly endNs: number;
  private readonly warmupNs: number;
  private readonly requests: RequestTable;
  /** The pods, their Deployment, metrics pipeline and autoscaler. */
  readonly fleet: PodFleet;
  private readonly clients: Clients;
  private readonly faults: FaultInjector;
  /** Whether a response is lost (packet-loss faults): keyed by the attempt's draw key. */
  private readonly lossStream: KeyedStream | undefined;
  /** Responses lost to packet-loss faults. */
  private lostResponses = 0;
  /** The series has faults_active and errors_per_s, the summary a chaos block (chaosReported). */
  private readonly chaos: boolean;
  private failedAtLastSample = 0;
  private droppedAtLastSample = 0;
  /** A k6 executor drives the load: the series has vus, vus_busy and dropped_iterations_per_s. */
  private readonly k6: boolean;
  private readonly arrivals: ArrivalProcess;
  /** Closed-loop users (k6 constant-vus, ramping-vus), when the arrival process is one. */
  private readonly vus: VirtualUsers | undefined;
  /** ramping-arrival-rate: most iterations in flight (k6 maxVUs), those in flight now, those dropped. */
  private readonly rateMaxVUs: number;
  private rateBusy = 0;
  /** VUs ramping-arrival-rate has initialised: preAllocatedVUs, more as needed (k6's vus metric). */
  private rateAllocated = 0;
  private dropped = 0;
  private readonly cpuSteps: { sampler: DurationSampler; stream: KeyedStream }[];
  private readonly arrivalKind: number;
  private readonly sampleKind: number;
  private readonly sampleNs: number;
  /** The series keep every keepStride-th sample's rows (MAX_KEPT_ROWS); `sampleIndex` counts samples. */
  private readonly keepStride: number;
  private sampleIndex = 0;

  // Whole-run statistics (requests arriving at or after warm-up).
  private readonly latency: SampleLog;
  private readonly wait: SampleLog;
  private readonly service: SampleLog;
  private readonly latencyHist: Histogram;
  /** Overload refusals already accounted (Deployment.overloaded at the last refusal). */
  private overloadSeen = 0;
  private arrived = 0;
  private arrivedMeasured = 0;
  private completed = 0;
  private busyAtWarmup = 0;
  private podNsAtWarmup = 0;
  private rejectedMeasured = 0;
  private lostRequests = 0;
  private maxGoroutines = 0;
  /** Failed and shed requests (service/): their latency apart from the successes', and their counts. */
  private readonly failedLatency: SampleLog;
  private failedMeasured = 0;
  private shedMeasured = 0;
  /** The dependencies' own columns (fleet-wide, read once per sample), and their counters' last values. */
  private readonly depColumns: readonly Column<void>[];
  private lastDepCounters: number[] = [];

  // Per-interval statistics for the time series. Readable while the run goes (the playground charts
  // rows as they are appended); only this class appends.
  readonly series: TimeSeries;
  readonly podSeries: TimeSeries<number | string>;
  /** pods.csv has a phase column and rows for pods not yet Running. */
  private readonly podPhases: boolean;
  /** pods.csv has a revision column (the scenario rolls the Deployment). */
  private readonly podRevisions: boolean;
  /** CPU work of a probe on ideal-fifo (the mean request's; gmp runs the request's program). */
  private readonly probeWorkNs: number;
  private readonly podBusy: number[] = [];
  private readonly intervalLatency = new SampleLog();
  private readonly intervalHist: Histogram;
  private intervalArrivals = 0;
  /**
   * Per sample, for the explanations only (not written to timeseries.csv, whose columns stay as they were):
   * Gs netpoll made ready that an M took, per second, and their wait in ms per second (the GMP model).
   */
  private readonly explainColumns: readonly string[];
  private readonly explainRows: number[][] = [];
  private lastNetpoll = { taken: 0, delayNs: 0 };
  /** Attempts sent (first attempts and retries), in all and since the last sample (with a client policy). */
  private offered = 0;
  private intervalOffered = 0;
  /** With workload.client's retry-policy fields: the offered_per_s column and requests.offered. */
  private readonly clientPolicy: boolean;
  /** Requests whose final answer was an error or a 503 (whole run; the caller did not retry it). */
  private answeredErrors = 0;
  private intervalCompletions = 0;
  private lastSampleNs = 0;
  private lastBusy = 0;
  private lastPodNs = 0;
  private lastCounters: number[] = [];
  private readonly counterIdx: Set<number>;
  private fatal: string | undefined;
  private readonly tracer: RunTrace | undefined;
  /** A windowed run's pods, each on its own engine (the scenario qualifies), here or on worker threads. */
  private readonly engines: WindowEngines | undefined;
  /** Worker threads the windows run on besides this one (0: none), and why not when threads were asked but not used. */
  readonly workerThreads: number;
  readonly oneThreadReasons: readonly OneThreadReason[];
  /** Whether the scenario qualifies for a windowed run (each pod on its own engine between barriers). */
  readonly eligibility: ParallelEligibility;
  /** summary.parallel is written (threads were asked for). */
  private readonly reportParallel: boolean;
  /** A windowed run's next arrival (routed ahead, not an event on the coordinator's engine); +Inf: none. */
  private nextArrivalNs = Infinity;
  /** Where the windowed run's pods are (the last slice's end) and the grid its slices end on. */
  private windowFromNs = 0;
  private readonly sliceNs: number;
  /** Slices started while the one before was not yet heard (the pipelined ones; tests and the bench read it). */
  slicesAhead = 0;
  /** A windowed run's arrivals (each an event in the sequential run, counted as one here). */
  private arrivalsRouted = 0;
  /**
   * Completions need nothing but their latencies recorded: no trace, no packet loss, callers without
   * timeouts or retries (whose first arrival is then the attempt's). Set once the run is built.
   */
  private plainCompletions = false;
  /** The first arrival of the request `completedOk` records (see there). */
  private answeredArrivalNs = 0;
  /** The metrics pipeline keeps latency windows (an HPA on a latency metric). */
  private latencyObserved = true;

  constructor(
    readonly scenario: Scenario,
    readonly seed: number,
    options: ExperimentOptions = {},
  ) {
    const rng = new RandomStreams(seed);
    const exact = scenario.metrics.exactQuantileSamples ?? EXACT_SAMPLES;
    this.latency = new SampleLog(exact);
    this.wait = new SampleLog(exact);
    this.service = new SampleLog(exact);
    this.failedLatency = new SampleLog(exact);
    // The GMP model carries each request's work in its G programs; only ideal-fifo reads workNs.
    this.requests = new RequestTable(1024, scenario.runtime.scheduler === 'ideal-fifo');
    this.endNs = sToNs(scenario.durationS);
    this.warmupNs = sToNs(scenario.warmupS);
    this.sampleNs = msToNs(scenario.metrics.sampleIntervalMs);
    this.keepStride = Math.max(1, Math.ceil(Math.ceil(this.endNs / this.sampleNs) / MAX_KEPT_ROWS));
    this.arrivals = arrivalProcess(scenario.workload.arrival, rng.stream('arrivals'), scenario.durationS);
    // The run's logs take about one value per arrival after warm-up: their stores grow to that size at their
    // first growth (SampleLog.reserve; capped at exactQuantileSamples), six standard deviations of a Poisson
    // count spare.
    const expected = this.arrivals.ratePerS * (scenario.durationS - scenario.warmupS);
    if (expected > 0 && Number.isFinite(expected)) {
      const room = expected + 6 * Math.sqrt(expected) + 1024;
      for (const log of [this.latency, this.wait, this.service]) log.reserve(room);
    }
    const steps = scenario.workload.request.steps;
    // The loader guarantees cpu steps only for ideal-fifo; a request's service time is their sum.
    this.cpuSteps =
      scenario.runtime.scheduler === 'ideal-fifo'
        ? steps.map((st, i) => {
            const stream = rng.keyed(`request.steps[${i}]`);
            return {
              sampler: durationSampler((st as { cpu: Parameters<typeof durationSampler>[0] }).cpu, stream),
              stream,
            };
          })
        : [];
    const arrival = scenario.workload.arrival;
    const client = {
      ...scenario.workload.client,
      timeoutMs: clientTimeoutMs(arrival, scenario.workload.client.timeoutMs),
    };
    this.clients = new Clients(
      this.sim,
      client,
      (first, attempt, seq) => this.sendAttempt(first, attempt, seq),
      (id) => this.requests.arrivalNs[id]!,
      rng.keyed('client.retry-jitter'),
    );
    this.clientPolicy = clientPolicySet(client);
    this.explainColumns = scenario.runtime.scheduler === 'gmp' ? ['netpoll_ready_per_s', 'netpoll_delay_ms_per_s'] : [];
    const tracer = options.trace ? new RunTrace(this.sim, scenario, options.trace) : undefined;
    this.eligibility = parallelEligibility(scenario, { trace: !!options.trace });
    this.reportParallel = options.threads !== undefined;
    const windowed = this.eligibility.eligible && !options.singleEngine;
    this.oneThreadReasons = threadEligibility(options);
    const threads = options.threads ?? 1;
    const hosts =
      windowed && threads >= 2 && options.podHosts && this.oneThreadReasons.length === 0
        ? options.podHosts({ scenario, seed }, threads)
        : undefined;
    this.workerThreads = hosts?.filter((h) => !h.here).length ?? 0;
    // A windowed run's slices end on a grid: a sample interval in `slicesPerSample` (at least 1 ms each).
    const slices = options.slicesPerSample ?? SLICES_PER_SAMPLE;
    if (!Number.isInteger(slices) || slices < 1)
      throw new RangeError(`slicesPerSample: expected a whole number of 1 or more, found ${slices}`);
    this.sliceNs = Math.max(msToNs(1), Math.round(this.sampleNs / slices));
    this.engines = !windowed
      ? undefined
      : hosts
        ? new ThreadedPods(this.sim, scenario, this.requests, hosts)
        : new PodEngines(this.sim, options.podGroups);
    this.tracer = tracer;
    this.fleet = new PodFleet(
      this.sim,
      scenario,
      rng,
      this.requests,
      this,
      tracer ? (k, rt) => tracer.attach(k, rt) : undefined,
      this.engines,
    );
    this.rateMaxVUs = arrival.process === 'ramping-arrival-rate' ? arrivalRateMaxVUs(arrival) : Infinity;
    this.rateAllocated = arrival.process === 'ramping-arrival-rate' ? arrival.preAllocatedVUs : 0;
    this.vus = isClosedLoop(arrival)
      ? new VirtualUsers(this.sim, arrival, rng.keyed('client.think-time'), (seq) => this.onIteration(seq))
      : undefined;
    if (this.vus || arrival.process === 'ramping-arrival-rate') this.clients.onGiveUp = (seq) => this.requestEnded(seq);
    this.podPhases = startupPhasesOf(scenario.cluster.pod) !== undefined;
    this.podRevisions = scenario.timeline.some((e) => e.type === 'rollout');
    this.probeWorkNs = scenario.runtime.scheduler === 'ideal-fifo' ? meanCpuNs(scenario) : 0;
    this.podSeries = new TimeSeries<number | string>(
      [
        ...['t_s', 'pod', 'ready', 'in_flight', 'goroutines', 'cpu_cores'],
        ...(this.podPhases ? ['phase'] : []),
        ...(this.podRevisions ? ['revision'] : []),
      ],
      options.sinks?.pods ? 0 : this.keepStride,
      options.sinks?.pods,
    );
    this.faults = new FaultInjector(this.sim, scenario.faults, this.fleet, rng.keyed('fault.target'));
    this.chaos = chaosReported(scenario);
    this.k6 = isK6Executor(arrival);
    this.lossStream = scenario.faults.some((f) => f.type === 'packet-loss')
      ? rng.keyed('fault.packet-loss')
      : undefined;
    scheduleTimeline(this.sim, scenario.timeline, this.fleet);
    const pod0 = this.fleet.pod0;
    tracer?.start(this.fleet, () => ({ in_flight: this.requests.inFlight }));
    const cols = this.fleet.columns;
    this.depColumns = this.fleet.service?.columns() ?? [];
    this.counterIdx = new Set(cols.map((c, i) => (c.kind === 'counter' ? i : -1)).filter((i) => i >= 0));
    const bounds = scenario.metrics.latencyBucketsMs;
    this.latencyHist = new Histogram(bounds);
    this.intervalHist = new Histogram(bounds);
    this.series = new TimeSeries(
      [
        ...SERIES_COLUMNS,
        ...cols.map((c) => (c.kind === 'counter' ? `${c.name}_per_s` : c.name)),
        ...latencyBucketColumns(bounds),
        ...(this.fleet.nodeAutoscaler ? ['nodes', 'nodes_provisioning'] : []),
        ...this.depColumns.map((c) => (c.kind === 'counter' ? `${c.name}_per_s` : c.name)),
        ...(this.chaos ? ['faults_active', 'errors_per_s'] : []),
        ...(isK6Executor(arrival) ? ['vus', 'vus_busy', 'dropped_iterations_per_s'] : []),
        ...(this.clientPolicy ? ['offered_per_s'] : []),
      ],
      this.keepStride,
      options.sinks?.series,
    );
    this.lastCounters = cols.map(() => 0);
    this.lastDepCounters = this.depColumns.map(() => 0);
    if (options.schedtraceMs !== undefined && pod0?.schedtrace) {
      const every = msToNs(options.schedtraceMs);
      const traceKind = this.sim.registerKind('debug.schedtrace', () => {
        options.onTrace?.(pod0.schedtrace!(this.sim.now, options.scheddetail === true));
        if (this.sim.now + every <= this.endNs) this.sim.schedule(every, traceKind);
      });
      this.sim.scheduleAt(0, traceKind);
    }

    if (options.gctrace) pod0?.setGcTrace?.((line) => options.onTrace?.(line));

    this.arrivalKind = this.sim.registerKind('workload.arrival', () => this.onArrival());
    this.sampleKind = this.sim.registerKind('metrics.sample', () => this.onSample());
    const warmupKind = this.sim.registerKind('metrics.warmup-end', () => {
      this.busyAtWarmup = this.fleet.busyIntegralNs();
      this.podNsAtWarmup = this.fleet.deployment.podNsIntegral();
    });

    const first = this.arrivals.nextNs(0);
    if (this.engines) this.nextArrivalNs = first <= this.endNs ? first : Infinity;
    else if (first <= this.endNs) this.sim.scheduleAt(first, this.arrivalKind);
    this.sim.scheduleAt(Math.min(this.sampleNs, this.endNs), this.sampleKind);
    this.sim.scheduleAt(this.warmupNs, warmupKind);
    this.plainCompletions = !tracer && !this.lossStream && !this.clients.active;
    this.latencyObserved = this.fleet.metrics.observesLatency;
  }

  /** Run the simulation up to `tNs` (clamped to the scenario's end). A fatal Go error ends the run. */
  advanceTo(tNs: number): void {
    if (this.fatal !== undefined) return;
    try {
      if (this.engines) this.advanceWindowed(Math.min(tNs, this.endNs), this.engines);
      else this.sim.runUntil(Math.min(tNs, this.endNs));
    } catch (e) {
      if (!(e instanceof GoFatalError)) throw e;
      this.fatal = `${e.message} at ${nsToS(this.engines?.failedAtNs ?? this.sim.now).toFixed(6)} s`;
    }
  }

  /**
   * A windowed run up to `target`: window after window, each ending at the coordinator's next event (a
   * barrier: a sample, scrape, sync, lifecycle step, timeline event) or at `target`. In a window the
   * arrivals are routed ahead in their order (routing reads only the Ready set and the balancer's stream,
   * which change only at barriers), every pod's engine runs its events before the barrier, and what the
   * pods finished is heard in (time, pod, own order) with the clock at each one's instant; then the
   * barrier's events run. Arrivals at a barrier's instant come after its events, as in the sequential run.
   */
  private advanceWindowed(target: number, engines: WindowEngines): void {
    for (;;) {
      const tb = this.sim.peek();
      const barrier = tb <= target;
      const end = barrier ? tb : target;
      this.window(end, barrier, engines);
      if (!barrier) {
        this.sim.runUntil(target);
        return;
      }
      this.sim.runUntil(tb);
    }
  }

  /**
   * One window, up to `end` (a barrier's instant, or a slice end that is none), in slices that end on a
   * grid of `sliceNs` (a slice end is no barrier: the same files as one slice, as advanceTo's slices).
   * Pipelined: slice i + 1 is routed and started before slice i is heard, so on worker threads the hosts
   * run slice i + 1 while this thread hears slice i and routes slice i + 2. Exact because routing reads
   * only the Ready set and the balancer's stream, which change only at barriers, and hearing a completion
   * reads and writes no pod unless it drains one: a window with a pod draining (terminating, not gone)
   * runs one slice at a time (ThreadedPods throws if a pod is touched while a slice is in flight). On this
   * thread the slices run in the same order (PodEngines places a slice's arrivals when it runs it), so a
   * Go fatal error ends the run at the same slice, with the same arrivals routed, on any thread count
   * (PodHost's gate: no host runs a slice after one in which a pod failed).
   */
  private window(end: number, barrier: boolean, engines: WindowEngines): void {
    const grid = this.sliceNs;
    const depth = this.draining() ? 1 : PIPELINE_DEPTH;
    let from = this.windowFromNs;
    let inFlight = 0;
    let sent = false;
    for (;;) {
      while (!sent && inFlight < depth) {
        const edge = (Math.floor(from / grid) + 1) * grid;
        sent = edge >= end;
        const to = sent ? end : edge;
        // A barrier's own slice runs the pods' events before it; arrivals at its instant come after it.
        const through = !sent || !barrier;
        while (this.nextArrivalNs < to || (through && this.nextArrivalNs === to)) this.routeArrival();
        engines.start(through ? to : to - 1, to, sent || depth === 1);
        if (inFlight > 0) this.slicesAhead++;
        inFlight++;
        from = to;
      }
      if (inFlight === 0) break;
      engines.finish();
      inFlight--;
      engines.drain(this.heard);
    }
    this.windowFromNs = end;
  }

  /** A pod is draining (terminating, not gone): hearing its last completion stops it (markGone). */
  private draining(): boolean {
    for (const p of this.fleet.deployment.pods) if (p.terminating && !p.gone) return true;
    return false;
  }

  /** A windowed run's arrival: counted and routed ahead as `onArrival` would at its instant. */
  private routeArrival(): void {
    const now = this.nextArrivalNs;
    this.arrivalsRouted++;
    this.arrived++;
    this.intervalArrivals++;
    if (now >= this.warmupNs) this.arrivedMeasured++;
    this.sendAttempt(now, 0, this.arrived - 1, now);
    const gap = this.arrivals.gapNs;
    const next = gap !== undefined ? now + gap() : this.arrivals.nextNs(now);
    this.nextArrivalNs = next <= this.endNs ? next : Infinity;
  }

  /** What a pod's engine recorded, heard at the barrier with the coordinator's clock at its instant. */
  private readonly heard = (tNs: number, podIndex: number, id: number, tag: number): void => {
    this.sim.now = tNs;
    if (tag < 0) {
      this.fleet.deployment.completedAtBarrier(podIndex, id, tag === DRAINED ? DRAINED : COMPLETED);
      return;
    }
    // The pod's accept queue was full (Deployment.deliverNow counted it): the connection is refused.
    this.fleet.deployment.refusedAtBarrier(id);
    this.refused(id, this.requests.arrivalNs[id]!, 0, tag, tNs, true);
  };

  get done(): boolean {
    return this.fatal !== undefined || this.sim.now >= this.endNs;
  }

  /** End the run's worker threads, if it has any (finish does; a caller whose run threw must). */
  close(): void {
    this.engines?.close();
  }

  /** Run to the end and collect the results. */
  finish(): RunResult {
    let summary: RunSummary;
    try {
      this.advanceTo(this.endNs);
      summary = this.summarise();
    } finally {
      this.close();
    }
    const result: RunResult = { summary, series: this.series, podSeries: this.podSeries };
    if (this.fleet.autoscaler) result.hpaDecisions = [...this.fleet.autoscaler.decisions];
    // Explanations: the regimes the run fell into, read from its own outputs (src/explain/regimes.ts).
    const s = this.scenario;
    const explain = this.explainColumns.length > 0;
    result.summary.regimes = detectRegimes({
      columns: explain ? [...this.series.columns, ...this.explainColumns] : this.series.columns,
      rows: explain ? this.series.rows.map((r, i) => [...r, ...this.explainRows[i]!]) : this.series.rows,
      ...(result.hpaDecisions ? { hpa: result.hpaDecisions } : {}),
      ...(s.hpa ? { minReplicas: s.hpa.minReplicas, maxReplicas: s.hpa.maxReplicas } : {}),
      serviceP50Ms: result.summary.serviceMs.p50,
      gomaxprocs: s.runtime.gomaxprocs,
    });
    if (this.chaos) result.summary.chaos = chaosSummary(s, this.faults, this.lostResponses, this.series);
    if (this.tracer) result.trace = this.tracer.finish(result.hpaDecisions);
    // Only a run past the bounds says so (every curated run is within them, so their summaries are unchanged).
    const exact = [this.latency, this.wait, this.service, this.failedLatency].every((l) => l.exact);
    if (!exact || !this.series.complete) {
      result.summary.bounded = {
        exactSamples: this.latency.exactMax,
        quantilesExact: exact,
        keptRows: MAX_KEPT_ROWS,
        seriesStride: this.series.stride,
      };
    }
    return result;
  }

  complete(id: number, podIndex = 0): void {
    // The common case (no trace, no packet loss, callers without timeouts or retries, an OK answer): the
    // latencies are recorded at once, without asking the tracer, the loss stream and the callers.
    if (this.plainCompletions && this.requests.outcome[id] === OUTCOME_OK) {
      this.answeredArrivalNs = this.requests.arrivalNs[id]!;
      this.completedOk(id, podIndex);
      return;
    }
    const now = this.sim.now;
    this.tracer?.released(id);
    if (this.lossStream && this.clients.awaiting(id)) {
      const loss = this.fleet.podNetwork(podIndex).lossFraction;
      this.lossStream.seek(this.requests.drawKey[id]!, 0);
      if (loss > 0 && this.lossStream.next() < loss) {
        // The pod did the work; the response never reached the caller, who will time out.
        this.lostResponses++;
        this.clients.responseLost(id);
        this.requests.release(id);
        return;
      }
    }
    if (!this.clients.finished(id)) {
      this.requests.release(id); // the caller gave up on this attempt: wasted work
      return;
    }
    // Latency as the caller sees it: from the first attempt (retries included).
    const arrival = this.clients.firstArrivalNs(id);
    const outcome = this.requests.outcome[id];
    if (outcome !== OUTCOME_OK) {
      // An error response or a 503 from the limiter: the caller retries it if its policy says so (a new
      // attempt, paying every cost again); else it is the request's answer, its latency kept apart from the
      // successes', and a closed-loop user is free again.
      if (this.clients.retryAnswer(id, outcome === OUTCOME_SHED ? 'shed' : 'error')) {
        this.requests.release(id);
        return;
      }
      this.answeredErrors++;
      if (arrival >= this.warmupNs) {
        this.failedLatency.push(nsToMs(now - arrival));
        if (outcome === OUTCOME_SHED) this.shedMeasured++;
        else this.failedMeasured++;
      }
      if (this.clients.onGiveUp) this.requestEnded(this.clients.seqOf(id));
      this.requests.release(id);
      return;
    }
    this.answeredArrivalNs = arrival;
    this.completedOk(id, podIndex);
  }

  /**
   * Request `id` answered OK and its caller heard it (its first attempt at `answeredArrivalNs`, passed in a
   * field: a time past 2^31 ns passed to a call V8 does not inline becomes a new heap number each time).
   */
  private completedOk(id: number, podIndex: number): void {
    const now = this.sim.now;
    const arrival = this.answeredArrivalNs;
    const requests = this.requests;
    this.completed++;
    this.intervalCompletions++;
    const latencyMs = nsToMs(now - arrival);
    this.intervalLatency.push(latencyMs);
    if (this.latencyObserved) this.fleet.metrics.observeLatency(latencyMs, podIndex);
    // The run's and the interval's histograms have the same bounds: one search for both.
    const bucket = this.intervalHist.bucket(latencyMs);
    this.intervalHist.observeIn(bucket, latencyMs);
    if (this.clients.onGiveUp) this.requestEnded(this.clients.seqOf(id));
    if (arrival >= this.warmupNs) {
      this.latency.push(latencyMs);
      this.latencyHist.observeIn(bucket, latencyMs);
      const startNs = requests.startNs[id]!;
      this.wait.push(nsToMs(startNs - requests.arrivalNs[id]!));
      this.service.push(nsToMs(now - startNs));
    }
    requests.release(id);
  }

  /** Requests that ended in an error so far: the callers' give-ups and the final error answers (errors_per_s). */
  private errorsEnded(): number {
    return this.clients.failed + this.answeredErrors;
  }

  /** Probes sent so far: the key of each probe's draws. */
  private probesSent = 0;

  /** The first pod's runtime (what --schedtrace, --trace and the gmp summary describe). */
  get pod(): PodRuntime {
    return this.fleet.pod0!;
  }

  /** A kubelet probe's request: allocated like a client's, never counted as one. */
  probeRequest(): number {
    // Keyed apart from the clients' requests (their attempts count from 0): the n-th probe's own draws.
    return this.requests.alloc(this.sim.now, this.probeWorkNs, mixKey(this.probesSent++, PROBE_ATTEMPT));
  }

  probeFailed(id: number): boolean {
    return this.requests.outcome[id] !== OUTCOME_OK;
  }

  probeDone(id: number): void {
    this.requests.release(id);
  }

  lost(id: number): void {
    // Killed with its pod; the id stays allocated (the killed runtime may still hold it).
    this.tracer?.released(id);
    this.lostRequests++;
    this.clients.lost(id);
  }

  /** A k6 executor's logical request ended (answered or given up on): its VU is free again. */
  private requestEnded(seq: number): void {
    if (this.vus) this.vus.ended(seq);
    else this.rateBusy--;
  }

  /** A closed-loop user sends its next request (logical request `seq`, keyed by user and iteration). */
  private onIteration(seq: number): void {
    const now = this.sim.now;
    this.arrived++;
    this.intervalArrivals++;
    if (now >= this.warmupNs) this.arrivedMeasured++;
    this.sendAttempt(now, 0, seq);
  }

  private onArrival(): void {
    const now = this.sim.now;
    if (this.rateBusy >= this.rateMaxVUs) {
      // ramping-arrival-rate with every VU busy: k6 does not start the iteration (dropped_iterations).
      this.dropped++;
      const next = this.arrivals.nextNs(now);
      if (next <= this.endNs) this.sim.scheduleAt(next, this.arrivalKind);
      return;
    }
    if (this.rateMaxVUs !== Infinity) {
      this.rateBusy++;
      // k6 initialises VUs beyond preAllocatedVUs as iterations need them, up to maxVUs.
      if (this.rateBusy > this.rateAllocated) this.rateAllocated = this.rateBusy;
    }
    this.arrived++;
    this.intervalArrivals++;
    if (now >= this.warmupNs) this.arrivedMeasured++;
    this.sendAttempt(now, 0, this.arrived - 1);
    const next = this.arrivals.nextNs(now);
    if (next <= this.endNs) this.sim.scheduleAt(next, this.arrivalKind);
  }

  /**
   * Attempt `attempt` of logical request `seq` (arrival index), which the caller began at firstNs: to the
   * Service, or refused. Its work is keyed by (seq, attempt), so it is the same in every variant.
   */
  private sendAttempt(firstNs: number, attempt: number, seq: number, now = this.sim.now): void {
    this.offered++;
    this.intervalOffered++;
    const key = mixKey(seq, attempt);
    let work = 0;
    for (const c of this.cpuSteps) {
      c.stream.seek(key, 0);
      work += c.sampler.sampleNs();
    }
    const id = this.requests.alloc(now, work, key);
    // The flow is pending before routing: the pod may start the request's G at once.
    this.tracer?.routing(id);
    const deployment = this.fleet.deployment;
    if (this.engines ? deployment.routeAhead(id, seq, now) : deployment.route(id)) {
      this.tracer?.routed(id, seq, attempt);
      this.clients.started(id, firstNs, attempt, seq);
      return;
    }
    const overload = deployment.overloaded > this.overloadSeen;
    this.overloadSeen = deployment.overloaded;
    this.refused(id, firstNs, attempt, seq, now, overload);
  }

  /**
   * No Ready pod, or (`overload`) the chosen pod's accept queue is full: the connection is refused. Only
   * the first kind counts as rejected (cluster.rejected); the second is cluster.overloadRefused.
   */
  private refused(id: number, firstNs: number, attempt: number, seq: number, now: number, overload: boolean): void {
    this.tracer?.released(id);
    this.requests.release(id);
    if (!overload && now >= this.warmupNs) this.rejectedMeasured++;
    this.clients.failedAttempt(firstNs, attempt, seq, 'refused');
  }

  private onSample(): void {
    const now = this.sim.now;
    const dtS = nsToS(now - this.lastSampleNs);
    const busy = this.fleet.busyIntegralNs();
    const podNs = this.fleet.deployment.podNsIntegral();
    const [p50, p99] = this.intervalLatency.quantiles([0.5, 0.99]);
    this.series.append([
      nsToS(now),
      this.intervalArrivals / dtS,
      this.intervalCompletions / dtS,
      this.requests.inFlight,
      this.fleet.runnable(),
      this.fleet.running(),
      podNs > this.lastPodNs ? (busy - this.lastBusy) / ((podNs - this.lastPodNs) * this.fleet.gomaxprocs) : 0,
      this.fleet.deployment.replicas,
      this.fleet.deployment.readyCount(),
      this.fleet.deployment.pendingCount(),
      p50!,
      p99!,
      ...this.podSample(dtS),
      ...this.intervalHist.cumulative(),
      ...(this.fleet.nodeAutoscaler
        ? [this.fleet.deployment.nodes.upCount(), this.fleet.nodeAutoscaler.provisioning]
        : []),
      ...this.depSample(dtS),
      ...(this.chaos ? [this.faults.active, (this.errorsEnded() - this.failedAtLastSample) / dtS] : []),
      ...(this.k6
        ? [
            this.vus ? this.vus.vus : this.rateAllocated,
            this.vus ? this.vus.busy : this.rateBusy,
            (this.dropped - this.droppedAtLastSample) / dtS,
          ]
        : []),
      ...(this.clientPolicy ? [this.intervalOffered / dtS] : []),
    ]);
    this.failedAtLastSample = this.errorsEnded();
    if (this.explainColumns.length > 0) {
      const np = this.fleet.netpollDelay();
      const taken = Math.max(0, np.taken - this.lastNetpoll.taken);
      const delay = Math.max(0, np.delayNs - this.lastNetpoll.delayNs);
      // kept beside the series' own kept rows (every keepStride-th sample), row for row
      if (this.sampleIndex % this.keepStride === 0) this.explainRows.push([taken / dtS, delay / 1e6 / dtS]);
      this.lastNetpoll = np;
    }
    this.intervalOffered = 0;
    this.droppedAtLastSample = this.dropped;
    this.intervalLatency.clear();
    this.intervalHist.clear();
    this.intervalArrivals = 0;
    this.intervalCompletions = 0;
    this.lastSampleNs = now;
    this.lastBusy = busy;
    this.lastPodNs = podNs;
    if (now > this.warmupNs) this.maxGoroutines = Math.max(this.maxGoroutines, this.fleet.maxGoroutinesPerPod());
    this.samplePods(now, dtS);
    this.sampleIndex++;
    if (now < this.endNs) this.sim.scheduleAt(Math.min(now + this.sampleNs, this.endNs), this.sampleKind);
  }

  /** Per-pod rows for pods.csv: every pod that is Running and not gone (every live pod, with its phase). */
  private samplePods(now: number, dtS: number): void {
    for (const pod of this.fleet.deployment.pods) {
      if (pod.gone || (!pod.running && !this.podPhases)) continue;
      const busy = pod.runtime.busyIntegralNs();
      const cores = (busy - (this.podBusy[pod.index] ?? 0)) / 1e9 / dtS;
      this.podBusy[pod.index] = busy;
      const row: (number | string)[] = [
        nsToS(now),
        pod.index,
        pod.ready ? 1 : 0,
        pod.inFlight,
        pod.runtime.goroutines(),
        cores,
      ];
      if (this.podPhases) row.push(pod.phase);
      if (this.podRevisions) row.push(pod.revision);
      this.podSeries.append(row, this.sampleIndex);
    }
  }

  /** The dependencies' columns now: gauges as read, counters as rates over the interval. */
  private depSample(dtS: number): number[] {
    return this.depColumns.map((c, i) => {
      const x = c.read();
      if (c.kind === 'gauge') return x;
      const r = (x - this.lastDepCounters[i]!) / dtS;
      this.lastDepCounters[i] = x;
      return r;
    });
  }

  private podSample(dtS: number): number[] {
    const v = this.fleet.sample();
    return v.map((x, i) => {
      if (!this.counterIdx.has(i)) return x;
      const rate = (x - this.lastCounters[i]!) / dtS;
      this.lastCounters[i] = x;
      return rate;
    });
  }

  /** Events dispatched: the coordinator's and, in a windowed run, the pods' engines' (an arrival counts once). */
  private eventsProcessed(): number {
    const e = this.engines;
    return this.sim.eventsProcessed + (e ? e.eventsProcessed() - e.delivered + this.arrivalsRouted : 0);
  }

  /** summary.parallel: whether the run was windowed, and if not every reason why not. */
  private parallelSummary(): NonNullable<RunSummary['parallel']> {
    const el = this.eligibility;
    if (el.eligible && !this.engines) return { windowed: false, notEligible: ['one engine was asked for'] };
    return el.eligible
      ? { windowed: true, podEngines: this.fleet.deployment.pods.length }
      : { windowed: false, notEligible: el.reasons.map((r) => `${r}: ${INELIGIBLE_REASONS[r]}`) };
  }

  private summarise(): RunSummary {
    const s = this.scenario;
    const measuredS = s.durationS - s.warmupS;
    const [min, p50, p90, p95, p99, p999] = this.latency.quantiles([0, 0.5, 0.9, 0.95, 0.99, 0.999]);
    const [w50, w99] = this.wait.quantiles([0.5, 0.99]);
    const [s50, s99] = this.service.quantiles([0.5, 0.99]);
    const busy = this.fleet.busyIntegralNs() - this.busyAtWarmup;
    const podNs = this.fleet.deployment.podNsIntegral() - this.podNsAtWarmup;
    // Closed-loop users offer what they are answered: the measured rate of requests sent.
    const rate = this.vus ? this.arrived / s.durationS : this.arrivals.ratePerS;
    return {
      scenario: s.name,
      seed: this.seed,
      durationS: s.durationS,
      warmupS: s.warmupS,
      scheduler: s.runtime.scheduler,
      gomaxprocs: s.runtime.gomaxprocs,
      goVersion: s.runtime.goVersion,
      ...(this.fatal !== undefined ? { fatal: this.fatal } : {}),
      offeredLoad: {
        arrivalRatePerS: rate,
        meanCpuMs: nsToMs(meanCpuNs(s)),
        cores: rate * nsToS(meanCpuNs(s)),
        // Per P of the initial replicas (a fixed-size run's load; with an HPA see cores).
        utilization: (rate * nsToS(meanCpuNs(s))) / (s.runtime.gomaxprocs * Math.max(1, s.cluster.replicas)),
      },
      requests: {
        timeouts: this.clients.timeouts,
        retries: this.clients.retries,
        failed: this.clients.failed,
        wastedAttempts: this.clients.wasted,
        arrived: this.arrived,
        arrivedAfterWarmup: this.arrivedMeasured,
        completed: this.completed,
        measured: this.latency.count,
        inFlightAtEnd: this.requests.inFlight,
        ...(this.clientPolicy ? { offered: this.offered } : {}),
      },
      throughputPerS: this.latency.count / measuredS,
      latencyMs: {
        mean: this.latency.mean(),
        min: min!,
        p50: p50!,
        p90: p90!,
        p95: p95!,
        p99: p99!,
        p999: p999!,
        max: this.latency.max(),
      },
      waitMs: { mean: this.wait.mean(), p50: w50!, p99: w99! },
      serviceMs: { mean: this.service.mean(), p50: s50!, p99: s99! },
      latencyHistogramMs: this.latencyHist.toJSON(),
      utilization: podNs > 0 ? busy / (podNs * s.runtime.gomaxprocs) : 0,
      cluster: clusterSummary(this.fleet, s, podNs, {
        rejected: this.rejectedMeasured,
        killed: this.lostRequests,
        maxGoroutinesPerPod: this.maxGoroutines,
      }),
      ...(isK6Executor(s.workload.arrival)
        ? {
            loadGenerator: {
              executor: s.workload.arrival.process,
              maxVUs: this.vus ? this.vus.maxVUs : this.rateMaxVUs,
              iterations: this.arrived,
              droppedIterations: this.dropped,
              timeoutMs: clientTimeoutMs(s.workload.arrival, s.workload.client.timeoutMs)!,
            },
          }
        : {}),
      ...(this.fleet.autoscaler ? { hpa: hpaSummary(this.fleet.autoscaler.decisions) } : {}),
      ...this.fleet.pod0?.summary?.(),
      ...(this.fleet.service
        ? { service: serviceSummary(this.fleet.service, this.failedLatency, this.shedMeasured, this.failedMeasured) }
        : {}),
      // The trace's own sampling events are observation, not the model's work.
      engine: { events: this.eventsProcessed() - (this.tracer?.samplingEvents ?? 0) },
      ...(this.reportParallel ? { parallel: this.parallelSummary() } : {}),
    };
  }
}

/** Time-series columns of the per-interval latency histogram: cumulative counts, Prometheus `le` style. */
function latencyBucketColumns(bounds: readonly number[]): string[] {
  return [...bounds.map((b) => `latency_le_${b}ms`), 'latency_le_inf'];
}

/** Mean CPU per request implied by the scenario (cpu steps, spawned children and loops included). */
function meanCpuNs(s: Scenario): number {
  return stepsMeanCpuNs(s.workload.request.steps);
}

/** Run a scenario to completion in one call. */
export function runScenario(scenario: Scenario, seed = scenario.seed, options: ExperimentOptions = {}): RunResult {
  return new Experiment(scenario, seed, options).finish();
}
