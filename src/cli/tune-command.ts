import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeDirAtomic } from '../report/atomic-dir.js';
import { toStableJson } from '../report/format.js';
import { checkOutDir, MARKER, markerContent } from '../report/out-dir.js';
import { SWEEP_METRICS, type SweepMetric } from '../scenario/sweep-schema.js';
import { MAX_BO_POINTS, MAX_BO_RANGE_BUDGET } from '../sweep/bo.js';
import { parsePath, setPath } from '../sweep/paths.js';
import { pointScenario, type SweepPoint } from '../sweep/points.js';
import type { RunOutcome } from '../sweep/run-row.js';
import { defaultWorkers, runTasks, StopSignal } from '../sweep/runner.js';
import { searchSpace } from '../sweep/space.js';
import {
  type BoSettings,
  type Constraint,
  type Goal,
  plannedRuns,
  rungSchedule,
  type Standing,
  type TuneMethod,
  tune,
} from '../sweep/tune.js';
import { UsageError } from './errors.js';
import { Progress, progressWanted } from './progress.js';
import { stopOnSignals } from './signals.js';
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
  /** bo: points to evaluate (default ⌊points / 3⌋) and points per batch (default 4). */
  budget?: number;
  batch?: number;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  progress?: boolean;
}

/**
 * The best point's autoscaler as a block to paste: a full HorizontalPodAutoscaler for `hpa`, else the scenario block.
 */
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
  const blocks = Object.fromEntries(
    ['densityController', 'keda', 'runtime']
      .filter((k) => d[k] !== undefined && point.params.some(([p]) => p.startsWith(k)))
      .map((k) => [k, d[k]]),
  );
  return stringify(blocks);
}

const isMetric = (m: string): m is SweepMetric => (SWEEP_METRICS as readonly string[]).includes(m);

