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

// The compare page's seed bands and the tune page's charts live in their own modules (issue 16's 700-line rule);
// re-exported here so importers keep one place to import charts from.
export { hpaMetricPctOfTarget, quantity, seedBandCharts, type VariantSeeds } from './compare-charts.js';
export { type TunePoint, type TuneView, tuneCharts, tuneStatus } from './tune-charts.js';

export type Row = Record<string, number | string>;

export const WIDTH = 760;
export const HEIGHT = 220;

/** Long-format rows {t_s, series, value} for the given columns (renamed for the legend). */
function long(rows: readonly Row[], cols: Record<string, string>): Row[] {
  const out: Row[] = [];
  for (const r of rows)
    for (const [c, label] of Object.entries(cols))
      if (typeof r[c] === 'number' && Number.isFinite(r[c])) out.push({ t_s: r.t_s!, series: label, value: r[c] });
  return out;
}

/**
 * What the run's time charts share: the fault windows to shade and the time range. Every time chart's x
 * domain follows the `xdom` param (null: the whole run), which the report page sets when a time range is
 * brushed on the overview strip, so one brush zooms every chart.
 */
export interface TimeContext {
  /** Fault windows, simulated s (a pod-kill is a window of zero length: drawn as a rule). */
  faults: { fromS: number; toS: number; type: string }[];
  /** The run's end, simulated s. */
  endS: number;
}

const NO_TIME: TimeContext = { faults: [], endS: NaN };

/** The x encoding of a time chart: the whole run, or the range brushed on the overview. */
function timeX(ctx: TimeContext): VlSpec {
  const scale = Number.isFinite(ctx.endS)
    ? { domain: { expr: `xdom || [0, ${ctx.endS}]` }, zero: false, nice: false }
    : {};
  return { field: 't_s', type: 'quantitative', title: 'simulated time (s)', scale };
}

/** Shaded fault windows (hover: the fault), under the chart's own layers. */
function faultLayers(ctx: TimeContext): VlSpec[] {
  if (ctx.faults.length === 0) return [];
  return [
    {
      data: { values: ctx.faults.map((f) => ({ ...f, toS: Math.max(f.toS, f.fromS + 1e-9) })) },
      mark: { type: 'rect', color: '#e76f51', opacity: 0.15, clip: true },
      encoding: {
        x: { field: 'fromS', type: 'quantitative' },
        x2: { field: 'toS' },
        tooltip: [
          { field: 'type', title: 'fault' },
          { field: 'fromS', title: 'from (s)' },
          { field: 'toS', title: 'to (s)' },
        ],
      },
    },
  ];
}

function timeSpec(title: string, layers: VlSpec[], ctx: TimeContext, height = HEIGHT): VlSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: WIDTH,
    height,
    params: [{ name: 'xdom', value: null }],
    layer: [...faultLayers(ctx), ...layers],
    ...(title ? {} : {}),
  };
}

function lines(
  id: string,
  title: string,
  rows: Row[],
  yTitle: string,
  extraLayers: VlSpec[] = [],
  ctx: TimeContext = NO_TIME,
  yScale: VlSpec = {},
): Chart {
  const base: VlSpec = {
    data: { values: rows },
    mark: { type: 'line', interpolate: 'step-after', clip: true },
    encoding: {
      x: timeX(ctx),
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: yScale },
      color: { field: 'series', type: 'nominal', title: null },
      tooltip: [{ field: 't_s' }, { field: 'series' }, { field: 'value', format: '.3~f' }],
    },
  };
  return { id, title, spec: timeSpec(title, [base, ...extraLayers], ctx) };
}

/** Per-interval latency histogram (cumulative `latency_le_*` columns) as counts per bucket and interval. */
function latencyCells(series: readonly Row[]): { cells: Row[]; order: string[] } {
  const cols = Object.keys(series[0] ?? {}).filter((c) => /^latency_le_/.test(c));
  if (cols.length === 0) return { cells: [], order: [] };
  const label = (c: string) => (c === 'latency_le_inf' ? '> last' : `≤ ${c.slice('latency_le_'.length)}`);
  // At most ~300 columns of time: merge neighbouring intervals of long runs.
  const step = Math.max(1, Math.ceil(series.length / 300));
  const cells: Row[] = [];
  for (let i = 0; i < series.length; i += step) {
    const group = series.slice(i, i + step);
    const t0 = i === 0 ? 0 : Number(series[i - 1]!.t_s);
    const t1 = Number(group[group.length - 1]!.t_s);
    let prev = 0;
    cols.forEach((c, k) => {
      let cum = 0;
      for (const r of group) cum += Number(r[c]) || 0;
      const n = cum - prev;
      prev = cum;
      if (n > 0) cells.push({ t0, t1, bucket: label(c), k, n });
    });
  }
  return { cells, order: cols.map(label).reverse() };
}

