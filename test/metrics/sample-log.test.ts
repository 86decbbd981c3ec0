import { expect } from 'chai';
import { quantileSorted } from 'd3-array';
import fc from 'fast-check';
import { SampleLog } from '../../src/metrics/sample-log.js';

/** What SampleLog.quantiles did before issue 24: sort everything, then d3's R-7 over the sorted values. */
function bySorting(values: number[], ps: number[]): number[] {
  if (values.length === 0) return ps.map(() => NaN);
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => quantileSorted(sorted as unknown as number[], p)!);
}

function logOf(values: number[]): SampleLog {
  const log = new SampleLog();
  for (const v of values) log.push(v);
  return log;
}

// Latencies: finite, often tied (whole ms, a constant service time), sometimes sorted already.
const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((v) => (v === 0 ? 0 : v)),
  fc.integer({ min: 0, max: 5 }),
);
const quantile = fc.oneof(
  fc.constantFrom(0, 0.5, 0.9, 0.95, 0.99, 0.999, 1),
  fc.double({ min: 0, max: 1, noNaN: true }),
);

describe('SampleLog.quantiles: selection gives the numbers sorting gave', () => {
  it('equals sort + d3 quantileSorted for any values and quantiles (ties, sorted, reversed, one value)', () => {
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 3000 }),
        fc.array(quantile, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('as-is', 'sorted', 'reversed'),
        (values, ps, shape) => {
          const vs = shape === 'as-is' ? values : [...values].sort((a, b) => a - b);
          if (shape === 'reversed') vs.reverse();
          expect(logOf(vs).quantiles(ps)).to.deep.equal(bySorting(vs, ps));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('the summary quantiles of a large log, asked twice (the second call sees the reordered log)', () => {
    const vs = Array.from({ length: 200_001 }, (_, i) => ((i * 7919) % 100_003) / 7 + (i % 3 === 0 ? 5 : 0));
    const ps = [0, 0.5, 0.9, 0.95, 0.99, 0.999];
    const log = logOf(vs);
    expect(log.quantiles(ps)).to.deep.equal(bySorting(vs, ps));
    expect(log.quantiles([0.99, 0.5])).to.deep.equal(bySorting(vs, [0.99, 0.5]));
    expect(log.count).to.equal(vs.length);
    expect(new SampleLog().quantiles([0.5])).to.deep.equal([NaN]);
  });
});
