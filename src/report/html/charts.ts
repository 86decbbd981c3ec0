/**
 * Vega-Lite specs for the charts of a run, a comparison and a sweep. Pure: data in, specs out.
 * Every chart is a small Vega-Lite document with its rows inlined, so the HTML works offline and the
 * same spec renders to SVG on the command line.
 */

/** A Vega-Lite spec (kept loose: the HTML and the SVG renderer take it as JSON). */
export type VlSpec = Record<string, unknown>;

export interface Chart {
  id: string;
  title: string;
  spec: VlSpec;
}

type Row = Record<string, number | string>;

const WIDTH = 760;
const HEIGHT = 220;

/** Long-format rows {t_s, series, value} for the given columns (renamed for the legend). */
function long(rows: readonly Row[], cols: Record<string, string>): Row[] {
  const out: Row[] = [];
  for (const r of rows) for (const [c, label] of Object.entries(cols)) if (typeof r[c] === 'number' && Number.isFinite(r[c])) out.push({ t_s: r.t_s!, series: label, value: r[c] });
  return out;
}

function lines(id: string, title: string, rows: Row[], yTitle: string, extraLayers: VlSpec[] = []): Chart {
  const base: VlSpec = {
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 't_s', type: 'quantitative', title: 'simulated time (s)' },
      y: { field: 'value', type: 'quantitative', title: yTitle },
      color: { field: 'series', type: 'nominal', title: null },
      tooltip: [{ field: 't_s' }, { field: 'series' }, { field: 'value', format: '.3~f' }],
    },
  };
  return {
    id,
    title,
    spec: { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', width: WIDTH, height: HEIGHT, data: { values: rows }, layer: [base, ...extraLayers] },
  };
}

/** The charts of one run: what each column family of timeseries.csv and hpa_decisions.csv shows. */
export function runCharts(series: readonly Row[], decisions: readonly Row[] | undefined): Chart[] {
  const has = (c: string) => series.some((r) => typeof r[c] === 'number' && r[c] !== 0);
  const charts: Chart[] = [];
  // HPA decisions as rules with their reasons, on the replicas chart.
  const rescales = (decisions ?? []).filter((d) => Number(d.rescale) === 1).map((d) => ({ t_s: d.t_s!, reason: String(d.reason ?? ''), to: d.desired_replicas! }));
  const rules: VlSpec[] =
    rescales.length > 0
      ? [
          {
            data: { values: rescales },
            mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
            encoding: { x: { field: 't_s', type: 'quantitative' }, tooltip: [{ field: 't_s', title: 'sync at (s)' }, { field: 'to', title: 'desired replicas' }, { field: 'reason' }] },
          },
        ]
      : [];
  const shade = faultShading(series);
  charts.push(lines('load', 'Arrival rate (requests/s)', long(series, { arrivals_per_s: 'arrivals/s', completions_per_s: 'completions/s' }), 'requests/s', shade));
  charts.push(lines('replicas', 'Replicas: desired and ready (dashed: HPA rescales, hover for the reason)', long(series, { replicas_desired: 'desired', replicas_ready: 'ready', pods_pending: 'pending' }), 'pods', rules));
  charts.push(lines('latency', `Latency p50 / p99 per sample interval (ms)${shade.length > 0 ? ' (shaded: faults active)' : ''}`, long(series, { latency_p50_ms: 'p50', latency_p99_ms: 'p99' }), 'ms', shade));
  if (has('goroutines')) {
    const perPod = series.map((r) => ({ ...r, goroutines_per_pod: Number(r.replicas_ready) > 0 ? Number(r.goroutines) / Number(r.replicas_ready) : Number(r.goroutines) }));
    charts.push(lines('goroutines', 'Goroutines per ready pod', long(perPod, { goroutines_per_pod: 'goroutines / pod' }), 'goroutines'));
    charts.push(lines('runq', 'Run queues (all pods): global and local', long(series, { global_runq: 'global runq', local_runq: 'local runqs', running: 'running' }), 'goroutines'));
  }
  if (has('gc_cycles_per_s')) {
    charts.push(lines('gc', 'GC: CPU and mark-assist time (ms per s), cycles per s', long(series, { gc_cpu_ms_per_s: 'GC CPU ms/s', gc_assist_ms_per_s: 'assist ms/s', gc_cycles_per_s: 'cycles/s' }), 'per second'));
    charts.push(lines('gc-pauses', 'GC stop-the-world pauses (ms per s, all pods)', long(series, { gc_pause_ms_per_s: 'STW ms/s' }), 'ms/s'));
  }
  if (has('heap_live_mb')) charts.push(lines('memory', 'Memory (MB): heap live and goal, RSS', long(series, { heap_live_mb: 'heap live', heap_goal_mb: 'heap goal', rss_mb: 'RSS' }), 'MB'));
  if (has('throttled_ms_per_s') || has('throttled_periods_per_s')) charts.push(lines('throttling', 'CPU throttling (CFS): throttled ms per s', long(series, { throttled_ms_per_s: 'throttled ms/s' }), 'ms/s'));
  return charts;
}