/** What the run's report knows besides timeseries.csv (from scenario.resolved.yaml and pods.csv). */
export interface RunContext extends TimeContext {
  /** slo.p99Ms: the line drawn on the latency chart. */
  sloP99Ms?: number;
  /** The HPA's CPU utilisation target (%) and the pods' CPU request (cores), when it scales on CPU. */
  hpaCpu?: { targetPct: number; requestCores: number };
  /** pods.csv rows: t_s, pod, ready, in_flight, goroutines, cpu_cores. */
  pods?: readonly Row[];
}

/** The charts of one run: what each column family of timeseries.csv and hpa_decisions.csv shows. */
export function runCharts(
  series: readonly Row[],
  decisions: readonly Row[] | undefined,
  ctx: RunContext = NO_TIME,
): Chart[] {
  const has = (c: string) => series.some((r) => typeof r[c] === 'number' && r[c] !== 0);
  const charts: Chart[] = [];
  // HPA decisions as rules with their reasons, on the replicas chart.
  const rescales = (decisions ?? [])
    .filter((d) => Number(d.rescale) === 1)
    .map((d) => ({ t_s: d.t_s!, reason: String(d.reason ?? ''), to: d.desired_replicas! }));
  const rules: VlSpec[] =
    rescales.length > 0
      ? [
          {
            data: { values: rescales },
            mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
            encoding: {
              x: { field: 't_s', type: 'quantitative' },
              tooltip: [
                { field: 't_s', title: 'sync at (s)' },
                { field: 'to', title: 'desired replicas' },
                { field: 'reason' },
              ],
            },
          },
        ]
      : [];
  charts.push(overview(series, ctx));
  charts.push(
    lines(
      'load',
      'Arrival rate (requests/s)',
      long(series, { arrivals_per_s: 'arrivals/s', completions_per_s: 'completions/s' }),
      'requests/s',
      [],
      ctx,
    ),
  );
  charts.push(
    lines(
      'replicas',
      'Replicas: desired and ready (dashed: HPA rescales, hover for the reason)',
      long(series, { replicas_desired: 'desired', replicas_ready: 'ready', pods_pending: 'pending' }),
      'pods',
      rules,
      ctx,
    ),
  );
  // Latency on a log axis (one 7 s spike must not flatten the rest), with the SLO as a line.
  const lat = long(series, { latency_p50_ms: 'p50', latency_p99_ms: 'p99' }).filter((r) => Number(r.value) > 0);
  const slo: VlSpec[] =
    ctx.sloP99Ms !== undefined
      ? [
          {
            data: { values: [{ slo: ctx.sloP99Ms, label: `SLO p99 ${ctx.sloP99Ms} ms` }] },
            layer: [
              {
                mark: { type: 'rule', color: '#d62828', strokeDash: [6, 3] },
                encoding: { y: { field: 'slo', type: 'quantitative' } },
              },
              {
                mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#d62828' },
                encoding: { y: { field: 'slo', type: 'quantitative' }, x: { value: 0 }, text: { field: 'label' } },
              },
            ],
          },
        ]
      : [];
  if (lat.length > 0)
    charts.push(
      lines(
        'latency',
        `Latency p50 / p99 per sample interval (ms, log scale${ctx.sloP99Ms !== undefined ? '; red: the SLO' : ''})`,
        lat,
        'ms',
        slo,
        ctx,
        { type: 'log' },
      ),
    );
  const heat = latencyCells(series);
  if (heat.cells.length > 0) {
    charts.push({
      id: 'latency-heatmap',
      title: 'Latency heat map: requests per histogram bucket and sample interval (colour: count, log scale)',
      spec: timeSpec(
        '',
        [
          {
            data: { values: heat.cells },
            mark: { type: 'rect', clip: true },
            encoding: {
              x: { ...timeX(ctx), field: 't0' },
              x2: { field: 't1' },
              y: { field: 'bucket', type: 'ordinal', sort: heat.order, title: 'latency bucket (ms)' },
              color: {
                field: 'n',
                type: 'quantitative',
                title: 'requests',
                scale: { type: 'log', scheme: 'inferno', reverse: true },
              },
              tooltip: [
                { field: 't0', title: 'from (s)' },
                { field: 't1', title: 'to (s)' },
                { field: 'bucket' },
                { field: 'n', title: 'requests' },
              ],
            },
          },
        ],
        ctx,
        260,
      ),
    });
  }
  if (ctx.hpaCpu && ctx.pods && ctx.pods.length > 0) charts.push(hpaMetricChart(ctx.pods, ctx.hpaCpu, ctx));
  if (has('goroutines')) {
    const perPod = series.map((r) => ({
      ...r,
      goroutines_per_pod:
        Number(r.replicas_ready) > 0 ? Number(r.goroutines) / Number(r.replicas_ready) : Number(r.goroutines),
    }));
    charts.push(
      lines(
        'goroutines',
        'Goroutines per ready pod',
        long(perPod, { goroutines_per_pod: 'goroutines / pod' }),
        'goroutines',
        [],
        ctx,
      ),
    );
    charts.push(
      lines(
        'runq',
        'Run queues (all pods): global and local',
        long(series, { global_runq: 'global runq', local_runq: 'local runqs', running: 'running' }),
        'goroutines',
        [],
        ctx,
      ),
    );
  }
  if (has('gc_cycles_per_s')) {
    charts.push(
      lines(
        'gc',
        'GC: CPU and mark-assist time (ms per s), cycles per s',
        long(series, {
          gc_cpu_ms_per_s: 'GC CPU ms/s',
          gc_assist_ms_per_s: 'assist ms/s',
          gc_cycles_per_s: 'cycles/s',
        }),
        'per second',
        [],
        ctx,
      ),
    );
    charts.push(
      lines(
        'gc-pauses',
        'GC stop-the-world pauses (ms per s, all pods)',
        long(series, { gc_pause_ms_per_s: 'STW ms/s' }),
        'ms/s',
        [],
        ctx,
      ),
    );
  }
  if (has('heap_live_mb'))
    charts.push(
      lines(
        'memory',
        'Memory (MB): heap live and goal, RSS',
        long(series, { heap_live_mb: 'heap live', heap_goal_mb: 'heap goal', rss_mb: 'RSS' }),
        'MB',
        [],
        ctx,
      ),
    );
  if (has('throttled_ms_per_s') || has('throttled_periods_per_s'))
    charts.push(
      lines(
        'throttling',
        'CPU throttling (CFS): throttled ms per s',
        long(series, { throttled_ms_per_s: 'throttled ms/s' }),
        'ms/s',
        [],
        ctx,
      ),
    );
  if (ctx.pods && new Set(ctx.pods.map((r) => r.pod)).size > 1) charts.push(...podPanels(ctx.pods, ctx));
  // No empty panels: a chart whose data has no non-zero value is left out.
  return charts.filter((c) => c.id === 'overview' || hasData(c.spec));
}

