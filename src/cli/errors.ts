import { formatProblem, ScenarioError } from '../scenario/load.js';

/** Bad input given on the command line (not a scenario-file problem). Exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_BAD_INPUT = 2;

/** Print an error the way users should see it and return the exit code. */
export function reportError(e: unknown): number {
  if (e instanceof ScenarioError) {
    for (const p of e.problems) process.stderr.write(`error: ${formatProblem(p)}\n`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof UsageError) {
    process.stderr.write(`error: ${e.message}\n`);
    return EXIT_BAD_INPUT;
  }
  process.stderr.write(`gmpsim: internal error (please report it with the scenario file):\n${(e as Error)?.stack ?? String(e)}\n`);
  return EXIT_INTERNAL;
}
