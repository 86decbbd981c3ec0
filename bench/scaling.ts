import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { Experiment } from '../src/sim/experiment.js';
import { type Point, scalingScenario } from './scaling-scenario.js';

/**
 * Scaling curves (issue 24 item 5): CPU time of one run against pods (1 … 500, 100 req/s each), request
 * rate, simulated duration and goroutines per request, each varied alone from a small base (10 pods ×
 * GOMAXPROCS 2, 1,000 req/s, 20 simulated s). Each curve gets a least-squares line a + b·x (weighted by
 * 1/y², so each point's relative error counts alike) and its verdict: linear when every point is within 10 %
 * of the line. Writes results/bench/scaling.json and scaling.svg. CPU time (process.cpuUsage), not wall
 * time, so a busy machine moves the figures less (a point under 1 CPU-s is the median of 3 runs); ≈ 1 minute
 * of CPU on a quiet machine. GMPSIM_SCALING_SCALE multiplies every simulated duration (0.05 to test it).
 */
const scale = Number(process.env.GMPSIM_SCALING_SCALE ?? 1);
const outDir = process.env.GMPSIM_SCALING_OUT ?? 'results/bench';

const base: Point = { pods: 10, ratePerS: 1000, durationS: 20, goroutinesPerRequest: 1 };

function measure(p: Point): { cpuS: number; wallS: number; events: number; requests: number } {
  const s = scalingScenario({ ...p, durationS: p.durationS * scale });
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const { summary } = new Experiment(s, 1).finish();
  const c = process.cpuUsage(c0);
  return {
    cpuS: (c.user + c.system) / 1e6,
    wallS: Number(process.hrtime.bigint() - t0) / 1e9,
    events: summary.engine.events,
    requests: summary.requests.completed,
  };
}

const curves: { x: keyof Point; label: string; values: number[]; point: (v: number) => Point }[] = [
  {
    x: 'pods',
    label: 'pods (100 req/s each)',
    values: [1, 10, 50, 100, 250, 500],
    point: (v) => ({ ...base, pods: v, ratePerS: 100 * v }),
  },
  {
    x: 'ratePerS',
    label: 'request rate, req/s (10 pods)',
    values: [500, 1000, 2000, 5000, 10_000, 20_000],
    point: (v) => ({ ...base, ratePerS: v }),
  },
  {
    x: 'durationS',
    label: 'simulated duration, s',
    values: [15, 30, 60, 120, 240, 480],
    point: (v) => ({ ...base, durationS: v }),
  },
  {
    x: 'goroutinesPerRequest',
    label: 'goroutines per request',
    values: [1, 2, 4, 8, 16],
    point: (v) => ({ ...base, ratePerS: 500, goroutinesPerRequest: v }),
  },
];

/** Least-squares a + b·x, and the worst distance of a point from it, % of the point. */
function lineFit(xs: number[], ys: number[]) {
  // Weighted by 1/y²: the verdict is a percentage of each point, so each point's relative error counts alike;
  // an unweighted fit lets the largest points pull the line and judges the smallest by their noise.
  let sw = 0;
  let swx = 0;
  let swy = 0;
  for (let i = 0; i < xs.length; i++) {
    const w = 1 / ys[i]! ** 2;
    sw += w;
    swx += w * xs[i]!;
    swy += w * ys[i]!;
  }
  const mx = swx / sw;
  const my = swy / sw;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    const w = 1 / ys[i]! ** 2;
    sxy += w * (xs[i]! - mx) * (ys[i]! - my);
    sxx += w * (xs[i]! - mx) ** 2;
  }
  const b = sxy / sxx;
  const a = my - b * mx;
  const worstPct = Math.max(...xs.map((x, i) => (100 * Math.abs(ys[i]! - (a + b * x))) / ys[i]!));
  return { a, b, worstPct };
}

/**
 * A point under a second of CPU is the median of three runs: one run of 0.1 s moves by tens of percent
 * with the JIT and the machine, which would decide a curve's fit by noise.
 */
function steady(p: Point): ReturnType<typeof measure> {
  const first = measure(p);
  if (first.cpuS >= 1) return first;
  const runs = [first, measure(p), measure(p)].sort((a, b) => a.cpuS - b.cpuS);
  return runs[1]!;
}

