export { Experiment, type RunResult, runScenario } from './experiment.js';
export { type RunSummary, SERIES_COLUMNS } from './summary.js';
