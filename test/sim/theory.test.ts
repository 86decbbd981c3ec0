import { expect } from 'chai';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';
import { erlangC, mmcMeanResponse, mmcMeanWait } from '../../src/theory/mmc.js';

/** An ideal-FIFO scenario: Poisson λ, exponential CPU of mean 1/μ, c Ps. */
function mmc(ratePerS: number, meanMs: number, c: number, durationS: number, seed: number) {
  return parseScenario(
    JSON.stringify({
      durationS,
      warmupS: 10,
      seed,
      workload: {
        arrival: { process: 'poisson', ratePerS },
        request: { steps: [{ cpu: { dist: 'exponential', meanMs } }] },
      },
      runtime: { scheduler: 'ideal-fifo', gomaxprocs: c },
    }),
    'theory.json',
  );
}

describe('theory: Erlang C formulas', () => {
  it('match textbook values', () => {
    expect(erlangC(1, 0.8)).to.be.closeTo(0.8, 1e-12); // M/M/1: P(wait) = ρ
    expect(erlangC(4, 2.8)).to.be.closeTo(0.428654, 1e-6);
    expect(mmcMeanWait(800, 1000, 1)).to.be.closeTo(0.004, 1e-12); // ρ/(μ−λ)
    expect(mmcMeanResponse(800, 1000, 1)).to.be.closeTo(0.005, 1e-12); // 1/(μ−λ)
  });
});

describe('ideal-fifo pod against queueing theory', () => {
  // Long runs (3 seeds × ≈1 M requests): the estimate of a mean wait converges slowly near saturation.
  for (const { c, rho } of [
    { c: 1, rho: 0.7 },
    { c: 4, rho: 0.7 },
    { c: 8, rho: 0.8 },
  ]) {
    it(`M/M/${c} at ρ=${rho}: mean wait within 5% of Erlang C, utilisation within 1% (3 seeds)`, () => {
      const mu = 1000; // 1 ms mean CPU
      const lambda = rho * c * mu;
      const durationS = Math.round(1_000_000 / lambda);
      const runs = [11, 12, 13].map((seed) => runScenario(mmc(lambda, 1, c, durationS, seed)).summary);
      const mean = (f: (r: (typeof runs)[number]) => number) => runs.reduce((acc, r) => acc + f(r), 0) / runs.length;
      const wq = mmcMeanWait(lambda, mu, c) * 1000;
      expect(mean((r) => r.waitMs.mean)).to.be.within(wq * 0.95, wq * 1.05);
      expect(mean((r) => r.latencyMs.mean)).to.be.within((wq + 1) * 0.97, (wq + 1) * 1.03);
      expect(mean((r) => r.utilization)).to.be.within(rho * 0.99, rho * 1.01);
    });
  }

  it('conserves requests: every arrival completes or is still in flight', () => {
    const r = runScenario(mmc(3500, 1, 4, 20, 3)).summary;
    expect(r.requests.completed + r.requests.inFlightAtEnd).to.equal(r.requests.arrived);
  });
});
