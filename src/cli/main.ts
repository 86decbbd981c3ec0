import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { loadKubernetesModels } from '../kubernetes/models.js';
import { EXIT_BAD_INPUT, EXIT_OK, reportError } from './errors.js';
import { tuneV8For } from './v8-tuning.js';

// Each command's module is imported when that command runs, never at start: `--help` and `validate` load
// neither the simulator nor the report's charting libraries (vega, vega-lite: ~0.3 s), and `run` loads
// the report only with --report. test/cli/start-up.test.ts checks the module graph of each.

const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };

function parseSeed(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 2 ** 32 - 1)
    throw new InvalidArgumentError(`expected an integer from 0 to ${2 ** 32 - 1}, found "${v}"`);
  return Number(v);
}

function parseCount(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 10_000)
    throw new InvalidArgumentError(`expected an integer from 1 to 10000, found "${v}"`);
  return Number(v);
}

function parseThreads(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 1024)
    throw new InvalidArgumentError(`expected a number of threads from 1 to 1024, found "${v}"`);
  return Number(v);
}

function parseWorkers(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 1024)
    throw new InvalidArgumentError(`expected a number of workers from 1 to 1024, found "${v}"`);
  return Number(v);
}

function parseEta(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 2 || Number(v) > 100)
    throw new InvalidArgumentError(`expected an integer from 2 to 100, found "${v}"`);
  return Number(v);
}

/** A relative precision, % (a trailing % is allowed): more than 0, at most 100. */
function parsePrecision(v: string): number {
  const n = Number(v.trim().replace(/\s*%$/, ''));
  if (!/\d/.test(v) || !(n > 0) || n > 100)
    throw new InvalidArgumentError(`expected a percentage above 0 and at most 100 (e.g. 5 or 5%), found "${v}"`);
  return n;
}

/** --schedtrace's floor, ms: 1 µs of simulated time (a period that rounds to 0 ns would print forever at t = 0). */
export const MIN_SCHEDTRACE_MS = 0.001;

function parsePositiveMs(v: string): number {
  const n = Number(v);
  if (!(n >= MIN_SCHEDTRACE_MS) || !Number.isFinite(n)) {
    throw new InvalidArgumentError(`expected a number of milliseconds ≥ ${MIN_SCHEDTRACE_MS} (1 µs), found "${v}"`);
  }
  return n;
}

/** --trace-pods: pod indexes, comma-separated (e.g. 0,2,5). */
function parsePodList(v: string): number[] {
  if (!/^\d+(,\d+)*$/.test(v))
    throw new InvalidArgumentError(`expected pod indexes separated by commas (e.g. 0,2,5), found "${v}"`);
  return [...new Set(v.split(',').map(Number))].sort((a, b) => a - b);
}

