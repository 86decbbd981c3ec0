import { expect } from 'chai';
import { RandomStreams } from '../../src/engine/random.js';
import { Simulation } from '../../src/engine/simulation.js';
import { Programs } from '../../src/runtime/gmp/program.js';
import { Sched, type SchedConfig } from '../../src/runtime/gmp/sched.js';
import type { Step } from '../../src/scenario/schema.js';

/** One request step: 1 ms of CPU. */
export const CPU_1MS: Step[] = [{ cpu: { dist: 'constant', valueMs: 1 } } as Step];

/**
 * A Go 1.19 Sched built directly (no scenario, no pod) for rule tables: every cost zero except thread
 * start/wake (1 µs) and runqgrab's usleep(3) (3 µs); completed request ids are collected.
 */
export function newSched(
  nP: number,
  steps: Step[] = CPU_1MS,
  over: { maxProcs?: number; costs?: Partial<SchedConfig['costs']> } = {},
) {
  const sim = new Simulation();
  const rng = new RandomStreams(1);
  const cfg: SchedConfig = {
    gomaxprocs: nP,
    ...(over.maxProcs !== undefined ? { maxProcs: over.maxProcs } : {}),
    netpoll: 'go',
    goVersion: '1.19',
    maxThreads: 100,
    costs: {
      ctxSwitchNs: 0,
      stealNs: 0,
      goroutineCreateNs: 0,
      threadCreateNs: 1000,
      threadWakeNs: 1000,
      syscallNs: 0,
      chanOpNs: 0,
      preemptSignalNs: 0,
      runnextStealWaitNs: 3000,
      ...over.costs,
    },
  };
  const completed: number[] = [];
  const s = new Sched(sim, cfg, new Programs(steps, rng), rng.stream('sched.steal'), {
    complete: (id) => completed.push(id),
    started: () => {},
  });
  return { sim, s, completed };
}

/** An M that holds P `pp` (taken off the idle list), as after mstart. */
export function mWithP(s: Sched, pp: number): number {
  const m = s.allocm();
  expect(s.pidlegetPrefer(pp)).to.equal(pp);
  s.acquirep(m, pp);
  return m;
}
