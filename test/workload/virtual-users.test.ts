import { expect } from 'chai';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';
import { ArrivalRateSchedule, vuChangePoints } from '../../src/workload/virtual-users.js';

const S = 1e9;

describe('k6 executors: the ramps (ramping_vus.go getRawExecutionSteps, ramping_arrival_rate.go)', () => {
  const cases: {
    name: string;
    start: number;
    stages: { durationS: number; target: number }[];
    t: number[];
    vus: number[];
  }[] = [
    {
      name: 'hold: no change until the end, then 0',
      start: 2,
      stages: [{ durationS: 10, target: 2 }],
      t: [0, 10 * S],
      vus: [2, 0],
    },
    {
      name: 'ramp up 0 → 4 in 4 s: one user per second',
      start: 0,
      stages: [{ durationS: 4, target: 4 }],
      t: [0, 1, 2, 3, 4, 4].map((x) => x * S),
      vus: [0, 1, 2, 3, 4, 0],
    },
    {
      name: 'ramp down 3 → 0 in 3 s',
      start: 3,
      stages: [{ durationS: 3, target: 0 }],
      t: [0, 1, 2, 3, 3].map((x) => x * S),
      vus: [3, 2, 1, 0, 0],
    },
    {
      name: 'up, hold, down',
      start: 0,
      stages: [
        { durationS: 2, target: 2 },
        { durationS: 5, target: 2 },
        { durationS: 2, target: 0 },
      ],
      t: [0, 1, 2, 8, 9, 9].map((x) => x * S),
      vus: [0, 1, 2, 1, 0, 0],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = vuChangePoints(c.start, c.stages);
      expect(p.tNs).to.deep.equal(c.t);
      expect(p.vus).to.deep.equal(c.vus);
    });
  }

  it('ramping-arrival-rate starts ∫rate iterations, evenly spaced at a constant rate, none after the stages', () => {
    const spec = {
      process: 'ramping-arrival-rate' as const,
      startRatePerS: 10,
      preAllocatedVUs: 1,
      stages: [
        { durationS: 2, targetPerS: 10 },
        { durationS: 2, targetPerS: 30 },
      ],
    };
    const sched = new ArrivalRateSchedule(spec);
    const t: number[] = [];
    for (let x = sched.nextNs(); x !== Infinity; x = sched.nextNs()) t.push(x);
    // 10/s for 2 s, then a ramp 10 → 30/s over 2 s: 20 + 40 = 60 iterations.
    expect(t.length).to.equal(60);
    expect(t.slice(0, 3)).to.deep.equal([0, 0.1 * S, 0.2 * S]);
    // On the upward ramp the gaps shrink.
    expect(t[59]! - t[58]!).to.be.lessThan(t[21]! - t[20]!);
    expect(t[59]!).to.be.lessThan(4 * S);
  });
});

function run(arrival: object, extra: object = {}, seed = 3) {
  const sc = {
    durationS: 60,
    warmupS: 10,
    workload: { arrival, request: { steps: [{ cpu: { dist: 'exponential', meanMs: 5 } }] } },
    runtime: { gomaxprocs: 2, hostCpus: 2 },
    ...extra,
  };
  return runScenario(parseScenario(JSON.stringify(sc), 'vus.json'), seed).summary;
}

