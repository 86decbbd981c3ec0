export { type EventHandle, EventQueue } from './event-queue.js';
export type { EventSet, EventSetKind } from './event-set.js';
export { LadderQueue } from './ladder-queue.js';
export { RandomStream, RandomStreams } from './random.js';
export { type Clock, type EventHandler, Simulation } from './simulation.js';
export * from './time.js';
