import { join } from 'node:path';
import { writeDirAtomic } from '../report/atomic-dir.js';
import { checkOutDir, MARKER, markerContent } from '../report/out-dir.js';
import { compareCsv, compareTable, variantRow } from '../report/compare.js';
import { toCsv, toStableJson } from '../report/format.js';
import { readScenarioText } from '../scenario/load.js';
import { compareScenarios } from '../scenario/variants.js';
import { runScenario, type RunResult } from '../sim/experiment.js';
import { Progress, progressWanted } from './progress.js';

export interface CompareOptions {
  seeds?: number;
  seed?: number;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  progress?: boolean;
}

/**
 * `gmpsim compare FILE`: run every variant on the same seeds (seed, seed+1, ...), write
 * results/<name>/compare/ (compare.csv, compare.json) atomically and print one table side by side.
 */
export function compareCommand(file: string, opts: CompareOptions): void {
  const text = readScenarioText(file);
  const { base, variants } = compareScenarios(text, file);
  const outDir = opts.out ?? join('results', base.name, 'compare');
  checkOutDir(outDir, 'compare');
  const n = opts.seeds ?? 1;
  const first = opts.seed ?? base.seed;
  const seeds = Array.from({ length: n }, (_, i) => first + i);
  const progress = new Progress(progressWanted(opts), variants.length * n, 'runs', 1000);
  let done = 0;
  // The first seed's time series of each variant: what the report overlays.
  const firstSeries: Record<string, string> = {};
  const rows = variants.map((v) => {
    const results: RunResult[] = seeds.map((seed) => {
      const r = runScenario(v.scenario, seed);
      progress.update(++done);
      return r;
    });
    firstSeries[`timeseries-${v.name}.csv`] = toCsv(results[0]!.series.columns, results[0]!.series.rows);
    return variantRow(v.name, v.scenario, results);
  });
  progress.stop();
  writeDirAtomic(outDir, {
    [MARKER]: markerContent('compare'),
    'compare.csv': compareCsv(rows),
    'compare.json': toStableJson({ scenario: base.name, seeds, sloP99Ms: base.slo.p99Ms, variants: rows }),
    ...firstSeries,
  });
  if (opts.json) process.stdout.write(toStableJson({ outDir, seeds, variants: rows }));
  else if (opts.quiet) process.stdout.write(`${outDir}\n`);
  else process.stdout.write(`${base.name}: ${variants.length} variants × seeds ${seeds.join(', ')}\n${compareTable(rows, base.slo.p99Ms)}\nresults  ${outDir}/\n`);
}
