import type { Simulation } from '../engine/simulation.js';
import { nsToS, sToNs } from '../engine/time.js';
import { SampleLog } from '../metrics/sample-log.js';
import { type MetricsPipeline, POD_METRIC_NAMES, toMilli } from '../scenario/cluster-schema.js';
import type { Deployment } from './deployment.js';

/** One pod's value as the metrics APIs return it (milli-units; the HPA's PodMetric has this shape). */
export interface MetricSample {
  value: number;
  timestampS: number;
  windowS: number;
}
export type PodMetricsInfo = Map<string, MetricSample>;

/** Per-pod series the pipeline serves: the resource metrics and the custom metrics an adapter would. */
export type PodSeries = 'cpu' | 'memory' | (typeof POD_METRIC_NAMES)[number];
const SERIES: readonly PodSeries[] = ['cpu', 'memory', ...POD_METRIC_NAMES];
/** Served by metrics-server (never delayed); the rest come through the Prometheus adapter. */
const RESOURCE_SERIES = new Set<PodSeries>(['cpu', 'memory']);

interface Sample {
  tNs: number;
  busyNs: number;
  gcNs: number;
  stwNs: number;
  completed: number;
  /** Connection-pool wait so far, ns (DBStats.WaitDuration, all dependencies). */
  poolWaitNs: number;
}

/** Completion times (ns) and latencies (ms) within a rate window, oldest first. */
interface LatencyWindow {
  t: number[];
  ms: number[];
}

/** What one scrape produced. */
interface Snapshot {
  tNs: number;
  series: Map<PodSeries, PodMetricsInfo>;
  ingressRps: number | undefined;
  ingressP99Ms: number | undefined;
}

/**
 * metrics-server (and a Prometheus + adapter for custom metrics), reduced to what the HPA sees: every
 * scrapeIntervalS each Running pod is sampled; a pod's CPU is its usage rate over the last cpuWindowS
 * and appears only once the pod has been Running for a whole window (before that it is "missing", as
 * in Kubernetes); requests/s is a rate over rateWindowS. Between scrapes the HPA reads the last values.
 * Values are milli-units with the scrape time as timestamp. Custom and External metrics go through
 * the Prometheus adapter, which serves them adapterDelayS late; resource metrics (cpu, memory) do not.
 */
export class MetricsPipelineModel {
  private readonly history = new Map<number, Sample[]>();
  /** Scrapes, newest last; kept for adapterDelayS. */
  private snapshots: Snapshot[] = [];
  // The Service's arrival counter at each scrape, for the ingress rate (exists with zero pods).
  private readonly ingress: { tNs: number; n: number }[] = [];
  // Completed requests' latencies at the ingress (time, ms), for its p99 over rateWindowS.
  private readonly ingressLat: LatencyWindow = { t: [], ms: [] };
  /**
   * APIs down (faults): metrics-server serves the resource metrics (metrics.k8s.io: cpu, memory), the adapter
   * the custom and external ones; a down API returns nothing, so an HPA on its metrics cannot compute.
   */
  readonly down = { metricsServer: false, adapter: false };
  private readonly kScrape: number;

  constructor(
    private readonly sim: Simulation,
    private readonly cfg: MetricsPipeline,
    private readonly deployment: Deployment,
    /**
     * Keep latency windows: at the ingress (External ingress_latency_p99_ms), per pod (Pods
     * http_request_duration_p99_ms).
     */
    private readonly trackLatency: { ingress: boolean; perPod: boolean } = { ingress: false, perPod: false },
  ) {
    this.kScrape = sim.registerKind('metrics.scrape', () => this.scrape());
    sim.scheduleAt(0, this.kScrape);
  }

  /** The metrics API's answer now for one series (empty until the first scrape). */
  get(series: PodSeries): PodMetricsInfo {
    const viaAdapter = !RESOURCE_SERIES.has(series);
    // the API errors: "no metrics returned"
    if (viaAdapter ? this.down.adapter : this.down.metricsServer) return new Map();
    return this.visible(viaAdapter)?.series.get(series) ?? new Map();
  }

