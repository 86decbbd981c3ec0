export { EventQueue, type EventHandle } from './event-queue.js';
export { LadderQueue } from './ladder-queue.js';
export type { EventSet, EventSetKind } from './event-set.js';
export { Simulation, type EventHandler, type Clock } from './simulation.js';
export { RandomStream, RandomStreams } from './random.js';
export * from './time.js';
