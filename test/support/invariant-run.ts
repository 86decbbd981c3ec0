import { checkInvariants } from '../../src/runtime/gmp/invariants.js';
import type { GmpPod } from '../../src/runtime/gmp/pod.js';
import type { Sched } from '../../src/runtime/gmp/sched.js';
import type { Experiment } from '../../src/sim/experiment.js';

/**
 * Run a one-pod experiment checking the scheduler's invariants every 37 µs of simulated time (and `more`,
 * the caller's own checks, at the same instants), then let what is in flight drain after the arrivals
 * stop. Returns the scheduler and every problem found; the caller asserts.
 */
export function runCheckingInvariants(
  exp: Experiment,
  more: (sched: Sched, problems: string[]) => void = () => {},
): { sched: Sched; problems: string[] } {
  const sched = (exp.pod as GmpPod).sched;
  const problems: string[] = [];
  const check = exp.sim.registerKind('test.invariants', () => {
    problems.push(...checkInvariants(sched));
    more(sched, problems);
    // Keep checking while anything can still change: until the drain ends or every G has exited.
    if (exp.sim.now < 30e9 && (exp.sim.now < 0.2e9 || sched.liveGs() > 0)) exp.sim.schedule(37_000, check);
  });
  exp.sim.schedule(0, check);
  exp.finish();
  // Arrivals have stopped: let everything in flight finish (programs are bounded).
  exp.sim.runUntil(exp.sim.now + 30e9);
  return { sched, problems };
}
