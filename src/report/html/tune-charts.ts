/**
 * The tune page's charts: every figure of every evaluated point, and the search itself in the order it ran.
 * Pure: data in, specs out. Moved out of charts.ts (issue 16), which re-exports it.
 */
import { type Chart, HEIGHT, type Row, WIDTH } from './charts.js';

/** One evaluated point of a tune (tune.json's `evaluated`): its figures on the seeds it got. */
export interface TunePoint {
  point: number;
  seeds: number;
  /** Mean of each figure over the point's seeds (null: a run failed). */
  figures: Record<string, number | null>;
  objective: number | null;
  feasible: boolean;
  params: [string, unknown][];
}

/** What the tune page draws: tune.json's method, goal, rungs, evaluated points, winner and runner-up. */
export interface TuneView {
  method: string;
  /** Constraint bounds by figure (constrained goal); the cost figure, when there is one. */
  bounds: Record<string, number>;
  cost?: string;
  evaluated: readonly TunePoint[];
  /** Rung (bo: batch) of each point, by point index: the order the search went. */
  rungOf: ReadonlyMap<number, number>;
  best: number;
  runnerUp?: number;
}

/** A point's role in the result, for colours and the legend. */
export function tuneStatus(v: TuneView, p: TunePoint): string {
  if (p.point === v.best) return 'winner';
  if (p.point === v.runnerUp) return 'runner-up';
  return p.feasible ? 'meets the constraints' : 'misses the constraints';
}

const STATUS_COLOURS = {
  domain: ['winner', 'runner-up', 'meets the constraints', 'misses the constraints'],
  range: ['#2a9d8f', '#e9c46a', '#8ecae6', '#e76f51'],
};

const paramText = (ps: readonly [string, unknown][]) => ps.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');

/**
 * A tune's page: every figure of every evaluated point (one panel per figure, the points in the order they
 * were run, coloured by constraints met or missed, winner and runner-up marked, each constraint's bound as
 * a line), and the search itself in that order: each point's objective and the best feasible so far — for
 * bo, the BO trace (batch after batch of proposals).
 */
export function tuneCharts(v: TuneView): Chart[] {
  const order = v.evaluated.map((p, i) => ({ p, n: i + 1 }));
  const label = (n: number, p: TunePoint) => `${n}. #${p.point}`;
  const sortLabels = order.map(({ p, n }) => label(n, p));
  const figures = Object.keys(v.evaluated[0]?.figures ?? {}).filter((f) =>
    v.evaluated.some((p) => Number.isFinite(p.figures[f] ?? NaN) && p.figures[f] !== 0),
  );
  const rows: Row[] = [];
  for (const { p, n } of order)
    for (const f of figures) {
      const value = p.figures[f];
      if (value === null || value === undefined || !Number.isFinite(value)) continue;
      rows.push({
        figure: f === v.cost ? `${f} (cost)` : f,
        at: label(n, p),
        value,
        status: tuneStatus(v, p),
        params: paramText(p.params),
        seeds: p.seeds,
        ...(v.bounds[f] !== undefined ? { bound: v.bounds[f]! } : {}),
      });
    }
  const charts: Chart[] = [];
  const colour = { field: 'status', type: 'nominal', title: null, scale: STATUS_COLOURS };
  if (rows.length > 0)
    charts.push({
      id: 'tune-figures',
      title: 'Every figure of every evaluated point (mean over its seeds), in the order run; red dashes: a constraint',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        data: { values: rows },
        facet: { field: 'figure', type: 'nominal', title: null, sort: figures },
        columns: 2,
        resolve: { scale: { y: 'independent' } },
        spec: {
          width: 340,
          height: 130,
          layer: [
            {
              mark: 'bar',
              encoding: {
                x: { field: 'at', type: 'ordinal', sort: sortLabels, title: null, axis: { labelAngle: -60 } },
                y: { field: 'value', type: 'quantitative', title: null },
                color: colour,
                tooltip: [
                  { field: 'at', title: 'order. #point' },
                  { field: 'params' },
                  { field: 'figure' },
                  { field: 'value', format: '.4~f' },
                  { field: 'seeds' },
                  { field: 'status' },
                ],
              },
            },
            {
              mark: { type: 'rule', color: '#d62828', strokeDash: [6, 3] },
              encoding: { y: { field: 'bound', type: 'quantitative', aggregate: 'max' } },
            },
          ],
        },
      },
    });
  // The search in order: each point's objective, and the best point meeting the constraints so far.
  let best = Infinity;
  const trace: Row[] = [];
  for (const { p, n } of order) {
    const obj = p.objective ?? NaN;
    if (p.feasible && Number.isFinite(obj)) best = Math.min(best, obj);
    trace.push({
      n,
      at: label(n, p),
      objective: Number.isFinite(obj) ? obj : Number.NaN,
      best: Number.isFinite(best) ? best : Number.NaN,
      status: tuneStatus(v, p),
      rung: v.rungOf.get(p.point) ?? 0,
      params: paramText(p.params),
    });
  }
  const bo = v.method === 'bo';
  const x = {
    field: 'n',
    type: 'quantitative',
    title: bo ? 'proposal order' : 'order run',
    axis: { tickMinStep: 1, format: 'd' },
  };
  if (trace.some((t) => Number.isFinite(Number(t.objective))))
    charts.push({
      id: 'tune-trace',
      title: bo
        ? `BO trace: the objective (${v.cost ?? 'weighted'}) of each point in the order proposed, batch by batch; ` +
          'line: the best meeting the constraints so far'
        : `The search in the order run (${v.method}): each point's objective (${v.cost ?? 'weighted'}) on the ` +
          'seeds it got; line: the best meeting the constraints so far',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        width: WIDTH,
        height: HEIGHT,
        data: { values: trace },
        layer: [
          {
            mark: { type: 'line', interpolate: 'step-after', color: '#264653' },
            encoding: { x, y: { field: 'best', type: 'quantitative', title: 'objective' } },
          },
          {
            mark: { type: 'point', filled: true, size: 70 },
            encoding: {
              x,
              y: { field: 'objective', type: 'quantitative', title: 'objective' },
              color: colour,
              shape: { field: 'rung', type: 'nominal', title: bo ? 'batch' : 'rung' },
              tooltip: [
                { field: 'at', title: 'order. #point' },
                { field: 'params' },
                { field: 'objective', format: '.4~f' },
                { field: 'rung', title: bo ? 'batch' : 'rung' },
                { field: 'status' },
              ],
            },
          },
        ],
      },
    });
  return charts;
}
