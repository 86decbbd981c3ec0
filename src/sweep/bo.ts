import { RandomStreams } from '../engine/random.js';
import type { SweepMetric } from '../scenario/sweep-schema.js';
import { expectedImprovement, GaussianProcess, normalCdf } from './gp.js';
import type { SweepPoint } from './points.js';

/**
 * Bayesian optimisation over a sweep's points (`tune --method bo`): the points are the candidate pool,
 * each scenario path one input dimension scaled to [0, 1] (numbers linearly, or on a log scale for a
 * `log: true` range; anything else one-hot). A Gaussian process models the cost and one models each
 * constrained figure; the acquisition is the expected improvement on the cost times the probability that
 * every constraint holds (Gardner et al., "Bayesian Optimization with Inequality Constraints", ICML 2014;
 * before any point is feasible, the probability of feasibility alone). A batch is chosen by the "kriging
 * believer" (Ginsbourger et al. 2010): after each pick the GPs take their own mean there as an observation,
 * so the next pick goes elsewhere. Only completed batches inform the next, and batch sizes do not depend on
 * the worker count, so the same points run on any number of workers.
 */

/** Each point as a vector in [0, 1]^d (paths with one value only are left out). */
export function encodePoints(points: readonly SweepPoint[], logPaths: ReadonlySet<string> = new Set()): Float64Array[] {
  if (points.length === 0) return [];
  const columns: ((p: SweepPoint) => number)[] = [];
  const paths = points[0]!.params.map(([path]) => path);
  paths.forEach((path, j) => {
    const values = points.map((p) => p.params[j]![1]);
    if (values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      const log = logPaths.has(path) && values.every((v) => (v as number) > 0);
      const f = (v: number) => (log ? Math.log(v) : v);
      const nums = values.map((v) => f(v as number));
      const lo = Math.min(...nums),
        hi = Math.max(...nums);
      if (hi > lo) columns.push((p) => (f(p.params[j]![1] as number) - lo) / (hi - lo));
      return;
    }
    const keys = [...new Set(values.map((v) => JSON.stringify(v)))];
    if (keys.length < 2) return;
    // One-hot, scaled by 1/√2 so two different categories are 1 apart, like a numeric path's extremes.
    for (const key of keys) columns.push((p) => (JSON.stringify(p.params[j]![1]) === key ? Math.SQRT1_2 : 0));
  });
  return points.map((p) => Float64Array.from(columns, (c) => c(p)));
}

/**
 * The first batch: a seeded first point, then each next the point farthest from those chosen (maximin),
 * ties broken by a seeded order — spread over the space, the same for a seed on any machine.
 */
export function initialDesign(x: readonly Float64Array[], size: number, masterSeed: number): number[] {
  const rng = new RandomStreams(masterSeed).stream('tune.bo.design');
  const order = x.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const chosen = [order[0]!];
  const nearest = x.map((xi) => dist(xi, x[order[0]!]!));
  while (chosen.length < Math.min(size, x.length)) {
    let pick = -1;
    for (const i of order) if (!chosen.includes(i) && (pick < 0 || nearest[i]! > nearest[pick]!)) pick = i;
    chosen.push(pick);
    for (const [i, xi] of x.entries()) nearest[i] = Math.min(nearest[i]!, dist(xi, x[pick]!));
  }
  return chosen;
}

function dist(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/** What the acquisition knows of an evaluated point: its mean cost and constrained figures. */
export interface Observed {
  point: number;
  /** The cost (or the weighted objective); NaN/∞ for a failed point (not modelled). */
  cost: number;
  /** The constrained figures' means, in `constraints` order. */
  figures: number[];
  feasible: boolean;
}

export interface BoConstraint {
  metric: SweepMetric;
  max: number;
}

/**
 * Constrained figures are modelled on log(1 + x): latency grows by orders of magnitude once a point is
 * overloaded, and one such point would otherwise flatten the GP everywhere else. The bound moves with it.
 */
const warp = (v: number) => Math.log1p(Math.max(0, v));

/** The acquisition over x: its value at a point, and the same after believing a pick (kriging believer). */
export interface Scorer {
  at(x: Float64Array): number;
  /** The scorer after taking its own predictions at x as observations, so the next pick goes elsewhere. */
  believe(x: Float64Array): Scorer;
}

/**
 * Constrained expected improvement (see the file's note) from the evaluated points (`observed`, whose
 * `point` indexes `x`): EI of the cost below the best feasible cost times the probability that every
 * constraint holds; before any point is feasible, that probability alone. Failed points are left out.
 * Undefined when no point has a finite cost (nothing to model yet).
 */
export function scoreFn(
  x: readonly Float64Array[],
  observed: readonly Observed[],
  constraints: readonly BoConstraint[],
): Scorer | undefined {
  const ok = observed.filter((o) => Number.isFinite(o.cost));
  if (ok.length === 0) return undefined;
  const xs = ok.map((o) => x[o.point]!);
  const cost = GaussianProcess.fit(
    xs,
    ok.map((o) => o.cost),
  );
  const cons = constraints.map((_, k) =>
    GaussianProcess.fit(
      xs,
      ok.map((o) => warp(o.figures[k]!)),
    ),
  );
  const feasibleCosts = ok.filter((o) => o.feasible).map((o) => o.cost);
  const best = feasibleCosts.length > 0 ? Math.min(...feasibleCosts) : undefined;
  const make = (cost: GaussianProcess, cons: GaussianProcess[]): Scorer => ({
    at(xi) {
      let pof = 1;
      cons.forEach((gp, k) => {
        const p = gp.predict(xi);
        const bound = warp(constraints[k]!.max);
        pof *= p.sd > 0 ? normalCdf((bound - p.mean) / p.sd) : p.mean <= bound ? 1 : 0;
      });
      return best === undefined ? pof : pof * expectedImprovement(cost.predict(xi), best);
    },
    believe(xp) {
      return make(
        cost.withObservation(xp, cost.predict(xp).mean),
        cons.map((gp) => gp.withObservation(xp, gp.predict(xp).mean)),
      );
    },
  });
  return make(cost, cons);
}

/**
 * The next batch of `size` unevaluated points by constrained expected improvement (see the file's note),
 * ties broken by the lowest index. Returns fewer when the pool runs out.
 */
export function proposeBatch(
  x: readonly Float64Array[],
  observed: readonly Observed[],
  constraints: readonly BoConstraint[],
  size: number,
): number[] {
  const seen = new Set(observed.map((o) => o.point));
  let score = scoreFn(x, observed, constraints);
  if (!score)
    return x
      .map((_, i) => i)
      .filter((i) => !seen.has(i))
      .slice(0, size);
  const batch: number[] = [];
  while (batch.length < size) {
    let pick = -1,
      pickScore = -Infinity;
    for (let i = 0; i < x.length; i++) {
      if (seen.has(i)) continue;
      const s = score.at(x[i]!);
      if (s > pickScore) {
        pick = i;
        pickScore = s;
      }
    }
    if (pick < 0) break;
    batch.push(pick);
    seen.add(pick);
    score = score.believe(x[pick]!);
  }
  return batch;
}

/** Most points `--method bo` searches (each batch predicts every unevaluated point). */
export const MAX_BO_POINTS = 20_000;
/** Most points `--method bo` evaluates over a range (each batch refits GPs of that many points: O(n³)). */
export const MAX_BO_RANGE_BUDGET = 1_000;