  /** requests/s reaching the Service over rateWindowS (undefined until a window exists; adapter-delayed). */
  ingressRequestsPerSecond(): number | undefined {
    return this.down.adapter ? undefined : this.visible(true)?.ingressRps;
  }

  /** p99 latency of requests completed through the ingress over rateWindowS, ms (adapter-delayed). */
  ingressLatencyP99Ms(): number | undefined {
    return this.down.adapter ? undefined : this.visible(true)?.ingressP99Ms;
  }

  /** Whether `observeLatency` keeps anything (an HPA reads a latency metric); else callers may skip it. */
  get observesLatency(): boolean {
    return this.trackLatency.ingress || this.trackLatency.perPod;
  }

  /** A request completed through the Service (the ingress's latency histogram observes it). */
  observeLatency(ms: number, podIndex: number): void {
    if (this.trackLatency.ingress) {
      this.ingressLat.t.push(this.sim.now);
      this.ingressLat.ms.push(ms);
    }
    if (this.trackLatency.perPod) {
      let w = this.podLat.get(podIndex);
      if (!w) {
        w = { t: [], ms: [] };
        this.podLat.set(podIndex, w);
      }
      w.t.push(this.sim.now);
      w.ms.push(ms);
    }
  }

  /** Per-pod completions (time, ms) within rateWindowS, for each pod's p99. */
  private readonly podLat = new Map<number, LatencyWindow>();

  /** The newest scrape the API serves now: for adapter metrics, one at least adapterDelayS old. */
  private visible(viaAdapter: boolean): Snapshot | undefined {
    const cutoff = this.sim.now - (viaAdapter ? sToNs(this.cfg.adapterDelayS) : 0);
    for (let i = this.snapshots.length - 1; i >= 0; i--) if (this.snapshots[i]!.tNs <= cutoff) return this.snapshots[i];
    return undefined;
  }

