import { formatProblem, loadScenarioFile, ScenarioError, type Problem } from '../scenario/load.js';
import { EXIT_BAD_INPUT, EXIT_OK } from './errors.js';

/** `gmpsim validate FILE...`: check every file, report every problem, exit 2 if any file is invalid. */
export function validateCommand(files: string[], opts: { json?: boolean }): number {
  const report: Array<{ file: string; ok: boolean; problems: string[] }> = [];
  for (const file of files) {
    try {
      const warnings: Problem[] = [];
      loadScenarioFile(file, warnings);
      for (const w of warnings) process.stderr.write(`warning: ${formatProblem(w)}\n`);
      report.push({ file, ok: true, problems: [] });
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      report.push({ file, ok: false, problems: e.problems.map(formatProblem) });
    }
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else
    for (const r of report) {
      if (r.ok) process.stdout.write(`ok     ${r.file}\n`);
      else for (const p of r.problems) process.stderr.write(`error: ${p}\n`);
    }
  return report.every((r) => r.ok) ? EXIT_OK : EXIT_BAD_INPUT;
}
