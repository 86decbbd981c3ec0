import { expect } from 'chai';
import fc from 'fast-check';
import { parseScenario } from '../../src/scenario/load.js';
import type { Step } from '../../src/scenario/schema.js';
import { Experiment } from '../../src/sim/experiment.js';
import { runCheckingInvariants } from '../support/invariant-run.js';

const ms = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true });
const leaf: fc.Arbitrary<Step> = fc.oneof(
  ms(0.01, 2).map((m) => ({ cpu: { dist: 'exponential' as const, meanMs: m } })),
  ms(0.001, 25).map((m) => ({ syscall: { dist: 'constant' as const, valueMs: m } })),
  ms(0.01, 3).map((m) => ({ netpoll: { dist: 'exponential' as const, meanMs: m } })),
  ms(0, 3).map((m) => ({ sleep: { dist: 'uniform' as const, minMs: 0, maxMs: m } })),
  fc.constant({ gosched: true as const }),
  fc
    .integer({ min: 1, max: 512 })
    .map((kb) => ({ alloc: { dist: 'constant' as const, valueKB: kb, objectBytes: 64 } })),
  ms(0.001, 0.5).map((m) => ({ locked: { mutex: 'mu', cpu: { dist: 'constant' as const, valueMs: m } } })),
  fc
    .record({ m: ms(0.001, 0.5), write: fc.boolean() })
    .map(({ m, write }) => ({ rwlocked: { rwmutex: 'rw', write, cpu: { dist: 'constant' as const, valueMs: m } } })),
);
// A select pair over channel "d": a child offers a value, the parent waits for one, each with a timeout,
// so either may give up (both branches run) and nothing waits forever.
const selectPair: fc.Arbitrary<Step> = fc
  .record({ send: ms(0.01, 2), recv: ms(0.01, 2), late: fc.array(leaf, { maxLength: 1 }) })
  .map(({ send, recv, late }) => ({
    repeat: {
      count: 1,
      steps: [
        {
          spawn: {
            count: 1,
            wait: false,
            steps: [
              {
                select: {
                  chan: 'd',
                  op: 'send' as const,
                  timeout: { dist: 'constant' as const, valueMs: send },
                  ready: [],
                  timedOut: late,
                },
              },
            ],
          },
        },
        {
          select: {
            chan: 'd',
            op: 'recv' as const,
            timeout: { dist: 'constant' as const, valueMs: recv },
            ready: late,
            timedOut: [],
          },
        },
      ],
    },
  }));
// A fan-in over channel "c": k children each do some work and send once; the parent receives k times.
// Sends and receives balance across all requests (whose Gs share the pod's channel), so everything ends.
const fanIn: fc.Arbitrary<Step> = fc
  .record({ k: fc.integer({ min: 1, max: 4 }), work: fc.array(leaf, { maxLength: 2 }) })
  .map(({ k, work }) => ({
    repeat: {
      count: 1,
      steps: [
        { spawn: { count: k, wait: false, steps: [...work, { send: { chan: 'c' } }] } },
        { repeat: { count: k, steps: [{ recv: { chan: 'c' } }] } },
      ],
    },
  }));
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: leaf },
  {
    weight: 1,
    arbitrary: fc
      .record({
        count: fc.integer({ min: 1, max: 4 }),
        wait: fc.boolean(),
        steps: fc.array(leaf, { minLength: 1, maxLength: 3 }),
      })
      .map((spawn) => ({ spawn })),
  },
  { weight: 1, arbitrary: fanIn },
  { weight: 1, arbitrary: selectPair },
);

describe('gmp invariants under random programs (fast-check)', () => {
  it(
    'no G lost or duplicated (GC mark workers, assists and channel waits included), ≤ GOMAXPROCS running, Ms ' +
      'never decrease, busy ≤ c × elapsed and ≤ the CPU quota, every G finishes',
    () => {
      fc.assert(
        fc.property(
          fc.array(step, { minLength: 1, maxLength: 5 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 20, max: 3000 }),
          fc.constantFrom('go' as const, 'always-polling' as const),
          fc.integer({ min: 0, max: 1000 }),
          fc.constantFrom('1.19' as const, '1.25' as const),
          fc.constantFrom(undefined, 0.3, 1, 2.5),
          fc.constantFrom(1, 2),
          (steps, gomaxprocs, ratePerS, netpoll, seed, goVersion, cpuLimitCores, numaNodes) => {
            const s = parseScenario(
              JSON.stringify({
                durationS: 0.2,
                workload: { arrival: { process: 'poisson', ratePerS }, request: { steps } },
                runtime: {
                  gomaxprocs,
                  netpoll,
                  goVersion,
                  cpuLimitCores,
                  channels: { c: { capacity: seed % 3 }, d: { capacity: seed % 2 } },
                  syncMutex: seed % 2 ? 'go' : 'fifo',
                  numa: { nodes: numaNodes, stealOrder: seed % 2 ? 'numa-aware' : 'random' },
                },
              }),
              'prop.json',
            );
            const exp = new Experiment(s, seed);
            let lastM = 0;
            const { sched, problems } = runCheckingInvariants(exp, (sched, problems) => {
              if (sched.mcount < lastM) problems.push('Ms decreased');
              // A CPU limit caps the CPU used by the end of each period at limit × elapsed periods (the quota
              // runs out at a whole ns, rounded up: < 1 ns per thread per period over).
              const periods = Math.ceil(exp.sim.now / 100e6 + 1e-9);
              if (
                cpuLimitCores !== undefined &&
                sched.busyIntegralNs() > cpuLimitCores * periods * 100e6 + gomaxprocs * periods
              )
                problems.push(`CPU ${sched.busyIntegralNs()} ns over the quota`);
              lastM = sched.mcount;
            });
            expect(problems.slice(0, 5)).to.deep.equal([]);
            expect(sched.liveGs(), 'live Gs after draining').to.equal(0);
            expect(sched.stats.gExited).to.equal(sched.stats.gCreated);
          },
        ),
        { numRuns: 40 },
      );
    },
  );
});
