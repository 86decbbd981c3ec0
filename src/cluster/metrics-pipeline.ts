import type { Simulation } from '../engine/simulation.js';
import { nsToS, sToNs } from '../engine/time.js';
import { toMilli, type MetricsPipeline } from '../scenario/cluster-schema.js';
import type { Deployment } from './deployment.js';

/** One pod's value as the metrics APIs return it (milli-units; the HPA's PodMetric has this shape). */
export interface MetricSample {
  value: number;
  timestampS: number;
  windowS: number;
}
export type PodMetricsInfo = Map<string, MetricSample>;

/** Per-pod series the pipeline serves: the resource metric and the custom metrics an adapter would. */
export type PodSeries = 'cpu' | 'go_goroutines' | 'http_requests_in_flight' | 'http_requests_per_second';

interface Sample {
  tNs: number;
  busyNs: number;
  completed: number;
}

/**
 * metrics-server (and a Prometheus + adapter for custom metrics), reduced to what the HPA sees: every
 * scrapeIntervalS each Running pod is sampled; a pod's CPU is its usage rate over the last cpuWindowS
 * and appears only once the pod has been Running for a whole window (before that it is "missing", as
 * in Kubernetes); requests/s is a rate over rateWindowS. Between scrapes the HPA reads the last values.
 * Values are milli-units with the scrape time as timestamp.
 */
export class MetricsPipelineModel {
  private readonly history = new Map<number, Sample[]>();
  private latest = new Map<PodSeries, PodMetricsInfo>();
  // The Service's arrival counter at each scrape, for the ingress rate (exists with zero pods).
  private readonly ingress: { tNs: number; n: number }[] = [];
  private ingressRps: number | undefined;
  /** The metrics source is down (a fault): the APIs return nothing, so the HPA cannot compute. */
  down = false;
  private readonly kScrape: number;

  constructor(
    private readonly sim: Simulation,
    private readonly cfg: MetricsPipeline,
    private readonly deployment: Deployment,
  ) {
    this.kScrape = sim.registerKind('metrics.scrape', () => this.scrape());
    sim.scheduleAt(0, this.kScrape);
  }

  /** The metrics API's answer now for one series (empty until the first scrape). */
  get(series: PodSeries): PodMetricsInfo {
    if (this.down) return new Map(); // the API errors: "no metrics returned"
    return this.latest.get(series) ?? new Map();
  }

  /** requests/s reaching the Service over rateWindowS at the last scrape (undefined until a window exists). */
  ingressRequestsPerSecond(): number | undefined {
    return this.down ? undefined : this.ingressRps;
  }

  private scrape(): void {
    const now = this.sim.now;
    this.ingress.push({ tNs: now, n: this.deployment.arrivals });
    trim(this.ingress, now, this.cfg.rateWindowS);
    this.ingressRps = rate(this.ingress, now, this.cfg.rateWindowS, (s) => s.n);
    const keep = Math.max(this.cfg.cpuWindowS, this.cfg.rateWindowS);
    const next = new Map<PodSeries, PodMetricsInfo>([
      ['cpu', new Map()],
      ['go_goroutines', new Map()],
      ['http_requests_in_flight', new Map()],
      ['http_requests_per_second', new Map()],
    ]);
    const tS = nsToS(now);
    for (const pod of this.deployment.pods) {
      if (pod.gone || !pod.running) {
        this.history.delete(pod.index);
        continue;
      }
      const h = this.history.get(pod.index) ?? [];
      h.push({ tNs: now, busyNs: pod.runtime.busyIntegralNs(), completed: pod.completed });
      trim(h, now, keep);
      this.history.set(pod.index, h);
      const meta = { timestampS: tS, windowS: this.cfg.cpuWindowS };
      next.get('go_goroutines')!.set(pod.name, { ...meta, value: pod.runtime.goroutines() * 1000 });
      next.get('http_requests_in_flight')!.set(pod.name, { ...meta, value: pod.inFlight * 1000 });
      const cpu = rate(h, now, this.cfg.cpuWindowS, (s) => s.busyNs / 1e9);
      if (cpu !== undefined) next.get('cpu')!.set(pod.name, { ...meta, value: toMilli(cpu) });
      const rps = rate(h, now, this.cfg.rateWindowS, (s) => s.completed);
      if (rps !== undefined) next.get('http_requests_per_second')!.set(pod.name, { ...meta, windowS: this.cfg.rateWindowS, value: toMilli(rps) });
    }
    this.latest = next;
    this.sim.schedule(sToNs(this.cfg.scrapeIntervalS), this.kScrape);
  }
}

/** Drop samples no window of `keepS` can start from (keeping the newest one at or before now − keepS). */
function trim(h: { tNs: number }[], now: number, keepS: number): void {
  while (h.length > 2 && h[1]!.tNs <= now - sToNs(keepS)) h.shift();
}

/** Per-second rate of `f` over the last `windowS` (from the newest sample at or before now − window). */
function rate<T extends { tNs: number }>(h: readonly T[], now: number, windowS: number, f: (s: T) => number): number | undefined {
  const from = now - sToNs(windowS);
  let base: T | undefined;
  for (const s of h) if (s.tNs <= from + 1) base = s;
  if (!base || base.tNs === now) return undefined;
  return (f(h[h.length - 1]!) - f(base)) / nsToS(now - base.tNs);
}
