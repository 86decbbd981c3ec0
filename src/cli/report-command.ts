import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../report/atomic-dir.js';
import { chartSvg, readReport, reportHtml } from '../report/html/report.js';
import { isResultsDir, type ResultsKind } from '../report/out-dir.js';
import { UsageError } from './errors.js';

/**
 * `gmpsim report DIR`: DIR/report.html (one self-contained page, no CDN) and DIR/charts/<chart>.svg
 * for docs and notebooks, from a run, compare, sweep or tune directory.
 */
export async function reportCommand(dir: string, opts: { quiet?: boolean; json?: boolean }): Promise<number> {
  if (
    !['run', 'compare', 'sweep', 'tune'].some(
      (k) => existsSync(dir) && statSync(dir).isDirectory() && isResultsDir(dir, k as ResultsKind),
    )
  ) {
    throw new UsageError(
      `${dir}: not a gmpsim run, compare, sweep or tune results directory; refusing to write report.html into it`,
    );
  }
  let report: ReturnType<typeof readReport>;
  try {
    report = readReport(dir);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const html = join(dir, 'report.html');
  writeFileAtomic(html, reportHtml(report));
  const svgs: string[] = [];
  for (const c of report.charts) {
    const file = join(dir, 'charts', `${c.id}.svg`);
    writeFileAtomic(file, await chartSvg(c));
    svgs.push(file);
  }
  if (opts.json) process.stdout.write(`${JSON.stringify({ html, svgs }, null, 2)}\n`);
  else if (!opts.quiet)
    process.stdout.write(`report   ${html}\ncharts   ${join(dir, 'charts')}/ (${svgs.length} SVG)\n`);
  return 0;
}
