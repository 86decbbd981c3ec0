import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { densityStability } from '../autoscaler/density/controller.js';
import { describeHpa } from '../autoscaler/hpa/describe.js';
import { sToNs } from '../engine/time.js';
import { INELIGIBLE_REASONS, ONE_THREAD_REASONS } from '../parallel/eligibility.js';
import { podThreads } from '../parallel/worker-transport.js';
import { AtomicDir, writeFileAtomic } from '../report/atomic-dir.js';
import { CsvFileSink } from '../report/csv-stream.js';
import { toStableJson } from '../report/format.js';
import { checkOutDir, checkOutFile, MARKER, markerContent } from '../report/out-dir.js';
import { podRowCounts, runFiles, STREAMED_FILES } from '../report/run-files.js';
import { summaryTable } from '../report/summary-table.js';
import { formatProblem, loadScenarioFile, type Problem } from '../scenario/load.js';
import { Experiment } from '../sim/experiment.js';
import { DEFAULT_TRACE_MAX_EVENTS, type RunTraceOptions } from '../sim/run-trace.js';
import { UsageError } from './errors.js';
import { Progress, progressWanted } from './progress.js';
import { abortOnSignals } from './signals.js';

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
  tracePods?: number[];
  traceMaxEvents?: number;
  traceCounterMs?: number;
  /** Threads asked for this run (issue 24 item 6): summary.parallel, and a note on stderr. */
  threads?: number;
}

function parseWindow(w: string): { startS: number; endS: number } {
  const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(w);
  if (!m || !(Number(m[2]) > Number(m[1])))
    throw new UsageError(`--trace-window: expected START:END seconds with END > START, found "${w}"`);
  return { startS: Number(m[1]), endS: Number(m[2]) };
}

/** --trace's options: the window inside the run, the pods, the cap and the counter period. */
function traceOptions(opts: RunOptions, durationS: number): RunTraceOptions {
  const w = opts.traceWindow !== undefined ? parseWindow(opts.traceWindow) : { startS: 0, endS: durationS };
  if (w.startS >= durationS) {
    throw new UsageError(
      `--trace-window: expected a START before the run's end (durationS ${durationS}), found "${opts.traceWindow}"`,
    );
  }
  return {
    ...w,
    ...(opts.tracePods ? { pods: opts.tracePods } : {}),
    maxEvents: opts.traceMaxEvents ?? DEFAULT_TRACE_MAX_EVENTS,
    ...(opts.traceCounterMs !== undefined ? { counterMs: opts.traceCounterMs } : {}),
  };
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
    throw new UsageError(
      `--schedtrace ${opts.schedtrace}: expected at most ${MAX_SCHEDTRACE_LINES.toLocaleString('en-US')} trace ` +
        `lines (durationS × 1000 / ms), ` +
        `found ${Math.ceil((scenario.durationS * 1000) / opts.schedtrace).toLocaleString('en-US')}; raise ` +
        `--schedtrace`,
    );
  }
  if (opts.hpaEvents && !scenario.hpa) throw new UsageError(`--hpa-events needs an hpa block; ${file} has none`);
  // Refuse a place we must not write before simulating, not after.
  checkOutDir(outDir, 'run');
  if (opts.trace !== undefined) checkOutFile(opts.trace, '--trace');
  for (const [flag, given] of [
    ['--trace-window', opts.traceWindow],
    ['--trace-pods', opts.tracePods],
    ['--trace-max-events', opts.traceMaxEvents],
    ['--trace-counter-ms', opts.traceCounterMs],
  ] as const) {
    if (given !== undefined && opts.trace === undefined) throw new UsageError(`${flag} needs --trace <file>`);
  }
  // GODEBUG-style traces come from the Go runtime model: refuse them before running. (--trace records any
  // runtime: an ideal-fifo pod has its lifecycle and counters, without scheduler tracks.)
  for (const [flag, given] of [
    ['--schedtrace', opts.schedtrace !== undefined],
    ['--gctrace', opts.gctrace === true],
  ] as const) {
    if (given && scenario.runtime.scheduler !== 'gmp') {
      throw new UsageError(
        `${flag} needs runtime.scheduler: gmp (the Go runtime model); ${file} uses ${scenario.runtime.scheduler}`,
      );
    }
  }
  // The time series and per-pod rows stream into the hidden temporary directory as the run goes (memory flat
  // in simulated time); it is renamed into place only when every file is complete.
  const trace = opts.trace !== undefined ? traceOptions(opts, scenario.durationS) : undefined;
  const out = new AtomicDir(outDir);
  const stopped = abortOnSignals(out);
  try {
    runInto(out, scenario, seed, outDir, opts, trace);
  } catch (e) {
    out.abort();
    throw e;
  } finally {
    stopped.dispose();
  }
  return outDir;
}

