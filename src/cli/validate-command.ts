import { densityStability } from '../autoscaler/density/controller.js';
import { formatProblem, loadScenarioFile, type Problem, ScenarioError } from '../scenario/load.js';
import { EXIT_BAD_INPUT, EXIT_OK } from './errors.js';

/** `gmpsim validate FILE...`: check every file, report every problem, exit 2 if any file is invalid. */
export function validateCommand(files: string[], opts: { json?: boolean }): number {
  const report: Array<{ file: string; ok: boolean; problems: string[]; warnings?: string[] }> = [];
  for (const file of files) {
    try {
      const problems: Problem[] = [];
      const s = loadScenarioFile(file, problems);
      for (const w of problems) process.stderr.write(`warning: ${formatProblem(w)}\n`);
      // Valid but likely not what was meant: an unstable density loop.
      const warnings = [s.densityController && densityStability(s.densityController)].filter(
        (w): w is string => w !== undefined && w !== '',
      );
      report.push({ file, ok: true, problems: [], ...(warnings.length > 0 ? { warnings } : {}) });
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
      for (const w of r.warnings ?? []) process.stderr.write(`warning: ${r.file}: ${w}\n`);
    }
  return report.every((r) => r.ok) ? EXIT_OK : EXIT_BAD_INPUT;
}