describe('closed-loop users (k6 constant-vus, ramping-vus; hey -c N)', () => {
  it("Little's law: throughput = N / (R + Z) — latency rises with N while throughput saturates at capacity", () => {
    const few = run({ process: 'constant-vus', vus: 2, thinkTime: { dist: 'exponential', meanMs: 100 } });
    const many = run({ process: 'constant-vus', vus: 200, thinkTime: { dist: 'exponential', meanMs: 100 } });
    for (const [n, s] of [
      [2, few],
      [200, many],
    ] as const) {
      const predicted = n / ((s.latencyMs.mean + 100) / 1000);
      expect(s.throughputPerS).to.be.closeTo(predicted, predicted * 0.03);
    }
    // Two Ps × 5 ms requests serve at most 400/s: 200 users saturate it, and wait for it.
    expect(many.throughputPerS).to.be.within(360, 400);
    expect(many.latencyMs.mean).to.be.greaterThan(10 * few.latencyMs.mean);
    expect(few.loadGenerator).to.deep.equal({
      executor: 'constant-vus',
      maxVUs: 2,
      iterations: few.requests.arrived,
      droppedIterations: 0,
      timeoutMs: 60_000,
    });
  });

  it('never more requests in flight than users; a timed-out request frees its user (the client timeout)', () => {
    const s = run(
      { process: 'constant-vus', vus: 300 },
      {
        workload: {
          arrival: { process: 'constant-vus', vus: 300 },
          request: { steps: [{ cpu: { dist: 'exponential', meanMs: 5 } }] },
          client: { timeoutMs: 200 },
        },
      },
    );
    expect(s.requests.timeouts).to.be.greaterThan(0);
    expect(s.requests.failed).to.equal(s.requests.timeouts);
    // Logical requests still open at the end: at most one per user (the server may hold many abandoned ones).
    expect(s.requests.arrived - s.requests.completed - s.requests.failed).to.be.within(0, 300);
    expect(s.requests.inFlightAtEnd).to.be.greaterThan(300);
  });

  it('think times are keyed by (user, iteration): the same seed gives the same run', () => {
    const a = run({
      process: 'ramping-vus',
      startVUs: 0,
      stages: [
        { durationS: 20, target: 30 },
        { durationS: 40, target: 30 },
      ],
      thinkTime: { dist: 'exponential', meanMs: 50 },
    });
    const b = run({
      process: 'ramping-vus',
      startVUs: 0,
      stages: [
        { durationS: 20, target: 30 },
        { durationS: 40, target: 30 },
      ],
      thinkTime: { dist: 'exponential', meanMs: 50 },
    });
    expect(a).to.deep.equal(b);
    expect(a.loadGenerator!.maxVUs).to.equal(30);
  });

  it('timeseries: vus follows the ramp, vus_busy never exceeds it', () => {
    const sc = {
      durationS: 40,
      workload: {
        arrival: {
          process: 'ramping-vus',
          startVUs: 0,
          stages: [
            { durationS: 10, target: 20 },
            { durationS: 20, target: 20 },
            { durationS: 5, target: 0 },
          ],
        },
        request: { steps: [{ cpu: { dist: 'exponential', meanMs: 5 } }] },
      },
      runtime: { gomaxprocs: 2, hostCpus: 2 },
    };
    const r = runScenario(parseScenario(JSON.stringify(sc), 'ramp.json'), 1);
    const c = (n: string) => r.series.rows.map((row) => row[r.series.columns.indexOf(n)]!);
    const vus = c('vus');
    const busy = c('vus_busy');
    expect([vus[4], vus[9], vus[19], vus[39]]).to.deep.equal([10, 20, 20, 0]); // t = 5, 10, 20, 40 s
    for (const [i, b] of busy.entries()) expect(b).to.be.at.most(Math.max(vus[i]!, vus[i - 1] ?? 0));
  });

  it('ramping-arrival-rate drops iterations when every VU is busy (k6 dropped_iterations)', () => {
    const arrival = {
      process: 'ramping-arrival-rate',
      startRatePerS: 100,
      stages: [{ durationS: 60, targetPerS: 800 }],
      preAllocatedVUs: 10,
    };
    const capped = run({ ...arrival, maxVUs: 20 });
    const roomy = run({ ...arrival, maxVUs: 10_000 });
    const started = (s: typeof capped) => s.loadGenerator!.iterations + s.loadGenerator!.droppedIterations;
    expect(started(capped)).to.equal(27_000);
    expect(started(roomy)).to.equal(27_000);
    expect(capped.loadGenerator!.droppedIterations).to.be.greaterThan(1000);
    expect(roomy.loadGenerator!.droppedIterations).to.equal(0);
    // Twenty VUs bound the queue: latency stays bounded while the uncapped run queues without limit.
    expect(capped.latencyMs.p99).to.be.lessThan(roomy.latencyMs.p99);
  });
});
