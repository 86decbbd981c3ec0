import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { autoType, csvParse } from 'd3-dsv';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { parse as parseYaml } from 'yaml';
import type { Regime } from '../../explain/regimes.js';
import {
  type Chart,
  compareCharts,
  type RunContext,
  runCharts,
  seedBandCharts,
  sweepCharts,
  type TunePoint,
  type TuneView,
  tuneCharts,
  type VariantSeeds,
} from './charts.js';

type Row = Record<string, number | string>;

const require = createRequire(import.meta.url);
/** The browser builds of vega, vega-lite and vega-embed, inlined so the report works offline. */
function libraries(): string {
  // The build files are not in the packages' "exports": find each package's folder from its entry point.
  const file = (pkg: string, build: string) => {
    const entry = require.resolve(pkg);
    const at = entry.lastIndexOf(`node_modules/${pkg}/`);
    return join(entry.slice(0, at + `node_modules/${pkg}/`.length), build);
  };
  return [
    file('vega', 'build/vega.min.js'),
    file('vega-lite', 'build/vega-lite.min.js'),
    file('vega-embed', 'build/vega-embed.min.js'),
  ]
    .map((f) => `<script>${readFileSync(f, 'utf8').replace(/<\/script/gi, '<\\/script')}</script>`)
    .join('\n');
}

function csv(file: string): Row[] {
  return csvParse(readFileSync(file, 'utf8'), autoType) as unknown as Row[];
}

/** An error that already names the file it is about. */
class FileContentError extends Error {}

/** A results file's JSON; a malformed one is an error naming the file. */
// biome-ignore lint/suspicious/noExplicitAny: callers check the shape they read (FileContentError names the file)
function json(file: string): any {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FileContentError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new FileContentError(
      `${file}: expected the JSON gmpsim wrote, found malformed JSON (a damaged or hand-edited file); re-run to ` +
        `regenerate it`,
    );
  }
}

/** Read a results directory, naming the file whose content is not what gmpsim wrote. */
export function readReport(dir: string): Report {
  const main = ['summary.json', 'compare.json', 'sweep.json', 'tune.json'].find((f) => existsSync(join(dir, f)));
  try {
    return readReportUnchecked(dir);
  } catch (e) {
    const msg = (e as Error).message;
    if (main === undefined || e instanceof FileContentError) throw e;
    throw new Error(
      `${join(dir, main)}: expected the results gmpsim wrote, found something else ` +
        `(${msg.split('\n')[0]!.slice(0, 120)})`,
    );
  }
}

export interface Report {
  title: string;
  kind: 'run' | 'compare' | 'sweep' | 'tune';
  /** Key figures shown above the charts. */
  facts: [string, string][];
  charts: Chart[];
  /** Tables after the charts (a tune's evaluated points): a name beside each column. */
  tables?: Table[];
}

