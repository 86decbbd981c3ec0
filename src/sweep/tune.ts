import { RandomStreams } from '../engine/random.js';
import type { Scenario } from '../scenario/schema.js';
import { SWEEP_METRICS, type SweepMetric } from '../scenario/sweep-schema.js';
import { encodePoints, initialDesign, type Observed, proposeBatch } from './bo.js';
import { runSeed, type SweepPoint } from './points.js';
import type { RunOutcome } from './run-row.js';
import type { SweepTask } from './runner.js';
import { type Dimension, encodeParams, proposeInSpace } from './space.js';

/** Runs a batch of tasks and returns their outcomes in task order (a worker pool, or inline in tests). */
export type Evaluate = (tasks: SweepTask[]) => Promise<RunOutcome[]>;

/** An upper bound on a figure's mean over a point's seeds: p99Ms ≤ 200. */
export interface Constraint {
  metric: SweepMetric;
  max: number;
}

/**
 * What `tune` minimises. `constrained` (the default of `gmpsim tune`): a cost (pod-seconds) among the
 * points whose constrained figures meet their bounds. `weighted`: the sweep's Σ weight × figure.
 */
export type Goal =
  | { kind: 'constrained'; cost: SweepMetric; constraints: readonly Constraint[] }
  | { kind: 'weighted'; objective: Partial<Record<SweepMetric, number>> };

export interface Rung {
  /** Candidates evaluated in this rung, and the seeds each has now. */
  candidates: number[];
  seeds: number;
  /** Mean objective per candidate (same order): the cost, or the weighted objective. */
  objectives: number[];
}

/** A point's standing: its mean figures, and whether (and by how much) it misses the constraints. */
export interface Standing {
  point: number;
  seeds: number;
  figures: Record<SweepMetric, number>;
  objective: number;
  feasible: boolean;
  /** Σ over constraints of how far the mean is above its bound, relative to the bound (0 if feasible). */
  violation: number;
  /** Σ over constraints of mean / bound: among equal costs, the point with more headroom ranks first. */
  usage: number;
}

export type TuneMethod = 'grid' | 'halving' | 'bo';

/** Bayesian optimisation's settings: points to evaluate in all, points per batch, paths drawn on a log scale. */
export interface BoSettings {
  budget: number;
  batch: number;
  logPaths?: ReadonlySet<string>;
  /**
   * The sweep's grid ranges searched whole (space.ts; searchSpace gives it when a grid path is a range),
   * with the scenario of a point between the grid's values. Without it, bo picks among the points only.
   */
  space?: { dims: readonly Dimension[]; scenarioOf: (p: SweepPoint) => Scenario };
}

export interface TuneResult {
  method: TuneMethod;
  rungs: Rung[];
  best: number;
  bestObjective: number;
  /** The winner and the runner-up (the next point in the final ranking), with their figures. */
  winner: Standing;
  runnerUp?: Standing;
  /** No point met every constraint: `winner` is the closest (least violation). */
  noneFeasible: boolean;
  runs: number;
  /**
   * Every point that ran, in the order it was first run (bo: its proposal order), with its figures on all
   * the seeds it got and whether it met the constraints: what the tune report draws.
   */
  evaluated: Standing[];
  /** bo over a space: the points it ran between the grid's values, numbered on from the grid's. */
  searched?: SweepPoint[];
}

/**
 * The rungs' sizes, [candidates, seeds each], which do not depend on the results: grid is one rung of
 * every point on maxSeeds; halving keeps ⌈n/η⌉ and multiplies the seeds by η until one candidate is
 * left or the seeds reach maxSeeds.
 */
export function rungSchedule(points: number, method: TuneMethod, maxSeeds: number, eta: number): [number, number][] {
  if (method === 'grid') return [[points, maxSeeds]];
  if (method === 'bo') throw new RangeError('Bayesian optimisation has no fixed rungs: its runs are budget × seeds');
  if (!(eta >= 2)) throw new RangeError(`successive halving needs η ≥ 2, found ${eta}`); // η = 1 would never narrow
  const out: [number, number][] = [];
  for (
    let cands = points, seeds = 1;
    ;
    cands = Math.max(1, Math.ceil(cands / eta)), seeds = Math.min(maxSeeds, seeds * eta)
  ) {
    out.push([cands, seeds]);
    if (cands === 1 || seeds >= maxSeeds) return out;
  }
}

