import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { compareScenarios } from '../../src/scenario/variants.js';
import { type RunResult, runScenario } from '../../src/sim/experiment.js';

/** Run each variant of a curated compare scenario once (seed 1). */
function variants(file: string): Record<string, RunResult> {
  const { variants: vs } = compareScenarios(readFileSync(file, 'utf8'), file);
  return Object.fromEntries(vs.map((v) => [v.name, runScenario(v.scenario, 1)]));
}

/** A timeseries column's values over rows with from ≤ t_s < to. */
function col(r: RunResult, name: string, from = 0, to = Infinity): number[] {
  const i = r.series.columns.indexOf(name);
  expect(i, `column ${name}`).to.be.at.least(0);
  return r.series.rows.filter((row) => row[0]! >= from && row[0]! < to).map((row) => row[i] as number);
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('curated scenarios: the service world (issue 18)', () => {
  it('pool-exhaustion-flash-crowd: 4 connections per pod collapse under the crowd; 32 serve it', () => {
    const r = variants('scenarios/pool-exhaustion-flash-crowd.yaml');
    const small = r['max-open-4']!.summary,
      big = r['max-open-32']!.summary;
    // The pool, not CPU or the database, is the limit: callers wait, most requests fail at the deadline.
    expect(Math.max(...col(r['max-open-4']!, 'pool_db_waiting', 25))).to.be.greaterThan(100);
    expect(small.service!.requestsFailed).to.be.greaterThan(small.requests.completed);
    expect(small.service!.dependencies.db!.abandoned).to.be.greaterThan(1000);
    expect(small.utilization).to.be.below(0.3);
    // The fix: no waits, no failures, p99 under the 100 ms SLO.
    expect(big.service!.requestsFailed).to.equal(0);
    expect(big.service!.dependencies.db!.pool.waitCount).to.equal(0);
    expect(big.latencyMs.p99).to.be.below(100);
  });

  it('slow-dependency-hpa: the goroutine HPA scales out, the CPU HPA stays, and p99 does not improve', () => {
    const r = variants('scenarios/slow-dependency-hpa.yaml');
    const cpu = r['cpu-hpa']!.summary,
      gor = r['goroutine-hpa']!.summary;
    expect(cpu.cluster.maxReplicas).to.equal(3);
    expect(gor.cluster.maxReplicas).to.be.at.least(6);
    // Same downstream queue whatever the pod count: p99 within 10 % (here it is equal to 0.1 %).
    expect(gor.latencyMs.p99).to.be.greaterThan(0.9 * cpu.latencyMs.p99);
    expect(gor.cluster.podSeconds).to.be.greaterThan(1.5 * cpu.cluster.podSeconds);
  });

  it('breaker-trip-recover: breakers trip in the surge, fail fast, and close after it', () => {
    const r = variants('scenarios/breaker-trip-recover.yaml');
    const br = r.breaker!,
      none = r['no-breaker']!;
    expect(br.summary.service!.dependencies.db!.breakerTrips).to.be.greaterThan(4);
    expect(Math.max(...col(br, 'breaker_db_open', 31, 50))).to.be.greaterThan(0);
    expect(Math.max(...col(br, 'breaker_db_open', 60))).to.equal(0);
    // Open breakers fail in under a millisecond; a timeout takes the whole 100 ms deadline.
    expect(br.summary.service!.failedLatencyMs.p50).to.be.below(5);
    expect(none.summary.service!.failedLatencyMs.p50).to.be.at.least(100);
    // The database is spared the work for callers who left, and service resumes as soon as the surge ends.
    expect(br.summary.service!.dependencies.db!.abandoned).to.be.below(
      0.1 * none.summary.service!.dependencies.db!.abandoned,
    );
    expect(sum(col(br, 'completions_per_s', 51, 56))).to.be.greaterThan(
      2 * sum(col(none, 'completions_per_s', 51, 56)),
    );
  });

  it('load-shedding: a limiter keeps p99 low while shedding; without one latency grows without bound', () => {
    const r = variants('scenarios/load-shedding.yaml');
    const fixed = r['fixed-16']!.summary,
      none = r['no-limiter']!.summary,
      aimd = r.aimd!.summary;
    expect(none.latencyMs.p99).to.be.greaterThan(1000);
    for (const s of [fixed, aimd]) {
      expect(s.service!.requestsShed).to.be.greaterThan(5000);
      expect(s.latencyMs.p99).to.be.below(0.02 * none.latencyMs.p99);
    }
    expect(fixed.latencyMs.p99).to.be.below(50);
    // AIMD moved its limit (from 20) and the fixed one did not.
    expect(aimd.service!.limiterLimitsAtEnd![0]).to.not.equal(20);
    expect(fixed.service!.limiterLimitsAtEnd).to.deep.equal([16]);
    expect(Math.min(...col(r.aimd!, 'limiter_limit'))).to.be.below(Math.max(...col(r.aimd!, 'limiter_limit')));
  });

  it('dependency-outage-node-drain: a hung database trips the breakers, which fail fast; a drain loses nothing', () => {
    const r = variants('scenarios/dependency-outage-node-drain.yaml');
    const br = r.breaker!,
      none = r['no-breaker']!;
    const b = br.summary,
      n = none.summary;
    // The outage (20–30 s): breakers open on every pod and stay shut for its length; none before or after.
    expect(Math.max(...col(br, 'breaker_db_open', 21, 30))).to.equal(4);
    expect(Math.max(...col(br, 'breaker_db_open', 0, 20))).to.equal(0);
    expect(Math.max(...col(br, 'breaker_db_open', 35))).to.equal(0);
    expect(b.service!.dependencies.db!.breakerTrips).to.be.greaterThan(4);
    // With breakers most failures are refusals in microseconds; without, every failure waits its 100 ms.
    expect(b.service!.calls.breakerRejected).to.be.greaterThan(0.9 * b.service!.requestsFailed);
    expect(b.service!.failedLatencyMs.p50).to.be.below(1);
    expect(n.service!.failedLatencyMs.p50).to.be.within(100, 101);
    expect(b.service!.dependencies.db!.outage!.hung).to.be.below(0.1 * n.service!.dependencies.db!.outage!.hung);
    expect(b.service!.dependencies.db!.pool.dials).to.be.below(0.1 * n.service!.dependencies.db!.pool.dials);
    // The drain (45–65 s): node 1's pods 2 and 3 are evicted, recreated on node 2, Ready again in 10 s.
    const drain = b.chaos!.faults[1]!;
    expect(drain.type).to.equal('node-drain');
    expect(drain.pods).to.deep.equal([2, 3]);
    expect(Math.min(...col(br, 'replicas_ready', 45, 55))).to.equal(2);
    expect(Math.min(...col(br, 'replicas_ready', 57))).to.equal(4);
    expect(b.cluster.killed).to.equal(0);
    // The hypothesis: broken by the outage, not by the drain.
    const checks = b.chaos!.steadyState!.checks;
    expect(checks.filter((c) => c.fault === 0).map((c) => c.pass)).to.deep.equal([true, false, false]);
    expect(checks.filter((c) => c.fault === 1).map((c) => c.pass)).to.deep.equal([true, true, true]);
  });
});
