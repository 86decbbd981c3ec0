export { durationSampler, type DurationSampler } from './distributions.js';
export { arrivalProcess, type ArrivalProcess } from './arrivals.js';
export { RequestTable } from './requests.js';