/** Runs a tune will make: each rung's candidates run only the seeds they do not have yet. */
export function plannedRuns(schedule: readonly [number, number][]): number {
  return schedule.reduce((sum, [cands, seeds], i) => sum + cands * (seeds - (i > 0 ? schedule[i - 1]![1] : 0)), 0);
}

/** Σ weight × metric for one run (NaN for a failed run). */
export function runObjective(o: RunOutcome, objective: Partial<Record<SweepMetric, number>>): number {
  if (!('metrics' in o)) return NaN;
  let v = 0;
  for (const [m, w] of Object.entries(objective) as [SweepMetric, number][])
    v += w * o.metrics[SWEEP_METRICS.indexOf(m)]!;
  return v;
}

/** A point's standing from its runs' figures (SWEEP_METRICS order; a failed run makes it infinitely bad). */
export function standing(point: number, runs: readonly (number[] | undefined)[], goal: Goal): Standing {
  const failed = runs.length === 0 || runs.some((r) => r === undefined);
  const figures = Object.fromEntries(
    SWEEP_METRICS.map((m, i) => [m, failed ? NaN : runs.reduce((a, r) => a + r![i]!, 0) / runs.length]),
  ) as Record<SweepMetric, number>;
  if (failed)
    return {
      point,
      seeds: runs.length,
      figures,
      objective: Infinity,
      feasible: false,
      violation: Infinity,
      usage: Infinity,
    };
  if (goal.kind === 'weighted') {
    let v = 0;
    for (const [m, w] of Object.entries(goal.objective) as [SweepMetric, number][]) v += w * figures[m];
    return { point, seeds: runs.length, figures, objective: v, feasible: true, violation: 0, usage: 0 };
  }
  let violation = 0,
    usage = 0;
  for (const c of goal.constraints) {
    const over = figures[c.metric] - c.max;
    if (over > 0) violation += c.max > 0 ? over / c.max : over;
    usage += c.max > 0 ? figures[c.metric] / c.max : figures[c.metric];
  }
  return {
    point,
    seeds: runs.length,
    figures,
    objective: figures[goal.cost],
    feasible: violation === 0,
    violation,
    usage,
  };
}

/**
 * The ranking: feasible points by objective, then the rest by violation; equal objectives by headroom
 * under the constraints (a point as cheap and faster ranks first), then by index.
 */
export function compareStandings(a: Standing, b: Standing): number {
  if (a.feasible !== b.feasible) return a.feasible ? -1 : 1;
  if (!a.feasible && a.violation !== b.violation) return a.violation - b.violation;
  if (a.objective !== b.objective) return a.objective < b.objective || Number.isNaN(b.objective) ? -1 : 1;
  if (a.usage !== b.usage) return a.usage < b.usage ? -1 : 1;
  return a.point - b.point;
}

/**
 * Search the points for the best under `goal`. `grid`: every point on `maxSeeds` seeds. `halving`
 * (successive halving over seeds): every point on 1 seed, keep the best 1/η, give the survivors η× the
 * seeds (the earlier runs are reused), until one is left or they have `maxSeeds` — most of the budget
 * goes to the promising points. Seeds are the sweep's (master, replication) hashes, the same for every
 * point (paired), so a point's runs are the same in every method and on any number of workers. `bo`
 * (Bayesian optimisation, bo.ts): a spread first batch, then batches chosen by constrained expected
 * improvement from the completed ones, every point on `maxSeeds` seeds, until `budget` points have run.
 */
