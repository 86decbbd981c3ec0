import { join } from 'node:path';
import { sToNs } from '../engine/time.js';
import { runFiles } from '../report/run-files.js';
import { summaryTable } from '../report/summary-table.js';
import { writeDirAtomic, writeFileAtomic } from '../report/atomic-dir.js';
import { checkOutDir, checkOutFile, MARKER, markerContent } from '../report/out-dir.js';
import { toStableJson } from '../report/format.js';
import { densityStability } from '../autoscaler/density/controller.js';
import { describeHpa } from '../autoscaler/hpa/describe.js';
import { formatProblem, loadScenarioFile, type Problem } from '../scenario/load.js';
import { Experiment } from '../sim/experiment.js';
import { UsageError } from './errors.js';
import { Progress, progressWanted } from './progress.js';

export interface RunOptions {
  seed?: number;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  progress?: boolean;
  schedtrace?: number;
  gctrace?: boolean;
  scheddetail?: boolean;
  trace?: string;
  traceWindow?: string;
  hpaEvents?: boolean;
}

function parseWindow(w: string): { startS: number; endS: number } {
  const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(w);
  if (!m || !(Number(m[2]) > Number(m[1]))) throw new UsageError(`--trace-window: expected START:END seconds with END > START, found "${w}"`);
  return { startS: Number(m[1]), endS: Number(m[2]) };
}

/** Most schedtrace lines one run may print (each is a line per P and M with --scheddetail). */
export const MAX_SCHEDTRACE_LINES = 1_000_000;

/** `gmpsim run FILE`: simulate, write results/<name>/seed-<seed>/ atomically, print a summary. */
/** Returns the results directory. */
export function runCommand(file: string, opts: RunOptions): string {
  const warnings: Problem[] = [];
  const scenario = loadScenarioFile(file, warnings);
  for (const w of warnings) process.stderr.write(`warning: ${formatProblem(w)}\n`);
  const unstable = scenario.densityController && densityStability(scenario.densityController);
  if (unstable) process.stderr.write(`warning: ${file}: ${unstable}\n`);
  const seed = opts.seed ?? scenario.seed;
  const outDir = opts.out ?? join('results', scenario.name, `seed-${seed}`);

  if (opts.scheddetail && opts.schedtrace === undefined) throw new UsageError('--scheddetail needs --schedtrace <ms>');
  if (opts.schedtrace !== undefined && (scenario.durationS * 1000) / opts.schedtrace > MAX_SCHEDTRACE_LINES) {
    throw new UsageError(`--schedtrace ${opts.schedtrace}: expected at most ${MAX_SCHEDTRACE_LINES.toLocaleString('en-US')} trace lines (durationS × 1000 / ms), found ${Math.ceil((scenario.durationS * 1000) / opts.schedtrace).toLocaleString('en-US')}; raise --schedtrace`);
  }
  if (opts.hpaEvents && !scenario.hpa) throw new UsageError(`--hpa-events needs an hpa block; ${file} has none`);
  // Refuse a place we must not write before simulating, not after.
  checkOutDir(outDir, 'run');
  if (opts.trace !== undefined) checkOutFile(opts.trace, '--trace');
  const exp = new Experiment(scenario, seed, {
    ...(opts.schedtrace !== undefined ? { schedtraceMs: opts.schedtrace } : {}),
    scheddetail: opts.scheddetail === true,
    gctrace: opts.gctrace === true,
    // Like Go, schedtrace goes to stderr, so stdout stays the summary (parseable with --json).
    onTrace: (text) => process.stderr.write(`${text}\n`),
    ...(opts.trace !== undefined ? { traceWindow: parseWindow(opts.traceWindow ?? '0:1') } : {}),
  });
  // GODEBUG-style traces and the Perfetto trace come from the Go runtime model: refuse them before running.
  for (const [flag, given] of [['--trace', opts.trace !== undefined], ['--schedtrace', opts.schedtrace !== undefined], ['--gctrace', opts.gctrace === true]] as const) {
    if (given && scenario.runtime.scheduler !== 'gmp') {
      throw new UsageError(`${flag} needs runtime.scheduler: gmp (the Go runtime model); ${file} uses ${scenario.runtime.scheduler}`);
    }
  }
  const progress = new Progress(progressWanted(opts), scenario.durationS, 'sim s');
  // Advance in slices of simulated time so the bar can move; slicing does not change results.
  const slice = Math.max(1, Math.ceil(exp.endNs / 200));
  for (let t = slice; !exp.done; t += slice) {
    exp.advanceTo(t);
    progress.update(exp.sim.now / sToNs(1));
  }
  progress.stop();
  const result = exp.finish();
  writeDirAtomic(outDir, { ...runFiles(scenario, seed, result), [MARKER]: markerContent('run') });
  if (opts.trace !== undefined && result.trace) writeFileAtomic(opts.trace, JSON.stringify(result.trace));

  const events = opts.hpaEvents ? (exp.fleet.autoscaler?.events ?? []) : undefined;
  if (opts.json) process.stdout.write(toStableJson({ outDir, summary: result.summary, ...(events ? { hpaEvents: events } : {}) }));
  else {
    if (events && scenario.hpa) {
      process.stdout.write(`${describeHpa(scenario.name, scenario.hpa, result.hpaDecisions ?? [], events, scenario.durationS)}\n`);
    }
    if (opts.quiet) process.stdout.write(`${outDir}\n`);
    else process.stdout.write(`${summaryTable(result.summary)}\nresults     ${outDir}/\n`);
  }
  return outDir;
}
