import type { Scenario } from '../scenario/schema.js';
import { SWEEP_METRICS, type SweepMetric } from '../scenario/sweep-schema.js';
import type { RunOutcome } from './run-row.js';
import { runSeed, type SweepPoint } from './points.js';
import type { SweepTask } from './runner.js';

/** Runs a batch of tasks and returns their outcomes in task order (a worker pool, or inline in tests). */
export type Evaluate = (tasks: SweepTask[]) => Promise<RunOutcome[]>;

export interface Rung {
  /** Candidates evaluated in this rung, and the seeds each has now. */
  candidates: number[];
  seeds: number;
  /** Mean objective per candidate (same order). */
  objectives: number[];
}

export interface TuneResult {
  method: 'grid' | 'halving';
  rungs: Rung[];
  best: number;
  bestObjective: number;
  runs: number;
}

/**
 * The rungs' sizes, [candidates, seeds each], which do not depend on the results: grid is one rung of
 * every point on maxSeeds; halving keeps ⌈n/η⌉ and multiplies the seeds by η until one candidate is
 * left or the seeds reach maxSeeds.
 */
export function rungSchedule(points: number, method: 'grid' | 'halving', maxSeeds: number, eta: number): [number, number][] {
  if (method === 'grid') return [[points, maxSeeds]];
  if (!(eta >= 2)) throw new RangeError(`successive halving needs η ≥ 2, found ${eta}`); // η = 1 would never narrow
  const out: [number, number][] = [];
  for (let cands = points, seeds = 1; ; cands = Math.max(1, Math.ceil(cands / eta)), seeds = Math.min(maxSeeds, seeds * eta)) {
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
  for (const [m, w] of Object.entries(objective) as [SweepMetric, number][]) v += w * o.metrics[SWEEP_METRICS.indexOf(m)]!;
  return v;
}

/**
 * Search the points for the lowest mean objective. `grid`: every point on `maxSeeds` seeds.
 * `halving` (successive halving over seeds): every point on 1 seed, keep the best 1/η, give the
 * survivors η× the seeds (the earlier runs are reused), until one is left or they have `maxSeeds` —
 * most of the budget goes to the promising points. Seeds are the sweep's (master, replication) hashes,
 * the same for every point (paired), so a point's runs are the same in both methods and on any number of
 * workers.
 */
export async function tune(
  points: readonly SweepPoint[],
  scenarios: ReadonlyMap<number, Scenario>,
  opts: { method: 'grid' | 'halving'; masterSeed: number; maxSeeds: number; eta: number; objective: Partial<Record<SweepMetric, number>> },
  evaluate: Evaluate,
): Promise<TuneResult> {
  const scores = new Map<number, number[]>(points.map((p) => [p.index, []]));
  let runs = 0;
  const giveSeeds = async (cands: number[], seeds: number) => {
    const tasks: SweepTask[] = [];
    for (const c of cands) for (let rep = scores.get(c)!.length; rep < seeds; rep++) tasks.push({ point: c, rep, seed: runSeed(opts.masterSeed, rep), scenario: scenarios.get(c)! });
    const outcomes = await evaluate(tasks);
    tasks.forEach((t, i) => scores.get(t.point)!.push(runObjective(outcomes[i]!, opts.objective)));
    runs += tasks.length;
  };
  const meanOf = (c: number) => {
    const xs = scores.get(c)!;
    return xs.some((x) => !Number.isFinite(x)) ? Infinity : xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const rank = (cands: number[]) => cands.slice().sort((a, b) => meanOf(a) - meanOf(b) || a - b);
  const rungs: Rung[] = [];
  let cands = points.map((p) => p.index);
  for (const [size, seeds] of rungSchedule(points.length, opts.method, opts.maxSeeds, opts.eta)) {
    cands = rank(cands).slice(0, size);
    await giveSeeds(cands, seeds);
    rungs.push({ candidates: cands, seeds, objectives: cands.map(meanOf) });
  }
  const best = rank(rungs.at(-1)!.candidates)[0]!;
  return { method: opts.method, rungs, best, bestObjective: meanOf(best), runs };
}
