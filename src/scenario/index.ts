export * from './schema.js';
export { loadScenarioFile, parseScenario, ScenarioError, formatProblem, formatPath, type Problem } from './load.js';
