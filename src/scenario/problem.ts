/**
 * What is wrong with a scenario file and how it is printed: a module of its own so that the CLI's error
 * printer (src/cli/errors.ts) knows ScenarioError without loading the parser, zod and yaml at start.
 */

/** One thing wrong with a scenario file, located as precisely as the parser allows. */
export interface Problem {
  file: string;
  /** 1-based line and column in the file, when known. */
  line?: number;
  col?: number;
  /** Document path, e.g. `workload.request.cpu.meanMs` or `hpa.behavior.scaleUp.policies[0].periodSeconds`. */
  path: string;
  message: string;
}

/** A scenario that cannot be used; `problems` has one entry per thing to fix. */
export class ScenarioError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
  }
}

/** `file:line:col: path: message` — the shape editors and CI logs make clickable. */
export function formatProblem(p: Problem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.col ?? 1}` : p.file;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}
