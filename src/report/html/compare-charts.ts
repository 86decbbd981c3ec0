/**
 * The compare page's seed bands: each variant's median over seeds over time, with the range from the lowest
 * to the highest seed shaded (p99 latency with the SLO, Ready replicas, the HPA's metric against its target).
 * Pure: data in, specs out. Moved out of charts.ts (issue 16), which re-exports it.
 */
import { type Chart, HEIGHT, type Row, type VlSpec, WIDTH } from './charts.js';

/** Each variant's runs of a compare, one per seed: time series and (with an HPA) its syncs. */
export interface VariantSeeds {
  series: readonly (readonly Row[])[];
  decisions: readonly (readonly Row[])[];
}

/** Median and range of the finite values (undefined when there are none). */
function spread(xs: readonly number[]): { med: number; lo: number; hi: number } | undefined {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const m = v.length >> 1;
  return { med: v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2, lo: v[0]!, hi: v[v.length - 1]! };
}

/** Most time points per variant in a band chart (longer runs are thinned to every k-th sample). */
const BAND_POINTS = 600;

/**
 * One band per variant over time: the median over seeds as a line, the range over seeds (min to max) as
 * a band. `read` takes a figure from one sample of one seed; samples are aligned by index (every seed of a
 * compare has the same sample times, and an HPA the same sync times).
 */
function bandRows(
  perVariant: Record<string, readonly (readonly Row[])[]>,
  read: (r: Row) => number,
  positive: boolean,
): Row[] {
  const out: Row[] = [];
  for (const [variant, seeds] of Object.entries(perVariant)) {
    const n = Math.max(0, ...seeds.map((s) => s.length));
    const step = Math.max(1, Math.ceil(n / BAND_POINTS));
    for (let i = 0; i < n; i += step) {
      const at = seeds.map((s) => s[i]).filter((r): r is Row => r !== undefined);
      const t = spread(at.map((r) => Number(r.t_s)));
      const v = spread(at.map(read).filter((x) => !positive || x > 0));
      if (!t || !v) continue;
      out.push({ t_s: t.med, series: variant, value: v.med, lo: v.lo, hi: v.hi, seeds: at.length });
    }
  }
  return out;
}

/** A band chart: each variant's range over seeds shaded, its median drawn; extra layers (an SLO) on top. */
function bandChart(
  id: string,
  title: string,
  rows: Row[],
  yTitle: string,
  yScale: VlSpec = {},
  extra: VlSpec[] = [],
): Chart {
  const color = { field: 'series', type: 'nominal', title: null };
  const x = { field: 't_s', type: 'quantitative', title: 'simulated time (s)' };
  return {
    id,
    title,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: WIDTH,
      height: HEIGHT,
      layer: [
        {
          data: { values: rows },
          layer: [
            {
              mark: { type: 'area', interpolate: 'step-after', opacity: 0.2, clip: true },
              encoding: {
                x,
                y: { field: 'lo', type: 'quantitative', title: yTitle, scale: yScale },
                y2: { field: 'hi' },
                color,
              },
            },
            {
              mark: { type: 'line', interpolate: 'step-after', clip: true },
              encoding: {
                x,
                y: { field: 'value', type: 'quantitative', title: yTitle, scale: yScale },
                color,
                tooltip: [
                  { field: 't_s', title: 't (s)' },
                  { field: 'series', title: 'variant' },
                  { field: 'value', title: 'median', format: '.3~f' },
                  { field: 'lo', title: 'lowest seed', format: '.3~f' },
                  { field: 'hi', title: 'highest seed', format: '.3~f' },
                  { field: 'seeds' },
                ],
              },
            },
          ],
        },
        ...extra,
      ],
    },
  };
}

/** A horizontal reference line with its label (the SLO, a target). */
function refLine(y: number, label: string): VlSpec {
  return {
    data: { values: [{ ref: y, label }] },
    layer: [
      {
        mark: { type: 'rule', color: '#d62828', strokeDash: [6, 3] },
        encoding: { y: { field: 'ref', type: 'quantitative' } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#d62828' },
        encoding: { y: { field: 'ref', type: 'quantitative' }, x: { value: 0 }, text: { field: 'label' } },
      },
    ],
  };
}

/** A Kubernetes quantity as `kubectl get hpa` prints it (`12`, `12500m`, `1.5k`, `93%`) → a number. */
export function quantity(text: string): number {
  const m = /^(-?\d+(?:\.\d+)?)(m|k|M|G|Ki|Mi|Gi)?%?$/.exec(text.trim());
  if (!m) return NaN;
  const scale: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  return Number(m[1]) * (m[2] ? scale[m[2]]! : 1);
}

/**
 * The HPA's first metric as a % of its target, from hpa_decisions.csv's current_metrics (formatHPAMetrics:
 * `cpu: 93%/60%`, `12500m/8`, `<unknown>/60%` when the metric could not be read → NaN).
 */
export function hpaMetricPctOfTarget(currentMetrics: string): number {
  const first = currentMetrics.split(', ')[0] ?? '';
  const m = /^(?:[^:/]+: )?([^/]+)\/(\S+)(?: \(avg\))?$/.exec(first.trim());
  if (!m) return NaN;
  const cur = quantity(m[1]!);
  const target = quantity(m[2]!);
  return target > 0 ? (100 * cur) / target : NaN;
}

/**
 * Seed bands over time for a compare: p99 latency (log scale, with the SLO), Ready replicas and the HPA's
 * metric against its target (100 %), one band per variant: the median over seeds and the range from the
 * lowest to the highest seed, so the spread the bars' intervals summarise is visible over the run.
 */
export function seedBandCharts(variants: Record<string, VariantSeeds>, sloP99Ms?: number): Chart[] {
  const names = Object.keys(variants);
  if (names.length === 0) return [];
  const seeds = Math.max(...names.map((v) => variants[v]!.series.length));
  const of = (pick: (v: VariantSeeds) => readonly (readonly Row[])[]) =>
    Object.fromEntries(names.map((v) => [v, pick(variants[v]!)]));
  const how =
    seeds > 1 ? `median of ${seeds} seeds, band: lowest to highest seed` : 'one seed: use --seeds N for bands';
  const charts: Chart[] = [];
  const p99 = bandRows(
    of((v) => v.series),
    (r) => Number(r.latency_p99_ms),
    true,
  );
  if (p99.length > 0)
    charts.push(
      bandChart(
        'band-p99',
        `p99 latency per sample interval (ms, log scale; ${how}${sloP99Ms !== undefined ? '; red: the SLO' : ''})`,
        p99,
        'ms',
        { type: 'log' },
        sloP99Ms !== undefined ? [refLine(sloP99Ms, `SLO p99 ${sloP99Ms} ms`)] : [],
      ),
    );
  const ready = bandRows(
    of((v) => v.series),
    (r) => Number(r.replicas_ready),
    false,
  );
  if (ready.some((r) => Number(r.value) !== 0))
    charts.push(bandChart('band-replicas', `Ready replicas (${how})`, ready, 'pods'));
  const hpa = bandRows(
    of((v) => v.decisions),
    (r) => hpaMetricPctOfTarget(String(r.current_metrics ?? '')),
    false,
  );
  if (hpa.length > 0)
    charts.push(
      bandChart(
        'band-hpa-metric',
        `The HPA's metric as a % of its target at each sync (its first metric, as the controller read it; ${how})`,
        hpa,
        '% of target',
        {},
        [refLine(100, 'target')],
      ),
    );
  return charts;
}
