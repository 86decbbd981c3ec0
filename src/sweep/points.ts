import { parseDocument } from 'yaml';
import { RandomStreams } from '../engine/random.js';
import { resolveFiles, ScenarioError, scenarioFromData } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { gridValues, type Sweep, type SweepRange } from '../scenario/sweep-schema.js';
import { parsePath, setPath } from './paths.js';

/** One point of a sweep: its index and its parameter values, in the sweep's path order. */
export interface SweepPoint {
  index: number;
  params: [path: string, value: unknown][];
}

/**
 * The sweep's points: the cartesian product of the grid (first path slowest; a range gives its
 * gridValues) × the random samples
 * (drawn from the master seed's `sweep.random` stream, so every run and every shard sees the same).
 */
export function expandPoints(spec: Sweep, masterSeed: number): SweepPoint[] {
  let grid: [string, unknown][][] = [[]];
  for (const [path, listOrRange] of Object.entries(spec.grid)) {
    const values: unknown[] = Array.isArray(listOrRange) ? listOrRange : gridValues(listOrRange);
    grid = grid.flatMap((g) => values.map((v) => [...g, [path, v] as [string, unknown]]));
  }
  let samples: [string, unknown][][] = [[]];
  if (spec.random) {
    const rng = new RandomStreams(masterSeed).stream('sweep.random');
    const ranges = Object.entries(spec.random.ranges);
    samples = Array.from({ length: spec.random.samples }, () =>
      ranges.map(([path, r]) => [path, draw(r, () => rng.nextDouble())] as [string, unknown]),
    );
  }
  const points: SweepPoint[] = [];
  for (const g of grid) for (const s of samples) points.push({ index: points.length, params: [...g, ...s] });
  return points;
}

function draw(r: SweepRange, u: () => number): number {
  if (r.int) {
    const lo = Math.ceil(r.min);
    return lo + Math.floor(u() * (Math.floor(r.max) - lo + 1));
  }
  if (r.log) return Math.exp(Math.log(r.min) + u() * (Math.log(r.max) - Math.log(r.min)));
  return r.min + u() * (r.max - r.min);
}

/**
 * FNV-1a (32-bit) of (master seed, replication): each run's seed, whatever runs it and when. Every point
 * of a sweep gets the same seed on the same replication — common random numbers: the points see the same
 * arrivals and request sizes, so the differences between them are the settings', not the noise's.
 */
export function runSeed(master: number, rep: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${master}/${rep}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The scenario file as written, without its sweep and variants blocks (what points are made from). */
export function writtenBase(text: string, name: string): Record<string, unknown> {
  const doc: Record<string, unknown> = { ...((parseDocument(text).toJS() ?? {}) as Record<string, unknown>), name };
  delete doc.sweep;
  delete doc.variants;
  return doc;
}

/**
 * A point's scenario: the parameters set on the scenario as written (so derived defaults follow them),
 * validated; problems name the point and its parameters. Trace and sample files resolve against `file`.
 */
export function pointScenario(base: Record<string, unknown>, point: SweepPoint, file: string): Scenario {
  let data: unknown = base;
  for (const [path, value] of point.params) data = setPath(data, parsePath(path), value);
  const where = point.params.map(([p, v]) => `${p}=${JSON.stringify(v)}`).join(', ');
  try {
    return resolveFiles(scenarioFromData(data, file), file);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    throw new ScenarioError(
      e.problems.map((p) => ({ ...p, file, path: `sweep (point ${point.index}: ${where}) → ${p.path}` })),
    );
  }
}