export async function tune(
  points: readonly SweepPoint[],
  scenarios: ReadonlyMap<number, Scenario>,
  opts: { method: TuneMethod; masterSeed: number; maxSeeds: number; eta: number; goal: Goal; bo?: BoSettings },
  evaluate: Evaluate,
): Promise<TuneResult> {
  const runsOf = new Map<number, (number[] | undefined)[]>(points.map((p) => [p.index, []]));
  // bo over a space adds points between the grid's values, numbered after the grid's.
  const all: SweepPoint[] = [...points];
  const scenarioOf = (c: number) => scenarios.get(c) ?? opts.bo!.space!.scenarioOf(all[c]!);
  let runs = 0;
  const giveSeeds = async (cands: number[], seeds: number) => {
    const tasks: SweepTask[] = [];
    for (const c of cands)
      for (let rep = runsOf.get(c)!.length; rep < seeds; rep++)
        tasks.push({ point: c, rep, seed: runSeed(opts.masterSeed, rep), scenario: scenarioOf(c) });
    const outcomes = await evaluate(tasks);
    tasks.forEach((t, i) => {
      const o = outcomes[i]!;
      runsOf.get(t.point)!.push('metrics' in o ? o.metrics : undefined);
    });
    runs += tasks.length;
  };
  const stand = (c: number) => standing(c, runsOf.get(c)!, opts.goal);
  const rank = (cands: number[]) =>
    cands
      .map(stand)
      .sort(compareStandings)
      .map((s) => s.point);
  const rungs: Rung[] = [];
  let best: number, second: number | undefined;
  if (opts.method === 'bo') {
    // Each batch is a rung of new points on every seed; the winner is the best of all evaluated points.
    const bo = opts.bo ?? { budget: Math.max(1, Math.floor(points.length / 3)), batch: 4 };
    const x = bo.space ? points.map((p) => encodeParams(bo.space!.dims, p.params)) : encodePoints(points, bo.logPaths);
    const constraints = opts.goal.kind === 'constrained' ? opts.goal.constraints : [];
    // Over a space bo can run more points than the grid has; over the points only, at most all of them.
    const budget = bo.space ? bo.budget : Math.min(bo.budget, points.length);
    const observed: Observed[] = [];
    const firstSize = Math.min(budget, Math.max(bo.batch, (x[0]?.length ?? 0) + 1));
    let batch = initialDesign(x, firstSize, opts.masterSeed);
    const byParams = new Map(points.map((p) => [JSON.stringify(p.params), p.index]));
    for (let b = 1; batch.length > 0; b++) {
      await giveSeeds(batch, opts.maxSeeds);
      rungs.push({ candidates: batch, seeds: opts.maxSeeds, objectives: batch.map((c) => stand(c).objective) });
      for (const c of batch) {
        const s = stand(c);
        observed.push({
          point: c,
          cost: s.objective,
          figures: constraints.map((k) => s.figures[k.metric]),
          feasible: s.feasible,
        });
      }
      const size = Math.min(bo.batch, budget - observed.length);
      if (!bo.space) {
        batch = proposeBatch(x, observed, constraints, size);
        continue;
      }
      // Each batch draws its candidates from its own stream, so a batch never depends on earlier draws.
      const rng = new RandomStreams(opts.masterSeed).stream(`tune.bo.candidates.${b}`);
      const picks = size > 0 ? proposeInSpace(bo.space.dims, all, points.length, observed, constraints, size, rng) : [];
      batch = picks.map((params) => {
        const key = JSON.stringify(params);
        let i = byParams.get(key);
        if (i === undefined) {
          i = all.length;
          all.push({ index: i, params });
          byParams.set(key, i);
          runsOf.set(i, []);
        }
        return i;
      });
    }
    [best, second] = rank(observed.map((o) => o.point));
  } else {
    let cands = points.map((p) => p.index);
    for (const [size, seeds] of rungSchedule(points.length, opts.method, opts.maxSeeds, opts.eta)) {
      cands = runs === 0 ? cands.slice(0, size) : rank(cands).slice(0, size);
      await giveSeeds(cands, seeds);
      rungs.push({ candidates: cands, seeds, objectives: cands.map((c) => stand(c).objective) });
    }
    // The runner-up: the next in the final rung, or (when one finalist is left) the best of the rung before.
    const final = rank(rungs.at(-1)!.candidates);
    best = final[0]!;
    second = final[1] ?? (rungs.length > 1 ? rank(rungs.at(-2)!.candidates).find((c) => c !== best) : undefined);
  }
  const winner = stand(best);
  return {
    method: opts.method,
    rungs,
    best,
    bestObjective: winner.objective,
    winner,
    ...(second !== undefined ? { runnerUp: stand(second) } : {}),
    noneFeasible: !winner.feasible,
    runs,
    evaluated: [...new Set(rungs.flatMap((r) => r.candidates))].map(stand),
    ...(all.length > points.length ? { searched: all.slice(points.length) } : {}),
  };
}