/** Fields that place a mark rather than measure something. */
const NOT_DATA = new Set(['t_s', 't0', 't1', 'k', 'pod']);

/** Does any layer of a spec hold a non-zero number (fault shading and rules aside)? */
function hasData(spec: VlSpec): boolean {
  const layers = (spec.layer as VlSpec[] | undefined) ?? [spec];
  return layers.some((l) => {
    const vals = (l.data as { values?: Row[] } | undefined)?.values;
    if (!vals || vals.every((v) => 'fromS' in v)) return false; // no data, or only the fault shading
    return vals.some((v) => Object.entries(v).some(([k, x]) => !NOT_DATA.has(k) && typeof x === 'number' && x !== 0));
  });
}

/** A strip of the whole run to brush a time range on: every time chart zooms to it (double-click: all). */
function overview(series: readonly Row[], ctx: TimeContext): Chart {
  const rows = long(series, { completions_per_s: 'completions/s' });
  return {
    id: 'overview',
    title: 'Overview: drag across it to zoom every chart to that time range (double-click to reset)',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: WIDTH,
      height: 60,
      layer: [
        ...faultLayers(ctx),
        {
          data: { values: rows },
          mark: { type: 'area', interpolate: 'step-after', color: '#8ecae6' },
          params: [{ name: 'brush', select: { type: 'interval', encodings: ['x'] } }],
          encoding: {
            x: { field: 't_s', type: 'quantitative', title: 'simulated time (s)' },
            y: { field: 'value', type: 'quantitative', title: 'completions/s', axis: { tickCount: 2 } },
          },
        },
      ],
    },
  };
}

