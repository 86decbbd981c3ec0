import { OutDirError, OutputWriteError } from '../report/out-dir.js';
import { formatProblem, ScenarioError } from '../scenario/problem.js';
import { JournalError } from '../sweep/journal-error.js';

/** Bad input given on the command line (not a scenario-file problem). Exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_BAD_INPUT = 2;
/** Writing the results failed after simulating (disk full, permissions); earlier results are kept. */
export const EXIT_WRITE_FAILED = 1;

/**
 * Print an error the way users should see it and return the exit code. Never a JavaScript stack: an
 * unexpected error is one line too (GMPSIM_DEBUG=1 prints the stack for a bug report).
 */
export function reportError(e: unknown): number {
  if (e instanceof ScenarioError) {
    for (const p of e.problems) process.stderr.write(`error: ${formatProblem(p)}\n`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof UsageError || e instanceof OutDirError || e instanceof JournalError) {
    process.stderr.write(`error: ${e.message}\n`);
    return EXIT_BAD_INPUT;
  }
  if (e instanceof OutputWriteError) {
    process.stderr.write(`error: ${e.message}\n`);
    return EXIT_WRITE_FAILED;
  }
  const err = e as NodeJS.ErrnoException | undefined;
  if (err instanceof RangeError && /call stack|Invalid array length|Invalid string length/.test(err.message)) {
    process.stderr.write(
      `error: the input is too large to process (${err.message}); lower the sizes in the scenario\n`,
    );
    return EXIT_BAD_INPUT;
  }
  const msg = (err?.message ?? String(e)).split('\n')[0];
  process.stderr.write(
    `gmpsim: internal error: ${msg} (please report it with the scenario file; GMPSIM_DEBUG=1 prints details)\n`,
  );
  if (process.env.GMPSIM_DEBUG) process.stderr.write(`${err?.stack ?? String(e)}\n`);
  return EXIT_INTERNAL;
}
