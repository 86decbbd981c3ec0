import { join } from 'node:path';
import { writeFileAtomic } from '../report/atomic-dir.js';
import { toStableJson } from '../report/format.js';
import { checkOutDir } from '../report/out-dir.js';
import { parseScenario, readScenarioText, resolveFiles, ScenarioError } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import type { SWEEP_METRICS } from '../scenario/sweep-schema.js';
import { bestPoints, type RunRecord, type SweepMeta, summarisePoints, sweepFiles } from '../sweep/aggregate.js';
import {
  JOURNAL_FORMAT,
  Journal,
  JournalError,
  type SweepDefinition,
  sweepDefinition,
  sweepDifferences,
} from '../sweep/journal.js';
import { expandPoints, pointScenario, runSeed, type SweepPoint, writtenBase } from '../sweep/points.js';
import { defaultWorkers, runTasks, StopSignal, type SweepTask } from '../sweep/runner.js';
import { UsageError } from './errors.js';
import { Progress, progressWanted } from './progress.js';
import { stopOnSignals } from './signals.js';

export interface SweepOptions {
  workers?: number;
  seed?: number;
  out?: string;
  shard?: string;
  resume?: boolean;
  json?: boolean;
  quiet?: boolean;
  progress?: boolean;
}

/** Exit code when a run threw (its error is in the results; the other runs are kept). */
export const EXIT_RUNS_FAILED = 1;
/** Exit code after Ctrl-C (finished runs are kept in runs.jsonl; --resume continues). */
export const EXIT_INTERRUPTED = 130;

/** A scenario file with a sweep block: its parsed scenario, points and the meta every shard shares. */
export function loadSweep(
  file: string,
  seed: number | undefined,
): {
  scenario: Scenario;
  points: SweepPoint[];
  meta: SweepMeta;
  base: Record<string, unknown>;
  definition: SweepDefinition;
} {
  const text = readScenarioText(file);
  const scenario = parseScenario(text, file);
  const spec = scenario.sweep;
  if (!spec)
    throw new ScenarioError([
      { file, path: 'sweep', message: 'expected a sweep block (grid, random, replications) to run, found none' },
    ]);
  const masterSeed = seed ?? scenario.seed;
  const points = expandPoints(spec, masterSeed);
  const paths = [...new Set(points.flatMap((p) => p.params.map(([k]) => k)))];
  const meta: SweepMeta = {
    name: scenario.name,
    masterSeed,
    replications: spec.replications,
    totalPoints: points.length,
    paths,
    objective: spec.objective,
  };
  const asRecord = (x: unknown) => x as Record<string, unknown>;
  const definition = sweepDefinition(asRecord(resolveFiles(scenario, file)), asRecord(spec));
  return { scenario, points, meta, base: writtenBase(text, scenario.name), definition };
}