/** The HPA's metric against its target: the mean CPU of the Ready pods as a % of their request. */
function hpaMetricChart(
  pods: readonly Row[],
  hpa: { targetPct: number; requestCores: number },
  ctx: TimeContext,
): Chart {
  const byT = new Map<number, { sum: number; n: number }>();
  for (const r of pods) {
    if (Number(r.ready) !== 1) continue;
    const a = byT.get(Number(r.t_s)) ?? { sum: 0, n: 0 };
    a.sum += Number(r.cpu_cores);
    a.n++;
    byT.set(Number(r.t_s), a);
  }
  const rows = [...byT].map(([t_s, a]) => ({
    t_s,
    series: 'CPU / request (Ready pods)',
    value: (100 * a.sum) / a.n / hpa.requestCores,
  }));
  const target: VlSpec = {
    data: { values: [{ target: hpa.targetPct, label: `target ${hpa.targetPct} %` }] },
    layer: [
      {
        mark: { type: 'rule', color: '#d62828', strokeDash: [6, 3] },
        encoding: { y: { field: 'target', type: 'quantitative' } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#d62828' },
        encoding: { y: { field: 'target', type: 'quantitative' }, x: { value: 0 }, text: { field: 'label' } },
      },
    ],
  };
  return lines(
    'hpa-metric',
    "The HPA's metric against its target: CPU utilisation of the Ready pods (% of request; the controller sees " +
      "it through the metrics pipeline's lag)",
    rows,
    '% of CPU request',
    [target],
    ctx,
  );
}

/** Per-pod small multiples (first 24 pods): CPU cores and requests in flight. */
function podPanels(pods: readonly Row[], ctx: TimeContext): Chart[] {
  const chosen = [...new Set(pods.map((r) => Number(r.pod)))].sort((a, b) => a - b).slice(0, 24);
  const keep = new Set(chosen);
  const panel = (id: string, title: string, field: string, yTitle: string): Chart => ({
    id,
    title,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      data: {
        values: pods
          .filter((r) => keep.has(Number(r.pod)))
          .map((r) => ({ t_s: r.t_s, pod: `pod-${r.pod}`, k: Number(r.pod), value: Number(r[field]) })),
      },
      params: [{ name: 'xdom', value: null }],
      facet: { field: 'pod', type: 'nominal', title: null, sort: { field: 'k' } },
      columns: 4,
      spec: {
        width: 170,
        height: 70,
        mark: { type: 'line', interpolate: 'step-after', clip: true },
        encoding: { x: { ...timeX(ctx), title: null }, y: { field: 'value', type: 'quantitative', title: yTitle } },
      },
    },
  });
  return [
    panel('pods-cpu', 'Per pod: CPU used (cores)', 'cpu_cores', 'cores'),
    panel('pods-inflight', 'Per pod: requests in flight', 'in_flight', 'requests'),
  ];
}

/**
 * Variants side by side: one bar chart per figure of the compare table, with the 95 % confidence
 * interval of the mean over seeds as an error bar when compare-summary.csv has it (`<figure>_ci95`,
 * src/metrics/confidence.ts). A figure that is zero for every variant gets no panel.
 */
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
    .filter(([f]) => rows.some((r) => Number.isFinite(Number(r[f])) && Number(r[f]) !== 0))
    .map(([f, title]) => {
      const values = rows.map((r) => {
        const v = Number(r[f]);
        const ci = Number(r[`${f}_ci95`]);
        return { variant: r.variant, value: v, ...(Number.isFinite(ci) ? { lo: v - ci, hi: v + ci, ci } : {}) };
      });
      const withCi = values.some((v) => 'ci' in v);
      const y = { field: 'variant', type: 'nominal', sort: null, title: null };
      return {
        id: `compare-${f}`,
        title: withCi ? `${title} — mean over seeds, bar: 95 % interval` : title,
        spec: {
          $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
          width: 360,
          height: 160,
          data: { values },
          layer: [
            {
              mark: 'bar',
              encoding: {
                y,
                x: { field: 'value', type: 'quantitative', title },
                color: { field: 'variant', type: 'nominal', legend: null },
                tooltip: [
                  { field: 'variant' },
                  { field: 'value', format: '.4~f' },
                  ...(withCi ? [{ field: 'ci', title: '± 95 %', format: '.4~f' }] : []),
                ],
              },
            },
            ...(withCi
              ? [
                  {
                    mark: { type: 'errorbar', ticks: true },
                    encoding: { y, x: { field: 'lo', type: 'quantitative', title }, x2: { field: 'hi' } },
                  },
                ]
              : []),
          ],
        },
      };
    });
}

