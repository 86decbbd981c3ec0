import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeDirAtomic } from '../report/atomic-dir.js';
import { checkOutDir, MARKER, markerContent } from '../report/out-dir.js';
import { toStableJson } from '../report/format.js';
import { parsePath, setPath } from '../sweep/paths.js';
import { pointScenario, type SweepPoint } from '../sweep/points.js';
import type { RunOutcome } from '../sweep/run-row.js';
import { defaultWorkers, runTasks, StopSignal } from '../sweep/runner.js';
import { SWEEP_METRICS, type SweepMetric } from '../scenario/sweep-schema.js';
import { plannedRuns, rungSchedule, tune, type Constraint, type Goal, type Standing } from '../sweep/tune.js';
import { UsageError } from './errors.js';
import { stopOnSignals } from './signals.js';
import { Progress, progressWanted } from './progress.js';
import { EXIT_INTERRUPTED, loadSweep } from './sweep-command.js';

export interface TuneOptions {
  method?: string;
  /** The figure to minimise (default podSeconds). */
  cost?: string;
  /** "metric<=value" bounds (default: p99Ms ≤ the scenario's slo.p99Ms). */
  constraint?: string[];
  /** "weighted": minimise the sweep's objective instead (no constraints). */
  objective?: string;
  workers?: number;
  seed?: number;
  maxSeeds?: number;
  eta?: number;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  progress?: boolean;
}

/** The best point's autoscaler as a block to paste: a full HorizontalPodAutoscaler for `hpa`, else the scenario block. */
export function bestConfigYaml(base: Record<string, unknown>, point: SweepPoint, name: string): string {
  let doc: unknown = base;
  for (const [path, value] of point.params) doc = setPath(doc, parsePath(path), value);
  const d = doc as Record<string, unknown>;
  const hpa = d.hpa as Record<string, unknown> | undefined;
  if (hpa) {
    const { controller: _flags, ...spec } = hpa;
    return stringify({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, ...spec },
    });
  }
  const blocks = Object.fromEntries(['densityController', 'keda', 'runtime'].filter((k) => d[k] !== undefined && point.params.some(([p]) => p.startsWith(k))).map((k) => [k, d[k]]));
  return stringify(blocks);
}

const isMetric = (m: string): m is SweepMetric => (SWEEP_METRICS as readonly string[]).includes(m);