/** "K/N" → the points of shard K (1-based): every point whose index ≡ K − 1 (mod N). */
export function parseShard(s: string | undefined): { k: number; n: number } | undefined {
  if (s === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
    throw new UsageError(`--shard: expected K/N with 1 ≤ K ≤ N, found "${s}"`);
  return { k: Number(m[1]), n: Number(m[2]) };
}

/**
 * `gmpsim sweep FILE`: run every (point, replication) of the scenario's sweep on worker threads,
 * journal each finished run, then write runs.csv, points.csv and sweep.json (byte-identical for any
 * number of workers) and print the best points by the objective.
 */
export async function sweepCommand(file: string, opts: SweepOptions): Promise<number> {
  const { points, meta, base, definition } = loadSweep(file, opts.seed);
  const shard = parseShard(opts.shard);
  const out = opts.out ?? join('results', meta.name, shard ? `sweep-shard-${shard.k}-of-${shard.n}` : 'sweep');
  checkOutDir(out, 'sweep');
  const mine = shard ? points.filter((p) => p.index % shard.n === shard.k - 1) : points;
  // Validate every point before running any (a bad value fails fast, naming the point).
  const scenarios = new Map(mine.map((p) => [p.index, pointScenario(base, p, file)]));
  const journal = new Journal(out);
  const mineMeta = { ...meta, shard: shard ? `${shard.k}/${shard.n}` : null, definition };
  journal.lock();
  try {
    if (opts.resume && journal.exists()) {
      const old = journal.meta();
      const diff = sweepDifferences(old, { ...mineMeta, format: JOURNAL_FORMAT }, true);
      if (diff.length > 0) {
        const what = diff.join('; ');
        throw new JournalError(
          `--resume: ${out} holds a different sweep (differs in: ${what}); remove it or drop --resume`,
        );
      }
      if (journal.dropTornTail(old)) {
        const note = 'a write cut short; that run runs again';
        process.stderr.write(`note: dropped a torn record at the end of ${journal.runsFile} (${note})\n`);
      }
    } else journal.reset(mineMeta);
    return await runSweep(journal, mine, scenarios, meta, out, opts);
  } finally {
    journal.unlock();
  }
}

/** Run what the journal does not hold yet, then write the result files from the journal. */
async function runSweep(
  journal: Journal,
  mine: SweepPoint[],
  scenarios: Map<number, Scenario>,
  meta: SweepMeta,
  out: string,
  opts: SweepOptions,
): Promise<number> {
  const done = new Set(journal.runs().map((r) => `${r.point}/${r.rep}`));
  const tasks: SweepTask[] = [];
  for (const p of mine) {
    for (let rep = 0; rep < meta.replications; rep++) {
      if (!done.has(`${p.index}/${rep}`))
        tasks.push({ point: p.index, rep, seed: runSeed(meta.masterSeed, rep), scenario: scenarios.get(p.index)! });
    }
  }
  const total = mine.length * meta.replications;
  const workers = opts.workers ?? defaultWorkers();
  const progress = new Progress(progressWanted(opts), total, 'runs', 1000);
  let finished = total - tasks.length;
  const params = new Map(mine.map((p) => [p.index, p.params]));
  const stop = new StopSignal();
  const signals = stopOnSignals(stop);
  try {
    await runTasks(
      tasks,
      workers,
      (t, o) => {
        if (stop.requested) return; // abandoned by Ctrl-C (workers are torn down): not a result; --resume reruns it
        const r: RunRecord = { point: t.point, rep: t.rep, seed: t.seed, params: params.get(t.point)!, ...o };
        journal.append(r);
        progress.update(++finished);
      },
      stop,
    );
  } finally {
    signals.dispose();
    progress.stop();
  }
  const runs = journal.runs();
  if (stop.requested) {
    process.stderr.write(
      `${signals.by()}: ${runs.length} of ${total} runs kept in ${journal.runsFile}; rerun with --resume to finish\n`,
    );
    return EXIT_INTERRUPTED;
  }
  // Result files only from a complete journal: every run of this directory's points, once.
  const have = new Set(runs.map((r) => `${r.point}/${r.rep}`));
  const missing = mine
    .flatMap((p) => Array.from({ length: meta.replications }, (_, rep) => `${p.index}/${rep}`))
    .filter((k) => !have.has(k));
  if (missing.length > 0 || runs.length !== total) {
    const first = missing.slice(0, 5).join(', ');
    throw new JournalError(
      `${journal.runsFile}: expected ${total} runs, found ${runs.length} (missing point/rep ${first}); rerun ` +
        `with --resume`,
    );
  }
  const files = sweepFiles(meta, runs);
  for (const [name, content] of Object.entries(files)) writeFileAtomic(join(out, name), content);
  return report(meta, runs, out, opts);
}

/** Print the best points (or the directory, or JSON) and report failed runs; the exit code. */
export function report(
  meta: SweepMeta,
  runs: readonly RunRecord[],
  out: string,
  opts: { json?: boolean; quiet?: boolean },
): number {
  const failed = runs.filter((r) => r.error !== undefined);
  for (const r of failed)
    process.stderr.write(
      `error: run failed: point ${r.point} ` +
        `(${r.params.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}), seed ${r.seed}: ${r.error}\n`,
    );
  const best = bestPoints(summarisePoints(meta, runs), 5);
  if (opts.json) process.stdout.write(toStableJson({ out, runs: runs.length, failed: failed.length, best }));
  else if (opts.quiet) process.stdout.write(`${out}\n`);
  else {
    const terms = Object.entries(meta.objective)
      .map(([m, w]) => `${w} × ${m}`)
      .join(' + ');
    process.stdout.write(
      `${meta.name}: ${meta.totalPoints} points × ${meta.replications} replications; objective ${terms} (lower ` +
        `is better)\n`,
    );
    for (const p of best) {
      const f = (m: (typeof SWEEP_METRICS)[number]) =>
        `${m} ${p.metrics[m].mean.toPrecision(4)}` +
        (Number.isFinite(p.metrics[m].ci95) ? ` ±${p.metrics[m].ci95.toPrecision(2)}` : '');
      process.stdout.write(
        `  #${p.point}  objective ${p.objective.toPrecision(5)} ` +
          ` ${p.params.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}  (${f('p99Ms')}, ${f('podSeconds')})\n`,
      );
    }
    process.stdout.write(`results  ${out}/\n`);
  }
  return failed.length > 0 ? EXIT_RUNS_FAILED : 0;
}