/**
 * What --threads N did: the windows on N threads (this one and N - 1 workers) or on this one, or one engine,
 * and why.
 */
function threadsNote(exp: Experiment, threads: number): string {
  const el = exp.eligibility;
  if (!el.eligible) {
    const why = el.reasons.map((r) => `  ${r}: ${INELIGIBLE_REASONS[r]}`).join('\n');
    return `note: --threads ${threads}: this run cannot be split, so it runs on one engine:\n${why}`;
  }
  const head = `note: --threads ${threads}: each pod runs on its own engine between barriers, `;
  const w = exp.workerThreads;
  if (w > 0) {
    const workers = `${w} worker thread${w === 1 ? '' : 's'}`;
    const same = '(the results are the same for any --threads)';
    return `${head}on ${threads} threads, this one and ${workers}, each with a share of the pods ${same}`;
  }
  const why = exp.oneThreadReasons.map((r) => `\n  ${r}: ${ONE_THREAD_REASONS[r]}`).join('');
  return `${head}on this thread (the results are the same for any --threads)${why}`;
}

/** The run to its end, in slices of simulated time so the progress bar can move (slicing changes nothing). */
function advanceAll(exp: Experiment, opts: RunOptions, durationS: number): void {
  const progress = new Progress(progressWanted(opts), durationS, 'sim s');
  const slice = Math.max(1, Math.ceil(exp.endNs / 200));
  for (let t = slice; !exp.done; t += slice) {
    exp.advanceTo(t);
    progress.update(exp.sim.now / sToNs(1));
  }
  progress.stop();
}

function runInto(
  out: AtomicDir,
  scenario: ReturnType<typeof loadScenarioFile>,
  seed: number,
  outDir: string,
  opts: RunOptions,
  trace: RunTraceOptions | undefined,
): void {
  const seriesSink = new CsvFileSink(out.path(STREAMED_FILES.series), out.dir);
  const podsFile = new CsvFileSink<number | string>(out.path(STREAMED_FILES.pods), out.dir);
  let podRows = false;
  const podsSink = {
    begin: (columns: readonly string[]) => podsFile.begin(columns),
    row: (values: readonly (number | string)[]) => {
      if (!podRows && podRowCounts(values)) podRows = true;
      podsFile.row(values);
    },
  };
  const exp = new Experiment(scenario, seed, {
    sinks: { series: seriesSink, pods: podsSink },
    ...(opts.schedtrace !== undefined ? { schedtraceMs: opts.schedtrace } : {}),
    scheddetail: opts.scheddetail === true,
    gctrace: opts.gctrace === true,
    // Like Go, schedtrace goes to stderr, so stdout stays the summary (parseable with --json).
    onTrace: (text) => process.stderr.write(`${text}\n`),
    ...(trace ? { trace } : {}),
    ...(opts.threads !== undefined ? { threads: opts.threads, podHosts: podThreads } : {}),
  });
  if (opts.threads !== undefined) process.stderr.write(`${threadsNote(exp, opts.threads)}\n`);
  let result: ReturnType<Experiment['finish']>;
  try {
    advanceAll(exp, opts, scenario.durationS);
    result = exp.finish();
  } finally {
    exp.close(); // worker threads end on every path: a finished run, a Go fatal error, an exception
  }
  seriesSink.close();
  podsFile.close();
  if (!podRows) rmSync(podsFile.path); // one pod: nothing to tell apart (as runFiles decides)
  for (const [name, content] of Object.entries({
    ...runFiles(scenario, seed, result, true),
    [MARKER]: markerContent('run'),
  }))
    out.write(name, content);
  out.commit();
  if (opts.trace !== undefined && result.trace) {
    writeFileAtomic(opts.trace, JSON.stringify(result.trace));
    const cut = result.trace.metadata['gmpsim-truncated-at-s'];
    if (cut !== null) {
      process.stderr.write(
        `warning: --trace: the trace holds the ` +
          `first ${result.trace.metadata['gmpsim-max-events'].toLocaleString('en-US')} events; ` +
          `slices, counters and flows after ${cut.toFixed(6)} s of simulated time were not recorded ` +
          `(narrow --trace-window, choose pods with --trace-pods, or raise --trace-max-events)\n`,
      );
    }
  }

  const events = opts.hpaEvents ? (exp.fleet.autoscaler?.events ?? []) : undefined;
  if (opts.json)
    process.stdout.write(toStableJson({ outDir, summary: result.summary, ...(events ? { hpaEvents: events } : {}) }));
  else {
    if (events && scenario.hpa) {
      process.stdout.write(
        `${describeHpa(scenario.name, scenario.hpa, result.hpaDecisions ?? [], events, scenario.durationS)}\n`,
      );
    }
    if (opts.quiet) process.stdout.write(`${outDir}\n`);
    else process.stdout.write(`${summaryTable(result.summary)}\nresults     ${outDir}/\n`);
  }
}