/** Parse "p99Ms<=200" (also "p99Ms=200", "p99Ms ≤ 200"). */
export function parseConstraint(text: string): Constraint {
  const m = /^\s*([A-Za-z0-9]+)\s*(<=|≤|=)\s*([^\s]+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--constraint: expected METRIC<=VALUE (e.g. p99Ms<=200), found "${text}"`);
  const [, metric, , value] = m;
  if (!isMetric(metric!))
    throw new UsageError(`--constraint: expected a metric, one of ${SWEEP_METRICS.join(', ')}; found "${metric}"`);
  const max = Number(value);
  if (!Number.isFinite(max) || max < 0)
    throw new UsageError(`--constraint ${metric}: expected a bound ≥ 0, found "${value}"`);
  return { metric, max };
}

/** What to minimise: the options, the scenario's SLO for the default constraint. */
export function tuneGoal(opts: TuneOptions, sloP99Ms: number, objective: Partial<Record<SweepMetric, number>>): Goal {
  if (opts.objective !== undefined && opts.objective !== 'weighted' && opts.objective !== 'constrained') {
    throw new UsageError(`--objective: expected constrained or weighted, found "${opts.objective}"`);
  }
  if (opts.objective === 'weighted') {
    if (opts.cost !== undefined || opts.constraint !== undefined)
      throw new UsageError("--objective weighted uses the sweep's objective weights: drop --cost and --constraint");
    return { kind: 'weighted', objective };
  }
  const cost = opts.cost ?? 'podSeconds';
  if (!isMetric(cost))
    throw new UsageError(`--cost: expected a metric, one of ${SWEEP_METRICS.join(', ')}; found "${cost}"`);
  const constraints = opts.constraint?.map(parseConstraint) ?? [{ metric: 'p99Ms' as const, max: sloP99Ms }];
  return { kind: 'constrained', cost, constraints };
}

/** `--budget` / `--batch` for bo, checked: the budget is clamped to the points there are. */
export function boSettings(
  opts: TuneOptions,
  points: number,
  ranges: Record<string, { log: boolean }>,
  /** The sweep has a grid range, searched whole: the budget may exceed the grid's points. */
  continuous = false,
): BoSettings {
  if (points > MAX_BO_POINTS) {
    throw new UsageError(
      `--method bo searches at most ${MAX_BO_POINTS.toLocaleString('en-US')} points, ` +
        `found ${points.toLocaleString('en-US')}; use halving, or fewer grid values or random samples`,
    );
  }
  const asked = opts.budget ?? Math.max(1, Math.floor(points / 3));
  if (continuous && asked > MAX_BO_RANGE_BUDGET) {
    throw new UsageError(
      `--budget: --method bo over a range evaluates at most ${MAX_BO_RANGE_BUDGET.toLocaleString('en-US')} points, ` +
        `found ${asked}`,
    );
  }
  const budget = continuous ? asked : Math.min(points, asked);
  const batch = opts.batch ?? 4;
  if (!(Number.isInteger(budget) && budget >= 1))
    throw new UsageError(`--budget: expected an integer ≥ 1, found "${opts.budget}"`);
  if (!(Number.isInteger(batch) && batch >= 1))
    throw new UsageError(`--batch: expected an integer ≥ 1, found "${opts.batch}"`);
  const logPaths = new Set(
    Object.entries(ranges)
      .filter(([, r]) => r.log)
      .map(([p]) => p),
  );
  return { budget, batch, logPaths };
}

/** A standing's headline figures: latency, errors, cost. */
function figuresLine(s: Standing): string {
  const f = s.figures;
  const n = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  return (
    `p95 ${n(f.p95Ms, 1)} ms, p99 ${n(f.p99Ms, 1)} ms, ${n(f.sloViolationMin, 2)} min over SLO, ` +
    `errors ${n(f.errors, 1)}, timeouts ${n(f.timeouts, 1)}, ${n(f.podSeconds, 0)} pod-s (${s.seeds} seeds)`
  );
}

/**
 * `gmpsim tune FILE`: search the sweep's points (successive halving over seeds by default, or the full
 * grid) for the lowest cost (pod-seconds) among the points that meet the constraints (p99 ≤ the
 * scenario's SLO), print the winner's and the runner-up's figures and the winner as a ready-to-paste HPA
 * manifest, and write results/<name>/tune/tune.json. When no point meets the constraints it says so and
 * shows the closest.
 */
export async function tuneCommand(file: string, opts: TuneOptions): Promise<number> {
  const method = (opts.method ?? 'halving') as TuneMethod;
  if (method !== 'halving' && method !== 'grid' && method !== 'bo')
    throw new UsageError(`--method: expected halving, grid or bo, found "${method}"`);
  if (method !== 'bo' && (opts.budget !== undefined || opts.batch !== undefined)) {
    throw new UsageError('--budget and --batch are settings of --method bo');
  }
  const { scenario, points, meta, base } = loadSweep(file, opts.seed);
  // A grid range is searched whole by bo (between the grid's values), each new point validated like the grid's.
  const dims = method === 'bo' && scenario.sweep ? searchSpace(scenario.sweep) : undefined;
  const bo =
    method === 'bo'
      ? boSettings(opts, points.length, scenario.sweep?.random?.ranges ?? {}, dims !== undefined)
      : undefined;
  if (bo && dims) bo.space = { dims, scenarioOf: (p) => pointScenario(base, p, file) };
  const goal = tuneGoal(opts, scenario.slo.p99Ms, meta.objective);
  const scenarios = new Map(points.map((p) => [p.index, pointScenario(base, p, file)]));
  const maxSeeds = opts.maxSeeds ?? meta.replications;
  const out = opts.out ?? join('results', meta.name, 'tune');
  checkOutDir(out, 'tune');
  const workers = opts.workers ?? defaultWorkers();
  const stop = new StopSignal();
  const signals = stopOnSignals(stop);
  const planned = bo
    ? (bo.space ? bo.budget : Math.min(bo.budget, points.length)) * maxSeeds
    : plannedRuns(rungSchedule(points.length, method, maxSeeds, opts.eta ?? 3));
  const progress = new Progress(progressWanted(opts), planned, 'runs', 1000);
  let done = 0;
  try {
    const result = await tune(
      points,
      scenarios,
      { method, masterSeed: meta.masterSeed, maxSeeds, eta: opts.eta ?? 3, goal, ...(bo ? { bo } : {}) },
      async (tasks) => {
        const outcomes: RunOutcome[] = new Array(tasks.length);
        const index = new Map(tasks.map((t, i) => [t, i]));
        await runTasks(
          tasks,
          workers,
          (t, o) => {
            outcomes[index.get(t)!] = o;
            progress.update(++done);
          },
          stop,
        );
        if (stop.requested) throw new Interrupted();
        return outcomes;
      },
    );
    progress.stop();
    const pointOf = (i: number) => (i < points.length ? points[i]! : result.searched![i - points.length]!);
    const best = pointOf(result.best);
    const yaml = bestConfigYaml(base, best, meta.name);
    const out = opts.out ?? join('results', meta.name, 'tune');
    const runnerUpParams = result.runnerUp ? pointOf(result.runnerUp.point).params : undefined;
    const record = {
      ...result,
      // each evaluated point with its parameters, so tune.json (and its report) stands alone
      evaluated: result.evaluated.map((s) => ({ ...s, params: pointOf(s.point).params })),
      goal,
      ...(bo ? { budget: bo.budget, batch: bo.batch } : {}),
      bestParams: best.params,
      ...(runnerUpParams ? { runnerUpParams } : {}),
      bestConfig: yaml,
    };
    writeDirAtomic(out, { 'tune.json': toStableJson({ ...meta, ...record }), [MARKER]: markerContent('tune') });
    if (opts.json) process.stdout.write(toStableJson({ out, ...record }));
    else if (opts.quiet) process.stdout.write(`${out}\n`);
    else {
      const how = {
        grid: 'grid search',
        halving: `successive halving (η = ${opts.eta ?? 3})`,
        bo: `Bayesian optimisation (batches of ${bo?.batch})`,
      }[method];
      process.stdout.write(`${meta.name}: ${how} over ${points.length} points, ${result.runs} runs\n`);
      const unit = method === 'bo' ? 'points' : 'candidates';
      for (const r of result.rungs)
        process.stdout.write(
          `  ${r.candidates.length} ${unit} × ${r.seeds} seeds: best ` +
            `objective ${Math.min(...r.objectives).toPrecision(5)}\n`,
        );
      const params = (ps: [string, unknown][]) => ps.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
      const aim =
        goal.kind === 'weighted'
          ? "the sweep's weighted objective"
          : `least ${goal.cost} ` +
            `with ${goal.constraints.map((c) => `${c.metric} ≤ ${c.max}`).join(', ') || 'no constraints'}`;
      process.stdout.write(`goal: ${aim}\n`);
      if (result.noneFeasible) {
        process.stdout.write(
          `no point meets the constraints; the closest (least relative ` +
            `violation ${(100 * result.winner.violation).toFixed(1)} %):\n`,
        );
      }
      process.stdout.write(
        `${result.noneFeasible ? 'closest' : 'best'}: #${best.index} ${params(best.params)} ` +
          `(objective ${result.bestObjective.toPrecision(5)})\n  ${figuresLine(result.winner)}\n`,
      );
      if (result.runnerUp) {
        const ru = result.runnerUp;
        process.stdout.write(
          `runner-up: #${ru.point} ${params(runnerUpParams!)}${ru.feasible ? '' : ' (misses the constraints)'}\n` +
            `  ${figuresLine(ru)}\n`,
        );
      }
      process.stdout.write(`\n${yaml}\nresults  ${out}/\n`);
    }
    return 0;
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
    progress.stop();
    process.stderr.write(
      `${signals.by()}: tune stopped; nothing written (tune keeps no journal: run it again to start over)\n`,
    );
    return EXIT_INTERRUPTED;
  } finally {
    signals.dispose();
  }
}

class Interrupted extends Error {}
