import { toCsv } from '../report/format.js';
import { SWEEP_METRICS, type SweepMetric } from '../scenario/sweep-schema.js';

/**
 * The density law's stability map (issue 20 item 4): each (α, β, γ) point of the lesson's sweep, run on
 * the sweep's seeds, classified three ways, pure (the runs come in, text goes out):
 * - `predicted`: the stability check's own criterion on α × periodS (densityStability in
 *   src/autoscaler/density/controller.ts): monotone ≤ 1 < ringing < 2 ≤ diverging;
 * - `behaviour`, measured: the controller **oscillates** when its rescales reverse direction (a scale-up
 *   followed by a scale-down or the reverse: summary.hpa.directionReversals, the sweep's `flapping`) at
 *   least OSCILLATION_REVERSALS times in the run, on the mean over the seeds; else it is **stable**. The
 *   lesson's load steps up once and never down, so a loop that settles reverses at most once or twice
 *   (an overshoot and its correction);
 * - `beatsHpa`: paired against the HPA baseline on the same seeds (common random numbers): fewer
 *   pod-seconds on **every** seed and no more minutes over the SLO than the HPA on that seed.
 */
export const OSCILLATION_REVERSALS = 4;

export type Predicted = 'monotone' | 'ringing' | 'diverging';
export type Behaviour = 'stable' | 'oscillates';

/** The stability check's class for α × Δt (the error shrinks by 1 − αΔt a period). */
export function predictedLoop(alphaPeriod: number): Predicted {
  return alphaPeriod <= 1 ? 'monotone' : alphaPeriod < 2 ? 'ringing' : 'diverging';
}

/** One point's runs: its law parameters and, per seed, the sweep's figures (SWEEP_METRICS order). */
export interface MapPoint {
  alpha: number;
  beta: number;
  gamma: number;
  periodS: number;
  runs: readonly (readonly number[])[];
}

export interface MapRow {
  alpha: number;
  beta: number;
  gamma: number;
  alphaPeriod: number;
  predicted: Predicted;
  reversals: number;
  rescales: number;
  behaviour: Behaviour;
  podSeconds: number;
  hpaPodSeconds: number;
  p99Ms: number;
  hpaP99Ms: number;
  sloViolationMin: number;
  hpaSloViolationMin: number;
  beatsHpa: boolean;
}

const at = (m: SweepMetric) => SWEEP_METRICS.indexOf(m);
const mean = (runs: readonly (readonly number[])[], m: SweepMetric) =>
  runs.reduce((a, r) => a + r[at(m)]!, 0) / runs.length;

/** A map row from a point's runs and the HPA's on the same seeds (same order). */
export function mapRow(p: MapPoint, hpa: readonly (readonly number[])[]): MapRow {
  if (p.runs.length === 0 || p.runs.length !== hpa.length) {
    throw new RangeError(`a map cell needs the HPA's runs on the same seeds: ${p.runs.length} vs ${hpa.length}`);
  }
  const alphaPeriod = p.alpha * p.periodS;
  const reversals = mean(p.runs, 'flapping');
  const beatsHpa = p.runs.every(
    (r, i) =>
      r[at('podSeconds')]! < hpa[i]![at('podSeconds')]! && r[at('sloViolationMin')]! <= hpa[i]![at('sloViolationMin')]!,
  );
  return {
    alpha: p.alpha,
    beta: p.beta,
    gamma: p.gamma,
    alphaPeriod,
    predicted: predictedLoop(alphaPeriod),
    reversals,
    rescales: mean(p.runs, 'replicaChanges'),
    behaviour: reversals >= OSCILLATION_REVERSALS ? 'oscillates' : 'stable',
    podSeconds: mean(p.runs, 'podSeconds'),
    hpaPodSeconds: mean(hpa, 'podSeconds'),
    p99Ms: mean(p.runs, 'p99Ms'),
    hpaP99Ms: mean(hpa, 'p99Ms'),
    sloViolationMin: mean(p.runs, 'sloViolationMin'),
    hpaSloViolationMin: mean(hpa, 'sloViolationMin'),
    beatsHpa,
  };
}

