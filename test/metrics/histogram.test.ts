import { expect } from 'chai';
import fc from 'fast-check';
import { Histogram } from '../../src/metrics/histogram.js';
import { parseScenario, ScenarioError } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

describe('latency histogram', () => {
  it('buckets are Prometheus le: a value equal to a bound lands in that bound', () => {
    const h = new Histogram([1, 5, 10]);
    for (const v of [0.5, 1, 1.0001, 5, 10, 10.5, 1e9]) h.observe(v);
    expect(Array.from(h.counts)).to.deep.equal([2, 2, 1, 2]);
    expect(h.cumulative()).to.deep.equal([2, 4, 5, 7]);
    expect(h.toJSON().le).to.deep.equal([1, 5, 10, '+Inf']);
  });

  it('cumulative count at each bound equals a direct count (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 2e4, noNaN: true }), { maxLength: 200 }), (xs) => {
        const bounds = [0.1, 1, 10, 100, 1000, 10000];
        const h = new Histogram(bounds);
        for (const x of xs) h.observe(x);
        const cum = h.cumulative();
        for (const [i, b] of bounds.entries()) expect(cum[i]).to.equal(xs.filter((x) => x <= b).length);
        expect(cum[bounds.length]).to.equal(xs.length);
      }),
    );
  });

  it("bucket(v) is the first bound ≥ v for any bounds and value, the key table's edges included (property)", () => {
    // bucket() starts from a table keyed by v's exponent and top mantissa bits; it must agree with the
    // definition everywhere: at and beside each bound, at the table's ends, past them, and off the positives.
    const first = (bounds: number[], v: number) => {
      const i = bounds.findIndex((b) => b >= v);
      return i < 0 ? bounds.length : i;
    };
    const boundsArb = fc
      .uniqueArray(fc.double({ min: -1e6, max: 1e300, noNaN: true }), { minLength: 1, maxLength: 20 })
      .map((xs) => xs.sort((a, b) => a - b))
      .filter((xs) => xs.every((x, i) => i === 0 || x > xs[i - 1]!));
    fc.assert(
      fc.property(boundsArb, fc.array(fc.double(), { maxLength: 30 }), (bounds, xs) => {
        const h = new Histogram(bounds);
        const near = bounds.flatMap((b) => [b, b * (1 - 2 ** -52), b * (1 + 2 ** -52), b / 4, b * 4, b / 5, b * 5]);
        for (const v of [...xs, ...near, 0, -0, -1, NaN, Infinity, -Infinity, Number.MIN_VALUE, 1e-310]) {
          expect(h.bucket(v), `bounds ${bounds} v ${v}`).to.equal(first(bounds, v));
        }
      }),
    );
    const latency = new Histogram([0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]);
    for (let v = 0.001; v < 1e6; v *= 1.01) expect(latency.bucket(v)).to.equal(first([...latency.upperBounds], v));
  });

  it('bucket(v) then observeIn is observe(v): the same counts and sum (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 2e4, noNaN: true }), { maxLength: 200 }), (xs) => {
        const bounds = [0.1, 1, 10, 100, 1000, 10000];
        const a = new Histogram(bounds);
        const b = new Histogram(bounds);
        for (const x of xs) {
          a.observe(x);
          b.observeIn(a.bucket(x), x);
        }
        expect(b.toJSON()).to.deep.equal(a.toJSON());
        for (const x of xs) expect(a.bucket(x)).to.equal(bounds.filter((bd) => bd < x).length);
      }),
    );
  });

  it('a run reports it in summary.json and per interval in the time series, consistent with the other metrics', () => {
    const sc = parseScenario(
      'durationS: 20\nwarmupS: 5\nmetrics: {latencyBucketsMs: [1, 2, 5, 20]}\nworkload: {arrival: {process: ' +
        'poisson, ratePerS: 1500}, request: {steps: [{cpu: {dist: exponential, meanMs: 1}}]}}\nruntime: ' +
        '{gomaxprocs: 2}\n',
      'hist.yaml',
    );
    const { summary, series } = runScenario(sc, 3);
    const h = summary.latencyHistogramMs;
    expect(h.le).to.deep.equal([1, 2, 5, 20, '+Inf']);
    expect(h.count).to.equal(summary.requests.measured);
    expect(h.cumulativeCounts.at(-1)).to.equal(summary.requests.measured);
    expect(h.sum / h.count).to.be.closeTo(summary.latencyMs.mean, 1e-6 * summary.latencyMs.mean);
    // The p50 lies in the first bucket whose cumulative count reaches half.
    const half = h.cumulativeCounts.findIndex((c) => c >= h.count / 2);
    const lower = half === 0 ? 0 : (h.le[half - 1] as number);
    expect(summary.latencyMs.p50).to.be.within(lower, h.le[half] as number);

    const cols = series.columns;
    const inf = cols.indexOf('latency_le_inf');
    const le1 = cols.indexOf('latency_le_1ms');
    const comp = cols.indexOf('completions_per_s');
    expect(le1).to.be.greaterThan(0);
    for (const row of series.rows) {
      expect(row[inf]).to.equal(row[comp]); // 1 s interval: completions per s = completions counted
      expect(row[le1]).to.be.at.most(row[inf]!);
    }
  });

  it('bounds that do not increase are a scenario error naming the path', () => {
    expect(() => parseScenario('metrics: {latencyBucketsMs: [1, 1, 2]}\n', 'bad.yaml'))
      .to.throw(ScenarioError)
      .with.property('message')
      .that.matches(/bad\.yaml:1:\d+: metrics\.latencyBucketsMs: .*strictly increasing/);
  });
});
