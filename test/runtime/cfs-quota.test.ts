import { expect } from 'chai';
import { Simulation } from '../../src/engine/simulation.js';
import { CfsQuota } from '../../src/runtime/gmp/cfs-quota.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

const MS = 1e6;

describe('CFS quota (cpu.cfs_quota_us / cfs_period_us)', () => {
  it('four busy threads spend a 1-core quota in 25 ms and stall 75 ms of every 100 ms period', () => {
    const sim = new Simulation();
    const log: string[] = [];
    let q: CfsQuota;
    q = new CfsQuota(sim, 100 * MS, 100 * MS, {
      throttle: () => {
        log.push(`throttle@${sim.now / MS}`);
        q.setOnCpu(0);
      },
      unthrottle: () => {
        log.push(`unthrottle@${sim.now / MS}`);
        q.setOnCpu(4);
      },
    });
    q.setOnCpu(4);
    sim.runUntil(1000 * MS);
    expect(log.slice(0, 4)).to.deep.equal(['throttle@25', 'unthrottle@100', 'throttle@125', 'unthrottle@200']);
    expect(q.periods).to.equal(10);
    expect(q.throttledPeriods).to.equal(10);
    expect(q.throttledNs()).to.equal(10 * 75 * MS);
  });

  it('threads that can at most use the quota (GOMAXPROCS = limit) are never throttled', () => {
    const sim = new Simulation();
    const q = new CfsQuota(sim, 200 * MS, 100 * MS, {
      throttle: () => expect.fail('throttled'),
      unthrottle: () => undefined,
    });
    // Two threads on and off the CPU at odd instants, never more than two.
    const k = sim.registerKind('flip', (n) => {
      q.setOnCpu(n);
      sim.schedule(n === 2 ? 7_777_777.3 : 1_234.5, k, n === 2 ? 1 : 2);
    });
    sim.scheduleAt(0, k, 2);
    sim.runUntil(2000 * MS);
    expect(q.throttledPeriods).to.equal(0);
  });
});

describe('GOMAXPROCS above the CPU limit (the CFS throttling trap)', () => {
  // A CPU-bound service: 10 ms requests at 140/s = 1.4 cores offered, container limit 2 cores, 8-CPU host.
  const run = (runtime: object) =>
    runScenario(
      parseScenario(
        JSON.stringify({
          durationS: 60,
          warmupS: 5,
          workload: {
            arrival: { process: 'poisson', ratePerS: 140 },
            request: { steps: [{ cpu: { dist: 'exponential', meanMs: 10 } }] },
          },
          runtime: { hostCpus: 8, cpuLimitCores: 2, ...runtime },
        }),
        'cfs.json',
      ),
      7,
    ).summary;

  it(
    'Go 1.19 (GOMAXPROCS = 8 host CPUs) is throttled in busy periods; GOMAXPROCS = 2 at the same load never ' + 'is',
    () => {
      const go119 = run({ goVersion: '1.19' });
      const two = run({ goVersion: '1.19', gomaxprocs: 2 });
      expect(go119.gomaxprocs).to.equal(8);
      const t = go119.gmp!.cpuThrottling!;
      expect(t.throttledPeriods).to.be.greaterThan(50);
      expect(t.throttledMs / t.throttledPeriods).to.be.within(1, 100);
      expect(two.gmp!.cpuThrottling!.throttledPeriods).to.equal(0);
      // Same work either way: throttling delays CPU, it does not remove it.
      expect(go119.utilization * 8).to.be.closeTo(two.utilization * 2, 0.05);
    },
  );

  it('Go 1.25 takes GOMAXPROCS from the quota (2) and is never throttled', () => {
    const go125 = run({ goVersion: '1.25' });
    expect(go125.gomaxprocs).to.equal(2);
    expect(go125.gmp!.cpuThrottling!.throttledPeriods).to.equal(0);
    expect(go125.gmp!.cpuThrottling!.periods).to.equal(600);
  });

  it('CPU use never exceeds the quota: utilization × GOMAXPROCS ≤ the limit', () => {
    const r = run({ goVersion: '1.19', cpuLimitCores: 1 });
    expect(r.utilization * r.gomaxprocs).to.be.at.most(1.0001);
  });

  it(
    'with GC: a 1-core limit and GOMAXPROCS 4 throttles, and p99 exceeds GOMAXPROCS 1 (idle mark workers on ' +
      'every P spend the quota)',
    () => {
      const gcRun = (gomaxprocs: number) =>
        runScenario(
          parseScenario(
            JSON.stringify({
              durationS: 30,
              warmupS: 5,
              workload: {
                arrival: { process: 'poisson', ratePerS: 600 },
                request: {
                  steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }, { alloc: { dist: 'constant', valueKB: 256 } }],
                },
              },
              runtime: { hostCpus: 8, cpuLimitCores: 1, gomaxprocs, gc: { baseLiveHeapMB: 100 } },
            }),
            'cfs-gc.json',
          ),
          3,
        ).summary;
      const four = gcRun(4);
      const one = gcRun(1);
      expect(four.gmp!.cpuThrottling!.throttledPeriods).to.be.greaterThan(30);
      expect(one.gmp!.cpuThrottling!.throttledPeriods).to.equal(0);
      expect(four.latencyMs.p99).to.be.greaterThan(1.2 * one.latencyMs.p99);
    },
  );
});
