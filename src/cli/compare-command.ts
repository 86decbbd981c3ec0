import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { AtomicDir } from '../report/atomic-dir.js';
import {
  compareRunsCsv,
  compareStats,
  compareSummaryCsv,
  compareTable,
  runFigures,
  type VariantRow,
  type VariantRuns,
  type VariantStats,
  variantRow,
  verdictLine,
} from '../report/compare.js';
import { CsvFileSink } from '../report/csv-stream.js';
import { toStableJson } from '../report/format.js';
import { checkOutDir, MARKER, markerContent } from '../report/out-dir.js';
import { hpaDecisionsCsv } from '../report/run-files.js';
import { readScenarioText } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import type { SweepMetric } from '../scenario/sweep-schema.js';
import { compareScenarios } from '../scenario/variants.js';
import { runScenario } from '../sim/experiment.js';
import { UsageError } from './errors.js';
import { Progress, progressWanted } from './progress.js';
import { abortOnSignals } from './signals.js';

export interface CompareOptions {
  seeds?: number;
  seed?: number;
  /** Run more seeds until every variant's p99 and pod-seconds interval is within ± this % of its mean. */
  precision?: number;
  /** With precision: the most seeds per variant. */
  maxSeeds?: number;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  progress?: boolean;
}

/** The figures `--precision` holds to its target. */
export const PRECISION_FIGURES: readonly SweepMetric[] = ['p99Ms', 'podSeconds'];

/** Seeds per variant with --precision unless --seeds says otherwise; the cap unless --max-seeds does. */
export const PRECISION_START_SEEDS = 3;
export const PRECISION_MAX_SEEDS = 30;

/** Is every variant's interval on the precision figures within ± pct % of its mean? */
export function precise(stats: readonly VariantStats[], pct: number): boolean {
  return stats.every((v) =>
    PRECISION_FIGURES.every((m) => {
      const { mean, ci95 } = v.figures[m];
      // A figure that is 0 on every seed is exact; otherwise the relative half-width decides.
      return (mean === 0 && ci95 === 0) || (Number.isFinite(ci95) && ci95 <= (Math.abs(mean) * pct) / 100);
    }),
  );
}

/**
 * `gmpsim compare FILE`: run every variant on the same seeds (seed, seed+1, ...; common random numbers,
 * so differences are paired), write results/<name>/compare/ atomically — compare.csv (one row per
 * variant and seed), compare-summary.csv (means, 95 % intervals, paired differences against the first
 * variant), compare.json (all of it, and the verdicts), every seed's time series and HPA syncs — and print the table
 * and one verdict line per variant. With `precision`, seeds are added (to every variant, keeping the pairs)
 * until the intervals are narrow enough or `maxSeeds` is reached.
 */
