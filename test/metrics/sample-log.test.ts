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

  it('a time series interval (256 values or more, one or two quantiles: the counting path) as sorting', () => {
    // Latency-like values (spread over decades, ties, zeros) and signed ones; p50/p99 and any pair.
    const spread = fc.oneof(
      fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
      fc.constantFrom(0, 1, 2.5),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e3, max: 1e3 }).map((v) => (v === 0 ? 0 : v)),
    );
    fc.assert(
      fc.property(
        fc.array(spread, { minLength: 256, maxLength: 5000 }),
        fc.oneof(fc.constant<number[]>([0.5, 0.99]), fc.array(quantile, { minLength: 1, maxLength: 2 })),
        (values, ps) => {
          expect(logOf(values).quantiles(ps)).to.deep.equal(bySorting(values, ps));
        },
      ),
      { numRuns: 200 },
    );
    // −0 beside +0 (the log's min either, as it came first) and tiny values: counted with +0 (the same
    // numbers, up to the sign of zero).
    const zeros = Array.from({ length: 600 }, (_, i) => [0, -0, 5e-324, 1, 2.5][i % 5]!);
    const negatives = Array.from({ length: 600 }, (_, i) => [-0, 0, -5e-324, -1, 3][i % 5]!);
    for (const order of [zeros, [...zeros].reverse(), negatives, [...negatives].reverse()]) {
      const got = logOf(order)
        .quantiles([0.2, 0.5])
        .map((v) => v + 0);
      expect(got).to.deep.equal(bySorting(order, [0.2, 0.5]).map((v) => v + 0));
    }
    // One value repeated; two clusters far apart (every value in two buckets); the largest size counted.
    expect(logOf(Array(300).fill(3.25)).quantiles([0.5, 0.99])).to.deep.equal([3.25, 3.25]);
    const two = Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? 1e-6 * (1 + i / 1e4) : 1e6 * (1 + i / 1e4)));
    expect(logOf(two).quantiles([0.5, 0.99])).to.deep.equal(bySorting(two, [0.5, 0.99]));
    const big = Array.from({ length: 1 << 16 }, (_, i) => ((i * 7919) % 65_537) / 13);
    expect(logOf(big).quantiles([0.5, 0.99])).to.deep.equal(bySorting(big, [0.5, 0.99]));
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

  it('reserve allocates nothing until the first store is full, then grows straight to the plan', () => {
    const log = new SampleLog(1 << 20);
    const store = () => (log as unknown as { data: Float64Array }).data.length;
    log.reserve(300_000);
    expect(store(), 'a reserved log whose values never come (parked requests)').to.equal(1024);
    for (let i = 0; i <= 1024; i++) log.push(i);
    expect(store(), 'the first growth').to.equal(300_000);
  });

  it('reserve: the same values, quantiles and folding as doubling; the store within exactMax', () => {
    // Reserved before any value, after some, below and above the values to come, and past exactMax.
    const cases: { name: string; exactMax: number; pushFirst: number; reserve: number; total: number }[] = [
      {
        name: 'ahead of every value, more room than needed',
        exactMax: 10_000,
        pushFirst: 0,
        reserve: 5_000,
        total: 3_000,
      },
      {
        name: 'after some values, too little room (doubles past it)',
        exactMax: 10_000,
        pushFirst: 700,
        reserve: 2_000,
        total: 6_000,
      },
      {
        name: 'more than exactMax (capped; folds as before)',
        exactMax: 4_096,
        pushFirst: 10,
        reserve: 1e9,
        total: 9_000,
      },
      {
        name: 'less than it holds already (nothing happens)',
        exactMax: 10_000,
        pushFirst: 3_000,
        reserve: 100,
        total: 4_000,
      },
    ];
    for (const c of cases) {
      const grown = new SampleLog(c.exactMax);
      const reserved = new SampleLog(c.exactMax);
      const xs = Array.from({ length: c.total }, (_, i) => ((i * 7919) % 4999) / 7 + (i % 3));
      xs.forEach((x, i) => {
        if (i === c.pushFirst) reserved.reserve(c.reserve);
        grown.push(x);
        reserved.push(x);
      });
      const store = (reserved as unknown as { data?: Float64Array }).data;
      if (store) expect(store.length, c.name).to.be.at.most(c.exactMax);
      expect(reserved.exact, c.name).to.equal(grown.exact);
      expect(reserved.count, c.name).to.equal(c.total);
      expect(reserved.mean(), c.name).to.equal(grown.mean());
      expect(reserved.quantiles(PS), c.name).to.deep.equal(grown.quantiles(PS));
    }
  });
});
