import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Scenario } from '../scenario/schema.js';
import type { RunOutcome } from './run-row.js';

/** Set `requested` (and call `onStop`) to stop a sweep: no task starts after it; running ones are dropped. */
export class StopSignal {
  requested = false;
  onStop: (() => void) | undefined;
  request(): void {
    this.requested = true;
    this.onStop?.();
  }
}

export interface SweepTask {
  point: number;
  rep: number;
  seed: number;
  scenario: Scenario;
}

/** Default worker count: the machine's cores (also the cap on --workers: runTasks never starts more). */
export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * Run tasks on a pool of worker threads (piscina), at most 2 × workers in flight so results stream
 * back as they finish. `onDone` gets each outcome (a thrown task becomes an error outcome, never a lost
 * one). When `stop.requested` turns true no new task starts; running ones are abandoned.
 */
export async function runTasks(
  tasks: readonly SweepTask[],
  workers: number,
  onDone: (task: SweepTask, outcome: RunOutcome) => void,
  stop: StopSignal,
): Promise<void> {
  if (tasks.length === 0) return;
  // Never more threads than tasks or cores: each holds a V8 heap, and extra ones only add memory.
  workers = Math.max(1, Math.min(workers, tasks.length, availableParallelism()));
  const stopped = new Promise<void>((resolve) => (stop.onStop = resolve));
  const pool = new Piscina({
    filename: new URL('./worker.js', import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
  });
  const inflight = new Set<Promise<void>>();
  let next = 0;
  try {
    while (!stop.requested && (next < tasks.length || inflight.size > 0)) {
      while (!stop.requested && next < tasks.length && inflight.size < 2 * workers) {
        const t = tasks[next++]!;
        const p: Promise<void> = (pool.run({ scenario: t.scenario, seed: t.seed }) as Promise<RunOutcome>)
          .then(
            (o) => onDone(t, o),
            (e: unknown) => onDone(t, { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }),
          )
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
      if (inflight.size > 0) await Promise.race([...inflight, stopped]);
    }
  } finally {
    await pool.destroy();
  }
}
