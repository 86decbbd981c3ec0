import { expect } from 'chai';
import fc from 'fast-check';
import { GC_MARK, GC_OFF } from '../../src/runtime/gc/cycle.js';
import { newG } from '../../src/runtime/gmp/goroutines.js';
import { checkInvariants } from '../../src/runtime/gmp/invariants.js';
import { GOMAXPROCS, procresize, procresizeAfterGC } from '../../src/runtime/gmp/procresize.js';
import type { Sched } from '../../src/runtime/gmp/sched.js';
import {
  Gdead,
  Grunnable,
  Grunning,
  Gwaiting,
  Mparked,
  Pdead,
  Pidle,
  Prunning,
  Psyscall,
} from '../../src/runtime/gmp/states.js';
import { stealOrder } from '../../src/runtime/gmp/steal.js';
import { parseScenario } from '../../src/scenario/load.js';
import { Experiment } from '../../src/sim/experiment.js';
import { CPU_1MS, newSched as directSched } from '../support/direct-sched.js';
import { runCheckingInvariants } from '../support/invariant-run.js';
import { problems } from '../support/problems.js';

/**
 * procresize (Go 1.19 proc.go procresize, (*p).destroy, startTheWorldWithSema; debug.go GOMAXPROCS) as a
 * rule table on a directly built Sched that may have up to `cap` Ps.
 */
function newSched(nP: number, cap: number) {
  return directSched(nP, CPU_1MS, { maxProcs: cap, costs: { preemptSignalNs: 5000, procresizeNs: 30_000 } });
}

/** A runnable G made on P `pp`'s free list side (not queued). */
const runnable = (s: Sched) => newG(s, 0, -1, -1, -1);
const globalQueue = (s: Sched) => Array.from({ length: s.rq.runqsize }, (_, i) => s.rq.globalAt(i));
const idleList = (s: Sched) => Array.from(s.pidle.subarray(0, s.npidle));