measure({ ...base, durationS: 5 }); // warm the JIT before the first measured point
const results = curves.map((c) => {
  const points = c.values.map((v) => {
    const m = steady(c.point(v));
    process.stderr.write(`${c.x} = ${v}: ${m.cpuS.toFixed(2)} CPU s, ${m.requests} requests\n`);
    return { x: v, ...m };
  });
  const f = lineFit(
    points.map((p) => p.x),
    points.map((p) => p.cpuS),
  );
  return {
    x: c.x,
    label: c.label,
    points,
    fit: { interceptCpuS: f.a, cpuSPerUnit: f.b },
    worstPct: Math.round(f.worstPct * 10) / 10,
    linear: f.worstPct <= 10,
  };
});

/** Four panels, CPU s against each x, with the fitted line: plain SVG, no library. */
function svg(rs: typeof results): string {
  const w = 360;
  const h = 240;
  const m = { l: 52, r: 12, t: 28, b: 40 };
  const panels = rs.map((r, k) => {
    const ox = (k % 2) * w;
    const oy = Math.floor(k / 2) * h;
    const xmax = Math.max(...r.points.map((p) => p.x));
    const ymax = Math.max(...r.points.map((p) => p.cpuS), r.fit.interceptCpuS + r.fit.cpuSPerUnit * xmax) * 1.05;
    const X = (x: number) => ox + m.l + (x / xmax) * (w - m.l - m.r);
    const Y = (y: number) => oy + h - m.b - (y / ymax) * (h - m.t - m.b);
    const dots = r.points.map((p) => `<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.cpuS).toFixed(1)}" r="3"/>`);
    const line =
      `<line x1="${X(0).toFixed(1)}" y1="${Y(r.fit.interceptCpuS).toFixed(1)}" ` +
      `x2="${X(xmax).toFixed(1)}" y2="${Y(r.fit.interceptCpuS + r.fit.cpuSPerUnit * xmax).toFixed(1)}" ` +
      `stroke="#d62728" stroke-dasharray="4 3"/>`;
    const ticks = [0, 0.5, 1].map(
      (t) =>
        `<text x="${X(t * xmax).toFixed(1)}" y="${oy + h - m.b + 14}" ` +
        `text-anchor="middle">${+(t * xmax).toPrecision(3)}</text>` +
        `<text x="${ox + m.l - 4}" y="${(Y(t * ymax) + 4).toFixed(1)}" ` +
        `text-anchor="end">${+(t * ymax).toPrecision(2)}</text>`,
    );
    const verdict = r.linear ? 'within 10 % of linear' : `not linear (worst ${r.worstPct} %)`;
    return [
      `<rect x="${ox + m.l}" y="${oy + m.t}" width="${w - m.l - m.r}" height="${h - m.t - m.b}" fill="none" ` +
        `stroke="#999"/>`,
      `<text x="${ox + m.l}" y="${oy + 18}" font-weight="bold">${r.label}</text>`,
      `<text x="${ox + w - m.r}" y="${oy + 18}" text-anchor="end">${verdict}</text>`,
      `<text x="${ox + 12}" y="${oy + h / 2}" transform="rotate(-90 ${ox + 12} ${oy + h / 2})" ` +
        `text-anchor="middle">CPU s</text>`,
      line,
      ...dots,
      ...ticks,
    ].join('\n');
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * w}" height="${2 * h}" font-family="sans-serif" ` +
    `font-size="11">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${panels.join('\n')}\n</svg>\n`
  );
}

const report = { date: new Date().toISOString(), node: process.version, scale, base, curves: results };
mkdirSync(outDir, { recursive: true });
for (const [name, text] of [
  ['scaling.json', `${JSON.stringify(report, null, 2)}\n`],
  ['scaling.svg', svg(results)],
] as const) {
  writeFileSync(`${outDir}/.${name}.tmp`, text);
  renameSync(`${outDir}/.${name}.tmp`, `${outDir}/${name}`);
}
for (const r of results)
  process.stderr.write(`${r.label}: ${r.linear ? 'within' : 'NOT within'} 10 % of linear (worst ${r.worstPct} %)\n`);
