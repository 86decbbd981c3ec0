import { expect } from 'chai';
import { quantileSorted } from 'd3-array';
import fc from 'fast-check';
import { SampleLog } from '../../src/metrics/sample-log.js';

/** R-7 over every value, as d3-array computes it. */
function exactQuantiles(xs: readonly number[], ps: readonly number[]): number[] {
  const sorted = [...xs].sort((a, b) => a - b);
  return ps.map((p) => quantileSorted(sorted, p)!);
}

const PS = [0, 0.5, 0.9, 0.99, 0.999, 1];

describe('metrics/SampleLog', () => {
  it('below exactMax: the exact R-7 quantiles, mean and max', () => {
    const log = new SampleLog(1000);
    const xs = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) / 10);
    for (const x of xs) log.push(x);
    expect(log.exact).to.equal(true);
    expect(log.quantiles(PS)).to.deep.equal(exactQuantiles(xs, PS));
    expect(log.max()).to.equal(99.9);
  });

  it('past exactMax: folds into the histogram, quantiles within 0.05 % of R-7 (min, max, count, mean exact)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 1e5, noNaN: true })), {
          minLength: 50,
          maxLength: 400,
        }),
        (xs) => {
          const log = new SampleLog(16);
          for (const x of xs) log.push(x);
          expect(log.exact).to.equal(false);
          expect(log.count).to.equal(xs.length);
          const want = exactQuantiles(xs, PS);
          const got = log.quantiles(PS);
          expect(got[0]).to.equal(want[0]);
          expect(got[PS.length - 1]).to.equal(want[PS.length - 1]);
          // Each rank's value is within half a bucket (2^-11 relative) of the true one; R-7 interpolates two.
          for (const [i, w] of want.entries()) expect(Math.abs(got[i]! - w)).to.be.at.most(w * 2 ** -11 + 1e-12);
          expect(log.mean()).to.be.closeTo(xs.reduce((a, b) => a + b, 0) / xs.length, 1e-9 * (1 + log.max()));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('memory stays bounded past exactMax however many values (the exact store is dropped)', () => {
    const log = new SampleLog(1024);
    for (let i = 0; i < 200_000; i++) log.push((i % 977) + 0.5);
    expect(log.exact).to.equal(false);
    // Private fields read for the check: no Float64Array of the values survives.
    const held = log as unknown as { data?: Float64Array; counts?: Float64Array };
    expect(held.data).to.equal(undefined);
    expect(held.counts!.length).to.be.below(100_000);
    log.clear();
    expect(log.exact).to.equal(true);
    expect(log.quantiles([0.5])[0]).to.be.NaN;
  });
});