/** A sweep: a heat map of the objective over the first two parameters (a bar chart over one). */
export function sweepCharts(points: readonly Row[], paths: readonly string[]): Chart[] {
  if (paths.length === 0) return [];
  const [a, b] = paths;
  const values = points.map((p) => ({
    a: String(p[a!]),
    b: b ? String(p[b]) : '',
    objective: Number(p.objective),
    p99: Number(p.p99Ms_mean),
    pods: Number(p.podSeconds_mean),
  }));
  const tooltip = [
    { field: 'a', title: a },
    ...(b ? [{ field: 'b', title: b }] : []),
    { field: 'objective', format: '.4~f' },
    { field: 'p99', title: 'p99 ms (mean)', format: '.3~f' },
    { field: 'pods', title: 'pod-s (mean)', format: '.1f' },
  ];
  const spec: VlSpec = b
    ? {
        mark: 'rect',
        encoding: {
          x: { field: 'a', type: 'ordinal', title: a, sort: null },
          y: { field: 'b', type: 'ordinal', title: b, sort: null },
          color: {
            aggregate: 'mean',
            field: 'objective',
            type: 'quantitative',
            title: 'objective (mean)',
            scale: { scheme: 'viridis', reverse: true },
          },
          tooltip,
        },
      }
    : {
        mark: 'bar',
        encoding: {
          x: { field: 'a', type: 'ordinal', title: a, sort: null },
          y: { aggregate: 'mean', field: 'objective', type: 'quantitative' },
          tooltip,
        },
      };
  const objective: Chart = {
    id: 'sweep-objective',
    title: `Objective over ${b ? `${a} × ${b}` : a} (lower is better)`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 480,
      height: 320,
      data: { values },
      ...spec,
    },
  };
  return [objective, ...sweepFigures(points, a!, b)];
}

/**
 * Every figure of points.csv per point, not only the objective: the mean over replications against the
 * first parameter (one line per value of the second), with its 95 % interval as a band.
 */
function sweepFigures(points: readonly Row[], a: string, b: string | undefined): Chart[] {
  const figures = Object.keys(points[0] ?? {})
    .filter((c) => c.endsWith('_mean'))
    .map((c) => c.slice(0, -'_mean'.length))
    .filter((m) => points.some((p) => Number(p[`${m}_mean`]) !== 0 && Number.isFinite(Number(p[`${m}_mean`]))));
  const numeric = points.every((p) => Number.isFinite(Number(p[a])));
  return figures.map((m) => {
    const values = points.map((p) => {
      const v = Number(p[`${m}_mean`]);
      const ci = Number(p[`${m}_ci95`]);
      return {
        a: numeric ? Number(p[a]) : String(p[a]),
        b: b ? String(p[b]) : 'all',
        value: v,
        lo: Number.isFinite(ci) ? v - ci : v,
        hi: Number.isFinite(ci) ? v + ci : v,
      };
    });
    const x = {
      field: 'a',
      type: numeric ? 'quantitative' : 'ordinal',
      title: a,
      sort: null,
      scale: numeric ? { zero: false } : {},
    };
    const color = { field: 'b', type: 'nominal', title: b ?? null, legend: b ? {} : null };
    return {
      id: `sweep-${m}`,
      title: `${m}: mean over replications per point (band: 95 % interval)`,
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        width: 360,
        height: 180,
        data: { values },
        layer: [
          {
            mark: { type: 'errorband', opacity: 0.25 },
            encoding: { x, y: { field: 'lo', type: 'quantitative', title: m }, y2: { field: 'hi' }, color },
          },
          {
            mark: { type: 'line', point: true },
            encoding: {
              x,
              y: { field: 'value', type: 'quantitative', title: m },
              color,
              tooltip: [
                { field: 'a', title: a },
                { field: 'b', title: b ?? '' },
                { field: 'value', format: '.4~f' },
                { field: 'lo', format: '.4~f' },
                { field: 'hi', format: '.4~f' },
              ],
            },
          },
        ],
      },
    };
  });
}
