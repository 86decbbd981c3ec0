import { csvParseRows, dsvFormat } from 'd3-dsv';
import { excerpt } from './excerpt.js';

/**
 * Production traffic in: a rate series, a counter series or request timestamps, from a CSV (d3-dsv: quoted
 * headers, chosen columns, Grafana's CSV export) or a Prometheus `query_range` JSON response (one series,
 * or summed). Times may be seconds from the start, Unix seconds or milliseconds, RFC 3339, or Grafana's
 * `YYYY-MM-DD HH:MM:SS`; absolute times are rebased so the first row is t = 0. Pure: text in, points out;
 * every problem names the line (CSV) or the series and sample (JSON).
 */

export type TrafficFormat = 'rates' | 'counter' | 'timestamps';

export interface TrafficOptions {
  format: TrafficFormat;
  /** csv, or prometheus-json (a query_range response). */
  fileType: 'csv' | 'prometheus-json';
  /** CSV column of the times and of the values: a header name or a 0-based index (default 0 and 1). */
  timeColumn?: string | number;
  valueColumn?: string | number;
  /** Several Prometheus series: `sum` adds them up, a number picks one; absent with several is an error. */
  series?: 'sum' | number;
}

export interface TrafficProblem {
  /** 1-based line of the CSV, when the problem is a row. */
  line?: number;
  message: string;
}

export interface Traffic {
  /** rates / counter: [t_s, rate_per_s] steps (a counter already turned into rates); timestamps: [t_s]. */
  points: number[][];
  warnings: TrafficProblem[];
}

