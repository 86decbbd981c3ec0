import { expect } from 'chai';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';
import { quantile } from '../../src/sim/steady-state.js';

/** Ten 1-P pods, 300 req/s of 1 ms CPU + 5 ms network, callers with a 200 ms timeout; `extra` merged on top. */
function run(extra: Record<string, unknown>, seed = 2) {
  const base = {
    durationS: 40,
    workload: {
      arrival: { process: 'poisson', ratePerS: 300 },
      request: {
        steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }, { netpoll: { dist: 'exponential', meanMs: 5 } }],
      },
      client: { timeoutMs: 200, retries: 2, backoffMs: 10 },
    },
    runtime: { gomaxprocs: 1, hostCpus: 1 },
    cluster: { replicas: 10 },
  };
  return runScenario(parseScenario(JSON.stringify({ ...base, ...extra }), 'chaos.json'), seed);
}

const col = (r: ReturnType<typeof run>, name: string) =>
  r.series.rows.map((row) => row[r.series.columns.indexOf(name)]!);

describe('targeted chaos: which pods a fault hits (src/sim/faults.ts)', () => {
  const cases: { name: string; target: object; pods: (p: number[]) => boolean }[] = [
    { name: 'pod: the one index', target: { kind: 'pod', index: 7 }, pods: (p) => p.length === 1 && p[0] === 7 },
    {
      name: 'fraction 0.3 of 10 live pods: 3 of them',
      target: { kind: 'fraction', fraction: 0.3 },
      pods: (p) => p.length === 3,
    },
    {
      name: 'fraction 0.01: at least one pod',
      target: { kind: 'fraction', fraction: 0.01 },
      pods: (p) => p.length === 1,
    },
    { name: 'all-pods: every live pod', target: { kind: 'all-pods' }, pods: (p) => p.length === 10 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = run({ faults: [{ type: 'network-latency', atS: 10, durationS: 10, latencyMs: 20, target: c.target }] });
      expect(c.pods(r.summary.chaos!.faults[0]!.pods), JSON.stringify(r.summary.chaos!.faults[0]!.pods)).to.equal(true);
    });
  }

  it('a fraction target picks the same pods for the same seed, and a keyed draw picks others for another fault', () => {
    const f = (atS: number) => ({
      type: 'network-latency',
      atS,
      durationS: 5,
      latencyMs: 20,
      target: { kind: 'fraction', fraction: 0.3 },
    });
    const a = run({ faults: [f(10), f(20)] }).summary.chaos!.faults;
    const b = run({ faults: [f(10), f(20)] }).summary.chaos!.faults;
    expect(a).to.deep.equal(b);
  });

  it('node: the pods on that node, and only them', () => {
    const r = run({
      cluster: { replicas: 4, nodes: { count: 2, allocatableCores: 2 } },
      faults: [
        { type: 'noisy-neighbour', atS: 10, durationS: 10, stolenCores: 0.5, target: { kind: 'node', index: 1 } },
      ],
      runtime: { gomaxprocs: 1, hostCpus: 1 },
    });
    expect(r.summary.chaos!.faults[0]!.pods).to.have.length(2);
  });

  it('faults_active is 1 while the fault lasts and 0 outside; the old untargeted faults keep their columns', () => {
    const r = run({
      faults: [{ type: 'network-latency', atS: 10, durationS: 10, latencyMs: 20, target: { kind: 'pod', index: 0 } }],
    });
    const active = col(r, 'faults_active');
    const t = col(r, 't_s');
    expect(t.filter((_, i) => active[i] === 1)).to.deep.equal([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const old = run({ faults: [{ type: 'network-latency', atS: 10, durationS: 10, latencyMs: 20 }] });
    expect(old.series.columns).not.to.include('faults_active');
    expect(old.summary.chaos).to.equal(undefined);
  });
});

describe('targeted chaos: the fault kinds', () => {
  it('latency on one pod slows only the requests it serves', () => {
    const slow = run({
      faults: [{ type: 'network-latency', atS: 0, durationS: 40, latencyMs: 100, target: { kind: 'pod', index: 3 } }],
    }).summary;
    const ok = run({}).summary;
    // 1 request in 10 takes ≥ 100 ms longer: p99 past 100 ms; p50 moves only as far as the 56th percentile.
    expect(slow.latencyMs.p99).to.be.greaterThan(100);
    expect(slow.latencyMs.p50).to.be.within(ok.latencyMs.p50, 1.25 * ok.latencyMs.p50);
  });

  it('latency jitter: each network wait adds latencyMs ± up to jitterMs, drawn per request and step', () => {
    const steps = { steps: [{ netpoll: { dist: 'constant', valueMs: 1 } }] };
    const fault = { type: 'network-latency', atS: 0, durationS: 40, latencyMs: 100, target: { kind: 'all-pods' } };
    const fixed = run({
      workload: { arrival: { process: 'poisson', ratePerS: 100 }, request: steps, client: {} },
      faults: [fault],
    }).summary;
    const jittered = run({
      workload: { arrival: { process: 'poisson', ratePerS: 100 }, request: steps, client: {} },
      faults: [{ ...fault, jitterMs: 50 }],
    }).summary;
    expect(fixed.latencyMs.max - fixed.latencyMs.min).to.be.lessThan(1);
    expect(jittered.latencyMs.min).to.be.within(51, 55);
    expect(jittered.latencyMs.max).to.be.within(147, 152);
    expect(jittered.latencyMs.mean).to.be.closeTo(fixed.latencyMs.mean, 3);
  });

  it('packet loss: lost responses time out and are retried (the pod did the work)', () => {
    const r = run({
      faults: [
        { type: 'packet-loss', atS: 10, durationS: 20, lossPercent: 20, target: { kind: 'fraction', fraction: 0.5 } },
      ],
    }).summary;
    expect(r.chaos!.lostResponses).to.be.greaterThan(200);
    expect(r.requests.timeouts).to.equal(r.chaos!.lostResponses);
    expect(r.requests.retries).to.be.greaterThan(200);
    // 10% of attempts lost, up to 3 attempts each: few fail for good.
    expect(r.requests.failed).to.be.lessThan(r.requests.retries / 10);
    expect(r.latencyMs.p99).to.be.greaterThan(200);
  });

  const gcSteps = {
    steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }, { alloc: { dist: 'constant', valueKB: 64 } }],
  };
  it('forced GC starts a cycle in the target pod at once', () => {
    // 50 KB/s allocated: the heap never reaches the 4 MB minimum goal in the run, so only forced cycles run.
    const tiny = { steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }, { alloc: { dist: 'constant', valueKB: 1 } }] };
    const base = {
      cluster: { replicas: 2 },
      workload: { arrival: { process: 'poisson', ratePerS: 50 }, request: tiny, client: {} },
    };
    const plain = run(base).summary;
    expect(plain.gmp!.gc!.cycles).to.be.at.most(1);
    const forced = run({
      ...base,
      faults: [5, 10, 15, 20, 25].map((atS) => ({ type: 'forced-gc', atS, target: { kind: 'pod', index: 0 } })),
    }).summary;
    expect(forced.gmp!.gc!.cycles).to.be.at.least(plain.gmp!.gc!.cycles + 5);
  });

  it('memory pressure past the container limit OOM-kills the target pod; without the fault nothing is killed', () => {
    const base = {
      cluster: { replicas: 2 },
      runtime: { gomaxprocs: 1, hostCpus: 1, memoryLimitMB: 200 },
      workload: { arrival: { process: 'poisson', ratePerS: 50 }, request: gcSteps, client: {} },
    };
    expect(run(base).summary.cluster.oomKills).to.equal(0);
    const r = run({
      ...base,
      faults: [{ type: 'memory-pressure', atS: 10, durationS: 20, heapMB: 300, target: { kind: 'pod', index: 1 } }],
    }).summary;
    expect(r.cluster.oomKills).to.be.at.least(1);
  });

  it('pod-kill with a fraction kills that many pods at once', () => {
    const r = run({ faults: [{ type: 'pod-kill', atS: 10, target: { kind: 'fraction', fraction: 0.5 } }] }).summary;
    expect(r.chaos!.faults[0]!.pods).to.have.length(5);
  });
});

describe('steady-state hypothesis (src/sim/steady-state.ts)', () => {
  it('histogram_quantile: linear within the bucket; the +Inf bucket answers its lower bound', () => {
    const le = [10, 20, 50, Infinity];
    expect(quantile(0.5, le, [50, 100, 100, 100])).to.equal(10);
    expect(quantile(0.75, le, [50, 100, 100, 100])).to.equal(15);
    expect(quantile(0.99, le, [0, 0, 90, 100])).to.equal(50);
    expect(quantile(0.5, le, [0, 0, 0, 0])).to.equal(null);
  });

  it('checked before, during and after each fault: an outage of all pods fails during, holds around', () => {
    const r = run({
      faults: [{ type: 'packet-loss', atS: 15, durationS: 10, lossPercent: 100, target: { kind: 'all-pods' } }],
      steadyState: { windowS: 10, errorPercent: 5 },
    }).summary;
    const ss = r.chaos!.steadyState!;
    expect(ss.checks.map((c) => [c.phase, c.fromS, c.toS, c.pass])).to.deep.equal([
      ['before', 5, 15, true],
      ['during', 15, 25, false],
      ['after', 25, 35, true],
    ]);
    expect(ss.pass).to.equal(false);
  });
});