/** From each sample with a fault active (faults_active: the count at that time) to the next: shaded bands behind a chart's lines. */
function faultShading(series: readonly Row[]): VlSpec[] {
  const bands: Row[] = [];
  series.forEach((r, i) => {
    const t = Number(r.t_s);
    const next = i + 1 < series.length ? Number(series[i + 1]!.t_s) : t;
    if (Number(r.faults_active) > 0 && next > t) bands.push({ from: t, to: next, faults: Number(r.faults_active) });
  });
  if (bands.length === 0) return [];
  return [
    {
      data: { values: bands },
      mark: { type: 'rect', color: '#d62728', opacity: 0.12 },
      encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' }, tooltip: [{ field: 'faults', title: 'faults active' }] },
    },
  ];
}

/** Variants overlaid over time (their first seed): p99 latency and ready replicas, one line per variant. */
export function overlayCharts(series: Record<string, readonly Row[]>): Chart[] {
  const over = (col: string): Row[] => Object.entries(series).flatMap(([variant, rows]) => rows.filter((r) => Number.isFinite(r[col])).map((r) => ({ t_s: r.t_s!, series: variant, value: r[col]! })));
  if (Object.keys(series).length === 0) return [];
  return [
    lines('overlay-p99', 'p99 latency per sample interval, variants overlaid (first seed, ms)', over('latency_p99_ms'), 'ms'),
    lines('overlay-replicas', 'Ready replicas, variants overlaid (first seed)', over('replicas_ready'), 'pods'),
  ];
}

/** Variants side by side: one bar chart per figure of the compare table. */
export function compareCharts(rows: readonly Row[]): Chart[] {
  const figures: [string, string][] = [
    ['p99Ms', 'p99 latency (ms)'],
    ['sloViolationMin', 'minutes over the SLO'],
    ['podSeconds', 'pod-seconds (cost)'],
    ['errors', 'failed requests'],
    ['replicaChanges', 'rescales'],
    ['throttledPct', 'CFS-throttled (% of pod time)'],
  ];
  return figures
    .filter(([f]) => rows.some((r) => Number.isFinite(Number(r[f]))))
    .map(([f, title]) => ({
      id: `compare-${f}`,
      title,
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        width: 360,
        height: 160,
        data: { values: rows.map((r) => ({ variant: r.variant, value: Number(r[f]) })) },
        mark: 'bar',
        encoding: {
          y: { field: 'variant', type: 'nominal', sort: null, title: null },
          x: { field: 'value', type: 'quantitative', title },
          color: { field: 'variant', type: 'nominal', legend: null },
          tooltip: [{ field: 'variant' }, { field: 'value', format: '.4~f' }],
        },
      },
    }));
}

/** A sweep: a heat map of the objective over the first two parameters (a bar chart over one). */
export function sweepCharts(points: readonly Row[], paths: readonly string[]): Chart[] {
  if (paths.length === 0) return [];
  const [a, b] = paths;
  const values = points.map((p) => ({ a: String(p[a!]), b: b ? String(p[b]) : '', objective: Number(p.objective), p99: Number(p.p99Ms_mean), pods: Number(p.podSeconds_mean) }));
  const tooltip = [{ field: 'a', title: a }, ...(b ? [{ field: 'b', title: b }] : []), { field: 'objective', format: '.4~f' }, { field: 'p99', title: 'p99 ms (mean)', format: '.3~f' }, { field: 'pods', title: 'pod-s (mean)', format: '.1f' }];
  const spec: VlSpec = b
    ? {
        mark: 'rect',
        encoding: {
          x: { field: 'a', type: 'ordinal', title: a, sort: null },
          y: { field: 'b', type: 'ordinal', title: b, sort: null },
          color: { aggregate: 'mean', field: 'objective', type: 'quantitative', title: 'objective (mean)', scale: { scheme: 'viridis', reverse: true } },
          tooltip,
        },
      }
    : { mark: 'bar', encoding: { x: { field: 'a', type: 'ordinal', title: a, sort: null }, y: { aggregate: 'mean', field: 'objective', type: 'quantitative' }, tooltip } };
  return [{ id: 'sweep-objective', title: `Objective over ${b ? `${a} × ${b}` : a} (lower is better)`, spec: { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', width: 480, height: 320, data: { values }, ...spec } }];
}
