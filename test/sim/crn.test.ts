import { expect } from 'chai';
import { deviation, mean } from 'd3-array';
import { RandomStreams } from '../../src/engine/random.js';
import { Programs } from '../../src/runtime/gmp/program.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';
import { t975 } from '../../src/sweep/aggregate.js';

/** Common random numbers: variants on one replication see the same arrivals and the same request work. */
describe('common random numbers', () => {
  it('a request draws the same work whichever pod runs it (keyed by request, step and pc)', () => {
    const steps = parseScenario(
      'workload: {arrival: {process: poisson, ratePerS: 10}, request: {steps: [{cpu: {dist: lognormal, meanMs: ' +
        '1, cv: 2}}, {spawn: {count: 3, wait: true, steps: [{cpu: {dist: exponential, meanMs: 0.1}}]}}, {alloc: ' +
        '{dist: exponential, meanKB: 8}}]}}\n',
      'crn.yaml',
    ).workload.request.steps;
    const run = new RandomStreams(11);
    const pod0 = new Programs(steps, run);
    const pod5 = new Programs(steps, run.forEntity('pod-5'));
    for (let i = 0; i < pod0.samplers.length; i++) pod5.draw(i, 999, 0); // pod 5 served other requests first
    const draws = (p: Programs) => p.samplers.flatMap((_, i) => [p.draw(i, 42, 0), p.draw(i, 42, 3), p.draw(i, 43, 0)]);
    const a = draws(pod0);
    expect(draws(pod5)).to.deep.equal(a);
    expect(new Set(a).size).to.be.greaterThan(a.length - 2); // distinct keys, distinct draws
    expect(draws(new Programs(steps, new RandomStreams(12)))).to.not.deep.equal(a);
  });

  it("the paired difference's 95% interval is narrower than the unpaired one on the same runs", () => {
    // Two settings (GOMAXPROCS 3 against 4) on replications 1..6: with common random numbers each pair
    // sees the same arrivals and work, so most of the run-to-run noise cancels in the difference.
    const base = (procs: number) =>
      parseScenario(
        `durationS: 8\nwarmupS: 1\nworkload: {arrival: {process: poisson, ratePerS: 1400}, request: {steps: ` +
          `[{cpu: {dist: lognormal, meanMs: 1, cv: 2}}]}}\nruntime: {gomaxprocs: ${procs}}\n`,
        'crn.yaml',
      );
    const a = base(3),
      b = base(4);
    const seeds = [1, 2, 3, 4, 5, 6];
    const xa = seeds.map((s) => runScenario(a, s).summary.latencyMs.mean);
    const xb = seeds.map((s) => runScenario(b, s).summary.latencyMs.mean);
    const n = seeds.length;
    const diffs = xa.map((x, i) => x - xb[i]!);
    const paired = (t975(n - 1) * deviation(diffs)!) / Math.sqrt(n);
    // Welch's unpaired interval on the same runs.
    const va = deviation(xa)! ** 2 / n,
      vb = deviation(xb)! ** 2 / n;
    const df = (va + vb) ** 2 / (va ** 2 / (n - 1) + vb ** 2 / (n - 1));
    const unpaired = t975(Math.floor(df)) * Math.sqrt(va + vb);
    expect(mean(diffs)!).to.be.greaterThan(0);
    expect(paired).to.be.lessThan(unpaired / 2);
  });
});
