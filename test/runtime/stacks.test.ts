import { expect } from 'chai';
import type { GmpPod } from '../../src/runtime/gmp/pod.js';
import { parseScenario } from '../../src/scenario/load.js';
import { Experiment } from '../../src/sim/experiment.js';

const KiB = 1024;

function pod(steps: object[], durationS: number, ratePerS: number, extra: object = {}) {
  const s = parseScenario(
    JSON.stringify({
      durationS,
      workload: { arrival: { process: 'constant', ratePerS }, request: { steps } },
      runtime: { gomaxprocs: 2, ...extra },
    }),
    'stacks.json',
  );
  const exp = new Experiment(s, 1);
  return { exp, sched: (exp.pod as GmpPod).sched };
}

describe('goroutine stacks', () => {
  it('a 64 KiB call chain doubles a 2 KiB stack five times, copying 62 KiB, and the bytes count in memory', () => {
    // 10 requests go 64 KiB deep, then park in netpoll for a long time.
    const { exp, sched } = pod(
      [
        { deep: { stackKB: 64, cpu: { dist: 'constant', valueMs: 0.1 } } },
        { netpoll: { dist: 'constant', valueMs: 1e6 } },
      ],
      1,
      10,
    );
    const base = sched.mem.stackBytes();
    const rss0 = sched.mem.rssBytes();
    exp.advanceTo(1e9);
    expect(sched.mem.stackStats.growths).to.equal(10 * 5); // newstack per doubling: 2→4→8→16→32→64 KiB
    expect(sched.mem.stackStats.copiedBytes).to.equal(10 * 62 * KiB);
    const gs = sched.g.count; // every G made keeps at least 2 KiB
    expect(sched.mem.stackBytes()).to.equal(gs * 2 * KiB + 10 * 62 * KiB);
    expect(sched.mem.stackBytes()).to.be.greaterThan(base);
    expect(sched.mem.rssBytes() - rss0).to.equal(sched.mem.stackBytes() - base);
  });

  it('copying costs CPU time (stackCopyNsPerKB)', () => {
    const run = (ns: number) => {
      const { exp } = pod([{ deep: { stackKB: 1024, cpu: { dist: 'constant', valueMs: 0.01 } } }], 1, 100, {
        costs: { stackCopyNsPerKB: ns },
      });
      return exp.finish().summary.latencyMs.mean;
    };
    // 1 MiB: 2 + 4 + … + 512 KiB = 1022 KiB copied at 1 µs/KiB ≈ 1 ms more.
    expect(run(1000) - run(0)).to.be.closeTo((1022 * 1000) / 1e6, 0.01);
  });

  it(
    'GC halves stacks that use under a quarter of themselves (shrinkstack), not while deep; a dead G frees its ' +
      'stack',
    () => {
      // Deep once, then shallow and parked; other requests allocate so that GCs run.
      const { exp, sched } = pod(
        [
          { deep: { stackKB: 256, cpu: { dist: 'constant', valueMs: 0.05 } } },
          { alloc: { dist: 'constant', valueKB: 512 } },
          { netpoll: { dist: 'constant', valueMs: 3000 } },
        ],
        6,
        50,
      );
      exp.advanceTo(2.9e9);
      expect(sched.gc!.cycles).to.be.greaterThan(3);
      expect(sched.mem.stackStats.shrinks).to.be.greaterThan(0);
      // After many cycles the early Gs' stacks are back near 2 KiB; all deep stacks were 256 KiB.
      const extraPerG = (sched.mem.stackBytes() - sched.g.count * 2 * KiB) / sched.liveGs();
      expect(sched.mem.stackStats.shrinks).to.be.greaterThan(100);
      expect(extraPerG).to.be.below(0.75 * 254 * KiB);
      exp.finish();
      exp.sim.runUntil(exp.sim.now + 4e9); // every request finishes: freed stacks
      expect(sched.liveGs()).to.equal(0);
      expect(sched.mem.stackBytes()).to.equal(sched.g.count * 2 * KiB);
    },
  );
});
