export { formatPath, formatProblem, loadScenarioFile, type Problem, parseScenario, ScenarioError } from './load.js';
export * from './schema.js';
