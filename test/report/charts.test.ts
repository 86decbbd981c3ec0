import { expect } from 'chai';
import { hpaMetricPctOfTarget, quantity, seedBandCharts, tuneCharts } from '../../src/report/html/charts.js';

/** The report's readers of what gmpsim wrote: kubectl's metric strings, seed bands, the tune page. */
describe('report charts', () => {
  describe("hpaMetricPctOfTarget: the HPA's first metric as a % of its target (kubectl get hpa's TARGETS)", () => {
    const cases: [string, string, number][] = [
      ['Resource Utilization', 'cpu: 93%/60%', 155],
      ['Pods AverageValue in milli-units', '12500m/8', 156.25],
      ['External AverageValue', '1/8 (avg)', 12.5],
      ['Resource AverageValue', 'cpu: 200m/500m', 40],
      ['two metrics: the first', 'cpu: 50%/50%, 4/8', 100],
      ['a milli-unit target', '1500/1500m', 100000],
    ];
    for (const [name, text, want] of cases)
      it(`${name}: ${text}`, () => expect(hpaMetricPctOfTarget(text)).to.be.closeTo(want, 1e-9));
    for (const text of ['cpu: <unknown>/50%', '<none>', '', 'cpu: 10%/<auto>'])
      it(`unreadable: "${text}" → NaN`, () => expect(hpaMetricPctOfTarget(text)).to.be.NaN);
    it('quantities', () => {
      expect(quantity('1.5k')).to.equal(1500);
      expect(quantity('64Mi')).to.equal(64 * 1024 * 1024);
      expect(quantity('abc')).to.be.NaN;
    });
  });

  it('seed bands: the median and the range over seeds at each sample, per variant', () => {
    const seed = (p99: number[], ready: number[]) =>
      p99.map((v, i) => ({ t_s: i + 1, latency_p99_ms: v, replicas_ready: ready[i]! }));
    const dec = (m: string[]) => m.map((c, i) => ({ t_s: 15 * i, current_metrics: c }));
    const charts = seedBandCharts(
      {
        a: {
          series: [seed([10, 20], [2, 3]), seed([30, 0], [2, 4]), seed([20, 40], [2, 5])],
          decisions: [dec(['cpu: 30%/60%', 'cpu: <unknown>/60%']), dec(['cpu: 90%/60%', 'cpu: 60%/60%'])],
        },
      },
      25,
    );
    expect(charts.map((c) => c.id)).to.deep.equal(['band-p99', 'band-replicas', 'band-hpa-metric']);
    const rows = (id: string) =>
      (charts.find((c) => c.id === id)!.spec.layer as { data?: { values: Record<string, number>[] } }[])[0]!.data!
        .values;
    // t = 1: 10, 30, 20 → median 20, 10..30; t = 2: 20, (0: no p99 in that interval, left out), 40 → 30, 20..40
    expect(rows('band-p99').map((r) => [r.t_s, r.value, r.lo, r.hi, r.seeds])).to.deep.equal([
      [1, 20, 10, 30, 3],
      [2, 30, 20, 40, 3],
    ]);
    expect(rows('band-replicas').map((r) => [r.value, r.lo, r.hi])).to.deep.equal([
      [2, 2, 2],
      [4, 3, 5],
    ]);
    // the HPA's metric: 50 % and 150 % of target at the first sync; the unknown reading is left out
    expect(rows('band-hpa-metric').map((r) => [r.t_s, r.value, r.lo, r.hi])).to.deep.equal([
      [0, 100, 50, 150],
      [15, 100, 100, 100],
    ]);
  });

  it('tune page: every figure per evaluated point in order, winner and runner-up marked, the best-so-far line', () => {
    const point = (p: number, cost: number, p99: number, feasible: boolean) => ({
      point: p,
      seeds: 2,
      figures: { p99Ms: p99, podSeconds: cost, errors: 0 },
      objective: cost,
      feasible,
      params: [['x', p]] as [string, unknown][],
    });
    const charts = tuneCharts({
      method: 'bo',
      bounds: { p99Ms: 40 },
      cost: 'podSeconds',
      evaluated: [point(3, 700, 30, true), point(0, 300, 90, false), point(5, 400, 35, true), point(1, 500, 20, true)],
      rungOf: new Map([
        [3, 1],
        [0, 1],
        [5, 2],
        [1, 2],
      ]),
      best: 5,
      runnerUp: 1,
    });
    expect(charts.map((c) => c.id)).to.deep.equal(['tune-figures', 'tune-trace']);
    const figs = (charts[0]!.spec.data as { values: Record<string, unknown>[] }).values;
    // errors is 0 everywhere: no panel; p99Ms and podSeconds for each of the 4 points, p99's bound beside it
    expect(new Set(figs.map((r) => r.figure))).to.deep.equal(new Set(['p99Ms', 'podSeconds (cost)']));
    expect(figs.filter((r) => r.figure === 'p99Ms').map((r) => [r.at, r.status, r.bound])).to.deep.equal([
      ['1. #3', 'meets the constraints', 40],
      ['2. #0', 'misses the constraints', 40],
      ['3. #5', 'winner', 40],
      ['4. #1', 'runner-up', 40],
    ]);
    const trace = (charts[1]!.spec.data as { values: Record<string, number>[] }).values;
    // the best so far counts only points that meet the constraints (#0 is cheaper but misses p99)
    expect(trace.map((r) => [r.n, r.objective, r.best, r.rung])).to.deep.equal([
      [1, 700, 700, 1],
      [2, 300, 700, 1],
      [3, 400, 400, 2],
      [4, 500, 400, 2],
    ]);
    expect(charts[1]!.title).to.match(/^BO trace/);
  });
});
