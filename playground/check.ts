/**
 * The page's validation: the loader `gmpsim validate` uses (parseScenario, then resolveFiles for the
 * files a scenario names), so the page shows the same problems, at the same line and column, with the
 * same text (formatProblem). Kept apart from core.ts so the page's own bundle needs no model code.
 */
import { formatProblem, parseScenario, resolveFiles, ScenarioError } from '../src/scenario/load.js';
import type { Scenario } from '../src/scenario/schema.js';

export interface ProblemView {
  line?: number;
  col?: number;
  path: string;
  message: string;
  /** `file:line:col: path: message`, as `gmpsim validate` prints it. */
  text: string;
}

/** Parse and validate a lesson's text; problems carry line and column. */
export function checkScenario(text: string, file: string): { scenario: Scenario } | { problems: ProblemView[] } {
  try {
    return { scenario: resolveFiles(parseScenario(text, file), file) };
  } catch (e) {
    const problems =
      e instanceof ScenarioError
        ? e.problems
        : [{ file, path: '', message: e instanceof Error ? e.message : String(e) }];
    return {
      problems: problems.map((p) => ({
        ...(p.line !== undefined ? { line: p.line } : {}),
        ...(p.col !== undefined ? { col: p.col } : {}),
        path: p.path,
        message: p.message,
        text: formatProblem(p),
      })),
    };
  }
}