export class TrafficError extends Error {
  constructor(readonly problems: TrafficProblem[]) {
    super(problems.map((p) => p.message).join('\n'));
    this.name = 'TrafficError';
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const GRAFANA = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(\.\d+)?)$/;

/** A time cell: seconds and whether it was absolute (then rebased). */
function parseTime(cell: string): { s: number; absolute: boolean; local?: boolean } | undefined {
  const c = cell.trim();
  if (RFC3339.test(c)) {
    const ms = Date.parse(c);
    return Number.isFinite(ms) ? { s: ms / 1000, absolute: true } : undefined;
  }
  const g = GRAFANA.exec(c);
  if (g) {
    const ms = Date.parse(`${g[1]}T${g[2]}Z`);
    return Number.isFinite(ms) ? { s: ms / 1000, absolute: true, local: true } : undefined;
  }
  if (c === '' || !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(c)) return undefined;
  const x = Number(c);
  if (!Number.isFinite(x)) return undefined;
  // Unix milliseconds (after 1973), Unix seconds (after 1973), else seconds from the start.
  if (x >= 1e11) return { s: x / 1000, absolute: true };
  if (x >= 1e8) return { s: x, absolute: true };
  return { s: x, absolute: false };
}

function parseValue(cell: string): number | undefined {
  const c = cell.trim();
  if (c === '' || !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(c)) return undefined;
  const x = Number(c);
  return Number.isFinite(x) ? x : undefined;
}

/** Parse a traffic file's text. Throws TrafficError with every problem found. */
export function parseTraffic(text: string, o: TrafficOptions): Traffic {
  const raw = o.fileType === 'prometheus-json' ? fromPrometheus(text, o) : fromCsv(text, o);
  return finish(raw, o);
}

interface RawPoint {
  t: number;
  v: number;
  line?: number;
  absolute: boolean;
}

/** What a reader found: the good points, and the problems of the rows it could not read. */
interface Raw {
  points: RawPoint[];
  warnings: TrafficProblem[];
  problems: TrafficProblem[];
}

function fromCsv(text: string, o: TrafficOptions): Raw {
  const problems: TrafficProblem[] = [];
  const warnings: TrafficProblem[] = [];
  const body = text.replace(/^\uFEFF/, '');
  // Grafana may export with ';' (its "Series joined by time" CSV in some locales): use the header's separator.
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  const rows =
    firstLine.includes(';') && !firstLine.includes(',') ? dsvFormat(';').parseRows(body) : csvParseRows(body);
  const needValue = o.format !== 'timestamps';
  // A header is a first row whose time cell is not a time.
  let header: string[] | undefined;
  let start = 0;
  while (
    start < rows.length &&
    (rows[start]!.length === 0 || rows[start]!.every((c) => c.trim() === '') || rows[start]![0]!.trim().startsWith('#'))
  )
    start++;
  const first = rows[start];
  const index = (col: string | number | undefined, fallback: number, what: string): number => {
    if (col === undefined) return fallback;
    if (typeof col === 'number') return col;
    const i = header?.findIndex((h) => h.trim() === col) ?? -1;
    if (i < 0) {
      throw new TrafficError([
        {
          line: start + 1,
          message:
            `expected a column named "${col}" (${what}), ` +
            `found ${header ? header.map((h) => JSON.stringify(h)).join(', ') : 'no header'}`,
        },
      ]);
    }
    return i;
  };
  if (first && parseTime(first[typeof o.timeColumn === 'number' ? o.timeColumn : 0] ?? '') === undefined) {
    header = first;
    start++;
  }
  const ti = index(o.timeColumn, 0, 'the times');
  const vi = needValue ? index(o.valueColumn, 1, 'the values') : -1;
  const points: RawPoint[] = [];
  let local = false;
  // Every row has as many cells as the header (or the first row): a torn row ("0.5,") is an error.
  let width = header?.length;
  for (let r = start; r < rows.length; r++) {
    const cells = rows[r]!;
    const line = r + 1;
    if (cells.length === 0 || cells.every((c) => c.trim() === '') || cells[0]!.trim().startsWith('#')) continue;
    width ??= cells.length;
    if (cells.length !== width) {
      problems.push({
        line,
        message:
          `expected ${width} cell${width === 1 ? '' : 's'} as ` +
          `the ${header ? 'header has' : 'first row has'}, found "${excerpt(cells.join(','), 40)}"`,
      });
      continue;
    }
    const t = parseTime(cells[ti] ?? '');
    const v = needValue ? parseValue(cells[vi] ?? '') : 1;
    if (!t || v === undefined) {
      const what = needValue ? '"time,value"' : 'a time';
      problems.push({
        line,
        message:
          `expected ${what} (times: seconds, Unix seconds or ms, RFC 3339), found ` +
          `"${excerpt(cells.join(','), 40)}"`,
      });
      continue;
    }
    local ||= t.local === true;
    points.push({ t: t.s, v, line, absolute: t.absolute });
  }
  if (local)
    warnings.push({
      message:
        'times like "2026-03-01 12:00:00" carry no time zone (Grafana writes the browser\'s): read as UTC; only ' +
        'differences matter after rebasing',
    });
  return { points, warnings, problems };
}

interface PromResponse {
  status?: string;
  data?: { resultType?: string; result?: { metric?: Record<string, string>; values?: [number, string][] }[] };
}

function fromPrometheus(text: string, o: TrafficOptions): Raw {
  let doc: PromResponse;
  try {
    doc = JSON.parse(text) as PromResponse;
  } catch (e) {
    throw new TrafficError([
      {
        message:
          `expected a Prometheus query_range JSON response, found text that does not parse ` +
          `(${(e as Error).message})`,
      },
    ]);
  }
  const result = doc.data?.result;
  if (doc.data?.resultType !== 'matrix' || !Array.isArray(result)) {
    throw new TrafficError([
      {
        message:
          `expected a query_range response (data.resultType "matrix"), ` +
          `found ${JSON.stringify(doc.data?.resultType ?? doc.status ?? null)}`,
      },
    ]);
  }
  if (result.length === 0)
    throw new TrafficError([
      { message: 'expected at least one series in data.result, found none (the query matched nothing)' },
    ]);
  const label = (i: number) => JSON.stringify(result[i]!.metric ?? {});
  let chosen: number[];
  if (o.series === 'sum') chosen = result.map((_r, i) => i);
  else if (typeof o.series === 'number') {
    if (o.series >= result.length)
      throw new TrafficError([{ message: `expected series index < ${result.length}, found ${o.series}` }]);
    chosen = [o.series];
  } else if (result.length > 1) {
    throw new TrafficError([
      {
        message:
          `expected one series, found ${result.length} (${label(0)}, …): set series: sum to add them up, ` +
          `or an index`,
      },
    ]);
  } else chosen = [0];
  const sums = new Map<number, number>();
  const problems: TrafficProblem[] = [];
  for (const i of chosen) {
    (result[i]!.values ?? []).forEach(([ts, val], k) => {
      const v = parseValue(String(val));
      if (typeof ts !== 'number' || !Number.isFinite(ts) || v === undefined) {
        problems.push({
          message:
            `series ${i} ${label(i)}, sample ${k}: expected [unix_seconds, "number"], ` +
            `found ${JSON.stringify([ts, val]).slice(0, 60)}`,
        });
        return;
      }
      sums.set(ts, (sums.get(ts) ?? 0) + v);
    });
  }
  if (problems.length > 0) throw new TrafficError(problems);
  const points = [...sums.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v, absolute: true }));
  return { points, warnings: [], problems: [] };
}

