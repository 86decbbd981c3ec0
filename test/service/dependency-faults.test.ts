import { expect } from 'chai';
import { scenarioFromData } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

/**
 * Faults that target a dependency (src/sim/faults.ts → service/dependency.ts): an outage that fails calls at
 * once or leaves them unanswered until the caller's deadline, and a slowdown, each for a window, visible in
 * faults_active and in the dependency's own columns and counts.
 */
const run = (fault: Record<string, unknown>, call: Record<string, unknown> = {}) =>
  runScenario(
    scenarioFromData(
      {
        durationS: 30,
        runtime: { gomaxprocs: 2 },
        workload: {
          arrival: { process: 'poisson', ratePerS: 100 },
          request: { steps: [{ cpu: { dist: 'constant', valueMs: 0.1 } }, { call: { dependency: 'db', ...call } }] },
        },
        dependencies: { db: { latency: { dist: 'constant', valueMs: 10 } } },
        faults: [{ atS: 10, durationS: 10, target: { kind: 'dependency', name: 'db' }, ...fault }],
      },
      'case.yaml',
    ),
  );

const col = (r: ReturnType<typeof run>, name: string) => {
  const i = r.series.columns.indexOf(name);
  expect(i, name).to.be.at.least(0);
  return r.series.rows.map((row) => row[i] as number);
};
/** Rows whose sample time t_s is within (a, b]. */
const within = (r: ReturnType<typeof run>, name: string, a: number, b: number) => {
  const t = col(r, 't_s');
  return col(r, name).filter((_, k) => t[k]! > a && t[k]! <= b);
};

describe('dependency faults: outage and slowdown for a window', () => {
  it('outage, fail-fast: calls in the window fail at once; before and after they succeed', () => {
    const r = run({ type: 'dependency-outage' });
    const s = r.summary;
    const db = s.service!.dependencies.db!;
    // ~10 s × 100/s fail at once (each an error at the dependency), the rest succeed.
    expect(db.outage!.failedFast).to.be.within(850, 1150);
    expect(db.outage!.hung).to.equal(0);
    expect(s.service!.requestsFailed).to.equal(db.outage!.failedFast);
    expect(s.service!.failedLatencyMs.p99).to.be.below(1);
    // Gauges read at t (the window is [10, 20)); rates cover (t − 1, t].
    expect(within(r, 'faults_active', 9, 19).every((x) => x === 1)).to.equal(true);
    expect(within(r, 'faults_active', 19, 30).every((x) => x === 0)).to.equal(true);
    expect(within(r, 'dep_db_down', 9, 19).every((x) => x === 1)).to.equal(true);
    expect(within(r, 'dep_db_down', 0, 9).every((x) => x === 0)).to.equal(true);
    expect(within(r, 'dep_db_outage_failed_per_s', 11, 20).every((x) => x > 50)).to.equal(true);
    expect(within(r, 'dep_db_outage_failed_per_s', 21, 30).every((x) => x === 0)).to.equal(true);
  });

  it("outage, hang: calls wait for the caller's deadline (here the call's 50 ms timeout), holding the G", () => {
    const r = run({ type: 'dependency-outage', mode: 'hang' }, { timeoutMs: 50 });
    const s = r.summary;
    const db = s.service!.dependencies.db!;
    expect(db.outage!.hung).to.be.within(850, 1150);
    expect(db.outage!.failedFast).to.equal(0);
    expect(s.service!.failedLatencyMs.p50).to.be.within(50, 51);
    expect(s.service!.calls.timeouts).to.equal(db.outage!.hung);
    // Goroutines pile up only during the window: 100/s × 50 ms ≈ 5 waiting at a time, vs ~1 outside.
    expect(Math.max(...within(r, 'dep_db_hung', 11, 20))).to.be.at.least(2);
    expect(within(r, 'dep_db_hung', 20, 30).every((x) => x === 0)).to.equal(true);
  });

  it('slowdown: latency × latencyFactor + addedLatencyMs during the window only', () => {
    const r = run({ type: 'dependency-slowdown', latencyFactor: 3, addedLatencyMs: 5 });
    const p50 = (a: number, b: number) => {
      const v = within(r, 'latency_p50_ms', a, b);
      return v.reduce((x, y) => x + y, 0) / v.length;
    };
    expect(p50(2, 10)).to.be.within(10, 11.5);
    expect(p50(11, 20)).to.be.within(34, 37); // 10 × 3 + 5
    expect(p50(22, 30)).to.be.within(10, 11.5);
    expect(within(r, 'dep_db_latency_factor', 9, 19).every((x) => x === 3)).to.equal(true);
    expect(r.summary.service!.requestsFailed).to.equal(0);
  });

  it('no fault on a dependency: none of its fault columns (outputs as before)', () => {
    const r = run({ type: 'hpa-down', target: undefined });
    expect(r.series.columns.filter((c) => c.startsWith('dep_db_'))).to.deep.equal([
      'dep_db_in_flight',
      'dep_db_queued',
      'dep_db_calls_per_s',
      'dep_db_errors_per_s',
    ]);
    expect(r.summary.service!.dependencies.db!.outage).to.equal(undefined);
  });
});
