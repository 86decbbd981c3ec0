export { type ArrivalProcess, arrivalProcess } from './arrivals.js';
export { type DurationSampler, durationSampler } from './distributions.js';
export { RequestTable } from './requests.js';