export function compareCommand(file: string, opts: CompareOptions): void {
  if (opts.maxSeeds !== undefined && opts.precision === undefined)
    throw new UsageError('--max-seeds needs --precision (it caps the seeds --precision adds)');
  const start = opts.seeds ?? (opts.precision !== undefined ? PRECISION_START_SEEDS : 1);
  const cap = opts.precision !== undefined ? (opts.maxSeeds ?? Math.max(PRECISION_MAX_SEEDS, start)) : start;
  if (opts.precision !== undefined && start < 2)
    throw new UsageError(`--precision needs at least 2 seeds to form an interval, found --seeds ${start}`);
  if (cap < start) throw new UsageError(`expected --max-seeds ≥ --seeds (${start}), found ${cap}`);
  const text = readScenarioText(file);
  const { base, variants } = compareScenarios(text, file);
  const outDir = opts.out ?? join('results', base.name, 'compare');
  checkOutDir(outDir, 'compare');
  const first = opts.seed ?? base.seed;
  const progress = new Progress(progressWanted(opts), variants.length * cap, 'runs', 1000);
  let done = 0;
  const runs: VariantRuns[] = variants.map((v) => ({ variant: v.name, runs: [] }));
  const meanRows: VariantRow[][] = variants.map(() => []);
  // Every seed's time series of each variant streams to its file in the hidden temporary directory while it
  // runs, so only the figures (and a bounded downsample of the rows) stay in memory.
  const out = new AtomicDir(outDir);
  const stopped = abortOnSignals(out);
  const runOneSeed = (vi: number, scenario: Scenario, seed: number) => {
    const sink = new CsvFileSink(out.path(`timeseries-${variants[vi]!.name}-seed-${seed}.csv`), out.dir);
    const r = runScenario(scenario, seed, { sinks: { series: sink } });
    sink.close();
    runs[vi]!.runs.push(runFigures(scenario, r));
    meanRows[vi]!.push(variantRow(variants[vi]!.name, scenario, [r]));
    // What the report overlays: the first seed's series.
    if (seed === first) copyFileSync(sink.path, out.path(`timeseries-${variants[vi]!.name}.csv`));
    // each seed's HPA syncs: the report's band of the HPA's metric against its target
    if (r.hpaDecisions)
      out.write(`hpa_decisions-${variants[vi]!.name}-seed-${seed}.csv`, hpaDecisionsCsv(r.hpaDecisions));
    progress.update(++done);
  };
  let n = 0;
  let stats: VariantStats[] = [];
  try {
    for (;;) {
      const target = n === 0 ? start : n + 1;
      for (let s = n; s < target; s++) for (const [vi, v] of variants.entries()) runOneSeed(vi, v.scenario, first + s);
      n = target;
      stats = compareStats(runs);
      if (opts.precision === undefined || n >= cap || precise(stats, opts.precision)) break;
    }
  } catch (e) {
    out.abort();
    throw e;
  } finally {
    stopped.dispose();
  }
  progress.stop();
  const seeds = Array.from({ length: n }, (_, i) => first + i);
  const rows = variants.map((v, vi) => meanOf(v.name, meanRows[vi]!));
  const verdicts = stats.slice(1).map((s) => verdictLine(variants[0]!.name, s));
  const reached = opts.precision === undefined ? undefined : precise(stats, opts.precision);
  const files: Record<string, string> = {
    [MARKER]: markerContent('compare'),
    'compare.csv': compareRunsCsv(runs, seeds),
    'compare-summary.csv': compareSummaryCsv(stats),
    'compare.json': toStableJson({
      scenario: base.name,
      seeds,
      sloP99Ms: base.slo.p99Ms,
      baseline: variants[0]!.name,
      ...(opts.precision !== undefined
        ? { precision: { pct: opts.precision, figures: PRECISION_FIGURES, maxSeeds: cap, reached } }
        : {}),
      variants: rows,
      stats,
      verdicts,
      runs: runs.map((v) => ({ variant: v.variant, runs: v.runs.map((r, i) => ({ seed: seeds[i], ...r })) })),
    }),
  };
  for (const [name, content] of Object.entries(files)) out.write(name, content);
  out.commit();
  if (opts.json) process.stdout.write(toStableJson({ outDir, seeds, variants: rows, stats, verdicts }));
  else if (opts.quiet) process.stdout.write(`${outDir}\n`);
  else {
    const note =
      reached === false
        ? `\nprecision: ±${opts.precision} % not reached after ${n} seeds (the --max-seeds cap); the intervals ` +
          `above are what ${n} seeds give`
        : '';
    const ci = n >= 2 ? ' (mean ±95 % CI)' : ' (one seed: no intervals; use --seeds N)';
    process.stdout.write(
      `${base.name}: ${variants.length} variants × ` +
        `seeds ${first}…${first + n - 1}${ci}\n${compareTable(rows, base.slo.p99Ms, stats)}\n` +
        (verdicts.length > 0 ? `\n${verdicts.join('\n')}\n` : '') +
        `${note}${note ? '\n' : ''}results  ${outDir}/\n`,
    );
  }
}

/** A variant's one-run rows averaged (maxGoroutinesPerPod: the largest). */
function meanOf(variant: string, rs: readonly VariantRow[]): VariantRow {
  const out = { ...rs[0]!, variant, seeds: rs.length } as VariantRow;
  for (const k of Object.keys(out) as (keyof VariantRow)[]) {
    if (k === 'variant' || k === 'seeds') continue;
    const xs = rs.map((r) => r[k] as number);
    (out[k] as number) = k === 'maxGoroutinesPerPod' ? Math.max(...xs) : xs.reduce((a, b) => a + b, 0) / xs.length;
  }
  return out;
}