/** --trace-max-events: from 1,000 to 50,000,000 (≈ 4 GB of JSON, past what a browser opens). */
function parseMaxEvents(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1000 || Number(v) > 50_000_000) {
    throw new InvalidArgumentError(`expected an integer from 1000 to 50000000, found "${v}"`);
  }
  return Number(v);
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('gmpsim')
    .description('Discrete-event simulator of the Go GMP scheduler in Kubernetes pods')
    .version(pkg.version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  // The typed Kubernetes models load (~150 ms) only for a command that reads manifests: `import`, or a
  // scenario with a `kubernetes:` list. Scenario loading is synchronous; the models are ES modules.
  program.hook('preAction', async (_program, action) => {
    tuneV8For(action.name());
    const inputs = action.args.filter((a) => typeof a === 'string');
    if (action.name() === 'import' || inputs.some(namesManifests)) await loadKubernetesModels();
  });

  program
    .command('run')
    .description(
      'run a scenario and write results/<name>/seed-<seed>/ (summary.json, timeseries.csv, scenario.resolved.yaml)',
    )
    .argument('<file>', 'scenario file (YAML or JSON)')
    .option('--seed <n>', "master seed (overrides the scenario's seed)", parseSeed)
    .option('--out <dir>', 'write the run into this directory instead of results/<name>/seed-<seed>')
    .option('--json', 'print the summary as JSON on stdout (no table, no progress bar)')
    .option('--quiet', 'print only the results directory')
    .option('--no-progress', 'never show a progress bar')
    .option(
      '--schedtrace <ms>',
      'print GODEBUG=schedtrace lines to stderr every <ms> of simulated time',
      parsePositiveMs,
    )
    .option('--scheddetail', 'with --schedtrace: per-P, per-M and per-G lines (GODEBUG=scheddetail=1)')
    .option('--gctrace', 'print a GODEBUG=gctrace=1 line to stderr at the end of each GC cycle (first pod)')
    .option('--report', 'also write report.html and charts/*.svg into the run directory (gmpsim report)')
    .option(
      '--trace <file>',
      'write a Chrome Trace Event / Perfetto JSON timeline of the run (open in ui.perfetto.dev)',
    )
    .option('--trace-window <s:s>', 'simulated seconds to trace, START:END (default: the whole run)')
    .option('--trace-pods <list>', 'pods to trace, by index, comma-separated (default: every pod)', parsePodList)
    .option(
      '--trace-max-events <n>',
      'stop recording trace events past this many (default 1000000, about 120 MB)',
      parseMaxEvents,
    )
    .option(
      '--trace-counter-ms <ms>',
      'trace counter sampling period, ms (default: the window / 2000, at least 1 ms)',
      parsePositiveMs,
    )
    .option(
      '--hpa-events',
      "print the HPA as `kubectl describe hpa` would at the run's end: targets, conditions, events",
    )
    .option(
      '--threads <n>',
      'threads for this one run (issue 24 item 6): a qualifying run advances its pods on N threads between ' +
        'barriers (this one and N - 1 workers, a share of the pods each; 1: this thread alone), with the same ' +
        'results; summary.json and stderr say whether the scenario qualifies and, if not, why',
      parseThreads,
    )
    .action(async (file: string, opts) => {
      const out = (await import('./run-command.js')).runCommand(file, opts);
      if (opts.report && out) await (await import('./report-command.js')).reportCommand(out, { quiet: true });
    });

  program
    .command('compare')
    .description(
      "run each of a scenario's variants on the same seeds and print them side by side (writes " +
        'results/<name>/compare/)',
    )
    .argument('<file>', 'scenario file with a variants list')
    .option('--seeds <n>', 'seeds per variant (seed, seed+1, ...; default 1, or 3 with --precision)', parseCount)
    .option('--seed <n>', "first seed (default: the scenario's)", parseSeed)
    .option(
      '--precision <pct>',
      "add seeds until every variant's p99 and pod-seconds 95% CI is within ±pct % of its mean",
      parsePrecision,
    )
    .option('--max-seeds <n>', 'with --precision: stop at this many seeds per variant (default 30)', parseCount)
    .option(
      '--out <dir>',
      'write compare.csv, compare-summary.csv and compare.json here instead of results/<name>/compare',
    )
    .option('--json', 'print the comparison as JSON')
    .option('--quiet', 'print only the results directory')
    .option('--no-progress', 'never show a progress bar')
    .action(async (file: string, opts) => {
      return (await import('./compare-command.js')).compareCommand(file, opts);
    });

  program
    .command('sweep')
    .description(
      "run the scenario's sweep (grid × random samples × replications) on worker threads; writes " +
        'results/<name>/sweep/ (runs.csv, points.csv, sweep.json)',
    )
    .argument('<file>', 'scenario file with a sweep block')
    .option('--workers <n>', 'worker threads (default: the number of cores)', parseWorkers)
    .option(
      '--seed <n>',
      "master seed (default: the scenario's); each run's seed is a hash of (master seed, replication), the same " +
        'for every point',
      parseSeed,
    )
    .option('--out <dir>', 'write here instead of results/<name>/sweep (or sweep-shard-K-of-N)')
    .option('--shard <K/N>', 'run only shard K of N (points whose index ≡ K−1 mod N); join shards with gmpsim merge')
    .option('--resume', 'keep the runs already in the output directory (after Ctrl-C or a crash) and run the rest')
    .option('--json', 'print the best points as JSON')
    .option('--quiet', 'print only the results directory')
    .option('--no-progress', 'never show a progress bar')
    .action(async (file: string, opts) => {
      setExit(await (await import('./sweep-command.js')).sweepCommand(file, opts));
    });

  program
    .command('tune')
    .description(
      "search the sweep's points for the lowest objective (successive halving over seeds, or the grid) and " +
        'print the best as a ready-to-paste HPA manifest',
    )
    .argument('<file>', 'scenario file with a sweep block (its objective is minimised)')
    .option(
      '--method <m>',
      'halving (successive halving over seeds), grid (every point on every seed) or bo (Bayesian optimisation)',
      'halving',
    )
    .option(
      '--budget <n>',
      'bo: points to evaluate, each on every seed (default: a third of the points, rounded down)',
      parseCount,
    )
    .option(
      '--batch <n>',
      'bo: points per batch, run in parallel; the next batch is chosen from the finished ones (default 4)',
      parseCount,
    )
    .option('--cost <metric>', 'the figure to minimise (default podSeconds)')
    .option(
      '--constraint <metric<=value>',
      "a bound on a figure's mean, repeatable (default: p99Ms<=the scenario's slo.p99Ms)",
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option(
      '--objective <kind>',
      "constrained (cost under constraints, the default) or weighted (the sweep's objective weights)",
    )
    .option('--max-seeds <n>', "seeds the finalists get (default: the sweep's replications)", parseCount)
    .option('--eta <n>', 'halving: keep 1/η of the candidates per rung and give them η× the seeds (≥ 2)', parseEta, 3)
    .option('--workers <n>', 'worker threads (default: the number of cores)', parseWorkers)
    .option('--seed <n>', "master seed (default: the scenario's)", parseSeed)
    .option('--out <dir>', 'write tune.json here instead of results/<name>/tune')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'print only the results directory')
    .option('--no-progress', 'never show a progress bar')
    .action(async (file: string, opts) => {
      setExit(await (await import('./tune-command.js')).tuneCommand(file, opts));
    });

  program
    .command('merge')
    .description('join the shard directories of one sweep into the files the unsharded sweep writes')
    .argument('<dirs...>', 'shard output directories (gmpsim sweep --shard K/N --out DIR)')
    .option('--out <dir>', 'write here instead of results/<name>/sweep')
    .option('--json', 'print the best points as JSON')
    .option('--quiet', 'print only the results directory')
    .action(async (dirs: string[], opts) => setExit((await import('./merge-command.js')).mergeCommand(dirs, opts)));

  program
    .command('report')
    .description(
      'write DIR/report.html (self-contained charts, works offline) and DIR/charts/*.svg ' +
        'for a run, compare, sweep or tune directory',
    )
    .argument('<dir>', 'a results directory (gmpsim run, compare, sweep or tune output)')
    .option('--json', 'print the written files as JSON')
    .option('--quiet', 'print nothing')
    .action(async (dir: string, opts) => setExit(await (await import('./report-command.js')).reportCommand(dir, opts)));

  program
    .command('validate')
    .description('check scenario files; every problem is reported with file:line:col and document path')
    .argument('<files...>', 'scenario files')
    .option('--json', 'print the report as JSON')
    .action(async (files: string[], opts) => {
      await import('./zod-jitless.js'); // before the schemas are built (see there)
      const { validateCommand } = await import('./validate-command.js');
      setExit(validateCommand(files, opts));
    });

  program
    .command('export')
    .description(
      "write a run directory's time series (and per-pod series) as OpenMetrics text with real timestamps, for " +
        'promtool backfill and Grafana',
    )
    .argument('<dir>', 'a gmpsim run directory')
    .option('--openmetrics', 'OpenMetrics text (the format promtool tsdb create-blocks-from openmetrics reads)')
    .option(
      '--start <time>',
      "wall time of the run's t = 0: RFC 3339 or Unix seconds (default 0, 1970-01-01T00:00:00Z, so exports are " +
        'reproducible)',
    )
    .option('--out <file>', 'write here (a new file or an earlier export) instead of standard output')
    .action(async (dir: string, opts) => setExit((await import('./export-command.js')).exportCommand(dir, opts)));

  program
    .command('import')
    .description(
      'turn Kubernetes manifests (Deployment, HorizontalPodAutoscaler, KEDA ScaledObject) into a commented ' +
        'scenario saying what it mapped and what it ignored',
    )
    .argument('<files...>', 'Kubernetes YAML files (multi-document allowed)')
    .option(
      '--out <file>',
      'write the scenario here (a new file, or one an earlier import wrote) instead of standard output',
    )
    .action(async (files: string[], opts) => setExit((await import('./import-command.js')).importCommand(files, opts)));

  return program;
}

/** Whether a scenario file names Kubernetes manifests (a top-level `kubernetes:` key). */
function namesManifests(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    return /^kubernetes\s*:/m.test(readFileSync(file, 'utf8'));
  } catch {
    return false; // the command itself reports a missing file
  }
}

export async function main(argv: string[]): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram((c) => (code = c));
  // A bare `gmpsim` is a usage error: the usage goes to stderr and the exit code says so.
  if (argv.length <= 2) {
    process.stderr.write(program.helpInformation());
    return EXIT_BAD_INPUT;
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander already printed its message; help and version are not errors.
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help'
        ? EXIT_OK
        : EXIT_BAD_INPUT;
    }
    return reportError(e);
  }
  return code;
}

// Not a top-level await: the start-up bundle runs this module as CommonJS (src/cli/bundle-loader.ts).
main(process.argv).then((code) => {
  process.exitCode = code;
});