  private scrape(): void {
    const now = this.sim.now;
    this.ingress.push({ tNs: now, n: this.deployment.arrivals });
    trim(this.ingress, now, this.cfg.rateWindowS);
    const ingressRps = rate(this.ingress, now, this.cfg.rateWindowS, (s) => s.n);
    const keep = Math.max(this.cfg.cpuWindowS, this.cfg.rateWindowS);
    const next = new Map<PodSeries, PodMetricsInfo>(SERIES.map((s) => [s, new Map()]));
    const tS = nsToS(now);
    for (const pod of this.deployment.pods) {
      if (pod.gone || !pod.running) {
        this.history.delete(pod.index);
        continue;
      }
      const h = this.history.get(pod.index) ?? [];
      const pool = pod.runtime.poolStats?.();
      h.push({
        tNs: now,
        busyNs: pod.runtime.busyIntegralNs(),
        gcNs: pod.runtime.gcCpuIntegralNs?.() ?? 0,
        stwNs: pod.runtime.gcPauseIntegralNs?.() ?? 0,
        completed: pod.completed,
        poolWaitNs: pool?.waitNs ?? 0,
      });
      trim(h, now, keep);
      this.history.set(pod.index, h);
      const meta = { timestampS: tS, windowS: this.cfg.cpuWindowS };
      next.get('go_goroutines')!.set(pod.name, { ...meta, value: pod.runtime.goroutines() * 1000 });
      next.get('http_requests_in_flight')!.set(pod.name, { ...meta, value: pod.inFlight * 1000 });
      next.get('go_sched_runnable_goroutines')!.set(pod.name, { ...meta, value: pod.runtime.runnable() * 1000 });
      if (pod.runtime.memoryBytes)
        next.get('memory')!.set(pod.name, { ...meta, value: toMilli(pod.runtime.memoryBytes()) });
      if (pool) {
        // The DBStats a Prometheus collector exports (client_golang collectors.NewDBStatsCollector): gauges,
        // and the wait-duration counter as a rate (seconds waited per second = callers waiting on average).
        next.get('go_sql_in_use_connections')!.set(pod.name, { ...meta, value: pool.inUse * 1000 });
        next.get('go_sql_idle_connections')!.set(pod.name, { ...meta, value: pool.idle * 1000 });
        const wait = rate(h, now, this.cfg.rateWindowS, (s) => s.poolWaitNs / 1e9);
        if (wait !== undefined)
          next
            .get('go_sql_wait_duration_seconds')!
            .set(pod.name, { ...meta, windowS: this.cfg.rateWindowS, value: toMilli(wait) });
      }
      const gc = rate(h, now, this.cfg.cpuWindowS, (s) => s.gcNs / 1e9);
      if (gc !== undefined)
        next.get('go_gc_cpu_fraction')!.set(pod.name, { ...meta, value: toMilli(gc / pod.runtime.gomaxprocs) });
      const w = this.podLat.get(pod.index);
      if (w) {
        const p99 = windowP99(w, now - sToNs(this.cfg.rateWindowS));
        if (p99 !== undefined)
          next
            .get('http_request_duration_p99_ms')!
            .set(pod.name, { ...meta, windowS: this.cfg.rateWindowS, value: toMilli(p99) });
      }
      const stw = rate(h, now, this.cfg.cpuWindowS, (s) => s.stwNs / 1e9);
      if (stw !== undefined) next.get('go_gc_pause_fraction')!.set(pod.name, { ...meta, value: toMilli(stw) });
      const cpu = rate(h, now, this.cfg.cpuWindowS, (s) => s.busyNs / 1e9);
      if (cpu !== undefined) next.get('cpu')!.set(pod.name, { ...meta, value: toMilli(cpu) });
      const rps = rate(h, now, this.cfg.rateWindowS, (s) => s.completed);
      if (rps !== undefined)
        next
          .get('http_requests_per_second')!
          .set(pod.name, { ...meta, windowS: this.cfg.rateWindowS, value: toMilli(rps) });
    }
    for (const idx of this.podLat.keys()) if (this.deployment.pods[idx]!.gone) this.podLat.delete(idx);
    const ingressP99Ms = windowP99(this.ingressLat, now - sToNs(this.cfg.rateWindowS));
    this.snapshots.push({ tNs: now, series: next, ingressRps, ingressP99Ms });
    // Keep what the adapter may still serve: the newest scrape at least adapterDelayS old, and later ones.
    const cutoff = now - sToNs(this.cfg.adapterDelayS);
    while (this.snapshots.length > 1 && this.snapshots[1]!.tNs <= cutoff) this.snapshots.shift();
    this.sim.schedule(sToNs(this.cfg.scrapeIntervalS), this.kScrape);
  }
}

/**
 * histogram_quantile(0.99, rate(latency[window])): the exact p99 of the completions after `from`
 * (older ones are dropped from `w`); undefined when there are none.
 */
function windowP99(w: LatencyWindow, from: number): number | undefined {
  let i = 0;
  while (i < w.t.length && w.t[i]! <= from) i++;
  if (i > 0) {
    w.t = w.t.slice(i);
    w.ms = w.ms.slice(i);
  }
  if (w.ms.length === 0) return undefined;
  const log = new SampleLog();
  for (const v of w.ms) log.push(v);
  return log.quantiles([0.99])[0];
}

/** Drop samples no window of `keepS` can start from (keeping the newest one at or before now − keepS). */
function trim(h: { tNs: number }[], now: number, keepS: number): void {
  while (h.length > 2 && h[1]!.tNs <= now - sToNs(keepS)) h.shift();
}

/** Per-second rate of `f` over the last `windowS` (from the newest sample at or before now − window). */
function rate<T extends { tNs: number }>(
  h: readonly T[],
  now: number,
  windowS: number,
  f: (s: T) => number,
): number | undefined {
  const from = now - sToNs(windowS);
  let base: T | undefined;
  for (const s of h) if (s.tNs <= from + 1) base = s;
  if (!base || base.tNs === now) return undefined;
  return (f(h[h.length - 1]!) - f(base)) / nsToS(now - base.tNs);
}
