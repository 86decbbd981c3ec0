export { Experiment, runScenario, type RunResult } from './experiment.js';
export { SERIES_COLUMNS, type RunSummary } from './summary.js';