describe('procresize: a live GOMAXPROCS change (Go 1.19 proc.go)', () => {
  it(
    'p.destroy: the run queues of the Ps above n go to the head of the global queue, tail first, runnext ' + 'first',
    () => {
      const { s } = newSched(4, 4);
      const [a, b, c, d, x] = [runnable(s), runnable(s), runnable(s), runnable(s), runnable(s)];
      s.rq.runqput(2, a!, false);
      s.rq.runqput(2, b!, false);
      s.rq.runqput(2, c!, true); // runnext
      s.rq.runqput(3, d!, false);
      s.rq.globrunqput(x!);
      procresize(s, 2);
      // P2 is destroyed first (its runnext ends up before its runq), then P3 (ahead of P2's).
      expect(globalQueue(s)).to.deep.equal([d, c, a, b, x]);
      expect([s.pStatus[2], s.pStatus[3]]).to.deep.equal([Pdead, Pdead]);
      expect(s.rq.totalQueued()).to.equal(5);
      expect(s.nP).to.equal(2);
      expect(checkInvariants(s)).to.deep.equal([]);
    },
  );

  const idleCases: { name: string; from: number; to: number; work: number[]; idle: number[]; runnable: number[] }[] = [
    {
      name: 'shrink 4 → 2, no work: P1 and P0 idle, P0 on top (taken first)',
      from: 4,
      to: 2,
      work: [],
      idle: [1, 0],
      runnable: [],
    },
    {
      name: 'shrink 4 → 2 with work on P1 and P3: P1 returned with its work, P3 destroyed',
      from: 4,
      to: 2,
      work: [1, 3],
      idle: [0],
      runnable: [1],
    },
    {
      name: 'grow 2 → 4: P2 and P3 made (p.init) and idle',
      from: 2,
      to: 4,
      work: [0],
      idle: [3, 2, 1],
      runnable: [0],
    },
  ];
  for (const c of idleCases) {
    it(`idle list and the Ps with work: ${c.name}`, () => {
      const { s } = newSched(c.from, 4);
      for (const pp of c.work) s.rq.runqput(pp, runnable(s), false);
      expect(procresize(s, c.to)).to.deep.equal(c.runnable);
      expect(idleList(s)).to.deep.equal(c.idle);
      for (let pp = 0; pp < 4; pp++) expect(s.pStatus[pp], `P${pp}`).to.equal(pp < c.to ? Pidle : Pdead);
      expect(s.steal.coprimes).to.deep.equal(stealOrder(c.to));
    });
  }

  it('stealOrder.reset: the strides coprime with GOMAXPROCS', () => {
    expect(stealOrder(4)).to.deep.equal([1, 3]);
    expect(stealOrder(6)).to.deep.equal([1, 5]);
    expect(stealOrder(1)).to.deep.equal([1]);
  });

  it('moveTimers: timers of a destroyed P, pending and due, go to P0 with their deadlines', () => {
    const { s, sim } = newSched(4, 4);
    const [early, late] = [runnable(s), runnable(s)];
    for (const gp of [early!, late!]) s.g.status[gp] = Gwaiting;
    s.timers.addtimer(3, early!, 0);
    expect(s.timers.fireDue(sim.now)).to.equal(3); // due, not yet run
    s.timers.addtimer(3, late!, 5e6);
    procresize(s, 2);
    expect(s.dueCount[3]).to.equal(0);
    expect(s.dueCount[0]).to.equal(1);
    expect(s.timers.dueGs(0)[0]).to.equal(early);
    expect(s.timers.nextPending()).to.equal(5e6);
    sim.runUntil(6e6);
    expect(s.timers.fireDue(sim.now)).to.equal(-1); // fired by the timer event: on P0's list
    expect(s.procresize!.movedTimers).to.equal(2);
  });

  it('gfpurge: a destroyed P’s free Gs go to the global free list', () => {
    const { s } = newSched(2, 2);
    const gp = runnable(s);
    s.g.status[gp] = Gdead;
    s.gfree.gfput(1, gp);
    procresize(s, 1);
    expect(s.gfree.count[1]).to.equal(0);
    expect(s.gfree.gfgetGlobal()).to.equal(gp);
  });

  it(
    'the stop preempts a running G to the global tail with its work left; its M stops; P in a syscall is ' + 'taken',
    () => {
      const { s, sim } = newSched(3, 3);
      // P2 runs a G (started by an M, 1 ms of CPU), P1 is in a syscall.
      const gp = runnable(s);
      s.rq.globrunqput(gp);
      s.startm(-1, false);
      sim.runUntil(200_000); // the M started (1 µs) and is 199 µs into the 1 ms burst
      const pRun = s.g.m[gp]! >= 0 ? s.mP[s.g.m[gp]!]! : -1;
      expect(s.g.status[gp]).to.equal(Grunning);
      const m = s.g.m[gp]!;
      expect(s.pidlegetPrefer(1)).to.equal(1);
      s.pStatus[1] = Psyscall; // as entersyscall leaves it (its M and G are not needed here)
      s.nPsyscall = 1;
      const tick = s.syscalltick[1]!;
      GOMAXPROCS(s, 1);
      expect(pRun).to.equal(0); // P0 is taken first
      expect(s.g.status[gp]).to.equal(Grunnable);
      expect(s.g.workLeft[gp]).to.be.closeTo(1e6 - 199_000, 1);
      expect(s.pCurG[0]).to.equal(-1);
      expect(s.mCurG[m]).to.equal(-1);
      expect(s.nPsyscall).to.equal(0);
      expect(s.syscalltick[1]).to.equal(tick + 1);
      expect(s.procresize!.preempted).to.equal(1);
    },
  );

  it(
    'STW: every P stops for preemptSignal + procresize when a G runs; GOMAXPROCS(n) with n = GOMAXPROCS does ' +
      'nothing',
    () => {
      const { s, sim } = newSched(2, 4);
      const gp = runnable(s);
      s.rq.globrunqput(gp);
      s.startm(-1, false);
      sim.runUntil(100_000);
      expect(GOMAXPROCS(s, 2)).to.equal(2);
      expect(s.procresize?.resizes ?? 0).to.equal(0);
      expect(GOMAXPROCS(s, 4)).to.equal(2);
      expect(s.procresize!.stwNs).to.equal(35_000);
      // The preempted G waits in the global queue; a woken M takes it, but no CPU moves until the world starts.
      const busy0 = s.busyIntegralNs();
      sim.runUntil(100_000 + 34_000);
      expect(s.busyIntegralNs()).to.equal(busy0);
      sim.runUntil(100_000 + 40_000);
      expect(s.busyIntegralNs()).to.be.greaterThan(busy0);
      expect(s.nP).to.equal(4);
      expect(checkInvariants(s)).to.deep.equal([]);
    },
  );

  it('stopTheWorldGC: during a GC cycle the change waits for the cycle to end', () => {
    const { s, sim } = newSched(4, 4);
    const gc = { phase: GC_MARK };
    Object.defineProperty(s, 'gc', { value: gc });
    expect(GOMAXPROCS(s, 2)).to.equal(4);
    expect(s.nP).to.equal(4);
    expect(s.procresize!.newprocs).to.equal(2);
    procresizeAfterGC(s); // a startTheWorld inside the cycle (after sweep termination): still waiting
    sim.runUntil(sim.now + 1e6);
    expect(s.nP).to.equal(4);
    gc.phase = GC_OFF;
    procresizeAfterGC(s); // mark termination's startTheWorld: gcsema released
    sim.runUntil(sim.now + 1e6);
    expect(s.nP).to.equal(2);
    expect(s.procresize!.resizes).to.equal(1);
  });

  it('an M waking for a destroyed P gets an idle one, or none and stops when it runs', () => {
    const { s, sim } = newSched(4, 4);
    s.startm(3, false); // an M waking for P3 (it runs in 1 µs)
    const m = s.pM[3]!;
    procresize(s, 2);
    expect(s.mNextP[m]).to.be.within(0, 1);
    expect(s.pStatus[s.mNextP[m]!]).to.equal(Prunning);
    sim.runUntil(sim.now + 1e6);
    expect(checkInvariants(s)).to.deep.equal([]);
    const two = newSched(2, 2);
    two.s.startm(1, false);
    two.s.startm(0, false);
    const m1 = two.s.pM[1]!;
    procresize(two.s, 1);
    expect(two.s.mNextP[m1]).to.equal(-1);
    two.sim.runUntil(two.sim.now + 1e6);
    expect(two.s.mStatus[m1]).to.equal(Mparked);
    expect(checkInvariants(two.s)).to.deep.equal([]);
  });
});

