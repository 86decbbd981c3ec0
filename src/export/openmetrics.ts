/**
 * A run's time series as OpenMetrics text (https://openmetrics.io, the format Prometheus scrapes and
 * `promtool tsdb create-blocks-from openmetrics` backfills), with real timestamps: sample time = start +
 * the row's `t_s`. Pure: rows in, text out (the CLI reads the files and writes the result).
 *
 * - Every column of timeseries.csv is a gauge `gmpsim_<column>` (rates and per-interval figures are what
 *   the interval measured: `arrivals_per_s` is already a rate, so PromQL reads it as is).
 * - The `latency_le_<bound>ms` columns (each interval's histogram) become one Prometheus histogram,
 *   `gmpsim_request_duration_seconds`, whose buckets are counters summed over the intervals, as a server's
 *   own histogram would be scraped — so `histogram_quantile(0.99, rate(…_bucket[1m]))` works on it.
 * - pods.csv gives `gmpsim_pod_<column>{pod="k"}` gauges, one series per pod.
 * Every series carries `scenario` and `seed` labels, so several runs can share one Prometheus.
 */

export interface Table {
  columns: string[];
  rows: number[][];
}

export interface ExportInput {
  scenario: string;
  seed: number;
  /** Unix time of the run's t = 0, seconds. */
  startS: number;
  series: Table;
  pods?: Table;
}

const BUCKET = /^latency_le_(?:(.+)ms|inf)$/;
const NAME = /[^a-zA-Z0-9_]/g;

/** The histogram's family name; its buckets are `<name>_bucket{le="…"}`, its count `<name>_count`. */
export const LATENCY_HISTOGRAM = 'gmpsim_request_duration_seconds';

export function toOpenMetrics(input: ExportInput): string {
  const out: string[] = [];
  const base = `scenario="${escapeLabel(input.scenario)}",seed="${input.seed}"`;
  const ts = (tS: number) => formatNumber(input.startS + tS);
  const { columns, rows } = input.series;
  const t = columns.indexOf('t_s');
  if (t < 0) throw new Error('expected a t_s column in timeseries.csv, found none');

  columns.forEach((col, c) => {
    if (c === t || BUCKET.test(col)) return;
    const name = `gmpsim_${col.replace(NAME, '_')}`;
    out.push(`# TYPE ${name} gauge`, `# HELP ${name} gmpsim timeseries.csv column ${col}`);
    for (const r of rows) out.push(`${name}{${base}} ${formatNumber(r[c]!)} ${ts(r[t]!)}`);
  });

  const buckets = columns.flatMap((col, c) => {
    const m = BUCKET.exec(col);
    if (!m) return [];
    const le = m[1] === undefined ? '+Inf' : formatNumber(Number(m[1]) / 1000);
    return [{ c, le }];
  });
  if (buckets.length > 0) {
    out.push(
      `# TYPE ${LATENCY_HISTOGRAM} histogram`,
      `# UNIT ${LATENCY_HISTOGRAM} seconds`,
      `# HELP ${LATENCY_HISTOGRAM} request latency (arrival to completion)`,
    );
    // One MetricPoint per row: its buckets (cumulative over the intervals so far), then its count.
    const totals = new Float64Array(buckets.length);
    for (const r of rows) {
      buckets.forEach((b, i) => {
        totals[i]! += r[b.c]!;
        out.push(`${LATENCY_HISTOGRAM}_bucket{${base},le="${b.le}"} ${formatNumber(totals[i]!)} ${ts(r[t]!)}`);
      });
      out.push(`${LATENCY_HISTOGRAM}_count{${base}} ${formatNumber(totals[buckets.length - 1]!)} ${ts(r[t]!)}`);
    }
  }

  if (input.pods) {
    const p = input.pods;
    const pt = p.columns.indexOf('t_s');
    const pod = p.columns.indexOf('pod');
    if (pt < 0 || pod < 0) throw new Error('expected t_s and pod columns in pods.csv');
    const podIds = [...new Set(p.rows.map((r) => r[pod]!))].sort((a, b) => a - b);
    p.columns.forEach((col, c) => {
      if (c === pt || c === pod) return;
      const name = `gmpsim_pod_${col.replace(NAME, '_')}`;
      out.push(`# TYPE ${name} gauge`, `# HELP ${name} gmpsim pods.csv column ${col}, per pod`);
      for (const id of podIds) {
        for (const r of p.rows)
          if (r[pod] === id) out.push(`${name}{${base},pod="${id}"} ${formatNumber(r[c]!)} ${ts(r[pt]!)}`);
      }
    });
  }
  out.push('# EOF');
  return `${out.join('\n')}\n`;
}

/** Shortest exact decimal; OpenMetrics spells non-finite values NaN, +Inf, -Inf. */
function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  return String(x);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * `--start`: RFC 3339 (`2026-03-01T12:00:00Z`) or Unix seconds; undefined if it is neither. The default
 * (no --start) is 0, 1970-01-01T00:00:00Z, so an export is byte-identical from run to run.
 */
export function parseStart(v: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}