/** The map's columns, each with how it is written (fixed decimals, so the file is byte-stable). */
const COLUMNS: { name: string; read: (r: MapRow) => string | number }[] = [
  { name: 'alpha', read: (r) => r.alpha },
  { name: 'beta', read: (r) => r.beta },
  { name: 'gamma', read: (r) => r.gamma },
  { name: 'alpha_period', read: (r) => r.alphaPeriod.toFixed(2) },
  { name: 'predicted', read: (r) => r.predicted },
  { name: 'reversals', read: (r) => r.reversals.toFixed(1) },
  { name: 'rescales', read: (r) => r.rescales.toFixed(1) },
  { name: 'behaviour', read: (r) => r.behaviour },
  { name: 'pod_seconds', read: (r) => r.podSeconds.toFixed(0) },
  { name: 'hpa_pod_seconds', read: (r) => r.hpaPodSeconds.toFixed(0) },
  { name: 'p99_ms', read: (r) => r.p99Ms.toFixed(1) },
  { name: 'hpa_p99_ms', read: (r) => r.hpaP99Ms.toFixed(1) },
  { name: 'slo_violation_min', read: (r) => r.sloViolationMin.toFixed(2) },
  { name: 'hpa_slo_violation_min', read: (r) => r.hpaSloViolationMin.toFixed(2) },
  { name: 'beats_hpa', read: (r) => (r.beatsHpa ? 'yes' : 'no') },
];

export function mapCsv(rows: readonly MapRow[]): string {
  return toCsv(
    COLUMNS.map((c) => c.name),
    rows.map((r) => COLUMNS.map((c) => c.read(r))),
  );
}

const FILL: Record<Behaviour, string> = { stable: '#cfe8cf', oscillates: '#f6c6a0' };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * The map as an SVG: one panel per γ, α across (with α × periodS and the predicted class), β down; a
 * cell is green when stable and orange when it oscillates, shows the mean reversals and the pod-seconds
 * against the HPA, and a ★ where the law beats the HPA.
 */
export function mapSvg(rows: readonly MapRow[], title: string): string {
  const uniq = (f: (r: MapRow) => number) => [...new Set(rows.map(f))].sort((a, b) => a - b);
  const alphas = uniq((r) => r.alpha),
    betas = uniq((r) => r.beta),
    gammas = uniq((r) => r.gamma);
  const cw = 78,
    ch = 44,
    left = 58,
    top = 74,
    gap = 24;
  const panelW = alphas.length * cw;
  const width = left + gammas.length * (panelW + gap) + 10;
  const height = top + betas.length * ch + 58;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" ` +
      `font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const [gi, g] of gammas.entries()) {
    const x0 = left + gi * (panelW + gap);
    out.push(`<text x="${x0 + panelW / 2}" y="36" text-anchor="middle" font-weight="bold">γ = ${g}</text>`);
    for (const [ai, a] of alphas.entries()) {
      const r0 = rows.find((r) => r.alpha === a)!;
      const cx = x0 + ai * cw + cw / 2;
      out.push(`<text x="${cx}" y="52" text-anchor="middle">α = ${a}</text>`);
      out.push(
        `<text x="${cx}" y="66" text-anchor="middle" ` +
          `fill="#555">αΔt ${r0.alphaPeriod.toFixed(2)} ${r0.predicted}</text>`,
      );
    }
    for (const [bi, b] of betas.entries()) {
      if (gi === 0)
        out.push(`<text x="${left - 6}" y="${top + bi * ch + ch / 2 + 4}" text-anchor="end">β = ${b}</text>`);
      for (const [ai, a] of alphas.entries()) {
        const r = rows.find((q) => q.alpha === a && q.beta === b && q.gamma === g);
        const x = x0 + ai * cw,
          y = top + bi * ch;
        if (!r) continue;
        const diff = (100 * (r.podSeconds - r.hpaPodSeconds)) / r.hpaPodSeconds;
        out.push(
          `<rect class="cell" x="${x}" y="${y}" width="${cw - 2}" height="${ch - 2}" fill="${FILL[r.behaviour]}" ` +
            `stroke="#888"/>`,
          `<text x="${x + 5}" y="${y + 16}">${r.reversals.toFixed(1)} rev${r.beatsHpa ? ' ★' : ''}</text>`,
          `<text x="${x + 5}" y="${y + 32}" fill="#333">pod-s ${diff >= 0 ? '+' : '−'}${Math.abs(diff).toFixed(0)} ` +
            `%</text>`,
        );
      }
    }
  }
  const ly = top + betas.length * ch + 20;
  out.push(
    `<rect x="${left}" y="${ly - 10}" width="12" height="12" fill="${FILL.stable}" stroke="#888"/>`,
    `<text x="${left + 16}" y="${ly}">stable (mean rescale reversals &lt; ${OSCILLATION_REVERSALS})</text>`,
    `<rect x="${left + 250}" y="${ly - 10}" width="12" height="12" fill="${FILL.oscillates}" stroke="#888"/>`,
    `<text x="${left + 266}" y="${ly}">oscillates (≥ ${OSCILLATION_REVERSALS})</text>`,
    `<text x="${left}" y="${ly + 20}">★ beats the HPA: fewer pod-seconds and no more minutes over the SLO on every ` +
      `seed; pod-s: mean vs the HPA</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
