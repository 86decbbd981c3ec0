import { RandomStreams } from '../engine/random.js';
import { Simulation } from '../engine/simulation.js';
import { msToNs, nsToMs, nsToS, sToNs } from '../engine/time.js';
import { SampleLog } from '../metrics/sample-log.js';
import { TimeSeries } from '../metrics/time-series.js';
import { IdealFifoPod } from '../runtime/ideal-fifo.js';
import type { CompletionSink, PodRuntime } from '../runtime/pod-runtime.js';
import type { Scenario } from '../scenario/schema.js';
import { arrivalProcess, type ArrivalProcess } from '../workload/arrivals.js';
import { durationSampler, type DurationSampler } from '../workload/distributions.js';
import { RequestTable } from '../workload/requests.js';
import { SERIES_COLUMNS, type RunSummary } from './summary.js';

/** Everything a run produces; pure data, written to disk by report/ and printed by cli/. */
export interface RunResult {
  summary: RunSummary;
  series: TimeSeries;
}

/**
 * One run of one scenario with one seed: builds the model on a Simulation and advances it. Pure model
 * code (no I/O, no wall clock); `advanceTo` lets a caller run it in slices to show progress.
 */
export class Experiment implements CompletionSink {
  readonly sim = new Simulation();
  readonly endNs: number;
  private readonly warmupNs: number;
  private readonly requests = new RequestTable();
  private readonly pod: PodRuntime;
  private readonly arrivals: ArrivalProcess;
  private readonly cpu: DurationSampler;
  private readonly arrivalKind: number;
  private readonly sampleKind: number;
  private readonly sampleNs: number;

  // Whole-run statistics (requests arriving at or after warm-up).
  private readonly latency = new SampleLog();
  private readonly wait = new SampleLog();
  private arrived = 0;
  private arrivedMeasured = 0;
  private completed = 0;
  private busyAtWarmup = 0;

  // Per-interval statistics for the time series.
  private readonly series = new TimeSeries(SERIES_COLUMNS);
  private readonly intervalLatency = new SampleLog();
  private intervalArrivals = 0;
  private intervalCompletions = 0;
  private lastSampleNs = 0;
  private lastBusy = 0;

  constructor(
    readonly scenario: Scenario,
    readonly seed: number,
  ) {
    const rng = new RandomStreams(seed);
    this.endNs = sToNs(scenario.durationS);
    this.warmupNs = sToNs(scenario.warmupS);
    this.sampleNs = msToNs(scenario.metrics.sampleIntervalMs);
    this.arrivals = arrivalProcess(scenario.workload.arrival, rng.stream('arrivals'));
    this.cpu = durationSampler(scenario.workload.request.cpu, rng.stream('service.cpu'));
    this.pod = new IdealFifoPod(this.sim, this.requests, scenario.runtime.gomaxprocs, this);

    this.arrivalKind = this.sim.registerKind('workload.arrival', () => this.onArrival());
    this.sampleKind = this.sim.registerKind('metrics.sample', () => this.onSample());
    const warmupKind = this.sim.registerKind('metrics.warmup-end', () => {
      this.busyAtWarmup = this.pod.busyIntegralNs();
    });

    const first = this.arrivals.nextNs(0);
    if (first <= this.endNs) this.sim.scheduleAt(first, this.arrivalKind);
    this.sim.scheduleAt(Math.min(this.sampleNs, this.endNs), this.sampleKind);
    this.sim.scheduleAt(this.warmupNs, warmupKind);
  }

  /** Run the simulation up to `tNs` (clamped to the scenario's end). */
  advanceTo(tNs: number): void {
    this.sim.runUntil(Math.min(tNs, this.endNs));
  }

  get done(): boolean {
    return this.sim.now >= this.endNs;
  }

  /** Run to the end and collect the results. */
  finish(): RunResult {
    this.advanceTo(this.endNs);
    return { summary: this.summarise(), series: this.series };
  }

  complete(id: number): void {
    const now = this.sim.now;
    const arrival = this.requests.arrivalNs[id]!;
    this.completed++;
    this.intervalCompletions++;
    const latencyMs = nsToMs(now - arrival);
    this.intervalLatency.push(latencyMs);
    if (arrival >= this.warmupNs) {
      this.latency.push(latencyMs);
      this.wait.push(nsToMs(this.requests.startNs[id]! - arrival));
    }
    this.requests.release(id);
  }

  private onArrival(): void {
    const now = this.sim.now;
    this.arrived++;
    this.intervalArrivals++;
    if (now >= this.warmupNs) this.arrivedMeasured++;
    const id = this.requests.alloc(now, this.cpu.sampleNs());
    this.pod.accept(id);
    const next = this.arrivals.nextNs(now);
    if (next <= this.endNs) this.sim.scheduleAt(next, this.arrivalKind);
  }

  private onSample(): void {
    const now = this.sim.now;
    const dtS = nsToS(now - this.lastSampleNs);
    const busy = this.pod.busyIntegralNs();
    const [p50, p99] = this.intervalLatency.quantiles([0.5, 0.99]);
    this.series.append([
      nsToS(now),
      this.intervalArrivals / dtS,
      this.intervalCompletions / dtS,
      this.requests.inFlight,
      this.pod.runnable(),
      this.pod.running(),
      (busy - this.lastBusy) / ((now - this.lastSampleNs) * this.pod.gomaxprocs),
      p50!,
      p99!,
    ]);
    this.intervalLatency.clear();
    this.intervalArrivals = 0;
    this.intervalCompletions = 0;
    this.lastSampleNs = now;
    this.lastBusy = busy;
    if (now < this.endNs) this.sim.scheduleAt(Math.min(now + this.sampleNs, this.endNs), this.sampleKind);
  }

  private summarise(): RunSummary {
    const s = this.scenario;
    const measuredS = s.durationS - s.warmupS;
    const [p50, p90, p95, p99, p999] = this.latency.quantiles([0.5, 0.9, 0.95, 0.99, 0.999]);
    const [w50, w99] = this.wait.quantiles([0.5, 0.99]);
    const busy = this.pod.busyIntegralNs() - this.busyAtWarmup;
    return {
      scenario: s.name,
      seed: this.seed,
      durationS: s.durationS,
      warmupS: s.warmupS,
      scheduler: s.runtime.scheduler,
      gomaxprocs: s.runtime.gomaxprocs,
      offeredLoad: {
        arrivalRatePerS: this.arrivals.ratePerS,
        meanCpuMs: nsToMs(this.cpu.meanNs),
        utilization: (this.arrivals.ratePerS * nsToS(this.cpu.meanNs)) / s.runtime.gomaxprocs,
      },
      requests: {
        arrived: this.arrived,
        arrivedAfterWarmup: this.arrivedMeasured,
        completed: this.completed,
        measured: this.latency.count,
        inFlightAtEnd: this.requests.inFlight,
      },
      throughputPerS: this.latency.count / measuredS,
      latencyMs: { mean: this.latency.mean(), p50: p50!, p90: p90!, p95: p95!, p99: p99!, p999: p999!, max: this.latency.max() },
      waitMs: { mean: this.wait.mean(), p50: w50!, p99: w99! },
      utilization: busy / (sToNs(measuredS) * s.runtime.gomaxprocs),
      engine: { events: this.sim.eventsProcessed },
    };
  }
}

/** Run a scenario to completion in one call. */
export function runScenario(scenario: Scenario, seed = scenario.seed): RunResult {
  return new Experiment(scenario, seed).finish();
}
