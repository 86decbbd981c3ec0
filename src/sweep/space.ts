import type { RandomStream } from '../engine/random.js';
import type { Sweep } from '../scenario/sweep-schema.js';
import { type BoConstraint, type Observed, scoreFn } from './bo.js';
import type { SweepPoint } from './points.js';

/**
 * The search space of `tune --method bo` when the sweep has a grid range (`{min, max, int, log, steps}`):
 * the ranges are searched whole — between the grid's values — and the listed paths take their listed
 * values. Each dimension maps a value to [0, 1] (a range on its own bounds, linearly or on a log scale;
 * a list of numbers on its least and greatest; any other list one-hot, 1/√2 a category so two differ by
 * 1). The acquisition (bo.ts's constrained expected improvement) is maximised over a seeded candidate
 * set — every grid point, uniform draws, and draws near the best points so far — then the best few are
 * refined by a compass search on the range coordinates (Kolda, Lewis & Torczon, "Optimization by Direct
 * Search", SIAM Review 2003: poll ± step per coordinate, halve the step when no poll improves). A
 * proposal is quantised (1/10,000 of its range on the encoded scale, then 6 significant digits; integers
 * rounded) so that it prints cleanly and the same value is never run twice.
 */
export type Dimension =
  | { path: string; kind: 'range'; min: number; max: number; int: boolean; log: boolean }
  | { path: string; kind: 'values'; values: readonly unknown[] };

/** The space of a sweep with at least one grid range (random ranges are searched whole too); else undefined. */
export function searchSpace(spec: Sweep): Dimension[] | undefined {
  const grid = Object.entries(spec.grid);
  if (!grid.some(([, v]) => !Array.isArray(v))) return undefined;
  const dims: Dimension[] = grid.map(([path, v]) =>
    Array.isArray(v) ? { path, kind: 'values', values: v } : { path, kind: 'range', ...v },
  );
  for (const [path, r] of Object.entries(spec.random?.ranges ?? {}))
    dims.push({ path, kind: 'range', min: r.min, max: r.max, int: r.int, log: r.log });
  return dims;
}

const fwd = (d: { log: boolean }, v: number) => (d.log ? Math.log(v) : v);

/** Width of each dimension in x: 1 for a range or a list of numbers, one per category, 0 for one value. */
function widths(dims: readonly Dimension[]): number[] {
  return dims.map((d) => {
    if (d.kind === 'range') return 1;
    const keys = new Set(d.values.map((v) => JSON.stringify(v)));
    if (keys.size < 2) return 0;
    return d.values.every((v) => typeof v === 'number' && Number.isFinite(v)) ? 1 : keys.size;
  });
}

/** Encode a point's parameters (in the dimensions' order) to x in [0, 1]^n. */
export function encodeParams(dims: readonly Dimension[], params: SweepPoint['params']): Float64Array {
  const w = widths(dims);
  const x = new Float64Array(w.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const [j, d] of dims.entries()) {
    const v = params[j]![1];
    if (d.kind === 'range') x[at] = (fwd(d, v as number) - fwd(d, d.min)) / (fwd(d, d.max) - fwd(d, d.min));
    else if (w[j] === 1) {
      const nums = d.values as number[];
      const lo = Math.min(...nums),
        hi = Math.max(...nums);
      x[at] = ((v as number) - lo) / (hi - lo);
    } else if (w[j]! > 1) {
      const keys = [...new Set(d.values.map((u) => JSON.stringify(u)))];
      x[at + keys.indexOf(JSON.stringify(v))] = Math.SQRT1_2;
    }
    at += w[j]!;
  }
  return x;
}

/** A range coordinate u ∈ [0, 1] as a value: quantised, integers rounded into [⌈min⌉, ⌊max⌋]. */
export function decodeRange(d: Extract<Dimension, { kind: 'range' }>, u: number): number {
  const q = Math.round(Math.min(1, Math.max(0, u)) * 10_000) / 10_000;
  const lo = fwd(d, d.min),
    hi = fwd(d, d.max);
  const t = lo + q * (hi - lo);
  let v = Number((d.log ? Math.exp(t) : t).toPrecision(6));
  v = Math.min(d.max, Math.max(d.min, v));
  if (d.int) v = Math.min(Math.floor(d.max), Math.max(Math.ceil(d.min), Math.round(v)));
  return v;
}

/** A candidate: a value index per list dimension, a coordinate per range dimension. */
type Candidate = number[];

function toParams(dims: readonly Dimension[], c: Candidate): SweepPoint['params'] {
  return dims.map((d, j) => [d.path, d.kind === 'range' ? decodeRange(d, c[j]!) : d.values[c[j]!]]);
}