/** Order, rebase, counters to rates, and the checks every format shares. */
function finish(raw: Raw, o: TrafficOptions): Traffic {
  const { points, warnings } = raw;
  // Unreadable rows and misordered ones are reported together, in line order.
  const problems: TrafficProblem[] = [...raw.problems];
  const fail = () => new TrafficError(problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  if (points.length === 0 && problems.length > 0) throw fail();
  if (points.length === 0)
    throw new TrafficError([
      { message: `expected at least one ${o.format === 'timestamps' ? 'time' : 'time,value row'}, found none` },
    ]);
  if (points.some((p) => p.absolute) && points.some((p) => !p.absolute)) {
    throw new TrafficError([
      {
        line: points.find((p) => p.absolute !== points[0]!.absolute)!.line,
        message: 'expected all times absolute (Unix, RFC 3339) or all relative (seconds), found both',
      },
    ]);
  }
  const t0 = points[0]!.absolute ? points[0]!.t : 0;
  if (points[0]!.absolute && warnings.every((w) => !w.message.startsWith('absolute'))) {
    warnings.push({ message: `absolute times rebased: ${new Date(t0 * 1000).toISOString()} is t = 0` });
  }
  const strict = o.format !== 'timestamps';
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!,
      b = points[i]!;
    if (b.t < a.t || (strict && b.t === a.t)) {
      problems.push({
        ...(b.line ? { line: b.line } : {}),
        message:
          `expected times in ${strict ? 'increasing' : 'non-decreasing'} order, found ${b.t - t0} ` +
          `after ${a.t - t0}`,
      });
    }
  }
  if (o.format === 'rates') {
    for (const p of points)
      if (p.v < 0) problems.push({ ...(p.line ? { line: p.line } : {}), message: `expected a rate ≥ 0, found ${p.v}` });
  }
  if (problems.length > 0) throw fail();

  let out: number[][];
  if (o.format === 'timestamps') out = points.map((p) => [p.t - t0]);
  else if (o.format === 'rates') out = points.map((p) => [p.t - t0, p.v]);
  else {
    // A counter: the increase over each interval ÷ its length, a drop being a reset (as Prometheus' rate()).
    if (points.length < 2)
      throw new TrafficError([{ message: 'expected at least two counter samples to take a rate, found one' }]);
    let resets = 0;
    out = [];
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1]!,
        b = points[i]!;
      if (b.v < a.v) resets++;
      const inc = b.v >= a.v ? b.v - a.v : b.v;
      out.push([a.t - t0, inc / (b.t - a.t)]);
    }
    if (resets > 0)
      warnings.push({
        message:
          `${resets} counter reset${resets === 1 ? '' : 's'} (a value below the one before): counted ` +
          `from zero, as Prometheus' rate() does`,
      });
  }
  const arrivals =
    o.format === 'timestamps'
      ? out.length
      : out.reduce((s, p, i) => s + p[1]! * ((out[i + 1]?.[0] ?? p[0]!) - p[0]!), 0);
  if (!(arrivals > 0) && !(o.format !== 'timestamps' && out.at(-1)![1]! > 0)) {
    throw new TrafficError([{ message: 'expected traffic, found a trace that yields no arrivals (every rate is 0)' }]);
  }
  return { points: out, warnings };
}
