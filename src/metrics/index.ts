export { SampleLog } from './sample-log.js';
export { TimeSeries } from './time-series.js';