/** Parse "p99Ms<=200" (also "p99Ms=200", "p99Ms ≤ 200"). */
export function parseConstraint(text: string): Constraint {
  const m = /^\s*([A-Za-z0-9]+)\s*(<=|≤|=)\s*([^\s]+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--constraint: expected METRIC<=VALUE (e.g. p99Ms<=200), found "${text}"`);
  const [, metric, , value] = m;
  if (!isMetric(metric!)) throw new UsageError(`--constraint: expected a metric, one of ${SWEEP_METRICS.join(', ')}; found "${metric}"`);
  const max = Number(value);
  if (!Number.isFinite(max) || max < 0) throw new UsageError(`--constraint ${metric}: expected a bound ≥ 0, found "${value}"`);
  return { metric, max };
}

/** What to minimise: the options, the scenario's SLO for the default constraint. */
export function tuneGoal(opts: TuneOptions, sloP99Ms: number, objective: Partial<Record<SweepMetric, number>>): Goal {
  if (opts.objective !== undefined && opts.objective !== 'weighted' && opts.objective !== 'constrained') {
    throw new UsageError(`--objective: expected constrained or weighted, found "${opts.objective}"`);
  }
  if (opts.objective === 'weighted') {
    if (opts.cost !== undefined || opts.constraint !== undefined) throw new UsageError('--objective weighted uses the sweep\'s objective weights: drop --cost and --constraint');
    return { kind: 'weighted', objective };
  }
  const cost = opts.cost ?? 'podSeconds';
  if (!isMetric(cost)) throw new UsageError(`--cost: expected a metric, one of ${SWEEP_METRICS.join(', ')}; found "${cost}"`);
  const constraints = opts.constraint?.map(parseConstraint) ?? [{ metric: 'p99Ms' as const, max: sloP99Ms }];
  return { kind: 'constrained', cost, constraints };
}

/** A standing's headline figures: latency, errors, cost. */
function figuresLine(s: Standing): string {
  const f = s.figures;
  const n = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  return `p95 ${n(f.p95Ms, 1)} ms, p99 ${n(f.p99Ms, 1)} ms, ${n(f.sloViolationMin, 2)} min over SLO, errors ${n(f.errors, 1)}, timeouts ${n(f.timeouts, 1)}, ${n(f.podSeconds, 0)} pod-s (${s.seeds} seeds)`;
}

/**
 * `gmpsim tune FILE`: search the sweep's points (successive halving over seeds by default, or the full
 * grid) for the lowest cost (pod-seconds) among the points that meet the constraints (p99 ≤ the
 * scenario's SLO), print the winner's and the runner-up's figures and the winner as a ready-to-paste HPA
 * manifest, and write results/<name>/tune/tune.json. When no point meets the constraints it says so and
 * shows the closest.
 */
export async function tuneCommand(file: string, opts: TuneOptions): Promise<number> {
  const method = opts.method ?? 'halving';
  if (method !== 'halving' && method !== 'grid') throw new UsageError(`--method: expected halving or grid, found "${method}"`);
  const { scenario, points, meta, base } = loadSweep(file, opts.seed);
  const goal = tuneGoal(opts, scenario.slo.p99Ms, meta.objective);
  const scenarios = new Map(points.map((p) => [p.index, pointScenario(base, p, file)]));
  const maxSeeds = opts.maxSeeds ?? meta.replications;
  const out = opts.out ?? join('results', meta.name, 'tune');
  checkOutDir(out, 'tune');
  const workers = opts.workers ?? defaultWorkers();
  const stop = new StopSignal();
  const signals = stopOnSignals(stop);
  const progress = new Progress(progressWanted(opts), plannedRuns(rungSchedule(points.length, method, maxSeeds, opts.eta ?? 3)), 'runs', 1000);
  let done = 0;
  try {
    const result = await tune(points, scenarios, { method, masterSeed: meta.masterSeed, maxSeeds, eta: opts.eta ?? 3, goal }, async (tasks) => {
      const outcomes: RunOutcome[] = new Array(tasks.length);
      const index = new Map(tasks.map((t, i) => [t, i]));
      await runTasks(tasks, workers, (t, o) => {
        outcomes[index.get(t)!] = o;
        progress.update(++done);
      }, stop);
      if (stop.requested) throw new Interrupted();
      return outcomes;
    });
    progress.stop();
    const best = points[result.best]!;
    const yaml = bestConfigYaml(base, best, meta.name);
    const out = opts.out ?? join('results', meta.name, 'tune');
    const runnerUpParams = result.runnerUp ? points[result.runnerUp.point]!.params : undefined;
    const record = { ...result, goal, bestParams: best.params, ...(runnerUpParams ? { runnerUpParams } : {}), bestConfig: yaml };
    writeDirAtomic(out, { 'tune.json': toStableJson({ ...meta, ...record }), [MARKER]: markerContent('tune') });
    if (opts.json) process.stdout.write(toStableJson({ out, ...record }));
    else if (opts.quiet) process.stdout.write(`${out}\n`);
    else {
      process.stdout.write(`${meta.name}: ${method === 'grid' ? 'grid search' : `successive halving (η = ${opts.eta ?? 3})`} over ${points.length} points, ${result.runs} runs\n`);
      for (const r of result.rungs) process.stdout.write(`  ${r.candidates.length} candidates × ${r.seeds} seeds: best objective ${Math.min(...r.objectives).toPrecision(5)}\n`);
      const params = (ps: [string, unknown][]) => ps.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
      const aim =
        goal.kind === 'weighted'
          ? 'the sweep\'s weighted objective'
          : `least ${goal.cost} with ${goal.constraints.map((c) => `${c.metric} ≤ ${c.max}`).join(', ') || 'no constraints'}`;
      process.stdout.write(`goal: ${aim}\n`);
      if (result.noneFeasible) {
        process.stdout.write(`no point meets the constraints; the closest (least relative violation ${(100 * result.winner.violation).toFixed(1)} %):\n`);
      }
      process.stdout.write(`${result.noneFeasible ? 'closest' : 'best'}: #${best.index} ${params(best.params)} (objective ${result.bestObjective.toPrecision(5)})\n  ${figuresLine(result.winner)}\n`);
      if (result.runnerUp) {
        const ru = result.runnerUp;
        process.stdout.write(`runner-up: #${ru.point} ${params(runnerUpParams!)}${ru.feasible ? '' : ' (misses the constraints)'}\n  ${figuresLine(ru)}\n`);
      }
      process.stdout.write(`\n${yaml}\nresults  ${out}/\n`);
    }
    return 0;
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
    progress.stop();
    process.stderr.write(`${signals.by()}: tune stopped; nothing written (tune keeps no journal: run it again to start over)\n`);
    return EXIT_INTERRUPTED;
  } finally {
    signals.dispose();
  }
}

class Interrupted extends Error {}
