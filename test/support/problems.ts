import { formatProblem, parseScenario, ScenarioError } from '../../src/scenario/load.js';

/** The formatted problems of an invalid scenario text (the test fails if the text is accepted). */
export function problems(text: string, file = 'case.yaml'): string[] {
  try {
    parseScenario(text, file);
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems.map(formatProblem);
    throw e;
  }
  throw new Error('expected the scenario to be rejected');
}
