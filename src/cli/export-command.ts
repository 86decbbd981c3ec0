import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvParseRows } from 'd3-dsv';
import { parseStart, type Table, toOpenMetrics } from '../export/openmetrics.js';
import { writeFileAtomic } from '../report/atomic-dir.js';
import { checkOutFile, writing } from '../report/out-dir.js';
import { UsageError } from './errors.js';

/**
 * `gmpsim export DIR --openmetrics [--start TIME] [--out FILE]`: a run directory's timeseries.csv (and
 * pods.csv) as OpenMetrics text with real timestamps, for `promtool tsdb create-blocks-from openmetrics`
 * and Grafana (deploy/grafana/gmpsim-dashboard.json reads these series).
 */
export function exportCommand(dir: string, opts: { openmetrics?: boolean; start?: string; out?: string }): number {
  if (!opts.openmetrics) throw new UsageError('export: expected a format, found none (use --openmetrics)');
  const startS = opts.start === undefined ? 0 : parseStart(opts.start);
  if (startS === undefined)
    throw new UsageError(`--start: expected RFC 3339 (2026-03-01T12:00:00Z) or Unix seconds, found "${opts.start}"`);
  const summaryFile = join(dir, 'summary.json');
  if (!existsSync(summaryFile))
    throw new UsageError(`${dir}: expected a gmpsim run directory (with summary.json), found none`);
  let summary: { scenario?: unknown; seed?: unknown };
  try {
    summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  } catch (e) {
    throw new UsageError(
      `${summaryFile}: expected the JSON gmpsim wrote, found a file that does not parse (${(e as Error).message})`,
    );
  }
  const series = readTable(join(dir, 'timeseries.csv'));
  const podsFile = join(dir, 'pods.csv');
  const text = toOpenMetrics({
    scenario: String(summary.scenario ?? 'unknown'),
    seed: Number(summary.seed ?? 0),
    startS,
    series,
    ...(existsSync(podsFile) ? { pods: readTable(podsFile) } : {}),
  });
  if (opts.out === undefined) process.stdout.write(text);
  else {
    // Overwrite only an earlier export (it starts with a gmpsim family); never another file.
    checkOutFile(opts.out, '--out', { command: 'export', marker: '# TYPE gmpsim_' });
    writing(opts.out, () => writeFileAtomic(opts.out!, text));
    process.stdout.write(`${opts.out}\n`);
  }
  return 0;
}

/** A CSV gmpsim wrote: a header, then numbers; a cell that is not a number is named with its line. */
function readTable(file: string): Table {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`${file}: expected a readable CSV file, found nothing`);
  }
  const [header, ...body] = csvParseRows(text);
  if (!header || header.length === 0) throw new UsageError(`${file}: expected a header line, found an empty file`);
  const rows = body.map((cells, i) => {
    if (cells.length !== header.length)
      throw new UsageError(`${file}:${i + 2}: expected ${header.length} cells, found ${cells.length}`);
    return cells.map((c, j) => {
      const x = c === '' ? NaN : Number(c);
      if (c !== '' && Number.isNaN(x))
        throw new UsageError(`${file}:${i + 2}: ${header[j]}: expected a number, found "${c.slice(0, 40)}"`);
      return x;
    });
  });
  return { columns: header, rows };
}