export interface Table {
  id: string;
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

/** Most rows a table shows (a grid tune can evaluate thousands of points; tune.json has them all). */
const MAX_TABLE_ROWS = 500;

/** A tune directory (tune.json): facts, every evaluated point's figures, the search in order, a table. */
// biome-ignore lint/suspicious/noExplicitAny: tune.json as tune-command wrote it (its shape is checked where read)
function tuneReport(t: any, file: string): Report {
  if (!Array.isArray(t?.evaluated) || !Array.isArray(t?.rungs))
    throw new FileContentError(
      `${file}: expected tune.json with "evaluated" points (written by this gmpsim's tune), found none; re-run tune`,
    );
  const evaluated = t.evaluated as TunePoint[];
  const bounds: Record<string, number> = {};
  for (const c of (t.goal?.constraints ?? []) as { metric: string; max: number }[]) bounds[c.metric] = c.max;
  const rungOf = new Map<number, number>();
  (t.rungs as { candidates: number[] }[]).forEach((r, i) => {
    for (const c of r.candidates) if (!rungOf.has(c)) rungOf.set(c, i + 1);
  });
  const view: TuneView = {
    method: String(t.method),
    bounds,
    ...(t.goal?.kind === 'constrained' ? { cost: String(t.goal.cost) } : {}),
    evaluated,
    rungOf,
    best: Number(t.best),
    ...(t.runnerUp ? { runnerUp: Number(t.runnerUp.point) } : {}),
  };
  const params = (ps: [string, unknown][]) => ps.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
  const n = (x: unknown, d = 2) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-');
  const figuresText = (f: Record<string, number | null>) =>
    `p95 ${n(f.p95Ms, 1)} ms · p99 ${n(f.p99Ms, 1)} ms · ${n(f.sloViolationMin)} min over the SLO · ` +
    `errors ${n(f.errors, 1)} · ${n(f.podSeconds, 0)} pod-s`;
  const goal =
    t.goal?.kind === 'constrained'
      ? `least ${t.goal.cost} with ${
          Object.entries(bounds)
            .map(([m, b]) => `${m} ≤ ${b}`)
            .join(', ') || 'no constraints'
        }`
      : "the sweep's weighted objective";
  const method = { grid: 'grid search', halving: 'successive halving', bo: 'Bayesian optimisation' }[String(t.method)];
  const at = (p: number) => evaluated.find((e) => e.point === p);
  const facts: [string, string][] = [
    ['search', `${method ?? t.method}: ${evaluated.length} points evaluated, ${t.runs} runs`],
    ['goal', goal],
  ];
  const win = at(view.best);
  if (win)
    facts.push([
      t.noneFeasible ? 'closest (no point meets the constraints)' : 'winner',
      `#${win.point} ${params(win.params)} — ${figuresText(win.figures)} (${win.seeds} seeds)`,
    ]);
  const ru = view.runnerUp !== undefined ? at(view.runnerUp) : undefined;
  if (ru)
    facts.push([
      'runner-up',
      `#${ru.point} ${params(ru.params)}${ru.feasible ? '' : ' (misses the constraints)'} — ` +
        `${figuresText(ru.figures)} (${ru.seeds} seeds)`,
    ]);
  const figureNames = Object.keys(evaluated[0]?.figures ?? {});
  const table: Table = {
    id: 'tune-points',
    title:
      'Every evaluated point, in the order run' +
      (evaluated.length > MAX_TABLE_ROWS ? ` (first ${MAX_TABLE_ROWS} of ${evaluated.length}; tune.json has all)` : ''),
    columns: [
      'order',
      'point',
      t.method === 'bo' ? 'batch' : 'rung',
      'parameters',
      'seeds',
      ...figureNames,
      'constraints',
    ],
    rows: evaluated
      .slice(0, MAX_TABLE_ROWS)
      .map((p, i) => [
        i + 1,
        `#${p.point}${p.point === view.best ? ' (winner)' : p.point === view.runnerUp ? ' (runner-up)' : ''}`,
        rungOf.get(p.point) ?? '',
        params(p.params),
        p.seeds,
        ...figureNames.map((f) => n(p.figures[f], 3)),
        p.feasible ? 'met' : 'missed',
      ]),
  };
  return {
    title: `${t.name ?? 'tune'} — tune`,
    kind: 'tune',
    facts,
    charts: tuneCharts(view),
    tables: [table],
  };
}

/**
 * What a run's charts need besides timeseries.csv: the SLO, fault windows and the HPA's CPU target from
 * scenario.resolved.yaml (the scenario as it ran), and pods.csv for the per-pod panels.
 */
function runContext(dir: string, durationS: number): RunContext {
  const ctx: RunContext = { faults: [], endS: durationS };
  const resolved = join(dir, 'scenario.resolved.yaml');
  if (existsSync(resolved)) {
    // biome-ignore lint/suspicious/noExplicitAny: the resolved scenario's YAML, read for two optional fields
    let sc: any;
    try {
      sc = parseYaml(readFileSync(resolved, 'utf8'));
    } catch {
      throw new FileContentError(
        `${resolved}: expected the YAML gmpsim wrote, found malformed YAML; re-run to regenerate it`,
      );
    }
    if (typeof sc?.slo?.p99Ms === 'number') ctx.sloP99Ms = sc.slo.p99Ms;
    for (const f of (sc?.faults ?? []) as { type: string; atS: number; durationS?: number }[]) {
      if (typeof f?.atS === 'number')
        ctx.faults.push({ type: String(f.type), fromS: f.atS, toS: f.atS + (f.durationS ?? 0) });
    }
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const cpu = ((sc?.hpa?.metrics ?? []) as any[]).find(
      (m) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization',
    );
    const req = sc?.cluster?.pod?.cpuRequestCores;
    if (cpu && typeof req === 'number' && req > 0)
      ctx.hpaCpu = { targetPct: cpu.resource.target.averageUtilization, requestCores: req };
  }
  if (existsSync(join(dir, 'pods.csv'))) ctx.pods = csv(join(dir, 'pods.csv'));
  return ctx;
}

/** Read a results directory (a run, a compare or a sweep) and decide its charts. */
function readReportUnchecked(dir: string): Report {
  if (existsSync(join(dir, 'summary.json'))) {
    const s = json(join(dir, 'summary.json'));
    const decisions = existsSync(join(dir, 'hpa_decisions.csv')) ? csv(join(dir, 'hpa_decisions.csv')) : undefined;
    const f = (x: number, d = 2) => (typeof x === 'number' ? x.toFixed(d) : '-');
    const facts: [string, string][] = [
      ['scenario', `${s.scenario} (seed ${s.seed}, ${s.durationS} s, GOMAXPROCS ${s.gomaxprocs}, Go ${s.goVersion})`],
      ['latency', `p50 ${f(s.latencyMs.p50)} ms · p99 ${f(s.latencyMs.p99)} ms · max ${f(s.latencyMs.max)} ms`],
      [
        'requests',
        `${s.requests.completed} completed · ${s.requests.failed} failed · ${s.requests.timeouts} timed out`,
      ],
      [
        'cluster',
        `${f(s.cluster.podSeconds, 0)} pod-s · max ${s.cluster.maxReplicas} replicas ` +
          `· ${s.cluster.oomKills ?? 0} OOM kills`,
      ],
    ];
    if (s.cluster.startup) {
      const st = s.cluster.startup;
      const phases = Object.entries(st.meanS as Record<string, number>)
        .map(([k, v]) => `${k} ${f(v, 1)}`)
        .join(' · ');
      facts.push([
        'start-up',
        `${st.podsStarted} pods, mean ${f(st.meanToReadyS, 1)} s to Ready (${phases} s) · ${st.imagePulls} image pulls`,
      ]);
    }
    if (s.hpa)
      facts.push([
        'HPA',
        `${s.hpa.scaleUps} scale-ups · ${s.hpa.scaleDowns} scale-downs · ${s.hpa.directionReversals} reversals`,
      ]);
    if (s.gmp?.gc)
      facts.push([
        'GC (pod 0)',
        `${s.gmp.gc.cycles} cycles · GC CPU ${(100 * s.gmp.gc.gcCpuFraction).toFixed(1)}% · ` +
          `assist ${(100 * s.gmp.gc.assistFraction).toFixed(2)}% · STW p99 ${f(s.gmp.gc.stwPauseMs.p99, 3)} ms`,
      ]);
    if (s.gmp?.cpuThrottling)
      facts.push([
        'CFS (pod 0)',
        `${s.gmp.cpuThrottling.throttledPeriods} of ${s.gmp.cpuThrottling.periods} periods throttled ` +
          `· ${f(s.gmp.cpuThrottling.throttledMs, 0)} ms`,
      ]);
    if (s.chaos?.steadyState) {
      const h = s.chaos.steadyState;
      const failed = (h.checks as { fault: number; phase: string; pass: boolean }[])
        .filter((c) => !c.pass)
        .map((c) => `fault ${c.fault} ${c.phase}`);
      facts.push([
        'steady state',
        h.pass ? 'PASS: held before, during and after every fault' : `FAIL: ${failed.join(', ')}`,
      ]);
    }
    // What the run fell into, with its window and evidence (summary.json's regimes).
    for (const r of (s.regimes ?? []) as Regime[])
      facts.push([`${r.kind} (${r.fromS}–${r.toS} s)`, `${r.evidence} — ${r.what}`]);
    return {
      title: `${s.scenario} — run`,
      kind: 'run',
      facts,
      charts: runCharts(csv(join(dir, 'timeseries.csv')), decisions, runContext(dir, s.durationS)),
    };
  }
  if (existsSync(join(dir, 'compare.json'))) {
    const c = json(join(dir, 'compare.json'));
    // Means per variant (compare.csv holds one row per seed).
    const rows = csv(join(dir, existsSync(join(dir, 'compare-summary.csv')) ? 'compare-summary.csv' : 'compare.csv'));
    const seeds = (Array.isArray(c.seeds) ? c.seeds : []) as number[];
    const variants: Record<string, VariantSeeds> = {};
    for (const v of rows.map((r) => String(r.variant))) {
      // every seed's series (timeseries-<v>-seed-<n>.csv); a directory from before them has the first seed's only
      const files = seeds.map((n) => `${v}-seed-${n}.csv`).filter((f) => existsSync(join(dir, `timeseries-${f}`)));
      const series = files.length > 0 ? files.map((f) => `timeseries-${f}`) : [`timeseries-${v}.csv`];
      if (!existsSync(join(dir, series[0]!))) continue;
      variants[v] = {
        series: series.map((f) => csv(join(dir, f))),
        decisions: files
          .filter((f) => existsSync(join(dir, `hpa_decisions-${f}`)))
          .map((f) => csv(join(dir, `hpa_decisions-${f}`))),
      };
    }
    const slo = typeof c.sloP99Ms === 'number' ? c.sloP99Ms : undefined;
    return {
      title: `${c.scenario ?? 'comparison'} — variants`,
      kind: 'compare',
      facts: [['seeds', seeds.join(', ') || String(c.seeds ?? '')]],
      charts: [...seedBandCharts(variants, slo), ...compareCharts(rows)],
    };
  }
  if (existsSync(join(dir, 'sweep.json'))) {
    const w = json(join(dir, 'sweep.json'));
    return {
      title: `${w.name} — sweep`,
      kind: 'sweep',
      facts: [
        ['points', `${w.totalPoints} × ${w.replications} replications`],
        ['best', (w.best as number[]).map((i) => `#${i}`).join(', ')],
      ],
      charts: sweepCharts(csv(join(dir, 'points.csv')), w.paths),
    };
  }
  if (existsSync(join(dir, 'tune.json'))) return tuneReport(json(join(dir, 'tune.json')), join(dir, 'tune.json'));
  throw new Error(
    `${dir}: not a gmpsim results directory (expected summary.json, compare.json, sweep.json or tune.json)`,
  );
}

/** One chart as SVG, rendered headless (no browser): vega-lite → vega → SVG. */
export async function chartSvg(chart: Chart): Promise<string> {
  const view = new vega.View(vega.parse(compile(chart.spec as never).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A table section: a header row, then one row per entry. */
function tableHtml(t: Table): string {
  const head = t.columns.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((x) => `<td>${esc(String(x))}</td>`).join('')}</tr>`).join('\n');
  return (
    `<section class="table" id="${t.id}"><h2>${esc(t.title)}</h2><div style="overflow:auto;max-height:600px">` +
    `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div></section>`
  );
}

/** One self-contained HTML page: the libraries inlined, every chart's spec and data embedded. */
export function reportHtml(r: Report): string {
  const specs = Object.fromEntries(r.charts.map((c) => [c.id, c.spec]));
  const json = JSON.stringify(specs).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px auto;max-width:900px;color:#222}
h1{font-size:22px;margin:0 0 8px} h2{font-size:15px;margin:24px 0 6px}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:8px 0 16px} dt{color:#666}
.chart{border-top:1px solid #eee;padding-top:4px}
table{border-collapse:collapse;font-size:12px} th,td{padding:2px 6px;border-bottom:1px solid #eee;text-align:right}
th{position:sticky;top:0;background:#fff} td:nth-child(4){text-align:left}
</style>
${libraries()}
</head><body>
<h1>${esc(r.title)}</h1>
<dl>${r.facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
${r.charts
  .map((c) => `<section class="chart" id="${c.id}"><h2>${esc(c.title)}</h2>` + '<div class="vis"></div></section>')
  .join('\n')}
${(r.tables ?? []).map(tableHtml).join('\n')}
<p style="color:#888">gmpsim report · hover a line or bar for its values</p>
<script>
const specs = ${json};
const views = {};
window.reportViews = views;
const embeds = Object.entries(specs).map(([id, spec]) =>
  vegaEmbed('#' + id + ' .vis', spec, { renderer: 'svg', actions: false })
    .then((r) => { views[id] = r.view; })
    .catch((e) => console.error(id, e)));
// Brushing: a time range dragged on the overview sets every time chart's x domain (param xdom).
Promise.all(embeds).then(() => {
  const ov = views.overview;
  if (!ov) return;
  ov.addSignalListener('brush', (_name, value) => {
    const r = value && value.t_s;
    const dom = r && r[1] > r[0] ? [r[0], r[1]] : null;
    window.brushedRange = dom;
    for (const [id, v] of Object.entries(views)) {
      if (id === 'overview') continue;
      try { v.signal('xdom', dom).runAsync(); } catch (e) { /* a chart without time */ }
    }
  });
  window.reportReady = true;
});
</script>
</body></html>
`;
}

/**
 * For notebooks and scripts: an SVG line chart of some timeseries columns of a finished run
 * (`{ latency_p99_ms: 'p99' }` maps a column to its legend label).
 */
export async function seriesChartSvg(
  series: { columns: readonly string[]; rows: readonly (readonly number[])[] },
  columns: Record<string, string>,
  title: string,
  yTitle = '',
): Promise<string> {
  const rows = series.rows.map((r) => Object.fromEntries(series.columns.map((c, i) => [c, r[i]!])));
  const values: Row[] = [];
  for (const r of rows)
    for (const [c, label] of Object.entries(columns))
      if (Number.isFinite(r[c])) values.push({ t_s: r.t_s!, series: label, value: r[c]! });
  return chartSvg({
    id: 'notebook',
    title,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title,
      width: 640,
      height: 200,
      data: { values },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 't_s', type: 'quantitative', title: 'simulated time (s)' },
        y: { field: 'value', type: 'quantitative', title: yTitle },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
  });
}
