import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeDirAtomic } from '../report/atomic-dir.js';
import { checkOutDir, MARKER, markerContent } from '../report/out-dir.js';
import { toStableJson } from '../report/format.js';
import { parsePath, setPath } from '../sweep/paths.js';
import { pointScenario, type SweepPoint } from '../sweep/points.js';
import type { RunOutcome } from '../sweep/run-row.js';
import { defaultWorkers, runTasks, StopSignal } from '../sweep/runner.js';
import { plannedRuns, rungSchedule, tune } from '../sweep/tune.js';
import { UsageError } from './errors.js';
import { Progress, progressWanted } from './progress.js';
import { EXIT_INTERRUPTED, loadSweep } from './sweep-command.js';

export interface TuneOptions {
  method?: string;
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

/**
 * `gmpsim tune FILE`: search the sweep's points for the lowest objective (successive halving over
 * seeds by default, or the full grid), print the best configuration as a ready-to-paste HPA manifest,
 * and write results/<name>/tune/tune.json.
 */
export async function tuneCommand(file: string, opts: TuneOptions): Promise<number> {
  const method = opts.method ?? 'halving';
  if (method !== 'halving' && method !== 'grid') throw new UsageError(`--method: expected halving or grid, found "${method}"`);
  const { points, meta, base } = loadSweep(file, opts.seed);
  const scenarios = new Map(points.map((p) => [p.index, pointScenario(base, p, file)]));
  const maxSeeds = opts.maxSeeds ?? meta.replications;
  const out = opts.out ?? join('results', meta.name, 'tune');
  checkOutDir(out, 'tune');
  const workers = opts.workers ?? defaultWorkers();
  const stop = new StopSignal();
  let signal: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    signal ??= sig;
    stop.request();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = new Progress(progressWanted(opts), plannedRuns(rungSchedule(points.length, method, maxSeeds, opts.eta ?? 3)), 'runs', 1000);
  let done = 0;
  try {
    const result = await tune(points, scenarios, { method, masterSeed: meta.masterSeed, maxSeeds, eta: opts.eta ?? 3, objective: meta.objective }, async (tasks) => {
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
    writeDirAtomic(out, {
      'tune.json': toStableJson({ ...meta, ...result, bestParams: best.params, bestConfig: yaml }),
      [MARKER]: markerContent('tune'),
    });
    if (opts.json) process.stdout.write(toStableJson({ out, ...result, bestParams: best.params, bestConfig: yaml }));
    else if (opts.quiet) process.stdout.write(`${out}\n`);
    else {
      process.stdout.write(`${meta.name}: ${method === 'grid' ? 'grid search' : `successive halving (η = ${opts.eta ?? 3})`} over ${points.length} points, ${result.runs} runs\n`);
      for (const r of result.rungs) process.stdout.write(`  ${r.candidates.length} candidates × ${r.seeds} seeds: best objective ${Math.min(...r.objectives).toPrecision(5)}\n`);
      process.stdout.write(`best: #${best.index} ${best.params.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')} (objective ${result.bestObjective.toPrecision(5)})\n\n${yaml}\nresults  ${out}/\n`);
    }
    return 0;
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
    progress.stop();
    const by = signal === 'SIGTERM' ? 'terminated (SIGTERM)' : 'interrupted';
    process.stderr.write(`${by}: tune stopped; nothing written (tune keeps no journal: run it again to start over)\n`);
    return EXIT_INTERRUPTED;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

class Interrupted extends Error {}