function fromParams(dims: readonly Dimension[], params: SweepPoint['params']): Candidate {
  return dims.map((d, j) => {
    const v = params[j]![1];
    if (d.kind === 'values')
      return Math.max(
        0,
        d.values.findIndex((u) => JSON.stringify(u) === JSON.stringify(v)),
      );
    return (fwd(d, v as number) - fwd(d, d.min)) / (fwd(d, d.max) - fwd(d, d.min));
  });
}

/** Candidates drawn uniformly, and near the best observed points, per proposal. */
export const UNIFORM_CANDIDATES = 512;
export const LOCAL_CANDIDATES = 128;
/** Candidates refined by the compass search, its first and last step (on [0, 1]). */
const REFINED = 4;
const FIRST_STEP = 0.1;
const LAST_STEP = 1e-3;

/**
 * The next batch of `size` new parameter sets: each maximises the constrained expected improvement (the
 * kriging believer between picks, as proposeBatch), never one already evaluated or picked. `all` holds
 * every point so far, the sweep's `gridCount` grid points first (their index is their place); `observed`
 * refers to them by index. The `rng` is the batch's own stream (`tune.bo.candidates.<batch>`), so a
 * batch's candidates do not depend on how many draws earlier batches made.
 */
export function proposeInSpace(
  dims: readonly Dimension[],
  all: readonly SweepPoint[],
  gridCount: number,
  observed: readonly Observed[],
  constraints: readonly BoConstraint[],
  size: number,
  rng: RandomStream,
): SweepPoint['params'][] {
  const taken = new Set(observed.map((o) => JSON.stringify(all[o.point]!.params)));
  const out: SweepPoint['params'][] = [];
  const xs = all.map((p) => encodeParams(dims, p.params));
  let score = scoreFn(xs, observed, constraints);
  const ranges = dims.flatMap((d, j) => (d.kind === 'range' ? [j] : []));
  const encode = (c: Candidate) => encodeParams(dims, toParams(dims, c));
  const keyOf = (c: Candidate) => JSON.stringify(toParams(dims, c));
  // Nothing modelled yet (every point so far failed): no preference, so the grid's points in order.
  const value = (c: Candidate) => (score ? score.at(encode(c)) : 0);
  // Near the best: the feasible points by cost, then the others by cost; failed points never.
  const anchors = observed
    .filter((o) => Number.isFinite(o.cost))
    .sort((a, b) => (a.feasible !== b.feasible ? (a.feasible ? -1 : 1) : a.cost - b.cost || a.point - b.point))
    .slice(0, 3)
    .map((o) => fromParams(dims, all[o.point]!.params));
  const gridCands = all.slice(0, gridCount).map((p) => fromParams(dims, p.params));
  while (out.length < size) {
    const pool: Candidate[] = [...gridCands];
    for (let i = 0; i < UNIFORM_CANDIDATES; i++)
      pool.push(dims.map((d) => (d.kind === 'range' ? rng.nextDouble() : rng.int(d.values.length))));
    for (let i = 0; i < LOCAL_CANDIDATES && anchors.length > 0; i++) {
      // Up to ±0.1 on every range coordinate of an anchor (its listed values kept).
      const a = anchors[i % anchors.length]!;
      pool.push(a.map((u, j) => (dims[j]!.kind === 'range' ? clamp01(u + 0.2 * (rng.nextDouble() - 0.5)) : u)));
    }
    const scored = pool
      .map((c, i) => ({ c, s: value(c), i }))
      .filter((e) => !taken.has(keyOf(e.c)))
      .sort((a, b) => b.s - a.s || a.i - b.i);
    if (scored.length === 0) break;
    let best = scored[0]!;
    for (const start of scored.slice(0, REFINED)) {
      const r = compass(start.c, start.s, ranges, value, (c) => !taken.has(keyOf(c)));
      if (r.s > best.s) best = { c: r.c, s: r.s, i: start.i };
    }
    const params = toParams(dims, best.c);
    out.push(params);
    taken.add(JSON.stringify(params));
    score = score?.believe(encodeParams(dims, params));
  }
  return out;
}

const clamp01 = (u: number) => Math.min(1, Math.max(0, u));
/** Compass search from c on the range coordinates: poll ± step each, move on improvement, else halve. */
function compass(
  c0: Candidate,
  s0: number,
  ranges: readonly number[],
  value: (c: Candidate) => number,
  allowed: (c: Candidate) => boolean,
): { c: Candidate; s: number } {
  let c = c0,
    s = s0;
  for (let step = FIRST_STEP; step >= LAST_STEP; step /= 2) {
    for (let moved = true, rounds = 0; moved && rounds < 20; rounds++) {
      moved = false;
      for (const j of ranges) {
        for (const sign of [1, -1]) {
          const u = Math.min(1, Math.max(0, c[j]! + sign * step));
          if (u === c[j]) continue;
          const t = c.slice();
          t[j] = u;
          const v = value(t);
          if (v > s && allowed(t)) {
            c = t;
            s = v;
            moved = true;
          }
        }
      }
    }
  }
  return { c, s };
}
