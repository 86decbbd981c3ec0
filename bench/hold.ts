import type { EventSetKind } from '../src/engine/event-set.js';
import { RandomStream } from '../src/engine/random.js';
import { Simulation } from '../src/engine/simulation.js';

/**
 * The classic hold model (Vaucher & Duval 1975; Jones 1986): keep `pending` events in the set; each event,
 * when dispatched, schedules one successor at now + an exponential increment. Increments come from a
 * pre-drawn table of 2^16 exponential variates so the benchmark measures the event set, not the PRNG.
 */
export interface HoldResult {
  pending: number;
  events: number;
  wallSeconds: number;
  eventsPerSecond: number;
}

const TABLE_SIZE = 1 << 16;

export function incrementTable(seed: string, meanNs = 1_000_000): Float64Array {
  const rng = new RandomStream('hold', seed);
  const t = new Float64Array(TABLE_SIZE);
  for (let i = 0; i < TABLE_SIZE; i++) t[i] = Math.round(rng.exponential(meanNs));
  return t;
}

export function holdGmpsim(
  pending: number,
  events: number,
  seed = 'bench',
  eventSet: EventSetKind = 'ladder',
): HoldResult {
  const inc = incrementTable(seed);
  const sim = new Simulation(pending + 16, eventSet);
  let i = 0;
  const kind = sim.registerKind('hold', () => {
    sim.schedule(inc[i++ & (TABLE_SIZE - 1)]!, kind);
  });
  for (let k = 0; k < pending; k++) sim.schedule(inc[i++ & (TABLE_SIZE - 1)]!, kind);
  // Warm up the JIT and the heap shape, then measure.
  const warm = Math.min(events / 10, 1_000_000);
  for (let k = 0; k < warm; k++) sim.step();
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < events; k++) sim.step();
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { pending, events, wallSeconds, eventsPerSecond: events / wallSeconds };
}

/** The same hold model on a plain binary heap (flatqueue): the baseline that makes ratios meaningful. */
export async function holdFlatQueue(pending: number, events: number, seed = 'bench'): Promise<HoldResult> {
  const { default: FlatQueue } = await import('flatqueue');
  const inc = incrementTable(seed);
  const q = new FlatQueue<number>();
  let i = 0;
  for (let k = 0; k < pending; k++) q.push(k, inc[i++ & (TABLE_SIZE - 1)]!);
  const step = () => {
    const t = q.peekValue()!;
    const id = q.pop()!;
    q.push(id, t + inc[i++ & (TABLE_SIZE - 1)]!);
  };
  const warm = Math.min(events / 10, 1_000_000);
  for (let k = 0; k < warm; k++) step();
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < events; k++) step();
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { pending, events, wallSeconds, eventsPerSecond: events / wallSeconds };
}