describe('live GOMAXPROCS changes under random load (fast-check)', () => {
  it('no G lost, invariants hold, every G finishes, across changes up and down', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ atMs: fc.integer({ min: 1, max: 190 }), n: fc.integer({ min: 1, max: 4 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: 200, max: 3000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom(undefined, 0.5, 2),
        (gomaxprocs, changes, ratePerS, seed, cpuLimitCores) => {
          const s = parseScenario(
            JSON.stringify({
              durationS: 0.2,
              workload: {
                arrival: { process: 'poisson', ratePerS },
                request: {
                  steps: [
                    { cpu: { dist: 'exponential', meanMs: 0.5 } },
                    { spawn: { count: 2, wait: true, steps: [{ cpu: { dist: 'exponential', meanMs: 0.2 } }] } },
                    { sleep: { dist: 'uniform', minMs: 0, maxMs: 2 } },
                    { syscall: { dist: 'constant', valueMs: 0.3 } },
                    { alloc: { dist: 'constant', valueKB: 256 } },
                    { netpoll: { dist: 'exponential', meanMs: 1 } },
                  ],
                },
              },
              runtime: { gomaxprocs, hostCpus: 4, cpuLimitCores },
              timeline: changes.map((c) => ({
                type: 'runtime',
                atS: c.atMs / 1000,
                gomaxprocs: c.n,
                gomaxprocsApplies: 'running-containers',
              })),
            }),
            'prop.json',
          );
          const { sched, problems } = runCheckingInvariants(new Experiment(s, seed));
          expect(problems.slice(0, 5)).to.deep.equal([]);
          expect(sched.liveGs(), 'live Gs after draining').to.equal(0);
          const last = [...changes].sort((a, b) => a.atMs - b.atMs).at(-1)!;
          expect(sched.nP).to.equal(last.n);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('bad input: a live GOMAXPROCS change', () => {
  const at = (event: string) => `durationS: 10\ntimeline:\n  - ${event}\n`;
  it('gomaxprocsApplies is new-containers or running-containers, at its line', () => {
    expect(problems(at('{type: runtime, atS: 1, gomaxprocs: 2, gomaxprocsApplies: now}')).join('\n')).to.match(
      /:3:.*timeline\[0\]\.gomaxprocsApplies.*new-containers.*running-containers/,
    );
  });
  it('running-containers needs a gomaxprocs', () => {
    expect(problems(at('{type: runtime, atS: 1, gomaxprocsApplies: running-containers}')).join('\n')).to.match(
      /timeline\[0\]\.gomaxprocs.*expected a gomaxprocs for gomaxprocsApplies running-containers, found none/,
    );
  });
});
